//! Segment rules (SPEC 3 "Segments", codes T601–T606) over the segment
//! model, the same for both generations of interaction metadata.
//!
//! | code | rule | field |
//! |---|---|---|
//! | T601 | `segment_end` before `segment_start` (error) | `segment_end` |
//! | T602 | (interaction id, segment id) seen before in the file (error) | `segment_id` |
//! | T603 | duration and end − start differ by more than 1 s | `segment_duration_ms` |
//! | T604 | the first recording event (by server time) is not REC_START | `events` |
//! | T605 | repeated REC_START, orphan REC_STOP, REC_START never stopped | `events` |
//! | T606 | the segment lies outside its interaction's window; an agent segment starts before it (a negative wait); the window ends before it starts | `segment_start` / `segment_end` / `interaction_end` |
//!
//! Each finding names the line of the value it is about (for T604 and
//! T605, the line of the event's `eventType`), not the line where the
//! segment starts.
//!
//! The two errors are the rules every command applies, so each has one
//! implementation: T601 (with V114, a span over the limit) is refused by
//! the reader ([`Reader::read_segment`]), so `validate` reports it as it
//! reports any reader error, and `parse`, `timeline` and `interactions`
//! stop on it; T602 is found by the key set of this module in `validate`
//! and `rcx parse`, while `timeline` and `interactions`, which hold every
//! segment until all files are read anyway, find it when they group the
//! segments of each interaction (`timeline::Interactions`), with the same
//! message.
//!
//! [`Reader::read_segment`]: crate::Reader::read_segment
//!
//! Events are taken in server-time order (`eventTimeMs`), as timelines take
//! them (SPEC 5); events without a time sort after the timed ones, in file
//! order. Two recordings that overlap (START a, START b, STOP a, STOP b)
//! therefore show as a REC_START while recording and an orphan REC_STOP.
//! Event types other than REC_START and REC_STOP take no part in pairing.
//!
//! The interaction window is v2 `interactionStartTimeMs` to that plus
//! `interactionDurationMs`; cx v1 `dialogStartTimeMs` to `dialogEndTimeMs`,
//! else to the start plus `dialogDurationMs`. A bound that is missing is
//! not checked. Like T603, T606 allows 1 s of slack: the segment and dialog
//! times are written by different components (the published cx v1 sample
//! has a segment starting 14 ms before its dialog). The one exception is an
//! agent segment ([`Segment::is_agent`]) that starts before its
//! interaction: by any amount, that makes the call's wait negative, which
//! `calls` counts as 0 (SPEC 5.1), so T606 reports it without slack and
//! says so in its message. A cx v1 dialog that ends before it starts is
//! T606 on `interaction_end`, on each of its segments: no segment can lie
//! in its window, and an unanswered call's wait (end − start) is negative.
//! What stays unreported is the negative wait of an unanswered call
//! without a dialog end or duration whose segments all end before the
//! dialog starts, by 1 s or less (its end is then the last segment's).
//!
//! # Memory
//!
//! Duplicate detection (`SegmentKeySet`) keeps, per file, a 128-bit hash
//! of the key of each segment with the line it was read on (about 60
//! bytes per key). Once more than 65 536 keys are kept, the keys of
//! interactions that have closed are dropped: those of segments whose
//! interaction ended more than 1 s before the latest segment start read
//! (its dialog end, or interaction start + duration; without those, the
//! segment's own end, else its start). In a time-ordered export, where a
//! segment and its repeat start at the same time, that bounds the keys by
//! the interactions in progress at one time, however long the file; a
//! smaller file is checked exactly in any order. Beyond a cap of
//! [`DEFAULT_MAX_SEGMENT_KEYS`] (configurable), on input that is not in
//! time order, the keys closest to closing are dropped. A dropped key has
//! its hash set in a fixed 1 MiB filter. A later segment whose key was
//! dropped cannot be checked; it hits the filter (which never misses a
//! dropped key, and may also hit by chance) and is counted as not checked
//! for duplicates instead of being passed.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::rules::Findings;
use crate::diagnostic::Code;
use crate::error::Error;
use crate::model::{format_instant, secs_text, Segment, SegmentGeneration};
use crate::position::Location;

/// Default cap on the segment keys kept per file for duplicate detection
/// (see the [module docs](self#memory)).
pub const DEFAULT_MAX_SEGMENT_KEYS: usize = 1 << 20;

/// The slack of T603 and T606 (and of the end of an open interaction), in
/// milliseconds.
const SLACK_MS: i64 = 1000;

/// Bits of the filter of forgotten keys (1 MiB).
const FILTER_BITS: usize = 1 << 23;

/// Keys kept before those of closed interactions are dropped.
const KEEP_KEYS: usize = 1 << 16;

/// Per-file duplicate detection of (interaction id, segment id) keys
/// (T602), bounded as the [module docs](self#memory) say.
pub(crate) struct SegmentKeySet {
    lines: HashMap<u128, u64>,
    /// Kept keys by the instant (ms) after which their interaction is
    /// closed, then by the order they were read in.
    open_until: BinaryHeap<Reverse<(i64, u64, u128)>>,
    /// Keys read so far.
    seq: u64,
    /// The latest segment start read, ms.
    latest: i64,
    /// Keys kept before those of closed interactions are dropped.
    keep: usize,
    max_keys: usize,
    forgotten: Vec<u64>,
    /// Segments whose key may repeat a forgotten one.
    pub unchecked: u64,
}

pub(crate) fn key_hash(seg: &Segment) -> u128 {
    // `DefaultHasher::new` has fixed keys: the same on every run. Two seeds
    // give 128 bits, so a chance collision (a false T602) is out of reach.
    let half = |seed: u8| {
        let mut h = std::hash::DefaultHasher::new();
        seed.hash(&mut h);
        seg.interaction_id.hash(&mut h);
        seg.segment_id.hash(&mut h);
        h.finish()
    };
    (u128::from(half(0)) << 64) | u128::from(half(1))
}

fn filter_bits(h: u128) -> [usize; 3] {
    let mask = (FILTER_BITS - 1) as u128;
    [
        (h & mask) as usize,
        ((h >> 40) & mask) as usize,
        ((h >> 80) & mask) as usize,
    ]
}

/// The instant (ms) after which no repeat of `seg` is expected in a
/// time-ordered file: 1 s after the end of its interaction, or of the
/// segment itself, whichever is later; never when no time is known.
fn open_until(seg: &Segment) -> i64 {
    let ms = |t: DateTime<Utc>| t.timestamp_millis();
    let ixn_end = seg.interaction_end.or_else(|| {
        let d = i64::try_from(seg.interaction_duration_ms?).ok()?;
        seg.interaction_start?
            .checked_add_signed(chrono::Duration::milliseconds(d))
    });
    let own = seg.end_or_computed().or(seg.segment_start);
    match (own.map(ms), ixn_end.map(ms)) {
        (None, None) => i64::MAX,
        (a, b) => a.max(b).unwrap_or(i64::MAX).saturating_add(SLACK_MS),
    }
}

impl SegmentKeySet {
    pub fn new(max_keys: usize) -> Self {
        Self::keeping(KEEP_KEYS, max_keys)
    }

    fn keeping(keep: usize, max_keys: usize) -> Self {
        SegmentKeySet {
            lines: HashMap::new(),
            open_until: BinaryHeap::new(),
            seq: 0,
            latest: i64::MIN,
            keep,
            max_keys: max_keys.max(1),
            forgotten: Vec::new(),
            unchecked: 0,
        }
    }

    /// Keys kept now.
    #[cfg(test)]
    fn kept(&self) -> usize {
        self.lines.len()
    }

    fn forget(&mut self) -> bool {
        let Some(Reverse((_, _, h))) = self.open_until.pop() else {
            return false;
        };
        self.lines.remove(&h);
        if self.forgotten.is_empty() {
            self.forgotten = vec![0; FILTER_BITS / 64];
        }
        for b in filter_bits(h) {
            self.forgotten[b / 64] |= 1 << (b % 64);
        }
        true
    }

    /// Checks one segment that read fine: `Some(line)` of the earlier
    /// segment with the same key (T602), else the key is kept.
    pub fn check(&mut self, seg: &Segment) -> Option<u64> {
        let h = key_hash(seg);
        if let Some(&first) = self.lines.get(&h) {
            return Some(first);
        }
        if !self.forgotten.is_empty()
            && filter_bits(h)
                .iter()
                .all(|&b| self.forgotten[b / 64] & (1 << (b % 64)) != 0)
        {
            self.unchecked += 1;
        }
        self.lines.insert(h, seg.line_of("segment_id"));
        self.open_until
            .push(Reverse((open_until(seg), self.seq, h)));
        self.seq += 1;
        if let Some(t) = seg.segment_start {
            self.latest = self.latest.max(t.timestamp_millis());
        }
        while self.lines.len() > self.keep
            && self
                .open_until
                .peek()
                .is_some_and(|Reverse((t, _, _))| *t < self.latest)
        {
            self.forget();
        }
        while self.lines.len() > self.max_keys && self.forget() {}
        None
    }
}

/// The T602 error: `seg` (read from `file`) repeats the segment read at
/// `first` (`line N` in the same file, `FILE:N` in another).
pub(crate) fn duplicate_error(
    file: &Arc<str>,
    seg_pos: crate::position::Position,
    interaction_id: &str,
    segment_id: &str,
    first: &str,
) -> Error {
    Error::data(
        Code::DuplicateSegment,
        Location::new(file.clone(), seg_pos).with_field("segment_id"),
        format!("interaction {interaction_id}, segment {segment_id} repeats {first}"),
        segment_id,
    )
}

fn ms_between(a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
    (b - a).num_milliseconds()
}

fn secs(ms: i64) -> String {
    secs_text(i128::from(ms))
}

/// Per-file state of the segment rules.
pub(crate) struct SegmentRules {
    keys: SegmentKeySet,
}

impl SegmentRules {
    pub fn new(max_keys: usize) -> Self {
        SegmentRules {
            keys: SegmentKeySet::new(max_keys),
        }
    }

    /// Segments whose key may repeat a forgotten one.
    pub fn unchecked(&self) -> u64 {
        self.keys.unchecked
    }

    /// Checks one segment that read fine (the reader has refused one that
    /// ends before it starts: T601).
    pub fn segment(&mut self, seg: &Segment, f: &mut Findings) {
        if let Some(first) = self.keys.check(seg) {
            let e = duplicate_error(
                &f.file,
                seg.field_pos("segment_id"),
                &seg.interaction_id,
                &seg.segment_id,
                &format!("line {first}"),
            );
            if let Some(d) = e.diagnostic() {
                f.out.push(d.clone());
            }
        }
        duration_mismatch(seg, f);
        outside_interaction(seg, f);
        events(seg, f);
    }
}

/// T603: only when start, end and duration are all given (without an end,
/// the end is computed from the duration and cannot disagree with it).
fn duration_mismatch(seg: &Segment, f: &mut Findings) {
    let (Some(start), Some(end), Some(dur)) =
        (seg.segment_start, seg.segment_end, seg.segment_duration_ms)
    else {
        return;
    };
    let span = ms_between(start, end);
    let dur = i64::try_from(dur).unwrap_or(i64::MAX);
    let diff = dur.saturating_sub(span);
    if diff.unsigned_abs() <= SLACK_MS as u64 {
        return;
    }
    let (name, value) = match seg.generation {
        SegmentGeneration::V2 => (format!("segmentDuration {} s", secs(dur)), secs(dur)),
        SegmentGeneration::CxV1 => (format!("segmentDurationMs {dur}"), dur.to_string()),
    };
    f.emit_named(
        Code::DurationMismatch,
        seg.field_pos("segment_duration_ms"),
        "segment_duration_ms",
        format!(
            "{name}, but end − start is {} s ({} to {}): {} s apart",
            secs(span),
            format_instant(start),
            format_instant(end),
            secs(diff.saturating_abs())
        ),
        Some(value),
    );
}

/// T606: one finding per segment, on the first bound it crosses.
fn outside_interaction(seg: &Segment, f: &mut Findings) {
    let from = seg.interaction_start;
    let duration_end = || {
        let ms = i64::try_from(seg.interaction_duration_ms?).ok()?;
        from?.checked_add_signed(chrono::Duration::milliseconds(ms))
    };
    let (to, to_source) = match seg.generation {
        SegmentGeneration::V2 => (
            duration_end(),
            "interactionStartTimeMs + interactionDurationMs",
        ),
        SegmentGeneration::CxV1 => match seg.interaction_end {
            Some(e) => (Some(e), "dialogEndTimeMs"),
            None => (duration_end(), "dialogStartTimeMs + dialogDurationMs"),
        },
    };
    if from.is_none() && to.is_none() {
        return;
    }
    if let (Some(a), Some(b)) = (from, to) {
        if b < a {
            // An inverted window: no segment can lie inside it, and an
            // unanswered call's wait (its end − its start) is negative.
            f.emit_named(
                Code::SegmentOutsideInteraction,
                seg.field_pos("interaction_end"),
                "interaction_end",
                format!(
                    "the interaction ends at {} ({to_source}), {} s before it starts at {}; \
                     without an agent segment its call's wait is negative, which calls counts \
                     as 0",
                    format_instant(b),
                    secs(ms_between(b, a)),
                    format_instant(a)
                ),
                Some(format_instant(b)),
            );
            return;
        }
    }
    let window = format!(
        "its interaction runs from {} to {}{}",
        from.map(format_instant).as_deref().unwrap_or("(unknown)"),
        to.map(format_instant).as_deref().unwrap_or("(unknown)"),
        if to.is_some() {
            format!(" ({to_source})")
        } else {
            String::new()
        }
    );
    let start = seg.segment_start;
    let end = seg.end_or_computed();
    let before = |t: Option<DateTime<Utc>>| match (t, from) {
        (Some(t), Some(b)) => ms_between(t, b) > SLACK_MS,
        _ => false,
    };
    let after = |t: Option<DateTime<Utc>>| match (t, to) {
        (Some(t), Some(b)) => ms_between(b, t) > SLACK_MS,
        _ => false,
    };
    // (field, instant, verb, whether it crosses the lower bound)
    // An agent segment that starts before its interaction, by any amount,
    // makes the call's wait negative (SPEC 5.1): no slack for that.
    let negative_wait = seg.is_agent() && matches!((start, from), (Some(t), Some(b)) if t < b);
    let found = if before(start) || negative_wait {
        Some(("segment_start", start, "starts", true))
    } else if after(start) {
        Some(("segment_start", start, "starts", false))
    } else if after(end) {
        Some(("segment_end", end, "ends", false))
    } else if before(end) {
        Some(("segment_end", end, "ends", true))
    } else {
        None
    };
    let Some((field, Some(t), verb, lower)) = found else {
        return;
    };
    let (by, what) = if lower {
        (
            from.map(|b| ms_between(t, b)),
            "before the interaction starts",
        )
    } else {
        (to.map(|b| ms_between(b, t)), "after the interaction ends")
    };
    let by = by.unwrap_or(0);
    let wait = if lower && field == "segment_start" && negative_wait {
        format!(
            "; an agent segment, so its call's wait is −{} s or less, which calls counts as 0",
            secs(by)
        )
    } else {
        String::new()
    };
    f.emit_named(
        Code::SegmentOutsideInteraction,
        seg.field_pos(field),
        field,
        format!(
            "the segment {verb} at {}, {} s {what}; {window}{wait}",
            format_instant(t),
            secs(by)
        ),
        Some(format_instant(t)),
    );
}

/// T604 and T605 over the events in server-time order.
fn events(seg: &Segment, f: &mut Findings) {
    let Some(list) = seg.events.as_deref() else {
        return;
    };
    if list.is_empty() {
        return;
    }
    let mut order: Vec<usize> = (0..list.len()).collect();
    // Stable: events of one instant, and events without a time, keep file
    // order.
    order.sort_by_key(|&i| (list[i].time.is_none(), list[i].time));
    let at = |i: usize| {
        list[i]
            .time
            .map(format_instant)
            .unwrap_or_else(|| "(no eventTimeMs)".into())
    };
    let shown = |i: usize| {
        let k = &list[i].kind;
        if k.is_empty() {
            "(no eventType)".to_string()
        } else {
            k.clone()
        }
    };
    // The line of an event's type, else of the list.
    let pos = |i: usize| match list[i].line {
        0 => seg.field_pos("events"),
        l => seg.pos.with_line(l),
    };
    let first = order[0];
    if !list[first].is_rec_start() {
        f.emit_named(
            Code::EventsStartWrong,
            pos(first),
            "events",
            format!(
                "the first recording event (event {} of {}, at {}) is {}, not REC_START",
                first + 1,
                list.len(),
                at(first),
                shown(first)
            ),
            Some(list[first].kind.clone()),
        );
    }
    let mut open: Option<usize> = None;
    for &i in &order {
        let ev = &list[i];
        if ev.is_rec_start() {
            if let Some(o) = open {
                f.emit_named(
                    Code::EventsUnpaired,
                    pos(i),
                    "events",
                    format!(
                        "REC_START at {} (event {}) while the recording started at {} (event {}) is still running: a repeated or overlapping REC_START",
                        at(i),
                        i + 1,
                        at(o),
                        o + 1
                    ),
                    Some(ev.kind.clone()),
                );
            } else {
                open = Some(i);
            }
        } else if ev.is_rec_stop() && open.take().is_none() {
            f.emit_named(
                Code::EventsUnpaired,
                pos(i),
                "events",
                format!(
                    "REC_STOP at {} (event {}) with no recording running: an orphan REC_STOP",
                    at(i),
                    i + 1
                ),
                Some(ev.kind.clone()),
            );
        }
    }
    if let Some(o) = open {
        f.emit_named(
            Code::EventsUnpaired,
            pos(o),
            "events",
            format!(
                "REC_START at {} (event {}) is never stopped (a timeline runs it to the segment end)",
                at(o),
                o + 1
            ),
            Some(list[o].kind.clone()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::instant_from_millis;

    fn seg(ixn: &str, id: &str, start_s: i64, end_s: i64, line: u64) -> Segment {
        let mut s = Segment::default();
        s.interaction_id = ixn.into();
        s.segment_id = id.into();
        s.segment_start = instant_from_millis(start_s * 1000);
        s.segment_end = instant_from_millis(end_s * 1000);
        s.pos = crate::position::Position::new(0, line, line - 1);
        s
    }

    #[test]
    fn keys_of_closed_interactions_are_dropped_on_time_ordered_input() {
        // 100 000 calls of 60 s, one starting every 10 s: about 6 open at
        // a time.
        let mut k = SegmentKeySet::new(DEFAULT_MAX_SEGMENT_KEYS);
        for i in 0..100_000i64 {
            let s = seg(&i.to_string(), "1", i * 10, i * 10 + 60, 1);
            assert_eq!(k.check(&s), None);
            assert!(k.kept() <= KEEP_KEYS + 1, "{} keys at call {i}", k.kept());
        }
        assert_eq!(k.unchecked, 0);
        let mut k = SegmentKeySet::keeping(0, DEFAULT_MAX_SEGMENT_KEYS);
        for i in 0..10_000i64 {
            assert_eq!(
                k.check(&seg(&i.to_string(), "1", i * 10, i * 10 + 60, 1)),
                None
            );
            assert!(k.kept() <= 8, "{} keys kept at call {i}", k.kept());
        }
        // Under the threshold, every key is kept: a repeat in any order is
        // found.
        let mut k = SegmentKeySet::new(DEFAULT_MAX_SEGMENT_KEYS);
        assert_eq!(k.check(&seg("a", "1", 0, 60, 1)), None);
        assert_eq!(k.check(&seg("c", "1", 200, 260, 2)), None);
        assert_eq!(k.check(&seg("a", "1", 0, 60, 3)), Some(1));
        // Beyond it, a repeat while its call is open is found; one long
        // after is not checked, and counted.
        let mut k = SegmentKeySet::keeping(0, DEFAULT_MAX_SEGMENT_KEYS);
        assert_eq!(k.check(&seg("a", "1", 0, 60, 1)), None);
        assert_eq!(k.check(&seg("b", "1", 30, 90, 2)), None);
        assert_eq!(k.check(&seg("a", "1", 0, 60, 3)), Some(1));
        assert_eq!(k.check(&seg("c", "1", 200, 260, 4)), None);
        assert_eq!(k.check(&seg("a", "1", 0, 60, 5)), None);
        assert_eq!(k.unchecked, 1);
    }
}
