//! The typed rows of the three interval reports and the trait they share.

use std::fmt;

use rust_decimal::Decimal;

use super::field::Field;
use super::interval::{IntervalLength, IntervalStart};
use super::value::{parse_count, parse_decimal, Problem};
use super::ReportKind;
use crate::position::Position;

/// One value of a row, borrowed, for generic writers.
// Exhaustive: a writer of field values handles each kind of value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value<'a> {
    /// A count or duration; `None` when absent in the source.
    Int(Option<u64>),
    /// An id or a name.
    Text(&'a str),
    /// A decimal; `None` when absent.
    Decimal(Option<Decimal>),
}

/// What the three interval rows have in common. Readers fill a row in place
/// (`reset`, then `set_value` per field, then `set_place`), so one row value
/// can be reused for a whole file without allocating.
pub trait IntervalRow: Default + Clone + Send + Sync + fmt::Debug + 'static {
    /// The report this row belongs to.
    const KIND: ReportKind;
    /// The documented field order (and the headerless column layout),
    /// starting with `interval, date_from, time`.
    const FIELDS: &'static [Field];
    /// Fields the report may carry beyond [`FIELDS`](Self::FIELDS).
    const EXTRA_FIELDS: &'static [Field];
    /// The fields that key the row (besides its start).
    const KEY_FIELDS: &'static [Field];

    /// Clears every value to absent, keeping string buffers.
    fn reset(&mut self);
    /// Sets a field from its raw text. `Ok(false)` when the field does not
    /// belong to this report. Interval, date and time are not set here.
    fn set_value(&mut self, field: Field, raw: &str) -> Result<bool, Problem>;
    /// Sets a count or duration field to a value already parsed (the fast
    /// path of readers that parse digits while tokenizing). `false` when the
    /// field is not an integer field of this report.
    fn set_count(&mut self, field: Field, value: u64) -> bool;
    /// Sets where the row is and when it starts.
    fn set_place(&mut self, pos: Position, interval: IntervalLength, start: IntervalStart);
    /// Where the row was read.
    fn pos(&self) -> Position;
    /// The interval length.
    fn interval(&self) -> IntervalLength;
    /// The interval start.
    fn start(&self) -> IntervalStart;
    /// Writes the key (queue; agent and queue; agent) as one string, for
    /// the fall-back rule and duplicate detection.
    fn key_into(&self, out: &mut String);
    /// Visits every field after `interval, date_from, time` in documented
    /// order, extras last.
    fn visit(&self, f: &mut dyn FnMut(Field, Value<'_>));
    /// The text of an id or name field.
    fn text(&self, field: Field) -> Option<&str>;
}

macro_rules! interval_row {
    (
        $(#[$doc:meta])*
        $name:ident, $kind:ident,
        texts { $( $(#[$tdoc:meta])* $t:ident: $tf:ident ),* $(,)? }
        counts { $( $(#[$cdoc:meta])* $c:ident: $cf:ident ),* $(,)? }
        extras { $( $(#[$xdoc:meta])* $x:ident: $xf:ident: $xty:ty => $xparse:ident ),* $(,)? }
        fields [ $($ff:ident),* ]
        keys [ $($kf:ident),* ]
        key_into |$kr:ident, $ko:ident| $kbody:block
    ) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct $name {
            /// Where the row was read.
            pub pos: Position,
            /// The interval length.
            pub interval: IntervalLength,
            /// The interval start (local time and offset in the source zone).
            pub start: IntervalStart,
            $( $(#[$tdoc])* pub $t: String, )*
            $( $(#[$cdoc])* pub $c: Option<u64>, )*
            $( $(#[$xdoc])* pub $x: Option<$xty>, )*
        }

        impl IntervalRow for $name {
            const KIND: ReportKind = ReportKind::$kind;
            const FIELDS: &'static [Field] = &[ $(Field::$ff),* ];
            const EXTRA_FIELDS: &'static [Field] = &[ $(Field::$xf),* ];
            const KEY_FIELDS: &'static [Field] = &[ $(Field::$kf),* ];

            fn reset(&mut self) {
                $( self.$t.clear(); )*
                $( self.$c = None; )*
                $( self.$x = None; )*
            }

            #[inline]
            fn set_value(&mut self, field: Field, raw: &str) -> Result<bool, Problem> {
                match field {
                    $( Field::$tf => { self.$t.clear(); self.$t.push_str(raw.trim_ascii()); } )*
                    $( Field::$cf => self.$c = parse_count(raw)?, )*
                    $( Field::$xf => self.$x = $xparse(raw)?, )*
                    _ => return Ok(false),
                }
                Ok(true)
            }

            #[inline]
            fn set_count(&mut self, field: Field, value: u64) -> bool {
                match field {
                    $( Field::$cf => self.$c = Some(value), )*
                    _ => return false,
                }
                true
            }

            fn set_place(&mut self, pos: Position, interval: IntervalLength, start: IntervalStart) {
                self.pos = pos;
                self.interval = interval;
                self.start = start;
            }
            fn pos(&self) -> Position { self.pos }
            fn interval(&self) -> IntervalLength { self.interval }
            fn start(&self) -> IntervalStart { self.start }
            fn key_into(&self, out: &mut String) {
                let $kr = self;
                let $ko = out;
                $kbody
            }
            fn visit(&self, f: &mut dyn FnMut(Field, Value<'_>)) {
                $( f(Field::$tf, Value::Text(&self.$t)); )*
                $( f(Field::$cf, Value::Int(self.$c)); )*
                $( f(Field::$xf, extra_value(self.$x)); )*
            }
            fn text(&self, field: Field) -> Option<&str> {
                match field {
                    $( Field::$tf => Some(&self.$t), )*
                    _ => None,
                }
            }
        }

        /// The object `rcx parse --format ndjson` prints for the row:
        /// `interval` (minutes), `date_from` (`YYYY-MM-DD`) and `time`
        /// (`HH:MM`) local to the source zone, every field by its canonical
        /// name (absent values `null`), then `start` (RFC 3339 with the
        /// source offset). The position is not in it.
        #[cfg(feature = "serde")]
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeStruct;
                const VALUES: &[&str] =
                    &[$(stringify!($t),)* $(stringify!($c),)* $(stringify!($x),)*];
                let mut st = s.serialize_struct(stringify!($name), 4 + VALUES.len())?;
                let local = self.start.local();
                st.serialize_field("interval", &self.interval)?;
                st.serialize_field("date_from", &DateText(local))?;
                st.serialize_field("time", &TimeText(local))?;
                $( st.serialize_field(Field::$tf.name(), &self.$t)?; )*
                $( st.serialize_field(Field::$cf.name(), &self.$c)?; )*
                $( st.serialize_field(Field::$xf.name(), &extra_value(self.$x))?; )*
                st.serialize_field("start", &self.start)?;
                st.end()
            }
        }
    };
}

trait ExtraValue {
    fn value(self) -> Value<'static>;
}
impl ExtraValue for Option<u64> {
    fn value(self) -> Value<'static> {
        Value::Int(self)
    }
}
impl ExtraValue for Option<Decimal> {
    fn value(self) -> Value<'static> {
        Value::Decimal(self)
    }
}
fn extra_value<T>(v: Option<T>) -> Value<'static>
where
    Option<T>: ExtraValue,
{
    v.value()
}

/// An absent count is `null`, a text a string; a decimal is the number
/// its text is (an integer when it has no fraction digits, else an `f64`:
/// the decimals of the reports are averages with a few digits, which an
/// `f64` holds as printed).
#[cfg(feature = "serde")]
impl serde::Serialize for Value<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            Value::Int(Some(n)) => s.serialize_u64(n),
            Value::Int(None) | Value::Decimal(None) => s.serialize_none(),
            Value::Text(t) => s.serialize_str(t),
            // The decimal's own text read back: the number a JSON reader
            // of `rcx parse`'s output gets (`5` an integer, `4.5` a float).
            Value::Decimal(Some(d)) => {
                let t = d.to_string();
                match (t.parse::<u64>(), t.parse::<f64>()) {
                    (Ok(n), _) => s.serialize_u64(n),
                    (_, Ok(f)) => s.serialize_f64(f),
                    _ => s.serialize_str(&t),
                }
            }
        }
    }
}

/// The local date as `YYYY-MM-DD`.
#[cfg(feature = "serde")]
struct DateText(chrono::NaiveDateTime);

#[cfg(feature = "serde")]
impl serde::Serialize for DateText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0.format("%Y-%m-%d"))
    }
}

/// The local time as `HH:MM`.
#[cfg(feature = "serde")]
struct TimeText(chrono::NaiveDateTime);

#[cfg(feature = "serde")]
impl serde::Serialize for TimeText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0.format("%H:%M"))
    }
}

interval_row! {
    /// One row of Queue Statistics: one queue, one interval (SPEC 2.1).
    /// Counts and durations are `None` when the source left them empty.
    QueueRow, Queue,
    texts {
        /// Queue id.
        queue: Queue,
        /// Queue name (empty when not given).
        queue_name: QueueName,
    }
    counts {
        /// Calls offered directly.
        offd_direct_call_cnt: OffdDirectCallCnt,
        /// Calls overflowed in.
        overflow_in_call_cnt: OverflowInCallCnt,
        /// Abandoned calls.
        aband_call_cnt: AbandCallCnt,
        /// Calls overflowed out.
        overflow_out_call_cnt: OverflowOutCallCnt,
        /// Answered calls.
        answ_call_cnt: AnswCallCnt,
        /// Σ queue time of answered calls (s).
        queued_and_answ_call_dur: QueuedAndAnswCallDur,
        /// Σ queue time of abandoned calls (s).
        queued_and_aband_call_dur: QueuedAndAbandCallDur,
        /// Σ talk time (s).
        talking_call_dur: TalkingCallDur,
        /// Σ wrap-up time (s).
        wrap_up_dur: WrapUpDur,
        /// Longest queue time of an answered call (s).
        queued_answ_longest_que_dur: QueuedAnswLongestQueDur,
        /// Longest queue time of an abandoned call (s).
        queued_aband_longest_que_dur: QueuedAbandLongestQueDur,
        /// Calls answered within the service level.
        ans_servicelevel_cnt: AnsServicelevelCnt,
        /// Agent wait time (s).
        wait_dur: WaitDur,
        /// Short abandons.
        aband_short_call_cnt: AbandShortCallCnt,
        /// Abandons within the service level.
        aband_within_sl_cnt: AbandWithinSlCnt,
    }
    extras {
        /// Average available members (Teleopti layout).
        avg_avail_member_cnt: AvgAvailMemberCnt: Decimal => parse_decimal,
        /// Completed contacts (current JSON).
        completed_contacts: CompletedContacts: u64 => parse_count,
        /// Segment hold time (ms, current JSON).
        segment_hold_time_ms: SegmentHoldTimeMs: u64 => parse_count,
    }
    fields [Interval, DateFrom, Time, Queue, QueueName, OffdDirectCallCnt, OverflowInCallCnt,
        AbandCallCnt, OverflowOutCallCnt, AnswCallCnt, QueuedAndAnswCallDur,
        QueuedAndAbandCallDur, TalkingCallDur, WrapUpDur, QueuedAnswLongestQueDur,
        QueuedAbandLongestQueDur, AnsServicelevelCnt, WaitDur, AbandShortCallCnt,
        AbandWithinSlCnt]
    keys [Queue]
    key_into |r, out| { out.push_str(&r.queue); }
}

interval_row! {
    /// One row of Agent Extended Statistics: one agent in one queue, one
    /// interval (SPEC 2.2).
    AgentExtRow, AgentExt,
    texts {
        /// Agent id.
        agent_id: AgentId,
        /// Agent name (empty when not given).
        agent_name: AgentName,
        /// Queue id.
        queue: Queue,
        /// Queue name (empty when not given).
        queue_name: QueueName,
    }
    counts {
        /// Σ talk time (s).
        talking_call_dur: TalkingCallDur,
        /// Σ wrap-up time (s).
        wrap_up_dur: WrapUpDur,
        /// Answered calls.
        answ_call_cnt: AnswCallCnt,
        /// Calls transferred out.
        transfer_out_call_cnt: TransferOutCallCnt,
    }
    extras {}
    fields [Interval, DateFrom, Time, AgentId, AgentName, Queue, QueueName, TalkingCallDur,
        WrapUpDur, AnswCallCnt, TransferOutCallCnt]
    keys [AgentId, Queue]
    key_into |r, out| {
        out.push_str(&r.agent_id);
        out.push('\u{1f}');
        out.push_str(&r.queue);
    }
}

interval_row! {
    /// One row of Agent Statistics: one agent, one interval (SPEC 2.3).
    AgentRow, Agent,
    texts {
        /// Agent id.
        agent_id: AgentId,
        /// Agent name (empty when not given).
        agent_name: AgentName,
    }
    counts {
        /// Available time (s).
        avail_dur: AvailDur,
        /// Total work time (s).
        tot_work_dur: TotWorkDur,
        /// Pause time (s).
        pause_dur: PauseDur,
        /// Wait time (s).
        wait_dur: WaitDur,
        /// Administrative time (s).
        admin_dur: AdminDur,
        /// Direct outbound calls.
        direct_out_call_cnt: DirectOutCallCnt,
        /// Direct outbound call time (s).
        direct_out_call_dur: DirectOutCallDur,
        /// Direct inbound calls.
        direct_in_call_cnt: DirectInCallCnt,
        /// Direct inbound call time (s).
        direct_in_call_dur: DirectInCallDur,
    }
    extras {}
    fields [Interval, DateFrom, Time, AgentId, AgentName, AvailDur, TotWorkDur, PauseDur,
        WaitDur, AdminDur, DirectOutCallCnt, DirectOutCallDur, DirectInCallCnt, DirectInCallDur]
    keys [AgentId]
    key_into |r, out| { out.push_str(&r.agent_id); }
}
