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
//! | T606 | the segment lies outside its interaction's window | `segment_start` / `segment_end` |
//!
//! Events are taken in server-time order (`eventTimeMs`), as timelines take
//! them (SPEC 5); events without a time sort after the timed ones, in file
//! order. Two recordings that overlap (START a, START b, STOP a, STOP b)
//! therefore show as a REC_START while recording and an orphan REC_STOP.
//! Event types other than REC_START and REC_STOP take no part in pairing.
//!
//! A segment that ends before it starts cannot be placed: T603 and T606
//! are not checked on it (its end − start and its span mean nothing).
//!
//! The interaction window is v2 `interactionStartTimeMs` to that plus
//! `interactionDurationMs`; cx v1 `dialogStartTimeMs` to `dialogEndTimeMs`,
//! else to the start plus `dialogDurationMs`. A bound that is missing is
//! not checked. Like T603, T606 allows 1 s of slack: the segment and dialog
//! times are written by different components (the published cx v1 sample
//! has a segment starting 14 ms before its dialog).
//!
//! # Memory
//!
//! Duplicate detection keeps, per file, a 128-bit hash of each key with the
//! line it was read on, for at most [`DEFAULT_MAX_SEGMENT_KEYS`] keys
//! (configurable; about 50 bytes per key). Beyond that the oldest key is
//! forgotten and its hash set in a fixed 1 MiB filter. A later segment
//! whose key was forgotten cannot be checked; it hits the filter (which
//! never misses a forgotten key, and may also hit by chance) and is counted
//! in the summary as not checked for duplicates instead of being passed.

use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};

use chrono::{DateTime, Utc};

use super::rules::Findings;
use crate::diagnostic::Code;
use crate::model::{format_instant, Segment, SegmentGeneration};

/// Default cap on the segment keys kept per file for duplicate detection
/// (see the [module docs](self#memory)).
pub const DEFAULT_MAX_SEGMENT_KEYS: usize = 1 << 20;

/// The slack of T603 and T606, in milliseconds.
const SLACK_MS: i64 = 1000;

/// Bits of the filter of forgotten keys (1 MiB).
const FILTER_BITS: usize = 1 << 23;

/// Per-file state of the segment rules.
pub(crate) struct SegmentRules {
    lines: HashMap<u128, u64>,
    order: VecDeque<u128>,
    max_keys: usize,
    forgotten: Vec<u64>,
    /// Segments whose key may repeat a forgotten one.
    pub unchecked: u64,
}

fn key_hash(seg: &Segment) -> u128 {
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

/// Milliseconds as seconds with up to 3 decimals (`2.043`, `832`, `-1.5`).
fn secs(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let a = ms.unsigned_abs();
    let (whole, frac) = (a / 1000, a % 1000);
    if frac == 0 {
        format!("{sign}{whole}")
    } else {
        let f = format!("{frac:03}");
        format!("{sign}{whole}.{}", f.trim_end_matches('0'))
    }
}

fn ms_between(a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
    (b - a).num_milliseconds()
}

impl SegmentRules {
    pub fn new(max_keys: usize) -> Self {
        SegmentRules {
            lines: HashMap::new(),
            order: VecDeque::new(),
            max_keys: max_keys.max(1),
            forgotten: Vec::new(),
            unchecked: 0,
        }
    }

    /// Checks one segment that read fine.
    pub fn segment(&mut self, seg: &Segment, f: &mut Findings) {
        self.duplicate(seg, f);
        let placed = end_before_start(seg, f);
        if placed {
            duration_mismatch(seg, f);
            outside_interaction(seg, f);
        }
        events(seg, f);
    }

    /// T602.
    fn duplicate(&mut self, seg: &Segment, f: &mut Findings) {
        let h = key_hash(seg);
        let line = seg.pos.line();
        if let Some(&first) = self.lines.get(&h) {
            f.emit_named(
                Code::DuplicateSegment,
                seg.pos,
                "segment_id",
                format!(
                    "interaction {}, segment {} repeats line {first}",
                    seg.interaction_id, seg.segment_id
                ),
                Some(seg.segment_id.clone()),
            );
            return;
        }
        if !self.forgotten.is_empty()
            && filter_bits(h)
                .iter()
                .all(|&b| self.forgotten[b / 64] & (1 << (b % 64)) != 0)
        {
            self.unchecked += 1;
        }
        self.lines.insert(h, line);
        self.order.push_back(h);
        if self.order.len() > self.max_keys {
            if self.forgotten.is_empty() {
                self.forgotten = vec![0; FILTER_BITS / 64];
            }
            if let Some(old) = self.order.pop_front() {
                self.lines.remove(&old);
                for b in filter_bits(old) {
                    self.forgotten[b / 64] |= 1 << (b % 64);
                }
            }
        }
    }
}

/// T601. Returns whether the segment can be placed (not ending before it
/// starts).
fn end_before_start(seg: &Segment, f: &mut Findings) -> bool {
    let (Some(start), Some(end)) = (seg.segment_start, seg.segment_end) else {
        return true;
    };
    if end >= start {
        return true;
    }
    f.emit_named(
        Code::SegmentEndBeforeStart,
        seg.pos,
        "segment_end",
        format!(
            "the segment ends at {}, {} s before it starts at {}",
            format_instant(end),
            secs(ms_between(end, start)),
            format_instant(start)
        ),
        Some(format_instant(end)),
    );
    false
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
        seg.pos,
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
    let found = if before(start) {
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
    f.emit_named(
        Code::SegmentOutsideInteraction,
        seg.pos,
        field,
        format!(
            "the segment {verb} at {}, {} s {what}; {window}",
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
    let first = order[0];
    if !list[first].is_rec_start() {
        f.emit_named(
            Code::EventsStartWrong,
            seg.pos,
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
                    seg.pos,
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
                seg.pos,
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
            seg.pos,
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
    use super::secs;

    #[test]
    fn seconds_are_shown_with_up_to_three_decimals() {
        assert_eq!(secs(2043), "2.043");
        assert_eq!(secs(832_000), "832");
        assert_eq!(secs(-1500), "-1.5");
        assert_eq!(secs(829_957), "829.957");
        assert_eq!(secs(10), "0.01");
    }
}
