//! The time-and-key layer shared by [`rollup`](crate::rollup),
//! [`timeline`](crate::timeline) and [`convert`](crate::convert): zones,
//! buckets, time filters (SPEC 4.2), the order of key values, and the
//! [`Window`] options block that holds a builder's time options.
//!
//! # Zones and buckets
//!
//! [`in_zone`] gives an instant with the offset a zone has there. A local
//! time read in a zone (a local `--from`, a midnight) that repeats
//! (fall-back) is its earlier instant, and one that does not exist
//! (spring-forward) is the first instant after the gap.
//!
//! Sub-day buckets (15m, 30m, hour) are elapsed time: the bucket of a row
//! starts at the row's start minus the minutes past the last local
//! multiple of the bucket length, and lasts exactly that length. On a
//! fall-back day in America/New_York the two local 01:00 hours therefore
//! are two distinct buckets (`01:00-04:00` and `01:00-05:00`), and on a
//! +05:45 zone an hour bucket runs from :15 UTC to :15 UTC. Days, weeks
//! ([`WeekStart`]) and months are local calendar units: a bucket runs from
//! one local midnight to the next, so a DST day lasts 23 or 25 hours. The
//! widths are the [`BucketInterval`]s; what a rollup does with a row that
//! does not nest in its bucket is its [`Attribution`].
//!
//! # Filters
//!
//! A row (or segment) is kept or dropped by its start: at or after
//! `--from`, before `--to` ([`TimeBound`]: an instant, or a local time
//! read in the bucket zone), on one of the `--days` ([`parse_days`]) and
//! at a local time of day inside one of the `--hours` ([`HourRange`]),
//! both read in the bucket zone.
//!
//! # Key order
//!
//! Output rows are sorted by key, and keys are ids, names and groups held
//! as text. An *integer* is a value that is not empty and has ASCII digits
//! only. Two integers compare as numbers of any length (leading zeros
//! ignored), and two equal numbers by their text, so `0600` comes before
//! `600`; anything else compares as text, byte by byte. There are two
//! rules for a column that mixes integers and other values, because the
//! two kinds of command see their keys differently:
//!
//! * **By column**, where the run holds every value before it sorts
//!   (`rcx rollup` key columns, `rcx timeline` keys, and the order of the
//!   segment and interaction ids of an interaction load): a column compares
//!   as numbers only when *every* value in it is an integer, and otherwise
//!   *all* its values compare as text. `9, 10` sort as `9, 10`, but
//!   `9, 10, A` sort as `10, 9, A`, and `9, 10, ""` (a segment without an
//!   agent id) as `"", 10, 9`.
//! * **By pair** ([`cmp_ids`]), where rows are sorted as they stream
//!   (`rcx convert`, which never holds a whole column): two integers
//!   compare as numbers, an integer comes before any other value, and two
//!   other values compare as text. `9, 10, A` sort as `9, 10, A`, and
//!   `9, 10, ""` as `9, 10, ""`.
//!
//! The two agree on every column that is all integers or has no integer,
//! which is the shape of RingCX ids (queue and agent ids are numbers). They
//! differ only on a column that mixes the two.
//!
//! Maps keyed by those values (a rollup's keys, a load's interaction ids)
//! use one fast deterministic hasher (`FastMap`), since no map is ever
//! iterated in an order that reaches the output.

mod bucket;
mod filter;
mod hash;
mod key;

use chrono_tz::Tz;

pub use bucket::{in_zone, Attribution, BucketInterval, WeekStart};
pub(crate) use bucket::{offset_change, offset_secs, range_bucket_starts, Bucketer};
pub(crate) use filter::{hhmm, weekday, Filter};
pub use filter::{parse_days, HourRange, TimeBound};
pub(crate) use hash::{FastMap, FastSet, FxHasher};
pub use key::cmp_ids;
pub(crate) use key::{cmp_key, cmp_keys, cmp_row_keys, is_integer};

/// The setters of a builder that holds a `window: Window` field, each
/// delegating to the [`Window`] method of the same name, so the time
/// options of [`Rollup`](crate::rollup::Rollup),
/// [`Timeline`](crate::timeline::Timeline) and
/// [`Calls`](crate::calls::Calls) are written once. `$what` names what the
/// filters keep ("rows"), `$intervals` the bucket widths the builder takes,
/// `$tz_default` the bucket zone when none is set.
macro_rules! window_setters {
    ($what:literal, $intervals:literal, $tz_default:literal) => {
        /// All the time options at once: bucket width and zone, week
        /// start, time filters (the methods below set them one by one),
        /// replacing those set before.
        pub fn window(mut self, w: $crate::window::Window) -> Self {
            self.window = w;
            self
        }
        #[doc = concat!("The bucket width: ", $intervals, " (default hour).")]
        pub fn interval(mut self, i: $crate::window::BucketInterval) -> Self {
            self.window = self.window.interval(i);
            self
        }
        #[doc = concat!("The bucket zone (default ", $tz_default, ").")]
        pub fn tz(mut self, tz: chrono_tz::Tz) -> Self {
            self.window = self.window.tz(tz);
            self
        }
        #[doc = concat!("Keeps ", $what, " starting at or after `from`.")]
        pub fn from(mut self, from: $crate::window::TimeBound) -> Self {
            self.window = self.window.from(from);
            self
        }
        #[doc = concat!("Keeps ", $what, " starting before `to`.")]
        pub fn to(mut self, to: $crate::window::TimeBound) -> Self {
            self.window = self.window.to(to);
            self
        }
        #[doc = concat!("Keeps ", $what, " starting on these local weekdays (bit 0 = Monday; see [`parse_days`](crate::window::parse_days)).")]
        pub fn days(mut self, mask: u8) -> Self {
            self.window = self.window.days(mask);
            self
        }
        #[doc = concat!("Keeps ", $what, " whose local start time is in one of these ranges.")]
        pub fn hours(mut self, ranges: Vec<$crate::window::HourRange>) -> Self {
            self.window = self.window.hours(ranges);
            self
        }
        /// The first day of week buckets (default Monday).
        pub fn week_start(mut self, w: $crate::window::WeekStart) -> Self {
            self.window = self.window.week_start(w);
            self
        }
    };
}
pub(crate) use window_setters;

/// The time options of a builder: bucket width and zone, first day of the
/// week, and the time filters. [`Rollup`](crate::rollup::Rollup) and
/// [`Timeline`](crate::timeline::Timeline) each hold one;
/// [`Rollup::window`](crate::rollup::Rollup::window) and
/// [`Timeline::window`](crate::timeline::Timeline::window) set it whole, so
/// one block can serve several runs.
///
/// ```
/// use ringcx_reports::timeline::Timeline;
/// use ringcx_reports::window::{parse_days, BucketInterval, HourRange, Window};
/// let tz: chrono_tz::Tz = "America/New_York".parse().unwrap();
/// let window = Window::new()
///     .interval(BucketInterval::Day)
///     .tz(tz)
///     .hours(HourRange::parse_list("08:00-17:00")?)
///     .days(parse_days("mon,tue,wed,thu,fri")?);
/// assert_eq!(window.bucket_interval(), BucketInterval::Day);
/// assert_eq!(window.bucket_tz(), Some(tz));
/// let timeline = Timeline::new().window(window);
/// # let _ = timeline;
/// # Ok::<(), ringcx_reports::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Window {
    interval: BucketInterval,
    tz: Option<Tz>,
    week_start: WeekStart,
    from: Option<TimeBound>,
    to: Option<TimeBound>,
    days: Option<u8>,
    hours: Vec<HourRange>,
}

impl Window {
    /// Hour buckets, the bucket zone of the run's default, weeks from
    /// Monday, no filter.
    pub fn new() -> Self {
        Self::default()
    }
    /// The bucket width (default hour).
    pub fn interval(mut self, i: BucketInterval) -> Self {
        self.interval = i;
        self
    }
    /// The bucket zone; unset, the builder's default (the source zone of a
    /// rollup, UTC for a timeline).
    pub fn tz(mut self, tz: Tz) -> Self {
        self.tz = Some(tz);
        self
    }
    /// The first day of week buckets (default Monday).
    pub fn week_start(mut self, w: WeekStart) -> Self {
        self.week_start = w;
        self
    }
    /// Keeps rows starting at or after `from`.
    pub fn from(mut self, from: TimeBound) -> Self {
        self.from = Some(from);
        self
    }
    /// Keeps rows starting before `to`.
    pub fn to(mut self, to: TimeBound) -> Self {
        self.to = Some(to);
        self
    }
    /// Keeps rows starting on these local weekdays (bit 0 = Monday; see
    /// [`parse_days`]).
    pub fn days(mut self, mask: u8) -> Self {
        self.days = Some(mask & 0x7f);
        self
    }
    /// Keeps rows whose local start time is in one of these ranges.
    pub fn hours(mut self, ranges: Vec<HourRange>) -> Self {
        self.hours = ranges;
        self
    }
    /// The bucket width.
    pub fn bucket_interval(&self) -> BucketInterval {
        self.interval
    }
    /// The bucket zone, if one was set.
    pub fn bucket_tz(&self) -> Option<Tz> {
        self.tz
    }
    /// The first day of week buckets.
    pub fn week_start_day(&self) -> WeekStart {
        self.week_start
    }

    /// The bucket zone: the one set, else `default`.
    pub(crate) fn zone_or(&self, default: Tz) -> Tz {
        self.tz.unwrap_or(default)
    }
    /// The bucketer of this width and week start in the bucket zone `tz`.
    pub(crate) fn bucketer(&self, tz: Tz) -> Bucketer {
        Bucketer::new(tz, self.interval, self.week_start)
    }
    /// The filters, with the bounds resolved in the bucket zone `tz`.
    pub(crate) fn filter(&self, tz: &Tz) -> Filter {
        Filter {
            from: self.from.map(|b| b.resolve(tz)),
            to: self.to.map(|b| b.resolve(tz)),
            days: self.days,
            hours: self.hours.clone(),
        }
    }
}
