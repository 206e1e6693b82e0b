//! Randomness and the volume curve: a splitmix64 stream, stable
//! per-entity hashes, and the integer daily and weekly shape of call volume.

use chrono::{Datelike, NaiveDate};

/// splitmix64: tiny, fast, and fully specified, so output never depends on
/// a crate's version.
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(seed: u64) -> Self {
        Rng(seed ^ 0x005E_ED0F_C0DE_CAFE)
    }
    #[inline]
    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n > 0`), by multiply-shift.
    #[inline]
    pub(super) fn below(&mut self, n: u64) -> u64 {
        ((self.next() as u128 * n as u128) >> 64) as u64
    }
    /// Uniform in `lo..=hi`.
    #[inline]
    pub(super) fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    /// True with probability `pct`/100.
    #[inline]
    pub(super) fn pct(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
}

/// A stable per-entity hash, so an agent's shift or a queue's size does not
/// depend on how many rows came before.
pub(super) fn mix(seed: u64, a: u64) -> u64 {
    let mut r = Rng(seed ^ a.wrapping_mul(0xD1B5_4A32_D192_ED03));
    r.next()
}

/// Relative call volume per hour of the day, per mille of the peak: night
/// lows, a mid-morning peak and a smaller mid-afternoon one.
const HOURLY: [u64; 24] = [
    60, 40, 30, 25, 25, 40, 120, 350, 650, 900, 1000, 970, 850, 800, 880, 920, 860, 720, 540, 400,
    300, 210, 140, 90,
];

/// Volume of 15-minute slot `slot` (0..96), per mille, interpolated between
/// the hourly knots.
pub(super) fn curve(slot: u32) -> u64 {
    let h = (slot / 4) as usize;
    let q = (slot % 4) as u64;
    let a = HOURLY[h];
    let b = HOURLY[(h + 1) % 24];
    (a * (4 - q) + b * q) / 4
}

/// Weekend days are quieter (per mille).
pub(super) fn weekday_factor(date: NaiveDate) -> u64 {
    match date.weekday() {
        chrono::Weekday::Sat => 450,
        chrono::Weekday::Sun => 350,
        _ => 1000,
    }
}

/// A Poisson-like count with mean `mean_milli / 1000`: the mean jittered by
/// ±40 % and rounded at random, cheap and good enough for shapes.
#[inline]
pub(super) fn draw(rng: &mut Rng, mean_milli: u64) -> u64 {
    let m = mean_milli * rng.range(600, 1400) / 1000;
    (m + rng.below(1000)) / 1000
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curve_has_night_low_and_morning_peak() {
        let peak = (0..96).max_by_key(|&s| curve(s)).unwrap();
        assert_eq!(peak, 40); // 10:00
        assert!(curve(12) < curve(40) / 20); // 03:00
    }
}
