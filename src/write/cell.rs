//! The text of one value: metric cells (integers plain, ratios with two
//! decimals) and bucket labels (RFC 3339 with the zone's offset). Every
//! writer of rollup output formats numbers and instants here.

use std::fmt::Write as _;

use chrono::{DateTime, FixedOffset};

use crate::model::write_rfc3339;
use crate::rollup::{scaled_hundredths, Cell, RawCell, Stored};

/// One value of a result table as an output with types takes it (see
/// `table_parquet`); its text is the one the CSV prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Typed<'a> {
    /// A key.
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))]
    Text(&'a str),
    /// A bucket bound, milliseconds since the epoch.
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))]
    Instant(i64),
    /// A whole number.
    Whole(i128),
    /// A fixed-point number, unscaled, with its digits after the point;
    /// `None` when undefined (a ratio whose denominator is 0).
    Fixed(Option<i128>, i8),
}

impl Typed<'_> {
    /// How a metric value of this kind is stored.
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))]
    pub(crate) fn stored(self) -> Stored {
        match self {
            Typed::Fixed(_, s) if s == Stored::Hundredths.scale() => Stored::Hundredths,
            Typed::Fixed(..) => Stored::Thousandths,
            Typed::Text(_) | Typed::Instant(_) | Typed::Whole(_) => Stored::Whole,
        }
    }
}

impl RawCell {
    /// The cell as a typed value: a ratio in hundredths.
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))]
    pub(crate) fn typed<'a>(self) -> Typed<'a> {
        match self {
            RawCell::Int(v) => Typed::Whole(v.into()),
            RawCell::Signed(v) => Typed::Whole(v),
            RawCell::Ratio(n, d, s) => Typed::Fixed(scaled_hundredths(n, d, s), 2),
        }
    }
}

/// `n` units of 10^-scale as text, e.g. `fixed_text(-1500, 3)` = `-1.500`.
pub(crate) fn fixed_text(n: i128, scale: i8) -> String {
    let sign = if n < 0 { "-" } else { "" };
    let a = n.unsigned_abs();
    if scale <= 0 {
        return format!("{sign}{a}");
    }
    let p = 10u128.pow(scale as u32);
    format!("{sign}{}.{:0w$}", a / p, a % p, w = scale as usize)
}

/// Appends `t` as RFC 3339 with its offset.
pub(crate) fn rfc3339(out: &mut String, t: DateTime<FixedOffset>) {
    write_rfc3339(out, t.naive_local(), t.offset().local_minus_utc());
}

/// Appends a metric value as text: integers plain, ratios with two
/// decimals, `empty` for an undefined ratio.
pub(crate) fn cell_text(out: &mut String, c: Cell, empty: &str) {
    match c {
        Cell::Int(v) => {
            let _ = write!(out, "{v}");
        }
        Cell::Signed(v) => {
            let _ = write!(out, "{v}");
        }
        Cell::Ratio(Some(d)) => {
            let _ = write!(out, "{d:.2}");
        }
        Cell::Ratio(None) => out.push_str(empty),
    }
}

/// A number as the writers print it, serialized as the number a JSON
/// reader of that text gets: an integer when it is one, else an `f64`
/// (`"60.000"` is `60.0`, `"12.50"` is `12.5`); text that is no number
/// stays a string.
#[cfg(feature = "serde")]
pub(crate) struct NumberText<'a>(pub(crate) &'a str);

#[cfg(feature = "serde")]
impl serde::Serialize for NumberText<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if let Ok(n) = self.0.parse::<u64>() {
            s.serialize_u64(n)
        } else if let Ok(n) = self.0.parse::<i64>() {
            s.serialize_i64(n)
        } else if let Ok(f) = self.0.parse::<f64>() {
            s.serialize_f64(f)
        } else {
            s.serialize_str(self.0)
        }
    }
}

/// Appends the text of a metric value computed from its operands, the
/// same text [`cell_text`] gives for its [`Cell`]: integers plain, ratios
/// rounded to two decimals, `empty` for an undefined ratio.
#[inline]
pub(crate) fn push_raw(out: &mut Vec<u8>, c: RawCell, empty: &[u8]) {
    let mut b = itoa::Buffer::new();
    match c {
        // Most sums have a few digits: byte pushes beat a copy call.
        RawCell::Int(v) => out.extend(b.format(v).bytes()),
        RawCell::Signed(v) => out.extend(b.format(v).bytes()),
        RawCell::Ratio(n, d, s) => match scaled_hundredths(n, d, s) {
            Some(q) => push_hundredths(out, q),
            None => out.extend_from_slice(empty),
        },
    }
}

/// Appends hundredths as text with two decimals (`-13` → `-0.13`), as
/// `Decimal`'s `{:.2}` prints the same value.
fn push_hundredths(out: &mut Vec<u8>, q: i128) {
    if q < 0 {
        out.push(b'-');
    }
    let a = q.unsigned_abs();
    let mut b = itoa::Buffer::new();
    // Most quotients fit a u64, whose division and formatting are cheaper
    // than the u128 ones (the same text either way).
    let (whole, f) = if let Ok(a64) = u64::try_from(a) {
        (b.format(a64 / 100), (a64 % 100) as u8)
    } else {
        (b.format(a / 100), (a % 100) as u8)
    };
    out.extend_from_slice(whole.as_bytes());
    out.extend_from_slice(&[b'.', b'0' + f / 10, b'0' + f % 10]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    fn text(c: RawCell) -> String {
        let mut v = Vec::new();
        push_raw(&mut v, c, b"-");
        String::from_utf8(v).unwrap()
    }

    /// `Decimal`'s own two-decimal text of hundredths.
    fn decimal_text(q: i128) -> String {
        format!("{:.2}", Decimal::from_i128_with_scale(q, 2))
    }

    #[test]
    fn hundredths_print_as_decimal_does() {
        let big = u64::MAX as i128;
        for q in [
            0,
            1,
            -1,
            9,
            -9,
            10,
            99,
            100,
            -100,
            12345,
            -13,
            big,
            -big,
            big * 100 + 7,
        ] {
            let mut v = Vec::new();
            push_hundredths(&mut v, q);
            assert_eq!(String::from_utf8(v).unwrap(), decimal_text(q), "{q}");
        }
        assert_eq!(text(RawCell::Ratio(1, 8, 1)), "0.13");
        assert_eq!(text(RawCell::Ratio(5, 0, 100)), "-");
        assert_eq!(text(RawCell::Signed(-4)), "-4");
    }

    proptest! {
        #[test]
        fn any_hundredths_print_as_decimal_does(q in -(u64::MAX as i128) * 1000..=(u64::MAX as i128) * 1000) {
            let mut v = Vec::new();
            push_hundredths(&mut v, q);
            prop_assert_eq!(String::from_utf8(v).unwrap(), decimal_text(q));
        }
    }
}
