//! Writers of a finished [`RollupTable`]: CSV, JSON, NDJSON and an aligned
//! text table (SPEC 4.4).
//!
//! Every format prints the key columns, `bucket_start`, `bucket_end`, then
//! the report's metric columns, in that order; ratios print with two
//! decimals and are empty (CSV, table) or `null` (JSON) when their
//! denominator is 0.

use std::io::Write;

use crate::error::{Error, Result};
use crate::model::write_rfc3339;
use crate::rollup::{Cell, RollupRecord, RollupTable};

use super::{csv_field, json_string};

/// How to print a rollup.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TableFormat {
    /// CSV with a header row (the default).
    #[default]
    Csv,
    /// A JSON array of objects.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// Aligned columns for a terminal.
    Table,
    /// RingCentral Analytics API response shape.
    Analytics,
}

fn rfc3339(out: &mut String, t: chrono::DateTime<chrono::FixedOffset>) {
    write_rfc3339(out, t.naive_local(), t.offset().local_minus_utc());
}

/// Appends a metric value as text: integers plain, ratios with two
/// decimals, `empty` for an undefined ratio.
pub(crate) fn cell_text(out: &mut String, c: Cell, empty: &str) {
    use std::fmt::Write as _;
    match c {
        Cell::Int(v) => {
            let _ = write!(out, "{v}");
        }
        Cell::Signed(v) => {
            let _ = write!(out, "{v}");
        }
        Cell::Ratio(Some(d)) => {
            let _ = write!(out, "{d:.2}");
        }
        Cell::Ratio(None) => out.push_str(empty),
    }
}

/// The text of every column of a record, in header order.
fn texts(table: &RollupTable, r: &RollupRecord, empty: &str) -> Vec<String> {
    let mut v: Vec<String> = r.keys().to_vec();
    let mut s = String::new();
    rfc3339(&mut s, r.bucket_start());
    v.push(std::mem::take(&mut s));
    rfc3339(&mut s, r.bucket_end());
    v.push(std::mem::take(&mut s));
    for i in 0..table.metric_columns().len() {
        cell_text(&mut s, r.metrics().cell(i), empty);
        v.push(std::mem::take(&mut s));
    }
    v
}

/// The header: key columns, `bucket_start`, `bucket_end`, metric columns.
pub fn header(table: &RollupTable) -> Vec<&'static str> {
    let mut h: Vec<&'static str> = table.key_columns().to_vec();
    h.push("bucket_start");
    h.push("bucket_end");
    h.extend(table.metric_columns().iter().map(|c| c.name));
    h
}

fn json_object(out: &mut String, table: &RollupTable, r: &RollupRecord) {
    out.push('{');
    let mut first = true;
    let mut sep = |out: &mut String| {
        if !first {
            out.push(',');
        }
        first = false;
    };
    for (name, v) in table.key_columns().iter().zip(r.keys()) {
        sep(out);
        json_string(out, name);
        out.push(':');
        json_string(out, v);
    }
    for (name, t) in [
        ("bucket_start", r.bucket_start()),
        ("bucket_end", r.bucket_end()),
    ] {
        sep(out);
        json_string(out, name);
        out.push_str(":\"");
        rfc3339(out, t);
        out.push('"');
    }
    for (i, c) in table.metric_columns().iter().enumerate() {
        sep(out);
        json_string(out, c.name);
        out.push(':');
        cell_text(out, r.metrics().cell(i), "null");
    }
    out.push('}');
}

/// Writes `table` to `out` in `format`.
///
/// ```
/// use ringcx_reports::rollup::Rollup;
/// use ringcx_reports::write::{write_table, TableFormat};
/// use ringcx_reports::{AgentExtRow, ReaderBuilder};
/// let data = "15,20240304,08:00,42,\"Kaduk, Alena\",5686,Sales,300,30,2,1\n";
/// let mut reader = ReaderBuilder::new().from_bytes("a.csv", data.into())?;
/// let table = Rollup::new().run_rows(reader.rows::<AgentExtRow>())?;
/// let mut out = Vec::new();
/// write_table(&table, TableFormat::Csv, &mut out)?;
/// assert_eq!(String::from_utf8(out).unwrap(), "\
/// agent_id,agent_name,bucket_start,bucket_end,rows,answered,transferred_out,talk_s,wrap_s,handle_s,aht_s,avg_talk_s,avg_wrap_s,transfer_rate_pct
/// 42,\"Kaduk, Alena\",2024-03-04T08:00:00+00:00,2024-03-04T09:00:00+00:00,1,2,1,300,30,330,165.00,150.00,15.00,50.00
/// ");
/// # Ok::<(), ringcx_reports::Error>(())
/// ```
pub fn write_table<W: Write>(table: &RollupTable, format: TableFormat, out: &mut W) -> Result<()> {
    let io = |e| Error::io("<output>", e);
    let mut buf = String::with_capacity(1 << 16);
    let flush = |buf: &mut String, out: &mut W| -> Result<()> {
        out.write_all(buf.as_bytes()).map_err(io)?;
        buf.clear();
        Ok(())
    };
    match format {
        TableFormat::Csv => {
            for (i, h) in header(table).iter().enumerate() {
                if i > 0 {
                    buf.push(',');
                }
                buf.push_str(h);
            }
            buf.push('\n');
            let nkeys = table.key_columns().len();
            for r in table.records() {
                for (i, t) in texts(table, r, "").iter().enumerate() {
                    if i > 0 {
                        buf.push(',');
                    }
                    if i < nkeys {
                        csv_field(&mut buf, t, b',');
                    } else {
                        buf.push_str(t);
                    }
                }
                buf.push('\n');
                if buf.len() > 1 << 15 {
                    flush(&mut buf, out)?;
                }
            }
        }
        TableFormat::Json | TableFormat::Ndjson => {
            let json = format == TableFormat::Json;
            if json {
                buf.push('[');
            }
            for (i, r) in table.records().iter().enumerate() {
                if json {
                    buf.push_str(if i == 0 { "\n" } else { ",\n" });
                }
                json_object(&mut buf, table, r);
                if !json {
                    buf.push('\n');
                }
                if buf.len() > 1 << 15 {
                    flush(&mut buf, out)?;
                }
            }
            if json {
                buf.push_str("\n]\n");
            }
        }
        TableFormat::Table => {
            let head = header(table);
            let rows: Vec<Vec<String>> = table
                .records()
                .iter()
                .map(|r| texts(table, r, ""))
                .collect();
            let mut width: Vec<usize> = head.iter().map(|h| h.chars().count()).collect();
            for r in &rows {
                for (w, t) in width.iter_mut().zip(r) {
                    *w = (*w).max(t.chars().count());
                }
            }
            let nkeys = table.key_columns().len();
            let line = |buf: &mut String, cells: &mut dyn Iterator<Item = &str>| {
                let mut l = String::new();
                for (i, t) in cells.enumerate() {
                    if i > 0 {
                        l.push_str("  ");
                    }
                    let pad = width[i].saturating_sub(t.chars().count());
                    // Text to the left, numbers to the right.
                    if i < nkeys + 2 {
                        l.push_str(t);
                        l.extend(std::iter::repeat_n(' ', pad));
                    } else {
                        l.extend(std::iter::repeat_n(' ', pad));
                        l.push_str(t);
                    }
                }
                buf.push_str(l.trim_end());
                buf.push('\n');
            };
            line(&mut buf, &mut head.iter().copied());
            for r in &rows {
                // Line breaks inside a name would break the alignment.
                let clean: Vec<String> = r.iter().map(|t| t.replace(['\n', '\r'], " ")).collect();
                line(&mut buf, &mut clean.iter().map(String::as_str));
            }
        }
        TableFormat::Analytics => super::analytics::write_analytics(table, &mut buf),
    }
    flush(&mut buf, out)?;
    out.flush().map_err(io)
}
