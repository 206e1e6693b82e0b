//! Ratios from summed numerators and denominators (SPEC 4.3).
//!
//! A ratio is never an average of ratios: it is computed once per bucket
//! from that bucket's sums, in `rust_decimal`, rounded half away from zero
//! to two places, and is `None` when its denominator is 0. Ratios are not
//! clamped: inconsistent vendor data (more short abandons than abandons,
//! say) shows as a value outside 0–100 rather than being hidden.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use rust_decimal::Decimal;

use super::accum::{Accumulator, AgentExtSums, AgentSums, QueueSums};
use super::Grouping;
use crate::error::{Error, Result};
use crate::model::ReportKind;

/// The service-level formula (`--sl-formula`), with A = answered,
/// W = answered within SL, B = abandoned, S = short abandons,
/// X = abandoned within SL, O = offered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SlFormula {
    /// W / (A + B − S): abandons count against the service level.
    #[default]
    AbandonsAgainst,
    /// W / (A + B − S − X): abandons within SL are left out.
    AbandonsIgnored,
    /// (W + X) / (A + B − S): abandons within SL count as met.
    AbandonsPositive,
    /// W / A.
    Answered,
    /// W / O.
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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ShortAbandons {
    /// Short abandons are taken out of the denominators (the default).
    #[default]
    Exclude,
    /// Short abandons are put back.
    Include,
}

/// What "offered" means (`--offered`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Offered {
    /// direct + overflow_in (the default).
    #[default]
    DirectAndOverflow,
    /// direct alone.
    Direct,
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

/// `numerator / denominator`, rounded half away from zero to 2 places;
/// `None` when the denominator is 0.
///
/// ```
/// use ringcx_reports::rollup::ratio;
/// assert_eq!(ratio(860, 1050).unwrap().to_string(), "0.82");
/// assert_eq!(ratio(1, 8).unwrap().to_string(), "0.13"); // 0.125 → away from zero
/// assert_eq!(ratio(-1, 8).unwrap().to_string(), "-0.13");
/// assert_eq!(ratio(5, 0), None);
/// ```
pub fn ratio(numerator: i128, denominator: i128) -> Option<Decimal> {
    scaled_ratio(numerator, denominator, 1)
}

/// `100 × numerator / denominator`, rounded half away from zero to 2
/// places; `None` when the denominator is 0.
///
/// ```
/// use ringcx_reports::rollup::percent;
/// assert_eq!(percent(860, 1050).unwrap().to_string(), "81.90");
/// assert_eq!(percent(1254, 1500).unwrap().to_string(), "83.60");
/// assert_eq!(percent(0, 0), None);
/// ```
pub fn percent(numerator: i128, denominator: i128) -> Option<Decimal> {
    scaled_ratio(numerator, denominator, 100)
}

fn scaled_ratio(numerator: i128, denominator: i128, scale: i128) -> Option<Decimal> {
    let q = scaled_hundredths(numerator, denominator, scale)?;
    Some(Decimal::from_i128_with_scale(q, 2))
}

/// `scale × numerator / denominator` in hundredths, rounded half away from
/// zero, in exact integer arithmetic; `None` when the denominator is 0.
/// Operands are sums of `u64` values (|n|, |d| < 2^66), so `n × 10^4`
/// stays far inside `i128`, and the quotient (at most about 2^80) inside
/// `Decimal`'s 96-bit mantissa.
#[inline]
pub(crate) fn scaled_hundredths(numerator: i128, denominator: i128, scale: i128) -> Option<i128> {
    if denominator == 0 {
        return None;
    }
    // The usual case (non-negative sums, small enough that the scaled
    // numerator fits a u64) in 64-bit division, which is several times
    // cheaper than the 128-bit one; the same rounding.
    if let (Ok(n), Ok(d), Ok(k)) = (
        u64::try_from(numerator),
        u64::try_from(denominator),
        u64::try_from(scale * 100),
    ) {
        if let Some(n) = n.checked_mul(k) {
            let (q, r) = (n / d, n % d);
            return Some(i128::from(q + u64::from(r >= d - r)));
        }
    }
    let n = numerator.checked_mul(scale * 100)?;
    let (q, r) = (n / denominator, n % denominator);
    // Away from zero when the remainder is at least half the divisor.
    let away = r.unsigned_abs().checked_mul(2)? >= denominator.unsigned_abs();
    let neg = (n < 0) != (denominator < 0);
    Some(match (away, neg) {
        (false, _) => q,
        (true, false) => q + 1,
        (true, true) => q - 1,
    })
}

/// A metric value before any rounding, for writers that format it
/// themselves: ratios carry their operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RawCell {
    Int(u64),
    Signed(i128),
    /// `scale × num / den`.
    Ratio(i128, i128, i128),
}

impl RawCell {
    /// The typed cell.
    pub(crate) fn cell(self) -> Cell {
        match self {
            RawCell::Int(v) => Cell::Int(v),
            RawCell::Signed(v) => Cell::Signed(v),
            RawCell::Ratio(n, d, s) => Cell::Ratio(scaled_ratio(n, d, s)),
        }
    }
}

/// One metric value, for writers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell {
    /// A sum or count.
    Int(u64),
    /// A signed numerator or denominator (may be negative on inconsistent
    /// data).
    Signed(i128),
    /// A ratio; `None` when its denominator is 0.
    Ratio(Option<Decimal>),
}

/// What a metric measures, for the Analytics output's `valueType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// A count of calls or rows (`Instances`).
    Count,
    /// Seconds (`Seconds`).
    Seconds,
    /// A percentage (`Percent`).
    Percent,
}

/// A metric column: its name in CSV/JSON and its unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    /// The column name, e.g. `service_level_pct`.
    pub name: &'static str,
    /// The unit.
    pub unit: Unit,
}

const fn c(name: &'static str, unit: Unit) -> Column {
    Column { name, unit }
}

use Unit::{Count as N, Percent as P, Seconds as S};

/// Queue Statistics metric columns, in output order.
pub const QUEUE_COLUMNS: &[Column] = &[
    c("rows", N),
    c("direct", N),
    c("overflow_in", N),
    c("overflow_out", N),
    c("answered", N),
    c("abandoned", N),
    c("short_abandoned", N),
    c("abandoned_within_sl", N),
    c("answered_within_sl", N),
    c("offered", N),
    c("talk_s", S),
    c("wrap_s", S),
    c("handle_s", S),
    c("answer_wait_s", S),
    c("abandon_wait_s", S),
    c("agent_wait_s", S),
    c("longest_answer_wait_s", S),
    c("longest_abandon_wait_s", S),
    c("sl_numerator", N),
    c("sl_denominator", N),
    c("service_level_pct", P),
    c("abandon_numerator", N),
    c("abandon_denominator", N),
    c("abandon_rate_pct", P),
    c("aht_s", S),
    c("asa_s", S),
    c("avg_abandon_wait_s", S),
    c("occupancy_pct", P),
];

/// Agent Extended Statistics metric columns, in output order.
pub const AGENT_EXT_COLUMNS: &[Column] = &[
    c("rows", N),
    c("answered", N),
    c("transferred_out", N),
    c("talk_s", S),
    c("wrap_s", S),
    c("handle_s", S),
    c("aht_s", S),
    c("avg_talk_s", S),
    c("avg_wrap_s", S),
    c("transfer_rate_pct", P),
];

/// Agent Statistics metric columns, in output order.
pub const AGENT_COLUMNS: &[Column] = &[
    c("rows", N),
    c("avail_s", S),
    c("work_s", S),
    c("pause_s", S),
    c("wait_s", S),
    c("admin_s", S),
    c("direct_in", N),
    c("direct_in_s", S),
    c("direct_out", N),
    c("direct_out_s", S),
];

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
        let valid = || report.iter().map(|c| c.name).collect::<Vec<_>>().join(", ");
        let mut picked: Vec<u8> = Vec::new();
        for name in names {
            let name = name.as_ref().trim();
            let Some(i) = report
                .iter()
                .position(|c| c.name.eq_ignore_ascii_case(name))
            else {
                let why = if name.is_empty() {
                    "an empty metric column name".to_owned()
                } else if Grouping::ALL
                    .iter()
                    .flat_map(|g| g.key_columns())
                    .chain(&["bucket_start", "bucket_end"])
                    .any(|k| k.eq_ignore_ascii_case(name))
                {
                    format!(
                        "{name:?} is not a metric column (key columns, bucket_start and \
                         bucket_end are always printed)"
                    )
                } else {
                    let other: Vec<&str> =
                        [ReportKind::Queue, ReportKind::AgentExt, ReportKind::Agent]
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
                return Err(Error::usage(format!(
                    "--columns: {why}; expected one of {}",
                    valid()
                )));
            };
            // At most 28 columns per report: an index fits a byte.
            let i = i as u8;
            if picked.contains(&i) {
                return Err(Error::usage(format!(
                    "--columns: metric column {:?} is given twice",
                    report[i as usize].name
                )));
            }
            picked.push(i);
        }
        Ok(MetricColumns {
            report,
            picked: (!picked.is_empty()).then(|| picked.into()),
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
        let (a, w, b, sh, x, o) = (
            s.answered as i128,
            s.answered_within_sl as i128,
            s.abandoned as i128,
            s.short_abandoned as i128,
            s.abandoned_within_sl as i128,
            offered as i128,
        );
        // Short abandons are subtracted unless included.
        let sub = match options.short_abandons {
            ShortAbandons::Exclude => sh,
            ShortAbandons::Include => 0,
        };
        let (sl_numerator, sl_denominator) = match options.sl_formula {
            SlFormula::AbandonsAgainst => (w, a + b - sub),
            SlFormula::AbandonsIgnored => (w, a + b - sub - x),
            SlFormula::AbandonsPositive => (w + x + (sh - sub), a + b - sub),
            SlFormula::Answered => (w, a),
            SlFormula::Offered => (w, o),
        };
        Some(QueueMetrics {
            sums,
            offered,
            handle_s,
            sl_numerator,
            sl_denominator,
            abandon_numerator: b - sub,
            abandon_denominator: o - sub,
            options,
        })
    }
    /// 100 × sl_numerator / sl_denominator.
    pub fn service_level_pct(&self) -> Option<Decimal> {
        percent(self.sl_numerator, self.sl_denominator)
    }
    /// 100 × abandon_numerator / abandon_denominator.
    pub fn abandon_rate_pct(&self) -> Option<Decimal> {
        percent(self.abandon_numerator, self.abandon_denominator)
    }
    /// handle_s / answered.
    pub fn aht_s(&self) -> Option<Decimal> {
        ratio(self.handle_s as i128, self.sums.answered as i128)
    }
    /// answer_wait_s / answered.
    pub fn asa_s(&self) -> Option<Decimal> {
        ratio(self.sums.answer_wait_s as i128, self.sums.answered as i128)
    }
    /// abandon_wait_s / abandoned.
    pub fn avg_abandon_wait_s(&self) -> Option<Decimal> {
        ratio(
            self.sums.abandon_wait_s as i128,
            self.sums.abandoned as i128,
        )
    }
    /// 100 × handle_s / (handle_s + agent_wait_s).
    pub fn occupancy_pct(&self) -> Option<Decimal> {
        percent(
            self.handle_s as i128,
            self.handle_s as i128 + self.sums.agent_wait_s as i128,
        )
    }
    /// The value of [`QUEUE_COLUMNS`]`[i]`.
    pub fn cell(&self, i: usize) -> Cell {
        self.raw_cell(i).cell()
    }
    #[inline]
    pub(crate) fn raw_cell(&self, i: usize) -> RawCell {
        let s = &self.sums;
        use RawCell::{Int, Ratio, Signed};
        let (h, a) = (self.handle_s as i128, s.answered as i128);
        match i {
            0 => Int(s.rows),
            1 => Int(s.direct),
            2 => Int(s.overflow_in),
            3 => Int(s.overflow_out),
            4 => Int(s.answered),
            5 => Int(s.abandoned),
            6 => Int(s.short_abandoned),
            7 => Int(s.abandoned_within_sl),
            8 => Int(s.answered_within_sl),
            9 => Int(self.offered),
            10 => Int(s.talk_s),
            11 => Int(s.wrap_s),
            12 => Int(self.handle_s),
            13 => Int(s.answer_wait_s),
            14 => Int(s.abandon_wait_s),
            15 => Int(s.agent_wait_s),
            16 => Int(s.longest_answer_wait_s),
            17 => Int(s.longest_abandon_wait_s),
            18 => Signed(self.sl_numerator),
            19 => Signed(self.sl_denominator),
            20 => Ratio(self.sl_numerator, self.sl_denominator, 100),
            21 => Signed(self.abandon_numerator),
            22 => Signed(self.abandon_denominator),
            23 => Ratio(self.abandon_numerator, self.abandon_denominator, 100),
            24 => Ratio(h, a, 1),
            25 => Ratio(s.answer_wait_s as i128, a, 1),
            26 => Ratio(s.abandon_wait_s as i128, s.abandoned as i128, 1),
            _ => Ratio(h, h + s.agent_wait_s as i128, 100),
        }
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
    /// handle_s / answered.
    pub fn aht_s(&self) -> Option<Decimal> {
        ratio(self.handle_s as i128, self.sums.answered as i128)
    }
    /// talk_s / answered.
    pub fn avg_talk_s(&self) -> Option<Decimal> {
        ratio(self.sums.talk_s as i128, self.sums.answered as i128)
    }
    /// wrap_s / answered.
    pub fn avg_wrap_s(&self) -> Option<Decimal> {
        ratio(self.sums.wrap_s as i128, self.sums.answered as i128)
    }
    /// 100 × transferred_out / answered.
    pub fn transfer_rate_pct(&self) -> Option<Decimal> {
        percent(
            self.sums.transferred_out as i128,
            self.sums.answered as i128,
        )
    }
    /// The value of [`AGENT_EXT_COLUMNS`]`[i]`.
    pub fn cell(&self, i: usize) -> Cell {
        self.raw_cell(i).cell()
    }
    #[inline]
    pub(crate) fn raw_cell(&self, i: usize) -> RawCell {
        let s = &self.sums;
        use RawCell::{Int, Ratio};
        let a = s.answered as i128;
        match i {
            0 => Int(s.rows),
            1 => Int(s.answered),
            2 => Int(s.transferred_out),
            3 => Int(s.talk_s),
            4 => Int(s.wrap_s),
            5 => Int(self.handle_s),
            6 => Ratio(self.handle_s as i128, a, 1),
            7 => Ratio(s.talk_s as i128, a, 1),
            8 => Ratio(s.wrap_s as i128, a, 1),
            _ => Ratio(s.transferred_out as i128, a, 100),
        }
    }
}

/// The metrics of one Agent Statistics bucket: its sums (SPEC 4.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AgentMetrics {
    /// The sums.
    pub sums: AgentSums,
}

impl AgentMetrics {
    /// The value of [`AGENT_COLUMNS`]`[i]`.
    pub fn cell(&self, i: usize) -> Cell {
        let s = &self.sums;
        Cell::Int(match i {
            0 => s.rows,
            1 => s.avail_s,
            2 => s.work_s,
            3 => s.pause_s,
            4 => s.wait_s,
            5 => s.admin_s,
            6 => s.direct_in,
            7 => s.direct_in_s,
            8 => s.direct_out,
            _ => s.direct_out_s,
        })
    }
}

/// The metrics of one bucket of any report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
            Metrics::Agent(m) => match m.cell(i) {
                Cell::Int(v) => RawCell::Int(v),
                _ => RawCell::Int(0),
            },
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal::RoundingStrategy;

    /// The decimal computation the integer one replaced.
    fn decimal_ratio(n: i128, d: i128, scale: i128) -> Option<Decimal> {
        if d == 0 {
            return None;
        }
        let n = Decimal::from_i128_with_scale(n.checked_mul(scale)?, 0);
        let d = Decimal::from_i128_with_scale(d, 0);
        let mut q = n
            .checked_div(d)?
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        q.rescale(2);
        Some(q)
    }

    fn check(n: i128, d: i128, scale: i128) {
        let want = decimal_ratio(n, d, scale);
        let got = scaled_ratio(n, d, scale);
        assert_eq!(got, want, "{scale} * {n} / {d}");
    }

    #[test]
    fn integer_ratios_match_decimal_on_edges() {
        for (n, d) in [
            (1, 8),
            (-1, 8),
            (1, -8),
            (-1, 1000),
            (1, 1000),
            (0, 7),
            (0, -7),
            (5, 0),
            (2, 3),
            (-2, 3),
            (u64::MAX as i128, 1),
            (u64::MAX as i128, 3),
            (u64::MAX as i128 * 2, u64::MAX as i128 * 3 - 1),
            (-(u64::MAX as i128), u64::MAX as i128 * 2 + 1),
        ] {
            check(n, d, 1);
            check(n, d, 100);
        }
    }

    proptest! {
        #[test]
        fn integer_ratios_match_decimal(
            n in -(u64::MAX as i128) * 2..=(u64::MAX as i128) * 2,
            d in -(u64::MAX as i128) * 2..=(u64::MAX as i128) * 2,
            small in any::<bool>(),
            hundred in any::<bool>(),
        ) {
            let (n, d) = if small { (n % 100_000, d % 100_000) } else { (n, d) };
            check(n, d, if hundred { 100 } else { 1 });
        }
    }
}
