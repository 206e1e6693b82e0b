//! Validation of vendor files (SPEC 3): every defect with its code, file,
//! line and field, never stopping at the first.
//!
//! A [`Validator`] reads every record of every file through a
//! [`Reader`], so it covers every wire form the readers
//! support. For each file it collects, in this order of work:
//!
//! 1. the reader's header findings (S004 unknown column);
//! 2. every reader error as a diagnostic: an error in a value (V1xx, a
//!    wrong field count) costs one diagnostic and the reader moves on to the
//!    next record; a structural error (truncation, a limit) costs one
//!    diagnostic and ends that file;
//! 3. on each row that read fine: absent counts (V111) and the row logic of
//!    its report (Q2xx for queues, A3xx for agents; see `rules`); on each
//!    segment of interaction metadata, the segment rules (T601–T606, see
//!    [`segments`]), and across the files of the run, re-pulled copies
//!    of a segment that differ (T607, see [`repulls`]);
//! 4. the file rules (F401 duplicate key, F402 mixed interval lengths, F403
//!    gaps when asked for, F404 a fall-back hour read only once);
//! 5. with [`Validator::cross_check`], the reconciliation of Agent Extended
//!    sums against Queue Statistics (X501–X503), read in step across the
//!    inputs (see [`cross`]).
//!
//! A finding about a field names the line of that field's value, which
//! differs from the line where the record starts in pretty-printed JSON
//! and in XML written across lines.
//!
//! The [`Report`] lists diagnostics in file order, then line, then code,
//! then byte offset (findings of one record and code keep field order),
//! and a [`Summary`].
//!
//! Rows are checked as they stream by; the state kept per file is per key
//! (see the file-rule module docs for how duplicates are found without
//! remembering every row), per segment key up to a cap (see [`segments`]),
//! across the files of a run of several, per segment key up to a cap (see
//! [`repulls`]), and for the cross-check about one interval of cells on time-ordered
//! input (see [`cross`]). Diagnostics are kept until the end so that they
//! can be sorted: their memory grows with the number of findings, not rows.
//!
//! ```
//! use ringcx_reports::{Code, ReaderBuilder};
//! use ringcx_reports::validate::Validator;
//! let data = "\
//! interval,date_from,time,agent_id,agent_name,queue,queue_name,talking_call_dur,wrap_up_dur,answ_call_cnt,transfer_out_call_cnt
//! 15,20240304,08:00,1001,Ann,5686,Sales,300,30,2,0
//! 15,20240304,08:15,1001,Ann,5686,Sales,120,,1,3
//! 15,20240304,08:15,1001,Ann,5686,Sales,120,10,1,0
//! ";
//! let reader = ReaderBuilder::new().from_bytes("a.csv", data.into());
//! let report = Validator::new().validate_opened(reader)?;
//! let found: Vec<_> = report.diagnostics.iter()
//!     .map(|d| (d.location.pos.line(), d.code)).collect();
//! assert_eq!(found, [
//!     (3, Code::AbsentValue),            // wrap_up_dur is empty
//!     (3, Code::TransfersExceedAnswered), // 3 transfers, 1 answered
//!     (4, Code::DuplicateKey),           // same agent, queue and start as line 3
//! ]);
//! assert_eq!((report.summary.rows, report.summary.errors, report.summary.warnings), (3, 1, 2));
//! # Ok::<(), ringcx_reports::Error>(())
//! ```

pub mod cross;
mod file;
pub(crate) mod repeats;
pub mod repulls;
mod rules;
pub mod segments;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use cross::{CrossSummary, Totals};
pub use file::DEFAULT_MAX_RUNS;
pub use repulls::DEFAULT_MAX_REPULL_KEYS;
pub use segments::DEFAULT_MAX_SEGMENT_KEYS;

use self::cross::Cross;
use self::file::FileRules;
use self::repulls::RepullSet;
use self::rules::{absent_values, Findings, RowRules};
use self::segments::SegmentRules;
use crate::diagnostic::{Diagnostic, Severity};
use crate::error::{Error, ErrorKind, Result};
use crate::model::{
    AgentExtRow, AgentRow, Field, IntervalRow, QueueRow, ReportKind, Segment, WireForm,
};
use crate::option::OptionName;
use crate::read::{Reader, ReaderBuilder};

/// Counts over a validation run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Files validated.
    pub files: u64,
    /// Data records read (valid or not), segments included.
    pub rows: u64,
    /// Diagnostics of severity error.
    pub errors: u64,
    /// Diagnostics of severity warning.
    pub warnings: u64,
    /// Rows that could not be checked for duplicates because they fell
    /// before the runs kept for their key (see
    /// [`Validator::max_runs_per_key`]), and segments whose key may repeat
    /// one forgotten by the bounded key set (see
    /// [`Validator::max_segment_keys`]); 0 on time-ordered interval input
    /// and on segment files under the cap.
    pub unchecked_duplicates: u64,
    /// Identical copies of a segment in two files (re-pulled windows):
    /// merged, not findings (see [`repulls`]).
    pub repulled_identical: u64,
    /// Segments not compared with the other files of the run because the
    /// cap on re-pull keys was reached (see [`Validator::max_repull_keys`]).
    pub unchecked_repulls: u64,
    /// The totals of both sides, when a cross-check ran.
    pub cross: Option<CrossSummary>,
}

/// What a validation run found.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Every finding, in file order, then line, then code.
    pub diagnostics: Vec<Diagnostic>,
    /// Counts.
    pub summary: Summary,
}

impl Report {
    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.summary.errors > 0
    }
}

/// Validates report files. See the [module docs](self).
#[derive(Clone, Debug)]
pub struct Validator {
    builder: ReaderBuilder,
    gaps: bool,
    cross: bool,
    max_runs: usize,
    max_segment_keys: usize,
    repulls: bool,
    max_repull_keys: usize,
}

impl Default for Validator {
    fn default() -> Self {
        Validator {
            builder: ReaderBuilder::new(),
            gaps: false,
            cross: false,
            max_runs: DEFAULT_MAX_RUNS,
            max_segment_keys: DEFAULT_MAX_SEGMENT_KEYS,
            repulls: true,
            max_repull_keys: DEFAULT_MAX_REPULL_KEYS,
        }
    }
}

impl Validator {
    /// A validator with default reader options, gaps off, no cross-check.
    pub fn new() -> Self {
        Self::default()
    }
    /// How files are opened (source zone, date order, overrides).
    pub fn reader(mut self, builder: ReaderBuilder) -> Self {
        self.builder = builder;
        self
    }
    /// Also report gaps in each key's interval sequence (F403). Off by
    /// default: sparse agent data and quiet queues have gaps by nature.
    pub fn gaps(mut self, on: bool) -> Self {
        self.gaps = on;
        self
    }
    /// Reconcile Agent Extended sums against Queue Statistics across the
    /// files of the run (X501–X503). The run must then hold at least one
    /// file of each of the two reports.
    pub fn cross_check(mut self, on: bool) -> Self {
        self.cross = on;
        self
    }
    /// The cap on duplicate-detection runs kept per key (default
    /// [`DEFAULT_MAX_RUNS`]); see [`Summary::unchecked_duplicates`].
    pub fn max_runs_per_key(mut self, runs: usize) -> Self {
        self.max_runs = runs.max(1);
        self
    }
    /// The cap on segment keys kept per file for duplicate detection
    /// (default [`DEFAULT_MAX_SEGMENT_KEYS`]); see
    /// [`Summary::unchecked_duplicates`].
    pub fn max_segment_keys(mut self, keys: usize) -> Self {
        self.max_segment_keys = keys.max(1);
        self
    }

    /// Compare the segments of the files of a run with each other (T607,
    /// re-pulled windows; see [`repulls`]). On by default; a run of one
    /// file has nothing to compare, and `rcx` turns it off for one input,
    /// which spares the memory of the keys.
    pub fn repulls(mut self, on: bool) -> Self {
        self.repulls = on;
        self
    }
    /// The cap on segment keys kept across the files of a run for T607
    /// (default [`DEFAULT_MAX_REPULL_KEYS`]); see
    /// [`Summary::unchecked_repulls`].
    pub fn max_repull_keys(mut self, keys: usize) -> Self {
        self.max_repull_keys = keys.max(1);
        self
    }

    /// Starts a run to which files are added one by one.
    pub fn session(&self) -> Session<'_> {
        Session {
            v: self,
            files: 0,
            found: Vec::new(),
            summary: Summary::default(),
            pending: Vec::new(),
            repulls: self.repulls.then(|| RepullSet::new(self.max_repull_keys)),
        }
    }

    /// Validates files, in the order given (segments repeated across them
    /// are compared when there are several: T607). An I/O error (a file
    /// that cannot be opened or read) stops the run: it "could not run".
    pub fn validate_paths<P: AsRef<Path>>(&self, paths: &[P]) -> Result<Report> {
        let mut s = self.session();
        if paths.len() < 2 {
            s.repulls = None;
        }
        for p in paths {
            s.add_path(p.as_ref())?;
        }
        s.finish()
    }

    /// Validates one source, given as the result of opening it, so that a
    /// file the reader refuses at once (no header, UTF-16) is a finding.
    pub fn validate_opened(&self, opened: Result<Reader>) -> Result<Report> {
        let mut s = self.session();
        s.repulls = None;
        s.add(opened)?;
        s.finish()
    }
}

/// How to open an input again, for a cross-check that must read it twice.
type Reopen<'v> = Box<dyn Fn() -> Result<Reader> + 'v>;

/// A queue or agent-ext input of a cross-check, read in step with the
/// others when the run finishes.
struct Pending<'v> {
    check: Box<dyn Check>,
    reopen: Option<Reopen<'v>>,
}

/// A validation run in progress. Files are checked as they are added
/// (with a cross-check, its inputs are read in step by
/// [`finish`](Session::finish)); `finish` sorts the findings.
///
/// ```
/// use ringcx_reports::ReaderBuilder;
/// use ringcx_reports::validate::Validator;
/// let q = "15,20240304,08:00,5686,Sales,3,0,0,0,3,30,0,400,40,20,0,3,100,0,0\n";
/// let a = "15,20240304,08:00,1001,Ann,5686,Sales,400,40,2,0\n";
/// let v = Validator::new().cross_check(true);
/// let mut run = v.session();
/// run.add(ReaderBuilder::new().from_bytes("q.csv", q.into()))?;
/// run.add(ReaderBuilder::new().from_bytes("a.csv", a.into()))?;
/// let report = run.finish()?;
/// let d = &report.diagnostics[0];
/// assert_eq!(d.to_string(), "q.csv:1: warning[X501] answ_call_cnt: queue 5686, interval \
///     2024-03-04T08:00:00+00:00: Σ agent answ_call_cnt 2 (1 agent row(s)) vs queue answ_call_cnt 3 (value \"3\")");
/// assert_eq!(report.diagnostics.len(), 1);
/// # Ok::<(), ringcx_reports::Error>(())
/// ```
pub struct Session<'v> {
    v: &'v Validator,
    files: usize,
    found: Vec<(usize, Diagnostic)>,
    summary: Summary,
    pending: Vec<Pending<'v>>,
    repulls: Option<RepullSet>,
}

impl std::fmt::Debug for Session<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("files", &self.files)
            .field("findings", &self.found.len())
            .field("summary", &self.summary)
            .field("pending", &self.pending.len())
            .finish()
    }
}

pub(crate) fn start_field(form: WireForm) -> Field {
    match form {
        WireForm::Json | WireForm::Ndjson => Field::DateTimeFrom,
        WireForm::Csv | WireForm::Xml => Field::Time,
    }
}

impl<'v> Session<'v> {
    /// Opens and validates a file (`path` as given is what findings name).
    /// For a cross-check, the file can be read a second time if it turns
    /// out unsorted (see [`cross`]).
    /// A FIFO or other stream is read once (it cannot be read again).
    pub fn add_path(&mut self, path: &Path) -> Result<()> {
        let builder = &self.v.builder;
        let opened = builder.from_path(path);
        if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
            return self.add(opened);
        }
        let again = PathBuf::from(path);
        self.add_reopenable(opened, move || builder.from_path(&again))
    }

    /// Validates a source, given as the result of opening it: a data error
    /// from opening (no header, unknown layout, UTF-16) is the file's one
    /// finding; an I/O or usage error is returned. With a cross-check the
    /// source cannot be read twice, so its cells are all kept to the end.
    pub fn add(&mut self, opened: Result<Reader>) -> Result<()> {
        self.add_inner(opened, None)
    }

    /// Like [`add`](Session::add), with a way to open the same source
    /// again, which lets a cross-check drop compared cells (see [`cross`]).
    pub fn add_reopenable(
        &mut self,
        opened: Result<Reader>,
        reopen: impl Fn() -> Result<Reader> + 'v,
    ) -> Result<()> {
        self.add_inner(opened, Some(Box::new(reopen)))
    }

    fn add_inner(&mut self, opened: Result<Reader>, reopen: Option<Reopen<'v>>) -> Result<()> {
        let idx = self.files;
        self.files += 1;
        self.summary.files += 1;
        let reader = match opened {
            Ok(r) => r,
            Err(e) => match e.into_kind() {
                ErrorKind::Data(d) => {
                    self.found.push((idx, d));
                    return Ok(());
                }
                ErrorKind::Io { file, source } => return Err(Error::io(file, source)),
                ErrorKind::Usage(m) => return Err(Error::usage(m)),
            },
        };
        let v = self.v;
        let kind = reader.kind();
        let mut check: Box<dyn Check> = match kind {
            ReportKind::Queue => Box::new(RowCheck::<QueueRow>::new(v, idx, reader)),
            ReportKind::AgentExt => Box::new(RowCheck::<AgentExtRow>::new(v, idx, reader)),
            ReportKind::Agent => Box::new(RowCheck::<AgentRow>::new(v, idx, reader)),
            ReportKind::Segments => {
                let mut check = SegmentCheck::new(v, idx, reader);
                while !check.done {
                    check.step_with(self.repulls.as_mut())?;
                }
                let found = check.end(&mut self.summary);
                self.found.extend(found.into_iter().map(|d| (idx, d)));
                return Ok(());
            }
        };
        if v.cross && matches!(kind, ReportKind::Queue | ReportKind::AgentExt) {
            self.pending.push(Pending { check, reopen });
            return Ok(());
        }
        while !check.done() {
            check.step(None)?;
        }
        let found = check.end(&mut self.summary);
        self.found.extend(found.into_iter().map(|d| (idx, d)));
        Ok(())
    }

    /// Reads the inputs of the cross-check in step, always from the one
    /// whose latest start is the earliest, dropping the cells every input
    /// has moved past.
    fn run_cross(&mut self) -> Result<Cross> {
        let mut cross = Cross::new(self.pending.iter().all(|p| p.reopen.is_some()));
        loop {
            let next = self
                .pending
                .iter()
                .enumerate()
                .filter(|(_, p)| !p.check.done())
                .min_by_key(|(i, p)| (p.check.latest(), *i))
                .map(|(i, _)| i);
            let Some(i) = next else { break };
            self.pending[i].check.step(Some(&mut cross))?;
            let floor = self
                .pending
                .iter()
                .filter(|p| !p.check.done())
                .map(|p| p.check.latest())
                .min()
                .unwrap_or(i64::MAX);
            cross.drop_before(floor);
        }
        let pending = std::mem::take(&mut self.pending);
        let mut again = Vec::new();
        for p in pending {
            let idx = p.check.idx();
            let found = p.check.end(&mut self.summary);
            self.found.extend(found.into_iter().map(|d| (idx, d)));
            again.push((idx, p.reopen));
        }
        if cross.void {
            // An input went back before compared cells: rebuild the table
            // from a second read, keeping every cell. Findings of the rows
            // themselves were all made by the first read.
            cross.restart();
            for (idx, reopen) in again {
                let Some(reopen) = reopen else { continue };
                replay(idx, reopen(), &mut cross)?;
            }
        }
        Ok(cross)
    }

    /// Runs the cross-check (when asked for), sorts the findings and
    /// counts them. A cross-check without both a queue and an agent-ext
    /// file is a usage error.
    pub fn finish(mut self) -> Result<Report> {
        if let Some(r) = self.repulls.take() {
            self.summary.unchecked_repulls = r.unchecked;
            let (found, identical) = r.finish();
            self.summary.repulled_identical = identical;
            self.found.extend(found);
        }
        if self.v.cross {
            let mut cross = self.run_cross()?;
            if !(cross.saw_queue && cross.saw_agents) {
                return Err(Error::usage(format!(
                    "the cross-check ({}) needs Queue Statistics rows on one side and Agent \
                     Extended Statistics rows on the other, in either order",
                    OptionName::CrossCheck
                )));
            }
            let mut found = cross.finish();
            // Append the shorter list to the longer: one large list in
            // memory at a time, not two.
            if found.len() > self.found.len() {
                std::mem::swap(&mut found, &mut self.found);
            }
            self.found.extend(found);
            self.summary.cross = Some(cross.summary);
        }
        // Stable: findings of one record and code keep the order they were
        // made in (field order within a row).
        self.found
            .sort_by_key(|(idx, d)| (*idx, d.location.pos.line(), d.code, d.location.pos.byte()));
        let diagnostics: Vec<Diagnostic> = self.found.into_iter().map(|(_, d)| d).collect();
        for d in &diagnostics {
            match d.severity {
                Severity::Error => self.summary.errors += 1,
                Severity::Warning => self.summary.warnings += 1,
            }
        }
        Ok(Report {
            diagnostics,
            summary: self.summary,
        })
    }
}

/// The second read of a cross-check input: rows into the table only (their
/// findings were made by the first read, which met the same errors).
fn replay(idx: usize, opened: Result<Reader>, cross: &mut Cross) -> Result<()> {
    let mut reader = match opened {
        Ok(r) => r,
        Err(e) if e.diagnostic().is_some() => return Ok(()),
        Err(e) => return Err(e),
    };
    let file = reader.file().clone();
    fn go<T: CrossRow>(
        idx: usize,
        file: &Arc<str>,
        r: &mut Reader,
        cross: &mut Cross,
    ) -> Result<()> {
        let mut row = T::default();
        loop {
            match r.read_row(&mut row) {
                Ok(true) => row.cross(cross, idx, file),
                Ok(false) => return Ok(()),
                Err(e) if e.diagnostic().is_some() => {
                    if r.is_finished() {
                        return Ok(());
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }
    match reader.kind() {
        ReportKind::Queue => go::<QueueRow>(idx, &file, &mut reader, cross),
        ReportKind::AgentExt => go::<AgentExtRow>(idx, &file, &mut reader, cross),
        _ => Ok(()),
    }
}

/// One input being checked, record by record.
trait Check {
    fn idx(&self) -> usize;
    /// The latest interval start (epoch seconds) of a row that read fine;
    /// `i64::MIN` before the first.
    fn latest(&self) -> i64;
    fn done(&self) -> bool;
    /// Reads and checks one record (feeding the cross-check when given).
    /// Errs only when the run cannot go on (I/O, usage).
    fn step(&mut self, cross: Option<&mut Cross>) -> Result<()>;
    /// The end-of-file rules; the input's findings.
    fn end(self: Box<Self>, summary: &mut Summary) -> Vec<Diagnostic>;
}

/// A reader error as a finding; `Err` when it is not about the data.
fn reader_error(e: Error, reader: &Reader, f: &mut Findings, done: &mut bool) -> Result<()> {
    match e.diagnostic() {
        Some(d) => {
            f.out.push(d.clone());
            if reader.is_finished() {
                *done = true;
            }
            Ok(())
        }
        None => Err(e),
    }
}

struct RowCheck<T> {
    idx: usize,
    file: Arc<str>,
    reader: Reader,
    f: Findings,
    rules: FileRules,
    row: T,
    done: bool,
    latest: i64,
}

impl<T: RowRules + CrossRow> RowCheck<T> {
    fn new(v: &Validator, idx: usize, reader: Reader) -> Self {
        let file = reader.file().clone();
        let mut f = Findings::new(file.clone());
        f.out.extend(reader.diagnostics().iter().cloned());
        let rules = FileRules::new(v.gaps, v.max_runs, start_field(reader.form()))
            .source_zone(reader.source_zone());
        RowCheck {
            idx,
            file,
            reader,
            f,
            rules,
            row: T::default(),
            done: false,
            latest: i64::MIN,
        }
    }
}

impl<T: RowRules + CrossRow> Check for RowCheck<T> {
    fn idx(&self) -> usize {
        self.idx
    }
    fn latest(&self) -> i64 {
        self.latest
    }
    fn done(&self) -> bool {
        self.done
    }
    fn step(&mut self, cross: Option<&mut Cross>) -> Result<()> {
        if self.done {
            return Ok(());
        }
        match self.reader.read_row(&mut self.row) {
            Ok(true) => {
                let row = &self.row;
                let first = self.f.out.len();
                absent_values(row, &mut self.f);
                row.check_logic(&mut self.f);
                self.rules.row(row, &mut self.f);
                // A finding about a field names the line of its value.
                self.f.at_value_lines(first, &self.reader);
                let t = row.start().timestamp();
                let in_order = t >= self.latest;
                self.latest = self.latest.max(t);
                if let Some(c) = cross {
                    if c.admit(t, in_order) {
                        row.cross(c, self.idx, &self.file);
                    }
                }
                Ok(())
            }
            Ok(false) => {
                self.done = true;
                Ok(())
            }
            Err(e) => reader_error(e, &self.reader, &mut self.f, &mut self.done),
        }
    }
    fn end(mut self: Box<Self>, summary: &mut Summary) -> Vec<Diagnostic> {
        self.rules
            .fall_back(self.reader.fall_back_windows(), &mut self.f);
        summary.rows += self.reader.records_read();
        summary.unchecked_duplicates += self.rules.unchecked;
        self.f.out
    }
}

struct SegmentCheck {
    idx: usize,
    reader: Reader,
    f: Findings,
    rules: SegmentRules,
    seg: Segment,
    done: bool,
}

impl SegmentCheck {
    fn new(v: &Validator, idx: usize, reader: Reader) -> Self {
        let mut f = Findings::new(reader.file().clone());
        f.out.extend(reader.diagnostics().iter().cloned());
        SegmentCheck {
            idx,
            reader,
            f,
            rules: SegmentRules::new(v.max_segment_keys),
            seg: Segment::default(),
            done: false,
        }
    }

    /// Reads and checks one segment, and hands it to the comparison
    /// across files when there is one.
    fn step_with(&mut self, repulls: Option<&mut RepullSet>) -> Result<()> {
        if self.done {
            return Ok(());
        }
        match self.reader.read_segment(&mut self.seg) {
            Ok(true) => {
                self.rules.segment(&self.seg, &mut self.f);
                if let Some(r) = repulls {
                    let idx = u32::try_from(self.idx).unwrap_or(u32::MAX);
                    r.segment(idx, &self.f.file, &self.seg);
                }
                Ok(())
            }
            Ok(false) => {
                self.done = true;
                Ok(())
            }
            Err(e) => reader_error(e, &self.reader, &mut self.f, &mut self.done),
        }
    }

    /// The input's findings.
    fn end(self, summary: &mut Summary) -> Vec<Diagnostic> {
        summary.rows += self.reader.records_read();
        summary.unchecked_duplicates += self.rules.unchecked();
        self.f.out
    }
}

/// How a row feeds the cross-check.
trait CrossRow: IntervalRow {
    fn cross(&self, cross: &mut Cross, idx: usize, file: &Arc<str>);
}

impl CrossRow for QueueRow {
    fn cross(&self, cross: &mut Cross, idx: usize, file: &Arc<str>) {
        cross.queue_row(idx, file, self);
    }
}

impl CrossRow for AgentExtRow {
    fn cross(&self, cross: &mut Cross, idx: usize, file: &Arc<str>) {
        cross.agent_row(idx, file, self);
    }
}

impl CrossRow for AgentRow {
    /// Agent Statistics has no queue: it takes no part in the cross-check.
    fn cross(&self, _cross: &mut Cross, _idx: usize, _file: &Arc<str>) {}
}
