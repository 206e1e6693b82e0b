//! `rcx gen` and `ringcx_reports::gen`: deterministic, exact row counts,
//! readable by our readers, consistent by the SPEC 3 logic rules, and the
//! same values in every wire form.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, Timelike};
use ringcx_reports::gen::{self, GenFormat, GenOptions, GenReport};
use ringcx_reports::{AgentExtRow, AgentRow, IntervalRow, QueueRow, ReaderBuilder, ReportKind};
use serde_json::Value as Json;

use crate::util::{code, rcx, stderr};

fn generate(opts: &GenOptions) -> Vec<u8> {
    let mut out = Vec::new();
    let stats = gen::write(opts, &mut out).expect("generate");
    assert_eq!(stats.rows, opts.rows);
    assert_eq!(stats.bytes, out.len() as u64);
    out
}

fn csv_rows<T: IntervalRow>(bytes: Vec<u8>) -> Vec<T> {
    let mut reader = ReaderBuilder::new()
        .from_bytes("gen.csv", bytes)
        .expect("open generated CSV");
    assert_eq!(reader.kind(), T::KIND);
    assert!(
        reader.diagnostics().is_empty(),
        "{:?}",
        reader.diagnostics()
    );
    let mut rows = Vec::new();
    let mut row = T::default();
    while reader.read_row(&mut row).expect("a valid generated row") {
        rows.push(row.clone());
    }
    rows
}

const ALL: [(GenReport, GenFormat); 10] = [
    (GenReport::Queue, GenFormat::Csv),
    (GenReport::Queue, GenFormat::Json),
    (GenReport::Queue, GenFormat::Xml),
    (GenReport::AgentExt, GenFormat::Csv),
    (GenReport::AgentExt, GenFormat::Json),
    (GenReport::AgentExt, GenFormat::Xml),
    (GenReport::Agent, GenFormat::Csv),
    (GenReport::Agent, GenFormat::Json),
    (GenReport::Agent, GenFormat::Xml),
    (GenReport::Segments, GenFormat::Json),
];

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    for (report, format) in ALL {
        let opts = GenOptions::new(report, 2_000).seed(11).format(format);
        let a = generate(&opts);
        let b = generate(&opts);
        assert!(a == b, "{report} {format}: two runs differ");
        let c = generate(&opts.clone().seed(12));
        assert!(
            a != c,
            "{report} {format}: seeds 11 and 12 give the same bytes"
        );
        // A longer file starts with the same rows (one per line in every
        // form): rows do not depend on N, except that the last interaction
        // of a segment file is cut short.
        let longer = generate(&GenOptions::new(report, 2_500).seed(11).format(format));
        let (a, longer) = (
            String::from_utf8(a).unwrap(),
            String::from_utf8(longer).unwrap(),
        );
        let same = a
            .lines()
            .zip(longer.lines())
            .take_while(|(x, y)| x == y)
            .count();
        assert!(same >= 1_995, "{report} {format}: only {same} equal lines");
    }
}

#[test]
fn exactly_n_rows_in_every_form() {
    for n in [0u64, 1, 39, 40, 41, 3_001] {
        for (report, format) in ALL {
            let bytes = generate(&GenOptions::new(report, n).seed(3).format(format));
            let count = match format {
                GenFormat::Csv => {
                    let text = String::from_utf8(bytes).expect("utf-8");
                    // Names never hold line breaks, so lines = header + rows.
                    text.lines().count() as u64 - 1
                }
                GenFormat::Json => {
                    let v: Json = serde_json::from_slice(&bytes).expect("valid JSON");
                    v.as_array().expect("a top-level array").len() as u64
                }
                GenFormat::Xml => xml_records(&bytes).len() as u64,
                other => panic!("no row count for {other:?}"),
            };
            assert_eq!(count, n, "{report} {format} with {n} rows");
        }
    }
}

#[test]
fn zero_queues_and_segments_as_csv_are_usage_errors() {
    let e = gen::write(&GenOptions::new(GenReport::Queue, 5).queues(0), Vec::new()).unwrap_err();
    assert!(e.is_usage());
    let opts = GenOptions::new(GenReport::Segments, 5).format(GenFormat::Xml);
    let e = gen::write(&opts, Vec::new()).unwrap_err();
    assert!(e.is_usage());
    assert!(
        e.to_string().contains("segments are written as JSON only"),
        "{e}"
    );
}

/// Pulls without re-pulls are the single file cut into windows: the
/// objects, in order, are the same bytes; the windows split at interaction
/// boundaries near `k × rows / pulls`. The options are checked.
#[test]
fn pulls_cut_the_same_objects_into_windows() {
    let opts = GenOptions::new(GenReport::Segments, 1_000).seed(4);
    let one = generate(&opts);
    let lines = |b: &[u8]| -> Vec<Vec<u8>> {
        // One object a line between "[" and "]"; drop the separators.
        let text = std::str::from_utf8(b).expect("utf-8").to_string();
        let inner: Vec<&str> = text.lines().collect();
        inner[1..inner.len() - 1]
            .iter()
            .map(|l| l.trim_end_matches(',').as_bytes().to_vec())
            .collect()
    };
    let mut files = vec![Vec::new(); 4];
    let mut next = files.iter_mut();
    let mut closed = 0;
    let stats = gen::write_pulls(
        &opts.clone().pulls(4),
        |_| Ok(next.next().expect("4 windows")),
        |_| {
            closed += 1;
            Ok(())
        },
    )
    .expect("pulls");
    assert_eq!(
        (stats.rows, stats.repulled, stats.refined, closed),
        (1_000, 0, 0, 4)
    );
    let cut: Vec<Vec<u8>> = files.iter().flat_map(|f| lines(f)).collect();
    assert_eq!(cut, lines(&one));
    // Window k starts with the first interaction at or after segment
    // k × 250; an interaction has at most 5 segments.
    let mut at = 0;
    for (k, f) in files.iter().enumerate() {
        let n = lines(f).len();
        assert!(
            at >= k * 250 && at < k * 250 + 5,
            "window {k} starts at {at}"
        );
        at += n;
    }
    assert_eq!(at, 1_000);
    assert_eq!(
        stats.bytes,
        files.iter().map(|f| f.len() as u64).sum::<u64>()
    );

    let usage = |o: GenOptions| {
        let e = gen::write_pulls(&o, |_| Ok(Vec::new()), |_| Ok(())).unwrap_err();
        assert!(e.is_usage(), "{e}");
        e.to_string()
    };
    assert!(usage(opts.clone().pulls(0)).contains("at least 1"));
    assert!(usage(opts.clone().repull_pct(10)).contains("need at least 2"));
    assert!(usage(opts.clone().pulls(2).repull_pct(101)).contains("0 to 100"));
    // 1 000 rows in 201 windows: fewer than 5 rows a window.
    assert!(usage(opts.clone().pulls(201)).contains("at least 1005 rows"));
    assert!(usage(GenOptions::new(GenReport::Queue, 100).pulls(2)).contains("segments only"));
    let e = gen::write(&opts.clone().pulls(2), Vec::new()).unwrap_err();
    assert!(e.is_usage() && e.to_string().contains("write_pulls"), "{e}");
}

/// Three days (a Sunday, a Monday, a Tuesday) of every report read back
/// through the library's CSV reader.
fn three_days(report: GenReport, rows: u64) -> GenOptions {
    GenOptions::new(report, rows)
        .seed(99)
        .queues(13)
        .agents(60)
        .start(NaiveDate::from_ymd_opt(2023, 12, 31).unwrap())
}

#[test]
fn queue_rows_obey_the_logic_rules_and_the_grid() {
    let opts = three_days(GenReport::Queue, 13 * 96 * 3);
    let rows: Vec<QueueRow> = csv_rows(generate(&opts));
    assert_eq!(rows.len(), 13 * 96 * 3);
    let mut keys = HashSet::new();
    let mut last = i64::MIN;
    let mut per_slot: BTreeMap<i64, usize> = BTreeMap::new();
    for r in &rows {
        let v = |x: Option<u64>| x.expect("no absent values");
        let (answ, aband) = (v(r.answ_call_cnt), v(r.aband_call_cnt));
        assert!(v(r.ans_servicelevel_cnt) <= answ, "{r:?}");
        assert!(
            v(r.aband_short_call_cnt) + v(r.aband_within_sl_cnt) <= aband,
            "{r:?}"
        );
        for (total, longest, n) in [
            (
                r.queued_and_answ_call_dur,
                r.queued_answ_longest_que_dur,
                answ,
            ),
            (
                r.queued_and_aband_call_dur,
                r.queued_aband_longest_que_dur,
                aband,
            ),
        ] {
            let (total, longest) = (v(total), v(longest));
            assert!(longest <= total, "{r:?}");
            assert!(total <= longest * n, "{r:?}");
            if n == 0 {
                assert_eq!((total, longest), (0, 0), "{r:?}");
            }
        }
        if answ == 0 {
            assert_eq!((v(r.talking_call_dur), v(r.wrap_up_dur)), (0, 0), "{r:?}");
        }
        // Offered calls end up answered, abandoned or overflowed out.
        assert_eq!(
            v(r.offd_direct_call_cnt) + v(r.overflow_in_call_cnt),
            answ + aband + v(r.overflow_out_call_cnt),
            "{r:?}"
        );
        assert_eq!(r.interval.minutes(), 15);
        let t = r.start.timestamp();
        assert_eq!(t % 900, 0);
        assert!(t >= last, "rows out of time order at {:?}", r.pos);
        last = t;
        assert!(keys.insert((r.queue.clone(), t)), "duplicate key {r:?}");
        *per_slot.entry(t).or_default() += 1;
    }
    // Every interval has every queue.
    assert_eq!(per_slot.len(), 96 * 3);
    assert!(per_slot.values().all(|&n| n == 13));
    assert_eq!(rows[0].start.to_rfc3339(), "2023-12-31T00:00:00+00:00");
    assert_eq!(
        rows.last().unwrap().start.to_rfc3339(),
        "2024-01-02T23:45:00+00:00"
    );
    // Names that need quoting made it through the reader.
    assert!(rows.iter().any(|r| r.queue_name == "Support, Tier 1"));
    assert!(rows
        .iter()
        .any(|r| r.queue_name == "Retention \"Save\" Desk"));
}

#[test]
fn queue_volume_has_a_daily_shape() {
    let opts = three_days(GenReport::Queue, 13 * 96 * 3);
    let rows: Vec<QueueRow> = csv_rows(generate(&opts));
    let offered = |date: u32, hour: u32| -> u64 {
        rows.iter()
            .filter(|r| r.start.local().day0() + 1 == date && r.start.local().hour() == hour)
            .map(|r| r.offd_direct_call_cnt.unwrap() + r.overflow_in_call_cnt.unwrap())
            .sum()
    };
    // Monday 2024-01-01: a mid-morning peak far above the night low.
    let (night, peak) = (offered(1, 3), offered(1, 10));
    assert!(peak > 10 * night.max(1), "peak {peak}, night {night}");
    assert!(
        offered(1, 10) > offered(1, 15),
        "the morning peak is the highest"
    );
    // Sunday 2023-12-31 is quieter than Monday.
    assert!(offered(31, 10) * 3 < offered(1, 10) * 2);
}

#[test]
fn agent_ext_rows_obey_the_logic_rules() {
    let opts = three_days(GenReport::AgentExt, 20_000);
    let rows: Vec<AgentExtRow> = csv_rows(generate(&opts));
    assert_eq!(rows.len(), 20_000);
    let mut keys = HashSet::new();
    let mut last = i64::MIN;
    let mut busy = 0;
    for r in &rows {
        let answ = r.answ_call_cnt.unwrap();
        assert!(r.transfer_out_call_cnt.unwrap() <= answ, "{r:?}");
        if answ == 0 {
            assert_eq!(
                (r.talking_call_dur, r.wrap_up_dur),
                (Some(0), Some(0)),
                "{r:?}"
            );
        } else {
            busy += 1;
        }
        let t = r.start.timestamp();
        assert_eq!(t % 900, 0);
        assert!(t >= last);
        last = t;
        assert!(
            keys.insert((r.agent_id.clone(), r.queue.clone(), t)),
            "duplicate key {r:?}"
        );
    }
    assert!(busy > 1_000, "only {busy} rows with answered calls");
    assert!(rows.iter().any(|r| r.agent_name.contains(", ")));
    assert!(rows.iter().any(|r| r.agent_name.contains('"')));
    // Some agents work in several queues.
    let agents: HashSet<_> = rows.iter().map(|r| &r.agent_id).collect();
    let pairs: HashSet<_> = rows.iter().map(|r| (&r.agent_id, &r.queue)).collect();
    assert_eq!(agents.len(), 60);
    assert!(pairs.len() > 80, "{} agent-queue pairs", pairs.len());
}

#[test]
fn agent_rows_fit_their_interval() {
    let opts = three_days(GenReport::Agent, 60 * 96 * 3);
    let rows: Vec<AgentRow> = csv_rows(generate(&opts));
    assert_eq!(rows.len(), 60 * 96 * 3);
    let mut keys = HashSet::new();
    let mut working = 0;
    for r in &rows {
        let states = [r.avail_dur, r.tot_work_dur, r.pause_dur, r.admin_dur];
        let logged: u64 = states.iter().map(|v| v.unwrap()).sum();
        assert!(logged == 0 || logged == 900, "{r:?}");
        assert!(r.wait_dur.unwrap() <= r.avail_dur.unwrap(), "{r:?}");
        for (n, dur) in [
            (r.direct_in_call_cnt, r.direct_in_call_dur),
            (r.direct_out_call_cnt, r.direct_out_call_dur),
        ] {
            assert_eq!(n.unwrap() == 0, dur.unwrap() == 0, "{r:?}");
        }
        working += (logged > 0) as usize;
        assert!(keys.insert((r.agent_id.clone(), r.start.timestamp())));
    }
    // Shifts of about 8 hours: roughly a third of agent intervals worked.
    let share = working * 100 / rows.len();
    assert!(
        (25..=45).contains(&share),
        "{share} % of agent intervals worked"
    );
}

/// Lowercase snake_case form of a camelCase JSON key, through the field
/// catalogue.
fn snake(key: &str) -> String {
    match key {
        "dateTimeFrom" => "date_time_from".into(),
        k => ringcx_reports::Field::from_json_key(k)
            .unwrap_or_else(|| panic!("unknown JSON key {k}"))
            .name()
            .into(),
    }
}

/// The CSV rows as maps of snake name → text, for comparing wire forms.
fn csv_maps(bytes: &[u8]) -> Vec<BTreeMap<String, String>> {
    let mut rdr = csv::Reader::from_reader(bytes);
    let headers = rdr.headers().unwrap().clone();
    rdr.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

#[cfg(feature = "xml")]
fn xml_records(bytes: &[u8]) -> Vec<BTreeMap<String, String>> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    let mut row: Option<BTreeMap<String, String>> = None;
    let mut field: Option<String> = None;
    let mut text = String::new();
    let mut depth = 0;
    loop {
        match reader.read_event_into(&mut buf).expect("well-formed XML") {
            Event::Start(e) => {
                depth += 1;
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                match depth {
                    2 => {
                        assert_eq!(name, "row");
                        row = Some(BTreeMap::new());
                    }
                    3 => {
                        field = Some(name);
                        text.clear();
                    }
                    _ => {}
                }
            }
            Event::Text(t) => text.push_str(&t.xml_content().unwrap()),
            Event::GeneralRef(r) => {
                let name = String::from_utf8(r.to_vec()).unwrap();
                text.push(match name.as_str() {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    other => panic!("unexpected entity {other}"),
                });
            }
            Event::End(_) => {
                if depth == 3 {
                    let f = field.take().unwrap();
                    row.as_mut().unwrap().insert(f, text.clone());
                } else if depth == 2 {
                    out.push(row.take().unwrap());
                }
                depth -= 1;
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    assert_eq!(depth, 0, "XML not closed");
    out
}

#[cfg(not(feature = "xml"))]
fn xml_records(_bytes: &[u8]) -> Vec<BTreeMap<String, String>> {
    unreachable!("the XML tests need the xml feature")
}

/// JSON objects as maps of snake name → text, with `dateTimeFrom` split
/// back into the CSV's `date_from` and `time`.
fn json_maps(bytes: &[u8]) -> Vec<BTreeMap<String, String>> {
    let v: Json = serde_json::from_slice(bytes).expect("valid JSON");
    v.as_array()
        .expect("an array")
        .iter()
        .map(|o| {
            let mut m = BTreeMap::new();
            for (k, v) in o.as_object().expect("an object") {
                let text = match v {
                    Json::String(s) => s.clone(),
                    Json::Number(n) => {
                        assert!(n.is_u64(), "{k}: {n} is not a non-negative integer");
                        n.to_string()
                    }
                    other => panic!("{k}: unexpected {other}"),
                };
                m.insert(snake(k), text);
            }
            let dt = m.remove("date_time_from").expect("dateTimeFrom");
            // MM-dd-yyyyTHH:mm:ss
            assert_eq!(dt.len(), 19, "{dt}");
            m.insert(
                "date_from".into(),
                format!("{}{}{}", &dt[6..10], &dt[0..2], &dt[3..5]),
            );
            m.insert("time".into(), dt[11..16].to_string());
            assert_eq!(&dt[16..], ":00");
            m
        })
        .collect()
}

#[test]
fn json_and_xml_carry_the_same_values_as_csv() {
    for report in [GenReport::Queue, GenReport::AgentExt, GenReport::Agent] {
        let opts = GenOptions::new(report, 3_000).seed(5).queues(17).agents(70);
        let csv = csv_maps(&generate(&opts));
        let json = json_maps(&generate(&opts.clone().format(GenFormat::Json)));
        let xml = xml_records(&generate(&opts.clone().format(GenFormat::Xml)));
        assert_eq!(csv.len(), 3_000);
        assert_eq!(xml, csv, "{report}: XML differs from CSV");
        for (j, c) in json.iter().zip(&csv) {
            let mut j = j.clone();
            if report == GenReport::Queue {
                // The current JSON has two fields the legacy forms lack.
                let answ: u64 = c["answ_call_cnt"].parse().unwrap();
                let completed: u64 = j.remove("completed_contacts").unwrap().parse().unwrap();
                assert!(completed <= answ);
                j.remove("segment_hold_time_ms").expect("segmentHoldTime");
            }
            assert_eq!(&j, c, "{report}: JSON differs from CSV");
        }
    }
}

#[test]
fn json_keys_are_the_documented_camel_case_names_in_order() {
    let bytes = generate(&GenOptions::new(GenReport::Queue, 1).format(GenFormat::Json));
    let text = String::from_utf8(bytes).unwrap();
    let pieces: Vec<&str> = text.split("\":").collect();
    let keys: Vec<&str> = pieces[..pieces.len() - 1]
        .iter()
        .map(|p| p.rsplit('"').next().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "interval",
            "dateTimeFrom",
            "queue",
            "queueName",
            "offdDirectIxnCnt",
            "overflowInIxnCnt",
            "abandIxnCnt",
            "overflowOutIxnCnt",
            "answIxnCnt",
            "queuedAndAnswIxnDur",
            "queuedAndAbandIxnDur",
            "talkingIxnDur",
            "wrapUpDur",
            "queuedAnswLongestQueDur",
            "queuedAbandLongestQueDur",
            "ansServicelevelCnt",
            "waitDur",
            "abandShortIxnCnt",
            "abandWithinSlCnt",
            "completedContacts",
            "segmentHoldTime",
        ]
    );
    assert!(text.starts_with("[\n{\"interval\":15,\"dateTimeFrom\":\"01-01-2024T00:00:00\",\"queue\":5000,\"queueName\":\"Sales\","));
}

fn ms(v: &Json, key: &str) -> i64 {
    let s = v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string: {v}"));
    // RFC 3339, UTC, milliseconds: 2024-01-01T00:00:17.830Z
    assert_eq!(s.len(), 24, "{key}: {s}");
    assert!(s.ends_with('Z') && s.as_bytes()[19] == b'.', "{key}: {s}");
    DateTime::parse_from_rfc3339(s)
        .unwrap_or_else(|e| panic!("{key}: {s}: {e}"))
        .timestamp_millis()
}

#[test]
fn segments_are_consistent_cx_v1_interactions() {
    let n = 5_000;
    let bytes = generate(&GenOptions::new(GenReport::Segments, n).seed(8));
    let v: Json = serde_json::from_slice(&bytes).expect("valid JSON");
    let segs = v.as_array().unwrap();
    assert_eq!(segs.len() as u64, n);
    let mut ids = HashSet::new();
    let mut per_ixn: BTreeMap<String, Vec<&Json>> = BTreeMap::new();
    let mut last_start = i64::MIN;
    let (mut paused, mut outbound, mut ivr) = (0, 0, 0);
    for s in segs {
        let o = s.as_object().unwrap();
        assert_eq!(o.len(), 26, "every cx v1 key, once: {s}");
        assert!(!o.contains_key("segmentID") && !o.contains_key("interactionDirection"));
        let ixn = s["interactionId"].as_str().unwrap().to_string();
        let seg = s["segmentId"].as_str().unwrap().to_string();
        assert!(ids.insert((ixn.clone(), seg)), "duplicate segment {s}");
        let (ds, de) = (ms(s, "dialogStartTimeMs"), ms(s, "dialogEndTimeMs"));
        let (ss, se) = (ms(s, "segmentStartTimeMs"), ms(s, "segmentEndTimeMs"));
        assert!(
            ds <= ss && ss < se && se <= de,
            "segment outside its dialog: {s}"
        );
        assert_eq!(s["segmentDurationMs"].as_i64(), Some(se - ss));
        assert_eq!(s["dialogDurationMs"].as_i64(), Some(de - ds));
        assert!(ds >= last_start, "interactions out of start order");
        last_start = ds;
        match s["dialogOrigination"].as_str().unwrap() {
            "OUTBOUND" => outbound += 1,
            "INBOUND" => {}
            other => panic!("origination {other}"),
        }
        match s["segmentType"].as_str().unwrap() {
            "AGENT" => assert!(s["segmentParticipantId"].is_string()),
            "IVR" => {
                ivr += 1;
                assert!(s["segmentParticipantId"].is_null());
            }
            other => panic!("segment type {other}"),
        }
        let events = s["segmentEvents"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        assert_eq!(s["hasRecording"].as_bool(), Some(!events.is_empty()), "{s}");
        let mut at = ss;
        for (i, e) in events.iter().enumerate() {
            let want = if i % 2 == 0 { "REC_START" } else { "REC_STOP" };
            assert_eq!(e["eventType"], want, "events alternate from REC_START: {s}");
            let t = ms(e, "eventTimeMs");
            ms(e, "clientEventTimeMs");
            assert!(at <= t && t <= se, "event outside its segment: {s}");
            at = t;
        }
        assert!(events.len() % 2 == 0, "a recording left running: {s}");
        paused += (events.len() == 4) as usize;
        per_ixn.entry(ixn).or_default().push(s);
    }
    // Segments of an interaction are contiguous, in order, and agree on the
    // interaction's own fields.
    let transfers = per_ixn
        .values()
        .filter(|v| v.iter().filter(|s| s["segmentType"] == "AGENT").count() > 1)
        .count();
    for v in per_ixn.values() {
        for w in v.windows(2) {
            assert_eq!(w[0]["dialogId"], w[1]["dialogId"]);
            assert!(ms(w[0], "segmentStartTimeMs") < ms(w[1], "segmentStartTimeMs"));
        }
    }
    assert!(transfers > 300, "{transfers} interactions with transfers");
    assert!(outbound > 500, "{outbound} outbound segments");
    assert!(ivr > 300, "{ivr} IVR segments");
    assert!(paused > 200, "{paused} recordings with a pause");
}

#[test]
fn cli_writes_the_library_output_to_a_file_and_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q.csv");
    let path_s = path.to_str().unwrap();
    let o = rcx(&[
        "gen",
        "--report",
        "agent-ext",
        "--rows",
        "500",
        "--seed",
        "4",
        "--queues",
        "9",
        "--agents",
        "30",
        "--start",
        "2024-06-01",
        "-o",
        path_s,
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let want = generate(
        &GenOptions::new(GenReport::AgentExt, 500)
            .seed(4)
            .queues(9)
            .agents(30)
            .start(NaiveDate::from_ymd_opt(2024, 6, 1).unwrap()),
    );
    assert!(std::fs::read(&path).unwrap() == want);
    assert_eq!(
        stderr(&o),
        "rcx: wrote 500 rows, ".to_string() + &want.len().to_string() + " bytes\n"
    );

    let o = rcx(&["gen", "--report", "segments", "--rows", "7", "--seed", "2"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(o.stdout == generate(&GenOptions::new(GenReport::Segments, 7).seed(2)));

    let o = rcx(&[
        "gen", "--report", "segments", "--rows", "7", "--format", "csv",
    ]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("segments are written as JSON only"),
        "{}",
        stderr(&o)
    );
    let o = rcx(&[
        "gen",
        "--report",
        "queue",
        "--rows",
        "7",
        "--start",
        "2024-13-01",
    ]);
    assert_eq!(code(&o), 2);
}

#[test]
fn report_names_round_trip() {
    for r in [
        GenReport::Queue,
        GenReport::AgentExt,
        GenReport::Agent,
        GenReport::Segments,
    ] {
        assert_eq!(r.to_string().parse::<GenReport>().unwrap(), r);
        assert_eq!(GenReport::from(ReportKind::from(r)), r);
    }
}

/// The dialogs of a generated export as `rcx calls` must see them, counted
/// here from the JSON alone: (abandoned, short abandoned, transfers,
/// conferences) of inbound dialogs without / every dialog with an agent.
fn count_calls(segs: &[Json]) -> (u64, u64, u64, u64) {
    let mut per_ixn: BTreeMap<&str, Vec<&Json>> = BTreeMap::new();
    for s in segs {
        per_ixn
            .entry(s["interactionId"].as_str().unwrap())
            .or_default()
            .push(s);
    }
    let (mut abandoned, mut short, mut transfers, mut conferences) = (0, 0, 0, 0);
    for v in per_ixn.values() {
        let mut agents: Vec<(i64, i64)> = v
            .iter()
            .filter(|s| s["segmentParticipantId"].is_string())
            .map(|s| (ms(s, "segmentStartTimeMs"), ms(s, "segmentEndTimeMs")))
            .collect();
        if agents.is_empty() {
            if v[0]["dialogOrigination"] == "INBOUND" {
                abandoned += 1;
                let wait = ms(v[0], "dialogEndTimeMs") - ms(v[0], "dialogStartTimeMs");
                short += u64::from(wait < 5_000);
            }
            continue;
        }
        agents.sort_unstable();
        let mut open_until = agents[0].1;
        for &(start, end) in &agents[1..] {
            if start < open_until {
                conferences += 1;
            } else {
                transfers += 1;
            }
            open_until = open_until.max(end);
        }
    }
    (abandoned, short, transfers, conferences)
}

#[test]
fn segments_include_abandons_and_conferences_that_calls_counts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("segments.json");
    let p = path.to_str().unwrap();
    let o = rcx(&[
        "gen", "--report", "segments", "--rows", "4000", "--seed", "16", "-o", p,
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let bytes = std::fs::read(&path).unwrap();
    let v: Json = serde_json::from_slice(&bytes).expect("valid JSON");
    let segs = v.as_array().unwrap();
    assert_eq!(segs.len(), 4000);
    let (abandoned, short, transfers, conferences) = count_calls(segs);
    // Modest, but enough of each to exercise the KPIs.
    assert!(abandoned > 50, "{abandoned} abandoned dialogs");
    assert!(short > 10 && short < abandoned, "{short} short abandons");
    assert!(conferences > 20, "{conferences} conference legs");
    assert!(transfers > 200, "{transfers} transfers");
    let waits_over_20s = segs
        .iter()
        .filter(|s| s["segmentType"] == "IVR")
        .filter(|s| ms(s, "segmentEndTimeMs") - ms(s, "segmentStartTimeMs") > 20_000)
        .count();
    assert!(waits_over_20s > 50, "{waits_over_20s} waits over 20 s");

    let o = rcx(&["validate", p]);
    assert_eq!(
        code(&o),
        0,
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        stderr(&o)
    );
    let o = rcx(&[
        "calls",
        p,
        "--by",
        "all",
        "--interval",
        "total",
        "--columns",
        "abandoned,short_abandoned,transfers,conferences",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("bucket_start,bucket_end,abandoned,short_abandoned,transfers,conferences")
    );
    let row: Vec<&str> = lines.next().expect("one row").split(',').collect();
    assert_eq!(lines.next(), None, "{out}");
    assert_eq!(
        row[2..],
        [
            abandoned.to_string(),
            short.to_string(),
            transfers.to_string(),
            conferences.to_string()
        ]
    );
}
