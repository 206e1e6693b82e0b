//! The fields of one CSV record as the tokenizer leaves them: ranges of the
//! record's input (or of a scratch buffer where quotes had to be undone),
//! each with its value when it is plain digits.

use std::borrow::Cow;

use memchr::memchr;

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
pub(super) fn unescape_into(s: &mut String, text: &str) {
    s.clear();
    for r in unescaped_pieces(text.as_bytes()) {
        s.push_str(text.get(r).unwrap_or_default());
    }
}
