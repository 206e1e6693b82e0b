//! Segments of interaction metadata as one Apache Parquet file (cargo
//! feature `parquet`, `rcx convert --to parquet` of segment files): one row
//! per segment, the columns of [`Segment::FIELDS`], typed.
//!
//! | column | Arrow type |
//! |---|---|
//! | ids, types, addresses, dispositions, notes | Utf8, null when absent |
//! | `interaction_start`, `segment_start`, `segment_end`, `interaction_end` | Timestamp(ms, "UTC") |
//! | `interaction_duration_ms`, `segment_duration_ms` | Int64 (a value past 2⁶³ − 1 is refused, V110) |
//! | `has_recording`, `has_transcript` | Boolean |
//! | `events` | List of Struct { `time`, `client_time`: Timestamp(ms, "UTC"); `type`: Utf8 }, null when absent |
//!
//! Instants keep the milliseconds the CSV and NDJSON forms print. The
//! file is written to a temporary name and renamed when complete, in row
//! groups of [`ROW_GROUP`](super::table_parquet::ROW_GROUP) rows.

use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{
    ArrayBuilder, BooleanBuilder, Int64Builder, ListBuilder, StringBuilder, StructBuilder,
    TimestampMillisecondBuilder,
};
use arrow_array::ArrayRef;
use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef, TimeUnit};
use chrono::{DateTime, Utc};
use parquet::arrow::ArrowWriter;

use super::segments::{values, V};
use super::table_parquet::{pq_err, write_row_group, writer_props, ROW_GROUP};
use super::Destination;
use crate::diagnostic::Code;
use crate::error::{Error, Result};
use crate::model::Segment;
use crate::position::Location;

fn utc() -> DataType {
    DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()))
}

/// The fields of one event.
fn event_fields() -> Fields {
    Fields::from(vec![
        Field::new("time", utc(), true),
        Field::new("client_time", utc(), true),
        Field::new("type", DataType::Utf8, true),
    ])
}

fn event_item() -> Field {
    Field::new("item", DataType::Struct(event_fields()), true)
}

enum Col {
    Text(StringBuilder),
    Int(Int64Builder),
    Time(TimestampMillisecondBuilder),
    Flag(BooleanBuilder),
    Events(ListBuilder<StructBuilder>),
}

fn time_builder() -> TimestampMillisecondBuilder {
    TimestampMillisecondBuilder::new().with_timezone("UTC")
}

fn ms(t: Option<DateTime<Utc>>) -> Option<i64> {
    t.map(|t| t.timestamp_millis())
}

/// The Arrow schema of segment rows.
///
/// ```
/// let schema = ringcx_reports::write::parquet::segment_schema();
/// assert_eq!(schema.fields().len(), ringcx_reports::Segment::FIELDS.len());
/// assert_eq!(schema.field(0).name(), "interaction_id");
/// ```
pub fn segment_schema() -> SchemaRef {
    let d = Segment::default();
    let fields: Vec<Field> = Segment::FIELDS
        .iter()
        .zip(values(&d))
        .map(|(&name, v)| match v {
            V::Text(_) => Field::new(name, DataType::Utf8, true),
            V::Int(_) => Field::new(name, DataType::Int64, true),
            V::Time(_) => Field::new(name, utc(), true),
            V::Flag(_) => Field::new(name, DataType::Boolean, true),
            V::Events => Field::new(name, DataType::List(Arc::new(event_item())), true),
        })
        .collect();
    Arc::new(Schema::new(fields))
}

/// Writes segments, in the order given, to one Parquet file.
pub struct SegmentParquetWriter {
    path: std::path::PathBuf,
    schema: SchemaRef,
    cols: Vec<Col>,
    len: usize,
    writer: ArrowWriter<Destination>,
}

impl std::fmt::Debug for SegmentParquetWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SegmentParquetWriter")
            .field("path", &self.path)
            .finish()
    }
}

impl SegmentParquetWriter {
    /// Starts the file `path`, new or replaced once it is complete.
    pub fn create(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let schema = segment_schema();
        let cols = values(&Segment::default())
            .iter()
            .map(|v| match v {
                V::Text(_) => Col::Text(StringBuilder::new()),
                V::Int(_) => Col::Int(Int64Builder::new()),
                V::Time(_) => Col::Time(time_builder()),
                V::Flag(_) => Col::Flag(BooleanBuilder::new()),
                V::Events => {
                    let fields: Vec<Box<dyn ArrayBuilder>> = vec![
                        Box::new(time_builder()),
                        Box::new(time_builder()),
                        Box::new(StringBuilder::new()),
                    ];
                    let events = StructBuilder::new(event_fields(), fields);
                    Col::Events(ListBuilder::new(events).with_field(event_item()))
                }
            })
            .collect();
        let props = writer_props(ROW_GROUP);
        let file = Destination::create(&path)?;
        let writer = ArrowWriter::try_new(file, schema.clone(), Some(props))
            .map_err(|e| pq_err(&path, e))?;
        Ok(SegmentParquetWriter {
            path,
            schema,
            cols,
            len: 0,
            writer,
        })
    }

    /// Adds one segment, read from `file` (named in the error of a value
    /// that does not fit its column, V110).
    pub fn write_segment(&mut self, s: &Segment, file: &str) -> Result<()> {
        let vals = values(s);
        // The one fallible conversion, checked before any column is touched.
        for (name, v) in Segment::FIELDS.iter().zip(&vals) {
            if let V::Int(Some(n)) = v {
                if i64::try_from(*n).is_err() {
                    return Err(Error::data(
                        Code::Overflow,
                        Location::new(file, s.field_pos(name)).with_field(*name),
                        "expected a value that fits a signed 64-bit Parquet integer",
                        n.to_string(),
                    ));
                }
            }
        }
        for (c, v) in self.cols.iter_mut().zip(&vals) {
            match (c, v) {
                (Col::Text(b), V::Text(t)) => b.append_option(*t),
                (Col::Int(b), V::Int(n)) => b.append_option(n.and_then(|n| i64::try_from(n).ok())),
                (Col::Time(b), V::Time(t)) => b.append_option(ms(*t)),
                (Col::Flag(b), V::Flag(f)) => b.append_option(*f),
                (Col::Events(b), V::Events) => match &s.events {
                    None => b.append_null(),
                    Some(events) => {
                        let st = b.values();
                        for e in events {
                            if let Some(t) = st.field_builder::<TimestampMillisecondBuilder>(0) {
                                t.append_option(ms(e.time));
                            }
                            if let Some(t) = st.field_builder::<TimestampMillisecondBuilder>(1) {
                                t.append_option(ms(e.client_time));
                            }
                            if let Some(k) = st.field_builder::<StringBuilder>(2) {
                                k.append_option((!e.kind.is_empty()).then_some(e.kind.as_str()));
                            }
                            st.append(true);
                        }
                        b.append(true);
                    }
                },
                // `values` gives the same kinds in the same order for
                // every segment (the columns were made from it).
                _ => {}
            }
        }
        self.len += 1;
        if self.len >= ROW_GROUP {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if self.len == 0 {
            return Ok(());
        }
        let arrays: Vec<ArrayRef> = self
            .cols
            .iter_mut()
            .map(|c| -> ArrayRef {
                match c {
                    Col::Text(b) => Arc::new(b.finish()),
                    Col::Int(b) => Arc::new(b.finish()),
                    Col::Time(b) => Arc::new(b.finish()),
                    Col::Flag(b) => Arc::new(b.finish()),
                    Col::Events(b) => Arc::new(b.finish()),
                }
            })
            .collect();
        self.len = 0;
        write_row_group(&mut self.writer, &self.schema, arrays).map_err(|e| pq_err(&self.path, e))
    }

    /// Writes the last row group and the footer, and puts the file in place.
    pub fn finish(mut self) -> Result<()> {
        self.flush()?;
        let path = self.path.clone();
        let file = self.writer.into_inner().map_err(|e| pq_err(&path, e))?;
        file.commit()
    }
}
