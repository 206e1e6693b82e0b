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
//! input (see [`cross`]). Findings are sorted in bounded memory: a buffer
//! of them is held, the rest sorted through a temporary file, and
//! [`Session::finish_with`] hands them over one by one in order.
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

mod check;
pub mod cross;
mod file;
mod found;
pub(crate) mod repeats;
pub mod repulls;
mod rules;
pub mod segments;

use std::path::{Path, PathBuf};

pub use cross::{CrossSummary, Totals};
pub use file::DEFAULT_MAX_RUNS;
pub use repulls::DEFAULT_MAX_REPULL_KEYS;
pub use segments::DEFAULT_MAX_SEGMENT_KEYS;

use self::check::{replay, Check, RowCheck, SegmentCheck};
use self::cross::Cross;
use self::found::Found;
use self::repulls::RepullSet;
use crate::diagnostic::{Diagnostic, Severity};
use crate::error::{Error, ErrorKind, Result};
use crate::model::{AgentExtRow, AgentRow, Field, QueueRow, ReportKind, WireForm};
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
            found: Found::default(),
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
    found: Found,
    summary: Summary,
    pending: Vec<Pending<'v>>,
    repulls: Option<RepullSet>,
}

impl std::fmt::Debug for Session<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("files", &self.files)
            .field("findings", &self.found.count)
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
                ErrorKind::Data(d) => return self.found.push(idx, d),
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
                while !check.done() {
                    check.step_with(self.repulls.as_mut())?;
                    check.drain(&mut self.found)?;
                }
                let found = check.end(&mut self.summary);
                return self.found.extend(idx, found);
            }
        };
        if v.cross && matches!(kind, ReportKind::Queue | ReportKind::AgentExt) {
            self.pending.push(Pending { check, reopen });
            return Ok(());
        }
        while !check.done() {
            check.step(None)?;
            check.drain(&mut self.found)?;
        }
        let found = check.end(&mut self.summary);
        self.found.extend(idx, found)
    }

    /// Reads the inputs of the cross-check in step, always from the one
    /// whose latest start is the earliest, dropping the cells every input
    /// has moved past: the table, and the findings of the cells compared.
    fn run_cross(&mut self) -> Result<(Cross, Found)> {
        let mut cross = Cross::new(self.pending.iter().all(|p| p.reopen.is_some()));
        let mut cross_found = Found::default();
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
            self.pending[i].check.drain(&mut self.found)?;
            let floor = self
                .pending
                .iter()
                .filter(|p| !p.check.done())
                .map(|p| p.check.latest())
                .min()
                .unwrap_or(i64::MAX);
            cross.drop_before(floor);
            for (idx, d) in cross.take_found() {
                cross_found.push(idx, d)?;
            }
        }
        let pending = std::mem::take(&mut self.pending);
        let mut again = Vec::new();
        for p in pending {
            let idx = p.check.idx();
            let found = p.check.end(&mut self.summary);
            self.found.extend(idx, found)?;
            again.push((idx, p.reopen));
        }
        if cross.void {
            // An input went back before compared cells: rebuild the table
            // from a second read, keeping every cell. Findings of the rows
            // themselves were all made by the first read.
            cross.restart();
            cross_found = Found::default();
            for (idx, reopen) in again {
                let Some(reopen) = reopen else { continue };
                replay(idx, reopen(), &mut cross)?;
            }
        }
        Ok((cross, cross_found))
    }

    /// Runs the cross-check (when asked for), sorts the findings and
    /// counts them. A cross-check without both a queue and an agent-ext
    /// file is a usage error.
    pub fn finish(self) -> Result<Report> {
        let mut diagnostics = Vec::new();
        let summary = self.finish_with(|d| {
            diagnostics.push(d);
            Ok(())
        })?;
        Ok(Report {
            diagnostics,
            summary,
        })
    }

    /// Like [`finish`](Self::finish), handing each finding to `each` in
    /// the [`Report`]'s order rather than collecting them: memory holds a
    /// buffer of findings however many there are (see the module docs).
    /// Returns the counts; an error from `each` stops the run.
    ///
    /// ```
    /// use ringcx_reports::ReaderBuilder;
    /// use ringcx_reports::validate::Validator;
    /// let data = "15,20240304,08:00,5686,Sales,3,0,0,0,3,30,0,400,40,20,0,3,100,0,-1\n";
    /// let v = Validator::new();
    /// let mut run = v.session();
    /// run.add(ReaderBuilder::new().from_bytes("q.csv", data.into()))?;
    /// let mut lines = Vec::new();
    /// let summary = run.finish_with(|d| {
    ///     lines.push(d.to_string());
    ///     Ok(())
    /// })?;
    /// assert_eq!(summary.errors, 1);
    /// assert!(lines[0].starts_with("q.csv:1: error[V102]"), "{lines:?}");
    /// # Ok::<(), ringcx_reports::Error>(())
    /// ```
    pub fn finish_with(
        mut self,
        mut each: impl FnMut(Diagnostic) -> Result<()>,
    ) -> Result<Summary> {
        if let Some(r) = self.repulls.take() {
            self.summary.unchecked_repulls = r.unchecked;
            let (found, identical) = r.finish();
            self.summary.repulled_identical = identical;
            for (idx, d) in found {
                self.found.push(idx, d)?;
            }
        }
        let mut cross_found = Found::default();
        if self.v.cross {
            let (mut cross, found) = self.run_cross()?;
            cross_found = found;
            if !(cross.saw_queue && cross.saw_agents) {
                return Err(Error::usage(format!(
                    "the cross-check ({}) needs Queue Statistics rows on one side and Agent \
                     Extended Statistics rows on the other, in either order",
                    OptionName::CrossCheck
                )));
            }
            cross.finish(&mut cross_found)?;
            self.summary.cross = Some(cross.summary);
        }
        let mut summary = self.summary;
        let (rows, cross) = (self.found.sorted()?, cross_found.sorted()?);
        found::merge(rows, cross, &mut |d| {
            match d.severity {
                Severity::Error => summary.errors += 1,
                Severity::Warning => summary.warnings += 1,
            }
            each(d)
        })?;
        Ok(summary)
    }
}
