//! Writers of segment timelines and interaction rows (SPEC 5): CSV, JSON,
//! NDJSON or an aligned table.
//!
//! Seconds print with three decimals (they are milliseconds underneath);
//! `avg_segment_s` is empty (CSV, table) or `null` (JSON) for a bucket
//! where no segment started, and `recorded_pct` where handle time is 0.
//!
//! JSON is written by hand, not through `serde_json`: numbers print as
//! their fixed-decimal text (`12.50`, `60.000`), which `serde_json` (an
//! `f64` prints `12.5`) cannot reproduce byte for byte, and rows stream
//! through one reused buffer. Strings are escaped by `json_string`
//! (`serde_json`'s escaping).
//! With the `serde` feature timelines and interactions serialize from the
//! same cells as the JSON printed here.

use std::io::Write;

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;

use super::cell::{fixed_text, Typed};
use super::delimited::{aligned_line, widen, Delimited};
#[cfg(feature = "parquet")]
use super::table_parquet::TableParquet;
use super::{json_string, TableFormat};
use crate::error::{Error, Result};
use crate::model::write_rfc3339;
use crate::rollup::percent;
use crate::timeline::{
    Interaction, Interactions, PackedTimeline, TimelineRecord, TimelineSums, TimelineTable,
    TIMELINE_COLUMNS,
};

/// Milliseconds as seconds with three decimals: `60000` → `60.000`.
pub fn seconds_text(ms: i64) -> String {
    fixed_text(ms.into(), 3)
}

/// A value of one cell: text, and whether it is a JSON number.
pub(super) enum V {
    Text(String),
    Num(String),
    Null,
}

impl V {
    /// The cell of a metric value: its text as a number, or empty.
    pub(super) fn metric(t: Typed<'_>) -> V {
        match t {
            Typed::Text(s) => V::Text(s.to_owned()),
            // Milliseconds (a metric is never an instant).
            Typed::Instant(n) => V::Num(n.to_string()),
            Typed::Whole(n) => V::Num(n.to_string()),
            Typed::Fixed(Some(n), scale) => V::Num(fixed_text(n, scale)),
            Typed::Fixed(None, _) => V::Null,
        }
    }

    fn text(&self) -> &str {
        match self {
            V::Text(s) | V::Num(s) => s,
            V::Null => "",
        }
    }
}

/// The values of [`TIMELINE_COLUMNS`]: counts, and seconds to the
/// millisecond.
fn metric_typed(s: &TimelineSums) -> [Typed<'static>; 7] {
    let secs = |ms: Option<i64>| Typed::Fixed(ms.map(i128::from), 3);
    [
        Typed::Whole(s.segments_started.into()),
        Typed::Whole(s.interactions_started.into()),
        secs(Some(s.handle_ms)),
        secs(Some(s.recorded_ms)),
        Typed::Whole(s.peak_concurrency.into()),
        secs(s.avg_segment_ms()),
        Typed::Whole(s.transfers.into()),
    ]
}

fn metric_values(s: &TimelineSums) -> [V; 7] {
    metric_typed(s).map(V::metric)
}

fn rfc3339(t: DateTime<chrono::FixedOffset>) -> String {
    let mut s = String::new();
    write_rfc3339(&mut s, t.naive_local(), t.offset().local_minus_utc());
    s
}

fn timeline_row(r: &TimelineRecord) -> Vec<V> {
    let mut v: Vec<V> = r.keys().iter().map(|k| V::Text(k.clone())).collect();
    v.push(V::Text(rfc3339(r.bucket_start())));
    v.push(V::Text(rfc3339(r.bucket_end())));
    v.extend(metric_values(&r.sums));
    v
}

/// `Text` a string, `Num` the number its text is, `Null` null.
#[cfg(feature = "serde")]
impl serde::Serialize for V {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            V::Text(t) => s.serialize_str(t),
            V::Num(n) => super::cell::NumberText(n).serialize(s),
            V::Null => s.serialize_none(),
        }
    }
}

/// One JSON row: names and values in order.
#[cfg(feature = "serde")]
pub(super) struct Named<'a, N: AsRef<str>>(pub(super) &'a [N], pub(super) Vec<V>);

#[cfg(feature = "serde")]
impl<N: AsRef<str>> serde::Serialize for Named<'_, N> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.1.len()))?;
        for (name, v) in self.0.iter().zip(&self.1) {
            m.serialize_entry(name.as_ref(), v)?;
        }
        m.end()
    }
}

/// The array `rcx timeline --format json` prints: one object per record,
/// the key columns by name, `bucket_start`, `bucket_end`, then
/// [`TIMELINE_COLUMNS`] (seconds as numbers, `avg_segment_s` `null` when
/// no segment started).
#[cfg(feature = "serde")]
impl serde::Serialize for TimelineTable {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let head = timeline_header(self.key_columns());
        s.collect_seq(self.records().iter().map(|r| Named(&head, timeline_row(r))))
    }
}

/// One object of `rcx timeline --format json`, except that the key values
/// (which the record does not name: the table's
/// [`key_columns`](TimelineTable::key_columns) do) are one list, `keys`.
#[cfg(feature = "serde")]
impl serde::Serialize for TimelineRecord {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(3 + TIMELINE_COLUMNS.len()))?;
        m.serialize_entry("keys", self.keys())?;
        let names = ["bucket_start", "bucket_end"]
            .into_iter()
            .chain(TIMELINE_COLUMNS);
        for (name, v) in names.zip(timeline_row(self).iter().skip(self.keys().len())) {
            m.serialize_entry(name, v)?;
        }
        m.end()
    }
}

/// One object of `rcx interactions --format json` with times in UTC:
/// [`INTERACTION_COLUMNS`], seconds and percentages as numbers, an
/// absent direction, channel or percentage `null`.
#[cfg(feature = "serde")]
impl serde::Serialize for Interaction {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        Named(&INTERACTION_COLUMNS, interaction_row(self, &chrono_tz::UTC)).serialize(s)
    }
}

/// The array `rcx interactions --format json` prints (times in UTC).
#[cfg(feature = "serde")]
impl serde::Serialize for Interactions {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(self.interactions())
    }
}

/// The header of a timeline: key columns, `bucket_start`, `bucket_end`,
/// then [`TIMELINE_COLUMNS`].
fn timeline_header(key_columns: &'static [&'static str]) -> Vec<&'static str> {
    let mut h: Vec<&'static str> = key_columns.to_vec();
    h.push("bucket_start");
    h.push("bucket_end");
    h.extend(TIMELINE_COLUMNS);
    h
}

/// The columns of `rcx interactions`.
pub const INTERACTION_COLUMNS: [&str; 13] = [
    "interaction_id",
    "direction",
    "channel",
    "start",
    "end",
    "segments",
    "agents",
    "transfers",
    "conferences",
    "wait_s",
    "handle_s",
    "recorded_s",
    "recorded_pct",
];

fn instant_text(ms: i64, tz: &Tz) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| {
            t.with_timezone(tz)
                .to_rfc3339_opts(SecondsFormat::Millis, false)
        })
        .unwrap_or_default()
}

pub(super) fn interaction_row(i: &Interaction, tz: &Tz) -> Vec<V> {
    let opt = |s: Option<&str>| s.map_or(V::Null, |s| V::Text(s.to_owned()));
    let handle = i.handle_ms();
    let recorded = i.recorded_ms();
    vec![
        V::Text(i.id().to_owned()),
        opt(i.direction()),
        opt(i.channel()),
        V::Text(instant_text(i.start(), tz)),
        V::Text(instant_text(i.end(), tz)),
        V::Num(i.segments().len().to_string()),
        V::Text(i.agents()),
        V::Num(i.transfers().to_string()),
        V::Num(i.conferences().to_string()),
        V::Num(seconds_text(i.wait_ms())),
        V::Num(seconds_text(handle)),
        V::Num(seconds_text(recorded)),
        percent(recorded as i128, handle as i128).map_or(V::Null, |d| V::Num(format!("{d:.2}"))),
    ]
}

/// Writes a header and rows as CSV, JSON, NDJSON or an aligned table (the
/// first `text_cols` columns left-aligned); the Analytics shape is the
/// caller's.
pub(super) fn write_rows<W: Write>(
    head: &[&str],
    rows: impl Iterator<Item = Vec<V>>,
    text_cols: usize,
    format: TableFormat,
    out: &mut W,
) -> Result<()> {
    let io = |e| Error::io("<output>", e);
    let mut buf = String::with_capacity(1 << 16);
    match (Delimited::of(format), format) {
        (Some(d), _) => {
            d.header(&mut buf, head.iter().copied(), text_cols);
            for r in rows {
                d.line(&mut buf, r.iter().map(V::text));
                if buf.len() > 1 << 15 {
                    out.write_all(buf.as_bytes()).map_err(io)?;
                    buf.clear();
                }
            }
        }
        (None, TableFormat::Json | TableFormat::Ndjson) => {
            let json = format == TableFormat::Json;
            if json {
                buf.push('[');
            }
            for (n, r) in rows.enumerate() {
                if json {
                    buf.push_str(if n == 0 { "\n" } else { ",\n" });
                }
                buf.push('{');
                for (i, (h, v)) in head.iter().zip(&r).enumerate() {
                    if i > 0 {
                        buf.push(',');
                    }
                    json_string(&mut buf, h);
                    buf.push(':');
                    match v {
                        V::Text(s) => json_string(&mut buf, s),
                        V::Num(s) => buf.push_str(s),
                        V::Null => buf.push_str("null"),
                    }
                }
                buf.push('}');
                if !json {
                    buf.push('\n');
                }
                if buf.len() > 1 << 15 {
                    out.write_all(buf.as_bytes()).map_err(io)?;
                    buf.clear();
                }
            }
            if json {
                buf.push_str("\n]\n");
            }
        }
        (None, TableFormat::Table) => {
            let rows: Vec<Vec<String>> = rows
                .map(|r| {
                    r.iter()
                        .map(|v| v.text().replace(['\n', '\r'], " "))
                        .collect()
                })
                .collect();
            let mut width: Vec<usize> = head.iter().map(|h| h.chars().count()).collect();
            for r in &rows {
                widen(&mut width, r.iter().map(String::as_str));
            }
            aligned_line(&mut buf, &width, text_cols, head.iter().copied());
            for r in &rows {
                aligned_line(&mut buf, &width, text_cols, r.iter().map(String::as_str));
            }
        }
        (None, TableFormat::Parquet) => {
            return Err(Error::usage(
                "the parquet format writes the tables of rollup, calls and timeline; write \
                 interaction rows as csv, or segments with convert to parquet",
            ))
        }
        (None, _) => {
            return Err(Error::usage(
                "the analytics format answers the Analytics API's call options, which segment \
                 timelines and interactions are not; use rcx analytics, or rcx calls with the \
                 analytics format",
            ))
        }
    }
    out.write_all(buf.as_bytes()).map_err(io)?;
    out.flush().map_err(io)
}

/// Writes a timeline in `format`: csv, tsv, markdown, json, ndjson, table
/// or parquet (the
/// Analytics API shape answers calls: [`write_calls`](super::write_calls)).
///
/// ```
/// use ringcx_reports::window::BucketInterval;
/// use ringcx_reports::timeline::Timeline;
/// use ringcx_reports::write::{write_timeline, TableFormat};
/// use ringcx_reports::ReaderBuilder;
/// let data = r#"{"interactionId": 5, "segmentID": 1, "segmentAgentId": 11,
///   "segmentContactStartTimeMs": "2024-03-04T10:14:00Z", "segmentContactEndTimeMs": "2024-03-04T10:17:00Z",
///   "segmentEvents": [{"eventTimeMs": "2024-03-04T10:14:30Z", "eventType": "REC_START"}]}"#;
/// let mut reader = ReaderBuilder::new().from_bytes("m.ndjson", data.into())?;
/// let table = Timeline::new().interval(BucketInterval::Min15).run_segments(reader.segments())?;
/// let mut out = Vec::new();
/// write_timeline(&table, TableFormat::Csv, &mut out)?;
/// assert_eq!(String::from_utf8(out).unwrap(), "\
/// agent_id,bucket_start,bucket_end,segments_started,interactions_started,handle_s,recorded_s,peak_concurrency,avg_segment_s,transfers
/// 11,2024-03-04T10:00:00+00:00,2024-03-04T10:15:00+00:00,1,1,60.000,30.000,1,180.000,0
/// 11,2024-03-04T10:15:00+00:00,2024-03-04T10:30:00+00:00,0,0,120.000,120.000,1,,0
/// ");
/// # Ok::<(), ringcx_reports::Error>(())
/// ```
pub fn write_timeline<W: Write>(
    table: &TimelineTable,
    format: TableFormat,
    out: &mut W,
) -> Result<()> {
    let records = table.records().iter().map(Ok);
    write_records(table.key_columns(), table.tz(), records, format, out)
}

/// Writes a timeline kept packed ([`Timeline::fold_files`]) as
/// [`write_timeline`] writes the table, reading its records back one key
/// at a time.
///
/// [`Timeline::fold_files`]: crate::timeline::Timeline::fold_files
pub fn write_packed_timeline<W: Write>(
    timeline: &PackedTimeline,
    format: TableFormat,
    out: &mut W,
) -> Result<()> {
    let keys = timeline.key_columns();
    write_records(keys, timeline.tz(), timeline.records(), format, out)
}

/// Writes `records` (sorted) in `format`.
fn write_records<W: Write, R: std::borrow::Borrow<TimelineRecord>>(
    key_columns: &'static [&'static str],
    tz: Tz,
    records: impl Iterator<Item = Result<R>>,
    format: TableFormat,
    out: &mut W,
) -> Result<()> {
    if format == TableFormat::Parquet {
        return timeline_parquet(key_columns, tz, records, out);
    }
    let head = timeline_header(key_columns);
    let text_cols = key_columns.len() + 2;
    let mut err = None;
    let rows = records.map_while(|r| match r {
        Ok(r) => Some(timeline_row(r.borrow())),
        Err(e) => {
            err = Some(e);
            None
        }
    });
    write_rows(&head, rows, text_cols, format, out)?;
    err.map_or(Ok(()), Err)
}

/// A timeline as one Parquet file (see `table_parquet`).
#[cfg(feature = "parquet")]
fn timeline_parquet<W: Write, R: std::borrow::Borrow<TimelineRecord>>(
    key_columns: &'static [&'static str],
    tz: Tz,
    records: impl Iterator<Item = Result<R>>,
    out: &mut W,
) -> Result<()> {
    let kinds = metric_typed(&TimelineSums::default()).map(|t| t.stored());
    let metrics = TIMELINE_COLUMNS.into_iter().zip(kinds);
    let mut t = TableParquet::buckets(out, &tz, key_columns, metrics)?;
    for r in records {
        let r = r?;
        let r = r.borrow();
        let (s, e) = (r.bucket_start().timestamp(), r.bucket_end().timestamp());
        t.bucket_row(r.keys(), s, e, metric_typed(&r.sums))?;
    }
    t.finish()
}

#[cfg(not(feature = "parquet"))]
fn timeline_parquet<W: Write, R>(
    _: &'static [&'static str],
    _: Tz,
    _: impl Iterator<Item = Result<R>>,
    _: &mut W,
) -> Result<()> {
    Err(super::parquet_refused())
}

/// Writes one row per interaction (csv, json, ndjson or table), times in
/// `tz` with milliseconds.
///
/// ```
/// use ringcx_reports::timeline::Interactions;
/// use ringcx_reports::write::{write_interactions, TableFormat};
/// use ringcx_reports::ReaderBuilder;
/// let data = r#"{"interactionId": 5, "interactionDirection": "INBOUND", "segmentID": 1,
///   "segmentAgentId": 11, "segmentContactStartTimeMs": 0, "segmentDuration": 3}"#;
/// let mut reader = ReaderBuilder::new().from_bytes("m.ndjson", data.into())?;
/// let set = Interactions::from_segments(reader.segments(), false)?;
/// let mut out = Vec::new();
/// write_interactions(&set, &chrono_tz::UTC, TableFormat::Csv, &mut out)?;
/// assert_eq!(String::from_utf8(out).unwrap(), "\
/// interaction_id,direction,channel,start,end,segments,agents,transfers,conferences,wait_s,handle_s,recorded_s,recorded_pct
/// 5,INBOUND,VOICE,1970-01-01T00:00:00.000+00:00,1970-01-01T00:00:03.000+00:00,1,11,0,0,0.000,3.000,0.000,0.00
/// ");
/// # Ok::<(), ringcx_reports::Error>(())
/// ```
pub fn write_interactions<W: Write>(
    set: &Interactions,
    tz: &Tz,
    format: TableFormat,
    out: &mut W,
) -> Result<()> {
    write_rows(
        &INTERACTION_COLUMNS,
        set.interactions().iter().map(|i| interaction_row(i, tz)),
        7,
        format,
        out,
    )
}

#[cfg(test)]
mod examples {
    // The examples of crate-internal items, run as unit tests.
    use super::*;

    #[test]
    fn seconds_text_examples() {
        assert_eq!(seconds_text(1_234_567), "1234.567");
        assert_eq!(seconds_text(-5), "-0.005");
    }
}
