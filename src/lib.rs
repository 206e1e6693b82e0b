//! Read, validate and roll up RingCX workforce-management integration reports.
#![warn(missing_docs)]

pub mod diagnostic;
pub mod error;
pub mod inspect;
pub mod model;
pub mod position;
pub mod read;
pub mod write;

pub use diagnostic::{Code, Diagnostic, Severity};
pub use error::{Error, ErrorKind, Result};
pub use model::{
    AgentExtRow, AgentRow, DateOrder, Field, IntervalLength, IntervalRow, IntervalStart, QueueRow,
    ReportKind, Segment, SegmentEvent, WireForm,
};
pub use position::{Location, Position};
pub use read::{CsvDialect, Reader, ReaderBuilder};
