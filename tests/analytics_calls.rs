//! The Analytics API contract over interaction metadata (SPEC 8, from
//! calls): `rcx analytics` answers a request body from the calls of the
//! segment files. Every expected number is worked out by hand from the
//! eight calls of `fixtures/calls/segments_calls.ndjson`:
//!
//! | call | direction | first agent | answered | wait | span (s) | agent time (s) |
//! |---|---|---|---|---|---|---|
//! | D1 | in | 7 | yes | 20 (in SL) | 80 | 7: 60 |
//! | D2 | in | 8 | yes | 20.001 (out) | 50.001 | 8: 30 |
//! | D3 | in | - | no | 4.999 | 4.999 | |
//! | D4 | in | - | no | 5 | 5 | |
//! | D5 | in | - | no | 20.001 | 20.001 | |
//! | D6 | out | 7 | yes | 1 | 61 | 7: 60 |
//! | D7 | in | 7 (then 8, 9: a transfer) | yes | 10 (in SL) | 130 | 7: 60, 8: 30.001, 9: 30 |
//! | D8 | in | 8 | yes | 0 (in SL) | 29.5 | 8: 30 |

use serde_json::{json, Value};

use crate::util::{body, code, fixture, rcx, stderr, stdout};

const CALLS: &str = "calls/segments_calls.ndjson";

/// `rcx analytics ENDPOINT --body BODY FILE EXTRA…`, which must succeed;
/// its response parsed.
fn answer(endpoint: &str, text: &str, file: &str, extra: &[&str]) -> Value {
    let (_d, b) = body(text);
    let f = fixture(file);
    let mut args = vec!["analytics", endpoint, "--body", &b, f.to_str().unwrap()];
    args.extend(extra);
    let o = rcx(&args);
    assert_eq!(code(&o), 0, "{text}: {}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

/// The three bodies of `fixtures/analytics/calls_*.json` (a company-wide
/// body with every option calls answer, a Users body with `keys` and
/// filters in Berlin time, a UserGroups timeline with `additionalFilters`)
/// answer byte for byte their expected responses, worked out by hand
/// (fixtures/README.md).
#[test]
fn call_bodies_answer_their_expected_responses() {
    let data = fixture(CALLS);
    let data = data.to_str().unwrap();
    for (name, endpoint) in [
        ("calls_company", "aggregate"),
        ("calls_users_filters", "aggregate"),
        ("calls_timeline", "timeline"),
    ] {
        let b = fixture(&format!("analytics/{name}.json"));
        let want =
            std::fs::read_to_string(fixture(&format!("analytics/{name}.expected.json"))).unwrap();
        let mut args = vec!["analytics", endpoint, "--body", b.to_str().unwrap(), data];
        if endpoint == "timeline" {
            args.extend(["--interval", "Hour"]);
        }
        let o = rcx(&args);
        assert_eq!(code(&o), 0, "{name}: {}", stderr(&o));
        assert_eq!(stdout(&o), want, "{name}");
    }
}

/// Each per-call filter of SPEC 8.2 keeps the calls the table above says,
/// with their Σ span.
#[test]
fn every_call_filter_keeps_the_calls_it_names() {
    for (filters, calls, seconds) in [
        (r#"{"direction": ["Outbound"]}"#, 1, json!(61)),
        (r#"{"callResponse": ["NotAnswered"]}"#, 3, json!(30)),
        (
            r#"{"callResponse": ["Answered", "NotAnswered"]}"#,
            8,
            json!(380.501),
        ),
        (r#"{"callResult": ["Abandoned"]}"#, 3, json!(30)),
        (
            r#"{"direction": ["Inbound"], "callResult": ["Completed"]}"#,
            4,
            json!(289.501),
        ),
        (r#"{"callType": ["Outbound"]}"#, 1, json!(61)),
        (r#"{"callType": ["Transferred"]}"#, 1, json!(130)),
        (r#"{"queueSla": ["InSla"]}"#, 3, json!(239.5)),
        (r#"{"queueSla": ["OutSla"]}"#, 1, json!(50.001)),
        // D3, D4, D5, D8: at most 50 s (D2 lasts 50.001 s).
        (
            r#"{"callDuration": {"maxValueSeconds": 50}}"#,
            4,
            json!(59.5),
        ),
        // Both bounds inclusive: D1 (80 s), D2, D6.
        (
            r#"{"callDuration": {"minValueSeconds": 50, "maxValueSeconds": 80}}"#,
            3,
            json!(191.001),
        ),
        // Company: the time every agent spent, D7's 120.001 s.
        (r#"{"timeSpent": {"minValueSeconds": 61}}"#, 1, json!(130)),
    ] {
        let text = format!(
            r#"{{"callFilters": {filters}, "responseOptions": {{"counters": {{"allCalls": true}}, "timers": {{"allCallsDuration": true}}}}}}"#
        );
        let v = answer("aggregate", &text, CALLS, &[]);
        let r = &v["data"]["records"][0];
        assert_eq!(
            r["counters"]["allCalls"]["values"],
            json!(calls),
            "{filters}"
        );
        assert_eq!(r["timers"]["allCalls"]["values"], seconds, "{filters}");
    }
}

/// `--sl-threshold` moves the service level of interaction metadata:
/// at 10 s, D1 (20 s) leaves it and D7 (10 s) and D8 stay.
#[test]
fn the_sl_threshold_decides_queue_sla() {
    let text = r#"{"responseOptions": {"counters": {"callsByQueueSla": true}}}"#;
    let v = answer("aggregate", text, CALLS, &["--sl-threshold", "10"]);
    assert_eq!(
        v["data"]["records"][0]["counters"]["callsByQueueSla"]["values"],
        json!({"inSla": 2, "outOfSla": 2})
    );
    let v = answer("aggregate", text, CALLS, &[]);
    assert_eq!(
        v["data"]["records"][0]["counters"]["callsByQueueSla"]["values"],
        json!({"inSla": 3, "outOfSla": 1})
    );
}

/// Users: a call goes to its first agent; the calls no agent took have no
/// user, and a warning counts them. UserGroups: the first agent's group.
#[test]
fn users_are_first_agents_and_unanswered_calls_are_counted_aside() {
    let (_d, b) = body(r#"{"grouping": {"groupBy": "Users"}}"#);
    let f = fixture(CALLS);
    let o = rcx(&["analytics", "aggregate", "--body", &b, f.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let recs = v["data"]["records"].as_array().unwrap();
    let got: Vec<(Value, Value)> = recs
        .iter()
        .map(|r| {
            (
                r["key"].clone(),
                r["counters"]["allCalls"]["values"].clone(),
            )
        })
        .collect();
    // 7: D1, D6, D7; 8: D2, D8.
    assert_eq!(got, [(json!("7"), json!(3)), (json!("8"), json!(2))], "{v}");
    assert_eq!(recs[0]["info"]["name"], Value::Null);
    assert!(
        stderr(&o).contains("3 call(s) no agent took have no user"),
        "{}",
        stderr(&o)
    );
    let v = answer(
        "aggregate",
        r#"{"grouping": {"groupBy": "UserGroups"}}"#,
        CALLS,
        &[],
    );
    assert_eq!(v["data"]["records"][0]["key"], json!("70"));
    assert_eq!(
        v["data"]["records"][0]["counters"]["allCalls"]["values"],
        json!(5)
    );
}

/// Average, Min and Max over the hours of a three-hour range: the eight
/// calls all start between 10:00 and 11:00, so the other two hours count
/// as 0.
#[test]
fn aggregation_types_count_every_hour_of_the_range() {
    let text = r#"{
      "timeSettings": {"timeZone": "UTC", "timeRange": {"timeFrom": "2024-03-04T09:00:00Z", "timeTo": "2024-03-04T12:00:00Z"}},
      "responseOptions": {
        "counters": {"allCalls": {"aggregationType": "Average", "aggregationInterval": "Hour"},
                     "callsByDirection": {"aggregationType": "Min", "aggregationInterval": "Hour"}},
        "timers": {"allCallsDuration": {"aggregationType": "Average", "aggregationInterval": "Hour"},
                   "callsDurationByDirection": {"aggregationType": "Max", "aggregationInterval": "Hour"}}}}"#;
    let v = answer("aggregate", text, CALLS, &[]);
    let r = &v["data"]["records"][0];
    // 8 / 3 and 380.501 s / 3, two places, half away from zero.
    assert_eq!(r["counters"]["allCalls"]["values"], json!(2.67));
    assert_eq!(r["timers"]["allCalls"]["values"], json!(126.83));
    assert_eq!(
        r["counters"]["callsByDirection"]["values"],
        json!({"inbound": 0, "outbound": 0})
    );
    assert_eq!(
        r["timers"]["callsByDirection"]["values"],
        json!({"inbound": 319.501, "outbound": 61})
    );
    // Without an aggregationInterval they would be over the rows' own
    // intervals, which calls do not have: refused by name.
    let (_d, b) = body(
        r#"{"responseOptions": {"counters": {"allCalls": {"aggregationType": "Max"}}}, "timeSettings": {"timeRange": {"timeFrom": "2024-03-04T09:00:00Z", "timeTo": "2024-03-04T12:00:00Z"}}}"#,
    );
    let f = fixture(CALLS);
    let o = rcx(&["analytics", "aggregate", "--body", &b, f.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("calls have none; give an aggregationInterval"),
        "{}",
        stderr(&o)
    );
}

/// A v2 export lists agent legs only: what it cannot tell (calls no agent
/// took) is null, never 0; the legacy envelope carries the same values.
#[test]
fn v2_data_leaves_unanswered_calls_null() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("v2.ndjson");
    std::fs::write(
        &p,
        r#"{"interactionId": 5, "interactionDirection": "INBOUND", "interactionStartTimeMs": "2024-03-04T10:14:00Z", "segmentID": 1, "segmentAgentId": 11, "segmentContactStartTimeMs": "2024-03-04T10:14:25Z", "segmentDuration": 180.5}
"#,
    )
    .unwrap();
    let (_b, b) = body(
        r#"{"responseOptions": {"counters": {"callsByResponse": true, "callsByResult": true}, "timers": {"allCallsDuration": true}}}"#,
    );
    for version in ["current", "legacy"] {
        let o = rcx(&[
            "analytics",
            "aggregate",
            "--body",
            &b,
            p.to_str().unwrap(),
            "--analytics-version",
            version,
        ]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
        let r = if version == "legacy" {
            &v["data"][0]
        } else {
            &v["data"]["records"][0]
        };
        assert_eq!(
            r["counters"]["callsByResponse"]["values"],
            json!({"answered": 1, "notAnswered": null, "connected": null, "notConnected": null})
        );
        assert_eq!(
            r["counters"]["callsByResult"]["values"]["abandoned"],
            Value::Null
        );
        assert_eq!(
            r["counters"]["callsByResult"]["values"]["completed"],
            json!(1)
        );
        // 10:14:00 to 10:17:25.5.
        assert_eq!(r["timers"]["allCalls"]["values"], json!(205.5));
    }
}

/// What interaction metadata cannot answer is refused by its path: the
/// groupings it has no key for, the options and filter values it cannot
/// tell, and the interval reports' own options.
#[test]
fn what_calls_cannot_answer_is_refused_by_name() {
    let f = fixture(CALLS);
    let f = f.to_str().unwrap();
    let map = fixture("queue_groups.csv");
    let map = map.to_str().unwrap();
    for (text, extra, want) in [
        (
            r#"{"grouping": {"groupBy": "Departments"}}"#,
            &[][..],
            "grouping.groupBy \"Departments\": interaction metadata answers Users",
        ),
        (
            r#"{"responseOptions": {"counters": {"callsByOrigin": true}}}"#,
            &[],
            "responseOptions.counters.callsByOrigin: interaction metadata cannot answer it",
        ),
        (
            r#"{"callFilters": {"callType": ["Direct"]}}"#,
            &[],
            "callFilters.callType[0] \"Direct\": not answered",
        ),
        (
            r#"{"callFilters": {"callerExtensionIds": ["101"]}}"#,
            &[],
            "callFilters.callerExtensionIds: not answered",
        ),
        (
            r#"{"grouping": {"groupBy": "SharedLines"}}"#,
            &[],
            "grouping.groupBy \"SharedLines\": interaction metadata answers Users",
        ),
        (
            r#"{"callFilters": {"calledNumbers": ["ext. none"]}}"#,
            &[],
            "callFilters.calledNumbers[0] \"ext. none\": not a phone number",
        ),
        (
            r#"{"grouping": {"groupBy": "Users"}}"#,
            &["--agent-groups", map],
            "group maps apply to interval reports",
        ),
    ] {
        let (_d, b) = body(text);
        let mut args = vec!["analytics", "aggregate", "--body", &b, f];
        args.extend(extra);
        let o = rcx(&args);
        assert_eq!(code(&o), 2, "{text}");
        assert_eq!(stdout(&o), "");
        assert!(stderr(&o).contains(want), "{text}: {}", stderr(&o));
    }
    // --sl-threshold is for interaction metadata only.
    let (_d, b) = body("{}");
    let q = fixture("queue_header.csv");
    let o = rcx(&[
        "analytics",
        "aggregate",
        "--body",
        &b,
        q.to_str().unwrap(),
        "--sl-threshold",
        "10",
    ]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("--sl-threshold applies to interaction metadata"),
        "{}",
        stderr(&o)
    );
}

/// `rcx calls --format analytics` answers every option calls answer,
/// grouped as `--by`: the same values as a request asking for them.
#[test]
fn calls_format_analytics_is_the_request_for_every_option() {
    let f = fixture(CALLS);
    let o = rcx(&[
        "calls",
        f.to_str().unwrap(),
        "--interval",
        "total",
        "--format",
        "analytics",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let want: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("analytics/calls_company.expected.json")).unwrap(),
    )
    .unwrap();
    let (got, want) = (&v["data"]["records"][0], &want["data"]["records"][0]);
    assert_eq!(v["data"]["groupedBy"], json!("Company"));
    assert_eq!(got["timers"], want["timers"]);
    // The expected body asks callsByQueueSla as Percent; the rest are sums.
    assert_eq!(got["counters"]["allCalls"], want["counters"]["allCalls"]);
    assert_eq!(
        got["counters"]["callsByQueueSla"]["values"],
        json!({"inSla": 3, "outOfSla": 1})
    );
    assert_eq!(
        got["counters"]["callsByType"],
        want["counters"]["callsByType"]
    );
}

/// Five cx v1 calls with IVR ids and endpoint addresses
/// (`fixtures/calls/segments_ivr.ndjson`), worked out by hand:
///
/// | call | direction | company number (channel endpoint) | called address | IVRs | agent | span (s) |
/// |---|---|---|---|---|---|---|
/// | E1 | in | +15550199 | +15550199 | ivr-1 | 7 | 70 |
/// | E2 | in | +15550188 | +15550188 | ivr-2 | - | 30 |
/// | E3 | in | +15550199 | +15550199 | - | 8 | 45 |
/// | E4 | out | +15550188 | +15550142 (the customer) | - | 7 | 61 |
/// | E5 | in | +15550199 | +15550199 | ivr-1, then ivr-2 | 9 | 85 |
const IVR_CALLS: &str = "calls/segments_ivr.ndjson";

/// (key, allCalls, allCallsDuration) of each record of a response.
fn counts(v: &Value) -> Vec<(Value, Value, Value)> {
    v["data"]["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].clone(),
                r["counters"]["allCalls"]["values"].clone(),
                r["timers"]["allCalls"]["values"].clone(),
            )
        })
        .collect()
}

const ALL_CALLS: &str =
    r#""responseOptions": {"counters": {"allCalls": true}, "timers": {"allCallsDuration": true}}"#;

/// IVRs: a call counts for the first IVR it went through (E5 for ivr-1,
/// not ivr-2); `ids` select and order the records, an IVR without calls
/// gets zeros; the calls without an IVR are counted in a warning. The
/// same answer whatever the order of the file's lines (the reversed file
/// is out of time order, so its calls go through the spill).
#[test]
fn ivrs_group_calls_by_their_first_ivr() {
    let text = format!(
        r#"{{"grouping": {{"groupBy": "IVRs", "ids": ["ivr-2", "ivr-1", "ivr-9"]}}, {ALL_CALLS}}}"#
    );
    let want = vec![
        (json!("ivr-2"), json!(1), json!(30)),
        (json!("ivr-1"), json!(2), json!(155)),
        (json!("ivr-9"), json!(0), json!(0)),
    ];
    let (_d, b) = body(&text);
    let f = fixture(IVR_CALLS);
    let o = rcx(&["analytics", "aggregate", "--body", &b, f.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(counts(&v), want);
    assert_eq!(v["data"]["groupedBy"], json!("IVRs"));
    assert_eq!(v["data"]["records"][0]["info"]["name"], Value::Null);
    assert!(
        stderr(&o).contains(
            "2 call(s) went through no IVR; the response has no record for them \
             (grouping.groupBy IVRs)"
        ),
        "{}",
        stderr(&o)
    );
    let dir = tempfile::tempdir().unwrap();
    let reversed = dir.path().join("reversed.ndjson");
    let text_of = std::fs::read_to_string(&f).unwrap();
    let lines: Vec<&str> = text_of.lines().rev().collect();
    std::fs::write(&reversed, lines.join("\n") + "\n").unwrap();
    let v = answer("aggregate", &text, reversed.to_str().unwrap(), &[]);
    assert_eq!(counts(&v), want);
}

/// CompanyNumbers: the company's number in the call, the called address
/// of an inbound call and the calling one of an outbound call (E4 was
/// placed from +15550188). `calledNumbers` keeps the calls whose called
/// address is one of the numbers, compared by their digits: E4 called
/// the customer, so +15550188 keeps E2 alone.
#[test]
fn company_numbers_and_called_numbers() {
    let v = answer(
        "aggregate",
        &format!(r#"{{"grouping": {{"groupBy": "CompanyNumbers"}}, {ALL_CALLS}}}"#),
        IVR_CALLS,
        &[],
    );
    assert_eq!(v["data"]["groupedBy"], json!("CompanyNumbers"));
    assert_eq!(
        counts(&v),
        vec![
            (json!("+15550188"), json!(2), json!(91)),
            (json!("+15550199"), json!(3), json!(200)),
        ]
    );
    for (numbers, calls, seconds) in [
        (r#"["+1 (555) 0199"]"#, 3, 200),
        (r#"["15550188"]"#, 1, 30),
        (r#"["+15550142"]"#, 1, 61),
        (r#"["+15550142", "+15550188"]"#, 2, 91),
        (r#"["+15550000"]"#, 0, 0),
    ] {
        let v = answer(
            "aggregate",
            &format!(r#"{{"callFilters": {{"calledNumbers": {numbers}}}, {ALL_CALLS}}}"#),
            IVR_CALLS,
            &[],
        );
        assert_eq!(
            counts(&v),
            vec![(json!("company"), json!(calls), json!(seconds))],
            "{numbers}"
        );
    }
}

/// v2 exports carry `interactionCalledAddress` itself: an inbound call's
/// company number, what `calledNumbers` compares.
#[test]
fn v2_called_address_is_the_company_number_of_inbound_calls() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("v2.ndjson");
    std::fs::write(
        &p,
        r#"{"interactionId": 5, "interactionDirection": "INBOUND", "interactionCalledAddress": "+16505550100", "interactionStartTimeMs": "2024-03-04T10:14:00Z", "segmentID": 1, "segmentAgentId": 11, "segmentContactStartTimeMs": "2024-03-04T10:14:25Z", "segmentDuration": 180.5}
{"interactionId": 6, "interactionDirection": "INBOUND", "interactionCalledAddress": "+16505550111", "interactionStartTimeMs": "2024-03-04T10:15:00Z", "segmentID": 1, "segmentAgentId": 11, "segmentContactStartTimeMs": "2024-03-04T10:15:05Z", "segmentDuration": 60}
"#,
    )
    .unwrap();
    let p = p.to_str().unwrap();
    let v = answer(
        "aggregate",
        &format!(r#"{{"grouping": {{"groupBy": "CompanyNumbers"}}, {ALL_CALLS}}}"#),
        p,
        &[],
    );
    // 10:14:00 to 10:17:25.5; 10:15:00 to 10:16:05.
    assert_eq!(
        counts(&v),
        vec![
            (json!("+16505550100"), json!(1), json!(205.5)),
            (json!("+16505550111"), json!(1), json!(65)),
        ]
    );
    let v = answer(
        "aggregate",
        &format!(r#"{{"callFilters": {{"calledNumbers": ["16505550111"]}}, {ALL_CALLS}}}"#),
        p,
        &[],
    );
    assert_eq!(counts(&v), vec![(json!("company"), json!(1), json!(65))]);
}
