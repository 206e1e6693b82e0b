//! Conversion of interval reports to other layouts (`rcx convert`, SPEC 6):
//! the Calabrio/Teleopti import layout, canonical CSV and NDJSON (as
//! `rcx parse` prints them) and, with the `parquet` feature, a Parquet
//! dataset partitioned by local date. Segment files (interaction
//! metadata) convert to CSV, NDJSON or one Parquet file, in their own
//! order (see `segments`).
//!
//! Every target gets the same rows in the same order: all sources (one
//! report kind; any wire form the readers accept) merged and **sorted by
//! interval start instant, then key** (queue; agent then queue; agent),
//! keys compared as numbers when both are all digits and as text
//! otherwise, then by source order and line. Sorting by instant is sorting
//! by local date and time, except on a fall-back day, where the repeated
//! hour appears twice, first pass then second pass, exactly as RingCX
//! writes it, so a reader that applies SPEC 2.5 reads the output back to
//! the same instants.
//!
//! Invalid rows stop the run with their positioned error, or with
//! [`Converter::skip_invalid`] are skipped and counted by code, like
//! `rcx parse`. A row whose key and start instant were already seen is a
//! duplicate (F401): the first one in source order and line is kept.
//!
//! # Memory
//!
//! Exports are written in time order. With [`Order::Auto`] (the default) a
//! first pass reads every source and checks that its rows come in
//! non-decreasing start order (and stops on the first invalid row, so a
//! failing run writes nothing); when they do, the second pass is a k-way
//! merge that holds only the rows of one start instant (one per key) at a
//! time: memory does not grow with the input. Otherwise (or with
//! [`Order::Memory`]) the rows are sorted: in memory while they fit in
//! [`Converter::sort_memory`] (32 MiB unless set), else that much at a
//! time is sorted and written to a temporary file as a run, and the runs
//! are merged, one start instant at a time, so memory does not grow with
//! the input either. [`ConvertStats::sorted_in_memory`] says whether the
//! rows were sorted, [`ConvertStats::sort_runs`] how many runs went to
//! the temporary file.
//! A source that can be read only once (a FIFO, a process substitution)
//! makes the run one pass, sorted; each file is opened once for
//! the whole run.
//!
//! ```
//! use ringcx_reports::convert::{Converter, Source, Target};
//! let data = "\
//! 15,20240304,08:15,7,Sales,1,0,0,0,1,5,0,60,10,5,0,1,30,0,0
//! 15,20240304,08:00,7,Sales,2,0,0,0,2,9,0,90,20,5,0,2,30,0,0
//! ";
//! let sources = [Source::bytes("q.csv", data.as_bytes().to_vec())];
//! let mut out = Vec::new();
//! let stats = Converter::new(Target::Teleopti).write(&sources, &mut out)?;
//! assert_eq!(stats.rows, 2);
//! assert!(stats.sorted_in_memory);
//! assert_eq!(String::from_utf8(out).unwrap(), "\
//! 15;20240304;08:00;7;Sales;2;0;0;0;2;9;0;90;20;5;0;0;2;30;0;0
//! 15;20240304;08:15;7;Sales;1;0;0;0;1;5;0;60;10;5;0;0;1;30;0;0
//! ");
//! # Ok::<(), ringcx_reports::Error>(())
//! ```

mod inputs;
mod segments;

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use self::inputs::Inputs;
pub use self::inputs::Source;
use crate::diagnostic::Code;
use crate::error::{Error, Result};
use crate::model::zones::repeat_hint;
use crate::model::{AgentExtRow, AgentRow, IntervalRow, QueueRow, ReportKind};
use crate::position::Location;
use crate::progress::{Progress, RowTicker};
use crate::read::{Reader, ReaderBuilder};
use crate::sort::{self, sort_instant, Entry};
use crate::window::cmp_row_keys;
use crate::write::{check_teleopti_ids, ParseFormat, RowWriter, TeleoptiWriter};

/// What to convert to.
// Declared in the order `rcx convert --help` lists the targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[non_exhaustive]
pub enum Target {
    /// The Calabrio/Teleopti import layout (see [`TeleoptiWriter`]).
    #[cfg_attr(
        feature = "cli",
        value(help = "Calabrio/Teleopti import layout: no header, `;`, yyyyMMdd, HH:mm")
    )]
    Teleopti,
    /// Canonical CSV with a header (the columns of `rcx parse --format csv`).
    #[cfg_attr(
        feature = "cli",
        value(help = "Canonical CSV (the columns of `rcx parse --format csv`)")
    )]
    Csv,
    /// NDJSON (the objects of `rcx parse`).
    #[cfg_attr(feature = "cli", value(help = "NDJSON (the objects of `rcx parse`)"))]
    Ndjson,
    /// Parquet: one file, or a dataset partitioned by local date (feature
    /// `parquet`; see [`crate::write`]`::parquet`).
    #[cfg_attr(
        feature = "cli",
        value(help = "Parquet: one file (-o x.parquet) or partitioned by local date (-o DIR)")
    )]
    Parquet,
}

impl Target {
    /// `csv`, `ndjson`, `teleopti` or `parquet`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Target::Csv => "csv",
            Target::Ndjson => "ndjson",
            Target::Teleopti => "teleopti",
            Target::Parquet => "parquet",
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Target {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(Target::Csv),
            "ndjson" | "jsonl" => Ok(Target::Ndjson),
            "teleopti" | "calabrio" => Ok(Target::Teleopti),
            "parquet" => Ok(Target::Parquet),
            o => Err(format!(
                "unknown target {o:?}; expected csv, ndjson, teleopti or parquet"
            )),
        }
    }
}

/// How the converter orders rows (see the [module docs](self#memory)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Order {
    /// Check each source's order in a first pass; stream when every source
    /// is in time order, else sort (see [`Converter::sort_memory`]).
    #[default]
    Auto,
    /// Sort in one pass, without checking the order first (see
    /// [`Converter::sort_memory`]).
    Memory,
}

/// What a conversion did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConvertStats {
    /// The report converted.
    pub kind: Option<ReportKind>,
    /// Rows written.
    pub rows: u64,
    /// Rows skipped (only with `skip_invalid`), by code; duplicates are F401.
    pub skipped: BTreeMap<Code, u64>,
    /// The first skipped row's error, for the message.
    pub first_skipped: Option<String>,
    /// Whether the rows were sorted (some source was not in time order, or
    /// [`Order::Memory`]) rather than merged in the order they came.
    pub sorted_in_memory: bool,
    /// Sorted runs the sort wrote to a temporary file: 0 when the rows
    /// fit in its memory ([`Converter::sort_memory`]).
    pub sort_runs: usize,
    /// Files written (Parquet), in order.
    pub files: Vec<PathBuf>,
    /// Warnings for stderr: each source's header findings (an unknown
    /// column, S004, whose values are not read), in source order.
    pub warnings: Vec<String>,
}

impl ConvertStats {
    fn skip(&mut self, e: &Error) {
        if let Some(code) = e.code() {
            *self.skipped.entry(code).or_default() += 1;
        }
        if self.first_skipped.is_none() {
            self.first_skipped = Some(e.to_string());
        }
    }
    /// Keeps the header findings of a source as it is converted.
    fn header_findings(&mut self, reader: &Reader) {
        let found = reader.diagnostics().iter().map(ToString::to_string);
        self.warnings.extend(found);
    }
    /// Rows skipped in all.
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }
}

/// Converts sources to a [`Target`]. See the [module docs](self).
#[derive(Clone, Debug)]
pub struct Converter {
    target: Target,
    builder: ReaderBuilder,
    skip_invalid: bool,
    order: Order,
    progress: Option<Progress>,
    sort_memory: usize,
    #[cfg(feature = "parquet")]
    parquet: crate::write::parquet::ParquetOptions,
}

/// Where converted rows go.
trait Sink<T> {
    fn row(&mut self, row: &T, file: &str) -> Result<()>;
}

struct LineSink<W> {
    teleopti: Option<TeleoptiWriter>,
    rows: RowWriter,
    out: W,
}

impl<T: IntervalRow, W: Write> Sink<T> for LineSink<W> {
    fn row(&mut self, row: &T, _file: &str) -> Result<()> {
        match &mut self.teleopti {
            Some(t) => t.write_row(&mut self.out, row),
            None => self
                .rows
                .write_row(&mut self.out, row)
                .map_err(|e| Error::io("<output>", e)),
        }
    }
}

#[cfg(feature = "parquet")]
impl<T: IntervalRow> Sink<T> for crate::write::parquet::ParquetDirWriter<T> {
    fn row(&mut self, row: &T, file: &str) -> Result<()> {
        self.write_row(row, file)
    }
}

fn describe_key<T: IntervalRow>(row: &T) -> String {
    T::KEY_FIELDS
        .iter()
        .map(|&k| format!("{} {}", k.name(), row.text(k).unwrap_or("")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An open source and its next valid row.
struct Input<T> {
    /// `None` once the source is done, or while it waits closed (see
    /// [`Converter::stream`]).
    reader: Option<Reader>,
    /// The valid rows read from the source so far.
    read: u64,
    row: T,
    has: bool,
    t: i64,
    src: usize,
}

impl Converter {
    /// A converter to `target`: sources read with default reader options,
    /// invalid rows stop the run, [`Order::Auto`].
    pub fn new(target: Target) -> Self {
        Converter {
            target,
            builder: ReaderBuilder::new(),
            skip_invalid: false,
            order: Order::Auto,
            progress: None,
            sort_memory: sort::BUFFER_BYTES,
            #[cfg(feature = "parquet")]
            parquet: Default::default(),
        }
    }
    /// How sources are opened (source zone, date order, overrides).
    pub fn reader(mut self, builder: ReaderBuilder) -> Self {
        self.builder = builder;
        self
    }
    /// Skip invalid and duplicate rows, counting them, instead of stopping.
    pub fn skip_invalid(mut self, yes: bool) -> Self {
        self.skip_invalid = yes;
        self
    }
    /// How rows are ordered.
    pub fn order(mut self, order: Order) -> Self {
        self.order = order;
        self
    }
    /// About how many bytes of rows a sort holds before it writes them,
    /// sorted, to a temporary file (32 MiB unless set; see the
    /// [module docs](self#memory)).
    pub fn sort_memory(mut self, bytes: usize) -> Self {
        self.sort_memory = bytes;
        self
    }
    /// Counts bytes and rows read into `progress`.
    pub fn progress(mut self, progress: Progress) -> Self {
        self.progress = Some(progress);
        self
    }
    /// File and row-group sizes of Parquet output.
    #[cfg(feature = "parquet")]
    pub fn parquet_options(mut self, opts: crate::write::parquet::ParquetOptions) -> Self {
        self.parquet = opts;
        self
    }

    /// Converts `sources` to CSV, NDJSON or the Teleopti layout, written to
    /// `out`. Errors: the first invalid row (unless skipping), a usage
    /// error for sources of different report kinds, for segment files or
    /// for [`Target::Parquet`] (which writes a directory: see
    /// [`write_dir`](Self::write_dir)), I/O errors.
    pub fn write<W: Write>(&self, sources: &[Source], out: W) -> Result<ConvertStats> {
        let mut sink = LineSink {
            teleopti: None,
            rows: RowWriter::new(ParseFormat::Csv),
            out,
        };
        match self.target {
            Target::Csv => {}
            Target::Ndjson => sink.rows = RowWriter::new(ParseFormat::Ndjson),
            Target::Teleopti => sink.teleopti = Some(TeleoptiWriter::new()),
            Target::Parquet => {
                return Err(Error::usage(
                    "parquet output is written to a path: give a file or a directory",
                ))
            }
        }
        let mut stats = ConvertStats::default();
        let inputs = &mut Inputs::new(sources);
        let kind = self.kind_of(inputs)?;
        stats.kind = Some(kind);
        match kind {
            ReportKind::Queue => self.run::<QueueRow>(inputs, &mut sink, &mut stats)?,
            ReportKind::AgentExt => self.run::<AgentExtRow>(inputs, &mut sink, &mut stats)?,
            ReportKind::Agent => self.run::<AgentRow>(inputs, &mut sink, &mut stats)?,
            ReportKind::Segments => {
                self.segments_to(inputs, &mut sink.out, &mut stats)?;
                return Ok(stats);
            }
        }
        sink.out.flush().map_err(|e| Error::io("<output>", e))?;
        Ok(stats)
    }

    /// Converts `sources` to a Parquet dataset in `dir` (which must not
    /// exist or be empty): `dir/date=YYYY-MM-DD/part-N.parquet`, or to the
    /// one file `dir` names when the options say
    /// [`Partition::OneFile`](crate::write::parquet::Partition). Needs the
    /// `parquet` feature; without it this is a usage error.
    pub fn write_dir(&self, sources: &[Source], dir: impl AsRef<Path>) -> Result<ConvertStats> {
        if self.target != Target::Parquet {
            return Err(Error::usage(format!(
                "{} output is one file: give an output file or standard output",
                self.target
            )));
        }
        #[cfg(feature = "parquet")]
        {
            use crate::write::parquet::ParquetDirWriter;
            let mut stats = ConvertStats::default();
            let sources = &mut Inputs::new(sources);
            let kind = self.kind_of(sources)?;
            stats.kind = Some(kind);
            fn go<T: IntervalRow>(
                c: &Converter,
                sources: &mut Inputs<'_>,
                dir: &Path,
                stats: &mut ConvertStats,
            ) -> Result<()> {
                let mut w = ParquetDirWriter::<T>::create(dir, c.parquet)?;
                c.run::<T>(sources, &mut w, stats)?;
                stats.files = w.finish()?;
                Ok(())
            }
            let dir = dir.as_ref();
            match kind {
                ReportKind::Queue => go::<QueueRow>(self, sources, dir, &mut stats)?,
                ReportKind::AgentExt => go::<AgentExtRow>(self, sources, dir, &mut stats)?,
                ReportKind::Agent => go::<AgentRow>(self, sources, dir, &mut stats)?,
                ReportKind::Segments => self.segments_parquet(sources, dir, &mut stats)?,
            }
            Ok(stats)
        }
        #[cfg(not(feature = "parquet"))]
        {
            let _ = (sources, dir);
            Err(Error::usage(
                "parquet output needs the `parquet` cargo feature of ringcx-reports, which this \
                 build was compiled without",
            ))
        }
    }

    /// The report kind of the first source.
    fn kind_of(&self, inputs: &mut Inputs<'_>) -> Result<ReportKind> {
        if inputs.len() == 0 {
            return Err(Error::usage("convert: no input"));
        }
        Ok(inputs.kind(0, &self.builder, self.progress.as_ref())?.0)
    }

    fn open<T: IntervalRow>(&self, inputs: &mut Inputs<'_>, i: usize) -> Result<Reader> {
        let reader = inputs.reader(i, &self.builder, self.progress.as_ref())?;
        if reader.kind() != T::KIND {
            return Err(Error::usage(format!(
                "{}: the file holds {} rows, but the first input holds {} rows; convert one report at a time",
                reader.file(),
                reader.kind(),
                T::KIND
            )));
        }
        Ok(reader)
    }

    /// Reads the next row of `reader` that is valid for the target into
    /// `row`. Invalid rows are an error, or with `skip_invalid` are counted
    /// into `stats` (when given) and passed over.
    fn next_row<T: IntervalRow>(
        &self,
        reader: &mut Reader,
        row: &mut T,
        mut stats: Option<&mut ConvertStats>,
        ticker: &mut RowTicker<'_>,
    ) -> Result<bool> {
        loop {
            let result = match reader.read_row(row) {
                Ok(false) => return Ok(false),
                Ok(true) => {
                    ticker.tick();
                    self.check_row(row, reader.file())
                }
                Err(e) => Err(e),
            };
            match result {
                Ok(()) => return Ok(true),
                Err(e) => {
                    if !(self.skip_invalid && !reader.is_finished() && e.code().is_some()) {
                        return Err(e);
                    }
                    if let Some(s) = stats.as_deref_mut() {
                        s.skip(&e);
                    }
                }
            }
        }
    }

    /// Target-specific checks on a row that read fine.
    fn check_row<T: IntervalRow>(&self, row: &T, file: &str) -> Result<()> {
        match self.target {
            Target::Teleopti => check_teleopti_ids(row, file),
            #[cfg(feature = "parquet")]
            Target::Parquet => crate::write::parquet::check_row(row, file),
            _ => Ok(()),
        }
    }

    fn run<T: IntervalRow>(
        &self,
        sources: &mut Inputs<'_>,
        sink: &mut dyn Sink<T>,
        stats: &mut ConvertStats,
    ) -> Result<()> {
        let progress = self.progress.as_ref();
        // A stream among the sources is read once: one pass, in memory.
        let two = self.order == Order::Auto && !sources.one_pass();
        if let Some(p) = progress {
            p.add_total(if two { 2 } else { 1 } * sources.total_size());
        }
        let sorted = two && self.check_order::<T>(sources)?;
        if let Some(p) = progress {
            p.set_stage(if sorted { "converting" } else { "sorting" });
        }
        if sorted {
            self.stream::<T>(sources, sink, stats)
        } else {
            stats.sorted_in_memory = true;
            self.memory::<T>(sources, sink, stats)
        }
    }

    /// The first pass: whether every source is in non-decreasing start
    /// order. Stops on the first invalid row unless skipping.
    fn check_order<T: IntervalRow>(&self, sources: &mut Inputs<'_>) -> Result<bool> {
        if let Some(p) = &self.progress {
            p.set_stage("checking order");
        }
        let mut ticker = RowTicker::new(self.progress.as_ref());
        let mut row = T::default();
        let mut sorted = true;
        for i in 0..sources.len() {
            let mut reader = self.open::<T>(sources, i)?;
            let mut last = i64::MIN;
            while self.next_row(&mut reader, &mut row, None, &mut ticker)? {
                let t = row.start().timestamp();
                if t < last {
                    sorted = false;
                    break;
                }
                last = t;
            }
            if !sorted {
                break;
            }
        }
        Ok(sorted)
    }

    /// The k-way merge of sources that are each in time order.
    fn stream<T: IntervalRow>(
        &self,
        sources: &mut Inputs<'_>,
        sink: &mut dyn Sink<T>,
        stats: &mut ConvertStats,
    ) -> Result<()> {
        let mut ticker = RowTicker::new(self.progress.as_ref());
        let mut inputs: Vec<Input<T>> = Vec::with_capacity(sources.len());
        let mut names: Vec<Arc<str>> = Vec::with_capacity(sources.len());
        // Past the first few sources, a source's reader goes once its first
        // row is read, and the source is opened again (its rows read so far
        // passed over) when the merge reaches that row: the readers open at
        // once are those of the sources whose rows overlap in time, not
        // all of them (daily exports overlap little).
        let keep = crate::read::file::keep_open();
        for src in 0..sources.len() {
            let mut reader = self.open::<T>(sources, src)?;
            names.push(reader.file().clone());
            stats.header_findings(&reader);
            let mut row = T::default();
            let has = self.next_row(&mut reader, &mut row, Some(stats), &mut ticker)?;
            let t = row.start().timestamp();
            inputs.push(Input {
                reader: (has && src < keep).then_some(reader),
                read: u64::from(has),
                row,
                has,
                t,
                src,
            });
        }
        // Entries are reused from batch to batch (`clone_from` keeps their
        // string buffers).
        let mut batch: Vec<Entry<T>> = Vec::new();
        while let Some(t) = inputs.iter().filter(|i| i.has).map(|i| i.t).min() {
            let mut used = 0;
            for input in inputs.iter_mut().filter(|i| i.has && i.t == t) {
                while input.has && input.t == t {
                    if used < batch.len() {
                        let e = &mut batch[used];
                        e.row.clone_from(&input.row);
                        e.t = t;
                        e.src = input.src;
                    } else {
                        batch.push(Entry {
                            row: input.row.clone(),
                            t,
                            src: input.src,
                        });
                    }
                    used += 1;
                    let reader = match &mut input.reader {
                        Some(r) => r,
                        None => input
                            .reader
                            .insert(self.resume::<T>(sources, input.src, input.read)?),
                    };
                    input.has = self.next_row(reader, &mut input.row, Some(stats), &mut ticker)?;
                    if input.has {
                        input.read += 1;
                        input.t = input.row.start().timestamp();
                        if input.t < t {
                            return Err(Error::usage(format!(
                                "{}:{}: the file changed while it was converted (its rows are no longer in time order)",
                                reader.file(),
                                input.row.pos().line()
                            )));
                        }
                    } else {
                        // Done: its handle closes.
                        input.reader = None;
                    }
                }
            }
            let rows = &mut batch[..used];
            sort_instant(rows);
            self.emit(rows, &names, sink, stats)?;
        }
        Ok(())
    }

    /// Source `src` opened again, its first `rows` valid rows passed over
    /// (their skipped rows were counted the first time).
    fn resume<T: IntervalRow>(
        &self,
        sources: &mut Inputs<'_>,
        src: usize,
        rows: u64,
    ) -> Result<Reader> {
        let mut reader = self.open::<T>(sources, src)?;
        let mut row = T::default();
        let mut ticker = RowTicker::new(None);
        for _ in 0..rows {
            if !self.next_row(&mut reader, &mut row, None, &mut ticker)? {
                return Err(Error::usage(format!(
                    "{}: the file changed while it was converted (it has fewer rows)",
                    reader.file()
                )));
            }
        }
        Ok(reader)
    }

    /// Reads every row and sorts them: in memory while they fit in the
    /// sort's buffer, else through sorted runs in a temporary file
    /// (`sort`), so memory does not grow with the input.
    fn memory<T: IntervalRow>(
        &self,
        sources: &mut Inputs<'_>,
        sink: &mut dyn Sink<T>,
        stats: &mut ConvertStats,
    ) -> Result<()> {
        let mut ticker = RowTicker::new(self.progress.as_ref());
        let mut names: Vec<Arc<str>> = Vec::with_capacity(sources.len());
        let mut sorter = sort::Sorter::<T>::new(self.sort_memory);
        let mut row = T::default();
        for src in 0..sources.len() {
            let mut reader = self.open::<T>(sources, src)?;
            names.push(reader.file().clone());
            stats.header_findings(&reader);
            while self.next_row(&mut reader, &mut row, Some(stats), &mut ticker)? {
                sorter.push(row.clone(), src)?;
            }
        }
        let mut written = Ok(());
        let runs = sorter.finish(|rows| {
            sort_instant(rows);
            written = self.emit(rows, &names, sink, stats);
            written.is_ok()
        })?;
        written?;
        stats.sort_runs = runs;
        Ok(())
    }

    /// Writes sorted entries, refusing (or skipping) duplicates.
    fn emit<T: IntervalRow>(
        &self,
        entries: &[Entry<T>],
        names: &[Arc<str>],
        sink: &mut dyn Sink<T>,
        stats: &mut ConvertStats,
    ) -> Result<()> {
        let mut kept: Option<&Entry<T>> = None;
        for e in entries {
            if let Some(k) = kept {
                if k.t == e.t && cmp_row_keys(&k.row, &e.row) == Ordering::Equal {
                    let start = e.row.start().to_rfc3339();
                    let err = Error::data(
                        Code::DuplicateKey,
                        Location::new(names[e.src].clone(), e.row.pos())
                            .with_field(T::KEY_FIELDS[0].name()),
                        format!(
                            "{} at {start} already appears at {}:{} (beyond the fall-back repeat){}",
                            describe_key(&e.row),
                            names[k.src],
                            k.row.pos().line(),
                            repeat_hint(self.builder.source_zone(), e.row.start())
                        ),
                        start.clone(),
                    );
                    if !self.skip_invalid {
                        return Err(err);
                    }
                    stats.skip(&err);
                    continue;
                }
            }
            sink.row(&e.row, &names[e.src])?;
            stats.rows += 1;
            kept = Some(e);
        }
        Ok(())
    }
}
