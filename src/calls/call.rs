//! One call (SPEC 5.1): an interaction of interaction metadata seen as a
//! contact-center call, with what the call KPIs need of it.

use crate::model::{Direction, SegmentGeneration};
use crate::timeline::{Interaction, PlacedSegment, TimelineBy};

/// One call: an interaction (v2 `interactionId`, cx v1 dialog) and what
/// SPEC 5.1 derives from its segments alone.
///
/// ```
/// use ringcx_reports::calls::Call;
/// use ringcx_reports::model::Direction;
/// use ringcx_reports::timeline::Interactions;
/// use ringcx_reports::ReaderBuilder;
/// // 30 s in IVR and queue, then agent 11 for 2 minutes.
/// let data = r#"[
///  {"interactionId": "A", "dialogId": "d", "dialogOrigination": "inbound", "channelType": "VOICE",
///   "dialogStartTimeMs": 0, "segmentId": "s-1", "segmentType": "IVR",
///   "segmentStartTimeMs": 0, "segmentEndTimeMs": 30000},
///  {"interactionId": "A", "dialogId": "d", "dialogOrigination": "inbound", "channelType": "VOICE",
///   "dialogStartTimeMs": 0, "segmentId": "s-2", "segmentType": "AGENT",
///   "segmentParticipantId": "11", "segmentStartTimeMs": 30000, "segmentEndTimeMs": 150000}]"#;
/// let mut reader = ReaderBuilder::new().from_bytes("m.json", data.into())?;
/// let set = Interactions::from_segments(reader.segments(), false)?;
/// let call = Call::of(&set.interactions()[0]);
/// assert_eq!(call.direction, Some(Direction::Inbound));
/// assert!(call.answered());
/// assert_eq!((call.wait_ms, call.handle_ms), (30_000, 120_000));
/// assert_eq!(call.agent_id(), Some("11"));
/// # Ok::<(), ringcx_reports::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Call<'a> {
    /// The interaction id.
    pub id: &'a str,
    /// v2 `interactionDirection`, cx v1 `dialogOrigination` (the reader
    /// refuses any other value than INBOUND or OUTBOUND, in any case, with
    /// V113); `None` when the data has none.
    pub direction: Option<Direction>,
    /// cx v1 `channelType`; `VOICE` for v2.
    pub channel: Option<&'a str>,
    /// The interaction's own start, else its first segment's start; ms.
    pub start: i64,
    /// The interaction's own end, else its last segment's end; ms.
    pub end: i64,
    /// The first agent segment, if an agent took the call.
    pub first_agent: Option<&'a PlacedSegment>,
    /// Its segments, ordered by start.
    pub segments: &'a [PlacedSegment],
    /// The wait before the first agent as the data gives it (first agent
    /// segment start − start; unanswered: end − start), ms; may be
    /// negative.
    pub raw_wait_ms: i64,
    /// [`raw_wait_ms`](Self::raw_wait_ms), a negative wait counted as 0.
    pub wait_ms: i64,
    /// Σ agent segment spans, ms (talk only: the export has no wrap-up).
    pub handle_ms: i64,
    /// Σ recorded time of the agent segments, ms.
    pub recorded_ms: i64,
    /// Agent segments starting after every earlier one ended.
    pub transfers: u64,
    /// Agent segments starting while an earlier one is open.
    pub conferences: u64,
    /// Whether the call's export lists unanswered calls: a cx v1 segment
    /// (v2 exports list agent legs only, so a call read from them alone
    /// can never be seen abandoned).
    pub shows_abandons: bool,
}

impl<'a> Call<'a> {
    /// The call of an interaction.
    pub fn of(i: &'a Interaction) -> Call<'a> {
        let mut transfers = 0;
        let mut conferences = 0;
        for conference in i.agent_legs() {
            if conference {
                conferences += 1;
            } else {
                transfers += 1;
            }
        }
        let raw_wait_ms = i.raw_wait_ms();
        Call {
            id: i.id(),
            direction: i.direction().and_then(Direction::parse),
            channel: i.channel(),
            start: i.start(),
            end: i.end(),
            first_agent: i.first_agent(),
            segments: i.segments(),
            raw_wait_ms,
            wait_ms: raw_wait_ms.max(0),
            handle_ms: i.handle_ms(),
            recorded_ms: i.recorded_ms(),
            transfers,
            conferences,
            shows_abandons: i
                .segments()
                .iter()
                .any(|s| s.generation == SegmentGeneration::CxV1),
        }
    }

    /// The call's span, end − start (0 for an end before the start), ms.
    pub fn span_ms(&self) -> i64 {
        (self.end - self.start).max(0)
    }

    /// Whether an agent took the call (it has an agent segment).
    pub fn answered(&self) -> bool {
        self.first_agent.is_some()
    }

    /// The first agent's id.
    pub fn agent_id(&self) -> Option<&'a str> {
        self.first_agent.and_then(PlacedSegment::agent_id)
    }

    /// The first agent segment's group (`(unmapped)` when it has none);
    /// `None` for an unanswered call.
    pub fn agent_group(&self) -> Option<&'a str> {
        self.first_agent.map(PlacedSegment::group)
    }

    /// The first IVR segment, if the call went through an IVR.
    pub fn first_ivr(&self) -> Option<&'a PlacedSegment> {
        self.segments.iter().find(|s| s.is_ivr)
    }

    /// The first IVR's id (its segment's participant id).
    pub fn ivr_id(&self) -> Option<&'a str> {
        self.first_ivr().and_then(PlacedSegment::ivr_id)
    }

    /// The company number (see [`TimelineBy::CompanyNumber`]): the first
    /// its segments give.
    pub fn company_number(&self) -> Option<&'a str> {
        self.segments.iter().find_map(PlacedSegment::company_number)
    }

    /// The called address (`interactionCalledAddress`; cx v1: the channel
    /// endpoint of an inbound dialog, the contact endpoint of an outbound
    /// one): the first its segments give.
    pub fn called_address(&self) -> Option<&'a str> {
        self.segments.iter().find_map(PlacedSegment::called_address)
    }

    /// The call's key under `by`: the first agent's id or group (empty for
    /// an unanswered call, and for an agent segment without an agent id),
    /// the direction, the channel, the company number, the first IVR's id
    /// (each empty when the data has none), or the empty key of `all`.
    pub fn key(&self, by: TimelineBy) -> &'a str {
        match by {
            TimelineBy::Agent => self.agent_id().unwrap_or(""),
            TimelineBy::AgentGroup => self.agent_group().unwrap_or(""),
            TimelineBy::Direction => self.direction.map_or("", Direction::as_str),
            TimelineBy::Channel => self.channel.unwrap_or(""),
            TimelineBy::CompanyNumber => self.company_number().unwrap_or(""),
            TimelineBy::Ivr => self.ivr_id().unwrap_or(""),
            TimelineBy::All => "",
        }
    }
}
