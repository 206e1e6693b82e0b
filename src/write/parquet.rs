//! Apache Parquet output (cargo feature `parquet`, arrow-rs): one file, or
//! a dataset partitioned by local date the way DuckDB, Spark, Trino and
//! DataFusion read Hive-style datasets: `DIR/date=YYYY-MM-DD/part-N.parquet`
//! ([`Partition`]).
//!
//! # Schema
//!
//! Columns follow `rcx parse --format csv`, typed:
//!
//! | column | Arrow type | Parquet logical type |
//! |---|---|---|
//! | `interval` | Int32 (minutes) | INT(32) |
//! | `date_from` | Date32 (local date in the source zone) | DATE |
//! | `time` | Time32(ms) (local start time) | TIME(MILLIS, local) |
//! | ids and names | Utf8 (never null; an absent name is `""`) | STRING |
//! | counts and durations | Int64, null when absent in the source (a value past 2⁶³ − 1 is refused, V110) | INT(64) |
//! | `avg_avail_member_cnt` | Decimal128(38, 10), null when absent | DECIMAL(38, 10) |
//! | `start` | Timestamp(ms, "UTC"): the interval start instant | TIMESTAMP(MILLIS, UTC) |
//! | `utc_offset_s` | Int32: the source zone's offset at `start`, seconds | INT(32) |
//!
//! Local date and time are kept as typed date and time so that queries can
//! group by local day without zone arithmetic; `start` with `utc_offset_s`
//! tells the two local 01:00 hours of a fall-back day apart.
//!
//! # Files
//!
//! Counts are signed, as SQL engines expect (DuckDB reads an unsigned
//! column as `UBIGINT`, which mixes badly with `BIGINT` arithmetic).
//!
//! With [`Partition::OneFile`] every row goes to the one file named, in row
//! groups as below. Otherwise rows arrive in time order (the converter sorts them), so each local date
//! is one contiguous run. A date's rows go to `part-0.parquet`,
//! `part-1.parquet`, … of at most [`ParquetOptions::rows_per_file`] rows
//! each, in row groups of [`ParquetOptions::row_group_rows`] rows, Snappy
//! compressed. Same rows, same options: same files, byte for byte. Each
//! file is written to a temporary name and renamed when complete.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{
    Date32Builder, Decimal128Builder, Int32Builder, Int64Builder, StringBuilder,
    Time32MillisecondBuilder, TimestampMillisecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field as ArrowField, Schema, SchemaRef, TimeUnit};
use chrono::{NaiveDate, Timelike};
use parquet::arrow::ArrowWriter;
use rust_decimal::Decimal;

use crate::diagnostic::Code;
use crate::error::{Error, Result};
use crate::model::{Field, IntervalRow, Value};
use crate::position::Location;
use crate::write::Destination;

pub use super::segment_parquet::{segment_schema, SegmentParquetWriter};
use super::table_parquet::{pq_err, writer_props};

/// Precision of the `avg_avail_member_cnt` decimal column.
pub const DECIMAL_PRECISION: u8 = 38;
/// Scale (digits after the point) of the `avg_avail_member_cnt` column.
pub const DECIMAL_SCALE: i8 = 10;

/// How rows are laid out in files.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Partition {
    /// A directory of `date=YYYY-MM-DD/part-N.parquet` files (the default).
    #[default]
    ByDate,
    /// One file at the path given, written atomically.
    OneFile,
}

/// File layout and row-group sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParquetOptions {
    /// Rows per file before a date starts its next `part-N` (default
    /// 1 000 000; [`Partition::OneFile`] writes one file whatever its rows).
    pub rows_per_file: usize,
    /// Rows per row group (default 65 536).
    pub row_group_rows: usize,
    /// One file, or a directory partitioned by date.
    pub partition: Partition,
}

impl Default for ParquetOptions {
    fn default() -> Self {
        ParquetOptions {
            rows_per_file: 1_000_000,
            row_group_rows: 65_536,
            partition: Partition::ByDate,
        }
    }
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date")
}

/// The Arrow schema of rows of type `T`.
///
/// ```
/// use ringcx_reports::QueueRow;
/// let schema = ringcx_reports::write::parquet::schema::<QueueRow>();
/// let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
/// assert_eq!(names[..4], ["interval", "date_from", "time", "queue"]);
/// assert_eq!(names[names.len() - 2..], ["start", "utc_offset_s"]);
/// ```
pub fn schema<T: IntervalRow>() -> SchemaRef {
    let mut fields = vec![
        ArrowField::new("interval", DataType::Int32, false),
        ArrowField::new("date_from", DataType::Date32, false),
        ArrowField::new("time", DataType::Time32(TimeUnit::Millisecond), false),
    ];
    T::default().visit(&mut |f, v| {
        fields.push(match v {
            Value::Text(_) => ArrowField::new(f.name(), DataType::Utf8, false),
            Value::Int(_) => ArrowField::new(f.name(), DataType::Int64, true),
            Value::Decimal(_) => ArrowField::new(
                f.name(),
                DataType::Decimal128(DECIMAL_PRECISION, DECIMAL_SCALE),
                true,
            ),
        })
    });
    fields.push(ArrowField::new(
        "start",
        DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
        false,
    ));
    fields.push(ArrowField::new("utc_offset_s", DataType::Int32, false));
    Arc::new(Schema::new(fields))
}

enum Col {
    Text(StringBuilder),
    Int(Int64Builder),
    Decimal(Decimal128Builder),
}

/// Column builders for one batch of rows.
struct Columns {
    interval: Int32Builder,
    date: Date32Builder,
    time: Time32MillisecondBuilder,
    cols: Vec<Col>,
    start: TimestampMillisecondBuilder,
    offset: Int32Builder,
    len: usize,
}

impl Columns {
    fn new<T: IntervalRow>() -> Self {
        let mut cols = Vec::new();
        T::default().visit(&mut |_, v| {
            cols.push(match v {
                Value::Text(_) => Col::Text(StringBuilder::new()),
                Value::Int(_) => Col::Int(Int64Builder::new()),
                Value::Decimal(_) => Col::Decimal(
                    Decimal128Builder::new()
                        .with_precision_and_scale(DECIMAL_PRECISION, DECIMAL_SCALE)
                        .expect("valid precision and scale"),
                ),
            })
        });
        Columns {
            interval: Int32Builder::new(),
            date: Date32Builder::new(),
            time: Time32MillisecondBuilder::new(),
            cols,
            start: TimestampMillisecondBuilder::new().with_timezone("UTC"),
            offset: Int32Builder::new(),
            len: 0,
        }
    }

    fn push<T: IntervalRow>(&mut self, row: &T, file: &str) -> Result<()> {
        // Check the one fallible conversion before touching any builder, so
        // a refused row leaves the columns aligned.
        check_row(row, file)?;
        let start = row.start();
        let local = start.local();
        self.interval.append_value(row.interval().minutes() as i32);
        self.date
            .append_value((local.date() - epoch()).num_days() as i32);
        self.time
            .append_value((local.time().num_seconds_from_midnight() * 1000) as i32);
        let mut i = 0;
        let cols = &mut self.cols;
        row.visit(&mut |_, v| {
            match (&mut cols[i], v) {
                (Col::Text(b), Value::Text(s)) => b.append_value(s),
                // `check_row` made sure every count fits.
                (Col::Int(b), Value::Int(n)) => {
                    b.append_option(n.map(|n| i64::try_from(n).unwrap_or(i64::MAX)))
                }
                (Col::Decimal(b), Value::Decimal(d)) => {
                    b.append_option(d.and_then(decimal_to_i128))
                }
                // The visit order of a row type never changes.
                _ => unreachable!("visit order is fixed per row type"),
            }
            i += 1;
        });
        self.start.append_value(start.timestamp() * 1000);
        self.offset.append_value(start.offset().local_minus_utc());
        self.len += 1;
        Ok(())
    }

    fn finish(&mut self, schema: &SchemaRef) -> Result<RecordBatch> {
        let mut arrays: Vec<ArrayRef> = vec![
            Arc::new(self.interval.finish()),
            Arc::new(self.date.finish()),
            Arc::new(self.time.finish()),
        ];
        for c in &mut self.cols {
            arrays.push(match c {
                Col::Text(b) => Arc::new(b.finish()),
                Col::Int(b) => Arc::new(b.finish()),
                Col::Decimal(b) => Arc::new(b.finish()),
            });
        }
        arrays.push(Arc::new(self.start.finish()));
        arrays.push(Arc::new(self.offset.finish()));
        self.len = 0;
        RecordBatch::try_new(schema.clone(), arrays)
            .map_err(|e| Error::usage(format!("parquet: building a record batch: {e}")))
    }
}

/// Checks that `row` fits the Parquet schema: its counts fit a signed
/// 64-bit integer, its decimals have at most [`DECIMAL_SCALE`] digits after
/// the point and [`DECIMAL_PRECISION`] digits in all (error V110 naming
/// `file`, the line, field and value).
// Used by the fuzz targets; not part of the supported API.
#[doc(hidden)]
pub fn check_row<T: IntervalRow>(row: &T, file: &str) -> Result<()> {
    let mut bad: Option<(Field, String, String)> = None;
    row.visit(&mut |f, v| {
        if bad.is_some() {
            return;
        }
        match v {
            Value::Decimal(Some(d)) if decimal_to_i128(d).is_none() => {
                let want = format!(
                    "expected a decimal that fits Decimal128({DECIMAL_PRECISION}, {DECIMAL_SCALE}) without rounding"
                );
                bad = Some((f, want, d.to_string()));
            }
            Value::Int(Some(n)) if i64::try_from(n).is_err() => {
                let want = "expected a count that fits a signed 64-bit Parquet integer".into();
                bad = Some((f, want, n.to_string()));
            }
            _ => {}
        }
    });
    match bad {
        None => Ok(()),
        Some((f, want, value)) => Err(Error::data(
            Code::Overflow,
            Location::new(file, row.pos()).with_field(f.name()),
            want,
            value,
        )),
    }
}

/// The decimal as an i128 at [`DECIMAL_SCALE`], if it fits without
/// rounding and within [`DECIMAL_PRECISION`] digits.
fn decimal_to_i128(d: Decimal) -> Option<i128> {
    let d = d.normalize();
    let scale = d.scale() as i8;
    if scale > DECIMAL_SCALE {
        return None;
    }
    let v = d
        .mantissa()
        .checked_mul(10i128.pow((DECIMAL_SCALE - scale) as u32))?;
    (v.unsigned_abs() < 10u128.pow(DECIMAL_PRECISION as u32)).then_some(v)
}

struct Part {
    date: NaiveDate,
    rows: usize,
    writer: ArrowWriter<Destination>,
}

/// Writes rows of type `T`, in time order, to `DIR/date=YYYY-MM-DD/part-N.parquet`,
/// or to one file ([`Partition::OneFile`]).
pub struct ParquetDirWriter<T> {
    dir: PathBuf,
    opts: ParquetOptions,
    schema: SchemaRef,
    cols: Columns,
    part: Option<Part>,
    next_part: BTreeMap<NaiveDate, usize>,
    files: Vec<PathBuf>,
    _t: std::marker::PhantomData<T>,
}

impl<T: IntervalRow> std::fmt::Debug for ParquetDirWriter<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParquetDirWriter")
            .field("dir", &self.dir)
            .field("files", &self.files)
            .finish()
    }
}

impl<T: IntervalRow> ParquetDirWriter<T> {
    /// Starts writing into `dir`, which must not exist or be empty (so that
    /// no file of an earlier run is mistaken for part of this one); with
    /// [`Partition::OneFile`], to the file `dir` names, new or replaced
    /// once it is complete.
    pub fn create(dir: impl AsRef<Path>, opts: ParquetOptions) -> Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        let name = dir.to_string_lossy().into_owned();
        let one_file = opts.partition == Partition::OneFile;
        match std::fs::read_dir(&dir) {
            Ok(_) if one_file => {
                return Err(Error::usage(format!(
                    "{name}: is a directory; one Parquet file goes to a file path"
                )))
            }
            Ok(mut entries) => {
                if entries.next().is_some() {
                    return Err(Error::usage(format!(
                        "{name}: the output directory is not empty; parquet output goes to a new or empty directory"
                    )));
                }
            }
            Err(_) if one_file => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(&dir).map_err(|e| Error::io(name.clone(), e))?
            }
            Err(e) => return Err(Error::io(name, e)),
        }
        let mut w = ParquetDirWriter {
            dir,
            opts: ParquetOptions {
                rows_per_file: opts.rows_per_file.max(1),
                row_group_rows: opts.row_group_rows.max(1),
                partition: opts.partition,
            },
            schema: schema::<T>(),
            cols: Columns::new::<T>(),
            part: None,
            next_part: BTreeMap::new(),
            files: Vec::new(),
            _t: std::marker::PhantomData,
        };
        if one_file {
            // The file is written even without rows: a query of it finds
            // the columns and no row.
            let path = w.dir.clone();
            w.open_file(path, epoch())?;
        }
        Ok(w)
    }

    /// Adds one row; `file` names its source in errors (a decimal that does
    /// not fit the column, V110).
    pub fn write_row(&mut self, row: &T, file: &str) -> Result<()> {
        let date = row.start().local().date();
        let switch = match &self.part {
            _ if self.opts.partition == Partition::OneFile => false,
            Some(p) => p.date != date || p.rows >= self.opts.rows_per_file,
            None => true,
        };
        if switch {
            self.close_part()?;
            self.open_part(date)?;
        }
        self.cols.push(row, file)?;
        if let Some(p) = &mut self.part {
            p.rows += 1;
        }
        if self.cols.len >= self.opts.row_group_rows {
            self.flush_batch()?;
        }
        Ok(())
    }

    /// Closes the last file and returns every file written, in order.
    pub fn finish(mut self) -> Result<Vec<PathBuf>> {
        self.close_part()?;
        Ok(std::mem::take(&mut self.files))
    }

    fn open_part(&mut self, date: NaiveDate) -> Result<()> {
        let n = self.next_part.entry(date).or_insert(0);
        let sub = self.dir.join(format!("date={}", date.format("%Y-%m-%d")));
        std::fs::create_dir_all(&sub).map_err(|e| Error::io(sub.to_string_lossy(), e))?;
        let path = sub.join(format!("part-{n}.parquet"));
        *n += 1;
        self.open_file(path, date)
    }

    fn open_file(&mut self, path: PathBuf, date: NaiveDate) -> Result<()> {
        let props = writer_props(self.opts.row_group_rows);
        let file = Destination::create(&path)?;
        let writer = ArrowWriter::try_new(file, self.schema.clone(), Some(props))
            .map_err(|e| pq_err(&path, e))?;
        self.files.push(path);
        self.part = Some(Part {
            date,
            rows: 0,
            writer,
        });
        Ok(())
    }

    fn flush_batch(&mut self) -> Result<()> {
        if self.cols.len == 0 {
            return Ok(());
        }
        let batch = self.cols.finish(&self.schema)?;
        let path = self.files.last().cloned().unwrap_or_default();
        if let Some(p) = &mut self.part {
            p.writer.write(&batch).map_err(|e| pq_err(&path, e))?;
            p.writer.flush().map_err(|e| pq_err(&path, e))?;
        }
        Ok(())
    }

    fn close_part(&mut self) -> Result<()> {
        self.flush_batch()?;
        if let Some(p) = self.part.take() {
            let path = self.files.last().cloned().unwrap_or_default();
            let file = p.writer.into_inner().map_err(|e| pq_err(&path, e))?;
            file.commit()?;
        }
        Ok(())
    }
}
