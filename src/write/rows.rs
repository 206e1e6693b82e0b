//! Typed interval rows as NDJSON or CSV with canonical snake_case names
//! (what `rcx parse` prints).
//!
//! JSON is written by hand here, not through `serde_json`: this is the
//! per-row path of `rcx parse` and `convert`, one reused line buffer, no
//! allocation per row. Strings are escaped by [`json_string`] (which is
//! `serde_json`'s escaping); the `serde` feature's `Serialize` for the rows
//! gives the same objects (`tests/serialize.rs`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::str::FromStr;

use chrono::{Datelike, Timelike};

use super::{csv_field, json_string};
use crate::diagnostic::Code;
use crate::error::{Error, Result};
use crate::model::{AgentExtRow, AgentRow, Field, IntervalRow, QueueRow, ReportKind, Value};
use crate::read::Reader;
use crate::validate::repeats::Repeats;

/// Output format of typed rows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[non_exhaustive]
pub enum ParseFormat {
    /// One JSON object per line.
    #[default]
    Ndjson,
    /// CSV with a header row.
    Csv,
}

impl FromStr for ParseFormat {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "ndjson" | "jsonl" => Ok(ParseFormat::Ndjson),
            "csv" => Ok(ParseFormat::Csv),
            o => Err(format!("unknown format {o:?}; expected ndjson or csv")),
        }
    }
}

/// Writes typed rows one at a time into a reused line buffer.
///
/// ```
/// use ringcx_reports::{ReaderBuilder, QueueRow};
/// use ringcx_reports::write::{ParseFormat, RowWriter};
/// let data = "15,20240304,08:00,7,Sales,1,0,0,0,1,5,0,60,10,5,0,1,30,0,0\n";
/// let mut reader = ReaderBuilder::new().from_bytes("q.csv", data.into())?;
/// let mut row = QueueRow::default();
/// reader.read_row(&mut row)?;
/// let mut w = RowWriter::new(ParseFormat::Csv);
/// let mut out = Vec::new();
/// w.write_row(&mut out, &row).unwrap();
/// let text = String::from_utf8(out).unwrap();
/// assert!(text.starts_with("interval,date_from,time,queue,queue_name,"));
/// assert!(text.ends_with("15,2024-03-04,08:00,7,Sales,1,0,0,0,1,5,0,60,10,5,0,1,30,0,0,,,,2024-03-04T08:00:00+00:00\n"));
/// # Ok::<(), ringcx_reports::Error>(())
/// ```
#[derive(Debug)]
pub struct RowWriter {
    format: ParseFormat,
    line: String,
    header_for: Option<ReportKind>,
}

impl RowWriter {
    /// A writer in `format`.
    pub fn new(format: ParseFormat) -> Self {
        RowWriter {
            format,
            line: String::with_capacity(512),
            header_for: None,
        }
    }

    /// Writes one row (and, for CSV, the header before the first row of a
    /// report kind).
    pub fn write_row<T: IntervalRow, W: Write>(
        &mut self,
        out: &mut W,
        row: &T,
    ) -> std::io::Result<()> {
        let line = &mut self.line;
        line.clear();
        let start = row.start();
        let local = start.local();
        match self.format {
            ParseFormat::Csv => {
                if self.header_for != Some(T::KIND) {
                    self.header_for = Some(T::KIND);
                    line.push_str("interval,date_from,time");
                    row.visit(&mut |f: Field, _| {
                        line.push(',');
                        line.push_str(f.name());
                    });
                    line.push_str(",start\n");
                }
                let _ = write!(
                    line,
                    "{},{:04}-{:02}-{:02},{:02}:{:02}",
                    row.interval(),
                    local.year(),
                    local.month(),
                    local.day(),
                    local.hour(),
                    local.minute()
                );
                row.visit(&mut |_, v| {
                    line.push(',');
                    match v {
                        Value::Int(Some(n)) => {
                            let _ = write!(line, "{n}");
                        }
                        Value::Int(None) | Value::Decimal(None) => {}
                        Value::Decimal(Some(d)) => {
                            let _ = write!(line, "{d}");
                        }
                        Value::Text(s) => csv_field(line, s, b','),
                    }
                });
                line.push(',');
                line.push_str(&start.to_rfc3339());
                line.push('\n');
            }
            ParseFormat::Ndjson => {
                let _ = write!(
                    line,
                    "{{\"interval\":{},\"date_from\":\"{:04}-{:02}-{:02}\",\"time\":\"{:02}:{:02}\"",
                    row.interval(),
                    local.year(),
                    local.month(),
                    local.day(),
                    local.hour(),
                    local.minute()
                );
                row.visit(&mut |f, v| {
                    line.push_str(",\"");
                    line.push_str(f.name());
                    line.push_str("\":");
                    match v {
                        Value::Int(Some(n)) => {
                            let _ = write!(line, "{n}");
                        }
                        Value::Int(None) | Value::Decimal(None) => line.push_str("null"),
                        Value::Decimal(Some(d)) => {
                            let _ = write!(line, "{d}");
                        }
                        Value::Text(s) => json_string(line, s),
                    }
                });
                line.push_str(",\"start\":\"");
                line.push_str(&start.to_rfc3339());
                line.push_str("\"}\n");
            }
        }
        out.write_all(line.as_bytes())
    }
}

/// What [`write_rows`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RowStats {
    /// Rows written.
    pub rows: u64,
    /// Invalid rows skipped, by code (only with `skip_invalid`).
    pub skipped: BTreeMap<Code, u64>,
    /// The first skipped row's error, for the message.
    pub first_skipped: Option<String>,
    /// Rows that could not be checked for a repeated key and start
    /// ([`write_rows`]), or segments for a repeated (interaction id,
    /// segment id) ([`write_segments`](super::write_segments)), because
    /// what they may repeat was dropped earlier: the input is not in time
    /// order.
    pub unchecked_duplicates: u64,
}

impl RowStats {
    /// The stop-or-skip policy shared by the row and segment writers: with
    /// `skip_invalid`, a data error in one record (the reader not finished)
    /// is counted by code and reading goes on; anything else is returned.
    pub(crate) fn skip_or_stop(
        &mut self,
        e: Error,
        skip_invalid: bool,
        finished: bool,
    ) -> Result<()> {
        let Some(code) = e.code() else {
            return Err(e);
        };
        if !skip_invalid || finished {
            return Err(e);
        }
        *self.skipped.entry(code).or_default() += 1;
        if self.first_skipped.is_none() {
            self.first_skipped = Some(e.to_string());
        }
        Ok(())
    }
}

/// Reads every row of `reader` and writes it to `out`. Without
/// `skip_invalid` the first invalid row stops the run with its error; with
/// it, invalid rows are counted by code and skipped. A fatal error (I/O,
/// truncation) always stops.
///
/// A row that repeats the key and start instant of an earlier row of the
/// file, beyond the repeated fall-back hour (SPEC 2.5), is invalid too
/// (F401, with the message `validate` gives); the earlier row is the one
/// written. Repeats are found as [`validate`](crate::validate) finds them,
/// in bounded memory: per key, the runs of consecutive starts, and past
/// 65 536 keys only the keys of intervals still open (whose rows end after
/// the latest start read); a row that may repeat a key or run dropped
/// earlier (input not in time order) is counted in
/// [`RowStats::unchecked_duplicates`].
///
/// ```
/// use ringcx_reports::{Code, ReaderBuilder};
/// use ringcx_reports::write::{write_rows, ParseFormat, RowStats, RowWriter};
/// let data = "\
/// 15,20240304,08:00,7,Sales,1,0,0,0,1,5,0,60,10,5,0,1,30,0,0
/// 15,20240304,08:15,7,Sales,1,0,0,0,1,5,0,60,10,5,0,1,30,0,0
/// 15,20240304,08:00,7,Sales,9,0,0,0,9,5,0,60,10,5,0,1,30,0,0
/// ";
/// let mut reader = ReaderBuilder::new().from_bytes("q.csv", data.into())?;
/// let (mut out, mut stats) = (Vec::new(), RowStats::default());
/// let mut w = RowWriter::new(ParseFormat::Csv);
/// let e = write_rows(&mut reader, &mut w, &mut out, false, &mut stats).unwrap_err();
/// assert_eq!(e.code(), Some(Code::DuplicateKey));
/// assert_eq!(e.location().unwrap().pos.line(), 3);
/// assert_eq!(stats.rows, 2);
/// # Ok::<(), ringcx_reports::Error>(())
/// ```
pub fn write_rows<W: Write>(
    reader: &mut Reader,
    writer: &mut RowWriter,
    out: &mut W,
    skip_invalid: bool,
    stats: &mut RowStats,
) -> Result<()> {
    fn go<T: IntervalRow, W: Write>(
        reader: &mut Reader,
        writer: &mut RowWriter,
        out: &mut W,
        skip_invalid: bool,
        stats: &mut RowStats,
    ) -> Result<()> {
        let mut row = T::default();
        let mut repeats = Repeats::new(reader);
        let result = loop {
            match reader.read_row(&mut row) {
                Ok(true) => {
                    if let Some(e) = repeats.check(&row, reader) {
                        if let Err(e) = stats.skip_or_stop(e, skip_invalid, reader.is_finished()) {
                            break Err(e);
                        }
                        continue;
                    }
                    writer
                        .write_row(out, &row)
                        .map_err(|e| Error::io("<output>", e))?;
                    stats.rows += 1;
                }
                Ok(false) => break Ok(()),
                Err(e) => {
                    if let Err(e) = stats.skip_or_stop(e, skip_invalid, reader.is_finished()) {
                        break Err(e);
                    }
                }
            }
        };
        stats.unchecked_duplicates += repeats.unchecked();
        result
    }
    match reader.kind() {
        ReportKind::Queue => go::<QueueRow, W>(reader, writer, out, skip_invalid, stats),
        ReportKind::AgentExt => go::<AgentExtRow, W>(reader, writer, out, skip_invalid, stats),
        ReportKind::Agent => go::<AgentRow, W>(reader, writer, out, skip_invalid, stats),
        ReportKind::Segments => Err(Error::usage(format!(
            "{}: segment rows are not interval rows",
            reader.file()
        ))),
    }
}
