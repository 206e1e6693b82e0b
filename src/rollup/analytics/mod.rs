//! What an Analytics API response answers (SPEC 8.2, 8.3): the API's
//! response options, each written once with its breakdown keys and its
//! values from a bucket's sums; the filters; the key selection and paging
//! of a response.
//!
//! Values come from the sums in two steps. [`OptionSums`] takes the sums
//! the API's options are built from: an interval report's (offered,
//! answered, abandoned, answered within SL, waits, talk, wrap; `None`
//! where the report has no such sum), which the request's filters rewrite
//! ([`CallFilters::apply`]), or the calls of interaction metadata split by
//! their attributes ([`CallSplit`]: counts and Σ spans), which the filters
//! kept or dropped one by one ([`CallFilters::keeps`]). Each option's
//! values are then a formula over them ([`ApiOption::values`]); a value
//! the input cannot give is `None`, printed `null`, never 0. An option
//! none of whose values an input can give is refused by name
//! ([`ApiOption::answerable`]).
//!
//! | option (timer in the request) | Queue Statistics | Agent Extended | calls (interaction metadata) |
//! |---|---|---|---|
//! | `allCalls` | offered | answered | every call |
//! | `callsByDirection` | inbound offered, outbound 0 | refused | inbound, outbound |
//! | `callsByResponse` | answered, notAnswered abandoned | refused | answered (an agent took it), notAnswered |
//! | `callsByResult` | abandoned | refused | completed (answered), abandoned (unanswered inbound) |
//! | `callsByQueueSla` | inSla answered within SL, outOfSla the rest answered | refused | the same, of inbound calls |
//! | `callsByType` | fromQueue answered, outbound 0 | fromQueue answered | transferred, outbound |
//! | `allCalls` (`allCallsDuration`) | answer wait + abandon wait + talk | talk + wrap | Σ call spans |
//! | `callsByDirection`, `callsByResult`, `callsByQueueSla`, `callsByType` (`callsDurationBy…`) | refused | refused | Σ spans of the calls the counter counts |
//! | `callsByResponse` (`callsDurationByResponse`) | answered answer wait + talk, notAnswered abandon wait | refused | Σ spans |
//! | `callsSegments` (`callsSegmentsDuration`) | liveTalk talk | liveTalk talk | liveTalk Σ agent segment spans |
//!
//! Every other option (origin, actions, company hours, segment counts) is
//! refused: neither input carries what answers it. The filters are in
//! [`filter`], the sums in [`sums`].

mod filter;
mod sums;

use rust_decimal::Decimal;

use super::ratio::{percent, ratio};
use crate::error::{Error, Result};
use crate::model::ReportKind;
use crate::option::OptionName;
use crate::window::BucketInterval;

pub use filter::{phone_digits, CallFacts, CallFilters, FilterValue, LengthFilter};
pub use sums::{CallSplit, OptionSums, Share};

use self::sums::{add, sub};

/// The part of a record an option's values go in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Section {
    /// Call counts (`Instances`).
    Counters,
    /// Call durations (`Seconds`).
    Timers,
}

impl Section {
    /// The key of the section in a request's `responseOptions` and in a
    /// record.
    pub const fn key(self) -> &'static str {
        match self {
            Section::Counters => "counters",
            Section::Timers => "timers",
        }
    }
}

/// A value of `s` only on the report named, else `None`.
fn queue(s: &OptionSums, v: Option<i128>) -> Option<i128> {
    if s.is_queue() {
        v
    } else {
        None
    }
}

type Formula = fn(&OptionSums) -> Option<i128>;

/// A part of the calls' split (`None`: one the data cannot give).
type Part = fn(&CallSplit) -> Option<Share>;

/// The number of calls in `part` for interaction metadata, else the
/// interval report's value `interval`.
fn count(s: &OptionSums, part: Part, interval: Option<i128>) -> Option<i128> {
    match &s.calls {
        Some(c) => part(c).map(|p| p.calls),
        None => interval,
    }
}

/// The Σ span of the calls in `part` for interaction metadata, else the
/// interval report's value `interval`.
fn span(s: &OptionSums, part: Part, interval: Option<i128>) -> Option<i128> {
    match &s.calls {
        Some(c) => part(c).map(|p| p.ms),
        None => interval,
    }
}

fn none(_: &OptionSums) -> Option<i128> {
    None
}

/// An option of the API's `responseOptions`.
#[derive(Debug)]
pub struct ApiOption {
    /// The name in a request's `responseOptions`.
    pub request: &'static str,
    /// The name in a response (timers take the counters' names).
    pub response: &'static str,
    /// Counters or timers.
    pub section: Section,
    /// The breakdown keys and their formulas, in the API's order; one
    /// unnamed entry for a single value.
    formulas: &'static [(&'static str, Formula)],
}

/// The single value of an option without a breakdown.
const TOTAL: &str = "";

macro_rules! option {
    ($section:ident $request:literal => $response:literal { $( $key:tt : $f:expr ),* $(,)? }) => {
        ApiOption {
            request: $request,
            response: $response,
            section: Section::$section,
            formulas: &[ $( ($key, $f) ),* ],
        }
    };
}

/// Every option of the API's `responseOptions`, counters then timers, in
/// the order of RingCentral's schema (which is the order a response lists
/// them in). Each formula gives the value from interaction metadata's
/// calls (`count`, `span`: the part of the [`CallSplit`]) and from the
/// interval reports.
pub static API_OPTIONS: &[ApiOption] = &[
    option!(Counters "allCalls" => "allCalls" {
        TOTAL: |s| count(s, |c| Some(c.all), if s.is_queue() { s.offered } else { s.answered }),
    }),
    option!(Counters "callsByDirection" => "callsByDirection" {
        "inbound": |s| count(s, |c| Some(c.inbound), s.offered),
        "outbound": |s| count(s, |c| Some(c.outbound), queue(s, Some(0))),
    }),
    option!(Counters "callsByOrigin" => "callsByOrigin" {}),
    option!(Counters "callsByResponse" => "callsByResponse" {
        "answered": |s| count(s, |c| Some(c.answered), queue(s, s.answered)),
        "notAnswered": |s| count(s, |c| c.not_answered, s.abandoned),
        "connected": none,
        "notConnected": none,
    }),
    option!(Counters "callsSegments" => "callsSegments" {}),
    option!(Counters "callsByResult" => "callsByResult" {
        "completed": |s| count(s, |c| Some(c.answered), None),
        "abandoned": |s| count(s, |c| c.abandoned, s.abandoned),
        "voicemail": none,
        "missed": none,
        "accepted": none,
        "unknown": none,
    }),
    option!(Counters "callsByCompanyHours" => "callsByCompanyHours" {}),
    option!(Counters "callsByQueueSla" => "callsByQueueSla" {
        "inSla": |s| count(s, |c| Some(c.in_sla), s.answered_within_sl),
        "outOfSla": |s| count(s, |c| Some(c.out_of_sla), sub(s.answered, s.answered_within_sl)),
    }),
    option!(Counters "callsByActions" => "callsActions" {}),
    option!(Counters "callsByType" => "callsByType" {
        "direct": none,
        "fromQueue": |s| count(s, |_| None, s.answered),
        "parkRetrieval": none,
        "transferred": |s| count(s, |c| Some(c.transferred), None),
        "outbound": |s| count(s, |c| Some(c.outbound), queue(s, Some(0))),
    }),
    option!(Timers "allCallsDuration" => "allCalls" {
        TOTAL: |s| span(s, |c| Some(c.all), if s.is_queue() {
            add(add(s.answer_wait_ms, s.abandon_wait_ms), s.talk_ms)
        } else {
            add(s.talk_ms, s.wrap_ms)
        }),
    }),
    option!(Timers "callsDurationByDirection" => "callsByDirection" {
        "inbound": |s| span(s, |c| Some(c.inbound), None),
        "outbound": |s| span(s, |c| Some(c.outbound), None),
    }),
    option!(Timers "callsDurationByOrigin" => "callsByOrigin" {}),
    option!(Timers "callsDurationByResponse" => "callsByResponse" {
        "answered": |s| span(s, |c| Some(c.answered), add(s.answer_wait_ms, s.talk_ms)),
        "notAnswered": |s| span(s, |c| c.not_answered, s.abandon_wait_ms),
        "connected": none,
        "notConnected": none,
    }),
    option!(Timers "callsSegmentsDuration" => "callsSegments" {
        "ringing": none,
        "liveTalk": |s| s.talk_ms,
        "hold": none,
        "park": none,
        "transfer": none,
        "ivrPrompt": none,
        "voicemail": none,
        "vmGreeting": none,
        "setup": none,
    }),
    option!(Timers "callsDurationByResult" => "callsByResult" {
        "completed": |s| span(s, |c| Some(c.answered), None),
        "abandoned": |s| span(s, |c| c.abandoned, None),
        "voicemail": none,
        "missed": none,
        "accepted": none,
        "unknown": none,
    }),
    option!(Timers "callsDurationByCompanyHours" => "callsByCompanyHours" {}),
    option!(Timers "callsDurationByQueueSla" => "callsByQueueSla" {
        "inSla": |s| span(s, |c| Some(c.in_sla), None),
        "outOfSla": |s| span(s, |c| Some(c.out_of_sla), None),
    }),
    option!(Timers "callsDurationByType" => "callsByType" {
        "direct": none,
        "fromQueue": none,
        "parkRetrieval": none,
        "transferred": |s| span(s, |c| Some(c.transferred), None),
        "outbound": |s| span(s, |c| Some(c.outbound), None),
    }),
];

/// The legacy endpoint's name of a breakdown key where it differs from the
/// current one (`callsSegments`: `holds`, `parks`, `transfers`,
/// `ivrPrompts`, `vmGreetings`).
pub fn legacy_key(key: &'static str) -> &'static str {
    match key {
        "hold" => "holds",
        "park" => "parks",
        "transfer" => "transfers",
        "ivrPrompt" => "ivrPrompts",
        "vmGreeting" => "vmGreetings",
        k => k,
    }
}

/// Which generation of the API's response envelope is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum ResponseVersion {
    /// `aggregation/fetch`, `timeline/fetch`: `{paging, data: {groupedBy,
    /// records: [{key, info, …}]}}`.
    #[default]
    Current,
    /// `calls/aggregate`, `calls/timeline` of the legacy endpoint:
    /// `{paging, data: [{key, keyInfo, …}]}` (a timeline without `paging`),
    /// segment breakdowns named `holds`, `parks`, … .
    Legacy,
}

/// An option's values: one number or a breakdown, `None` for `null`.
#[derive(Clone, Debug, PartialEq)]
pub enum OptionValues {
    /// A single value.
    Total(Option<Decimal>),
    /// Breakdown keys with their values.
    Breakdown(Vec<(&'static str, Option<Decimal>)>),
}

impl ApiOption {
    /// The option of `section` named `name` in a request.
    pub fn find(section: Section, name: &str) -> Option<&'static ApiOption> {
        API_OPTIONS
            .iter()
            .find(|o| o.section == section && o.request == name)
    }

    /// The names a request may give in `section`.
    pub fn names(section: Section) -> impl Iterator<Item = &'static str> {
        API_OPTIONS
            .iter()
            .filter(move |o| o.section == section)
            .map(|o| o.request)
    }

    /// Whether rows of `kind` give any of this option's values.
    pub fn answerable(&self, kind: ReportKind) -> bool {
        let z = OptionSums::zero(kind);
        self.formulas.iter().any(|(_, f)| f(&z).is_some())
    }

    /// The raw values of `sums`, in breakdown order.
    fn raw(&self, sums: &OptionSums) -> Vec<Option<i128>> {
        self.formulas.iter().map(|(_, f)| f(sums)).collect()
    }

    /// The option's values over the buckets of a range, aggregated as
    /// `how`: `Sum` and `Percent` of their total; `Average` (Σ / the
    /// number of buckets, 2 places, half away from zero), `Min` and `Max`
    /// of each value across the buckets, every bucket counting (an empty
    /// one is zeros). A value the report cannot give stays `None`.
    pub fn values(&self, buckets: &[OptionSums], how: Aggregation) -> OptionValues {
        let per_bucket: Vec<Vec<Option<i128>>> = match how {
            Aggregation::Sum | Aggregation::Percent => {
                let mut all = buckets.iter().copied();
                let first = all.next().unwrap_or_default();
                vec![self.raw(&all.fold(first, OptionSums::plus))]
            }
            _ => buckets.iter().map(|b| self.raw(b)).collect(),
        };
        let column = |i: usize| -> Option<Vec<i128>> { per_bucket.iter().map(|b| b[i]).collect() };
        let n = self.formulas.len();
        // Timers are summed in milliseconds and shown in seconds.
        let unit: i128 = match self.section {
            Section::Counters => 1,
            Section::Timers => 1000,
        };
        // (`None` past Decimal's 96 bits, far beyond sums of u64 values.)
        let shown_value = |v: i128| -> Option<Decimal> {
            let scale = if unit == 1 { 0 } else { 3 };
            Decimal::try_from_i128_with_scale(v, scale)
                .ok()
                .map(|d| d.normalize())
        };
        let shown: Vec<Option<Decimal>> = match how {
            Aggregation::Sum => (0..n).map(|i| shown_value(column(i)?[0])).collect(),
            Aggregation::Percent => {
                // Each value as a share of the option's total: the sum of
                // the values the report gives.
                let raw = &per_bucket[0];
                let total: i128 = raw.iter().flatten().sum();
                raw.iter().map(|v| percent((*v)?, total)).collect()
            }
            Aggregation::Average => (0..n)
                .map(|i| ratio(column(i)?.iter().sum(), per_bucket.len() as i128 * unit))
                .collect(),
            Aggregation::Min => (0..n)
                .map(|i| column(i)?.into_iter().min().and_then(shown_value))
                .collect(),
            Aggregation::Max => (0..n)
                .map(|i| column(i)?.into_iter().max().and_then(shown_value))
                .collect(),
        };
        match self.formulas {
            [(TOTAL, _)] => OptionValues::Total(shown[0]),
            _ => {
                OptionValues::Breakdown(self.formulas.iter().map(|(k, _)| *k).zip(shown).collect())
            }
        }
    }
}

/// How an aggregate request's option is aggregated (`aggregationType`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Aggregation {
    /// The sum over the range (the default).
    #[default]
    Sum,
    /// Each breakdown value as a percentage of the option's total (the sum
    /// of its values), 2 places, half away from zero; `null` when the
    /// total is 0.
    Percent,
    /// The mean over the `aggregationInterval` buckets of the range.
    Average,
    /// The smallest value of an `aggregationInterval` bucket of the range.
    Min,
    /// The largest value of an `aggregationInterval` bucket of the range.
    Max,
}

/// An option a request asks for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Asked {
    /// The option.
    pub option: &'static ApiOption,
    /// Its aggregation.
    pub aggregation: Aggregation,
    /// The buckets `Average`, `Min` and `Max` are over
    /// (`aggregationInterval`; `native` without one: the rows' own
    /// intervals).
    pub interval: Option<BucketInterval>,
}

impl PartialEq for ApiOption {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

/// What an Analytics API response answers: the options, the filters, the
/// keys selected and the page, from a request body
/// ([`AnalyticsRequest`](super::AnalyticsRequest)) or, without one, every
/// option the report answers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AnalyticsAnswer {
    /// `groupedBy` as the request wrote it; `None` for the grouping's API
    /// name.
    pub grouped_by: Option<String>,
    /// The request's grouping with its JSON path, as written
    /// (`grouping.groupBy "Users"`), for the messages refusing it; `None`
    /// when the request named none.
    pub grouping: Option<String>,
    /// The options asked for, in the catalogue's order; `None` for every
    /// option the report answers.
    pub options: Option<Vec<Asked>>,
    /// The filters.
    pub filters: CallFilters,
    /// The keys selected (`grouping.ids` or `keys`), in the request's
    /// order, with the JSON path they were given at; `None` for every key.
    pub keys: Option<(String, Vec<String>)>,
    /// The first key of the request that only an Analytics response can
    /// answer (`responseOptions`, a filter, a key selection), for the
    /// message refusing other output formats.
    pub shaping: Option<String>,
    /// The page, from 1; `None` for the first.
    pub page: Option<u64>,
    /// Records per page; `None` for all of them on one page.
    pub per_page: Option<u64>,
    /// The response envelope written.
    pub version: ResponseVersion,
}

impl AnalyticsAnswer {
    /// The page of the response, from 1 (default 1).
    pub fn with_page(mut self, page: u64) -> Result<Self> {
        if page == 0 {
            return Err(Error::usage(format!(
                "{} counts from 1, got 0",
                OptionName::Page
            )));
        }
        self.page = Some(page);
        Ok(self)
    }

    /// Records per page (default: all on one page).
    pub fn with_per_page(mut self, per_page: u64) -> Result<Self> {
        if per_page == 0 {
            return Err(Error::usage(format!(
                "{} must be at least 1, got 0",
                OptionName::PerPage
            )));
        }
        self.per_page = Some(per_page);
        Ok(self)
    }

    /// The buckets the rows are rolled up into for `Average`, `Min` and
    /// `Max`: the finest `aggregationInterval` asked (`native`, the rows'
    /// own intervals, for an option without one), which the others are
    /// regrouped from (days when weeks and months are both asked: a week
    /// does not nest in a month); `None` when no option asks for one.
    pub fn aggregation_base(&self) -> Option<BucketInterval> {
        use BucketInterval::*;
        let asked: Vec<BucketInterval> = self
            .options
            .iter()
            .flatten()
            .filter_map(|a| a.interval)
            .collect();
        let rank =
            |i: &BucketInterval| [Native, Hour, Day, Week, Month].iter().position(|x| x == i);
        let finest = *asked.iter().min_by_key(|i| rank(i))?;
        Some(if finest == Week && asked.contains(&Month) {
            Day
        } else {
            finest
        })
    }

    /// The options answered for rows of `kind`, each checked: an option
    /// the rows cannot answer is refused by its path.
    pub fn options_for(&self, kind: ReportKind) -> Result<Vec<Asked>> {
        match &self.options {
            None => Ok(API_OPTIONS
                .iter()
                .filter(|o| o.answerable(kind))
                .map(|option| Asked {
                    option,
                    aggregation: Aggregation::Sum,
                    interval: None,
                })
                .collect()),
            Some(asked) => {
                for a in asked {
                    if !a.option.answerable(kind) {
                        return Err(Error::usage(format!(
                            "responseOptions.{}.{}: {} cannot answer it (answered: {})",
                            a.option.section.key(),
                            a.option.request,
                            rows_of(kind),
                            answerable_names(kind)
                        )));
                    }
                }
                Ok(asked.clone())
            }
        }
    }

    /// Refuses what rows of `kind` cannot answer: an option or a filter.
    pub fn check(&self, kind: ReportKind) -> Result<()> {
        self.options_for(kind)?;
        self.filters.check(kind)
    }
}

/// What messages call the rows of `kind`: `queue rows`, or interaction
/// metadata.
fn rows_of(kind: ReportKind) -> String {
    match kind {
        ReportKind::Segments => "interaction metadata".to_owned(),
        k => format!("{k} rows"),
    }
}

/// The options rows of `kind` answer, for messages.
fn answerable_names(kind: ReportKind) -> String {
    let names: Vec<String> = API_OPTIONS
        .iter()
        .filter(|o| o.answerable(kind))
        .map(|o| format!("{}.{}", o.section.key(), o.request))
        .collect();
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_request_name_is_unique_within_its_section() {
        for s in [Section::Counters, Section::Timers] {
            let names: Vec<_> = ApiOption::names(s).collect();
            let mut dedup = names.clone();
            dedup.sort_unstable();
            dedup.dedup();
            assert_eq!(names.len(), dedup.len());
        }
    }
}
