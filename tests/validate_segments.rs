//! `validate` on interaction metadata (T601–T606 and reader errors), and
//! the cross-check's streaming: the same findings on sorted and shuffled
//! inputs, and a table bounded by about one interval on sorted input.

use std::path::{Path, PathBuf};

use ringcx_reports::gen::{self, GenOptions, GenReport};
use ringcx_reports::validate::{Report, Validator};
use ringcx_reports::{Code, ReaderBuilder, Severity};

use crate::util::{code, fixture, rcx, stderr, stdout};

type Found = (Code, u64, Option<String>);

fn found(r: &Report) -> Vec<Found> {
    r.diagnostics
        .iter()
        .map(|d| {
            (
                d.code,
                d.location.pos.line(),
                d.location.field.as_deref().map(str::to_string),
            )
        })
        .collect()
}

fn f(code: Code, line: u64, field: &str) -> Found {
    (code, line, (!field.is_empty()).then(|| field.to_string()))
}

fn run(name: &str) -> Report {
    Validator::new()
        .validate_paths(&[fixture(name)])
        .expect("validation runs")
}

/// The whole list of findings of one fixture, with severities and counts.
fn expect(name: &str, want: &[(Code, u64, &str)]) -> Report {
    let r = run(name);
    let want: Vec<_> = want.iter().map(|&(c, l, fl)| f(c, l, fl)).collect();
    assert_eq!(found(&r), want, "{name}");
    let errors = r
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count() as u64;
    assert_eq!(
        (r.summary.errors, r.summary.warnings),
        (errors, r.diagnostics.len() as u64 - errors),
        "{name}"
    );
    for d in &r.diagnostics {
        assert_eq!(d.severity, d.code.severity(), "{name}");
        assert!(d.location.file.ends_with(name), "{}", d.location.file);
    }
    r
}

fn values(r: &Report) -> Vec<&str> {
    r.diagnostics
        .iter()
        .map(|d| d.value.as_deref().unwrap_or("<none>"))
        .collect()
}

#[test]
fn t601_end_before_start_both_generations() {
    use Code::SegmentEndBeforeStart as T601;
    let r = expect(
        "invalid/t601_end_before_start_v2.json",
        &[(T601, 3, "segment_end")],
    );
    assert_eq!(values(&r), ["2024-07-22T09:21:04.000+00:00"]);
    assert_eq!(
        r.diagnostics[0].message,
        "segment 1 of interaction 9002 ends at 2024-07-22T09:21:04.000+00:00, 1 s before it starts at 2024-07-22T09:21:05.000+00:00"
    );
    // The segment cannot be placed: its 1 s duration against a negative
    // span is not a T603 on top.
    let r = expect(
        "invalid/t601_end_before_start_cx.ndjson",
        &[(T601, 2, "segment_end")],
    );
    assert_eq!(values(&r), ["2024-07-22T09:21:02.500+00:00"]);
    assert_eq!(r.summary.rows, 2);
}

#[test]
fn t602_duplicate_segment_both_generations() {
    use Code::DuplicateSegment as T602;
    // `records`-wrapped array: line 4 repeats line 2 (line 3 is another
    // segment of the same interaction).
    let r = expect(
        "invalid/t602_duplicate_segment_cx.json",
        &[(T602, 4, "segment_id")],
    );
    assert_eq!(
        r.diagnostics[0].message,
        "interaction i-1, segment s-1 repeats line 2"
    );
    assert_eq!(values(&r), ["s-1"]);
    // NDJSON: ids written as numbers on line 1 and as strings on line 3
    // are the same key.
    let r = expect(
        "invalid/t602_duplicate_segment_v2.ndjson",
        &[(T602, 3, "segment_id")],
    );
    assert_eq!(
        r.diagnostics[0].message,
        "interaction 9001, segment 1 repeats line 1"
    );
    assert_eq!(r.summary.unchecked_duplicates, 0);
}

#[test]
fn t602_key_cap_counts_what_it_cannot_check() {
    let path = fixture("invalid/t602_duplicate_segment_v2.ndjson");
    // Two keys kept: the repeat of line 1 is still found.
    let r = Validator::new()
        .max_segment_keys(2)
        .validate_paths(&[&path])
        .expect("runs");
    assert_eq!(found(&r), [f(Code::DuplicateSegment, 3, "segment_id")]);
    // One key kept: line 1's key is forgotten when line 2 is read; the
    // repeat on line 3 cannot be checked, and the summary says so.
    let r = Validator::new()
        .max_segment_keys(1)
        .validate_paths(&[&path])
        .expect("runs");
    assert_eq!(found(&r), []);
    assert_eq!(r.summary.unchecked_duplicates, 1);
}

#[test]
fn t603_duration_mismatch_both_generations() {
    use Code::DurationMismatch as T603;
    // `data`-wrapped array. Line 2: 11 s against 10.5 s is within the 1 s
    // allowed; line 3: 12 s against 10.5 s is not. v2 durations are
    // seconds, and the value is shown as written.
    let r = expect(
        "invalid/t603_duration_mismatch_v2.json",
        &[(T603, 3, "segment_duration_ms")],
    );
    assert_eq!(values(&r), ["12"]);
    assert_eq!(
        r.diagnostics[0].message,
        "segmentDuration 12 s, but end − start is 10.5 s (2024-07-22T09:20:20.000+00:00 to 2024-07-22T09:20:30.500+00:00): 1.5 s apart"
    );
    let r = expect(
        "invalid/t603_duration_mismatch_cx.ndjson",
        &[(T603, 2, "segment_duration_ms")],
    );
    assert_eq!(values(&r), ["9000"]);
}

#[test]
fn t604_events_not_starting_with_rec_start() {
    use Code::{EventsStartWrong as T604, EventsUnpaired as T605};
    // Events are taken in time order: the REC_PAUSE written last is the
    // earliest. Its START/STOP pair is fine, so T604 alone.
    let r = expect(
        "invalid/t604_events_start_wrong_cx.json",
        &[(T604, 3, "events")],
    );
    assert_eq!(values(&r), ["REC_PAUSE"]);
    // A first REC_STOP is also an orphan REC_STOP: T604 and T605.
    let r = expect(
        "invalid/t604_events_start_wrong_v2.ndjson",
        &[(T604, 2, "events"), (T605, 2, "events")],
    );
    assert_eq!(values(&r), ["REC_STOP", "REC_STOP"]);
}

#[test]
fn t605_events_unpaired_or_overlapping() {
    use Code::EventsUnpaired as T605;
    // Line 2: a pause (START STOP START STOP) is clean. Line 3: two
    // recordings that overlap (START START STOP STOP) give a repeated
    // START and an orphan STOP. Line 4: a START never stopped.
    let r = expect(
        "invalid/t605_events_unpaired_v2.json",
        &[
            (T605, 3, "events"),
            (T605, 3, "events"),
            (T605, 4, "events"),
        ],
    );
    let m: Vec<&str> = r.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        m,
        [
            "REC_START at 2024-07-22T09:21:10.000+00:00 (event 2) while the recording started at 2024-07-22T09:21:05.000+00:00 (event 1) is still running: a repeated or overlapping REC_START",
            "REC_STOP at 2024-07-22T09:21:45.000+00:00 (event 4) with no recording running: an orphan REC_STOP",
            "REC_START at 2024-07-22T09:22:05.000+00:00 (event 1) is never stopped (a timeline runs it to the segment end)",
        ]
    );
    // Written out of order (STOP, START, STOP): by time START STOP STOP,
    // an orphan STOP (the first in the file, at 09:21:25).
    let r = expect(
        "invalid/t605_events_unpaired_cx.ndjson",
        &[(T605, 2, "events")],
    );
    assert!(r.diagnostics[0]
        .message
        .starts_with("REC_STOP at 2024-07-22T09:21:25.000+00:00 (event 1)"));
}

#[test]
fn t606_outside_interaction_both_generations() {
    use Code::SegmentOutsideInteraction as T606;
    // v2: the window is interactionStartTimeMs + interactionDurationMs.
    let r = expect(
        "invalid/t606_outside_interaction_v2.json",
        &[(T606, 3, "segment_end")],
    );
    assert_eq!(values(&r), ["2024-07-22T09:22:05.000+00:00"]);
    assert_eq!(
        r.diagnostics[0].message,
        "the segment ends at 2024-07-22T09:22:05.000+00:00, 5 s after the interaction ends; its interaction runs from 2024-07-22T09:21:00.000+00:00 to 2024-07-22T09:22:00.000+00:00 (interactionStartTimeMs + interactionDurationMs)"
    );
    // cx v1: line 2 starts 3 s before the dialog; line 3 has no
    // dialogEndTimeMs, so its window ends at start + dialogDurationMs.
    let r = expect(
        "invalid/t606_outside_interaction_cx.ndjson",
        &[(T606, 2, "segment_start"), (T606, 3, "segment_end")],
    );
    assert!(r.diagnostics[1]
        .message
        .ends_with("(dialogStartTimeMs + dialogDurationMs)"));
}

#[test]
fn reader_errors_in_segment_files_are_findings() {
    use Code::*;
    expect(
        "invalid/segments_reader_errors.ndjson",
        &[
            (BadValue, 2, "segment_start"),
            (MissingColumn, 3, "segment_id"),
            (EmptyRequired, 4, "interaction_id"),
            (Fraction, 5, "segment_duration_ms"),
            (JsonSyntax, 6, ""),
        ],
    );
    expect("invalid/segments_truncated.json", &[(Truncated, 3, "")]);
}

/// The published v2 sample breaks three SPEC 3 segment rules, all warnings:
/// - T603: `segmentDuration` is 832 s but the contact ran 17:32:40.002 to
///   17:32:42.045, 2.043 s (829.957 s apart, far beyond 1 s);
/// - T605: its one event is a REC_START with no REC_STOP (SPEC 5 runs it to
///   the segment end, and asks `validate` to warn);
/// - T606: the interaction window is 17:32:28.001 + `interactionDurationMs`
///   832 ms = 17:32:28.833, and the segment starts 11.169 s after that. (The
///   same 832 in both durations suggests one of them has the wrong unit,
///   which is exactly what the warnings are for.)
///
/// Its REC_START at 17:32:28.000 precedes the segment; SPEC 3 has no rule
/// on events outside their segment (SPEC 5 clips recordings to the span).
///
/// The record is pretty-printed from line 2 to line 20: each finding names
/// the line of the value it is about (`segmentContactStartTimeMs` on line
/// 13, `segmentDuration` on 15, the event's `eventType` on 18).
#[test]
fn vendor_v2_sample_yields_exactly_t603_t605_t606() {
    use Code::*;
    let r = expect(
        "vendor/interaction-metadata-v2.json",
        &[
            (SegmentOutsideInteraction, 13, "segment_start"),
            (DurationMismatch, 15, "segment_duration_ms"),
            (EventsUnpaired, 18, "events"),
        ],
    );
    assert_eq!(
        values(&r),
        ["2020-07-21T17:32:40.002+00:00", "832", "REC_START"]
    );
    assert!(r.diagnostics[1]
        .message
        .contains("end − start is 2.043 s (2020-07-21T17:32:40.002+00:00 to 2020-07-21T17:32:42.045+00:00): 829.957 s apart"));
    assert!(r.diagnostics[0].message.starts_with(
        "the segment starts at 2020-07-21T17:32:40.002+00:00, 11.169 s after the interaction ends"
    ));
    assert_eq!((r.summary.rows, r.summary.errors), (1, 0));
}

/// The published cx v1 sample: its second segment, an AGENT segment,
/// starts 14 ms before its dialog (02:28:25.000 vs 02:28:25.014), which
/// makes the call's wait negative: T606 without slack (SPEC 5.1). It lasts
/// 17 s against 16.986 s of dialog, within the 1 s T603 allows, and ends
/// with the dialog.
#[test]
fn vendor_cx_v1_sample_and_mixed_fixture_are_clean() {
    use Code::SegmentOutsideInteraction as T606;
    let r = expect(
        "vendor/interaction-metadata-cx-v1.json",
        &[(T606, 50, "segment_start")],
    );
    assert_eq!(
        r.diagnostics[0].message,
        "the segment starts at 2024-07-23T02:28:25.000+00:00, 0.014 s before the interaction \
         starts; its interaction runs from 2024-07-23T02:28:25.014+00:00 to \
         2024-07-23T02:28:42.000+00:00 (dialogEndTimeMs); an agent segment, so its call's wait \
         is −0.014 s or less, which calls counts as 0"
    );
    assert_eq!(r.summary.rows, 2);
    let r = expect("segments_mixed.ndjson", &[]);
    assert_eq!(r.summary.rows, 2);
}

#[test]
fn generated_segments_validate_clean() {
    for seed in [0, 7] {
        let mut bytes = Vec::new();
        let opts = GenOptions::new(GenReport::Segments, 3000).seed(seed);
        gen::write(&opts, &mut bytes).expect("gen");
        let r = Validator::new()
            .validate_opened(ReaderBuilder::new().from_bytes("gen.json", bytes))
            .expect("runs");
        assert_eq!(r.summary.rows, 3000);
        assert_eq!(found(&r), [], "seed {seed}");
    }
}

#[test]
fn cli_validates_segment_files_text_and_json() {
    let o = rcx(&[
        "validate",
        "fixtures/vendor/interaction-metadata-cx-v1.json",
        "fixtures/invalid/t601_end_before_start_v2.json",
    ]);
    assert_eq!(code(&o), 1);
    assert_eq!(
        stdout(&o),
        "fixtures/vendor/interaction-metadata-cx-v1.json:50: warning[T606] segment_start: the segment starts at 2024-07-23T02:28:25.000+00:00, 0.014 s before the interaction starts; its interaction runs from 2024-07-23T02:28:25.014+00:00 to 2024-07-23T02:28:42.000+00:00 (dialogEndTimeMs); an agent segment, so its call's wait is −0.014 s or less, which calls counts as 0 (value \"2024-07-23T02:28:25.000+00:00\")\n\
         fixtures/invalid/t601_end_before_start_v2.json:3: error[T601] segment_end: segment 1 of interaction 9002 ends at 2024-07-22T09:21:04.000+00:00, 1 s before it starts at 2024-07-22T09:21:05.000+00:00 (value \"2024-07-22T09:21:04.000+00:00\")\n"
    );
    assert_eq!(
        stderr(&o),
        "rcx: validated 2 files, 4 rows: 1 error, 1 warning\n"
    );

    let o = rcx(&[
        "validate",
        "--format",
        "json",
        "fixtures/vendor/interaction-metadata-v2.json",
    ]);
    assert_eq!(code(&o), 0, "warnings only");
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("a JSON array");
    let arr = v.as_array().expect("array");
    let got: Vec<(&str, &str, u64, &str, &str)> = arr
        .iter()
        .map(|d| {
            (
                d["severity"].as_str().expect("severity"),
                d["code"].as_str().expect("code"),
                d["line"].as_u64().expect("line"),
                d["column"].as_str().expect("column"),
                d["value"].as_str().expect("value"),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "warning",
                "T606",
                13,
                "segment_start",
                "2020-07-21T17:32:40.002+00:00"
            ),
            ("warning", "T603", 15, "segment_duration_ms", "832"),
            ("warning", "T605", 18, "events", "REC_START"),
        ]
    );
    assert_eq!(
        arr[0]["file"],
        "fixtures/vendor/interaction-metadata-v2.json"
    );
    let o = rcx(&[
        "validate",
        "--deny-warnings",
        "fixtures/vendor/interaction-metadata-v2.json",
    ]);
    assert_eq!(code(&o), 1);
}

// ---- cross-check: sorted and shuffled inputs ---------------------------

const QUEUES: u32 = 6;

fn gen_csv(report: GenReport, rows: u64) -> String {
    let opts = GenOptions::new(report, rows)
        .seed(3)
        .queues(QUEUES)
        .agents(20);
    let mut bytes = Vec::new();
    gen::write(&opts, &mut bytes).expect("gen");
    String::from_utf8(bytes).expect("utf-8")
}

/// The data lines in a fixed pseudo-random order (header kept first).
fn shuffled(csv: &str) -> String {
    let mut lines = csv.lines();
    let header = lines.next().expect("header");
    let mut rows: Vec<&str> = lines.collect();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in (1..rows.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        rows.swap(i, (x % (i as u64 + 1)) as usize);
    }
    let mut out = String::from(header);
    out.push('\n');
    for r in rows {
        out.push_str(r);
        out.push('\n');
    }
    out
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

/// Findings as compared across runs: everything but the file path's
/// directory.
type Keyed = (String, u64, Code, Option<String>, String, Option<String>);

fn keyed(r: &Report) -> Vec<Keyed> {
    r.diagnostics
        .iter()
        .map(|d| {
            let file = Path::new(d.location.file.as_ref())
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (
                file,
                d.location.pos.line(),
                d.code,
                d.location.field.as_deref().map(str::to_string),
                d.message.clone(),
                d.value.clone(),
            )
        })
        .collect()
}

#[test]
fn cross_check_same_findings_sorted_or_shuffled_and_bounded_when_sorted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let q = gen_csv(GenReport::Queue, 600);
    let a = gen_csv(GenReport::AgentExt, 900);
    let qp = write(dir.path(), "q.csv", &q);
    let ap = write(dir.path(), "a.csv", &a);
    let ap_shuf = write(dir.path(), "a_shuf.csv", &shuffled(&a));
    let v = Validator::new().cross_check(true);

    let sorted = v.validate_paths(&[&qp, &ap]).expect("runs");
    let cs = sorted.summary.cross.expect("cross");
    assert!(cs.differing > 0 && sorted.diagnostics.len() > 100);
    assert!(!cs.replayed);
    // Time-ordered inputs: about one interval of cells at a time, not
    // the 600 (queue, interval) pairs of the queue file.
    assert_eq!(cs.intervals, 600 + extra_agent_cells(&sorted));
    assert!(cs.peak_cells <= 2 * QUEUES as u64, "{}", cs.peak_cells);

    // The agent file shuffled: the queue file's findings are the same,
    // line for line; those that sit on agent rows (no queue row for the
    // pair) name the first such row in the shuffled file instead.
    let shuf = v.validate_paths(&[&qp, &ap_shuf]).expect("runs");
    let cx = shuf.summary.cross.expect("cross");
    assert!(cx.replayed, "cells were dropped before the shuffle showed");
    assert_eq!(
        (cx.queue, cx.agents, cx.intervals, cx.differing),
        (cs.queue, cs.agents, cs.intervals, cs.differing)
    );
    let on_queue = |r: &Report| {
        keyed(r)
            .into_iter()
            .filter(|k| k.0 == "q.csv")
            .collect::<Vec<_>>()
    };
    assert_eq!(on_queue(&shuf), on_queue(&sorted));
    let on_agents = |r: &Report| {
        let mut v: Vec<_> = keyed(r)
            .into_iter()
            .filter(|k| k.0 != "q.csv")
            .map(|k| (k.2, k.4, k.5))
            .collect();
        v.sort();
        v
    };
    assert_eq!(on_agents(&shuf), on_agents(&sorted));
    assert_eq!(shuf.summary.errors, sorted.summary.errors);
    assert_eq!(shuf.summary.warnings, sorted.summary.warnings);

    // Either order of the two sides, and readers that cannot be opened
    // twice (all cells held, nothing to replay): the same findings.
    let swapped = v.validate_paths(&[&ap, &qp]).expect("runs");
    assert_eq!(
        swapped.summary.cross.expect("cross").intervals,
        cs.intervals
    );
    let mut s = v.session();
    s.add(ReaderBuilder::new().from_bytes("q.csv", q.clone().into_bytes()))
        .expect("q");
    s.add(ReaderBuilder::new().from_bytes("a.csv", a.clone().into_bytes()))
        .expect("a");
    let held = s.finish().expect("finish");
    let ch = held.summary.cross.expect("cross");
    assert!(!ch.replayed);
    assert_eq!(ch.peak_cells, ch.intervals);
    assert_eq!(keyed(&held), keyed(&sorted));
}

/// Pairs that only the agent file has (findings on agent rows).
fn extra_agent_cells(r: &Report) -> u64 {
    let mut pairs: Vec<String> = r
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("the queue file has no row"))
        .map(|d| d.message.split(": Σ").next().unwrap_or("").to_string())
        .collect();
    pairs.sort();
    pairs.dedup();
    pairs.len() as u64
}

#[test]
fn cli_against_says_when_inputs_were_read_twice() {
    let dir = tempfile::tempdir().expect("tempdir");
    let q = write(dir.path(), "q.csv", &gen_csv(GenReport::Queue, 120));
    let a = gen_csv(GenReport::AgentExt, 200);
    let sorted = write(dir.path(), "a.csv", &a);
    let shuf = write(dir.path(), "a_shuf.csv", &shuffled(&a));
    let arg = |p: &PathBuf| p.to_string_lossy().into_owned();
    let o1 = rcx(&["validate", &arg(&q), "--against", &arg(&sorted)]);
    let o2 = rcx(&["validate", &arg(&q), "--against", &arg(&shuf)]);
    assert_eq!(code(&o1), 0);
    assert_eq!(code(&o2), 0);
    let e1 = stderr(&o1);
    let e2 = stderr(&o2);
    assert!(!e1.contains("read twice"), "{e1}");
    assert!(
        e2.trim_end()
            .ends_with("; an input was out of time order, so the inputs were read twice"),
        "{e2}"
    );
    let on_queue = |s: &str| {
        s.lines()
            .filter(|l| l.contains("q.csv:"))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert!(!on_queue(&stdout(&o1)).is_empty());
    assert_eq!(on_queue(&stdout(&o1)), on_queue(&stdout(&o2)));
}
