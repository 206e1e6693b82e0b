//! The sums an Analytics API option's values are built from: a bucket's
//! counts and durations ([`OptionSums`]), from an interval report's
//! metrics or from calls split by their attributes ([`CallSplit`]).

use crate::model::ReportKind;
use crate::rollup::metrics::Metrics;

/// The sums an option's values are built from, after the filters; `None`
/// where the report has no such sum. Durations are in milliseconds
/// (interval reports count whole seconds: × 1000).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OptionSums {
    /// Calls offered (Queue Statistics; calls: INBOUND calls).
    pub offered: Option<i128>,
    /// Calls answered (calls: INBOUND calls with an agent segment).
    pub answered: Option<i128>,
    /// Calls abandoned (Queue Statistics; calls: INBOUND calls without an
    /// agent segment).
    pub abandoned: Option<i128>,
    /// Calls answered within the service level (Queue Statistics, calls).
    pub answered_within_sl: Option<i128>,
    /// Milliseconds answered calls waited (Queue Statistics).
    pub answer_wait_ms: Option<i128>,
    /// Milliseconds abandoned calls waited (Queue Statistics).
    pub abandon_wait_ms: Option<i128>,
    /// Milliseconds of talk (calls: Σ agent segment spans).
    pub talk_ms: Option<i128>,
    /// Milliseconds of wrap-up.
    pub wrap_ms: Option<i128>,
    /// The calls of interaction metadata split by their attributes, each
    /// part with its count and Σ call span; `None` for interval reports.
    pub calls: Option<CallSplit>,
    /// Which report the sums come from.
    pub kind: Option<ReportKind>,
}

/// A number of calls and their Σ span (end − start), milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Share {
    /// Calls.
    pub calls: i128,
    /// Σ of their spans, ms.
    pub ms: i128,
}

impl Share {
    /// One call of `span_ms`.
    pub fn one(span_ms: i64) -> Share {
        Share {
            calls: 1,
            ms: i128::from(span_ms),
        }
    }
    fn plus(self, o: Share) -> Share {
        Share {
            calls: self.calls + o.calls,
            ms: self.ms + o.ms,
        }
    }
}

/// The calls of interaction metadata (SPEC 5.1) in the parts the API's
/// breakdowns name. Answered means an agent took the call (it has an agent
/// segment), in any direction; abandoned is an unanswered INBOUND call.
/// `not_answered` and `abandoned` are `None` for data that lists no
/// unanswered call (v2 exports list agent legs only).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CallSplit {
    /// Every call.
    pub all: Share,
    /// INBOUND calls.
    pub inbound: Share,
    /// OUTBOUND calls.
    pub outbound: Share,
    /// Calls with an agent segment.
    pub answered: Share,
    /// Calls without one.
    pub not_answered: Option<Share>,
    /// INBOUND calls without one.
    pub abandoned: Option<Share>,
    /// INBOUND calls answered within the service-level threshold.
    pub in_sla: Share,
    /// The other answered INBOUND calls.
    pub out_of_sla: Share,
    /// Calls with a transfer leg.
    pub transferred: Share,
}

impl CallSplit {
    fn plus(self, o: CallSplit) -> CallSplit {
        let opt = |a: Option<Share>, b: Option<Share>| Some(a?.plus(b?));
        CallSplit {
            all: self.all.plus(o.all),
            inbound: self.inbound.plus(o.inbound),
            outbound: self.outbound.plus(o.outbound),
            answered: self.answered.plus(o.answered),
            not_answered: opt(self.not_answered, o.not_answered),
            abandoned: opt(self.abandoned, o.abandoned),
            in_sla: self.in_sla.plus(o.in_sla),
            out_of_sla: self.out_of_sla.plus(o.out_of_sla),
            transferred: self.transferred.plus(o.transferred),
        }
    }
}

impl OptionSums {
    /// The sums of a bucket's metrics; all `None` for Agent Statistics,
    /// which counts no calls the API's options describe.
    pub fn of(m: &Metrics) -> OptionSums {
        let n = |v: u64| Some(i128::from(v));
        let ms = |v: u64| Some(i128::from(v) * 1000);
        match m {
            Metrics::Queue(q) => OptionSums {
                offered: n(q.offered),
                answered: n(q.sums.answered),
                abandoned: n(q.sums.abandoned),
                answered_within_sl: n(q.sums.answered_within_sl),
                answer_wait_ms: ms(q.sums.answer_wait_s),
                abandon_wait_ms: ms(q.sums.abandon_wait_s),
                talk_ms: ms(q.sums.talk_s),
                wrap_ms: ms(q.sums.wrap_s),
                calls: None,
                kind: Some(ReportKind::Queue),
            },
            Metrics::AgentExt(a) => OptionSums {
                answered: n(a.sums.answered),
                talk_ms: ms(a.sums.talk_s),
                wrap_ms: ms(a.sums.wrap_s),
                kind: Some(ReportKind::AgentExt),
                ..OptionSums::default()
            },
            Metrics::Agent(_) => OptionSums {
                kind: Some(ReportKind::Agent),
                ..OptionSums::default()
            },
        }
    }

    /// All-zero sums of `kind`, with the `None`s of that report (all of
    /// them for a report without calls). Interaction metadata
    /// (`Segments`): the sums of calls ([`CallSplit`]), unanswered calls
    /// listed.
    pub fn zero(kind: ReportKind) -> OptionSums {
        let z = Some(0);
        let mut s = match kind {
            ReportKind::Queue => OptionSums {
                offered: z,
                abandoned: z,
                answered_within_sl: z,
                answer_wait_ms: z,
                abandon_wait_ms: z,
                wrap_ms: z,
                ..OptionSums::default()
            },
            ReportKind::AgentExt => OptionSums {
                wrap_ms: z,
                ..OptionSums::default()
            },
            ReportKind::Segments => OptionSums {
                offered: z,
                abandoned: z,
                answered_within_sl: z,
                calls: Some(CallSplit {
                    not_answered: Some(Share::default()),
                    abandoned: Some(Share::default()),
                    ..CallSplit::default()
                }),
                ..OptionSums::default()
            },
            _ => {
                return OptionSums {
                    kind: Some(kind),
                    ..OptionSums::default()
                }
            }
        };
        s.answered = z;
        s.talk_ms = z;
        s.kind = Some(kind);
        s
    }

    pub(super) fn is_queue(&self) -> bool {
        self.kind == Some(ReportKind::Queue)
    }
}

/// `a + b`, `None` when either is.
pub(super) fn add(a: Option<i128>, b: Option<i128>) -> Option<i128> {
    Some(a? + b?)
}

/// `a − b`, `None` when either is. Inconsistent data (more answered within
/// SL than answered) shows as a negative value, not hidden.
pub(super) fn sub(a: Option<i128>, b: Option<i128>) -> Option<i128> {
    Some(a? - b?)
}

impl OptionSums {
    /// The sums of two disjoint sets of calls (two buckets, say).
    pub fn plus(self, other: OptionSums) -> OptionSums {
        let mut s = self;
        for (x, y) in s.fields_mut().into_iter().zip(other.fields()) {
            *x = add(*x, y);
        }
        s.calls = match (self.calls, other.calls) {
            (Some(a), Some(b)) => Some(a.plus(b)),
            _ => None,
        };
        s
    }

    pub(super) fn fields(&self) -> [Option<i128>; 8] {
        [
            self.offered,
            self.answered,
            self.abandoned,
            self.answered_within_sl,
            self.answer_wait_ms,
            self.abandon_wait_ms,
            self.talk_ms,
            self.wrap_ms,
        ]
    }
    pub(super) fn fields_mut(&mut self) -> [&mut Option<i128>; 8] {
        [
            &mut self.offered,
            &mut self.answered,
            &mut self.abandoned,
            &mut self.answered_within_sl,
            &mut self.answer_wait_ms,
            &mut self.abandon_wait_ms,
            &mut self.talk_ms,
            &mut self.wrap_ms,
        ]
    }
}
