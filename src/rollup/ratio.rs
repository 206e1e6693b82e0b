//! Ratios from summed numerators and denominators (SPEC 4.3), in exact
//! integer arithmetic: computed once per bucket from that bucket's sums,
//! rounded half away from zero to two places, `None` when the denominator
//! is 0.

use rust_decimal::Decimal;

/// `numerator / denominator`, rounded half away from zero to 2 places;
/// `None` when the denominator is 0.
///
/// ```
/// use ringcx_reports::rollup::ratio;
/// assert_eq!(ratio(860, 1050).unwrap().to_string(), "0.82");
/// assert_eq!(ratio(1, 8).unwrap().to_string(), "0.13"); // 0.125 → away from zero
/// assert_eq!(ratio(-1, 8).unwrap().to_string(), "-0.13");
/// assert_eq!(ratio(5, 0), None);
/// ```
pub fn ratio(numerator: i128, denominator: i128) -> Option<Decimal> {
    scaled_ratio(numerator, denominator, 1)
}

/// `100 × numerator / denominator`, rounded half away from zero to 2
/// places; `None` when the denominator is 0.
///
/// ```
/// use ringcx_reports::rollup::percent;
/// assert_eq!(percent(860, 1050).unwrap().to_string(), "81.90");
/// assert_eq!(percent(1254, 1500).unwrap().to_string(), "83.60");
/// assert_eq!(percent(0, 0), None);
/// ```
pub fn percent(numerator: i128, denominator: i128) -> Option<Decimal> {
    scaled_ratio(numerator, denominator, 100)
}

pub(crate) fn scaled_ratio(numerator: i128, denominator: i128, scale: i128) -> Option<Decimal> {
    let q = scaled_hundredths(numerator, denominator, scale)?;
    Some(Decimal::from_i128_with_scale(q, 2))
}

/// `scale × numerator / denominator` in hundredths, rounded half away from
/// zero, in exact integer arithmetic; `None` when the denominator is 0.
/// Operands are sums of `u64` values (|n|, |d| < 2^66), so `n × 10^4`
/// stays far inside `i128`, and the quotient (at most about 2^80) inside
/// `Decimal`'s 96-bit mantissa.
#[inline]
pub(crate) fn scaled_hundredths(numerator: i128, denominator: i128, scale: i128) -> Option<i128> {
    if denominator == 0 {
        return None;
    }
    // The usual case (non-negative sums, small enough that the scaled
    // numerator fits a u64) in 64-bit division, which is several times
    // cheaper than the 128-bit one; the same rounding.
    if let (Ok(n), Ok(d), Ok(k)) = (
        u64::try_from(numerator),
        u64::try_from(denominator),
        u64::try_from(scale * 100),
    ) {
        if let Some(n) = n.checked_mul(k) {
            let (q, r) = (n / d, n % d);
            return Some(i128::from(q + u64::from(r >= d - r)));
        }
    }
    let n = numerator.checked_mul(scale * 100)?;
    let (q, r) = (n / denominator, n % denominator);
    // Away from zero when the remainder is at least half the divisor.
    let away = r.unsigned_abs().checked_mul(2)? >= denominator.unsigned_abs();
    let neg = (n < 0) != (denominator < 0);
    Some(match (away, neg) {
        (false, _) => q,
        (true, false) => q + 1,
        (true, true) => q - 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal::RoundingStrategy;

    /// The decimal computation the integer one replaced.
    fn decimal_ratio(n: i128, d: i128, scale: i128) -> Option<Decimal> {
        if d == 0 {
            return None;
        }
        let n = Decimal::from_i128_with_scale(n.checked_mul(scale)?, 0);
        let d = Decimal::from_i128_with_scale(d, 0);
        let mut q = n
            .checked_div(d)?
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        q.rescale(2);
        Some(q)
    }

    fn check(n: i128, d: i128, scale: i128) {
        let want = decimal_ratio(n, d, scale);
        let got = scaled_ratio(n, d, scale);
        assert_eq!(got, want, "{scale} * {n} / {d}");
    }

    #[test]
    fn integer_ratios_match_decimal_on_edges() {
        for (n, d) in [
            (1, 8),
            (-1, 8),
            (1, -8),
            (-1, 1000),
            (1, 1000),
            (0, 7),
            (0, -7),
            (5, 0),
            (2, 3),
            (-2, 3),
            (u64::MAX as i128, 1),
            (u64::MAX as i128, 3),
            (u64::MAX as i128 * 2, u64::MAX as i128 * 3 - 1),
            (-(u64::MAX as i128), u64::MAX as i128 * 2 + 1),
        ] {
            check(n, d, 1);
            check(n, d, 100);
        }
    }

    proptest! {
        #[test]
        fn integer_ratios_match_decimal(
            n in -(u64::MAX as i128) * 2..=(u64::MAX as i128) * 2,
            d in -(u64::MAX as i128) * 2..=(u64::MAX as i128) * 2,
            small in any::<bool>(),
            hundred in any::<bool>(),
        ) {
            let (n, d) = if small { (n % 100_000, d % 100_000) } else { (n, d) };
            check(n, d, if hundred { 100 } else { 1 });
        }
    }
}
