//! What a rollup returns: typed records ([`RollupTable`]) or, from the
//! chunked path, packed buckets a writer prints in order
//! ([`PackedRollup`]). Nothing here formats text: [`crate::write`] does.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;

use super::accum::{Accumulator, NamePick};
use super::engine::{sum_overflow, Partial, RollupRow, Skips};
use super::head::{fitting, HeadBuilder};
use super::metrics::{
    AgentExtMetrics, AgentMetrics, Measured, MetricColumns, MetricOptions, Metrics, QueueMetrics,
};
use super::{chunked, AnalyticsAnswer, Grouping, Plan, RollupHead};
use crate::diagnostic::Code;
use crate::error::{Error, Result};
use crate::model::ReportKind;
use crate::option::OptionName;
use crate::window::{cmp_keys, in_zone, is_integer, range_bucket_starts, WeekStart};
use crate::window::{Attribution, BucketInterval, Bucketer};

/// A finished file rollup, not yet formatted: a [`RollupTable`], or the
/// packed result of the chunked path ([`PackedRollup`]), which a writer can
/// print in output order without building the table
/// ([`write_rollup`](crate::write::write_rollup)).
#[non_exhaustive]
pub enum RollupOutput {
    /// Every record, sorted.
    Table(RollupTable),
    /// Keys in output order with their buckets packed.
    Packed(PackedRollup),
}

impl RollupOutput {
    /// What was read, kept and skipped.
    pub fn stats(&self) -> &RollupStats {
        match self {
            RollupOutput::Table(t) => t.stats(),
            RollupOutput::Packed(p) => p.stats(),
        }
    }

    /// What the Analytics response answers
    /// ([`Rollup::analytics`](super::Rollup::analytics)).
    pub fn analytics_answer(&self) -> &AnalyticsAnswer {
        match self {
            RollupOutput::Table(t) => t.analytics_answer(),
            RollupOutput::Packed(p) => p.analytics_answer(),
        }
    }

    /// The records as a table (a packed result is unpacked).
    pub fn into_table(self) -> Result<RollupTable> {
        match self {
            RollupOutput::Table(t) => Ok(t),
            RollupOutput::Packed(p) => Ok(p.0.head(usize::MAX, None)?.into_table()),
        }
    }

    /// Puts the files' header findings before the run's own warnings.
    pub(crate) fn with_header_warnings(mut self, mut header: Vec<String>) -> Self {
        if header.is_empty() {
            return self;
        }
        let stats = match &mut self {
            RollupOutput::Table(t) => &mut t.stats,
            RollupOutput::Packed(p) => p.0.stats_mut(),
        };
        header.append(&mut stats.warnings);
        stats.warnings = header;
        self
    }
}

/// The packed result of a chunked rollup: each key's buckets are stored in
/// pieces (a few hundred buckets each) that decode on their own, listed in
/// output order, so a writer can format a window of pieces in parallel and
/// print them in order, holding only that window.
pub struct PackedRollup(Box<dyn Packed>);

impl PackedRollup {
    /// What was read, kept and skipped.
    pub fn stats(&self) -> &RollupStats {
        self.0.stats()
    }
    /// The bucket zone.
    pub fn tz(&self) -> Tz {
        self.0.plan().tz
    }
    /// The key columns.
    pub fn key_columns(&self) -> &'static [&'static str] {
        self.0.plan().grouping.key_columns()
    }
    /// The metric columns printed.
    pub fn metric_columns(&self) -> &MetricColumns {
        &self.0.plan().columns
    }
    /// What the Analytics response answers.
    pub fn analytics_answer(&self) -> &AnalyticsAnswer {
        &self.0.plan().answer
    }
    /// The records of the first `max_keys` keys, with the number of keys
    /// and the span of all buckets (see [`RollupOutput::head`]).
    pub fn head(&self, max_keys: usize) -> Result<RollupHead> {
        self.0.head(max_keys, None)
    }
    /// [`head`](Self::head) with at most about `max_buckets` buckets per
    /// key (see [`RollupOutput::head_fitting`]).
    pub fn head_fitting(&self, max_keys: usize, max_buckets: usize) -> Result<RollupHead> {
        self.0.head(max_keys, Some(max_buckets))
    }
    /// The plan the rollup ran.
    pub(crate) fn plan(&self) -> &Plan {
        self.0.plan()
    }
    /// The number of pieces, in output order (a key's pieces are
    /// consecutive).
    pub fn pieces(&self) -> usize {
        self.0.pieces()
    }
    /// The key column values of piece `i`.
    pub fn piece_keys(&self, i: usize) -> &[String] {
        self.0.piece_keys(i)
    }
    /// Calls `each` with the start, end and metrics of every bucket of
    /// piece `i`, in order; an error when a sum overflowed or the spill
    /// file cannot be read back.
    pub fn for_each_bucket(
        &self,
        i: usize,
        each: &mut dyn FnMut(i64, i64, &Metrics),
    ) -> Result<u64> {
        self.0.for_each_bucket(i, each)
    }
}

impl fmt::Debug for PackedRollup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PackedRollup")
            .field("pieces", &self.pieces())
            .field("stats", self.stats())
            .finish()
    }
}

impl fmt::Debug for RollupOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RollupOutput::Table(t) => f.debug_tuple("Table").field(t).finish(),
            RollupOutput::Packed(p) => f.debug_tuple("Packed").field(p).finish(),
        }
    }
}

/// [`Finished`] for any sums type.
trait Packed: Send + Sync {
    fn head(&self, max_keys: usize, max_buckets: Option<usize>) -> Result<RollupHead>;
    fn plan(&self) -> &Plan;
    fn stats(&self) -> &RollupStats;
    fn stats_mut(&mut self) -> &mut RollupStats;
    fn pieces(&self) -> usize;
    fn piece_keys(&self, i: usize) -> &[String];
    fn for_each_bucket(&self, i: usize, each: &mut dyn FnMut(i64, i64, &Metrics)) -> Result<u64>;
}

/// A finished chunked rollup: the keys in output order, each with its
/// packed buckets.
pub(crate) struct Finished<S> {
    plan: Plan,
    store: chunked::Store<S>,
    /// Key column values and the index of the key in the store, sorted.
    order: Vec<(Vec<String>, usize)>,
    /// Each piece's index in `order` and segment in its key, in output
    /// order.
    pieces: Vec<(u32, u32)>,
    stats: RollupStats,
}

impl<S: Measured + Send + Sync + 'static> Finished<S> {
    pub(crate) fn packed(plan: &Plan, r: chunked::ChunkedRun<S>) -> Result<PackedRollup> {
        let mut warnings = misfit_warnings(plan, &r.store.meta)?;
        warnings.extend(plan.filter.nothing_kept("row", r.read, r.kept));
        let mut order: Vec<(Vec<String>, usize)> = r
            .store
            .keys
            .iter()
            .enumerate()
            .map(|(i, k)| (key_values(plan, &k.key, &k.names), i))
            .collect();
        let ncols = plan.grouping.key_columns().len();
        let numeric: Vec<bool> = (0..ncols)
            .map(|c| order.iter().all(|(k, _)| is_integer(&k[c])))
            .collect();
        order.sort_by(|a, b| cmp_keys(&a.0, &b.0, &numeric));
        let pieces = order
            .iter()
            .enumerate()
            .flat_map(|(o, (_, i))| {
                (0..r.store.keys[*i].segments()).map(move |j| (o as u32, j as u32))
            })
            .collect();
        let f = Finished {
            plan: plan.clone(),
            store: r.store,
            order,
            pieces,
            stats: RollupStats {
                rows_read: r.read,
                rows_kept: r.kept,
                skipped: r.skips.by_code,
                first_skipped: r.skips.first.map(|f| f.1),
                warnings,
            },
        };
        if f.store.maybe_overflowed {
            // The exact check, in output order, with finish's message.
            f.each(|_, _| Ok(()))?;
        }
        Ok(PackedRollup(Box::new(f)))
    }

    /// Calls `each` with every record's key and bucket start, end and
    /// metrics, in output order.
    fn each(
        &self,
        mut each: impl FnMut(&[String], Option<(i64, i64, Metrics)>) -> Result<()>,
    ) -> Result<()> {
        let span = self.store.meta.span.unwrap_or((0, 0));
        for (keys, i) in &self.order {
            each(keys, None)?;
            // A segment at a time: a key's whole sequence may be long.
            let k = &self.store.keys[*i];
            for j in 0..k.segments() {
                let (bytes, prev) = chunked::segment_bytes(&self.store, k, j)
                    .map_err(|e| Error::io("<rollup spill file>", e))?;
                for (b, sums) in chunked::unpack_buckets_from::<S>(&bytes, prev) {
                    let (start, end, metrics) = bucket_metrics(&self.plan, keys, b, span, &sums)?;
                    each(keys, Some((start, end, metrics)))?;
                }
            }
        }
        Ok(())
    }
}

impl<S: Measured + Send + Sync + 'static> Packed for Finished<S> {
    fn head(&self, max_keys: usize, max_buckets: Option<usize>) -> Result<RollupHead> {
        let (tz, run) = (self.plan.tz, self.plan.interval);
        let drawn = max_buckets.map_or(run, |m| fitting(run, self.store.meta.span, m));
        let merge = (drawn != run).then(|| Bucketer::new(tz, drawn, self.plan.week_start));
        let mut head = HeadBuilder::new(max_keys, tz, self.plan.metrics, merge);
        self.each(|k, r| match r {
            None => {
                head.key();
                Ok(())
            }
            Some((s, e, metrics)) => head.bucket(k, s, e, metrics),
        })?;
        let (records, keys, span) = head.finish();
        let plan = Plan {
            interval: drawn,
            ..self.plan.clone()
        };
        let table = table_of(&plan, records, self.stats.clone());
        Ok(RollupHead::new(
            table,
            keys,
            span,
            (drawn != run).then_some(run),
        ))
    }

    fn plan(&self) -> &Plan {
        &self.plan
    }

    fn pieces(&self) -> usize {
        self.pieces.len()
    }

    fn piece_keys(&self, i: usize) -> &[String] {
        &self.order[self.pieces[i].0 as usize].0
    }

    fn for_each_bucket(&self, i: usize, each: &mut dyn FnMut(i64, i64, &Metrics)) -> Result<u64> {
        let (o, j) = self.pieces[i];
        let (keys, k) = &self.order[o as usize];
        let k = &self.store.keys[*k];
        let span = self.store.meta.span.unwrap_or((0, 0));
        let (bytes, prev) = chunked::segment_bytes(&self.store, k, j as usize)
            .map_err(|e| Error::io("<rollup spill file>", e))?;
        let mut n = 0;
        for (b, sums) in chunked::unpack_buckets_from::<S>(&bytes, prev) {
            let (s, e, m) = bucket_metrics(&self.plan, keys, b, span, &sums)?;
            each(s, e, &m);
            n += 1;
        }
        Ok(n)
    }

    fn stats_mut(&mut self) -> &mut RollupStats {
        &mut self.stats
    }
    fn stats(&self) -> &RollupStats {
        &self.stats
    }
}

/// What a run read, kept and skipped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RollupStats {
    /// Rows read (valid or not).
    pub rows_read: u64,
    /// Rows kept after filters and summed.
    pub rows_kept: u64,
    /// Invalid rows skipped, by code (only with `skip_invalid`).
    pub skipped: BTreeMap<Code, u64>,
    /// The first skipped row's error (in path order), for the message.
    pub first_skipped: Option<String>,
    /// Warnings for stderr: the files' header findings (an unknown column,
    /// S004, whose values are not read), then rows attributed by start,
    /// then filters (`from`, `to`, `days`, `hours`) that kept no row
    /// (SPEC 9.2: "no row kept by `from`/`to` (96 rows read)").
    pub warnings: Vec<String>,
}

/// One output row: a key and a bucket, with its metrics.
#[derive(Clone, Debug, PartialEq)]
pub struct RollupRecord {
    keys: Vec<String>,
    start: DateTime<FixedOffset>,
    end: DateTime<FixedOffset>,
    metrics: Metrics,
}

impl RollupRecord {
    /// The key column values, in the order of [`RollupTable::key_columns`].
    pub fn keys(&self) -> &[String] {
        &self.keys
    }
    /// The bucket start, with the bucket zone's offset.
    pub fn bucket_start(&self) -> DateTime<FixedOffset> {
        self.start
    }
    /// The bucket end (exclusive), with the bucket zone's offset.
    pub fn bucket_end(&self) -> DateTime<FixedOffset> {
        self.end
    }
    /// The metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }
    /// The queue metrics, for a Queue Statistics rollup.
    pub fn queue(&self) -> Option<&QueueMetrics> {
        match &self.metrics {
            Metrics::Queue(m) => Some(m),
            _ => None,
        }
    }
    /// The agent metrics, for an Agent Extended rollup.
    pub fn agent_ext(&self) -> Option<&AgentExtMetrics> {
        match &self.metrics {
            Metrics::AgentExt(m) => Some(m),
            _ => None,
        }
    }
    /// The agent metrics, for an Agent Statistics rollup.
    pub fn agent(&self) -> Option<&AgentMetrics> {
        match &self.metrics {
            Metrics::Agent(m) => Some(m),
            _ => None,
        }
    }
}

/// A finished rollup: records sorted by key columns then bucket start.
#[derive(Clone, Debug, PartialEq)]
pub struct RollupTable {
    kind: ReportKind,
    grouping: Grouping,
    interval: BucketInterval,
    tz: Tz,
    options: MetricOptions,
    columns: MetricColumns,
    records: Vec<RollupRecord>,
    stats: RollupStats,
    answer: Arc<AnalyticsAnswer>,
    week_start: WeekStart,
    /// The `from`/`to` bounds, when both were given.
    range: Option<(i64, i64)>,
}

impl RollupRecord {
    pub(super) fn new(
        keys: Vec<String>,
        start: DateTime<FixedOffset>,
        end: DateTime<FixedOffset>,
        metrics: Metrics,
    ) -> Self {
        RollupRecord {
            keys,
            start,
            end,
            metrics,
        }
    }
}

impl RollupTable {
    /// Its records replaced by `records`, of buckets of `interval`.
    pub(super) fn replace_records(&mut self, records: Vec<RollupRecord>, interval: BucketInterval) {
        self.records = records;
        self.interval = interval;
    }
    /// The first day of a week bucket.
    pub(super) fn week_start(&self) -> WeekStart {
        self.week_start
    }
    /// Keeps the records of the first `n` keys.
    pub(super) fn keep_first_keys(&mut self, n: usize) {
        let mut keys = 0;
        let cut = (0..self.records.len()).find(|&i| {
            keys += usize::from(i == 0 || self.records[i - 1].keys != self.records[i].keys);
            keys > n
        });
        self.records.truncate(cut.unwrap_or(self.records.len()));
    }
    /// The start of every `interval` bucket of the range the rows were
    /// limited to (`from` and `to`, both given), empty ones too, in order:
    /// the points of an Analytics timeline (`interval` the table's), the
    /// buckets an Average is over. `None` without both bounds, and for the
    /// `native` and `total` intervals (no grid); an error past a million
    /// buckets.
    pub fn range_bucket_starts(
        &self,
        interval: BucketInterval,
    ) -> Result<Option<Vec<DateTime<FixedOffset>>>> {
        range_bucket_starts(self.tz, interval, self.week_start, self.range)
    }
    /// What the table's Analytics response answers
    /// ([`Rollup::analytics`](super::Rollup::analytics)).
    pub fn analytics_answer(&self) -> &AnalyticsAnswer {
        &self.answer
    }
    /// The report rolled up.
    pub fn kind(&self) -> ReportKind {
        self.kind
    }
    /// The grouping.
    pub fn grouping(&self) -> Grouping {
        self.grouping
    }
    /// The bucket interval.
    pub fn interval(&self) -> BucketInterval {
        self.interval
    }
    /// The bucket zone.
    pub fn tz(&self) -> Tz {
        self.tz
    }
    /// The metric options used.
    pub fn options(&self) -> MetricOptions {
        self.options
    }
    /// The key columns (`queue, queue_name`, ..., or none for `all`).
    pub fn key_columns(&self) -> &'static [&'static str] {
        self.grouping.key_columns()
    }
    /// The metric columns the writers print: every metric column of the
    /// report, or the selection made with [`Rollup::columns`](super::Rollup::columns). Records
    /// keep every metric whatever the selection ([`RollupRecord::metrics`]).
    ///
    /// ```
    /// use ringcx_reports::rollup::Rollup;
    /// use ringcx_reports::{AgentExtRow, ReaderBuilder};
    /// let data = "15,20240304,08:00,42,Alena,5686,Sales,300,30,2,1\n";
    /// let mut reader = ReaderBuilder::new().from_bytes("a.csv", data.into())?;
    /// let table = Rollup::new().run_rows(reader.rows::<AgentExtRow>())?;
    /// assert_eq!(table.metric_columns().len(), 10);
    /// let mut reader = ReaderBuilder::new().from_bytes("a.csv", data.into())?;
    /// let table = Rollup::new()
    ///     .columns(["aht_s", "answered"])
    ///     .run_rows(reader.rows::<AgentExtRow>())?;
    /// let cols = table.metric_columns();
    /// assert_eq!(cols.names().collect::<Vec<_>>(), ["aht_s", "answered"]);
    /// let m = table.records()[0].metrics();
    /// let cells: Vec<String> = cols.indexed().map(|(i, _)| format!("{:?}", m.cell(i))).collect();
    /// assert_eq!(cells, ["Ratio(Some(165.00))", "Int(2)"]);
    /// # Ok::<(), ringcx_reports::Error>(())
    /// ```
    pub fn metric_columns(&self) -> &MetricColumns {
        &self.columns
    }
    /// The records, sorted.
    pub fn records(&self) -> &[RollupRecord] {
        &self.records
    }
    /// What was read, kept and skipped.
    pub fn stats(&self) -> &RollupStats {
        &self.stats
    }
    /// The metrics of several records' summed sums (e.g. a key's total
    /// over its buckets); `None` for no records or on overflow.
    pub fn combine<'a>(
        &self,
        records: impl IntoIterator<Item = &'a RollupRecord>,
    ) -> Option<Metrics> {
        let mut it = records.into_iter();
        let first = it.next()?.metrics;
        let mut m = first;
        for r in it {
            m = match (m, r.metrics) {
                (Metrics::Queue(mut a), Metrics::Queue(b)) => {
                    a.sums.merge(&b.sums);
                    Metrics::Queue(QueueMetrics::new(a.sums, self.options)?)
                }
                (Metrics::AgentExt(mut a), Metrics::AgentExt(b)) => {
                    a.sums.merge(&b.sums);
                    Metrics::AgentExt(AgentExtMetrics::new(a.sums)?)
                }
                (Metrics::Agent(mut a), Metrics::Agent(b)) => {
                    a.sums.merge(&b.sums);
                    Metrics::Agent(a)
                }
                _ => return None,
            };
        }
        let overflow = match &m {
            Metrics::Queue(q) => q.sums.overflowed(),
            Metrics::AgentExt(q) => q.sums.overflowed(),
            Metrics::Agent(q) => q.sums.overflowed(),
        };
        overflow.is_none().then_some(m)
    }
}

/// The warnings of the misfit rows, or the error refusing them.
fn misfit_warnings<S>(plan: &Plan, partial: &Partial<S>) -> Result<Vec<String>> {
    let mut warnings = Vec::new();
    let (map, option) = match plan.grouping {
        Grouping::QueueGroup => (&plan.queue_groups, OptionName::QueueGroups),
        Grouping::AgentGroup => (&plan.agent_groups, OptionName::AgentGroups),
        _ => (&None, OptionName::By),
    };
    if let Some(n) = map
        .as_ref()
        .map(|m| m.in_several_groups())
        .filter(|n| *n > 0)
    {
        warnings.push(format!(
            "{n} id(s) of the {option} map are in more than one group: their rows count in \
             each, so the groups add up to more than the whole"
        ));
    }
    if partial.straddled > 0 {
        // SPEC 8.1: a bound off the rows' grid is kept exactly, and said.
        warnings.push(format!(
            "{} row(s) straddle a {}/{} bound (a request's timeFrom/timeTo): each is kept or \
             dropped whole by its start",
            partial.straddled,
            OptionName::From,
            OptionName::To
        ));
    }
    if let Some(m) = &partial.first_misfit {
        let what = format!(
            "{} row(s) do not nest in {} buckets in {} (first: {}:{}, a {}-minute row starting {})",
            partial.misfits,
            plan.interval,
            plan.tz.name(),
            m.file,
            m.line,
            m.minutes,
            m.start
        );
        match plan.attribution {
            Attribution::Nest => {
                let valid: Vec<&str> = BucketInterval::ALL
                    .into_iter()
                    .filter(|b| b.bit() & partial.misfit_bits == 0)
                    .map(|b| b.as_str())
                    .collect();
                return Err(Error::usage(format!(
                    "{what}; choose {} {} or add {} start to put each row \
                     in the bucket of its start",
                    OptionName::Interval,
                    valid.join(", "),
                    OptionName::Attribution
                )));
            }
            Attribution::Start => warnings.push(format!(
                "{what}; attributed to the bucket of their start ({} start)",
                OptionName::Attribution
            )),
        }
    }
    Ok(warnings)
}

/// The key column values of an engine key.
fn key_values(plan: &Plan, key: &str, names: &[NamePick; 2]) -> Vec<String> {
    let name = |i: usize| names[i].name().to_owned();
    match plan.grouping {
        Grouping::Queue | Grouping::Agent => vec![key.to_string(), name(0)],
        Grouping::AgentQueue => {
            let (a, q) = key.split_once('\u{1f}').unwrap_or((key, ""));
            vec![a.to_owned(), name(0), q.to_owned(), name(1)]
        }
        Grouping::QueueGroup | Grouping::AgentGroup => vec![key.to_string()],
        Grouping::All => Vec::new(),
    }
}

/// The bounds and metrics of one bucket; an error when a sum overflowed.
fn bucket_metrics<S: Measured>(
    plan: &Plan,
    keys: &[String],
    (bs, be): (i64, i64),
    span: (i64, i64),
    sums: &S,
) -> Result<(i64, i64, Metrics)> {
    let (bs, be) = match plan.interval {
        BucketInterval::Total => span,
        _ => (bs, be),
    };
    let overflow = |col: &str| sum_overflow(col, keys, &plan.tz, bs);
    if let Some(col) = sums.overflowed() {
        return Err(overflow(col));
    }
    let metrics = sums
        .metrics(plan.metrics)
        .ok_or_else(|| overflow("offered or handle_s"))?;
    Ok((bs, be, metrics))
}

fn table_of(plan: &Plan, records: Vec<RollupRecord>, stats: RollupStats) -> RollupTable {
    RollupTable {
        kind: plan.kind,
        grouping: plan.grouping,
        interval: plan.interval,
        tz: plan.tz,
        options: plan.metrics,
        columns: plan.columns.clone(),
        records,
        stats,
        answer: plan.answer.clone(),
        week_start: plan.week_start,
        range: plan.filter.from.zip(plan.filter.to),
    }
}

pub(crate) fn finish<T: RollupRow>(
    plan: &Plan,
    partial: Partial<T::Sums>,
    skips: Skips,
    read: u64,
    kept: u64,
) -> Result<RollupTable> {
    let mut warnings = misfit_warnings(plan, &partial)?;
    warnings.extend(plan.filter.nothing_kept("row", read, kept));
    let tz = plan.tz;
    let span = partial.span.unwrap_or((0, 0));
    let mut records = Vec::new();
    for (key, state) in partial.keys {
        let keys = key_values(plan, &key, &state.names);
        for (b, sums) in state.buckets {
            let (bs, be, metrics) = bucket_metrics(plan, &keys, b, span, &sums)?;
            records.push(RollupRecord {
                keys: keys.clone(),
                start: in_zone(&tz, bs),
                end: in_zone(&tz, be),
                metrics,
            });
        }
    }
    let ncols = plan.grouping.key_columns().len();
    let numeric: Vec<bool> = (0..ncols)
        .map(|c| records.iter().all(|r| is_integer(&r.keys[c])))
        .collect();
    records.sort_by(|a, b| {
        cmp_keys(&a.keys, &b.keys, &numeric)
            .then_with(|| a.start.timestamp().cmp(&b.start.timestamp()))
            .then_with(|| a.end.timestamp().cmp(&b.end.timestamp()))
    });
    Ok(table_of(
        plan,
        records,
        RollupStats {
            rows_read: read,
            rows_kept: kept,
            skipped: skips.by_code,
            first_skipped: skips.first.map(|f| f.1),
            warnings,
        },
    ))
}
