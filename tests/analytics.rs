//! The Analytics API contract (SPEC 8): request keys honoured or refused
//! by path, the response schema, filters, key selection, aggregation
//! types and paging. Expected numbers come from the rollup's CSV columns
//! (checked against the reference implementation elsewhere) or by hand
//! from the fixture's rows, never from the analytics code.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::util::{body, code, fixture, rcx, stderr, stdout};

/// Runs `rcx` and returns stdout of a run that must succeed.
fn ok(args: &[&str]) -> String {
    let o = rcx(args);
    assert_eq!(code(&o), 0, "rcx {args:?}: {}", stderr(&o));
    stdout(&o)
}

/// Runs `rcx` and returns stderr of a run that must exit 2 with nothing
/// on stdout.
fn usage(args: &[&str]) -> String {
    let o = rcx(args);
    assert_eq!(code(&o), 2, "rcx {args:?}: {}", stderr(&o));
    assert_eq!(stdout(&o), "", "rcx {args:?}");
    stderr(&o)
}

/// The rollup's CSV rows as column → value maps, keyed by the first column.
fn csv_by_key(text: &str) -> BTreeMap<String, BTreeMap<String, i64>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let head: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    let mut out = BTreeMap::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        let mut m = BTreeMap::new();
        for (h, v) in head.iter().zip(rec.iter()) {
            if let Ok(n) = v.parse::<i64>() {
                m.insert(h.clone(), n);
            }
        }
        out.insert(rec[0].to_owned(), m);
    }
    out
}

const SUMS: &str =
    "offered,answered,abandoned,answered_within_sl,answer_wait_s,abandon_wait_s,talk_s,wrap_s";

/// `100 × a / b` to two places, half away from zero, as the API prints
/// it (computed in integers here).
fn pct(a: i64, b: i64) -> Value {
    let hundredths = (a * 10_000 * 2 + b) / (2 * b);
    serde_json::from_str(&format!("{}.{:02}", hundredths / 100, hundredths % 100)).unwrap()
}

/// `a / n` to two places, half away from zero.
fn per(a: i64, n: i64) -> Value {
    pct(a, 100 * n)
}

#[test]
fn pct_helper_rounds_half_away() {
    assert_eq!(per(200, 3).to_string(), "66.67");
    assert_eq!(pct(19, 24).to_string(), "79.17");
    assert_eq!(pct(1, 8).to_string(), "12.5");
    assert_eq!(pct(1, 3).to_string(), "33.33");
}

/// A seed-style aggregate body (timeZone under advancedTimeSettings,
/// grouping.ids, additionalFilters, responseOptions with aggregationType)
/// answers in Moscow buckets, for the id asked, with the filters applied,
/// in the API's schema.
#[test]
fn a_seed_style_body_answers_the_question_it_asks() {
    let range = r#""timeRange": {"timeFrom": "2024-11-03T00:00:00-04:00", "timeTo": "2024-11-04T00:00:00-05:00"}"#;
    let (_d, b) = body(&format!(
        r#"{{"grouping": {{"groupBy": "Queues", "ids": ["5686", "7000"]}},
            "timeSettings": {{{range},
              "advancedTimeSettings": {{"timeZone": "Europe/Moscow", "includeDays": ["Sunday"]}}}},
            "additionalFilters": {{"direction": "Inbound"}},
            "responseOptions": {{
              "counters": {{"allCalls": {{"aggregationType": "Sum"}},
                            "callsByQueueSla": {{"aggregationType": "Percent"}},
                            "callsByResponse": {{"aggregationType": "Sum"}}}},
              "timers": {{"allCallsDuration": {{"aggregationType": "Sum"}}}}}}}}"#
    ));
    let file = fixture("queue_fallback_ny.csv");
    let file = file.to_str().unwrap();
    let got: Value = serde_json::from_str(&ok(&[
        "rollup",
        file,
        "--source-tz",
        "America/New_York",
        "--request",
        &b,
        "--format",
        "analytics",
    ]))
    .unwrap();
    // The same question as flags, in CSV.
    let want = csv_by_key(&ok(&[
        "rollup",
        file,
        "--source-tz",
        "America/New_York",
        "--by",
        "queue",
        "--tz",
        "Europe/Moscow",
        "--from",
        "2024-11-03T00:00:00-04:00",
        "--to",
        "2024-11-04T00:00:00-05:00",
        "--days",
        "sun",
        "--interval",
        "total",
        "--columns",
        SUMS,
    ]));
    let q = &want["5686"];
    assert!(q["offered"] > 0, "{q:?}");
    let expected = json!({
        "paging": {"page": 1, "perPage": 2, "totalPages": 1, "totalElements": 2},
        "data": {"groupedBy": "Queues", "records": [
            {"key": "5686", "info": {"name": "Q5686"},
             "counters": {
                "allCalls": {"valueType": "Instances", "values": q["offered"]},
                "callsByResponse": {"valueType": "Instances", "values": {
                    "answered": q["answered"], "notAnswered": q["abandoned"],
                    "connected": null, "notConnected": null}},
                "callsByQueueSla": {"valueType": "Percent", "values": {
                    "inSla": pct(q["answered_within_sl"], q["answered"]),
                    "outOfSla": pct(q["answered"] - q["answered_within_sl"], q["answered"])}}},
             "timers": {
                "allCalls": {"valueType": "Seconds",
                    "values": q["answer_wait_s"] + q["abandon_wait_s"] + q["talk_s"]}}},
            // An id without rows: a record of zeros, its name unknown.
            {"key": "7000", "info": {"name": null},
             "counters": {
                "allCalls": {"valueType": "Instances", "values": 0},
                "callsByResponse": {"valueType": "Instances", "values": {
                    "answered": 0, "notAnswered": 0, "connected": null, "notConnected": null}},
                "callsByQueueSla": {"valueType": "Percent", "values": {
                    "inSla": null, "outOfSla": null}}},
             "timers": {"allCalls": {"valueType": "Seconds", "values": 0}}}
        ]}
    });
    assert_eq!(got, expected);
    // Only the queue asked for: 5688 has rows but is not listed.
    assert!(want.contains_key("5688"));
}

/// The filters interval reports answer, on the fixture's hand-checked
/// rows: Sales 08:00 + 08:15 = offered 14 + 16, answered 11 + 13,
/// abandoned 2 + 3, within SL 9 + 10, answer waits 180 + 260, abandon
/// waits 40 + 75, talk 1650 + 2080.
#[test]
fn filters_select_the_calls_they_name() {
    let file = fixture("queue_header.csv");
    let file = file.to_str().unwrap();
    let run = |filters: &str| -> Value {
        let (_d, b) = body(&format!(
            r#"{{"grouping": {{"groupBy": "Queues", "ids": ["5686"]}},
                {filters}
                "responseOptions": {{"counters": {{"allCalls": true, "callsByResponse": true}},
                                     "timers": {{"allCallsDuration": true}}}}}}"#
        ));
        let v: Value = serde_json::from_str(&ok(&[
            "rollup",
            file,
            "--request",
            &b,
            "--format",
            "analytics",
        ]))
        .unwrap();
        let r = &v["data"]["records"][0];
        json!([
            r["counters"]["allCalls"]["values"],
            r["counters"]["callsByResponse"]["values"]["answered"],
            r["counters"]["callsByResponse"]["values"]["notAnswered"],
            r["timers"]["allCalls"]["values"],
        ])
    };
    let waits_talk = 180 + 260 + 40 + 75 + 1650 + 2080;
    assert_eq!(run(""), json!([30, 24, 5, waits_talk]));
    assert_eq!(
        run(r#""additionalFilters": {"direction": "Inbound"},"#),
        json!([30, 24, 5, waits_talk])
    );
    // Queue calls are inbound: outbound keeps none.
    assert_eq!(
        run(r#""additionalFilters": {"direction": "Outbound"},"#),
        json!([0, 0, 0, 0])
    );
    assert_eq!(
        run(r#""callFilters": {"callResponse": ["Answered"]},"#),
        json!([24, 24, 0, 180 + 260 + 1650 + 2080])
    );
    assert_eq!(
        run(r#""callFilters": {"callResponse": ["NotAnswered"]},"#),
        json!([5, 0, 5, 40 + 75])
    );
    // Within SL: 19 of the answered; the rows do not split talk by SL, so
    // the duration is null, not 0.
    assert_eq!(
        run(r#""additionalFilters": {"queueSla": "InSla"},"#),
        json!([19, 19, 0, null])
    );
    assert_eq!(
        run(r#""callFilters": {"queueSla": ["OutSla"]},"#),
        json!([5, 5, 0, null])
    );
    // Two values of one filter: either.
    assert_eq!(
        run(r#""callFilters": {"queueSla": ["InSla", "OutSla"]},"#),
        json!([24, 24, 0, null])
    );
}

/// Every key of a request body is honoured or refused with exit 2 naming
/// its JSON path.
#[test]
fn refused_keys_name_their_path() {
    let file = fixture("queue_header.csv");
    let file = file.to_str().unwrap();
    let refused = |text: &str, want: &str| {
        let (_d, b) = body(text);
        let e = usage(&["rollup", file, "--request", &b, "--format", "analytics"]);
        assert!(e.contains(want), "{text}: {e}");
    };
    for (text, want) in [
        (
            r#"{"responseOptions": {"counters": {"allCals": true}}}"#,
            "responseOptions.counters.allCals: unknown key",
        ),
        (
            r#"{"responseOptions": {"timers": {"allCalls": true}}}"#,
            "responseOptions.timers.allCalls: unknown key; expected one of allCallsDuration",
        ),
        (
            r#"{"responseOptions": {"counters": {"callsByOrigin": true}}}"#,
            "responseOptions.counters.callsByOrigin: queue rows cannot answer it",
        ),
        (
            r#"{"responseOptions": {"counters": {"allCalls": {"aggregationType": "Max", "aggregationInterval": "Hour"}}}}"#,
            "timeSettings.timeRange: Average, Min and Max count every aggregationInterval bucket of the range",
        ),
        (
            r#"{"responseOptions": {"counters": {"allCalls": {"aggregationType": "Max", "aggregationInterval": "Minute"}}}}"#,
            "responseOptions.counters.allCalls.aggregationInterval \"Minute\": unknown; expected Hour, Day, Week or Month",
        ),
        (
            r#"{"responseOptions": {"counters": {"allCalls": {"aggregationType": "Median"}}}}"#,
            "aggregationType \"Median\": unknown; expected Sum, Average, Min, Max or Percent",
        ),
        (
            r#"{"responseOptions": {"counters": {"allCalls": {"aggregationType": "Sum", "aggregationInterval": "Day"}}}}"#,
            "responseOptions.counters.allCalls.aggregationInterval: the API takes",
        ),
        (
            r#"{"responseOptions": {"counters": {"allCalls": {"aggregationType": "Sum", "interval": "Day"}}}}"#,
            "responseOptions.counters.allCalls.interval: unknown key",
        ),
        (
            r#"{"interval": "Hour", "responseOptions": {"counters": {"allCalls": {"aggregationType": "Sum"}}}}"#,
            "responseOptions.counters.allCalls: a timeline request (one with an interval) takes true or false",
        ),
        (
            r#"{"additionalFilters": {"origin": "Internal"}}"#,
            "additionalFilters.origin: not answered: neither interval reports nor interaction metadata carry a call's origin",
        ),
        (
            r#"{"callFilters": {"callDuration": {"minValueSeconds": 0, "maxValueSeconds": 200}}}"#,
            "callFilters.callDuration: queue rows carry no per-call attribute to filter on",
        ),
        (
            r#"{"callFilters": {"callDuration": {"minValueSeconds": 20, "maxValueSeconds": 10}}}"#,
            "callFilters.callDuration: minValueSeconds 20 is above maxValueSeconds 10",
        ),
        (
            r#"{"callFilters": {"timeSpent": {"minValueSeconds": -1}}}"#,
            "callFilters.timeSpent.minValueSeconds must be a whole number of seconds >= 0, got -1",
        ),
        (
            r#"{"additionalFilters": {"callResult": "Voicemail"}}"#,
            "additionalFilters.callResult \"Voicemail\": not answered: the exported files cannot tell it (answered: Completed, Abandoned)",
        ),
        (
            r#"{"callFilters": {"callType": ["Transferred"]}}"#,
            "callFilters.callType: queue rows carry no per-call attribute to filter on",
        ),
        (
            r#"{"additionalFilters": {"direction": "Sideways"}}"#,
            "additionalFilters.direction \"Sideways\": unknown; expected Inbound or Outbound",
        ),
        (
            r#"{"callFilters": {"queueSla": ["InSla", 3]}}"#,
            "callFilters.queueSla[1] must be a string",
        ),
        (
            r#"{"callFilters": {"directions": ["Inbound"]}}"#,
            "callFilters.directions: unknown key",
        ),
        (
            r#"{"grouping": {"groupBy": "WholeCompany", "ids": ["5686"]}}"#,
            "grouping.ids: the whole company is one record",
        ),
        (
            r#"{"grouping": {"groupBy": "Queues", "keys": ["5686", "5686"]}}"#,
            "grouping.keys[1]: \"5686\" is listed twice",
        ),
        (
            r#"{"grouping": {"groupBy": "Queues", "ids": ["5686"], "keys": ["5688"]}}"#,
            "grouping.keys: give keys once; grouping.ids already does",
        ),
        (
            r#"{"grouping": {"groupBy": "Users", "groupByMembers": "Department"}}"#,
            "grouping.groupByMembers: give groupBy or groupByMembers, not both",
        ),
        (
            r#"{"grouping": {"groupByMembers": "Departments"}}"#,
            "grouping.groupByMembers \"Departments\": unknown; expected Department, UserGroup, Queue or Site",
        ),
    ] {
        refused(text, want);
    }
    // Agent Extended rows have no service level.
    let agents = fixture("agent_ext_quoted.csv");
    let (_d, b) =
        body(r#"{"grouping": {"groupBy": "Users"}, "additionalFilters": {"queueSla": "InSla"}}"#);
    let e = usage(&["rollup", agents.to_str().unwrap(), "--request", &b]);
    assert!(
        e.contains("additionalFilters.queueSla: agent-ext rows have no service level"),
        "{e}"
    );
}

/// What only an Analytics response can answer is refused in the other
/// formats, and the other way round.
#[test]
fn response_keys_need_the_analytics_format() {
    let file = fixture("queue_header.csv");
    let file = file.to_str().unwrap();
    for (text, key) in [
        (
            r#"{"responseOptions": {"counters": {"allCalls": true}}}"#,
            "responseOptions",
        ),
        (
            r#"{"additionalFilters": {"direction": "Inbound"}}"#,
            "additionalFilters",
        ),
        (
            r#"{"grouping": {"groupBy": "Queues", "ids": ["5686"]}}"#,
            "grouping.ids",
        ),
    ] {
        let (_d, b) = body(text);
        let e = usage(&["rollup", file, "--request", &b]);
        assert!(
            e.contains(&format!(
                "the request's {key} shapes an Analytics response; the csv format"
            )),
            "{e}"
        );
    }
    let e = usage(&["rollup", file, "--page", "2"]);
    assert!(
        e.contains("--page shapes an Analytics response; the csv format"),
        "{e}"
    );
    // Agent Statistics counts no calls.
    let agents = fixture("agent_stats_header.csv");
    let e = usage(&["rollup", agents.to_str().unwrap(), "--format", "analytics"]);
    assert!(e.contains("agent rows count none"), "{e}");
    let agents = fixture("agent_ext_quoted.csv");
    let e = usage(&[
        "rollup",
        agents.to_str().unwrap(),
        "--format",
        "analytics",
        "--by",
        "agent-queue",
    ]);
    assert!(e.contains("no agent-and-queue grouping"), "{e}");
}

/// Paging: 1-based pages of `--per-page` records, with the totals.
#[test]
fn pages_count_from_one_with_totals() {
    let file = fixture("queue_header.csv");
    let file = file.to_str().unwrap();
    let page = |extra: &[&str]| -> Value {
        let mut args = vec![
            "rollup",
            file,
            "--format",
            "analytics",
            "--interval",
            "total",
        ];
        args.extend_from_slice(extra);
        serde_json::from_str(&ok(&args)).unwrap()
    };
    let all = page(&[]);
    assert_eq!(
        all["paging"],
        json!({"page": 1, "perPage": 2, "totalPages": 1, "totalElements": 2})
    );
    let second = page(&["--page", "2", "--per-page", "1"]);
    assert_eq!(
        second["paging"],
        json!({"page": 2, "perPage": 1, "totalPages": 2, "totalElements": 2})
    );
    assert_eq!(
        second["data"]["records"],
        json!([all["data"]["records"][1]])
    );
    let past = page(&["--page", "3", "--per-page", "1"]);
    assert_eq!(past["data"]["records"], json!([]));
    let e = usage(&["rollup", file, "--format", "analytics", "--page", "0"]);
    assert!(e.contains("--page counts from 1, got 0"), "{e}");
}

/// Without a request, `--format analytics` answers every option the
/// report can: Agent Extended rows give allCalls = answered, callsByType
/// fromQueue, talk + wrap and live talk (SPEC 8.3).
#[test]
fn agent_extended_rows_answer_their_four_options() {
    let file = fixture("agent_ext_quoted.csv");
    let file = file.to_str().unwrap();
    let want = csv_by_key(&ok(&[
        "rollup",
        file,
        "--interval",
        "total",
        "--columns",
        "answered,talk_s,wrap_s",
    ]));
    let v: Value = serde_json::from_str(&ok(&[
        "rollup",
        file,
        "--interval",
        "total",
        "--format",
        "analytics",
    ]))
    .unwrap();
    assert_eq!(v["data"]["groupedBy"], "Users");
    let recs = v["data"]["records"].as_array().unwrap();
    assert_eq!(recs.len(), want.len());
    for r in recs {
        let a = &want[r["key"].as_str().unwrap()];
        let counters: Vec<&String> = r["counters"].as_object().unwrap().keys().collect();
        assert_eq!(counters, ["allCalls", "callsByType"]);
        let timers: Vec<&String> = r["timers"].as_object().unwrap().keys().collect();
        assert_eq!(timers, ["allCalls", "callsSegments"]);
        assert_eq!(r["counters"]["allCalls"]["values"], a["answered"]);
        assert_eq!(
            r["counters"]["callsByType"]["values"],
            json!({"direct": null, "fromQueue": a["answered"], "parkRetrieval": null,
                   "transferred": null, "outbound": null})
        );
        assert_eq!(r["timers"]["allCalls"]["values"], a["talk_s"] + a["wrap_s"]);
        assert_eq!(
            r["timers"]["callsSegments"]["values"]["liveTalk"],
            a["talk_s"]
        );
        assert_eq!(r["timers"]["callsSegments"]["values"]["hold"], Value::Null);
    }
}

/// The five request bodies in the shapes of RingCentral's documentation
/// (`fixtures/analytics`), each answered byte for byte as its expected
/// response (computed by hand from the fixture rows, see
/// fixtures/README.md), by `rcx analytics` and by `rcx rollup --request`.
#[test]
fn documentation_bodies_answer_their_expected_responses() {
    for (name, endpoint, data) in [
        ("seed_aggregate", "aggregate", "queue_header.csv"),
        ("seed_timeline", "timeline", "queue_header.csv"),
        ("current_call_filters", "aggregate", "queue_header.csv"),
        ("users_ids", "aggregate", "agent_ext_quoted.csv"),
        ("company", "aggregate", "queue_header.csv"),
    ] {
        let body = fixture(&format!("analytics/{name}.json"));
        let body = body.to_str().unwrap();
        let want =
            std::fs::read_to_string(fixture(&format!("analytics/{name}.expected.json"))).unwrap();
        let data = fixture(data);
        let data = data.to_str().unwrap();
        let mut args = vec!["analytics", endpoint, "--body", body, data];
        if endpoint == "timeline" {
            args.extend(["--interval", "Hour"]);
        }
        assert_eq!(ok(&args), want, "rcx {args:?}");
        let mut args = vec!["rollup", data, "--request", body, "--format", "analytics"];
        if endpoint == "timeline" {
            args.extend(["--interval", "hour"]);
        }
        assert_eq!(ok(&args), want, "rcx {args:?}");
    }
}

/// The endpoint decides what a body's interval means.
#[test]
fn endpoints_check_the_interval() {
    let data = fixture("queue_header.csv");
    let data = data.to_str().unwrap();
    let (_d, b) = body(r#"{"interval": "Day", "grouping": {"groupBy": "Queues"}}"#);
    let e = usage(&["analytics", "aggregate", "--body", &b, data]);
    assert!(
        e.contains("interval: the aggregate endpoint takes no interval"),
        "{e}"
    );
    let e = usage(&[
        "analytics",
        "timeline",
        "--body",
        &b,
        "--interval",
        "Hour",
        data,
    ]);
    assert!(
        e.contains("interval day differs from the endpoint's interval hour"),
        "{e}"
    );
    let e = usage(&[
        "analytics",
        "aggregate",
        "--interval",
        "Hour",
        "--body",
        &b,
        data,
    ]);
    assert!(e.contains("unexpected argument '--interval'"), "{e}");
    let (_d, b) = body(r#"{"grouping": {"groupBy": "Queues"}}"#);
    let e = usage(&["analytics", "timeline", "--body", &b, data]);
    assert!(e.contains("the timeline endpoint needs an interval"), "{e}");
    // The body's interval serves when the endpoint has none.
    let (_d, day) = body(r#"{"interval": "Day", "grouping": {"groupBy": "Queues"}}"#);
    let v: Value =
        serde_json::from_str(&ok(&["analytics", "timeline", "--body", &day, data])).unwrap();
    assert_eq!(
        v["data"]["records"][0]["points"][0]["time"],
        "2024-03-04T00:00:00+00:00"
    );
}

/// A timeline lists every bucket of the request's range, empty ones as
/// zeros: 25 hours on the fall-back day in New York, the repeated 01:00
/// hour twice, and each bucket with rows as the CSV rollup has it.
#[test]
fn a_timeline_lists_every_bucket_of_the_range_dst_exact() {
    let file = fixture("queue_fallback_ny.csv");
    let file = file.to_str().unwrap();
    let (_d, b) = body(
        r#"{"grouping": {"groupBy": "Queues", "ids": ["5686"]},
            "timeSettings": {"timeZone": "America/New_York",
              "timeRange": {"timeFrom": "2024-11-03T00:00:00-04:00", "timeTo": "2024-11-04T00:00:00-05:00"}},
            "responseOptions": {"counters": {"allCalls": true}}}"#,
    );
    let v: Value = serde_json::from_str(&ok(&[
        "analytics",
        "timeline",
        "--interval",
        "Hour",
        "--source-tz",
        "America/New_York",
        "--body",
        &b,
        file,
    ]))
    .unwrap();
    let points = v["data"]["records"][0]["points"].as_array().unwrap();
    assert_eq!(points.len(), 25);
    let times: Vec<&str> = points.iter().map(|p| p["time"].as_str().unwrap()).collect();
    assert_eq!(times[0], "2024-11-03T00:00:00-04:00");
    assert_eq!(times[1], "2024-11-03T01:00:00-04:00");
    assert_eq!(times[2], "2024-11-03T01:00:00-05:00");
    assert_eq!(times[24], "2024-11-03T23:00:00-05:00");
    // The buckets with rows, from the CSV rollup of the same question.
    let csv = ok(&[
        "rollup",
        file,
        "--source-tz",
        "America/New_York",
        "--tz",
        "America/New_York",
        "--interval",
        "hour",
        "--columns",
        "offered",
    ]);
    let mut busy = BTreeMap::new();
    for line in csv.lines().skip(1).filter(|l| l.starts_with("5686,")) {
        let f: Vec<&str> = line.split(',').collect();
        busy.insert(f[2].to_owned(), f[4].parse::<i64>().unwrap());
    }
    assert!(busy.len() >= 2, "{csv}");
    for p in points {
        let t = p["time"].as_str().unwrap();
        let want = busy.get(t).copied().unwrap_or(0);
        assert_eq!(p["counters"]["allCalls"]["values"], want, "{t}");
    }
}

/// `aggregationType` Average, Min and Max are over the
/// `aggregationInterval` buckets of the range, local and DST-exact, every
/// bucket counting (an empty one as 0). `queue_dst_days_ny.csv` has one
/// queue with the same row every 15 minutes of 2024-03-10 (23 hours) and
/// 2024-11-03 (25 hours): 2 offered, 1 answered, 1 abandoned, 20 + 15 s of
/// waits and 120 s of talk a row.
#[test]
fn average_min_and_max_count_every_bucket_of_the_range() {
    let file = fixture("queue_dst_days_ny.csv");
    let file = file.to_str().unwrap();
    let run = |from: &str, to: &str, options: &str| -> Value {
        let (_d, b) = body(&format!(
            r#"{{"grouping": {{"groupBy": "Queues"}},
                "timeSettings": {{"timeZone": "America/New_York",
                  "timeRange": {{"timeFrom": "{from}", "timeTo": "{to}"}}}},
                "responseOptions": {{{options}}}}}"#
        ));
        let v: Value = serde_json::from_str(&ok(&[
            "analytics",
            "aggregate",
            "--source-tz",
            "America/New_York",
            "--body",
            &b,
            file,
        ]))
        .unwrap();
        v["data"]["records"][0].clone()
    };
    let per_hour = r#""counters": {"allCalls": {"aggregationType": "Average", "aggregationInterval": "Hour"}}"#;
    // The fall-back day: 100 rows × 2 offered over 25 hours.
    let r = run(
        "2024-11-03T00:00:00-04:00",
        "2024-11-04T00:00:00-05:00",
        per_hour,
    );
    assert_eq!(
        r["counters"]["allCalls"],
        json!({"valueType": "Instances", "values": per(200, 25)})
    );
    // Without an aggregationInterval: over the rows' own 15-minute
    // intervals, 100 of them on that day.
    let r = run(
        "2024-11-03T00:00:00-04:00",
        "2024-11-04T00:00:00-05:00",
        r#""counters": {"allCalls": {"aggregationType": "Average"}}"#,
    );
    assert_eq!(r["counters"]["allCalls"]["values"], per(200, 100));
    // The spring-forward day: 92 rows × 2 over 23 hours.
    let r = run(
        "2024-03-10T00:00:00-05:00",
        "2024-03-11T00:00:00-04:00",
        per_hour,
    );
    assert_eq!(r["counters"]["allCalls"]["values"], per(184, 23));
    // Three days, one with rows: empty days count as 0.
    let r = run(
        "2024-11-02T00:00:00-04:00",
        "2024-11-05T00:00:00-05:00",
        r#""counters": {
              "allCalls": {"aggregationType": "Average", "aggregationInterval": "Day"},
              "callsByResponse": {"aggregationType": "Max", "aggregationInterval": "Day"}},
           "timers": {
              "allCallsDuration": {"aggregationType": "Min", "aggregationInterval": "Day"},
              "callsDurationByResponse": {"aggregationType": "Max", "aggregationInterval": "Hour"}}"#,
    );
    assert_eq!(r["counters"]["allCalls"]["values"], per(200, 3));
    assert_eq!(
        r["counters"]["callsByResponse"]["values"],
        json!({"answered": 100, "notAnswered": 100, "connected": null, "notConnected": null})
    );
    assert_eq!(
        r["timers"]["allCalls"],
        json!({"valueType": "Seconds", "values": 0})
    );
    // The busiest hour: 4 rows of 20 + 120 s answered, 15 s abandoned.
    assert_eq!(
        r["timers"]["callsByResponse"]["values"],
        json!({"answered": 560, "notAnswered": 60, "connected": null, "notConnected": null})
    );
    // Weeks and months together (weeks do not nest in months): over the
    // range 2024-11-03 (a Sunday) to 2024-11-11, the week of Monday
    // 2024-10-28 holds all 200 calls and the week of 2024-11-04 none; the
    // month of November all of them.
    let r = run(
        "2024-11-03T00:00:00-04:00",
        "2024-11-11T00:00:00-05:00",
        r#""counters": {
              "allCalls": {"aggregationType": "Min", "aggregationInterval": "Week"},
              "callsByResponse": {"aggregationType": "Max", "aggregationInterval": "Month"}}"#,
    );
    assert_eq!(r["counters"]["allCalls"]["values"], 0);
    assert_eq!(r["counters"]["callsByResponse"]["values"]["answered"], 100);
}

/// `QueueAgents`: one record per agent, summed over the queues in `ids`
/// (not a key selection). `agent_ext_quoted.csv`: agent 1001 has Sales
/// (5686) rows of 4 and 5 answered, 600 + 720 s talk, 60 + 80 s wrap;
/// 1002 a Sales row of 3 answered, 450 s, 45 s and a Support (5688) row
/// of 2 answered, 300 s, 30 s.
#[test]
fn queue_agents_sums_each_agent_over_the_queues_asked() {
    let file = fixture("agent_ext_quoted.csv");
    let file = file.to_str().unwrap();
    let run = |ids: &str| -> Vec<(String, Value, Value)> {
        let (_d, b) = body(&format!(
            r#"{{"grouping": {{"groupBy": "QueueAgents", "ids": {ids}}},
                "responseOptions": {{"counters": {{"allCalls": true}},
                                     "timers": {{"allCallsDuration": true}}}}}}"#
        ));
        let v: Value =
            serde_json::from_str(&ok(&["analytics", "aggregate", "--body", &b, file])).unwrap();
        assert_eq!(v["data"]["groupedBy"], "QueueAgents");
        v["data"]["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["key"].as_str().unwrap().to_owned(),
                    r["counters"]["allCalls"]["values"].clone(),
                    r["timers"]["allCalls"]["values"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(
        run(r#"["5686"]"#),
        [
            ("1001".to_owned(), json!(9), json!(600 + 720 + 60 + 80)),
            ("1002".to_owned(), json!(3), json!(450 + 45)),
        ]
    );
    assert_eq!(
        run(r#"["5688"]"#),
        [("1002".to_owned(), json!(2), json!(300 + 30))]
    );
    // groupByMembers Queue (current endpoints) is the same question.
    let (_d, b) = body(
        r#"{"grouping": {"groupByMembers": "Queue", "keys": ["5688"]},
            "responseOptions": {"counters": {"allCalls": true}}}"#,
    );
    let v: Value =
        serde_json::from_str(&ok(&["analytics", "aggregate", "--body", &b, file])).unwrap();
    assert_eq!(v["data"]["groupedBy"], "Users");
    assert_eq!(
        v["data"]["records"],
        json!([{"key": "1002", "info": {"name": "O\"Brien, Pat"},
                "counters": {"allCalls": {"valueType": "Instances", "values": 2}}, "timers": {}}])
    );
    assert_eq!(
        run(r#"["5686", "5688"]"#),
        [
            ("1001".to_owned(), json!(9), json!(1460)),
            ("1002".to_owned(), json!(5), json!(825)),
        ]
    );
}

/// A `timeRange` bound off the rows' 15-minute grid keeps each row whole
/// by its start, and says how many rows straddle a bound (SPEC 8.1): from
/// 08:10 drops the two 08:00 rows, to 08:20 keeps the two 08:15 rows.
#[test]
fn bounds_off_the_row_grid_are_kept_exactly_and_said() {
    let file = fixture("queue_header.csv");
    let (_d, b) = body(
        r#"{"grouping": {"groupBy": "Queues", "ids": ["5686"]},
            "timeSettings": {"timeRange": {"timeFrom": "2024-03-04T08:10:00Z", "timeTo": "2024-03-04T08:20:00Z"}}}"#,
    );
    let o = rcx(&[
        "analytics",
        "aggregate",
        "--body",
        &b,
        file.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("rcx: warning: 4 row(s) straddle a --from/--to bound"),
        "{}",
        stderr(&o)
    );
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    // Sales 08:15 only: 15 direct + 1 overflow in.
    assert_eq!(
        v["data"]["records"][0]["counters"]["allCalls"]["values"],
        16
    );
}

/// `--analytics-version legacy` writes the legacy endpoint's envelope:
/// `data` a list of `{key, keyInfo, …}`, the segment breakdown's legacy
/// names (`holds`, `parks`, `transfers`, `ivrPrompts`, `vmGreetings`), and
/// a timeline without `paging`; the values are the current response's.
#[test]
fn the_legacy_envelope_holds_the_same_values() {
    let legacy_names = |v: &mut Value| {
        let rename = [
            ("hold", "holds"),
            ("park", "parks"),
            ("transfer", "transfers"),
            ("ivrPrompt", "ivrPrompts"),
            ("vmGreeting", "vmGreetings"),
        ];
        let seg = v.pointer_mut("/timers/callsSegments/values");
        if let Some(m) = seg.and_then(Value::as_object_mut) {
            for (from, to) in rename {
                let x = m.remove(from).unwrap();
                m.insert(to.to_owned(), x);
            }
        }
    };
    for (name, endpoint, data) in [
        ("users_ids", "aggregate", "agent_ext_quoted.csv"),
        ("seed_timeline", "timeline", "queue_header.csv"),
    ] {
        let b = fixture(&format!("analytics/{name}.json"));
        let d = fixture(data);
        let run = |version: &str| -> Value {
            let mut args = vec![
                "analytics",
                endpoint,
                "--analytics-version",
                version,
                "--body",
                b.to_str().unwrap(),
                d.to_str().unwrap(),
            ];
            if endpoint == "timeline" {
                args.extend(["--interval", "Hour"]);
            }
            serde_json::from_str(&ok(&args)).unwrap()
        };
        let current = run("current");
        let mut want: Vec<Value> = current["data"]["records"].as_array().unwrap().clone();
        for r in &mut want {
            let m = r.as_object_mut().unwrap();
            let info = m.remove("info").unwrap();
            m.insert("keyInfo".to_owned(), info);
            legacy_names(r);
            if let Some(points) = r.get_mut("points").and_then(Value::as_array_mut) {
                points.iter_mut().for_each(legacy_names);
            }
        }
        let legacy = run("legacy");
        assert_eq!(legacy["data"], Value::Array(want), "{name}");
        if endpoint == "timeline" {
            assert_eq!(
                legacy.as_object().unwrap().keys().collect::<Vec<_>>(),
                ["data"]
            );
        } else {
            assert_eq!(legacy["paging"], current["paging"]);
        }
    }
    let e = usage(&[
        "rollup",
        fixture("queue_header.csv").to_str().unwrap(),
        "--analytics-version",
        "legacy",
    ]);
    assert!(
        e.contains("--analytics-version shapes an Analytics response"),
        "{e}"
    );
}

/// Departments, Sites and user groups come from an agent map in which an
/// agent may be in several groups (counted in each, and said); the
/// *Members groupings give one record per agent of the groups in `ids`.
/// `agent_ext_quoted.csv`: agent 1001 answered 4 + 5, agent 1002 3 + 2.
#[test]
fn departments_count_an_agent_in_each_of_its_groups() {
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("departments.csv");
    std::fs::write(&map, "id,department\n1001,East\n1002,East\n1002,West\n").unwrap();
    let map = map.to_str().unwrap();
    let file = fixture("agent_ext_quoted.csv");
    let file = file.to_str().unwrap();
    let run = |group_by: &str, ids: &str| -> (Value, String) {
        let (_d, b) = body(&format!(
            r#"{{"grouping": {{"groupBy": "{group_by}", "ids": {ids}}},
                "responseOptions": {{"counters": {{"allCalls": true}}}}}}"#
        ));
        let o = rcx(&[
            "analytics",
            "aggregate",
            "--departments",
            map,
            "--body",
            &b,
            file,
        ]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
        let got = v["data"]["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| json!([r["key"], r["counters"]["allCalls"]["values"]]))
            .collect();
        (got, stderr(&o))
    };
    let (got, err) = run("Departments", "[]");
    assert_eq!(got, json!([["East", 9 + 5], ["West", 5]]));
    assert!(
        err.contains("1 id(s) of the --agent-groups map are in more than one group"),
        "{err}"
    );
    let (got, _) = run("DepartmentMembers", r#"["West"]"#);
    assert_eq!(got, json!([["1002", 5]]));
    let (got, _) = run("DepartmentMembers", r#"["East"]"#);
    assert_eq!(got, json!([["1001", 9], ["1002", 5]]));
    // The current endpoints' groupByMembers is the same grouping, its
    // response grouped by users.
    let (_d, b) = body(
        r#"{"grouping": {"groupByMembers": "Department", "keys": ["West"]},
            "responseOptions": {"counters": {"allCalls": true}}}"#,
    );
    let v: Value = serde_json::from_str(&ok(&[
        "analytics",
        "aggregate",
        "--departments",
        map,
        "--body",
        &b,
        file,
    ]))
    .unwrap();
    assert_eq!(v["data"]["groupedBy"], "Users");
    assert_eq!(v["data"]["records"][0]["key"], "1002");
    assert_eq!(v["data"]["records"][0]["counters"]["allCalls"]["values"], 5);
    assert_eq!(v["data"]["records"].as_array().unwrap().len(), 1);
    // Without a map, the members of a group are unknown.
    let (_d, b) = body(r#"{"grouping": {"groupBy": "SiteMembers", "ids": ["North"]}}"#);
    let e = usage(&["analytics", "aggregate", "--body", &b, file]);
    assert!(
        e.contains("grouping.groupBy \"SiteMembers\" needs --agent-groups"),
        "{e}"
    );
}

/// Average, Min and Max without an aggregationInterval are over the rows'
/// own intervals, which must then be of one length.
#[test]
fn native_averages_need_rows_of_one_length() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("q.csv");
    let header = std::fs::read_to_string(fixture("queue_header.csv")).unwrap();
    let header = header.lines().next().unwrap();
    std::fs::write(
        &data,
        format!(
            "{header}\n15,20240304,08:00,5686,Sales,1,0,0,0,1,10,0,60,5,10,0,1,30,0,0\n\
             60,20240304,09:00,5686,Sales,1,0,0,0,1,10,0,60,5,10,0,1,30,0,0\n"
        ),
    )
    .unwrap();
    let (_d, b) = body(
        r#"{"timeSettings": {"timeRange": {"timeFrom": "2024-03-04T00:00:00Z", "timeTo": "2024-03-05T00:00:00Z"}},
            "responseOptions": {"counters": {"allCalls": {"aggregationType": "Max"}}}}"#,
    );
    let e = usage(&[
        "analytics",
        "aggregate",
        "--body",
        &b,
        data.to_str().unwrap(),
    ]);
    assert!(e.contains("these rows last [15, 60] minutes"), "{e}");
}

/// A request over interaction metadata is refused by name, not answered
/// from something else.
#[test]
fn a_rollup_of_segment_files_is_refused_and_points_to_the_calls() {
    let (_d, b) = body(r#"{"grouping": {"groupBy": "Queues"}}"#);
    let seg = fixture("segments_timeline.ndjson");
    let seg = seg.to_str().unwrap();
    let e = usage(&["rollup", seg, "--request", &b, "--format", "analytics"]);
    assert!(e.contains("use rcx analytics, rcx calls"), "{e}");
    // rcx analytics answers through the calls, and refuses by name the
    // groupings interaction metadata cannot give.
    let e = usage(&["analytics", "aggregate", "--body", &b, seg]);
    assert!(
        e.contains("grouping.groupBy \"Queues\": interaction metadata answers Users"),
        "{e}"
    );
}

/// A key with more buckets than one piece of a record (the writer hands a
/// long key on in pieces, so that memory does not grow with its points):
/// its timeline still lists every hour of the range once, in order, each
/// with the calls of that hour, and its aggregate still sums them all.
/// One queue, a row every 15 minutes for 200 days (4,800 hours), with
/// every seventh hour missing; the range starts a day before the rows and
/// ends a day after them.
#[test]
fn a_key_of_thousands_of_buckets_lists_each_once_in_order() {
    use std::fmt::Write as _;
    let header = "interval,date_from,time,queue,queue_name,offd_direct_call_cnt,\
        overflow_in_call_cnt,aband_call_cnt,overflow_out_call_cnt,answ_call_cnt,\
        queued_and_answ_call_dur,queued_and_aband_call_dur,talking_call_dur,wrap_up_dur,\
        queued_answ_longest_que_dur,queued_aband_longest_que_dur,ans_servicelevel_cnt,\
        wait_dur,aband_short_call_cnt,aband_within_sl_cnt";
    let first = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let mut csv = format!("{header}\n");
    // Calls per hour since the first row's, by hand.
    let mut want: BTreeMap<i64, i64> = BTreeMap::new();
    for q in 0..200 * 96i64 {
        let hour = q / 4;
        if hour % 7 == 3 {
            continue;
        }
        let offered = q % 5 + 1;
        *want.entry(hour).or_default() += offered;
        let t = first.and_hms_opt(0, 0, 0).unwrap() + chrono::Duration::minutes(15 * q);
        writeln!(
            csv,
            "15,{},{},7,Q7,{offered},0,0,0,{offered},0,0,0,0,0,0,{offered},0,0,0",
            t.format("%Y%m%d"),
            t.format("%H:%M")
        )
        .unwrap();
    }
    let (_d, file) = crate::util::temp_file("long_key.csv", csv.as_bytes());
    let file = file.to_str().unwrap();
    let (_b, b) = body(
        r#"{"grouping": {"groupBy": "Queues"},
            "timeSettings": {"timeZone": "UTC",
              "timeRange": {"timeFrom": "2023-12-31T00:00:00Z", "timeTo": "2024-07-20T00:00:00Z"}},
            "responseOptions": {"counters": {"allCalls": true}}}"#,
    );
    let v: Value = serde_json::from_str(&ok(&[
        "analytics",
        "timeline",
        "--interval",
        "Hour",
        "--body",
        &b,
        file,
    ]))
    .unwrap();
    let records = v["data"]["records"].as_array().unwrap();
    assert_eq!(records.len(), 1);
    let points = records[0]["points"].as_array().unwrap();
    // 2023-12-31 to 2024-07-20: 202 days of hours.
    assert_eq!(points.len(), 202 * 24);
    let day_before = chrono::DateTime::parse_from_rfc3339("2023-12-31T00:00:00Z").unwrap();
    for (i, p) in points.iter().enumerate() {
        let t = day_before + chrono::Duration::hours(i as i64);
        assert_eq!(
            p["time"],
            t.format("%Y-%m-%dT%H:%M:%S+00:00").to_string(),
            "point {i}"
        );
        let hour = i as i64 - 24;
        let calls = want.get(&hour).copied().unwrap_or(0);
        assert_eq!(p["counters"]["allCalls"]["values"], calls, "point {i}");
    }
    let v: Value =
        serde_json::from_str(&ok(&["analytics", "aggregate", "--body", &b, file])).unwrap();
    assert_eq!(
        v["data"]["records"][0]["counters"]["allCalls"]["values"],
        want.values().sum::<i64>()
    );
}
