//! Typed rows: what every wire form of a report is read into.
//!
//! * [`QueueRow`], [`AgentExtRow`], [`AgentRow`]: the three interval reports,
//!   sharing the [`IntervalRow`] trait;
//! * [`Field`]: the catalogue of field names, JSON names and aliases;
//! * [`IntervalLength`], [`IntervalStart`]: interval time
//!   in the source zone, with the DST rules of SPEC 2.5;
//! * [`Segment`]: one segment of interaction metadata (SPEC 2.4), both
//!   export generations in one row, its instants read by [`parse_instant`];
//! * `segment_field` (crate-internal): the catalogue of interaction-metadata
//!   JSON keys, both generations, and the [`Segment`] field each fills;
//! * `zones` (crate-internal): the common zones a wall-clock time repeats or
//!   vanishes in, behind the source-zone hints.

mod field;
mod instant;
mod interval;
mod repull;
mod rows;
mod segment;
#[cfg(feature = "json")]
mod segment_field;
mod value;
pub(crate) mod zones;

use std::fmt;
use std::str::FromStr;

pub use field::{Field, FieldType};
pub use instant::{format_instant, instant_from_millis, parse_instant};
pub use interval::{
    parse_date, parse_zone, write_rfc3339, DateOrder, IntervalLength, IntervalStart, LocalResolver,
    ResolveError, PRINTABLE_YEARS,
};
pub(crate) use interval::{parse_date_time, parse_time, FallBackWindow};
pub(crate) use interval::{slash_date, slash_parts};
pub use repull::Completeness;
pub use rows::{AgentExtRow, AgentRow, IntervalRow, QueueRow, Value};
pub(crate) use segment::secs_text;
pub(crate) use segment::SegmentRead;
pub use segment::{
    Direction, Segment, SegmentEvent, SegmentGeneration, DEFAULT_MAX_SEGMENT_SPAN_MS,
};
#[cfg(feature = "json")]
pub(crate) use segment_field::SegKey;
#[cfg(feature = "json")]
pub(crate) use value::parse_decimal;
pub(crate) use value::trim;
pub use value::{parse_count, Problem};

/// Which report a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[non_exhaustive]
pub enum ReportKind {
    /// Queue Statistics (SPEC 2.1).
    #[cfg_attr(feature = "cli", value(help = "Queue Statistics"))]
    Queue,
    /// Agent Extended Statistics (SPEC 2.2).
    #[cfg_attr(feature = "cli", value(help = "Agent Extended Statistics"))]
    AgentExt,
    /// Agent Statistics (SPEC 2.3).
    #[cfg_attr(feature = "cli", value(help = "Agent Statistics"))]
    Agent,
    /// Interaction (segment) metadata (SPEC 2.4).
    #[cfg_attr(feature = "cli", value(help = "Interaction (segment) metadata"))]
    Segments,
}

impl ReportKind {
    /// The name used on the command line: `queue`, `agent-ext`, `agent`,
    /// `segments`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ReportKind::Queue => "queue",
            ReportKind::AgentExt => "agent-ext",
            ReportKind::Agent => "agent",
            ReportKind::Segments => "segments",
        }
    }
    /// The Teleopti title line for this report, if it has one.
    pub const fn title_line(self) -> Option<&'static str> {
        match self {
            ReportKind::Queue => Some("Teleopti.Queue.Data"),
            ReportKind::AgentExt => Some("Teleopti.AgentQueue.Data"),
            ReportKind::Agent => Some("Teleopti.Agent.Data"),
            ReportKind::Segments => None,
        }
    }
}

impl fmt::Display for ReportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ReportKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "queue" | "queue-stats" => Ok(ReportKind::Queue),
            "agent-ext" | "agent-extended" | "agent-queue" => Ok(ReportKind::AgentExt),
            "agent" | "agent-stats" => Ok(ReportKind::Agent),
            "segments" | "segment" | "interactions" => Ok(ReportKind::Segments),
            other => Err(format!(
                "unknown report {other:?}; expected queue, agent-ext, agent or segments"
            )),
        }
    }
}

/// Which wire form a file is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[non_exhaustive]
pub enum WireForm {
    /// Legacy CSV (any delimiter, with or without header).
    Csv,
    /// Legacy XML.
    Xml,
    /// Current JSON: an array, or an array under `records`/`data`.
    Json,
    /// Newline-delimited JSON objects.
    Ndjson,
}

impl WireForm {
    /// `csv`, `xml`, `json` or `ndjson`.
    pub const fn as_str(self) -> &'static str {
        match self {
            WireForm::Csv => "csv",
            WireForm::Xml => "xml",
            WireForm::Json => "json",
            WireForm::Ndjson => "ndjson",
        }
    }
}

impl fmt::Display for WireForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for WireForm {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(WireForm::Csv),
            "xml" => Ok(WireForm::Xml),
            "json" => Ok(WireForm::Json),
            "ndjson" | "jsonl" => Ok(WireForm::Ndjson),
            other => Err(format!(
                "unknown wire form {other:?}; expected csv, xml, json or ndjson"
            )),
        }
    }
}
