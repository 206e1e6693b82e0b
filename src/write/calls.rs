//! Calls tables (SPEC 5.1) as CSV, JSON, NDJSON or an aligned table: key
//! columns, `bucket_start`, `bucket_end`, then the metric columns chosen.
//! Seconds print with three decimals (milliseconds underneath),
//! percentages with two; an undefined ratio is empty (CSV, table) or
//! `null` (JSON).

use std::io::Write;

use chrono::{DateTime, FixedOffset};

use crate::calls::{grouped_by, CallCell, CallsRecord, CallsTable};
use crate::error::{Error, Result};
use crate::model::ReportKind;
use crate::option::OptionName;
use crate::rollup::{AnalyticsAnswer, OptionSums};
use crate::timeline::TimelineBy;
use crate::window::BucketInterval;

use super::analytics::{
    columns_refused, write_analytics, AnalyticsSource, KeyBuckets, KeyRun, COMPANY,
};
use super::cell::{rfc3339, Typed};
#[cfg(feature = "parquet")]
use super::table_parquet::TableParquet;
use super::timeline::{write_rows, V};
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

/// A call cell as a typed value: seconds to the millisecond, percentages
/// in hundredths.
fn typed<'a>(c: CallCell) -> Typed<'a> {
    match c {
        CallCell::Count(n) => Typed::Whole(n.into()),
        CallCell::Millis(ms) => Typed::Fixed(ms.map(i128::from), 3),
        CallCell::Percent(d) => Typed::Fixed(
            d.map(|mut d| {
                d.rescale(2);
                d.mantissa()
            }),
            2,
        ),
    }
}

fn value(c: Option<CallCell>) -> V {
    c.map_or(V::Null, |c| V::metric(typed(c)))
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

/// A calls table answering an Analytics API response: the table's
/// [`AnalyticsAnswer`], or every option calls answer.
struct CallsAnswer<'a> {
    table: &'a CallsTable,
    answer: &'a AnalyticsAnswer,
}

impl AnalyticsSource for CallsAnswer<'_> {
    fn kind(&self) -> ReportKind {
        ReportKind::Segments
    }
    /// The calls were kept or dropped by the filters one by one.
    fn filtered(&self, sums: OptionSums) -> OptionSums {
        sums
    }
    fn zero(&self) -> OptionSums {
        crate::calls::CallSums::default().option_sums(self.table.lists_unanswered())
    }
    fn grouped_by(&self) -> &'static str {
        grouped_by(self.table.by()).unwrap_or(COMPANY.1)
    }
    fn answer(&self) -> &AnalyticsAnswer {
        self.answer
    }
    fn interval(&self) -> BucketInterval {
        self.table.interval()
    }
    fn check(&self) -> Result<()> {
        let by = self.table.by();
        if grouped_by(by).is_none() {
            return Err(Error::usage(format!(
                "the Analytics API has no grouping by {by}; the analytics format answers {} \
                 agent (Users), agent-group (UserGroups), company-number (CompanyNumbers), ivr \
                 (IVRs) or all (Company)",
                OptionName::By
            )));
        }
        if self.table.columns().names().len() != crate::calls::CALL_COLUMNS.len() {
            return Err(columns_refused());
        }
        Ok(())
    }
    fn each_key(&self, each: &mut dyn FnMut(KeyBuckets) -> Result<()>) -> Result<()> {
        let by = self.table.by();
        let lists = self.table.lists_unanswered();
        let mut run = KeyRun::new(each);
        let recs = self.table.records();
        for (i, r) in recs.iter().enumerate() {
            let key = r.keys().first().map_or("", String::as_str);
            // A call no agent took has no user, one without an IVR no IVR
            // (counted in a warning).
            if key.is_empty() && by != TimelineBy::All {
                continue;
            }
            let sums = (r.bucket_start(), r.metrics.sums.option_sums(lists));
            let same = i > 0 && recs[i - 1].keys() == r.keys();
            run.push(same, sums, || match by {
                TimelineBy::All => (COMPANY.0.to_owned(), Some(COMPANY.1.to_owned())),
                // Interaction metadata has agent and IVR ids and numbers,
                // no names.
                TimelineBy::Agent | TimelineBy::Ivr | TimelineBy::CompanyNumber => {
                    (key.to_owned(), None)
                }
                _ => (key.to_owned(), Some(key.to_owned())),
            })?;
        }
        run.end()
    }
    fn range_bucket_starts(
        &self,
        interval: BucketInterval,
    ) -> Result<Option<Vec<DateTime<FixedOffset>>>> {
        self.table.range_bucket_starts(interval)
    }
    fn native_interval(&self) -> Result<Option<BucketInterval>> {
        Err(Error::usage(
            "Average, Min and Max without an aggregationInterval are over the rows' own \
             intervals, and calls have none; give an aggregationInterval",
        ))
    }
}

/// Writes a calls table in `format`: csv, json, ndjson, table, or the
/// Analytics API response (SPEC 8.3) of the table's
/// [`analytics_answer`](CallsTable::analytics_answer), every option calls
/// answer when it has none.
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
/// # Ok::<(), ringcx_reports::Error>(())
/// ```
pub fn write_calls<W: Write>(table: &CallsTable, format: TableFormat, out: &mut W) -> Result<()> {
    if format == TableFormat::Analytics {
        let every = AnalyticsAnswer::default();
        let answer = table.analytics_answer().unwrap_or(&every);
        return write_analytics(&CallsAnswer { table, answer }, out);
    }
    if format == TableFormat::Parquet {
        return calls_parquet(table, out);
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

/// A calls table as one Parquet file (see `table_parquet`).
#[cfg(feature = "parquet")]
fn calls_parquet<W: Write>(table: &CallsTable, out: &mut W) -> Result<()> {
    let metrics = table.columns().indexed().map(|(_, c)| (c.name, c.stored));
    let mut t = TableParquet::buckets(out, &table.tz(), table.key_columns(), metrics)?;
    for r in table.records() {
        let (s, e) = (r.bucket_start().timestamp(), r.bucket_end().timestamp());
        let cells = table
            .columns()
            .indexed()
            .filter_map(|(i, _)| r.metrics.cell(i));
        t.bucket_row(r.keys(), s, e, cells.map(typed))?;
    }
    t.finish()
}

#[cfg(not(feature = "parquet"))]
fn calls_parquet<W: Write>(_: &CallsTable, _: &mut W) -> Result<()> {
    Err(super::parquet_refused())
}
