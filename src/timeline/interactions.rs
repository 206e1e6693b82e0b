//! Segment spans, recording spans, and interactions assembled from their
//! segments (SPEC 5).
//!
//! Loading reads every file (files in parallel), turns each [`Segment`]
//! into a [`PlacedSegment`] (its span in milliseconds and its recording
//! spans) and groups it at once under its interaction id, per file. The
//! files' groups are then merged in path order, and duplicates are looked
//! for within each interaction: the first occurrence in path order, then
//! file order, is kept, and the error returned (or the first skipped
//! segment) is the one a sequential pass over the files would meet first.
//!
//! An interaction's segments may be anywhere in the files, so every placed
//! segment is held until all files are read: memory grows with the number
//! of segments, not with the bytes of the files. A placed segment is kept
//! small (about 150 bytes plus its segment id and recording spans): the
//! interaction id is held once per interaction, file names once per load,
//! and each distinct set of agent id, group, direction and channel once
//! per file ([`SegmentKeys`]).

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rayon::prelude::*;

use crate::diagnostic::Code;
use crate::error::{Error, Result};
use crate::model::{ReportKind, Segment, SegmentGeneration};
use crate::position::Position;
use crate::read::ReaderBuilder;
use crate::validate::segments::duplicate_error;
use crate::window::{cmp_key, is_integer};

/// The agent group of a segment that has none (SPEC 5).
pub const UNMAPPED_GROUP: &str = "(unmapped)";

/// Milliseconds since the Unix epoch.
fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// The recording of one segment: REC_START→REC_STOP spans from the events'
/// server times, clipped to the segment span.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recording {
    /// Disjoint spans `[start, end)` in milliseconds, in time order.
    pub spans: Box<[(i64, i64)]>,
    /// A REC_START had no REC_STOP: its span runs to the segment end.
    pub unmatched_start: bool,
    /// Repeated REC_STARTs and orphan REC_STOPs that were ignored.
    pub ignored_events: u32,
    /// Events without an `eventTimeMs`, which cannot be placed.
    pub untimed_events: u32,
}

impl Recording {
    /// Recording spans of `seg` within the segment span `[start, end)`
    /// (milliseconds). Events are taken in server-time order (file order
    /// among equal times): REC_START opens a span, REC_STOP closes it, so a
    /// pause is a STOP followed by a START. A START while a span is open and
    /// a STOP with none open are ignored; a span still open at the last
    /// event runs to the segment end.
    ///
    /// ```
    /// use ringcx_reports::timeline::Recording;
    /// use ringcx_reports::model::instant_from_millis;
    /// use ringcx_reports::{Segment, SegmentEvent};
    /// let ev = |t: i64, k: &str| SegmentEvent {
    ///     time: instant_from_millis(t), client_time: None, kind: k.into(), line: 0 };
    /// let mut seg = Segment::default();
    /// // start 1000, pause 4000–6000, a repeated START, no final STOP
    /// seg.events = Some(vec![ev(6000, "REC_START"), ev(1000, "REC_START"),
    ///     ev(4000, "REC_STOP"), ev(7000, "REC_START")]);
    /// let r = Recording::of(&seg, 0, 9000);
    /// assert_eq!(*r.spans, [(1000, 4000), (6000, 9000)]);
    /// assert!(r.unmatched_start);
    /// assert_eq!(r.ignored_events, 1);
    /// assert_eq!(r.total_ms(), 6000);
    /// ```
    pub fn of(seg: &Segment, start: i64, end: i64) -> Recording {
        let mut r = Recording::default();
        let Some(events) = &seg.events else {
            return r;
        };
        let mut spans: Vec<(i64, i64)> = Vec::new();
        let mut timed: Vec<(i64, bool)> = Vec::with_capacity(events.len());
        for e in events {
            let is_start = e.is_rec_start();
            if !is_start && !e.is_rec_stop() {
                continue;
            }
            match e.time {
                Some(t) => timed.push((ms(t), is_start)),
                None => r.untimed_events += 1,
            }
        }
        // Stable: events at the same instant keep their file order.
        timed.sort_by_key(|e| e.0);
        let mut open: Option<i64> = None;
        let mut push = |a: i64, b: i64| {
            let (a, b) = (a.max(start), b.min(end));
            if a < b {
                spans.push((a, b));
            }
        };
        for (t, is_start) in timed {
            match (is_start, open) {
                (true, None) => open = Some(t),
                (false, Some(o)) => {
                    push(o, t);
                    open = None;
                }
                _ => r.ignored_events += 1,
            }
        }
        if let Some(o) = open {
            r.unmatched_start = true;
            push(o, end);
        }
        // Exact size: a load holds every segment's recording.
        r.spans = spans.into_boxed_slice();
        r
    }

    /// Σ of the spans, milliseconds.
    pub fn total_ms(&self) -> i64 {
        self.spans.iter().map(|(a, b)| b - a).sum()
    }
}

/// A segment placed in time: what timelines and interaction rows need of
/// it. Kept small, since a load holds every segment until all files are
/// read: the interaction id lives once in its [`Interaction`], the file
/// name once in the load, and agent, group, direction and channel are
/// shared ([`SegmentKeys`]) rather than copied per segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlacedSegment {
    /// Its index in path order among the files of the run.
    pub file_idx: u32,
    /// Where it was read.
    pub pos: Position,
    /// The line of its segment id's value (what a T602 error names).
    pub segment_id_line: u64,
    /// The export generation.
    pub generation: SegmentGeneration,
    /// An agent's leg (type `AGENT`, or no type and an agent id) rather
    /// than an IVR or bot segment.
    pub is_agent: bool,
    /// The segment id.
    pub segment_id: Box<str>,
    /// Agent, group, direction and channel, shared with every segment of
    /// the file that has the same four.
    pub keys: Arc<SegmentKeys>,
    /// Span start, ms since the epoch.
    pub start: i64,
    /// Span end (exclusive), ms: the contact end, else start + duration.
    pub end: i64,
    /// The recording inside the span.
    pub recording: Recording,
    /// The interaction's own start (v2 interaction start, cx v1 dialog
    /// start), ms.
    pub interaction_start: Option<i64>,
    /// The interaction's own end: cx v1 dialog end, else that start plus
    /// the interaction duration, ms.
    pub interaction_end: Option<i64>,
}

/// The texts a segment is keyed by in timelines. Few distinct sets occur
/// (agents × groups × directions × channels), so segments share them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct SegmentKeys {
    /// The agent id, if any.
    pub agent_id: Option<Box<str>>,
    /// The agent group id, if any.
    pub agent_group: Option<Box<str>>,
    /// `interactionDirection` (v2) or `dialogOrigination` (cx v1).
    pub direction: Option<Box<str>>,
    /// `channelType` (cx v1); `VOICE` for v2.
    pub channel: Option<Box<str>>,
}

type BorrowedKeys<'a> = [Option<&'a str>; 4];

impl SegmentKeys {
    fn borrowed(&self) -> BorrowedKeys<'_> {
        [
            self.agent_id.as_deref(),
            self.agent_group.as_deref(),
            self.direction.as_deref(),
            self.channel.as_deref(),
        ]
    }
}

/// Shares the [`SegmentKeys`] of one file's segments: one allocation per
/// distinct set, found by the hash of the borrowed texts (no allocation
/// per segment).
#[derive(Default)]
struct Interner {
    hasher: std::collections::hash_map::RandomState,
    sets: HashMap<u64, Vec<Arc<SegmentKeys>>>,
}

impl Interner {
    fn get(&mut self, k: BorrowedKeys<'_>) -> Arc<SegmentKeys> {
        let h = self.hasher.hash_one(k);
        let bucket = self.sets.entry(h).or_default();
        if let Some(a) = bucket.iter().find(|a| a.borrowed() == k) {
            return a.clone();
        }
        let b = |s: Option<&str>| s.map(Box::from);
        let a = Arc::new(SegmentKeys {
            agent_id: b(k[0]),
            agent_group: b(k[1]),
            direction: b(k[2]),
            channel: b(k[3]),
        });
        bucket.push(a.clone());
        a
    }
}

impl PlacedSegment {
    /// Places `seg`, read from `file` (the `file_idx`-th in path order):
    /// an error when it has no start (V104), no end and no duration
    /// (V104), or ends before it starts (T601, which the reader refuses
    /// already; a segment built by hand is checked here).
    ///
    /// ```
    /// use ringcx_reports::timeline::PlacedSegment;
    /// use ringcx_reports::model::instant_from_millis;
    /// use ringcx_reports::{Code, ReaderBuilder};
    /// let data = r#"[{"interactionId": 1, "segmentID": 1, "segmentAgentId": 7,
    ///   "segmentContactStartTimeMs": 60000, "segmentDuration": 2.5}]"#;
    /// let mut reader = ReaderBuilder::new().from_bytes("m.json", data.into())?;
    /// let mut seg = reader.segments().next().unwrap()?;
    /// let p = PlacedSegment::new(&seg, &"m.json".into(), 0)?;
    /// assert_eq!((p.start, p.end, p.is_agent), (60_000, 62_500, true));
    /// seg.segment_end = instant_from_millis(59_999);
    /// let e = PlacedSegment::new(&seg, &"m.json".into(), 0).unwrap_err();
    /// assert_eq!(e.code(), Some(Code::SegmentEndBeforeStart));
    /// # Ok::<(), ringcx_reports::Error>(())
    /// ```
    pub fn new(seg: &Segment, file: &Arc<str>, file_idx: u32) -> Result<PlacedSegment> {
        Self::place(seg, file, file_idx, &mut Interner::default())
    }

    fn place(
        seg: &Segment,
        file: &Arc<str>,
        file_idx: u32,
        texts: &mut Interner,
    ) -> Result<PlacedSegment> {
        let loc = |field: &'static str| seg.field_location(file, field);
        let start = seg.segment_start.ok_or_else(|| {
            Error::data(
                Code::EmptyRequired,
                loc("segment_start"),
                format!(
                    "segment {} of interaction {} has no start time, so it cannot be placed",
                    seg.segment_id, seg.interaction_id
                ),
                "",
            )
        })?;
        let end = seg.end_or_computed().ok_or_else(|| {
            Error::data(
                Code::EmptyRequired,
                loc("segment_end"),
                format!(
                    "segment {} of interaction {} has neither an end time nor a duration, so it \
                     cannot be placed",
                    seg.segment_id, seg.interaction_id
                ),
                "",
            )
        })?;
        seg.check_span(file, None)?;
        let (start, end) = (ms(start), ms(end));
        let is_agent = match seg.segment_type.as_deref() {
            Some(t) => t.trim().eq_ignore_ascii_case("AGENT"),
            None => seg.agent_id.is_some(),
        };
        let interaction_start = seg.interaction_start.map(ms);
        let interaction_end = seg.interaction_end.map(ms).or_else(|| {
            let d = i64::try_from(seg.interaction_duration_ms?).ok()?;
            interaction_start?.checked_add(d)
        });
        Ok(PlacedSegment {
            file_idx,
            pos: seg.pos,
            segment_id_line: seg.line_of("segment_id"),
            generation: seg.generation,
            is_agent,
            segment_id: seg.segment_id.as_str().into(),
            keys: texts.get([
                seg.agent_id.as_deref(),
                seg.agent_group_id.as_deref(),
                seg.direction.map(|d| d.as_str()),
                seg.channel_type.as_deref(),
            ]),
            start,
            end,
            recording: Recording::of(seg, start, end),
            interaction_start,
            interaction_end,
        })
    }

    /// The span length, milliseconds.
    pub fn span_ms(&self) -> i64 {
        self.end - self.start
    }

    /// The agent id, if any.
    pub fn agent_id(&self) -> Option<&str> {
        self.keys.agent_id.as_deref()
    }

    /// The agent group, `(unmapped)` when the segment has none.
    pub fn group(&self) -> &str {
        self.keys.agent_group.as_deref().unwrap_or(UNMAPPED_GROUP)
    }

    /// `interactionDirection` (v2) or `dialogOrigination` (cx v1), if any.
    pub fn direction(&self) -> Option<&str> {
        self.keys.direction.as_deref()
    }

    /// `channelType` (cx v1; `VOICE` for v2), if any.
    pub fn channel(&self) -> Option<&str> {
        self.keys.channel.as_deref()
    }
}

/// One interaction: its segments ordered by start, then segment id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interaction {
    id: Box<str>,
    segments: Box<[PlacedSegment]>,
    start: i64,
    end: i64,
}

impl Interaction {
    fn new(id: Box<str>, mut segments: Vec<PlacedSegment>) -> Interaction {
        // Segment ids compare numerically when all of the interaction's ids
        // are integers (v2 numbers them 1, 2, …, 10).
        let numeric = segments.iter().all(|s| is_integer(&s.segment_id));
        segments.sort_by(|a, b| {
            a.start
                .cmp(&b.start)
                .then_with(|| cmp_key(&a.segment_id, &b.segment_id, numeric))
        });
        let first = &segments[0];
        let last = &segments[segments.len() - 1];
        let own_start = segments.iter().find_map(|s| s.interaction_start);
        let own_end = segments.iter().find_map(|s| s.interaction_end);
        Interaction {
            start: own_start.unwrap_or(first.start),
            end: own_end.unwrap_or(last.end),
            id,
            segments: segments.into_boxed_slice(),
        }
    }
    /// `interactionId`.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// The segments, ordered by start, then segment id.
    pub fn segments(&self) -> &[PlacedSegment] {
        &self.segments
    }
    /// The interaction's own start (v2 interaction start, cx v1 dialog
    /// start), else its first segment's start; ms.
    pub fn start(&self) -> i64 {
        self.start
    }
    /// The interaction's own end (cx v1 dialog end, else its own start plus
    /// its duration), else its last segment's end; ms.
    pub fn end(&self) -> i64 {
        self.end
    }
    /// The first direction its segments give, in segment order.
    pub fn direction(&self) -> Option<&str> {
        self.segments.iter().find_map(PlacedSegment::direction)
    }
    /// The first channel its segments give, in segment order.
    pub fn channel(&self) -> Option<&str> {
        self.segments.iter().find_map(PlacedSegment::channel)
    }
    /// The agent segments, in segment order.
    pub fn agent_segments(&self) -> impl Iterator<Item = &PlacedSegment> {
        self.segments.iter().filter(|s| s.is_agent)
    }
    /// The agent ids of the agent segments, in order, joined by `>`
    /// (an agent segment without an agent id gives an empty part).
    pub fn agents(&self) -> String {
        let mut out = String::new();
        for (i, s) in self.agent_segments().enumerate() {
            if i > 0 {
                out.push('>');
            }
            out.push_str(s.agent_id().unwrap_or(""));
        }
        out
    }
    /// Agent segments after the first.
    pub fn transfers(&self) -> u64 {
        (self.agent_segments().count() as u64).saturating_sub(1)
    }
    /// Σ agent segment spans, ms.
    pub fn handle_ms(&self) -> i64 {
        self.agent_segments().map(PlacedSegment::span_ms).sum()
    }
    /// Σ recorded time of the agent segments, ms.
    pub fn recorded_ms(&self) -> i64 {
        self.agent_segments().map(|s| s.recording.total_ms()).sum()
    }
}

/// A finding counted over a run, with the first place it was seen.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counted {
    /// How many times.
    pub count: u64,
    /// The first (in path order, then file order): `file:line`.
    pub first: Option<String>,
    order: Option<(u32, u64)>,
}

impl Counted {
    fn add(&mut self, s: &PlacedSegment, files: &[Arc<str>]) {
        self.count += 1;
        let order = (s.file_idx, s.pos.record());
        if self.order.is_none_or(|o| order < o) {
            self.order = Some(order);
            self.first = Some(format!("{}:{}", files[s.file_idx as usize], s.pos.line()));
        }
    }
}

/// What loading read, kept, skipped and noticed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadStats {
    /// Segment objects read (valid or not).
    pub segments_read: u64,
    /// Segments placed in interactions.
    pub segments_placed: u64,
    /// Invalid segments skipped, by code (only with skip-invalid).
    pub skipped: BTreeMap<Code, u64>,
    /// The first skipped segment's error, in path order.
    pub first_skipped: Option<String>,
    /// Segments with a REC_START and no REC_STOP (the recording runs to
    /// the segment end).
    pub unmatched_rec_start: Counted,
    /// Segments with a repeated REC_START or an orphan REC_STOP (ignored).
    pub ignored_rec_events: Counted,
    /// Segments with recording events that have no `eventTimeMs`
    /// (ignored).
    pub untimed_rec_events: Counted,
    /// IVR and bot segments (no agent handle time).
    pub non_agent_segments: u64,
}

impl LoadStats {
    /// One line per thing worth a warning on stderr.
    pub fn warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        let line = |c: &Counted, what: &str| {
            format!(
                "{} segment(s) {what} (first: {})",
                c.count,
                c.first.as_deref().unwrap_or("?")
            )
        };
        if self.unmatched_rec_start.count > 0 {
            w.push(line(
                &self.unmatched_rec_start,
                "have a REC_START with no REC_STOP; the recording runs to the segment end",
            ));
        }
        if self.ignored_rec_events.count > 0 {
            w.push(line(
                &self.ignored_rec_events,
                "have a repeated REC_START or an orphan REC_STOP, which was ignored",
            ));
        }
        if self.untimed_rec_events.count > 0 {
            w.push(line(
                &self.untimed_rec_events,
                "have recording events without eventTimeMs, which were ignored",
            ));
        }
        w
    }
}

/// Interactions assembled from segments, sorted by start then id.
///
/// ```
/// use ringcx_reports::timeline::Interactions;
/// use ringcx_reports::ReaderBuilder;
/// let data = r#"[
///  {"interactionId": 5, "interactionStartTimeMs": 0, "interactionDurationMs": 90000,
///   "segmentID": 2, "segmentAgentId": 12, "segmentContactStartTimeMs": 30000, "segmentDuration": 60},
///  {"interactionId": 5, "segmentID": 1, "segmentAgentId": 11,
///   "segmentContactStartTimeMs": 1000, "segmentContactEndTimeMs": 29000}]"#;
/// let mut reader = ReaderBuilder::new().from_bytes("m.json", data.into())?;
/// let set = Interactions::from_segments(reader.segments(), false)?;
/// let i = &set.interactions()[0];
/// assert_eq!((i.start(), i.end()), (0, 90_000));
/// assert_eq!(i.agents(), "11>12");
/// assert_eq!((i.transfers(), i.handle_ms()), (1, 88_000));
/// # Ok::<(), ringcx_reports::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Interactions {
    interactions: Vec<Interaction>,
    stats: LoadStats,
}

/// An order key for "the first" of several findings: path order, then
/// line, then record (records on one line, as in a one-line JSON array,
/// keep their file order).
type Order = (u32, u64, u64);

/// One file's segments, grouped by interaction while reading (each
/// interaction's segments in file order), and what could not be placed.
#[derive(Default)]
struct FileLoad {
    by_ixn: HashMap<Box<str>, Vec<PlacedSegment>>,
    read: u64,
    /// Read results so far (placed or skipped).
    items: u64,
    /// Skipped invalid segments by code (only with skip-invalid).
    skipped: BTreeMap<Code, u64>,
    /// The first skipped segment: its order and its error.
    first_skip: Option<(Order, String)>,
    /// An error the reader cannot go on after (or any error, without
    /// skip-invalid): the file's last outcome.
    fatal: Option<Error>,
    texts: Interner,
}

impl FileLoad {
    /// Takes one read result; false when the file stops here.
    fn take(
        &mut self,
        r: Result<&Segment>,
        file: &Arc<str>,
        idx: u32,
        skip: bool,
        can_continue: bool,
    ) -> bool {
        self.read += 1;
        let n = self.items;
        self.items += 1;
        let placed =
            r.and_then(|s| PlacedSegment::place(s, file, idx, &mut self.texts).map(|p| (s, p)));
        match placed {
            Ok((s, p)) => match self.by_ixn.get_mut(s.interaction_id.as_str()) {
                Some(v) => push_tight(v, p),
                // Most interactions have one or two segments: no spare
                // capacity.
                None => {
                    self.by_ixn
                        .insert(s.interaction_id.as_str().into(), vec![p]);
                }
            },
            Err(e) => {
                let Some(code) = e.code() else {
                    self.fatal = Some(e);
                    return false;
                };
                if !skip || !can_continue {
                    self.fatal = Some(e);
                    return false;
                }
                *self.skipped.entry(code).or_default() += 1;
                let (line, record) = e
                    .location()
                    .map_or((n, n), |l| (l.pos.line(), l.pos.record()));
                let order = (idx, line, record);
                if self.first_skip.as_ref().is_none_or(|f| order < f.0) {
                    self.first_skip = Some((order, e.to_string()));
                }
            }
        }
        true
    }
}

/// Pushes with growth by half the length (at least one) rather than
/// `Vec`'s doubling from four: an interaction of two segments holds two,
/// not four, and long ones still grow geometrically.
fn push_tight<T>(v: &mut Vec<T>, x: T) {
    if v.len() == v.capacity() {
        v.reserve_exact((v.len() / 2).max(1));
    }
    v.push(x);
}

/// Removes the repeated segment ids of one interaction, whose segments are
/// in path order, then file order: the first occurrence is kept. Calls
/// `dup(duplicate, first occurrence)` for each one removed.
fn dedup(v: &mut Vec<PlacedSegment>, mut dup: impl FnMut(&PlacedSegment, &PlacedSegment)) {
    if v.len() < 2 {
        return;
    }
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| v[a].segment_id.cmp(&v[b].segment_id).then(a.cmp(&b)));
    let mut drop: Vec<bool> = Vec::new();
    let mut g = 0;
    for k in 1..idx.len() {
        if v[idx[k]].segment_id != v[idx[g]].segment_id {
            g = k;
            continue;
        }
        if drop.is_empty() {
            drop = vec![false; v.len()];
        }
        drop[idx[k]] = true;
        dup(&v[idx[k]], &v[idx[g]]);
    }
    if !drop.is_empty() {
        let mut i = 0;
        v.retain(|_| {
            i += 1;
            !drop[i - 1]
        });
    }
}

impl Interactions {
    /// Reads interaction metadata files (in parallel on the current rayon
    /// pool) and assembles their interactions. Files are taken in path
    /// order whatever the order given, so the first of two duplicate
    /// segments is the same on every run. Invalid segments (V104, T601,
    /// T602, or a value the reader rejects) stop the load with their error,
    /// or are skipped and counted with `skip_invalid`; an error the reader
    /// cannot go on after (truncation, syntax) always stops it. When
    /// several errors would stop it, the one met first reading the files
    /// one after the other in path order is returned.
    pub fn from_files<P: AsRef<Path> + Sync>(
        paths: &[P],
        reader: &ReaderBuilder,
        skip_invalid: bool,
    ) -> Result<Interactions> {
        Self::files(paths, reader, skip_invalid, true)
    }

    /// [`from_files`](Self::from_files) on the current thread only.
    pub fn from_files_sequential<P: AsRef<Path> + Sync>(
        paths: &[P],
        reader: &ReaderBuilder,
        skip_invalid: bool,
    ) -> Result<Interactions> {
        Self::files(paths, reader, skip_invalid, false)
    }

    /// Assembles interactions from segments of one source (errors in the
    /// iterator are invalid segments).
    pub fn from_segments<I>(segments: I, skip_invalid: bool) -> Result<Interactions>
    where
        I: IntoIterator<Item = Result<Segment>>,
    {
        let file: Arc<str> = "<segments>".into();
        let mut o = FileLoad::default();
        for r in segments {
            let go = match r {
                Ok(s) => o.take(Ok(&s), &file, 0, skip_invalid, true),
                Err(e) => o.take(Err(e), &file, 0, skip_invalid, true),
            };
            if !go {
                break;
            }
        }
        Self::assemble(vec![o], vec![file], skip_invalid, true)
    }

    fn files<P: AsRef<Path> + Sync>(
        paths: &[P],
        reader: &ReaderBuilder,
        skip_invalid: bool,
        parallel: bool,
    ) -> Result<Interactions> {
        if paths.is_empty() {
            return Err(Error::usage("no input files"));
        }
        let mut sorted: Vec<&Path> = paths.iter().map(|p| p.as_ref()).collect();
        sorted.sort();
        let names: Vec<Arc<str>> = sorted.iter().map(|p| p.to_string_lossy().into()).collect();
        let one = |(idx, p): (usize, &&Path)| -> Result<FileLoad> {
            let mut r = reader.from_path(p)?;
            if r.kind() != ReportKind::Segments {
                return Err(Error::usage(format!(
                    "{}: the file holds {} rows, not interaction metadata (segments)",
                    p.display(),
                    r.kind()
                )));
            }
            let file = &names[idx];
            let idx = u32::try_from(idx)
                .map_err(|_| Error::usage("too many input files (more than 2^32)"))?;
            let mut seg = Segment::default();
            let mut o = FileLoad::default();
            loop {
                let go = match r.read_segment(&mut seg) {
                    Ok(true) => o.take(Ok(&seg), file, idx, skip_invalid, true),
                    Ok(false) => break,
                    Err(e) => {
                        let can = !r.is_finished() && !e.is_usage();
                        o.take(Err(e), file, idx, skip_invalid, can)
                    }
                };
                if !go {
                    break;
                }
            }
            // The texts are shared by the placed segments; the table is
            // not needed any more.
            o.texts = Interner::default();
            Ok(o)
        };
        let loads: Vec<Result<FileLoad>> = if parallel {
            sorted.par_iter().enumerate().map(one).collect()
        } else {
            sorted.iter().enumerate().map(one).collect()
        };
        let mut outs = Vec::with_capacity(loads.len());
        for o in loads {
            outs.push(o?);
        }
        Self::assemble(outs, names, skip_invalid, parallel)
    }

    /// Merges the files' groups (path order), removes duplicates, counts,
    /// and builds the interactions. The error returned, and the first
    /// skipped segment, are those a sequential pass over the files in path
    /// order, then file order, would meet first.
    fn assemble(
        outs: Vec<FileLoad>,
        files: Vec<Arc<str>>,
        skip: bool,
        parallel: bool,
    ) -> Result<Interactions> {
        let mut stats = LoadStats::default();
        let mut first_skip: Option<(Order, String)> = None;
        // The first file that stopped with an error, and its error.
        let mut fatal: Option<(u32, Error)> = None;
        let mut by_ixn: HashMap<Box<str>, Vec<PlacedSegment>> = HashMap::new();
        for (fi, o) in outs.into_iter().enumerate() {
            stats.segments_read += o.read;
            for (code, n) in o.skipped {
                *stats.skipped.entry(code).or_default() += n;
            }
            if let Some(f) = o.first_skip {
                if first_skip.as_ref().is_none_or(|g| f.0 < g.0) {
                    first_skip = Some(f);
                }
            }
            if fatal.is_none() {
                if let Some(e) = o.fatal {
                    fatal = Some((fi as u32, e));
                }
            }
            if by_ixn.is_empty() {
                by_ixn = o.by_ixn;
                continue;
            }
            for (id, v) in o.by_ixn {
                match by_ixn.get_mut(&id) {
                    Some(w) => {
                        w.reserve_exact(v.len());
                        w.extend(v);
                    }
                    None => {
                        by_ixn.insert(id, v);
                    }
                }
            }
        }
        if skip {
            // Without duplicates to stop at, the first file that stopped
            // decides.
            if let Some((_, e)) = fatal {
                return Err(e);
            }
        }
        let dup_error = |id: &str, d: &PlacedSegment, f: &PlacedSegment| {
            let first = if f.file_idx == d.file_idx {
                format!("line {}", f.segment_id_line)
            } else {
                format!("{}:{}", files[f.file_idx as usize], f.segment_id_line)
            };
            duplicate_error(
                &files[d.file_idx as usize],
                d.pos.with_line(d.segment_id_line),
                id,
                &d.segment_id,
                &first,
            )
        };
        // Without skip-invalid: the first duplicate in path, then file
        // order.
        let mut first_dup: Option<((u32, u64), Error)> = None;
        for (id, v) in by_ixn.iter_mut() {
            dedup(v, |d, f| {
                if skip {
                    *stats.skipped.entry(Code::DuplicateSegment).or_default() += 1;
                    let order = (d.file_idx, d.segment_id_line, d.pos.record());
                    if first_skip.as_ref().is_none_or(|g| order < g.0) {
                        first_skip = Some((order, dup_error(id, d, f).to_string()));
                    }
                } else {
                    let order = (d.file_idx, d.pos.record());
                    if first_dup.as_ref().is_none_or(|g| order < g.0) {
                        first_dup = Some((order, dup_error(id, d, f)));
                    }
                }
            });
            for p in v.iter() {
                stats.segments_placed += 1;
                if p.recording.unmatched_start {
                    stats.unmatched_rec_start.add(p, &files);
                }
                if p.recording.ignored_events > 0 {
                    stats.ignored_rec_events.add(p, &files);
                }
                if p.recording.untimed_events > 0 {
                    stats.untimed_rec_events.add(p, &files);
                }
                if !p.is_agent {
                    stats.non_agent_segments += 1;
                }
            }
        }
        // A file's stopping error comes after every segment it read.
        match (first_dup, fatal) {
            (Some((d, e)), Some((f, _))) if d.0 <= f => return Err(e),
            (_, Some((_, e))) => return Err(e),
            (Some((_, e)), None) => return Err(e),
            (None, None) => {}
        }
        stats.first_skipped = first_skip.map(|f| f.1);
        let mut interactions: Vec<Interaction> = if parallel {
            by_ixn
                .into_par_iter()
                .map(|(id, s)| Interaction::new(id, s))
                .collect()
        } else {
            by_ixn
                .into_iter()
                .map(|(id, s)| Interaction::new(id, s))
                .collect()
        };
        let numeric = interactions.iter().all(|i| is_integer(&i.id));
        let cmp = |a: &Interaction, b: &Interaction| {
            a.start
                .cmp(&b.start)
                .then_with(|| cmp_key(&a.id, &b.id, numeric))
        };
        if parallel {
            interactions.par_sort_unstable_by(cmp);
        } else {
            interactions.sort_unstable_by(cmp);
        }
        Ok(Interactions {
            interactions,
            stats,
        })
    }

    /// The interactions, sorted by start, then id (numerically when every
    /// id is an integer).
    pub fn interactions(&self) -> &[Interaction] {
        &self.interactions
    }

    /// What the load read, skipped and noticed.
    pub fn stats(&self) -> &LoadStats {
        &self.stats
    }
}
