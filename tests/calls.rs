//! Calls (SPEC 5.1): every definition pinned on hand-made segment files
//! written here (cx v1 and v2), with the expected values worked out by hand
//! in the comments; thresholds at their boundaries, conference against
//! transfer by one millisecond, DST days, formats, thread count and file
//! order; and an independent reference on generated data.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use ringcx_reports::calls::{CallColumns, Calls, CALL_COLUMNS};
use ringcx_reports::gen::{self, GenOptions, GenReport};
use ringcx_reports::timeline::Interactions;
use ringcx_reports::write::{write_calls, TableFormat};
use ringcx_reports::{ReaderBuilder, Segment};

use crate::util::{code, rcx, stderr, stdout};

/// 2024-03-04T10:00:00Z, ms.
const BASE: i64 = 1_709_546_400_000;

fn at(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// One cx v1 segment of dialog `d` (interaction `d`), inbound or outbound,
/// starting `dialog` ms after BASE; the segment's times are ms after BASE.
#[allow(clippy::too_many_arguments)]
fn cx(
    d: &str,
    dir: &str,
    dialog: i64,
    seg: &str,
    ty: &str,
    agent: Option<&str>,
    s: i64,
    e: i64,
) -> String {
    let agent = agent.map_or("null".to_owned(), |a| format!("\"{a}\""));
    format!(
        r#"{{"interactionId": "{d}", "dialogId": "dlg-{d}", "channelType": "VOICE", "dialogOrigination": "{dir}", "dialogStartTimeMs": "{}", "segmentId": "{seg}", "segmentType": "{ty}", "segmentParticipantId": {agent}, "segmentAgentGroupId": {}, "segmentStartTimeMs": "{}", "segmentEndTimeMs": "{}", "segmentEvents": []}}"#,
        at(BASE + dialog),
        if agent == "null" {
            "null".to_owned()
        } else {
            "\"70\"".to_owned()
        },
        at(BASE + s),
        at(BASE + e),
    )
}

/// The hand-made cx v1 dialogs, one a minute from 10:01 (times in ms
/// after 10:00):
///
/// | dialog | dir | segments | wait | note |
/// |---|---|---|---|---|
/// | D1 | in | IVR 0–20 s, agent 7 20–80 s, recorded 30–60 s | 20.000 | within SL (wait == threshold) |
/// | D2 | in | IVR, agent 8 from 20.001 s for 30 s | 20.001 | not within SL |
/// | D3 | in | IVR 0–4.999 s | 4.999 | abandoned, short |
/// | D4 | in | IVR 0–5 s | 5.000 | abandoned, not short, within SL |
/// | D5 | in | IVR 0–20.001 s | 20.001 | abandoned, not within SL |
/// | D6 | out | agent 7 1–61 s | – | handled only |
/// | D7 | in | agent 7 10–70 s, agent 8 69.999–100 s, agent 9 100–130 s | 10.000 | a conference (1 ms overlap), a transfer (touching) |
/// | D8 | in | agent 8 −0.5–29.5 s | −0.5 → 0 | negative wait |
fn dialogs() -> String {
    let m = |k: i64| k * 60_000;
    let mut v = vec![
        cx("D1", "INBOUND", m(1), "1", "IVR", None, m(1), m(1) + 20_000),
        cx(
            "D1",
            "INBOUND",
            m(1),
            "2",
            "AGENT",
            Some("7"),
            m(1) + 20_000,
            m(1) + 80_000,
        ),
        cx("D2", "INBOUND", m(2), "1", "IVR", None, m(2), m(2) + 20_001),
        cx(
            "D2",
            "INBOUND",
            m(2),
            "2",
            "AGENT",
            Some("8"),
            m(2) + 20_001,
            m(2) + 50_001,
        ),
        cx("D3", "inbound", m(3), "1", "IVR", None, m(3), m(3) + 4_999),
        cx("D4", "Inbound", m(4), "1", "IVR", None, m(4), m(4) + 5_000),
        cx("D5", "INBOUND", m(5), "1", "IVR", None, m(5), m(5) + 20_001),
        cx(
            "D6",
            "OUTBOUND",
            m(6),
            "1",
            "AGENT",
            Some("7"),
            m(6) + 1_000,
            m(6) + 61_000,
        ),
        cx(
            "D7",
            "INBOUND",
            m(7),
            "1",
            "AGENT",
            Some("7"),
            m(7) + 10_000,
            m(7) + 70_000,
        ),
        cx(
            "D7",
            "INBOUND",
            m(7),
            "2",
            "AGENT",
            Some("8"),
            m(7) + 69_999,
            m(7) + 100_000,
        ),
        cx(
            "D7",
            "INBOUND",
            m(7),
            "3",
            "AGENT",
            Some("9"),
            m(7) + 100_000,
            m(7) + 130_000,
        ),
        cx(
            "D8",
            "INBOUND",
            m(8),
            "1",
            "AGENT",
            Some("8"),
            m(8) - 500,
            m(8) + 29_500,
        ),
    ];
    // D1's agent leg recorded from 30 s to 60 s of the dialog.
    v[1] = v[1].replace(
        r#""segmentEvents": []"#,
        &format!(
            r#""segmentEvents": [{{"eventTimeMs": "{}", "eventType": "REC_START"}}, {{"eventTimeMs": "{}", "eventType": "REC_STOP"}}]"#,
            at(BASE + m(1) + 30_000),
            at(BASE + m(1) + 60_000)
        ),
    );
    // File order is not time order.
    v.reverse();
    v.join("\n") + "\n"
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn run(args: &[&str]) -> (String, String) {
    let out = rcx(args);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    (stdout(&out), stderr(&out))
}

const HEADER: &str = "bucket_start,bucket_end,calls,offered,answered,abandoned,short_abandoned,\
answered_within_sl,abandoned_within_sl,wait_answered_s,longest_wait_answered_s,handled,handle_s,\
transfers,conferences,recorded_s,service_level_pct,abandon_rate_pct,asa_s,aht_s,transfer_rate_pct,\
recorded_pct\n";

#[test]
fn every_column_of_the_hand_made_dialogs() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "d.ndjson", &dialogs());
    let (out, err) = run(&["calls", f.to_str().unwrap()]);
    // calls 8; offered (inbound) 7: D1–D5, D7, D8; answered 4: D1, D2, D7,
    // D8; abandoned 3: D3–D5; short 1: D3 (4.999 < 5); answered within
    // SL 3: D1 (20.000 <= 20), D7, D8; abandoned within SL 1: D4 (5.000,
    // not short, <= 20).
    // wait answered 20.000 + 20.001 + 10.000 + 0 = 50.001, longest 20.001.
    // handled 5: D1, D2, D6, D7, D8; handle 60 + 30 + 60 + (60 + 30.001 +
    // 30) + 30 = 300.001 s; one transfer, one conference (both D7);
    // recorded 30 s.
    // SL 3 / (4 + 3 − 1) = 50.00; abandon (3 − 1) / (7 − 1) = 33.33;
    // ASA 50.001 / 4 = 12.50025 → 12.500; AHT 300.001 / 5 = 60.0002 →
    // 60.000; transfer rate 1 / 5 = 20.00; recorded 30 / 300.001 = 9.99997% → 10.00.
    assert_eq!(
        out,
        format!(
            "{HEADER}2024-03-04T10:00:00+00:00,2024-03-04T11:00:00+00:00,8,7,4,3,1,3,1,50.001,20.001,5,\
             300.001,1,1,30.000,50.00,33.33,12.500,60.000,20.00,10.00\n"
        )
    );
    assert!(
        err.contains(
            "1 call(s) have a negative wait (an agent segment starting before the call, or an \
             end before the start), counted as 0 (first: interaction D8)"
        ),
        "{err}"
    );
}

#[test]
fn the_library_gives_the_same_sums() {
    let mut r = ReaderBuilder::new()
        .from_bytes("d.ndjson", dialogs().into_bytes())
        .unwrap();
    let t = Calls::new().run_segments(r.segments()).unwrap();
    assert_eq!(t.records().len(), 1);
    let m = &t.records()[0].metrics;
    let s = &m.sums;
    assert_eq!(
        (
            s.calls,
            s.offered,
            s.answered,
            s.abandoned,
            s.short_abandoned
        ),
        (8, 7, 4, 3, 1)
    );
    assert_eq!((s.answered_within_sl, s.abandoned_within_sl), (3, 1));
    assert_eq!(
        (s.wait_answered_ms, s.longest_wait_answered_ms),
        (50_001, 20_001)
    );
    assert_eq!(
        (s.handled, s.handle_ms, s.transfers, s.conferences),
        (5, 300_001, 1, 1)
    );
    assert_eq!(m.service_level_pct().unwrap().to_string(), "50.00");
    assert_eq!(m.abandon_rate_pct().unwrap().to_string(), "33.33");
    assert_eq!((m.asa_ms(), m.aht_ms()), (Some(12_500), Some(60_000)));
    assert_eq!(t.stats().negative_waits, 1);
    assert_eq!(t.stats().first_negative_wait.as_deref(), Some("D8"));
    assert_eq!((t.stats().calls_read, t.stats().calls_kept), (8, 8));
}

#[test]
fn interactions_split_transfers_from_conferences_and_print_the_wait() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "d.ndjson", &dialogs());
    let (out, _) = run(&["interactions", f.to_str().unwrap()]);
    let rows: BTreeMap<&str, Vec<&str>> = out
        .lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (c[0], c)
        })
        .collect();
    assert!(out.starts_with(
        "interaction_id,direction,channel,start,end,segments,agents,transfers,conferences,wait_s,handle_s,"
    ));
    // agents, transfers, conferences, wait
    let pick = |id: &str| rows[id][6..10].to_vec();
    assert_eq!(pick("D7"), ["7>8>9", "1", "1", "10.000"]);
    assert_eq!(pick("D1"), ["7", "0", "0", "20.000"]);
    assert_eq!(pick("D3"), ["", "0", "0", "4.999"]);
    assert_eq!(pick("D8"), ["8", "0", "0", "0.000"]);
    // Directions are printed upper-case whatever the input case.
    assert_eq!(rows["D3"][1], "INBOUND");
    assert_eq!(rows["D4"][1], "INBOUND");
}

#[test]
fn thresholds_and_formulas_move_the_boundaries() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "d.ndjson", &dialogs());
    let f = f.to_str().unwrap();
    let cols =
        "answered_within_sl,short_abandoned,abandoned_within_sl,service_level_pct,abandon_rate_pct";
    let row = |extra: &[&str]| {
        let mut a = vec!["calls", f, "--columns", cols];
        a.extend(extra);
        let (out, _) = run(&a);
        out.lines()
            .nth(1)
            .unwrap()
            .split(',')
            .skip(2)
            .collect::<Vec<_>>()
            .join(",")
    };
    // A 4, W 3, B 3, S 1, X 1, O 7.
    assert_eq!(row(&[]), "3,1,1,50.00,33.33");
    // W / (A + B − S − X) = 3 / 5
    assert_eq!(
        row(&["--sl-formula", "abandons-ignored"]),
        "3,1,1,60.00,33.33"
    );
    // (W + X) / (A + B − S) = 4 / 6
    assert_eq!(
        row(&["--sl-formula", "abandons-positive"]),
        "3,1,1,66.67,33.33"
    );
    // W / A = 3 / 4; W / O = 3 / 7
    assert_eq!(row(&["--sl-formula", "answered"]), "3,1,1,75.00,33.33");
    assert_eq!(row(&["--sl-formula", "offered"]), "3,1,1,42.86,33.33");
    // Short abandons included: W / (A + B) = 3 / 7, B / O = 3 / 7;
    // abandons-positive (W + X + S) / (A + B) = 5 / 7.
    assert_eq!(row(&["--short-abandons", "include"]), "3,1,1,42.86,42.86");
    assert_eq!(
        row(&[
            "--short-abandons",
            "include",
            "--sl-formula",
            "abandons-positive"
        ]),
        "3,1,1,71.43,42.86"
    );
    // SL 10 s: W = D7 (10.000), D8 (0) = 2; short 6 s: S = D3, D4 = 2, X =
    // 0. SL 2 / (4 + 3 − 2) = 40.00; abandon (3 − 2) / (7 − 2) = 20.00.
    assert_eq!(
        row(&["--sl-threshold", "10", "--short-abandon", "6"]),
        "2,2,0,40.00,20.00"
    );
    // A 5 s short threshold is strict: D4 waited exactly 5 s and is not
    // short; a 0 s one makes nothing short.
    assert_eq!(row(&["--short-abandon", "0"]), "3,0,2,42.86,42.86");
}

#[test]
fn by_agent_puts_unanswered_calls_under_the_empty_key() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "d.ndjson", &dialogs());
    let cols = "calls,offered,answered,abandoned,handled,handle_s,transfers,conferences";
    let (out, _) = run(&[
        "calls",
        f.to_str().unwrap(),
        "--by",
        "agent",
        "--columns",
        cols,
    ]);
    // First agents: D1, D6, D7 → 7; D2, D8 → 8; D3–D5 → none. D7 counts
    // once, for agent 7, with its transfer and conference.
    assert_eq!(
        out,
        "agent_id,bucket_start,bucket_end,calls,offered,answered,abandoned,handled,handle_s,transfers,conferences\n\
         ,2024-03-04T10:00:00+00:00,2024-03-04T11:00:00+00:00,3,3,0,3,0,0.000,0,0\n\
         7,2024-03-04T10:00:00+00:00,2024-03-04T11:00:00+00:00,3,2,2,0,3,240.001,1,1\n\
         8,2024-03-04T10:00:00+00:00,2024-03-04T11:00:00+00:00,2,2,2,0,2,60.000,0,0\n"
    );
    let (out, _) = run(&[
        "calls",
        f.to_str().unwrap(),
        "--by",
        "agent-group",
        "--columns",
        "calls",
    ]);
    assert_eq!(
        out,
        "agent_group,bucket_start,bucket_end,calls\n\
         ,2024-03-04T10:00:00+00:00,2024-03-04T11:00:00+00:00,3\n\
         70,2024-03-04T10:00:00+00:00,2024-03-04T11:00:00+00:00,5\n"
    );
    let (out, _) = run(&[
        "calls",
        f.to_str().unwrap(),
        "--by",
        "direction",
        "--columns",
        "calls,offered,handled",
    ]);
    assert_eq!(
        out,
        "direction,bucket_start,bucket_end,calls,offered,handled\n\
         INBOUND,2024-03-04T10:00:00+00:00,2024-03-04T11:00:00+00:00,7,7,4\n\
         OUTBOUND,2024-03-04T10:00:00+00:00,2024-03-04T11:00:00+00:00,1,0,1\n"
    );
    // Keys sort as SPEC 4.4 says: numerically only when every key is an
    // integer, so agent 10 sorts before agent 7 as text beside the empty
    // key of the unanswered calls.
    let text = dialogs().replace(
        r#""segmentParticipantId": "8""#,
        r#""segmentParticipantId": "10""#,
    );
    let g = write(dir.path(), "g.ndjson", &text);
    let (out, _) = run(&[
        "calls",
        g.to_str().unwrap(),
        "--by",
        "agent",
        "--columns",
        "calls",
    ]);
    let keys: Vec<&str> = out
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(keys, ["", "10", "7"]);
}

/// One v2 segment: interaction `id` starting at `start` (RFC 3339), its
/// agent leg from `s` to `e`.
fn v2(id: u32, dir: &str, start: &str, seg: u32, agent: u32, s: &str, e: &str) -> String {
    format!(
        r#"{{"interactionId": {id}, "interactionDirection": "{dir}", "interactionStartTimeMs": "{start}", "segmentID": {seg}, "segmentAgentId": {agent}, "segmentAgentGroupId": 8, "segmentContactStartTimeMs": "{s}", "segmentContactEndTimeMs": "{e}", "segmentEvents": null}}"#
    )
}

#[test]
fn a_v2_file_has_no_abandon_rate_never_zero() {
    let text = [
        v2(
            1,
            "INBOUND",
            "2024-07-01T09:00:00Z",
            1,
            5,
            "2024-07-01T09:00:15Z",
            "2024-07-01T09:05:15Z",
        ),
        v2(
            2,
            "INBOUND",
            "2024-07-01T09:10:00Z",
            1,
            6,
            "2024-07-01T09:10:30Z",
            "2024-07-01T09:12:30Z",
        ),
    ]
    .join("\n");
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "v2.ndjson", &text);
    let f = f.to_str().unwrap();
    let cols = "offered,answered,abandoned,service_level_pct,abandon_rate_pct,asa_s,aht_s";
    // 2 offered, 2 answered, waits 15 s and 30 s: SL 1 / 2; ASA 22.5 s;
    // AHT (300 + 120) / 2 = 210 s; the abandon rate is unknown.
    let (out, _) = run(&["calls", f, "--columns", cols]);
    assert_eq!(
        out,
        "bucket_start,bucket_end,offered,answered,abandoned,service_level_pct,abandon_rate_pct,asa_s,aht_s\n\
         2024-07-01T09:00:00+00:00,2024-07-01T10:00:00+00:00,2,2,0,50.00,,22.500,210.000\n"
    );
    let (out, _) = run(&["calls", f, "--columns", cols, "--format", "json"]);
    assert!(out.contains(r#""abandon_rate_pct":null"#), "{out}");
    let (out, _) = run(&["calls", f, "--columns", cols, "--short-abandons", "include"]);
    assert!(out.ends_with(",50.00,,22.500,210.000\n"), "{out}");
    // Beside a cx v1 file, only the cx v1 calls make the rate: D3–D5
    // abandoned, D3 short, of 7 cx v1 inbound calls: 2 / 6.
    let g = write(dir.path(), "d.ndjson", &dialogs());
    let (out, _) = run(&[
        "calls",
        f,
        g.to_str().unwrap(),
        "--interval",
        "total",
        "--columns",
        "offered,abandon_rate_pct",
    ]);
    assert!(out.ends_with(",9,33.33\n"), "{out}");
}

#[test]
fn dst_days_and_hours_in_new_york() {
    let text = [
        // 2024-03-10 is 23 hours long in New York: 00:30 EST (05:30Z) and
        // 23:30 EDT (03:30Z the next day) are both the 10th.
        v2(
            1,
            "INBOUND",
            "2024-03-10T05:30:00Z",
            1,
            5,
            "2024-03-10T05:30:10Z",
            "2024-03-10T05:31:10Z",
        ),
        v2(
            2,
            "INBOUND",
            "2024-03-11T03:30:00Z",
            1,
            5,
            "2024-03-11T03:30:10Z",
            "2024-03-11T03:31:10Z",
        ),
        // 2024-11-03 is 25 hours long: 01:15 EDT (05:15Z) and 01:15 EST
        // (06:15Z) are two hours of one day.
        v2(
            3,
            "INBOUND",
            "2024-11-03T05:15:00Z",
            1,
            5,
            "2024-11-03T05:15:10Z",
            "2024-11-03T05:16:10Z",
        ),
        v2(
            4,
            "OUTBOUND",
            "2024-11-03T06:15:00Z",
            1,
            5,
            "2024-11-03T06:15:10Z",
            "2024-11-03T06:16:10Z",
        ),
        // 00:30 EST on the 4th (05:30Z) is the next day.
        v2(
            5,
            "INBOUND",
            "2024-11-04T05:30:00Z",
            1,
            5,
            "2024-11-04T05:30:10Z",
            "2024-11-04T05:31:10Z",
        ),
    ]
    .join("\n");
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "dst.ndjson", &text);
    let f = f.to_str().unwrap();
    let args = [
        "calls",
        f,
        "--tz",
        "America/New_York",
        "--columns",
        "calls,offered",
    ];
    let (out, _) = run(&[&args[..], &["--interval", "day"]].concat());
    assert_eq!(
        out,
        "bucket_start,bucket_end,calls,offered\n\
         2024-03-10T00:00:00-05:00,2024-03-11T00:00:00-04:00,2,2\n\
         2024-11-03T00:00:00-04:00,2024-11-04T00:00:00-05:00,2,1\n\
         2024-11-04T00:00:00-05:00,2024-11-05T00:00:00-05:00,1,1\n"
    );
    let (out, _) = run(&[
        &args[..],
        &[
            "--interval",
            "hour",
            "--from",
            "2024-11-03",
            "--to",
            "2024-11-04",
        ],
    ]
    .concat());
    assert_eq!(
        out,
        "bucket_start,bucket_end,calls,offered\n\
         2024-11-03T01:00:00-04:00,2024-11-03T01:00:00-05:00,1,1\n\
         2024-11-03T01:00:00-05:00,2024-11-03T02:00:00-05:00,1,0\n"
    );
    // A filter that keeps nothing says so.
    let out = rcx(&[&args[..], &["--from", "2030-01-01"]].concat());
    assert_eq!(code(&out), 0);
    assert_eq!(stdout(&out), "bucket_start,bucket_end,calls,offered\n");
    assert!(
        stderr(&out).contains("no call kept by --from (5 calls read)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn every_output_format() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "d.ndjson", &dialogs());
    let f = f.to_str().unwrap();
    let base = [
        "calls",
        f,
        "--by",
        "direction",
        "--columns",
        "calls,asa_s,abandon_rate_pct",
    ];
    let with = |fmt: &str| run(&[&base[..], &["--format", fmt]].concat()).0;
    // OUTBOUND: one call, nothing answered inbound: ASA and abandon rate
    // undefined.
    assert_eq!(
        with("csv"),
        "direction,bucket_start,bucket_end,calls,asa_s,abandon_rate_pct\n\
         INBOUND,2024-03-04T10:00:00+00:00,2024-03-04T11:00:00+00:00,7,12.500,33.33\n\
         OUTBOUND,2024-03-04T10:00:00+00:00,2024-03-04T11:00:00+00:00,1,,\n"
    );
    assert_eq!(
        with("json"),
        "[\n{\"direction\":\"INBOUND\",\"bucket_start\":\"2024-03-04T10:00:00+00:00\",\"bucket_end\":\"2024-03-04T11:00:00+00:00\",\"calls\":7,\"asa_s\":12.500,\"abandon_rate_pct\":33.33},\n\
         {\"direction\":\"OUTBOUND\",\"bucket_start\":\"2024-03-04T10:00:00+00:00\",\"bucket_end\":\"2024-03-04T11:00:00+00:00\",\"calls\":1,\"asa_s\":null,\"abandon_rate_pct\":null}\n]\n"
    );
    assert_eq!(
        with("ndjson"),
        "{\"direction\":\"INBOUND\",\"bucket_start\":\"2024-03-04T10:00:00+00:00\",\"bucket_end\":\"2024-03-04T11:00:00+00:00\",\"calls\":7,\"asa_s\":12.500,\"abandon_rate_pct\":33.33}\n\
         {\"direction\":\"OUTBOUND\",\"bucket_start\":\"2024-03-04T10:00:00+00:00\",\"bucket_end\":\"2024-03-04T11:00:00+00:00\",\"calls\":1,\"asa_s\":null,\"abandon_rate_pct\":null}\n"
    );
    assert_eq!(
        with("table"),
        "direction  bucket_start               bucket_end                 calls   asa_s  abandon_rate_pct\n\
         INBOUND    2024-03-04T10:00:00+00:00  2024-03-04T11:00:00+00:00      7  12.500             33.33\n\
         OUTBOUND   2024-03-04T10:00:00+00:00  2024-03-04T11:00:00+00:00      1\n"
    );
    // The Analytics shape has no grouping by direction: refused by name,
    // by the CLI and the library; with --columns too.
    let out = rcx(&[&base[..], &["--format", "analytics"]].concat());
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("the Analytics API has no grouping by direction"),
        "{}",
        stderr(&out)
    );
    let mut r = ReaderBuilder::new()
        .from_bytes("d.ndjson", dialogs().into_bytes())
        .unwrap();
    let t = Calls::new()
        .by(ringcx_reports::timeline::TimelineBy::Direction)
        .run_segments(r.segments())
        .unwrap();
    let e = write_calls(&t, TableFormat::Analytics, &mut Vec::new()).unwrap_err();
    assert!(e.is_usage());
    assert!(
        e.to_string()
            .contains("the Analytics API has no grouping by direction"),
        "{e}"
    );
    let out = rcx(&["calls", f, "--columns", "calls", "--format", "analytics"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("--columns chooses table columns"),
        "{}",
        stderr(&out)
    );
    // -o writes the same bytes as standard output.
    let o = dir.path().join("out.csv");
    let (printed, _) = run(&base);
    run(&[&base[..], &["-o", o.to_str().unwrap()]].concat());
    assert_eq!(std::fs::read_to_string(&o).unwrap(), printed);
}

#[test]
fn columns_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "d.ndjson", &dialogs());
    let f = f.to_str().unwrap();
    for (cols, says) in [
        (
            "occupancy_pct",
            "unknown metric column \"occupancy_pct\" for calls",
        ),
        ("calls,calls", "metric column \"calls\" is given twice"),
        ("agent_id", "is not a metric column"),
    ] {
        let out = rcx(&["calls", f, "--columns", cols]);
        assert_eq!(code(&out), 2, "{cols}");
        assert!(stderr(&out).contains(says), "{cols}: {}", stderr(&out));
        assert!(stderr(&out).contains("--columns"), "{}", stderr(&out));
    }
    assert!(CallColumns::select(["CALLS", "aht_s"]).is_ok());
    // The native interval has no meaning for calls, and the Analytics
    // shape is not offered: both refused before any file is read.
    let out = rcx(&["calls", "no-such-file.ndjson", "--interval", "native"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).starts_with(
            "error: invalid value 'native' for '--interval <INTERVAL>'\n  \
             [possible values: 15m, 30m, hour, day, week, month, total]\n"
        ),
        "{}",
        stderr(&out)
    );
    // Interaction rows have no Parquet form (calls and timelines do).
    let out = rcx(&["interactions", "no-such-file.ndjson", "--format", "parquet"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).starts_with(
            "error: invalid value 'parquet' for '--format <FORMAT>'\n  \
             [possible values: csv, tsv, json, ndjson, table, markdown]\n"
        ),
        "{}",
        stderr(&out)
    );
    // The library refuses it too.
    let e = Calls::new()
        .interval(ringcx_reports::window::BucketInterval::Native)
        .run_segments(std::iter::empty())
        .unwrap_err();
    assert!(e.is_usage() && e.to_string().contains("native"), "{e}");
}

#[test]
fn bad_direction_and_repeated_segments_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text = dialogs().replacen("\"OUTBOUND\"", "\"SIDEWAYS\"", 1);
    let f = write(dir.path(), "bad.ndjson", &text);
    let out = rcx(&["calls", f.to_str().unwrap()]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let err = stderr(&out);
    // D6 is the 5th line (the file is in reverse order).
    assert!(
        err.contains(
            "bad.ndjson:5: error[V113] direction: expected INBOUND or OUTBOUND (in any case) \
             (value \"SIDEWAYS\")"
        ),
        "{err}"
    );
    // Skipped and counted with --skip-invalid (exit 1): D6, one segment,
    // is not a call any more.
    let out = rcx(&[
        "calls",
        f.to_str().unwrap(),
        "--skip-invalid",
        "--columns",
        "calls,handled",
    ]);
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).ends_with(",7,4\n"), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("skipped 1 invalid segment(s) (V113: 1)"),
        "{}",
        stderr(&out)
    );
    // The same (interaction id, segment id) twice in one file stops the
    // run with an error naming both lines; nothing is counted twice.
    let first = dialogs().lines().next().unwrap().to_string();
    let twice = write(dir.path(), "twice.ndjson", &format!("{first}\n{first}\n"));
    let out = rcx(&["calls", twice.to_str().unwrap()]);
    assert_eq!(code(&out), 1);
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert!(err.contains("twice.ndjson:2: error[T602]"), "{err}");
    assert!(err.contains("repeats line 1"), "{err}");
    // In two files it is a re-pulled window: the identical copies merge,
    // the calls are those of the first file alone, and stderr counts the
    // merge.
    let a = write(dir.path(), "a.ndjson", &dialogs());
    let b = write(dir.path(), "b.ndjson", &first);
    let alone = rcx(&["calls", a.to_str().unwrap()]);
    let out = rcx(&["calls", b.to_str().unwrap(), a.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), stdout(&alone));
    assert!(
        stderr(&out).contains("rcx: note: 1 identical copies of segment(s)"),
        "{}",
        stderr(&out)
    );
    let set = Interactions::from_files(&[&a, &b], &ReaderBuilder::new(), false).unwrap();
    assert_eq!(set.stats().repulled_identical, 1);
}

/// The generated cx v1 export split into three NDJSON files, segments of
/// one interaction scattered across them.
fn generated_files(dir: &Path) -> Vec<PathBuf> {
    let opts = GenOptions::new(GenReport::Segments, 3000).seed(7);
    let mut out = Vec::new();
    gen::write(&opts, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut parts = [String::new(), String::new(), String::new()];
    for (i, l) in text
        .lines()
        .map(|l| l.trim_end_matches(','))
        .filter(|l| l.starts_with('{'))
        .enumerate()
    {
        parts[(i * 7) % 3] += l;
        parts[(i * 7) % 3] += "\n";
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| write(dir, &format!("part{i}.ndjson"), p))
        .collect()
}

#[test]
fn threads_and_file_order_do_not_change_a_byte() {
    let dir = tempfile::tempdir().unwrap();
    let files = generated_files(dir.path());
    let names: Vec<&str> = files.iter().map(|p| p.to_str().unwrap()).collect();
    for by in ["agent", "agent-group", "all"] {
        let mut outs = Vec::new();
        for (threads, order) in [("1", [0, 1, 2]), ("4", [2, 0, 1]), ("2", [1, 2, 0])] {
            let mut a = vec![
                "--threads",
                threads,
                "calls",
                "--by",
                by,
                "--interval",
                "15m",
            ];
            a.extend(order.iter().map(|&i| names[i]));
            outs.push(run(&a).0);
        }
        assert!(outs[0].lines().count() > 20, "{by}: {}", outs[0]);
        assert_eq!(outs[0], outs[1], "{by}");
        assert_eq!(outs[0], outs[2], "{by}");
    }
    // The parallel library path equals the sequential one.
    let set = Interactions::from_files(&files, &ReaderBuilder::new(), false).unwrap();
    let c = Calls::new().by(ringcx_reports::timeline::TimelineBy::Agent);
    assert_eq!(c.run(&set).unwrap(), c.run_sequential(&set).unwrap());
}

// ---------------------------------------------------------------------
// A reference of SPEC 5.1 on generated data: sequential, from the segments
// as read, with its own grouping, ordering, waits and legs.

#[derive(Default, Clone, Copy)]
struct RSums {
    calls: u64,
    offered: u64,
    answered: u64,
    abandoned: u64,
    short: u64,
    within: u64,
    abandoned_within: u64,
    wait: i64,
    longest: i64,
    handled: u64,
    handle: i64,
    transfers: u64,
    conferences: u64,
    transferred: u64,
}

fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

fn reference_csv(segs: &[Segment]) -> String {
    let mut by_ixn: BTreeMap<&str, Vec<&Segment>> = BTreeMap::new();
    for s in segs {
        by_ixn.entry(&s.interaction_id).or_default().push(s);
    }
    // (agent key, 15-minute bucket) → sums
    let mut cells: BTreeMap<(String, i64), RSums> = BTreeMap::new();
    for v in by_ixn.values_mut() {
        let span = |s: &Segment| {
            let a = ms(s.segment_start.unwrap());
            let b = s
                .segment_end
                .map_or_else(|| a + s.segment_duration_ms.unwrap() as i64, ms);
            (a, b)
        };
        v.sort_by(|x, y| {
            span(x)
                .0
                .cmp(&span(y).0)
                .then(x.segment_id.cmp(&y.segment_id))
        });
        let start = v
            .iter()
            .find_map(|s| s.interaction_start)
            .map_or(span(v[0]).0, ms);
        let agents: Vec<&&Segment> = v
            .iter()
            .filter(|s| {
                s.segment_type
                    .as_deref()
                    .map_or(s.agent_id.is_some(), |t| t == "AGENT")
            })
            .collect();
        let inbound = v.iter().find_map(|s| s.direction).map(|d| d.as_str()) == Some("INBOUND");
        let key = agents
            .first()
            .and_then(|a| a.agent_id.clone())
            .unwrap_or_default();
        let bucket = start.div_euclid(900_000) * 900_000;
        let c = cells.entry((key, bucket)).or_default();
        c.calls += 1;
        let Some(first) = agents.first() else {
            // Unanswered: the wait is the whole call, its own end (dialog
            // end, else start + duration), else its last segment's end.
            let end = v
                .iter()
                .find_map(|s| s.interaction_end.map(ms))
                .or_else(|| {
                    v.iter()
                        .find_map(|s| s.interaction_duration_ms)
                        .map(|d| start + d as i64)
                })
                .unwrap_or(span(v[v.len() - 1]).1);
            let wait = (end - start).max(0);
            if inbound {
                c.offered += 1;
                c.abandoned += 1;
                if wait < 5_000 {
                    c.short += 1;
                } else if wait <= 20_000 {
                    c.abandoned_within += 1;
                }
            }
            continue;
        };
        let wait = (span(first).0 - start).max(0);
        if inbound {
            c.offered += 1;
            c.answered += 1;
            c.within += u64::from(wait <= 20_000);
            c.wait += wait;
            c.longest = c.longest.max(wait);
        }
        c.handled += 1;
        let mut t = 0;
        for k in 0..agents.len() {
            c.handle += span(agents[k]).1 - span(agents[k]).0;
            if k > 0 {
                if agents[..k].iter().any(|a| span(a).1 > span(agents[k]).0) {
                    c.conferences += 1;
                } else {
                    t += 1;
                }
            }
        }
        c.transfers += t;
        c.transferred += u64::from(t > 0);
    }
    let sec = |m: i64| format!("{}.{:03}", m / 1000, m % 1000);
    // n / d rounded half away from zero (non-negative operands).
    let round = |n: i128, d: i128| (2 * n + d) / (2 * d);
    let pct = |n: u64, d: u64| {
        if d == 0 {
            return String::new();
        }
        let q = round(n as i128 * 10_000, d as i128);
        format!("{}.{:02}", q / 100, q % 100)
    };
    let avg = |n: i64, d: u64| {
        if d == 0 {
            String::new()
        } else {
            sec(round(n as i128, d as i128) as i64)
        }
    };
    let label = |t: i64| {
        DateTime::<Utc>::from_timestamp_millis(t)
            .unwrap()
            .to_rfc3339_opts(SecondsFormat::Secs, false)
    };
    // Numeric order when every key is all digits (agent ids are), text
    // order when an unanswered call adds the empty key.
    let mut rows: Vec<(&(String, i64), &RSums)> = cells.iter().collect();
    let numeric = rows
        .iter()
        .all(|r| !r.0 .0.is_empty() && r.0 .0.bytes().all(|b| b.is_ascii_digit()));
    rows.sort_by(|a, b| {
        let n = |k: &str| k.parse::<u64>().unwrap();
        let keys = if numeric {
            n(&a.0 .0).cmp(&n(&b.0 .0))
        } else {
            a.0 .0.cmp(&b.0 .0)
        };
        keys.then(a.0 .1.cmp(&b.0 .1))
    });
    let mut out = String::from(
        "agent_id,bucket_start,bucket_end,calls,offered,answered,abandoned,short_abandoned,\
         answered_within_sl,abandoned_within_sl,wait_answered_s,longest_wait_answered_s,handled,handle_s,transfers,conferences,\
         service_level_pct,abandon_rate_pct,asa_s,aht_s,transfer_rate_pct\n",
    );
    for ((key, b), c) in rows {
        out += &format!(
            "{key},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
            label(*b),
            label(b + 900_000),
            c.calls,
            c.offered,
            c.answered,
            c.abandoned,
            c.short,
            c.within,
            c.abandoned_within,
            sec(c.wait),
            sec(c.longest),
            c.handled,
            sec(c.handle),
            c.transfers,
            c.conferences,
            // W / (A + B − S); (B − S) / (O − S)
            pct(c.within, c.answered + c.abandoned - c.short),
            pct(c.abandoned - c.short, c.offered - c.short),
            avg(c.wait, c.answered),
            avg(c.handle, c.handled),
            pct(c.transferred, c.handled),
        );
    }
    out
}

#[test]
fn generated_data_equals_the_reference() {
    let dir = tempfile::tempdir().unwrap();
    let files = generated_files(dir.path());
    let mut segs = Vec::new();
    for f in &files {
        let mut r = ReaderBuilder::new().from_path(f).unwrap();
        segs.extend(r.segments().map(|s| s.unwrap()));
    }
    let mut args = vec![
        "calls",
        "--by",
        "agent",
        "--interval",
        "15m",
        "--columns",
        "calls,offered,answered,abandoned,short_abandoned,answered_within_sl,abandoned_within_sl,\
         wait_answered_s,longest_wait_answered_s,\
         handled,handle_s,transfers,conferences,service_level_pct,abandon_rate_pct,asa_s,aht_s,\
         transfer_rate_pct",
    ];
    args.extend(files.iter().map(|p| p.to_str().unwrap()));
    let (out, _) = run(&args);
    let want = reference_csv(&segs);
    assert!(want.lines().count() > 100);
    assert_eq!(out, want);
}

#[test]
fn vendor_samples_and_the_catalogue() {
    let (out, _) = run(&[
        "calls",
        "fixtures/vendor/interaction-metadata-v2.json",
        "fixtures/vendor/interaction-metadata-cx-v1.json",
        "--by",
        "channel",
        "--interval",
        "total",
        "--columns",
        "calls,offered,answered,wait_answered_s,handle_s,abandon_rate_pct",
    ]);
    // Total: from the v2 call's start (2020-07-21T17:32:28.001Z, in
    // whole seconds) to the last call's end (2024-07-23T02:28:42Z).
    // ENGAGE_MESSAGING: one cx v1 call, 14 ms negative wait → 0. VOICE:
    // the v2 call (wait 12.001 s, no abandon figures) and one cx v1 call
    // with no wait: abandon rate 0 / 1 from the cx v1 call alone.
    assert_eq!(
        out,
        "channel,bucket_start,bucket_end,calls,offered,answered,wait_answered_s,handle_s,abandon_rate_pct\n\
         ENGAGE_MESSAGING,2020-07-21T17:32:28+00:00,2024-07-23T02:28:42+00:00,1,1,1,0.000,17.000,0.00\n\
         VOICE,2020-07-21T17:32:28+00:00,2024-07-23T02:28:42+00:00,2,2,2,12.001,9.043,0.00\n"
    );
    // The catalogue has the columns of SPEC 5.1, in its order.
    let names: Vec<&str> = CALL_COLUMNS.iter().map(|c| c.name).collect();
    assert_eq!(
        names.join(","),
        HEADER
            .trim_end()
            .trim_start_matches("bucket_start,bucket_end,")
    );
}

/// `fixtures/calls/segments_calls.ndjson` (the README's example) is the
/// hand-made dialogs above, so the README's command prints the values
/// worked out in [`every_column_of_the_hand_made_dialogs`]. Run with
/// `RCX_BLESS=1` to rewrite it after changing them.
#[test]
fn the_bundled_fixture_is_the_hand_made_dialogs() {
    let path = crate::util::fixture("calls/segments_calls.ndjson");
    if std::env::var_os("RCX_BLESS").is_some() {
        std::fs::write(&path, dialogs()).unwrap();
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), dialogs());
    let (out, _) = run(&[
        "calls",
        "fixtures/calls/segments_calls.ndjson",
        "--by",
        "agent",
        "--format",
        "table",
    ]);
    assert_eq!(out.lines().count(), 4, "{out}");
}
