//! The streaming CSV source: records tokenized in one [`Buffer`] over any
//! `Read`, with their byte offsets and lines, and the record limit.

use std::borrow::Cow;
use std::io::Read;
use std::sync::Arc;

use memchr::memchr_iter;

use super::fields::Fields;
use super::tokenize::{next_record, Step};
use crate::diagnostic::Code;
use crate::error::Error;
use crate::position::{Location, Position};
use crate::read::buffer::Buffer;

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

/// The error for a source that stopped at data record `record`.
pub(crate) fn source_error(file: &Arc<str>, e: SourceError, record: u64) -> Error {
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
