//! Where a record or a value sits in its source.
//!
//! Every row a reader yields and every error or diagnostic it reports carries
//! a [`Position`]. The bases are fixed and documented so that positions can be
//! compared across wire forms:
//!
//! * `byte` is the 0-based offset of the first byte of the record in the
//!   source, counting any byte-order mark;
//! * `line` is the 1-based *physical* line on which the record starts (blank
//!   lines, title lines and newlines inside quoted fields all count);
//! * `record` is the 0-based index of the data record among the records of
//!   the source (a header row is not a data record).

use std::fmt;
use std::sync::Arc;

/// The position of a record in its source. See the [module docs](self) for
/// the bases of each number.
///
/// ```
/// use ringcx_reports::Position;
/// let p = Position::new(120, 4, 2);
/// assert_eq!((p.byte(), p.line(), p.record()), (120, 4, 2));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Position {
    byte: u64,
    line: u64,
    record: u64,
}

impl Position {
    /// A position from its three coordinates.
    pub const fn new(byte: u64, line: u64, record: u64) -> Self {
        Position { byte, line, record }
    }
    /// 0-based byte offset of the record's first byte.
    pub const fn byte(&self) -> u64 {
        self.byte
    }
    /// 1-based physical line on which the record starts.
    pub const fn line(&self) -> u64 {
        self.line
    }
    /// 0-based index of the data record.
    pub const fn record(&self) -> u64 {
        self.record
    }
    /// The same position on another line (used for a value that sits on a
    /// later physical line of a record spanning several lines).
    pub const fn with_line(self, line: u64) -> Self {
        Position { line, ..self }
    }
}

/// Where a finding sits: the file, the position in it and, when known, the
/// field (canonical snake_case name, or the column header as written for an
/// unknown column).
///
/// ```
/// use ringcx_reports::{Location, Position};
/// let loc = Location::new("q.csv", Position::new(0, 3, 1)).with_field("queue");
/// assert_eq!(loc.to_string(), "q.csv:3: queue");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    /// The file (as given by the caller) or a label such as `<stdin>`.
    pub file: Arc<str>,
    /// The position of the record.
    pub pos: Position,
    /// The field, when the finding concerns one value.
    pub field: Option<Arc<str>>,
}

impl Location {
    /// A location without a field.
    pub fn new(file: impl Into<Arc<str>>, pos: Position) -> Self {
        Location {
            file: file.into(),
            pos,
            field: None,
        }
    }
    /// The same location, naming a field.
    pub fn with_field(mut self, field: impl Into<Arc<str>>) -> Self {
        self.field = Some(field.into());
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.pos.line)?;
        if let Some(field) = &self.field {
            write!(f, ": {field}")?;
        }
        Ok(())
    }
}

/// `{"file": …, "pos": {"byte": …, "line": …, "record": …}, "field": … or
/// null}`.
#[cfg(feature = "serde")]
impl serde::Serialize for Location {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Location", 3)?;
        st.serialize_field("file", &*self.file)?;
        st.serialize_field("pos", &self.pos)?;
        st.serialize_field("field", &self.field.as_deref())?;
        st.end()
    }
}
