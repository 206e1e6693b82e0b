//! Which common zones a wall-clock time repeats or vanishes in: the hint
//! that a file was written in a zone other than the one it is read in
//! (SPEC 9.1).
//!
//! An export written in New York and read in UTC shows its fall-back hour
//! twice (a duplicate to the file rules) and its spring-forward hour not at
//! all (a gap). Both look like damage; the hint names the zones in which the
//! same wall-clock time is a clock change, so the user can say which one the
//! file was written in.

use std::collections::{BTreeSet, HashMap};

use chrono::{Duration, LocalResult, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

use super::IntervalStart;
use crate::option::OptionName;

/// Zones with clock changes that contact centers commonly export in, in the
/// order hints list them (the Americas, Europe, then east to the Pacific).
pub const COMMON_DST_ZONES: &[Tz] = &[
    Tz::America__New_York,
    Tz::America__Chicago,
    Tz::America__Denver,
    Tz::America__Los_Angeles,
    Tz::America__Anchorage,
    Tz::America__Halifax,
    Tz::America__St_Johns,
    Tz::America__Havana,
    Tz::America__Santiago,
    Tz::Atlantic__Azores,
    Tz::Europe__London,
    Tz::Europe__Dublin,
    Tz::Europe__Lisbon,
    Tz::Europe__Paris,
    Tz::Europe__Berlin,
    Tz::Europe__Madrid,
    Tz::Europe__Rome,
    Tz::Europe__Amsterdam,
    Tz::Europe__Warsaw,
    Tz::Europe__Athens,
    Tz::Europe__Helsinki,
    Tz::Europe__Bucharest,
    Tz::Africa__Cairo,
    Tz::Asia__Jerusalem,
    Tz::Asia__Beirut,
    Tz::Australia__Adelaide,
    Tz::Australia__Sydney,
    Tz::Australia__Melbourne,
    Tz::Australia__Hobart,
    Tz::Australia__Lord_Howe,
    Tz::Pacific__Auckland,
];

// The fitter keeps a bit per zone in a u64.
const _: () = assert!(COMMON_DST_ZONES.len() <= 64);

/// What a clock change does to a wall-clock time.
// Exhaustive: a clock change repeats or skips wall-clock times, nothing else.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockChange {
    /// The time happens twice (the fall-back hour).
    Repeats,
    /// The time never happens (the spring-forward hour).
    Vanishes,
}

impl ClockChange {
    /// Whether `local` is this kind of time in `tz`.
    pub fn is_in(self, tz: Tz, local: NaiveDateTime) -> bool {
        matches!(
            (self, tz.offset_from_local_datetime(&local)),
            (ClockChange::Repeats, LocalResult::Ambiguous(..))
                | (ClockChange::Vanishes, LocalResult::None)
        )
    }
}

/// The [`COMMON_DST_ZONES`] in which every wall-clock time of
/// `[from, to)` is a `change` (`to` exclusive; `from == to` tests `from`
/// alone).
pub fn common_zones_where(change: ClockChange, from: NaiveDateTime, to: NaiveDateTime) -> Vec<Tz> {
    let last = if to > from {
        to - Duration::seconds(1)
    } else {
        from
    };
    COMMON_DST_ZONES
        .iter()
        .copied()
        .filter(|&tz| change.is_in(tz, from) && change.is_in(tz, last))
        .collect()
}

/// How many zones a hint names before "and N more".
const NAMED: usize = 6;

/// A hint for a duplicate (`Repeats`) or a gap (`Vanishes`) at the
/// wall-clock times `[from, to)` of a file read in `source`: the common
/// zones in which those times are that clock change, or `None` when there
/// are none or `source` is one of them (then the zone is not the cause).
///
/// The text starts with `"; "`, to follow the finding's message.
pub fn source_zone_hint(
    source: Tz,
    change: ClockChange,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Option<String> {
    let zones = common_zones_where(change, from, to);
    if zones.is_empty() || zones.contains(&source) {
        return None;
    }
    let names: Vec<&str> = zones.iter().take(NAMED).map(|z| z.name()).collect();
    let more = zones.len().saturating_sub(NAMED);
    let tail = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    let what = match change {
        ClockChange::Repeats => "repeats at the fall-back",
        ClockChange::Vanishes => "does not exist (spring-forward)",
    };
    let when = from.format("%Y-%m-%d %H:%M");
    let list = names.join(", ");
    Some(format!(
        "; read in {}, but {when} local time {what} in {list}{tail}: if the file was written in one of them, give its zone ({})",
        source.name(),
        OptionName::SourceTz
    ))
}

/// What the wall-clock times of an interval file say about the zone it was
/// written in: the times at which a key's rows step back (a repeated hour)
/// and the common zones consistent with them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ZoneFit {
    /// Rows whose wall-clock start is not after the previous row of their
    /// key, by less than an hour (as at a fall-back).
    pub step_backs: u64,
    /// The earliest [`ZoneFit::KEPT`] distinct wall-clock times stepped
    /// back to, in time order.
    pub repeats: Vec<NaiveDateTime>,
    /// The [`COMMON_DST_ZONES`] in which every time stepped back to repeats
    /// and no row starts at a time that does not exist.
    pub zones: Vec<Tz>,
}

impl ZoneFit {
    /// How many repeated times are kept.
    pub const KEPT: usize = 8;
}

/// Builds a [`ZoneFit`] from rows seen one by one, in memory bounded by the
/// keys and the distinct half hours of the file.
///
/// Every common zone's clock changes at a full or half hour by at least 30
/// minutes, so whether a time exists, or repeats, in a zone is the same
/// over each half hour: the zones are asked once per half hour.
#[derive(Debug)]
pub struct ZoneFitter {
    last: HashMap<Box<str>, NaiveDateTime>,
    /// Per half hour (seconds / 1800 of the wall clock read as UTC): a bit
    /// per common zone in which it does not exist, and one per zone in
    /// which it repeats.
    slots: HashMap<i64, (u64, u64)>,
    /// Zones in which no row starts at a time that does not exist.
    exist: u64,
    /// Zones in which every time stepped back to repeats.
    repeat: u64,
    repeats: BTreeSet<NaiveDateTime>,
    step_backs: u64,
}

impl Default for ZoneFitter {
    fn default() -> Self {
        ZoneFitter {
            last: HashMap::new(),
            slots: HashMap::new(),
            exist: u64::MAX,
            repeat: u64::MAX,
            repeats: BTreeSet::new(),
            step_backs: 0,
        }
    }
}

impl ZoneFitter {
    /// A fitter that has seen no row.
    pub fn new() -> Self {
        Self::default()
    }

    /// One row of `key` starting at the wall-clock time `local`.
    pub fn row(&mut self, key: &str, local: NaiveDateTime) {
        let slot = local.and_utc().timestamp().div_euclid(1800);
        let (vanishes, repeats) = *self.slots.entry(slot).or_insert_with(|| {
            let mut bits = (0, 0);
            for (i, &tz) in COMMON_DST_ZONES.iter().enumerate() {
                match tz.offset_from_local_datetime(&local) {
                    LocalResult::None => bits.0 |= 1 << i,
                    LocalResult::Ambiguous(..) => bits.1 |= 1 << i,
                    LocalResult::Single(_) => {}
                }
            }
            bits
        });
        self.exist &= !vanishes;
        let stepped_back = match self.last.get_mut(key) {
            Some(prev) => {
                // No clock goes back more than an hour: a longer step back
                // is a file out of time order, not a fall-back.
                let back = local <= *prev && *prev - local < Duration::hours(1);
                *prev = local;
                back
            }
            None => {
                self.last.insert(key.into(), local);
                false
            }
        };
        if stepped_back {
            self.step_backs += 1;
            self.repeat &= repeats;
            self.repeats.insert(local);
            if self.repeats.len() > ZoneFit::KEPT {
                self.repeats.pop_last();
            }
        }
    }

    /// The fit, or `None` when no key's rows stepped back (nothing then
    /// tells the zones apart).
    pub fn finish(self) -> Option<ZoneFit> {
        if self.step_backs == 0 {
            return None;
        }
        let fit = self.exist & self.repeat;
        let zones = COMMON_DST_ZONES
            .iter()
            .enumerate()
            .filter(|&(i, _)| fit & (1 << i) != 0)
            .map(|(_, &tz)| tz)
            .collect();
        Some(ZoneFit {
            step_backs: self.step_backs,
            repeats: self.repeats.into_iter().collect(),
            zones,
        })
    }
}

/// The hint for a duplicate row starting at `start` (its wall-clock time
/// and the zone it was read in); empty when there is none.
pub fn repeat_hint(source: Tz, start: IntervalStart) -> String {
    let local = start.local();
    source_zone_hint(source, ClockChange::Repeats, local, local).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn us_fall_back_hour_repeats_in_the_us_zones_only() {
        let z = common_zones_where(
            ClockChange::Repeats,
            at("2024-11-03 01:15"),
            at("2024-11-03 01:15"),
        );
        let names: Vec<&str> = z.iter().map(|z| z.name()).collect();
        assert_eq!(
            names,
            [
                "America/New_York",
                "America/Chicago",
                "America/Denver",
                "America/Los_Angeles",
                "America/Anchorage",
                "America/Halifax",
                "America/St_Johns"
            ]
        );
    }

    #[test]
    fn a_hint_is_given_only_when_the_source_zone_is_not_the_cause() {
        let from = at("2024-03-10 02:00");
        let to = at("2024-03-10 03:00");
        let h = source_zone_hint(Tz::UTC, ClockChange::Vanishes, from, to).unwrap();
        assert!(h.contains("America/New_York"), "{h}");
        assert!(h.contains("and 1 more"), "{h}");
        assert!(source_zone_hint(Tz::America__Chicago, ClockChange::Vanishes, from, to).is_none());
        // 02:00-04:00 is longer than any of these zones' gap.
        assert!(
            source_zone_hint(Tz::UTC, ClockChange::Vanishes, from, at("2024-03-10 04:00"))
                .is_none()
        );
    }
}
