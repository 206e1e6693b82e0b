//! One input being checked, record by record ([`Check`]: interval rows
//! and segments), and the second read of a cross-check input
//! ([`replay`]).

use std::sync::Arc;

use super::cross::Cross;
use super::file::FileRules;
use super::found::Found;
use super::repulls::RepullSet;
use super::rules::{absent_values, Findings, RowRules};
use super::segments::SegmentRules;
use super::{start_field, Summary, Validator};
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::model::{AgentExtRow, AgentRow, IntervalRow, QueueRow, ReportKind, Segment};
use crate::read::Reader;

/// The second read of a cross-check input: rows into the table only (their
/// findings were made by the first read, which met the same errors).
pub(super) fn replay(idx: usize, opened: Result<Reader>, cross: &mut Cross) -> Result<()> {
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
pub(super) trait Check {
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
    /// Hands the findings made so far to `found`, once there are a few:
    /// an input's findings are not held until its end.
    fn drain(&mut self, found: &mut Found) -> Result<()>;
}

/// Findings an input holds before they go to the run's [`Found`].
const DRAIN_AT: usize = 1024;

fn drain(idx: usize, f: &mut Findings, found: &mut Found) -> Result<()> {
    if f.out.len() < DRAIN_AT {
        return Ok(());
    }
    found.extend(idx, f.out.drain(..))
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

pub(super) struct RowCheck<T> {
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
    pub(super) fn new(v: &Validator, idx: usize, reader: Reader) -> Self {
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
    fn drain(&mut self, found: &mut Found) -> Result<()> {
        drain(self.idx, &mut self.f, found)
    }
    fn end(mut self: Box<Self>, summary: &mut Summary) -> Vec<Diagnostic> {
        self.rules
            .fall_back(self.reader.fall_back_windows(), &mut self.f);
        summary.rows += self.reader.records_read();
        summary.unchecked_duplicates += self.rules.unchecked;
        self.f.out
    }
}

pub(super) struct SegmentCheck {
    idx: usize,
    reader: Reader,
    f: Findings,
    rules: SegmentRules,
    seg: Segment,
    done: bool,
}

impl SegmentCheck {
    pub(super) fn new(v: &Validator, idx: usize, reader: Reader) -> Self {
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
    pub(super) fn step_with(&mut self, repulls: Option<&mut RepullSet>) -> Result<()> {
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

    /// Whether the input is read through.
    pub(super) fn done(&self) -> bool {
        self.done
    }

    /// See [`Check::drain`].
    pub(super) fn drain(&mut self, found: &mut Found) -> Result<()> {
        drain(self.idx, &mut self.f, found)
    }

    /// The input's findings.
    pub(super) fn end(self, summary: &mut Summary) -> Vec<Diagnostic> {
        summary.rows += self.reader.records_read();
        summary.unchecked_duplicates += self.rules.unchecked();
        self.f.out
    }
}

/// How a row feeds the cross-check.
pub(super) trait CrossRow: IntervalRow {
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
