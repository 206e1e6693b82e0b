//! Row decoding: the fields of one CSV record into a typed row, through
//! the shared [`Assembler`].

use super::fields::unescape_into;
use super::source::source_error;
use super::CsvInput;
use crate::diagnostic::Code;
use crate::error::Error;
use crate::model::IntervalRow;
use crate::position::{Location, Position};
use crate::read::assemble::Assembler;

impl CsvInput {
    /// Reads one CSV record into `row`. The error flag says whether the
    /// error is fatal for the source.
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
