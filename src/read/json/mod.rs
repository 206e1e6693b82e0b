//! The current JSON wire form (`agg-*-stats`) and interaction metadata.
//!
//! A document is a top-level array of objects, the same array under a
//! top-level `records` or `data` key, or NDJSON (objects one after another;
//! a single object is a one-record NDJSON document). The array is never
//! deserialized whole: [`scan_value`] frames one element at a time in a
//! buffer that holds one element, and `serde_json` parses that element
//! straight into the caller's row through a visitor (no intermediate
//! `Value`). Interval values go through the shared
//! [`Assembler`](super::assemble::Assembler), so a value means the same as
//! in CSV and XML.
//!
//! In layers: [`frame`] (where a value ends, and the lines of its values),
//! [`document`] (the document's shape and its records one at a time),
//! [`seed`] (keys and scalars read without allocating), then the two
//! readers of a record: [`interval`] rows and [`segment`]s, the common
//! segment record walked by [`flat`] without `serde_json`. This module
//! holds the input, its positions and errors, and opens a document.

mod document;
mod flat;
mod frame;
mod interval;
mod seed;
mod segment;

use std::fmt;
use std::io::Read;
use std::sync::Arc;

use memchr::memchr_iter;
use serde::de::{self, IgnoredAny, MapAccess, Visitor};

use self::frame::{scan_value, Scan, ValueLines};
use self::seed::KeyCache;
use super::buffer::Buffer;
use super::detect::kind_from_fields;
use super::ReaderBuilder;
use crate::diagnostic::Code;
use crate::error::{Error, Result};
use crate::model::{Field, ReportKind, SegKey, SegmentRead, WireForm};
use crate::option::OptionName;
use crate::position::{Location, Position};

/// Where the reader stands in the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Inside a top-level array (`wrapped`: under `records`/`data`);
    /// `sep`: an element was read, a `,` or `]` comes next.
    Array { wrapped: bool, sep: bool },
    /// Objects one after another.
    Ndjson,
    /// Nothing more to read.
    End,
}

/// A framed element: its range in the buffer and where it starts.
#[derive(Clone, Copy, Debug)]
struct Elem {
    start: usize,
    end: usize,
    byte: u64,
    line: u64,
    col: u64,
}

/// The JSON input of a [`Reader`](super::Reader).
pub(crate) struct JsonInput {
    buf: Buffer<Box<dyn Read + Send>>,
    /// Line of the first pending byte, and the source offset at which that
    /// line began.
    line: u64,
    line_begin: u64,
    max_record: usize,
    max_depth: usize,
    mode: Mode,
    /// The first record, framed at open to tell the report kind.
    first: Option<Elem>,
    scratch: String,
    /// The lines of the values of the record being read.
    lines: ValueLines,
    /// The fields of the last interval row read with their lines, when it
    /// spans lines (for findings about its fields).
    row_lines: Vec<(Field, u64)>,
    field_keys: KeyCache<Field>,
    seg_keys: KeyCache<(SegKey, u8)>,
    /// Longest segment span accepted, ms.
    max_span_ms: u64,
    /// The keys of a segment converted.
    segment_read: SegmentRead,
    file: Arc<str>,
    /// The index of the record being read, for the position of an error
    /// that stops the file.
    record: u64,
    /// A chunk's reader stops before the first record starting at or past
    /// this offset (`u64::MAX`: read to the end).
    stop: u64,
    /// Line-break guesses in a row that found none (see
    /// `guess_line_elem`).
    guess_misses: u32,
}

/// Where a document's records start and how they follow each other (in an
/// array, wrapped or not, or as NDJSON): what a reader of a chunk of the
/// file needs to read its records (see `read::chunk`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct RecordsAt {
    /// Offset of the first record.
    pub byte: u64,
    /// Line of the first record.
    pub line: u64,
    /// The mode at a record's start.
    mode: Mode,
}

impl RecordsAt {
    /// The same document, with nothing left to read (a chunk that starts
    /// at the end of the input).
    pub(crate) fn at_end(self) -> RecordsAt {
        RecordsAt {
            mode: Mode::End,
            ..self
        }
    }
}

type Step<T> = std::result::Result<T, (Error, bool)>;

/// Deserializes one record (an object) with `visitor`, and checks that
/// nothing follows it. Valid UTF-8 (the rule) is checked once for the
/// record and read as text; otherwise the bytes are read as they are, and
/// the parser names the string that is not UTF-8, as it always did. Both
/// give the same values and errors on the same text.
fn deserialize_record<'de, V: Visitor<'de>>(
    bytes: &'de [u8],
    visitor: V,
) -> serde_json::Result<V::Value> {
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            let mut de = serde_json::Deserializer::from_str(text);
            let v = de::Deserializer::deserialize_map(&mut de, visitor)?;
            de.end().map(|()| v)
        }
        Err(_) => {
            let mut de = serde_json::Deserializer::from_slice(bytes);
            let v = de::Deserializer::deserialize_map(&mut de, visitor)?;
            de.end().map(|()| v)
        }
    }
}

fn fatal(e: Error) -> (Error, bool) {
    (e, true)
}

impl JsonInput {
    fn new(
        file: Arc<str>,
        pending: Vec<u8>,
        offset: u64,
        rdr: Box<dyn Read + Send>,
        b: &ReaderBuilder,
    ) -> Self {
        JsonInput {
            buf: Buffer::with_pending(rdr, pending, offset, b.buffer_size),
            line: 1,
            line_begin: 0,
            max_record: b.max_record,
            max_depth: b.max_depth,
            mode: Mode::End,
            first: None,
            scratch: String::new(),
            lines: ValueLines::default(),
            row_lines: Vec::new(),
            field_keys: KeyCache::default(),
            seg_keys: KeyCache::default(),
            max_span_ms: b.max_segment_span_ms,
            segment_read: b.segment_read,
            file,
            record: 0,
            stop: u64::MAX,
            guess_misses: 0,
        }
    }

    /// A reader of the records of the document `at` describes, from byte
    /// `base` of the file (which `rdr` reads from there on), stopping
    /// before the first record that starts at or past `stop`. `base` must
    /// be where a record starts, or the reader must be moved to where one
    /// may start with [`resync`](Self::resync). Lines count from 1 at
    /// `base`.
    pub(crate) fn chunk(
        file: Arc<str>,
        rdr: Box<dyn Read + Send>,
        base: u64,
        b: &ReaderBuilder,
        at: RecordsAt,
        stop: u64,
    ) -> Self {
        let mut j = JsonInput::new(file, Vec::new(), base, rdr, b);
        j.line_begin = base;
        j.mode = at.mode;
        j.stop = stop;
        j
    }

    /// Where the records start, once the document is open (`None` when it
    /// holds none).
    pub(crate) fn records_at(&self) -> Option<RecordsAt> {
        let first = self.first?;
        let mode = match self.mode {
            Mode::Array { wrapped, .. } => Mode::Array {
                wrapped,
                sep: false,
            },
            m => m,
        };
        Some(RecordsAt {
            byte: first.byte,
            line: first.line,
            mode,
        })
    }

    /// Line of the next byte to read (1 at the start of the input).
    pub(crate) fn line(&self) -> u64 {
        self.line
    }

    /// Bytes consumed so far.
    pub(crate) fn offset(&self) -> u64 {
        self.buf.offset()
    }

    fn here(&self, rel: usize) -> Location {
        let (line, _) = self.line_at(rel);
        let byte = self.offset() + rel as u64;
        Location::new(self.file.clone(), Position::new(byte, line, self.record))
    }

    /// Line and line-start offset of the byte `rel` past `start`.
    fn line_at(&self, rel: usize) -> (u64, u64) {
        let s = &self.buf.pending()[..rel];
        let mut line = self.line;
        let mut begin = self.line_begin;
        for i in memchr_iter(b'\n', s) {
            line += 1;
            begin = self.offset() + i as u64 + 1;
        }
        (line, begin)
    }

    fn column(&self, rel: usize) -> u64 {
        let (_, begin) = self.line_at(rel);
        self.offset() + rel as u64 - begin + 1
    }

    fn syntax(&self, rel: usize, msg: impl fmt::Display) -> Error {
        let col = self.column(rel);
        Error::structure(
            Code::JsonSyntax,
            self.here(rel),
            format!("{msg} (column {col})"),
        )
    }

    fn truncated(&self) -> Error {
        let rel = self.buf.pending().len();
        Error::structure(
            Code::Truncated,
            self.here(rel),
            "the JSON ends before its arrays and objects are closed (truncated file?)",
        )
    }

    fn too_long(&self) -> Error {
        Error::structure(
            Code::Limit,
            self.here(0),
            format!(
                "a JSON record is longer than the limit of {} bytes",
                self.max_record
            ),
        )
    }

    fn too_deep(&self, rel: usize) -> Error {
        Error::structure(
            Code::Limit,
            self.here(rel),
            format!(
                "the JSON nests deeper than the limit of {} levels (column {})",
                self.max_depth,
                self.column(rel)
            ),
        )
    }

    /// Reads more input, keeping what is pending. False at end of input.
    fn fill(&mut self) -> Result<bool> {
        self.buf.fill().map_err(|e| Error::io(self.file.clone(), e))
    }

    /// Consumes `n` bytes known to hold no line break (nothing to count).
    fn consume_in_line(&mut self, n: usize) {
        debug_assert!(!self.buf.pending()[..n].contains(&b'\n'));
        self.buf.consume(n);
    }

    /// Consumes `n` bytes, counting lines.
    fn consume(&mut self, n: usize) {
        let s = &self.buf.pending()[..n];
        for i in memchr_iter(b'\n', s) {
            self.line += 1;
            self.line_begin = self.buf.offset() + i as u64 + 1;
        }
        self.buf.consume(n);
    }

    /// The relative index of the first non-space byte at or after `rel`,
    /// reading more input as needed; `None` at end of input.
    fn non_space(&mut self, mut rel: usize) -> Result<Option<usize>> {
        loop {
            let p = self.buf.pending();
            while rel < p.len() {
                match p[rel] {
                    b' ' | b'\t' | b'\r' | b'\n' => rel += 1,
                    _ => break,
                }
            }
            if rel > self.max_record {
                // White space counts against the record limit, so that the
                // buffer stays bounded; and it counts whether or not the
                // byte after it is in the buffer yet, so that the outcome
                // does not depend on the read size.
                return Err(self.too_long());
            }
            if rel < p.len() {
                return Ok(Some(rel));
            }
            if !self.fill()? {
                return Ok(None);
            }
        }
    }

    /// Frames the value at `rel` (nested in `depth` levels); returns its
    /// relative end.
    fn frame(&mut self, rel: usize, depth: usize) -> Result<usize> {
        loop {
            let p = &self.buf.pending()[rel..];
            match scan_value(p, self.buf.eof(), depth, self.max_depth) {
                // The limit holds for a value that fits the buffer too, so
                // that it does not depend on the read size.
                Scan::End(n) if n > self.max_record => return Err(self.too_long()),
                Scan::End(n) => return Ok(rel + n),
                // Past the limit, a streaming read stops at the limit before
                // it sees the byte: so does a read that has it in its buffer.
                Scan::TooDeep(at) | Scan::Bad(at) if at > self.max_record => {
                    return Err(self.too_long())
                }
                Scan::TooDeep(at) => return Err(self.too_deep(rel + at)),
                Scan::Bad(at) => {
                    let c = p[at];
                    return Err(self.syntax(
                        rel + at,
                        format!("expected a JSON value, found {:?}", c as char),
                    ));
                }
                Scan::Incomplete => return Err(self.truncated()),
                Scan::NeedMore => {
                    if self.buf.pending().len() - rel > self.max_record {
                        return Err(self.too_long());
                    }
                    self.fill()?;
                }
            }
        }
    }

    fn elem_error(&self, elem: &Elem, record: u64, e: serde_json::Error) -> (Error, bool) {
        use serde_json::error::Category;
        let line = elem.line + (e.line() as u64).saturating_sub(1);
        let col = if e.line() <= 1 {
            (elem.col + e.column() as u64).saturating_sub(1)
        } else {
            e.column() as u64
        };
        let loc = Location::new(self.file.clone(), Position::new(elem.byte, line, record));
        match e.classify() {
            Category::Data => (
                Error::structure(
                    Code::JsonSyntax,
                    loc,
                    format!("a record is not a JSON object of report fields: {e}"),
                ),
                false,
            ),
            Category::Io | Category::Syntax | Category::Eof => (
                Error::structure(
                    Code::JsonSyntax,
                    loc,
                    format!("{} (column {col})", strip_position(&e)),
                ),
                true,
            ),
        }
    }
}

/// serde_json's message without its own " at line L column C" (which is
/// relative to the element).
fn strip_position(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Opens a JSON source: the document's shape and the report kind (from the
/// keys of the first record, which stays unread).
pub(crate) fn open(
    b: &ReaderBuilder,
    file: Arc<str>,
    pending: Vec<u8>,
    offset: u64,
    rdr: Box<dyn Read + Send>,
) -> Result<(JsonInput, WireForm, ReportKind)> {
    let mut input = JsonInput::new(file.clone(), pending, offset, rdr, b);
    let form = input.detect()?;
    // Peek at the first record without consuming it.
    let first = input.next_elem()?;
    let kind = match first {
        Some(elem) => {
            let keys = {
                let bytes = &input.buf.data()[elem.start..elem.end];
                let mut de = serde_json::Deserializer::from_slice(bytes);
                de::Deserializer::deserialize_map(&mut de, KeysVisitor)
                    .map_err(|e| input.elem_error(&elem, 0, e).0)?
            };
            match b.report {
                Some(k) => k,
                None => kind_from_keys(&keys).ok_or_else(|| {
                    Error::structure(
                        Code::UnknownReport,
                        Location::new(file.clone(), Position::new(elem.byte, elem.line, 0)),
                        format!(
                            "the first JSON object has none of the keys that tell the report \
                             (queue, agentId, interactionId, segmentId); its keys: {}",
                            keys.join(", ")
                        ),
                    )
                })?,
            }
        }
        None => b.report.ok_or_else(|| {
            Error::structure(
                Code::UnknownReport,
                Location::new(file.clone(), Position::new(0, 1, 0)),
                format!(
                    "the JSON holds no records, so the report cannot be told; name it with {}",
                    OptionName::Report
                ),
            )
        })?,
    };
    // The element stays in the buffer (nothing is read before the next
    // call), so the first read returns it.
    input.first = first;
    Ok((input, form, kind))
}

/// The report kind from the keys of an object (SPEC 2.4, 2.1–2.3).
fn kind_from_keys(keys: &[String]) -> Option<ReportKind> {
    if keys
        .iter()
        .any(|k| matches!(k.as_str(), "interactionId" | "segmentId" | "segmentID"))
    {
        return Some(ReportKind::Segments);
    }
    let fields: Vec<Field> = keys
        .iter()
        .filter_map(|k| Field::from_json_key(k))
        .collect();
    kind_from_fields(|f| fields.contains(&f))
}

struct KeysVisitor;

impl<'de> Visitor<'de> for KeysVisitor {
    type Value = Vec<String>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Vec<String>, A::Error> {
        let mut keys = Vec::new();
        while let Some(k) = map.next_key::<String>()? {
            map.next_value::<IgnoredAny>()?;
            keys.push(k);
        }
        Ok(keys)
    }
}
