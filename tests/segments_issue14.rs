//! Issue 14, the segment items: exact lines of JSON and XML values (5),
//! segment direction (6), the segment span limit and bounded bucket
//! splitting (11), and `rcx parse` refusing T601 and T602 (4).
//!
//! Expected lines are found in the test's own text (the line holding a
//! marker), never taken from the code under test.

use std::time::Duration;

use chrono::{TimeZone, Utc};
use ringcx_reports::model::instant_from_millis;
use ringcx_reports::rollup::Rollup;
use ringcx_reports::timeline::{Interactions, Timeline, TimelineBy};
use ringcx_reports::validate::Validator;
use ringcx_reports::window::{BucketInterval, TimeBound};
use ringcx_reports::{Code, QueueRow, ReaderBuilder, Segment};

use crate::util::{code, rcx, stderr, stdout, temp_file};

/// The 1-based line of the first occurrence of `marker` in `text`.
fn line_of(text: &str, marker: &str) -> u64 {
    let at = text.find(marker).unwrap_or_else(|| panic!("no {marker:?}"));
    text[..at].matches('\n').count() as u64 + 1
}

/// The 1-based line of the `n`-th (from 1) occurrence of `marker`.
fn nth_line_of(text: &str, marker: &str, n: usize) -> u64 {
    let (at, _) = text
        .match_indices(marker)
        .nth(n - 1)
        .unwrap_or_else(|| panic!("no {n}th {marker:?}"));
    text[..at].matches('\n').count() as u64 + 1
}

/// (code, line, field) of each finding of a validation of `text`, but
/// the warnings about absent counts (V111).
fn validate(name: &str, text: &str) -> Vec<(Code, u64, String)> {
    let r = Validator::new()
        .validate_opened(ReaderBuilder::new().from_bytes(name, text.as_bytes().to_vec()))
        .expect("validation runs");
    r.diagnostics
        .iter()
        .filter(|d| d.code != Code::AbsentValue)
        .map(|d| {
            (
                d.code,
                d.location.pos.line(),
                d.location.field.as_deref().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn f(code: Code, line: u64, field: &str) -> (Code, u64, String) {
    (code, line, field.to_string())
}

// ---- 5: exact lines of JSON and XML values ------------------------------

/// A pretty-printed queue export: the second record's `answIxnCnt` is not
/// a number, written on the line after its key, below a name holding an
/// escaped line break (which is not a line of the file).
const PRETTY_QUEUES: &str = r#"[
  {
    "interval": 15,
    "dateTimeFrom": "03-04-2024T08:00:00",
    "queue": 5686,
    "queueName": "Sales",
    "answIxnCnt": 11
  },
  {
    "interval": 15,
    "dateTimeFrom": "03-04-2024T08:15:00",
    "queue": 5686,
    "queueName": "Sales\nEMEA \"north\" {[,:]}",
    "answIxnCnt":
      "x"
  }
]
"#;

#[test]
fn a_json_value_error_names_the_line_of_the_value() {
    let line = line_of(PRETTY_QUEUES, r#""x""#);
    assert_eq!(line, 15);
    // Library: the reader's error.
    let mut r = ReaderBuilder::new()
        .from_bytes("q.json", PRETTY_QUEUES.into())
        .expect("open");
    let mut row = QueueRow::default();
    assert!(r.read_row(&mut row).expect("first row"));
    let e = r.read_row(&mut row).expect_err("a bad count");
    assert_eq!(e.code(), Some(Code::NotANumber));
    let loc = e.location().expect("located");
    assert_eq!(loc.pos.line(), line);
    assert_eq!(loc.field.as_deref(), Some("answ_call_cnt"));
    // CLI: parse and validate name the same line.
    let (_d, p) = temp_file("q.json", PRETTY_QUEUES.as_bytes());
    let path = p.to_str().expect("utf-8 path");
    let want = format!("{path}:{line}: error[V101] answ_call_cnt:");
    let o = rcx(&["parse", path]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains(&want), "{}", stderr(&o));
    let o = rcx(&["validate", path]);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains(&want), "{}", stdout(&o));
    // The chunked parallel rollup reports the same line at any chunk size.
    for size in [1, 40, 200, 1 << 20] {
        let e = Rollup::new()
            .chunk_size(size)
            .run_files(&[&p], &ReaderBuilder::new())
            .expect_err("bad count");
        assert!(e.to_string().starts_with(&want), "chunk {size}: {e}");
    }
}

#[test]
fn ndjson_and_concatenated_objects_name_the_line_of_the_value() {
    // NDJSON, one object per line: the value's line is the record's.
    let text = "{\"interval\": 15, \"dateTimeFrom\": \"03-04-2024T08:00:00\", \"queue\": 1}\n\
                {\"interval\": 15, \"dateTimeFrom\": \"03-04-2024T08:00:00\", \"queue\": 2, \"answIxnCnt\": -3}\n";
    assert_eq!(
        validate("q.ndjson", text),
        [f(Code::Negative, 2, "answ_call_cnt")]
    );
    // Objects one after another, spread over lines.
    let text = "{\"interval\": 15, \"dateTimeFrom\": \"03-04-2024T08:00:00\", \"queue\": 1}\n\
                {\"interval\": 15,\n \"dateTimeFrom\": \"03-04-2024T08:00:00\",\n \"queue\": 2,\n \"answIxnCnt\":\n\n -3}\n\
                {\"interval\": 15, \"dateTimeFrom\":\n \"03-04-2024T08:10:00\", \"queue\": 3}\n";
    assert_eq!(
        validate("q.ndjson", text),
        [
            f(Code::Negative, line_of(text, "-3"), "answ_call_cnt"),
            f(Code::OffGrid, line_of(text, "08:10"), "date_time_from"),
        ]
    );
    assert_eq!(line_of(text, "-3"), 7);
}

#[test]
fn interval_row_findings_name_the_line_of_their_value() {
    // Q201 on a count written on the line after its key, V111 on a null,
    // F401 on the second row's start.
    let text = r#"[
  {
    "interval": 15,
    "dateTimeFrom": "03-04-2024T08:00:00",
    "queue": 5686,
    "answIxnCnt": 3,
    "ansServicelevelCnt":
      5,
    "waitDur": null
  },
  {"interval": 15,
   "dateTimeFrom": "03-04-2024T08:00:00", "queue": 5686, "waitDur": 0}
]
"#;
    let r = Validator::new()
        .validate_opened(ReaderBuilder::new().from_bytes("q.json", text.into()))
        .expect("runs");
    let found: Vec<(Code, u64, &str)> = r
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.code,
                d.location.pos.line(),
                d.location.field.as_deref().unwrap_or(""),
            )
        })
        .filter(|&(c, _, f)| c != Code::AbsentValue || f == "wait_dur")
        .collect();
    assert_eq!(
        found,
        [
            (
                Code::SlExceedsAnswered,
                line_of(text, "      5,"),
                "ans_servicelevel_cnt"
            ),
            (Code::AbsentValue, line_of(text, "null"), "wait_dur"),
            (
                Code::DuplicateKey,
                nth_line_of(text, "\"03-04-2024T08:00:00\"", 2),
                "date_time_from"
            ),
        ]
    );
    assert_eq!(found.iter().map(|f| f.1).collect::<Vec<_>>(), [8, 9, 12]);
    // XML elements: the line of the element holding the value.
    let text = "<export>\n <row>\n  <interval>15</interval>\n  <date_from>20240304</date_from>\n  \
                <time>08:00</time>\n  <queue>1</queue>\n  <answIxnCnt>3</answIxnCnt>\n  \
                <ansServicelevelCnt>5</ansServicelevelCnt>\n  <waitDur>0</waitDur>\n </row>\n</export>\n";
    assert_eq!(
        validate("q.xml", text),
        [f(Code::SlExceedsAnswered, 8, "ans_servicelevel_cnt")]
    );
}

/// Pretty-printed v2 segments: findings about a field name the line of its
/// value.
fn pretty_segments() -> String {
    r#"[
  {
    "interactionId": 1,
    "interactionStartTimeMs": "2024-07-22T09:00:00Z",
    "interactionDurationMs": 60000,
    "interactionDirection": "INBOUND",
    "segmentID": 1,
    "segmentAgentId": 7,
    "segmentContactStartTimeMs": "2024-07-22T09:00:05Z",
    "segmentContactEndTimeMs":
      "2024-07-22T09:01:30Z",
    "segmentDuration": 85,
    "segmentEvents": [
      {
        "eventTimeMs": "2024-07-22T09:00:05Z",
        "eventType": "REC_START"
      },
      {
        "eventTimeMs": "2024-07-22T09:00:10Z",
        "eventType": "REC_STOP"
      },
      {
        "eventTimeMs": "2024-07-22T09:00:20Z",
        "eventType":
          "REC_STOP"
      }
    ]
  },
  {
    "interactionId": 2,
    "interactionDirection": "OUTBOUND",
    "segmentID": 1,
    "segmentAgentId": 8,
    "segmentContactStartTimeMs": "2024-07-22T10:00:00Z",
    "segmentContactEndTimeMs": "2024-07-22T10:00:10Z",
    "segmentDuration":
      20
  }
]
"#
    .to_string()
}

#[test]
fn segment_findings_name_the_line_of_their_value() {
    let text = pretty_segments();
    let found = validate("m.json", &text);
    assert_eq!(
        found,
        [
            // The segment ends 30 s after its interaction.
            f(
                Code::SegmentOutsideInteraction,
                line_of(&text, "\"2024-07-22T09:01:30Z\""),
                "segment_end"
            ),
            // The third event, an orphan REC_STOP: its type's line.
            f(
                Code::EventsUnpaired,
                line_of(&text, "          \"REC_STOP\""),
                "events"
            ),
            // 20 s against 10 s.
            f(
                Code::DurationMismatch,
                line_of(&text, "      20\n"),
                "segment_duration_ms"
            ),
        ]
    );
    assert_eq!(found.iter().map(|x| x.1).collect::<Vec<_>>(), [11, 25, 37]);
}

#[test]
fn segment_errors_name_the_line_of_their_value() {
    // One error per segment: T601 (end on the line after its key), V113 (a
    // direction), a bad event time, T602 (a repeated segment id).
    let text = r#"[
{"interactionId": 1, "segmentID": 1,
 "segmentContactStartTimeMs": "2024-03-04T10:02:00Z",
 "segmentContactEndTimeMs":
   "2024-03-04T10:01:00Z"},
{"interactionId": 2, "segmentID": 1,
 "interactionDirection":
   "SIDEWAYS"},
{"interactionId": 3, "segmentID": 1, "segmentEvents": [
   {"eventType": "REC_START", "eventTimeMs": "2024-03-04T10:00:00Z"},
   {"eventType": "REC_STOP",
    "eventTimeMs": "yesterday"}]},
{"interactionId": 4, "segmentID": 1},
{"interactionId": 4,
 "segmentID": 1}
]
"#;
    assert_eq!(
        validate("m.json", text),
        [
            f(
                Code::SegmentEndBeforeStart,
                line_of(text, "\"2024-03-04T10:01:00Z\""),
                "segment_end"
            ),
            f(Code::BadValue, line_of(text, "\"SIDEWAYS\""), "direction"),
            f(
                Code::BadValue,
                line_of(text, "\"yesterday\""),
                "events.time"
            ),
            f(
                Code::DuplicateSegment,
                nth_line_of(text, "\"segmentID\": 1", 5),
                "segment_id"
            ),
        ]
    );
    // The same lines from parse and timeline, which stop at the first.
    let (_d, p) = temp_file("m.json", text.as_bytes());
    let path = p.to_str().expect("utf-8 path");
    let t601 = format!("{path}:5: error[T601] segment_end:");
    for cmd in ["parse", "timeline", "interactions"] {
        let o = rcx(&[cmd, path]);
        assert_eq!(code(&o), 1, "{cmd}");
        assert!(stderr(&o).contains(&t601), "{cmd}: {}", stderr(&o));
    }
}

#[test]
fn xml_attributes_across_lines_name_their_own_line() {
    let text = r#"<?xml version="1.0"?>
<export>
  <queueInterval interval="15" date_from="20240304" time="08:00" queue="5686"
      queueName="Sales" answIxnCnt="11"/>
  <queueInterval interval="15" date_from="20240304" time="08:15"
      queue="5686"
      queueName="Sales &amp; Support"
      answIxnCnt="x"
      waitDur="10"/>
  <queueInterval interval="15" date_from="20240304"
      time="08:3x" queue="5686" answIxnCnt="1"/>
  <queueInterval interval="15" date_from="20240304" time="08:45"
      queue=
        "" answIxnCnt="1"/>
</export>
"#;
    assert_eq!(
        validate("q.xml", text),
        [
            f(
                Code::NotANumber,
                line_of(text, "answIxnCnt=\"x\""),
                "answ_call_cnt"
            ),
            f(Code::BadTime, line_of(text, "08:3x"), "time"),
            f(Code::EmptyRequired, line_of(text, "\"\" answ"), "queue"),
        ]
    );
    assert_eq!(line_of(text, "answIxnCnt=\"x\""), 8);
    // Leaf elements: the line of the element holding the value.
    let text = "<export>\n <row>\n  <interval>15</interval>\n  <date_from>20240304</date_from>\n  \
                <time>08:00</time>\n  <queue>1</queue>\n  <answIxnCnt>\n    x\n  </answIxnCnt>\n </row>\n</export>\n";
    assert_eq!(
        validate("q.xml", text),
        [f(Code::NotANumber, 7, "answ_call_cnt")]
    );
}

// ---- 6: direction --------------------------------------------------------

fn v2(ixn: u64, seg: u64, dir: &str, start: &str, secs: u64) -> String {
    format!(
        r#"{{"interactionId": {ixn}, "segmentID": {seg}, "segmentAgentId": 7, "interactionDirection": {dir}, "segmentContactStartTimeMs": "{start}", "segmentDuration": {secs}}}"#
    )
}

#[test]
fn direction_is_matched_case_insensitively_and_printed_upper_case() {
    let t = "2024-03-04T10:00:00Z";
    let mut lines = vec![
        v2(1, 1, r#""inbound""#, t, 60),
        v2(2, 1, r#""INBOUND""#, t, 60),
        v2(3, 1, r#"" Inbound ""#, t, 60),
        v2(4, 1, r#""outbound""#, t, 60),
    ];
    // cx v1: lower-case "outbound" still swaps the endpoints.
    lines.push(
        r#"{"interactionId": "c5", "segmentId": "s1", "dialogOrigination": "outBound", "contactEndpointAddress": "+15550100", "channelEndpointAddress": "+15550199", "segmentStartTimeMs": "2024-03-04T10:00:00Z", "segmentDurationMs": 60000}"#
            .to_string(),
    );
    let text = lines.join("\n") + "\n";
    let (_d, p) = temp_file("dir.ndjson", text.as_bytes());
    let path = p.to_str().expect("utf-8 path");
    let o = rcx(&["timeline", "--by", "direction", path]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "direction,bucket_start,bucket_end,segments_started,interactions_started,handle_s,recorded_s,peak_concurrency,avg_segment_s,transfers\n\
         INBOUND,2024-03-04T10:00:00+00:00,2024-03-04T11:00:00+00:00,3,3,180.000,0.000,3,60.000,0\n\
         OUTBOUND,2024-03-04T10:00:00+00:00,2024-03-04T11:00:00+00:00,2,2,120.000,0.000,2,60.000,0\n"
    );
    let o = rcx(&["interactions", path]);
    assert_eq!(code(&o), 0);
    let out = stdout(&o);
    let dirs: Vec<&str> = out
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap_or(""))
        .collect();
    assert_eq!(
        dirs,
        ["INBOUND", "INBOUND", "INBOUND", "OUTBOUND", "OUTBOUND"]
    );
    let o = rcx(&["parse", path]);
    assert_eq!(code(&o), 0);
    let out = stdout(&o);
    let dirs: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("json")["direction"].clone())
        .collect();
    assert_eq!(
        dirs,
        ["INBOUND", "INBOUND", "INBOUND", "OUTBOUND", "OUTBOUND"].map(serde_json::Value::from)
    );
    let last: serde_json::Value =
        serde_json::from_str(out.lines().last().expect("a line")).expect("json");
    assert_eq!(last["calling_address"], "+15550199");
    assert_eq!(last["called_address"], "+15550100");
    // The library timeline has the same two keys.
    let mut r = ReaderBuilder::new()
        .from_bytes("dir.ndjson", text.into_bytes())
        .expect("open");
    let table = Timeline::new()
        .by(TimelineBy::Direction)
        .run_segments(r.segments())
        .expect("timeline");
    let keys: Vec<&str> = table
        .records()
        .iter()
        .map(|r| r.keys()[0].as_str())
        .collect();
    assert_eq!(keys, ["INBOUND", "OUTBOUND"]);
}

#[test]
fn an_unknown_direction_is_a_values_error_in_every_command() {
    let t = "2024-03-04T10:00:00Z";
    let text = [
        v2(1, 1, r#""INBOUND""#, t, 60),
        v2(2, 1, r#""SIDEWAYS""#, t, 60),
        v2(3, 1, "17", t, 60),
    ]
    .join("\n");
    let (_d, p) = temp_file("dir.ndjson", text.as_bytes());
    let path = p.to_str().expect("utf-8 path");
    let want = format!(
        "{path}:2: error[V113] direction: expected INBOUND or OUTBOUND (in any case) (value \"SIDEWAYS\")"
    );
    for cmd in ["parse", "timeline", "interactions"] {
        let o = rcx(&[cmd, path]);
        assert_eq!(code(&o), 1, "{cmd}");
        assert_eq!(stderr(&o), format!("rcx: {want}\n"), "{cmd}");
    }
    let o = rcx(&["validate", path]);
    assert_eq!(code(&o), 1);
    assert_eq!(
        stdout(&o),
        format!(
            "{want}\n{path}:3: error[V113] direction: expected INBOUND or OUTBOUND (in any case) (value \"17\")\n"
        )
    );
    let o = rcx(&["parse", "--skip-invalid", path]);
    assert_eq!(code(&o), 1);
    assert_eq!(stdout(&o).lines().count(), 1);
    assert!(
        stderr(&o).starts_with(&format!(
            "rcx: skipped 2 invalid row(s) (V113: 2); first: {want}"
        )),
        "{}",
        stderr(&o)
    );
}

// ---- 11: span limit and bounded splitting ---------------------------------

#[test]
fn a_span_over_seven_days_is_refused_by_every_command() {
    let week = 7 * 24 * 3600;
    let text = [
        // Exactly 7 days: accepted.
        v2(1, 1, r#""INBOUND""#, "2024-03-01T00:00:00Z", week),
        // 7 days and 1 s by its duration.
        v2(2, 1, r#""INBOUND""#, "2024-03-01T00:00:00Z", week + 1),
        // cx v1, 8 days from start to end.
        r#"{"interactionId": "c3", "segmentId": "s1", "segmentStartTimeMs": "2024-03-01T00:00:00Z",
 "segmentEndTimeMs": "2024-03-09T00:00:00Z"}"#
            .to_string(),
    ]
    .join("\n");
    let (_d, p) = temp_file("long.ndjson", text.as_bytes());
    let path = p.to_str().expect("utf-8 path");
    let v114 = format!(
        "{path}:2: error[V114] segment_duration_ms: segment 1 of interaction 2 spans 604801 s \
         (its segmentDuration), longer than the segment span limit of 7 days (value \"604801\")"
    );
    for cmd in ["parse", "timeline", "interactions"] {
        let o = rcx(&[cmd, path]);
        assert_eq!(code(&o), 1, "{cmd}");
        assert_eq!(stderr(&o), format!("rcx: {v114}\n"), "{cmd}");
    }
    let o = rcx(&["validate", path]);
    assert_eq!(code(&o), 1);
    assert_eq!(
        stdout(&o),
        format!(
            "{v114}\n{path}:4: error[V114] segment_end: segment s1 of interaction c3 spans 691200 s \
             (from 2024-03-01T00:00:00.000+00:00 to 2024-03-09T00:00:00.000+00:00), longer than \
             the segment span limit of 7 days (value \"2024-03-09T00:00:00.000+00:00\")\n"
        )
    );
    // Skipped, the week-long segment alone is summed: 168 hours of 3600 s.
    let o = rcx(&["timeline", "--skip-invalid", "--by", "all", path]);
    assert_eq!(code(&o), 1);
    let rows: Vec<String> = stdout(&o).lines().skip(1).map(str::to_owned).collect();
    assert_eq!(rows.len(), 168);
    assert!(rows.iter().all(|r| r.split(',').nth(4) == Some("3600.000")));
    assert!(stderr(&o).contains("rcx: skipped 2 invalid segment(s) (V114: 2)"));
    // The interaction's own duration too: its end would print as year
    // +33712.
    let text = "{\"interactionId\": 1, \"interactionStartTimeMs\": \"2024-03-01T00:00:00Z\",\n \
                \"interactionDurationMs\": 1000000000000000, \"segmentID\": 1, \
                \"segmentContactStartTimeMs\": \"2024-03-01T00:00:00Z\", \"segmentDuration\": 60}\n";
    let (_d2, p) = temp_file("ixn.ndjson", text.as_bytes());
    let path = p.to_str().expect("utf-8 path");
    let o = rcx(&["interactions", path]);
    assert_eq!(code(&o), 1);
    assert_eq!(
        stderr(&o),
        format!(
            "rcx: {path}:2: error[V114] interaction_duration_ms: interaction 1 lasts \
             1000000000000 s (its interactionDurationMs), longer than the segment span limit of \
             7 days (value \"1000000000000000\")\n"
        )
    );
}

#[test]
fn the_span_limit_is_set_on_the_reader_builder() {
    let text = v2(1, 1, "null", "2024-03-01T00:00:00Z", 7200);
    let two_hours = |limit: u64| {
        let mut seg = Segment::default();
        ReaderBuilder::new()
            .max_segment_span(Duration::from_secs(limit))
            .from_bytes("m.ndjson", text.clone().into_bytes())
            .expect("open")
            .read_segment(&mut seg)
            .map(|_| seg.segment_duration_ms)
    };
    assert_eq!(two_hours(7200).expect("at the limit"), Some(7_200_000));
    let e = two_hours(7199).expect_err("over the limit");
    assert_eq!(e.code(), Some(Code::SpanTooLong));
    assert!(e
        .to_string()
        .contains("longer than the segment span limit of 7199 s"));
    // Loaded from files with a raised limit.
    let long = v2(1, 1, "null", "2024-03-01T00:00:00Z", 30 * 24 * 3600);
    let (_d, p) = temp_file("long.ndjson", long.as_bytes());
    assert!(Interactions::from_files(&[&p], &ReaderBuilder::new(), false).is_err());
    let rb = ReaderBuilder::new().max_segment_span(Duration::from_secs(31 * 24 * 3600));
    let set = Interactions::from_files(&[&p], &rb, false).expect("accepted");
    assert_eq!(set.interactions()[0].handle_ms(), 30 * 24 * 3600 * 1000);
}

#[test]
fn a_timeline_splits_spans_only_over_the_buckets_of_the_requested_range() {
    // A 6-day segment and a 2-hour one, with --to inside the 05:00 bucket:
    // that bucket is in the range and holds its whole overlap; nothing from
    // 06:00 on is split or printed.
    let text = [
        v2(1, 1, "null", "2024-03-01T00:00:00Z", 6 * 24 * 3600),
        r#"{"interactionId": 2, "segmentID": 1, "segmentAgentId": 8, "segmentContactStartTimeMs": "2024-03-01T05:30:00Z", "segmentContactEndTimeMs": "2024-03-01T07:30:00Z"}"#.to_string(),
    ]
    .join("\n");
    let (_d, p) = temp_file("range.ndjson", text.as_bytes());
    let path = p.to_str().expect("utf-8 path");
    let o = rcx(&[
        "timeline",
        "--by",
        "all",
        "--from",
        "2024-03-01T00:00:00Z",
        "--to",
        "2024-03-01T05:45:00Z",
        path,
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mut want = String::from("bucket_start,bucket_end,segments_started,interactions_started,handle_s,recorded_s,peak_concurrency,avg_segment_s,transfers\n");
    want +=
        "2024-03-01T00:00:00+00:00,2024-03-01T01:00:00+00:00,1,1,3600.000,0.000,1,518400.000,0\n";
    for h in 1..5 {
        want += &format!(
            "2024-03-01T{h:02}:00:00+00:00,2024-03-01T{:02}:00:00+00:00,0,0,3600.000,0.000,1,,0\n",
            h + 1
        );
    }
    want += "2024-03-01T05:00:00+00:00,2024-03-01T06:00:00+00:00,1,1,5400.000,0.000,2,7200.000,0\n";
    assert_eq!(stdout(&o), want);

    // Library, a segment built by hand (no reader, so no span limit): five
    // years long, a one-day range in 15-minute buckets gives 96 buckets.
    let mut seg = Segment::default();
    seg.interaction_id = "1".into();
    seg.segment_id = "1".into();
    seg.segment_start = instant_from_millis(1_704_067_200_000); // 2024-01-01
    seg.segment_duration_ms = Some(5 * 365 * 86_400_000);
    let day = |d: u32| TimeBound::Instant(Utc.with_ymd_and_hms(2025, 6, d, 0, 0, 0).unwrap());
    let table = Timeline::new()
        .by(TimelineBy::All)
        .interval(BucketInterval::Min15)
        .from(TimeBound::Instant(
            Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(),
        ))
        .to(day(2))
        .run_segments(vec![Ok(seg.clone())])
        .expect("timeline");
    let n = table.records().len();
    // 2024-01-01 to 2025-06-02: 518 days of 96 buckets.
    assert_eq!(n, 518 * 96);
    assert!(table.records().iter().all(|r| r.sums.handle_ms == 900_000));
    // Kept by its start only when the range holds it.
    let table = Timeline::new()
        .by(TimelineBy::All)
        .interval(BucketInterval::Min15)
        .from(day(1))
        .to(day(2))
        .run_segments(vec![Ok(seg)])
        .expect("timeline");
    assert!(table.records().is_empty());
}

// ---- 4: parse refuses T601 and T602 ---------------------------------------

#[test]
fn parse_refuses_a_segment_ending_before_it_starts_and_a_repeated_key() {
    let seg = |ixn: u64, sid: u64, start: &str, end: &str| {
        format!(
            r#"{{"interactionId": {ixn}, "segmentID": {sid}, "segmentAgentId": 7, "segmentContactStartTimeMs": "{start}", "segmentContactEndTimeMs": "{end}"}}"#
        )
    };
    let text = [
        seg(1, 1, "2024-03-04T10:00:00Z", "2024-03-04T10:01:00Z"),
        seg(1, 2, "2024-03-04T10:02:00Z", "2024-03-04T10:01:00Z"),
        seg(2, 1, "2024-03-04T10:03:00Z", "2024-03-04T10:04:00Z"),
        seg(1, 1, "2024-03-04T10:00:00Z", "2024-03-04T10:01:00Z"),
    ]
    .join("\n");
    let (_d, p) = temp_file("bad.ndjson", text.as_bytes());
    let path = p.to_str().expect("utf-8 path");
    let t601 = format!(
        "{path}:2: error[T601] segment_end: segment 2 of interaction 1 ends at \
         2024-03-04T10:01:00.000+00:00, 60 s before it starts at 2024-03-04T10:02:00.000+00:00 \
         (value \"2024-03-04T10:01:00.000+00:00\")"
    );
    for format in ["ndjson", "csv"] {
        let o = rcx(&["parse", "--format", format, path]);
        assert_eq!(code(&o), 1, "{format}");
        assert_eq!(stderr(&o), format!("rcx: {t601}\n"));
    }
    let o = rcx(&["parse", "--skip-invalid", path]);
    assert_eq!(code(&o), 1);
    let ids: Vec<(String, String)> = stdout(&o)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("json");
            (
                v["interaction_id"].as_str().unwrap_or("").to_owned(),
                v["segment_id"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let want = [("1", "1"), ("2", "1")].map(|(a, b)| (a.to_string(), b.to_string()));
    assert_eq!(ids, want);
    assert_eq!(
        stderr(&o),
        format!("rcx: skipped 2 invalid row(s) (T601: 1, T602: 1); first: {t601}\n")
    );
    // The repeat alone.
    let text = [
        seg(1, 1, "2024-03-04T10:00:00Z", "2024-03-04T10:01:00Z"),
        seg(2, 1, "2024-03-04T10:00:30Z", "2024-03-04T10:01:00Z"),
        seg(1, 1, "2024-03-04T10:00:00Z", "2024-03-04T10:01:00Z"),
    ]
    .join("\n");
    let (_d2, p) = temp_file("dup.ndjson", text.as_bytes());
    let path = p.to_str().expect("utf-8 path");
    let o = rcx(&["parse", path]);
    assert_eq!(code(&o), 1);
    assert_eq!(
        stderr(&o),
        format!(
            "rcx: {path}:3: error[T602] segment_id: interaction 1, segment 1 repeats line 1 \
             (value \"1\")\n"
        )
    );
    // Segment files have no Teleopti layout.
    let o = rcx(&["convert", "--to", "teleopti", path]);
    assert_eq!(code(&o), 2);
    assert_eq!(
        stderr(&o),
        "rcx: segment files have no teleopti layout; convert them to csv, ndjson or parquet\n"
    );
    // Converted to CSV they stop at the repeat as `parse` does.
    let o = rcx(&["convert", "--to", "csv", path]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains(&format!("{path}:3: error[T602]")),
        "{}",
        stderr(&o)
    );
}
