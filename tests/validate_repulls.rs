//! Re-pulled windows (SPEC 5.1): `validate`'s T607 across files, whatever
//! their order; T602 within a file unchanged; negative waits (T606 without
//! slack, and `rcx calls`' stderr count); `rcx gen --pulls --repull-pct`
//! checked against the same data generated without pulls.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ringcx_reports::validate::{Report, Validator};
use ringcx_reports::Code;

use crate::util::{code, rcx, rcx_command, stderr, stdout};

/// One cx v1 segment object on one line; `extra` is appended inside it.
fn seg(ixn: &str, id: &str, start: &str, extra: &str) -> String {
    format!(
        r#"{{"interactionId":"{ixn}","segmentId":"{id}","segmentType":"AGENT","segmentParticipantId":"7","segmentStartTimeMs":"2024-03-04T{start}Z"{extra}}}"#
    )
}

/// `n` recording events in a segment starting at 10:00:00: REC_START at
/// 10:00:01, REC_STOP at :11, REC_START at :21, …
fn events(n: usize) -> String {
    let kinds = ["REC_START", "REC_STOP"];
    let list: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"eventTimeMs":"2024-03-04T10:00:{:02}.000Z","eventType":"{}"}}"#,
                10 * i + 1,
                kinds[i % 2]
            )
        })
        .collect();
    format!(r#","segmentEvents":[{}]"#, list.join(","))
}

const DUR60: &str = r#","segmentDurationMs":60000"#;

/// Three pulled files. Expected, by hand (Completeness: end, URL, events,
/// span, then a fingerprint):
/// - I1: a:1 no URL, b:2 URL → T607 on a:1, kept b:2 (has a recording URL)
/// - I2: a:2 = b:3 → identical (counted)
/// - I3: a:3 end 10:11:00, b:1 duration only (same 60 s) → T607 on b:1,
///   kept a:3 (has an end time)
/// - I6: a:4, a:5 (same file: T602 on a:5, repeats line 4), b:4 = a:4 →
///   identical (counted); a:5 takes no part
/// - I5: a:6 2 events, b:5 4 events, c:1 = a:6 → T607 on a:6 and on c:1,
///   both kept b:5 (has 4 recording events, not 2): each dropped copy is
///   judged against the copy kept, not against the best seen so far
/// - I7: a:7 60 s, c:2 61 s → T607 on a:7, kept c:2 (spans 61 s, not 60 s)
/// - I8: a:8 and c:3 differ in notes only → one T607 (which copy is kept
///   is the fingerprint's: the same in every order)
fn files() -> (tempfile::TempDir, Vec<PathBuf>) {
    let a = [
        seg("I1", "s1", "10:00:00.000", DUR60),
        seg("I2", "s1", "10:01:00.000", DUR60),
        seg(
            "I3",
            "s1",
            "10:10:00.000",
            r#","segmentEndTimeMs":"2024-03-04T10:11:00.000Z""#,
        ),
        seg("I6", "s1", "10:20:00.000", DUR60),
        seg("I6", "s1", "10:20:00.000", DUR60),
        seg("I5", "s1", "10:00:00.000", &format!("{DUR60}{}", events(2))),
        seg("I7", "s1", "10:30:00.000", DUR60),
        seg(
            "I8",
            "s1",
            "10:40:00.000",
            &format!(r#"{DUR60},"agentNotes":"x""#),
        ),
    ];
    let b = [
        seg("I3", "s1", "10:10:00.000", DUR60),
        seg(
            "I1",
            "s1",
            "10:00:00.000",
            &format!(r#"{DUR60},"segmentRecordingUrl":"https://example.com/r/1""#),
        ),
        seg("I2", "s1", "10:01:00.000", DUR60),
        seg("I6", "s1", "10:20:00.000", DUR60),
        seg("I5", "s1", "10:00:00.000", &format!("{DUR60}{}", events(4))),
    ];
    let c = [
        seg("I5", "s1", "10:00:00.000", &format!("{DUR60}{}", events(2))),
        seg("I7", "s1", "10:30:00.000", r#","segmentDurationMs":61000"#),
        seg(
            "I8",
            "s1",
            "10:40:00.000",
            &format!(r#"{DUR60},"agentNotes":"y""#),
        ),
    ];
    let dir = tempfile::tempdir().expect("temp dir");
    let mut paths = Vec::new();
    for (name, lines) in [
        ("a.ndjson", &a[..]),
        ("b.ndjson", &b[..]),
        ("c.ndjson", &c[..]),
    ] {
        let p = dir.path().join(name);
        std::fs::write(&p, lines.join("\n") + "\n").expect("write");
        paths.push(p);
    }
    (dir, paths)
}

/// (file name, line, code, message) of every finding, sorted.
fn findings(r: &Report) -> Vec<(String, u64, Code, String)> {
    let mut v: Vec<_> = r
        .diagnostics
        .iter()
        .map(|d| {
            let name = Path::new(&*d.location.file)
                .file_name()
                .expect("a file name")
                .to_string_lossy()
                .into_owned();
            (name, d.location.pos.line(), d.code, d.message.clone())
        })
        .collect();
    v.sort();
    v
}

#[test]
fn t607_names_both_copies_whatever_the_file_order() {
    let (_dir, p) = files();
    let at = |f: usize, line: u64| format!("{}:{line}", p[f].display());
    let t607 = |ixn: &str, dropped: String, kept: String, why: &str| {
        format!(
            "interaction {ixn}, segment s1: the copies at {dropped} and {kept} differ (a \
             re-pulled window); kept {kept} ({why})"
        )
    };
    let first = Validator::new().validate_paths(&p).expect("runs");
    let got = findings(&first);
    // I8: the fingerprint decides; find which copy gave way.
    let i8 = got
        .iter()
        .find(|f| f.3.starts_with("interaction I8"))
        .expect("a T607 for I8")
        .clone();
    let (i8_dropped, i8_kept) = if i8.0 == "a.ndjson" {
        (at(0, 8), at(2, 3))
    } else {
        (at(2, 3), at(0, 8))
    };
    let i8_line = if i8.0 == "a.ndjson" { 8 } else { 3 };
    let events = "has 4 recording events, not 2";
    let mut want = vec![
        (
            "a.ndjson".to_string(),
            1,
            Code::RepulledSegmentDiffers,
            t607("I1", at(0, 1), at(1, 2), "has a recording URL"),
        ),
        (
            "a.ndjson".into(),
            5,
            Code::DuplicateSegment,
            "interaction I6, segment s1 repeats line 4".into(),
        ),
        (
            "a.ndjson".into(),
            6,
            Code::RepulledSegmentDiffers,
            t607("I5", at(0, 6), at(1, 5), events),
        ),
        (
            "a.ndjson".into(),
            7,
            Code::RepulledSegmentDiffers,
            t607("I7", at(0, 7), at(2, 2), "spans 61 s, not 60 s"),
        ),
        (
            "b.ndjson".into(),
            1,
            Code::RepulledSegmentDiffers,
            t607("I3", at(1, 1), at(0, 3), "has an end time"),
        ),
        (
            "c.ndjson".into(),
            1,
            Code::RepulledSegmentDiffers,
            t607("I5", at(2, 1), at(1, 5), events),
        ),
        (
            i8.0.clone(),
            i8_line,
            Code::RepulledSegmentDiffers,
            t607(
                "I8",
                i8_dropped,
                i8_kept,
                "is equally complete, and its values come first in the fixed order (fingerprint)",
            ),
        ),
    ];
    want.sort();
    assert_eq!(got, want);
    // 1 error (T602), 6 warnings; identical: I2 (a:2 = b:3), I6 (b:4 = a:4).
    let s = &first.summary;
    assert_eq!((s.errors, s.warnings, s.repulled_identical), (1, 6, 2));
    assert_eq!((s.rows, s.unchecked_repulls), (8 + 5 + 3, 0));
    // Every order of the files: the same findings.
    for order in [[0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]] {
        let q: Vec<&PathBuf> = order.iter().map(|&i| &p[i]).collect();
        let r = Validator::new().validate_paths(&q).expect("runs");
        assert_eq!(findings(&r), want, "order {order:?}");
        assert_eq!(r.summary.repulled_identical, 2, "order {order:?}");
    }
    // One file at a time: only the T602 is left.
    for f in &p {
        let r = Validator::new().validate_paths(&[f]).expect("runs");
        assert_eq!(r.diagnostics.len(), usize::from(f.ends_with("a.ndjson")));
    }
}

#[test]
fn t607_on_the_command_line_and_the_key_cap() {
    let (dir, _p) = files();
    let run = |args: &[&str]| {
        rcx_command(args)
            .current_dir(dir.path())
            .output()
            .expect("run rcx")
    };
    let ab = run(&["validate", "b.ndjson", "a.ndjson"]);
    let ba = run(&["validate", "a.ndjson", "b.ndjson"]);
    assert_eq!(code(&ab), 1, "T602 is an error");
    // Files are listed in the order given; each finding is the same.
    let x = stdout(&ab);
    let mut x: Vec<&str> = x.lines().collect();
    let y = stdout(&ba);
    let mut y: Vec<&str> = y.lines().collect();
    x.sort();
    y.sort();
    assert_eq!(x, y);
    // Two files: I1 (URL), I3 (end), I5 (a:6 2 events vs b:5 4); T602 a:5;
    // identical I2, I6.
    assert_eq!(
        y,
        [
            "a.ndjson:1: warning[T607] segment_id: interaction I1, segment s1: the copies at a.ndjson:1 and b.ndjson:2 differ (a re-pulled window); kept b.ndjson:2 (has a recording URL) (value \"s1\")",
            "a.ndjson:5: error[T602] segment_id: interaction I6, segment s1 repeats line 4 (value \"s1\")",
            "a.ndjson:6: warning[T607] segment_id: interaction I5, segment s1: the copies at a.ndjson:6 and b.ndjson:5 differ (a re-pulled window); kept b.ndjson:5 (has 4 recording events, not 2) (value \"s1\")",
            "b.ndjson:1: warning[T607] segment_id: interaction I3, segment s1: the copies at b.ndjson:1 and a.ndjson:3 differ (a re-pulled window); kept a.ndjson:3 (has an end time) (value \"s1\")",
        ]
    );
    assert_eq!(
        stderr(&ab),
        "rcx: validated 2 files, 13 rows: 1 error, 3 warnings; 2 identical re-pulled copies \
         (a segment in more than one file, re-pulled windows) merged\n"
    );
    // A cap of 3 keys: a.ndjson's first 3 keys (I1, I2, I3) are kept and
    // b's copies of them compared; the segments of keys not kept are not
    // (the per-file key set still finds the T602 on a:5).
    let (_d, p) = files();
    let r = Validator::new()
        .max_repull_keys(3)
        .validate_paths(&p[..2])
        .expect("runs");
    // a: I6, I6, I5, I7, I8 (5 segments past the cap); b: I6, I5 (2).
    assert_eq!(r.summary.unchecked_repulls, 5 + 2);
    let codes: Vec<(u64, Code)> = r
        .diagnostics
        .iter()
        .map(|d| (d.location.pos.line(), d.code))
        .collect();
    // a:1 (I1), a:5 (T602), b:1 (I3); I2 identical.
    assert_eq!(
        codes,
        [
            (1, Code::RepulledSegmentDiffers),
            (5, Code::DuplicateSegment),
            (1, Code::RepulledSegmentDiffers)
        ]
    );
    assert_eq!(r.summary.repulled_identical, 1);
}

/// Agent segments 0.5 s and 2 s before their dialog: negative waits, both
/// T606 (the first under the 1 s slack other segments get); an IVR segment
/// 0.5 s early: not a wait, no finding (within the slack); an agent segment
/// at the dialog start: wait 0, no finding; an unanswered dialog (IVR only)
/// that ends 1 s before it starts: wait −1 s, T606 on `dialogEndTimeMs`.
/// `rcx calls` counts the same three calls on stderr.
#[test]
fn negative_waits_are_t606_without_slack() {
    let dialog = |ixn: &str, kind: &str, start: &str| {
        format!(
            r#"{{"interactionId":"{ixn}","segmentId":"s1","segmentType":"{kind}","segmentParticipantId":"7","dialogOrigination":"INBOUND","dialogStartTimeMs":"2024-03-04T10:00:00.000Z","segmentStartTimeMs":"2024-03-04T{start}Z","segmentDurationMs":60000}}"#
        )
    };
    let text = [
        dialog("I1", "AGENT", "09:59:59.500"),
        dialog("I2", "IVR", "09:59:59.500"),
        dialog("I3", "AGENT", "09:59:58.000"),
        dialog("I4", "AGENT", "10:00:00.000"),
        dialog("I5", "IVR", "10:00:00.000").replace(
            r#","segmentStartTimeMs""#,
            r#","dialogEndTimeMs":"2024-03-04T09:59:59.000Z","segmentStartTimeMs""#,
        ),
    ]
    .join("\n")
        + "\n";
    let (_dir, path) = crate::util::temp_file("w.ndjson", text.as_bytes());
    let r = Validator::new().validate_paths(&[&path]).expect("runs");
    let got: Vec<(u64, Code, &str)> = r
        .diagnostics
        .iter()
        .map(|d| (d.location.pos.line(), d.code, d.message.as_str()))
        .collect();
    let msg = |start: &str, by: &str| {
        format!(
            "the segment starts at 2024-03-04T{start}+00:00, {by} s before the interaction \
             starts; its interaction runs from 2024-03-04T10:00:00.000+00:00 to (unknown); an \
             agent segment, so its call's wait is −{by} s or less, which calls counts as 0"
        )
    };
    let (m1, m3) = (msg("09:59:59.500", "0.5"), msg("09:59:58.000", "2"));
    let m5 = "the interaction ends at 2024-03-04T09:59:59.000+00:00 (dialogEndTimeMs), 1 s \
              before it starts at 2024-03-04T10:00:00.000+00:00; without an agent segment its \
              call's wait is negative, which calls counts as 0";
    assert_eq!(
        got,
        [
            (1, Code::SegmentOutsideInteraction, m1.as_str()),
            (3, Code::SegmentOutsideInteraction, m3.as_str()),
            (5, Code::SegmentOutsideInteraction, m5),
        ]
    );
    assert_eq!(
        r.diagnostics[2].location.field.as_deref(),
        Some("interaction_end")
    );
    let p = path.to_string_lossy();
    let o = rcx(&["calls", &p, "--by", "all"]);
    assert_eq!(code(&o), 0);
    assert!(
        stderr(&o).contains(
            "3 call(s) have a negative wait (an agent segment starting before the call, or an \
             end before the start), counted as 0 (first: interaction I1)"
        ),
        "{}",
        stderr(&o)
    );
}

/// (interaction id, segment id).
type Key = (String, String);

/// The objects of a generated JSON array, one per line from line 2, by
/// (interaction id, segment id), with their line.
fn objects(path: &Path) -> Vec<(Key, u64, serde_json::Value)> {
    let text = std::fs::read_to_string(path).expect("read");
    let v: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    v.as_array()
        .expect("an array")
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let key = (
                o["interactionId"].as_str().expect("id").to_string(),
                o["segmentId"].as_str().expect("id").to_string(),
            );
            (key, i as u64 + 2, o.clone())
        })
        .collect()
}

/// `rcx gen --pulls 5 --repull-pct 30`: merged, the window files give what
/// the same options without pulls give; `validate` reports T607 exactly on
/// the earlier copies that differ from their re-pull, found here by
/// comparing the parsed objects.
#[test]
fn generated_repulls_merge_back_to_the_data_without_pulls() {
    let dir = tempfile::tempdir().expect("temp dir");
    let one = dir.path().join("one.json");
    let pulls = dir.path().join("pulls");
    let (one_s, pulls_s) = (one.to_string_lossy(), pulls.to_string_lossy());
    let base = [
        "gen", "--report", "segments", "--rows", "3000", "--seed", "9",
    ];
    let o = rcx(&[&base[..], &["-o", &one_s]].concat());
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = rcx(&[
        &base[..],
        &["--pulls", "5", "--repull-pct", "30", "-o", &pulls_s],
    ]
    .concat());
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let files: Vec<PathBuf> = (1..=5)
        .map(|k| pulls.join(format!("pull-000{k}.json")))
        .collect();

    // Independently: every segment of the data set is in the pulls, and the
    // last copy of each (the later pull) is the object of the single file.
    let single = objects(&one);
    assert_eq!(single.len(), 3000);
    let mut copies: BTreeMap<Key, Vec<(usize, u64, serde_json::Value)>> = BTreeMap::new();
    for (f, p) in files.iter().enumerate() {
        for (key, line, o) in objects(p) {
            copies.entry(key).or_default().push((f, line, o));
        }
    }
    assert_eq!(copies.len(), 3000);
    let mut want_t607 = Vec::new();
    let (mut identical, mut repulled) = (0, 0);
    for (key, _, o) in &single {
        let c = &copies[key];
        assert!(c.len() <= 2, "{key:?} in {} files", c.len());
        assert_eq!(&c[c.len() - 1].2, o, "{key:?}");
        if c.len() == 2 {
            repulled += 1;
            // A re-pull is in the next window.
            assert_eq!(c[1].0, c[0].0 + 1);
            if c[0].2 == c[1].2 {
                identical += 1;
            } else {
                want_t607.push((files[c[0].0].clone(), c[0].1));
            }
        }
    }
    assert!(repulled > 100 && identical > 0 && !want_t607.is_empty());
    assert!(
        stderr(&o).contains(&format!(
            "{repulled} re-pulled copies, {} of them refined",
            want_t607.len()
        )),
        "{}",
        stderr(&o)
    );

    let r = Validator::new().validate_paths(&files).expect("runs");
    let mut got: Vec<(PathBuf, u64)> = r
        .diagnostics
        .iter()
        .map(|d| {
            assert_eq!(d.code, Code::RepulledSegmentDiffers, "{d}");
            (PathBuf::from(&*d.location.file), d.location.pos.line())
        })
        .collect();
    got.sort();
    want_t607.sort();
    assert_eq!(got, want_t607);
    assert_eq!(r.summary.repulled_identical, identical);

    // Merged by the commands, the pulls give the single file's results.
    let names: Vec<String> = files.iter().map(|p| p.to_string_lossy().into()).collect();
    for cmd in [
        &["calls", "--by", "agent"][..],
        &["interactions"],
        &["timeline", "--by", "agent-group", "--interval", "15m"],
    ] {
        let one = rcx(&[cmd, &[&*one_s]].concat());
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let merged = rcx(&[cmd, &names[..]].concat());
        assert_eq!(code(&merged), 0, "{cmd:?}: {}", stderr(&merged));
        assert_eq!(stdout(&merged), stdout(&one), "{cmd:?}");
        assert!(stdout(&one).lines().count() > 10, "{cmd:?}");
    }
}
