//! Read, validate and roll up RingCX workforce-management integration reports.
//!
//! RingCX exports contact-center interval reports (Queue Statistics, Agent
//! Extended Statistics, Agent Statistics) for workforce-management tools.
//! This crate reads them as a stream into typed rows with positioned errors,
//! in the zone the report was requested in and correct across daylight
//! saving, and turns them into the KPIs a planner checks: service level,
//! abandon rate, AHT, ASA, occupancy and transfer rate per queue, agent or
//! group and time bucket. The `rcx` command-line tool is a thin layer over
//! the same calls.
//!
//! # The data flow
//!
//! ```text
//! bytes ──> read ──> typed rows ──┬─> validate  (every defect, with a code)
//!  (file,   (Reader,   (QueueRow, ├─> rollup    (KPIs by key and bucket)
//!   &[u8],   dialect,   AgentExt- └─> convert   (Teleopti, CSV, NDJSON, Parquet)
//!   Read)    zone)      Row, …)            │
//!                                           └──> write (CSV, JSON, table,
//!                                                 Analytics API, charts)
//! ```
//!
//! Nothing in [`read`] knows about metrics, nothing in [`rollup`] knows
//! about file formats, and only [`write`](mod@write) formats output.
//!
//! # Set-up
//!
//! ```sh
//! cargo add ringcx-reports          # as a library
//! cargo install ringcx-reports      # the rcx tool
//! ```
//!
//! From a clone: `cargo run --release -- rollup fixtures/queue_header.csv`
//! runs the main job on a bundled fixture, and `cargo test` runs the tests.
//!
//! # Examples
//!
//! Stream rows, reusing one row value (no allocation per row), and stop at
//! the first bad value with its file, line, field and raw value:
//!
//! ```
//! use ringcx_reports::{QueueRow, ReaderBuilder};
//!
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/queue_header.csv");
//! let tz = "America/New_York".parse().unwrap();
//! let mut reader = ReaderBuilder::new().source_tz(tz).from_path(path)?;
//! let mut row = QueueRow::default();
//! let mut starts = Vec::new();
//! while reader.read_row(&mut row)? {
//!     starts.push(format!("{} {}", row.start.to_rfc3339(), row.queue));
//! }
//! assert_eq!(starts[0], "2024-03-04T08:00:00-05:00 5686");
//! assert_eq!(starts.len(), 4);
//! # Ok::<(), ringcx_reports::Error>(())
//! ```
//!
//! Roll files up by queue and local day, in parallel, into typed metrics
//! (ratios are `Option<Decimal>`: `None` when the denominator is 0):
//!
//! ```
//! use ringcx_reports::rollup::{Grouping, Rollup};
//! use ringcx_reports::window::BucketInterval;
//! use ringcx_reports::ReaderBuilder;
//!
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/queue_dst_days_ny.csv");
//! let table = Rollup::new()
//!     .by(Grouping::Queue)
//!     .interval(BucketInterval::Day)
//!     .source_tz("America/New_York".parse().unwrap())
//!     .run_files(&[path], &ReaderBuilder::new())?;
//! let r = &table.records()[1];
//! assert_eq!(r.keys(), ["5686", "Sales"]);
//! assert_eq!(r.bucket_start().to_rfc3339(), "2024-11-03T00:00:00-04:00"); // a 25-hour day
//! assert_eq!(r.bucket_end().to_rfc3339(), "2024-11-04T00:00:00-05:00");
//! let q = r.queue().unwrap();
//! assert_eq!((q.offered, q.sums.answered), (200, 100));
//! assert_eq!(q.service_level_pct().unwrap().to_string(), "50.00");
//! # Ok::<(), ringcx_reports::Error>(())
//! ```
//!
//! More in the [tutorial](doc::tutorial), the [cookbook](doc::cookbook), and
//! `examples/` (`validate_upload`, `rollup_by_queue`, `to_teleopti`,
//! `sum_answered`).
//!
//! # Modules
//!
//! | module | what it holds |
//! |---|---|
//! | [`read`] | [`ReaderBuilder`] and [`Reader`]: detection of report kind, wire form and CSV dialect; `read_row` and `rows` |
//! | [`model`] | the typed rows ([`QueueRow`], [`AgentExtRow`], [`AgentRow`]), the [`Field`] catalogue, interval starts and zones |
//! | [`position`], [`error`], [`diagnostic`] | [`Position`] and [`Location`] on every row and error; [`Error`]; stable [`Code`]s |
//! | [`option`] | [`OptionName`]: how errors and hints name an option (`` `columns` ``, the builder method's name; `rcx` prints its flag instead) |
//! | [`validate`] | [`Validator`](validate::Validator): every defect of a file, never stopping at the first |
//! | [`window`] | the time-and-key layer below rollup, timeline and convert: zones, DST-correct buckets, time filters, the order of keys, the [`Window`](window::Window) options block |
//! | [`rollup`] | [`Rollup`](rollup::Rollup) builder and [`RollupTable`](rollup::RollupTable): KPIs by key and DST-correct bucket |
//! | [`calls`] | [`Calls`](calls::Calls) builder and [`CallsTable`](calls::CallsTable): service level, abandon rate, ASA, AHT and transfers from interaction metadata, by key and DST-correct bucket |
//! | [`convert`] | [`Converter`](convert::Converter): Teleopti layout, canonical CSV, NDJSON, Parquet |
//! | [`write`](mod@write) | writers of rows and tables (CSV, JSON, NDJSON, aligned table, Analytics API shape, Teleopti, Parquet, charts) |
//! | [`inspect`], [`gen`], [`progress`] | file summaries, synthetic exports for benchmarks, progress counting |
//! | [`doc`] | the tutorial and the cookbook (documentation only) |
//!
//! # Cargo features
//!
//! | feature | default | what it brings |
//! |---|---|---|
//! | `cli` | yes | the `rcx` binary (clap), progress bar (indicatif), shell completions; `clap::ValueEnum` on the option enums; enables `gen` |
//! | `gen` | with `cli` | [`gen`]: synthetic exports for benchmarks and tests |
//! | `xml` | yes | legacy XML wire form (quick-xml) |
//! | `json` | yes | current JSON wire form and interaction metadata |
//! | `parquet` | no | `write::parquet` and `rcx convert --to parquet` (arrow-rs) |
//! | `plot` | no | `write::plot` and `rcx plot`: SVG and PNG charts (plotters, a bundled DejaVu Sans font; no system libraries) |
//!
//! An embedder that only reads CSV can depend on the crate with
//! `default-features = false`.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod calls;
pub mod convert;
pub mod diagnostic;
pub mod doc;
pub mod error;
#[cfg(feature = "gen")]
pub mod gen;
pub mod inspect;
pub mod model;
pub mod option;
pub mod position;
pub mod progress;
pub mod pulls;
pub mod read;
pub mod rollup;
mod runs;
mod sort;
pub mod timeline;
pub mod validate;
pub mod window;
pub mod write;

pub use diagnostic::{Code, Diagnostic, Severity};
pub use error::{Error, ErrorKind, Result};
pub use model::{
    AgentExtRow, AgentRow, DateOrder, Field, IntervalLength, IntervalRow, IntervalStart, QueueRow,
    ReportKind, Segment, SegmentEvent, WireForm,
};
pub use option::OptionName;
pub use position::{Location, Position};
pub use read::{CsvDialect, DateOrderBasis, DateOrderChoice, Reader, ReaderBuilder};

// The README's examples are compiled (not run) as doctests, so they cannot
// drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
