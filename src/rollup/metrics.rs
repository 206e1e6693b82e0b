//! The metric catalogue (SPEC 4.3, 4.4): each report's columns, each
//! defined once by its name, unit, formula in words and the code that
//! computes it from a bucket's sums. The column tables
//! ([`QUEUE_COLUMNS`], …), the cells writers print, the typed accessors
//! (`service_level_pct()`, …), `--columns`, the CLI help and
//! `docs/metrics.md` all come from these entries.
//!
//! A ratio is never an average of ratios: it is computed once per bucket
//! from that bucket's sums ([`ratio`](super::ratio), [`percent`](super::percent)),
//! and is `None` when its denominator is 0. Ratios are not clamped:
//! inconsistent vendor data (more short abandons than abandons, say) shows
//! as a value outside 0–100 rather than being hidden.

use std::fmt;
use std::ops::{Add, Sub};
use std::str::FromStr;
use std::sync::Arc;

use rust_decimal::Decimal;

use super::accum::{Accumulator, AgentExtSums, AgentSums, QueueSums};
use super::column::{pick_columns, Cell, Column, Def, Derived, RawCell, Stored, Unit};
use super::Grouping;
use crate::error::Result;
use crate::model::ReportKind;

/// The service-level formula (`--sl-formula`), with A = answered,
/// W = answered within SL, B = abandoned, S = short abandons,
/// X = abandoned within SL, O = offered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[non_exhaustive]
pub enum SlFormula {
    /// W / (A + B − S): abandons count against the service level.
    #[default]
    #[cfg_attr(
        feature = "cli",
        value(help = "answered within SL / (answered + abandoned − short abandons)")
    )]
    AbandonsAgainst,
    /// W / (A + B − S − X): abandons within SL are left out.
    #[cfg_attr(
        feature = "cli",
        value(
            help = "answered within SL / (answered + abandoned − short abandons − \
                      abandoned within SL)"
        )
    )]
    AbandonsIgnored,
    /// (W + X) / (A + B − S): abandons within SL count as met.
    #[cfg_attr(
        feature = "cli",
        value(
            help = "(answered within SL + abandoned within SL) / (answered + abandoned − \
                      short abandons)"
        )
    )]
    AbandonsPositive,
    /// W / A.
    #[cfg_attr(feature = "cli", value(help = "answered within SL / answered"))]
    Answered,
    /// W / O.
    #[cfg_attr(feature = "cli", value(help = "answered within SL / offered"))]
    Offered,
}

impl SlFormula {
    /// Every formula, in the order `--help` lists them.
    pub const ALL: [SlFormula; 5] = [
        SlFormula::AbandonsAgainst,
        SlFormula::AbandonsIgnored,
        SlFormula::AbandonsPositive,
        SlFormula::Answered,
        SlFormula::Offered,
    ];
    /// The command-line name.
    pub const fn as_str(self) -> &'static str {
        match self {
            SlFormula::AbandonsAgainst => "abandons-against",
            SlFormula::AbandonsIgnored => "abandons-ignored",
            SlFormula::AbandonsPositive => "abandons-positive",
            SlFormula::Answered => "answered",
            SlFormula::Offered => "offered",
        }
    }
}

impl fmt::Display for SlFormula {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SlFormula {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        SlFormula::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!(
                    "unknown service-level formula {s:?}; expected one of {}",
                    SlFormula::ALL.map(|f| f.as_str()).join(", ")
                )
            })
    }
}

/// Whether short abandons count (`--short-abandons`).
// Exhaustive: short abandons are either in the denominators or not.
// Declared in the order `--help` lists the values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum ShortAbandons {
    /// Short abandons stay in the denominators.
    Include,
    /// Short abandons are taken out of the denominators (the default).
    #[default]
    Exclude,
}

/// What "offered" means (`--offered`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[non_exhaustive]
pub enum Offered {
    /// direct + overflow_in (the default).
    #[default]
    #[cfg_attr(feature = "cli", value(name = "direct+overflow"))]
    DirectAndOverflow,
    /// direct alone.
    Direct,
}

impl Offered {
    /// The Queue Statistics sums whose total is offered.
    pub(crate) const fn terms(self) -> &'static [&'static str] {
        match self {
            Offered::DirectAndOverflow => &["direct", "overflow_in"],
            Offered::Direct => &["direct"],
        }
    }
}

/// The options that change how queue metrics are computed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct MetricOptions {
    /// Service-level formula.
    pub sl_formula: SlFormula,
    /// Short abandons.
    pub short_abandons: ShortAbandons,
    /// Offered.
    pub offered: Offered,
}

/// The counts service level and abandon rate are computed from (SPEC 4.3):
/// A = answered, W = answered within SL, B = abandoned, S = short
/// abandons, X = abandoned within SL, O = offered. Interval reports
/// ([`QueueMetrics`]) and calls from interaction metadata
/// ([`crate::calls`]) both take their fractions from here, so a formula
/// has one implementation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueCounts {
    /// A.
    pub answered: u64,
    /// W.
    pub answered_within_sl: u64,
    /// B.
    pub abandoned: u64,
    /// S.
    pub short_abandoned: u64,
    /// X.
    pub abandoned_within_sl: u64,
    /// O.
    pub offered: u64,
}

/// The numerators and denominators of service level and abandon rate
/// (signed: inconsistent data can make a denominator negative).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueFractions {
    /// Service-level numerator.
    pub sl_numerator: i128,
    /// Service-level denominator.
    pub sl_denominator: i128,
    /// Abandon-rate numerator.
    pub abandon_numerator: i128,
    /// Abandon-rate denominator.
    pub abandon_denominator: i128,
}

impl QueueCounts {
    /// The fractions under `sl_formula` and `short_abandons` (SPEC 4.3):
    /// service level by the formula's table, short abandons subtracted
    /// from the denominators unless included (then added back, and to the
    /// numerator of `abandons-positive`); abandon rate (B − S) / (O − S),
    /// or B / O with short abandons included.
    ///
    /// ```
    /// use ringcx_reports::rollup::{QueueCounts, ShortAbandons, SlFormula};
    /// let c = QueueCounts { answered: 1000, answered_within_sl: 860, abandoned: 60,
    ///     short_abandoned: 10, abandoned_within_sl: 10, offered: 1060 };
    /// let f = c.fractions(SlFormula::AbandonsAgainst, ShortAbandons::Exclude);
    /// assert_eq!((f.sl_numerator, f.sl_denominator), (860, 1050));
    /// assert_eq!((f.abandon_numerator, f.abandon_denominator), (50, 1050));
    /// let f = c.fractions(SlFormula::AbandonsPositive, ShortAbandons::Include);
    /// assert_eq!((f.sl_numerator, f.sl_denominator), (880, 1060));
    /// ```
    pub fn fractions(
        &self,
        sl_formula: SlFormula,
        short_abandons: ShortAbandons,
    ) -> QueueFractions {
        let [sl_numerator, sl_denominator, abandon_numerator, abandon_denominator] = fraction_terms(
            [
                self.answered as i128,
                self.answered_within_sl as i128,
                self.abandoned as i128,
                self.short_abandoned as i128,
                self.abandoned_within_sl as i128,
                self.offered as i128,
            ],
            0,
            sl_formula,
            short_abandons,
        );
        QueueFractions {
            sl_numerator,
            sl_denominator,
            abandon_numerator,
            abandon_denominator,
        }
    }
}

/// The fractions of SPEC 4.3 over anything that adds and subtracts (the
/// integers [`QueueCounts::fractions`] computes with, the expressions
/// `Rollup::sql` writes): from `[A, W, B, S, X, O]` and zero, the
/// service-level numerator and denominator by `sl_formula`, then the
/// abandon-rate numerator (B − S) and denominator (O − S); short abandons
/// are subtracted from the denominators unless included (then added back,
/// and to the numerator of `abandons-positive`).
pub(crate) fn fraction_terms<T>(
    [a, w, b, sh, x, o]: [T; 6],
    zero: T,
    sl_formula: SlFormula,
    short_abandons: ShortAbandons,
) -> [T; 4]
where
    T: Clone + Add<Output = T> + Sub<Output = T>,
{
    let sub = match short_abandons {
        ShortAbandons::Exclude => sh.clone(),
        ShortAbandons::Include => zero,
    };
    let base = a.clone() + b.clone() - sub.clone();
    let (sl_numerator, sl_denominator) = match sl_formula {
        SlFormula::AbandonsAgainst => (w, base),
        SlFormula::AbandonsIgnored => (w, base - x),
        SlFormula::AbandonsPositive => (w + x + (sh - sub.clone()), base),
        SlFormula::Answered => (w, a),
        SlFormula::Offered => (w, o.clone()),
    };
    [sl_numerator, sl_denominator, b - sub.clone(), o - sub]
}

/// Defines a report's catalogue: the column table, the index of each
/// column, the cell of column `i` and a typed accessor for each ratio.
/// One entry per column: `name: Unit, kind, def, "formula" => |m| cell`,
/// where `kind` is `int`, `signed` or `ratio`, `def` the [`Def`] SQL is
/// generated from (the unit test `definitions_compute_the_cells` holds it
/// to the cell) and `m` is the report's metrics.
macro_rules! catalogue {
    (
        $(#[$doc:meta])*
        $table:ident, $metrics:ty, $index:ident {
            $( $name:ident : $unit:ident, $kind:ident, $def:expr, $formula:literal => |$m:ident| $cell:expr; )*
        }
    ) => {
        $(#[$doc])*
        pub const $table: &[Column] = &[
            $( Column {
                name: stringify!($name),
                unit: Unit::$unit,
                formula: $formula,
                stored: catalogue!(@stored $kind),
                def: Some($def),
            }, )*
        ];

        /// Column indices into the table, by name.
        #[allow(non_camel_case_types, dead_code)]
        #[derive(Clone, Copy)]
        enum $index { $( $name, )* }

        impl $metrics {
            /// The cell of column `i` of the table, before rounding.
            #[inline]
            pub(crate) fn raw_cell(&self, i: usize) -> RawCell {
                use RawCell::*;
                // A match on the column (a jump table, each cell's code
                // inlined), not a call through a pointer per cell.
                const ALL: &[$index] = &[ $( $index::$name, )* ];
                match ALL[i] {
                    $( $index::$name => { let $m = self; $cell } )*
                }
            }
            /// The value of column `i` of the table.
            pub fn cell(&self, i: usize) -> Cell {
                self.raw_cell(i).cell()
            }
            $( catalogue!(@accessor $kind $name $index $formula); )*
        }
    };
    (@stored ratio) => { Stored::Hundredths };
    (@stored $kind:ident) => { Stored::Whole };
    (@accessor ratio $name:ident $index:ident $formula:literal) => {
        #[doc = concat!("`", stringify!($name), "` = ", $formula, "; `None` when the denominator is 0.")]
        pub fn $name(&self) -> Option<Decimal> {
            self.raw_cell($index::$name as usize).ratio()
        }
    };
    (@accessor $kind:ident $name:ident $index:ident $formula:literal) => {};
}

catalogue! {
    /// Queue Statistics metric columns, in output order (SPEC 4.4).
    QUEUE_COLUMNS, QueueMetrics, QueueColumn {
        rows: Count, int, Def::Stored, "source rows summed" => |m| Int(m.sums.rows);
        direct: Count, int, Def::Stored, "Σ offd_direct_call_cnt" => |m| Int(m.sums.direct);
        overflow_in: Count, int, Def::Stored, "Σ overflow_in_call_cnt" => |m| Int(m.sums.overflow_in);
        overflow_out: Count, int, Def::Stored, "Σ overflow_out_call_cnt" => |m| Int(m.sums.overflow_out);
        answered: Count, int, Def::Stored, "Σ answ_call_cnt" => |m| Int(m.sums.answered);
        abandoned: Count, int, Def::Stored, "Σ aband_call_cnt" => |m| Int(m.sums.abandoned);
        short_abandoned: Count, int, Def::Stored, "Σ aband_short_call_cnt" => |m| Int(m.sums.short_abandoned);
        abandoned_within_sl: Count, int, Def::Stored, "Σ aband_within_sl_cnt" => |m| Int(m.sums.abandoned_within_sl);
        answered_within_sl: Count, int, Def::Stored, "Σ ans_servicelevel_cnt" => |m| Int(m.sums.answered_within_sl);
        offered: Count, int, Def::Derived(Derived::Offered), "direct + overflow_in (direct alone when the `offered` option is direct)" => |m| Int(m.offered);
        talk_s: Seconds, int, Def::Stored, "Σ talking_call_dur" => |m| Int(m.sums.talk_s);
        wrap_s: Seconds, int, Def::Stored, "Σ wrap_up_dur" => |m| Int(m.sums.wrap_s);
        handle_s: Seconds, int, Def::Cols(&["talk_s", "wrap_s"]), "talk_s + wrap_s" => |m| Int(m.handle_s);
        answer_wait_s: Seconds, int, Def::Stored, "Σ queued_and_answ_call_dur" => |m| Int(m.sums.answer_wait_s);
        abandon_wait_s: Seconds, int, Def::Stored, "Σ queued_and_aband_call_dur" => |m| Int(m.sums.abandon_wait_s);
        agent_wait_s: Seconds, int, Def::Stored, "Σ wait_dur" => |m| Int(m.sums.agent_wait_s);
        longest_answer_wait_s: Seconds, int, Def::Stored, "max queued_answ_longest_que_dur" => |m| Int(m.sums.longest_answer_wait_s);
        longest_abandon_wait_s: Seconds, int, Def::Stored, "max queued_aband_longest_que_dur" => |m| Int(m.sums.longest_abandon_wait_s);
        sl_numerator: Count, signed, Def::Derived(Derived::SlNumerator), "answered_within_sl (+ abandoned_within_sl when the `sl_formula` option is abandons-positive)" => |m| Signed(m.sl_numerator);
        sl_denominator: Count, signed, Def::Derived(Derived::SlDenominator), "per the `sl_formula` option: answered + abandoned − short_abandoned by default" => |m| Signed(m.sl_denominator);
        service_level_pct: Percent, ratio, Def::Ratio(&["sl_numerator"], &["sl_denominator"], 100), "100 × sl_numerator / sl_denominator" => |m| Ratio(m.sl_numerator, m.sl_denominator, 100);
        abandon_numerator: Count, signed, Def::Derived(Derived::AbandonNumerator), "abandoned − short_abandoned (abandoned when the `short_abandons` option is include)" => |m| Signed(m.abandon_numerator);
        abandon_denominator: Count, signed, Def::Derived(Derived::AbandonDenominator), "offered − short_abandoned (offered when the `short_abandons` option is include)" => |m| Signed(m.abandon_denominator);
        abandon_rate_pct: Percent, ratio, Def::Ratio(&["abandon_numerator"], &["abandon_denominator"], 100), "100 × abandon_numerator / abandon_denominator" => |m| Ratio(m.abandon_numerator, m.abandon_denominator, 100);
        aht_s: Seconds, ratio, Def::Ratio(&["handle_s"], &["answered"], 1), "handle_s / answered" => |m| Ratio(m.handle_s as i128, m.sums.answered as i128, 1);
        asa_s: Seconds, ratio, Def::Ratio(&["answer_wait_s"], &["answered"], 1), "answer_wait_s / answered" => |m| Ratio(m.sums.answer_wait_s as i128, m.sums.answered as i128, 1);
        avg_abandon_wait_s: Seconds, ratio, Def::Ratio(&["abandon_wait_s"], &["abandoned"], 1), "abandon_wait_s / abandoned" => |m| Ratio(m.sums.abandon_wait_s as i128, m.sums.abandoned as i128, 1);
        occupancy_pct: Percent, ratio, Def::Ratio(&["handle_s"], &["handle_s", "agent_wait_s"], 100), "100 × handle_s / (handle_s + agent_wait_s)" => |m| Ratio(m.handle_s as i128, m.handle_s as i128 + m.sums.agent_wait_s as i128, 100);
    }
}

catalogue! {
    /// Agent Extended Statistics metric columns, in output order (SPEC 4.4).
    AGENT_EXT_COLUMNS, AgentExtMetrics, AgentExtColumn {
        rows: Count, int, Def::Stored, "source rows summed" => |m| Int(m.sums.rows);
        answered: Count, int, Def::Stored, "Σ answ_call_cnt" => |m| Int(m.sums.answered);
        transferred_out: Count, int, Def::Stored, "Σ transfer_out_call_cnt" => |m| Int(m.sums.transferred_out);
        talk_s: Seconds, int, Def::Stored, "Σ talking_call_dur" => |m| Int(m.sums.talk_s);
        wrap_s: Seconds, int, Def::Stored, "Σ wrap_up_dur" => |m| Int(m.sums.wrap_s);
        handle_s: Seconds, int, Def::Cols(&["talk_s", "wrap_s"]), "talk_s + wrap_s" => |m| Int(m.handle_s);
        aht_s: Seconds, ratio, Def::Ratio(&["handle_s"], &["answered"], 1), "handle_s / answered" => |m| Ratio(m.handle_s as i128, m.sums.answered as i128, 1);
        avg_talk_s: Seconds, ratio, Def::Ratio(&["talk_s"], &["answered"], 1), "talk_s / answered" => |m| Ratio(m.sums.talk_s as i128, m.sums.answered as i128, 1);
        avg_wrap_s: Seconds, ratio, Def::Ratio(&["wrap_s"], &["answered"], 1), "wrap_s / answered" => |m| Ratio(m.sums.wrap_s as i128, m.sums.answered as i128, 1);
        transfer_rate_pct: Percent, ratio, Def::Ratio(&["transferred_out"], &["answered"], 100), "100 × transferred_out / answered" => |m| Ratio(m.sums.transferred_out as i128, m.sums.answered as i128, 100);
    }
}

catalogue! {
    /// Agent Statistics metric columns, in output order (SPEC 4.4).
    AGENT_COLUMNS, AgentMetrics, AgentColumn {
        rows: Count, int, Def::Stored, "source rows summed" => |m| Int(m.sums.rows);
        avail_s: Seconds, int, Def::Stored, "Σ avail_dur" => |m| Int(m.sums.avail_s);
        work_s: Seconds, int, Def::Stored, "Σ tot_work_dur" => |m| Int(m.sums.work_s);
        pause_s: Seconds, int, Def::Stored, "Σ pause_dur" => |m| Int(m.sums.pause_s);
        wait_s: Seconds, int, Def::Stored, "Σ wait_dur" => |m| Int(m.sums.wait_s);
        admin_s: Seconds, int, Def::Stored, "Σ admin_dur" => |m| Int(m.sums.admin_s);
        direct_in: Count, int, Def::Stored, "Σ direct_in_call_cnt" => |m| Int(m.sums.direct_in);
        direct_in_s: Seconds, int, Def::Stored, "Σ direct_in_call_dur" => |m| Int(m.sums.direct_in_s);
        direct_out: Count, int, Def::Stored, "Σ direct_out_call_cnt" => |m| Int(m.sums.direct_out);
        direct_out_s: Seconds, int, Def::Stored, "Σ direct_out_call_dur" => |m| Int(m.sums.direct_out_s);
    }
}

/// The metric columns of a report, in output order.
pub const fn report_columns(kind: ReportKind) -> &'static [Column] {
    match kind {
        ReportKind::Queue => QUEUE_COLUMNS,
        ReportKind::AgentExt => AGENT_EXT_COLUMNS,
        ReportKind::Agent => AGENT_COLUMNS,
        ReportKind::Segments => &[],
    }
}

/// The metric columns a rollup prints: all of its report's (the default,
/// SPEC 4.4 order) or a selection in the order it was given
/// (`rcx rollup --columns`). Key columns and `bucket_start`/`bucket_end`
/// are not metric columns: they are always printed, first.
///
/// ```
/// use ringcx_reports::rollup::MetricColumns;
/// use ringcx_reports::ReportKind;
/// let c = MetricColumns::select(ReportKind::Queue, ["asa_s", "offered"])?;
/// assert_eq!(c.names().collect::<Vec<_>>(), ["asa_s", "offered"]);
/// // The index of each column in the report's full list, for `Metrics::cell`.
/// assert_eq!(c.indexed().map(|(i, _)| i).collect::<Vec<_>>(), [25, 9]);
/// assert!(MetricColumns::select(ReportKind::Queue, ["transfer_rate_pct"]).is_err());
/// assert!(MetricColumns::select(ReportKind::Queue, Vec::<&str>::new())?.is_all());
/// # Ok::<(), ringcx_reports::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetricColumns {
    report: &'static [Column],
    /// Indices into `report`, in output order; `None` for all of them.
    picked: Option<Arc<[u8]>>,
}

impl MetricColumns {
    /// Every metric column of `kind`, in SPEC 4.4 order.
    pub fn all(kind: ReportKind) -> Self {
        MetricColumns {
            report: report_columns(kind),
            picked: None,
        }
    }

    /// The columns named `names`, in that order (names as printed in the
    /// header, ASCII case ignored). No names means all columns. A name
    /// that is not a metric column of `kind`, or a name given twice, is a
    /// usage error listing the valid names.
    pub fn select<I, S>(kind: ReportKind, names: I) -> Result<Self>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let report = report_columns(kind);
        let is_key = |name: &str| {
            Grouping::ALL
                .iter()
                .flat_map(|g| g.key_columns())
                .any(|k| k.eq_ignore_ascii_case(name))
        };
        let unknown = |name: &str| {
            let other: Vec<&str> = [ReportKind::Queue, ReportKind::AgentExt, ReportKind::Agent]
                .into_iter()
                .filter(|k| *k != kind)
                .filter(|k| {
                    report_columns(*k)
                        .iter()
                        .any(|c| c.name.eq_ignore_ascii_case(name))
                })
                .map(|k| k.as_str())
                .collect();
            if other.is_empty() {
                format!("unknown metric column {name:?} for {kind} rows")
            } else {
                format!(
                    "metric column {name:?} belongs to {} rows, not to {kind} rows",
                    other.join(" and ")
                )
            }
        };
        Ok(MetricColumns {
            report,
            picked: pick_columns(report, names, is_key, unknown)?,
        })
    }

    /// Whether these are all the report's columns in SPEC 4.4 order.
    pub fn is_all(&self) -> bool {
        self.picked.is_none()
    }

    /// The number of columns printed.
    pub fn len(&self) -> usize {
        self.picked.as_ref().map_or(self.report.len(), |p| p.len())
    }

    /// Whether no column is printed (only for a report without metrics).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The columns printed, in output order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Column> + '_ {
        self.indexed().map(|(_, c)| c)
    }

    /// The names of the columns printed, in output order.
    pub fn names(&self) -> impl ExactSizeIterator<Item = &'static str> + '_ {
        self.iter().map(|c| c.name)
    }

    /// The columns printed, each with its index in the report's full list
    /// ([`Metrics::columns`]), which is what [`Metrics::cell`] takes.
    pub fn indexed(&self) -> impl ExactSizeIterator<Item = (usize, Column)> + '_ {
        let report = self.report;
        let n = self.len();
        (0..n).map(move |k| {
            let i = match &self.picked {
                Some(p) => p[k] as usize,
                None => k,
            };
            (i, report[i])
        })
    }

    /// Every metric column of the report, selected or not.
    pub fn report_columns(&self) -> &'static [Column] {
        self.report
    }
}

/// The metrics of one Queue Statistics bucket (SPEC 4.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueMetrics {
    /// The sums the metrics come from.
    pub sums: QueueSums,
    /// direct + overflow_in (or direct alone with [`Offered::Direct`]).
    pub offered: u64,
    /// talk_s + wrap_s.
    pub handle_s: u64,
    /// Service-level numerator.
    pub sl_numerator: i128,
    /// Service-level denominator.
    pub sl_denominator: i128,
    /// Abandon-rate numerator.
    pub abandon_numerator: i128,
    /// Abandon-rate denominator.
    pub abandon_denominator: i128,
    /// options the metrics were computed with.
    pub options: MetricOptions,
}

impl QueueMetrics {
    /// Computes the metrics of `sums` under `options`. `None` when a
    /// derived sum (offered, handle_s) would pass `u64::MAX`.
    ///
    /// ```
    /// use ringcx_reports::rollup::{MetricOptions, QueueMetrics, QueueSums, SlFormula};
    /// // The ICMI worked example in RingCX fields.
    /// let s = QueueSums { answered: 1000, abandoned: 60, short_abandoned: 10,
    ///     answered_within_sl: 860, abandoned_within_sl: 10, ..Default::default() };
    /// let m = QueueMetrics::new(s, MetricOptions::default()).unwrap();
    /// assert_eq!(m.service_level_pct().unwrap().to_string(), "81.90");
    /// let o = MetricOptions { sl_formula: SlFormula::AbandonsIgnored, ..Default::default() };
    /// assert_eq!(QueueMetrics::new(s, o).unwrap().service_level_pct().unwrap().to_string(), "82.69");
    /// ```
    pub fn new(sums: QueueSums, options: MetricOptions) -> Option<Self> {
        let s = &sums;
        let offered = match options.offered {
            Offered::DirectAndOverflow => s.direct.checked_add(s.overflow_in)?,
            Offered::Direct => s.direct,
        };
        let handle_s = s.talk_s.checked_add(s.wrap_s)?;
        let f = QueueCounts {
            answered: s.answered,
            answered_within_sl: s.answered_within_sl,
            abandoned: s.abandoned,
            short_abandoned: s.short_abandoned,
            abandoned_within_sl: s.abandoned_within_sl,
            offered,
        }
        .fractions(options.sl_formula, options.short_abandons);
        Some(QueueMetrics {
            sums,
            offered,
            handle_s,
            sl_numerator: f.sl_numerator,
            sl_denominator: f.sl_denominator,
            abandon_numerator: f.abandon_numerator,
            abandon_denominator: f.abandon_denominator,
            options,
        })
    }
}

/// The metrics of one Agent Extended Statistics bucket (SPEC 4.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AgentExtMetrics {
    /// The sums.
    pub sums: AgentExtSums,
    /// talk_s + wrap_s.
    pub handle_s: u64,
}

impl AgentExtMetrics {
    /// `None` when handle_s would pass `u64::MAX`.
    pub fn new(sums: AgentExtSums) -> Option<Self> {
        Some(AgentExtMetrics {
            handle_s: sums.talk_s.checked_add(sums.wrap_s)?,
            sums,
        })
    }
}

/// The metrics of one Agent Statistics bucket: its sums (SPEC 4.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AgentMetrics {
    /// The sums.
    pub sums: AgentSums,
}

/// The metrics of one bucket of any report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Metrics {
    /// Queue Statistics.
    Queue(QueueMetrics),
    /// Agent Extended Statistics.
    AgentExt(AgentExtMetrics),
    /// Agent Statistics.
    Agent(AgentMetrics),
}

impl Metrics {
    /// The metric columns of this report, in output order.
    pub fn columns(&self) -> &'static [Column] {
        match self {
            Metrics::Queue(_) => QUEUE_COLUMNS,
            Metrics::AgentExt(_) => AGENT_EXT_COLUMNS,
            Metrics::Agent(_) => AGENT_COLUMNS,
        }
    }
    /// The value of column `i` of [`columns`](Self::columns).
    pub fn cell(&self, i: usize) -> Cell {
        match self {
            Metrics::Queue(m) => m.cell(i),
            Metrics::AgentExt(m) => m.cell(i),
            Metrics::Agent(m) => m.cell(i),
        }
    }
    #[inline]
    pub(crate) fn raw_cell(&self, i: usize) -> RawCell {
        match self {
            Metrics::Queue(m) => m.raw_cell(i),
            Metrics::AgentExt(m) => m.raw_cell(i),
            Metrics::Agent(m) => m.raw_cell(i),
        }
    }
    /// The value of the column named `name`.
    pub fn get(&self, name: &str) -> Option<Cell> {
        let i = self.columns().iter().position(|c| c.name == name)?;
        Some(self.cell(i))
    }
    /// Rows summed.
    pub fn rows(&self) -> u64 {
        match self {
            Metrics::Queue(m) => m.sums.rows,
            Metrics::AgentExt(m) => m.sums.rows,
            Metrics::Agent(m) => m.sums.rows,
        }
    }
}

/// Sums that give metrics: the report's derived columns and ratios.
pub trait Measured: Accumulator {
    /// The metrics of these sums; `None` when a derived sum overflows.
    fn metrics(&self, options: MetricOptions) -> Option<Metrics>;
}

impl Measured for QueueSums {
    fn metrics(&self, options: MetricOptions) -> Option<Metrics> {
        QueueMetrics::new(*self, options).map(Metrics::Queue)
    }
}

impl Measured for AgentExtSums {
    fn metrics(&self, _: MetricOptions) -> Option<Metrics> {
        AgentExtMetrics::new(*self).map(Metrics::AgentExt)
    }
}

impl Measured for AgentSums {
    fn metrics(&self, _: MetricOptions) -> Option<Metrics> {
        Some(Metrics::Agent(AgentMetrics { sums: *self }))
    }
}
