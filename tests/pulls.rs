//! Pull planning (SPEC 5.1, `rcx pulls plan`): the request bodies of a UTC
//! day, of the New York fall-back and spring-forward days, a short last
//! window, windows after `--now` left out, and refusals. Every expected body
//! is written out by hand from the calendar: New York is UTC-4 (EDT) until
//! 2024-11-03 06:00Z and from 2024-03-10 07:00Z, UTC-5 (EST) between.

use chrono::{DateTime, Utc};
use ringcx_reports::pulls::{plan, PullWindow};
use ringcx_reports::window::TimeBound;

use crate::util::{code, rcx, stderr, stdout};

fn body(end: &str, seconds: u32, zone: &str) -> String {
    format!(r#"{{"segmentEndTime":"{end}","timeInterval":{seconds},"timeZone":"{zone}"}}"#)
}

fn lines(s: &str) -> Vec<String> {
    s.lines().map(str::to_string).collect()
}

#[test]
fn pulls_plan_a_utc_day_is_24_hourly_bodies() {
    let o = rcx(&[
        "pulls",
        "plan",
        "--from",
        "2024-03-10",
        "--to",
        "2024-03-11",
        "--tz",
        "UTC",
        "--now",
        "2024-03-12T00:00:00Z",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mut want: Vec<String> = (1..=23)
        .map(|h| body(&format!("2024-03-10 {h:02}:00:00"), 3600, "UTC"))
        .collect();
    want.push(body("2024-03-11 00:00:00", 3600, "UTC"));
    assert_eq!(lines(&stdout(&o)), want);
    assert_eq!(stderr(&o), "", "nothing left out, nothing ambiguous");
}

#[test]
fn pulls_plan_new_york_fall_back_day_is_25_windows_repeated_hour_in_utc() {
    let o = rcx(&[
        "pulls",
        "plan",
        "--from",
        "2024-11-03",
        "--to",
        "2024-11-04",
        "--tz",
        "America/New_York",
        "--now",
        "2024-11-05T00:00:00Z",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // 00:00 EDT = 04:00Z. The first window ends at 01:00 EDT (05:00Z), the
    // second at 01:00 EST (06:00Z): local 01:00 happens twice, so both name
    // their end in UTC. Then 02:00 EST (07:00Z) … 23:00 EST, and midnight.
    let mut want = vec![
        body("2024-11-03 05:00:00", 3600, "UTC"),
        body("2024-11-03 06:00:00", 3600, "UTC"),
    ];
    want.extend((2..=23).map(|h| {
        body(
            &format!("2024-11-03 {h:02}:00:00"),
            3600,
            "America/New_York",
        )
    }));
    want.push(body("2024-11-04 00:00:00", 3600, "America/New_York"));
    assert_eq!(want.len(), 25);
    assert_eq!(lines(&stdout(&o)), want);
    assert!(
        stderr(&o).contains("2 window(s) end in a repeated local hour"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn pulls_plan_new_york_spring_forward_day_is_23_windows() {
    let o = rcx(&[
        "pulls",
        "plan",
        "--from",
        "2024-03-10",
        "--to",
        "2024-03-11",
        "--tz",
        "America/New_York",
        "--now",
        "2024-03-12T00:00:00Z",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // 00:00 EST = 05:00Z; 06:00Z is 01:00 EST; 07:00Z is 03:00 EDT (02:00
    // does not exist that day); … 2024-03-11 00:00 EDT = 04:00Z.
    let mut want = vec![body("2024-03-10 01:00:00", 3600, "America/New_York")];
    want.extend((3..=23).map(|h| {
        body(
            &format!("2024-03-10 {h:02}:00:00"),
            3600,
            "America/New_York",
        )
    }));
    want.push(body("2024-03-11 00:00:00", 3600, "America/New_York"));
    assert_eq!(want.len(), 23);
    assert_eq!(lines(&stdout(&o)), want);
}

#[test]
fn pulls_plan_leaves_out_windows_ending_after_now() {
    // Now 12:00Z = 07:00 EST: windows ending 05:00Z … 12:00Z (8, the last
    // ending exactly at now) are complete; 17 of the 25 are not.
    let o = rcx(&[
        "pulls",
        "plan",
        "--from",
        "2024-11-03",
        "--to",
        "2024-11-04",
        "--tz",
        "America/New_York",
        "--now",
        "2024-11-03T12:00:00Z",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = lines(&stdout(&o));
    assert_eq!(out.len(), 8);
    assert_eq!(
        out[7],
        body("2024-11-03 07:00:00", 3600, "America/New_York")
    );
    let err = stderr(&o);
    assert!(
        err.contains(
            "left out 17 window(s) not completed at 2024-11-03T07:00:00-05:00 \
             (until 2024-11-04T00:00:00-05:00)"
        ),
        "{err}"
    );
    // Nothing complete yet: no body, and the line says so.
    let o = rcx(&[
        "pulls",
        "plan",
        "--from",
        "2024-11-03T04:00:00Z",
        "--to",
        "2024-11-03T06:00:00Z",
        "--tz",
        "America/New_York",
        "--now",
        "2024-11-03T04:59:59Z",
    ]);
    assert_eq!(code(&o), 0);
    assert_eq!(stdout(&o), "");
    assert!(
        stderr(&o).contains("left out 2 window(s)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn pulls_plan_short_last_window_and_quarter_hours() {
    let o = rcx(&[
        "pulls",
        "plan",
        "--from",
        "2024-01-01T00:00:00Z",
        "--to",
        "2024-01-01T02:30:00Z",
        "--tz",
        "Europe/Berlin",
        "--now",
        "2024-02-01T00:00:00Z",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // Berlin is UTC+1 in January.
    assert_eq!(
        lines(&stdout(&o)),
        vec![
            body("2024-01-01 02:00:00", 3600, "Europe/Berlin"),
            body("2024-01-01 03:00:00", 3600, "Europe/Berlin"),
            body("2024-01-01 03:30:00", 1800, "Europe/Berlin"),
        ]
    );
    let o = rcx(&[
        "pulls",
        "plan",
        "--from",
        "2024-01-01T08:00",
        "--to",
        "2024-01-01T09:00",
        "--tz",
        "UTC",
        "--interval-seconds",
        "900",
        "--now",
        "2024-02-01T00:00:00Z",
    ]);
    assert_eq!(
        lines(&stdout(&o)),
        vec![
            body("2024-01-01 08:15:00", 900, "UTC"),
            body("2024-01-01 08:30:00", 900, "UTC"),
            body("2024-01-01 08:45:00", 900, "UTC"),
            body("2024-01-01 09:00:00", 900, "UTC"),
        ]
    );
}

#[test]
fn pulls_plan_refusals_name_the_option() {
    let base = [
        "pulls",
        "plan",
        "--from",
        "2024-01-01",
        "--to",
        "2024-01-02",
        "--now",
        "2024-02-01T00:00:00Z",
    ];
    let cases: &[(&[&str], &str)] = &[
        (&["--tz", "Mars/Olympus"], "--tz"),
        (
            &["--tz", "UTC", "--interval-seconds", "0"],
            "--interval-seconds",
        ),
        (
            &["--tz", "UTC", "--interval-seconds", "3601"],
            "--interval-seconds",
        ),
        (&["--tz", "UTC", "--to", "2024-01-01"], "--from"),
        (&["--tz", "UTC", "--to", "2023-12-31"], "--to"),
        (
            &["--tz", "UTC", "--from", "2024-01-01T00:00:00.5Z"],
            "--from",
        ),
        (&["--tz", "UTC", "--from", "01/01/2024"], "--from"),
        (&["--tz", "UTC", "--now", "yesterday"], "--now"),
    ];
    for (extra, flag) in cases {
        let mut args: Vec<&str> = base.to_vec();
        // A later --from/--to/--now replaces the base one: clap refuses a
        // repeat, so drop the base pair first.
        for name in ["--from", "--to", "--now"] {
            if extra.contains(&name) {
                let i = args.iter().position(|a| *a == name).unwrap();
                args.drain(i..i + 2);
            }
        }
        args.extend_from_slice(extra);
        let o = rcx(&args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(flag),
            "{args:?} should name {flag}: {}",
            stderr(&o)
        );
        assert_eq!(stdout(&o), "", "{args:?}");
    }
}

#[test]
fn plan_tiles_the_range_without_gap_or_overlap() {
    let tz: chrono_tz::Tz = "Australia/Lord_Howe".parse().unwrap(); // a 30-minute DST shift
    let now: DateTime<Utc> = "2030-01-01T00:00:00Z".parse().unwrap();
    let from: TimeBound = "2024-04-06T13:17:00Z".parse().unwrap();
    let to: TimeBound = "2024-04-07T15:00:00Z".parse().unwrap();
    let p = plan(from, to, tz, 3600, now).unwrap();
    // 25 h 43 min: 25 full hours and one of 43 minutes.
    assert_eq!(p.windows.len(), 26);
    assert_eq!(p.windows[0].start, 1_712_409_420); // 2024-04-06T13:17:00Z
    assert_eq!(p.windows[25].end, 1_712_502_000); // 2024-04-07T15:00:00Z
    assert_eq!(p.windows[25].seconds(), 43 * 60);
    assert!(p.windows.windows(2).all(|w| w[0].end == w[1].start));
    assert_eq!(p.left_out, 0);
    let w = PullWindow {
        start: 0,
        end: 3600,
    };
    assert_eq!(
        w.body(chrono_tz::UTC).segment_end_time,
        "1970-01-01 01:00:00"
    );
    assert!(plan(from, to, tz, 0, now).is_err());
    assert!(plan(from, to, tz, 3601, now).is_err());
    assert!(plan(to, from, tz, 60, now).is_err());
}

/// Runs the README's example whose command line starts with `prefix`:
/// what `rcx` did, and the `# ` lines the README shows under it.
fn readme_example(prefix: &str) -> (std::process::Output, Vec<String>) {
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let mut it = readme.lines().skip_while(|l| !l.starts_with(prefix));
    let command = it
        .next()
        .unwrap_or_else(|| panic!("the README's example `{prefix}…`"));
    let shown = it
        .take_while(|l| l.starts_with("# "))
        .map(|l| l[2..].to_string())
        .collect();
    let args: Vec<&str> = command.split_whitespace().skip(1).collect();
    (rcx(&args), shown)
}

#[test]
fn readme_pulls_example_prints_what_the_readme_says() {
    let (o, shown) = readme_example("rcx pulls plan ");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let printed: Vec<String> = stdout(&o)
        .lines()
        .chain(stderr(&o).lines())
        .map(str::to_string)
        .collect();
    assert_eq!(printed, shown);
    // And the bodies are the windows worked out by hand: 00:00-01:00 EDT
    // ends 05:00Z, 01:00 EDT-01:00 EST ends 06:00Z, then 02:00 EST.
    assert_eq!(
        lines(&stdout(&o)),
        vec![
            body("2024-11-03 05:00:00", 3600, "UTC"),
            body("2024-11-03 06:00:00", 3600, "UTC"),
            body("2024-11-03 02:00:00", 3600, "America/New_York"),
        ]
    );
}

/// One v2 segment line of interaction `id` ending at `end` (RFC 3339).
fn seg(id: &str, end: &str) -> String {
    format!(
        r#"{{"interactionId":"{id}","segmentID":"{id}-1","interactionDirection":"INBOUND","segmentAgentId":"7","segmentContactStartTimeMs":"2024-03-03T23:00:00Z","segmentContactEndTimeMs":"{end}"}}"#
    ) + "\n"
}

#[test]
fn pulls_check_reports_gaps_and_overlaps_of_pulled_files() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, segs: &[(&str, &str)]| {
        let p = dir.path().join(name);
        let text: String = segs.iter().map(|(i, e)| seg(i, e)).collect();
        std::fs::write(&p, text).unwrap();
        p.to_string_lossy().into_owned()
    };
    // Hour pulls of 2024-03-04 (UTC): 00:00-01:00, 01:00-02:00, then none
    // for 02:00-03:00, then two pulls that both hold 03:30.
    let a = write(
        "a.json",
        &[
            ("a1", "2024-03-04T00:10:00Z"),
            ("a2", "2024-03-04T00:50:00Z"),
        ],
    );
    let b = write(
        "b.json",
        &[
            ("b1", "2024-03-04T01:05:00Z"),
            ("b2", "2024-03-04T01:59:59.999Z"),
        ],
    );
    let c = write("c.json", &[("c1", "2024-03-04T03:30:00Z")]);
    let d = write(
        "d.json",
        &[
            ("d1", "2024-03-04T03:20:00Z"),
            ("d2", "2024-03-04T04:10:00Z"),
        ],
    );

    let o = rcx(&["pulls", "check", &a, &b]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        lines(&stdout(&o)),
        vec![
            format!("{a}: 2 segments, segment ends 2024-03-04T00:10:00.000+00:00 to 2024-03-04T00:50:00.000+00:00"),
            format!("{b}: 2 segments, segment ends 2024-03-04T01:05:00.000+00:00 to 2024-03-04T01:59:59.999+00:00"),
            format!("not checked for an early pull: 2 file(s) {UNKNOWN_PULL}"),
        ]
    );

    let o = rcx(&["pulls", "check", &a, &b, &c, &d]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let out = lines(&stdout(&o));
    assert_eq!(out.len(), 7, "{out:?}");
    assert_eq!(
        out[4],
        format!("overlap: {d} and {c} both hold segment ends from 2024-03-04T03:30:00.000+00:00 to 2024-03-04T03:30:00.000+00:00")
    );
    assert_eq!(
        out[5],
        "gap: no segment end from 2024-03-04T02:00:00+00:00 to 2024-03-04T03:00:00+00:00"
    );

    // The same gap in New York (EST, UTC-5), and in quarter hours: 01:59:59.999
    // is in 01:45-02:00, 03:20 in 03:15-03:30, so 02:00-03:15 is empty.
    let o = rcx(&[
        "pulls",
        "check",
        &a,
        &b,
        &c,
        "--tz",
        "America/New_York",
        "--interval-seconds",
        "900",
    ]);
    assert_eq!(code(&o), 1);
    assert!(
        stdout(&o).contains(
            "gap: no segment end from 2024-03-03T21:00:00-05:00 to 2024-03-03T22:30:00-05:00"
        ),
        "{}",
        stdout(&o)
    );
    let o = rcx(&[
        "pulls",
        "check",
        &a,
        &d,
        "--tz",
        "America/New_York",
        "--interval-seconds",
        "900",
    ]);
    assert!(
        stdout(&o).contains(
            "gap: no segment end from 2024-03-03T20:00:00-05:00 to 2024-03-03T22:15:00-05:00"
        ),
        "{}",
        stdout(&o)
    );

    // Not interaction metadata, or a bad interval: refused (exit 2).
    let q = crate::util::fixture("queue.json");
    let o = rcx(&["pulls", "check", q.to_str().unwrap()]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("not segments"), "{}", stderr(&o));
    let o = rcx(&["pulls", "check", &a, "--interval-seconds", "0"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--interval-seconds"));
}

/// The reason `check` prints for a file whose pull time is not given.
const UNKNOWN_PULL: &str =
    "whose pull time is unknown (no pulled-YYYYMMDDTHHMMSSZ in the name, no manifest entry)";

#[test]
fn pulls_check_reports_windows_pulled_before_they_completed() {
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let write = |name: &str, text: String| {
        std::fs::write(dir.path().join(name), text).unwrap();
        at(name)
    };
    // Hourly pulls of 2024-03-04 (UTC), one file per window, no gap, no
    // overlap (windows 00, 01, 02, 03 and 04 each hold a segment end).
    // 00:00-01:00, pulled at 01:01:00 (name): 60 s after the end.
    let f1 = write(
        "h00-pulled-20240304T010100Z.json",
        seg("a1", "2024-03-04T00:10:00Z") + &seg("a2", "2024-03-04T00:50:00Z"),
    );
    // 01:00-02:00, pulled at 01:50:00 (name): 10 minutes early.
    let f2 = write(
        "h01-pulled-20240304T015000Z.json",
        seg("b1", "2024-03-04T01:05:00Z") + &seg("b2", "2024-03-04T01:40:00Z"),
    );
    // 02:00-03:00, pulled at 03:02:00 (manifest): exactly 120 s after, so
    // not within the default margin (less than 120 s).
    let f3 = write("h02.json", seg("c1", "2024-03-04T02:10:00Z"));
    // Pull time given nowhere: not checked.
    let f4 = write("h03.json", seg("d1", "2024-03-04T03:20:00Z"));
    // A window 03:30-04:30Z (10:00 in +05:30), pulled at 04:31:30Z: the
    // manifest's window_end makes it 90 s after the end; without it the
    // window of 04:10 would be 04:00-05:00 and the pull early.
    let f5 = write("h04.json", seg("e1", "2024-03-04T04:10:00Z"));
    // A known pull time, but no segment end and no window_end: not checked.
    let f6 = write(
        "open-pulled-20240304T060000Z.json",
        r#"{"interactionId":"o","segmentID":"o-1","interactionDirection":"INBOUND","segmentAgentId":"7","segmentContactStartTimeMs":"2024-03-04T04:15:00Z"}"#.to_string() + "\n",
    );
    let manifest = write(
        "manifest.csv",
        "file,pulled_at,window_end\n\
         h02.json,2024-03-04T03:02:00Z,\n\
         ./h04.json,2024-03-04T10:01:30+05:30,2024-03-04T10:00:00+05:30\n\
         gone.json,2024-03-04T09:00:00Z,\n"
            .to_string(),
    );
    let files = [&f1, &f2, &f3, &f4, &f5, &f6];
    let mut args: Vec<&str> = vec!["pulls", "check"];
    args.extend(files.iter().map(|f| f.as_str()));
    args.extend(["--manifest", &manifest]);
    let o = rcx(&args);
    assert_eq!(code(&o), 1, "an early pull is a finding: {}", stderr(&o));
    let t = "2024-03-04T";
    let z = "+00:00";
    let warn = |f: &str, pulled: &str, after: &str, end: &str, why: &str, margin: u32| {
        format!(
            "warning: {f} was pulled at {t}{pulled}.000{z}, {after} s after its window ended at \
             {t}{end}.000{z} ({why}): recording URLs arriving up to {margin} s late may be missing"
        )
    };
    let inferred = "the end of the window of its latest segment end";
    let given = "the manifest's window_end";
    let findings = [
        format!(
            "early: {f2} was pulled at {t}01:50:00.000{z}, before its window ended at \
             {t}02:00:00.000{z} ({inferred})"
        ),
        warn(&f1, "01:01:00", "60.000", "01:00:00", inferred, 120),
        warn(&f5, "04:31:30", "90.000", "04:30:00", given, 120),
        format!("not checked for an early pull: 1 file(s) {UNKNOWN_PULL}"),
        "not checked for an early pull: 1 file(s) with no segment end and no window_end in the \
         manifest"
            .to_string(),
        "manifest: 1 entry names no file checked (the first, line 4: gone.json)".to_string(),
    ];
    let mut want = vec![
        format!("{f1}: 2 segments, segment ends {t}00:10:00.000{z} to {t}00:50:00.000{z}, pulled at {t}01:01:00.000{z}"),
        format!("{f2}: 2 segments, segment ends {t}01:05:00.000{z} to {t}01:40:00.000{z}, pulled at {t}01:50:00.000{z}"),
        format!("{f3}: 1 segments, segment ends {t}02:10:00.000{z} to {t}02:10:00.000{z}, pulled at {t}03:02:00.000{z}"),
        format!("{f4}: 1 segments, segment ends {t}03:20:00.000{z} to {t}03:20:00.000{z}"),
        format!("{f5}: 1 segments, segment ends {t}04:10:00.000{z} to {t}04:10:00.000{z}, pulled at {t}04:31:30.000{z} for the window ending {t}04:30:00.000{z}"),
        format!("{f6}: 1 segments, no segment end (1 without an end), pulled at {t}06:00:00.000{z}"),
    ];
    want.extend(findings.iter().cloned());
    assert_eq!(lines(&stdout(&o)), want);

    // The findings do not depend on the order of the files.
    let mut rev = args.clone();
    rev[2..8].reverse();
    let o = rcx(&rev);
    assert_eq!(lines(&stdout(&o))[6..], findings[..]);

    // The margin: 0 warns of nothing; 90 warns of the pull 60 s after, not
    // of the one exactly 90 s after.
    let mut zero = args.clone();
    zero.extend(["--late-margin-seconds", "0"]);
    let out = lines(&stdout(&rcx(&zero)));
    assert!(!out.iter().any(|l| l.starts_with("warning:")), "{out:?}");
    let mut ninety = args.clone();
    ninety.extend(["--late-margin-seconds", "90"]);
    let out = lines(&stdout(&rcx(&ninety)));
    let warnings: Vec<&String> = out.iter().filter(|l| l.starts_with("warning:")).collect();
    assert_eq!(
        warnings,
        vec![&warn(&f1, "01:01:00", "60.000", "01:00:00", inferred, 90)]
    );

    // A warning alone does not fail the check; an early pull alone does.
    let o = rcx(&["pulls", "check", &f1]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert!(stdout(&o).contains("warning: "), "{}", stdout(&o));
    let o = rcx(&["pulls", "check", &f2, "--tz", "America/New_York"]);
    assert_eq!(code(&o), 1);
    // 01:50Z and 02:00Z are 20:50 and 21:00 EST the day before.
    assert!(
        stdout(&o).contains(
            "was pulled at 2024-03-03T20:50:00.000-05:00, before its window ended at \
             2024-03-03T21:00:00.000-05:00"
        ),
        "{}",
        stdout(&o)
    );
}

#[test]
fn pulls_check_refuses_bad_pull_times_naming_file_line_field_value() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_string_lossy().into_owned()
    };
    let f = write("h02.json", &seg("c1", "2024-03-04T02:10:00Z"));
    let named = write(
        "h01-pulled-20240304T015000Z.json",
        &seg("b1", "2024-03-04T01:05:00Z"),
    );
    let cases: &[(&str, &str)] = &[
        (
            "file,pulled_at\nh02.json,2024-03-04 03:02\n",
            ":2: column `pulled_at`: \"2024-03-04 03:02\" is not an RFC 3339 instant with an offset",
        ),
        (
            "file,pulled_at,window_end\n\nh02.json,2024-03-04T03:02:00Z,03:00\n",
            ":3: column `window_end`: \"03:00\" is not an RFC 3339 instant",
        ),
        (
            "file,pulled_at\nh02.json,2024-03-04T03:02:00\n",
            ":2: column `pulled_at`: \"2024-03-04T03:02:00\"",
        ),
        ("file,pulled\n", ":1: unknown column \"pulled\""),
        ("pulled_at\n", ":1: the header has no column `file`"),
        (
            "file,pulled_at\nh02.json,2024-03-04T03:02:00Z\nh02.json,2024-03-04T03:03:00Z\n",
            ":3: column `file`: \"h02.json\" is the file of line 2",
        ),
        // The name says 01:50Z; the manifest 01:51Z.
        (
            "file,pulled_at\nh01-pulled-20240304T015000Z.json,2024-03-04T01:51:00Z\n",
            ":2: column `pulled_at`: 2024-03-04T01:51:00.000Z disagrees with the pull time in \
             the file name h01-pulled-20240304T015000Z.json (2024-03-04T01:50:00.000Z)",
        ),
    ];
    for (text, want) in cases {
        let m = write("m.csv", text);
        let o = rcx(&["pulls", "check", &f, &named, "--manifest", &m]);
        assert_eq!(code(&o), 2, "{text:?}");
        assert!(
            stderr(&o).contains(&format!("{m}{want}")),
            "{text:?}: {}",
            stderr(&o)
        );
        assert_eq!(stdout(&o), "", "{text:?}");
    }
    // A name with a malformed pull time is refused, not read as unknown.
    let bad = write(
        "h01-pulled-2024-03-04T01:50:00Z.json",
        &seg("b1", "2024-03-04T01:05:00Z"),
    );
    let o = rcx(&["pulls", "check", &bad]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains(
            "h01-pulled-2024-03-04T01:50:00Z.json: the pull time in a file name must be \
             pulled-YYYYMMDDTHHMMSSZ (UTC, e.g. pulled-20240722T113000Z), not \
             \"pulled-2024-03-04T01:50:00Z\""
        ),
        "{}",
        stderr(&o)
    );
    // A manifest that is not there.
    let o = rcx(&[
        "pulls",
        "check",
        &f,
        "--manifest",
        &dir.path().join("none.csv").to_string_lossy(),
    ]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("none.csv"), "{}", stderr(&o));
}

#[test]
fn readme_pulls_check_example_prints_what_the_readme_says() {
    let (o, shown) = readme_example("rcx pulls check fixtures/pulls/");
    assert_eq!(code(&o), 1, "the early pull: {}", stderr(&o));
    assert_eq!(lines(&stdout(&o)), shown);
    // Worked out by hand: h10's latest end 10:40 is in 10:00-11:00, pulled
    // 10:50 < 11:00 (early); h11 pulled 12:01, window_end 12:00, 60 s < 120
    // (warning); h12's 12:30 is in 12:00-13:00, pulled 13:05, 300 s >= 120
    // (nothing). No gap (hours 10, 11, 12 each hold an end), no overlap.
    let findings: Vec<&str> = shown
        .iter()
        .map(String::as_str)
        .filter(|l| !l.starts_with("fixtures/"))
        .collect();
    assert_eq!(findings.len(), 2, "{findings:?}");
    assert!(findings[0].starts_with(
        "early: fixtures/pulls/h10-pulled-20240722T105000Z.ndjson was pulled at \
         2024-07-22T10:50:00.000+00:00, before its window ended at 2024-07-22T11:00:00.000+00:00"
    ));
    assert!(findings[1].starts_with(
        "warning: fixtures/pulls/h11.ndjson was pulled at 2024-07-22T12:01:00.000+00:00, 60.000 s \
         after its window ended at 2024-07-22T12:00:00.000+00:00 (the manifest's window_end)"
    ));
}
