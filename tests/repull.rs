//! Re-pulled windows (SPEC 5.1): the same (interaction id, segment id) in
//! two files is one segment, merged to the most complete copy whatever the
//! order of the files, in `interactions`, `timeline` and `calls`. Expected
//! values are worked out by hand in the comments.

use std::path::{Path, PathBuf};

use crate::util::{code, rcx, stderr, stdout};

/// A v2 agent segment. Times are "HH:MM:SS" on 2024-03-04 (UTC); `end`
/// and `url` may be absent; `events` are (time, type).
#[allow(clippy::too_many_arguments)]
fn v2(
    ixn: u32,
    seg: u32,
    agent: u32,
    start: &str,
    end: Option<&str>,
    duration_s: u32,
    url: Option<&str>,
    events: &[(&str, &str)],
) -> String {
    let t = |s: &str| format!("\"2024-03-04T{s}Z\"");
    let end = end.map_or("null".to_owned(), t);
    let url = url.map_or("null".to_owned(), |u| format!("\"{u}\""));
    let events: Vec<String> = events
        .iter()
        .map(|(at, ty)| format!(r#"{{"eventTimeMs": {}, "eventType": "{ty}"}}"#, t(at)))
        .collect();
    format!(
        r#"{{"interactionId": {ixn}, "interactionStartTimeMs": "2024-03-04T10:00:00Z", "interactionDirection": "INBOUND", "segmentID": {seg}, "segmentAgentId": {agent}, "segmentContactStartTimeMs": {}, "segmentContactEndTimeMs": {end}, "segmentDuration": {duration_s}, "segmentRecordingURL": {url}, "segmentEvents": [{}]}}"#,
        t(start),
        events.join(", ")
    )
}

fn write(dir: &Path, name: &str, lines: &[String]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, lines.join("\n") + "\n").unwrap();
    p
}

/// Interaction 101 as both pulls hold it (identical copies).
fn ixn_101() -> String {
    v2(
        101,
        1,
        8,
        "10:01:00",
        Some("10:02:00"),
        60,
        Some("https://r.example/101"),
        &[("10:01:00", "REC_START"), ("10:02:00", "REC_STOP")],
    )
}

/// An early pull (before the window completed: 100/1 still open, no
/// recording URL yet) and a late one (100/1 complete, and 100/2, a
/// transfer, which the early pull could not see).
fn pulls(dir: &Path) -> (PathBuf, PathBuf) {
    let early = write(
        dir,
        "early.ndjson",
        &[
            v2(
                100,
                1,
                7,
                "10:00:10",
                None,
                50,
                None,
                &[("10:00:20", "REC_START")],
            ),
            ixn_101(),
        ],
    );
    let late = write(
        dir,
        "late.ndjson",
        &[
            ixn_101(),
            v2(
                100,
                1,
                7,
                "10:00:10",
                Some("10:03:10"),
                180,
                Some("https://r.example/100"),
                &[("10:00:20", "REC_START"), ("10:02:20", "REC_STOP")],
            ),
            v2(100, 2, 9, "10:03:30", Some("10:04:30"), 60, None, &[]),
        ],
    );
    (early, late)
}

fn run(cmd: &[&str], files: &[&Path]) -> (i32, String, String) {
    let mut args: Vec<&str> = cmd.to_vec();
    args.extend(files.iter().map(|p| p.to_str().unwrap()));
    let out = rcx(&args);
    (code(&out), stdout(&out), stderr(&out))
}

#[test]
fn the_most_complete_copy_wins_whatever_the_file_order() {
    let dir = tempfile::tempdir().unwrap();
    let (early, late) = pulls(dir.path());
    for cmd in [
        &["interactions"][..],
        &["timeline", "--by", "agent", "--interval", "15m"],
        &["calls", "--by", "agent", "--interval", "15m"],
        &[
            "calls",
            "--by",
            "all",
            "--interval",
            "day",
            "--format",
            "json",
        ],
    ] {
        let alone = run(cmd, &[&late]);
        assert_eq!(alone.0, 0, "{cmd:?}: {}", alone.2);
        let one = run(cmd, &[&early, &late]);
        let other = run(cmd, &[&late, &early]);
        assert_eq!(one.0, 0, "{cmd:?}: {}", one.2);
        // The late pull holds every segment complete: merging the early
        // one into it changes nothing, in either order.
        assert_eq!(one.1, alone.1, "{cmd:?}");
        assert_eq!(other.1, alone.1, "{cmd:?}");
        assert_eq!(one.2, other.2, "{cmd:?}");
        // 101/1 is identical in both (a note); 100/1 differs (a warning
        // naming both places, the earlier path first).
        let early_s = early.to_str().unwrap();
        let late_s = late.to_str().unwrap();
        assert!(
            one.2
                .contains("rcx: note: 1 identical copies of segment(s)"),
            "{}",
            one.2
        );
        assert!(
            one.2.contains(&format!(
                "rcx: warning: 1 segment(s) appear in two files with different values (a \
                 re-pulled window); each was merged to its most complete copy (first: \
                 {early_s}:1 and {late_s}:2)"
            )),
            "{}",
            one.2
        );
    }
    // The values a user checks: interaction 100 has 100/1 10:00:10-10:03:10
    // (180 s, recorded 10:00:20-10:02:20 = 120 s) and 100/2 60 s: handle
    // 240 s, recorded 120 s, 1 transfer. The early copy would have given
    // 50 + 60 = 110 s and a recording running to its end: 40 s.
    let (_, csv, _) = run(&["interactions"], &[&early, &late]);
    let row = csv.lines().find(|l| l.starts_with("100,")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let cell = |name: &str| {
        let i = header.iter().position(|h| *h == name).unwrap();
        row.split(',').nth(i).unwrap().to_owned()
    };
    assert_eq!(cell("handle_s"), "240.000");
    assert_eq!(cell("recorded_s"), "120.000");
    assert_eq!(cell("transfers"), "1");
    assert_eq!(cell("agents"), "7>9");
}

#[test]
fn an_end_time_beats_a_recording_url_and_a_repeat_in_one_file_is_still_an_error() {
    let dir = tempfile::tempdir().unwrap();
    // a: ended at 10:03:10 (180 s), no URL. b: no end, 200 s by its
    // duration, a URL. The end present wins over the URL: 180 s.
    let a = write(
        dir.path(),
        "a.ndjson",
        &[v2(100, 1, 7, "10:00:10", Some("10:03:10"), 180, None, &[])],
    );
    let b = write(
        dir.path(),
        "b.ndjson",
        &[v2(
            100,
            1,
            7,
            "10:00:10",
            None,
            200,
            Some("https://r.example/100"),
            &[],
        )],
    );
    for files in [[&a, &b], [&b, &a]] {
        let (c, csv, err) = run(&["interactions"], &[files[0], files[1]]);
        assert_eq!(c, 0, "{err}");
        assert!(csv.lines().nth(1).unwrap().contains(",180.000,"), "{csv}");
    }
    // Twice in one file: T602, the run stops (exit 1), nothing printed.
    let twice = write(
        dir.path(),
        "twice.ndjson",
        &[
            v2(100, 1, 7, "10:00:10", Some("10:03:10"), 180, None, &[]),
            v2(100, 1, 7, "10:00:10", Some("10:03:10"), 180, None, &[]),
        ],
    );
    let (c, csv, err) = run(&["interactions"], &[&twice, &a]);
    assert_eq!((c, csv.as_str()), (1, ""));
    assert!(err.contains("twice.ndjson:2: error[T602]"), "{err}");
}
