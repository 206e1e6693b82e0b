//! The filters of a request body (SPEC 8.2). Interval reports answer
//! `direction`, `callResponse` and `queueSla`, as rewrites of a bucket's
//! [`OptionSums`] into the sums of the calls they keep
//! ([`CallFilters::apply`]); interaction metadata answers them and
//! `callResult`, `callType`, `callDuration`, `timeSpent` and
//! `calledNumbers` call by call
//! ([`CallFilters::keeps`] over a call's [`CallFacts`]).

use super::{rows_of, sub, OptionSums};
use crate::error::{Error, Result};
use crate::model::ReportKind;

/// One value of a filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FilterValue {
    /// `direction` Inbound: every queue row (queue calls are inbound);
    /// INBOUND calls.
    Inbound,
    /// `direction` Outbound: no queue row; OUTBOUND calls.
    Outbound,
    /// `callResponse` Answered: the answered calls.
    Answered,
    /// `callResponse` NotAnswered: the abandoned calls (interval rows),
    /// the calls without an agent segment (calls).
    NotAnswered,
    /// `queueSla` InSla: the calls answered within the service level.
    InSla,
    /// `queueSla` OutSla: the other answered calls.
    OutSla,
    /// `callResult` Completed: calls with an agent segment (calls only).
    Completed,
    /// `callResult` Abandoned: INBOUND calls without an agent segment
    /// (calls only).
    Abandoned,
    /// `callType` Transferred: calls with a transfer leg (calls only).
    Transferred,
    /// `callType` Outbound: OUTBOUND calls (calls only).
    OutboundType,
}

impl FilterValue {
    /// Whether interval rows (no per-call attributes) answer the value.
    fn on_interval_rows(self) -> bool {
        use FilterValue::*;
        matches!(
            self,
            Inbound | Outbound | Answered | NotAnswered | InSla | OutSla
        )
    }
}

/// A filter on a call's length: `callDuration` (the call's span) or
/// `timeSpent` (the time the grouped agents spent on it, Σ of their agent
/// segment spans), each bound inclusive, in whole seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LengthFilter {
    /// `minValueSeconds`.
    pub min_s: Option<i64>,
    /// `maxValueSeconds`.
    pub max_s: Option<i64>,
}

impl LengthFilter {
    /// Whether `ms` is within the bounds (`min_s × 1000 ≤ ms ≤ max_s ×
    /// 1000`).
    pub fn keeps(&self, ms: i64) -> bool {
        let ms = i128::from(ms);
        self.min_s.is_none_or(|m| ms >= i128::from(m) * 1000)
            && self.max_s.is_none_or(|m| ms <= i128::from(m) * 1000)
    }
}

/// What the filters see of one call of interaction metadata.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CallFacts<'a> {
    /// INBOUND.
    pub inbound: bool,
    /// OUTBOUND.
    pub outbound: bool,
    /// An agent took it (it has an agent segment).
    pub answered: bool,
    /// Answered within the service-level threshold (INBOUND only).
    pub in_sla: bool,
    /// It has a transfer leg.
    pub transferred: bool,
    /// Its span (end − start), ms.
    pub span_ms: i64,
    /// The time the agents of its key spent on it, ms.
    pub time_spent_ms: i64,
    /// Its called address (`interactionCalledAddress`), if the data has
    /// one.
    pub called_address: Option<&'a str>,
}

/// The digits of a phone number, what `calledNumbers` compares
/// (`+1 (650) 555-0100` and `16505550100` are the same number).
pub fn phone_digits(number: &str) -> String {
    number.chars().filter(char::is_ascii_digit).collect()
}

/// The filters of a request, each a set of values (a call matching any of
/// them is kept; the filters combine).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallFilters {
    /// Each filter given: its JSON path and its values, sorted, without
    /// repeats. Filters asking for nothing (null, `[]`) are not listed.
    pub filters: Vec<(String, Vec<FilterValue>)>,
    /// `callDuration`, with its JSON path.
    pub call_duration: Option<(String, LengthFilter)>,
    /// `timeSpent`, with its JSON path.
    pub time_spent: Option<(String, LengthFilter)>,
    /// `calledNumbers`, with its JSON path: the numbers'
    /// [digits](phone_digits), sorted, without repeats (a call's called
    /// address is compared to them digit by digit).
    pub called_numbers: Option<(String, Vec<String>)>,
}

impl CallFilters {
    /// Refuses a filter rows of `kind` cannot answer, naming its path.
    pub fn check(&self, kind: ReportKind) -> Result<()> {
        if kind == ReportKind::Segments {
            return Ok(());
        }
        let refuse = |path: &str| {
            Err(Error::usage(format!(
                "{path}: {} carry no per-call attribute to filter on; interval reports \
                 answer direction, callResponse and queueSla (interaction metadata answers \
                 more)",
                rows_of(kind)
            )))
        };
        for (path, values) in &self.filters {
            if values.iter().any(|v| !v.on_interval_rows()) {
                return refuse(path);
            }
            let sla = values
                .iter()
                .any(|v| matches!(v, FilterValue::InSla | FilterValue::OutSla));
            if sla && kind != ReportKind::Queue {
                return Err(Error::usage(format!(
                    "{path}: {} have no service level to filter on",
                    rows_of(kind)
                )));
            }
        }
        if let Some((path, _)) = &self.called_numbers {
            return refuse(path);
        }
        match self.call_duration.iter().chain(&self.time_spent).next() {
            Some((path, _)) => refuse(path),
            None => Ok(()),
        }
    }

    /// The sums of the calls the filters keep (interval rows; the filters
    /// checked by [`check`](Self::check)).
    pub fn apply(&self, sums: OptionSums) -> OptionSums {
        self.filters.iter().fold(sums, |s, (_, values)| {
            let mut kept = values.iter().map(|v| keep(s, *v));
            let first = kept.next().unwrap_or(s);
            kept.fold(first, OptionSums::plus)
        })
    }

    /// Whether no filter asks for anything.
    pub fn asks_nothing(&self) -> bool {
        self.filters.is_empty()
            && self.call_duration.is_none()
            && self.time_spent.is_none()
            && self.called_numbers.is_none()
    }

    /// Whether the filters keep a call of interaction metadata.
    pub fn keeps(&self, c: &CallFacts<'_>) -> bool {
        use FilterValue::*;
        let matches = |v: FilterValue| match v {
            Inbound => c.inbound,
            Outbound | OutboundType => c.outbound,
            Answered | Completed => c.answered,
            NotAnswered => !c.answered,
            Abandoned => c.inbound && !c.answered,
            InSla => c.inbound && c.answered && c.in_sla,
            OutSla => c.inbound && c.answered && !c.in_sla,
            Transferred => c.transferred,
        };
        self.filters
            .iter()
            .all(|(_, values)| values.iter().any(|v| matches(*v)))
            && self
                .call_duration
                .as_ref()
                .is_none_or(|(_, f)| f.keeps(c.span_ms))
            && self
                .time_spent
                .as_ref()
                .is_none_or(|(_, f)| f.keeps(c.time_spent_ms))
            && self.called_numbers.as_ref().is_none_or(|(_, numbers)| {
                // Digit by digit, without a copy per call.
                c.called_address.is_some_and(|a| {
                    numbers
                        .iter()
                        .any(|n| n.bytes().eq(a.bytes().filter(u8::is_ascii_digit)))
                })
            })
    }
}

/// The sums of the calls of `s` that match `v`.
fn keep(s: OptionSums, v: FilterValue) -> OptionSums {
    // A sum the report has becomes `to`; one it lacks stays `None`.
    let set = |field: Option<i128>, to: Option<i128>| field.and(to);
    let zero = Some(0);
    let mut k = s;
    match v {
        FilterValue::Inbound => {}
        FilterValue::Outbound => {
            for f in k.fields_mut() {
                *f = set(*f, zero);
            }
        }
        FilterValue::Answered => {
            k.offered = set(s.offered, s.answered);
            k.abandoned = set(s.abandoned, zero);
            k.abandon_wait_ms = set(s.abandon_wait_ms, zero);
        }
        FilterValue::NotAnswered => {
            k.offered = set(s.offered, s.abandoned);
            k.answered = set(s.answered, zero);
            k.answered_within_sl = set(s.answered_within_sl, zero);
            k.answer_wait_ms = set(s.answer_wait_ms, zero);
            k.talk_ms = set(s.talk_ms, zero);
            k.wrap_ms = set(s.wrap_ms, zero);
        }
        FilterValue::InSla | FilterValue::OutSla => {
            let n = if v == FilterValue::InSla {
                s.answered_within_sl
            } else {
                sub(s.answered, s.answered_within_sl)
            };
            k.offered = set(s.offered, n);
            k.answered = set(s.answered, n);
            let within = if v == FilterValue::InSla { n } else { zero };
            k.answered_within_sl = set(s.answered_within_sl, within);
            k.abandoned = set(s.abandoned, zero);
            k.abandon_wait_ms = set(s.abandon_wait_ms, zero);
            // The rows do not split waits and talk by service level.
            k.answer_wait_ms = None;
            k.talk_ms = None;
            k.wrap_ms = None;
        }
        // Values interval rows cannot answer (refused by `check`): nothing
        // the rows can tell.
        _ => {
            for f in k.fields_mut() {
                *f = None;
            }
        }
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queue_sums() -> OptionSums {
        OptionSums {
            offered: Some(30),
            answered: Some(24),
            abandoned: Some(5),
            answered_within_sl: Some(19),
            answer_wait_ms: Some(440_000),
            abandon_wait_ms: Some(115_000),
            talk_ms: Some(3_730_000),
            wrap_ms: Some(520_000),
            calls: None,
            kind: Some(ReportKind::Queue),
        }
    }

    #[test]
    fn filters_rewrite_the_sums_as_the_calls_they_keep() {
        let s = queue_sums();
        let f = |v: &[FilterValue]| CallFilters {
            filters: vec![("f".into(), v.to_vec())],
            ..CallFilters::default()
        };
        let answered = f(&[FilterValue::Answered]).apply(s);
        assert_eq!(answered.offered, Some(24));
        assert_eq!(answered.abandoned, Some(0));
        assert_eq!(answered.talk_ms, Some(3_730_000));
        let not = f(&[FilterValue::NotAnswered]).apply(s);
        assert_eq!(
            (not.offered, not.answered, not.talk_ms),
            (Some(5), Some(0), Some(0))
        );
        // Both values: the union of two disjoint sets.
        let both = f(&[FilterValue::Answered, FilterValue::NotAnswered]).apply(s);
        assert_eq!(both.offered, Some(29));
        let out = f(&[FilterValue::OutSla]).apply(s);
        assert_eq!(
            (out.offered, out.answered, out.answered_within_sl),
            (Some(5), Some(5), Some(0))
        );
        assert_eq!(out.talk_ms, None);
        let outbound = f(&[FilterValue::Outbound]).apply(s);
        assert_eq!(outbound.fields(), [Some(0); 8]);
        // An agent report keeps its Nones.
        let agent = OptionSums::zero(ReportKind::AgentExt);
        assert_eq!(f(&[FilterValue::Outbound]).apply(agent).offered, None);
    }
}
