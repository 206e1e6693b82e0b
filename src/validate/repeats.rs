//! The duplicate-key rule (F401) for the commands that stop on a duplicate
//! rather than report it (`rcx parse`, [`write_rows`]): the same file rule
//! `validate` runs (see the [`file`](super::file) module), so the rows it
//! refuses, its message and its memory bound are those of `validate`.
//! Closed keys are forgotten ([`FileRules::forget_closed`]), so on a
//! time-ordered file only the keys of open intervals are kept.
//!
//! [`write_rows`]: crate::write::write_rows

use super::file::{FileRules, DEFAULT_MAX_RUNS};
use super::rules::Findings;
use super::start_field;
use crate::diagnostic::Code;
use crate::error::Error;
use crate::model::IntervalRow;
use crate::read::Reader;

/// Per-file detection of rows that repeat a key and start instant beyond
/// the fall-back repeat (the reader has already given the rows of a
/// repeated fall-back hour their own instants, SPEC 2.5).
pub(crate) struct Repeats {
    rules: FileRules,
    found: Findings,
}

impl Repeats {
    /// For the rows of `reader`.
    pub fn new(reader: &Reader) -> Self {
        Repeats {
            rules: FileRules::new(false, DEFAULT_MAX_RUNS, start_field(reader.form()))
                .forget_closed(),
            found: Findings::new(reader.file().clone()),
        }
    }

    /// The F401 error when `row`, the row `reader` read last, repeats the
    /// key and start of an earlier row of the file (which stays the one
    /// kept); otherwise `None`, and the row is recorded.
    pub fn check<T: IntervalRow>(&mut self, row: &T, reader: &Reader) -> Option<Error> {
        self.found.out.clear();
        self.rules.row(row, &mut self.found);
        // The other file rules' findings (F402) are `validate`'s alone.
        let i = self
            .found
            .out
            .iter()
            .position(|d| d.code == Code::DuplicateKey)?;
        self.found.at_value_lines(i, reader);
        Some(Error::from(self.found.out.swap_remove(i)))
    }

    /// Rows that could not be checked: they may repeat a key forgotten or
    /// a run dropped earlier (input not in time order).
    pub fn unchecked(&self) -> u64 {
        self.rules.unchecked
    }
}
