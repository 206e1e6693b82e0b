//! Calls: service level, abandon rate, ASA, AHT and transfers from
//! interaction metadata (SPEC 5.1), per agent, agent group, direction,
//! channel or all, in DST-correct time buckets.
//!
//! A *call* is one interaction (v2 `interactionId`, cx v1 dialog),
//! assembled from its segments by [`Interactions`] as `rcx interactions`
//! does, and judged by [`Call`]: answered when it has an agent segment,
//! its wait the first agent segment's start − its start (unanswered: its
//! end − its start; a negative wait counts as 0 and is counted in the
//! run's warnings), its handle time the Σ of its agent segment spans (talk
//! only: the export has no wrap-up time), its agent legs after the first
//! transfers or conference legs. [`Calls`] sums calls per key and bucket
//! ([`CallSums`]): a call belongs to the bucket of its start and is kept
//! or dropped by its start ([`Window`]). The columns are a catalogue
//! ([`CALL_COLUMNS`]); service level and abandon rate use the interval
//! reports' formulas and options ([`MetricOptions`]).
//!
//! What the data cannot give is left empty, never invented: v2 exports
//! list agent legs only, so a v2 call is never seen abandoned and the
//! abandon rate of v2 data is empty (its offered calls are left out of the
//! rate's denominator, [`CallSums::abandon_offered`]).
//!
//! Under `--by agent` and `--by agent-group` a call goes to its *first*
//! agent; an unanswered call has none and goes to the empty key (an empty
//! `agent_id` or `agent_group`), so its abandon counts stay in the table.
//! Keys sort as SPEC 4.4 says, a column numerically only when every value
//! in it is an integer: with an empty key present, agent ids sort as text.
//!
//! ```
//! use ringcx_reports::calls::Calls;
//! use ringcx_reports::window::BucketInterval;
//! use ringcx_reports::ReaderBuilder;
//! // One inbound dialog answered after 12 s, one abandoned after 3 s.
//! let data = r#"
//! {"interactionId": "A", "dialogId": "a", "dialogOrigination": "INBOUND", "dialogStartTimeMs": "2024-03-04T10:00:00Z", "segmentId": "1", "segmentType": "IVR", "segmentStartTimeMs": "2024-03-04T10:00:00Z", "segmentEndTimeMs": "2024-03-04T10:00:12Z"}
//! {"interactionId": "A", "dialogId": "a", "dialogOrigination": "INBOUND", "dialogStartTimeMs": "2024-03-04T10:00:00Z", "segmentId": "2", "segmentType": "AGENT", "segmentParticipantId": "7", "segmentStartTimeMs": "2024-03-04T10:00:12Z", "segmentEndTimeMs": "2024-03-04T10:05:12Z"}
//! {"interactionId": "B", "dialogId": "b", "dialogOrigination": "INBOUND", "dialogStartTimeMs": "2024-03-04T10:30:00Z", "segmentId": "1", "segmentType": "IVR", "segmentStartTimeMs": "2024-03-04T10:30:00Z", "segmentEndTimeMs": "2024-03-04T10:30:03Z"}
//! "#;
//! let mut reader = ReaderBuilder::new().from_bytes("m.ndjson", data.into())?;
//! let table = Calls::new().interval(BucketInterval::Hour).run_segments(reader.segments())?;
//! let m = &table.records()[0].metrics;
//! assert_eq!((m.sums.offered, m.sums.answered, m.sums.abandoned), (2, 1, 1));
//! assert_eq!(m.sums.short_abandoned, 1); // 3 s < 5 s
//! // 1 within SL / (1 answered + 1 abandoned − 1 short)
//! assert_eq!(m.service_level_pct().unwrap().to_string(), "100.00");
//! assert_eq!(m.aht_ms(), Some(300_000));
//! # Ok::<(), ringcx_reports::Error>(())
//! ```

mod analytics;
mod call;
mod metrics;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;
use rayon::prelude::*;

pub(crate) use analytics::grouped_by;
pub use call::Call;
pub use metrics::{CallCell, CallColumns, CallMetrics, CallSums, CALL_COLUMNS};

use self::metrics::Thresholds;
use crate::error::{Error, Result};
use crate::model::{Segment, SegmentRead};
use crate::option::OptionName;
use crate::read::ReaderBuilder;
use crate::rollup::{AnalyticsAnswer, CallFilters, MetricOptions, ShortAbandons, SlFormula};
use crate::timeline::{Interaction, Interactions, LoadStats, TimelineBy};
use crate::window::{
    cmp_key, in_zone, is_integer, BucketInterval, Bucketer, Filter, WeekStart, Window,
};

/// The default service-level threshold, seconds (`--sl-threshold`).
pub const DEFAULT_SL_THRESHOLD_S: u32 = 20;
/// The default short-abandon threshold, seconds (`--short-abandon`).
pub const DEFAULT_SHORT_ABANDON_S: u32 = 5;

/// One row of a calls table: a key and a bucket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallsRecord {
    keys: Vec<String>,
    start: DateTime<FixedOffset>,
    end: DateTime<FixedOffset>,
    /// The sums and fractions.
    pub metrics: CallMetrics,
}

impl CallsRecord {
    /// The key column values (none for `all`).
    pub fn keys(&self) -> &[String] {
        &self.keys
    }
    /// Bucket start, with the bucket zone's offset.
    pub fn bucket_start(&self) -> DateTime<FixedOffset> {
        self.start
    }
    /// Bucket end (exclusive), with the bucket zone's offset.
    pub fn bucket_end(&self) -> DateTime<FixedOffset> {
        self.end
    }
}

/// What a calls run read, kept and noticed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallsStats {
    /// The load's statistics.
    pub load: LoadStats,
    /// Calls (interactions) assembled.
    pub calls_read: u64,
    /// Calls kept by the filters.
    pub calls_kept: u64,
    /// Kept calls whose wait was negative (an agent segment starting before
    /// the call, or an end before the start), counted as 0.
    pub negative_waits: u64,
    /// The first of them in call order (start, then id): its id.
    pub first_negative_wait: Option<String>,
    /// Kept calls without a direction (they count in `calls` and the
    /// handling columns, not in the INBOUND queue columns).
    pub no_direction: u64,
    /// Warnings for stderr (the load's are [`LoadStats::warnings`]).
    pub warnings: Vec<String>,
}

/// A finished calls table: records sorted by key (SPEC 4.4), then bucket
/// start.
#[derive(Clone, Debug, PartialEq)]
pub struct CallsTable {
    by: TimelineBy,
    interval: BucketInterval,
    tz: Tz,
    columns: CallColumns,
    records: Vec<CallsRecord>,
    stats: CallsStats,
    answer: Option<Arc<AnalyticsAnswer>>,
    week_start: WeekStart,
    /// The `from`/`to` bounds, when both were given.
    range: Option<(i64, i64)>,
    lists_unanswered: bool,
}

impl CallsTable {
    /// The grouping.
    pub fn by(&self) -> TimelineBy {
        self.by
    }
    /// The bucket interval.
    pub fn interval(&self) -> BucketInterval {
        self.interval
    }
    /// The bucket zone.
    pub fn tz(&self) -> Tz {
        self.tz
    }
    /// The key columns.
    pub fn key_columns(&self) -> &'static [&'static str] {
        self.by.key_columns()
    }
    /// The metric columns printed.
    pub fn columns(&self) -> &CallColumns {
        &self.columns
    }
    /// The records, sorted.
    pub fn records(&self) -> &[CallsRecord] {
        &self.records
    }
    /// What was read, kept and noticed.
    pub fn stats(&self) -> &CallsStats {
        &self.stats
    }
    /// What the table's Analytics response answers
    /// ([`Calls::analytics`]); `None` when none was asked for.
    pub fn analytics_answer(&self) -> Option<&AnalyticsAnswer> {
        self.answer.as_deref()
    }
    /// The start of every `interval` bucket of the range the calls were
    /// limited to (`from` and `to`, both given), empty ones too, in order
    /// (see [`RollupTable::range_bucket_starts`]).
    ///
    /// [`RollupTable::range_bucket_starts`]: crate::rollup::RollupTable::range_bucket_starts
    pub fn range_bucket_starts(
        &self,
        interval: BucketInterval,
    ) -> Result<Option<Vec<DateTime<FixedOffset>>>> {
        crate::window::range_bucket_starts(self.tz, interval, self.week_start, self.range)
    }
    /// Whether the data lists calls no agent took (cx v1 dialogs); v2
    /// exports list agent legs only.
    pub fn lists_unanswered(&self) -> bool {
        self.lists_unanswered
    }
}

/// The calls builder. Defaults as `rcx calls`: one key for all, hour
/// buckets, UTC, a 20 s service-level threshold, 5 s short abandons, the
/// default service-level formula, short abandons excluded.
///
/// The grouping is a [`TimelineBy`] (`agent`, `agent-group`, `direction`,
/// `channel`, `all`): for calls, agent and agent group are those of the
/// call's first agent segment.
#[derive(Clone, Debug)]
pub struct Calls {
    by: TimelineBy,
    window: Window,
    sl_threshold_s: u32,
    short_abandon_s: u32,
    options: MetricOptions,
    columns: CallColumns,
    skip_invalid: bool,
    answer: Option<Arc<AnalyticsAnswer>>,
}

impl Default for Calls {
    fn default() -> Self {
        Calls {
            by: TimelineBy::All,
            window: Window::default(),
            sl_threshold_s: DEFAULT_SL_THRESHOLD_S,
            short_abandon_s: DEFAULT_SHORT_ABANDON_S,
            options: MetricOptions::default(),
            columns: CallColumns::all(),
            skip_invalid: false,
            answer: None,
        }
    }
}

/// One fold's partial result: sums per key and bucket, the kept calls'
/// time range (for `total`), and counts.
#[derive(Default)]
struct Partial {
    cells: HashMap<Box<str>, HashMap<(i64, i64), CallSums>>,
    /// Calls folded.
    read: u64,
    kept: u64,
    range: Option<(i64, i64)>,
    negative: u64,
    /// The earliest start of a kept call with a negative wait, and the ids
    /// of those calls that start then (the first is chosen once every id
    /// is known, as call order compares ids).
    first_negative: Option<(i64, Vec<Box<str>>)>,
    /// Some call id is not an integer (call order compares ids as text).
    text_ids: bool,
    no_direction: u64,
    /// Some call read is of an export that lists unanswered calls.
    lists_unanswered: bool,
}

impl Partial {
    fn merge(mut self, o: Partial) -> Partial {
        if self.cells.len() < o.cells.len() {
            return o.merge(self);
        }
        for (k, m) in o.cells {
            let mine = self.cells.entry(k).or_default();
            for (b, v) in m {
                mine.entry(b).or_default().merge(&v);
            }
        }
        self.read += o.read;
        self.kept += o.kept;
        self.range = match (self.range, o.range) {
            (Some(a), Some(b)) => Some((a.0.min(b.0), a.1.max(b.1))),
            (a, b) => a.or(b),
        };
        self.negative += o.negative;
        self.first_negative = match (self.first_negative, o.first_negative) {
            (Some(mut a), Some(b)) => Some(match a.0.cmp(&b.0) {
                std::cmp::Ordering::Less => a,
                std::cmp::Ordering::Greater => b,
                std::cmp::Ordering::Equal => {
                    a.1.extend(b.1);
                    a
                }
            }),
            (a, b) => a.or(b),
        };
        self.text_ids |= o.text_ids;
        self.no_direction += o.no_direction;
        self.lists_unanswered |= o.lists_unanswered;
        self
    }

    /// The first call with a negative wait in call order (start, then id).
    fn first_negative(&self) -> Option<String> {
        let (_, ids) = self.first_negative.as_ref()?;
        let first = ids.iter().min_by(|a, b| cmp_key(a, b, !self.text_ids))?;
        Some(first.to_string())
    }
}

impl Calls {
    /// The bucket widths calls take (not `native`: a call has no source
    /// interval).
    pub const INTERVALS: &'static [BucketInterval] = &[
        BucketInterval::Min15,
        BucketInterval::Min30,
        BucketInterval::Hour,
        BucketInterval::Day,
        BucketInterval::Week,
        BucketInterval::Month,
        BucketInterval::Total,
    ];

    /// All calls under one key, hour buckets, UTC, default thresholds and
    /// formulas.
    pub fn new() -> Self {
        Self::default()
    }
    /// The grouping (default `all`).
    pub fn by(mut self, by: TimelineBy) -> Self {
        self.by = by;
        self
    }
    /// The current grouping.
    pub fn grouping(&self) -> TimelineBy {
        self.by
    }
    crate::window::window_setters!("calls", "15m, 30m, hour, day, week, month or total", "UTC");
    /// Answered within service level: wait ≤ this many seconds (default
    /// 20).
    pub fn sl_threshold(mut self, seconds: u32) -> Self {
        self.sl_threshold_s = seconds;
        self
    }
    /// Short abandon: an abandoned call that waited less than this many
    /// seconds (default 5).
    pub fn short_abandon(mut self, seconds: u32) -> Self {
        self.short_abandon_s = seconds;
        self
    }
    /// The service-level formula (SPEC 4.3).
    pub fn sl_formula(mut self, f: SlFormula) -> Self {
        self.options.sl_formula = f;
        self
    }
    /// Whether short abandons count (SPEC 4.3).
    pub fn short_abandons(mut self, s: ShortAbandons) -> Self {
        self.options.short_abandons = s;
        self
    }
    /// The metric columns printed (default all, SPEC 5.1 order).
    pub fn columns(mut self, c: CallColumns) -> Self {
        self.columns = c;
        self
    }
    /// Skip invalid segments (counted by code) instead of stopping.
    pub fn skip_invalid(mut self, yes: bool) -> Self {
        self.skip_invalid = yes;
        self
    }

    fn check(&self) -> Result<BucketInterval> {
        let interval = self.window.bucket_interval();
        if !Self::INTERVALS.contains(&interval) {
            return Err(Error::usage(format!(
                "{} native does not apply to calls (a call has no source interval); \
                 expected 15m, 30m, hour, day, week, month or total",
                OptionName::Interval
            )));
        }
        Ok(interval)
    }

    /// Reads files and runs, holding only the calls still open when the
    /// files are in time order ([`Interactions::fold_files`]: in parallel,
    /// path order, re-pulled copies of a segment in several files merged
    /// to the most complete one, a repeat within one file the T602 error).
    pub fn run_files<P: AsRef<Path> + Sync>(
        &self,
        paths: &[P],
        reader: &ReaderBuilder,
    ) -> Result<CallsTable> {
        let ctx = self.ctx()?;
        let bucketer = self.window.bucketer(ctx.tz);
        // Only the keys the calls need are converted (SegmentRead).
        let events = self.columns.read_recordings();
        let reader = reader.clone().segment_read(SegmentRead::Placing { events });
        let ((p, _), load) = Interactions::fold_files(
            paths,
            &reader,
            self.skip_invalid,
            || (Partial::default(), bucketer.clone()),
            |(p, b), i| ctx.add(p, b, i),
        )?;
        self.table(&ctx, p, load)
    }

    /// Loads segments of one source and runs.
    pub fn run_segments<I>(&self, segments: I) -> Result<CallsTable>
    where
        I: IntoIterator<Item = Result<Segment>>,
    {
        self.check()?;
        let ixns = Interactions::from_segments(segments, self.skip_invalid)?;
        self.run(&ixns)
    }

    /// The calls table of loaded interactions, on the current rayon pool.
    pub fn run(&self, ixns: &Interactions) -> Result<CallsTable> {
        self.run_with(ixns, true)
    }

    // Test oracle: the sequential path the parallel one is checked against
    // (tests); not part of the supported API.
    #[doc(hidden)]
    pub fn run_sequential(&self, ixns: &Interactions) -> Result<CallsTable> {
        self.run_with(ixns, false)
    }

    /// What judging and placing a call needs.
    fn ctx(&self) -> Result<Ctx> {
        let interval = self.check()?;
        let tz = self.window.zone_or(Tz::UTC);
        Ok(Ctx {
            by: self.by,
            tz,
            filter: self.window.filter(&tz),
            thresholds: Thresholds {
                sl_ms: i64::from(self.sl_threshold_s) * 1000,
                short_ms: i64::from(self.short_abandon_s) * 1000,
            },
            total: interval == BucketInterval::Total,
            interval,
            filters: self
                .answer
                .as_ref()
                .map(|a| a.filters.clone())
                .filter(|f| !f.asks_nothing()),
        })
    }

    fn run_with(&self, ixns: &Interactions, parallel: bool) -> Result<CallsTable> {
        let ctx = self.ctx()?;
        let bucketer = self.window.bucketer(ctx.tz);
        let list = ixns.interactions();
        let p = if parallel {
            list.par_iter()
                .fold(
                    || (Partial::default(), bucketer.clone()),
                    |(mut p, mut b), i| {
                        ctx.add(&mut p, &mut b, i);
                        (p, b)
                    },
                )
                .map(|(p, _)| p)
                .reduce(Partial::default, Partial::merge)
        } else {
            let (mut p, mut b) = (Partial::default(), bucketer);
            for i in list {
                ctx.add(&mut p, &mut b, i);
            }
            p
        };
        self.table(&ctx, p, ixns.stats().clone())
    }

    /// The table of a finished fold.
    fn table(&self, ctx: &Ctx, p: Partial, load: LoadStats) -> Result<CallsTable> {
        let (interval, tz, filter) = (ctx.interval, ctx.tz, &ctx.filter);
        // `total`: one bucket from the earliest kept call's start to the
        // latest kept call's end, in whole seconds.
        let range = p
            .range
            .map(|(lo, hi)| (lo.div_euclid(1000), -(-hi).div_euclid(1000)));
        let nkeys = self.by.key_columns().len();
        let first_negative_wait = p.first_negative();
        // An Analytics response has no record for the calls without a key
        // (no agent took them, no IVR, no company number).
        let no_key = match (&self.answer, self.by) {
            (Some(_), by) if by != TimelineBy::All => p
                .cells
                .get("")
                .map_or(0, |m| m.values().map(|s| s.calls).sum::<u64>()),
            _ => 0,
        };
        let mut records: Vec<CallsRecord> = p
            .cells
            .into_iter()
            .flat_map(|(key, m)| m.into_iter().map(move |(b, sums)| (key.clone(), b, sums)))
            .map(|(key, bucket, sums)| {
                let (bs, be) = match (ctx.total, range) {
                    (true, Some(r)) => r,
                    _ => bucket,
                };
                CallsRecord {
                    keys: if nkeys == 0 {
                        Vec::new()
                    } else {
                        vec![key.into()]
                    },
                    start: in_zone(&tz, bs),
                    end: in_zone(&tz, be),
                    metrics: CallMetrics::new(sums, self.options),
                }
            })
            .collect();
        let numeric = records.iter().all(|r| r.keys.iter().all(|k| is_integer(k)));
        records.sort_by(|a, b| {
            for (ka, kb) in a.keys.iter().zip(&b.keys) {
                let o = cmp_key(ka, kb, numeric);
                if o.is_ne() {
                    return o;
                }
            }
            a.start.timestamp().cmp(&b.start.timestamp())
        });
        let calls_read = p.read;
        let mut warnings: Vec<String> = filter
            .nothing_kept("call", calls_read, p.kept)
            .into_iter()
            .collect();
        if p.negative > 0 {
            warnings.push(format!(
                "{} call(s) have a negative wait (an agent segment starting before the call, \
                 or an end before the start), counted as 0 (first: interaction {})",
                p.negative,
                first_negative_wait.as_deref().unwrap_or("?")
            ));
        }
        if no_key > 0 {
            let why = match self.by {
                TimelineBy::Ivr => "went through no IVR;",
                TimelineBy::CompanyNumber => "have no company number;",
                _ => "no agent took have no user;",
            };
            warnings.push(format!(
                "{no_key} call(s) {why} the response has no record for them \
                 (grouping.groupBy {})",
                grouped_by(self.by).unwrap_or("?")
            ));
        }
        if p.no_direction > 0 {
            warnings.push(format!(
                "{} call(s) have no direction; they count in calls and the handling columns, \
                 not in the INBOUND queue columns",
                p.no_direction
            ));
        }
        Ok(CallsTable {
            by: self.by,
            interval,
            tz,
            columns: self.columns.clone(),
            records,
            stats: CallsStats {
                load,
                calls_read,
                calls_kept: p.kept,
                negative_waits: p.negative,
                first_negative_wait,
                no_direction: p.no_direction,
                warnings,
            },
            answer: self.answer.clone(),
            week_start: self.window.week_start_day(),
            range: filter.from.zip(filter.to),
            lists_unanswered: p.lists_unanswered,
        })
    }
}

/// What a fold needs to judge and place one call.
struct Ctx {
    by: TimelineBy,
    tz: Tz,
    filter: Filter,
    thresholds: Thresholds,
    total: bool,
    interval: BucketInterval,
    /// An Analytics request's filters, when they ask for anything.
    filters: Option<CallFilters>,
}

impl Ctx {
    /// Adds an interaction to `p` when the filters keep its start.
    fn add(&self, p: &mut Partial, b: &mut Bucketer, i: &Interaction) {
        let c = Call::of(i);
        p.read += 1;
        p.text_ids |= !is_integer(i.id());
        p.lists_unanswered |= c.shows_abandons;
        // Bounds are whole seconds, so the second of the start decides.
        let s = c.start.div_euclid(1000);
        if !self.filter.keeps(s, || in_zone(&self.tz, s).naive_local()) {
            return;
        }
        if let Some(f) = &self.filters {
            if !f.keeps(&analytics::facts(&c, i, self.by, self.thresholds)) {
                return;
            }
        }
        p.kept += 1;
        if c.raw_wait_ms < 0 {
            p.negative += 1;
            let start = i.start();
            match &mut p.first_negative {
                Some((s, ids)) if *s == start => ids.push(i.id().into()),
                Some((s, _)) if *s < start => {}
                f => *f = Some((start, vec![i.id().into()])),
            }
        }
        p.no_direction += u64::from(c.direction.is_none());
        let bucket = if self.total {
            let end = c.end.max(c.start);
            p.range = Some(
                p.range
                    .map_or((c.start, end), |(lo, hi)| (lo.min(c.start), hi.max(end))),
            );
            (0, 0)
        } else {
            b.info(s, 1).bucket
        };
        let key = c.key(self.by);
        let cells = match p.cells.get_mut(key) {
            Some(m) => m,
            None => p.cells.entry(key.into()).or_default(),
        };
        cells.entry(bucket).or_default().add(&c, self.thresholds);
    }
}
