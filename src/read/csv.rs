//! The legacy CSV wire form: a tokenizer that cannot fail except on an
//! unclosed quote at the end of input, and a streaming source over any
//! `Read` that keeps one reusable buffer.
//!
//! The tokenizer works on a byte slice and either finds one whole record in
//! it or asks for more input. Lines without a quote take a fast path (one
//! byte loop that also reads each field's digits): the fields are ranges of
//! the input itself (no copy). Lines whose quoted fields are plain
//! `"..."` (a name with a comma) are split eight bytes at a time, their
//! fields still ranges of the input. Any other use of quotes (`""` escapes,
//! line breaks inside quotes) goes through an RFC 4180 state machine that
//! unescapes into a scratch buffer and may span physical lines. Because the tokenizer only ever sees a
//! slice, the same code serves the streaming reader and in-memory chunks.

use std::borrow::Cow;
use std::io::Read;
use std::sync::Arc;

use memchr::{memchr, memchr2, memchr_iter};

use super::assemble::Assembler;
use super::buffer::Buffer;
use super::{kind_from_fields, CsvDialect, ReaderBuilder};
use crate::diagnostic::{Code, Diagnostic};
use crate::error::{Error, Result};
use crate::model::{AgentExtRow, AgentRow, Field, IntervalRow, QueueRow, ReportKind};
use crate::position::{Location, Position};

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

/// One field: start and end offsets, and its value read as decimal digits
/// (meaningful only where [`Fields::digits`] has the field's bit).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Span {
    pub start: u32,
    pub end: u32,
    pub num: u64,
}

/// Field boundaries of the current record.
#[derive(Debug, Default)]
pub(crate) struct Fields {
    /// Each field: where it lies in the input line (unquoted records, and
    /// records whose quoted fields are plain `"..."`) or in scratch, and
    /// its value as digits.
    pub spans: Vec<Span>,
    /// Physical-line offset of each field within the record (quoted form
    /// only; empty means every field is on the record's first line).
    pub line_offsets: Vec<u32>,
    /// Unescaped bytes of a quoted record.
    pub scratch: Vec<u8>,
    /// Bit `i` set when field `i` (below 64) is 1 to 19 plain digits.
    pub digits: u64,
    /// Bit `i` set when field `i` (below 64) of a record read in place is
    /// a quoted field with `""` escapes: its span is the text between the
    /// outer quotes, escapes included ([`get`](Self::get) undoes them).
    pub escaped: u64,
}

impl Fields {
    pub fn len(&self) -> usize {
        self.spans.len()
    }
    fn clear(&mut self) {
        self.spans.clear();
        self.line_offsets.clear();
        self.digits = 0;
        self.escaped = 0;
    }
    /// Where field `i` lies: in the record's input, or in scratch when
    /// the record took the RFC 4180 path (`quoted`).
    #[inline]
    pub fn range(&self, i: usize) -> std::ops::Range<usize> {
        let sp = self.spans[i];
        sp.start as usize..sp.end as usize
    }
    /// The bytes of field `i`, given the input slice of the record.
    #[inline]
    pub fn get<'a>(&'a self, quoted: bool, input: &'a [u8], i: usize) -> Cow<'a, [u8]> {
        let r = self.range(i);
        if quoted {
            Cow::Borrowed(&self.scratch[r])
        } else if self.is_escaped(i) {
            Cow::Owned(unescape(&input[r]))
        } else {
            Cow::Borrowed(&input[r])
        }
    }
    /// Whether field `i` holds `""` escapes still to undo.
    #[inline]
    pub fn is_escaped(&self, i: usize) -> bool {
        i < 64 && self.escaped & (1 << i) != 0
    }
    pub fn line_offset(&self, i: usize) -> u32 {
        self.line_offsets.get(i).copied().unwrap_or(0)
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

/// The pieces of a quoted field's text that remain when each `""` is made
/// one `"` (inside such a field, quotes come in pairs): each piece ends
/// with the first quote of a pair, the last runs to the end.
fn unescaped_pieces(raw: &[u8]) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let mut from = Some(0);
    std::iter::from_fn(move || {
        let f = from?;
        match memchr(b'"', &raw[f..]) {
            Some(q) => {
                from = Some((f + q + 2).min(raw.len()));
                Some(f..f + q + 1)
            }
            None => {
                from = None;
                Some(f..raw.len())
            }
        }
    })
}

/// A quoted field's text with each `""` made one `"`.
fn unescape(raw: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(raw.len());
    for r in unescaped_pieces(raw) {
        v.extend_from_slice(&raw[r]);
    }
    v
}

/// [`unescape`] of text, into `s` (the pieces end next to ASCII quotes, so
/// they are char boundaries).
fn unescape_into(s: &mut String, text: &str) {
    s.clear();
    for r in unescaped_pieces(text.as_bytes()) {
        s.push_str(text.get(r).unwrap_or_default());
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

/// The length of a record's bytes without its line break (LF or CRLF):
/// what `max_record_len` limits.
fn content_len(raw: &[u8]) -> usize {
    let raw = raw.strip_suffix(b"\n").unwrap_or(raw);
    raw.strip_suffix(b"\r").unwrap_or(raw).len()
}

/// A record found by [`CsvSource::peek`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct RecordAt {
    /// Byte offset of the record in the source.
    pub byte: u64,
    /// Line on which the record starts.
    pub line: u64,
    /// Whether fields are in scratch.
    pub quoted: bool,
    /// Range of the record in the buffer (`start..end`).
    pub start: usize,
    pub end: usize,
}

/// Why the source stopped.
#[derive(Debug)]
pub(crate) enum SourceError {
    Io(std::io::Error),
    /// A record longer than the limit, starting at (byte, line).
    TooLong {
        byte: u64,
        line: u64,
        limit: usize,
    },
    /// End of input inside a quoted field of the record at (byte, line),
    /// the quote opened on `quote_line`.
    UnclosedQuote {
        byte: u64,
        line: u64,
    },
}

/// A streaming CSV source: records tokenized in one [`Buffer`] over `R`.
pub(crate) struct CsvSource<R> {
    buf: Buffer<R>,
    /// Line number of the first pending byte.
    line: u64,
    pub delim: u8,
    pub fields: Fields,
    max_record: usize,
    /// Blank lines skipped so far.
    pub blank_lines: u64,
}

impl<R: Read> CsvSource<R> {
    /// A source over `buf`, whose first pending byte is on line `line`.
    pub fn new(buf: Buffer<R>, line: u64, max_record: usize) -> Self {
        CsvSource {
            buf,
            line,
            delim: b',',
            fields: Fields::default(),
            max_record,
            blank_lines: 0,
        }
    }

    /// Bytes available but not consumed.
    pub fn pending(&self) -> &[u8] {
        self.buf.pending()
    }

    /// The byte offset of the next unconsumed byte.
    pub fn offset(&self) -> u64 {
        self.buf.offset()
    }

    pub fn line(&self) -> u64 {
        self.line
    }

    /// Finds the next record without consuming it (blank lines before it
    /// are consumed). `None` at end of input.
    pub fn peek(&mut self) -> Result<Option<RecordAt>, SourceError> {
        loop {
            let input = self.buf.pending();
            let step = next_record(input, self.buf.eof(), self.delim, &mut self.fields);
            // The limit holds whatever the buffer size: a record that fits
            // in the buffer is measured as one that does not.
            if let Step::Record { consumed, .. } | Step::Blank { consumed, .. } = step {
                if content_len(&input[..consumed]) > self.max_record {
                    return Err(self.too_long());
                }
            }
            match step {
                Step::Record {
                    consumed, quoted, ..
                } => {
                    let start = self.buf.start();
                    return Ok(Some(RecordAt {
                        byte: self.buf.offset(),
                        line: self.line,
                        quoted,
                        start,
                        end: start + consumed,
                    }));
                }
                Step::Blank { consumed, newlines } => {
                    self.buf.consume(consumed);
                    self.line += newlines as u64;
                    self.blank_lines += 1;
                }
                Step::NeedMore => {
                    if self.buf.eof() {
                        return Ok(None);
                    }
                    // A trailing CR may be the start of the CRLF that ends
                    // a record exactly at the limit.
                    if content_len(self.pending()) > self.max_record {
                        return Err(self.too_long());
                    }
                    self.buf.fill().map_err(SourceError::Io)?;
                }
                Step::UnclosedQuote => {
                    return Err(SourceError::UnclosedQuote {
                        byte: self.offset(),
                        line: self.line,
                    })
                }
            }
        }
    }

    fn too_long(&self) -> SourceError {
        SourceError::TooLong {
            byte: self.offset(),
            line: self.line,
            limit: self.max_record,
        }
    }

    /// Consumes a record returned by `peek`.
    pub fn consume(&mut self, at: &RecordAt) {
        let raw = self.raw(at);
        let newlines = if at.quoted {
            memchr_iter(b'\n', raw).count()
        } else {
            usize::from(raw.last() == Some(&b'\n'))
        };
        self.line += newlines as u64;
        self.buf.consume(at.end - self.buf.start());
    }

    /// The bytes of field `i` of the record `at`.
    #[inline]
    pub fn field(&self, at: &RecordAt, i: usize) -> Cow<'_, [u8]> {
        self.fields.get(at.quoted, self.raw(at), i)
    }

    /// The text of the record's fields as one slice (the line without its
    /// terminator, or the unescaped scratch of a quoted record): field `i`
    /// is `Fields::range(i)` of it.
    #[inline]
    pub fn record_text(&self, at: &RecordAt) -> &[u8] {
        let end = self.fields.spans.last().map_or(0, |e| e.end as usize);
        if at.quoted {
            &self.fields.scratch[..end]
        } else {
            &self.buf.data()[at.start..at.start + end]
        }
    }

    /// The whole raw record (for messages).
    #[inline]
    pub fn raw(&self, at: &RecordAt) -> &[u8] {
        &self.buf.data()[at.start..at.end]
    }
}

/// The column layout of a headerless file.
fn headerless_layout(kind: ReportKind, columns: usize) -> Option<Vec<Option<Field>>> {
    let fields: &[Field] = match (kind, columns) {
        (ReportKind::Queue, 20) => QueueRow::FIELDS,
        (ReportKind::Queue, 21) => {
            let mut v: Vec<Option<Field>> = QueueRow::FIELDS.iter().map(|&f| Some(f)).collect();
            v.insert(16, Some(Field::AvgAvailMemberCnt));
            return Some(v);
        }
        (ReportKind::AgentExt, 11) => AgentExtRow::FIELDS,
        (ReportKind::Agent, 14) => AgentRow::FIELDS,
        _ => return None,
    };
    Some(fields.iter().map(|&f| Some(f)).collect())
}

fn kind_for_columns(columns: usize) -> Option<ReportKind> {
    match columns {
        20 | 21 => Some(ReportKind::Queue),
        11 => Some(ReportKind::AgentExt),
        14 => Some(ReportKind::Agent),
        _ => None,
    }
}

fn fields_of(kind: ReportKind) -> (&'static [Field], &'static [Field]) {
    match kind {
        ReportKind::Queue => (QueueRow::FIELDS, QueueRow::EXTRA_FIELDS),
        ReportKind::AgentExt => (AgentExtRow::FIELDS, AgentExtRow::EXTRA_FIELDS),
        ReportKind::Agent => (AgentRow::FIELDS, AgentRow::EXTRA_FIELDS),
        ReportKind::Segments => (&[], &[]),
    }
}

/// The delimiters a legacy CSV file may use (SPEC 2.1).
const DELIMITERS: [u8; 4] = [b',', b';', b'|', b'\t'];
/// A delimiter for tokenizing before the real one is known (see `open`).
const NO_DELIMITER: u8 = 0;

/// Lines ended by a lone CR (classic Mac) read as one long record; say so
/// in the column-count error rather than leave the count unexplained.
fn lone_cr_hint(raw: &[u8]) -> &'static str {
    let lone = memchr_iter(b'\r', raw).any(|i| raw.get(i + 1) != Some(&b'\n'));
    if lone {
        "; its lines end with a lone CR, and only LF or CRLF line endings are read"
    } else {
        ""
    }
}

/// The trimmed text of each field of a record (for header matching).
fn header_names<R: Read>(src: &CsvSource<R>, at: &RecordAt) -> Vec<String> {
    (0..src.fields.len())
        .map(|i| {
            String::from_utf8_lossy(&src.field(at, i))
                .trim()
                .to_string()
        })
        .collect()
}

/// A header row names at least three fields, and either most of its names
/// are field names (an extra column may be called `2024`) or none of them is
/// a number. A data record has numbers and almost no field names.
fn is_header(names: &[String]) -> bool {
    let known = names
        .iter()
        .filter(|s| Field::from_header(s).is_some())
        .count();
    known >= 3
        && (known * 2 > names.len()
            || names
                .iter()
                .all(|s| s.parse::<f64>().is_err() || s.is_empty()))
}

/// Counts each candidate delimiter outside quotes in one record's bytes and
/// picks the most frequent (`,` on a tie or when none occurs).
fn sniff_delimiter(raw: &[u8]) -> u8 {
    let cands = DELIMITERS;
    let mut counts = [0usize; 4];
    let mut in_q = false;
    for &b in raw {
        if b == b'"' {
            in_q = !in_q;
        } else if !in_q {
            if let Some(i) = cands.iter().position(|&c| c == b) {
                counts[i] += 1;
            }
        }
    }
    let mut best = 0;
    for i in 1..4 {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    cands[best]
}

pub(crate) struct CsvInput {
    src: CsvSource<Box<dyn Read + Send>>,
    columns: Vec<Option<Field>>,
    /// Records starting at or after this byte are not read (a chunk's end;
    /// `u64::MAX` for a whole file).
    stop: u64,
    /// A value with its `""` escapes undone.
    unescaped: String,
}

/// What a chunk reader needs from an opened file (see `read::chunk`).
impl CsvInput {
    /// An input over `src` with the column layout of an opened file, that
    /// stops before the first record starting at or after `stop`.
    pub(crate) fn chunk(
        src: CsvSource<Box<dyn Read + Send>>,
        columns: Vec<Option<Field>>,
        stop: u64,
    ) -> Self {
        CsvInput {
            src,
            columns,
            stop,
            unescaped: String::new(),
        }
    }
    /// The column layout.
    pub(crate) fn columns(&self) -> &[Option<Field>] {
        &self.columns
    }
    /// The delimiter.
    pub(crate) fn delimiter(&self) -> u8 {
        self.src.delim
    }
}

/// The error for a source that stopped at data record `record`.
fn source_error(file: &Arc<str>, e: SourceError, record: u64) -> Error {
    match e {
        SourceError::Io(e) => Error::io(file.clone(), e),
        SourceError::TooLong { byte, line, limit } => Error::structure(
            Code::Limit,
            Location::new(file.clone(), Position::new(byte, line, record)),
            format!("a record is longer than the limit of {limit} bytes"),
        ),
        SourceError::UnclosedQuote { byte, line } => Error::structure(
            Code::Truncated,
            Location::new(file.clone(), Position::new(byte, line, record)),
            "the file ends inside a quoted field opened in this record (truncated file?)",
        ),
    }
}

/// Opens a CSV source: title line, delimiter, header or headerless layout,
/// report kind. Returns the input, its dialect, the kind and header findings.
pub(crate) fn open(
    b: &ReaderBuilder,
    mut src: CsvSource<Box<dyn Read + Send>>,
    bom: bool,
    asm: &Assembler,
) -> Result<(CsvInput, CsvDialect, ReportKind, Vec<Diagnostic>)> {
    let file = asm.file.clone();
    let serr = |e| source_error(&file, e, 0);
    let here = |at: &RecordAt| Location::new(file.clone(), Position::new(at.byte, at.line, 0));
    // A Teleopti title line (one field, no delimiter) may come first.
    let mut title = None;
    let mut title_kind = None;
    // Until the delimiter is known, tokenize with one that never occurs:
    // then a quote opens a field only at the start of a record, and a
    // quote that a wrong guess would see as opening (after a `,` inside a
    // `;` record, say) cannot run to the end of the file.
    src.delim = NO_DELIMITER;
    let Some(at) = src.peek().map_err(serr)? else {
        return Err(Error::structure(
            Code::UnknownReport,
            Location::new(file.clone(), Position::new(0, 1, 0)),
            "the file has no records",
        ));
    };
    let raw = String::from_utf8_lossy(src.raw(&at)).trim().to_string();
    if let Some(k) = [ReportKind::Queue, ReportKind::AgentExt, ReportKind::Agent]
        .into_iter()
        .find(|k| k.title_line().is_some_and(|t| t.eq_ignore_ascii_case(&raw)))
    {
        title = Some(raw);
        title_kind = Some(k);
        src.consume(&at);
    }
    let Some(at) = src.peek().map_err(serr)? else {
        return Err(Error::structure(
            Code::UnknownReport,
            Location::new(file.clone(), Position::new(src.offset(), src.line(), 0)),
            "the file has no records after its title line",
        ));
    };
    // The record above was tokenized with `,`; in another dialect it may
    // end early, at a line break inside quotes. So the vote on delimiters
    // only proposes one: the first record, tokenized again with it, must
    // read as a header or as a known headerless layout, else each other
    // candidate is tried in turn.
    let voted = sniff_delimiter(src.raw(&at));
    let no_records = |src: &CsvSource<_>| {
        Error::structure(
            Code::UnknownReport,
            Location::new(file.clone(), Position::new(src.offset(), src.line(), 0)),
            "the file has no records",
        )
    };
    let mut delim = voted;
    for d in std::iter::once(voted).chain(DELIMITERS.into_iter().filter(|&d| d != voted)) {
        src.delim = d;
        let at = match src.peek() {
            Ok(Some(at)) => at,
            Ok(None) => return Err(no_records(&src)),
            // This candidate opens a quote that never closes (or not within
            // the record limit): not the one. The chosen delimiter's own
            // errors are raised by the peek after the loop.
            Err(SourceError::UnclosedQuote { .. } | SourceError::TooLong { .. }) => continue,
            Err(e) => return Err(serr(e)),
        };
        let names = header_names(&src, &at);
        let kind = b
            .report
            .or(title_kind)
            .or_else(|| kind_for_columns(names.len()));
        let fits =
            is_header(&names) || kind.is_some_and(|k| headerless_layout(k, names.len()).is_some());
        if fits {
            delim = d;
            break;
        }
    }
    // Tokenize the first record once more with the chosen delimiter (a
    // later candidate's refill may have moved the buffer).
    src.delim = delim;
    let at = src.peek().map_err(serr)?.ok_or_else(|| no_records(&src))?;
    let names = header_names(&src, &at);
    let has_header = is_header(&names);
    let crlf = src.raw(&at).ends_with(b"\r\n");
    let n = names.len();
    let mut diagnostics = Vec::new();
    let (kind, columns) = if has_header {
        let mapped: Vec<Option<Field>> = names.iter().map(|s| Field::from_header(s)).collect();
        let kind = b
            .report
            .or_else(|| kind_from_fields(|f| mapped.contains(&Some(f))))
            .or(title_kind)
            .ok_or_else(|| {
                Error::structure(
                    Code::UnknownReport,
                    here(&at),
                    "the header has neither a queue nor an agent_id column",
                )
            })?;
        let (fields, extras) = fields_of(kind);
        let mut columns = Vec::with_capacity(n);
        for (i, (name, f)) in names.iter().zip(&mapped).enumerate() {
            let col = match f {
                Some(f)
                    if fields.contains(f) || extras.contains(f) || *f == Field::DateTimeFrom =>
                {
                    if columns.contains(&Some(*f)) {
                        return Err(Error::data(
                            Code::DuplicateColumn,
                            here(&at).with_field(f.name()),
                            format!("column {} appears twice in the header", i + 1),
                            name.clone(),
                        ));
                    }
                    Some(*f)
                }
                _ => {
                    diagnostics.push(Diagnostic::new(
                        Code::UnknownColumn,
                        here(&at).with_field(name.as_str()),
                        format!(
                            "column {} is not a field of the {} report; its values are not read",
                            i + 1,
                            kind
                        ),
                        Some(name.clone()),
                    ));
                    None
                }
            };
            columns.push(col);
        }
        let has_dt = columns.contains(&Some(Field::DateTimeFrom));
        let missing: Vec<&str> = fields
            .iter()
            .filter(|f| !matches!(f, Field::QueueName | Field::AgentName))
            .filter(|f| !(has_dt && matches!(f, Field::DateFrom | Field::Time)))
            .filter(|f| !columns.contains(&Some(**f)))
            .map(|f| f.name())
            .collect();
        if !missing.is_empty() {
            return Err(Error::structure(
                Code::MissingColumn,
                here(&at).with_field(missing[0]),
                format!(
                    "the {} header lacks required column(s): {}",
                    kind,
                    missing.join(", ")
                ),
            ));
        }
        src.consume(&at);
        (kind, columns)
    } else {
        let kind = b
            .report
            .or(title_kind)
            .or_else(|| kind_for_columns(n))
            .ok_or_else(|| {
                Error::structure(
                    Code::ColumnCount,
                    here(&at),
                    format!(
                        "a headerless record has {n} fields; expected 20 or 21 (queue), 11 (agent-ext) or 14 (agent){}",
                        lone_cr_hint(src.raw(&at))
                    ),
                )
            })?;
        let columns = headerless_layout(kind, n).ok_or_else(|| {
            let want = match kind {
                ReportKind::Queue => "20 or 21",
                ReportKind::AgentExt => "11",
                ReportKind::Agent => "14",
                ReportKind::Segments => "no",
            };
            Error::structure(
                Code::ColumnCount,
                here(&at),
                format!("a headerless {kind} record has {n} fields; expected {want}"),
            )
        })?;
        (kind, columns)
    };
    if let (Some(t), Some(r)) = (title_kind, b.report.is_none().then_some(kind)) {
        if t != r {
            return Err(Error::structure(
                Code::UnknownReport,
                Location::new(file.clone(), Position::new(0, 1, 0)),
                format!("the title line names the {t} report but the columns are those of {r}"),
            ));
        }
    }
    if kind == ReportKind::Segments {
        return Err(Error::usage(format!(
            "{file}: interaction metadata is JSON; a CSV file cannot hold segments"
        )));
    }
    let dialect = CsvDialect {
        delimiter: src.delim,
        has_header,
        bom,
        crlf,
        title,
        columns: columns.len(),
    };
    Ok((
        CsvInput {
            src,
            columns,
            stop: u64::MAX,
            unescaped: String::new(),
        },
        dialect,
        kind,
        diagnostics,
    ))
}

/// Reads one CSV record into `row`. The error flag says whether the error
/// is fatal for the source.
impl CsvInput {
    pub(crate) fn offset(&self) -> u64 {
        self.src.offset()
    }

    pub(crate) fn read_row<T: IntervalRow>(
        &mut self,
        asm: &mut Assembler,
        record: u64,
        row: &mut T,
    ) -> std::result::Result<bool, (Error, bool)> {
        let c = self;
        let at = match c.src.peek() {
            Ok(Some(at)) if at.byte < c.stop => at,
            Ok(_) => return Ok(false),
            Err(e) => return Err((source_error(&asm.file, e, record), true)),
        };
        c.src.consume(&at);
        let pos = Position::new(at.byte, at.line, record);
        let n = c.src.fields.len();
        if n != c.columns.len() {
            let e = Error::data(
                Code::ColumnCount,
                Location::new(asm.file.clone(), pos),
                format!("expected {} fields, found {n}", c.columns.len()),
                String::from_utf8_lossy(c.src.raw(&at))
                    .trim_end()
                    .to_string(),
            );
            return Err((e, false));
        }
        asm.begin(row);
        // UTF-8 is checked once for the whole record; only when that fails
        // is each value checked on its own, so the error names the field.
        if let Ok(text) = std::str::from_utf8(c.src.record_text(&at)) {
            let fields = &c.src.fields;
            for (i, col) in c.columns.iter().enumerate() {
                if let Some(f) = *col {
                    // Plain digits were read while tokenizing.
                    if i < 64
                        && fields.digits & (1 << i) != 0
                        && row.set_count(f, fields.spans[i].num)
                    {
                        continue;
                    }
                    let range = fields.range(i);
                    let off = fields.line_offset(i);
                    // Field bounds sit next to ASCII delimiters, so they are
                    // char boundaries; `get` keeps that a checked fact.
                    let v = match text.get(range) {
                        Some(v) if fields.is_escaped(i) => {
                            unescape_into(&mut c.unescaped, v);
                            Some(c.unescaped.as_str())
                        }
                        v => v,
                    };
                    match v {
                        Some(v) if Assembler::is_direct(f) => asm.direct(row, f, v, pos, off),
                        Some(v) => asm.value_str(row, f, v, pos, off),
                        None => asm.value(row, f, &c.src.field(&at, i), pos, off),
                    }
                    .map_err(|e| (e, false))?;
                }
            }
        } else {
            for (i, col) in c.columns.iter().enumerate() {
                if let Some(f) = *col {
                    let raw = c.src.field(&at, i);
                    let off = c.src.fields.line_offset(i);
                    asm.value(row, f, &raw, pos, off).map_err(|e| (e, false))?;
                }
            }
        }
        asm.finish(row, pos).map_err(|e| (e, false))?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
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
