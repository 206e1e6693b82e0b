//! The time filters of SPEC 4.2: `--from`/`--to` bounds, `--days` and
//! `--hours`, parsed from their command-line and request forms and resolved
//! for one bucket zone into a [`Filter`] that keeps or drops a row by its
//! start.

use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike, Utc, Weekday};
use chrono_tz::Tz;

use super::bucket::local_to_utc;
use crate::error::{Error, Result};
use crate::option::OptionName;

/// A `--from`/`--to` bound: an instant, or a local date/time read in the
/// bucket zone when the rollup runs.
// Exhaustive: a bound is an instant or a local time, nothing else.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeBound {
    /// An RFC 3339 instant.
    Instant(DateTime<Utc>),
    /// A local date and time in the bucket zone.
    Local(NaiveDateTime),
}

impl TimeBound {
    /// Unix seconds of the bound in `tz`.
    pub(crate) fn resolve(&self, tz: &Tz) -> i64 {
        match self {
            TimeBound::Instant(t) => t.timestamp(),
            TimeBound::Local(l) => local_to_utc(tz, *l),
        }
    }
}

impl FromStr for TimeBound {
    type Err = Error;
    /// RFC 3339 (`2024-11-03T01:00:00-04:00`, `...Z`), or a local
    /// `yyyy-MM-dd`, `yyyy-MM-ddTHH:mm[:ss]` or `yyyy-MM-dd HH:mm[:ss]`.
    ///
    /// ```
    /// use ringcx_reports::window::TimeBound;
    /// assert!(matches!("2024-11-03".parse::<TimeBound>()?, TimeBound::Local(_)));
    /// assert!(matches!("2024-11-03T05:00:00Z".parse::<TimeBound>()?, TimeBound::Instant(_)));
    /// assert!("03/11/2024".parse::<TimeBound>().is_err());
    /// # Ok::<(), ringcx_reports::Error>(())
    /// ```
    fn from_str(s: &str) -> Result<Self> {
        let s = s.trim();
        if let Ok(t) = DateTime::parse_from_rfc3339(s) {
            return Ok(TimeBound::Instant(t.with_timezone(&Utc)));
        }
        if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            return Ok(TimeBound::Local(d.and_hms_opt(0, 0, 0).unwrap_or_default()));
        }
        for f in [
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%d %H:%M",
        ] {
            if let Ok(l) = NaiveDateTime::parse_from_str(s, f) {
                return Ok(TimeBound::Local(l));
            }
        }
        Err(Error::usage(format!(
            "invalid time {s:?}: expected RFC 3339 (2024-11-03T01:00:00-04:00) or a local \
             date or date and time in the bucket zone (2024-11-03, 2024-11-03T08:00)"
        )))
    }
}

/// A time-of-day range of `--hours`, in minutes since local midnight,
/// `[from, to)`; `to` may be 1440 (`24:00`); `to < from` wraps past
/// midnight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HourRange {
    /// Start, minutes since midnight (0–1439).
    pub from: u32,
    /// End, minutes since midnight (1–1440).
    pub to: u32,
}

impl HourRange {
    /// Whether `minute` (since local midnight) lies in the range.
    pub fn contains(&self, minute: u32) -> bool {
        if self.from < self.to {
            minute >= self.from && minute < self.to
        } else {
            minute >= self.from || minute < self.to
        }
    }

    /// Parses one or more comma-separated ranges, `08:00-17:00`.
    ///
    /// ```
    /// use ringcx_reports::window::HourRange;
    /// let r = HourRange::parse_list("08:00-12:00, 22:00-06:00,13:00-24:00")?;
    /// assert_eq!(r.len(), 3);
    /// assert!(r[1].contains(23 * 60) && r[1].contains(60) && !r[1].contains(12 * 60));
    /// assert!(r[2].contains(23 * 60 + 59));
    /// assert!(HourRange::parse_list("08:00-08:00").is_err());
    /// # Ok::<(), ringcx_reports::Error>(())
    /// ```
    pub fn parse_list(s: &str) -> Result<Vec<HourRange>> {
        s.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                let bad = || {
                    Error::usage(format!(
                        "invalid hours {p:?}: expected HH:mm-HH:mm such as 08:00-17:00 \
                         (24:00 allowed as an end; an end before the start wraps past midnight)"
                    ))
                };
                let (a, b) = p.split_once('-').ok_or_else(bad)?;
                let from = hhmm(a).filter(|&m| m < 1440).ok_or_else(bad)?;
                let to = hhmm(b).filter(|&m| m >= 1).ok_or_else(bad)?;
                if from == to || (from == 0 && to == 0) {
                    return Err(Error::usage(format!(
                        "invalid hours {p:?}: the range is empty (use 00:00-24:00 for the whole day)"
                    )));
                }
                Ok(HourRange { from, to })
            })
            .collect()
    }
}

pub(crate) fn hhmm(s: &str) -> Option<u32> {
    let (h, m) = s.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let h: u32 = h.parse().ok()?;
    let m: u32 = m.parse().ok()?;
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return None;
    }
    Some(h * 60 + m)
}

/// Parses a weekday name (`mon`, `Monday`, ...).
pub(crate) fn weekday(s: &str) -> Option<Weekday> {
    let l = s.trim().to_ascii_lowercase();
    let short = l.get(..3)?;
    let d = match short {
        "mon" => Weekday::Mon,
        "tue" => Weekday::Tue,
        "wed" => Weekday::Wed,
        "thu" => Weekday::Thu,
        "fri" => Weekday::Fri,
        "sat" => Weekday::Sat,
        "sun" => Weekday::Sun,
        _ => return None,
    };
    let full = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ][d.num_days_from_monday() as usize];
    (l.len() == 3 || full == l).then_some(d)
}

/// Parses a comma-separated list of weekdays into a 7-bit mask (bit 0 =
/// Monday).
///
/// ```
/// use ringcx_reports::window::parse_days;
/// assert_eq!(parse_days("mon,tue, Sunday")?, 0b1000011);
/// assert!(parse_days("mon,funday").is_err());
/// # Ok::<(), ringcx_reports::Error>(())
/// ```
pub fn parse_days(s: &str) -> Result<u8> {
    let mut mask = 0u8;
    for p in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let d = weekday(p).ok_or_else(|| {
            Error::usage(format!(
                "invalid day {p:?}: expected mon, tue, wed, thu, fri, sat or sun"
            ))
        })?;
        mask |= 1 << d.num_days_from_monday();
    }
    if mask == 0 {
        return Err(Error::usage(format!("{} names no day", OptionName::Days)));
    }
    Ok(mask)
}

/// The row filters, resolved for one bucket zone.
#[derive(Clone, Debug, Default)]
pub(crate) struct Filter {
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub days: Option<u8>,
    pub hours: Vec<HourRange>,
}

impl Filter {
    /// Whether any filter needs the local time.
    pub fn needs_local(&self) -> bool {
        self.days.is_some() || !self.hours.is_empty()
    }
    /// Whether a row starting at `t` is kept; `local` is its local start in
    /// the bucket zone (only read when [`needs_local`](Self::needs_local)).
    #[inline]
    pub fn keeps(&self, t: i64, local: impl FnOnce() -> NaiveDateTime) -> bool {
        if self.from.is_some_and(|f| t < f) || self.to.is_some_and(|e| t >= e) {
            return false;
        }
        if !self.needs_local() {
            return true;
        }
        let l = local();
        if let Some(mask) = self.days {
            if mask & (1 << l.weekday().num_days_from_monday()) == 0 {
                return false;
            }
        }
        if !self.hours.is_empty() {
            let m = l.hour() * 60 + l.minute();
            if !self.hours.iter().any(|r| r.contains(m)) {
                return false;
            }
        }
        true
    }

    /// Whether a row starting at `t` and lasting `len()` seconds straddles
    /// the `from` or `to` bound (starts before it and ends after it);
    /// `len` is read only when a bound is given.
    #[inline]
    pub fn straddles(&self, t: i64, len: impl FnOnce() -> i64) -> bool {
        if self.from.is_none() && self.to.is_none() {
            return false;
        }
        let end = t + len();
        [self.from, self.to]
            .into_iter()
            .flatten()
            .any(|b| t < b && b < end)
    }

    /// The warning of SPEC 9.2 when filters were given and kept none of
    /// the `read` records (`what` names them: "row", "segment"), naming
    /// the filters: "no row kept by `from`/`to` (96 rows read)" (an `rcx`
    /// user reads the flags: `--from`/`--to`).
    pub fn nothing_kept(&self, what: &str, read: u64, kept: u64) -> Option<String> {
        let given = [
            (OptionName::Days, self.days.is_some()),
            (OptionName::Hours, !self.hours.is_empty()),
            (OptionName::From, self.from.is_some()),
            (OptionName::To, self.to.is_some()),
        ];
        let flags: Vec<&str> = given.iter().filter(|g| g.1).map(|g| g.0.quoted()).collect();
        if kept > 0 || flags.is_empty() {
            return None;
        }
        let plural = if read == 1 { "" } else { "s" };
        Some(format!(
            "no {what} kept by {} ({read} {what}{plural} read)",
            flags.join("/")
        ))
    }
}
