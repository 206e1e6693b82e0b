//! Interval lengths, interval starts and the local-time rules of SPEC 2.5.
//!
//! An interval start is a local wall-clock date and time in the *source
//! zone* (the zone the report was requested in) plus the UTC offset it has
//! at that instant. The offset is not in the file: the reader resolves it
//! with [`LocalResolver`], which applies the spring-forward and fall-back
//! rules in file order.

use std::collections::HashSet;
use std::fmt;

use chrono::{
    DateTime, Datelike, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset,
    TimeZone, Timelike, Utc,
};
use chrono_tz::Tz;

/// An interval length: 15, 30, 45 or 60 minutes, and nothing else.
///
/// ```
/// use ringcx_reports::IntervalLength;
/// assert_eq!(IntervalLength::new(30).unwrap().minutes(), 30);
/// assert!(IntervalLength::new(20).is_none());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IntervalLength(u8);

impl IntervalLength {
    /// Fifteen minutes, the usual RingCX interval.
    pub const M15: IntervalLength = IntervalLength(15);
    /// Thirty minutes.
    pub const M30: IntervalLength = IntervalLength(30);
    /// Forty-five minutes.
    pub const M45: IntervalLength = IntervalLength(45);
    /// One hour.
    pub const M60: IntervalLength = IntervalLength(60);

    /// The length for `minutes`, if it is one of 15, 30, 45, 60.
    pub const fn new(minutes: u32) -> Option<Self> {
        match minutes {
            15 | 30 | 45 | 60 => Some(IntervalLength(minutes as u8)),
            _ => None,
        }
    }
    /// Minutes.
    pub const fn minutes(self) -> u32 {
        self.0 as u32
    }
    /// Seconds.
    pub const fn seconds(self) -> i64 {
        self.0 as i64 * 60
    }
}

impl Default for IntervalLength {
    fn default() -> Self {
        IntervalLength::M15
    }
}

/// The minutes, as a number.
#[cfg(feature = "serde")]
impl serde::Serialize for IntervalLength {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(self.minutes())
    }
}

/// RFC 3339 with the source offset ([`IntervalStart::to_rfc3339`]).
#[cfg(feature = "serde")]
impl serde::Serialize for IntervalStart {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

impl fmt::Display for IntervalLength {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The start of an interval: local wall-clock time in the source zone and
/// the UTC offset in force at that instant.
///
/// ```
/// use chrono::{NaiveDate, FixedOffset};
/// use ringcx_reports::IntervalStart;
/// let local = NaiveDate::from_ymd_opt(2024, 11, 3).unwrap().and_hms_opt(1, 15, 0).unwrap();
/// let s = IntervalStart::new(local, FixedOffset::west_opt(5 * 3600).unwrap());
/// assert_eq!(s.to_rfc3339(), "2024-11-03T01:15:00-05:00");
/// assert_eq!(s.instant().to_rfc3339(), "2024-11-03T06:15:00+00:00");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IntervalStart {
    local: NaiveDateTime,
    offset: FixedOffset,
}

impl Default for IntervalStart {
    fn default() -> Self {
        IntervalStart {
            local: NaiveDateTime::default(),
            offset: FixedOffset::east_opt(0).expect("zero offset"),
        }
    }
}

impl IntervalStart {
    /// A start from its local time and offset.
    pub const fn new(local: NaiveDateTime, offset: FixedOffset) -> Self {
        IntervalStart { local, offset }
    }
    /// Local wall-clock date and time in the source zone.
    pub const fn local(&self) -> NaiveDateTime {
        self.local
    }
    /// The UTC offset at the start.
    pub const fn offset(&self) -> FixedOffset {
        self.offset
    }
    /// The instant.
    pub fn instant(&self) -> DateTime<Utc> {
        (self.local - chrono::Duration::seconds(self.offset.local_minus_utc() as i64)).and_utc()
    }
    /// Seconds since the Unix epoch of the instant.
    pub fn timestamp(&self) -> i64 {
        self.local.and_utc().timestamp() - self.offset.local_minus_utc() as i64
    }
    /// The start with its offset, as a `DateTime`.
    pub fn to_fixed(&self) -> DateTime<FixedOffset> {
        self.instant().with_timezone(&self.offset)
    }
    /// RFC 3339 with the source offset, `+00:00` for UTC, no fraction.
    pub fn to_rfc3339(&self) -> String {
        let mut s = String::with_capacity(25);
        write_rfc3339(&mut s, self.local, self.offset.local_minus_utc());
        s
    }
}

impl fmt::Display for IntervalStart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

/// Writes `local` with an offset of `offset_secs` as RFC 3339 (seconds
/// precision, `+00:00` for zero).
///
/// RFC 3339 offsets have no seconds. An offset that has some (local mean
/// time, before a zone adopted standard time: `-04:56:02` in New York
/// before 1883) is written truncated to whole minutes, with the local time
/// moved by the dropped seconds, so that the text names the same instant.
///
/// ```
/// use ringcx_reports::model::write_rfc3339;
/// let local = chrono::NaiveDate::from_ymd_opt(1800, 3, 4).unwrap().and_hms_opt(8, 0, 0).unwrap();
/// let mut s = String::new();
/// write_rfc3339(&mut s, local, -(4 * 3600 + 56 * 60 + 2));
/// assert_eq!(s, "1800-03-04T08:00:02-04:56");
/// ```
// Parsing/printing plumbing, public for tests/fuzzing.rs; not part of the supported API.
#[doc(hidden)]
pub fn write_rfc3339(out: &mut String, local: NaiveDateTime, offset_secs: i32) {
    use std::fmt::Write;
    let dropped = offset_secs % 60;
    let local = local - chrono::Duration::seconds(dropped as i64);
    let offset_secs = offset_secs - dropped;
    let sign = if offset_secs < 0 { '-' } else { '+' };
    let o = offset_secs.unsigned_abs();
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{:02}:{:02}",
        local.year(),
        local.month(),
        local.day(),
        local.hour(),
        local.minute(),
        local.second(),
        sign,
        o / 3600,
        (o % 3600) / 60
    );
}

/// The years an instant may fall in (in UTC for segment times, in the
/// source zone for interval starts). RFC 3339 prints four-digit years
/// (0000-9999); one year of margin on each side keeps every label derived
/// from an instant (a week bucket starting six days before, a month bucket
/// ending the next month, any zone offset) printable too. A date outside
/// is refused by the readers as a Values error.
///
/// ```
/// use ringcx_reports::model::PRINTABLE_YEARS;
/// assert!(PRINTABLE_YEARS.contains(&2024));
/// assert!(!PRINTABLE_YEARS.contains(&0) && !PRINTABLE_YEARS.contains(&9999));
/// ```
// Parsing plumbing, public for tests/fuzzing.rs; not part of the supported API.
#[doc(hidden)]
pub const PRINTABLE_YEARS: std::ops::RangeInclusive<i32> = 1..=9998;

/// How to read a slash date with the month and day first: `MM/dd/yyyy`
/// (as RingCX writes it) or `dd/MM/yyyy`. A reader given no order decides
/// it per file (see [`ReaderBuilder::date_order`]).
///
/// [`ReaderBuilder::date_order`]: crate::ReaderBuilder::date_order
// Exhaustive: a slash date has its month and day in one of two orders.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum DateOrder {
    /// `MM/dd/yyyy`.
    #[default]
    #[cfg_attr(feature = "cli", value(help = "MM/dd/yyyy"))]
    Mdy,
    /// `dd/MM/yyyy`.
    #[cfg_attr(feature = "cli", value(help = "dd/MM/yyyy"))]
    Dmy,
}

impl DateOrder {
    /// The name used on the command line: `mdy` or `dmy`.
    pub const fn as_str(self) -> &'static str {
        match self {
            DateOrder::Mdy => "mdy",
            DateOrder::Dmy => "dmy",
        }
    }
    /// The slash form it reads: `MM/dd/yyyy` or `dd/MM/yyyy`.
    pub const fn pattern(self) -> &'static str {
        match self {
            DateOrder::Mdy => "MM/dd/yyyy",
            DateOrder::Dmy => "dd/MM/yyyy",
        }
    }
    /// The other order.
    pub const fn other(self) -> DateOrder {
        match self {
            DateOrder::Mdy => DateOrder::Dmy,
            DateOrder::Dmy => DateOrder::Mdy,
        }
    }
}

impl fmt::Display for DateOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.pattern())
    }
}

/// The three numbers of a slash date with the year last, `aa/bb/yyyy`, as
/// written (month and day in an order the text does not tell).
pub(crate) fn slash_parts(s: &str) -> Option<(u32, u32, u32)> {
    let b = s.trim().as_bytes();
    if b.len() == 10 && b[2] == b'/' && b[5] == b'/' {
        Some((digits(&b[0..2])?, digits(&b[3..5])?, digits(&b[6..10])?))
    } else {
        None
    }
}

/// The date `aa/bb/yyyy` means under `order`, if it exists.
pub(crate) fn slash_date((a, c, y): (u32, u32, u32), order: DateOrder) -> Option<NaiveDate> {
    let (m, d) = match order {
        DateOrder::Mdy => (a, c),
        DateOrder::Dmy => (c, a),
    };
    NaiveDate::from_ymd_opt(y as i32, m, d)
}

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 4 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0u32, |a, d| a * 10 + (d - b'0') as u32))
}

/// Parses a report date: `yyyyMMdd`, `yyyy-MM-dd`, `yyyy/MM/dd`, or
/// `MM/dd/yyyy` (`dd/MM/yyyy` with [`DateOrder::Dmy`]).
///
/// ```
/// use ringcx_reports::model::{parse_date, DateOrder};
/// let d = chrono::NaiveDate::from_ymd_opt(2024, 3, 10).unwrap();
/// for s in ["20240310", "2024-03-10", "2024/03/10", "03/10/2024"] {
///     assert_eq!(parse_date(s, DateOrder::Mdy), Some(d));
/// }
/// assert_eq!(parse_date("10/03/2024", DateOrder::Dmy), Some(d));
/// assert_eq!(parse_date("2024-02-30", DateOrder::Mdy), None);
/// ```
// Parsing plumbing, used by `rcx` (`--from`/`--to` dates); not part of the supported API.
#[doc(hidden)]
pub fn parse_date(s: &str, order: DateOrder) -> Option<NaiveDate> {
    let b = s.trim().as_bytes();
    let (y, m, d) = match b.len() {
        8 if b.iter().all(u8::is_ascii_digit) => {
            (digits(&b[0..4])?, digits(&b[4..6])?, digits(&b[6..8])?)
        }
        10 if (b[4] == b'-' && b[7] == b'-') || (b[4] == b'/' && b[7] == b'/') => {
            (digits(&b[0..4])?, digits(&b[5..7])?, digits(&b[8..10])?)
        }
        10 if b[2] == b'/' && b[5] == b'/' => return slash_date(slash_parts(s)?, order),
        _ => return None,
    };
    NaiveDate::from_ymd_opt(y as i32, m, d)
}

/// Parses an interval start time: `HH:mm` or `HH:mm:ss` with seconds `00`
/// (a one-digit hour is accepted).
pub fn parse_time(s: &str) -> Option<NaiveTime> {
    let b = s.trim().as_bytes();
    let colon = b.iter().position(|&c| c == b':')?;
    if colon == 0 || colon > 2 {
        return None;
    }
    let h = digits(&b[..colon])?;
    let rest = &b[colon + 1..];
    let (m, sec) = match rest.len() {
        2 => (digits(rest)?, 0),
        5 if rest[2] == b':' && rest[0..2].iter().all(u8::is_ascii_digit) => {
            (digits(&rest[0..2])?, digits(&rest[3..5])?)
        }
        _ => return None,
    };
    if rest.len() >= 2 && !rest[0..2].iter().all(u8::is_ascii_digit) {
        return None;
    }
    if sec != 0 {
        return None;
    }
    NaiveTime::from_hms_opt(h, m, 0)
}

/// Parses a JSON `dateTimeFrom`: `MM-dd-yyyyTHH:mm:ss` (the documented
/// examples), `yyyy-MM-ddTHH:mm:ss` or `yyyy-MM-dd HH:mm:ss`; seconds must
/// be `00`.
pub fn parse_date_time(s: &str) -> Option<NaiveDateTime> {
    let b = s.trim().as_bytes();
    if b.len() < 16 {
        return None;
    }
    let sep = b.get(10)?;
    if *sep != b'T' && *sep != b' ' {
        return None;
    }
    let date = &b[..10];
    let d = if date[2] == b'-' && date[5] == b'-' {
        NaiveDate::from_ymd_opt(
            digits(&date[6..10])? as i32,
            digits(&date[0..2])?,
            digits(&date[3..5])?,
        )?
    } else if date[4] == b'-' && date[7] == b'-' {
        NaiveDate::from_ymd_opt(
            digits(&date[0..4])? as i32,
            digits(&date[5..7])?,
            digits(&date[8..10])?,
        )?
    } else {
        return None;
    };
    let t = parse_time(std::str::from_utf8(&b[11..]).ok()?)?;
    Some(d.and_time(t))
}

/// A zone the reader resolves local times in: an IANA zone, or UTC.
///
/// ```
/// use ringcx_reports::model::parse_zone;
/// assert!(parse_zone("America/New_York").is_some());
/// assert!(parse_zone("US/Eastern").is_some());
/// assert!(parse_zone("Mars/Olympus").is_none());
/// ```
// Parsing plumbing, used by `rcx`; not part of the supported API.
#[doc(hidden)]
pub fn parse_zone(name: &str) -> Option<Tz> {
    name.trim().parse::<Tz>().ok()
}

/// Why a local start could not be resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
// Parsing plumbing, public for tests/properties.rs; not part of the supported API.
#[doc(hidden)]
pub enum ResolveError {
    /// The local time falls in a spring-forward gap.
    Nonexistent,
}

/// One repeated local window (a fall-back hour) seen in a file.
#[derive(Clone, Debug)]
pub struct FallBackWindow {
    /// First local time of the repeated window (inclusive).
    pub local_start: NaiveDateTime,
    /// End of the repeated window (exclusive), local.
    pub local_end: NaiveDateTime,
    /// Offset of the first pass (the earlier, e.g. `-04:00`).
    pub first_offset: FixedOffset,
    /// Offset of the second pass (the later, e.g. `-05:00`).
    pub second_offset: FixedOffset,
    /// Whether the file switched to the second pass.
    pub switched: bool,
    /// Whether the file has rows at or after the end of the window that
    /// were read after the window began.
    pub continued_past: bool,
    /// Line of the first row in the window.
    pub first_line: u64,
    latest: NaiveDateTime,
    seen: HashSet<(Box<str>, NaiveDateTime)>,
}

/// Resolves local interval starts to instants for one file, in file order,
/// applying SPEC 2.5: a start in a spring-forward gap is an error; in a
/// repeated fall-back window, rows take the earlier offset (first pass)
/// until a row's local start steps back below the latest start seen in the
/// window, or a row repeats a key and start already seen there; from that
/// row on, rows in the window take the later offset.
///
/// ```
/// use chrono::NaiveDate;
/// use ringcx_reports::model::{LocalResolver, parse_zone};
/// let tz = parse_zone("America/New_York").unwrap();
/// let mut r = LocalResolver::new(tz);
/// let at = |h, m| NaiveDate::from_ymd_opt(2024, 11, 3).unwrap().and_hms_opt(h, m, 0).unwrap();
/// let off = |o: chrono::FixedOffset| o.local_minus_utc() / 3600;
/// assert_eq!(off(r.resolve(at(1, 0), "q1", 1).unwrap()), -4);
/// assert_eq!(off(r.resolve(at(1, 45), "q1", 2).unwrap()), -4);
/// assert_eq!(off(r.resolve(at(1, 0), "q1", 3).unwrap()), -5); // stepped back
/// assert_eq!(off(r.resolve(at(2, 0), "q1", 4).unwrap()), -5);
/// ```
#[derive(Clone, Debug)]
// Parsing plumbing, public for tests/properties.rs; not part of the supported API.
#[doc(hidden)]
pub struct LocalResolver {
    tz: Tz,
    utc: bool,
    cache: Option<(NaiveDateTime, FixedOffset)>,
    windows: Vec<FallBackWindow>,
}

impl LocalResolver {
    /// A resolver for the source zone `tz`.
    pub fn new(tz: Tz) -> Self {
        LocalResolver {
            tz,
            utc: tz == Tz::UTC || tz == Tz::Etc__UTC,
            cache: None,
            windows: Vec::new(),
        }
    }

    /// The source zone.
    pub fn zone(&self) -> Tz {
        self.tz
    }

    /// The fall-back windows seen so far.
    pub fn fall_back_windows(&self) -> &[FallBackWindow] {
        &self.windows
    }

    /// Resolves `local` when that needs no key: in UTC, at the start seen
    /// last, or at a local time that exists once. `None` means the time lies
    /// in a repeated fall-back hour: call [`resolve`](Self::resolve) with the
    /// row's key.
    #[inline]
    pub fn resolve_unambiguous(
        &mut self,
        local: NaiveDateTime,
    ) -> Option<Result<FixedOffset, ResolveError>> {
        if self.utc {
            return Some(Ok(FixedOffset::east_opt(0).expect("zero offset")));
        }
        if let Some((l, o)) = self.cache {
            if l == local {
                self.mark_past(local);
                return Some(Ok(o));
            }
        }
        match self.tz.offset_from_local_datetime(&local) {
            LocalResult::Single(o) => {
                let o = o.fix();
                self.cache = Some((local, o));
                self.mark_past(local);
                Some(Ok(o))
            }
            LocalResult::None => Some(Err(ResolveError::Nonexistent)),
            LocalResult::Ambiguous(..) => None,
        }
    }

    /// Resolves the local start of a row keyed by `key` (queue; agent and
    /// queue; agent), read at `line`.
    pub fn resolve(
        &mut self,
        local: NaiveDateTime,
        key: &str,
        line: u64,
    ) -> Result<FixedOffset, ResolveError> {
        if self.utc {
            return Ok(FixedOffset::east_opt(0).expect("zero offset"));
        }
        if let Some((l, o)) = self.cache {
            if l == local {
                self.mark_past(local);
                return Ok(o);
            }
        }
        match self.tz.offset_from_local_datetime(&local) {
            LocalResult::Single(o) => {
                let o = o.fix();
                self.cache = Some((local, o));
                self.mark_past(local);
                Ok(o)
            }
            LocalResult::None => Err(ResolveError::Nonexistent),
            LocalResult::Ambiguous(a, b) => {
                let (a, b) = (a.fix(), b.fix());
                // The earlier instant is the one with the larger offset.
                let (first, second) = if a.local_minus_utc() >= b.local_minus_utc() {
                    (a, b)
                } else {
                    (b, a)
                };
                Ok(self.ambiguous(local, first, second, key, line))
            }
        }
    }

    fn mark_past(&mut self, local: NaiveDateTime) {
        for w in &mut self.windows {
            if !w.continued_past && local >= w.local_end {
                w.continued_past = true;
            }
        }
    }

    fn ambiguous(
        &mut self,
        local: NaiveDateTime,
        first: FixedOffset,
        second: FixedOffset,
        key: &str,
        line: u64,
    ) -> FixedOffset {
        let idx = match self
            .windows
            .iter()
            .position(|w| local >= w.local_start && local < w.local_end)
        {
            Some(i) => i,
            None => {
                let (local_start, local_end) = self.window_bounds(local, first, second);
                self.windows.push(FallBackWindow {
                    local_start,
                    local_end,
                    first_offset: first,
                    second_offset: second,
                    switched: false,
                    continued_past: false,
                    first_line: line,
                    latest: local,
                    seen: HashSet::new(),
                });
                self.windows.len() - 1
            }
        };
        let w = &mut self.windows[idx];
        if !w.switched {
            let repeat = w.seen.contains(&(Box::<str>::from(key), local));
            if local < w.latest || repeat {
                w.switched = true;
                w.seen = HashSet::new();
            } else {
                w.latest = w.latest.max(local);
                w.seen.insert((key.into(), local));
            }
        }
        if w.switched {
            second
        } else {
            first
        }
    }

    /// The local bounds of the repeated window containing `local`: the
    /// transition instant lies within the overlap of the two readings, found
    /// by bisection on the zone's offset.
    fn window_bounds(
        &self,
        local: NaiveDateTime,
        first: FixedOffset,
        second: FixedOffset,
    ) -> (NaiveDateTime, NaiveDateTime) {
        let f = first.local_minus_utc() as i64;
        let s = second.local_minus_utc() as i64;
        let base = local.and_utc().timestamp();
        // Instant under the first (earlier) reading: offset is `first` there;
        // under the second reading: offset is `second` there.
        let (mut lo, mut hi) = (base - f, base - s);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            let at = DateTime::from_timestamp(mid, 0).expect("in range");
            let off = self.tz.offset_from_utc_datetime(&at.naive_utc()).fix();
            if off.local_minus_utc() as i64 == f {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let transition = hi;
        let to_local = |t: i64| {
            DateTime::from_timestamp(t, 0)
                .expect("in range")
                .naive_utc()
        };
        (to_local(transition + s), to_local(transition + f))
    }
}

#[cfg(test)]
mod examples {
    // The examples of crate-internal items, run as unit tests.
    use super::*;

    #[test]
    fn parse_time_examples() {
        let t = chrono::NaiveTime::from_hms_opt(8, 15, 0).unwrap();
        assert_eq!(parse_time("08:15"), Some(t));
        assert_eq!(parse_time("8:15:00"), Some(t));
        assert_eq!(parse_time("08:15:30"), None);
        assert_eq!(parse_time("24:00"), None);
    }

    #[test]
    fn parse_date_time_examples() {
        let dt = chrono::NaiveDate::from_ymd_opt(2024, 3, 4)
            .unwrap()
            .and_hms_opt(5, 0, 0)
            .unwrap();
        assert_eq!(parse_date_time("03-04-2024T05:00:00"), Some(dt));
        assert_eq!(parse_date_time("2024-03-04T05:00:00"), Some(dt));
        assert_eq!(parse_date_time("2024-03-04 05:00:00"), Some(dt));
        assert_eq!(parse_date_time("2024-03-04T05:00:00Z"), None);
    }
}
