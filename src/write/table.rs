//! Writers of rollup rows (SPEC 4.4): CSV, TSV, Markdown, JSON and NDJSON
//! as rows come ([`RowStream`]), and an aligned text table, of a finished
//! [`RollupTable`] ([`aligned`]) or, in two passes, of a packed result
//! ([`write_aligned`]).
//!
//! Every format prints the key columns, `bucket_start`, `bucket_end`, then
//! the report's metric columns (all, or the selection of
//! [`Rollup::columns`](crate::rollup::Rollup::columns)), in that order; ratios print with two
//! decimals and are empty (CSV, table) or `null` (JSON) when their
//! denominator is 0.
//!
//! JSON is written by hand, not through `serde_json`: numbers print as
//! their fixed-decimal text (`12.50`, `60.000`), which `serde_json` (an
//! `f64` prints `12.5`) cannot reproduce byte for byte, and rows stream
//! through one reused buffer. Strings are escaped by `json_string`
//! (`serde_json`'s escaping).
//! With the `serde` feature a [`RollupTable`] serializes as the JSON array
//! printed here (numbers as the values a JSON reader of it gets).

use std::io::Write;

use chrono_tz::Tz;

use crate::error::{Error, Result};
use crate::rollup::{FastMap, MetricColumns, Metrics, PackedRollup, RollupRecord, RollupTable};
use crate::window::in_zone;

use super::cell::{cell_text, push_raw, rfc3339};
use super::delimited::{aligned_line, widen, Delimited};
use super::{json_string, TableFormat};

/// The text of every column of a record, in header order.
fn texts(table: &RollupTable, r: &RollupRecord, empty: &str) -> Vec<String> {
    let mut v: Vec<String> = r.keys().to_vec();
    let mut s = String::new();
    rfc3339(&mut s, r.bucket_start());
    v.push(std::mem::take(&mut s));
    rfc3339(&mut s, r.bucket_end());
    v.push(std::mem::take(&mut s));
    for (i, _) in table.metric_columns().indexed() {
        cell_text(&mut s, r.metrics().cell(i), empty);
        v.push(std::mem::take(&mut s));
    }
    v
}

/// The array `rcx rollup --format json` prints: one object per record,
/// the key columns by name, `bucket_start`, `bucket_end`, then the
/// printed metric columns ([`RollupTable::metric_columns`]) as numbers
/// (ratios as the two-decimal number printed, `null` when undefined).
#[cfg(feature = "serde")]
impl serde::Serialize for RollupTable {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        struct Row<'a>(&'a [&'static str], usize, Vec<String>);
        impl serde::Serialize for Row<'_> {
            fn serialize<S: serde::Serializer>(
                &self,
                s: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                let mut m = s.serialize_map(Some(self.2.len()))?;
                for (i, (name, v)) in self.0.iter().zip(&self.2).enumerate() {
                    if i < self.1 {
                        m.serialize_entry(name, v)?;
                    } else if v == "null" {
                        m.serialize_entry(name, &None::<u64>)?;
                    } else {
                        m.serialize_entry(name, &super::cell::NumberText(v))?;
                    }
                }
                m.end()
            }
        }
        let head = header(self);
        let text_cols = self.key_columns().len() + 2;
        s.collect_seq(
            self.records()
                .iter()
                .map(|r| Row(&head, text_cols, texts(self, r, "null"))),
        )
    }
}

/// The header: key columns, `bucket_start`, `bucket_end`, metric columns.
pub fn header(table: &RollupTable) -> Vec<&'static str> {
    let mut h: Vec<&'static str> = table.key_columns().to_vec();
    h.push("bucket_start");
    h.push("bucket_end");
    h.extend(table.metric_columns().names());
    h
}

/// Formats rollup rows in CSV, TSV, Markdown, JSON or NDJSON: the key columns once per
/// key, bucket bounds once per instant, and every number straight into the
/// caller's buffer. Several formatters can fill buffers in parallel for one
/// [`RowStream`].
#[derive(Clone)]
pub(crate) struct RowFormat {
    format: TableFormat,
    /// The line layout of CSV, TSV and Markdown; `None` for JSON forms.
    delimited: Option<Delimited>,
    tz: Tz,
    /// Each printed metric's index in the report's columns, and the text
    /// before its value.
    metric_names: std::sync::Arc<[(usize, Box<[u8]>)]>,
    key_columns: &'static [&'static str],
    prefix: Vec<u8>,
    labels: FastMap<i64, Box<[u8]>>,
    /// The last instant labelled and its label: a bucket's start is
    /// usually the end of the row before it.
    last: (i64, Vec<u8>),
}

/// JSON rows are each preceded by this; the stream turns the first one
/// into a plain line break.
const JSON_SEP: &[u8] = b",\n";

impl RowFormat {
    /// A formatter of rows in `format`, bucket labels in `tz`.
    pub(crate) fn new(
        format: TableFormat,
        tz: Tz,
        key_columns: &'static [&'static str],
        metric_columns: &MetricColumns,
    ) -> RowFormat {
        let delimited = Delimited::of(format);
        let metric_names = metric_columns
            .indexed()
            .map(|(i, c)| {
                let mut t = String::new();
                match delimited {
                    Some(d) => t.push_str(d.sep()),
                    None => {
                        t.push(',');
                        json_string(&mut t, c.name);
                        t.push(':');
                    }
                }
                (i, t.into_bytes().into_boxed_slice())
            })
            .collect();
        RowFormat {
            format,
            delimited,
            tz,
            metric_names,
            key_columns,
            prefix: Vec::new(),
            labels: FastMap::default(),
            last: (0, Vec::new()),
        }
    }

    /// A formatter with the same settings and an empty label cache.
    pub(crate) fn fork(&self) -> RowFormat {
        RowFormat {
            labels: FastMap::default(),
            prefix: Vec::new(),
            ..self.clone()
        }
    }

    /// Sets the key of the rows that follow.
    pub(crate) fn key(&mut self, keys: &[String]) {
        let mut p = String::new();
        if let Some(d) = self.delimited {
            p.push_str(d.start());
            for k in keys {
                d.field(&mut p, k);
                p.push_str(d.sep());
            }
        } else {
            p.push('{');
            for (name, v) in self.key_columns.iter().zip(keys) {
                json_string(&mut p, name);
                p.push(':');
                json_string(&mut p, v);
                p.push(',');
            }
        }
        self.prefix = p.into_bytes();
    }

    fn label(&mut self, buf: &mut Vec<u8>, t: i64) {
        if t == self.last.0 && !self.last.1.is_empty() {
            buf.extend_from_slice(&self.last.1);
            return;
        }
        let tz = self.tz;
        if self.labels.len() > 1 << 16 {
            // Bounded: native buckets of a long file have many instants.
            self.labels.clear();
        }
        let l = self.labels.entry(t).or_insert_with(|| {
            let mut s = String::new();
            rfc3339(&mut s, in_zone(&tz, t));
            s.into_bytes().into_boxed_slice()
        });
        buf.extend_from_slice(l);
        self.last.0 = t;
        self.last.1.clear();
        self.last.1.extend_from_slice(l);
    }

    /// Appends one row of the current key (JSON: after [`JSON_SEP`]).
    pub(crate) fn row(&mut self, buf: &mut Vec<u8>, start: i64, end: i64, m: &Metrics) {
        let delimited = self.delimited;
        if self.format == TableFormat::Json {
            buf.extend_from_slice(JSON_SEP);
        }
        buf.extend_from_slice(&self.prefix);
        if let Some(d) = delimited {
            self.label(buf, start);
            buf.extend_from_slice(d.sep().as_bytes());
            self.label(buf, end);
        } else {
            buf.extend_from_slice(b"\"bucket_start\":\"");
            self.label(buf, start);
            buf.extend_from_slice(b"\",\"bucket_end\":\"");
            self.label(buf, end);
            buf.push(b'"');
        }
        let empty: &[u8] = if delimited.is_some() { b"" } else { b"null" };
        // Only the printed columns are computed: a ratio's division
        // happens in `push`.
        for (i, name) in self.metric_names.iter() {
            // CSV and TSV names are a lone separator: a push, not a copy
            // call.
            match **name {
                [b] => buf.push(b),
                _ => buf.extend_from_slice(name),
            }
            push_raw(buf, m.raw_cell(*i), empty);
        }
        match (delimited, self.format) {
            (Some(d), _) => buf.extend_from_slice(d.end().as_bytes()),
            (None, TableFormat::Ndjson) => buf.extend_from_slice(b"}\n"),
            (None, _) => buf.push(b'}'),
        }
    }
}

/// Writes rollup rows in CSV, TSV, Markdown, JSON or NDJSON to `out`: the header, rows
/// formatted here or by forked [`RowFormat`]s, and the end. [`write_table`]
/// and the rollup's streaming output share it, so both print the same
/// bytes.
pub(crate) struct RowStream<'w, W: Write + ?Sized> {
    fmt: RowFormat,
    buf: Vec<u8>,
    rows: u64,
    out: &'w mut W,
}

impl<'w, W: Write + ?Sized> RowStream<'w, W> {
    pub(crate) fn new(
        format: TableFormat,
        tz: Tz,
        key_columns: &'static [&'static str],
        metric_columns: &MetricColumns,
        out: &'w mut W,
    ) -> Result<Self> {
        let delimited = Delimited::of(format);
        let mut buf = Vec::with_capacity(1 << 16);
        match delimited {
            Some(d) => {
                let mut h = String::new();
                let names = key_columns
                    .iter()
                    .copied()
                    .chain(["bucket_start", "bucket_end"])
                    .chain(metric_columns.names());
                d.header(&mut h, names, key_columns.len() + 2);
                buf.extend_from_slice(h.as_bytes());
            }
            None if format == TableFormat::Json => buf.push(b'['),
            None if format == TableFormat::Ndjson => {}
            None => {
                return Err(Error::usage(format!(
                    "the {format:?} format is not written a line per row"
                )))
            }
        }
        Ok(RowStream {
            fmt: RowFormat::new(format, tz, key_columns, metric_columns),
            buf,
            rows: 0,
            out,
        })
    }

    /// A formatter for rows formatted elsewhere (see [`push_rows`](Self::push_rows)).
    pub(crate) fn formatter(&self) -> RowFormat {
        self.fmt.fork()
    }

    /// Sets the key of the rows that follow.
    pub(crate) fn key(&mut self, keys: &[String]) {
        self.fmt.key(keys);
    }

    /// Writes one row of the current key.
    pub(crate) fn row(&mut self, start: i64, end: i64, m: &Metrics) -> Result<()> {
        let at = self.buf.len();
        self.fmt.row(&mut self.buf, start, end, m);
        self.counted(at, 1)
    }

    /// Writes `rows` rows formatted by a [`RowFormat`] of this stream.
    pub(crate) fn push_rows(&mut self, bytes: &[u8], rows: u64) -> Result<()> {
        let mut bytes = bytes;
        if rows > 0 && self.rows == 0 && self.fmt.format == TableFormat::Json {
            // The first row follows `[` on its own line, without a comma.
            bytes = bytes.get(1..).unwrap_or_default();
        }
        self.rows += rows;
        if bytes.len() > 1 << 16 {
            // Large pieces go straight out, not through a second copy.
            self.flush()?;
            return self
                .out
                .write_all(bytes)
                .map_err(|e| Error::io("<output>", e));
        }
        self.buf.extend_from_slice(bytes);
        if self.buf.len() > 1 << 16 {
            self.flush()?;
        }
        Ok(())
    }

    fn counted(&mut self, at: usize, rows: u64) -> Result<()> {
        if rows > 0 && self.rows == 0 && self.fmt.format == TableFormat::Json {
            // The first row follows `[` on its own line, without a comma.
            self.buf.drain(at..at + 1);
        }
        self.rows += rows;
        if self.buf.len() > 1 << 16 {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        self.out
            .write_all(&self.buf)
            .map_err(|e| Error::io("<output>", e))?;
        self.buf.clear();
        Ok(())
    }

    /// Ends the output and flushes it.
    pub(crate) fn finish(mut self) -> Result<()> {
        if self.fmt.format == TableFormat::Json {
            self.buf.extend_from_slice(b"\n]\n");
        }
        self.flush()?;
        self.out.flush().map_err(|e| Error::io("<output>", e))
    }
}

/// Appends `table` as aligned columns for a terminal: text to the left,
/// numbers to the right, line breaks inside names replaced by spaces.
pub(crate) fn aligned(table: &RollupTable, buf: &mut String) {
    let head = header(table);
    // Line breaks inside a name would break the alignment.
    let rows: Vec<Vec<String>> = table
        .records()
        .iter()
        .map(|r| {
            let t = texts(table, r, "");
            t.iter().map(|t| t.replace(['\n', '\r'], " ")).collect()
        })
        .collect();
    let mut width: Vec<usize> = head.iter().map(|h| h.chars().count()).collect();
    for r in &rows {
        widen(&mut width, r.iter().map(String::as_str));
    }
    let text_cols = table.key_columns().len() + 2;
    aligned_line(buf, &width, text_cols, head.iter().copied());
    for r in &rows {
        aligned_line(buf, &width, text_cols, r.iter().map(String::as_str));
    }
}

/// The cells of one row of a packed rollup as the aligned table prints
/// them, in one buffer: the texts [`aligned`] prints for the same row.
struct RowCells {
    fmt: RowFormat,
    metrics: Vec<usize>,
    text: Vec<u8>,
    /// The end of each cell in `text`.
    ends: Vec<usize>,
}

impl RowCells {
    fn new(p: &PackedRollup) -> RowCells {
        RowCells {
            fmt: RowFormat::new(
                TableFormat::Csv,
                p.tz(),
                p.key_columns(),
                p.metric_columns(),
            ),
            metrics: p.metric_columns().indexed().map(|(i, _)| i).collect(),
            text: Vec::new(),
            ends: Vec::new(),
        }
    }

    /// Fills the cells of one row.
    fn fill(&mut self, keys: &[String], start: i64, end: i64, m: &Metrics) {
        self.text.clear();
        self.ends.clear();
        for k in keys {
            // Line breaks inside a name would break the alignment.
            for ch in k.chars() {
                let ch = if matches!(ch, '\n' | '\r') { ' ' } else { ch };
                let mut b = [0; 4];
                self.text
                    .extend_from_slice(ch.encode_utf8(&mut b).as_bytes());
            }
            self.ends.push(self.text.len());
        }
        for t in [start, end] {
            self.fmt.label(&mut self.text, t);
            self.ends.push(self.text.len());
        }
        for &i in &self.metrics {
            push_raw(&mut self.text, m.raw_cell(i), b"");
            self.ends.push(self.text.len());
        }
    }

    /// The cells filled, in column order.
    fn cells(&self) -> impl Iterator<Item = &str> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        // The texts are whole UTF-8 strings (names) and ASCII.
        starts
            .zip(&self.ends)
            .map(|(a, &b)| std::str::from_utf8(&self.text[a..b]).unwrap_or_default())
    }
}

/// Writes a packed rollup as [`aligned`] columns (the same bytes) without
/// holding its rows: a first pass over the pieces measures the widest text
/// of each column, a second prints the lines. Memory holds one row.
pub(crate) fn write_aligned<W: Write + ?Sized>(p: &PackedRollup, out: &mut W) -> Result<()> {
    let head: Vec<&str> = p
        .key_columns()
        .iter()
        .copied()
        .chain(["bucket_start", "bucket_end"])
        .chain(p.metric_columns().names())
        .collect();
    let mut width: Vec<usize> = head.iter().map(|h| h.chars().count()).collect();
    let mut cells = RowCells::new(p);
    for i in 0..p.pieces() {
        let keys = p.piece_keys(i);
        p.for_each_bucket(i, &mut |s, e, m| {
            cells.fill(keys, s, e, m);
            widen(&mut width, cells.cells());
        })?;
    }
    let text_cols = p.key_columns().len() + 2;
    let io = |e| Error::io("<output>", e);
    let mut buf = String::with_capacity(1 << 16);
    aligned_line(&mut buf, &width, text_cols, head.iter().copied());
    for i in 0..p.pieces() {
        let keys = p.piece_keys(i);
        p.for_each_bucket(i, &mut |s, e, m| {
            cells.fill(keys, s, e, m);
            aligned_line(&mut buf, &width, text_cols, cells.cells());
        })?;
        if buf.len() > 1 << 15 {
            out.write_all(buf.as_bytes()).map_err(io)?;
            buf.clear();
        }
    }
    out.write_all(buf.as_bytes()).map_err(io)?;
    out.flush().map_err(io)
}
