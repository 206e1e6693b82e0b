//! Cross-report reconciliation (X501–X503): per queue and interval start,
//! the sums over Agent Extended rows against the Queue Statistics row.
//!
//! Both sides are summed into one table keyed by queue id and start
//! instant, then compared once every file has been read. The table holds
//! one small cell per (queue, interval) — the size of the queue file's key
//! space, not of the agent file — and is the one part of validation whose
//! memory grows with the time span of the input.

use std::collections::HashMap;
use std::sync::Arc;

use crate::diagnostic::{Code, Diagnostic};
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
}

/// Where a side's first row for a cell was read: file index and position.
type At = (usize, Arc<str>, Position);

#[derive(Debug, Default)]
struct Cell {
    start: Option<IntervalStart>,
    queue: Totals,
    agents: Totals,
    queue_at: Option<At>,
    agents_at: Option<At>,
}

/// The reconciliation table.
#[derive(Debug, Default)]
pub(crate) struct Cross {
    cells: HashMap<Box<str>, HashMap<i64, Cell>>,
    pub summary: CrossSummary,
    pub saw_queue: bool,
    pub saw_agents: bool,
}

impl Cross {
    fn cell(&mut self, queue: &str, start: IntervalStart) -> &mut Cell {
        if !self.cells.contains_key(queue) {
            self.cells.insert(queue.into(), HashMap::new());
        }
        let inner = self.cells.get_mut(queue).expect("inserted above");
        let cell = inner.entry(start.timestamp()).or_default();
        cell.start.get_or_insert(start);
        cell
    }

    pub fn queue_row(&mut self, file_idx: usize, file: &Arc<str>, r: &QueueRow) {
        self.saw_queue = true;
        self.summary
            .queue
            .add(r.answ_call_cnt, r.talking_call_dur, r.wrap_up_dur);
        let cell = self.cell(&r.queue, r.start);
        cell.queue
            .add(r.answ_call_cnt, r.talking_call_dur, r.wrap_up_dur);
        cell.queue_at
            .get_or_insert_with(|| (file_idx, file.clone(), r.pos));
    }

    pub fn agent_row(&mut self, file_idx: usize, file: &Arc<str>, r: &AgentExtRow) {
        self.saw_agents = true;
        self.summary
            .agents
            .add(r.answ_call_cnt, r.talking_call_dur, r.wrap_up_dur);
        let cell = self.cell(&r.queue, r.start);
        cell.agents
            .add(r.answ_call_cnt, r.talking_call_dur, r.wrap_up_dur);
        cell.agents_at
            .get_or_insert_with(|| (file_idx, file.clone(), r.pos));
    }

    /// Compares every cell; returns the findings with their file index.
    pub fn finish(&mut self, out: &mut Vec<(usize, Diagnostic)>) {
        let cells = std::mem::take(&mut self.cells);
        for (queue, inner) in cells {
            for (_, cell) in inner {
                self.summary.intervals += 1;
                let mut differs = false;
                // The finding sits on the queue row when there is one, else
                // on the first agent row of the pair.
                let Some((idx, file, pos)) = cell.queue_at.clone().or(cell.agents_at.clone())
                else {
                    continue;
                };
                let start = cell.start.map(|s| s.to_rfc3339()).unwrap_or_default();
                let no_queue_row = if cell.queue_at.is_none() {
                    " (the queue file has no row for this queue and interval)"
                } else {
                    ""
                };
                let checks = [
                    (
                        Code::CrossAnswered,
                        Field::AnswCallCnt,
                        "answ_call_cnt",
                        cell.agents.answered,
                        cell.queue.answered,
                    ),
                    (
                        Code::CrossTalk,
                        Field::TalkingCallDur,
                        "talking_call_dur",
                        cell.agents.talk,
                        cell.queue.talk,
                    ),
                    (
                        Code::CrossWrap,
                        Field::WrapUpDur,
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
                    let location = Location::new(file.clone(), pos).with_field(field.name());
                    let message = format!(
                        "queue {queue}, interval {start}: Σ agent {name} {agents} ({} agent row(s)) vs queue {name} {queue_v}{no_queue_row}",
                        cell.agents.rows
                    );
                    out.push((
                        idx,
                        Diagnostic::new(code, location, message, Some(queue_v.to_string())),
                    ));
                }
                if differs {
                    self.summary.differing += 1;
                }
            }
        }
    }
}
