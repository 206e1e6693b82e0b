//! Segment files (SPEC 2.4) converted: the canonical columns as CSV or
//! NDJSON (what `rcx parse` prints), or one Parquet file, a row per segment
//! with its events as a list (see
//! [`write::parquet::segment_schema`](crate::write::parquet::segment_schema)).
//!
//! Segments keep their order: each file's in file order, the files in the
//! order given (segments carry no interval to sort by). A repeated
//! (interactionId, segment id) in a file is T602, and a segment the reader
//! refuses stops the run, or with `skip_invalid` is counted and passed
//! over. The Teleopti layout has no segment form, and a Parquet dataset is
//! partitioned by the interval rows' local date, which segments lack: both
//! are refused by name.

use std::io::Write;

use super::inputs::Inputs;
use super::{ConvertStats, Converter, Target};
use crate::error::{Error, Result};
use crate::model::{ReportKind, Segment};
use crate::read::Reader;
use crate::write::{each_segment, ParseFormat, RowStats, SegmentWriter};

impl Converter {
    /// Converts the segment files of `inputs` to CSV or NDJSON on `out`.
    pub(super) fn segments_to<W: Write>(
        &self,
        inputs: &mut Inputs<'_>,
        mut out: W,
        stats: &mut ConvertStats,
    ) -> Result<()> {
        let format = match self.target {
            Target::Csv => ParseFormat::Csv,
            Target::Ndjson => ParseFormat::Ndjson,
            Target::Teleopti | Target::Parquet => {
                return Err(Error::usage(format!(
                    "segment files have no {} layout; convert them to csv, ndjson or parquet",
                    self.target
                )))
            }
        };
        let mut w = SegmentWriter::new(format);
        self.each_segment(inputs, stats, &mut |s, _| {
            w.write_segment(&mut out, s)
                .map_err(|e| Error::io("<output>", e))
        })?;
        out.flush().map_err(|e| Error::io("<output>", e))
    }

    /// Converts the segment files of `inputs` to the one Parquet file
    /// `path`.
    #[cfg(feature = "parquet")]
    pub(super) fn segments_parquet(
        &self,
        inputs: &mut Inputs<'_>,
        path: &std::path::Path,
        stats: &mut ConvertStats,
    ) -> Result<()> {
        use crate::write::parquet::{Partition, SegmentParquetWriter};
        if self.parquet.partition != Partition::OneFile {
            return Err(Error::usage(
                "segments have no local date to partition by: they are written to one Parquet \
                 file (a path ending in .parquet)",
            ));
        }
        let mut w = SegmentParquetWriter::create(path)?;
        self.each_segment(inputs, stats, &mut |s, file| w.write_segment(s, file))?;
        w.finish()?;
        stats.files = vec![path.to_path_buf()];
        Ok(())
    }

    /// Hands every segment of every input, in order, to `each` with its
    /// file's name; counts what was written and skipped into `stats`.
    fn each_segment(
        &self,
        inputs: &mut Inputs<'_>,
        stats: &mut ConvertStats,
        each: &mut dyn FnMut(&Segment, &str) -> Result<()>,
    ) -> Result<()> {
        let mut rows = RowStats::default();
        for i in 0..inputs.len() {
            let mut reader: Reader = inputs.reader(i, &self.builder, self.progress.as_ref())?;
            if reader.kind() != ReportKind::Segments {
                return Err(Error::usage(format!(
                    "{}: the file holds {} rows, but the first input holds segments; convert \
                     one report at a time",
                    reader.file(),
                    reader.kind()
                )));
            }
            stats.header_findings(&reader);
            let file = reader.file().clone();
            each_segment(&mut reader, self.skip_invalid, &mut rows, &mut |s| {
                each(s, &file)
            })?;
        }
        stats.rows = rows.rows;
        stats.skipped = rows.skipped;
        stats.first_skipped = rows.first_skipped;
        if rows.unchecked_duplicates > 0 {
            stats.warnings.push(format!(
                "{} segment(s) could not be checked for a repeated interactionId and segment id: \
                 the file is not in time order, and the key they may repeat was read long \
                 before and dropped",
                rows.unchecked_duplicates
            ));
        }
        Ok(())
    }
}
