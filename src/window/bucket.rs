//! Zones and buckets: local times of instants in a zone, and buckets in a
//! bucket zone, DST-correct (SPEC 4.2).
//!
//! Sub-day buckets (15m, 30m, hour) are elapsed time: the bucket of a row
//! starts at the row's start minus the minutes past the last local
//! multiple of the bucket length, and lasts exactly that length. On a
//! fall-back day in America/New_York the two local 01:00 hours therefore
//! are two distinct buckets (`01:00-04:00` and `01:00-05:00`), and on a
//! +05:45 zone an hour bucket runs from :15 UTC to :15 UTC.
//!
//! Days, weeks and months are local calendar units: a bucket runs from one
//! local midnight to the next, so a DST day lasts 23 or 25 hours. A
//! midnight that falls in a spring-forward gap starts at the first instant
//! after the gap.

use std::fmt;
use std::str::FromStr;

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, Offset,
    TimeZone, Timelike, Utc,
};
use chrono_tz::Tz;

/// The bucket width (`--interval`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[non_exhaustive]
pub enum BucketInterval {
    /// Each source interval is its own bucket.
    Native,
    /// 15 minutes.
    #[cfg_attr(feature = "cli", value(name = "15m"))]
    Min15,
    /// 30 minutes.
    #[cfg_attr(feature = "cli", value(name = "30m"))]
    Min30,
    /// One hour (the default).
    #[default]
    Hour,
    /// A local calendar day.
    Day,
    /// A local calendar week.
    Week,
    /// A local calendar month.
    Month,
    /// One bucket from the earliest kept row's start to the latest's end.
    Total,
}

impl BucketInterval {
    /// Every interval, in the order `--help` lists them.
    pub const ALL: [BucketInterval; 8] = [
        BucketInterval::Native,
        BucketInterval::Min15,
        BucketInterval::Min30,
        BucketInterval::Hour,
        BucketInterval::Day,
        BucketInterval::Week,
        BucketInterval::Month,
        BucketInterval::Total,
    ];
    /// The command-line name.
    pub const fn as_str(self) -> &'static str {
        match self {
            BucketInterval::Native => "native",
            BucketInterval::Min15 => "15m",
            BucketInterval::Min30 => "30m",
            BucketInterval::Hour => "hour",
            BucketInterval::Day => "day",
            BucketInterval::Week => "week",
            BucketInterval::Month => "month",
            BucketInterval::Total => "total",
        }
    }
    /// The bit this interval has in a nesting mask (native and total
    /// always nest and have none).
    pub(crate) const fn bit(self) -> u8 {
        match self {
            BucketInterval::Min15 => 1,
            BucketInterval::Min30 => 2,
            BucketInterval::Hour => 4,
            BucketInterval::Day => 8,
            BucketInterval::Week => 16,
            BucketInterval::Month => 32,
            BucketInterval::Native | BucketInterval::Total => 0,
        }
    }
    pub(crate) const fn minutes(self) -> Option<i64> {
        match self {
            BucketInterval::Min15 => Some(15),
            BucketInterval::Min30 => Some(30),
            BucketInterval::Hour => Some(60),
            _ => None,
        }
    }
}

impl fmt::Display for BucketInterval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BucketInterval {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let l = s.trim().to_ascii_lowercase();
        let alias = match l.as_str() {
            "60m" | "1h" => "hour",
            "15" => "15m",
            "30" => "30m",
            other => other,
        };
        BucketInterval::ALL
            .into_iter()
            .find(|b| b.as_str() == alias)
            .ok_or_else(|| {
                format!(
                    "unknown interval {s:?}; expected one of {}",
                    BucketInterval::ALL.map(|b| b.as_str()).join(", ")
                )
            })
    }
}

/// The first day of a week bucket (`--week-start`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[non_exhaustive]
pub enum WeekStart {
    /// Weeks start on Monday (the default).
    #[default]
    Monday,
    /// Weeks start on Sunday.
    Sunday,
}

/// What to do with a row that does not nest in a bucket (`--attribution`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[non_exhaustive]
pub enum Attribution {
    /// Refuse the rollup (a usage error naming the intervals that fit).
    #[default]
    Nest,
    /// Put the row in the bucket of its start, with a warning.
    Start,
}

/// The local instant of `local` in `tz`: the earlier one when it repeats,
/// the first instant after the gap when it does not exist.
pub(crate) fn local_to_utc(tz: &Tz, local: NaiveDateTime) -> i64 {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.timestamp(),
        LocalResult::Ambiguous(a, b) => a.timestamp().min(b.timestamp()),
        LocalResult::None => {
            // The clock jumped forward over `local`: the first instant after
            // the gap is the transition, between the two readings of `local`.
            let naive = local.and_utc().timestamp();
            let before = offset_secs(tz, naive - 86_400) as i64;
            let (lo, hi) = (naive - before - 86_400, naive - before);
            if offset_secs(tz, hi) as i64 == before {
                return hi;
            }
            offset_change(tz, lo, hi)
        }
    }
}

/// The instant in `(lo, hi]` from which `tz` keeps the offset it has at
/// `hi` (the last change of offset in that span), found by bisection; `hi`
/// is returned unchanged when the offset at `lo` is already the same.
pub(crate) fn offset_change(tz: &Tz, mut lo: i64, mut hi: i64) -> i64 {
    let after = offset_secs(tz, hi);
    if offset_secs(tz, lo) == after {
        return hi;
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if offset_secs(tz, mid) == after {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

/// The UTC offset of `tz` at instant `t` (Unix seconds), in seconds.
#[inline]
pub(crate) fn offset_secs(tz: &Tz, t: i64) -> i32 {
    let at = DateTime::<Utc>::from_timestamp(t, 0).unwrap_or_default();
    tz.offset_from_utc_datetime(&at.naive_utc())
        .fix()
        .local_minus_utc()
}

/// Instant `t` as a `DateTime` with the offset `tz` has there.
pub fn in_zone(tz: &Tz, t: i64) -> DateTime<FixedOffset> {
    let at = DateTime::<Utc>::from_timestamp(t, 0).unwrap_or_default();
    at.with_timezone(tz).fixed_offset()
}

fn local_of(tz: &Tz, t: i64) -> NaiveDateTime {
    let off = offset_secs(tz, t);
    DateTime::<Utc>::from_timestamp(t + off as i64, 0)
        .unwrap_or_default()
        .naive_utc()
}

/// The buckets of `interval` in `tz` that meet `[from, to)`, in order (the
/// first holds `from`), or `None` when there would be more than `limit`.
/// Empty for `native` and `total`, which have no grid.
fn buckets_between(
    tz: Tz,
    interval: BucketInterval,
    week_start: WeekStart,
    (from, to): (i64, i64),
    limit: usize,
) -> Option<Vec<(i64, i64)>> {
    let mut out = Vec::new();
    if matches!(interval, BucketInterval::Native | BucketInterval::Total) {
        return Some(out);
    }
    let mut b = Bucketer::new(tz, interval, week_start);
    let mut t = from;
    while t < to {
        let (s, e) = b.info(t, 1).bucket;
        if out.len() == limit {
            return None;
        }
        out.push((s, e));
        if e <= t {
            break;
        }
        t = e;
    }
    Some(out)
}

/// The start of every `interval` bucket of `range` (UTC seconds, `[from,
/// to)`), empty ones too, in order, in `tz`: the points of an Analytics
/// timeline, the buckets an Average is over. `None` without a range, and
/// for the `native` and `total` intervals (no grid); an error past a
/// million buckets.
pub(crate) fn range_bucket_starts(
    tz: Tz,
    interval: BucketInterval,
    week_start: WeekStart,
    range: Option<(i64, i64)>,
) -> crate::Result<Option<Vec<DateTime<FixedOffset>>>> {
    const LIMIT: usize = 1_000_000;
    let Some(range) = range else {
        return Ok(None);
    };
    if matches!(interval, BucketInterval::Native | BucketInterval::Total) {
        return Ok(None);
    }
    let b = buckets_between(tz, interval, week_start, range, LIMIT).ok_or_else(|| {
        crate::Error::usage(format!(
            "the range from {} to {} has more than {LIMIT} {} buckets; narrow it",
            in_zone(&tz, range.0).to_rfc3339(),
            in_zone(&tz, range.1).to_rfc3339(),
            interval
        ))
    })?;
    Ok(Some(b.into_iter().map(|(s, _)| in_zone(&tz, s)).collect()))
}

fn midnight(tz: &Tz, d: NaiveDate) -> i64 {
    local_to_utc(tz, d.and_hms_opt(0, 0, 0).unwrap_or_default())
}

/// What the engine needs to know about one row's time, computed once per
/// distinct (start, length) and cached.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct TimeInfo {
    /// Bits of the intervals the row does NOT nest in.
    pub misfit: u8,
    /// The bucket of the chosen interval: start and end instants.
    pub bucket: (i64, i64),
}

/// Computes buckets for one bucket zone and interval, with a one-entry
/// cache (rows of one interval start arrive together).
#[derive(Clone, Debug)]
pub(crate) struct Bucketer {
    tz: Tz,
    interval: BucketInterval,
    week_start: WeekStart,
    /// The last row's start, length and buckets, and for a point the
    /// zone's offset at its start.
    last: Option<(i64, i64, TimeInfo, i32)>,
}

impl Bucketer {
    pub fn new(tz: Tz, interval: BucketInterval, week_start: WeekStart) -> Self {
        Bucketer {
            tz,
            interval,
            week_start,
            last: None,
        }
    }

    /// Time facts for a row starting at `t` lasting `len` seconds.
    #[inline]
    pub fn info(&mut self, t: i64, len: i64) -> TimeInfo {
        if let Some((lt, ll, info, off)) = self.last {
            if ll == len && lt == t {
                return info;
            }
            // A point (a call's start) inside the bucket of the point
            // before, with the clock of that point (no change between
            // them), reads the same local slot, day, week and month.
            let (lo, hi) = info.bucket;
            if len == 1 && lo <= t && t < hi && offset_secs(&self.tz, t) == off {
                return info;
            }
        }
        let info = self.compute(t, len);
        // Only a point's bucket is reused for other starts.
        let off = if len == 1 {
            offset_secs(&self.tz, t)
        } else {
            0
        };
        self.last = Some((t, len, info, off));
        info
    }

    fn week_first(&self, d: NaiveDate) -> NaiveDate {
        let back = match self.week_start {
            WeekStart::Monday => d.weekday().num_days_from_monday(),
            WeekStart::Sunday => d.weekday().num_days_from_sunday(),
        };
        d - Duration::days(back as i64)
    }

    fn compute(&self, t: i64, len: i64) -> TimeInfo {
        let tz = &self.tz;
        let local = local_of(tz, t);
        let sod = local.num_seconds_from_midnight() as i64;
        let mut misfit = 0u8;
        for b in [
            BucketInterval::Min15,
            BucketInterval::Min30,
            BucketInterval::Hour,
        ] {
            let n = b.minutes().unwrap_or(60) * 60;
            if sod % n + len > n {
                misfit |= b.bit();
            }
        }
        // The last second of the row, as a local date.
        let d0 = local.date();
        let d1 = local_of(tz, t + len - 1).date();
        if d1 != d0 {
            misfit |= BucketInterval::Day.bit();
        }
        if self.week_first(d1) != self.week_first(d0) {
            misfit |= BucketInterval::Week.bit();
        }
        if (d1.year(), d1.month()) != (d0.year(), d0.month()) {
            misfit |= BucketInterval::Month.bit();
        }
        let bucket = match self.interval {
            BucketInterval::Native => (t, t + len),
            BucketInterval::Min15 | BucketInterval::Min30 | BucketInterval::Hour => {
                let n = self.interval.minutes().unwrap_or(60) * 60;
                let s = t - sod % n;
                // A bucket is a span of the local clock. When the clock
                // was set (back or forward) after the bucket's local start
                // and no later than `t`, as a 30-minute change does inside
                // an hour (Australia/Lord_Howe), the clock reads this
                // bucket's times only from the change on.
                let from = if offset_secs(tz, s) == offset_secs(tz, t) {
                    s
                } else {
                    offset_change(tz, s, t)
                };
                (from, s + n)
            }
            BucketInterval::Day => {
                let next = d0.succ_opt().unwrap_or(d0);
                (midnight(tz, d0), midnight(tz, next))
            }
            BucketInterval::Week => {
                let f = self.week_first(d0);
                (midnight(tz, f), midnight(tz, f + Duration::days(7)))
            }
            BucketInterval::Month => {
                let f = d0.with_day(1).unwrap_or(d0);
                let next = if f.month() == 12 {
                    NaiveDate::from_ymd_opt(f.year() + 1, 1, 1)
                } else {
                    NaiveDate::from_ymd_opt(f.year(), f.month() + 1, 1)
                }
                .unwrap_or(f);
                (midnight(tz, f), midnight(tz, next))
            }
            BucketInterval::Total => (0, 0),
        };
        TimeInfo { misfit, bucket }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bucketer that meets points one after another (its one-entry
    /// cache reused for points inside the bucket before) gives every
    /// point the bucket a fresh bucketer computes, around the clock
    /// changes of zones with whole-hour, 30-minute and 45-minute offsets.
    #[test]
    fn points_in_the_bucket_before_get_their_own_bucket() {
        let zones = [
            "UTC",
            "America/New_York",
            "Australia/Lord_Howe",
            "Asia/Kathmandu",
            "Pacific/Chatham",
            "America/Havana",
            "America/Santiago",
            "Asia/Beirut",
            "Africa/Casablanca",
        ];
        // 2024-01-01T00:00:00Z, stepped by 7 min 13 s over a year: every
        // change of those zones in 2024 falls between two points.
        let (first, step) = (1_704_067_200_i64, 433_i64);
        for zone in zones {
            let tz: Tz = zone.parse().unwrap();
            for interval in BucketInterval::ALL {
                let mut cached = Bucketer::new(tz, interval, WeekStart::Monday);
                let mut hits = 0;
                let mut t = first;
                while t < first + 366 * 86_400 {
                    let before = cached.last.map(|l| l.2.bucket);
                    let got = cached.info(t, 1).bucket;
                    let fresh = Bucketer::new(tz, interval, WeekStart::Monday).info(t, 1);
                    assert_eq!(got, fresh.bucket, "{zone} {interval:?} at {t}");
                    hits += u32::from(before == Some(got));
                    t += step;
                }
                // The cache is used (not only correct) where buckets hold
                // several points.
                if !matches!(interval, BucketInterval::Native | BucketInterval::Total) {
                    assert!(hits > 0, "{zone} {interval:?}");
                }
            }
        }
    }
}
