//! Interval rows from JSON records: each member of a record, resolved to
//! a [`Field`], goes through the shared [`Assembler`] as its text.

use std::fmt;

use serde::de::{IgnoredAny, MapAccess, Visitor};

use super::frame::ValueLines;
use super::seed::{KeyCache, KeySeed, Scalar, ScalarSeed};
use super::{deserialize_record, fatal, JsonInput, Step};
use crate::diagnostic::Code;
use crate::error::Error;
use crate::model::{Field, IntervalRow};
use crate::position::Position;
use crate::read::assemble::Assembler;

impl JsonInput {
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
        let parsed = deserialize_record(bytes, visitor);
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
