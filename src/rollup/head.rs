//! The first keys of a rollup result ([`RollupHead`]): what a reader that
//! shows only some keys (a chart's panels) needs, in memory that holds the
//! buckets of those keys alone, however many keys the result has. A head
//! may also hold at most so many buckets per key
//! ([`RollupOutput::head_fitting`]): the buckets are then merged into
//! those of a coarser interval, so that its memory does not grow with the
//! span either.

use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;

use super::engine::sum_overflow;
use super::metrics::{AgentExtMetrics, AgentMetrics, Measured, MetricOptions, Metrics};
use super::{QueueMetrics, RollupOutput, RollupRecord, RollupTable};
use crate::error::Result;
use crate::window::{in_zone, BucketInterval, Bucketer};

/// The first and last instants of a result's buckets.
pub type Span = (DateTime<FixedOffset>, DateTime<FixedOffset>);

/// The records of a rollup's first keys, with the number of keys and the
/// span of the buckets of all of them.
///
/// ```
/// use ringcx_reports::rollup::Rollup;
/// use ringcx_reports::ReaderBuilder;
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/queue_header.csv");
/// let head = Rollup::new().output_files(&[path], &ReaderBuilder::new())?.head(1)?;
/// assert_eq!(head.keys(), 2);
/// assert!(head.table().records().iter().all(|r| r.keys()[0] == "5686"));
/// let (start, end) = head.span().unwrap();
/// assert_eq!((start.to_rfc3339(), end.to_rfc3339()),
///     ("2024-03-04T08:00:00+00:00".into(), "2024-03-04T09:00:00+00:00".into()));
/// # Ok::<(), ringcx_reports::Error>(())
/// ```
#[derive(Debug)]
pub struct RollupHead {
    table: RollupTable,
    keys: usize,
    span: Option<Span>,
    merged_from: Option<BucketInterval>,
}

impl RollupHead {
    pub(super) fn new(
        table: RollupTable,
        keys: usize,
        span: Option<Span>,
        merged_from: Option<BucketInterval>,
    ) -> Self {
        RollupHead {
            table,
            keys,
            span,
            merged_from,
        }
    }
    /// The interval the rollup ran at, when its buckets were merged into
    /// the coarser ones of the table's [`interval`](RollupTable::interval)
    /// ([`RollupOutput::head_fitting`]); `None` when they were not.
    pub fn merged_from(&self) -> Option<BucketInterval> {
        self.merged_from
    }
    /// The records of the first keys, in output order; the options, stats
    /// and warnings of the whole run.
    pub fn table(&self) -> &RollupTable {
        &self.table
    }
    /// The keys of the whole result.
    pub fn keys(&self) -> usize {
        self.keys
    }
    pub(super) fn into_table(self) -> RollupTable {
        self.table
    }
    /// The earliest bucket start and the latest bucket end of the whole
    /// result; `None` without buckets.
    pub fn span(&self) -> Option<Span> {
        self.span
    }
}

/// The number of keys of `records` (in output order: a key's records are
/// consecutive) and the span of their buckets.
pub(crate) fn keys_and_span(records: &[RollupRecord]) -> (usize, Option<Span>) {
    let keys = records
        .iter()
        .enumerate()
        .filter(|(i, r)| *i == 0 || records[i - 1].keys() != r.keys())
        .count();
    let span = records
        .iter()
        .map(|r| r.bucket_start())
        .min()
        .zip(records.iter().map(|r| r.bucket_end()).max());
    (keys, span)
}

impl RollupOutput {
    /// The records of the first `max_keys` keys, with the number of keys
    /// and the span of all buckets. A packed result decodes every bucket
    /// once and keeps the first keys' alone.
    pub fn head(self, max_keys: usize) -> Result<RollupHead> {
        self.head_by(max_keys, None)
    }

    /// [`head`](Self::head), with at most about `max_buckets` buckets per
    /// key over the span of the result: when its buckets would be more,
    /// those of each key are merged (their sums added, the metrics
    /// computed again from them, as a rollup at that interval computes
    /// them) into the buckets of the finest coarser interval of `15m`,
    /// `30m`, `hour`, `day`, `week`, `month` that has at most that many
    /// (`month` when none has); [`RollupHead::merged_from`] then names the
    /// interval the rollup ran at. Memory holds `max_keys` × `max_buckets`
    /// records, however long the span.
    ///
    /// ```
    /// use ringcx_reports::rollup::Rollup;
    /// use ringcx_reports::window::BucketInterval;
    /// use ringcx_reports::ReaderBuilder;
    /// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/queue_header.csv");
    /// let run = Rollup::new().interval(BucketInterval::Min15);
    /// let head = run.output_files(&[path], &ReaderBuilder::new())?.head_fitting(1, 1)?;
    /// assert_eq!(head.merged_from(), Some(BucketInterval::Min15));
    /// // 08:00 to 08:30: two 15-minute buckets, one of 30 minutes.
    /// assert_eq!(head.table().interval(), BucketInterval::Min30);
    /// assert_eq!(head.table().records().len(), 1);
    /// # Ok::<(), ringcx_reports::Error>(())
    /// ```
    pub fn head_fitting(self, max_keys: usize, max_buckets: usize) -> Result<RollupHead> {
        self.head_by(max_keys, Some(max_buckets))
    }

    fn head_by(self, max_keys: usize, max_buckets: Option<usize>) -> Result<RollupHead> {
        let mut t = match self {
            RollupOutput::Table(t) => t,
            RollupOutput::Packed(p) => {
                return match max_buckets {
                    Some(m) => p.head_fitting(max_keys, m),
                    None => p.head(max_keys),
                }
            }
        };
        let (keys, span) = keys_and_span(t.records());
        let secs = span.map(|(a, b)| (a.timestamp(), b.timestamp()));
        let drawn = max_buckets.map_or(t.interval(), |m| fitting(t.interval(), secs, m));
        if drawn == t.interval() {
            t.keep_first_keys(max_keys);
            return Ok(RollupHead::new(t, keys, span, None));
        }
        let merge = Bucketer::new(t.tz(), drawn, t.week_start());
        let mut head = HeadBuilder::new(max_keys, t.tz(), t.options(), Some(merge));
        let records = t.records();
        for (i, r) in records.iter().enumerate() {
            if i == 0 || records[i - 1].keys() != r.keys() {
                head.key();
            }
            let (s, e) = (r.bucket_start().timestamp(), r.bucket_end().timestamp());
            head.bucket(r.keys(), s, e, *r.metrics())?;
        }
        let from = t.interval();
        let (records, _, _) = head.finish();
        t.replace_records(records, drawn);
        Ok(RollupHead::new(t, keys, span, Some(from)))
    }
}

/// The intervals a head may merge buckets into, finest first, with their
/// nominal length in seconds (a month as 28 days: never fewer buckets
/// counted than it has).
const COARSER: [(BucketInterval, i64); 6] = [
    (BucketInterval::Min15, 900),
    (BucketInterval::Min30, 1800),
    (BucketInterval::Hour, 3600),
    (BucketInterval::Day, 86_400),
    (BucketInterval::Week, 7 * 86_400),
    (BucketInterval::Month, 28 * 86_400),
];

/// The interval whose buckets over `span` (seconds) number at most `max`:
/// `run` when its own do (or it has no coarser one), else the finest
/// coarser one that does, else `month`. `native` buckets are counted as
/// 15 minutes, and merge into hours or coarser (a source interval is at
/// most an hour).
pub(crate) fn fitting(run: BucketInterval, span: Option<(i64, i64)>, max: usize) -> BucketInterval {
    let Some((a, b)) = span else {
        return run;
    };
    let max = i64::try_from(max).unwrap_or(i64::MAX);
    let fits = |len: i64| (b.saturating_sub(a).max(0) + len - 1) / len <= max;
    let (own, from) = match run {
        BucketInterval::Native => (900, 2),
        BucketInterval::Total => return run,
        _ => match COARSER.iter().position(|c| c.0 == run) {
            Some(i) => (COARSER[i].1, i + 1),
            None => return run,
        },
    };
    if fits(own) {
        return run;
    }
    COARSER[from.min(COARSER.len())..]
        .iter()
        .find(|c| fits(c.1))
        .map_or(BucketInterval::Month, |c| c.0)
}

/// The sums of two buckets' metrics, as one bucket's metrics; the column
/// whose sum passes `u64::MAX` when one does.
fn merged(a: &Metrics, b: &Metrics, options: MetricOptions) -> Result<Metrics, &'static str> {
    fn add<S: Measured>(a: &S, b: &S, options: MetricOptions) -> Result<Metrics, &'static str> {
        let mut s = a.clone();
        s.merge(b);
        if let Some(col) = s.overflowed() {
            return Err(col);
        }
        // As a rollup's bucket says it (`bucket_metrics`).
        s.metrics(options).ok_or("offered or handle_s")
    }
    match (a, b) {
        (Metrics::Queue(QueueMetrics { sums: x, .. }), Metrics::Queue(y)) => {
            add(x, &y.sums, options)
        }
        (Metrics::AgentExt(AgentExtMetrics { sums: x, .. }), Metrics::AgentExt(y)) => {
            add(x, &y.sums, options)
        }
        (Metrics::Agent(AgentMetrics { sums: x }), Metrics::Agent(y)) => add(x, &y.sums, options),
        _ => Err("metrics of different reports"),
    }
}

/// Builds a head from the buckets of a result, given in output order
/// (each key's in time order): the records of the first keys, the
/// number of keys and the span of all buckets, each key's buckets merged
/// into those of `merge` when it is given.
pub(super) struct HeadBuilder {
    max_keys: usize,
    tz: Tz,
    options: MetricOptions,
    merge: Option<Bucketer>,
    keys: usize,
    span: Option<(i64, i64)>,
    records: Vec<RollupRecord>,
    /// The merged bucket being added to: its key, start, end, metrics.
    open: Option<(Vec<String>, i64, i64, Metrics)>,
}

impl HeadBuilder {
    pub(super) fn new(
        max_keys: usize,
        tz: Tz,
        options: MetricOptions,
        merge: Option<Bucketer>,
    ) -> HeadBuilder {
        HeadBuilder {
            max_keys,
            tz,
            options,
            merge,
            keys: 0,
            span: None,
            records: Vec::new(),
            open: None,
        }
    }

    /// The next key starts.
    pub(super) fn key(&mut self) {
        self.close();
        self.keys += 1;
    }

    /// A bucket of the current key, `[s, e)` in seconds.
    pub(super) fn bucket(&mut self, keys: &[String], s: i64, e: i64, m: Metrics) -> Result<()> {
        self.span = Some(self.span.map_or((s, e), |(a, b)| (a.min(s), b.max(e))));
        if self.keys > self.max_keys {
            return Ok(());
        }
        let Some(merge) = &mut self.merge else {
            self.push(keys.to_vec(), s, e, m);
            return Ok(());
        };
        let (ms, me) = merge.info(s, 1).bucket;
        if let Some((k, os, _, om)) = &mut self.open {
            if *os == ms {
                *om = merged(om, &m, self.options)
                    .map_err(|col| sum_overflow(col, k, &self.tz, ms))?;
                return Ok(());
            }
        }
        self.close();
        self.open = Some((keys.to_vec(), ms, me, m));
        Ok(())
    }

    fn close(&mut self) {
        if let Some((k, s, e, m)) = self.open.take() {
            self.push(k, s, e, m);
        }
    }

    fn push(&mut self, keys: Vec<String>, s: i64, e: i64, metrics: Metrics) {
        let (start, end) = (in_zone(&self.tz, s), in_zone(&self.tz, e));
        self.records
            .push(RollupRecord::new(keys, start, end, metrics));
    }

    /// The records, the number of keys and the span of every bucket.
    pub(super) fn finish(mut self) -> (Vec<RollupRecord>, usize, Option<Span>) {
        self.close();
        let tz = self.tz;
        let span = self.span.map(|(s, e)| (in_zone(&tz, s), in_zone(&tz, e)));
        (self.records, self.keys, span)
    }
}
