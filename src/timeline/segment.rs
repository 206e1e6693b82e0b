//! Segments placed in time (SPEC 5): a segment's span in milliseconds
//! ([`PlacedSegment`]), its recording spans from the REC_START / REC_STOP
//! events ([`Recording`]), and the texts it is keyed by ([`SegmentKeys`]).
//!
//! A load holds every placed segment until all files are read, so a placed
//! segment is kept small (about 150 bytes plus its segment id and recording
//! spans): the interaction id is held once per interaction, file names once
//! per load, and each distinct set of agent id, group, direction and
//! channel once per load ([`SegmentKeys`]).

use std::hash::{BuildHasher, BuildHasherDefault};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};

use crate::diagnostic::Code;
use crate::error::{Error, Result};
use crate::model::{Completeness, Segment, SegmentGeneration};
use crate::position::Position;
use crate::window::{FastMap, FastSet, FxHasher};

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
/// read: the interaction id lives once in its
/// [`Interaction`](super::Interaction), the file
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
    /// An IVR segment (cx v1 type `IVR`).
    pub is_ivr: bool,
    /// The called address of an OUTBOUND segment (the party the company
    /// called); for other segments the called address is the company
    /// number. See [`called_address`](Self::called_address).
    pub dialed: Option<Box<str>>,
    /// The segment id.
    pub segment_id: Box<str>,
    /// Agent, group, direction and channel, shared with every segment of
    /// the file that has the same four.
    pub keys: Arc<SegmentKeys>,
    /// The company's number in the call (see
    /// [`company_number`](Self::company_number)), shared with every
    /// segment of the chunk that has the same.
    pub number: Option<Arc<str>>,
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
    /// How complete this copy is, for merging re-pulled copies of the
    /// segment from several files (SPEC 5.1).
    pub completeness: Completeness,
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

pub(super) type BorrowedKeys<'a> = [Option<&'a str>; 4];

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

type KeySets = FastMap<u64, Vec<Arc<SegmentKeys>>>;

/// The [`SegmentKeys`] of a whole load, shared by the threads that read
/// its files and chunks: one allocation per distinct set, however many
/// units meet it. Sharded by hash so that threads rarely wait.
#[derive(Default)]
pub(super) struct SharedKeys {
    shards: [Mutex<KeySets>; 16],
}

impl SharedKeys {
    fn get(&self, h: u64, k: BorrowedKeys<'_>) -> Arc<SegmentKeys> {
        let shard = &self.shards[(h >> 60) as usize];
        // A panic elsewhere cannot leave a set half made: the map only
        // ever gains whole entries.
        let mut sets = shard.lock().unwrap_or_else(PoisonError::into_inner);
        let bucket = sets.entry(h).or_default();
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

/// One unit's view of the load's [`SharedKeys`]: the sets it met, found by
/// the hash of the borrowed texts (no allocation, and no lock, per
/// segment).
#[derive(Default)]
pub(super) struct Interner {
    hasher: BuildHasherDefault<FxHasher>,
    sets: KeySets,
    shared: Arc<SharedKeys>,
    /// The company numbers the unit met (a company has few).
    numbers: FastSet<Arc<str>>,
}

impl Interner {
    /// An interner over the load's `shared` sets.
    pub(super) fn new(shared: Arc<SharedKeys>) -> Interner {
        Interner {
            shared,
            ..Interner::default()
        }
    }

    /// Forgets the unit's own table (the sets stay in the shared one).
    pub(super) fn clear(&mut self) {
        self.sets = KeySets::default();
        self.numbers = FastSet::default();
    }

    /// The unit's shared copy of a company number.
    pub(super) fn number(&mut self, n: &str) -> Arc<str> {
        if let Some(a) = self.numbers.get(n) {
            return a.clone();
        }
        let a: Arc<str> = n.into();
        self.numbers.insert(a.clone());
        a
    }

    pub(super) fn get(&mut self, k: BorrowedKeys<'_>) -> Arc<SegmentKeys> {
        let h = self.hasher.hash_one(k);
        let bucket = self.sets.entry(h).or_default();
        if let Some(a) = bucket.iter().find(|a| a.borrowed() == k) {
            return a.clone();
        }
        let a = self.shared.get(h, k);
        bucket.push(a.clone());
        a
    }
}

impl PlacedSegment {
    /// Places `seg`, read from `file` (the `file_idx`-th in path order):
    /// an error when it has no start (V104), no end and no duration
    /// (V104), or ends before it starts (T601, which the reader refuses
    /// already; a segment built by hand is checked here).
    pub fn new(seg: &Segment, file: &Arc<str>, file_idx: u32) -> Result<PlacedSegment> {
        Self::place(seg, file, file_idx, &mut Interner::default())
    }

    pub(super) fn place(
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
        let is_agent = seg.is_agent();
        let is_ivr = seg.is_ivr();
        let (company_number, dialed) = match seg.direction {
            Some(crate::model::Direction::Outbound) => (
                seg.calling_address.as_deref(),
                seg.called_address.as_deref().map(Box::from),
            ),
            _ => (seg.called_address.as_deref(), None),
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
            is_ivr,
            dialed,
            segment_id: seg.segment_id.as_str().into(),
            keys: texts.get([
                seg.agent_id.as_deref(),
                seg.agent_group_id.as_deref(),
                seg.direction.map(|d| d.as_str()),
                seg.channel_type.as_deref(),
            ]),
            number: company_number.map(|n| texts.number(n)),
            start,
            end,
            recording: Recording::of(seg, start, end),
            interaction_start,
            interaction_end,
            completeness: Completeness::of(seg),
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

    /// The company's number in the call, if any: the called address of an
    /// INBOUND call (or one without a direction), the calling address of
    /// an OUTBOUND one.
    pub fn company_number(&self) -> Option<&str> {
        self.number.as_deref()
    }

    /// The called address (`interactionCalledAddress`; cx v1: the channel
    /// endpoint of an inbound dialog, the contact endpoint of an outbound
    /// one), if any.
    pub fn called_address(&self) -> Option<&str> {
        if self.direction() == Some(crate::model::Direction::Outbound.as_str()) {
            self.dialed.as_deref()
        } else {
            self.company_number()
        }
    }

    /// The IVR's id: an IVR segment's participant id (`None` for other
    /// segments).
    pub fn ivr_id(&self) -> Option<&str> {
        self.keys.agent_id.as_deref().filter(|_| self.is_ivr)
    }
}

#[cfg(test)]
mod examples {
    // The examples of crate-internal items, run as unit tests.
    use super::*;

    #[cfg(feature = "json")]
    #[test]
    fn placed_segment_new_examples() -> crate::Result<()> {
        use crate::model::instant_from_millis;
        use crate::{Code, ReaderBuilder};
        let data = r#"[{"interactionId": 1, "segmentID": 1, "segmentAgentId": 7,
          "segmentContactStartTimeMs": 60000, "segmentDuration": 2.5}]"#;
        let mut reader = ReaderBuilder::new().from_bytes("m.json", data.into())?;
        let mut seg = reader.segments().next().unwrap()?;
        let p = PlacedSegment::new(&seg, &"m.json".into(), 0)?;
        assert_eq!((p.start, p.end, p.is_agent), (60_000, 62_500, true));
        seg.segment_end = instant_from_millis(59_999);
        let e = PlacedSegment::new(&seg, &"m.json".into(), 0).unwrap_err();
        assert_eq!(e.code(), Some(Code::SegmentEndBeforeStart));
        Ok(())
    }

    #[test]
    fn recording_of_examples() {
        use crate::model::instant_from_millis;
        use crate::{Segment, SegmentEvent};
        let ev = |t: i64, k: &str| SegmentEvent {
            time: instant_from_millis(t),
            client_time: None,
            kind: k.into(),
            line: 0,
        };
        let mut seg = Segment::default();
        // start 1000, pause 4000–6000, a repeated START, no final STOP
        seg.events = Some(vec![
            ev(6000, "REC_START"),
            ev(1000, "REC_START"),
            ev(4000, "REC_STOP"),
            ev(7000, "REC_START"),
        ]);
        let r = Recording::of(&seg, 0, 9000);
        assert_eq!(*r.spans, [(1000, 4000), (6000, 9000)]);
        assert!(r.unmatched_start);
        assert_eq!(r.ignored_events, 1);
        assert_eq!(r.total_ms(), 6000);
    }
}
