//! Parsing of the raw text of one value.

use rust_decimal::Decimal;

use crate::diagnostic::Code;

/// Why a raw value was refused: the code and what was expected. The reader
/// adds file, line, field and the raw value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
// Parsing plumbing (the error of `parse_count`), public for tests; not part of the supported API.
#[doc(hidden)]
pub struct Problem {
    /// The finding's code.
    pub code: Code,
    /// What was expected, in words.
    pub expected: &'static str,
}

impl Problem {
    pub(crate) const fn new(code: Code, expected: &'static str) -> Self {
        Problem { code, expected }
    }
}

const EXPECT_INT: &str = "expected a non-negative integer";

/// Parses a count or duration. Empty (after trimming) is absent (`None`); a
/// fraction of zeros (`3.0`) is accepted; anything else that is not a
/// non-negative integer below 2^64 is a [`Problem`].
///
/// ```
/// use ringcx_reports::model::parse_count;
/// use ringcx_reports::Code;
/// assert_eq!(parse_count(" 42 "), Ok(Some(42)));
/// assert_eq!(parse_count(""), Ok(None));
/// assert_eq!(parse_count("7.00"), Ok(Some(7)));
/// assert_eq!(parse_count("-1").unwrap_err().code, Code::Negative);
/// assert_eq!(parse_count("1.5").unwrap_err().code, Code::Fraction);
/// assert_eq!(parse_count("x").unwrap_err().code, Code::NotANumber);
/// assert_eq!(parse_count("99999999999999999999").unwrap_err().code, Code::Overflow);
/// ```
#[inline]
// Parsing plumbing, public for tests/properties.rs; not part of the supported API.
#[doc(hidden)]
pub fn parse_count(raw: &str) -> Result<Option<u64>, Problem> {
    let b = raw.as_bytes();
    // Fast path: 1 to 19 plain digits (cannot overflow), checked and summed
    // in one pass; anything else takes the careful path.
    if !b.is_empty() && b.len() <= 19 {
        let mut v = 0u64;
        let mut ok = true;
        for &c in b {
            let d = c.wrapping_sub(b'0');
            ok &= d <= 9;
            v = v.wrapping_mul(10).wrapping_add(d as u64);
        }
        if ok {
            return Ok(Some(v));
        }
    }
    parse_count_slow(raw.trim())
}

#[cold]
fn parse_count_slow(s: &str) -> Result<Option<u64>, Problem> {
    if s.is_empty() {
        return Ok(None);
    }
    let (neg, body) = match s.as_bytes()[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (int, frac) = match body.find('.') {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let int_ok = !int.is_empty() && int.bytes().all(|c| c.is_ascii_digit());
    let frac_ok = frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|c| c.is_ascii_digit()));
    if !int_ok || !frac_ok {
        // Exponent forms such as 1e3 from a JSON writer are numbers, but not
        // integers we accept.
        return Err(Problem::new(Code::NotANumber, EXPECT_INT));
    }
    let frac_zero = frac.is_none_or(|f| f.bytes().all(|c| c == b'0'));
    let all_zero = int.bytes().all(|c| c == b'0') && frac_zero;
    if neg && !all_zero {
        return Err(Problem::new(Code::Negative, EXPECT_INT));
    }
    if !frac_zero {
        return Err(Problem::new(Code::Fraction, EXPECT_INT));
    }
    let mut v: u64 = 0;
    for d in int.bytes() {
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add((d - b'0') as u64))
            .ok_or(Problem::new(
                Code::Overflow,
                "expected an integer below 18446744073709551616",
            ))?;
    }
    Ok(Some(v))
}

/// `s` without leading and trailing white space, as [`str::trim`] gives
/// it, at the cost of two byte tests for the common text that starts and
/// ends with a visible ASCII character (every white space character is
/// ASCII at or below a space, or starts with a byte of 0x80 or more).
#[inline]
pub(crate) fn trim(s: &str) -> &str {
    let visible = |c: u8| c > b' ' && c < 0x80;
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(&a), Some(&z)) if visible(a) && visible(z) => s,
        _ => s.trim(),
    }
}

/// Parses a non-negative decimal (an average such as `avg_avail_member_cnt`).
pub fn parse_decimal(raw: &str) -> Result<Option<Decimal>, Problem> {
    let s = trim(raw);
    if s.is_empty() {
        return Ok(None);
    }
    const EXPECT: &str = "expected a non-negative decimal number";
    let d: Decimal = s
        .parse()
        .map_err(|_| Problem::new(Code::NotANumber, EXPECT))?;
    if d.is_sign_negative() && !d.is_zero() {
        return Err(Problem::new(Code::Negative, EXPECT));
    }
    Ok(Some(d))
}

#[cfg(test)]
mod examples {
    // The examples of crate-internal items, run as unit tests.
    use super::*;

    #[test]
    fn parse_decimal_examples() {
        assert_eq!(parse_decimal("2.75").unwrap().unwrap().to_string(), "2.75");
        assert_eq!(parse_decimal(" ").unwrap(), None);
        assert!(parse_decimal("-1").is_err());
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn trim_is_str_trim() {
        for s in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\ta\n",
            "a b",
            "\u{a0}a",
            "a\u{a0}",
            "\u{3000}x\u{2028}",
            "\u{85}x",
            "x\u{85}",
            "é",
            " é ",
            "ü x",
            "\u{feff}x",
            "x\r",
            "~",
            "\u{7f}",
        ] {
            assert_eq!(super::trim(s), s.trim(), "{s:?}");
        }
    }
}
