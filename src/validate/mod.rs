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
//!    its report (Q2xx for queues, A3xx for agents; see `rules`);
//! 4. the file rules (F401 duplicate key, F402 mixed interval lengths, F403
//!    gaps when asked for, F404 a fall-back hour read only once);
//! 5. with [`Validator::cross_check`], the reconciliation of Agent Extended
//!    sums against Queue Statistics (X501–X503) once every file is read.
//!
//! The [`Report`] lists diagnostics in file order, then line, then code
//! (findings of one line and code keep field order), and a [`Summary`].
//!
//! Rows are checked as they stream by; the state kept per file is per key
//! (see the file-rule module docs for how duplicates are found without
//! remembering every row). Diagnostics are kept until the end so that they
//! can be sorted: their memory grows with the number of findings, not rows.
//!
//! Segment files (interaction metadata, rules T601–T606) are validated by a
//! rules module of their own over the segment model; until the readers
//! yield segments, a segment file is a usage error here.
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

mod cross;
mod file;
mod rules;

use std::path::Path;
use std::sync::Arc;

pub use cross::{CrossSummary, Totals};
pub use file::DEFAULT_MAX_RUNS;

use self::cross::Cross;
use self::file::FileRules;
use self::rules::{absent_values, Findings, RowRules};
use crate::diagnostic::{Diagnostic, Severity};
use crate::error::{Error, ErrorKind, Result};
use crate::model::{AgentExtRow, AgentRow, Field, IntervalRow, QueueRow, ReportKind, WireForm};
use crate::read::{Reader, ReaderBuilder};

/// Counts over a validation run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Files validated.
    pub files: u64,
    /// Data records read (valid or not).
    pub rows: u64,
    /// Diagnostics of severity error.
    pub errors: u64,
    /// Diagnostics of severity warning.
    pub warnings: u64,
    /// Rows that could not be checked for duplicates because they fell
    /// before the runs kept for their key (see
    /// [`Validator::max_runs_per_key`]); 0 on time-ordered input.
    pub unchecked_duplicates: u64,
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
}

impl Default for Validator {
    fn default() -> Self {
        Validator {
            builder: ReaderBuilder::new(),
            gaps: false,
            cross: false,
            max_runs: DEFAULT_MAX_RUNS,
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

    /// Starts a run to which files are added one by one.
    pub fn session(&self) -> Session<'_> {
        Session {
            v: self,
            files: 0,
            found: Vec::new(),
            summary: Summary::default(),
            cross: Cross::default(),
        }
    }

    /// Validates files, in the order given. An I/O error (a file that
    /// cannot be opened or read) stops the run: it "could not run".
    pub fn validate_paths<P: AsRef<Path>>(&self, paths: &[P]) -> Result<Report> {
        let mut s = self.session();
        for p in paths {
            s.add_path(p.as_ref())?;
        }
        s.finish()
    }

    /// Validates one source, given as the result of opening it, so that a
    /// file the reader refuses at once (no header, UTF-16) is a finding.
    pub fn validate_opened(&self, opened: Result<Reader>) -> Result<Report> {
        let mut s = self.session();
        s.add(opened)?;
        s.finish()
    }
}

/// A validation run in progress. Files are checked as they are added;
/// [`finish`](Session::finish) runs the cross-check and sorts the findings.
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
#[derive(Debug)]
pub struct Session<'v> {
    v: &'v Validator,
    files: usize,
    found: Vec<(usize, Diagnostic)>,
    summary: Summary,
    cross: Cross,
}

fn start_field(form: WireForm) -> Field {
    match form {
        WireForm::Json | WireForm::Ndjson => Field::DateTimeFrom,
        WireForm::Csv | WireForm::Xml => Field::Time,
    }
}

impl Session<'_> {
    /// Opens and validates a file (`path` as given is what findings name).
    pub fn add_path(&mut self, path: &Path) -> Result<()> {
        self.add(self.v.builder.from_path(path))
    }

    /// Validates a source, given as the result of opening it: a data error
    /// from opening (no header, unknown layout, UTF-16) is the file's one
    /// finding; an I/O or usage error is returned.
    pub fn add(&mut self, opened: Result<Reader>) -> Result<()> {
        let idx = self.files;
        self.files += 1;
        self.summary.files += 1;
        let mut reader = match opened {
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
        let found = match reader.kind() {
            ReportKind::Queue => self.check::<QueueRow>(idx, &mut reader)?,
            ReportKind::AgentExt => self.check::<AgentExtRow>(idx, &mut reader)?,
            ReportKind::Agent => self.check::<AgentRow>(idx, &mut reader)?,
            ReportKind::Segments => {
                return Err(Error::usage(format!(
                    "{}: validation of interaction metadata (segments) is not available in this version",
                    reader.file()
                )))
            }
        };
        self.found.extend(found.into_iter().map(|d| (idx, d)));
        Ok(())
    }

    fn check<T: RowRules + CrossRow>(
        &mut self,
        idx: usize,
        reader: &mut Reader,
    ) -> Result<Vec<Diagnostic>> {
        let file = reader.file().clone();
        let mut f = Findings::new(file.clone());
        f.out.extend(reader.diagnostics().iter().cloned());
        let mut rules = FileRules::new(self.v.gaps, self.v.max_runs, start_field(reader.form()));
        let mut row = T::default();
        loop {
            match reader.read_row(&mut row) {
                Ok(true) => {
                    absent_values(&row, &mut f);
                    row.check_logic(&mut f);
                    rules.row(&row, &mut f);
                    if self.v.cross {
                        row.cross(&mut self.cross, idx, &file);
                    }
                }
                Ok(false) => break,
                Err(e) => match e.diagnostic() {
                    Some(d) => {
                        f.out.push(d.clone());
                        if reader.is_finished() {
                            break;
                        }
                    }
                    None => return Err(e),
                },
            }
        }
        rules.fall_back(reader.fall_back_windows(), &mut f);
        self.summary.rows += reader.records_read();
        self.summary.unchecked_duplicates += rules.unchecked;
        Ok(f.out)
    }

    /// Runs the cross-check (when asked for), sorts the findings and
    /// counts them. A cross-check without both a queue and an agent-ext
    /// file is a usage error.
    pub fn finish(mut self) -> Result<Report> {
        if self.v.cross {
            if !(self.cross.saw_queue && self.cross.saw_agents) {
                return Err(Error::usage(
                    "the cross-check needs Queue Statistics rows on one side and Agent Extended Statistics rows on the other (rcx validate QUEUE_FILE --against AGENT_EXT_FILE, either order)",
                ));
            }
            self.cross.finish(&mut self.found);
            self.summary.cross = Some(self.cross.summary);
        }
        // Stable: findings of one line and code keep the order they were
        // made in (field order within a row).
        self.found
            .sort_by_key(|(idx, d)| (*idx, d.location.pos.line(), d.code));
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
