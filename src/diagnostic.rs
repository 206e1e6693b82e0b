//! Stable finding codes, severities and the [`Diagnostic`] type.
//!
//! Every defect the crate can find in a vendor file has one [`Code`]. Codes
//! are stable: once published, a code keeps its meaning. The letter says the
//! family:
//!
//! | prefix | family |
//! |---|---|
//! | `S` | structure: encoding, columns, truncation, syntax, limits |
//! | `V` | values: numbers, dates, times, intervals, zones |
//! | `Q` | queue-row logic |
//! | `A` | agent-row logic |
//! | `F` | file logic: duplicates, interval lengths, gaps |
//! | `X` | cross-report reconciliation |
//! | `T` | segment (interaction metadata) logic |
//!
//! [`Code::ALL`] lists every code with [`Code::explain`]'s one-line text.

use std::fmt;

use crate::position::Location;

/// How bad a finding is.
// Exhaustive: exit statuses rest on error vs warning (SPEC 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// Data that reads but looks wrong; never stops a command.
    Warning,
    /// A defect: the file, or the row, cannot be used as it is.
    Error,
}

impl Severity {
    /// `"error"` or `"warning"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! codes {
    ($( $(#[$doc:meta])* $name:ident = $code:literal, $sev:ident, $text:literal; )*) => {
        /// A stable finding code. See the [module docs](self) for the families.
        ///
        /// ```
        /// use ringcx_reports::{Code, Severity};
        /// assert_eq!(Code::Negative.as_str(), "V102");
        /// assert_eq!(Code::from_str_code("v102"), Some(Code::Negative));
        /// assert_eq!(Code::UnknownColumn.severity(), Severity::Warning);
        /// ```
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Code {
            $( $(#[$doc])* $name, )*
        }

        impl Code {
            /// Every code, in code order.
            pub const ALL: &'static [Code] = &[ $( Code::$name, )* ];

            /// The code as printed, e.g. `"S002"`.
            pub const fn as_str(self) -> &'static str {
                match self { $( Code::$name => $code, )* }
            }

            /// The severity a finding with this code has.
            pub const fn severity(self) -> Severity {
                match self { $( Code::$name => Severity::$sev, )* }
            }

            /// One line saying what the code means.
            pub const fn explain(self) -> &'static str {
                match self { $( Code::$name => $text, )* }
            }
        }
    };
}

codes! {
    /// The bytes are not UTF-8 (or an encoding the readers do not support).
    Encoding = "S001", Error, "the file is not UTF-8 text (UTF-16 and other encodings must be converted first)";
    /// A column or key the report requires is missing.
    MissingColumn = "S002", Error, "a column the report requires is missing from the header";
    /// A record has the wrong number of fields.
    ColumnCount = "S003", Error, "a record has a different number of fields than the header (or than any known headerless layout)";
    /// A column the report does not define; kept out of the rows.
    UnknownColumn = "S004", Warning, "a column the report does not define; its values are not read";
    /// The file ends in the middle of a record.
    Truncated = "S005", Error, "the file ends in the middle of a record (open quote, unclosed element, unfinished JSON)";
    /// The XML is not well-formed.
    XmlSyntax = "S006", Error, "the XML is not well-formed";
    /// A DOCTYPE with an internal subset or an entity declaration.
    Doctype = "S007", Error, "a DOCTYPE internal subset or entity declaration; entities are never expanded";
    /// The JSON is not valid.
    JsonSyntax = "S008", Error, "the JSON is not valid";
    /// A field, record or nesting depth is over the configured limit.
    Limit = "S009", Error, "a field, a record or the nesting depth is over the reader's limit";
    /// The report kind or wire form cannot be told from the content.
    UnknownReport = "S010", Error, "the report kind or wire form cannot be told from the content";
    /// The same column appears twice in the header.
    DuplicateColumn = "S011", Error, "the same column appears twice in the header";
    /// A value is not a number.
    NotANumber = "V101", Error, "a count or duration is not a number";
    /// A count or duration is negative.
    Negative = "V102", Error, "a count or duration is negative";
    /// A count or duration has a fractional part.
    Fraction = "V103", Error, "a count or duration has a fractional part";
    /// A required value is empty.
    EmptyRequired = "V104", Error, "a value that keys or places the row (interval, date, time, queue, agent) is empty";
    /// The interval is not 15, 30, 45 or 60 minutes.
    BadInterval = "V105", Error, "the interval is not 15, 30, 45 or 60 minutes";
    /// The date cannot be read.
    BadDate = "V106", Error, "the date is not in a supported format or does not exist";
    /// The time cannot be read.
    BadTime = "V107", Error, "the time is not HH:mm or HH:mm:00";
    /// The interval start is not on the interval grid.
    OffGrid = "V108", Error, "the interval start is not on the interval grid counted from local midnight";
    /// The local start does not exist in the source zone.
    NonexistentTime = "V109", Error, "the local start falls in a spring-forward gap of the source zone";
    /// A number is too large for 64 bits.
    Overflow = "V110", Error, "a number is too large (over 64 bits), or a sum would overflow";
    /// A count or duration is empty or null; it counts as 0.
    AbsentValue = "V111", Warning, "a count or duration is empty or null; it counts as 0";
    /// Slash dates whose order could not be told from the file; `MM/dd` was assumed.
    DateOrderAssumed = "V112", Warning, "slash dates fit both MM/dd and dd/MM and the file does not tell which; MM/dd was assumed (give `date_order`)";
    /// A value is not one of the values the field allows.
    BadValue = "V113", Error, "a value is not one the field allows (timestamp, direction, flag)";
    /// A segment span longer than the segment span limit.
    SpanTooLong = "V114", Error, "a segment span is longer than the segment span limit (7 days by default)";
    /// Answered within service level exceeds answered.
    SlExceedsAnswered = "Q201", Error, "ans_servicelevel_cnt exceeds answ_call_cnt";
    /// Short abandons plus abandons within SL exceed abandons.
    AbandonPartsExceed = "Q202", Error, "aband_short_call_cnt + aband_within_sl_cnt exceeds aband_call_cnt";
    /// A longest wait exceeds its total.
    LongestExceedsTotal = "Q203", Error, "a longest queue duration exceeds its total queue duration";
    /// A longest wait with no calls.
    LongestWithoutCalls = "Q204", Warning, "a longest queue duration above 0 with a zero call count";
    /// A total wait above longest × count.
    TotalExceedsLongest = "Q205", Warning, "a total queue duration exceeds longest duration × call count";
    /// Transfers exceed answered calls.
    TransfersExceedAnswered = "A301", Warning, "transfer_out_call_cnt exceeds answ_call_cnt";
    /// Talk or wrap time with no answered calls.
    TimeWithoutCalls = "A302", Warning, "talk or wrap time with zero answered calls";
    /// The same key and interval start twice (beyond the fall-back repeat).
    DuplicateKey = "F401", Error, "the same key and interval start appear twice (beyond the fall-back repeat)";
    /// One key with several interval lengths.
    MixedIntervals = "F402", Warning, "one key has rows of different interval lengths";
    /// A gap in a key's interval sequence.
    Gap = "F403", Warning, "a key's interval sequence has a gap";
    /// A repeated fall-back hour never switched to its second pass.
    AmbiguousFallBack = "F404", Warning, "a repeated fall-back hour was read only once although the file continues past it; offsets may be wrong";
    /// Agent and queue answered counts differ.
    CrossAnswered = "X501", Warning, "Σ agent answ_call_cnt differs from the queue's answ_call_cnt";
    /// Agent and queue talk time differ.
    CrossTalk = "X502", Warning, "Σ agent talking_call_dur differs from the queue's talking_call_dur";
    /// Agent and queue wrap time differ.
    CrossWrap = "X503", Warning, "Σ agent wrap_up_dur differs from the queue's wrap_up_dur";
    /// A segment ends before it starts.
    SegmentEndBeforeStart = "T601", Error, "a segment ends before it starts";
    /// The same (interaction, segment) twice.
    DuplicateSegment = "T602", Error, "the same interaction id and segment id appear twice";
    /// The duration disagrees with end − start.
    DurationMismatch = "T603", Warning, "the segment duration disagrees with end − start by more than 1 s";
    /// Recording events do not start with REC_START.
    EventsStartWrong = "T604", Warning, "recording events do not start with REC_START";
    /// Recording events unpaired or overlapping.
    EventsUnpaired = "T605", Warning, "recording events are unpaired or overlap (repeated REC_START, orphan REC_STOP, REC_START with no REC_STOP), taken in time order";
    /// A segment outside its interaction's window.
    SegmentOutsideInteraction = "T606", Warning, "a segment lies outside its interaction's window (start to end, or start + duration) by more than 1 s; an agent segment starts before its interaction, or the interaction ends before it starts (a negative wait, which calls counts as 0)";
    /// Differing copies of a segment in two files (a re-pulled window).
    RepulledSegmentDiffers = "T607", Warning, "the same interaction id and segment id appear in two files with different values (a re-pulled window); the copies merge to the most complete one";
}

impl Code {
    /// Looks a code up by its printed form, ignoring case.
    pub fn from_str_code(s: &str) -> Option<Code> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding: a defect or a warning, with where it is and the raw value.
///
/// Its [`Display`](fmt::Display) is the text form `rcx validate` prints:
///
/// ```
/// use ringcx_reports::{Code, Diagnostic, Location, Position};
/// let d = Diagnostic::new(
///     Code::Negative,
///     Location::new("q.csv", Position::new(40, 3, 1)).with_field("answ_call_cnt"),
///     "expected a non-negative integer",
///     Some("-4".into()),
/// );
/// assert_eq!(
///     d.to_string(),
///     r#"q.csv:3: error[V102] answ_call_cnt: expected a non-negative integer (value "-4")"#
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning (from the code).
    pub severity: Severity,
    /// The stable code.
    pub code: Code,
    /// File, line and field.
    pub location: Location,
    /// What is wrong, in words.
    pub message: String,
    /// The raw value, when the finding concerns one.
    pub value: Option<String>,
}

impl Diagnostic {
    /// A diagnostic whose severity is the code's.
    pub fn new(
        code: Code,
        location: Location,
        message: impl Into<String>,
        value: Option<String>,
    ) -> Self {
        Diagnostic {
            severity: code.severity(),
            code,
            location,
            message: message.into(),
            value,
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}[{}] ",
            self.location.file,
            self.location.pos.line(),
            self.severity,
            self.code
        )?;
        if let Some(field) = &self.location.field {
            write!(f, "{field}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(v) = &self.value {
            write!(f, " (value {v:?})")?;
        }
        Ok(())
    }
}

/// A diagnostic in the shape `rcx validate --format json` prints: one flat
/// object with `severity`, `code`, `file`, `line`, `column` (the field, or
/// `null`), `message` and `value` (or `null`), in that order. The one
/// definition of that shape: the JSON writer
/// ([`write::diagnostic_json`](crate::write::diagnostic_json)) and, with the
/// `serde` feature, `impl Serialize for Diagnostic` both go through it.
#[derive(serde::Serialize)]
pub(crate) struct DiagnosticJson<'a> {
    severity: &'static str,
    code: &'static str,
    file: &'a str,
    line: u64,
    column: Option<&'a str>,
    message: &'a str,
    value: Option<&'a str>,
}

impl<'a> DiagnosticJson<'a> {
    pub(crate) fn new(d: &'a Diagnostic) -> Self {
        DiagnosticJson {
            severity: d.severity.as_str(),
            code: d.code.as_str(),
            file: &d.location.file,
            line: d.location.pos.line(),
            column: d.location.field.as_deref(),
            message: &d.message,
            value: d.value.as_deref(),
        }
    }
}

/// The flat object of `rcx validate --format json` (see
/// [`write::diagnostic_json`](crate::write::diagnostic_json)): the byte
/// offset and record index of the position are not in it.
#[cfg(feature = "serde")]
impl serde::Serialize for Diagnostic {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        DiagnosticJson::new(self).serialize(s)
    }
}

/// `"error"` or `"warning"`.
#[cfg(feature = "serde")]
impl serde::Serialize for Severity {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The code as printed, e.g. `"V102"`.
#[cfg(feature = "serde")]
impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
