//! Calls tables (SPEC 5.1) as CSV, JSON, NDJSON or an aligned table: key
//! columns, `bucket_start`, `bucket_end`, then the metric columns chosen.
//! Seconds print with three decimals (milliseconds underneath),
//! percentages with two; an undefined ratio is empty (CSV, table) or
//! `null` (JSON).

use std::io::Write;

use crate::calls::{CallCell, CallsRecord, CallsTable};
use crate::error::{Error, Result};

use super::cell::rfc3339;
use super::timeline::{seconds_text, write_rows, V};
use super::TableFormat;

/// The header of a calls table: key columns, `bucket_start`,
/// `bucket_end`, then the metric columns chosen.
pub fn calls_header(table: &CallsTable) -> Vec<&'static str> {
    let mut h: Vec<&'static str> = table.key_columns().to_vec();
    h.push("bucket_start");
    h.push("bucket_end");
    h.extend(table.columns().names());
    h
}

/// The array `rcx calls --format json` prints: one object per record, the
/// key columns by name, `bucket_start`, `bucket_end`, then the metric
/// columns chosen (seconds and percentages as numbers, an undefined ratio
/// `null`).
#[cfg(feature = "serde")]
impl serde::Serialize for CallsTable {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let head = calls_header(self);
        s.collect_seq(
            self.records()
                .iter()
                .map(|r| super::timeline::Named(&head, row(self, r))),
        )
    }
}

fn value(c: Option<CallCell>) -> V {
    match c {
        Some(CallCell::Count(n)) => V::Num(n.to_string()),
        Some(CallCell::Millis(Some(ms))) => V::Num(seconds_text(ms)),
        Some(CallCell::Percent(Some(d))) => V::Num(format!("{d:.2}")),
        Some(CallCell::Millis(None) | CallCell::Percent(None)) | None => V::Null,
    }
}

fn row(table: &CallsTable, r: &CallsRecord) -> Vec<V> {
    let mut v: Vec<V> = r.keys().iter().map(|k| V::Text(k.clone())).collect();
    for t in [r.bucket_start(), r.bucket_end()] {
        let mut s = String::new();
        rfc3339(&mut s, t);
        v.push(V::Text(s));
    }
    v.extend(
        table
            .columns()
            .indexed()
            .map(|(i, _)| value(r.metrics.cell(i))),
    );
    v
}

/// Writes a calls table in `format`: csv, json, ndjson or table. The
/// Analytics API shape is refused (a usage error naming it).
///
/// ```
/// use ringcx_reports::calls::{CallColumns, Calls};
/// use ringcx_reports::write::{write_calls, TableFormat};
/// use ringcx_reports::ReaderBuilder;
/// let data = r#"{"interactionId": 5, "interactionDirection": "INBOUND",
///   "interactionStartTimeMs": "2024-03-04T10:14:00Z", "segmentID": 1, "segmentAgentId": 11,
///   "segmentContactStartTimeMs": "2024-03-04T10:14:25Z", "segmentDuration": 180.5}"#;
/// let mut reader = ReaderBuilder::new().from_bytes("m.ndjson", data.into())?;
/// let columns = CallColumns::select(["offered", "answered_within_sl", "asa_s", "aht_s", "abandon_rate_pct"])?;
/// let table = Calls::new().columns(columns).run_segments(reader.segments())?;
/// let mut out = Vec::new();
/// write_calls(&table, TableFormat::Csv, &mut out)?;
/// assert_eq!(String::from_utf8(out).unwrap(), "\
/// bucket_start,bucket_end,offered,answered_within_sl,asa_s,aht_s,abandon_rate_pct
/// 2024-03-04T10:00:00+00:00,2024-03-04T11:00:00+00:00,1,0,25.000,180.500,
/// ");
/// assert!(write_calls(&table, TableFormat::Analytics, &mut Vec::new()).is_err());
/// # Ok::<(), ringcx_reports::Error>(())
/// ```
pub fn write_calls<W: Write>(table: &CallsTable, format: TableFormat, out: &mut W) -> Result<()> {
    if format == TableFormat::Analytics {
        return Err(Error::usage(
            "the analytics output format is not available for calls; expected csv, json, \
             ndjson or table",
        ));
    }
    let head = calls_header(table);
    let text_cols = table.key_columns().len() + 2;
    write_rows(
        &head,
        table.records().iter().map(|r| row(table, r)),
        text_cols,
        format,
        out,
    )
}
