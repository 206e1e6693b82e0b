//! The field catalogue: every field of the three interval reports, with its
//! canonical snake_case name, its camelCase JSON name(s), the header aliases
//! real exporters write, and how its value is typed.

use std::fmt;

/// How a field's value is typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldType {
    /// Interval length in minutes.
    Interval,
    /// Local date of the interval start.
    Date,
    /// Local time of the interval start.
    Time,
    /// Local date and time in one value (JSON `dateTimeFrom`).
    DateTime,
    /// An id that keys the row (queue, agent): required, kept as text.
    Key,
    /// A display name: free text, may be empty.
    Name,
    /// A non-negative integer count.
    Count,
    /// A non-negative integer duration in seconds.
    Seconds,
    /// A non-negative integer duration in milliseconds.
    Millis,
    /// A non-negative decimal (an average).
    Decimal,
}

macro_rules! fields {
    ($( $(#[$doc:meta])* $var:ident => $snake:literal, [$($json:literal),*], $ty:ident; )*) => {
        /// A field of an interval report. [`Field::name`] is the canonical
        /// snake_case name that `rcx parse` prints.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Field { $( $(#[$doc])* $var, )* }

        impl Field {
            /// Every field.
            pub const ALL: &'static [Field] = &[ $( Field::$var, )* ];
            /// Canonical snake_case name.
            pub const fn name(self) -> &'static str {
                match self { $( Field::$var => $snake, )* }
            }
            /// camelCase names in the current JSON form (first is preferred).
            pub const fn json_names(self) -> &'static [&'static str] {
                match self { $( Field::$var => &[$($json),*], )* }
            }
            /// How the value is typed.
            pub const fn ty(self) -> FieldType {
                match self { $( Field::$var => FieldType::$ty, )* }
            }
        }
    };
}

fields! {
    /// Interval length in minutes.
    Interval => "interval", ["interval"], Interval;
    /// Local date of the interval start.
    DateFrom => "date_from", [], Date;
    /// Local time of the interval start.
    Time => "time", [], Time;
    /// Local date and time of the interval start (JSON only).
    DateTimeFrom => "date_time_from", ["dateTimeFrom"], DateTime;
    /// Queue id.
    Queue => "queue", ["queue"], Key;
    /// Queue name.
    QueueName => "queue_name", ["queueName"], Name;
    /// Agent id.
    AgentId => "agent_id", ["agentId"], Key;
    /// Agent name.
    AgentName => "agent_name", ["agentName"], Name;
    /// Calls offered directly to the queue.
    OffdDirectCallCnt => "offd_direct_call_cnt", ["offdDirectIxnCnt", "offDirectIxnCnt"], Count;
    /// Calls overflowed in from other queues.
    OverflowInCallCnt => "overflow_in_call_cnt", ["overflowInIxnCnt"], Count;
    /// Abandoned calls.
    AbandCallCnt => "aband_call_cnt", ["abandIxnCnt"], Count;
    /// Calls overflowed out to other queues.
    OverflowOutCallCnt => "overflow_out_call_cnt", ["overflowOutIxnCnt"], Count;
    /// Answered calls.
    AnswCallCnt => "answ_call_cnt", ["answIxnCnt"], Count;
    /// Total queue time of answered calls (s).
    QueuedAndAnswCallDur => "queued_and_answ_call_dur", ["queuedAndAnswIxnDur"], Seconds;
    /// Total queue time of abandoned calls (s).
    QueuedAndAbandCallDur => "queued_and_aband_call_dur", ["queuedAndAbandIxnDur"], Seconds;
    /// Total talk time (s).
    TalkingCallDur => "talking_call_dur", ["talkingIxnDur"], Seconds;
    /// Total wrap-up time (s).
    WrapUpDur => "wrap_up_dur", ["wrapUpDur"], Seconds;
    /// Longest queue time of an answered call (s).
    QueuedAnswLongestQueDur => "queued_answ_longest_que_dur", ["queuedAnswLongestQueDur"], Seconds;
    /// Longest queue time of an abandoned call (s).
    QueuedAbandLongestQueDur => "queued_aband_longest_que_dur", ["queuedAbandLongestQueDur"], Seconds;
    /// Average number of available members (Teleopti layout; may be fractional).
    AvgAvailMemberCnt => "avg_avail_member_cnt", ["avgAvailMemberCnt"], Decimal;
    /// Calls answered within the service level.
    AnsServicelevelCnt => "ans_servicelevel_cnt", ["ansServicelevelCnt"], Count;
    /// Agent wait (idle) time (s).
    WaitDur => "wait_dur", ["waitDur"], Seconds;
    /// Short abandons.
    AbandShortCallCnt => "aband_short_call_cnt", ["abandShortIxnCnt"], Count;
    /// Abandons within the service level.
    AbandWithinSlCnt => "aband_within_sl_cnt", ["abandWithinSlCnt"], Count;
    /// Completed contacts (current JSON).
    CompletedContacts => "completed_contacts", ["completedContacts"], Count;
    /// Segment hold time (ms, current JSON).
    SegmentHoldTimeMs => "segment_hold_time_ms", ["segmentHoldTime", "segmentHoldTimeMs"], Millis;
    /// Calls transferred out by the agent.
    TransferOutCallCnt => "transfer_out_call_cnt", ["transferOutIxnCnt"], Count;
    /// Available time (s).
    AvailDur => "avail_dur", ["availDur"], Seconds;
    /// Total work time (s).
    TotWorkDur => "tot_work_dur", ["totWorkDur"], Seconds;
    /// Pause time (s).
    PauseDur => "pause_dur", ["pauseDur"], Seconds;
    /// Administrative time (s).
    AdminDur => "admin_dur", ["adminDur"], Seconds;
    /// Direct outbound calls.
    DirectOutCallCnt => "direct_out_call_cnt", ["directOutIxnCnt"], Count;
    /// Direct outbound call time (s).
    DirectOutCallDur => "direct_out_call_dur", ["directOutIxnDur"], Seconds;
    /// Direct inbound calls.
    DirectInCallCnt => "direct_in_call_cnt", ["directInIxnCnt"], Count;
    /// Direct inbound call time (s).
    DirectInCallDur => "direct_in_call_dur", ["directInIxnDur"], Seconds;
}

impl Field {
    /// Looks a field up by a header name as written in a legacy CSV header
    /// or XML element/attribute name: case-insensitive, surrounding white
    /// space ignored, with the aliases real exporters write (`time (H24:MI)`,
    /// `date_form`, `*_longest_queue_dur`) and the camelCase JSON names.
    ///
    /// ```
    /// use ringcx_reports::Field;
    /// assert_eq!(Field::from_header(" Date_Form "), Some(Field::DateFrom));
    /// assert_eq!(Field::from_header("time (H24:MI)"), Some(Field::Time));
    /// assert_eq!(Field::from_header("queued_answ_longest_queue_dur"),
    ///            Some(Field::QueuedAnswLongestQueDur));
    /// assert_eq!(Field::from_header("answIxnCnt"), Some(Field::AnswCallCnt));
    /// assert_eq!(Field::from_header("colour"), None);
    /// ```
    pub fn from_header(name: &str) -> Option<Field> {
        let name = name.trim();
        let mut lower = [0u8; 64];
        if name.len() > lower.len() {
            return None;
        }
        let lower = &mut lower[..name.len()];
        lower.copy_from_slice(name.as_bytes());
        lower.make_ascii_lowercase();
        let lower = std::str::from_utf8(lower).ok()?;
        match lower {
            "time (h24:mi)" | "time(h24:mi)" => return Some(Field::Time),
            "date_form" => return Some(Field::DateFrom),
            "queued_answ_longest_queue_dur" => return Some(Field::QueuedAnswLongestQueDur),
            "queued_aband_longest_queue_dur" => return Some(Field::QueuedAbandLongestQueDur),
            "segment_hold_time" => return Some(Field::SegmentHoldTimeMs),
            _ => {}
        }
        Field::ALL.iter().copied().find(|f| {
            f.name() == lower || f.json_names().iter().any(|j| j.eq_ignore_ascii_case(lower))
        })
    }

    /// Looks a field up by its exact camelCase JSON key.
    ///
    /// ```
    /// use ringcx_reports::Field;
    /// assert_eq!(Field::from_json_key("offDirectIxnCnt"), Some(Field::OffdDirectCallCnt));
    /// assert_eq!(Field::from_json_key("answ_call_cnt"), Some(Field::AnswCallCnt));
    /// ```
    pub fn from_json_key(key: &str) -> Option<Field> {
        Field::ALL
            .iter()
            .copied()
            .find(|f| f.json_names().contains(&key))
            .or_else(|| Field::from_header(key))
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
