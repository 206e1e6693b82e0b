//! The names of the options the library's messages refer to.
//!
//! An error, a diagnostic's hint or a warning that concerns an option names
//! it by [`OptionName`]: the library's name for the option (the builder
//! method or field that sets it), in backquotes, e.g. `` `columns` `` for
//! [`Rollup::columns`](crate::rollup::Rollup::columns). The library never
//! spells a command-line flag; `rcx` prints each such name as its flag
//! (`--columns`) wherever it prints library text.
//!
//! ```
//! use ringcx_reports::option::OptionName;
//! assert_eq!(OptionName::DateOrder.name(), "date_order");
//! assert_eq!(OptionName::DateOrder.to_string(), "`date_order`");
//! ```

use std::fmt;

macro_rules! options {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal; )*) => {
        /// An option a message can name. See the [module docs](self).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum OptionName {
            $( $(#[$doc])* $variant, )*
        }

        impl OptionName {
            /// Every option, in declaration order.
            pub const ALL: &'static [OptionName] = &[ $( OptionName::$variant, )* ];

            /// The library's name: the builder method or field that sets
            /// the option, e.g. `"source_tz"`.
            pub const fn name(self) -> &'static str {
                match self { $( OptionName::$variant => $name, )* }
            }

            /// The name as messages print it, in backquotes:
            /// `` "`source_tz`" ``.
            pub const fn quoted(self) -> &'static str {
                match self { $( OptionName::$variant => concat!("`", $name, "`"), )* }
            }
        }
    };
}

options! {
    /// The zone the report was requested in
    /// ([`ReaderBuilder::source_tz`](crate::read::ReaderBuilder::source_tz)).
    SourceTz = "source_tz";
    /// The order of month and day in slash dates
    /// ([`ReaderBuilder::date_order`](crate::read::ReaderBuilder::date_order)).
    DateOrder = "date_order";
    /// The report kind, when detection is overridden
    /// ([`ReaderBuilder::report`](crate::read::ReaderBuilder::report)).
    Report = "report";
    /// The CSV delimiter, when detection is overridden
    /// ([`ReaderBuilder::delimiter`](crate::read::ReaderBuilder::delimiter)).
    Delimiter = "delimiter";
    /// The first CSV record is data
    /// ([`ReaderBuilder::no_header`](crate::read::ReaderBuilder::no_header)).
    NoHeader = "no_header";
    /// The metric columns a rollup or a calls table prints
    /// ([`Rollup::columns`](crate::rollup::Rollup::columns),
    /// [`Calls::columns`](crate::calls::Calls::columns)).
    Columns = "columns";
    /// What rollup rows are keyed by ([`Rollup::by`](crate::rollup::Rollup::by)).
    By = "by";
    /// The bucket width
    /// ([`Window::interval`](crate::window::Window::interval)).
    Interval = "interval";
    /// The bucket zone ([`Window::tz`](crate::window::Window::tz)).
    Tz = "tz";
    /// Where a row that does not nest in a bucket goes
    /// ([`Rollup::attribution`](crate::rollup::Rollup::attribution)).
    Attribution = "attribution";
    /// The queue groups
    /// ([`Rollup::queue_groups`](crate::rollup::Rollup::queue_groups)).
    QueueGroups = "queue_groups";
    /// The agent groups
    /// ([`Rollup::agent_groups`](crate::rollup::Rollup::agent_groups)).
    AgentGroups = "agent_groups";
    /// The lower time bound ([`Window::from`](crate::window::Window::from)).
    From = "from";
    /// The upper time bound ([`Window::to`](crate::window::Window::to)).
    To = "to";
    /// The days of the week kept ([`Window::days`](crate::window::Window::days)).
    Days = "days";
    /// The times of day kept ([`Window::hours`](crate::window::Window::hours)).
    Hours = "hours";
    /// The service-level formula
    /// ([`Rollup::sl_formula`](crate::rollup::Rollup::sl_formula)).
    SlFormula = "sl_formula";
    /// Whether short abandons count
    /// ([`Rollup::short_abandons`](crate::rollup::Rollup::short_abandons)).
    ShortAbandons = "short_abandons";
    /// What "offered" means ([`Rollup::offered`](crate::rollup::Rollup::offered)).
    Offered = "offered";
    /// The Agent Extended against Queue Statistics reconciliation
    /// ([`Validator::cross_check`](crate::validate::Validator::cross_check)).
    CrossCheck = "cross_check";
    /// The number of queues of a generated export.
    Queues = "queues";
    /// The number of agents of a generated export.
    Agents = "agents";
    /// `gen`: the number of window files of segments.
    Pulls = "pulls";
    /// `gen`: the percentage of each window pulled again.
    RepullPct = "repull_pct";
    /// The page of an Analytics response
    /// ([`Rollup::page`](crate::rollup::Rollup::page)).
    Page = "page";
    /// Records per page of an Analytics response
    /// ([`Rollup::per_page`](crate::rollup::Rollup::per_page)).
    PerPage = "per_page";
    /// The Analytics response envelope
    /// ([`Rollup::analytics_version`](crate::rollup::Rollup::analytics_version)).
    AnalyticsVersion = "analytics_version";
}

impl fmt::Display for OptionName {
    /// The [quoted](Self::quoted) name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.quoted())
    }
}

#[cfg(test)]
mod tests {
    use super::OptionName;

    #[test]
    fn names_are_distinct_snake_case_words() {
        let mut seen = std::collections::BTreeSet::new();
        for o in OptionName::ALL {
            let n = o.name();
            assert!(seen.insert(n), "{n} twice");
            assert!(
                n.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{n} is not a snake_case name"
            );
            assert_eq!(o.to_string(), format!("`{n}`"));
        }
    }
}
