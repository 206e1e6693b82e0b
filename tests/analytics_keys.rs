//! Every request key and enum value of SPEC 8 (8.1 request bodies, 8.2
//! filters, 8.3 options) that `tests/analytics.rs` and
//! `tests/analytics_calls.rs` do not pin: each is either honoured, with
//! values worked out by hand from the fixture rows (the arithmetic is in
//! the comments), or refused with exit 2, nothing on stdout and a message
//! naming its JSON path.
//!
//! The rows used, by hand:
//!
//! `queue_header.csv` (UTC, Monday 2024-03-04; offered = direct +
//! overflow in):
//!
//! | start | queue | offered | answered | abandoned | within SL | answer wait | abandon wait | talk |
//! |---|---|---|---|---|---|---|---|---|
//! | 08:00 | 5686 | 12 + 2 = 14 | 11 | 2 | 9 | 180 | 40 | 1650 |
//! | 08:00 | 5688 | 8 + 0 = 8 | 7 | 1 | 6 | 70 | 15 | 1120 |
//! | 08:15 | 5686 | 15 + 1 = 16 | 13 | 3 | 10 | 260 | 75 | 2080 |
//! | 08:15 | 5688 | 9 + 1 = 10 | 10 | 0 | 9 | 90 | 0 | 1500 |
//!
//! so queue 5686: offered 30, answered 24, abandoned 5, talk 3730; queue
//! 5688: offered 18.
//!
//! `agent_ext_quoted.csv` (UTC, 2024-03-04): agent 1001 answered 4 (08:00,
//! Sales) + 5 (08:15, Sales) = 9, talk + wrap 600 + 60 + 720 + 80 = 1460;
//! agent 1002 answered 3 (Sales) + 2 (Support) = 5, talk + wrap 450 + 45 +
//! 300 + 30 = 825.
//!
//! `calls/segments_calls.ndjson`: the eight calls D1–D8 of
//! `tests/analytics_calls.rs`, starting (dialog start) at 10:01, 10:02, …,
//! 10:08 UTC on Monday 2024-03-04; spans 80, 50.001, 4.999, 5, 20.001, 61,
//! 130, 29.5 s (Σ 380.501); D6 outbound, the other seven inbound.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::util::{body, code, fixture, rcx, stderr, stdout};

const QUEUES: &str = "queue_header.csv";
const AGENTS: &str = "agent_ext_quoted.csv";
const CALLS: &str = "calls/segments_calls.ndjson";

/// allCalls and allCallsDuration, the options most tests read.
const ALL: &str =
    r#""responseOptions": {"counters": {"allCalls": true}, "timers": {"allCallsDuration": true}}"#;

/// The path of a fixture, as an argument.
fn fx(name: &str) -> String {
    fixture(name).to_str().unwrap().to_owned()
}

/// The agent map of G1–G4: 1001 in East, 1002 in East and West.
fn agent_map() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("ug.csv");
    std::fs::write(&p, "id,group\n1001,East\n1002,East\n1002,West\n").unwrap();
    let s = p.to_str().unwrap().to_owned();
    (dir, s)
}

/// `rcx analytics ENDPOINT --body BODY FILE EXTRA…`.
fn run(endpoint: &str, text: &str, file: &str, extra: &[&str]) -> std::process::Output {
    let (_d, b) = body(text);
    let mut args = vec!["analytics", endpoint, "--body", &b, file];
    args.extend(extra);
    rcx(&args)
}

/// The response of a run that must succeed.
fn answer(endpoint: &str, text: &str, file: &str, extra: &[&str]) -> Value {
    let o = run(endpoint, text, file, extra);
    assert_eq!(code(&o), 0, "{text}: {}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

/// The stderr of an aggregate run that must exit 2 with nothing on
/// stdout, checked to contain `want`.
fn refused(text: &str, file: &str, extra: &[&str], want: &str) {
    let o = run("aggregate", text, file, extra);
    assert_eq!(code(&o), 2, "{text}: {}", stderr(&o));
    assert_eq!(stdout(&o), "", "{text}");
    assert!(
        stderr(&o).contains(want),
        "{text}\nwant: {want}\ngot: {}",
        stderr(&o)
    );
}

/// A number of a response as f64 (`null`: `None`), so that `4`, `4.0` and
/// `4.00` compare alike.
fn num(v: &Value) -> Option<f64> {
    assert!(v.is_number() || v.is_null(), "not a number: {v}");
    v.as_f64()
}

/// (key, allCalls, allCallsDuration) of each record, in response order.
fn totals(v: &Value) -> Vec<(String, Option<f64>, Option<f64>)> {
    v["data"]["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().to_owned(),
                num(&r["counters"]["allCalls"]["values"]),
                num(&r["timers"]["allCalls"]["values"]),
            )
        })
        .collect()
}

/// `totals` from `(key, calls, seconds)` literals.
fn want(rows: &[(&str, f64, f64)]) -> Vec<(String, Option<f64>, Option<f64>)> {
    rows.iter()
        .map(|(k, c, s)| ((*k).to_owned(), Some(*c), Some(*s)))
        .collect()
}

// ---------------------------------------------------------------- honoured

/// G1, G2: UserGroups and Sites take the agent map (`--agent-groups`,
/// `--sites`); 1002 is in East and West and counts in both. East = 1001 +
/// 1002: 9 + 5 = 14 calls, 1460 + 825 = 2285 s; West = 1002: 5, 825 s.
#[test]
fn user_groups_and_sites_count_an_agent_in_each_of_its_groups() {
    let (_m, map) = agent_map();
    let agents = fx(AGENTS);
    for (group_by, flag) in [("UserGroups", "--agent-groups"), ("Sites", "--sites")] {
        let v = answer(
            "aggregate",
            &format!(r#"{{"grouping": {{"groupBy": "{group_by}"}}, {ALL}}}"#),
            &agents,
            &[flag, &map],
        );
        assert_eq!(v["data"]["groupedBy"], json!(group_by));
        assert_eq!(
            totals(&v),
            want(&[("East", 14.0, 2285.0), ("West", 5.0, 825.0)]),
            "{group_by}"
        );
    }
}

/// G3, G4: the *Members groupings give one record per agent of the groups
/// in `ids` (West: 1002 alone, 5 calls, 825 s; East: 1001 with 9, 1002
/// with 5); `groupByMembers` with `keys` is the same question, its
/// response grouped by Users.
#[test]
fn member_groupings_list_the_agents_of_the_groups_asked() {
    let (_m, map) = agent_map();
    let agents = fx(AGENTS);
    for (grouping, flag, grouped_by, expected) in [
        (
            r#"{"groupBy": "UserGroupMembers", "ids": ["West"]}"#,
            "--agent-groups",
            "UserGroupMembers",
            want(&[("1002", 5.0, 825.0)]),
        ),
        (
            r#"{"groupByMembers": "UserGroup", "keys": ["West"]}"#,
            "--agent-groups",
            "Users",
            want(&[("1002", 5.0, 825.0)]),
        ),
        (
            r#"{"groupBy": "SiteMembers", "ids": ["East"]}"#,
            "--sites",
            "SiteMembers",
            want(&[("1001", 9.0, 1460.0), ("1002", 5.0, 825.0)]),
        ),
        (
            r#"{"groupByMembers": "Site", "keys": ["West"]}"#,
            "--sites",
            "Users",
            want(&[("1002", 5.0, 825.0)]),
        ),
    ] {
        let v = answer(
            "aggregate",
            &format!(r#"{{"grouping": {grouping}, {ALL}}}"#),
            &agents,
            &[flag, &map],
        );
        assert_eq!(v["data"]["groupedBy"], json!(grouped_by), "{grouping}");
        assert_eq!(totals(&v), expected, "{grouping}");
    }
}

/// G5: QueueGroups through `--queue-groups fixtures/queue_groups.csv`
/// (5686 → Sales floor, 7001 → Back office, 5688 unmapped): Sales floor =
/// queue 5686, 30 offered; 5688's 18 go to the unmapped group. With `ids`,
/// the groups asked in that order, Back office (no rows) as zeros.
#[test]
fn queue_groups_sum_the_queues_of_each_group() {
    let groups = fx("queue_groups.csv");
    let queues = fx(QUEUES);
    let counters = r#""responseOptions": {"counters": {"allCalls": true}}"#;
    let v = answer(
        "aggregate",
        &format!(r#"{{"grouping": {{"groupBy": "QueueGroups"}}, {counters}}}"#),
        &queues,
        &["--queue-groups", &groups],
    );
    assert_eq!(v["data"]["groupedBy"], json!("QueueGroups"));
    let got: BTreeMap<String, Option<f64>> = v["data"]["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().to_owned(),
                num(&r["counters"]["allCalls"]["values"]),
            )
        })
        .collect();
    assert_eq!(got["Sales floor"], Some(30.0), "{v}");
    assert_eq!(got.len(), 2, "Sales floor and the unmapped 5688: {v}");
    assert_eq!(got.values().flatten().sum::<f64>(), 48.0, "30 + 18: {v}");
    let v = answer(
        "aggregate",
        &format!(
            r#"{{"grouping": {{"groupBy": "QueueGroups", "ids": ["Sales floor", "Back office"]}}, {counters}}}"#
        ),
        &queues,
        &["--queue-groups", &groups],
    );
    let got: Vec<(Value, Value)> = v["data"]["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].clone(),
                r["counters"]["allCalls"]["values"].clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (json!("Sales floor"), json!(30)),
            (json!("Back office"), json!(0))
        ]
    );
}

/// G12: the breakdowns of SPEC 8.3's Queue Statistics table for queue
/// 5686: callsByDirection {inbound: O = 30, outbound: 0}; callsByResult
/// {abandoned: B = 2 + 3 = 5, the rest null}; callsSegmentsDuration
/// {liveTalk: talk = 1650 + 2080 = 3730 s, the rest null (no hold time in
/// CSV)}.
#[test]
fn queue_breakdowns_follow_the_spec_table() {
    let v = answer(
        "aggregate",
        r#"{"grouping": {"groupBy": "Queues", "ids": ["5686"]},
            "responseOptions": {"counters": {"callsByDirection": true, "callsByResult": true},
                                "timers": {"callsSegmentsDuration": true}}}"#,
        &fx(QUEUES),
        &[],
    );
    let r = &v["data"]["records"][0];
    assert_eq!(r["key"], json!("5686"));
    assert_eq!(
        r["counters"]["callsByDirection"],
        json!({"valueType": "Instances", "values": {"inbound": 30, "outbound": 0}})
    );
    assert_eq!(
        r["counters"]["callsByResult"],
        json!({"valueType": "Instances", "values": {
            "completed": null, "abandoned": 5, "voicemail": null,
            "missed": null, "accepted": null, "unknown": null}})
    );
    assert_eq!(
        r["timers"]["callsSegments"],
        json!({"valueType": "Seconds", "values": {
            "ringing": null, "liveTalk": 3730, "hold": null, "park": null,
            "transfer": null, "ivrPrompt": null, "voicemail": null,
            "vmGreeting": null, "setup": null}})
    );
    // Only the options asked for appear.
    let counters: Vec<&String> = r["counters"].as_object().unwrap().keys().collect();
    assert_eq!(counters.len(), 2, "{r}");
    assert_eq!(r["timers"].as_object().unwrap().len(), 1, "{r}");
}

/// G16: the filters Agent Extended rows answer (SPEC 8.2): every row is an
/// answered inbound queue call, so NotAnswered and Outbound keep nothing
/// (zeros) and Answered and Inbound keep everything (1001: 9 calls, 1460 s;
/// 1002: 5, 825 s).
#[test]
fn agent_extended_filters_keep_all_or_nothing() {
    let agents = fx(AGENTS);
    let everything = want(&[("1001", 9.0, 1460.0), ("1002", 5.0, 825.0)]);
    let nothing = want(&[("1001", 0.0, 0.0), ("1002", 0.0, 0.0)]);
    for (filters, expected) in [
        ("", &everything),
        (
            r#""callFilters": {"callResponse": ["NotAnswered"]},"#,
            &nothing,
        ),
        (
            r#""additionalFilters": {"callResponse": "NotAnswered"},"#,
            &nothing,
        ),
        (
            r#""additionalFilters": {"direction": "Outbound"},"#,
            &nothing,
        ),
        (r#""callFilters": {"direction": ["Outbound"]},"#, &nothing),
        (
            r#""callFilters": {"callResponse": ["Answered"]},"#,
            &everything,
        ),
        (
            r#""additionalFilters": {"direction": "Inbound"},"#,
            &everything,
        ),
        (
            r#""callFilters": {"callResponse": ["Answered", "NotAnswered"]},"#,
            &everything,
        ),
    ] {
        let v = answer(
            "aggregate",
            &format!(
                r#"{{"grouping": {{"groupBy": "Users", "ids": ["1001", "1002"]}}, {filters} {ALL}}}"#
            ),
            &agents,
            &[],
        );
        assert_eq!(&totals(&v), expected, "{filters}");
    }
}

/// A body asking queue 5686 of queue_header.csv with the time
/// settings `settings` (the inside of `timeSettings`): queue 5686's
/// allCalls.
fn sales_calls(settings: &str) -> Option<f64> {
    let v = answer(
        "aggregate",
        &format!(
            r#"{{"grouping": {{"groupBy": "Queues", "ids": ["5686"]}},
                "timeSettings": {{{settings}}},
                "responseOptions": {{"counters": {{"allCalls": true}}}}}}"#
        ),
        &fx(QUEUES),
        &[],
    );
    num(&v["data"]["records"][0]["counters"]["allCalls"]["values"])
}

/// G19: includeDays in the request's zone. The rows start 08:00 and 08:15
/// UTC on Monday 2024-03-04, which in America/Anchorage (AKST, UTC−9,
/// before the 10 March switch) is 23:00 and 23:15 on Sunday 2024-03-03.
/// Queue 5686: 14 + 16 = 30 offered.
#[test]
fn include_days_select_local_weekdays() {
    let ak = r#""timeZone": "America/Anchorage""#;
    for (settings, expected) in [
        (
            format!(r#"{ak}, "advancedTimeSettings": {{"includeDays": ["Sunday"]}}"#),
            30.0,
        ),
        (
            format!(r#"{ak}, "advancedTimeSettings": {{"includeDays": ["Monday"]}}"#),
            0.0,
        ),
        (
            format!(r#"{ak}, "advancedTimeSettings": {{"includeDays": ["Monday", "Sunday"]}}"#),
            30.0,
        ),
        // An empty list asks for nothing: every day.
        (
            format!(r#"{ak}, "advancedTimeSettings": {{"includeDays": []}}"#),
            30.0,
        ),
        // In UTC the rows are on Monday.
        (
            r#""timeZone": "UTC", "advancedTimeSettings": {"includeDays": ["Monday"]}"#.to_owned(),
            30.0,
        ),
        (
            r#""timeZone": "UTC", "advancedTimeSettings": {"includeDays": ["Sunday"]}"#.to_owned(),
            0.0,
        ),
    ] {
        assert_eq!(sales_calls(&settings), Some(expected), "{settings}");
    }
    let queues = fx(QUEUES);
    refused(
        r#"{"timeSettings": {"advancedTimeSettings": {"includeDays": "Monday"}}}"#,
        &queues,
        &[],
        "timeSettings.advancedTimeSettings.includeDays must be a list",
    );
    refused(
        r#"{"timeSettings": {"advancedTimeSettings": {"includeDays": ["mon"]}}}"#,
        &queues,
        &[],
        "timeSettings.advancedTimeSettings.includeDays[0]: unknown day",
    );
    // The enum is the capitalised English name.
    refused(
        r#"{"timeSettings": {"advancedTimeSettings": {"includeDays": ["Sunday", "monday"]}}}"#,
        &queues,
        &[],
        "timeSettings.advancedTimeSettings.includeDays[1]: unknown day",
    );
}

/// G20: includeHours keep a row by the local minute it starts at, `from`
/// inclusive, `to` exclusive, a range past midnight wrapping. Queue 5686
/// in UTC: 08:00 (14 offered) and 08:15 (16); in Anchorage 23:00 and
/// 23:15.
#[test]
fn include_hours_select_local_minutes() {
    let hours = |ranges: &str| format!(r#""advancedTimeSettings": {{"includeHours": {ranges}}}"#);
    for (settings, expected) in [
        // 22:00 → 08:15 overnight: 08:00 in, 08:15 out (to is exclusive).
        (hours(r#"[{"from": "22:00", "to": "08:15"}]"#), 14.0),
        (hours(r#"[{"from": "08:15", "to": "24:00"}]"#), 16.0),
        // Two ranges: either keeps a row. 08:00 is not in [07:00, 08:00).
        (
            hours(r#"[{"from": "07:00", "to": "08:00"}, {"from": "08:10", "to": "08:20"}]"#),
            16.0,
        ),
        (
            hours(r#"[{"from": "00:00", "to": "08:01"}, {"from": "08:15", "to": "08:30"}]"#),
            30.0,
        ),
        (hours(r#"[{"from": "09:00", "to": "22:00"}]"#), 0.0),
        // An overnight range in the request's zone: 23:15 local in, 23:00 out.
        (
            format!(
                r#""timeZone": "America/Anchorage", {}"#,
                hours(r#"[{"from": "23:10", "to": "01:00"}]"#)
            ),
            16.0,
        ),
    ] {
        assert_eq!(sales_calls(&settings), Some(expected), "{settings}");
    }
    let queues = fx(QUEUES);
    refused(
        r#"{"timeSettings": {"advancedTimeSettings": {"includeHours": [{"from": "08:00", "to": "08:00"}]}}}"#,
        &queues,
        &[],
        "timeSettings.advancedTimeSettings.includeHours[0]: expected",
    );
    refused(
        r#"{"timeSettings": {"advancedTimeSettings": {"includeHours": [{"from": "08:00", "to": "09:00"}, {"from": "8am", "to": "09:00"}]}}}"#,
        &queues,
        &[],
        "timeSettings.advancedTimeSettings.includeHours[1]: expected",
    );
    refused(
        r#"{"timeSettings": {"advancedTimeSettings": {"includeHours": {"from": "08:00", "to": "09:00"}}}}"#,
        &queues,
        &[],
        "timeSettings.advancedTimeSettings.includeHours must be a list",
    );
}

/// G21: `timeZone` under `timeSettings` and under `advancedTimeSettings`
/// is the same setting; both, equal, answer as one. It sets the bucket
/// zone and the zone of includeDays: queue 5686's rows (08:00 and 08:15
/// UTC Monday) are Sunday 23:00 and 23:15 in Anchorage (−09:00), so an
/// hour timeline kept to Sundays has one point, 2024-03-03T23:00−09:00,
/// with 14 + 16 = 30 offered.
#[test]
fn time_zone_in_either_placement_or_both() {
    let ak = r#""America/Anchorage""#;
    let days = r#""includeDays": ["Sunday"]"#;
    let placements = [
        format!(r#""timeZone": {ak}, "advancedTimeSettings": {{{days}}}"#),
        format!(r#""advancedTimeSettings": {{"timeZone": {ak}, {days}}}"#),
        format!(r#""timeZone": {ak}, "advancedTimeSettings": {{"timeZone": {ak}, {days}}}"#),
    ];
    let queues = fx(QUEUES);
    let mut responses = Vec::new();
    for settings in &placements {
        let v = answer(
            "timeline",
            &format!(
                r#"{{"interval": "Hour", "grouping": {{"groupBy": "Queues", "ids": ["5686"]}},
                    "timeSettings": {{{settings}}},
                    "responseOptions": {{"counters": {{"allCalls": true}}}}}}"#
            ),
            &queues,
            &[],
        );
        let points = v["data"]["records"][0]["points"].as_array().unwrap();
        assert_eq!(points.len(), 1, "{settings}: {v}");
        assert_eq!(points[0]["time"], json!("2024-03-03T23:00:00-09:00"));
        assert_eq!(
            num(&points[0]["counters"]["allCalls"]["values"]),
            Some(30.0)
        );
        responses.push(v);
    }
    assert_eq!(responses[0], responses[1]);
    assert_eq!(responses[0], responses[2]);
    refused(
        r#"{"timeSettings": {"advancedTimeSettings": {"timeZone": "Mars/Base"}}}"#,
        &queues,
        &[],
        "timeSettings.advancedTimeSettings.timeZone: unknown time zone \"Mars/Base\"",
    );
    refused(
        r#"{"timeSettings": {"advancedTimeSettings": {"timeZone": 9}}}"#,
        &queues,
        &[],
        "timeSettings.advancedTimeSettings.timeZone must be a string",
    );
}

/// G22: the time settings over calls keep a call by its local start.
/// In Asia/Kolkata (UTC+05:30) D1–D8 start at 15:31 … 15:38 on Monday
/// 2024-03-04; 15:30–15:35 keeps D1–D4 (D5 starts at 15:35:00, the
/// exclusive end): 4 calls, 80 + 50.001 + 4.999 + 5 = 140 s. In UTC the
/// calls start at 10:0x, so 15:30–15:35 keeps none and the company record
/// holds zeros.
#[test]
fn calls_time_settings_keep_calls_by_local_start() {
    let adv = r#""includeDays": ["Monday"], "includeHours": [{"from": "15:30", "to": "15:35"}]"#;
    let calls = fx(CALLS);
    for (settings, expected) in [
        (
            format!(r#""advancedTimeSettings": {{"timeZone": "Asia/Kolkata", {adv}}}"#),
            (4.0, 140.0),
        ),
        (
            format!(r#""timeZone": "Asia/Kolkata", "advancedTimeSettings": {{{adv}}}"#),
            (4.0, 140.0),
        ),
        (
            format!(r#""timeZone": "UTC", "advancedTimeSettings": {{{adv}}}"#),
            (0.0, 0.0),
        ),
        // Sunday in Kolkata keeps none of the Monday calls.
        (
            r#""timeZone": "Asia/Kolkata", "advancedTimeSettings": {"includeDays": ["Sunday"]}"#
                .to_owned(),
            (0.0, 0.0),
        ),
    ] {
        let v = answer(
            "aggregate",
            &format!(r#"{{"timeSettings": {{{settings}}}, {ALL}}}"#),
            &calls,
            &[],
        );
        assert_eq!(
            totals(&v),
            want(&[("company", expected.0, expected.1)]),
            "{settings}"
        );
    }
}

/// G23: the timeline endpoint with the body's `interval` Week or Month:
/// one point per local week (from Monday) or month, at local midnight.
/// Queue 5686's rows (30 offered) start Monday 2024-03-04 08:00 UTC: in
/// UTC the week of Monday 2024-03-04 and the month of 2024-03-01; in
/// Anchorage they are Sunday 2024-03-03 23:00, the week of Monday
/// 2024-02-26, the month of 2024-03-01, both at −09:00.
#[test]
fn timeline_weeks_and_months_start_at_local_midnight() {
    let queues = fx(QUEUES);
    for (interval, zone, time) in [
        ("Week", "UTC", "2024-03-04T00:00:00+00:00"),
        ("Month", "UTC", "2024-03-01T00:00:00+00:00"),
        ("Week", "America/Anchorage", "2024-02-26T00:00:00-09:00"),
        ("Month", "America/Anchorage", "2024-03-01T00:00:00-09:00"),
    ] {
        let v = answer(
            "timeline",
            &format!(
                r#"{{"interval": "{interval}", "grouping": {{"groupBy": "Queues", "ids": ["5686"]}},
                    "timeSettings": {{"timeZone": "{zone}"}},
                    "responseOptions": {{"counters": {{"allCalls": true}}}}}}"#
            ),
            &queues,
            &[],
        );
        let points = v["data"]["records"][0]["points"].as_array().unwrap();
        let got: Vec<(Value, Option<f64>)> = points
            .iter()
            .map(|p| (p["time"].clone(), num(&p["counters"]["allCalls"]["values"])))
            .collect();
        assert_eq!(got, [(json!(time), Some(30.0))], "{interval} {zone}");
    }
    let o = run(
        "timeline",
        r#"{"interval": "Fortnight", "grouping": {"groupBy": "Queues"}}"#,
        &queues,
        &[],
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    assert!(
        stderr(&o).contains("interval: unknown interval \"Fortnight\""),
        "{}",
        stderr(&o)
    );
}

/// The company record of an aggregate body over the calls, in UTC, from
/// `from` to `to`, with `options` (the inside of `responseOptions`).
fn calls_over(from: &str, to: &str, options: &str) -> Value {
    let v = answer(
        "aggregate",
        &format!(
            r#"{{"timeSettings": {{"timeZone": "UTC",
                  "timeRange": {{"timeFrom": "{from}", "timeTo": "{to}"}}}},
                "responseOptions": {{{options}}}}}"#
        ),
        &fx(CALLS),
        &[],
    );
    assert_eq!(v["data"]["records"].as_array().unwrap().len(), 1, "{v}");
    v["data"]["records"][0].clone()
}

/// G24: aggregationInterval Day, Week and Month over calls: every bucket
/// of the range counts, an empty one as 0. All eight calls fall on Monday
/// 2024-03-04 (7 inbound, 1 outbound, 380.501 s).
#[test]
fn calls_aggregation_intervals_count_every_bucket() {
    let agg =
        |t: &str, i: &str| format!(r#"{{"aggregationType": "{t}", "aggregationInterval": "{i}"}}"#);
    // Two days, 03-04 (all calls) and 03-05 (none).
    let r = calls_over(
        "2024-03-04T00:00:00Z",
        "2024-03-06T00:00:00Z",
        &format!(
            r#""counters": {{"allCalls": {}, "callsByDirection": {}}},
               "timers": {{"allCallsDuration": {}, "callsDurationByDirection": {}}}"#,
            agg("Average", "Day"),
            agg("Max", "Day"),
            agg("Min", "Day"),
            agg("Max", "Day"),
        ),
    );
    // 8 / 2 days.
    assert_eq!(num(&r["counters"]["allCalls"]["values"]), Some(4.0));
    let by_dir = &r["counters"]["callsByDirection"]["values"];
    assert_eq!(num(&by_dir["inbound"]), Some(7.0), "{r}");
    assert_eq!(num(&by_dir["outbound"]), Some(1.0), "{r}");
    // The empty day.
    assert_eq!(num(&r["timers"]["allCalls"]["values"]), Some(0.0));
    // 380.501 − D6's 61 s inbound, 61 s outbound, all on 03-04.
    let dur = &r["timers"]["callsByDirection"]["values"];
    assert_eq!(num(&dur["inbound"]), Some(319.501), "{r}");
    assert_eq!(num(&dur["outbound"]), Some(61.0), "{r}");
    // Two weeks from Monday 03-04: 8 / 2, the second empty.
    let r = calls_over(
        "2024-03-04T00:00:00Z",
        "2024-03-18T00:00:00Z",
        &format!(
            r#""counters": {{"allCalls": {}, "callsByDirection": {}}}"#,
            agg("Average", "Week"),
            agg("Min", "Week"),
        ),
    );
    assert_eq!(num(&r["counters"]["allCalls"]["values"]), Some(4.0));
    assert_eq!(
        r["counters"]["callsByDirection"]["values"],
        json!({"inbound": 0, "outbound": 0})
    );
    // Two months, March (all) and April (none); weeks and months together.
    let r = calls_over(
        "2024-03-01T00:00:00Z",
        "2024-05-01T00:00:00Z",
        &format!(
            r#""counters": {{"allCalls": {}, "callsByDirection": {}}},
               "timers": {{"allCallsDuration": {}}}"#,
            agg("Average", "Month"),
            agg("Max", "Week"),
            agg("Max", "Month"),
        ),
    );
    assert_eq!(num(&r["counters"]["allCalls"]["values"]), Some(4.0));
    assert_eq!(
        num(&r["counters"]["callsByDirection"]["values"]["inbound"]),
        Some(7.0)
    );
    assert_eq!(num(&r["timers"]["allCalls"]["values"]), Some(380.501));
}

/// G25: aggregationType edge cases. `{}` is Sum (queue 5686: 30 offered;
/// company over both queues: 30 + 18 = 48); an aggregationInterval with
/// Percent or alone (Sum by default) is refused by path.
#[test]
fn aggregation_type_defaults_and_refusals() {
    let queues = fx(QUEUES);
    let v = answer(
        "aggregate",
        r#"{"responseOptions": {"counters": {"allCalls": {}}}}"#,
        &queues,
        &[],
    );
    assert_eq!(
        v["data"]["records"][0]["counters"]["allCalls"],
        json!({"valueType": "Instances", "values": 48})
    );
    let v = answer(
        "aggregate",
        r#"{"grouping": {"groupBy": "Queues", "ids": ["5686"]},
            "responseOptions": {"counters": {"allCalls": {"aggregationType": null}}}}"#,
        &queues,
        &[],
    );
    assert_eq!(
        v["data"]["records"][0]["counters"]["allCalls"]["values"],
        json!(30)
    );
    for (text, want) in [
        (
            r#"{"responseOptions": {"counters": {"callsByResponse": {"aggregationType": "Percent", "aggregationInterval": "Day"}}}}"#,
            "responseOptions.counters.callsByResponse.aggregationInterval: the API takes an \
             aggregation interval only with Average, Min or Max, not with Percent",
        ),
        (
            r#"{"responseOptions": {"counters": {"allCalls": {"aggregationInterval": "Hour"}}}}"#,
            "responseOptions.counters.allCalls.aggregationInterval: the API takes an \
             aggregation interval only with Average, Min or Max, not with Sum",
        ),
        (
            r#"{"responseOptions": {"timers": {"allCallsDuration": {"aggregationType": "sum"}}}}"#,
            "responseOptions.timers.allCallsDuration.aggregationType \"sum\": unknown; expected \
             Sum, Average, Min, Max or Percent",
        ),
    ] {
        refused(text, &queues, &[], want);
    }
}

// ----------------------------------------------------------------- refused

/// G6, G7: the groupings interval reports cannot answer, by path.
#[test]
fn groupings_interval_reports_cannot_answer_are_refused() {
    let queues = fx(QUEUES);
    let agents = fx(AGENTS);
    for (file, group_by, want) in [
        (
            &queues,
            "IVRs",
            "grouping.groupBy \"IVRs\": interval reports carry no IVR or company number",
        ),
        (
            &queues,
            "CompanyNumbers",
            "grouping.groupBy \"CompanyNumbers\": interval reports carry no IVR or company number",
        ),
        (
            &agents,
            "IVRs",
            "grouping.groupBy \"IVRs\": interval reports carry no IVR or company number",
        ),
        (
            &queues,
            "SharedLines",
            "grouping.groupBy \"SharedLines\" has no rollup equivalent",
        ),
        (
            &queues,
            "Queuez",
            "grouping.groupBy \"Queuez\": unknown; expected one of",
        ),
        (
            &queues,
            "queues",
            "grouping.groupBy \"queues\": unknown; expected one of",
        ),
        (
            &queues,
            "Users",
            "grouping.groupBy \"Users\" does not apply to queue rows",
        ),
        (
            &queues,
            "QueueGroups",
            "grouping.groupBy \"QueueGroups\" needs --queue-groups",
        ),
        (
            &agents,
            "UserGroups",
            "grouping.groupBy \"UserGroups\" needs --agent-groups",
        ),
    ] {
        refused(
            &format!(r#"{{"grouping": {{"groupBy": "{group_by}"}}}}"#),
            file,
            &[],
            want,
        );
    }
}

/// G8: interaction metadata answers Users, UserGroups, CompanyNumbers,
/// IVRs and Company; the queue, site, department and member groupings are
/// refused by path, in either request generation.
#[test]
fn groupings_calls_cannot_answer_are_refused() {
    let calls = fx(CALLS);
    for group_by in [
        "QueueAgents",
        "Sites",
        "UserGroupMembers",
        "DepartmentMembers",
        "SiteMembers",
        "QueueGroups",
        "Queues",
    ] {
        refused(
            &format!(r#"{{"grouping": {{"groupBy": "{group_by}", "ids": ["E"]}}}}"#),
            &calls,
            &[],
            &format!("grouping.groupBy \"{group_by}\": interaction metadata answers Users"),
        );
    }
    for scope in ["Department", "Site", "UserGroup", "Queue"] {
        refused(
            &format!(r#"{{"grouping": {{"groupByMembers": "{scope}", "keys": ["E"]}}}}"#),
            &calls,
            &[],
            &format!("grouping.groupByMembers \"{scope}\": interaction metadata answers Users"),
        );
    }
}

/// G9–G11: the options a report cannot answer (SPEC 8.3: queue rows
/// answer no per-call duration breakdown; Agent Extended rows only
/// allCalls, callsByType, allCallsDuration and callsSegmentsDuration;
/// origin, segments, actions and company hours nothing does), by path.
#[test]
fn options_a_report_cannot_answer_are_refused() {
    let queues = fx(QUEUES);
    let agents = fx(AGENTS);
    let calls = fx(CALLS);
    let cases: &[(&str, &str, &[&str])] = &[
        (
            &queues,
            "queue rows",
            &[
                "counters.callsSegments",
                "counters.callsByCompanyHours",
                "counters.callsByActions",
                "timers.callsDurationByDirection",
                "timers.callsDurationByOrigin",
                "timers.callsDurationByResult",
                "timers.callsDurationByCompanyHours",
                "timers.callsDurationByQueueSla",
                "timers.callsDurationByType",
            ],
        ),
        (
            &calls,
            "interaction metadata",
            &[
                "counters.callsSegments",
                "counters.callsByCompanyHours",
                "counters.callsByActions",
                "timers.callsDurationByOrigin",
                "timers.callsDurationByCompanyHours",
            ],
        ),
        (
            &agents,
            "agent-ext rows",
            &[
                "counters.callsByDirection",
                "counters.callsByResponse",
                "counters.callsByResult",
                "counters.callsByQueueSla",
                "counters.callsByOrigin",
                "timers.callsDurationByResponse",
                "timers.callsDurationByDirection",
                "timers.callsDurationByQueueSla",
            ],
        ),
    ];
    for (file, rows, options) in cases {
        let grouping = if *rows == "agent-ext rows" {
            r#""grouping": {"groupBy": "Users"}, "#
        } else {
            ""
        };
        for option in *options {
            let (section, name) = option.split_once('.').unwrap();
            refused(
                &format!(r#"{{{grouping}"responseOptions": {{"{section}": {{"{name}": true}}}}}}"#),
                file,
                &[],
                &format!("responseOptions.{option}: {rows} cannot answer it"),
            );
        }
    }
}

/// G13: the API's filter values the exported files cannot tell, refused by
/// path and index (after a value that is answered), in both request
/// generations.
#[test]
fn filter_values_the_files_cannot_tell_are_refused() {
    let calls = fx(CALLS);
    for (key, valid, value, answered) in [
        (
            "callResponse",
            "Answered",
            "Connected",
            "Answered, NotAnswered",
        ),
        (
            "callResponse",
            "Answered",
            "NotConnected",
            "Answered, NotAnswered",
        ),
        ("callResult", "Completed", "Missed", "Completed, Abandoned"),
        (
            "callResult",
            "Completed",
            "Accepted",
            "Completed, Abandoned",
        ),
        ("callResult", "Completed", "Unknown", "Completed, Abandoned"),
        (
            "callType",
            "Transferred",
            "FromQueue",
            "Transferred, Outbound",
        ),
        (
            "callType",
            "Transferred",
            "ParkRetrieval",
            "Transferred, Outbound",
        ),
        (
            "callType",
            "Transferred",
            "Overflow",
            "Transferred, Outbound",
        ),
    ] {
        refused(
            &format!(r#"{{"callFilters": {{"{key}": ["{valid}", "{value}"]}}}}"#),
            &calls,
            &[],
            &format!(
                "callFilters.{key}[1] \"{value}\": not answered: the exported files cannot tell \
                 it (answered: {answered})"
            ),
        );
        refused(
            &format!(r#"{{"additionalFilters": {{"{key}": "{value}"}}}}"#),
            &calls,
            &[],
            &format!(
                "additionalFilters.{key} \"{value}\": not answered: the exported files cannot \
                 tell it (answered: {answered})"
            ),
        );
    }
}

/// G14: the filter keys neither input carries, refused by path in both
/// request generations (on calls and on queue rows alike).
#[test]
fn filter_keys_no_input_carries_are_refused() {
    for file in [fx(CALLS), fx(QUEUES)] {
        for (key, legacy, current) in [
            ("callSegments", r#""Hold""#, r#"["Hold"]"#),
            ("callActions", r#""HoldOff""#, r#"["HoldOff"]"#),
            ("companyHours", r#""BusinessHours""#, r#"["BusinessHours"]"#),
            ("calledExtensionIds", r#""101""#, r#"["101"]"#),
        ] {
            for (block, value) in [("additionalFilters", legacy), ("callFilters", current)] {
                refused(
                    &format!(r#"{{"{block}": {{"{key}": {value}}}}}"#),
                    &file,
                    &[],
                    &format!(
                        "{block}.{key}: not answered: neither interval reports nor interaction \
                         metadata carry a call's {key}"
                    ),
                );
            }
        }
    }
}

/// G15: the per-call filters only interaction metadata answers, refused on
/// interval rows by path.
#[test]
fn per_call_filters_are_refused_on_interval_rows() {
    let queues = fx(QUEUES);
    let agents = fx(AGENTS);
    for (filter, path) in [
        (
            r#""callFilters": {"callResult": ["Completed"]}"#,
            "callFilters.callResult",
        ),
        (
            r#""additionalFilters": {"callResult": "Abandoned"}"#,
            "additionalFilters.callResult",
        ),
        (
            r#""callFilters": {"callType": ["Outbound"]}"#,
            "callFilters.callType",
        ),
        (
            r#""callFilters": {"timeSpent": {"minValueSeconds": 1}}"#,
            "callFilters.timeSpent",
        ),
        (
            r#""additionalFilters": {"calledNumbers": ["+15550199"]}"#,
            "additionalFilters.calledNumbers",
        ),
    ] {
        refused(
            &format!(r#"{{{filter}}}"#),
            &queues,
            &[],
            &format!("{path}: queue rows carry no per-call attribute to filter on"),
        );
        refused(
            &format!(r#"{{"grouping": {{"groupBy": "Users"}}, {filter}}}"#),
            &agents,
            &[],
            &format!("{path}: agent-ext rows carry no per-call attribute to filter on"),
        );
    }
}

/// G17: values outside a filter's enum, refused by path (and index).
#[test]
fn unknown_filter_values_are_refused() {
    let queues = fx(QUEUES);
    for (text, want) in [
        (
            r#"{"additionalFilters": {"queueSla": "Within"}}"#,
            "additionalFilters.queueSla \"Within\": unknown; expected InSla or OutSla",
        ),
        (
            r#"{"callFilters": {"queueSla": ["InSla", "OutOfSla"]}}"#,
            "callFilters.queueSla[1] \"OutOfSla\": unknown; expected InSla or OutSla",
        ),
        (
            r#"{"additionalFilters": {"callResponse": "Yes"}}"#,
            "additionalFilters.callResponse \"Yes\": unknown; expected Answered or NotAnswered",
        ),
        (
            r#"{"callFilters": {"direction": ["inbound"]}}"#,
            "callFilters.direction[0] \"inbound\": unknown; expected Inbound or Outbound",
        ),
        (
            r#"{"callFilters": {"callResult": ["Done"]}}"#,
            "callFilters.callResult[0] \"Done\": unknown; expected Completed or Abandoned",
        ),
        (
            r#"{"additionalFilters": {"callType": "Inbound"}}"#,
            "additionalFilters.callType \"Inbound\": unknown; expected Transferred or Outbound",
        ),
        (
            r#"{"callFilters": {"direction": {"value": "Inbound"}}}"#,
            "callFilters.direction must be a string or a list of strings",
        ),
    ] {
        refused(text, &queues, &[], want);
    }
}

/// G26: unknown keys at every level and values of the wrong type, refused
/// by path.
#[test]
fn structural_errors_name_their_path() {
    let queues = fx(QUEUES);
    for (text, want) in [
        (
            r#"{"grouping": {"groupby": "Queues"}}"#,
            "grouping.groupby: unknown key; expected one of groupBy, ids, keys, groupByMembers",
        ),
        (
            r#"{"timeSettings": {"timeRange": {"from": "2024-03-04T00:00:00Z"}}}"#,
            "timeSettings.timeRange.from: unknown key; expected one of timeFrom, timeTo",
        ),
        (
            r#"{"timeSettings": {"advancedTimeSettings": {"includeDay": ["Monday"]}}}"#,
            "timeSettings.advancedTimeSettings.includeDay: unknown key",
        ),
        (
            r#"{"responseOptions": {"counter": {"allCalls": true}}}"#,
            "responseOptions.counter: unknown key; expected one of counters, timers",
        ),
        (
            r#"{"additionalFilters": {"directon": "Inbound"}}"#,
            "additionalFilters.directon: unknown key",
        ),
        (
            r#"{"callFilters": {"callDuration": {"minSeconds": 10}}}"#,
            "callFilters.callDuration.minSeconds: unknown key; expected one of minValueSeconds, maxValueSeconds",
        ),
        (
            r#"{"grouping": {"groupBy": "Queues", "ids": "5686"}}"#,
            "grouping.ids must be a list of strings",
        ),
        (
            r#"{"grouping": {"groupBy": "Queues", "ids": [5686]}}"#,
            "grouping.ids[0] must be a string",
        ),
        (
            r#"{"grouping": {"groupBy": 5}}"#,
            "grouping.groupBy must be a string",
        ),
        (
            r#"{"responseOptions": {"counters": {"allCalls": 1}}}"#,
            "responseOptions.counters.allCalls must be true, false or {\"aggregationType\": ...}, got 1",
        ),
        (
            r#"{"timeSettings": {"timeRange": {"timeFrom": "yesterday"}}}"#,
            "timeSettings.timeRange.timeFrom: invalid time \"yesterday\"",
        ),
        (
            r#"{"timeSettings": {"timeRange": {"timeTo": 20240304}}}"#,
            "timeSettings.timeRange.timeTo must be a string",
        ),
        (
            r#"{"timeSettings": []}"#,
            "timeSettings must be an object",
        ),
        (r#"["grouping"]"#, "the request body must be a JSON object"),
    ] {
        refused(text, &queues, &[], want);
    }
}
