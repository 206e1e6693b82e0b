//! Cross-report reconciliation (X501–X503): per queue and interval start,
//! the sums over Agent Extended rows against the Queue Statistics row.
//!
//! Both sides are summed into cells keyed by start instant and queue id.
//! A cell is compared, and forgotten, as soon as no input can add to it.
//!
//! # Memory
//!
//! The session reads the inputs of a cross-check in step: it always reads
//! next from the input whose latest start is the earliest. Exports are
//! written in time order, so once every input's latest start is past an
//! instant, no row for it can follow, and the cells before that instant are
//! compared and dropped. On time-ordered input the table holds the cells
//! of about one interval (one per queue, a little more while the sides are
//! a row apart), whatever the time span; [`CrossSummary::peak_cells`] says
//! how many it held at most.
//!
//! Unsorted input (a row earlier than its input's latest start) stops the
//! dropping: from then on every cell is kept until the end, about 300
//! bytes per (queue, interval) pair. If such a row falls before cells
//! already compared, the reconciliation done so far is thrown away and
//! run again over a second read of the inputs, keeping every cell
//! ([`CrossSummary::replayed`]). Either way the findings are those of
//! comparing every cell once every row is in. Inputs that cannot be read
//! twice (standard input, a FIFO or other stream, a reader handed over
//! already open) are never dropped from, so they never need the second
//! read.
//!
//! Findings go to the run's sorted collection as cells are compared, which
//! holds a buffer of them and sorts the rest through a temporary file, so
//! unreconciled inputs do not grow memory either.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::found::Found;
use crate::diagnostic::{Code, Diagnostic};
use crate::error::Result;
use crate::model::{AgentExtRow, Field, IntervalStart, QueueRow};
use crate::position::{Location, Position};

/// Answered calls, talk seconds and wrap seconds: what is compared.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Rows summed.
    pub rows: u64,
    /// Σ `answ_call_cnt`.
    pub answered: u128,
    /// Σ `talking_call_dur` (s).
    pub talk: u128,
    /// Σ `wrap_up_dur` (s).
    pub wrap: u128,
}

impl Totals {
    fn add(&mut self, answered: Option<u64>, talk: Option<u64>, wrap: Option<u64>) {
        self.rows += 1;
        self.answered += answered.unwrap_or(0) as u128;
        self.talk += talk.unwrap_or(0) as u128;
        self.wrap += wrap.unwrap_or(0) as u128;
    }
}

/// The totals of both sides of a cross-check, for the summary line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CrossSummary {
    /// Σ over Queue Statistics rows.
    pub queue: Totals,
    /// Σ over Agent Extended rows.
    pub agents: Totals,
    /// Distinct (queue, interval start) pairs on either side.
    pub intervals: u64,
    /// Pairs with at least one difference.
    pub differing: u64,
    /// The most (queue, interval) cells held at once (see the module docs
    /// of `validate` on memory): about the number of queues on
    /// time-ordered input, `intervals` when everything had to be kept.
    pub peak_cells: u64,
    /// Whether an input turned out unsorted after cells had been compared,
    /// so that the reconciliation was run again over a second read.
    pub replayed: bool,
}

/// Where a side's first row for a cell was read: file index, file name and
/// position. "First" is the least (file index, byte offset), so that it
/// does not depend on the order in which inputs are stepped.
type At = (usize, Arc<str>, Position);

#[derive(Debug)]
struct Cell {
    start: IntervalStart,
    queue: Totals,
    agents: Totals,
    queue_at: Option<At>,
    agents_at: Option<At>,
}

fn keep_first(slot: &mut Option<At>, idx: usize, file: &Arc<str>, pos: Position) {
    let earlier = match slot {
        None => true,
        Some((i, _, p)) => (idx, pos.byte()) < (*i, p.byte()),
    };
    if earlier {
        *slot = Some((idx, file.clone(), pos));
    }
}

/// The reconciliation table.
#[derive(Debug, Default)]
pub(crate) struct Cross {
    cells: BTreeMap<i64, HashMap<Box<str>, Cell>>,
    held: u64,
    pub summary: CrossSummary,
    pub saw_queue: bool,
    pub saw_agents: bool,
    /// Whether compared cells may be dropped (every input rereadable and
    /// in order so far).
    dropping: bool,
    /// Every cell before this instant has been compared and dropped.
    dropped_below: Option<i64>,
    /// A row fell before `dropped_below`: the table is void and must be
    /// rebuilt from a second read.
    pub void: bool,
    /// Findings of the cells compared so far, with their file index.
    found: Vec<(usize, Diagnostic)>,
    /// The three field names, shared by every finding (one allocation
    /// each, not one per finding).
    names: Option<[Arc<str>; 3]>,
}

impl Cross {
    /// A table that drops compared cells when `dropping` (the inputs can be
    /// read again should one turn out unsorted).
    pub fn new(dropping: bool) -> Self {
        Cross {
            dropping,
            ..Cross::default()
        }
    }

    /// Whether a row starting at `t` (`in_order`: not before its input's
    /// latest start) may be added. A row that falls among dropped cells
    /// voids the table.
    pub fn admit(&mut self, t: i64, in_order: bool) -> bool {
        if self.void {
            return false;
        }
        if !in_order {
            self.dropping = false;
        }
        if self.dropped_below.is_some_and(|b| t < b) {
            self.void = true;
            self.cells.clear();
            self.held = 0;
            self.found.clear();
            return false;
        }
        true
    }

    fn cell(&mut self, queue: &str, start: IntervalStart) -> &mut Cell {
        let inner = self.cells.entry(start.timestamp()).or_default();
        if !inner.contains_key(queue) {
            inner.insert(
                queue.into(),
                Cell {
                    start,
                    queue: Totals::default(),
                    agents: Totals::default(),
                    queue_at: None,
                    agents_at: None,
                },
            );
            self.held += 1;
            self.summary.peak_cells = self.summary.peak_cells.max(self.held);
        }
        inner.get_mut(queue).expect("inserted above")
    }

    pub fn queue_row(&mut self, file_idx: usize, file: &Arc<str>, r: &QueueRow) {
        self.saw_queue = true;
        self.summary
            .queue
            .add(r.answ_call_cnt, r.talking_call_dur, r.wrap_up_dur);
        let cell = self.cell(&r.queue, r.start);
        cell.queue
            .add(r.answ_call_cnt, r.talking_call_dur, r.wrap_up_dur);
        keep_first(&mut cell.queue_at, file_idx, file, r.pos);
    }

    pub fn agent_row(&mut self, file_idx: usize, file: &Arc<str>, r: &AgentExtRow) {
        self.saw_agents = true;
        self.summary
            .agents
            .add(r.answ_call_cnt, r.talking_call_dur, r.wrap_up_dur);
        let cell = self.cell(&r.queue, r.start);
        cell.agents
            .add(r.answ_call_cnt, r.talking_call_dur, r.wrap_up_dur);
        keep_first(&mut cell.agents_at, file_idx, file, r.pos);
    }

    /// Compares and drops the cells before `t`, when dropping is allowed:
    /// the caller promises that every input's latest start is at least `t`.
    pub fn drop_before(&mut self, t: i64) {
        if !self.dropping || self.void {
            return;
        }
        while let Some(entry) = self.cells.first_entry() {
            if *entry.key() >= t {
                break;
            }
            let key = *entry.key();
            let inner = entry.remove();
            self.held -= inner.len() as u64;
            for (queue, cell) in inner {
                self.compare(&queue, cell);
            }
            let below = key.saturating_add(1);
            self.dropped_below = Some(self.dropped_below.map_or(below, |b| b.max(below)));
        }
    }

    /// Starts over for a second read: an empty table that keeps every cell.
    pub fn restart(&mut self) {
        *self = Cross {
            summary: CrossSummary {
                peak_cells: self.summary.peak_cells,
                replayed: true,
                ..CrossSummary::default()
            },
            ..Cross::default()
        };
    }

    /// The findings of the cells compared so far, with their file index.
    pub fn take_found(&mut self) -> Vec<(usize, Diagnostic)> {
        std::mem::take(&mut self.found)
    }

    /// Compares every cell left, handing the findings to `found` cell
    /// time by cell time.
    pub fn finish(&mut self, found: &mut Found) -> Result<()> {
        let cells = std::mem::take(&mut self.cells);
        self.held = 0;
        for (_, inner) in cells {
            for (queue, cell) in inner {
                self.compare(&queue, cell);
            }
            for (idx, d) in self.take_found() {
                found.push(idx, d)?;
            }
        }
        Ok(())
    }

    fn compare(&mut self, queue: &str, cell: Cell) {
        self.summary.intervals += 1;
        let mut differs = false;
        // The finding sits on the queue row when there is one, else on the
        // first agent row of the pair.
        let no_queue_row = if cell.queue_at.is_none() {
            " (the queue file has no row for this queue and interval)"
        } else {
            ""
        };
        let Some((idx, file, pos)) = cell.queue_at.or(cell.agents_at) else {
            return;
        };
        let start = cell.start.to_rfc3339();
        let names = self.names.get_or_insert_with(|| {
            [
                Field::AnswCallCnt.name().into(),
                Field::TalkingCallDur.name().into(),
                Field::WrapUpDur.name().into(),
            ]
        });
        let [answ, talk, wrap] = names.clone();
        let checks = [
            (
                Code::CrossAnswered,
                answ,
                "answ_call_cnt",
                cell.agents.answered,
                cell.queue.answered,
            ),
            (
                Code::CrossTalk,
                talk,
                "talking_call_dur",
                cell.agents.talk,
                cell.queue.talk,
            ),
            (
                Code::CrossWrap,
                wrap,
                "wrap_up_dur",
                cell.agents.wrap,
                cell.queue.wrap,
            ),
        ];
        for (code, field, name, agents, queue_v) in checks {
            if agents == queue_v {
                continue;
            }
            differs = true;
            let location = Location::new(file.clone(), pos).with_field(field);
            let message = format!(
                "queue {queue}, interval {start}: Σ agent {name} {agents} ({} agent row(s)) vs queue {name} {queue_v}{no_queue_row}",
                cell.agents.rows
            );
            self.found.push((
                idx,
                Diagnostic::new(code, location, message, Some(queue_v.to_string())),
            ));
        }
        if differs {
            self.summary.differing += 1;
        }
    }
}
