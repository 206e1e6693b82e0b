//! Segment timelines and interactions (SPEC 5): exact values on small
//! cases, the vendor samples, the CLI, and an independent reference
//! implementation compared bucket by bucket and interaction by interaction
//! on generated data of both generations (gen's cx v1, and v2 data made
//! here with missing end times across the New York fall-back).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;
use ringcx_reports::gen::{self, GenOptions, GenReport};
use ringcx_reports::rollup::{Grouping, Rollup};
use ringcx_reports::timeline::{Interactions, Timeline, TimelineBy, TimelineTable};
use ringcx_reports::window::{BucketInterval, TimeBound};
use ringcx_reports::write::{write_interactions, write_timeline, TableFormat};
use ringcx_reports::{AgentExtRow, Code, ReaderBuilder, Segment};

use crate::util::{code, rcx, stderr, stdout};

fn segments(text: &str) -> Vec<Segment> {
    let mut r = ReaderBuilder::new()
        .from_bytes("t.ndjson", text.as_bytes().to_vec())
        .expect("open");
    r.segments().collect::<Result<Vec<_>, _>>().expect("read")
}

fn table(text: &str, t: Timeline) -> TimelineTable {
    t.run_segments(segments(text).into_iter().map(Ok))
        .expect("timeline")
}

fn csv(t: &TimelineTable) -> String {
    let mut out = Vec::new();
    write_timeline(t, TableFormat::Csv, &mut out).expect("write");
    String::from_utf8(out).expect("utf-8")
}

fn ms(s: &str) -> i64 {
    DateTime::parse_from_rfc3339(s)
        .expect("instant")
        .timestamp_millis()
}

/// An NDJSON v2 segment.
fn v2(ixn: u64, seg: u64, agent: u64, start: &str, end: &str, events: &str) -> String {
    format!(
        r#"{{"interactionId": {ixn}, "interactionDirection": "INBOUND", "segmentID": {seg}, "segmentAgentId": {agent}, "segmentAgentGroupId": 8, "segmentContactStartTimeMs": "{start}", "segmentContactEndTimeMs": "{end}", "segmentEvents": [{events}]}}"#
    )
}

fn ev(t: &str, kind: &str) -> String {
    format!(r#"{{"eventTimeMs": "{t}", "eventType": "{kind}"}}"#)
}

// ---------------------------------------------------------------------
// Exact small cases

#[test]
fn segment_1014_to_1017_gives_60_and_120_seconds_to_two_15_minute_buckets() {
    let text = v2(1, 1, 7, "2024-03-04T10:14:00Z", "2024-03-04T10:17:00Z", "");
    let t = table(&text, Timeline::new().interval(BucketInterval::Min15));
    assert_eq!(
        csv(&t),
        "agent_id,bucket_start,bucket_end,segments_started,interactions_started,handle_s,recorded_s,peak_concurrency,avg_segment_s,transfers\n\
         7,2024-03-04T10:00:00+00:00,2024-03-04T10:15:00+00:00,1,1,60.000,0.000,1,180.000,0\n\
         7,2024-03-04T10:15:00+00:00,2024-03-04T10:30:00+00:00,0,0,120.000,0.000,1,,0\n"
    );
}

#[test]
fn segment_across_the_fall_back_hour_splits_into_the_two_local_one_oclock_hours() {
    // 01:50 EDT (05:50Z) to 01:10 EST (06:10Z): 20 minutes.
    let text = v2(1, 1, 7, "2024-11-03T05:50:00Z", "2024-11-03T06:10:00Z", "");
    let ny: Tz = "America/New_York".parse().unwrap();
    let t = table(&text, Timeline::new().tz(ny));
    assert_eq!(
        csv(&t),
        "agent_id,bucket_start,bucket_end,segments_started,interactions_started,handle_s,recorded_s,peak_concurrency,avg_segment_s,transfers\n\
         7,2024-11-03T01:00:00-04:00,2024-11-03T01:00:00-05:00,1,1,600.000,0.000,1,1200.000,0\n\
         7,2024-11-03T01:00:00-05:00,2024-11-03T02:00:00-05:00,0,0,600.000,0.000,1,,0\n"
    );
    // The day bucket of the fall-back day lasts 25 hours.
    let t = table(&text, Timeline::new().tz(ny).interval(BucketInterval::Day));
    let r = &t.records()[0];
    assert_eq!(r.bucket_start().to_rfc3339(), "2024-11-03T00:00:00-04:00");
    assert_eq!(r.bucket_end().to_rfc3339(), "2024-11-04T00:00:00-05:00");
    assert_eq!(r.sums.handle_ms, 1_200_000);
}

#[test]
fn peak_concurrency_counts_overlapping_segments_at_one_instant() {
    let text = [
        v2(1, 1, 7, "2024-03-04T10:00:00Z", "2024-03-04T10:10:00Z", ""),
        v2(2, 1, 7, "2024-03-04T10:05:00Z", "2024-03-04T10:20:00Z", ""),
        v2(3, 1, 7, "2024-03-04T10:09:00Z", "2024-03-04T10:11:00Z", ""),
        // Touches the end of ixn 2 without overlapping it.
        v2(4, 1, 7, "2024-03-04T10:20:00Z", "2024-03-04T10:25:00Z", ""),
        // Another agent: its own key.
        v2(5, 1, 8, "2024-03-04T10:09:30Z", "2024-03-04T10:09:40Z", ""),
    ]
    .join("\n");
    let t = table(&text, Timeline::new().interval(BucketInterval::Min15));
    let peaks: Vec<(String, String, u64)> = t
        .records()
        .iter()
        .map(|r| {
            (
                r.keys()[0].clone(),
                r.bucket_start().format("%H:%M").to_string(),
                r.sums.peak_concurrency,
            )
        })
        .collect();
    assert_eq!(
        peaks,
        [
            ("7".to_owned(), "10:00".to_owned(), 3),
            ("7".to_owned(), "10:15".to_owned(), 1),
            ("8".to_owned(), "10:00".to_owned(), 1),
        ]
    );
    let all = table(&text, Timeline::new().by(TimelineBy::All));
    assert_eq!(all.records()[0].sums.peak_concurrency, 4);
    assert_eq!(
        all.records()[0].sums.handle_ms,
        (10 + 15 + 2 + 5) * 60_000 + 10_000
    );
}

#[test]
fn recording_pause_and_resume_pairs_and_ignored_events() {
    let events = [
        ev("2024-03-04T10:01:30Z", "REC_START"),
        ev("2024-03-04T10:00:10Z", "REC_START"),
        ev("2024-03-04T10:00:20Z", "REC_START"), // repeated: ignored
        ev("2024-03-04T10:01:00Z", "REC_STOP"),  // pause
        ev("2024-03-04T10:02:00Z", "REC_STOP"),
        ev("2024-03-04T10:02:30Z", "REC_STOP"), // orphan: ignored
        ev("2024-03-04T10:03:50Z", "REC_START"), // unmatched: to the end
    ]
    .join(",");
    let text = v2(
        1,
        1,
        7,
        "2024-03-04T10:00:00Z",
        "2024-03-04T10:04:00Z",
        &events,
    );
    let segs = segments(&text);
    let set = Interactions::from_segments(segs.into_iter().map(Ok), false).unwrap();
    let i = &set.interactions()[0];
    let rec = &i.segments()[0].recording;
    assert_eq!(
        *rec.spans,
        [
            (ms("2024-03-04T10:00:10Z"), ms("2024-03-04T10:01:00Z")),
            (ms("2024-03-04T10:01:30Z"), ms("2024-03-04T10:02:00Z")),
            (ms("2024-03-04T10:03:50Z"), ms("2024-03-04T10:04:00Z")),
        ]
    );
    assert_eq!(rec.ignored_events, 2);
    assert!(rec.unmatched_start);
    assert_eq!(i.recorded_ms(), 90_000);
    assert_eq!(set.stats().unmatched_rec_start.count, 1);
    assert_eq!(set.stats().ignored_rec_events.count, 1);
    // A recording that starts before the segment is clipped to it.
    let text = v2(
        2,
        1,
        7,
        "2024-03-04T10:00:00Z",
        "2024-03-04T10:01:00Z",
        &[
            ev("2024-03-04T09:59:00Z", "REC_START"),
            ev("2024-03-04T10:05:00Z", "REC_STOP"),
        ]
        .join(","),
    );
    let set = Interactions::from_segments(segments(&text).into_iter().map(Ok), false).unwrap();
    assert_eq!(set.interactions()[0].recorded_ms(), 60_000);
}

#[test]
fn transfers_count_once_per_extra_agent_leg() {
    // IVR, then agents 11, 12, 11 (back to the first agent); cx v1.
    let seg = |id: &str, ty: &str, agent: &str, s: &str, e: &str| {
        format!(
            r#"{{"interactionId": "X", "dialogId": "d", "segmentId": "{id}", "segmentType": "{ty}", "segmentParticipantId": {agent}, "channelType": "VOICE", "dialogOrigination": "INBOUND", "segmentStartTimeMs": "{s}", "segmentEndTimeMs": "{e}"}}"#
        )
    };
    let text = [
        seg(
            "s-4",
            "AGENT",
            "11",
            "2024-03-04T10:20:00Z",
            "2024-03-04T10:25:00Z",
        ),
        seg(
            "s-1",
            "IVR",
            "null",
            "2024-03-04T10:00:00Z",
            "2024-03-04T10:01:00Z",
        ),
        seg(
            "s-2",
            "AGENT",
            "11",
            "2024-03-04T10:01:00Z",
            "2024-03-04T10:10:00Z",
        ),
        seg(
            "s-3",
            "AGENT",
            "12",
            "2024-03-04T10:10:00Z",
            "2024-03-04T10:20:00Z",
        ),
    ]
    .join("\n");
    let set = Interactions::from_segments(segments(&text).into_iter().map(Ok), false).unwrap();
    let i = &set.interactions()[0];
    assert_eq!(i.agents(), "11>12>11");
    assert_eq!(i.transfers(), 2);
    assert_eq!(i.segments().len(), 4);
    assert_eq!(i.handle_ms(), 24 * 60_000);
    assert_eq!(i.start(), ms("2024-03-04T10:00:00Z"));
    assert_eq!(i.end(), ms("2024-03-04T10:25:00Z"));
    assert_eq!(set.stats().non_agent_segments, 1);
    let t = Timeline::new()
        .interval(BucketInterval::Min15)
        .run(&set)
        .unwrap();
    let got: Vec<(String, String, u64, u64, u64)> = t
        .records()
        .iter()
        .map(|r| {
            (
                r.keys()[0].clone(),
                r.bucket_start().format("%H:%M").to_string(),
                r.sums.segments_started,
                r.sums.interactions_started,
                r.sums.transfers,
            )
        })
        .collect();
    let row = |a: &str, b: &str, s, i, t| (a.to_owned(), b.to_owned(), s, i, t);
    // The IVR leg has no agent: the empty agent key, which sorts first as a
    // string. The interaction starts under the key of its first segment,
    // the IVR's; the first agent leg is not a transfer.
    assert_eq!(
        got,
        [
            row("", "10:00", 1, 1, 0),
            row("11", "10:00", 1, 0, 0),
            row("11", "10:15", 1, 0, 1),
            row("12", "10:00", 1, 0, 1),
            row("12", "10:15", 0, 0, 0),
        ]
    );
    // Every segment counts in the timeline, the IVR's too (its minute of
    // handle, its start); the segments have no group: `(unmapped)`.
    let t = Timeline::new()
        .by(TimelineBy::AgentGroup)
        .interval(BucketInterval::Min15)
        .run(&set)
        .unwrap();
    assert_eq!(
        csv(&t),
        "agent_group,bucket_start,bucket_end,segments_started,interactions_started,handle_s,recorded_s,peak_concurrency,avg_segment_s,transfers\n\
         (unmapped),2024-03-04T10:00:00+00:00,2024-03-04T10:15:00+00:00,3,1,900.000,0.000,1,400.000,1\n\
         (unmapped),2024-03-04T10:15:00+00:00,2024-03-04T10:30:00+00:00,1,0,600.000,0.000,1,300.000,1\n"
    );
    let by_agent = Timeline::new()
        .interval(BucketInterval::Hour)
        .run(&set)
        .unwrap();
    assert_eq!(
        csv(&by_agent),
        "agent_id,bucket_start,bucket_end,segments_started,interactions_started,handle_s,recorded_s,peak_concurrency,avg_segment_s,transfers\n\
         ,2024-03-04T10:00:00+00:00,2024-03-04T11:00:00+00:00,1,1,60.000,0.000,1,60.000,0\n\
         11,2024-03-04T10:00:00+00:00,2024-03-04T11:00:00+00:00,2,0,840.000,0.000,1,420.000,1\n\
         12,2024-03-04T10:00:00+00:00,2024-03-04T11:00:00+00:00,1,0,600.000,0.000,1,600.000,1\n"
    );
}

#[test]
fn a_segment_dropped_by_the_filter_keeps_its_role_in_the_interaction() {
    // The first leg starts before --from: the second is still a transfer,
    // and no interaction starts inside the window.
    let text = [
        v2(1, 1, 7, "2024-03-04T09:50:00Z", "2024-03-04T10:05:00Z", ""),
        v2(1, 2, 8, "2024-03-04T10:05:00Z", "2024-03-04T10:20:00Z", ""),
    ]
    .join("\n");
    let t = table(
        &text,
        Timeline::new()
            .by(TimelineBy::All)
            .from("2024-03-04T10:00:00Z".parse::<TimeBound>().unwrap()),
    );
    let r = &t.records();
    assert_eq!(r.len(), 1);
    assert_eq!(
        r[0].bucket_start().to_rfc3339(),
        "2024-03-04T10:00:00+00:00"
    );
    // The kept segment's whole span counts: 15 minutes.
    assert_eq!(
        (
            r[0].sums.handle_ms,
            r[0].sums.interactions_started,
            r[0].sums.transfers
        ),
        (900_000, 0, 1)
    );
}

#[test]
fn segments_order_by_start_then_numeric_segment_id() {
    let text = [
        v2(1, 10, 3, "2024-03-04T10:00:00Z", "2024-03-04T10:01:00Z", ""),
        v2(1, 9, 2, "2024-03-04T10:00:00Z", "2024-03-04T10:01:00Z", ""),
        v2(1, 1, 1, "2024-03-04T09:59:00Z", "2024-03-04T10:00:00Z", ""),
    ]
    .join("\n");
    let set = Interactions::from_segments(segments(&text).into_iter().map(Ok), false).unwrap();
    assert_eq!(set.interactions()[0].agents(), "1>2>3");
}

// ---------------------------------------------------------------------
// Vendor samples and errors through the CLI

#[test]
fn vendor_samples_of_both_generations_as_interactions() {
    let out = rcx(&[
        "interactions",
        "fixtures/vendor/interaction-metadata-cx-v1.json",
        "fixtures/vendor/interaction-metadata-v2.json",
        "--tz",
        "America/New_York",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "interaction_id,direction,channel,start,end,segments,agents,transfers,conferences,wait_s,handle_s,recorded_s,recorded_pct\n\
         20200721123305013105000001977,INBOUND,VOICE,2020-07-21T13:32:28.001-04:00,2020-07-21T13:32:28.833-04:00,1,1009,0,0,12.001,2.043,2.043,100.00\n\
         202407221928172035020000000572,INBOUND,VOICE,2024-07-22T07:24:40.000-04:00,2024-07-22T07:24:47.000-04:00,1,449438,0,0,0.000,7.000,7.000,100.00\n\
         202407230228251400000000001026,INBOUND,ENGAGE_MESSAGING,2024-07-22T22:28:25.014-04:00,2024-07-22T22:28:42.000-04:00,1,789438,0,0,0.000,17.000,0.000,0.00\n"
    );
    // Waits: the v2 agent leg starts at 17:32:40.002, 12.001 s after the
    // interaction (17:32:28.001); the cx v1 messaging leg starts 14 ms
    // before its dialog (02:28:25.000 against .014): a negative wait,
    // printed as 0.
    // The v2 sample's REC_START has no REC_STOP.
    assert!(stderr(&out).contains(
        "1 segment(s) have a REC_START with no REC_STOP; the recording runs to the segment end \
         (first: fixtures/vendor/interaction-metadata-v2.json:2)"
    ));
}

#[test]
fn vendor_samples_of_both_generations_as_timelines() {
    let out = rcx(&[
        "timeline",
        "--by",
        "channel",
        "--interval",
        "day",
        "fixtures/vendor/interaction-metadata-cx-v1.json",
        "fixtures/vendor/interaction-metadata-v2.json",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "channel,bucket_start,bucket_end,segments_started,interactions_started,handle_s,recorded_s,peak_concurrency,avg_segment_s,transfers\n\
         ENGAGE_MESSAGING,2024-07-23T00:00:00+00:00,2024-07-24T00:00:00+00:00,1,1,17.000,0.000,1,17.000,0\n\
         VOICE,2020-07-21T00:00:00+00:00,2020-07-22T00:00:00+00:00,1,1,2.043,2.043,1,2.043,0\n\
         VOICE,2024-07-22T00:00:00+00:00,2024-07-23T00:00:00+00:00,1,1,7.000,7.000,1,7.000,0\n"
    );
    // The Analytics shape answers calls (rcx analytics, rcx calls); a
    // timeline's segment metrics are not API options: clap refuses it.
    let out = rcx(&[
        "timeline",
        "--by",
        "agent-group",
        "--format",
        "analytics",
        "--interval",
        "month",
        "fixtures/vendor/interaction-metadata-cx-v1.json",
    ]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out)
            .contains("[possible values: csv, tsv, json, ndjson, table, markdown, parquet]"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn json_and_table_formats_of_a_timeline() {
    let out = rcx(&[
        "timeline",
        "--interval",
        "15m",
        "--format",
        "json",
        "fixtures/segments_timeline.ndjson",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let rows = v.as_array().unwrap();
    assert_eq!(rows[0]["agent_id"], "1001");
    assert_eq!(rows[0]["handle_s"], 60.0);
    assert_eq!(rows[1]["avg_segment_s"], serde_json::Value::Null);
    let out = rcx(&[
        "timeline",
        "--by",
        "direction",
        "--format",
        "table",
        "fixtures/segments_timeline.ndjson",
    ]);
    assert_eq!(code(&out), 0);
    assert_eq!(
        stdout(&out),
        "direction  bucket_start               bucket_end                 segments_started  interactions_started  handle_s  recorded_s  peak_concurrency  avg_segment_s  transfers\n\
         INBOUND    2024-03-04T10:00:00+00:00  2024-03-04T11:00:00+00:00                 3                     2  1170.000     170.000                 2        390.000          1\n\
         OUTBOUND   2024-03-04T10:00:00+00:00  2024-03-04T11:00:00+00:00                 1                     1    90.500       0.000                 1         90.500          0\n"
    );
}

fn write_tmp(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn invalid_segments_stop_with_their_position_or_are_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let text = [
        v2(1, 1, 7, "2024-03-04T10:00:00Z", "2024-03-04T10:05:00Z", ""),
        v2(
            1,
            2,
            7,
            "2024-03-04T10:06:00Z",
            "2024-03-04T10:05:59.999Z",
            "",
        ),
        v2(2, 1, 7, "2024-03-04T10:10:00Z", "2024-03-04T10:15:00Z", ""),
        v2(1, 1, 8, "2024-03-04T10:20:00Z", "2024-03-04T10:25:00Z", ""),
    ]
    .join("\n");
    let f = write_tmp(&dir, "bad.ndjson", &text);
    let out = rcx(&["timeline", &f]);
    assert_eq!(code(&out), 1);
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out).contains(&format!(
            "{f}:2: error[T601] segment_end: segment 2 of interaction 1 ends at \
             2024-03-04T10:05:59.999+00:00, 0.001 s before it starts at \
             2024-03-04T10:06:00.000+00:00 (value \"2024-03-04T10:05:59.999+00:00\")"
        )),
        "{}",
        stderr(&out)
    );
    let out = rcx(&["timeline", "--skip-invalid", "--by", "all", &f]);
    assert_eq!(code(&out), 1);
    assert_eq!(
        stdout(&out),
        "bucket_start,bucket_end,segments_started,interactions_started,handle_s,recorded_s,peak_concurrency,avg_segment_s,transfers\n\
         2024-03-04T10:00:00+00:00,2024-03-04T11:00:00+00:00,2,2,600.000,0.000,1,300.000,0\n"
    );
    let err = stderr(&out);
    assert!(
        err.contains("rcx: skipped 2 invalid segment(s) (T601: 1, T602: 1); first: "),
        "{err}"
    );
    // The duplicate alone, through the library: the first one is kept.
    let dup = [
        v2(1, 1, 7, "2024-03-04T10:00:00Z", "2024-03-04T10:05:00Z", ""),
        v2(1, 1, 8, "2024-03-04T10:20:00Z", "2024-03-04T10:25:00Z", ""),
    ]
    .join("\n");
    let e = Interactions::from_segments(segments(&dup).into_iter().map(Ok), false).unwrap_err();
    assert_eq!(e.code(), Some(Code::DuplicateSegment));
    assert_eq!(e.location().unwrap().pos.line(), 2);
    // A segment with no end and no duration cannot be placed.
    let text = r#"{"interactionId": 1, "segmentID": 1, "segmentContactStartTimeMs": 0}"#;
    let f = write_tmp(&dir, "noend.ndjson", text);
    let out = rcx(&["interactions", &f]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("error[V104] segment_end:"),
        "{}",
        stderr(&out)
    );
    // Interval reports are not segments.
    let out = rcx(&["timeline", "fixtures/queue_header.csv"]);
    assert_eq!(code(&out), 2);
}

#[test]
fn output_is_the_same_bytes_for_any_thread_count_and_file_order() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = split_lines(&v2_data(11, 300));
    let fa = write_tmp(&dir, "a.ndjson", &a);
    let fb = write_tmp(&dir, "b.ndjson", &b);
    for cmd in [
        vec![
            "timeline",
            "--by",
            "agent-group",
            "--interval",
            "15m",
            "--tz",
            "America/New_York",
        ],
        vec!["interactions", "--tz", "America/New_York"],
    ] {
        let run = |threads: &str, files: [&str; 2]| {
            let mut args: Vec<&str> = vec!["--threads", threads];
            args.extend(&cmd);
            args.extend(files);
            let o = rcx(&args);
            (code(&o), stdout(&o))
        };
        let one = run("1", [&fa, &fb]);
        assert_eq!(one.0, 0);
        assert!(one.1.lines().count() > 20);
        assert_eq!(run("2", [&fb, &fa]), one);
        assert_eq!(run("4", [&fa, &fb]), one);
    }
}

fn split_lines(text: &str) -> (String, String) {
    let mut a = String::new();
    let mut b = String::new();
    for (i, l) in text.lines().enumerate() {
        let t = if i % 2 == 0 { &mut a } else { &mut b };
        t.push_str(l);
        t.push('\n');
    }
    (a, b)
}

// ---------------------------------------------------------------------
// Generators

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pct(&mut self, p: u64) -> bool {
        self.below(100) < p
    }
}

fn stamp(rng: &mut Rng, t: i64) -> String {
    // Epoch ms as a number, or RFC 3339 in UTC or with an offset.
    match rng.below(3) {
        0 => t.to_string(),
        1 => format!(
            "\"{}\"",
            Utc.timestamp_millis_opt(t)
                .unwrap()
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        ),
        _ => format!(
            "\"{}\"",
            Utc.timestamp_millis_opt(t)
                .unwrap()
                .with_timezone(&chrono::FixedOffset::east_opt(2 * 3600).unwrap())
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
        ),
    }
}

/// v2 interaction metadata as NDJSON, segments shuffled through the file:
/// around the New York fall-back (2024-11-03 01:00 local twice), transfers
/// (some interactions with 10+ legs), legs without an agent, outbound calls, overlapping legs,
/// zero-length legs, missing end times (duration in fractional seconds),
/// missing interaction starts, missing agent groups, recordings with
/// pauses, repeated starts, orphan stops, unmatched starts, untimed events.
fn v2_data(seed: u64, interactions: u64) -> String {
    let mut rng = Rng(seed);
    let base = ms("2024-11-03T03:30:00Z");
    let mut lines = Vec::new();
    for ixn in 0..interactions {
        let t = base + rng.below(5 * 3_600_000) as i64;
        let outbound = rng.pct(25);
        let legs = if rng.pct(5) {
            9 + rng.below(4)
        } else {
            1 + rng.below(3)
        };
        let mut cur = t + rng.below(5_000) as i64;
        let mut segs = Vec::new();
        for leg in 1..=legs {
            let start = if leg > 1 && rng.pct(20) {
                cur - rng.below(60_000) as i64 // overlaps the previous leg
            } else {
                cur + rng.below(4_000) as i64
            };
            let dur = if rng.pct(3) {
                0
            } else {
                rng.below(1_500_000) as i64
            };
            segs.push((leg, start, start + dur));
            cur = start + dur;
        }
        let ixn_end = cur + rng.below(3_000) as i64;
        let has_ixn_start = !rng.pct(10);
        for (leg, start, end) in segs {
            let mut o = format!("{{\"interactionId\": \"{}\"", 7000 + ixn);
            if has_ixn_start {
                o += &format!(
                    ", \"interactionStartTimeMs\": {}, \"interactionDurationMs\": {}",
                    stamp(&mut rng, t),
                    // Overlapping legs can end before the interaction start.
                    (ixn_end - t).max(0)
                );
            }
            o += &format!(
                ", \"interactionDirection\": \"{}\", \"segmentID\": {leg}",
                if outbound { "OUTBOUND" } else { "INBOUND" },
            );
            // Some legs have no agent (untyped without an agent id: not an
            // agent segment, the empty agent key).
            if !rng.pct(8) {
                o += &format!(", \"segmentAgentId\": {}", 3000 + rng.below(15));
            }
            if !rng.pct(20) {
                o += &format!(", \"segmentAgentGroupId\": {}", 40 + rng.below(3));
            }
            o += &format!(
                ", \"segmentContactStartTimeMs\": {}",
                stamp(&mut rng, start)
            );
            let dur = end - start;
            if rng.pct(30) {
                // No end: the duration in seconds, with milliseconds.
                o += &format!(", \"segmentDuration\": {}.{:03}", dur / 1000, dur % 1000);
            } else {
                o += &format!(", \"segmentContactEndTimeMs\": {}", stamp(&mut rng, end));
                o += &format!(", \"segmentDuration\": {}", dur / 1000);
            }
            let mut evs = Vec::new();
            if rng.pct(70) {
                let n = rng.below(6);
                for _ in 0..n {
                    let at = start - 2_000 + rng.below((dur + 4_000) as u64) as i64;
                    let kind = if rng.pct(50) { "REC_START" } else { "REC_STOP" };
                    if rng.pct(3) {
                        evs.push(format!(
                            "{{\"eventTimeMs\": null, \"eventType\": \"{kind}\"}}"
                        ));
                    } else {
                        evs.push(format!(
                            "{{\"eventTimeMs\": {}, \"clientEventTimeMs\": null, \"eventType\": \"{kind}\"}}",
                            stamp(&mut rng, at)
                        ));
                    }
                }
            }
            o += &format!(", \"segmentEvents\": [{}]}}", evs.join(", "));
            lines.push(o);
        }
    }
    // Shuffle: an interaction's segments are spread through the file.
    for i in (1..lines.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        lines.swap(i, j);
    }
    lines.join("\n") + "\n"
}

fn gen_cx_v1(seed: u64, rows: u64) -> String {
    let opts = GenOptions::new(GenReport::Segments, rows)
        .seed(seed)
        .start(NaiveDate::from_ymd_opt(2024, 11, 2).unwrap());
    let mut out = Vec::new();
    gen::write(&opts, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

// ---------------------------------------------------------------------
// The reference implementation of SPEC 5: simple, sequential, on the raw
// segments as read.

#[derive(Clone, Debug)]
struct RSeg {
    ixn: String,
    sid: String,
    agent: bool,
    agent_id: String,
    group: String,
    dir: Option<String>,
    chan: Option<String>,
    s: i64,
    e: i64,
    rec: Vec<(i64, i64)>,
    istart: Option<i64>,
    iend: Option<i64>,
}

fn rseg(seg: &Segment) -> RSeg {
    let m = |t: DateTime<Utc>| t.timestamp_millis();
    let s = m(seg.segment_start.unwrap());
    let e = match seg.segment_end {
        Some(t) => m(t),
        None => s + seg.segment_duration_ms.unwrap() as i64,
    };
    assert!(e >= s);
    let mut evs: Vec<(i64, String)> = seg
        .events
        .iter()
        .flatten()
        .filter_map(|e| e.time.map(|t| (m(t), e.kind.clone())))
        .collect();
    evs.sort_by_key(|e| e.0);
    let mut rec = Vec::new();
    let mut open = None;
    for (t, kind) in evs {
        if kind == "REC_START" && open.is_none() {
            open = Some(t);
        } else if kind == "REC_STOP" && open.is_some() {
            rec.push((open.take().unwrap(), t));
        }
    }
    if let Some(o) = open {
        rec.push((o, e));
    }
    let rec = rec
        .into_iter()
        .map(|(a, b)| (a.max(s), b.min(e)))
        .filter(|(a, b)| a < b)
        .collect();
    let istart = seg.interaction_start.map(m);
    RSeg {
        ixn: seg.interaction_id.clone(),
        sid: seg.segment_id.clone(),
        agent: match &seg.segment_type {
            Some(t) => t == "AGENT",
            None => seg.agent_id.is_some(),
        },
        agent_id: seg.agent_id.clone().unwrap_or_default(),
        group: seg
            .agent_group_id
            .clone()
            .unwrap_or_else(|| "(unmapped)".into()),
        dir: seg.direction.map(|d| d.as_str().to_string()),
        chan: seg.channel_type.clone(),
        s,
        e,
        rec,
        istart,
        iend: seg
            .interaction_end
            .map(m)
            .or_else(|| Some(istart? + seg.interaction_duration_ms? as i64)),
    }
}

fn numeric(v: &[&str]) -> bool {
    v.iter()
        .all(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
}

fn id_cmp(a: &str, b: &str, num: bool) -> std::cmp::Ordering {
    if num {
        let (x, y): (u128, u128) = (a.parse().unwrap(), b.parse().unwrap());
        x.cmp(&y)
    } else {
        a.cmp(b)
    }
}

/// Interactions: id → ordered segments.
fn ref_interactions(segs: &[Segment]) -> Vec<(String, Vec<RSeg>)> {
    let mut by: BTreeMap<String, Vec<RSeg>> = BTreeMap::new();
    for s in segs {
        let r = rseg(s);
        by.entry(r.ixn.clone()).or_default().push(r);
    }
    by.into_iter()
        .map(|(id, mut v)| {
            let num = numeric(&v.iter().map(|s| s.sid.as_str()).collect::<Vec<_>>());
            v.sort_by(|a, b| a.s.cmp(&b.s).then(id_cmp(&a.sid, &b.sid, num)));
            (id, v)
        })
        .collect()
}

type IxnRow = (
    String,
    Option<String>,
    Option<String>,
    i64,
    i64,
    usize,
    String,
    // transfers, conferences, wait
    (u64, u64, i64),
    i64,
    i64,
);

/// Transfers and conference legs of agent legs in segment order (SPEC
/// 5.1): a leg after the first is a conference leg when some earlier leg
/// ends after it starts, a transfer otherwise.
fn ref_legs(agents: &[&RSeg]) -> (u64, u64) {
    let mut t = (0, 0);
    for k in 1..agents.len() {
        if agents[..k].iter().any(|a| a.e > agents[k].s) {
            t.1 += 1;
        } else {
            t.0 += 1;
        }
    }
    t
}

fn ref_interaction_rows(segs: &[Segment]) -> Vec<IxnRow> {
    let mut rows: Vec<IxnRow> = ref_interactions(segs)
        .into_iter()
        .map(|(id, v)| {
            let agents: Vec<&RSeg> = v.iter().filter(|s| s.agent).collect();
            let start = v.iter().find_map(|s| s.istart).unwrap_or(v[0].s);
            let end = v.iter().find_map(|s| s.iend).unwrap_or(v[v.len() - 1].e);
            let wait = match agents.first() {
                Some(a) => a.s - start,
                None => end - start,
            };
            let (transfers, conferences) = ref_legs(&agents);
            (
                id,
                v.iter().find_map(|s| s.dir.clone()),
                v.iter().find_map(|s| s.chan.clone()),
                start,
                end,
                v.len(),
                agents
                    .iter()
                    .map(|s| s.agent_id.as_str())
                    .collect::<Vec<_>>()
                    .join(">"),
                (transfers, conferences, wait.max(0)),
                agents.iter().map(|s| s.e - s.s).sum(),
                agents
                    .iter()
                    .flat_map(|s| s.rec.iter().map(|(a, b)| b - a))
                    .sum(),
            )
        })
        .collect();
    let num = numeric(&rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>());
    rows.sort_by(|a, b| a.3.cmp(&b.3).then(id_cmp(&a.0, &b.0, num)));
    rows
}

fn lib_interaction_rows(set: &Interactions) -> Vec<IxnRow> {
    set.interactions()
        .iter()
        .map(|i| {
            (
                i.id().to_owned(),
                i.direction().map(str::to_owned),
                i.channel().map(str::to_owned),
                i.start(),
                i.end(),
                i.segments().len(),
                i.agents(),
                (i.transfers(), i.conferences(), i.wait_ms()),
                i.handle_ms(),
                i.recorded_ms(),
            )
        })
        .collect()
}

#[derive(Clone, Copy)]
enum RInterval {
    Min(i64),
    Day,
}

/// The bucket of instant `t`: sub-hour and hour buckets are UTC multiples
/// (true in UTC and New York, whose offsets are whole hours); days run
/// from local midnight to the next.
fn ref_bucket(t: i64, iv: RInterval, tz: &Tz) -> (i64, i64) {
    match iv {
        RInterval::Min(m) => {
            let n = m * 60_000;
            let s = t.div_euclid(n) * n;
            (s, s + n)
        }
        RInterval::Day => {
            let d = Utc
                .timestamp_millis_opt(t)
                .unwrap()
                .with_timezone(tz)
                .date_naive();
            let mid = |d: NaiveDate| {
                tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap())
                    .earliest()
                    .unwrap()
                    .timestamp_millis()
            };
            (mid(d), mid(d.succ_opt().unwrap()))
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct RCell {
    end: i64,
    started: u64,
    ixn_started: u64,
    handle: i64,
    recorded: i64,
    peak: u64,
    avg: Option<i64>,
    transfers: u64,
}

type Cells = BTreeMap<(String, i64), RCell>;

fn ref_timeline(
    segs: &[Segment],
    by: TimelineBy,
    iv: RInterval,
    tz: &Tz,
    window: (i64, i64),
) -> (Cells, i64) {
    let key = |s: &RSeg| match by {
        TimelineBy::Agent => s.agent_id.clone(),
        TimelineBy::AgentGroup => s.group.clone(),
        TimelineBy::Direction => s.dir.clone().unwrap_or_default(),
        TimelineBy::Channel => s.chan.clone().unwrap_or_default(),
        TimelineBy::All => String::new(),
        other => panic!("the reference has no key for {other:?}"),
    };
    // SPEC 5 counts every segment: "segments_started" (segments starting
    // in the bucket), "handle_s (the part of every segment span that falls
    // inside the bucket)", "peak_concurrency (largest number of the key's
    // segments open at one instant in the bucket)". Roles:
    // "interactions_started (counted for the key of the interaction's
    // first segment)" — the first in segment order, whatever its type; and
    // "transfers (agent segments after their interaction's first, counted
    // in the bucket where they start, for their own key)".
    // (segment, first of its interaction, transfer)
    let mut kept: Vec<(RSeg, bool, bool)> = Vec::new();
    for (_, v) in ref_interactions(segs) {
        let first_agent = v.iter().position(|s| s.agent);
        for (k, s) in v.into_iter().enumerate() {
            let transfer = s.agent && first_agent.is_some_and(|f| k > f);
            // "a segment kept or dropped by its start"
            if s.s >= window.0 && s.s < window.1 {
                kept.push((s, k == 0, transfer));
            }
        }
    }
    let mut cells = Cells::new();
    let mut spans: BTreeMap<(String, i64), i64> = BTreeMap::new();
    let mut total_span = 0;
    // Spans are split only over the buckets of the requested range: none
    // from the bucket after the one holding the last instant before `to`.
    let range_end = if window.1 == i64::MAX {
        i64::MAX
    } else {
        ref_bucket(window.1 - 1, iv, tz).1
    };
    let add_overlaps = |cells: &mut Cells, k: &str, a: i64, b: i64, rec: bool| {
        let mut bk = ref_bucket(a, iv, tz);
        while bk.0 < b && bk.0 < range_end {
            let ov = b.min(bk.1) - a.max(bk.0);
            if ov > 0 {
                let c = cells.entry((k.to_owned(), bk.0)).or_default();
                c.end = bk.1;
                if rec {
                    c.recorded += ov;
                } else {
                    c.handle += ov;
                }
            }
            bk = ref_bucket(bk.1, iv, tz);
        }
    };
    for (s, first, transfer) in &kept {
        let k = key(s);
        let bk = ref_bucket(s.s, iv, tz);
        let c = cells.entry((k.clone(), bk.0)).or_default();
        c.end = bk.1;
        c.started += 1;
        if *first {
            c.ixn_started += 1;
        }
        if *transfer {
            c.transfers += 1;
        }
        *spans.entry((k.clone(), bk.0)).or_default() += s.e - s.s;
        total_span += s.e.min(range_end) - s.s;
        add_overlaps(&mut cells, &k, s.s, s.e, false);
        for &(a, b) in &s.rec {
            add_overlaps(&mut cells, &k, a, b, true);
        }
    }
    for ((k, bs), c) in cells.iter_mut() {
        let be = c.end;
        let mine: Vec<&RSeg> = kept
            .iter()
            .map(|(s, _, _)| s)
            .filter(|s| &key(s) == k && s.s < s.e && s.s < be && s.e > *bs)
            .collect();
        let mut instants = vec![*bs];
        instants.extend(mine.iter().map(|s| s.s).filter(|t| t >= bs && *t < be));
        c.peak = instants
            .iter()
            .map(|&t| mine.iter().filter(|s| s.s <= t && t < s.e).count() as u64)
            .max()
            .unwrap_or(0);
        if c.started > 0 {
            let sum = spans[&(k.clone(), *bs)] as f64;
            // Half away from zero (non-negative values).
            c.avg = Some((sum / c.started as f64 + 0.5).floor() as i64);
        }
    }
    (cells, total_span)
}

fn lib_cells(t: &TimelineTable) -> Cells {
    t.records()
        .iter()
        .map(|r| {
            (
                (
                    r.keys().first().cloned().unwrap_or_default(),
                    r.bucket_start().timestamp_millis(),
                ),
                RCell {
                    end: r.bucket_end().timestamp_millis(),
                    started: r.sums.segments_started,
                    ixn_started: r.sums.interactions_started,
                    handle: r.sums.handle_ms,
                    recorded: r.sums.recorded_ms,
                    peak: r.sums.peak_concurrency,
                    avg: r.sums.avg_segment_ms(),
                    transfers: r.sums.transfers,
                },
            )
        })
        .collect()
}

fn check_against_reference(text: &str, name: &str) {
    let segs = segments(text);
    let set = Interactions::from_segments(segs.iter().cloned().map(Ok), false).unwrap();
    assert_eq!(
        lib_interaction_rows(&set),
        ref_interaction_rows(&segs),
        "{name}: interactions"
    );
    let ny: Tz = "America/New_York".parse().unwrap();
    let all = (i64::MIN, i64::MAX);
    let window = (ms("2024-11-03T05:00:00Z"), ms("2024-11-03T07:30:00Z"));
    for (by, iv, riv, tz, win) in [
        (
            TimelineBy::Agent,
            BucketInterval::Min15,
            RInterval::Min(15),
            ny,
            all,
        ),
        (
            TimelineBy::AgentGroup,
            BucketInterval::Hour,
            RInterval::Min(60),
            ny,
            all,
        ),
        (
            TimelineBy::Direction,
            BucketInterval::Day,
            RInterval::Day,
            ny,
            all,
        ),
        (
            TimelineBy::Channel,
            BucketInterval::Min30,
            RInterval::Min(30),
            Tz::UTC,
            all,
        ),
        (
            TimelineBy::All,
            BucketInterval::Min15,
            RInterval::Min(15),
            ny,
            window,
        ),
        (
            TimelineBy::Agent,
            BucketInterval::Day,
            RInterval::Day,
            Tz::UTC,
            window,
        ),
    ] {
        let mut t = Timeline::new().by(by).interval(iv).tz(tz);
        if win != all {
            let b = |m: i64| TimeBound::Instant(Utc.timestamp_millis_opt(m).unwrap());
            t = t.from(b(win.0)).to(b(win.1));
        }
        let par = t.run(&set).unwrap();
        let seq = t.run_sequential(&set).unwrap();
        assert_eq!(par, seq, "{name}: parallel = sequential");
        let (want, total_span) = ref_timeline(&segs, by, riv, &tz, win);
        let got = lib_cells(&par);
        assert_eq!(got.len(), want.len(), "{name} {by} {iv}: bucket count");
        for (k, w) in &want {
            assert_eq!(got.get(k), Some(w), "{name} {by} {iv}: bucket {k:?}");
        }
        let handle: i64 = got.values().map(|c| c.handle).sum();
        assert_eq!(handle, total_span, "{name} {by} {iv}: Σ handle = Σ spans");
        assert!(got.values().all(|c| c.recorded <= c.handle));
    }
}

#[test]
fn v2_data_across_the_fall_back_equals_the_reference() {
    let text = v2_data(1, 400);
    let segs = segments(&text);
    // The data has what it claims to have.
    assert!(segs.iter().filter(|s| s.segment_end.is_none()).count() > 100);
    assert!(segs.iter().any(|s| s.interaction_start.is_none()));
    assert!(segs.iter().filter(|s| s.agent_id.is_none()).count() > 20);
    check_against_reference(&text, "v2");
}

#[test]
fn gen_cx_v1_data_equals_the_reference() {
    let text = gen_cx_v1(5, 3000);
    let segs = segments(&text);
    assert!(segs
        .iter()
        .any(|s| s.segment_type.as_deref() == Some("IVR")));
    check_against_reference(&text, "cx v1");
}

#[test]
fn agent_handle_time_agrees_with_the_agent_extended_report_of_the_same_calls() {
    // Calls that never cross a 15-minute boundary: there the segments and
    // the interval report must agree exactly on talk time, answered legs
    // and transfers.
    let mut rng = Rng(99);
    let day = ms("2024-03-04T00:00:00Z");
    let mut segs = Vec::new();
    // (agent, interval start) → (talk s, legs, transferred out)
    let mut ext: BTreeMap<(u64, i64), (u64, u64, u64)> = BTreeMap::new();
    for ixn in 0..600u64 {
        let slot = rng.below(96) as i64 * 900_000;
        let legs = 1 + rng.below(3);
        let mut cur = day + slot + rng.below(60) as i64 * 1000;
        for leg in 1..=legs {
            let len = (1 + rng.below(240)) as i64 * 1000;
            if cur + len > day + slot + 900_000 {
                break;
            }
            let agent = 500 + rng.below(6);
            let e = ext.entry((agent, day + slot)).or_default();
            e.0 += (len / 1000) as u64;
            e.1 += 1;
            // The leg is transferred away when the next one fits.
            let next = cur + len + 1000;
            let transferred = leg < legs && next + 240_000 <= day + slot + 900_000;
            if transferred {
                e.2 += 1;
            }
            segs.push(format!(
                r#"{{"interactionId": {ixn}, "segmentID": {leg}, "segmentAgentId": {agent}, "segmentContactStartTimeMs": {cur}, "segmentContactEndTimeMs": {}}}"#,
                cur + len
            ));
            cur = next;
            if !transferred {
                break;
            }
        }
    }
    let mut csv_rows = String::new();
    for ((agent, start), (talk, n, tr)) in &ext {
        let t = Utc.timestamp_millis_opt(*start).unwrap();
        csv_rows += &format!(
            "15,{},{},{agent},Agent {agent},9,Sales,{talk},0,{n},{tr}\n",
            t.format("%Y%m%d"),
            t.format("%H:%M")
        );
    }
    let mut r = ReaderBuilder::new()
        .from_bytes("ext.csv", csv_rows.into_bytes())
        .unwrap();
    let rollup = Rollup::new()
        .by(Grouping::Agent)
        .interval(BucketInterval::Min15)
        .run_rows(r.rows::<AgentExtRow>())
        .unwrap();
    let tl = table(
        &segs.join("\n"),
        Timeline::new().interval(BucketInterval::Min15),
    );
    let from_ext: Vec<(String, i64, i64, u64)> = rollup
        .records()
        .iter()
        .map(|r| {
            let s = r.agent_ext().unwrap().sums;
            (
                r.keys()[0].clone(),
                r.bucket_start().timestamp(),
                s.talk_s as i64 * 1000,
                s.answered,
            )
        })
        .collect();
    let from_segments: Vec<(String, i64, i64, u64)> = tl
        .records()
        .iter()
        .map(|r| {
            (
                r.keys()[0].clone(),
                r.bucket_start().timestamp(),
                r.sums.handle_ms,
                r.sums.segments_started,
            )
        })
        .collect();
    assert!(from_ext.len() > 100);
    assert_eq!(from_segments, from_ext);
    let transfers: u64 = tl.records().iter().map(|r| r.sums.transfers).sum();
    let out: u64 = rollup
        .records()
        .iter()
        .map(|r| r.agent_ext().unwrap().sums.transferred_out)
        .sum();
    assert!(transfers > 20);
    assert_eq!(transfers, out);
}

#[test]
fn interactions_csv_of_generated_data_prints_the_reference_values() {
    let text = v2_data(3, 40);
    let segs = segments(&text);
    let set = Interactions::from_segments(segs.iter().cloned().map(Ok), false).unwrap();
    let ny: Tz = "America/New_York".parse().unwrap();
    let mut out = Vec::new();
    write_interactions(&set, &ny, TableFormat::Csv, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let rows = ref_interaction_rows(&segs);
    let sec = |m: i64| format!("{}.{:03}", m / 1000, m % 1000);
    let at = |m: i64| {
        Utc.timestamp_millis_opt(m)
            .unwrap()
            .with_timezone(&ny)
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
    };
    let mut want = String::from(
        "interaction_id,direction,channel,start,end,segments,agents,transfers,conferences,wait_s,handle_s,recorded_s,recorded_pct\n",
    );
    for r in &rows {
        let pct = if r.8 == 0 {
            String::new()
        } else {
            // Exact half-away-from-zero rounding to 2 places, in integers.
            let n = r.9 as i128 * 10_000;
            let q = (2 * n + r.8 as i128) / (2 * r.8 as i128);
            format!("{}.{:02}", q / 100, q % 100)
        };
        want += &format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
            r.0,
            r.1.clone().unwrap_or_default(),
            r.2.clone().unwrap_or_default(),
            at(r.3),
            at(r.4),
            r.5,
            r.6,
            r.7 .0,
            r.7 .1,
            sec(r.7 .2),
            sec(r.8),
            sec(r.9),
            pct
        );
    }
    assert_eq!(text, want);
}

proptest! {
    #![proptest_config(crate::util::proptest_config(12, "proptest-regressions/timeline.txt"))]

    #[test]
    fn parallel_equals_sequential_and_handle_sums_to_the_spans(
        seed in any::<u64>(),
        n in 1u64..60,
        by in 0usize..5,
        iv in 0usize..5,
    ) {
        let text = v2_data(seed, n);
        let segs = segments(&text);
        let set = Interactions::from_segments(segs.iter().cloned().map(Ok), false).unwrap();
        let ivs = [BucketInterval::Min15, BucketInterval::Min30, BucketInterval::Hour,
                   BucketInterval::Day, BucketInterval::Week];
        let t = Timeline::new()
            .by(TimelineBy::ALL[by])
            .interval(ivs[iv])
            .tz("America/New_York".parse().unwrap());
        let par = t.run(&set).unwrap();
        prop_assert_eq!(&par, &t.run_sequential(&set).unwrap());
        let handle: i64 = par.records().iter().map(|r| r.sums.handle_ms).sum();
        // Every segment's span, agent or not, is split over the buckets.
        let spans: i64 = set
            .interactions()
            .iter()
            .flat_map(|i| i.segments())
            .map(|s| s.end - s.start)
            .sum();
        prop_assert_eq!(handle, spans);
        // `rcx interactions` handle is agent segments only.
        let agent_spans: i64 = set
            .interactions()
            .iter()
            .flat_map(|i| i.agent_segments())
            .map(|s| s.end - s.start)
            .sum();
        let ixn_handle: i64 = set.interactions().iter().map(|i| i.handle_ms()).sum();
        prop_assert_eq!(agent_spans, ixn_handle);
    }
}

#[test]
fn the_error_returned_and_the_first_skipped_are_those_met_first_in_path_then_file_order() {
    // Files are read in parallel and grouped by interaction before
    // duplicates are looked for; the outcome is still that of reading the
    // files one after the other in path order.
    let dir = tempfile::tempdir().unwrap();
    let seg = |ixn: u64, sid: u64, m: u64, end: &str| {
        format!(
            r#"{{"interactionId": {ixn}, "segmentID": {sid}, "segmentAgentId": 7, "segmentContactStartTimeMs": "2024-03-04T10:0{m}:00Z", "segmentContactEndTimeMs": "{end}"}}"#
        )
    };
    let ok = "2024-03-04T10:09:00Z";
    let bad = "2024-03-04T10:02:00Z"; // before a 10:03 start: T601
    let a = write_tmp(&dir, "a.ndjson", &(seg(1, 1, 0, ok) + "\n"));
    // b: a repeat of its own line 1 on line 2 (T602), then a segment that
    // cannot be placed on line 3.
    let b = write_tmp(
        &dir,
        "b.ndjson",
        &[seg(3, 1, 0, ok), seg(3, 1, 2, ok), seg(4, 1, 3, bad)].join("\n"),
    );
    // c: a segment that cannot be placed, then a re-pulled copy of a's
    // segment (not an error: the copies merge).
    let c = write_tmp(
        &dir,
        "c.ndjson",
        &[seg(4, 1, 3, bad), seg(1, 1, 2, ok)].join("\n"),
    );
    let rb = ReaderBuilder::new();
    let err = |files: &[&String]| Interactions::from_files(files, &rb, false).unwrap_err();
    let e = err(&[&b, &a]);
    assert_eq!(e.code(), Some(Code::DuplicateSegment));
    assert_eq!(
        e.to_string(),
        format!(
            "{b}:2: error[T602] segment_id: interaction 3, segment 1 repeats line 1 (value \"1\")"
        )
    );
    let e = err(&[&c, &a]);
    assert_eq!(e.code(), Some(Code::SegmentEndBeforeStart));
    assert_eq!(e.location().unwrap().pos.line(), 1);
    // Skipped: the first in path order, then line, then record (a one-line
    // JSON array has every segment on line 1).
    let first = |files: &[&String]| {
        let set = Interactions::from_files(files, &rb, true).unwrap();
        let s = set.stats();
        (
            s.skipped.values().sum::<u64>(),
            s.first_skipped.clone().unwrap(),
            s.segments_placed,
        )
    };
    // Skipped: b:2 (T602), b:3 and c:1 (T601); placed: interactions 1 and
    // 3, c's copy of 1/1 merged into a's (a's spans 10:00-10:09, c's
    // 10:02-10:09: the longer span is kept).
    let (n, f, placed) = first(&[&c, &b, &a]);
    assert_eq!((n, placed), (3, 2));
    assert!(f.starts_with(&format!("{b}:2: error[T602]")), "{f}");
    let set = Interactions::from_files(&[&c, &b, &a], &rb, true).unwrap();
    assert_eq!(set.stats().repulled_merged.count, 1);
    assert_eq!(
        set.stats().repulled_merged.first.as_deref(),
        Some(format!("{a}:1 and {c}:2").as_str())
    );
    let one = set.interactions().iter().find(|i| i.id() == "1").unwrap();
    assert_eq!(one.handle_ms(), 9 * 60_000);
    let one_line = |name: &str, order: [(u64, u64, u64, &str); 3]| {
        let v: Vec<String> = order.iter().map(|&(i, s, m, e)| seg(i, s, m, e)).collect();
        write_tmp(&dir, name, &format!("[{}]", v.join(", ")))
    };
    let d = one_line("d.json", [(5, 1, 0, ok), (5, 1, 2, ok), (6, 1, 3, bad)]);
    let e = one_line("e.json", [(5, 1, 0, ok), (6, 1, 3, bad), (5, 1, 2, ok)]);
    assert!(first(&[&d]).1.starts_with(&format!("{d}:1: error[T602]")));
    assert!(first(&[&e]).1.starts_with(&format!("{e}:1: error[T601]")));
}

#[test]
fn ivr_and_bot_segments_count_in_the_timeline_but_not_in_the_agent_chain() {
    // Interaction A: IVR, agent 501 (group 70, recorded 10:02–10:08), agent
    // 502 (group 71); B: a bot only; C: agent 501, outbound.
    let f = "fixtures/segments_ivr_bot.ndjson";
    let out = rcx(&["timeline", "--by", "agent-group", "--interval", "15m", f]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // A starts under its IVR's group, (unmapped); its first agent leg is
    // not a transfer, its second is.
    assert_eq!(
        stdout(&out),
        "agent_group,bucket_start,bucket_end,segments_started,interactions_started,handle_s,recorded_s,peak_concurrency,avg_segment_s,transfers\n\
         (unmapped),2024-03-04T10:00:00+00:00,2024-03-04T10:15:00+00:00,2,2,150.000,0.000,1,75.000,0\n\
         70,2024-03-04T10:00:00+00:00,2024-03-04T10:15:00+00:00,2,1,570.000,360.000,1,285.000,0\n\
         71,2024-03-04T10:00:00+00:00,2024-03-04T10:15:00+00:00,1,0,360.000,0.000,1,660.000,1\n\
         71,2024-03-04T10:15:00+00:00,2024-03-04T10:30:00+00:00,0,0,300.000,0.000,1,,0\n"
    );
    // The bot (10:05–10:06) is open with agent 501's leg: peak 2.
    let out = rcx(&["timeline", "--by", "all", f]);
    assert_eq!(
        stdout(&out),
        "bucket_start,bucket_end,segments_started,interactions_started,handle_s,recorded_s,peak_concurrency,avg_segment_s,transfers\n\
         2024-03-04T10:00:00+00:00,2024-03-04T11:00:00+00:00,5,3,1380.000,360.000,2,276.000,1\n"
    );
    // `rcx interactions`: agents, transfers and handle of agent legs only;
    // A waits 90 s in its IVR (10:00–10:01:30) before agent 501, B (a
    // bot only) waits its whole minute, C starts with its agent.
    let out = rcx(&["interactions", f]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "interaction_id,direction,channel,start,end,segments,agents,transfers,conferences,wait_s,handle_s,recorded_s,recorded_pct\n\
         A,INBOUND,VOICE,2024-03-04T10:00:00.000+00:00,2024-03-04T10:20:00.000+00:00,3,501>502,1,0,90.000,1110.000,360.000,32.43\n\
         B,INBOUND,VOICE,2024-03-04T10:05:00.000+00:00,2024-03-04T10:06:00.000+00:00,1,,0,0,60.000,0.000,0.000,\n\
         C,OUTBOUND,VOICE,2024-03-04T10:12:00.000+00:00,2024-03-04T10:14:00.000+00:00,1,501,0,0,0.000,120.000,0.000,0.00\n"
    );
}
