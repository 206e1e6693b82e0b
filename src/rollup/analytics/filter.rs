//! The filters of a request body that interval reports answer (SPEC 8.2):
//! `direction`, `callResponse` and `queueSla`, as rewrites of a bucket's
//! [`OptionSums`] into the sums of the calls they keep.

use super::{sub, OptionSums};
use crate::error::{Error, Result};
use crate::model::ReportKind;

/// One value of a filter over interval rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FilterValue {
    /// `direction` Inbound: every queue row (queue calls are inbound).
    Inbound,
    /// `direction` Outbound: no row.
    Outbound,
    /// `callResponse` Answered: the answered calls.
    Answered,
    /// `callResponse` NotAnswered: the abandoned calls.
    NotAnswered,
    /// `queueSla` InSla: the calls answered within the service level.
    InSla,
    /// `queueSla` OutSla: the other answered calls.
    OutSla,
}

/// The filters of a request that interval reports answer, each a set of
/// values (a call matching any of them is kept; the dimensions combine).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallFilters {
    /// Each filter given: its JSON path and its values, sorted, without
    /// repeats. Filters asking for nothing (null, `[]`) are not listed.
    pub filters: Vec<(String, Vec<FilterValue>)>,
}

impl CallFilters {
    /// Refuses a filter rows of `kind` cannot answer, naming its path.
    pub fn check(&self, kind: ReportKind) -> Result<()> {
        for (path, values) in &self.filters {
            let sla = values
                .iter()
                .any(|v| matches!(v, FilterValue::InSla | FilterValue::OutSla));
            if sla && kind != ReportKind::Queue {
                return Err(Error::usage(format!(
                    "{path}: {kind} rows have no service level to filter on"
                )));
            }
        }
        Ok(())
    }

    /// The sums of the calls the filters keep.
    pub fn apply(&self, sums: OptionSums) -> OptionSums {
        self.filters.iter().fold(sums, |s, (_, values)| {
            let mut kept = values.iter().map(|v| keep(s, *v));
            let first = kept.next().unwrap_or(s);
            kept.fold(first, OptionSums::plus)
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
            k.abandon_wait_s = set(s.abandon_wait_s, zero);
        }
        FilterValue::NotAnswered => {
            k.offered = set(s.offered, s.abandoned);
            k.answered = set(s.answered, zero);
            k.answered_within_sl = set(s.answered_within_sl, zero);
            k.answer_wait_s = set(s.answer_wait_s, zero);
            k.talk_s = set(s.talk_s, zero);
            k.wrap_s = set(s.wrap_s, zero);
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
            k.abandon_wait_s = set(s.abandon_wait_s, zero);
            // The rows do not split waits and talk by service level.
            k.answer_wait_s = None;
            k.talk_s = None;
            k.wrap_s = None;
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
            answer_wait_s: Some(440),
            abandon_wait_s: Some(115),
            talk_s: Some(3730),
            wrap_s: Some(520),
            kind: Some(ReportKind::Queue),
        }
    }

    #[test]
    fn filters_rewrite_the_sums_as_the_calls_they_keep() {
        let s = queue_sums();
        let f = |v: &[FilterValue]| CallFilters {
            filters: vec![("f".into(), v.to_vec())],
        };
        let answered = f(&[FilterValue::Answered]).apply(s);
        assert_eq!(answered.offered, Some(24));
        assert_eq!(answered.abandoned, Some(0));
        assert_eq!(answered.talk_s, Some(3730));
        let not = f(&[FilterValue::NotAnswered]).apply(s);
        assert_eq!(
            (not.offered, not.answered, not.talk_s),
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
        assert_eq!(out.talk_s, None);
        let outbound = f(&[FilterValue::Outbound]).apply(s);
        assert_eq!(outbound.fields(), [Some(0); 8]);
        // An agent report keeps its Nones.
        let agent = OptionSums::zero(ReportKind::AgentExt);
        assert_eq!(f(&[FilterValue::Outbound]).apply(agent).offered, None);
    }
}
