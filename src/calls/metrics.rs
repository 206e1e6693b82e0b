//! The call catalogue (SPEC 5.1): the sums of one key and bucket
//! ([`CallSums`]), the metrics computed from them ([`CallMetrics`]), and
//! each column defined once by its name, unit, formula in words and the
//! code that computes it ([`CALL_COLUMNS`]). The column table, the cells
//! writers print, `rcx calls --columns` and the calls section of
//! `docs/metrics.md` come from these entries. Service level and abandon
//! rate are the interval reports' formulas ([`QueueCounts::fractions`]),
//! ratios the interval reports' ratios ([`percent`]).

use std::sync::Arc;

use rust_decimal::Decimal;

use super::call::Call;
use crate::error::Result;
use crate::model::Direction;
use crate::rollup::{
    percent, pick_columns, Column, MetricOptions, QueueCounts, QueueFractions, Stored, Unit,
};

/// The thresholds a call is judged by, in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Thresholds {
    /// Answered within SL: wait ≤ this.
    pub sl_ms: i64,
    /// Short abandon: wait < this.
    pub short_ms: i64,
}

/// Sums of one key and bucket. Every field adds, so sums merge in any
/// order (the longest wait: the larger).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CallSums {
    /// Every call.
    pub calls: u64,
    /// INBOUND calls.
    pub offered: u64,
    /// INBOUND calls of exports that list unanswered calls (cx v1): the
    /// offered calls of the abandon rate. v2 exports list agent legs only,
    /// so their calls are left out of it rather than counted as never
    /// abandoned.
    pub abandon_offered: u64,
    /// INBOUND calls with an agent segment.
    pub answered: u64,
    /// INBOUND calls without an agent segment.
    pub abandoned: u64,
    /// Abandoned with wait < the short-abandon threshold.
    pub short_abandoned: u64,
    /// Answered with wait ≤ the service-level threshold.
    pub answered_within_sl: u64,
    /// Abandoned, not short, with wait ≤ the service-level threshold.
    pub abandoned_within_sl: u64,
    /// Σ wait of the answered calls, ms.
    pub wait_answered_ms: i64,
    /// The longest wait of an answered call, ms.
    pub longest_wait_answered_ms: i64,
    /// Calls with an agent segment, any direction.
    pub handled: u64,
    /// Σ agent segment spans of the handled calls, ms.
    pub handle_ms: i64,
    /// Transfers of the handled calls.
    pub transfers: u64,
    /// Conference legs of the handled calls.
    pub conferences: u64,
    /// Handled calls with at least one transfer.
    pub transferred_calls: u64,
    /// Σ recorded time of the handled calls, ms.
    pub recorded_ms: i64,
    /// OUTBOUND calls.
    pub outbound: u64,
    /// Σ span (end − start) of every call, ms; the spans below are of the
    /// calls named, for the Analytics API's timers.
    pub span_ms: i64,
    /// Σ span of the INBOUND calls, ms.
    pub inbound_span_ms: i64,
    /// Σ span of the OUTBOUND calls, ms.
    pub outbound_span_ms: i64,
    /// Σ span of the handled calls, ms.
    pub handled_span_ms: i64,
    /// Σ span of the answered INBOUND calls, ms.
    pub answered_span_ms: i64,
    /// Σ span of the INBOUND calls answered within SL, ms.
    pub in_sla_span_ms: i64,
    /// Σ span of the abandoned calls, ms.
    pub abandoned_span_ms: i64,
    /// Σ span of the handled calls with a transfer, ms.
    pub transferred_span_ms: i64,
}

impl CallSums {
    /// Adds one call judged by `t`.
    pub(crate) fn add(&mut self, c: &Call<'_>, t: Thresholds) {
        let span = c.span_ms();
        self.calls += 1;
        self.span_ms += span;
        if c.direction == Some(Direction::Outbound) {
            self.outbound += 1;
            self.outbound_span_ms += span;
        }
        if c.direction == Some(Direction::Inbound) {
            self.offered += 1;
            self.inbound_span_ms += span;
            self.abandon_offered += u64::from(c.shows_abandons);
            if c.answered() {
                self.answered += 1;
                self.answered_span_ms += span;
                if c.wait_ms <= t.sl_ms {
                    self.answered_within_sl += 1;
                    self.in_sla_span_ms += span;
                }
                self.wait_answered_ms += c.wait_ms;
                self.longest_wait_answered_ms = self.longest_wait_answered_ms.max(c.wait_ms);
            } else {
                self.abandoned += 1;
                self.abandoned_span_ms += span;
                if c.wait_ms < t.short_ms {
                    self.short_abandoned += 1;
                } else if c.wait_ms <= t.sl_ms {
                    self.abandoned_within_sl += 1;
                }
            }
        }
        if c.answered() {
            self.handled += 1;
            self.handled_span_ms += span;
            self.handle_ms += c.handle_ms;
            self.transfers += c.transfers;
            self.conferences += c.conferences;
            if c.transfers > 0 {
                self.transferred_calls += 1;
                self.transferred_span_ms += span;
            }
            self.recorded_ms += c.recorded_ms;
        }
    }

    /// Adds `o`.
    pub fn merge(&mut self, o: &CallSums) {
        self.calls += o.calls;
        self.offered += o.offered;
        self.abandon_offered += o.abandon_offered;
        self.answered += o.answered;
        self.abandoned += o.abandoned;
        self.short_abandoned += o.short_abandoned;
        self.answered_within_sl += o.answered_within_sl;
        self.abandoned_within_sl += o.abandoned_within_sl;
        self.wait_answered_ms += o.wait_answered_ms;
        self.longest_wait_answered_ms = self
            .longest_wait_answered_ms
            .max(o.longest_wait_answered_ms);
        self.handled += o.handled;
        self.handle_ms += o.handle_ms;
        self.transfers += o.transfers;
        self.conferences += o.conferences;
        self.transferred_calls += o.transferred_calls;
        self.recorded_ms += o.recorded_ms;
        self.outbound += o.outbound;
        self.span_ms += o.span_ms;
        self.inbound_span_ms += o.inbound_span_ms;
        self.outbound_span_ms += o.outbound_span_ms;
        self.handled_span_ms += o.handled_span_ms;
        self.answered_span_ms += o.answered_span_ms;
        self.in_sla_span_ms += o.in_sla_span_ms;
        self.abandoned_span_ms += o.abandoned_span_ms;
        self.transferred_span_ms += o.transferred_span_ms;
    }
}

/// `total / n` in milliseconds, rounded half away from zero; `None` when
/// `n` is 0.
fn mean_ms(total: i64, n: u64) -> Option<i64> {
    if n == 0 {
        return None;
    }
    let (t, n) = (i128::from(total), i128::from(n));
    let q = (2 * t.abs() + n) / (2 * n);
    i64::try_from(if t < 0 { -q } else { q }).ok()
}

/// One metric value of a call bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallCell {
    /// A count.
    Count(u64),
    /// Milliseconds, printed as seconds with three decimals; `None` for an
    /// average whose denominator is 0.
    Millis(Option<i64>),
    /// A percentage rounded to two places; `None` when its denominator is 0.
    Percent(Option<Decimal>),
}

/// The metrics of one call bucket: its sums and the service-level and
/// abandon-rate fractions under the run's options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallMetrics {
    /// The sums.
    pub sums: CallSums,
    /// Service level and abandon rate, numerators and denominators.
    pub fractions: QueueFractions,
}

impl CallMetrics {
    /// The metrics of `sums` under `options`: the service-level fraction
    /// of the formula chosen over the INBOUND calls, the abandon rate
    /// over the INBOUND calls of exports that list unanswered calls
    /// ([`CallSums::abandon_offered`]), both by [`QueueCounts::fractions`].
    ///
    /// ```
    /// use ringcx_reports::calls::{CallMetrics, CallSums};
    /// use ringcx_reports::rollup::MetricOptions;
    /// // Four inbound calls of a v2 export, three answered within SL: the
    /// // export lists agent legs only, so the abandon rate is unknown.
    /// let s = CallSums { calls: 4, offered: 4, answered: 4, answered_within_sl: 3,
    ///     handled: 4, handle_ms: 1_000_001, wait_answered_ms: 10_000, ..Default::default() };
    /// let m = CallMetrics::new(s, MetricOptions::default());
    /// assert_eq!(m.service_level_pct().unwrap().to_string(), "75.00");
    /// assert_eq!(m.abandon_rate_pct(), None);
    /// assert_eq!(m.aht_ms(), Some(250_000)); // 250 000.25 ms
    /// assert_eq!(m.asa_ms(), Some(2_500));
    /// ```
    pub fn new(sums: CallSums, options: MetricOptions) -> Self {
        let counts = |offered| QueueCounts {
            answered: sums.answered,
            answered_within_sl: sums.answered_within_sl,
            abandoned: sums.abandoned,
            short_abandoned: sums.short_abandoned,
            abandoned_within_sl: sums.abandoned_within_sl,
            offered,
        };
        let (a, b) = (options.sl_formula, options.short_abandons);
        let sl = counts(sums.offered).fractions(a, b);
        let ab = counts(sums.abandon_offered).fractions(a, b);
        CallMetrics {
            sums,
            fractions: QueueFractions {
                abandon_numerator: ab.abandon_numerator,
                abandon_denominator: ab.abandon_denominator,
                ..sl
            },
        }
    }
    /// `service_level_pct`; `None` when its denominator is 0.
    pub fn service_level_pct(&self) -> Option<Decimal> {
        percent(self.fractions.sl_numerator, self.fractions.sl_denominator)
    }
    /// `abandon_rate_pct`; `None` when its denominator is 0.
    pub fn abandon_rate_pct(&self) -> Option<Decimal> {
        percent(
            self.fractions.abandon_numerator,
            self.fractions.abandon_denominator,
        )
    }
    /// `asa_s` in ms: wait of answered calls / answered.
    pub fn asa_ms(&self) -> Option<i64> {
        mean_ms(self.sums.wait_answered_ms, self.sums.answered)
    }
    /// `aht_s` in ms: handle / handled.
    pub fn aht_ms(&self) -> Option<i64> {
        mean_ms(self.sums.handle_ms, self.sums.handled)
    }
}

/// How a call column's values are typed: counts whole, seconds to the
/// millisecond ([`CallCell::Millis`]), percentages to two places.
const fn stored(unit: Unit) -> Stored {
    match unit {
        Unit::Count => Stored::Whole,
        Unit::Seconds => Stored::Thousandths,
        Unit::Percent => Stored::Hundredths,
    }
}

/// Defines the call columns: the table, and the cell of column `i`. One
/// entry per column: `name: Unit, "formula" => |m| cell`.
macro_rules! call_catalogue {
    ( $( $name:ident : $unit:ident, $formula:literal => |$m:ident| $cell:expr; )* ) => {
        /// The metric columns of `rcx calls`, in output order (SPEC 5.1).
        pub const CALL_COLUMNS: &[Column] = &[
            $( Column {
                name: stringify!($name),
                unit: Unit::$unit,
                formula: $formula,
                stored: stored(Unit::$unit),
                def: None,
            }, )*
        ];

        impl CallMetrics {
            /// The value of column `i` of [`CALL_COLUMNS`] (`None` past the
            /// last column).
            pub fn cell(&self, i: usize) -> Option<CallCell> {
                #[allow(unused_imports)]
                use CallCell::*;
                const CELLS: &[fn(&CallMetrics) -> CallCell] = &[ $( |$m| $cell, )* ];
                CELLS.get(i).map(|f| f(self))
            }
        }
    };
}

call_catalogue! {
    calls: Count, "every call (interaction) starting in the bucket" => |m| Count(m.sums.calls);
    offered: Count, "INBOUND calls" => |m| Count(m.sums.offered);
    answered: Count, "INBOUND calls with an agent segment" => |m| Count(m.sums.answered);
    abandoned: Count, "INBOUND calls without an agent segment" => |m| Count(m.sums.abandoned);
    short_abandoned: Count, "abandoned with wait < the short-abandon threshold (5 s by default)" => |m| Count(m.sums.short_abandoned);
    answered_within_sl: Count, "answered with wait <= the service-level threshold (20 s by default)" => |m| Count(m.sums.answered_within_sl);
    abandoned_within_sl: Count, "abandoned, not short, with wait <= the service-level threshold" => |m| Count(m.sums.abandoned_within_sl);
    wait_answered_s: Seconds, "Σ wait of answered calls (first agent segment start − call start; a negative wait counts as 0)" => |m| Millis(Some(m.sums.wait_answered_ms));
    longest_wait_answered_s: Seconds, "max wait of an answered call" => |m| Millis(Some(m.sums.longest_wait_answered_ms));
    handled: Count, "calls with an agent segment, any direction" => |m| Count(m.sums.handled);
    handle_s: Seconds, "Σ agent segment spans of handled calls (talk only: the export has no wrap-up time)" => |m| Millis(Some(m.sums.handle_ms));
    transfers: Count, "agent segments starting after every earlier agent segment of their call ended" => |m| Count(m.sums.transfers);
    conferences: Count, "agent segments starting while an earlier agent segment of their call is open" => |m| Count(m.sums.conferences);
    recorded_s: Seconds, "Σ recorded time (REC_START to REC_STOP) of the agent segments of handled calls" => |m| Millis(Some(m.sums.recorded_ms));
    service_level_pct: Percent, "100 × the service-level formula's numerator / denominator: answered_within_sl / (answered + abandoned − short_abandoned) by default" => |m| Percent(m.service_level_pct());
    abandon_rate_pct: Percent, "100 × (abandoned − short_abandoned) / (offered − short_abandoned), abandoned / offered with short abandons included; offered of cx v1 data only (v2 lists agent legs only: empty, never 0)" => |m| Percent(m.abandon_rate_pct());
    asa_s: Seconds, "wait_answered_s / answered" => |m| Millis(m.asa_ms());
    aht_s: Seconds, "handle_s / handled" => |m| Millis(m.aht_ms());
    transfer_rate_pct: Percent, "100 × handled calls with a transfer / handled" => |m| Percent(percent(m.sums.transferred_calls as i128, m.sums.handled as i128));
    recorded_pct: Percent, "100 × recorded_s / handle_s" => |m| Percent(percent(m.sums.recorded_ms as i128, m.sums.handle_ms as i128));
}

/// The columns of [`CALL_COLUMNS`] computed from recordings (the only ones
/// that read [`CallSums::recorded_ms`]).
const RECORDING_COLUMNS: [&str; 2] = ["recorded_s", "recorded_pct"];

/// The metric columns a calls table prints: all of [`CALL_COLUMNS`] (the
/// default, SPEC 5.1 order) or a selection in the order given (`rcx calls
/// --columns`). Key columns and `bucket_start`/`bucket_end` are always
/// printed, first.
///
/// ```
/// use ringcx_reports::calls::CallColumns;
/// let c = CallColumns::select(["aht_s", "calls"])?;
/// assert_eq!(c.names().collect::<Vec<_>>(), ["aht_s", "calls"]);
/// assert!(CallColumns::select(["occupancy_pct"]).is_err());
/// # Ok::<(), ringcx_reports::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallColumns {
    /// Indices into [`CALL_COLUMNS`], in output order; `None` for all.
    picked: Option<Arc<[u8]>>,
}

impl CallColumns {
    /// Every column, in SPEC 5.1 order.
    pub fn all() -> Self {
        Self::default()
    }

    /// The columns named `names`, in that order (ASCII case ignored); no
    /// names means all. An unknown name, a key column or a name given
    /// twice is a usage error listing the valid names.
    pub fn select<I, S>(names: I) -> Result<Self>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let keys = ["agent_id", "agent_group", "direction", "channel"];
        let is_key = |name: &str| keys.iter().any(|k| k.eq_ignore_ascii_case(name));
        let unknown = |name: &str| format!("unknown metric column {name:?} for calls");
        Ok(CallColumns {
            picked: pick_columns(CALL_COLUMNS, names, is_key, unknown)?,
        })
    }

    /// The columns printed, each with its index in [`CALL_COLUMNS`] (what
    /// [`CallMetrics::cell`] takes), in output order.
    pub fn indexed(&self) -> impl ExactSizeIterator<Item = (usize, Column)> + '_ {
        let n = self.picked.as_ref().map_or(CALL_COLUMNS.len(), |p| p.len());
        (0..n).map(move |k| {
            let i = match &self.picked {
                Some(p) => p[k] as usize,
                None => k,
            };
            (i, CALL_COLUMNS[i])
        })
    }

    /// The names of the columns printed, in output order.
    pub fn names(&self) -> impl ExactSizeIterator<Item = &'static str> + '_ {
        self.indexed().map(|(_, c)| c.name)
    }

    /// Whether a column printed is computed from recordings (the
    /// segments' events), which a load may then skip.
    pub(crate) fn read_recordings(&self) -> bool {
        self.names().any(|n| RECORDING_COLUMNS.contains(&n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rollup::MetricOptions;

    /// The recording columns are exactly those whose value moves with the
    /// recorded time: a load that skips recordings changes no other one.
    #[test]
    fn recording_columns_are_those_that_read_recorded_time() {
        let sums = CallSums {
            calls: 5,
            offered: 4,
            answered: 3,
            abandoned: 1,
            answered_within_sl: 2,
            handled: 3,
            handle_ms: 600_000,
            wait_answered_ms: 30_000,
            recorded_ms: 120_000,
            ..CallSums::default()
        };
        let other = CallSums {
            recorded_ms: 450_000,
            ..sums
        };
        let (a, b) = (
            CallMetrics::new(sums, MetricOptions::default()),
            CallMetrics::new(other, MetricOptions::default()),
        );
        let moved: Vec<&str> = CALL_COLUMNS
            .iter()
            .enumerate()
            .filter(|(i, _)| a.cell(*i) != b.cell(*i))
            .map(|(_, c)| c.name)
            .collect();
        assert_eq!(moved, RECORDING_COLUMNS);
        let picked = |names: &[&str]| CallColumns::select(names).unwrap().read_recordings();
        assert!(picked(&[]));
        assert!(picked(&["calls", "recorded_pct"]));
        assert!(!picked(&["calls", "aht_s"]));
    }
}
