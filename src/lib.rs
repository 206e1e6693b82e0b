//! Read, validate and roll up RingCX workforce-management integration reports.
#![warn(missing_docs)]

pub mod convert;
pub mod diagnostic;
pub mod error;
pub mod gen;
pub mod inspect;
pub mod model;
pub mod position;
pub mod progress;
pub mod read;
pub mod rollup;
pub mod timeline;
pub mod validate;
pub mod write;

pub use diagnostic::{Code, Diagnostic, Severity};
pub use error::{Error, ErrorKind, Result};
pub use model::{
    AgentExtRow, AgentRow, DateOrder, Field, IntervalLength, IntervalRow, IntervalStart, QueueRow,
    ReportKind, Segment, SegmentEvent, WireForm,
};
pub use position::{Location, Position};
pub use read::{CsvDialect, Reader, ReaderBuilder};

// The README's examples are compiled (not run) as doctests, so they cannot
// drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
