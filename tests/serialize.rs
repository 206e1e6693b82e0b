//! The `serde` feature: an embedder's `serde_json::to_value(&x)` of a row,
//! segment, diagnostic, timeline, interaction, calls table or rollup equals
//! what `rcx` prints as JSON for the same input (both sides read as
//! `serde_json::Value`), and keys come in the order `rcx` prints them.

use std::fmt;

use ringcx_reports::rollup::{Grouping, Rollup};
use ringcx_reports::timeline::{Interactions, Timeline};
use ringcx_reports::validate::Validator;
use ringcx_reports::window::BucketInterval;
use ringcx_reports::{AgentExtRow, AgentRow, IntervalRow, QueueRow, Segment};
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

use crate::util::{builder, code, fixture, rcx, stdout};

/// The keys of a JSON object, in the order written.
fn keys_in_order(json: &str) -> Vec<String> {
    struct Keys;
    impl<'de> Visitor<'de> for Keys {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Vec<String>, A::Error> {
            let mut keys = Vec::new();
            while let Some((k, IgnoredAny)) = m.next_entry::<String, IgnoredAny>()? {
                keys.push(k);
            }
            Ok(keys)
        }
    }
    serde_json::Deserializer::from_str(json)
        .deserialize_map(Keys)
        .expect("a JSON object")
}

/// The lines `rcx parse` prints for a fixture (NDJSON), as values and raw.
fn parse_lines(name: &str, tz: &str) -> Vec<(Value, String)> {
    let path = fixture(name);
    let o = rcx(&["parse", "--source-tz", tz, path.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "rcx parse {name}");
    stdout(&o)
        .lines()
        .map(|l| (serde_json::from_str(l).expect("NDJSON line"), l.to_owned()))
        .collect()
}

fn rows_match_parse<T: IntervalRow + serde::Serialize>(name: &str, tz: &str) -> Vec<Value> {
    let mut reader = builder(tz).from_path(fixture(name)).expect("open");
    let rows: Vec<T> = reader.rows::<T>().collect::<Result<_, _>>().expect("rows");
    let printed = parse_lines(name, tz);
    assert_eq!(rows.len(), printed.len(), "{name}: one line per row");
    let mut mine = Vec::new();
    for (row, (value, line)) in rows.iter().zip(&printed) {
        let text = serde_json::to_string(row).expect("serialize");
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(&v, value, "{name}: {line}");
        assert_eq!(
            keys_in_order(&text),
            keys_in_order(line),
            "{name}: key order"
        );
        mine.push(v);
    }
    mine
}

#[test]
fn interval_rows_serialize_as_rcx_parse_prints_them() {
    let q = rows_match_parse::<QueueRow>("queue_header.csv", "America/New_York");
    assert_eq!(q[0]["queue"], "5686");
    assert_eq!(q[0]["interval"], 15);
    assert_eq!(q[0]["date_from"], "2024-03-04");
    assert_eq!(q[0]["start"], "2024-03-04T08:00:00-05:00");
    rows_match_parse::<QueueRow>("queue_fallback_ny.csv", "America/New_York");
    rows_match_parse::<AgentExtRow>("agent_ext_cross.csv", "UTC");
    rows_match_parse::<AgentRow>("agent_stats_header.csv", "UTC");
    rows_match_parse::<QueueRow>("queue.json", "UTC");
    // The Teleopti layout's decimal: 4.5 a float, 5 an integer, as printed.
    let t = rows_match_parse::<QueueRow>("queue_teleopti21.csv", "UTC");
    assert_eq!(t[0]["avg_avail_member_cnt"], 4.5);
    assert_eq!(t[1]["avg_avail_member_cnt"], 5);
    assert_eq!(t[0]["completed_contacts"], Value::Null);
}

#[test]
fn segments_serialize_as_rcx_parse_prints_them() {
    for name in [
        "segments_mixed.ndjson",
        "segments_ivr_bot.ndjson",
        "segments_timeline.ndjson",
    ] {
        let mut reader = builder("UTC").from_path(fixture(name)).expect("open");
        let segs: Vec<Segment> = reader
            .segments()
            .collect::<Result<_, _>>()
            .expect("segments");
        let printed = parse_lines(name, "UTC");
        assert_eq!(segs.len(), printed.len(), "{name}");
        for (s, (value, line)) in segs.iter().zip(&printed) {
            let text = serde_json::to_string(s).expect("serialize");
            assert_eq!(
                &serde_json::from_str::<Value>(&text).unwrap(),
                value,
                "{line}"
            );
            let keys = keys_in_order(&text);
            assert_eq!(keys, keys_in_order(line));
            assert_eq!(
                keys,
                Segment::FIELDS,
                "{name}: the canonical fields in order"
            );
        }
    }
}

#[test]
fn diagnostics_serialize_as_rcx_validate_prints_them() {
    for name in [
        "invalid/q201_sl_exceeds_answered.csv",
        "invalid/f401_duplicate_key.csv",
        "invalid/a302_time_without_calls.csv",
        "queue_duplicate.csv",
    ] {
        let path = format!("fixtures/{name}");
        let o = rcx(&["validate", "--format", "json", &path]);
        let printed: Value = serde_json::from_slice(&o.stdout).expect("JSON array");
        let report = Validator::new()
            .validate_paths(&[std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(&path)])
            .expect("validate");
        assert!(!report.diagnostics.is_empty(), "{name} has findings");
        let mut mine = serde_json::to_value(&report.diagnostics).expect("serialize");
        // The library was given an absolute path, rcx the relative one.
        for d in mine.as_array_mut().unwrap() {
            d["file"] = Value::String(path.clone());
        }
        assert_eq!(mine, printed, "{name}");
        let first = serde_json::to_string(&report.diagnostics[0]).unwrap();
        assert_eq!(
            keys_in_order(&first),
            ["severity", "code", "file", "line", "column", "message", "value"]
        );
    }
}

#[test]
fn a_diagnostic_is_a_flat_object_of_its_parts() {
    use ringcx_reports::{Code, Diagnostic, Location, Position, Severity};
    let d = Diagnostic::new(
        Code::Negative,
        Location::new("q.csv", Position::new(40, 3, 1)).with_field("answ_call_cnt"),
        "expected a non-negative integer\u{8}",
        None,
    );
    assert_eq!(
        serde_json::to_value(&d).unwrap(),
        serde_json::json!({"severity": "error", "code": "V102", "file": "q.csv", "line": 3,
            "column": "answ_call_cnt", "message": "expected a non-negative integer\u{8}",
            "value": null})
    );
    assert_eq!(serde_json::to_value(Severity::Warning).unwrap(), "warning");
    assert_eq!(
        serde_json::to_value(&d.location).unwrap(),
        serde_json::json!({"file": "q.csv", "pos": {"byte": 40, "line": 3, "record": 1},
            "field": "answ_call_cnt"})
    );
}

#[test]
fn timelines_and_interactions_serialize_as_rcx_prints_them() {
    let name = "segments_timeline.ndjson";
    let path = format!("fixtures/{name}");
    for (by, interval) in [("agent", "hour"), ("all", "15m")] {
        let o = rcx(&[
            "timeline",
            "--format",
            "json",
            "--by",
            by,
            "--interval",
            interval,
            &path,
        ]);
        assert_eq!(code(&o), 0);
        let printed: Value = serde_json::from_slice(&o.stdout).unwrap();
        let mut reader = builder("UTC").from_path(fixture(name)).unwrap();
        let table = Timeline::new()
            .by(by.parse().unwrap())
            .interval(interval.parse().unwrap())
            .run_segments(reader.segments())
            .unwrap();
        assert_eq!(serde_json::to_value(&table).unwrap(), printed, "--by {by}");
        // A record alone: its keys as a list, the rest as printed.
        let cols = table.key_columns();
        for (r, p) in table.records().iter().zip(printed.as_array().unwrap()) {
            let mut p = p.as_object().unwrap().clone();
            let keys: Vec<Value> = cols.iter().map(|c| p.remove(*c).unwrap()).collect();
            p.insert("keys".into(), Value::Array(keys));
            assert_eq!(serde_json::to_value(r).unwrap(), Value::Object(p));
        }
    }
    let o = rcx(&["interactions", "--format", "json", &path]);
    assert_eq!(code(&o), 0);
    let printed: Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut reader = builder("UTC").from_path(fixture(name)).unwrap();
    let set = Interactions::from_segments(reader.segments(), false).unwrap();
    assert_eq!(serde_json::to_value(&set).unwrap(), printed);
    assert!(printed[0]["handle_s"].is_number());
}

#[test]
fn calls_tables_serialize_as_rcx_calls_prints_them() {
    let path = "fixtures/calls/segments_calls.ndjson";
    for by in ["agent", "direction", "all"] {
        let o = rcx(&["calls", "--format", "json", "--by", by, path]);
        assert_eq!(code(&o), 0);
        let printed: Value = serde_json::from_slice(&o.stdout).unwrap();
        let mut reader = builder("UTC")
            .from_path(fixture("calls/segments_calls.ndjson"))
            .unwrap();
        let table = ringcx_reports::calls::Calls::new()
            .by(by.parse().unwrap())
            .run_segments(reader.segments())
            .unwrap();
        assert_eq!(serde_json::to_value(&table).unwrap(), printed, "--by {by}");
        assert!(printed[0]["asa_s"].is_number() || printed[0]["asa_s"].is_null());
    }
}

#[test]
fn rollup_tables_serialize_as_rcx_rollup_prints_them() {
    for (name, tz, by, interval) in [
        ("queue_header.csv", "UTC", "queue", "hour"),
        ("queue_dst_days_ny.csv", "America/New_York", "all", "day"),
        ("agent_stats_header.csv", "UTC", "agent", "week"),
        ("agent_ext_cross.csv", "UTC", "agent", "15m"),
    ] {
        let path = format!("fixtures/{name}");
        let o = rcx(&[
            "rollup",
            "--format",
            "json",
            "--source-tz",
            tz,
            "--by",
            by,
            "--interval",
            interval,
            &path,
        ]);
        assert_eq!(code(&o), 0, "{name}");
        let printed: Value = serde_json::from_slice(&o.stdout).unwrap();
        let table = Rollup::new()
            .by(by.parse::<Grouping>().unwrap())
            .interval(interval.parse::<BucketInterval>().unwrap())
            .source_tz(tz.parse().unwrap())
            .run_files(&[fixture(name)], &builder(tz))
            .unwrap();
        assert_eq!(serde_json::to_value(&table).unwrap(), printed, "{name}");
        assert!(!printed.as_array().unwrap().is_empty());
    }
}
