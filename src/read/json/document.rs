//! The walk through a JSON document: its shape (array, wrapped array or
//! NDJSON), then its records one at a time, each framed in the buffer
//! without being parsed; and, for a chunk of the file, where its first
//! record may start.

use memchr::memchr;

use super::{Elem, JsonInput, Mode};
use crate::diagnostic::Code;
use crate::error::{Error, Result};
use crate::model::WireForm;

/// Where the next top-level record stands.
pub(super) enum Next {
    /// There is none.
    End,
    /// It was framed already.
    Framed(Elem),
    /// It starts the pending bytes, inside this many levels of nesting.
    At(usize),
}

impl JsonInput {
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

    /// Decides the shape of the document: array, wrapped array or NDJSON.
    /// Nothing is consumed when the document is NDJSON.
    pub(super) fn detect(&mut self) -> Result<WireForm> {
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
    pub(super) fn next_elem(&mut self) -> Result<Option<Elem>> {
        match self.elem_start()? {
            Next::End => Ok(None),
            Next::Framed(e) => Ok(Some(e)),
            Next::At(depth) => self.take_elem(depth).map(Some),
        }
    }

    /// Moves to the next top-level record; see [`Next`].
    pub(super) fn elem_start(&mut self) -> Result<Next> {
        if let Some(e) = self.first.take() {
            return Ok(Next::Framed(e));
        }
        match self.mode {
            Mode::End => Ok(Next::End),
            Mode::Ndjson => {
                let Some(i) = self.non_space(0)? else {
                    self.consume(self.buf.pending().len());
                    self.mode = Mode::End;
                    return Ok(Next::End);
                };
                self.consume(i);
                if self.offset() >= self.stop {
                    self.mode = Mode::End;
                    return Ok(Next::End);
                }
                Ok(Next::At(0))
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
                    return Ok(Next::End);
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
                    return Ok(Next::End);
                }
                self.mode = Mode::Array { wrapped, sep: true };
                // The element sits inside the array (and the wrapper).
                let depth = if wrapped { 2 } else { 1 };
                Ok(Next::At(depth))
            }
        }
    }

    /// Frames the record that starts the pending bytes, inside `depth`
    /// levels of nesting, and takes it.
    pub(super) fn take_elem(&mut self, depth: usize) -> Result<Elem> {
        let end = self.frame(0, depth)?;
        Ok(self.take_framed(end))
    }

    /// Takes the first `len` pending bytes: a record whose extent is
    /// known.
    pub(super) fn take_framed(&mut self, len: usize) -> Elem {
        let elem = Elem {
            start: self.buf.start(),
            end: self.buf.start() + len,
            byte: self.offset(),
            line: self.line,
            col: self.offset() - self.line_begin + 1,
        };
        self.consume(len);
        elem
    }

    /// Where the record that starts the pending bytes (inside `depth`
    /// levels of nesting) ends if it is an object on its own line: at the
    /// last `}` before the line break, past white space and, in an array,
    /// the comma. A guess, for a reader that proves it (a walk of the
    /// record that ends exactly there); `None` when there is nothing to
    /// guess from, or the guesses keep finding no line break (one long
    /// line: a minified array), which then stops them for this input.
    pub(super) fn guess_line_elem(&mut self, depth: usize) -> Option<usize> {
        /// How far a guess looks for a line break, and how many misses in
        /// a row stop the guesses.
        const WINDOW: usize = 64 * 1024;
        const MISSES: u32 = 8;
        if self.guess_misses >= MISSES {
            return None;
        }
        let p = self.buf.pending();
        let Some(nl) = memchr(b'\n', &p[..p.len().min(WINDOW)]) else {
            self.guess_misses += 1;
            return None;
        };
        self.guess_misses = 0;
        let blank = |c: u8| matches!(c, b' ' | b'\t' | b'\r');
        let mut end = nl;
        while end > 0 && blank(p[end - 1]) {
            end -= 1;
        }
        if depth > 0 && end > 0 && p[end - 1] == b',' {
            end -= 1;
            while end > 0 && blank(p[end - 1]) {
                end -= 1;
            }
        }
        (end > 0 && p[end - 1] == b'}').then_some(end)
    }
}
