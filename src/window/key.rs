//! The order of key values: ids, names and groups in output, segment and
//! interaction ids in timelines. The rules are in the
//! [module docs](super#key-order).

use std::cmp::Ordering;

use crate::model::IntervalRow;

/// Whether `s` counts as an integer key: not empty, ASCII digits only (any
/// length, leading zeros allowed).
pub(crate) fn is_integer(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Two integers ([`is_integer`]) compared as numbers of any length (leading
/// zeros ignored); equal numbers by their text, so `0600` comes before
/// `600` and the order stays total.
#[inline]
fn cmp_integers(a: &str, b: &str) -> Ordering {
    let ta = a.trim_start_matches('0');
    let tb = b.trim_start_matches('0');
    ta.len()
        .cmp(&tb.len())
        .then_with(|| ta.cmp(tb))
        .then_with(|| a.cmp(b))
}

/// Compares two key values of one column: numerically when `numeric`
/// (every value of the column is an integer, see [`is_integer`]), else as
/// text.
pub(crate) fn cmp_key(a: &str, b: &str, numeric: bool) -> Ordering {
    if numeric {
        cmp_integers(a, b)
    } else {
        a.cmp(b)
    }
}

/// Compares two rows of key values column by column, column `c` with
/// [`cmp_key`] and `numeric[c]`.
pub(crate) fn cmp_keys(a: &[String], b: &[String], numeric: &[bool]) -> Ordering {
    for (c, &num) in numeric.iter().enumerate() {
        let o = cmp_key(&a[c], &b[c], num);
        if o.is_ne() {
            return o;
        }
    }
    Ordering::Equal
}

/// Compares ids: all-digit ids as numbers (any length), before other ids,
/// which compare as text. A total order, so output never depends on input
/// order.
///
/// ```
/// use ringcx_reports::window::cmp_ids;
/// use std::cmp::Ordering::*;
/// assert_eq!(cmp_ids("600", "5686"), Less);
/// assert_eq!(cmp_ids("0600", "600"), Less);
/// assert_eq!(cmp_ids("5686", "A1"), Less);
/// assert_eq!(cmp_ids("5686", ""), Less);
/// ```
pub fn cmp_ids(a: &str, b: &str) -> Ordering {
    match (is_integer(a), is_integer(b)) {
        (true, true) => cmp_integers(a, b),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => a.cmp(b),
    }
}

/// Compares two interval rows by their key fields
/// ([`IntervalRow::KEY_FIELDS`]), each with [`cmp_ids`] (a missing value
/// is empty).
pub(crate) fn cmp_row_keys<T: IntervalRow>(a: &T, b: &T) -> Ordering {
    for &f in T::KEY_FIELDS {
        let o = cmp_ids(a.text(f).unwrap_or(""), b.text(f).unwrap_or(""));
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}
