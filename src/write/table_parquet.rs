//! Result tables (a rollup, calls, a timeline) as one Apache Parquet file
//! (cargo feature `parquet`): the columns of the CSV, typed.
//!
//! | column | Arrow type | DuckDB reads |
//! |---|---|---|
//! | key columns | Utf8 | VARCHAR |
//! | `bucket_start`, `bucket_end` | Timestamp(ms, the bucket zone) | TIMESTAMP WITH TIME ZONE |
//! | counts, whole seconds, signed numerators | Int64 | BIGINT |
//! | ratios and percentages (two places) | Decimal128(18, 2), null when undefined | DECIMAL(18,2) |
//! | seconds of calls and timelines (to the ms) | Decimal128(18, 3), null when undefined | DECIMAL(18,3) |
//!
//! The decimals hold exactly the digits the CSV prints. Their precision,
//! 18, keeps them 64-bit integers in the file (a wider decimal is written
//! as fixed-length bytes, which the writer's statistics hold on to row
//! group after row group, so memory grew with the table). A whole number
//! past 2⁶³ − 1 (a sum of counts that large), or a decimal of more than 18
//! digits, is refused naming its column, rather than written wrapped. Rows are written in row groups of
//! [`ROW_GROUP`] rows, each handed to the output as it is complete, so
//! memory holds one row group whatever the table's length.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{
    Decimal128Builder, Int64Builder, StringBuilder, TimestampMillisecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use super::cell::Typed;
use crate::error::{Error, Result};
use crate::rollup::Stored;

/// Rows per row group.
pub const ROW_GROUP: usize = 65_536;

/// Precision of the decimal columns: the widest stored as a 64-bit
/// integer.
const PRECISION: u8 = 18;

/// The type of one column of a result table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A key: text.
    Text,
    /// A bucket bound: an instant, shown in the table's zone.
    Instant,
    /// A metric value.
    Metric(Stored),
}

enum Builder {
    Text(StringBuilder),
    Instant(TimestampMillisecondBuilder),
    Whole(Int64Builder),
    Fixed(Decimal128Builder, i8),
}

/// A result table written to `out` as one Parquet file, a row group at a
/// time.
pub(crate) struct TableParquet<'w, W: Write + ?Sized> {
    out: &'w mut W,
    names: Vec<&'static str>,
    schema: SchemaRef,
    cols: Vec<Builder>,
    len: usize,
    writer: ArrowWriter<Vec<u8>>,
}

/// The properties of every Parquet file rcx writes: Snappy, row groups of
/// at most `row_group_rows` rows.
pub(super) fn writer_props(row_group_rows: usize) -> WriterProperties {
    WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(row_group_rows))
        .build()
}

/// Writes `arrays` (the columns of `schema`) as one row group.
pub(super) fn write_row_group<W: std::io::Write + Send>(
    writer: &mut ArrowWriter<W>,
    schema: &SchemaRef,
    arrays: Vec<ArrayRef>,
) -> parquet::errors::Result<()> {
    let batch = RecordBatch::try_new(schema.clone(), arrays)?;
    writer.write(&batch)?;
    writer.flush()
}

/// A Parquet error writing `file`.
pub(super) fn pq_err(file: &Path, e: impl std::fmt::Display) -> Error {
    Error::io(
        file.to_string_lossy(),
        std::io::Error::other(format!("parquet: {e}")),
    )
}

/// A Parquet error writing the output.
fn out_err(e: impl std::fmt::Display) -> Error {
    Error::io("<output>", std::io::Error::other(format!("parquet: {e}")))
}

impl<'w, W: Write + ?Sized> TableParquet<'w, W> {
    /// Starts a file of the columns `names`, of types `kinds`, with bucket
    /// bounds shown in the zone `tz` (an IANA name).
    pub(crate) fn new(
        out: &'w mut W,
        names: Vec<&'static str>,
        kinds: Vec<Kind>,
        tz: &str,
    ) -> Result<Self> {
        debug_assert_eq!(names.len(), kinds.len());
        let tz: Arc<str> = tz.into();
        let fields: Vec<Field> = names
            .iter()
            .zip(&kinds)
            .map(|(&n, k)| match k {
                Kind::Text => Field::new(n, DataType::Utf8, false),
                Kind::Instant => Field::new(
                    n,
                    DataType::Timestamp(TimeUnit::Millisecond, Some(tz.clone())),
                    false,
                ),
                Kind::Metric(Stored::Whole) => Field::new(n, DataType::Int64, false),
                Kind::Metric(s) => Field::new(n, DataType::Decimal128(PRECISION, s.scale()), true),
            })
            .collect();
        let schema: SchemaRef = Arc::new(Schema::new(fields));
        let cols = kinds
            .iter()
            .map(|k| -> Result<Builder> {
                Ok(match k {
                    Kind::Text => Builder::Text(StringBuilder::new()),
                    Kind::Instant => Builder::Instant(
                        TimestampMillisecondBuilder::new().with_timezone(tz.clone()),
                    ),
                    Kind::Metric(Stored::Whole) => Builder::Whole(Int64Builder::new()),
                    Kind::Metric(s) => Builder::Fixed(
                        Decimal128Builder::new()
                            .with_precision_and_scale(PRECISION, s.scale())
                            .map_err(out_err)?,
                        s.scale(),
                    ),
                })
            })
            .collect::<Result<_>>()?;
        let props = writer_props(ROW_GROUP);
        let writer =
            ArrowWriter::try_new(Vec::new(), schema.clone(), Some(props)).map_err(out_err)?;
        Ok(TableParquet {
            out,
            names,
            schema,
            cols,
            len: 0,
            writer,
        })
    }

    /// Adds one row, its values in column order. A whole number that does
    /// not fit a signed 64-bit integer is refused (nothing of the row is
    /// added).
    pub(crate) fn row(&mut self, vals: &[Typed<'_>]) -> Result<()> {
        if vals.len() != self.cols.len() {
            return Err(out_err(format!(
                "a row of {} values for {} columns",
                vals.len(),
                self.cols.len()
            )));
        }
        for (i, v) in vals.iter().enumerate() {
            let bad = match *v {
                Typed::Whole(n) if i64::try_from(n).is_err() => {
                    Some((n, "a signed 64-bit integer".to_owned()))
                }
                Typed::Fixed(Some(n), scale)
                    if n.unsigned_abs() >= 10u128.pow(PRECISION.into()) =>
                {
                    Some((n, format!("Decimal128({PRECISION}, {scale}) (unscaled)")))
                }
                _ => None,
            };
            if let Some((n, what)) = bad {
                return Err(out_err(format!(
                    "column {}: {n} does not fit {what}",
                    self.names[i]
                )));
            }
        }
        // The columns' kinds come from the same catalogue as the values;
        // checked all the same before any column is touched.
        let fits = |b: &Builder, v: &Typed<'_>| match (b, v) {
            (Builder::Text(_), Typed::Text(_))
            | (Builder::Instant(_), Typed::Instant(_))
            | (Builder::Whole(_), Typed::Whole(_)) => true,
            (Builder::Fixed(_, scale), Typed::Fixed(_, s)) => scale == s,
            _ => false,
        };
        if let Some(i) = (0..vals.len()).find(|&i| !fits(&self.cols[i], &vals[i])) {
            return Err(out_err(format!(
                "column {}: a value of another type ({:?})",
                self.names[i], vals[i]
            )));
        }
        for (b, v) in self.cols.iter_mut().zip(vals) {
            match (b, *v) {
                (Builder::Text(b), Typed::Text(s)) => b.append_value(s),
                (Builder::Instant(b), Typed::Instant(ms)) => b.append_value(ms),
                (Builder::Whole(b), Typed::Whole(n)) => b.append_value(n as i64),
                (Builder::Fixed(b, _), Typed::Fixed(n, _)) => b.append_option(n),
                _ => {}
            }
        }
        self.len += 1;
        if self.len >= ROW_GROUP {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes the rows added so far as a row group, and hands its bytes to
    /// the output.
    fn flush(&mut self) -> Result<()> {
        if self.len > 0 {
            let arrays: Vec<ArrayRef> = self
                .cols
                .iter_mut()
                .map(|b| -> ArrayRef {
                    match b {
                        Builder::Text(b) => Arc::new(b.finish()),
                        Builder::Instant(b) => Arc::new(b.finish()),
                        Builder::Whole(b) => Arc::new(b.finish()),
                        Builder::Fixed(b, _) => Arc::new(b.finish()),
                    }
                })
                .collect();
            self.len = 0;
            write_row_group(&mut self.writer, &self.schema, arrays).map_err(out_err)?;
        }
        let bytes = std::mem::take(self.writer.inner_mut());
        self.out
            .write_all(&bytes)
            .map_err(|e| Error::io("<output>", e))
    }

    /// Writes the last row group and the file's footer.
    pub(crate) fn finish(mut self) -> Result<()> {
        self.flush()?;
        let rest = self.writer.into_inner().map_err(out_err)?;
        self.out
            .write_all(&rest)
            .and_then(|()| self.out.flush())
            .map_err(|e| Error::io("<output>", e))
    }
}

impl<'w, W: Write + ?Sized> TableParquet<'w, W> {
    /// Starts a table of buckets: the key columns `keys`, `bucket_start`,
    /// `bucket_end` in the zone `tz`, then the metric columns `metrics`.
    pub(crate) fn buckets(
        out: &'w mut W,
        tz: &chrono_tz::Tz,
        keys: &[&'static str],
        metrics: impl IntoIterator<Item = (&'static str, Stored)>,
    ) -> Result<Self> {
        let mut names = keys.to_vec();
        let mut kinds = vec![Kind::Text; keys.len()];
        names.extend(["bucket_start", "bucket_end"]);
        kinds.extend([Kind::Instant, Kind::Instant]);
        for (n, s) in metrics {
            names.push(n);
            kinds.push(Kind::Metric(s));
        }
        Self::new(out, names, kinds, tz.name())
    }

    /// Adds the row of one bucket: its keys, bounds (seconds since the
    /// epoch) and metric values.
    pub(crate) fn bucket_row<'a>(
        &mut self,
        keys: &'a [String],
        start_s: i64,
        end_s: i64,
        metrics: impl IntoIterator<Item = Typed<'a>>,
    ) -> Result<()> {
        let mut vals: Vec<Typed<'a>> = keys.iter().map(|k| Typed::Text(k)).collect();
        vals.push(Typed::Instant(start_s.saturating_mul(1000)));
        vals.push(Typed::Instant(end_s.saturating_mul(1000)));
        vals.extend(metrics);
        self.row(&vals)
    }
}
