//! The legacy CSV wire form, in layers: [`fields`] (the fields of one
//! record), [`tokenize`] (a tokenizer that cannot fail except on an
//! unclosed quote at the end of input), [`source`] (a streaming source over
//! any `Read` that keeps one reusable buffer) and [`decode`] (a record's
//! fields into a typed row). This module holds the input a
//! [`Reader`](super::Reader) reads; a file's dialect and column layout are
//! detected by [`detect`](super::detect).

mod decode;
mod fields;
mod source;
mod tokenize;

use std::io::Read;

pub(crate) use self::source::{source_error, CsvSource, RecordAt, SourceError};
use crate::model::Field;

/// The CSV input of a [`Reader`](super::Reader): a source and the column
/// each field fills.
pub(crate) struct CsvInput {
    src: CsvSource<Box<dyn Read + Send>>,
    columns: Vec<Option<Field>>,
    /// Records starting at or after this byte are not read (a chunk's end;
    /// `u64::MAX` for a whole file).
    stop: u64,
    /// A value with its `""` escapes undone.
    unescaped: String,
}

impl CsvInput {
    /// An input over `src`, standing at a data record, whose fields fill
    /// `columns`; it stops before the first record starting at or after
    /// `stop` (`u64::MAX`: the whole file; a chunk's end, see
    /// `read::chunk`).
    pub(crate) fn new(
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
    /// Bytes consumed so far.
    pub(crate) fn offset(&self) -> u64 {
        self.src.offset()
    }
}
