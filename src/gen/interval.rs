//! The interval reports (Queue Statistics, Agent Extended, Agent
//! Statistics): 15-minute rows in time order from local midnight of the
//! start date, every queue, agent or agent-queue pair in every interval,
//! written as legacy CSV, legacy XML or current JSON through one [`Shape`]
//! per report and wire form.

use std::io::Write;

use chrono::{Datelike, NaiveDate};

use super::counts::{agent_counts, agent_ext_counts, queue_counts, Agent};
use super::names::{agent_id, agent_name, queue_id, queue_name, Entity};
use super::options::{GenFormat, GenOptions, GenReport};
use super::random::{curve, mix, weekday_factor, Rng};
use super::sink::{push_padded, Sink};
use crate::error::{Error, Result};
use crate::model::{AgentExtRow, AgentRow, Field, IntervalRow, QueueRow};

/// The field layout of one report in one wire form: the bytes written
/// before and after each value, computed once.
pub(super) struct Shape {
    report: GenReport,
    format: GenFormat,
    /// Text fields (id, name) per entity, then counts; each with its
    /// opening and closing bytes.
    open: Vec<Vec<u8>>,
    close: Vec<Vec<u8>>,
    /// Number of count fields written (after the texts).
    counts: usize,
    /// Number of entities (1 or 2) whose id and name are written.
    entities: usize,
    file_open: Vec<u8>,
    file_close: Vec<u8>,
    row_open: Vec<u8>,
    row_close: Vec<u8>,
    /// Written between rows (JSON's comma).
    row_sep: Vec<u8>,
}

impl Shape {
    pub(super) fn queue(format: GenFormat) -> Shape {
        let mut fields: Vec<Field> = QueueRow::FIELDS[3..].to_vec();
        if format == GenFormat::Json {
            // The current JSON carries two more fields (vendor example).
            fields.extend([Field::CompletedContacts, Field::SegmentHoldTimeMs]);
        }
        Shape::build(GenReport::Queue, format, &fields, 1, "QueueStatistics")
    }
    pub(super) fn agent_ext(format: GenFormat) -> Shape {
        Shape::build(
            GenReport::AgentExt,
            format,
            &AgentExtRow::FIELDS[3..],
            2,
            "AgentExtendedStatistics",
        )
    }
    pub(super) fn agent(format: GenFormat) -> Shape {
        Shape::build(
            GenReport::Agent,
            format,
            &AgentRow::FIELDS[3..],
            1,
            "AgentStatistics",
        )
    }

    /// `fields` are the fields after `interval, date_from, time`: the
    /// entities' (id, name) pairs, then the counts.
    fn build(
        report: GenReport,
        format: GenFormat,
        fields: &[Field],
        entities: usize,
        root: &str,
    ) -> Shape {
        let mut open = Vec::new();
        let mut close = Vec::new();
        for f in fields {
            match format {
                GenFormat::Csv => {
                    open.push(b",".to_vec());
                    close.push(Vec::new());
                }
                GenFormat::Json => {
                    open.push(format!(",\"{}\":", f.json_names()[0]).into_bytes());
                    close.push(Vec::new());
                }
                GenFormat::Xml => {
                    open.push(format!("<{}>", f.name()).into_bytes());
                    close.push(format!("</{}>", f.name()).into_bytes());
                }
            }
        }
        let (file_open, file_close, row_open, row_close, row_sep) = match format {
            GenFormat::Csv => {
                let names: Vec<&str> = [Field::Interval, Field::DateFrom, Field::Time]
                    .iter()
                    .chain(fields)
                    .map(|f| f.name())
                    .collect();
                let header = format!("{}\n", names.join(","));
                (header.into_bytes(), vec![], vec![], b"\n".to_vec(), vec![])
            }
            GenFormat::Json => (
                b"[\n".to_vec(),
                b"\n]\n".to_vec(),
                b"{\"interval\":".to_vec(),
                b"}".to_vec(),
                b",\n".to_vec(),
            ),
            GenFormat::Xml => (
                format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{root}>\n").into_bytes(),
                format!("</{root}>\n").into_bytes(),
                b"<row><interval>".to_vec(),
                b"</row>\n".to_vec(),
                vec![],
            ),
        };
        Shape {
            report,
            format,
            counts: fields.len() - 2 * entities,
            open,
            close,
            entities,
            file_open,
            file_close,
            row_open,
            row_close,
            row_sep,
        }
    }
}

pub(super) struct IntervalGen {
    shape: Shape,
    rng: Rng,
    rows: u64,
    start: NaiveDate,
    queues: Vec<Entity>,
    /// Peak calls offered per 15 minutes, per mille, for each queue.
    queue_peak: Vec<u64>,
    agents: Vec<Agent>,
}

const SLOTS: u32 = 96;

impl IntervalGen {
    pub(super) fn new(opts: &GenOptions, shape: Shape) -> Self {
        let f = opts.format;
        let seed = opts.seed;
        let need_queues = shape.report != GenReport::Agent;
        let need_agents = shape.report != GenReport::Queue;
        let queues = if need_queues {
            (0..opts.queues)
                .map(|q| Entity::new(queue_id(q), &queue_name(q), f))
                .collect()
        } else {
            Vec::new()
        };
        // Queue sizes are skewed: a few big queues, many small ones.
        let queue_peak = (0..opts.queues)
            .map(|q| {
                let h = mix(seed, q as u64);
                let tier = [120_000, 60_000, 25_000, 10_000, 4_000][(h % 5) as usize];
                tier + (h >> 8) % 5_000
            })
            .collect();
        let agents = if need_agents {
            (0..opts.agents)
                .map(|a| {
                    let h = mix(seed ^ 0xA6E7, a as u64);
                    // Day shifts from 06:00 to 16:00, a tenth on nights.
                    let shift_start = if h % 10 == 0 {
                        88
                    } else {
                        24 + ((h >> 8) % 41) as u32
                    };
                    let shift_len = 32 + ((h >> 16) % 3) as u32 * 2;
                    let mut qs = vec![a % opts.queues];
                    for k in 1..=((h >> 24) % 3) as u32 {
                        let q = (a.wrapping_mul(7).wrapping_add(k * 13)) % opts.queues;
                        if !qs.contains(&q) {
                            qs.push(q);
                        }
                    }
                    Agent {
                        entity: Entity::new(agent_id(a), &agent_name(a), f),
                        shift_start,
                        shift_len,
                        queues: qs,
                        talk_s: 120 + (h >> 32) % 180,
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        IntervalGen {
            shape,
            rng: Rng::new(seed),
            rows: opts.rows,
            start: opts.start,
            queues,
            queue_peak,
            agents,
        }
    }

    pub(super) fn run<W: Write>(&mut self, sink: &mut Sink<W>) -> Result<u64> {
        sink.put(&self.shape.file_open);
        let mut written = 0u64;
        let mut day = 0u64;
        let mut date = self.start;
        let mut counts = [0u64; 17];
        // Date and time bytes of the current interval, per wire form.
        let mut date_b = Vec::with_capacity(24);
        let mut time_b = Vec::with_capacity(8);
        'outer: while written < self.rows {
            let wd = weekday_factor(date);
            for slot in 0..SLOTS {
                if written >= self.rows {
                    break 'outer;
                }
                let load = curve(slot) * wd / 1000;
                stamp(self.shape.format, date, slot, &mut date_b, &mut time_b);
                match self.shape.report {
                    GenReport::Queue => {
                        for q in 0..self.queues.len() {
                            if written >= self.rows {
                                break;
                            }
                            queue_counts(
                                &mut self.rng,
                                self.queue_peak[q] * load / 1000,
                                &mut counts,
                            );
                            self.emit(sink, written, &date_b, &time_b, &[q], &counts)?;
                            written += 1;
                        }
                    }
                    GenReport::AgentExt => {
                        for a in 0..self.agents.len() {
                            for qi in 0..self.agents[a].queues.len() {
                                if written >= self.rows {
                                    break;
                                }
                                let ag = &self.agents[a];
                                agent_ext_counts(
                                    &mut self.rng,
                                    ag,
                                    slot,
                                    load,
                                    ag.queues.len() as u64,
                                    &mut counts,
                                );
                                let q = ag.queues[qi] as usize;
                                self.emit(sink, written, &date_b, &time_b, &[a, q], &counts)?;
                                written += 1;
                            }
                        }
                    }
                    GenReport::Agent => {
                        for a in 0..self.agents.len() {
                            if written >= self.rows {
                                break;
                            }
                            agent_counts(&mut self.rng, &self.agents[a], slot, load, &mut counts);
                            self.emit(sink, written, &date_b, &time_b, &[a], &counts)?;
                            written += 1;
                        }
                    }
                    GenReport::Segments => unreachable!("segments have their own generator"),
                }
            }
            day += 1;
            date = self
                .start
                .checked_add_days(chrono::Days::new(day))
                .filter(|d| d.year() <= 9999)
                .ok_or_else(|| Error::usage("gen: the rows run past the year 9999"))?;
        }
        sink.put(&self.shape.file_close);
        Ok(written)
    }

    /// Writes one row. `ents` indexes the agents and/or queues, in field
    /// order (agent first for Agent Extended).
    #[inline]
    fn emit<W: Write>(
        &self,
        sink: &mut Sink<W>,
        index: u64,
        date_b: &[u8],
        time_b: &[u8],
        ents: &[usize],
        counts: &[u64],
    ) -> Result<()> {
        let s = &self.shape;
        if index > 0 {
            sink.put(&s.row_sep);
        }
        sink.put(&s.row_open);
        match s.format {
            GenFormat::Csv => {
                sink.put(b"15,");
                sink.put(date_b);
                sink.put(b",");
                sink.put(time_b);
            }
            GenFormat::Json => {
                sink.put(b"15,\"dateTimeFrom\":\"");
                sink.put(date_b);
                sink.put(b"\"");
            }
            GenFormat::Xml => {
                sink.put(b"15</interval><date_from>");
                sink.put(date_b);
                sink.put(b"</date_from><time>");
                sink.put(time_b);
                sink.put(b"</time>");
            }
        }
        let mut k = 0;
        for (i, &e) in ents.iter().enumerate().take(s.entities) {
            let ent = match (s.report, i) {
                (GenReport::Queue, _) | (GenReport::AgentExt, 1) => &self.queues[e],
                _ => &self.agents[e].entity,
            };
            sink.put(&s.open[k]);
            sink.put(&ent.id);
            sink.put(&s.close[k]);
            sink.put(&s.open[k + 1]);
            sink.put(&ent.name);
            sink.put(&s.close[k + 1]);
            k += 2;
        }
        for &c in &counts[..s.counts] {
            sink.put(&s.open[k]);
            sink.num(c);
            sink.put(&s.close[k]);
            k += 1;
        }
        sink.put(&s.row_close);
        sink.maybe_flush()
    }
}

/// Renders the interval start: `yyyyMMdd` and `HH:mm` for CSV and XML,
/// `MM-dd-yyyyTHH:mm:ss` (in `date_b`) for JSON.
fn stamp(
    format: GenFormat,
    date: NaiveDate,
    slot: u32,
    date_b: &mut Vec<u8>,
    time_b: &mut Vec<u8>,
) {
    let (y, m, d) = (date.year() as u64, date.month() as u64, date.day() as u64);
    let (hh, mm) = ((slot / 4) as u64, (slot % 4 * 15) as u64);
    date_b.clear();
    time_b.clear();
    match format {
        GenFormat::Csv | GenFormat::Xml => {
            push_padded(date_b, y, 4);
            push_padded(date_b, m, 2);
            push_padded(date_b, d, 2);
            push_padded(time_b, hh, 2);
            time_b.push(b':');
            push_padded(time_b, mm, 2);
        }
        GenFormat::Json => {
            push_padded(date_b, m, 2);
            date_b.push(b'-');
            push_padded(date_b, d, 2);
            date_b.push(b'-');
            push_padded(date_b, y, 4);
            date_b.push(b'T');
            push_padded(date_b, hh, 2);
            date_b.push(b':');
            push_padded(date_b, mm, 2);
            date_b.extend_from_slice(b":00");
        }
    }
}
