//! The typed segment row of interaction metadata (SPEC 2.4).
//!
//! Two generations of the export exist: `interactionMetadata` v2 and the
//! current cx v1 `interaction-metadata`. Both are read into one [`Segment`]
//! whose fields carry the canonical names of SPEC 2.4, so that code
//! downstream never asks which generation a segment came from (it can, via
//! [`Segment::generation`]). Instants are UTC with millisecond precision.

use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};

use super::interval::PRINTABLE_YEARS;
use crate::position::Position;

/// Which export generation a segment was read from: v2 when the object
/// has keys only v2 writes (`segmentID`, `segmentAgentId`,
/// `interactionDirection`, `segmentDuration`…) and none only cx v1 writes;
/// cx v1 otherwise (including objects with only the keys both share).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
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
    pub direction: Option<String>,
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
    /// An empty list whose allocation the next segment's events reuse.
    spare: Vec<SegmentEvent>,
}

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
        *self = Segment {
            interaction_id,
            segment_id,
            spare,
            ..Segment::default()
        };
    }

    /// An empty event list, reusing the allocation of the previous
    /// segment's list.
    #[cfg_attr(not(feature = "json"), allow(dead_code))]
    pub(crate) fn take_event_list(&mut self) -> Vec<SegmentEvent> {
        std::mem::take(&mut self.spare)
    }

    /// The span's end: `segment_end`, else start + duration.
    pub fn end_or_computed(&self) -> Option<DateTime<Utc>> {
        self.segment_end.or_else(|| {
            let start = self.segment_start?;
            let ms = i64::try_from(self.segment_duration_ms?).ok()?;
            start.checked_add_signed(chrono::Duration::milliseconds(ms))
        })
    }
}

/// Parses a timestamp of interaction metadata: an RFC 3339 string
/// (`2020-07-21T17:32:28.001Z`, any offset) or epoch milliseconds written
/// as digits. The result is truncated to the millisecond, and its UTC year
/// is in [`PRINTABLE_YEARS`], so that it, and every bucket around it in any
/// zone, prints as RFC 3339 (which has four-digit years) and parses back.
///
/// ```
/// use ringcx_reports::model::{parse_instant, format_instant};
/// let t = parse_instant("2020-07-21T19:32:28.001+02:00").unwrap();
/// assert_eq!(format_instant(t), "2020-07-21T17:32:28.001+00:00");
/// assert_eq!(parse_instant("1595352748001"), Some(t));
/// assert_eq!(parse_instant("yesterday"), None);
/// // Year 56526: epoch digits that RFC 3339 cannot print.
/// assert_eq!(parse_instant("1721640055000000"), None);
/// ```
pub fn parse_instant(s: &str) -> Option<DateTime<Utc>> {
    use chrono::Datelike;
    let s = s.trim();
    let t = if !s.is_empty() && s.len() <= 16 && s.bytes().all(|b| b.is_ascii_digit()) {
        instant_from_millis(s.parse().ok()?)?
    } else {
        let t = DateTime::parse_from_rfc3339(s).ok()?.with_timezone(&Utc);
        instant_from_millis(t.timestamp_millis())?
    };
    PRINTABLE_YEARS.contains(&t.year()).then_some(t)
}

/// The instant `ms` milliseconds after the Unix epoch.
pub fn instant_from_millis(ms: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
}

/// RFC 3339 with milliseconds and `+00:00`, as `rcx parse` prints segment
/// times.
pub fn format_instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, false)
}
