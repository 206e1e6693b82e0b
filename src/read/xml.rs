//! The legacy XML wire form.
//!
//! The record structure was never documented publicly, so the reader finds
//! records by their content (SPEC 2.1): a record is an element whose
//! attributes or leaf child elements carry at least three of the report's
//! field names (the names and aliases of the CSV header, matched the same
//! way). Once the first record is found, every element with its local name
//! at its depth is a record too, so a damaged record with few fields is
//! reported, never skipped. Root and record names are free; namespace
//! prefixes are ignored.
//!
//! Events come from quick-xml over one reused buffer. Text is accumulated
//! across entity and character references (quick-xml 0.38 reports them as
//! separate events) and trimmed. Only the five predefined entities and
//! character references are decoded; a DOCTYPE with an internal subset or
//! an entity declaration stops the reader at once, so no entity is ever
//! expanded and nothing is ever fetched. The depth of elements is bounded.
//!
//! Encoding: UTF-8 only. A UTF-16 file (byte-order mark) is refused by the
//! dispatcher before it gets here, and a declaration naming another
//! encoding is refused (S001), because converting is one `iconv` away and
//! a guessed transcoding would be silent.

use std::collections::HashMap;
use std::io::{BufReader, Chain, Cursor, Read};
use std::ops::Range;
use std::sync::Arc;

use memchr::memchr_iter;
use quick_xml::errors::{Error as XmlError, SyntaxError};
use quick_xml::events::{BytesStart, Event};

use super::assemble::Assembler;
use super::detect::kind_from_fields;
use super::ReaderBuilder;
use crate::diagnostic::Code;
use crate::error::{Error, Result};
use crate::model::{Field, IntervalRow, ReportKind};
use crate::position::{Location, Position};

type Source = BufReader<Guard>;

/// The byte stream under quick-xml, which bounds what one event may pull
/// in: quick-xml grows its event buffer until the event ends, so a
/// gigabyte-long text node or tag would otherwise be held whole. The
/// reader resets `since` after every event; past `limit` bytes the stream
/// fails and the reader reports the record limit (S009).
struct Guard {
    inner: Chain<Cursor<Vec<u8>>, Box<dyn Read + Send>>,
    since: usize,
    limit: usize,
    tripped: bool,
}

impl Read for Guard {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.since > self.limit {
            self.tripped = true;
            return Err(std::io::Error::other(
                "an XML event is longer than the limit",
            ));
        }
        let n = self.inner.read(buf)?;
        self.since += n;
        Ok(n)
    }
}

/// Fewest distinct field names that make an unknown element a record.
const MIN_FIELDS: usize = 3;

/// One value of a record: the field, its text in the text buffer, the line
/// it was on.
#[derive(Clone, Debug)]
struct Val {
    field: Field,
    text: Range<usize>,
    line: u64,
}

/// An open element.
#[derive(Clone, Debug)]
struct Frame {
    /// Text length when the element started (its attribute values follow).
    mark: usize,
    /// Where the element's own values start in `vals`.
    vals_start: usize,
    /// Where the element's own character data starts in `text`.
    text_start: usize,
    /// Where its local name starts in `names`.
    name_start: usize,
    /// The field its name stands for, if any.
    field: Option<Field>,
    /// Whether it has child elements (then it is not a leaf value).
    children: bool,
    /// Whether it has the name and depth of the records found so far.
    record_name: bool,
    /// Whether a record closed inside it (then it is a container, never a
    /// record, whatever its attributes say).
    holds_record: bool,
    byte: u64,
    line: u64,
}

/// The XML input of a [`Reader`](super::Reader).
pub(crate) struct XmlInput {
    rdr: quick_xml::Reader<Source>,
    buf: Vec<u8>,
    base: u64,
    line: u64,
    max_depth: usize,
    max_record: usize,
    stack: Vec<Frame>,
    names: Vec<u8>,
    text: Vec<u8>,
    vals: Vec<Val>,
    rec_text: Vec<u8>,
    rec_vals: Vec<Val>,
    rec_byte: u64,
    rec_line: u64,
    /// Local name and depth of the first record.
    record_name: Option<(Vec<u8>, usize)>,
    /// A record found at open is waiting to be read.
    pending: bool,
    root_seen: bool,
    /// Element and attribute names already looked up in the catalogue.
    names_seen: HashMap<Vec<u8>, Option<Field>>,
    file: Arc<str>,
    /// The index of the record being read, for the position of an error
    /// that stops the file.
    record: u64,
}

type Step<T> = std::result::Result<T, (Error, bool)>;

impl XmlInput {
    /// Bytes consumed so far.
    pub(crate) fn offset(&self) -> u64 {
        self.base + self.rdr.buffer_position()
    }

    fn loc(&self, byte: u64, line: u64) -> Location {
        Location::new(self.file.clone(), Position::new(byte, line, self.record))
    }

    fn xml_error(&self, e: XmlError, line: u64) -> Error {
        let byte = self.base + self.rdr.error_position();
        let loc = self.loc(byte, line);
        if self.rdr.get_ref().get_ref().tripped {
            return Error::structure(
                Code::Limit,
                self.loc(self.offset(), line),
                format!(
                    "an XML tag or text is longer than the limit of {} bytes",
                    self.max_record
                ),
            );
        }
        match e {
            XmlError::Io(io) => Error::io(
                self.file.clone(),
                std::io::Error::new(io.kind(), io.to_string()),
            ),
            XmlError::Syntax(
                s @ (SyntaxError::UnclosedTag
                | SyntaxError::UnclosedComment
                | SyntaxError::UnclosedCData
                | SyntaxError::UnclosedDoctype
                | SyntaxError::UnclosedPIOrXmlDecl),
            ) => Error::structure(
                Code::Truncated,
                loc,
                format!("the XML ends early: {s} (truncated file?)"),
            ),
            XmlError::Encoding(e) => {
                Error::structure(Code::Encoding, loc, format!("the XML is not UTF-8: {e}"))
            }
            other => Error::structure(
                Code::XmlSyntax,
                loc,
                format!("the XML is not well-formed: {other}"),
            ),
        }
    }

    fn push_text(&mut self, bytes: &[u8], line: u64) -> Result<()> {
        if self.text.len() + bytes.len() > self.max_record {
            let (byte, line) = self
                .stack
                .first()
                .map(|f| (f.byte, f.line))
                .unwrap_or((self.offset(), line));
            return Err(Error::structure(
                Code::Limit,
                self.loc(byte, line),
                format!(
                    "an XML record is longer than the limit of {} bytes",
                    self.max_record
                ),
            ));
        }
        self.text.extend_from_slice(bytes);
        Ok(())
    }

    /// Appends character data with XML line-end normalization (CRLF and a
    /// lone CR are LF), so that a value reads the same from a CRLF file.
    fn push_chars(&mut self, bytes: &[u8], line: u64) -> Result<()> {
        if memchr::memchr(b'\r', bytes).is_none() {
            return self.push_text(bytes, line);
        }
        let mut norm = Vec::with_capacity(bytes.len());
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {}
                b'\r' => norm.push(b'\n'),
                _ => norm.push(b),
            }
        }
        self.push_text(&norm, line)
    }

    /// Whether character data belongs to a value being read: only inside
    /// a field element that has no child element (so far).
    fn collecting(&self) -> bool {
        self.stack
            .last()
            .is_some_and(|f| f.field.is_some() && !f.children)
    }

    /// The field a local name stands for. A document uses a few dozen
    /// names over and over; the cache spares the case-insensitive search
    /// of the catalogue (and stays bounded on hostile input).
    fn field_of(&mut self, name: &[u8]) -> Option<Field> {
        if let Some(f) = self.names_seen.get(name) {
            return *f;
        }
        let f = std::str::from_utf8(name).ok().and_then(Field::from_header);
        if self.names_seen.len() < 1024 {
            self.names_seen.insert(name.to_vec(), f);
        }
        f
    }

    fn open_element(&mut self, e: &BytesStart<'_>, byte: u64, line: u64) -> Result<()> {
        if self.stack.len() >= self.max_depth {
            return Err(Error::structure(
                Code::Limit,
                self.loc(byte, line),
                format!(
                    "the XML nests deeper than the limit of {} elements",
                    self.max_depth
                ),
            ));
        }
        self.root_seen = true;
        if let Some(parent) = self.stack.last_mut() {
            if !parent.children {
                parent.children = true;
                // Character data before the first child is not a value.
                self.text.truncate(parent.text_start);
            }
        }
        let local = e.local_name();
        let name = local.as_ref();
        let depth = self.stack.len();
        let record_name = self
            .record_name
            .as_ref()
            .is_some_and(|(n, d)| *d == depth && n.as_slice() == name);
        let field = self.field_of(name);
        let name_start = self.names.len();
        self.names.extend_from_slice(name);
        let mark = self.text.len();
        let vals_start = self.vals.len();
        // Attributes may be written across lines: each value takes the line
        // its attribute is on, counted from the tag's start.
        let tag: &[u8] = e;
        let multiline = memchr::memchr(b'\n', tag).is_some();
        let (mut counted, mut attr_line) = (0usize, line);
        for attr in e.attributes() {
            let attr = attr.map_err(|err| {
                Error::structure(
                    Code::XmlSyntax,
                    self.loc(byte, line),
                    format!("the XML is not well-formed: {err}"),
                )
            })?;
            if attr.key.as_namespace_binding().is_some() {
                continue;
            }
            let key = attr.key.local_name();
            let Some(f) = self.field_of(key.as_ref()) else {
                continue;
            };
            if multiline {
                let raw: &[u8] = match &attr.value {
                    std::borrow::Cow::Borrowed(v) => v,
                    std::borrow::Cow::Owned(_) => attr.key.as_ref(),
                };
                if let Some(at) = offset_in(tag, raw).filter(|&at| at >= counted) {
                    attr_line += memchr_iter(b'\n', &tag[counted..at]).count() as u64;
                    counted = at;
                }
            }
            let bad = |err: &dyn std::fmt::Display| {
                Error::structure(
                    Code::XmlSyntax,
                    self.loc(byte, attr_line),
                    format!("the XML is not well-formed: {err}"),
                )
            };
            let value = if attr
                .value
                .iter()
                .any(|b| matches!(b, b'\t' | b'\n' | b'\r'))
            {
                // Attribute-value normalization (XML 1.0 §3.3.3): literal
                // line breaks and tabs are spaces (a CRLF is one); only
                // character references keep them.
                let mut norm = Vec::with_capacity(attr.value.len());
                let raw = &attr.value;
                for (i, &b) in raw.iter().enumerate() {
                    match b {
                        b'\r' if raw.get(i + 1) == Some(&b'\n') => {}
                        b'\t' | b'\n' | b'\r' => norm.push(b' '),
                        _ => norm.push(b),
                    }
                }
                let text = String::from_utf8(norm).map_err(|_| {
                    Error::structure(
                        Code::Encoding,
                        self.loc(byte, attr_line),
                        "an attribute value is not valid UTF-8",
                    )
                })?;
                quick_xml::escape::unescape(&text)
                    .map_err(|e| bad(&e))?
                    .into_owned()
                    .into()
            } else {
                attr.unescape_value().map_err(|e| bad(&e))?
            };
            let start = self.text.len();
            self.push_text(value.trim().as_bytes(), attr_line)?;
            self.vals.push(Val {
                field: f,
                text: start..self.text.len(),
                line: attr_line,
            });
        }
        let text_start = self.text.len();
        self.stack.push(Frame {
            mark,
            vals_start,
            text_start,
            name_start,
            field,
            children: false,
            record_name,
            holds_record: false,
            byte,
            line,
        });
        Ok(())
    }

    /// Closes the innermost element; true when it was a record (now in the
    /// record buffers).
    fn close_element(&mut self) -> bool {
        let Some(f) = self.stack.pop() else {
            return false;
        };
        let own = &self.vals[f.vals_start..];
        let distinct = {
            let mut seen: Vec<Field> = Vec::with_capacity(own.len());
            for v in own {
                if !seen.contains(&v.field) {
                    seen.push(v.field);
                }
            }
            seen.len()
        };
        let is_record = !f.holds_record && (f.record_name || distinct >= MIN_FIELDS);
        if is_record || f.holds_record {
            if let Some(parent) = self.stack.last_mut() {
                parent.holds_record = true;
            }
        }
        if is_record {
            self.rec_text.clear();
            self.rec_vals.clear();
            for v in &self.vals[f.vals_start..] {
                let s = self.rec_text.len();
                self.rec_text.extend_from_slice(&self.text[v.text.clone()]);
                self.rec_vals.push(Val {
                    field: v.field,
                    text: s..self.rec_text.len(),
                    line: v.line,
                });
            }
            self.rec_byte = f.byte;
            self.rec_line = f.line;
            if self.record_name.is_none() {
                self.record_name = Some((self.names[f.name_start..].to_vec(), self.stack.len()));
            }
            self.vals.truncate(f.vals_start);
            self.text.truncate(f.mark);
            self.names.truncate(f.name_start);
            return true;
        }
        self.vals.truncate(f.vals_start);
        self.names.truncate(f.name_start);
        match (f.children, f.field) {
            (false, Some(field)) if !self.stack.is_empty() => {
                // A leaf value: it becomes a value of its parent. Its own
                // attribute values (already dropped) leave some text behind
                // that the parent's end reclaims.
                let raw = &self.text[f.text_start..];
                let lead = raw.iter().take_while(|b| b.is_ascii_whitespace()).count();
                let trail = raw[lead..]
                    .iter()
                    .rev()
                    .take_while(|b| b.is_ascii_whitespace())
                    .count();
                let text = f.text_start + lead..self.text.len() - trail;
                self.vals.push(Val {
                    field,
                    text,
                    line: f.line,
                });
            }
            _ => self.text.truncate(f.mark),
        }
        false
    }

    /// Reads events until the next record closes. False at the end.
    fn next_record(&mut self) -> Result<bool> {
        // The event buffer is taken out of `self` so that events borrowing
        // it can be handled by methods of `self`; it goes back afterwards,
        // keeping its allocation.
        let mut buf = std::mem::take(&mut self.buf);
        let r = self.events(&mut buf);
        self.buf = buf;
        r
    }

    fn events(&mut self, buf: &mut Vec<u8>) -> Result<bool> {
        loop {
            let byte = self.offset();
            let line = self.line;
            buf.clear();
            let ev = match self.rdr.read_event_into(buf) {
                Ok(ev) => ev,
                Err(e) => return Err(self.xml_error(e, line)),
            };
            self.rdr.get_mut().get_mut().since = 0;
            let newlines = |b: &[u8]| memchr_iter(b'\n', b).count() as u64;
            match ev {
                Event::Start(e) => {
                    self.line += newlines(&e);
                    self.open_element(&e, byte, line)?;
                }
                Event::Empty(e) => {
                    self.line += newlines(&e);
                    self.open_element(&e, byte, line)?;
                    if self.close_element() {
                        return Ok(true);
                    }
                }
                Event::End(_) => {
                    if self.close_element() {
                        return Ok(true);
                    }
                }
                Event::Text(t) => {
                    if self.collecting() {
                        self.push_chars(&t, line)?;
                    }
                    self.line += newlines(&t);
                }
                Event::CData(t) => {
                    if self.collecting() {
                        self.push_chars(&t, line)?;
                    }
                    self.line += newlines(&t);
                }
                Event::GeneralRef(r) => {
                    let ch = match r.resolve_char_ref() {
                        Ok(Some(c)) => c,
                        Ok(None) => match &*r {
                            b"lt" => '<',
                            b"gt" => '>',
                            b"amp" => '&',
                            b"apos" => '\'',
                            b"quot" => '"',
                            other => {
                                return Err(Error::structure(
                                    Code::XmlSyntax,
                                    self.loc(byte, line),
                                    format!(
                                        "the XML uses the undefined entity &{};  (only the five \
                                         predefined entities are decoded; none is ever expanded)",
                                        String::from_utf8_lossy(other)
                                    ),
                                ))
                            }
                        },
                        Err(e) => {
                            return Err(Error::structure(
                                Code::XmlSyntax,
                                self.loc(byte, line),
                                format!("the XML has a bad character reference: {e}"),
                            ))
                        }
                    };
                    if self.collecting() {
                        let mut tmp = [0u8; 4];
                        self.push_text(ch.encode_utf8(&mut tmp).as_bytes(), line)?;
                    }
                }
                Event::DocType(t) => {
                    let entity = t.windows(8).any(|w| w.eq_ignore_ascii_case(b"<!ENTITY"));
                    if t.contains(&b'[') || entity {
                        return Err(Error::structure(
                            Code::Doctype,
                            self.loc(byte, line),
                            "the XML has a DOCTYPE with an internal subset or entity \
                             declarations; entities are never expanded, so the file is refused",
                        ));
                    }
                    self.line += newlines(&t);
                }
                Event::Decl(d) => {
                    if let Some(Ok(enc)) = d.encoding() {
                        let ok = [&b"utf-8"[..], b"utf8", b"us-ascii", b"ascii"]
                            .iter()
                            .any(|e| enc.eq_ignore_ascii_case(e));
                        if !ok {
                            return Err(Error::structure(
                                Code::Encoding,
                                self.loc(byte, line),
                                format!(
                                    "the XML declares the encoding {:?}; only UTF-8 is read \
                                     (convert the file to UTF-8 first)",
                                    String::from_utf8_lossy(&enc)
                                ),
                            ));
                        }
                    }
                    self.line += newlines(&d);
                }
                Event::Comment(t) => self.line += newlines(&t),
                Event::PI(t) => self.line += newlines(&t),
                Event::Eof => {
                    if let Some(open) = self.stack.last() {
                        let name = String::from_utf8_lossy(&self.names[open.name_start..]);
                        return Err(Error::structure(
                            Code::Truncated,
                            self.loc(byte, line),
                            format!(
                                "the XML ends with <{name}> (opened on line {}) and {} more \
                                 element(s) not closed (truncated file?)",
                                open.line,
                                self.stack.len() - 1
                            ),
                        ));
                    }
                    return Ok(false);
                }
            }
        }
    }

    /// The line of the value of `field` (a canonical name) in the last
    /// record read.
    pub(crate) fn value_line(&self, field: &str) -> Option<u64> {
        self.rec_vals
            .iter()
            .rev()
            .find(|v| v.field.name() == field)
            .map(|v| v.line)
    }

    /// Reads one interval record into `row`.
    pub(crate) fn read_row<T: IntervalRow>(
        &mut self,
        asm: &mut Assembler,
        record: u64,
        row: &mut T,
    ) -> Step<bool> {
        self.record = record;
        if !std::mem::take(&mut self.pending) && !self.next_record().map_err(|e| (e, true))? {
            return Ok(false);
        }
        let pos = Position::new(self.rec_byte, self.rec_line, record);
        asm.begin(row);
        for v in &self.rec_vals {
            let off = u32::try_from(v.line.saturating_sub(self.rec_line)).unwrap_or(u32::MAX);
            asm.value(row, v.field, &self.rec_text[v.text.clone()], pos, off)
                .map_err(|e| (e, false))?;
        }
        asm.finish(row, pos).map_err(|e| (e, false))?;
        Ok(true)
    }
}

/// Where `part`, a slice of `whole`, starts in it (quick-xml hands out an
/// attribute's key and raw value as slices of its tag, without their
/// offsets).
fn offset_in(whole: &[u8], part: &[u8]) -> Option<usize> {
    let (w, p) = (whole.as_ptr() as usize, part.as_ptr() as usize);
    let at = p.checked_sub(w)?;
    (at + part.len() <= whole.len()).then_some(at)
}

/// Opens an XML source and reads up to its first record to tell the
/// report kind.
pub(crate) fn open(
    b: &ReaderBuilder,
    asm: &Assembler,
    pending: Vec<u8>,
    offset: u64,
    rdr: Box<dyn Read + Send>,
) -> Result<(XmlInput, ReportKind)> {
    let capacity = b.buffer_size.max(4096);
    let guard = Guard {
        inner: Cursor::new(pending).chain(rdr),
        since: 0,
        limit: b.max_record.saturating_add(capacity),
        tripped: false,
    };
    let src = BufReader::with_capacity(capacity, guard);
    let mut reader = quick_xml::Reader::from_reader(src);
    let cfg = reader.config_mut();
    cfg.trim_text(false);
    cfg.check_end_names = true;
    cfg.expand_empty_elements = false;
    let mut input = XmlInput {
        rdr: reader,
        buf: Vec::with_capacity(1024),
        base: offset,
        line: 1,
        max_depth: b.max_depth,
        max_record: b.max_record,
        stack: Vec::new(),
        names: Vec::new(),
        text: Vec::new(),
        vals: Vec::new(),
        rec_text: Vec::new(),
        rec_vals: Vec::new(),
        rec_byte: 0,
        rec_line: 0,
        record_name: None,
        pending: false,
        root_seen: false,
        names_seen: HashMap::new(),
        file: asm.file.clone(),
        record: 0,
    };
    let found = input.next_record()?;
    input.pending = found;
    let kind = if found {
        let has = |f: Field| input.rec_vals.iter().any(|v| v.field == f);
        b.report.or_else(|| kind_from_fields(has)).ok_or_else(|| {
            Error::structure(
                Code::UnknownReport,
                input.loc(input.rec_byte, input.rec_line),
                "the first XML record has neither a queue nor an agent_id field",
            )
        })?
    } else {
        let why = if input.root_seen {
            "the XML holds no record (no element carries three or more report fields)"
        } else {
            "the XML has no root element"
        };
        b.report
            .filter(|_| input.root_seen)
            .ok_or_else(|| Error::structure(Code::UnknownReport, input.loc(0, 1), why))?
    };
    if kind == ReportKind::Segments {
        return Err(Error::usage(format!(
            "{}: interaction metadata is JSON; an XML file cannot hold segments",
            input.file
        )));
    }
    Ok((input, kind))
}
