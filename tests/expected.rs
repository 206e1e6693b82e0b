//! The typed rows every fixture holds, written out by hand from the fixture
//! text, and an independent rendering of them as `rcx parse` prints them
//! (NDJSON and CSV). Shared by `csv_read` and `cli_parse`.

#![allow(dead_code)]

use std::str::FromStr;

use ringcx_reports::{AgentExtRow, AgentRow, Position, QueueRow};
use rust_decimal::Decimal;

use crate::util::{fixture_bytes, len, pos, start};

/// The rows of one fixture.
#[derive(Clone, Debug, PartialEq)]
pub enum Rows {
    Queue(Vec<QueueRow>),
    AgentExt(Vec<AgentExtRow>),
    Agent(Vec<AgentRow>),
}

impl Rows {
    pub fn len(&self) -> usize {
        match self {
            Rows::Queue(v) => v.len(),
            Rows::AgentExt(v) => v.len(),
            Rows::Agent(v) => v.len(),
        }
    }
}

/// One fixture: its name, source zone, date order, rows, and what `rcx
/// inspect` must say about it.
#[derive(Clone, Debug)]
pub struct Fixture {
    pub name: &'static str,
    pub tz: &'static str,
    pub dmy: bool,
    pub rows: Rows,
    /// kind, delimiter, header, BOM, CRLF, title, columns
    pub kind: &'static str,
    pub delimiter: u8,
    pub header: bool,
    pub bom: bool,
    pub crlf: bool,
    pub title: Option<&'static str>,
    pub columns: usize,
    pub keys: u64,
    pub intervals: &'static [u32],
    pub first: &'static str,
    pub last: &'static str,
    /// Rows that step back to the US fall-back hour 2024-11-03 01:00.
    pub fall_back_steps: u64,
}

/// The US zones (and Canada's Atlantic and Newfoundland zones) set their
/// clocks back at 02:00 local on 2024-11-03 and forward at 02:00 on
/// 2024-03-10, so 01:00-02:00 repeats and 02:00-03:00 does not exist there.
pub const US_FALL_BACK_ZONES: [&str; 7] = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Anchorage",
    "America/Halifax",
    "America/St_Johns",
];

impl Fixture {
    /// What `inspect --format json` says about the zones the file fits.
    pub fn zone_fit(&self) -> serde_json::Value {
        if self.fall_back_steps == 0 {
            return serde_json::Value::Null;
        }
        serde_json::json!({
            "step_backs": self.fall_back_steps,
            "repeats": ["2024-11-03T01:00:00"],
            "zones": US_FALL_BACK_ZONES,
        })
    }
    /// What `inspect` prints about the zones the file fits.
    pub fn zone_fit_text(&self) -> String {
        if self.fall_back_steps == 0 {
            return String::new();
        }
        format!(
            "  repeated local times: 2024-11-03 01:00 ({} row(s) step back in time)\n  zones whose fall-back fits: {} (read with --source-tz ZONE)\n",
            self.fall_back_steps,
            US_FALL_BACK_ZONES.join(", ")
        )
    }
}

/// Queue counts in documented order: offd_direct, overflow_in, aband,
/// overflow_out, answ, queued_and_answ_dur, queued_and_aband_dur, talking,
/// wrap_up, answ_longest, aband_longest, ans_servicelevel, wait,
/// aband_short, aband_within_sl.
#[allow(clippy::too_many_arguments)]
pub fn q(
    p: Position,
    interval: u32,
    at: &str,
    off: i32,
    queue: &str,
    name: &str,
    c: [u64; 15],
    avg: Option<&str>,
) -> QueueRow {
    QueueRow {
        pos: p,
        interval: len(interval),
        start: start(at, off),
        queue: queue.into(),
        queue_name: name.into(),
        offd_direct_call_cnt: Some(c[0]),
        overflow_in_call_cnt: Some(c[1]),
        aband_call_cnt: Some(c[2]),
        overflow_out_call_cnt: Some(c[3]),
        answ_call_cnt: Some(c[4]),
        queued_and_answ_call_dur: Some(c[5]),
        queued_and_aband_call_dur: Some(c[6]),
        talking_call_dur: Some(c[7]),
        wrap_up_dur: Some(c[8]),
        queued_answ_longest_que_dur: Some(c[9]),
        queued_aband_longest_que_dur: Some(c[10]),
        ans_servicelevel_cnt: Some(c[11]),
        wait_dur: Some(c[12]),
        aband_short_call_cnt: Some(c[13]),
        aband_within_sl_cnt: Some(c[14]),
        avg_avail_member_cnt: avg.map(|s| Decimal::from_str(s).expect("decimal")),
        completed_contacts: None,
        segment_hold_time_ms: None,
    }
}

/// Agent Extended counts: talking, wrap_up, answ, transfer_out.
#[allow(clippy::too_many_arguments)]
pub fn ax(
    p: Position,
    interval: u32,
    at: &str,
    off: i32,
    agent: &str,
    agent_name: &str,
    queue: &str,
    queue_name: &str,
    c: [u64; 4],
) -> AgentExtRow {
    AgentExtRow {
        pos: p,
        interval: len(interval),
        start: start(at, off),
        agent_id: agent.into(),
        agent_name: agent_name.into(),
        queue: queue.into(),
        queue_name: queue_name.into(),
        talking_call_dur: Some(c[0]),
        wrap_up_dur: Some(c[1]),
        answ_call_cnt: Some(c[2]),
        transfer_out_call_cnt: Some(c[3]),
    }
}

/// Agent counts: avail, tot_work, pause, wait, admin, direct_out_cnt,
/// direct_out_dur, direct_in_cnt, direct_in_dur.
pub fn ag(
    p: Position,
    interval: u32,
    at: &str,
    agent: &str,
    agent_name: &str,
    c: [u64; 9],
) -> AgentRow {
    AgentRow {
        pos: p,
        interval: len(interval),
        start: start(at, 0),
        agent_id: agent.into(),
        agent_name: agent_name.into(),
        avail_dur: Some(c[0]),
        tot_work_dur: Some(c[1]),
        pause_dur: Some(c[2]),
        wait_dur: Some(c[3]),
        admin_dur: Some(c[4]),
        direct_out_call_cnt: Some(c[5]),
        direct_out_call_dur: Some(c[6]),
        direct_in_call_cnt: Some(c[7]),
        direct_in_call_dur: Some(c[8]),
    }
}

const NY_COUNTS: [u64; 15] = [1, 0, 0, 0, 1, 10, 0, 60, 5, 10, 0, 1, 30, 0, 0];

fn fallback_rows() -> Vec<QueueRow> {
    let b = fixture_bytes("queue_fallback_ny.csv");
    let mut rows = Vec::new();
    // (time, offset) per pair of lines, queues 5686 then 5688.
    let plan = [
        ("00:45", -4),
        ("01:00", -4),
        ("01:15", -4),
        ("01:30", -4),
        ("01:45", -4),
        ("01:00", -5),
        ("01:15", -5),
        ("01:30", -5),
        ("01:45", -5),
        ("02:00", -5),
    ];
    for (i, (t, off)) in plan.iter().enumerate() {
        for (j, qid) in ["5686", "5688"].iter().enumerate() {
            let rec = (i * 2 + j) as u64;
            rows.push(q(
                pos(&b, rec + 2, rec),
                15,
                &format!("2024-11-03 {t}"),
                *off,
                qid,
                &format!("Q{qid}"),
                NY_COUNTS,
                None,
            ));
        }
    }
    rows
}

/// Every fixture of `fixtures/` that reads without error.
pub fn fixtures() -> Vec<Fixture> {
    let qh = fixture_bytes("queue_header.csv");
    let q20 = fixture_bytes("queue_headerless20.csv");
    let t21 = fixture_bytes("queue_teleopti21.csv");
    let h21 = fixture_bytes("queue_headerless21_semicolon.csv");
    let bom = fixture_bytes("queue_bom_crlf.csv");
    let tab = fixture_bytes("queue_dates_tab.csv");
    let dmy = fixture_bytes("queue_dmy_pipe.csv");
    let axq = fixture_bytes("agent_ext_quoted.csv");
    let ax11 = fixture_bytes("agent_ext_teleopti11.csv");
    let axs = fixture_bytes("agent_ext_fallback_sparse_ny.csv");
    let agh = fixture_bytes("agent_stats_header.csv");
    let ag14 = fixture_bytes("agent_stats_teleopti14.csv");
    let sup = "Support, Tier 1";
    let billing = |b: &[u8], l1: u64| {
        vec![
            q(
                pos(b, l1, 0),
                30,
                "2024-03-04 09:00",
                0,
                "7001",
                "Billing",
                [20, 0, 2, 0, 18, 360, 50, 2700, 450, 55, 35, 15, 900, 0, 1],
                Some("4.5"),
            ),
            q(
                pos(b, l1 + 1, 1),
                30,
                "2024-03-04 09:30",
                0,
                "7001",
                "Billing",
                [22, 3, 1, 2, 22, 300, 10, 3100, 520, 40, 10, 20, 800, 1, 0],
                Some("5"),
            ),
        ]
    };
    let base = Fixture {
        name: "",
        tz: "UTC",
        dmy: false,
        fall_back_steps: 0,
        rows: Rows::Queue(vec![]),
        kind: "queue",
        delimiter: b',',
        header: true,
        bom: false,
        crlf: false,
        title: None,
        columns: 20,
        keys: 1,
        intervals: &[15],
        first: "",
        last: "",
    };
    let sparse = [
        ("00:45", -4, "1001", "A"),
        ("01:00", -4, "1001", "A"),
        ("01:45", -4, "1002", "B"),
        ("01:15", -5, "1003", "C"),
        ("01:30", -5, "1001", "A"),
        ("02:00", -5, "1002", "B"),
    ];
    vec![
        Fixture {
            name: "queue_header.csv",
            rows: Rows::Queue(vec![
                q(
                    pos(&qh, 2, 0),
                    15,
                    "2024-03-04 08:00",
                    0,
                    "5686",
                    "Sales",
                    [12, 2, 2, 1, 11, 180, 40, 1650, 220, 45, 30, 9, 600, 1, 1],
                    None,
                ),
                q(
                    pos(&qh, 3, 1),
                    15,
                    "2024-03-04 08:00",
                    0,
                    "5688",
                    sup,
                    [8, 0, 1, 0, 7, 70, 15, 1120, 140, 20, 15, 6, 720, 0, 1],
                    None,
                ),
                q(
                    pos(&qh, 4, 2),
                    15,
                    "2024-03-04 08:15",
                    0,
                    "5686",
                    "Sales",
                    [15, 1, 3, 0, 13, 260, 75, 2080, 300, 60, 40, 10, 420, 1, 1],
                    None,
                ),
                q(
                    pos(&qh, 5, 3),
                    15,
                    "2024-03-04 08:15",
                    0,
                    "5688",
                    sup,
                    [9, 1, 0, 0, 10, 90, 0, 1500, 200, 25, 0, 9, 510, 0, 0],
                    None,
                ),
            ]),
            keys: 2,
            first: "2024-03-04T08:00:00+00:00",
            last: "2024-03-04T08:15:00+00:00",
            ..base.clone()
        },
        Fixture {
            name: "queue_headerless20.csv",
            rows: Rows::Queue(vec![
                q(
                    pos(&q20, 1, 0),
                    15,
                    "2024-03-04 08:00",
                    0,
                    "5686",
                    "Sales",
                    [12, 2, 2, 1, 11, 180, 40, 1650, 220, 45, 30, 9, 600, 1, 1],
                    None,
                ),
                q(
                    pos(&q20, 2, 1),
                    15,
                    "2024-03-04 08:15",
                    0,
                    "5686",
                    "Sales",
                    [15, 1, 3, 0, 13, 260, 75, 2080, 300, 60, 40, 10, 420, 1, 1],
                    None,
                ),
                q(
                    pos(&q20, 3, 2),
                    15,
                    "2024-03-04 08:30",
                    0,
                    "5686",
                    "Sales",
                    [10, 0, 0, 0, 10, 50, 0, 1400, 180, 12, 0, 10, 700, 0, 0],
                    None,
                ),
            ]),
            header: false,
            first: "2024-03-04T08:00:00+00:00",
            last: "2024-03-04T08:30:00+00:00",
            ..base.clone()
        },
        Fixture {
            name: "queue_teleopti21.csv",
            rows: Rows::Queue(billing(&t21, 4)),
            delimiter: b';',
            title: Some("Teleopti.Queue.Data"),
            columns: 21,
            intervals: &[30],
            first: "2024-03-04T09:00:00+00:00",
            last: "2024-03-04T09:30:00+00:00",
            ..base.clone()
        },
        Fixture {
            name: "queue_headerless21_semicolon.csv",
            rows: Rows::Queue(billing(&h21, 1)),
            delimiter: b';',
            header: false,
            columns: 21,
            intervals: &[30],
            first: "2024-03-04T09:00:00+00:00",
            last: "2024-03-04T09:30:00+00:00",
            ..base.clone()
        },
        Fixture {
            name: "queue_bom_crlf.csv",
            rows: Rows::Queue(vec![
                q(
                    pos(&bom, 2, 0),
                    60,
                    "2024-03-04 10:00",
                    0,
                    "5686",
                    "Sales",
                    [40, 4, 5, 2, 38, 900, 200, 5600, 800, 80, 70, 30, 1800, 2, 1],
                    None,
                ),
                q(
                    pos(&bom, 4, 1),
                    60,
                    "2024-03-04 11:00",
                    0,
                    "5686",
                    "Sales",
                    [35, 0, 3, 0, 32, 640, 90, 4900, 700, 60, 45, 28, 2100, 1, 1],
                    None,
                ),
            ]),
            delimiter: b';',
            bom: true,
            crlf: true,
            intervals: &[60],
            first: "2024-03-04T10:00:00+00:00",
            last: "2024-03-04T11:00:00+00:00",
            ..base.clone()
        },
        Fixture {
            name: "queue_dates_tab.csv",
            rows: Rows::Queue(
                (0..4u64)
                    .map(|i| {
                        let n = i + 1;
                        q(
                            pos(&tab, i + 2, i),
                            15,
                            &format!("2024-03-05 08:{:02}", i * 15),
                            0,
                            "5686",
                            "Sales",
                            [
                                n,
                                0,
                                0,
                                0,
                                n,
                                5 * n,
                                0,
                                60 * n,
                                10 * n,
                                4 + n,
                                0,
                                n,
                                30 * n,
                                0,
                                0,
                            ],
                            None,
                        )
                    })
                    .collect(),
            ),
            delimiter: b'\t',
            first: "2024-03-05T08:00:00+00:00",
            last: "2024-03-05T08:45:00+00:00",
            ..base.clone()
        },
        Fixture {
            name: "queue_dmy_pipe.csv",
            dmy: true,
            rows: Rows::Queue(vec![
                q(
                    pos(&dmy, 2, 0),
                    15,
                    "2024-03-13 08:00",
                    0,
                    "5686",
                    "Sales",
                    [1, 0, 0, 0, 1, 5, 0, 60, 10, 5, 0, 1, 30, 0, 0],
                    None,
                ),
                q(
                    pos(&dmy, 3, 1),
                    15,
                    "2024-03-05 08:00",
                    0,
                    "5686",
                    "Sales",
                    [2, 0, 0, 0, 2, 10, 0, 120, 20, 6, 0, 2, 60, 0, 0],
                    None,
                ),
            ]),
            delimiter: b'|',
            first: "2024-03-05T08:00:00+00:00",
            last: "2024-03-13T08:00:00+00:00",
            ..base.clone()
        },
        Fixture {
            name: "queue_fallback_ny.csv",
            tz: "America/New_York",
            rows: Rows::Queue(fallback_rows()),
            keys: 2,
            first: "2024-11-03T00:45:00-04:00",
            last: "2024-11-03T02:00:00-05:00",
            fall_back_steps: 2,
            ..base.clone()
        },
        Fixture {
            name: "agent_ext_quoted.csv",
            kind: "agent-ext",
            rows: Rows::AgentExt(vec![
                ax(
                    pos(&axq, 2, 0),
                    15,
                    "2024-03-04 08:00",
                    0,
                    "1001",
                    "kaduk, alena",
                    "5686",
                    "Sales",
                    [600, 60, 4, 0],
                ),
                ax(
                    pos(&axq, 3, 1),
                    15,
                    "2024-03-04 08:00",
                    0,
                    "1002",
                    "O\"Brien, Pat",
                    "5686",
                    "Sales",
                    [450, 45, 3, 1],
                ),
                ax(
                    pos(&axq, 4, 2),
                    15,
                    "2024-03-04 08:00",
                    0,
                    "1002",
                    "O\"Brien, Pat",
                    "5688",
                    "Support\nTier 1",
                    [300, 30, 2, 0],
                ),
                // The record above spans lines 4 and 5.
                ax(
                    pos(&axq, 6, 3),
                    15,
                    "2024-03-04 08:15",
                    0,
                    "1001",
                    "kaduk, alena",
                    "5686",
                    "Sales",
                    [720, 80, 5, 1],
                ),
            ]),
            columns: 11,
            keys: 3,
            first: "2024-03-04T08:00:00+00:00",
            last: "2024-03-04T08:15:00+00:00",
            ..base.clone()
        },
        Fixture {
            name: "agent_ext_teleopti11.csv",
            kind: "agent-ext",
            rows: Rows::AgentExt(vec![
                ax(
                    pos(&ax11, 3, 0),
                    15,
                    "2024-03-04 08:00",
                    0,
                    "1001",
                    "kaduk alena",
                    "5686",
                    "Sales",
                    [600, 60, 4, 0],
                ),
                ax(
                    pos(&ax11, 4, 1),
                    15,
                    "2024-03-04 08:15",
                    0,
                    "1001",
                    "kaduk alena",
                    "5686",
                    "Sales",
                    [720, 80, 5, 1],
                ),
            ]),
            delimiter: b';',
            header: false,
            title: Some("Teleopti.AgentQueue.Data"),
            columns: 11,
            first: "2024-03-04T08:00:00+00:00",
            last: "2024-03-04T08:15:00+00:00",
            ..base.clone()
        },
        Fixture {
            name: "agent_ext_fallback_sparse_ny.csv",
            tz: "America/New_York",
            kind: "agent-ext",
            rows: Rows::AgentExt(
                sparse
                    .iter()
                    .enumerate()
                    .map(|(i, (t, off, id, name))| {
                        ax(
                            pos(&axs, i as u64 + 2, i as u64),
                            15,
                            &format!("2024-11-03 {t}"),
                            *off,
                            id,
                            name,
                            "5686",
                            "Sales",
                            [60, 5, 1, 0],
                        )
                    })
                    .collect(),
            ),
            columns: 11,
            keys: 3,
            first: "2024-11-03T00:45:00-04:00",
            last: "2024-11-03T02:00:00-05:00",
            ..base.clone()
        },
        Fixture {
            name: "agent_stats_header.csv",
            kind: "agent",
            rows: Rows::Agent(vec![
                ag(
                    pos(&agh, 2, 0),
                    15,
                    "2024-03-04 08:00",
                    "1001",
                    "kaduk, alena",
                    [800, 900, 60, 240, 40, 1, 120, 2, 200],
                ),
                ag(
                    pos(&agh, 3, 1),
                    15,
                    "2024-03-04 08:15",
                    "1001",
                    "kaduk, alena",
                    [820, 900, 0, 180, 0, 0, 0, 1, 90],
                ),
            ]),
            columns: 14,
            first: "2024-03-04T08:00:00+00:00",
            last: "2024-03-04T08:15:00+00:00",
            ..base.clone()
        },
        Fixture {
            name: "agent_stats_teleopti14.csv",
            kind: "agent",
            rows: Rows::Agent(vec![
                ag(
                    pos(&ag14, 3, 0),
                    30,
                    "2024-03-04 08:00",
                    "1001",
                    "kaduk alena",
                    [1700, 1800, 100, 500, 40, 1, 120, 2, 200],
                ),
                ag(
                    pos(&ag14, 4, 1),
                    30,
                    "2024-03-04 08:30",
                    "1001",
                    "kaduk alena",
                    [1600, 1800, 0, 380, 0, 0, 0, 1, 90],
                ),
            ]),
            delimiter: b';',
            header: false,
            title: Some("Teleopti.Agent.Data"),
            columns: 14,
            intervals: &[30],
            first: "2024-03-04T08:00:00+00:00",
            last: "2024-03-04T08:30:00+00:00",
            ..base.clone()
        },
    ]
}

/// One output value, as the test renders it.
pub enum Cell {
    Int(Option<u64>),
    Text(String),
    Dec(Option<Decimal>),
}

fn ints(names: &[&'static str], vals: &[Option<u64>]) -> Vec<(&'static str, Cell)> {
    names
        .iter()
        .zip(vals)
        .map(|(n, v)| (*n, Cell::Int(*v)))
        .collect()
}

/// The output columns of a queue row, in documented order, extras last
/// (what SPEC 6 `rcx parse` prints), without the leading placement columns.
pub fn queue_cells(r: &QueueRow) -> Vec<(&'static str, Cell)> {
    let mut v = vec![
        ("queue", Cell::Text(r.queue.clone())),
        ("queue_name", Cell::Text(r.queue_name.clone())),
    ];
    v.extend(ints(
        &crate::wire::QUEUE_COUNTS,
        &[
            r.offd_direct_call_cnt,
            r.overflow_in_call_cnt,
            r.aband_call_cnt,
            r.overflow_out_call_cnt,
            r.answ_call_cnt,
            r.queued_and_answ_call_dur,
            r.queued_and_aband_call_dur,
            r.talking_call_dur,
            r.wrap_up_dur,
            r.queued_answ_longest_que_dur,
            r.queued_aband_longest_que_dur,
            r.ans_servicelevel_cnt,
            r.wait_dur,
            r.aband_short_call_cnt,
            r.aband_within_sl_cnt,
        ],
    ));
    v.push(("avg_avail_member_cnt", Cell::Dec(r.avg_avail_member_cnt)));
    v.push(("completed_contacts", Cell::Int(r.completed_contacts)));
    v.push(("segment_hold_time_ms", Cell::Int(r.segment_hold_time_ms)));
    v
}

pub fn agent_ext_cells(r: &AgentExtRow) -> Vec<(&'static str, Cell)> {
    let mut v = vec![
        ("agent_id", Cell::Text(r.agent_id.clone())),
        ("agent_name", Cell::Text(r.agent_name.clone())),
        ("queue", Cell::Text(r.queue.clone())),
        ("queue_name", Cell::Text(r.queue_name.clone())),
    ];
    v.extend(ints(
        &[
            "talking_call_dur",
            "wrap_up_dur",
            "answ_call_cnt",
            "transfer_out_call_cnt",
        ],
        &[
            r.talking_call_dur,
            r.wrap_up_dur,
            r.answ_call_cnt,
            r.transfer_out_call_cnt,
        ],
    ));
    v
}

pub fn agent_cells(r: &AgentRow) -> Vec<(&'static str, Cell)> {
    let mut v = vec![
        ("agent_id", Cell::Text(r.agent_id.clone())),
        ("agent_name", Cell::Text(r.agent_name.clone())),
    ];
    v.extend(ints(
        &[
            "avail_dur",
            "tot_work_dur",
            "pause_dur",
            "wait_dur",
            "admin_dur",
            "direct_out_call_cnt",
            "direct_out_call_dur",
            "direct_in_call_cnt",
            "direct_in_call_dur",
        ],
        &[
            r.avail_dur,
            r.tot_work_dur,
            r.pause_dur,
            r.wait_dur,
            r.admin_dur,
            r.direct_out_call_cnt,
            r.direct_out_call_dur,
            r.direct_in_call_cnt,
            r.direct_in_call_dur,
        ],
    ));
    v
}

fn json_str(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn csv_str(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// interval, date, time, start, then the other cells of one row.
type Rendered = (String, String, String, String, Vec<(&'static str, Cell)>);

/// (placement, cells) of every row.
fn all_cells(rows: &Rows) -> Vec<Rendered> {
    fn place<T: ringcx_reports::IntervalRow>(r: &T) -> (String, String, String, String) {
        let s = r.start();
        (
            r.interval().minutes().to_string(),
            s.local().format("%Y-%m-%d").to_string(),
            s.local().format("%H:%M").to_string(),
            s.to_fixed().format("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        )
    }
    let mut out = Vec::new();
    match rows {
        Rows::Queue(v) => {
            for r in v {
                let (a, b, c, d) = place(r);
                out.push((a, b, c, d, queue_cells(r)));
            }
        }
        Rows::AgentExt(v) => {
            for r in v {
                let (a, b, c, d) = place(r);
                out.push((a, b, c, d, agent_ext_cells(r)));
            }
        }
        Rows::Agent(v) => {
            for r in v {
                let (a, b, c, d) = place(r);
                out.push((a, b, c, d, agent_cells(r)));
            }
        }
    }
    out
}

/// The NDJSON `rcx parse` prints for `rows`.
pub fn ndjson(rows: &Rows) -> String {
    let mut s = String::new();
    for (iv, date, time, st, cells) in all_cells(rows) {
        s += &format!("{{\"interval\":{iv},\"date_from\":\"{date}\",\"time\":\"{time}\"");
        for (name, c) in cells {
            let v = match c {
                Cell::Int(Some(n)) => n.to_string(),
                Cell::Int(None) | Cell::Dec(None) => "null".into(),
                Cell::Dec(Some(d)) => d.to_string(),
                Cell::Text(t) => json_str(&t),
            };
            s += &format!(",\"{name}\":{v}");
        }
        s += &format!(",\"start\":\"{st}\"}}\n");
    }
    s
}

/// The CSV `rcx parse --format csv` prints for `rows` (header first).
pub fn csv(rows: &Rows) -> String {
    let mut s = String::new();
    for (i, (iv, date, time, st, cells)) in all_cells(rows).into_iter().enumerate() {
        if i == 0 {
            s += "interval,date_from,time";
            for (name, _) in &cells {
                s += ",";
                s += name;
            }
            s += ",start\n";
        }
        s += &format!("{iv},{date},{time}");
        for (_, c) in cells {
            let v = match c {
                Cell::Int(Some(n)) => n.to_string(),
                Cell::Int(None) | Cell::Dec(None) => String::new(),
                Cell::Dec(Some(d)) => d.to_string(),
                Cell::Text(t) => csv_str(&t),
            };
            s += ",";
            s += &v;
        }
        s += &format!(",{st}\n");
    }
    s
}
