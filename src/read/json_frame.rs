//! A byte-level framer for JSON: finds where one value ends without
//! building it, so that a multi-gigabyte top-level array is read one element
//! at a time in a buffer the size of one element.
//!
//! It tracks only what decides the extent of a value: strings (with their
//! escapes) and the nesting of `{}`/`[]`. Everything else, including the
//! validity of the element's content, is left to `serde_json`, which parses
//! each framed element.

use memchr::memchr2;

/// What [`scan_value`] found at the start of its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scan {
    /// A whole value of this many bytes.
    End(usize),
    /// The input ends inside the value and more may come.
    NeedMore,
    /// The input ends inside the value for good (truncated document).
    Incomplete,
    /// Nesting deeper than allowed, at this offset.
    TooDeep(usize),
    /// A byte that cannot start a value, at this offset.
    Bad(usize),
}

/// Index just past the closing quote of the string whose content starts at
/// `i`, or `None` when the input ends first.
#[inline]
pub(crate) fn string_end(b: &[u8], mut i: usize) -> Option<usize> {
    loop {
        let j = i + memchr2(b'"', b'\\', &b[i..])?;
        if b[j] == b'"' {
            return Some(j + 1);
        }
        // A backslash escapes the next byte (for \uXXXX the rest is plain).
        i = j + 2;
        if i > b.len() {
            return None;
        }
    }
}

#[inline]
fn ends_scalar(c: u8) -> bool {
    matches!(c, b',' | b']' | b'}' | b' ' | b'\t' | b'\r' | b'\n')
}

/// Frames the JSON value at the start of `b`. `depth` is the nesting the
/// value already sits in (1 inside a top-level array); the value may nest
/// up to `max_depth` in total.
pub(crate) fn scan_value(b: &[u8], eof: bool, depth: usize, max_depth: usize) -> Scan {
    let more = if eof {
        Scan::Incomplete
    } else {
        Scan::NeedMore
    };
    let Some(&c) = b.first() else {
        return more;
    };
    match c {
        b'"' => match string_end(b, 1) {
            Some(e) => Scan::End(e),
            None => more,
        },
        b'{' | b'[' => {
            let mut level = 0usize;
            let mut i = 0usize;
            let n = b.len();
            while i < n {
                match b[i] {
                    b'"' => match string_end(b, i + 1) {
                        Some(e) => {
                            i = e;
                            continue;
                        }
                        None => return more,
                    },
                    b'{' | b'[' => {
                        level += 1;
                        if depth + level > max_depth {
                            return Scan::TooDeep(i);
                        }
                    }
                    b'}' | b']' => {
                        level -= 1;
                        if level == 0 {
                            return Scan::End(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            more
        }
        b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => match b.iter().position(|&c| ends_scalar(c)) {
            Some(e) => Scan::End(e),
            None if eof => Scan::End(b.len()),
            None => Scan::NeedMore,
        },
        _ => Scan::Bad(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_nested_values_and_strings() {
        let doc = br#"{"a": "x}\"]", "b": [1, {"c": null}]} , 2"#;
        assert_eq!(scan_value(doc, false, 1, 64), Scan::End(37));
        assert_eq!(scan_value(b"12345", false, 1, 64), Scan::NeedMore);
        assert_eq!(scan_value(b"12345", true, 1, 64), Scan::End(5));
        assert_eq!(scan_value(b"123,", false, 1, 64), Scan::End(3));
        assert_eq!(scan_value(br#"{"a": "x\"#, false, 1, 64), Scan::NeedMore);
        assert_eq!(scan_value(br#"{"a": [1"#, true, 1, 64), Scan::Incomplete);
        assert_eq!(scan_value(b"[[[[1]]]]", true, 1, 4), Scan::TooDeep(3));
        assert_eq!(scan_value(b"[[[1]]]", true, 1, 4), Scan::End(7));
        assert_eq!(scan_value(b":", true, 1, 4), Scan::Bad(0));
    }
}
