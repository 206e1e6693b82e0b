//! The current JSON wire form (`agg-*-stats`) and interaction metadata.
//!
//! A document is a top-level array of objects, the same array under a
//! top-level `records` or `data` key, or NDJSON (objects one after another;
//! a single object is a one-record NDJSON document). The array is never
//! deserialized whole: [`scan_value`] frames one element at a time in a
//! buffer that holds one element, and `serde_json` parses that element
//! straight into the caller's row through a visitor (no intermediate
//! `Value`). Interval values go through the shared [`Assembler`], so a value
//! means the same as in CSV and XML.

use std::fmt;
use std::io::Read;
use std::sync::Arc;

use memchr::{memchr, memchr_iter};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::assemble::Assembler;
use super::buffer::Buffer;
use super::detect::kind_from_fields;
use super::json_frame::{scan_value, Scan, ValueLines};
use super::ReaderBuilder;
use crate::diagnostic::Code;
use crate::error::{Error, Result};
use crate::model::{
    parse_count, parse_decimal, parse_instant, Direction, Field, IntervalRow, ReportKind, Segment,
    SegmentEvent, SegmentGeneration, WireForm,
};
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
    file: Arc<str>,
    /// The index of the record being read, for the position of an error
    /// that stops the file.
    record: u64,
    /// A chunk's reader stops before the first record starting at or past
    /// this offset (`u64::MAX`: read to the end).
    stop: u64,
}

/// Where a document's records start and how they follow each other (in an
/// array, wrapped or not, or as NDJSON): what a reader of a chunk of the
/// file needs to read its records (see `read::chunk`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct RecordsAt {
    /// Offset of the first record.
    pub byte: u64,
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
            file,
            record: 0,
            stop: u64::MAX,
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
        let byte = self.first?.byte;
        let mode = match self.mode {
            Mode::Array { wrapped, .. } => Mode::Array {
                wrapped,
                sep: false,
            },
            m => m,
        };
        Some(RecordsAt { byte, mode })
    }

    /// Moves to where the next record may start: after a line break, past
    /// white space (and a `,` with its white space), at a `{` that follows
    /// a `,`, `[` or `}` (or what comes before the chunk, unknown). A line
    /// break is never inside a JSON string, but it may be inside a record
    /// (pretty-printed records): lines that cannot start a record are
    /// passed over, and the caller checks the guess. The search ends at the
    /// chunk's end (a minified document is one line), where the reader then
    /// reads nothing.
    pub(crate) fn resync(&mut self) -> Result<()> {
        let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
        // The last byte before the line break that is not white space.
        let mut prev = 0u8;
        loop {
            loop {
                if self.offset() >= self.stop {
                    self.mode = Mode::End;
                    return Ok(());
                }
                let p = self.buf.pending();
                let nl = memchr(b'\n', p);
                let line = &p[..nl.unwrap_or(p.len())];
                if let Some(&b) = line.iter().rev().find(|b| !is_space(b)) {
                    prev = b;
                }
                if let Some(i) = nl {
                    self.consume(i + 1);
                    break;
                }
                self.consume(p.len());
                if !self.fill()? {
                    return Ok(());
                }
            }
            let Some(i) = self.non_space(0)? else {
                return Ok(());
            };
            match self.buf.pending()[i] {
                b'{' if matches!(prev, 0 | b',' | b'[' | b'}') => {
                    self.consume(i);
                    return Ok(());
                }
                b',' => {
                    let Some(j) = self.non_space(i + 1)? else {
                        return Ok(());
                    };
                    if self.buf.pending()[j] == b'{' {
                        self.consume(j);
                        return Ok(());
                    }
                }
                _ => {}
            }
        }
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

    /// Decides the shape of the document: array, wrapped array or NDJSON.
    /// Nothing is consumed when the document is NDJSON.
    fn detect(&mut self) -> Result<WireForm> {
        let Some(i) = self.non_space(0)? else {
            return Err(Error::structure(
                Code::UnknownReport,
                self.here(0),
                "the file is empty: there is no report to read",
            ));
        };
        self.consume(i);
        match self.buf.pending()[0] {
            b'[' => {
                self.consume(1);
                self.mode = Mode::Array {
                    wrapped: false,
                    sep: false,
                };
                Ok(WireForm::Json)
            }
            b'{' => {
                if let Some(at) = self.wrapped_array()? {
                    self.consume(at + 1);
                    self.mode = Mode::Array {
                        wrapped: true,
                        sep: false,
                    };
                    Ok(WireForm::Json)
                } else {
                    self.mode = Mode::Ndjson;
                    Ok(WireForm::Ndjson)
                }
            }
            c => Err(self.syntax(
                0,
                format!("expected a JSON array or object, found {:?}", c as char),
            )),
        }
    }

    /// With `{` at `start`: walks the object's keys (without consuming) to
    /// a `records` or `data` key whose value is an array, and returns the
    /// relative index of its `[`. `None` when the object has no such key
    /// (it is then a record itself).
    fn wrapped_array(&mut self) -> Result<Option<usize>> {
        let mut rel = 1;
        loop {
            let Some(k) = self.non_space(rel)? else {
                return Err(self.truncated());
            };
            let c = self.buf.pending()[k];
            if c == b'}' {
                return Ok(None);
            }
            if c != b'"' {
                return Err(self.syntax(k, "expected an object key"));
            }
            let key_end = self.frame(k, 1)?;
            let key = &self.buf.pending()[k + 1..key_end - 1];
            let wrapper = key == b"records" || key == b"data";
            let Some(colon) = self.non_space(key_end)? else {
                return Err(self.truncated());
            };
            if self.buf.pending()[colon] != b':' {
                return Err(self.syntax(colon, "expected ':' after an object key"));
            }
            let Some(v) = self.non_space(colon + 1)? else {
                return Err(self.truncated());
            };
            if wrapper && self.buf.pending()[v] == b'[' {
                return Ok(Some(v));
            }
            let v_end = self.frame(v, 1)?;
            let Some(sep) = self.non_space(v_end)? else {
                return Err(self.truncated());
            };
            match self.buf.pending()[sep] {
                b',' => rel = sep + 1,
                b'}' => return Ok(None),
                _ => return Err(self.syntax(sep, "expected ',' or '}' in an object")),
            }
        }
    }

    /// After the `]` of a wrapped array: skips the wrapper's other members
    /// and its `}`.
    fn finish_wrapper(&mut self) -> Result<()> {
        loop {
            let Some(i) = self.non_space(0)? else {
                return Err(self.truncated());
            };
            match self.buf.pending()[i] {
                b'}' => {
                    self.consume(i + 1);
                    return Ok(());
                }
                b',' => {
                    let Some(k) = self.non_space(i + 1)? else {
                        return Err(self.truncated());
                    };
                    let key_end = self.frame(k, 1)?;
                    let Some(colon) = self.non_space(key_end)? else {
                        return Err(self.truncated());
                    };
                    if self.buf.pending()[colon] != b':' {
                        return Err(self.syntax(colon, "expected ':' after an object key"));
                    }
                    let Some(v) = self.non_space(colon + 1)? else {
                        return Err(self.truncated());
                    };
                    let v_end = self.frame(v, 1)?;
                    self.consume(v_end);
                }
                _ => return Err(self.syntax(i, "expected ',' or '}' after the array")),
            }
        }
    }

    /// After the document: only white space may follow (it is consumed, so
    /// that the offset is then the length of the input).
    fn expect_end(&mut self) -> Result<()> {
        match self.non_space(0)? {
            None => {
                self.consume(self.buf.pending().len());
                Ok(())
            }
            Some(i) => Err(self.syntax(i, "unexpected data after the end of the JSON document")),
        }
    }

    /// The next top-level record, framed; `None` at the end.
    fn next_elem(&mut self) -> Result<Option<Elem>> {
        if let Some(e) = self.first.take() {
            return Ok(Some(e));
        }
        match self.mode {
            Mode::End => Ok(None),
            Mode::Ndjson => {
                let Some(i) = self.non_space(0)? else {
                    self.consume(self.buf.pending().len());
                    self.mode = Mode::End;
                    return Ok(None);
                };
                self.consume(i);
                if self.offset() >= self.stop {
                    self.mode = Mode::End;
                    return Ok(None);
                }
                self.take_elem(0).map(Some)
            }
            Mode::Array { wrapped, sep } => {
                let Some(i) = self.non_space(0)? else {
                    return Err(self.truncated());
                };
                let c = self.buf.pending()[i];
                if c == b']' {
                    self.consume(i + 1);
                    self.mode = Mode::End;
                    if wrapped {
                        self.finish_wrapper()?;
                    }
                    self.expect_end()?;
                    return Ok(None);
                }
                let at = if sep {
                    if c != b',' {
                        return Err(self.syntax(i, "expected ',' or ']' between array elements"));
                    }
                    match self.non_space(i + 1)? {
                        Some(j) if self.buf.pending()[j] == b']' => {
                            return Err(self.syntax(j, "a trailing ',' before ']'"))
                        }
                        Some(j) => j,
                        None => return Err(self.truncated()),
                    }
                } else {
                    i
                };
                self.consume(at);
                if self.offset() >= self.stop {
                    // The record belongs to the next chunk.
                    self.mode = Mode::End;
                    return Ok(None);
                }
                self.mode = Mode::Array { wrapped, sep: true };
                // The element sits inside the array (and the wrapper).
                let depth = if wrapped { 2 } else { 1 };
                self.take_elem(depth).map(Some)
            }
        }
    }

    fn take_elem(&mut self, depth: usize) -> Result<Elem> {
        let end = self.frame(0, depth)?;
        let elem = Elem {
            start: self.buf.start(),
            end: self.buf.start() + end,
            byte: self.offset(),
            line: self.line,
            col: self.offset() - self.line_begin + 1,
        };
        self.consume(end);
        Ok(elem)
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

    /// Reads one interval record into `row`.
    pub(crate) fn read_row<T: IntervalRow>(
        &mut self,
        asm: &mut Assembler,
        record: u64,
        row: &mut T,
    ) -> Step<bool> {
        self.record = record;
        let Some(elem) = self.next_elem().map_err(fatal)? else {
            return Ok(false);
        };
        let pos = Position::new(elem.byte, elem.line, record);
        asm.begin(row);
        let mut err = None;
        let bytes = &self.buf.data()[elem.start..elem.end];
        self.lines.index(bytes);
        self.row_lines.clear();
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let visitor = RowVisitor {
            keys: &mut self.field_keys,
            asm,
            row,
            pos,
            lines: &self.lines,
            row_lines: &mut self.row_lines,
            scratch: &mut self.scratch,
            err: &mut err,
        };
        let parsed = de::Deserializer::deserialize_map(&mut de, visitor).and_then(|_| de.end());
        if let Err(e) = parsed {
            return Err(self.elem_error(&elem, record, e));
        }
        if let Some(e) = err {
            return Err((e, false));
        }
        asm.finish(row, pos).map_err(|e| (e, false))?;
        Ok(true)
    }

    /// The line of the value of `field` (a canonical name) in the last
    /// interval row read, when that row spans lines.
    pub(crate) fn value_line(&self, field: &str) -> Option<u64> {
        self.row_lines
            .iter()
            .rev()
            .find(|(f, _)| f.name() == field)
            .map(|&(_, l)| l)
    }

    /// Reads one segment record into `seg`.
    pub(crate) fn read_segment(&mut self, record: u64, seg: &mut Segment) -> Step<bool> {
        self.record = record;
        let Some(elem) = self.next_elem().map_err(fatal)? else {
            return Ok(false);
        };
        let pos = Position::new(elem.byte, elem.line, record);
        seg.reset();
        seg.pos = pos;
        let mut st = SegState::default();
        let mut err = None;
        let bytes = &self.buf.data()[elem.start..elem.end];
        self.lines.index(bytes);
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let visitor = SegVisitor {
            keys: &mut self.seg_keys,
            seg,
            st: &mut st,
            scratch: &mut self.scratch,
            err: &mut err,
            lines: &self.lines,
            file: &self.file,
            off: 0,
        };
        let parsed = de::Deserializer::deserialize_map(&mut de, visitor).and_then(|_| de.end());
        if let Err(e) = parsed {
            return Err(self.elem_error(&elem, record, e));
        }
        if let Some(e) = err {
            return Err((e, false));
        }
        finish_segment(seg, st, &self.file).map_err(|e| (e, false))?;
        seg.check_span(&self.file, Some(self.max_span_ms))
            .map_err(|e| (e, false))?;
        Ok(true)
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
                "the JSON holds no records, so the report cannot be told; name it with --report",
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

/// What a scalar value was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scalar {
    Null,
    /// A string; its text is in the scratch buffer.
    Text,
    /// A number; its text is in the scratch buffer.
    Number,
    Bool(bool),
    /// An array or object where a scalar belongs.
    Nested,
}

/// Appends the decimal digits of `v` (the formatting machinery costs more
/// than the rest of a count's journey).
#[inline]
fn push_u64(out: &mut String, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend(buf[i..].iter().map(|&b| b as char));
}

/// Deserializes one value into the scratch buffer.
struct ScalarSeed<'a>(&'a mut String);

impl<'de> DeserializeSeed<'de> for ScalarSeed<'_> {
    type Value = Scalar;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<Scalar, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ScalarSeed<'_> {
    type Value = Scalar;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number, a string or null")
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<Scalar, E> {
        self.0.clear();
        self.0.push_str(v);
        Ok(Scalar::Text)
    }
    fn visit_u64<E>(self, v: u64) -> std::result::Result<Scalar, E> {
        self.0.clear();
        push_u64(self.0, v);
        Ok(Scalar::Number)
    }
    fn visit_i64<E>(self, v: i64) -> std::result::Result<Scalar, E> {
        self.0.clear();
        if v < 0 {
            self.0.push('-');
        }
        push_u64(self.0, v.unsigned_abs());
        Ok(Scalar::Number)
    }
    fn visit_f64<E>(self, v: f64) -> std::result::Result<Scalar, E> {
        use std::fmt::Write;
        self.0.clear();
        let _ = write!(self.0, "{v}");
        Ok(Scalar::Number)
    }
    fn visit_bool<E>(self, v: bool) -> std::result::Result<Scalar, E> {
        self.0.clear();
        self.0.push_str(if v { "true" } else { "false" });
        Ok(Scalar::Bool(v))
    }
    fn visit_unit<E>(self) -> std::result::Result<Scalar, E> {
        self.0.clear();
        Ok(Scalar::Null)
    }
    fn visit_none<E>(self) -> std::result::Result<Scalar, E> {
        self.0.clear();
        Ok(Scalar::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Scalar, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        self.0.clear();
        self.0.push_str("[…]");
        Ok(Scalar::Nested)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Scalar, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        self.0.clear();
        self.0.push_str("{…}");
        Ok(Scalar::Nested)
    }
}

/// Key lookups by position in the object. The objects of one export
/// almost always list their keys in the same order, so the key at position
/// `i` is usually the one seen there in the previous object: one string
/// comparison instead of a search of the field catalogue.
struct KeyCache<K> {
    slots: Vec<(Box<str>, Option<K>)>,
}

impl<K> Default for KeyCache<K> {
    fn default() -> Self {
        KeyCache { slots: Vec::new() }
    }
}

impl<K: Copy> KeyCache<K> {
    #[inline]
    fn get(&mut self, i: usize, key: &str, resolve: fn(&str) -> Option<K>) -> Option<K> {
        if let Some((k, v)) = self.slots.get(i) {
            if &**k == key {
                return *v;
            }
        }
        let v = resolve(key);
        if i < self.slots.len() {
            self.slots[i] = (key.into(), v);
        } else if i == self.slots.len() && i < 128 {
            self.slots.push((key.into(), v));
        }
        v
    }
}

/// Resolves the key at position `i` of an object, through the cache,
/// without allocating.
struct KeySeed<'a, K> {
    cache: &'a mut KeyCache<K>,
    i: usize,
    resolve: fn(&str) -> Option<K>,
}

impl<'de, K: Copy> DeserializeSeed<'de> for KeySeed<'_, K> {
    type Value = Option<K>;
    fn deserialize<D: de::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Option<K>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de, K: Copy> Visitor<'de> for KeySeed<'_, K> {
    type Value = Option<K>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<Option<K>, E> {
        Ok(self.cache.get(self.i, v, self.resolve))
    }
}

struct RowVisitor<'a, T> {
    keys: &'a mut KeyCache<Field>,
    asm: &'a mut Assembler,
    row: &'a mut T,
    pos: Position,
    lines: &'a ValueLines,
    row_lines: &'a mut Vec<(Field, u64)>,
    scratch: &'a mut String,
    err: &'a mut Option<Error>,
}

impl<'de, T: IntervalRow> Visitor<'de> for RowVisitor<'_, T> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let mut i = 0;
        // The entry of the member's value in `lines`.
        let mut at = 0;
        while let Some(key) = map.next_key_seed(KeySeed {
            cache: self.keys,
            i,
            resolve: Field::from_json_key,
        })? {
            i += 1;
            let off = self.lines.line(at);
            at = self.lines.next(at);
            let Some(field) = key else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            if self.lines.spans_lines() {
                self.row_lines
                    .push((field, self.pos.line() + u64::from(off)));
            }
            let kind = map.next_value_seed(ScalarSeed(self.scratch))?;
            if self.err.is_some() {
                continue;
            }
            let r = match kind {
                // Null is absent: an empty count, or an empty required value.
                Scalar::Null => self.asm.value(self.row, field, b"", self.pos, off),
                Scalar::Nested => Err(Error::data(
                    Code::BadValue,
                    self.asm.location(self.pos, off, field.name()),
                    "expected a number, a string or null, found an array or object",
                    self.scratch.as_str(),
                )),
                _ => self
                    .asm
                    .value(self.row, field, self.scratch.as_bytes(), self.pos, off),
            };
            if let Err(e) = r {
                *self.err = Some(e);
            }
        }
        Ok(())
    }
}

/// The keys of interaction metadata, both generations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SegKey {
    InteractionId,
    DialogId,
    SegmentIdV2,
    SegmentIdCx,
    SegmentType,
    AgentIdV2,
    ParticipantId,
    AgentGroupId,
    RcExtensionId,
    DirectionV2,
    Origination,
    ChannelId,
    ChannelType,
    ChannelClass,
    CallingV2,
    CalledV2,
    ChannelEndpoint,
    ContactEndpoint,
    InteractionStartV2,
    DialogStart,
    DialogEnd,
    InteractionDurationV2,
    DialogDuration,
    SegmentStartV2,
    SegmentStartCx,
    SegmentEndV2,
    SegmentEndCx,
    SegmentDurationSecsV2,
    SegmentDurationMsCx,
    RecordingUrl,
    RecordingLocation,
    HasRecording,
    HasTranscript,
    SystemDisposition,
    AgentDisposition,
    AgentNotes,
    SubAccountId,
    Events,
}

impl SegKey {
    /// The key and the index of its canonical field in [`Segment::FIELDS`]
    /// (`u8::MAX` for the two endpoints, which become the calling or called
    /// address later).
    fn resolve(k: &str) -> Option<(SegKey, u8)> {
        let key = SegKey::from_json(k)?;
        let idx = Segment::field_index(key.name()).map_or(u8::MAX, |i| i as u8);
        Some((key, idx))
    }

    fn from_json(k: &str) -> Option<SegKey> {
        use SegKey::*;
        Some(match k {
            "interactionId" => InteractionId,
            "dialogId" => DialogId,
            "segmentID" => SegmentIdV2,
            "segmentId" => SegmentIdCx,
            "segmentType" => SegmentType,
            "segmentAgentId" => AgentIdV2,
            "segmentParticipantId" => ParticipantId,
            "segmentAgentGroupId" => AgentGroupId,
            "segmentParticipantRcExtensionId" => RcExtensionId,
            "interactionDirection" => DirectionV2,
            "dialogOrigination" => Origination,
            "channelId" => ChannelId,
            "channelType" => ChannelType,
            "channelClass" => ChannelClass,
            "interactionCallingAddress" => CallingV2,
            "interactionCalledAddress" => CalledV2,
            "channelEndpointAddress" => ChannelEndpoint,
            "contactEndpointAddress" => ContactEndpoint,
            "interactionStartTimeMs" => InteractionStartV2,
            "dialogStartTimeMs" => DialogStart,
            "dialogEndTimeMs" => DialogEnd,
            "interactionDurationMs" => InteractionDurationV2,
            "dialogDurationMs" => DialogDuration,
            "segmentContactStartTimeMs" => SegmentStartV2,
            "segmentStartTimeMs" => SegmentStartCx,
            "segmentContactEndTimeMs" => SegmentEndV2,
            "segmentEndTimeMs" => SegmentEndCx,
            "segmentDuration" => SegmentDurationSecsV2,
            "segmentDurationMs" => SegmentDurationMsCx,
            "segmentRecordingURL" | "segmentRecordingUrl" => RecordingUrl,
            "interactionRecordingLocation" => RecordingLocation,
            "hasRecording" => HasRecording,
            "hasTranscript" => HasTranscript,
            "systemDisposition" => SystemDisposition,
            "agentDisposition" => AgentDisposition,
            "agentNotes" => AgentNotes,
            "subAccountId" => SubAccountId,
            "segmentEvents" => Events,
            _ => return None,
        })
    }

    /// Keys only the v2 export has (decides a segment's generation).
    fn is_v2(self) -> bool {
        use SegKey::*;
        matches!(
            self,
            SegmentIdV2
                | AgentIdV2
                | DirectionV2
                | CallingV2
                | CalledV2
                | InteractionStartV2
                | InteractionDurationV2
                | SegmentStartV2
                | SegmentEndV2
                | SegmentDurationSecsV2
                | RecordingUrl
                | RecordingLocation
        )
    }

    /// The JSON name, for messages.
    fn name(self) -> &'static str {
        use SegKey::*;
        match self {
            InteractionId => "interaction_id",
            DialogId => "dialog_id",
            SegmentIdV2 | SegmentIdCx => "segment_id",
            SegmentType => "segment_type",
            AgentIdV2 | ParticipantId => "agent_id",
            AgentGroupId => "agent_group_id",
            RcExtensionId => "rc_extension_id",
            DirectionV2 | Origination => "direction",
            ChannelId => "channel_id",
            ChannelType => "channel_type",
            ChannelClass => "channel_class",
            CallingV2 => "calling_address",
            CalledV2 => "called_address",
            ChannelEndpoint => "channel_endpoint_address",
            ContactEndpoint => "contact_endpoint_address",
            InteractionStartV2 | DialogStart => "interaction_start",
            DialogEnd => "interaction_end",
            InteractionDurationV2 | DialogDuration => "interaction_duration_ms",
            SegmentStartV2 | SegmentStartCx => "segment_start",
            SegmentEndV2 | SegmentEndCx => "segment_end",
            SegmentDurationSecsV2 | SegmentDurationMsCx => "segment_duration_ms",
            RecordingUrl => "recording_url",
            RecordingLocation => "interaction_recording_location",
            HasRecording => "has_recording",
            HasTranscript => "has_transcript",
            SystemDisposition => "system_disposition",
            AgentDisposition => "agent_disposition",
            AgentNotes => "agent_notes",
            SubAccountId => "sub_account_id",
            Events => "events",
        }
    }
}

/// What a segment object had, for the rules applied once all keys are in.
#[derive(Default)]
struct SegState {
    v2_keys: bool,
    cx_keys: bool,
    has_interaction_id: bool,
    has_segment_id: bool,
    channel_endpoint: Option<String>,
    contact_endpoint: Option<String>,
    /// Line offsets of the two endpoint values, which become the calling
    /// and called addresses once the direction is known.
    channel_endpoint_off: u32,
    contact_endpoint_off: u32,
}

struct SegVisitor<'a> {
    keys: &'a mut KeyCache<(SegKey, u8)>,
    seg: &'a mut Segment,
    st: &'a mut SegState,
    scratch: &'a mut String,
    err: &'a mut Option<Error>,
    lines: &'a ValueLines,
    file: &'a Arc<str>,
    /// Line offset (from the record's first line) of the value being read.
    off: u32,
}

const EXPECT_INSTANT: &str =
    "expected an RFC 3339 timestamp (2020-07-21T17:32:28.001Z) or epoch milliseconds";
const EXPECT_MS: &str = "expected a non-negative integer number of milliseconds";
const EXPECT_SECS: &str = "expected a non-negative number of seconds (at most 3 decimals)";
const EXPECT_TEXT: &str = "expected a string or a number";
const EXPECT_BOOL: &str = "expected true or false";
const EXPECT_DIRECTION: &str = "expected INBOUND or OUTBOUND (in any case)";

/// The location of a value `off` lines below the first line of the record
/// at `pos`.
fn value_loc(file: &Arc<str>, pos: Position, off: u32, field: &'static str) -> Location {
    Location::new(file.clone(), pos.with_line(pos.line() + u64::from(off))).with_field(field)
}

fn bad(loc: Location, expected: &str, raw: &str) -> Error {
    Error::data(Code::BadValue, loc, expected, raw)
}

impl SegVisitor<'_> {
    fn loc(&self, key: SegKey) -> Location {
        value_loc(self.file, self.seg.pos, self.off, key.name())
    }

    fn text(&self, kind: Scalar, key: SegKey) -> Result<Option<String>> {
        match kind {
            Scalar::Null => Ok(None),
            Scalar::Text | Scalar::Number => Ok(Some(self.scratch.trim().to_string())),
            Scalar::Bool(_) | Scalar::Nested => Err(bad(self.loc(key), EXPECT_TEXT, self.scratch)),
        }
    }

    fn instant(&self, kind: Scalar, key: SegKey) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
        match kind {
            Scalar::Null => Ok(None),
            Scalar::Text | Scalar::Number => {
                if kind == Scalar::Text && self.scratch.trim().is_empty() {
                    return Ok(None);
                }
                parse_instant(self.scratch)
                    .map(Some)
                    .ok_or_else(|| bad(self.loc(key), EXPECT_INSTANT, self.scratch))
            }
            _ => Err(bad(self.loc(key), EXPECT_INSTANT, self.scratch)),
        }
    }

    /// INBOUND or OUTBOUND in any case; null or an empty string is absent.
    fn direction(&self, kind: Scalar, key: SegKey) -> Result<Option<Direction>> {
        match kind {
            Scalar::Null => Ok(None),
            Scalar::Text if self.scratch.trim().is_empty() => Ok(None),
            Scalar::Text | Scalar::Number => Direction::parse(self.scratch)
                .map(Some)
                .ok_or_else(|| bad(self.loc(key), EXPECT_DIRECTION, self.scratch)),
            _ => Err(bad(self.loc(key), EXPECT_DIRECTION, self.scratch)),
        }
    }

    fn millis(&self, kind: Scalar, key: SegKey) -> Result<Option<u64>> {
        match kind {
            Scalar::Null => Ok(None),
            Scalar::Text | Scalar::Number => parse_count(self.scratch)
                .map_err(|p| Error::data(p.code, self.loc(key), EXPECT_MS, self.scratch.as_str())),
            _ => Err(bad(self.loc(key), EXPECT_MS, self.scratch)),
        }
    }

    /// v2 `segmentDuration` is in seconds; it becomes milliseconds.
    fn seconds_as_millis(&self, kind: Scalar, key: SegKey) -> Result<Option<u64>> {
        let err = |code| Error::data(code, self.loc(key), EXPECT_SECS, self.scratch.as_str());
        match kind {
            Scalar::Null => Ok(None),
            Scalar::Text | Scalar::Number => {
                let Some(d) = parse_decimal(self.scratch).map_err(|p| err(p.code))? else {
                    return Ok(None);
                };
                let ms = d * rust_decimal::Decimal::from(1000);
                if !ms.fract().is_zero() {
                    return Err(err(Code::Fraction));
                }
                u64::try_from(ms).map(Some).map_err(|_| err(Code::Overflow))
            }
            _ => Err(err(Code::BadValue)),
        }
    }

    fn flag(&self, kind: Scalar, key: SegKey) -> Result<Option<bool>> {
        match kind {
            Scalar::Null => Ok(None),
            Scalar::Bool(b) => Ok(Some(b)),
            Scalar::Text if self.scratch.trim().eq_ignore_ascii_case("true") => Ok(Some(true)),
            Scalar::Text if self.scratch.trim().eq_ignore_ascii_case("false") => Ok(Some(false)),
            _ => Err(bad(self.loc(key), EXPECT_BOOL, self.scratch)),
        }
    }

    fn set(&mut self, key: SegKey, kind: Scalar) -> Result<()> {
        use SegKey::*;
        if key.is_v2() {
            self.st.v2_keys = true;
        } else if !matches!(key, InteractionId | AgentGroupId | Events) {
            self.st.cx_keys = true;
        }
        let s = &mut *self;
        match key {
            InteractionId => {
                let t = s.text(kind, key)?;
                s.st.has_interaction_id = t.is_some();
                s.seg.interaction_id.clear();
                s.seg.interaction_id.push_str(t.as_deref().unwrap_or(""));
            }
            SegmentIdV2 | SegmentIdCx => {
                let t = s.text(kind, key)?;
                s.st.has_segment_id = t.is_some();
                s.seg.segment_id.clear();
                s.seg.segment_id.push_str(t.as_deref().unwrap_or(""));
            }
            DialogId => s.seg.dialog_id = s.text(kind, key)?,
            SegmentType => s.seg.segment_type = s.text(kind, key)?,
            AgentIdV2 | ParticipantId => s.seg.agent_id = s.text(kind, key)?,
            AgentGroupId => s.seg.agent_group_id = s.text(kind, key)?,
            RcExtensionId => s.seg.rc_extension_id = s.text(kind, key)?,
            DirectionV2 | Origination => s.seg.direction = s.direction(kind, key)?,
            ChannelId => s.seg.channel_id = s.text(kind, key)?,
            ChannelType => s.seg.channel_type = s.text(kind, key)?,
            ChannelClass => s.seg.channel_class = s.text(kind, key)?,
            CallingV2 => s.seg.calling_address = s.text(kind, key)?,
            CalledV2 => s.seg.called_address = s.text(kind, key)?,
            ChannelEndpoint => {
                s.st.channel_endpoint = s.text(kind, key)?;
                s.st.channel_endpoint_off = s.off;
            }
            ContactEndpoint => {
                s.st.contact_endpoint = s.text(kind, key)?;
                s.st.contact_endpoint_off = s.off;
            }
            InteractionStartV2 | DialogStart => s.seg.interaction_start = s.instant(kind, key)?,
            DialogEnd => s.seg.interaction_end = s.instant(kind, key)?,
            InteractionDurationV2 | DialogDuration => {
                s.seg.interaction_duration_ms = s.millis(kind, key)?
            }
            SegmentStartV2 | SegmentStartCx => s.seg.segment_start = s.instant(kind, key)?,
            SegmentEndV2 | SegmentEndCx => s.seg.segment_end = s.instant(kind, key)?,
            SegmentDurationSecsV2 => s.seg.segment_duration_ms = s.seconds_as_millis(kind, key)?,
            SegmentDurationMsCx => s.seg.segment_duration_ms = s.millis(kind, key)?,
            RecordingUrl => s.seg.recording_url = s.text(kind, key)?,
            RecordingLocation => s.seg.interaction_recording_location = s.text(kind, key)?,
            HasRecording => s.seg.has_recording = s.flag(kind, key)?,
            HasTranscript => s.seg.has_transcript = s.flag(kind, key)?,
            SystemDisposition => s.seg.system_disposition = s.text(kind, key)?,
            AgentDisposition => s.seg.agent_disposition = s.text(kind, key)?,
            AgentNotes => s.seg.agent_notes = s.text(kind, key)?,
            SubAccountId => s.seg.sub_account_id = s.text(kind, key)?,
            Events => {} // handled by EventsSeed
        }
        Ok(())
    }
}

impl<'de> Visitor<'de> for SegVisitor<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> std::result::Result<(), A::Error> {
        let mut i = 0;
        // The entry of the member's value in `lines`.
        let mut at = 0;
        while let Some(key) = map.next_key_seed(KeySeed {
            cache: self.keys,
            i,
            resolve: SegKey::resolve,
        })? {
            i += 1;
            let here = at;
            self.off = self.lines.line(here);
            at = self.lines.next(here);
            let Some((key, idx)) = key else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            self.seg.set_line_off(usize::from(idx), self.off);
            if key == SegKey::Events {
                let mut list = self.seg.take_event_list();
                let present = map.next_value_seed(EventsSeed {
                    list: &mut list,
                    scratch: self.scratch,
                    err: self.err,
                    lines: self.lines,
                    file: self.file,
                    pos: self.seg.pos,
                    at: here,
                })?;
                self.seg.events = present.then_some(list);
                continue;
            }
            let kind = map.next_value_seed(ScalarSeed(self.scratch))?;
            if self.err.is_some() {
                continue;
            }
            if let Err(e) = self.set(key, kind) {
                *self.err = Some(e);
            }
        }
        Ok(())
    }
}

/// `segmentEvents`: null (false) or a list (true), filled into `list`.
struct EventsSeed<'a> {
    list: &'a mut Vec<SegmentEvent>,
    scratch: &'a mut String,
    err: &'a mut Option<Error>,
    lines: &'a ValueLines,
    file: &'a Arc<str>,
    /// The segment's position.
    pos: Position,
    /// The entry of the list in `lines`.
    at: usize,
}

impl<'de> DeserializeSeed<'de> for EventsSeed<'_> {
    type Value = bool;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for EventsSeed<'_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("null or a list of events")
    }
    fn visit_unit<E>(self) -> std::result::Result<bool, E> {
        Ok(false)
    }
    fn visit_none<E>(self) -> std::result::Result<bool, E> {
        Ok(false)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<bool, A::Error> {
        // The first element's entry follows the list's.
        let mut at = self.at + 1;
        loop {
            let mut ev = SegmentEvent::default();
            let more = seq.next_element_seed(EventSeed {
                ev: &mut ev,
                scratch: self.scratch,
                err: self.err,
                lines: self.lines,
                file: self.file,
                pos: self.pos,
                at,
            })?;
            if more.is_none() {
                break;
            }
            at = self.lines.next(at);
            self.list.push(ev);
        }
        Ok(true)
    }
}

struct EventSeed<'a> {
    ev: &'a mut SegmentEvent,
    scratch: &'a mut String,
    err: &'a mut Option<Error>,
    lines: &'a ValueLines,
    file: &'a Arc<str>,
    pos: Position,
    /// The entry of the event object in `lines`.
    at: usize,
}

impl<'de> DeserializeSeed<'de> for EventSeed<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for EventSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an event object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        #[derive(Clone, Copy)]
        enum K {
            Time,
            Client,
            Type,
        }
        fn key(k: &str) -> Option<K> {
            match k {
                "eventTimeMs" => Some(K::Time),
                "clientEventTimeMs" => Some(K::Client),
                "eventType" => Some(K::Type),
                _ => None,
            }
        }
        let line = |off: u32| self.pos.line() + u64::from(off);
        self.ev.line = line(self.lines.line(self.at));
        let mut cache = KeyCache::default();
        let mut i = 0;
        let mut at = self.at + 1;
        while let Some(k) = map.next_key_seed(KeySeed {
            cache: &mut cache,
            i,
            resolve: key,
        })? {
            i += 1;
            let off = self.lines.line(at);
            at = self.lines.next(at);
            let Some(k) = k else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            let kind = map.next_value_seed(ScalarSeed(self.scratch))?;
            if self.err.is_some() {
                continue;
            }
            let field = match k {
                K::Time => "events.time",
                K::Client => "events.client_time",
                K::Type => "events.type",
            };
            let loc = || value_loc(self.file, self.pos, off, field);
            let r = match (k, kind) {
                (K::Type, _) => {
                    self.ev.line = line(off);
                    match kind {
                        Scalar::Null => Ok(()),
                        Scalar::Text => {
                            self.ev.kind.push_str(self.scratch.trim());
                            Ok(())
                        }
                        _ => Err(bad(loc(), "expected an event type string", self.scratch)),
                    }
                }
                (_, Scalar::Null) => Ok(()),
                (K::Time | K::Client, Scalar::Text | Scalar::Number) => {
                    match parse_instant(self.scratch) {
                        Some(t) => {
                            match k {
                                K::Time => self.ev.time = Some(t),
                                _ => self.ev.client_time = Some(t),
                            }
                            Ok(())
                        }
                        None => Err(bad(loc(), EXPECT_INSTANT, self.scratch)),
                    }
                }
                _ => Err(bad(loc(), EXPECT_INSTANT, self.scratch)),
            };
            if let Err(e) = r {
                *self.err = Some(e);
            }
        }
        Ok(())
    }
}

/// The rules that need every key of a segment (SPEC 2.4).
fn finish_segment(seg: &mut Segment, st: SegState, file: &Arc<str>) -> Result<()> {
    for (has, name) in [
        (st.has_interaction_id, "interaction_id"),
        (st.has_segment_id, "segment_id"),
    ] {
        if !has {
            return Err(Error::structure(
                Code::MissingColumn,
                Location::new(file.clone(), seg.pos).with_field(name),
                format!("the segment has no {name} (interactionId and segmentId/segmentID are required)"),
            ));
        }
    }
    for name in ["interaction_id", "segment_id"] {
        let empty = match name {
            "interaction_id" => seg.interaction_id.is_empty(),
            _ => seg.segment_id.is_empty(),
        };
        if empty {
            return Err(Error::data(
                Code::EmptyRequired,
                seg.field_location(file, name),
                format!("a required value is empty: expected an id in {name}"),
                "",
            ));
        }
    }
    seg.generation = if st.v2_keys && !st.cx_keys {
        SegmentGeneration::V2
    } else {
        SegmentGeneration::CxV1
    };
    if seg.generation == SegmentGeneration::V2 {
        // v2 is voice-only agent segment metadata.
        seg.channel_type.get_or_insert_with(|| "VOICE".into());
        seg.segment_type.get_or_insert_with(|| "AGENT".into());
    }
    // cx v1: the contact is the caller of an inbound dialog and the callee
    // of an outbound one; the channel endpoint is the other party. When the
    // direction is unknown, the inbound reading is used (most traffic).
    let outbound = seg.direction == Some(Direction::Outbound);
    let contact = (st.contact_endpoint, st.contact_endpoint_off);
    let channel = (st.channel_endpoint, st.channel_endpoint_off);
    if contact.0.is_some() || channel.0.is_some() {
        let (calling, called) = if outbound {
            (channel, contact)
        } else {
            (contact, channel)
        };
        for (is_calling, (value, off)) in [(true, calling), (false, called)] {
            let (slot, name) = if is_calling {
                (&mut seg.calling_address, "calling_address")
            } else {
                (&mut seg.called_address, "called_address")
            };
            if slot.is_none() && value.is_some() {
                *slot = value;
                if let Some(i) = Segment::field_index(name) {
                    seg.set_line_off(i, off);
                }
            }
        }
    }
    Ok(())
}
