//! The CSV tokenizer: finds one whole record at the start of a byte slice,
//! or asks for more input. It cannot fail: input that is not well-formed
//! CSV still splits into fields, and the one outcome that is not a record
//! is an unclosed quote at the end of input ([`Step::UnclosedQuote`]).
//!
//! Lines without a quote take a fast path (one byte loop that also reads
//! each field's digits): the fields are ranges of the input itself (no
//! copy). Lines whose quoted fields are plain `"..."` (a name with a comma)
//! are split eight bytes at a time, their fields still ranges of the input.
//! Any other use of quotes (`""` escapes, line breaks inside quotes) goes
//! through an RFC 4180 state machine that unescapes into a scratch buffer
//! and may span physical lines. Because the tokenizer only ever sees a
//! slice, the same code serves the streaming reader and in-memory chunks.

use memchr::{memchr, memchr2, memchr_iter};

use super::fields::{Fields, Span};

/// One step of the tokenizer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// A record: `consumed` input bytes (including the terminator),
    /// `newlines` physical line breaks consumed. Fields are in the input
    /// slice (`quoted == false`, from offset 0) or in scratch.
    Record {
        consumed: usize,
        newlines: u32,
        quoted: bool,
    },
    /// A blank line (empty, or only spaces): skipped.
    Blank { consumed: usize, newlines: u32 },
    /// The input ends inside a record and more may come.
    NeedMore,
    /// End of input inside a quoted field opened `newlines` lines into the
    /// record.
    UnclosedQuote,
}

/// The tokenizer's side of [`Fields`]: starting a record and adding fields.
impl Fields {
    fn clear(&mut self) {
        self.spans.clear();
        self.line_offsets.clear();
        self.digits = 0;
        self.escaped = 0;
    }
    /// Adds a field of the input line that may be a plain number.
    #[inline(always)]
    fn push_plain(&mut self, line: &[u8], start: usize, end: usize) {
        let i = self.spans.len();
        let (num, ok) = digits_value(line, start, end);
        if ok && i < 64 {
            self.digits |= 1 << i;
        }
        self.spans.push(Span {
            start: start as u32,
            end: end as u32,
            num,
        });
    }
    /// Adds a field that is text whatever its bytes (quoted).
    #[inline]
    fn push_text(&mut self, start: usize, end: usize) {
        self.spans.push(Span {
            start: start as u32,
            end: end as u32,
            num: 0,
        });
    }
}

/// The value of `line[start..end]` when it is 1 to 19 ASCII digits (which
/// cannot overflow a u64), and whether it is.
#[inline(always)]
fn digits_value(line: &[u8], start: usize, end: usize) -> (u64, bool) {
    let len = end - start;
    if (1..=8).contains(&len) && start + 8 <= line.len() {
        // Eight bytes at once: the field moved to the top bytes, '0's
        // shifted in below it as leading zeros, checked and converted in
        // a few multiplications.
        let mut word = [0u8; 8];
        word.copy_from_slice(&line[start..start + 8]);
        let sh = (8 - len) as u32 * 8;
        let zeros = 0x3030_3030_3030_3030u64;
        let w = (u64::from_le_bytes(word) << sh) | zeros.checked_shr(64 - sh).unwrap_or(0);
        let nib = 0xF0F0_F0F0_F0F0_F0F0u64;
        if w & nib != zeros || w.wrapping_add(0x0606_0606_0606_0606) & nib != zeros {
            return (0, false);
        }
        let v = w - zeros;
        let v = v.wrapping_mul(10).wrapping_add(v >> 8);
        let mask = 0x0000_00FF_0000_00FFu64;
        let v = (v & mask)
            .wrapping_mul(100 + (1_000_000 << 32))
            .wrapping_add(((v >> 16) & mask).wrapping_mul(1 + (10_000 << 32)))
            >> 32;
        return (v, true);
    }
    let b = &line[start..end];
    if b.is_empty() || b.len() > 19 {
        return (0, false);
    }
    let mut acc = 0u64;
    for &c in b {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return (0, false);
        }
        acc = acc * 10 + d as u64;
    }
    (acc, true)
}

const LO7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
const HI: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `w` that equals the byte repeated in `b`
/// (exact: no false positives, unlike the shorter zero-byte test).
#[inline(always)]
fn eq_mask(w: u64, b: u64) -> u64 {
    let x = w ^ b;
    !(((x & LO7).wrapping_add(LO7)) | x) & HI
}

#[inline]
fn is_blank(line: &[u8], delim: u8) -> bool {
    line.iter()
        .all(|&b| b == b' ' || b == b'\r' || (b == b'\t' && delim != b'\t'))
}

/// Splits a line with no quote at its delimiters, reading each field's
/// leading digits on the way (most fields are short counts, so a field is
/// one tight digit loop and a delimiter test).
#[inline]
fn split_plain(line: &[u8], delim: u8, f: &mut Fields) {
    let n = line.len();
    let mut i = 0usize;
    loop {
        let start = i;
        let mut acc = 0u64;
        while i < n {
            let d = line[i].wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            acc = acc.wrapping_mul(10).wrapping_add(d as u64);
            i += 1;
        }
        // The rest of a field that is not all digits.
        let plain = i == n || line[i] == delim;
        while i < n && line[i] != delim {
            i += 1;
        }
        end_field(f, i, start, acc, plain);
        if i >= n {
            return;
        }
        i += 1;
    }
}

/// Where a line split stands: the current field and its quoting.
struct Split {
    /// Start of the current field.
    start: usize,
    /// Inside a quoted field.
    in_quotes: bool,
    /// The current field opened with a quote, closed at `closed`.
    quoted: bool,
    closed: usize,
    /// The current (quoted) field holds a `""` escape.
    escaped: bool,
}

impl Split {
    /// One delimiter (`quote == false`) or quote at `p`; false when the
    /// line uses quotes in a way only the RFC 4180 path reads.
    #[inline(always)]
    fn event(&mut self, line: &[u8], f: &mut Fields, p: usize, quote: bool) -> bool {
        if quote {
            if self.in_quotes {
                self.in_quotes = false;
                self.closed = p;
            } else if p == self.start && !self.quoted {
                self.in_quotes = true;
                self.quoted = true;
            } else if self.quoted && p == self.closed + 1 {
                // The second quote of a `""` escape: the field goes on.
                self.in_quotes = true;
                self.escaped = true;
            } else {
                // A quote inside an unquoted field, or text after a
                // closing quote and then a quote.
                return false;
            }
            return true;
        }
        if self.in_quotes {
            return true;
        }
        self.end_field(line, f, p)
    }

    #[inline(always)]
    fn end_field(&mut self, line: &[u8], f: &mut Fields, p: usize) -> bool {
        if self.quoted {
            if self.closed + 1 != p {
                return false;
            }
            if self.escaped {
                let i = f.spans.len();
                if i >= 64 {
                    return false;
                }
                f.escaped |= 1 << i;
                self.escaped = false;
            }
            f.push_text(self.start + 1, self.closed);
            self.quoted = false;
        } else {
            f.push_plain(line, self.start, p);
        }
        self.start = p + 1;
        true
    }
}

/// Splits one line (without its terminator) into fields, eight bytes at a
/// time. Quoted fields are taken when they are `"..."` on one line: a quote
/// opens the field, a quote not doubled closes it right before a delimiter
/// or the end of the line. The fields are then ranges of the line (a field
/// with `""` escapes is marked in `f.escaped`). Returns false (with `f` in
/// an unspecified state) for any other use of quotes (a line break inside
/// quotes, a quote inside an unquoted field, text after a closing quote),
/// which the RFC 4180 path reads.
#[inline]
fn split_line(line: &[u8], delim: u8, f: &mut Fields) -> bool {
    let n = line.len();
    let bd = u64::from_ne_bytes([delim; 8]);
    let bq = u64::from_ne_bytes([b'"'; 8]);
    let mut st = Split {
        start: 0,
        in_quotes: false,
        quoted: false,
        closed: 0,
        escaped: false,
    };
    let mut pos = 0usize;
    while pos + 8 <= n {
        let mut word = [0u8; 8];
        word.copy_from_slice(&line[pos..pos + 8]);
        let w = u64::from_le_bytes(word);
        let qm = eq_mask(w, bq);
        let mut m = eq_mask(w, bd);
        if qm == 0 && !st.in_quotes && !st.quoted {
            // The common case: delimiters only.
            while m != 0 {
                let end = pos + (m.trailing_zeros() >> 3) as usize;
                f.push_plain(line, st.start, end);
                st.start = end + 1;
                m &= m - 1;
            }
        } else {
            m |= qm;
            while m != 0 {
                let bit = m & m.wrapping_neg();
                let p = pos + (bit.trailing_zeros() >> 3) as usize;
                if !st.event(line, f, p, qm & bit != 0) {
                    return false;
                }
                m &= m - 1;
            }
        }
        pos += 8;
    }
    for (k, &b) in line[pos..].iter().enumerate() {
        let q = b == b'"';
        if (q || b == delim) && !st.event(line, f, pos + k, q) {
            return false;
        }
    }
    !st.in_quotes && st.end_field(line, f, n)
}

/// Tokenizes one record at the start of `input`.
#[inline]
pub(crate) fn next_record(input: &[u8], eof: bool, delim: u8, f: &mut Fields) -> Step {
    // One search for the line break and the first quote: a line without a
    // quote goes straight to the plain split, one with a quote skips it.
    let first = memchr2(b'\n', b'"', input);
    let quote = first.is_some_and(|i| input[i] == b'"');
    let nl = match first {
        Some(i) if quote => memchr(b'\n', &input[i..]).map(|j| i + j),
        _ => first,
    };
    let (line_end, consumed, newlines) = match nl {
        Some(i) => (i, i + 1, 1),
        None if eof => {
            if input.is_empty() {
                return Step::NeedMore;
            }
            (input.len(), input.len(), 0)
        }
        None => return Step::NeedMore,
    };
    let mut line = &input[..line_end];
    if let [rest @ .., b'\r'] = line {
        line = rest;
    }
    f.clear();
    if quote {
        if !split_line(line, delim, f) {
            return quoted_record(input, eof, delim, f);
        }
    } else {
        split_plain(line, delim, f);
    }
    if f.spans.len() == 1 && is_blank(line, delim) {
        return Step::Blank { consumed, newlines };
    }
    Step::Record {
        consumed,
        newlines,
        quoted: false,
    }
}

#[inline(always)]
fn end_field(f: &mut Fields, end: usize, start: usize, acc: u64, plain: bool) {
    let i = f.spans.len();
    let len = end - start;
    // Up to 19 digits cannot overflow a u64.
    if plain && (1..=19).contains(&len) && i < 64 {
        f.digits |= 1 << i;
    }
    f.spans.push(Span {
        start: start as u32,
        end: end as u32,
        num: acc,
    });
}

/// The RFC 4180 path: quoted fields with `""` escapes, delimiters and line
/// breaks inside quotes. A quote inside an unquoted field is literal, and
/// text after a closing quote is kept (as the `csv` crate does).
fn quoted_record(input: &[u8], eof: bool, delim: u8, f: &mut Fields) -> Step {
    f.clear();
    f.scratch.clear();
    let n = input.len();
    let mut i = 0usize;
    let mut nls = 0u32;
    loop {
        // One field.
        f.line_offsets.push(nls);
        let field_start = f.scratch.len();
        let quoted_part = i < n && input[i] == b'"';
        if quoted_part {
            i += 1;
            loop {
                let Some(q) = memchr(b'"', &input[i..]).map(|q| q + i) else {
                    return if eof {
                        Step::UnclosedQuote
                    } else {
                        Step::NeedMore
                    };
                };
                let chunk = &input[i..q];
                nls += memchr_iter(b'\n', chunk).count() as u32;
                f.scratch.extend_from_slice(chunk);
                if q + 1 < n && input[q + 1] == b'"' {
                    f.scratch.push(b'"');
                    i = q + 2;
                    continue;
                }
                if q + 1 == n && !eof {
                    return Step::NeedMore;
                }
                i = q + 1;
                break;
            }
        }
        // Unquoted content (or what follows a closing quote), copied in
        // one piece up to the next delimiter or line break, read as digits
        // on the way (only a field with no quoted part can be a number).
        let run = i;
        let mut acc = 0u64;
        let mut plain = !quoted_part;
        let mut j = i;
        while j < n {
            let b = input[j];
            let d = b.wrapping_sub(b'0');
            if d <= 9 {
                acc = acc.wrapping_mul(10).wrapping_add(d as u64);
            } else if b == delim || b == b'\n' {
                break;
            } else {
                plain = false;
            }
            j += 1;
        }
        if j == n {
            if !eof {
                return Step::NeedMore;
            }
            // A CR at the very end is what is left of a CRLF (the line
            // path drops it too).
            let end = if n > run && input[n - 1] == b'\r' {
                n - 1
            } else {
                n
            };
            f.scratch.extend_from_slice(&input[run..end]);
            let len = f.scratch.len();
            end_field(f, len, field_start, acc, plain);
            return Step::Record {
                consumed: n,
                newlines: nls,
                quoted: true,
            };
        }
        if input[j] == delim {
            f.scratch.extend_from_slice(&input[run..j]);
            let len = f.scratch.len();
            end_field(f, len, field_start, acc, plain);
            i = j + 1;
            continue;
        }
        // A line break ends the record; a CR just before it (in this
        // unquoted run) belongs to the terminator.
        let end = if j > run && input[j - 1] == b'\r' {
            j - 1
        } else {
            j
        };
        f.scratch.extend_from_slice(&input[run..end]);
        let len = f.scratch.len();
        end_field(f, len, field_start, acc, plain);
        return Step::Record {
            consumed: j + 1,
            newlines: nls + 1,
            quoted: true,
        };
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    /// A small deterministic generator (the same cases on every run).
    fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }

    fn naive(b: &[u8]) -> (u64, bool) {
        if b.is_empty() || b.len() > 19 || !b.iter().all(u8::is_ascii_digit) {
            return (0, false);
        }
        (std::str::from_utf8(b).unwrap().parse().unwrap(), true)
    }

    /// The eight-bytes-at-once digit reader agrees with a plain parse for
    /// every field length, position in the line and awkward byte.
    #[test]
    fn digits_value_matches_a_plain_parse() {
        let odd = [
            b'0', b'9', b'/', b':', b' ', b'-', 0x00, 0x2f, 0x3a, 0xfa, 0xff, b'5',
        ];
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15u64);
        for _ in 0..200_000 {
            let len = (next() % 24) as usize;
            let tail = (next() % 10) as usize;
            let mut line: Vec<u8> = (0..len + tail)
                .map(|_| {
                    if next() % 5 == 0 {
                        odd[(next() % odd.len() as u64) as usize]
                    } else {
                        b'0' + (next() % 10) as u8
                    }
                })
                .collect();
            let start = (next() % 3) as usize;
            line.splice(0..0, std::iter::repeat_n(b',', start));
            let end = start + len;
            assert_eq!(
                digits_value(&line, start, end),
                naive(&line[start..end]),
                "{:?}",
                &line[start..end]
            );
        }
    }

    /// The fast split and the RFC 4180 path read the same fields from any
    /// record made of delimiters, quotes, digits, letters, CRs and line
    /// breaks (the fast split may decline; then the RFC 4180 path is used).
    #[test]
    fn split_line_agrees_with_the_rfc_path_on_random_records() {
        let alphabet = b",,,\"\"1234567890ab \r\n;";
        let mut next = xorshift(0x2545_f491_4f6c_dd1du64);
        for _ in 0..300_000 {
            let len = (next() % 40) as usize;
            let rec: Vec<u8> = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            let eof = next() % 2 == 0;
            let mut fast = Fields::default();
            let mut slow = Fields::default();
            let a = next_record(&rec, eof, b',', &mut fast);
            let Step::Record {
                consumed,
                newlines,
                quoted: false,
            } = a
            else {
                continue;
            };
            let b = quoted_record(&rec, eof, b',', &mut slow);
            assert_eq!(
                b,
                Step::Record {
                    consumed,
                    newlines,
                    quoted: true
                },
                "{:?}",
                String::from_utf8_lossy(&rec)
            );
            let fa: Vec<Cow<[u8]>> = (0..fast.len()).map(|i| fast.get(false, &rec, i)).collect();
            let fb: Vec<Cow<[u8]>> = (0..slow.len()).map(|i| slow.get(true, &rec, i)).collect();
            assert_eq!(fa, fb, "{:?}", String::from_utf8_lossy(&rec));
            for (i, (text, span)) in fa.iter().zip(&fast.spans).enumerate().take(64) {
                if fast.digits & (1 << i) != 0 {
                    let text = std::str::from_utf8(text).unwrap();
                    assert_eq!(text.parse::<u64>().ok(), Some(span.num));
                }
            }
        }
    }

    /// Lines with plain quoted fields split in place; any other use of
    /// quotes goes to the RFC 4180 path with the same fields.
    #[test]
    fn split_line_and_quoted_path_agree() {
        let cases: &[&[u8]] = &[
            b"15,20240101,00:00,5001,\"Support, Tier 1\",1,0\n",
            b"\"a\",\"b,c\",\"\"\n",
            b"15,\"Retention \"\"Save\"\" Desk\",3\n",
            b"a,b\"c,d\n",
            b"\"a\"x,b\n",
            b"\"multi\nline\",2\n",
            b"\"0123\",12345678,123456789012,00000000\r\n",
        ];
        for &c in cases {
            let mut fast = Fields::default();
            let mut slow = Fields::default();
            let a = next_record(c, true, b',', &mut fast);
            let b = quoted_record(c, true, b',', &mut slow);
            let (Step::Record { consumed: ca, .. }, Step::Record { consumed: cb, .. }) = (a, b)
            else {
                panic!("{a:?} {b:?}");
            };
            assert_eq!(ca, cb);
            let qa = matches!(a, Step::Record { quoted: true, .. });
            let fa: Vec<Cow<[u8]>> = (0..fast.len()).map(|i| fast.get(qa, c, i)).collect();
            let fb: Vec<Cow<[u8]>> = (0..slow.len()).map(|i| slow.get(true, c, i)).collect();
            assert_eq!(fa, fb, "{}", String::from_utf8_lossy(c));
            for i in 0..fast.len() {
                // The RFC 4180 path leaves a number with a CR after it to
                // the text parse; where both read digits they agree.
                if fast.digits & slow.digits & (1 << i) != 0 {
                    assert_eq!(fast.spans[i].num, slow.spans[i].num);
                }
            }
        }
    }
}
