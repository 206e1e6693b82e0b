//! The walk of `flat` against `serde_json`: on the records of the bundled
//! segment files, each member given every kind of value, the walk either
//! declines or reads exactly what the parser reads.

use super::*;

/// What reading a record gives: the segment, what it had, its error.
type Read = (Segment, SegState, Option<String>);

/// Reads the one-line record `text` with `keys`, by the walk (`None` when
/// it declines) or by `serde_json` (`Err` for a record it refuses).
fn read(
    text: &str,
    keys: &mut KeyCache<(SegKey, u8)>,
    walk: bool,
    projection: SegmentRead,
) -> std::result::Result<Read, String> {
    let file: Arc<str> = "f.json".into();
    let lines = ValueLines::default();
    let mut seg = Segment::default();
    let mut st = SegState::default();
    let mut scratch = String::new();
    let mut err = None;
    let mut v = SegVisitor {
        keys,
        seg: &mut seg,
        st: &mut st,
        scratch: &mut scratch,
        err: &mut err,
        lines: &lines,
        file: &file,
        off: 0,
        read: projection,
    };
    let r = if walk {
        Flat::new(text)
            .and_then(|mut f| v.walk(&mut f).filter(|()| f.at_end()))
            .ok_or(String::new())
    } else {
        deserialize_record(text.as_bytes(), v).map_err(|e| e.to_string())
    };
    r.map(|()| (seg, st, err.map(|e| e.to_string())))
}

/// Reads the one-line record `text` by the walk (`None` when it declines)
/// and by `serde_json`. The walk's key cache is filled by walking `warm`
/// first (the record before), so that keys it repeats are matched in place
/// and keys that differ are read; it then reads `text` again, all its keys
/// expected, and must give the same.
fn both(
    text: &str,
    warm: &str,
    projection: SegmentRead,
) -> (Option<Read>, std::result::Result<Read, String>) {
    let mut keys = KeyCache::default();
    let _ = read(warm, &mut keys, true, projection);
    let first = read(text, &mut keys, true, projection).ok();
    let again = read(text, &mut keys, true, projection).ok();
    assert_eq!(first, again, "{text}");
    (
        first,
        read(text, &mut KeyCache::default(), false, projection),
    )
}

/// The projections the tests read with.
const PROJECTIONS: [SegmentRead; 2] = [SegmentRead::Whole, SegmentRead::Placing { events: false }];

/// Records of the bundled segment files on one line each.
fn records() -> Vec<serde_json::Map<String, serde_json::Value>> {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut out = Vec::new();
    for f in [
        "fixtures/segments_mixed.ndjson",
        "fixtures/segments_timeline.ndjson",
        "fixtures/segments_ivr_bot.ndjson",
    ] {
        let text = std::fs::read_to_string(format!("{root}/{f}")).unwrap_or_default();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            if let Ok(serde_json::Value::Object(m)) = serde_json::from_str(line) {
                out.push(m);
            }
        }
    }
    out
}

/// Writes an object on one line with the raw value `raw` for `key`.
fn with_value(m: &serde_json::Map<String, serde_json::Value>, key: &str, raw: &str) -> String {
    write(m, |k, v| {
        let v = if k == key {
            raw.to_string()
        } else {
            v.to_string()
        };
        format!("{}:{v}", serde_json::Value::from(k))
    })
}

/// Writes an object on one line with the raw key text `raw` for `key`.
fn with_key(m: &serde_json::Map<String, serde_json::Value>, key: &str, raw: &str) -> String {
    write(m, |k, v| {
        let k = if k == key {
            raw.to_string()
        } else {
            serde_json::Value::from(k).to_string()
        };
        format!("{k}:{v}")
    })
}

fn write(
    m: &serde_json::Map<String, serde_json::Value>,
    member: impl Fn(&str, &serde_json::Value) -> String,
) -> String {
    let members: Vec<String> = m.iter().map(|(k, v)| member(k, v)).collect();
    format!("{{{}}}", members.join(","))
}

#[test]
fn the_walk_reads_what_serde_reads_or_declines() {
    let raws = [
        "null",
        "true",
        "false",
        r#""TRUE""#,
        r#"" x ""#,
        r#""""#,
        "0",
        "7",
        "-1",
        "1.5",
        "1e3",
        "12345678901234567890",
        "1704067222183",
        r#""1704067222183""#,
        r#""2024-01-01T00:00:22.183Z""#,
        r#""2024-02-29T23:59:59.999Z""#,
        r#""2023-02-29T00:00:00.000Z""#,
        r#""2024-13-01T00:00:22.183Z""#,
        r#""2024-01-01T24:00:00.000Z""#,
        r#""2024-01-01T00:00:60.000Z""#,
        r#""2024-01-01T00:00:22.183+02:00""#,
        r#""2024-01-01 00:00:22.183Z""#,
        r#""say \"hi\"\\ \/ \n\t""#,
        r#""\u00e9""#,
        r#""é – ü""#,
        r#""inbound""#,
        r#""sideways""#,
        "[]",
        "{}",
        r#"[{"eventType":"REC_START","eventTimeMs":"2024-01-01T00:00:35.823Z","x":1}]"#,
        r#"[{"eventType":"REC_STOP","clientEventTimeMs":1704067222183},{}]"#,
        r#"[{"eventType":1}]"#,
        r#"[{"eventTimeMs":"soon"}]"#,
        r#"[{"eventType":[1]}]"#,
        "[1]",
        r#""x"#,
        "nul",
    ];
    let (mut walked, mut declined) = (0, 0);
    let recs = records();
    assert!(recs.len() >= 10, "the fixtures hold segment records");
    for m in &recs {
        let mut keys: Vec<&str> = m.keys().map(String::as_str).collect();
        keys.push("unknownKey");
        for key in &keys {
            for raw in raws {
                let mut m = m.clone();
                m.entry(key.to_string()).or_insert(serde_json::Value::Null);
                let warm = with_value(&m, "", "");
                let mut texts = vec![
                    with_value(&m, key, raw),
                    with_value(&m, key, raw).replace(',', " , "),
                ];
                if raw == "null" {
                    // Keys that the record before had, with space before
                    // their colons (matched only as read, not in place).
                    texts.push(with_value(&m, key, raw).replace("\":", "\" :"));
                    // Keys that differ from the record before: longer,
                    // unclosed, shorter, escaped (`\u0049` is `I`), not a string.
                    let cut = &key[..key.len() - 1];
                    for k in [
                        format!("\"{key}x\""),
                        format!("\"{key}x"),
                        format!("\"{cut}\""),
                        format!("\"{key}\\\"\""),
                        format!("\"{}\"", key.replacen('I', "\\u0049", 1)),
                        "1".to_string(),
                    ] {
                        texts.push(with_key(&m, key, &k));
                    }
                }
                for (text, projection) in texts.iter().flat_map(|t| PROJECTIONS.map(|p| (t, p))) {
                    match both(text, &warm, projection) {
                        (Some(w), Ok(s)) => {
                            assert_eq!(w, s, "{projection:?} {text}");
                            walked += 1;
                        }
                        (Some(_), Err(e)) => {
                            panic!("the walk took what serde refuses ({e}): {projection:?} {text}")
                        }
                        (None, _) => declined += 1,
                    }
                }
            }
        }
    }
    // Both ways are exercised.
    assert!(
        walked > 1000 && declined > 1000,
        "{walked} walked, {declined} declined"
    );
}

/// A placing read converts every key a placed segment uses as the whole
/// read does, and leaves the others absent, the events counted.
#[test]
fn a_placing_read_is_the_whole_read_without_the_keys_it_skips() {
    let placing = SegmentRead::Placing { events: false };
    let mut compared = 0;
    for m in records() {
        let text = with_value(&m, "", "");
        let whole = read(&text, &mut KeyCache::default(), false, SegmentRead::Whole);
        let Ok((mut want, st, None)) = whole else {
            continue;
        };
        want.dialog_id = None;
        want.rc_extension_id = None;
        want.channel_id = None;
        want.channel_class = None;
        want.interaction_recording_location = None;
        want.has_recording = None;
        want.has_transcript = None;
        want.system_disposition = None;
        want.agent_disposition = None;
        want.agent_notes = None;
        want.sub_account_id = None;
        want.counted_events = want.events.take().map(|e| e.len() as u32);
        let want = Ok((want, st, None));
        let parsed = read(&text, &mut KeyCache::default(), false, placing);
        assert_eq!(parsed, want, "{text}");
        // The walk, unless it declines (an empty error).
        let walked = read(&text, &mut KeyCache::default(), true, placing);
        if walked != Err(String::new()) {
            assert_eq!(walked, want, "walked: {text}");
        }
        compared += 1;
    }
    assert!(compared >= 10, "{compared}");
}
