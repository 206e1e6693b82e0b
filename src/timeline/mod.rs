//! Segment timelines and interaction chains from interaction metadata
//! (SPEC 5), for both export generations (v2 `interactionMetadata` and cx
//! v1 `interaction-metadata`).
//!
//! * A segment's span is `[contact start, contact end)`, or start +
//!   duration when the end is missing, in milliseconds
//!   (`PlacedSegment`); its recording spans come from the REC_START /
//!   REC_STOP events (`Recording`).
//! * [`Interactions`] assembles interactions from segments that may be
//!   anywhere in the files: segments ordered by start, then segment id;
//!   agent chain, transfers, handle and recorded time ([`Interaction`]).
//! * [`Timeline`] sums segments per key and bucket, with the
//!   buckets, zones and time filters of [`window`](crate::window) (SPEC
//!   4.2), as a rollup: a segment is kept or dropped by its start, then its
//!   whole span is split exactly at bucket boundaries.
//!
//! The timeline counts *every* segment (AGENT, IVR, BOT or untyped), as
//! SPEC 5 words each column: `segments_started` ("segments starting in the
//! bucket"), `handle_s` ("the part of every segment span that falls inside
//! the bucket"), `recorded_s`, `peak_concurrency` and `avg_segment_s`.
//! `interactions_started` is "counted for the key of the interaction's
//! first segment", the first in segment order whatever its type (an
//! interaction answered by an IVR starts under the IVR segment's key).
//! `transfers` are "agent segments after their interaction's first": agent
//! segments (type `AGENT`, or untyped with an agent id) after the
//! interaction's first agent segment, as in `rcx interactions`. A segment
//! without an agent id has the empty `agent_id` key, and the group
//! `(unmapped)` when it has no agent group. `rcx interactions` keeps
//! `agents`, `transfers` and `handle_s` to agent segments
//! ([`Interaction::handle_ms`]).
//!
//! ```
//! use ringcx_reports::window::BucketInterval;
//! use ringcx_reports::timeline::{Timeline, TimelineBy};
//! use ringcx_reports::ReaderBuilder;
//! // One call: agent 11 from 10:14 to 10:17, then agent 12 until 10:20.
//! let data = r#"[
//!  {"interactionId": 5, "segmentID": 1, "segmentAgentId": 11,
//!   "segmentContactStartTimeMs": "2024-03-04T10:14:00Z", "segmentContactEndTimeMs": "2024-03-04T10:17:00Z"},
//!  {"interactionId": 5, "segmentID": 2, "segmentAgentId": 12,
//!   "segmentContactStartTimeMs": "2024-03-04T10:17:00Z", "segmentDuration": 180}]"#;
//! let mut reader = ReaderBuilder::new().from_bytes("m.json", data.into())?;
//! let table = Timeline::new()
//!     .by(TimelineBy::All)
//!     .interval(BucketInterval::Min15)
//!     .run_segments(reader.segments())?;
//! let r = table.records();
//! assert_eq!(r.len(), 2);
//! assert_eq!(r[0].bucket_start().to_rfc3339(), "2024-03-04T10:00:00+00:00");
//! assert_eq!((r[0].sums.handle_ms, r[1].sums.handle_ms), (60_000, 300_000));
//! assert_eq!((r[1].sums.segments_started, r[1].sums.transfers), (1, 1));
//! assert_eq!(r[1].sums.peak_concurrency, 1);
//! # Ok::<(), ringcx_reports::Error>(())
//! ```

mod chunked;
mod engine;
mod interaction;
mod load;
mod segment;
mod sink;
mod spill;
mod stream;
mod unit;

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;

pub use interaction::Interaction;
pub use load::{Counted, Interactions, LoadStats};
pub(crate) use segment::PlacedSegment;
pub use segment::UNMAPPED_GROUP;
pub(crate) use sink::Sink;
pub(crate) use stream::fold_into;
pub use stream::LATENESS_MS;

use self::engine::{unpack_cell, Engine, Folded, PackedCells};
use crate::error::{Error, Result};
use crate::model::Segment;
use crate::option::OptionName;
use crate::read::chunk::DEFAULT_CHUNK;
use crate::read::ReaderBuilder;
use crate::runs::{get_varint, put_varint, TEMP};
use crate::window::{cmp_key, in_zone, is_integer, BucketInterval, Window};

/// What timeline rows are keyed by (`--by`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[non_exhaustive]
pub enum TimelineBy {
    /// Per agent: `agent_id` (the default of timelines; calls: the first agent).
    #[default]
    Agent,
    /// Per agent group: `agent_group` (`(unmapped)` for none).
    AgentGroup,
    /// Per direction (`INBOUND`, `OUTBOUND`): `direction`.
    Direction,
    /// Per channel type (`VOICE`, `ENGAGE_MESSAGING`, …): `channel`.
    Channel,
    /// Per company number: `company_number` (the called address of an
    /// INBOUND call or one without a direction, the calling address of an
    /// OUTBOUND one).
    CompanyNumber,
    /// Per IVR: `ivr_id`, an IVR segment's participant id (calls: the
    /// first IVR the call went through).
    Ivr,
    /// One key: no key column.
    All,
}

impl TimelineBy {
    /// Every grouping.
    pub const ALL: [TimelineBy; 7] = [
        TimelineBy::Agent,
        TimelineBy::AgentGroup,
        TimelineBy::Direction,
        TimelineBy::Channel,
        TimelineBy::CompanyNumber,
        TimelineBy::Ivr,
        TimelineBy::All,
    ];
    /// The command-line name.
    pub const fn as_str(self) -> &'static str {
        match self {
            TimelineBy::Agent => "agent",
            TimelineBy::AgentGroup => "agent-group",
            TimelineBy::Direction => "direction",
            TimelineBy::Channel => "channel",
            TimelineBy::CompanyNumber => "company-number",
            TimelineBy::Ivr => "ivr",
            TimelineBy::All => "all",
        }
    }
    /// The key columns printed.
    pub const fn key_columns(self) -> &'static [&'static str] {
        match self {
            TimelineBy::Agent => &["agent_id"],
            TimelineBy::AgentGroup => &["agent_group"],
            TimelineBy::Direction => &["direction"],
            TimelineBy::Channel => &["channel"],
            TimelineBy::CompanyNumber => &["company_number"],
            TimelineBy::Ivr => &["ivr_id"],
            TimelineBy::All => &[],
        }
    }
    /// The key of a segment under this grouping (empty for `all`, for a
    /// segment other than an IVR's under `ivr`, and for a missing agent
    /// id, direction, channel or company number).
    pub fn key_of(self, seg: &PlacedSegment) -> &str {
        engine::key_of(self, seg)
    }
}

impl fmt::Display for TimelineBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TimelineBy {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        TimelineBy::ALL
            .into_iter()
            .find(|g| g.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!(
                    "unknown timeline grouping {s:?}; expected one of {}",
                    TimelineBy::ALL.map(|g| g.as_str()).join(", ")
                )
            })
    }
}

/// Sums of one key and bucket, in milliseconds and counts.
///
/// With the `serde` feature it serializes as it is: its field names, in
/// milliseconds (a [`TimelineRecord`] serializes as `rcx timeline` prints,
/// in seconds).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct TimelineSums {
    /// Segments starting in the bucket.
    pub segments_started: u64,
    /// Interactions whose first segment (any type) starts in the bucket
    /// (for that segment's key).
    pub interactions_started: u64,
    /// The part of every span inside the bucket.
    pub handle_ms: i64,
    /// The part of every recording span inside the bucket.
    pub recorded_ms: i64,
    /// The largest number of the key's segments open at one instant of the
    /// bucket.
    pub peak_concurrency: u64,
    /// Σ whole span of the segments starting in the bucket.
    pub started_span_ms: i64,
    /// Agent segments after their interaction's first, starting in the
    /// bucket.
    pub transfers: u64,
}

impl TimelineSums {
    /// Appends the sums to `out` as varints (see `crate::runs`); the spans
    /// as their two's complement bits, so that any value comes back.
    pub(crate) fn pack(&self, out: &mut Vec<u8>) {
        for v in [
            self.segments_started,
            self.interactions_started,
            self.handle_ms as u64,
            self.recorded_ms as u64,
            self.peak_concurrency,
            self.started_span_ms as u64,
            self.transfers,
        ] {
            put_varint(out, v);
        }
    }

    /// Reads sums [`pack`](Self::pack) wrote at `at`, moving `at`.
    pub(crate) fn unpack(buf: &[u8], at: &mut usize) -> TimelineSums {
        let mut v = || get_varint(buf, at);
        TimelineSums {
            segments_started: v(),
            interactions_started: v(),
            handle_ms: v() as i64,
            recorded_ms: v() as i64,
            peak_concurrency: v(),
            started_span_ms: v() as i64,
            transfers: v(),
        }
    }

    /// Adds `o` (peak: the larger).
    pub fn merge(&mut self, o: &TimelineSums) {
        self.segments_started += o.segments_started;
        self.interactions_started += o.interactions_started;
        self.handle_ms += o.handle_ms;
        self.recorded_ms += o.recorded_ms;
        self.peak_concurrency = self.peak_concurrency.max(o.peak_concurrency);
        self.started_span_ms += o.started_span_ms;
        self.transfers += o.transfers;
    }

    /// Mean span of the segments started, rounded half away from zero to
    /// the millisecond; `None` when none started.
    ///
    /// ```
    /// let s = ringcx_reports::timeline::TimelineSums {
    ///     segments_started: 3, started_span_ms: 1000, ..Default::default() };
    /// assert_eq!(s.avg_segment_ms(), Some(333));
    /// let s = ringcx_reports::timeline::TimelineSums {
    ///     segments_started: 2, started_span_ms: 1001, ..Default::default() };
    /// assert_eq!(s.avg_segment_ms(), Some(501)); // 500.5 → away from zero
    /// ```
    pub fn avg_segment_ms(&self) -> Option<i64> {
        if self.segments_started == 0 {
            return None;
        }
        let n = self.segments_started as i128;
        let s = self.started_span_ms as i128;
        Some(((2 * s + n) / (2 * n)) as i64)
    }
}

/// One timeline row: a key and a bucket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimelineRecord {
    keys: Vec<String>,
    start: DateTime<FixedOffset>,
    end: DateTime<FixedOffset>,
    /// The sums.
    pub sums: TimelineSums,
}

impl TimelineRecord {
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

/// What a timeline run read and kept.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TimelineStats {
    /// The load's statistics.
    pub load: LoadStats,
    /// Segments (every type) kept by the filters.
    pub segments_kept: u64,
    /// The run's warnings for stderr (the load's are
    /// [`LoadStats::warnings`]): filters (`from`, `to`, `days`, `hours`)
    /// that kept no segment (SPEC 9.2: "no segment kept by `from`/`to`
    /// (12 segments read)").
    pub warnings: Vec<String>,
}

/// A finished timeline whose records stay packed (and spilled) until they
/// are read, in the order of [`TimelineTable`]'s: see
/// [`Timeline::fold_files`].
pub struct PackedTimeline {
    by: TimelineBy,
    interval: BucketInterval,
    tz: Tz,
    stats: TimelineStats,
    cells: PackedCells,
    /// Key numbers in output order.
    order: Vec<usize>,
}

impl PackedTimeline {
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
    /// What was read, kept and warned about.
    pub fn stats(&self) -> &TimelineStats {
        &self.stats
    }

    /// The records, in order, each key's buckets read back from the
    /// temporary file when they are reached; an error of that file ends
    /// them.
    pub fn records(&self) -> impl Iterator<Item = Result<TimelineRecord>> + '_ {
        let with_key = !self.key_columns().is_empty();
        let mut keys = self.order.iter();
        // The key being read: its number, bytes, where and the start
        // before.
        let mut cur: Option<(usize, std::borrow::Cow<'_, [u8]>, usize, i64)> = None;
        std::iter::from_fn(move || loop {
            if let Some((k, bytes, at, prev)) = &mut cur {
                if *at < bytes.len() {
                    let ((bs, be), sums) = unpack_cell(bytes, at, prev);
                    let key = &self.cells.names[*k];
                    return Some(Ok(TimelineRecord {
                        keys: if with_key {
                            vec![key.to_string()]
                        } else {
                            Vec::new()
                        },
                        start: in_zone(&self.tz, bs.div_euclid(1000)),
                        end: in_zone(&self.tz, be.div_euclid(1000)),
                        sums,
                    }));
                }
            }
            let &k = keys.next()?;
            match self.cells.bytes.bytes(k) {
                Ok(bytes) => cur = Some((k, bytes, 0, 0)),
                Err(e) => {
                    keys = [].iter();
                    return Some(Err(Error::io(TEMP, e)));
                }
            }
        })
    }

    /// The records gathered in a table.
    pub fn into_table(self) -> Result<TimelineTable> {
        let records = self.records().collect::<Result<Vec<_>>>()?;
        Ok(TimelineTable {
            by: self.by,
            interval: self.interval,
            tz: self.tz,
            records,
            stats: self.stats,
        })
    }
}

impl fmt::Debug for PackedTimeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PackedTimeline")
            .field("by", &self.by)
            .field("interval", &self.interval)
            .field("tz", &self.tz)
            .field("keys", &self.order.len())
            .field("stats", &self.stats)
            .finish()
    }
}

/// A finished timeline: records sorted by key (numerically when every key
/// is an integer), then bucket start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimelineTable {
    by: TimelineBy,
    interval: BucketInterval,
    tz: Tz,
    records: Vec<TimelineRecord>,
    stats: TimelineStats,
}

impl TimelineTable {
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
    /// The records, sorted.
    pub fn records(&self) -> &[TimelineRecord] {
        &self.records
    }
    /// What was read, kept and skipped.
    pub fn stats(&self) -> &TimelineStats {
        &self.stats
    }
}

/// The metric columns of a timeline, in output order.
pub const TIMELINE_COLUMNS: [&str; 7] = [
    "segments_started",
    "interactions_started",
    "handle_s",
    "recorded_s",
    "peak_concurrency",
    "avg_segment_s",
    "transfers",
];

/// The timeline builder. Defaults as `rcx timeline`: by agent, hour
/// buckets, UTC.
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    by: TimelineBy,
    window: Window,
    skip_invalid: bool,
}

impl Timeline {
    /// The bucket widths a timeline takes (not `native` or `total`: a
    /// segment has no source interval, and a timeline is a series).
    pub const INTERVALS: &'static [BucketInterval] = &[
        BucketInterval::Min15,
        BucketInterval::Min30,
        BucketInterval::Hour,
        BucketInterval::Day,
        BucketInterval::Week,
        BucketInterval::Month,
    ];

    /// By agent, hour buckets, UTC.
    pub fn new() -> Self {
        Self::default()
    }
    /// The grouping.
    pub fn by(mut self, by: TimelineBy) -> Self {
        self.by = by;
        self
    }
    crate::window::window_setters!("segments", "15m, 30m, hour, day, week or month", "UTC");
    /// Skip invalid segments (counted by code) instead of stopping, when
    /// loading files or segments.
    pub fn skip_invalid(mut self, yes: bool) -> Self {
        self.skip_invalid = yes;
        self
    }

    fn engine(&self) -> Result<(Engine, BucketInterval, Tz)> {
        let interval = self.window.bucket_interval();
        if !Self::INTERVALS.contains(&interval) {
            return Err(Error::usage(format!(
                "{} {interval} does not apply to timelines; expected 15m, 30m, hour, \
                 day, week or month",
                OptionName::Interval
            )));
        }
        let tz = self.window.zone_or(Tz::UTC);
        let filter = self.window.filter(&tz);
        Ok((
            Engine::new(self.by, self.window.bucketer(tz), tz, filter),
            interval,
            tz,
        ))
    }

    /// The timeline of loaded interactions, on the current rayon pool.
    pub fn run(&self, ixns: &Interactions) -> Result<TimelineTable> {
        self.run_with(ixns, true)
    }

    /// [`run`](Self::run) on the current thread only: the reference the
    /// parallel path is tested against.
    // Test oracle: the sequential path the parallel one is checked against (tests, fuzz); not part of the supported API.
    #[doc(hidden)]
    pub fn run_sequential(&self, ixns: &Interactions) -> Result<TimelineTable> {
        self.run_with(ixns, false)
    }

    /// Reads files and runs, without holding the export: interactions are
    /// folded as they finish ([`Interactions::fold_files`]); each key's
    /// peak is swept up to where no segment can start any more, so memory
    /// holds the open interactions, the segments still open and the
    /// table. [`LoadStats::fold_note`] says when the files were not in
    /// time order and went another way. [`fold_files`](Self::fold_files)
    /// does not hold the table either.
    pub fn run_files<P: AsRef<Path> + Sync>(
        &self,
        paths: &[P],
        reader: &ReaderBuilder,
    ) -> Result<TimelineTable> {
        self.fold_files(paths, reader)?.into_table()
    }

    /// [`run_files`](Self::run_files) without gathering the table: each
    /// key's buckets are packed as they become final and spilled to a
    /// temporary file past a few MiB, so memory stays that of the open
    /// interactions and cells however long the export and its timeline.
    /// [`write_packed_timeline`](crate::write::write_packed_timeline)
    /// prints it as [`write_timeline`](crate::write::write_timeline)
    /// prints the table.
    pub fn fold_files<P: AsRef<Path> + Sync>(
        &self,
        paths: &[P],
        reader: &ReaderBuilder,
    ) -> Result<PackedTimeline> {
        self.fold_files_by(paths, reader, DEFAULT_CHUNK)
    }

    /// [`fold_files`](Self::fold_files) with chunks of about `chunk` bytes.
    // Tests: small chunks make many windows of small files; not part of
    // the supported API.
    #[doc(hidden)]
    pub fn fold_files_by<P: AsRef<Path> + Sync>(
        &self,
        paths: &[P],
        reader: &ReaderBuilder,
        chunk: u64,
    ) -> Result<PackedTimeline> {
        let (engine, interval, tz) = self.engine()?;
        let mut sink = Folded::new(&engine, chunk);
        let load = stream::fold_into(paths, reader, self.skip_invalid, chunk, &mut sink)?;
        let (cells, kept) = sink.finish();
        let numeric = cells.names.iter().all(|k| is_integer(k));
        let mut order: Vec<usize> = (0..cells.names.len()).collect();
        order.sort_by(|&a, &b| cmp_key(&cells.names[a], &cells.names[b], numeric));
        Ok(PackedTimeline {
            by: self.by,
            interval,
            tz,
            stats: self.stats(&engine, load, kept),
            cells,
            order,
        })
    }

    /// Loads segments of one source and runs.
    pub fn run_segments<I>(&self, segments: I) -> Result<TimelineTable>
    where
        I: IntoIterator<Item = Result<Segment>>,
    {
        self.engine()?;
        let ixns = Interactions::from_segments(segments, self.skip_invalid)?;
        self.run(&ixns)
    }

    fn run_with(&self, ixns: &Interactions, parallel: bool) -> Result<TimelineTable> {
        let (engine, interval, tz) = self.engine()?;
        let (mut cells, kept) = engine.sums(ixns.interactions(), parallel);
        engine.peaks(ixns.interactions(), &mut cells, parallel);
        let load = ixns.stats().clone();
        Ok(self.table(&engine, interval, tz, cells.into_iter(), load, kept))
    }

    /// The sorted table of the cells.
    fn table<'a>(
        &self,
        engine: &Engine,
        interval: BucketInterval,
        tz: Tz,
        cells: impl Iterator<Item = ((&'a str, (i64, i64)), TimelineSums)>,
        load: LoadStats,
        kept: u64,
    ) -> TimelineTable {
        let nkeys = self.by.key_columns().len();
        let mut records: Vec<TimelineRecord> = cells
            .into_iter()
            .map(|((key, (bs, be)), sums)| TimelineRecord {
                keys: if nkeys == 0 {
                    Vec::new()
                } else {
                    vec![key.to_owned()]
                },
                start: in_zone(&tz, bs.div_euclid(1000)),
                end: in_zone(&tz, be.div_euclid(1000)),
                sums,
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
        TimelineTable {
            by: self.by,
            interval,
            tz,
            records,
            stats: self.stats(engine, load, kept),
        }
    }

    /// The statistics of a run that kept `kept` segments.
    fn stats(&self, engine: &Engine, load: LoadStats, kept: u64) -> TimelineStats {
        let warnings = engine
            .filter()
            .nothing_kept("segment", load.segments_read, kept)
            .into_iter()
            .collect();
        TimelineStats {
            load,
            segments_kept: kept,
            warnings,
        }
    }
}
