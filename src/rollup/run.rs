//! Running a rollup: over rows from any iterator, or over files (in
//! parallel, by chunks of one file when the export allows, else read once
//! in path order and sorted by start through a temporary file, in bounded
//! memory; the sequential reference path is the oracle both are tested
//! against).

use std::path::Path;
use std::sync::atomic::AtomicBool;

use chrono_tz::Tz;

use super::engine::{
    run_source_par, run_source_seq, DupSet, IterSource, Producer, ReaderSource, RollupRow, Skips,
    Worker,
};
use super::inputs::Inputs;
use super::output::{finish, Finished, RollupOutput, RollupTable};
use super::Rollup;
use super::{chunked, sorted};
use crate::error::{Error, Result};
use crate::model::{AgentExtRow, AgentRow, QueueRow, ReportKind};
use crate::read::chunk::DEFAULT_CHUNK;
use crate::read::ReaderBuilder;

impl Rollup {
    /// Rolls up rows from any iterator, batches folded in parallel on the
    /// current rayon pool. Errors in the iterator are invalid rows (stop, or
    /// skipped with [`skip_invalid`](Self::skip_invalid)).
    pub fn run_rows<T, I>(&self, rows: I) -> Result<RollupTable>
    where
        T: RollupRow,
        I: IntoIterator<Item = Result<T>>,
        I::IntoIter: Send,
    {
        self.run_rows_with(rows, true)
    }

    /// [`run_rows`](Self::run_rows) on the current thread only: the
    /// reference the parallel path is tested against.
    // Test oracle: the sequential path the parallel one is checked against (tests, fuzz); not part of the supported API.
    #[doc(hidden)]
    pub fn run_rows_sequential<T, I>(&self, rows: I) -> Result<RollupTable>
    where
        T: RollupRow,
        I: IntoIterator<Item = Result<T>>,
        I::IntoIter: Send,
    {
        self.run_rows_with(rows, false)
    }

    fn run_rows_with<T, I>(&self, rows: I, parallel: bool) -> Result<RollupTable>
    where
        T: RollupRow,
        I: IntoIterator<Item = Result<T>>,
        I::IntoIter: Send,
    {
        let plan = self.plan(T::KIND, self.source_tz.unwrap_or(Tz::UTC))?;
        let abort = AtomicBool::new(false);
        let prod = Producer::new(
            IterSource(rows.into_iter()),
            &plan,
            0,
            "<rows>".into(),
            DupSet::default(),
            &abort,
        );
        let r = if parallel {
            run_source_par(prod, &plan)
        } else {
            let mut w = Worker::new(&plan);
            let mut r = run_source_seq(prod, &mut w);
            r.partial = w.partial;
            r
        };
        if let Some(e) = r.error {
            return Err(e);
        }
        finish::<T>(&plan, r.partial, r.skips, r.read, r.kept)
    }

    /// The one place that decides the source zone of a file rollup: the
    /// zone set with [`source_tz`](Self::source_tz), else the reader
    /// builder's. The plan's default bucket zone is this builder's zone.
    fn reader_builder(&self, rb: &ReaderBuilder) -> ReaderBuilder {
        match self.source_tz {
            Some(tz) => rb.clone().source_tz(tz),
            None => rb.clone(),
        }
    }

    /// Rolls up files: files in parallel, and batches of each file in
    /// parallel, on the current rayon pool. The report kind is detected
    /// from the first file (or forced by the `ReaderBuilder`); every file
    /// must hold the same report. The source zone set with
    /// [`source_tz`](Self::source_tz) overrides the builder's.
    pub fn run_files<P: AsRef<Path> + Sync>(
        &self,
        paths: &[P],
        reader: &ReaderBuilder,
    ) -> Result<RollupTable> {
        self.files(paths, reader, true)?.into_table()
    }

    /// [`run_files`](Self::run_files) on the current thread, files in path
    /// order: the reference path.
    // Test oracle: the sequential path the parallel one is checked against (tests, fuzz); not part of the supported API.
    #[doc(hidden)]
    pub fn run_files_sequential<P: AsRef<Path> + Sync>(
        &self,
        paths: &[P],
        reader: &ReaderBuilder,
    ) -> Result<RollupTable> {
        self.files(paths, reader, false)?.into_table()
    }

    /// The chunked fast path of [`run_files`](Self::run_files) alone:
    /// `Ok(None)` when it leaves the files to the sort (an
    /// invalid row, a key whose starts do not increase, a start in a
    /// repeated fall-back hour, a file that is neither CSV nor JSON). When
    /// it gives a table, that table equals
    /// [`run_files_sequential`](Self::run_files_sequential)'s.
    pub fn try_run_files_chunked<P: AsRef<Path> + Sync>(
        &self,
        paths: &[P],
        reader: &ReaderBuilder,
    ) -> Result<Option<RollupTable>> {
        if paths.is_empty() {
            return Err(Error::usage("no input files"));
        }
        let rb = self.reader_builder(reader);
        let mut sorted: Vec<&Path> = paths.iter().map(|p| p.as_ref()).collect();
        sorted.sort();
        let inputs = Inputs::open(&rb, sorted)?;
        let kind = inputs.kind;
        let size = self.chunk_size.unwrap_or(DEFAULT_CHUNK);
        macro_rules! go {
            ($t:ty) => {{
                let plan = self.plan(kind, rb.source_zone())?;
                let run = inputs
                    .chunks()
                    .and_then(|c| chunked::run::<$t>(&plan, &c, kind, size));
                match run {
                    Some(r) => RollupOutput::Packed(Finished::packed(&plan, r)?)
                        .with_header_warnings(inputs.header)
                        .into_table()
                        .map(Some),
                    None => Ok(None),
                }
            }};
        }
        match kind {
            ReportKind::Queue => go!(QueueRow),
            ReportKind::AgentExt => go!(AgentExtRow),
            ReportKind::Agent => go!(AgentRow),
            ReportKind::Segments => Ok(None),
        }
    }

    /// Rolls up files like [`run_files`](Self::run_files), but returns the
    /// result before any table is built: for large sorted CSV or JSON
    /// exports the finished buckets stay packed (a few dozen bytes each) and
    /// [`write_rollup`](crate::write::write_rollup) prints them straight
    /// from there, in order, the same bytes as the table would give.
    ///
    /// ```
    /// use ringcx_reports::rollup::Rollup;
    /// use ringcx_reports::window::BucketInterval;
    /// use ringcx_reports::write::{write_rollup, TableFormat};
    /// use ringcx_reports::ReaderBuilder;
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("a.csv");
    /// std::fs::write(&path, "15,20240304,08:00,42,Alena,5686,Sales,300,30,2,1\n").unwrap();
    /// let output = Rollup::new()
    ///     .interval(BucketInterval::Day)
    ///     .output_files(&[&path], &ReaderBuilder::new())?;
    /// let mut out = Vec::new();
    /// let stats = write_rollup(output, TableFormat::Ndjson, &mut out)?;
    /// assert_eq!(stats.rows_kept, 1);
    /// assert!(String::from_utf8(out).unwrap().starts_with(
    ///     r#"{"agent_id":"42","agent_name":"Alena","bucket_start":"2024-03-04T00:00:00+00:00""#
    /// ));
    /// # Ok::<(), ringcx_reports::Error>(())
    /// ```
    pub fn output_files<P: AsRef<Path> + Sync>(
        &self,
        paths: &[P],
        reader: &ReaderBuilder,
    ) -> Result<RollupOutput> {
        self.files(paths, reader, true)
    }

    fn files<P: AsRef<Path> + Sync>(
        &self,
        paths: &[P],
        reader: &ReaderBuilder,
        parallel: bool,
    ) -> Result<RollupOutput> {
        if paths.is_empty() {
            return Err(Error::usage("no input files"));
        }
        let rb = self.reader_builder(reader);
        // Path order is the canonical order: it decides which of two
        // duplicate rows in different files is kept, so the output does not
        // depend on the order the files were given in.
        let mut sorted: Vec<&Path> = paths.iter().map(|p| p.as_ref()).collect();
        sorted.sort();
        let mut inputs = Inputs::open(&rb, sorted)?;
        let header = std::mem::take(&mut inputs.header);
        let done = match inputs.kind {
            ReportKind::Queue => self.files_of::<QueueRow>(&inputs, &rb, parallel),
            ReportKind::AgentExt => self.files_of::<AgentExtRow>(&inputs, &rb, parallel),
            ReportKind::Agent => self.files_of::<AgentRow>(&inputs, &rb, parallel),
            ReportKind::Segments => Err(super::segments_refused()),
        }?;
        Ok(done.with_header_warnings(header))
    }

    fn files_of<T: RollupRow>(
        &self,
        inputs: &Inputs<'_>,
        rb: &ReaderBuilder,
        parallel: bool,
    ) -> Result<RollupOutput> {
        let (paths, kind) = (&inputs.paths, inputs.kind);
        let plan = self.plan(kind, rb.source_zone())?;
        let open = |i: usize| inputs.reader(rb, i).map(ReaderSource);
        if parallel {
            let size = self.chunk_size.unwrap_or(DEFAULT_CHUNK);
            let run = inputs
                .chunks()
                .and_then(|c| chunked::run::<T>(&plan, &c, kind, size));
            if let Some(r) = run {
                return Ok(RollupOutput::Packed(Finished::packed(&plan, r)?));
            }
        }
        // Not in time order (or not cut into chunks): sorted, in bounded
        // memory.
        if parallel {
            let limit = self.sort_memory.unwrap_or(crate::sort::BUFFER_BYTES);
            let r = sorted::run::<T>(&plan, paths, open, limit)?;
            return Ok(RollupOutput::Packed(Finished::packed(&plan, r)?));
        }
        // The reference path: the sequential run, the oracle of tests.
        let abort = AtomicBool::new(false);
        let mut worker = Worker::new(&plan);
        let mut dup = DupSet::default();
        let (mut read, mut kept) = (0, 0);
        let mut skips = Skips::default();
        for (i, p) in paths.iter().enumerate() {
            let src = open(i)?;
            let prod =
                Producer::<T, _>::new(src, &plan, i, p.to_string_lossy().into(), dup, &abort);
            let r = run_source_seq(prod, &mut worker);
            if let Some(e) = r.error {
                return Err(e);
            }
            dup = r.dup;
            read += r.read;
            kept += r.kept;
            skips = skips.merge(r.skips);
        }
        finish::<T>(&plan, worker.partial, skips, read, kept).map(RollupOutput::Table)
    }
}
