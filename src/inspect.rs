//! A summary of one file: what `rcx inspect` prints.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::diagnostic::Diagnostic;
use crate::error::Result;
use crate::model::zones::{ZoneFit, ZoneFitter};
use crate::model::{
    AgentExtRow, AgentRow, IntervalRow, IntervalStart, QueueRow, ReportKind, Segment, WireForm,
};
use crate::read::{CsvDialect, DateOrderChoice, Reader};

/// What a file holds, found by reading it once.
#[derive(Clone, Debug)]
pub struct Inspection {
    /// The file.
    pub file: Arc<str>,
    /// The report kind.
    pub kind: ReportKind,
    /// The wire form.
    pub form: WireForm,
    /// The CSV dialect, for CSV files.
    pub dialect: Option<CsvDialect>,
    /// Valid rows.
    pub rows: u64,
    /// Rows that could not be read (each an error with its position).
    pub invalid: u64,
    /// The first invalid row's diagnostic.
    pub first_invalid: Option<Diagnostic>,
    /// Distinct keys (queue; agent and queue; agent; for segments, the
    /// interaction id).
    pub keys: u64,
    /// Distinct interval lengths, in minutes.
    pub interval_lengths: BTreeSet<u32>,
    /// Earliest interval start (by instant).
    pub first: Option<IntervalStart>,
    /// Latest interval start (by instant).
    pub last: Option<IntervalStart>,
    /// For interval files whose rows step back in wall-clock time: the
    /// repeated times and the common zones whose fall-back fits them (the
    /// zone the file was likely written in; SPEC 9.1).
    pub zone_fit: Option<ZoneFit>,
    /// For segment files: distinct interactions, distinct agents and the
    /// earliest and latest segment start.
    pub segments: Option<SegmentSummary>,
    /// For interval reports: the order slash dates were read in, and how
    /// it was settled (given, or decided by the file, SPEC 9.1).
    pub date_order: Option<DateOrderChoice>,
}

/// What a file of interaction metadata holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SegmentSummary {
    /// Distinct interaction ids.
    pub interactions: u64,
    /// Distinct agent ids (segments without an agent are not counted).
    pub agents: u64,
    /// Segments without a start.
    pub without_start: u64,
    /// Earliest segment start.
    pub first_start: Option<DateTime<Utc>>,
    /// Latest segment start.
    pub last_start: Option<DateTime<Utc>>,
}

/// Reads every row of `reader` and summarizes the file. Invalid rows are
/// counted, not fatal; an I/O or structural error is returned.
///
/// ```
/// use ringcx_reports::{ReaderBuilder, inspect::inspect};
/// let data = "15;20240304;08:00;7;Sales;1;0;0;0;1;5;0;60;10;5;0;1;30;0;0\n\
///             15;20240304;08:15;7;Sales;1;0;0;0;1;5;0;60;10;5;0;1;30;0;0\n";
/// let mut reader = ReaderBuilder::new().from_bytes("q.csv", data.into())?;
/// let i = inspect(&mut reader)?;
/// assert_eq!((i.rows, i.keys), (2, 1));
/// assert_eq!(i.last.unwrap().to_rfc3339(), "2024-03-04T08:15:00+00:00");
/// # Ok::<(), ringcx_reports::Error>(())
/// ```
pub fn inspect(reader: &mut Reader) -> Result<Inspection> {
    let mut out = Inspection {
        file: reader.file().clone(),
        kind: reader.kind(),
        form: reader.form(),
        dialect: reader.dialect().cloned(),
        rows: 0,
        invalid: 0,
        first_invalid: None,
        keys: 0,
        interval_lengths: BTreeSet::new(),
        first: None,
        last: None,
        zone_fit: None,
        segments: None,
        date_order: (reader.kind() != ReportKind::Segments).then(|| reader.date_order().clone()),
    };
    match reader.kind() {
        ReportKind::Queue => scan::<QueueRow>(reader, &mut out)?,
        ReportKind::AgentExt => scan::<AgentExtRow>(reader, &mut out)?,
        ReportKind::Agent => scan::<AgentRow>(reader, &mut out)?,
        ReportKind::Segments => scan_segments(reader, &mut out)?,
    }
    Ok(out)
}

fn scan<T: IntervalRow>(reader: &mut Reader, out: &mut Inspection) -> Result<()> {
    let mut row = T::default();
    let mut keys: HashSet<String> = HashSet::new();
    let mut key = String::new();
    let mut fit = ZoneFitter::new();
    loop {
        match reader.read_row(&mut row) {
            Ok(true) => {
                out.rows += 1;
                key.clear();
                row.key_into(&mut key);
                if !keys.contains(key.as_str()) {
                    keys.insert(key.clone());
                }
                fit.row(&key, row.start().local());
                out.interval_lengths.insert(row.interval().minutes());
                let s = row.start();
                if out.first.is_none_or(|f| s.timestamp() < f.timestamp()) {
                    out.first = Some(s);
                }
                if out.last.is_none_or(|l| s.timestamp() > l.timestamp()) {
                    out.last = Some(s);
                }
            }
            Ok(false) => break,
            Err(e) if !reader.is_finished() && e.diagnostic().is_some() => {
                out.invalid += 1;
                if out.first_invalid.is_none() {
                    out.first_invalid = e.diagnostic().cloned();
                }
            }
            Err(e) => return Err(e),
        }
    }
    out.keys = keys.len() as u64;
    out.zone_fit = fit.finish();
    Ok(())
}

fn scan_segments(reader: &mut Reader, out: &mut Inspection) -> Result<()> {
    let mut seg = Segment::default();
    let mut interactions: HashSet<String> = HashSet::new();
    let mut agents: HashSet<String> = HashSet::new();
    let mut sum = SegmentSummary::default();
    loop {
        match reader.read_segment(&mut seg) {
            Ok(true) => {
                out.rows += 1;
                if !interactions.contains(seg.interaction_id.as_str()) {
                    interactions.insert(seg.interaction_id.clone());
                }
                if let Some(a) = &seg.agent_id {
                    if !agents.contains(a.as_str()) {
                        agents.insert(a.clone());
                    }
                }
                match seg.segment_start {
                    Some(s) => {
                        if sum.first_start.is_none_or(|f| s < f) {
                            sum.first_start = Some(s);
                        }
                        if sum.last_start.is_none_or(|l| s > l) {
                            sum.last_start = Some(s);
                        }
                    }
                    None => sum.without_start += 1,
                }
            }
            Ok(false) => break,
            Err(e) if !reader.is_finished() && e.diagnostic().is_some() => {
                out.invalid += 1;
                if out.first_invalid.is_none() {
                    out.first_invalid = e.diagnostic().cloned();
                }
            }
            Err(e) => return Err(e),
        }
    }
    sum.interactions = interactions.len() as u64;
    sum.agents = agents.len() as u64;
    out.keys = sum.interactions;
    out.segments = Some(sum);
    Ok(())
}
