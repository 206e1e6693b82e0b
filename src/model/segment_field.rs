//! The catalogue of interaction-metadata keys: every JSON key of both
//! export generations (v2 and cx v1), the canonical [`Segment`] field it
//! fills, and which keys only v2 writes.

use super::{Segment, SegmentRead};

/// The keys of interaction metadata, both generations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SegKey {
    InteractionId,
    DialogId,
    SegmentIdV2,
    SegmentIdCx,
    SegmentType,
    AgentIdV2,
    ParticipantId,
    AgentGroupId,
    RcExtensionId,
    DirectionV2,
    Origination,
    ChannelId,
    ChannelType,
    ChannelClass,
    CallingV2,
    CalledV2,
    ChannelEndpoint,
    ContactEndpoint,
    InteractionStartV2,
    DialogStart,
    DialogEnd,
    InteractionDurationV2,
    DialogDuration,
    SegmentStartV2,
    SegmentStartCx,
    SegmentEndV2,
    SegmentEndCx,
    SegmentDurationSecsV2,
    SegmentDurationMsCx,
    RecordingUrl,
    RecordingLocation,
    HasRecording,
    HasTranscript,
    SystemDisposition,
    AgentDisposition,
    AgentNotes,
    SubAccountId,
    Events,
}

impl SegmentRead {
    /// Whether the value of `key` is stepped over.
    pub(crate) fn skips(self, key: SegKey) -> bool {
        use SegKey::*;
        match self {
            SegmentRead::Whole => false,
            SegmentRead::Placing { events } => match key {
                Events => !events,
                DialogId | RcExtensionId | ChannelId | ChannelClass | RecordingLocation
                | HasRecording | HasTranscript | SystemDisposition | AgentDisposition
                | AgentNotes | SubAccountId => true,
                _ => false,
            },
        }
    }
}

impl SegKey {
    /// The key and the index of its canonical field in [`Segment::FIELDS`]
    /// (`u8::MAX` for the two endpoints, which become the calling or called
    /// address later).
    pub(crate) fn resolve(k: &str) -> Option<(SegKey, u8)> {
        let key = SegKey::from_json(k)?;
        let idx = Segment::field_index(key.name()).map_or(u8::MAX, |i| i as u8);
        Some((key, idx))
    }

    fn from_json(k: &str) -> Option<SegKey> {
        use SegKey::*;
        Some(match k {
            "interactionId" => InteractionId,
            "dialogId" => DialogId,
            "segmentID" => SegmentIdV2,
            "segmentId" => SegmentIdCx,
            "segmentType" => SegmentType,
            "segmentAgentId" => AgentIdV2,
            "segmentParticipantId" => ParticipantId,
            "segmentAgentGroupId" => AgentGroupId,
            "segmentParticipantRcExtensionId" => RcExtensionId,
            "interactionDirection" => DirectionV2,
            "dialogOrigination" => Origination,
            "channelId" => ChannelId,
            "channelType" => ChannelType,
            "channelClass" => ChannelClass,
            "interactionCallingAddress" => CallingV2,
            "interactionCalledAddress" => CalledV2,
            "channelEndpointAddress" => ChannelEndpoint,
            "contactEndpointAddress" => ContactEndpoint,
            "interactionStartTimeMs" => InteractionStartV2,
            "dialogStartTimeMs" => DialogStart,
            "dialogEndTimeMs" => DialogEnd,
            "interactionDurationMs" => InteractionDurationV2,
            "dialogDurationMs" => DialogDuration,
            "segmentContactStartTimeMs" => SegmentStartV2,
            "segmentStartTimeMs" => SegmentStartCx,
            "segmentContactEndTimeMs" => SegmentEndV2,
            "segmentEndTimeMs" => SegmentEndCx,
            "segmentDuration" => SegmentDurationSecsV2,
            "segmentDurationMs" => SegmentDurationMsCx,
            "segmentRecordingURL" | "segmentRecordingUrl" => RecordingUrl,
            "interactionRecordingLocation" => RecordingLocation,
            "hasRecording" => HasRecording,
            "hasTranscript" => HasTranscript,
            "systemDisposition" => SystemDisposition,
            "agentDisposition" => AgentDisposition,
            "agentNotes" => AgentNotes,
            "subAccountId" => SubAccountId,
            "segmentEvents" => Events,
            _ => return None,
        })
    }

    /// Keys only the v2 export has (decides a segment's generation).
    pub(crate) fn is_v2(self) -> bool {
        use SegKey::*;
        matches!(
            self,
            SegmentIdV2
                | AgentIdV2
                | DirectionV2
                | CallingV2
                | CalledV2
                | InteractionStartV2
                | InteractionDurationV2
                | SegmentStartV2
                | SegmentEndV2
                | SegmentDurationSecsV2
                | RecordingUrl
                | RecordingLocation
        )
    }

    /// The JSON name, for messages.
    pub(crate) fn name(self) -> &'static str {
        use SegKey::*;
        match self {
            InteractionId => "interaction_id",
            DialogId => "dialog_id",
            SegmentIdV2 | SegmentIdCx => "segment_id",
            SegmentType => "segment_type",
            AgentIdV2 | ParticipantId => "agent_id",
            AgentGroupId => "agent_group_id",
            RcExtensionId => "rc_extension_id",
            DirectionV2 | Origination => "direction",
            ChannelId => "channel_id",
            ChannelType => "channel_type",
            ChannelClass => "channel_class",
            CallingV2 => "calling_address",
            CalledV2 => "called_address",
            ChannelEndpoint => "channel_endpoint_address",
            ContactEndpoint => "contact_endpoint_address",
            InteractionStartV2 | DialogStart => "interaction_start",
            DialogEnd => "interaction_end",
            InteractionDurationV2 | DialogDuration => "interaction_duration_ms",
            SegmentStartV2 | SegmentStartCx => "segment_start",
            SegmentEndV2 | SegmentEndCx => "segment_end",
            SegmentDurationSecsV2 | SegmentDurationMsCx => "segment_duration_ms",
            RecordingUrl => "recording_url",
            RecordingLocation => "interaction_recording_location",
            HasRecording => "has_recording",
            HasTranscript => "has_transcript",
            SystemDisposition => "system_disposition",
            AgentDisposition => "agent_disposition",
            AgentNotes => "agent_notes",
            SubAccountId => "sub_account_id",
            Events => "events",
        }
    }
}
