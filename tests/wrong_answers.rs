//! Issue 14, "no silent wrong answers": each test pins a case where the
//! tool used to hand back a wrong number, label or file with exit 0.

use crate::expected::US_FALL_BACK_ZONES;
use crate::util::{code, rcx, stderr, stdout, temp_file};

const QUEUE_HEADER: &str = "interval,date_from,time,queue,queue_name,offd_direct_call_cnt,overflow_in_call_cnt,aband_call_cnt,overflow_out_call_cnt,answ_call_cnt,queued_and_answ_call_dur,queued_and_aband_call_dur,talking_call_dur,wrap_up_dur,queued_answ_longest_que_dur,queued_aband_longest_que_dur,ans_servicelevel_cnt,wait_dur,aband_short_call_cnt,aband_within_sl_cnt";

/// A Queue Statistics file of one queue, one row per (interval, date,
/// time), every row 1 offered and 1 answered.
fn queue_file(rows: &[(u32, &str, &str)]) -> String {
    let mut s = format!("{QUEUE_HEADER}\n");
    for (len, date, time) in rows {
        s += &format!("{len},{date},{time},1,Q,1,0,0,0,1,5,0,60,10,5,0,1,100,0,0\n");
    }
    s
}

/// Australia/Lord_Howe sets its clock back 30 minutes at 02:00 (+11:00)
/// on 2024-04-07, to 01:30 (+10:30). The local hour 01:00 is then read
/// twice: 01:00-02:00 at +11:00, and 01:30-02:00 at +10:30. The second
/// hour bucket starts at the change (01:30+10:30, 15:00 UTC); it was
/// labelled 01:30+11:00 (14:30 UTC), 30 minutes early.
#[test]
fn lord_howe_half_hour_fall_back_labels_the_second_hour_at_its_own_offset() {
    let data = queue_file(&[
        (30, "20240407", "00:00"),
        (30, "20240407", "00:30"),
        (30, "20240407", "01:00"),
        (30, "20240407", "01:30"),
        (30, "20240407", "01:30"),
        (30, "20240407", "02:00"),
        (30, "20240407", "02:30"),
    ]);
    let (_d, path) = temp_file("lh.csv", data.as_bytes());
    let out = rcx(&[
        "rollup",
        path.to_str().unwrap(),
        "--source-tz",
        "Australia/Lord_Howe",
        "--columns",
        "rows",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "queue,queue_name,bucket_start,bucket_end,rows\n\
         1,Q,2024-04-07T00:00:00+11:00,2024-04-07T01:00:00+11:00,2\n\
         1,Q,2024-04-07T01:00:00+11:00,2024-04-07T01:30:00+10:30,2\n\
         1,Q,2024-04-07T01:30:00+10:30,2024-04-07T02:00:00+10:30,1\n\
         1,Q,2024-04-07T02:00:00+10:30,2024-04-07T03:00:00+10:30,2\n"
    );
}

/// Spring forward in Lord Howe: 02:00 (+10:30) becomes 02:30 (+11:00) on
/// 2024-10-06, so the local hour 02:00 holds only 02:30-03:00.
#[test]
fn lord_howe_half_hour_spring_forward_starts_the_hour_after_the_gap() {
    let data = queue_file(&[
        (30, "20241006", "01:00"),
        (30, "20241006", "01:30"),
        (30, "20241006", "02:30"),
        (30, "20241006", "03:00"),
    ]);
    let (_d, path) = temp_file("lh.csv", data.as_bytes());
    let out = rcx(&[
        "rollup",
        path.to_str().unwrap(),
        "--source-tz",
        "Australia/Lord_Howe",
        "--columns",
        "rows",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "queue,queue_name,bucket_start,bucket_end,rows\n\
         1,Q,2024-10-06T01:00:00+10:30,2024-10-06T02:30:00+11:00,2\n\
         1,Q,2024-10-06T02:30:00+11:00,2024-10-06T03:00:00+11:00,1\n\
         1,Q,2024-10-06T03:00:00+11:00,2024-10-06T04:00:00+11:00,1\n"
    );
}

/// The same bucket in a timeline: a segment 15:10-15:20 UTC on 2024-04-06
/// is 01:40-01:50 at +10:30, in the second local 01:00 hour.
#[test]
fn lord_howe_half_hour_fall_back_in_a_timeline() {
    let seg = r#"{"interactionId":1,"segmentID":1,"segmentAgentId":7,"interactionDirection":"INBOUND","segmentContactStartTimeMs":"2024-04-06T15:10:00Z","segmentContactEndTimeMs":"2024-04-06T15:20:00Z"}"#;
    let (_d, path) = temp_file("lh.ndjson", format!("{seg}\n").as_bytes());
    let out = rcx(&[
        "timeline",
        path.to_str().unwrap(),
        "--by",
        "all",
        "--tz",
        "Australia/Lord_Howe",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let line = stdout(&out).lines().nth(1).unwrap_or_default().to_owned();
    assert!(
        line.starts_with("2024-04-07T01:30:00+10:30,2024-04-07T02:00:00+10:30,1,1,600.000,"),
        "{line}"
    );
}

/// Year 0 and year 9999 gave week and month buckets that RFC 3339 cannot
/// print (`-001-12-27…`, `+10000-…`). The reader refuses such dates as a
/// Values error naming the field and the raw value; year 1 still reads,
/// and its week bucket (which starts in year 0) prints with four digits.
#[test]
fn dates_whose_buckets_rfc_3339_cannot_print_are_refused() {
    let data = "15,00000304,08:00,1,Q,1,0,0,0,1,5,0,60,10,5,0,1,100,0,0\n\
                15,99991231,08:00,1,Q,1,0,0,0,1,5,0,60,10,5,0,1,100,0,0\n\
                15,00010101,00:00,1,Q,1,0,0,0,1,5,0,60,10,5,0,1,100,0,0\n";
    let (_d, path) = temp_file("y.csv", data.as_bytes());
    let p = path.to_str().unwrap();
    let out = rcx(&["parse", p]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("y.csv:1: error[V106] date_from: the year 0 is outside 1-9998"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("(value \"00000304\")"));
    let out = rcx(&[
        "rollup",
        "--skip-invalid",
        "--interval",
        "week",
        p,
        "--columns",
        "rows",
    ]);
    assert_eq!(code(&out), 1, "two rows skipped");
    assert!(
        stderr(&out).contains("skipped 2 invalid row(s) (V106: 2)"),
        "{}",
        stderr(&out)
    );
    let text = stdout(&out);
    let row = text.lines().nth(1).expect("the year-1 row");
    let cells: Vec<&str> = row.split(',').collect();
    // 0001-01-01 is a Monday (proleptic Gregorian): its week starts that day.
    assert_eq!(cells[2], "0001-01-01T00:00:00+00:00");
    assert_eq!(cells[3], "0001-01-08T00:00:00+00:00");
    for c in &cells[2..4] {
        chrono::DateTime::parse_from_rfc3339(c).expect("RFC 3339");
    }
    let json =
        r#"[{"interval":15,"dateTimeFrom":"12-31-9999T08:00:00","queue":1,"queueName":"Q"}]"#;
    let (_d2, jpath) = temp_file("y.json", json.as_bytes());
    let out = rcx(&["parse", jpath.to_str().unwrap()]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("error[V106] date_time_from: the year 9999 is outside 1-9998"),
        "{}",
        stderr(&out)
    );
}

/// The zone given to the `ReaderBuilder` is the rollup's source zone (and
/// so its default bucket zone) when the rollup sets none: it was ignored,
/// and a New York export came back in UTC day buckets without a word.
#[test]
fn the_reader_builders_zone_is_the_rollups_source_zone() {
    use ringcx_reports::rollup::Rollup;
    use ringcx_reports::window::BucketInterval;
    let rb = crate::util::builder("America/New_York");
    let path = crate::util::fixture("queue_dst_days_ny.csv");
    let table = Rollup::new()
        .interval(BucketInterval::Day)
        .run_files(&[&path], &rb)
        .expect("rollup");
    let days: Vec<(String, String, u64)> = table
        .records()
        .iter()
        .map(|r| {
            (
                r.bucket_start().to_rfc3339(),
                r.bucket_end().to_rfc3339(),
                r.queue().expect("queue metrics").sums.rows,
            )
        })
        .collect();
    // The fixture holds every 15-minute row of two DST days in New York:
    // 92 rows on the 23-hour day, 100 on the 25-hour day.
    assert_eq!(
        days,
        [
            (
                "2024-03-10T00:00:00-05:00".into(),
                "2024-03-11T00:00:00-04:00".into(),
                92
            ),
            (
                "2024-11-03T00:00:00-04:00".into(),
                "2024-11-04T00:00:00-05:00".into(),
                100
            ),
        ]
    );
    // A zone set on the rollup wins over the builder's (Chicago shares
    // New York's DST dates, so the file stays valid there).
    let table = Rollup::new()
        .interval(BucketInterval::Day)
        .source_tz("America/Chicago".parse().unwrap())
        .run_files(&[&path], &rb)
        .expect("rollup");
    assert_eq!(
        table.records()[0].bucket_start().to_rfc3339(),
        "2024-03-10T00:00:00-06:00"
    );
}

/// A New York export read without `--source-tz` stopped with "F401
/// duplicate row … beyond the fall-back repeat" and no hint; the error now
/// names the zones in which that wall-clock hour repeats and the option.
#[test]
fn a_duplicate_at_a_common_fall_back_hour_hints_the_source_zone() {
    let path = crate::util::fixture("queue_dst_days_ny.csv");
    let file = path.to_str().unwrap();
    for cmd in ["rollup", "convert", "parse"] {
        let mut args = vec![cmd, file];
        if cmd == "convert" {
            args.extend(["--to", "csv"]);
        }
        let out = rcx(&args);
        let err = stderr(&out);
        assert_eq!(code(&out), 1, "{cmd}: {err}");
        assert!(err.contains("error[F401]"), "{cmd}: {err}");
        assert!(
            err.contains("2024-11-03 01:00 local time repeats"),
            "{cmd}: {err}"
        );
        assert!(
            err.contains("America/New_York, America/Chicago"),
            "{cmd}: {err}"
        );
        assert!(err.contains("--source-tz"), "{cmd}: {err}");
    }
    // Read in its zone the file is fine, and a real duplicate in a zone
    // where the hour repeats carries no zone hint.
    let out = rcx(&["rollup", file, "--source-tz", "America/New_York"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let mut text = std::fs::read_to_string(&path).unwrap();
    let last = text.lines().last().unwrap().to_string();
    text.push_str(&last);
    text.push('\n');
    let (_d, dup) = temp_file("dup.csv", text.as_bytes());
    let out = rcx(&[
        "rollup",
        dup.to_str().unwrap(),
        "--source-tz",
        "America/New_York",
    ]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("error[F401]"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("--source-tz"), "{}", stderr(&out));
}

/// The spring-forward hour of a New York export read in UTC is a gap to
/// `validate --gaps`; the warning names the zones where it does not exist.
#[test]
fn a_gap_at_a_common_spring_forward_hour_hints_the_source_zone() {
    let path = crate::util::fixture("queue_dst_days_ny.csv");
    let out = rcx(&["validate", "--gaps", path.to_str().unwrap()]);
    let text = stdout(&out);
    let gap = text
        .lines()
        .find(|l| l.contains("warning[F403]") && l.contains("2024-03-10T02:00:00+00:00"))
        .unwrap_or_else(|| panic!("no spring gap in {text}"));
    assert!(
        gap.contains("2024-03-10 02:00 local time does not exist"),
        "{gap}"
    );
    assert!(gap.contains(US_FALL_BACK_ZONES[0]), "{gap}");
    assert!(gap.contains("--source-tz"), "{gap}");
    // The gap between the two days is no clock change: no hint.
    let long = text
        .lines()
        .find(|l| l.contains("warning[F403]") && l.contains("2024-03-11T00:00:00+00:00"))
        .unwrap_or_else(|| panic!("no long gap in {text}"));
    assert!(!long.contains("--source-tz"), "{long}");
}

/// `inspect` says which common zones the wall-clock pattern of a file fits:
/// the New York fixture repeats 01:00 on 2024-11-03 (the US fall-back), a
/// London-shaped file 01:00 on 2024-10-27 (the fall-back of the zones on
/// UTC in winter), and a row at a time that does not exist in a zone rules
/// it out.
#[test]
fn inspect_names_the_zones_whose_fall_back_fits_the_file() {
    let path = crate::util::fixture("queue_dst_days_ny.csv");
    let out = rcx(&["inspect", "--format", "json", path.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let fit = &v[0]["zone_fit"];
    assert_eq!(fit["repeats"], serde_json::json!(["2024-11-03T01:00:00"]));
    assert_eq!(fit["zones"], serde_json::json!(US_FALL_BACK_ZONES));
    let text = stdout(&rcx(&["inspect", path.to_str().unwrap()]));
    assert!(
        text.contains("zones whose fall-back fits: America/New_York, America/Chicago"),
        "{text}"
    );

    // London, Dublin, Lisbon and (on the last Sunday of October) Jerusalem
    // set their clocks back from 02:00 to 01:00 on 2024-10-27; Central
    // Europe's repeated hour is 02:00-03:00.
    let mut rows: Vec<(u32, &str, &str)> = [
        "00:00", "00:30", "01:00", "01:30", "01:00", "01:30", "02:00",
    ]
    .iter()
    .map(|t| (30, "20241027", *t))
    .collect();
    let data = queue_file(&rows);
    let (_d, london) = temp_file("london.csv", data.as_bytes());
    let v: serde_json::Value = serde_json::from_str(&stdout(&rcx(&[
        "inspect",
        "--format",
        "json",
        london.to_str().unwrap(),
    ])))
    .unwrap();
    assert_eq!(
        v[0]["zone_fit"]["zones"],
        serde_json::json!([
            "Europe/London",
            "Europe/Dublin",
            "Europe/Lisbon",
            "Asia/Jerusalem"
        ])
    );
    // 01:30 on 2024-03-31 never happened in the first three (their spring
    // forward), 02:30 on 2024-03-29 never happened in Jerusalem.
    rows.insert(0, (30, "20240331", "01:30"));
    rows.insert(0, (30, "20240329", "02:30"));
    let data = queue_file(&rows);
    let (_d2, ruled_out) = temp_file("ruled_out.csv", data.as_bytes());
    let out = rcx(&["inspect", ruled_out.to_str().unwrap()]);
    assert!(
        stdout(&out).contains("zones whose fall-back fits: none of the common zones"),
        "{}",
        stdout(&out)
    );
    // A file without a step back says nothing about zones.
    let v: serde_json::Value = serde_json::from_str(&stdout(&rcx(&[
        "inspect",
        "--format",
        "json",
        crate::util::fixture("queue_header.csv").to_str().unwrap(),
    ])))
    .unwrap();
    assert!(v[0]["zone_fit"].is_null(), "{v}");
}
