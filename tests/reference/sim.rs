//! A seeded call-level contact-center simulation, aggregated into Queue
//! Statistics and Agent Extended rows (SPEC 2.1, 2.2) per 15-minute local
//! interval in America/New_York, and written as CSV, XML and JSON by the
//! tests' own wire encoder (`tests/wire.rs`; nothing from the crate is used
//! here, so the test stays independent of the readers' and writers' code).
//!
//! The data spans 2024-03-09..11 and 2024-11-02..04 local, so both 2024 US
//! DST changes fall inside it: the spring-forward hour (02:00–02:59 on
//! 2024-03-10) never appears, and the fall-back hour (01:00–01:59 on
//! 2024-11-03) is written twice, first pass then second pass, in file order.

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone};
use chrono_tz::Tz;

use crate::wire::{self, Csv, Json, JsonFrame, Record, Xml, XmlEscape};

/// The source zone of the simulated export.
pub const SOURCE_TZ: Tz = chrono_tz::America::New_York;

/// Answered or abandoned within this many seconds meets the service level.
const SL_THRESHOLD_S: u64 = 20;
/// An abandon after less than this many seconds is a short abandon.
const SHORT_ABANDON_S: u64 = 5;
/// The interval length of every row, in minutes.
pub const INTERVAL_MIN: i64 = 15;

/// splitmix64: small, seeded, good enough for a simulation.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
    /// True with probability `p_percent` %.
    pub fn chance(&mut self, p_percent: u64) -> bool {
        self.next() % 100 < p_percent
    }
}

/// A queue of the simulation: id, name (and a rename at an instant), where
/// its waiting calls overflow to.
pub struct QueueDef {
    pub id: &'static str,
    pub name: &'static str,
    /// `(from instant, new name)`: rows from then on carry the new name.
    pub rename: Option<(i64, &'static str)>,
    pub overflow_to: Option<usize>,
    /// Emit a row only when something happened (outside the fall-back hour).
    pub sparse: bool,
}

/// An agent of the simulation.
pub struct AgentDef {
    pub id: &'static str,
    pub name: &'static str,
    pub rename: Option<(i64, &'static str)>,
    /// Skilled queues (indexes into `queues`); the first is the primary
    /// queue, whose `wait_dur` carries the agent's idle time.
    pub queues: &'static [usize],
    /// Names written on rows of particular queues (a lower-case spelling
    /// that a second queue's export uses).
    pub name_in_queue: Option<(usize, &'static str)>,
    /// Shift in local hours `[from, to)`; `to < from` wraps past midnight.
    pub shift: (u32, u32),
}

/// One simulated call at one queue (an overflowed call is two: the leg that
/// overflowed out and the leg at the target queue).
#[derive(Clone, Debug)]
pub struct Leg {
    pub queue: usize,
    /// Arrival at this queue (Unix seconds).
    pub arrival: i64,
    pub direct: bool,
    pub outcome: Outcome,
}

#[derive(Clone, Debug)]
pub enum Outcome {
    OverflowedOut,
    Answered {
        wait: u64,
        agent: usize,
        talk: u64,
        wrap: u64,
        transferred: bool,
    },
    Abandoned {
        wait: u64,
    },
}

/// A typed row of the simulation's truth, with its instant start.
#[derive(Clone, Debug, PartialEq)]
pub struct SimRow {
    /// Interval start, Unix seconds.
    pub start: i64,
    pub len_min: i64,
    pub queue: String,
    pub queue_name: String,
    /// Empty for Queue Statistics rows.
    pub agent_id: String,
    pub agent_name: String,
    /// Queue Statistics: the 15 values in SPEC 2.1 order after `queue_name`
    /// (`offd_direct_call_cnt` … `aband_within_sl_cnt`). Agent Extended: the
    /// 4 values in SPEC 2.2 order (`talking_call_dur, wrap_up_dur,
    /// answ_call_cnt, transfer_out_call_cnt`).
    pub v: Vec<u64>,
}

/// SPEC 2.1 field names after `queue_name` (JSON names: `wire::json_name`).
pub const QUEUE_FIELDS: [&str; 15] = crate::wire::QUEUE_COUNTS;

/// SPEC 2.2 field names after `queue_name`.
pub const AGENT_FIELDS: [&str; 4] = [
    "talking_call_dur",
    "wrap_up_dur",
    "answ_call_cnt",
    "transfer_out_call_cnt",
];

/// The whole simulation: definitions, call legs, aggregated rows.
pub struct Sim {
    pub queues: Vec<QueueDef>,
    pub agents: Vec<AgentDef>,
    pub legs: Vec<Leg>,
    /// Agent idle seconds per (agent, interval start).
    pub idle: BTreeMap<(usize, i64), u64>,
    /// Queue rows in file order (interval start instant, then queue id as
    /// written by the exporter: definition order).
    pub queue_rows: Vec<SimRow>,
    pub agent_rows: Vec<SimRow>,
    /// The simulated days (local dates).
    pub days: Vec<NaiveDate>,
}

fn local_midnight(d: NaiveDate) -> i64 {
    SOURCE_TZ
        .from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight"))
        .earliest()
        .expect("midnight exists in New York")
        .timestamp()
}

fn local_hour(t: i64) -> u32 {
    use chrono::Timelike;
    SOURCE_TZ.timestamp_opt(t, 0).unwrap().hour()
}

fn on_shift(a: &AgentDef, t: i64) -> bool {
    let h = local_hour(t);
    let (from, to) = a.shift;
    if from <= to {
        h >= from && h < to
    } else {
        h >= from || h < to
    }
}

/// The instant 2024-mm-dd HH:MM in New York (first occurrence).
pub fn ny(y: i32, m: u32, d: u32, hh: u32, mm: u32) -> i64 {
    SOURCE_TZ
        .from_local_datetime(
            &NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_hms_opt(hh, mm, 0)
                .unwrap(),
        )
        .earliest()
        .unwrap()
        .timestamp()
}

/// Whether an interval start lies in the repeated fall-back hour
/// (2024-11-03 01:00–01:59 local, either pass).
pub fn in_fall_back_hour(t: i64) -> bool {
    let first = ny(2024, 11, 3, 1, 0);
    (first..first + 7200).contains(&t)
}

impl Sim {
    /// Runs the simulation with `seed`.
    pub fn run(seed: u64) -> Sim {
        let queues = vec![
            QueueDef {
                id: "600",
                name: "Billing",
                rename: Some((ny(2024, 11, 3, 12, 0), "Billing & Payments")),
                overflow_to: Some(1),
                sparse: true,
            },
            QueueDef {
                id: "5686",
                name: "Sales",
                rename: None,
                overflow_to: Some(2),
                sparse: false,
            },
            QueueDef {
                id: "10020",
                name: "Support, Tier 1",
                rename: None,
                overflow_to: None,
                sparse: false,
            },
        ];
        let agents = vec![
            AgentDef {
                id: "7",
                name: "Ng, Ada",
                rename: None,
                queues: &[0],
                name_in_queue: None,
                shift: (7, 16),
            },
            AgentDef {
                id: "42",
                name: "O\"Brien, Pat",
                rename: None,
                queues: &[1, 2],
                name_in_queue: None,
                shift: (8, 20),
            },
            AgentDef {
                id: "1001",
                name: "kaduk, alena",
                rename: None,
                queues: &[1, 2],
                // The Support export spells her name with capitals: at the
                // latest start both spellings occur, the smallest wins.
                name_in_queue: Some((2, "Kaduk, Alena")),
                shift: (9, 22),
            },
            AgentDef {
                id: "1002",
                name: "Lee, Sam",
                rename: Some((ny(2024, 3, 10, 12, 0), "Lee-Park, Sam")),
                queues: &[0, 1],
                name_in_queue: None,
                shift: (6, 15),
            },
            AgentDef {
                id: "15003",
                name: "Øyvind <Ops> & co",
                rename: None,
                queues: &[2],
                name_in_queue: None,
                shift: (12, 23),
            },
            AgentDef {
                id: "900",
                name: "Zed Night",
                rename: None,
                queues: &[2, 0],
                name_in_queue: None,
                shift: (22, 8),
            },
        ];
        let days: Vec<NaiveDate> = [(3, 9), (3, 10), (3, 11), (11, 2), (11, 3), (11, 4)]
            .iter()
            .map(|&(m, d)| NaiveDate::from_ymd_opt(2024, m, d).unwrap())
            .collect();
        // Interval starts: every 15 minutes of each simulated local day,
        // counted in instants, so the spring-forward gap never occurs and the
        // fall-back hour occurs twice.
        let mut starts = Vec::new();
        for &d in &days {
            let from = local_midnight(d);
            let to = local_midnight(d.succ_opt().unwrap());
            let mut t = from;
            while t < to {
                starts.push(t);
                t += INTERVAL_MIN * 60;
            }
        }
        let mut rng = Rng::new(seed);
        let mut legs = Vec::new();
        for &t in &starts {
            let h = local_hour(t);
            for (q, qdef) in queues.iter().enumerate() {
                // Busy days, quiet nights.
                let max_calls = match h {
                    8..=11 | 13..=17 => 6,
                    7 | 12 | 18..=20 => 3,
                    _ => 1,
                };
                let n = rng.range(0, max_calls);
                for _ in 0..n {
                    let arrival = t + rng.range(0, 899) as i64;
                    let overflow = qdef.overflow_to.filter(|_| rng.chance(12));
                    let (queue, at, direct) = if let Some(target) = overflow {
                        legs.push(Leg {
                            queue: q,
                            arrival,
                            direct: true,
                            outcome: Outcome::OverflowedOut,
                        });
                        // The overflow leg starts within the same interval.
                        let left = (t + 899 - arrival) as u64;
                        let at = arrival + rng.range(0, left.min(90)) as i64;
                        (target, at, false)
                    } else {
                        (q, arrival, true)
                    };
                    let outcome = Self::serve(&agents, queue, at, &mut rng);
                    legs.push(Leg {
                        queue,
                        arrival: at,
                        direct,
                        outcome,
                    });
                }
            }
        }
        let mut idle = BTreeMap::new();
        for &t in &starts {
            for (a, def) in agents.iter().enumerate() {
                if !on_shift(def, t) {
                    continue;
                }
                let busy: u64 = legs
                    .iter()
                    .filter(|l| l.arrival >= t && l.arrival < t + 900)
                    .map(|l| match l.outcome {
                        Outcome::Answered {
                            agent, talk, wrap, ..
                        } if agent == a => talk + wrap,
                        _ => 0,
                    })
                    .sum();
                idle.insert((a, t), 900u64.saturating_sub(busy));
            }
        }
        let mut sim = Sim {
            queues,
            agents,
            legs,
            idle,
            queue_rows: Vec::new(),
            agent_rows: Vec::new(),
            days,
        };
        sim.aggregate(&starts);
        sim
    }

    fn serve(agents: &[AgentDef], queue: usize, at: i64, rng: &mut Rng) -> Outcome {
        let staffed: Vec<usize> = agents
            .iter()
            .enumerate()
            .filter(|(_, a)| a.queues.contains(&queue) && on_shift(a, at))
            .map(|(i, _)| i)
            .collect();
        let patience = rng.range(1, 150);
        let answer_after = rng.range(0, 80);
        if staffed.is_empty() || answer_after > patience {
            return Outcome::Abandoned { wait: patience };
        }
        let agent = staffed[rng.range(0, staffed.len() as u64 - 1) as usize];
        Outcome::Answered {
            wait: answer_after,
            agent,
            talk: rng.range(20, 700),
            wrap: rng.range(0, 120),
            transferred: rng.chance(10),
        }
    }

    fn name_at(name: &'static str, rename: Option<(i64, &'static str)>, t: i64) -> &'static str {
        match rename {
            Some((from, new)) if t >= from => new,
            _ => name,
        }
    }

    /// SPEC 2.1 and 2.2 aggregation: every leg counts in the interval of
    /// its arrival at the queue.
    fn aggregate(&mut self, starts: &[i64]) {
        let last = *starts.last().unwrap();
        for &t in starts {
            let here: Vec<&Leg> = self
                .legs
                .iter()
                .filter(|l| l.arrival >= t && l.arrival < t + 900)
                .collect();
            for (q, def) in self.queues.iter().enumerate() {
                let mut v = [0u64; 15];
                for l in here.iter().filter(|l| l.queue == q) {
                    if l.direct {
                        v[0] += 1;
                    } else {
                        v[1] += 1;
                    }
                    match l.outcome {
                        Outcome::OverflowedOut => v[3] += 1,
                        Outcome::Answered {
                            wait, talk, wrap, ..
                        } => {
                            v[4] += 1;
                            v[5] += wait;
                            v[7] += talk;
                            v[8] += wrap;
                            v[9] = v[9].max(wait);
                            if wait <= SL_THRESHOLD_S {
                                v[11] += 1;
                            }
                        }
                        Outcome::Abandoned { wait } => {
                            v[2] += 1;
                            v[6] += wait;
                            v[10] = v[10].max(wait);
                            if wait < SHORT_ABANDON_S {
                                v[13] += 1;
                            }
                            if wait <= SL_THRESHOLD_S {
                                v[14] += 1;
                            }
                        }
                    }
                }
                v[12] = self
                    .agents
                    .iter()
                    .enumerate()
                    .filter(|(_, a)| a.queues[0] == q)
                    .map(|(a, _)| self.idle.get(&(a, t)).copied().unwrap_or(0))
                    .sum();
                let active = v.iter().any(|&x| x > 0);
                if active || !def.sparse || in_fall_back_hour(t) {
                    self.queue_rows.push(SimRow {
                        start: t,
                        len_min: INTERVAL_MIN,
                        queue: def.id.to_string(),
                        queue_name: Self::name_at(def.name, def.rename, t).to_string(),
                        agent_id: String::new(),
                        agent_name: String::new(),
                        v: v.to_vec(),
                    });
                }
            }
            for (a, adef) in self.agents.iter().enumerate() {
                for &q in adef.queues {
                    let mut v = [0u64; 4];
                    for l in here.iter().filter(|l| l.queue == q) {
                        if let Outcome::Answered {
                            agent,
                            talk,
                            wrap,
                            transferred,
                            ..
                        } = l.outcome
                        {
                            if agent == a {
                                v[0] += talk;
                                v[1] += wrap;
                                v[2] += 1;
                                v[3] += u64::from(transferred);
                            }
                        }
                    }
                    // Sparse, like real exports, but every agent-queue pair
                    // has a row in both passes of the fall-back hour (so the
                    // second pass is recognisable, SPEC 2.5) and at the last
                    // interval (so names tie at the latest start).
                    if v[2] > 0 || in_fall_back_hour(t) || t == last {
                        let qdef = &self.queues[q];
                        let name = match adef.name_in_queue {
                            Some((nq, n)) if nq == q => n,
                            _ => Self::name_at(adef.name, adef.rename, t),
                        };
                        self.agent_rows.push(SimRow {
                            start: t,
                            len_min: INTERVAL_MIN,
                            queue: qdef.id.to_string(),
                            queue_name: Self::name_at(qdef.name, qdef.rename, t).to_string(),
                            agent_id: adef.id.to_string(),
                            agent_name: name.to_string(),
                            v: v.to_vec(),
                        });
                    }
                }
            }
        }
    }

    /// Call-level truth: (answered, abandoned, talk, wrap, transfers,
    /// direct, overflow legs).
    pub fn truth(&self) -> Truth {
        let mut t = Truth::default();
        for l in &self.legs {
            if l.direct {
                t.direct += 1;
            } else {
                t.overflow_in += 1;
            }
            match l.outcome {
                Outcome::OverflowedOut => t.overflow_out += 1,
                Outcome::Answered {
                    talk,
                    wrap,
                    transferred,
                    ..
                } => {
                    t.answered += 1;
                    t.talk += talk;
                    t.wrap += wrap;
                    t.transferred += u64::from(transferred);
                }
                Outcome::Abandoned { .. } => t.abandoned += 1,
            }
        }
        t.idle = self.idle.values().sum();
        t
    }
}

/// Totals of the simulated calls.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Truth {
    pub direct: u64,
    pub overflow_in: u64,
    pub overflow_out: u64,
    pub answered: u64,
    pub abandoned: u64,
    pub talk: u64,
    pub wrap: u64,
    pub transferred: u64,
    pub idle: u64,
}

/// Local wall-clock date `yyyyMMdd` and time `HH:mm` of an instant in the
/// source zone (every start is on a minute: the JSON `dateTimeFrom` is
/// these with `:00` seconds).
fn local_parts(t: i64) -> (String, String) {
    let dt = SOURCE_TZ.timestamp_opt(t, 0).unwrap();
    (
        dt.format("%Y%m%d").to_string(),
        dt.format("%H:%M").to_string(),
    )
}

/// Which report a set of rows is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Report {
    Queue,
    AgentExt,
}

impl Report {
    fn value_fields(self) -> &'static [&'static str] {
        match self {
            Report::Queue => &QUEUE_FIELDS,
            Report::AgentExt => &AGENT_FIELDS,
        }
    }
}

/// The record of a row as the exporter writes it: local date and time in
/// the source zone, ids as numbers.
fn record(report: Report, r: &SimRow) -> Record {
    let (date, time) = local_parts(r.start);
    let mut rec = vec![
        ("interval", wire::num(r.len_min)),
        ("date_from", wire::text(date)),
        ("time", wire::text(time)),
    ];
    if report == Report::AgentExt {
        rec.push(("agent_id", wire::num(&r.agent_id)));
        rec.push(("agent_name", wire::text(r.agent_name.clone())));
    }
    rec.push(("queue", wire::num(&r.queue)));
    rec.push(("queue_name", wire::text(r.queue_name.clone())));
    for (f, x) in report.value_fields().iter().zip(&r.v) {
        rec.push((f, wire::num(x)));
    }
    rec
}

fn records(report: Report, rows: &[SimRow]) -> Vec<Record> {
    rows.iter().map(|r| record(report, r)).collect()
}

/// Legacy CSV with a header in documented order.
pub fn write_csv(report: Report, rows: &[SimRow]) -> String {
    Csv::default().document(&records(report, rows))
}

/// Legacy XML, element style: one `<Row>` per record, one child element per
/// field, only `&`, `<` and `>` escaped.
pub fn write_xml(report: Report, rows: &[SimRow]) -> String {
    let xml = Xml {
        escape: XmlEscape::Minimal,
        ..Xml::default()
    };
    xml.document(&records(report, rows))
}

/// Current JSON (`agg-queue-stats` / `agg-agent-extended-stats`): an array
/// of camelCase objects, indented two spaces, ids as JSON numbers,
/// `dateTimeFrom` ISO.
pub fn write_json(report: Report, rows: &[SimRow]) -> String {
    let json = Json {
        frame: JsonFrame {
            open: "[\n  ",
            sep: ",\n  ",
            close: "\n]\n",
        },
        ..Json::default()
    };
    json.document(&records(report, rows))
}
