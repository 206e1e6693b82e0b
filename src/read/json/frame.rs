//! A byte-level framer for JSON: finds where one value ends without
//! building it, so that a multi-gigabyte top-level array is read one element
//! at a time in a buffer the size of one element.
//!
//! It tracks only what decides the extent of a value: strings (with their
//! escapes) and the nesting of `{}`/`[]`. Everything else, including the
//! validity of the element's content, is left to `serde_json`, which parses
//! each framed element.

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

/// Bit tricks on eight bytes at a time (no `unsafe`, no library call):
/// strings are short, and a vector search costs more to set up than the
/// search itself.
const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `x` that equals `c` (and possibly of bytes
/// above one that does: only the lowest set bit is exact).
#[inline]
fn bytes_equal(x: u64, c: u8) -> u64 {
    let y = x ^ (ONES * u64::from(c));
    y.wrapping_sub(ONES) & !y & HIGHS
}

/// The index of the first byte at or after `i` that is `a` or `b` (`b`
/// may repeat `a`), or `None` when there is none.
#[inline]
pub(crate) fn find2(bytes: &[u8], mut i: usize, a: u8, b: u8) -> Option<usize> {
    while let Some(w) = bytes.get(i..i + 8) {
        let x = u64::from_le_bytes(<[u8; 8]>::try_from(w).ok()?);
        let m = bytes_equal(x, a) | bytes_equal(x, b);
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    let rest = bytes.get(i..)?;
    rest.iter().position(|&c| c == a || c == b).map(|k| i + k)
}

/// Index just past the closing quote of the string whose content starts at
/// `i`, or `None` when the input ends first.
#[inline]
pub(crate) fn string_end(b: &[u8], mut i: usize) -> Option<usize> {
    loop {
        let j = find2(b, i, b'"', b'\\')?;
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

/// The lines of the values of one framed record, so that an error or a
/// finding about a field names the physical line of its value, not the
/// line where the record starts (SPEC 2.6).
///
/// For each value inside the record (object members and array elements,
/// at any depth, in document order) it holds the value's line offset from
/// the record's first line, and the index of the entry that follows the
/// value and everything nested in it. A visitor walking the record with
/// serde keeps a cursor in step: the first member of the record is entry
/// 0, the member after the one at `c` is [`next(c)`](Self::next), the
/// first element or member inside the value at `c` is `c + 1`.
///
/// A record on one line (NDJSON, a minified array, one record per line)
/// has no entries: every value is on the record's line, and the index
/// costs one `memchr`. Buffers are reused from record to record.
#[derive(Debug, Default)]
pub(crate) struct ValueLines {
    /// (line offset, index of the next sibling entry).
    entries: Vec<(u32, u32)>,
    /// Open containers: their entry (`u32::MAX` for the record itself) and
    /// whether they are arrays.
    stack: Vec<(u32, bool)>,
}

impl ValueLines {
    /// Indexes the record `b` (a framed JSON value). Never fails: bytes
    /// that are not JSON give entries that `serde_json` then refuses
    /// anyway.
    pub(crate) fn index(&mut self, b: &[u8]) {
        self.clear();
        if memchr::memchr(b'\n', b).is_none() {
            return;
        }
        let mut line = 0u32;
        // The next byte that is not white space starts a value.
        let mut value_next = false;
        let mut i = 0;
        let n = b.len();
        while i < n {
            let c = b[i];
            match c {
                b'\n' => {
                    line = line.saturating_add(1);
                    i += 1;
                    continue;
                }
                b' ' | b'\t' | b'\r' => {
                    i += 1;
                    continue;
                }
                _ => {}
            }
            let is_value = std::mem::take(&mut value_next) && c != b']' && c != b'}';
            let entry = if is_value {
                let idx = self.entries.len() as u32;
                self.entries.push((line, idx.saturating_add(1)));
                idx
            } else {
                u32::MAX
            };
            match c {
                b'"' => i = string_end(b, i + 1).unwrap_or(n),
                b'{' | b'[' => {
                    let array = c == b'[';
                    self.stack.push((entry, array));
                    value_next = array;
                    i += 1;
                }
                b'}' | b']' => {
                    if let Some((e, _)) = self.stack.pop() {
                        let after = self.entries.len() as u32;
                        if let Some(x) = self.entries.get_mut(e as usize) {
                            x.1 = after;
                        }
                    }
                    i += 1;
                }
                b':' => {
                    value_next = true;
                    i += 1;
                }
                b',' => {
                    value_next = self.stack.last().is_some_and(|s| s.1);
                    i += 1;
                }
                _ if is_value => {
                    // A number or a literal.
                    while i < n && !ends_scalar(b[i]) {
                        i += 1;
                    }
                }
                _ => i += 1,
            }
        }
    }

    /// The index of a record known to be on one line: no entries.
    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.stack.clear();
    }

    /// Whether the record spans lines (else every value is on its first).
    #[inline]
    pub(crate) fn spans_lines(&self) -> bool {
        !self.entries.is_empty()
    }

    /// Line offset of the value at entry `c` (0 for a record on one line).
    #[inline]
    pub(crate) fn line(&self, c: usize) -> u32 {
        self.entries.get(c).map_or(0, |e| e.0)
    }

    /// The entry after the value at `c` and everything nested in it.
    #[inline]
    pub(crate) fn next(&self, c: usize) -> usize {
        self.entries.get(c).map_or(c + 1, |e| e.1 as usize)
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

    #[test]
    fn value_lines_follow_members_elements_and_nesting() {
        let doc = b"{\"a\": 1,\n \"b\":\n  \"x\\ny\",\n \"c\": [\n  {\"t\": 1,\n   \"u\": [2, 3]},\n  {}\n ],\n \"d\": {\"e\": null}, \"f\": [],\n \"g\": true}";
        let mut v = ValueLines::default();
        v.index(doc);
        // a, b, c, c[0], t, u, u[0], u[1], c[1], d, e, f, g
        let lines: Vec<u32> = (0..13).map(|c| v.line(c)).collect();
        assert_eq!(lines, [0, 2, 3, 4, 4, 5, 5, 5, 6, 8, 8, 8, 9]);
        // Walking the members of the record: a, b, c, d, f, g.
        let mut c = 0;
        let mut members = Vec::new();
        while c < 13 {
            members.push(v.line(c));
            c = v.next(c);
        }
        assert_eq!(members, [0, 2, 3, 8, 8, 9]);
        // The elements of c: entries 3 and 8.
        assert_eq!((v.next(2), v.next(3), v.next(4), v.next(5)), (9, 8, 5, 8));
        // One line: no entries, every value on the record's line.
        v.index(br#"{"a": [1, {"b": 2}], "c": 3}"#);
        assert_eq!((v.line(0), v.line(5), v.next(0)), (0, 0, 1));
        // Not JSON: no panic.
        for bad in [&b"{\n]]]]"[..], b"\n\"", b"[\n:,:,", b"}\n{"] {
            v.index(bad);
        }
    }
}
