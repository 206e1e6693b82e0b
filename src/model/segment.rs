//! The typed segment row of interaction metadata (SPEC 2.4).
//!
//! Two generations of the export exist: `interactionMetadata` v2 and the
//! current cx v1 `interaction-metadata`. Both are read into one [`Segment`]
//! whose fields carry the canonical names of SPEC 2.4, so that code
//! downstream never asks which generation a segment came from (it can, via
//! [`Segment::generation`]). Instants are UTC with millisecond precision.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::instant::format_instant;
use crate::diagnostic::Code;
use crate::error::{Error, Result};
use crate::position::{Location, Position};

/// The longest segment span the readers accept by default: 7 days, in
/// milliseconds (see [`ReaderBuilder::max_segment_span`]). No call or
/// conversation leg lasts that long; a span beyond it is a damaged or
/// hostile value (`segmentDuration` 1e12 s), and splitting it into buckets
/// would cost work out of all proportion to the file.
///
/// [`ReaderBuilder::max_segment_span`]: crate::ReaderBuilder::max_segment_span
pub const DEFAULT_MAX_SEGMENT_SPAN_MS: u64 = 7 * 24 * 60 * 60 * 1000;

/// The direction of an interaction: v2 `interactionDirection`, cx v1
/// `dialogOrigination` (SPEC 5.1). Read case-insensitively; printed
/// `INBOUND` or `OUTBOUND`. Any other value is refused by the reader (V113),
/// so that `inbound` and `INBOUND` are one key.
///
/// ```
/// use ringcx_reports::model::Direction;
/// assert_eq!(Direction::parse(" inbound "), Some(Direction::Inbound));
/// assert_eq!("Outbound".parse::<Direction>().unwrap().as_str(), "OUTBOUND");
/// assert_eq!(Direction::parse("SIDEWAYS"), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Direction {
    /// `INBOUND`: the contact called in.
    Inbound,
    /// `OUTBOUND`: the contact was called.
    Outbound,
}

impl Direction {
    /// `INBOUND` or `OUTBOUND`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "INBOUND",
            Direction::Outbound => "OUTBOUND",
        }
    }
    /// The direction `s` names, ignoring case and surrounding white space.
    pub fn parse(s: &str) -> Option<Direction> {
        let s = super::trim(s);
        [Direction::Inbound, Direction::Outbound]
            .into_iter()
            .find(|d| d.as_str().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Direction {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Direction::parse(s)
            .ok_or_else(|| format!("unknown direction {s:?}; expected INBOUND or OUTBOUND"))
    }
}

/// Which export generation a segment was read from: v2 when the object
/// has keys only v2 writes (`segmentID`, `segmentAgentId`,
/// `interactionDirection`, `segmentDuration`…) and none only cx v1 writes;
/// cx v1 otherwise (including objects with only the keys both share).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SegmentGeneration {
    /// `interactionMetadata` v2 (`segmentID`, `segmentAgentId`,
    /// `segmentDuration` in seconds, voice only).
    V2,
    /// Current `interaction-metadata` cx v1 (`dialogId`, `segmentType`,
    /// `segmentParticipantId`, channels).
    #[default]
    CxV1,
}

impl SegmentGeneration {
    /// `v2` or `cx-v1`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SegmentGeneration::V2 => "v2",
            SegmentGeneration::CxV1 => "cx-v1",
        }
    }
}

impl fmt::Display for SegmentGeneration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One recording event of a segment (`segmentEvents[]`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SegmentEvent {
    /// Server time of the event (`eventTimeMs`).
    pub time: Option<DateTime<Utc>>,
    /// Client time of the event (`clientEventTimeMs`).
    pub client_time: Option<DateTime<Utc>>,
    /// Event type as written (`REC_START`, `REC_STOP`); empty when absent.
    pub kind: String,
    /// The physical line of the event's `eventType` value in its source
    /// (of the event object when it has none), which findings about the
    /// event name; 0 when the event was not read from a source.
    pub line: u64,
}

impl SegmentEvent {
    /// Whether the event starts a recording.
    pub fn is_rec_start(&self) -> bool {
        self.kind.eq_ignore_ascii_case("REC_START")
    }
    /// Whether the event stops a recording.
    pub fn is_rec_stop(&self) -> bool {
        self.kind.eq_ignore_ascii_case("REC_STOP")
    }
}

/// One segment of an interaction: an agent's (or bot's, or IVR's) part of
/// a call or digital conversation. Text fields are `None` when absent or
/// `null` in the source.
///
/// Readers fill a segment in place ([`Reader::read_segment`]) and reuse its
/// buffers; [`Segment::reset`] clears every value.
///
/// [`Reader::read_segment`]: crate::Reader::read_segment
///
/// ```
/// use ringcx_reports::{ReaderBuilder, Segment};
/// let data = r#"[{"interactionId": 77, "segmentID": 2, "segmentAgentId": 1009,
///   "segmentContactStartTimeMs": 1595352760002, "segmentDuration": 2}]"#;
/// let mut reader = ReaderBuilder::new().from_bytes("m.json", data.into())?;
/// let mut seg = Segment::default();
/// assert!(reader.read_segment(&mut seg)?);
/// assert_eq!(seg.interaction_id, "77");
/// assert_eq!(seg.agent_id.as_deref(), Some("1009"));
/// assert_eq!(seg.segment_duration_ms, Some(2000));
/// assert_eq!(seg.channel_type.as_deref(), Some("VOICE"));
/// assert_eq!(ringcx_reports::model::format_instant(seg.segment_start.unwrap()),
///            "2020-07-21T17:32:40.002+00:00");
/// # Ok::<(), ringcx_reports::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Segment {
    /// Where the segment was read.
    pub pos: Position,
    /// Which generation of the export it came from.
    pub generation: SegmentGeneration,
    /// `interactionId` (required).
    pub interaction_id: String,
    /// cx v1 `dialogId`.
    pub dialog_id: Option<String>,
    /// v2 `segmentID` or cx v1 `segmentId` (required).
    pub segment_id: String,
    /// cx v1 `segmentType` (`AGENT`, `BOT`, `IVR`); `AGENT` for v2.
    pub segment_type: Option<String>,
    /// v2 `segmentAgentId` or cx v1 `segmentParticipantId`.
    pub agent_id: Option<String>,
    /// `segmentAgentGroupId`.
    pub agent_group_id: Option<String>,
    /// cx v1 `segmentParticipantRcExtensionId`.
    pub rc_extension_id: Option<String>,
    /// v2 `interactionDirection` or cx v1 `dialogOrigination`.
    pub direction: Option<Direction>,
    /// cx v1 `channelType`; `VOICE` for v2.
    pub channel_type: Option<String>,
    /// cx v1 `channelClass`.
    pub channel_class: Option<String>,
    /// v2 `interactionCallingAddress`; cx v1 the contact endpoint of an
    /// inbound dialog, the channel endpoint of an outbound one.
    pub calling_address: Option<String>,
    /// v2 `interactionCalledAddress`; cx v1 the channel endpoint of an
    /// inbound dialog, the contact endpoint of an outbound one.
    pub called_address: Option<String>,
    /// v2 `interactionStartTimeMs` or cx v1 `dialogStartTimeMs`.
    pub interaction_start: Option<DateTime<Utc>>,
    /// v2 `interactionDurationMs` or cx v1 `dialogDurationMs`.
    pub interaction_duration_ms: Option<u64>,
    /// v2 `segmentContactStartTimeMs` or cx v1 `segmentStartTimeMs`.
    pub segment_start: Option<DateTime<Utc>>,
    /// v2 `segmentContactEndTimeMs` or cx v1 `segmentEndTimeMs`.
    pub segment_end: Option<DateTime<Utc>>,
    /// cx v1 `segmentDurationMs`, or v2 `segmentDuration` (seconds) × 1000.
    pub segment_duration_ms: Option<u64>,
    /// v2 `segmentRecordingURL`.
    pub recording_url: Option<String>,
    /// v2 `interactionRecordingLocation`.
    pub interaction_recording_location: Option<String>,
    /// cx v1 `hasRecording`.
    pub has_recording: Option<bool>,
    /// cx v1 `hasTranscript`.
    pub has_transcript: Option<bool>,
    /// cx v1 `systemDisposition`.
    pub system_disposition: Option<String>,
    /// cx v1 `agentDisposition`.
    pub agent_disposition: Option<String>,
    /// cx v1 `agentNotes`.
    pub agent_notes: Option<String>,
    /// cx v1 `subAccountId`.
    pub sub_account_id: Option<String>,
    /// `segmentEvents`: `None` when absent or `null`, else the list (which
    /// may be empty), in file order.
    pub events: Option<Vec<SegmentEvent>>,
    /// cx v1 `dialogEndTimeMs` (not among the canonical fields of SPEC 2.4;
    /// kept because SPEC 5 uses it as the interaction end).
    pub interaction_end: Option<DateTime<Utc>>,
    /// cx v1 `channelId` (kept so that no value of the export is lost).
    pub channel_id: Option<String>,
    /// The number of events of a `segmentEvents` list that was counted,
    /// not read (`None`: read, absent or null); see
    /// [`ReaderBuilder`](crate::ReaderBuilder)'s projections.
    pub(crate) counted_events: Option<u32>,
    /// An empty list whose allocation the next segment's events reuse.
    spare: Vec<SegmentEvent>,
    /// Emptied strings of the previous segment, for the next one's texts.
    pool: TextPool,
    /// Where each field's value was read: lines below `pos.line()`, by
    /// index in [`Segment::FIELDS`] (0 when not read from a source).
    lines: [u32; FIELD_COUNT],
}

/// Strings kept for reuse: a segment read after another takes its texts'
/// allocations rather than the allocator's. No part of a segment's value,
/// so equal whatever it holds.
#[derive(Default)]
struct TextPool(Vec<String>);

impl TextPool {
    /// Keeps `t`'s allocation, emptied.
    fn keep(&mut self, t: Option<String>) {
        if let Some(mut t) = t {
            t.clear();
            self.0.push(t);
        }
    }
}

impl PartialEq for TextPool {
    fn eq(&self, _: &TextPool) -> bool {
        true
    }
}

impl Eq for TextPool {}

impl Clone for TextPool {
    fn clone(&self) -> TextPool {
        TextPool::default()
    }
}

impl fmt::Debug for TextPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TextPool")
    }
}

/// Number of canonical fields ([`Segment::FIELDS`]).
const FIELD_COUNT: usize = 28;

impl Segment {
    /// The canonical field names, in the order `rcx parse` prints them:
    /// SPEC 2.4's list, then the two cx v1 values it does not name.
    pub const FIELDS: &'static [&'static str] = &[
        "interaction_id",
        "dialog_id",
        "segment_id",
        "segment_type",
        "agent_id",
        "agent_group_id",
        "rc_extension_id",
        "direction",
        "channel_type",
        "channel_class",
        "calling_address",
        "called_address",
        "interaction_start",
        "interaction_duration_ms",
        "segment_start",
        "segment_end",
        "segment_duration_ms",
        "recording_url",
        "interaction_recording_location",
        "has_recording",
        "has_transcript",
        "system_disposition",
        "agent_disposition",
        "agent_notes",
        "sub_account_id",
        "events",
        "interaction_end",
        "channel_id",
    ];

    /// The index of a canonical field name in [`FIELDS`](Self::FIELDS).
    pub(crate) fn field_index(name: &str) -> Option<usize> {
        Self::FIELDS.iter().position(|f| *f == name)
    }

    /// The physical line of the value of `field` (a name of
    /// [`FIELDS`](Self::FIELDS), or `events`): where the reader found it;
    /// the segment's first line for a field it did not find, or for a
    /// segment not read from a source. Errors and findings about a field
    /// name this line.
    ///
    /// ```
    /// use ringcx_reports::{ReaderBuilder, Segment};
    /// let data = "[\n {\"interactionId\": 7,\n  \"segmentId\": \"s1\",\n  \"segmentEndTimeMs\":\n    1595352760002}\n]";
    /// let mut reader = ReaderBuilder::new().from_bytes("m.json", data.into())?;
    /// let mut seg = Segment::default();
    /// reader.read_segment(&mut seg)?;
    /// assert_eq!(seg.pos.line(), 2);
    /// assert_eq!(seg.line_of("segment_id"), 3);
    /// assert_eq!(seg.line_of("segment_end"), 5); // the value, not its key
    /// assert_eq!(seg.line_of("agent_id"), 2); // absent
    /// # Ok::<(), ringcx_reports::Error>(())
    /// ```
    pub fn line_of(&self, field: &str) -> u64 {
        let off = Self::field_index(field).map_or(0, |i| self.lines[i]);
        self.pos.line() + u64::from(off)
    }

    /// [`pos`](Self::pos) on the line of `field`'s value
    /// ([`line_of`](Self::line_of)).
    pub fn field_pos(&self, field: &str) -> Position {
        self.pos.with_line(self.line_of(field))
    }

    /// Records that the value of the field at `idx` (in
    /// [`FIELDS`](Self::FIELDS)) is `off` lines below the first line.
    #[cfg_attr(not(feature = "json"), allow(dead_code))]
    pub(crate) fn set_line_off(&mut self, idx: usize, off: u32) {
        if let Some(l) = self.lines.get_mut(idx) {
            *l = off;
        }
    }

    /// The location of `field`'s value in `file`, naming the field.
    pub(crate) fn field_location(&self, file: &Arc<str>, field: &'static str) -> Location {
        Location::new(file.clone(), self.field_pos(field)).with_field(field)
    }

    /// Clears every value, keeping the string buffers of the two required
    /// ids and the event list's allocation.
    pub fn reset(&mut self) {
        let mut spare = self.events.take().unwrap_or_default();
        if spare.capacity() < self.spare.capacity() {
            spare = std::mem::take(&mut self.spare);
        }
        spare.clear();
        let mut interaction_id = std::mem::take(&mut self.interaction_id);
        let mut segment_id = std::mem::take(&mut self.segment_id);
        interaction_id.clear();
        segment_id.clear();
        let mut pool = std::mem::take(&mut self.pool);
        for t in [
            &mut self.dialog_id,
            &mut self.segment_type,
            &mut self.agent_id,
            &mut self.agent_group_id,
            &mut self.rc_extension_id,
            &mut self.channel_type,
            &mut self.channel_class,
            &mut self.calling_address,
            &mut self.called_address,
            &mut self.recording_url,
            &mut self.interaction_recording_location,
            &mut self.system_disposition,
            &mut self.agent_disposition,
            &mut self.agent_notes,
            &mut self.sub_account_id,
            &mut self.channel_id,
        ] {
            pool.keep(t.take());
        }
        *self = Segment {
            interaction_id,
            segment_id,
            spare,
            pool,
            ..Segment::default()
        };
    }

    /// `text` as a string of its own, in an allocation of the previous
    /// segment's when one is left.
    #[cfg_attr(not(feature = "json"), allow(dead_code))]
    pub(crate) fn text(&mut self, text: &str) -> String {
        let mut t = self.pool.0.pop().unwrap_or_default();
        t.push_str(text);
        t
    }

    /// Keeps `t`'s allocation for a later [`text`](Self::text).
    #[cfg_attr(not(feature = "json"), allow(dead_code))]
    pub(crate) fn recycle(&mut self, t: Option<String>) {
        self.pool.keep(t);
    }

    /// An empty event list, reusing the allocation of the previous
    /// segment's list.
    #[cfg_attr(not(feature = "json"), allow(dead_code))]
    pub(crate) fn take_event_list(&mut self) -> Vec<SegmentEvent> {
        std::mem::take(&mut self.spare)
    }

    /// Whether an agent handled the segment (SPEC 5.1: an agent segment):
    /// `segmentType` AGENT (any case, trimmed) when the type is given, else
    /// an agent id present.
    pub fn is_agent(&self) -> bool {
        match self.segment_type.as_deref() {
            Some(t) => super::trim(t).eq_ignore_ascii_case("AGENT"),
            None => self.agent_id.is_some(),
        }
    }

    /// Whether it is an IVR segment (cx v1 `segmentType` IVR, any case).
    pub fn is_ivr(&self) -> bool {
        self.segment_type
            .as_deref()
            .is_some_and(|t| super::trim(t).eq_ignore_ascii_case("IVR"))
    }

    /// The span's end: `segment_end`, else start + duration.
    pub fn end_or_computed(&self) -> Option<DateTime<Utc>> {
        self.segment_end.or_else(|| {
            let start = self.segment_start?;
            let ms = i64::try_from(self.segment_duration_ms?).ok()?;
            start.checked_add_signed(chrono::Duration::milliseconds(ms))
        })
    }

    /// The length of the span in milliseconds as timelines take it (SPEC
    /// 5): end − start (negative when the segment ends before it starts),
    /// else the duration; `None` when neither can be told.
    pub fn span_ms(&self) -> Option<i128> {
        match (self.segment_start, self.segment_end) {
            (Some(s), Some(e)) => Some(i128::from((e - s).num_milliseconds())),
            _ => self.segment_duration_ms.map(i128::from),
        }
    }

    /// The rules on a segment's span that every command applies, so that a
    /// segment that cannot be placed is never printed, summed or split:
    /// the segment must not end before it starts (T601, on `segment_end`),
    /// and with `max_span_ms`, neither its span ([`span_ms`](Self::span_ms))
    /// nor its interaction's duration may be longer (V114, on `segment_end`,
    /// on `segment_duration_ms` when the span comes from the duration, or
    /// on `interaction_duration_ms`: an interaction end computed from a
    /// duration of 10¹⁵ ms would not even print as RFC 3339). The readers
    /// apply both (the limit from [`ReaderBuilder::max_segment_span`]); the
    /// timeline applies the first to segments built by hand.
    ///
    /// [`ReaderBuilder::max_segment_span`]: crate::ReaderBuilder::max_segment_span
    pub(crate) fn check_span(&self, file: &Arc<str>, max_span_ms: Option<u64>) -> Result<()> {
        let ids = || {
            format!(
                "segment {} of interaction {}",
                self.segment_id, self.interaction_id
            )
        };
        if let (Some(start), Some(end)) = (self.segment_start, self.segment_end) {
            if end < start {
                let span = i128::from((end - start).num_milliseconds());
                return Err(Error::data(
                    Code::SegmentEndBeforeStart,
                    self.field_location(file, "segment_end"),
                    format!(
                        "{} ends at {}, {} s before it starts at {}",
                        ids(),
                        format_instant(end),
                        secs_text(-span),
                        format_instant(start)
                    ),
                    format_instant(end),
                ));
            }
        }
        let Some(max) = max_span_ms else {
            return Ok(());
        };
        let limit = || {
            if max % 86_400_000 == 0 {
                format!("{} days", max / 86_400_000)
            } else {
                format!("{} s", secs_text(i128::from(max)))
            }
        };
        if let Some(span) = self.span_ms().filter(|&s| s > i128::from(max)) {
            let (field, value, from) = match (self.segment_start, self.segment_end) {
                (Some(start), Some(end)) => (
                    "segment_end",
                    format_instant(end),
                    format!("from {} to {}", format_instant(start), format_instant(end)),
                ),
                _ => match self.generation {
                    SegmentGeneration::V2 => (
                        "segment_duration_ms",
                        secs_text(span),
                        "its segmentDuration".to_string(),
                    ),
                    SegmentGeneration::CxV1 => (
                        "segment_duration_ms",
                        span.to_string(),
                        "its segmentDurationMs".to_string(),
                    ),
                },
            };
            return Err(Error::data(
                Code::SpanTooLong,
                self.field_location(file, field),
                format!(
                    "{} spans {} s ({from}), longer than the segment span limit of {}",
                    ids(),
                    secs_text(span),
                    limit()
                ),
                value,
            ));
        }
        if let Some(d) = self.interaction_duration_ms.filter(|&d| d > max) {
            let name = match self.generation {
                SegmentGeneration::V2 => "interactionDurationMs",
                SegmentGeneration::CxV1 => "dialogDurationMs",
            };
            return Err(Error::data(
                Code::SpanTooLong,
                self.field_location(file, "interaction_duration_ms"),
                format!(
                    "interaction {} lasts {} s (its {name}), longer than the segment span \
                     limit of {}",
                    self.interaction_id,
                    secs_text(i128::from(d)),
                    limit()
                ),
                d.to_string(),
            ));
        }
        Ok(())
    }
}

/// Milliseconds as seconds with up to 3 decimals (`2.043`, `832`, `-1.5`).
pub(crate) fn secs_text(ms: i128) -> String {
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

/// An optional instant as [`format_instant`] prints it, or `null`.
#[cfg(feature = "serde")]
struct InstantText(Option<DateTime<Utc>>);

#[cfg(feature = "serde")]
impl serde::Serialize for InstantText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self.0 {
            Some(t) => s.serialize_str(&format_instant(t)),
            None => s.serialize_none(),
        }
    }
}

/// `INBOUND` or `OUTBOUND`.
#[cfg(feature = "serde")]
impl serde::Serialize for Direction {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// `v2` or `cx-v1`.
#[cfg(feature = "serde")]
impl serde::Serialize for SegmentGeneration {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// `{"time": …, "client_time": …, "type": …}` as in the `events` of
/// `rcx parse`: instants as [`format_instant`] prints them, an absent
/// value (an empty type) `null`. The line is not in it.
#[cfg(feature = "serde")]
impl serde::Serialize for SegmentEvent {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("SegmentEvent", 3)?;
        st.serialize_field("time", &InstantText(self.time))?;
        st.serialize_field("client_time", &InstantText(self.client_time))?;
        st.serialize_field("type", &Some(self.kind.as_str()).filter(|k| !k.is_empty()))?;
        st.end()
    }
}

/// The object `rcx parse --format ndjson` prints for a segment: the
/// [`FIELDS`](Segment::FIELDS) in order, absent values `null`, instants as
/// [`format_instant`] prints them. Position, lines and generation are not
/// in it.
#[cfg(feature = "serde")]
impl serde::Serialize for Segment {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let t = InstantText;
        let mut st = s.serialize_struct("Segment", FIELD_COUNT)?;
        st.serialize_field("interaction_id", &self.interaction_id)?;
        st.serialize_field("dialog_id", &self.dialog_id)?;
        st.serialize_field("segment_id", &self.segment_id)?;
        st.serialize_field("segment_type", &self.segment_type)?;
        st.serialize_field("agent_id", &self.agent_id)?;
        st.serialize_field("agent_group_id", &self.agent_group_id)?;
        st.serialize_field("rc_extension_id", &self.rc_extension_id)?;
        st.serialize_field("direction", &self.direction)?;
        st.serialize_field("channel_type", &self.channel_type)?;
        st.serialize_field("channel_class", &self.channel_class)?;
        st.serialize_field("calling_address", &self.calling_address)?;
        st.serialize_field("called_address", &self.called_address)?;
        st.serialize_field("interaction_start", &t(self.interaction_start))?;
        st.serialize_field("interaction_duration_ms", &self.interaction_duration_ms)?;
        st.serialize_field("segment_start", &t(self.segment_start))?;
        st.serialize_field("segment_end", &t(self.segment_end))?;
        st.serialize_field("segment_duration_ms", &self.segment_duration_ms)?;
        st.serialize_field("recording_url", &self.recording_url)?;
        st.serialize_field(
            "interaction_recording_location",
            &self.interaction_recording_location,
        )?;
        st.serialize_field("has_recording", &self.has_recording)?;
        st.serialize_field("has_transcript", &self.has_transcript)?;
        st.serialize_field("system_disposition", &self.system_disposition)?;
        st.serialize_field("agent_disposition", &self.agent_disposition)?;
        st.serialize_field("agent_notes", &self.agent_notes)?;
        st.serialize_field("sub_account_id", &self.sub_account_id)?;
        st.serialize_field("events", &self.events)?;
        st.serialize_field("interaction_end", &t(self.interaction_end))?;
        st.serialize_field("channel_id", &self.channel_id)?;
        st.end()
    }
}

/// Which keys of a segment record a reader converts into the [`Segment`]:
/// the values of the others are stepped over, checked as JSON only (any
/// JSON value passes), and stay absent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum SegmentRead {
    /// Every key (the default).
    #[default]
    Whole,
    /// The keys a placed segment uses (calls, timelines): not the
    /// dispositions, notes, transcript and recording flags, recording
    /// location, dialog, channel, extension and sub-account ids, which
    /// only tell re-pulled copies apart. `segmentEvents` is read when
    /// `events` holds, else its events are only counted (the count orders
    /// re-pulled copies).
    #[cfg_attr(not(feature = "json"), allow(dead_code))]
    Placing { events: bool },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_are_shown_with_up_to_three_decimals() {
        assert_eq!(secs_text(2043), "2.043");
        assert_eq!(secs_text(832_000), "832");
        assert_eq!(secs_text(-1500), "-1.5");
        assert_eq!(secs_text(829_957), "829.957");
        assert_eq!(secs_text(10), "0.01");
    }

    #[test]
    fn fields_are_counted() {
        assert_eq!(Segment::FIELDS.len(), FIELD_COUNT);
    }
}
