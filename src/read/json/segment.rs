//! Segments of interaction metadata from JSON records (SPEC 2.4), both
//! export generations: each key, resolved through the catalogue of
//! [`SegKey`], fills its field of the [`Segment`]; the rules that need
//! every key (required ids, generation, calling and called address) apply
//! once the record is read.

use std::fmt;
use std::sync::Arc;

use serde::de::{IgnoredAny, MapAccess, Visitor};

use self::events::{walk_events, CountSeed, EventsSeed};
use super::document::Next;
use super::flat::{Flat, Key, WALK_DEPTH};
use super::frame::ValueLines;
use super::seed::{KeyCache, KeySeed, Scalar, ScalarSeed};
use super::{deserialize_record, fatal, Elem, JsonInput, Step};
use crate::diagnostic::Code;
use crate::error::{Error, Result};
use crate::model::{
    parse_count, parse_decimal, parse_instant, trim, Direction, SegKey, Segment, SegmentGeneration,
    SegmentRead,
};
use crate::position::{Location, Position};

impl JsonInput {
    /// Reads one segment record into `seg`.
    pub(crate) fn read_segment(&mut self, record: u64, seg: &mut Segment) -> Step<bool> {
        self.record = record;
        let elem = match self.elem_start().map_err(fatal)? {
            Next::End => return Ok(false),
            Next::Framed(elem) => elem,
            Next::At(depth) => {
                if let Some(done) = self.walk_line(depth, record, seg) {
                    return done;
                }
                self.take_elem(depth).map_err(fatal)?
            }
        };
        self.read_framed_segment(elem, record, seg)
    }

    /// The common record without framing it first: an object on its own
    /// line, walked (see `flat`) from its start to its line's last `}`.
    /// The walk ending exactly there proves the guess, and the record is
    /// taken; `None` (nothing taken) for any other record.
    fn walk_line(&mut self, depth: usize, record: u64, seg: &mut Segment) -> Option<Step<bool>> {
        // The limits the framer enforces, so that they give the same errors.
        if depth + WALK_DEPTH > self.max_depth {
            return None;
        }
        let len = self
            .guess_line_elem(depth)
            .filter(|&n| n <= self.max_record)?;
        let at = self.buf.start();
        let pos = Position::new(self.offset(), self.line, record);
        let (st, err) = self.walk_record(at..at + len, pos, seg, true)?;
        self.consume_in_line(len);
        Some(self.finish_segment(seg, st, err))
    }

    /// Reads the segment record `elem`, framed already: walked when it can
    /// be, else from the start again with `serde_json`.
    fn read_framed_segment(&mut self, elem: Elem, record: u64, seg: &mut Segment) -> Step<bool> {
        let pos = Position::new(elem.byte, elem.line, record);
        let range = elem.start..elem.end;
        if let Some((st, err)) = self.walk_record(range.clone(), pos, seg, false) {
            return self.finish_segment(seg, st, err);
        }
        let (parsed, st, err) = self.with_record(range, pos, seg, false, |v, bytes| {
            deserialize_record(bytes, v)
        });
        match parsed {
            Ok(()) => self.finish_segment(seg, st, err),
            Err(e) => Err(self.elem_error(&elem, record, e)),
        }
    }

    /// Walks the record at `range` of the buffer (see `flat`) into `seg`:
    /// what it had and its first error; `None` when it spans lines or the
    /// walk declines. `in_line`: the record is known to hold no line break.
    fn walk_record(
        &mut self,
        range: std::ops::Range<usize>,
        pos: Position,
        seg: &mut Segment,
        in_line: bool,
    ) -> Option<(SegState, Option<Error>)> {
        let (walked, st, err) = self.with_record(range, pos, seg, in_line, |mut v, bytes| {
            !v.lines.spans_lines()
                && std::str::from_utf8(bytes)
                    .ok()
                    .and_then(Flat::new)
                    .is_some_and(|mut f| v.walk(&mut f).is_some() && f.at_end())
        });
        walked.then_some((st, err))
    }

    /// Runs `read` on a visitor of the record at `range` of the buffer,
    /// which starts at `pos`, and on its bytes, `seg` cleared first: what
    /// `read` gave, what the record had and its first error. `in_line`:
    /// the record is known to hold no line break (no value lines to index).
    fn with_record<T>(
        &mut self,
        range: std::ops::Range<usize>,
        pos: Position,
        seg: &mut Segment,
        in_line: bool,
        read: impl FnOnce(SegVisitor<'_>, &[u8]) -> T,
    ) -> (T, SegState, Option<Error>) {
        let bytes = &self.buf.data()[range];
        if in_line {
            self.lines.clear();
        } else {
            self.lines.index(bytes);
        }
        let mut st = SegState::default();
        let mut err = None;
        seg.reset();
        seg.pos = pos;
        let visitor = SegVisitor {
            keys: &mut self.seg_keys,
            seg,
            st: &mut st,
            scratch: &mut self.scratch,
            err: &mut err,
            lines: &self.lines,
            file: &self.file,
            off: 0,
            read: self.segment_read,
        };
        let out = read(visitor, bytes);
        (out, st, err)
    }

    /// The rules once a record is read: its first error, those that need
    /// every key, its span.
    fn finish_segment(&self, seg: &mut Segment, st: SegState, err: Option<Error>) -> Step<bool> {
        if let Some(e) = err {
            return Err((e, false));
        }
        finish_segment(seg, st, &self.file).map_err(|e| (e, false))?;
        seg.check_span(&self.file, Some(self.max_span_ms))
            .map_err(|e| (e, false))?;
        Ok(true)
    }
}

/// What a segment object had, for the rules applied once all keys are in.
#[derive(Default)]
#[cfg_attr(test, derive(Clone, Debug, PartialEq))]
struct SegState {
    v2_keys: bool,
    cx_keys: bool,
    has_interaction_id: bool,
    has_segment_id: bool,
    channel_endpoint: Option<String>,
    contact_endpoint: Option<String>,
    /// Line offsets of the two endpoint values, which become the calling
    /// and called addresses once the direction is known.
    channel_endpoint_off: u32,
    contact_endpoint_off: u32,
}

struct SegVisitor<'a> {
    keys: &'a mut KeyCache<(SegKey, u8)>,
    seg: &'a mut Segment,
    st: &'a mut SegState,
    scratch: &'a mut String,
    err: &'a mut Option<Error>,
    lines: &'a ValueLines,
    file: &'a Arc<str>,
    /// Line offset (from the record's first line) of the value being read.
    off: u32,
    /// The keys converted.
    read: SegmentRead,
}

const EXPECT_INSTANT: &str =
    "expected an RFC 3339 timestamp (2020-07-21T17:32:28.001Z) or epoch milliseconds";
const EXPECT_MS: &str = "expected a non-negative integer number of milliseconds";
const EXPECT_SECS: &str = "expected a non-negative number of seconds (at most 3 decimals)";
const EXPECT_TEXT: &str = "expected a string or a number";
const EXPECT_BOOL: &str = "expected true or false";
const EXPECT_DIRECTION: &str = "expected INBOUND or OUTBOUND (in any case)";

/// The location of a value `off` lines below the first line of the record
/// at `pos`.
fn value_loc(file: &Arc<str>, pos: Position, off: u32, field: &'static str) -> Location {
    Location::new(file.clone(), pos.with_line(pos.line() + u64::from(off))).with_field(field)
}

fn bad(loc: Location, expected: &str, raw: &str) -> Error {
    Error::data(Code::BadValue, loc, expected, raw)
}

impl SegVisitor<'_> {
    fn loc(&self, key: SegKey) -> Location {
        value_loc(self.file, self.seg.pos, self.off, key.name())
    }

    fn text(&mut self, kind: Scalar, key: SegKey, v: &str) -> Result<Option<String>> {
        match kind {
            Scalar::Null => Ok(None),
            Scalar::Text | Scalar::Number => Ok(Some(self.seg.text(trim(v)))),
            Scalar::Bool(_) | Scalar::Nested => Err(bad(self.loc(key), EXPECT_TEXT, v)),
        }
    }

    fn instant(
        &self,
        kind: Scalar,
        key: SegKey,
        v: &str,
    ) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
        match kind {
            Scalar::Null => Ok(None),
            Scalar::Text | Scalar::Number => {
                if kind == Scalar::Text && trim(v).is_empty() {
                    return Ok(None);
                }
                parse_instant(v)
                    .map(Some)
                    .ok_or_else(|| bad(self.loc(key), EXPECT_INSTANT, v))
            }
            _ => Err(bad(self.loc(key), EXPECT_INSTANT, v)),
        }
    }

    /// INBOUND or OUTBOUND in any case; null or an empty string is absent.
    fn direction(&self, kind: Scalar, key: SegKey, v: &str) -> Result<Option<Direction>> {
        match kind {
            Scalar::Null => Ok(None),
            Scalar::Text if trim(v).is_empty() => Ok(None),
            Scalar::Text | Scalar::Number => Direction::parse(v)
                .map(Some)
                .ok_or_else(|| bad(self.loc(key), EXPECT_DIRECTION, v)),
            _ => Err(bad(self.loc(key), EXPECT_DIRECTION, v)),
        }
    }

    fn millis(&self, kind: Scalar, key: SegKey, v: &str) -> Result<Option<u64>> {
        match kind {
            Scalar::Null => Ok(None),
            Scalar::Text | Scalar::Number => {
                parse_count(v).map_err(|p| Error::data(p.code, self.loc(key), EXPECT_MS, v))
            }
            _ => Err(bad(self.loc(key), EXPECT_MS, v)),
        }
    }

    /// v2 `segmentDuration` is in seconds; it becomes milliseconds.
    fn seconds_as_millis(&self, kind: Scalar, key: SegKey, v: &str) -> Result<Option<u64>> {
        let err = |code| Error::data(code, self.loc(key), EXPECT_SECS, v);
        match kind {
            Scalar::Null => Ok(None),
            Scalar::Text | Scalar::Number => {
                let Some(d) = parse_decimal(v).map_err(|p| err(p.code))? else {
                    return Ok(None);
                };
                let ms = d * rust_decimal::Decimal::from(1000);
                if !ms.fract().is_zero() {
                    return Err(err(Code::Fraction));
                }
                u64::try_from(ms).map(Some).map_err(|_| err(Code::Overflow))
            }
            _ => Err(err(Code::BadValue)),
        }
    }

    fn flag(&self, kind: Scalar, key: SegKey, v: &str) -> Result<Option<bool>> {
        match kind {
            Scalar::Null => Ok(None),
            Scalar::Bool(b) => Ok(Some(b)),
            Scalar::Text if trim(v).eq_ignore_ascii_case("true") => Ok(Some(true)),
            Scalar::Text if trim(v).eq_ignore_ascii_case("false") => Ok(Some(false)),
            _ => Err(bad(self.loc(key), EXPECT_BOOL, v)),
        }
    }

    /// Notes the generation that writes `key`.
    fn mark(&mut self, key: SegKey) {
        if key.is_v2() {
            self.st.v2_keys = true;
        } else if !matches!(
            key,
            SegKey::InteractionId | SegKey::AgentGroupId | SegKey::Events
        ) {
            self.st.cx_keys = true;
        }
    }

    fn set(&mut self, key: SegKey, kind: Scalar, v: &str) -> Result<()> {
        use SegKey::*;
        self.mark(key);
        let s = &mut *self;
        match key {
            InteractionId => {
                let t = s.text(kind, key, v)?;
                s.st.has_interaction_id = t.is_some();
                s.seg.interaction_id.clear();
                s.seg.interaction_id.push_str(t.as_deref().unwrap_or(""));
                s.seg.recycle(t);
            }
            SegmentIdV2 | SegmentIdCx => {
                let t = s.text(kind, key, v)?;
                s.st.has_segment_id = t.is_some();
                s.seg.segment_id.clear();
                s.seg.segment_id.push_str(t.as_deref().unwrap_or(""));
                s.seg.recycle(t);
            }
            DialogId => s.seg.dialog_id = s.text(kind, key, v)?,
            SegmentType => s.seg.segment_type = s.text(kind, key, v)?,
            AgentIdV2 | ParticipantId => s.seg.agent_id = s.text(kind, key, v)?,
            AgentGroupId => s.seg.agent_group_id = s.text(kind, key, v)?,
            RcExtensionId => s.seg.rc_extension_id = s.text(kind, key, v)?,
            DirectionV2 | Origination => s.seg.direction = s.direction(kind, key, v)?,
            ChannelId => s.seg.channel_id = s.text(kind, key, v)?,
            ChannelType => s.seg.channel_type = s.text(kind, key, v)?,
            ChannelClass => s.seg.channel_class = s.text(kind, key, v)?,
            CallingV2 => s.seg.calling_address = s.text(kind, key, v)?,
            CalledV2 => s.seg.called_address = s.text(kind, key, v)?,
            ChannelEndpoint => {
                s.st.channel_endpoint = s.text(kind, key, v)?;
                s.st.channel_endpoint_off = s.off;
            }
            ContactEndpoint => {
                s.st.contact_endpoint = s.text(kind, key, v)?;
                s.st.contact_endpoint_off = s.off;
            }
            InteractionStartV2 | DialogStart => {
                s.seg.interaction_start = s.instant(kind, key, v)?
            }
            DialogEnd => s.seg.interaction_end = s.instant(kind, key, v)?,
            InteractionDurationV2 | DialogDuration => {
                s.seg.interaction_duration_ms = s.millis(kind, key, v)?
            }
            SegmentStartV2 | SegmentStartCx => s.seg.segment_start = s.instant(kind, key, v)?,
            SegmentEndV2 | SegmentEndCx => s.seg.segment_end = s.instant(kind, key, v)?,
            SegmentDurationSecsV2 => {
                s.seg.segment_duration_ms = s.seconds_as_millis(kind, key, v)?
            }
            SegmentDurationMsCx => s.seg.segment_duration_ms = s.millis(kind, key, v)?,
            RecordingUrl => s.seg.recording_url = s.text(kind, key, v)?,
            RecordingLocation => s.seg.interaction_recording_location = s.text(kind, key, v)?,
            HasRecording => s.seg.has_recording = s.flag(kind, key, v)?,
            HasTranscript => s.seg.has_transcript = s.flag(kind, key, v)?,
            SystemDisposition => s.seg.system_disposition = s.text(kind, key, v)?,
            AgentDisposition => s.seg.agent_disposition = s.text(kind, key, v)?,
            AgentNotes => s.seg.agent_notes = s.text(kind, key, v)?,
            SubAccountId => s.seg.sub_account_id = s.text(kind, key, v)?,
            Events => {} // handled by EventsSeed
        }
        Ok(())
    }

    /// Takes the scalar value of member `key`, unless an earlier value
    /// was wrong (the record's first error is the one reported).
    fn member(&mut self, key: SegKey, kind: Scalar, v: &str) {
        if self.err.is_some() {
            return;
        }
        if let Err(e) = self.set(key, kind, v) {
            *self.err = Some(e);
        }
    }

    /// [`member`](Self::member) with the scalar in the scratch text.
    fn scratch_member(&mut self, key: SegKey, kind: Scalar) {
        let v = std::mem::take(self.scratch);
        self.member(key, kind, &v);
        *self.scratch = v;
    }

    /// Walks a record (see `flat`) as [`visit_map`](Visitor::visit_map)
    /// does with `serde_json`, up to where its object closes; `None` when
    /// the walk declines.
    fn walk(&mut self, f: &mut Flat<'_>) -> Option<()> {
        f.open_object()?;
        let mut i = 0;
        loop {
            // Most records repeat the keys of the one before, in order.
            let expected = self.keys.expected(i);
            let key = match f.key_as(i, expected.map(|e| e.0))? {
                None => break,
                Some(Key::Expected) => expected.and_then(|e| e.1),
                Some(Key::Other(k)) => self.keys.get(i, k, SegKey::resolve),
            };
            i += 1;
            let Some((key, idx)) = key else {
                f.skip_value(WALK_DEPTH - 1)?;
                continue;
            };
            if self.read.skips(key) {
                self.mark(key);
                let n = if f.null()? {
                    None
                } else {
                    Some(f.skip_value(WALK_DEPTH - 1)?)
                };
                if key == SegKey::Events {
                    self.seg.counted_events = n;
                }
                continue;
            }
            self.seg.set_line_off(usize::from(idx), 0);
            if key == SegKey::Events {
                let mut list = self.seg.take_event_list();
                let pos = self.seg.pos;
                let present = walk_events(f, &mut list, self.scratch, self.err, self.file, pos)?;
                self.seg.events = present.then_some(list);
                continue;
            }
            // Most values are strings without escapes: read in place.
            if let Some(v) = f.plain_string() {
                self.member(key, Scalar::Text, v);
                continue;
            }
            let kind = f.scalar(self.scratch)?;
            self.scratch_member(key, kind);
        }
        Some(())
    }
}

impl<'de> Visitor<'de> for SegVisitor<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> std::result::Result<(), A::Error> {
        let mut i = 0;
        // The entry of the member's value in `lines`.
        let mut at = 0;
        while let Some(key) = map.next_key_seed(KeySeed {
            cache: self.keys,
            i,
            resolve: SegKey::resolve,
        })? {
            i += 1;
            let here = at;
            self.off = self.lines.line(here);
            at = self.lines.next(here);
            let Some((key, idx)) = key else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            if self.read.skips(key) {
                self.mark(key);
                if key == SegKey::Events {
                    self.seg.counted_events = map.next_value_seed(CountSeed)?;
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
                continue;
            }
            self.seg.set_line_off(usize::from(idx), self.off);
            if key == SegKey::Events {
                let mut list = self.seg.take_event_list();
                let present = map.next_value_seed(EventsSeed {
                    list: &mut list,
                    scratch: self.scratch,
                    err: self.err,
                    lines: self.lines,
                    file: self.file,
                    pos: self.seg.pos,
                    at: here,
                })?;
                self.seg.events = present.then_some(list);
                continue;
            }
            let kind = map.next_value_seed(ScalarSeed(self.scratch))?;
            self.scratch_member(key, kind);
        }
        Ok(())
    }
}

/// The rules that need every key of a segment (SPEC 2.4).
fn finish_segment(seg: &mut Segment, st: SegState, file: &Arc<str>) -> Result<()> {
    for (has, name) in [
        (st.has_interaction_id, "interaction_id"),
        (st.has_segment_id, "segment_id"),
    ] {
        if !has {
            return Err(Error::structure(
                Code::MissingColumn,
                Location::new(file.clone(), seg.pos).with_field(name),
                format!("the segment has no {name} (interactionId and segmentId/segmentID are required)"),
            ));
        }
    }
    for name in ["interaction_id", "segment_id"] {
        let empty = match name {
            "interaction_id" => seg.interaction_id.is_empty(),
            _ => seg.segment_id.is_empty(),
        };
        if empty {
            return Err(Error::data(
                Code::EmptyRequired,
                seg.field_location(file, name),
                format!("a required value is empty: expected an id in {name}"),
                "",
            ));
        }
    }
    seg.generation = if st.v2_keys && !st.cx_keys {
        SegmentGeneration::V2
    } else {
        SegmentGeneration::CxV1
    };
    if seg.generation == SegmentGeneration::V2 {
        // v2 is voice-only agent segment metadata.
        seg.channel_type.get_or_insert_with(|| "VOICE".into());
        seg.segment_type.get_or_insert_with(|| "AGENT".into());
    }
    // cx v1: the contact is the caller of an inbound dialog and the callee
    // of an outbound one; the channel endpoint is the other party. When the
    // direction is unknown, the inbound reading is used (most traffic).
    let outbound = seg.direction == Some(Direction::Outbound);
    let contact = (st.contact_endpoint, st.contact_endpoint_off);
    let channel = (st.channel_endpoint, st.channel_endpoint_off);
    if contact.0.is_some() || channel.0.is_some() {
        let (calling, called) = if outbound {
            (channel, contact)
        } else {
            (contact, channel)
        };
        for (is_calling, (value, off)) in [(true, calling), (false, called)] {
            let (slot, name) = if is_calling {
                (&mut seg.calling_address, "calling_address")
            } else {
                (&mut seg.called_address, "called_address")
            };
            if slot.is_none() && value.is_some() {
                *slot = value;
                if let Some(i) = Segment::field_index(name) {
                    seg.set_line_off(i, off);
                }
            }
        }
    }
    Ok(())
}

mod events;
#[cfg(test)]
mod tests;
