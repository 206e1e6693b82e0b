//! Properties the engine relies on, checked on generated input with
//! proptest (modest case counts: the whole suite stays fast on 2 cores).
//! Failing seeds are kept in `proptest-regressions/properties.txt`
//! (see `util::proptest_config`).
//!
//! * every local start that exists in an IANA zone resolves and
//!   round-trips; one in a spring-forward gap is refused; one in a
//!   fall-back window takes the earlier offset first, the later on repeat;
//! * `parse_count` agrees with `str::parse::<u64>` (after trimming, with
//!   the zero-fraction acceptance) on arbitrary strings;
//! * reading with any buffer size is reading whole;
//! * the validator's report does not depend on the buffer size;
//! * rows written as XML or JSON (and segments as JSON) read back as
//!   written, and pass the reader targets' checks;
//! * a rollup does not depend on row order (ratios included, and overflow
//!   errors); sums merge associatively, with `Default` as identity.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone};
use chrono_tz::{Tz, TZ_VARIANTS};
use proptest::prelude::*;
use ringcx_reports::model::{parse_count, LocalResolver, ResolveError};
use ringcx_reports::{AgentExtRow, Code, IntervalStart, ReaderBuilder};

use crate::fuzzing::checks::{self, Opts, Path, Source};
use crate::wire::{self, Csv, Json, JsonFrame, Record, Xml, XmlEscape};

fn config(cases: u32) -> ProptestConfig {
    crate::util::proptest_config(cases, "proptest-regressions/properties.txt")
}

// ---------------------------------------------------------------------
// Local time resolution.
// ---------------------------------------------------------------------

fn offset_at(tz: Tz, t: i64) -> i32 {
    let at = DateTime::from_timestamp(t, 0)
        .expect("in range")
        .naive_utc();
    tz.offset_from_utc_datetime(&at).fix().local_minus_utc()
}

fn naive(t: i64) -> NaiveDateTime {
    DateTime::from_timestamp(t, 0)
        .expect("in range")
        .naive_utc()
}

/// The first offset change of `tz` after `from` within about two years:
/// (instant of the change, offset before, offset after). Found by stepping
/// a day at a time and bisecting, from the zone's UTC offsets only, so it
/// does not lean on the local-time lookup the resolver uses.
fn next_transition(tz: Tz, from: i64) -> Option<(i64, i32, i32)> {
    let before = offset_at(tz, from);
    let mut t = from;
    for _ in 0..730 {
        let n = t + 86_400;
        if offset_at(tz, n) != before {
            let (mut lo, mut hi) = (t, n);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if offset_at(tz, mid) == before {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            return Some((hi, before, offset_at(tz, hi)));
        }
        t = n;
    }
    None
}

fn zone() -> impl Strategy<Value = Tz> {
    (0..TZ_VARIANTS.len()).prop_map(|i| TZ_VARIANTS[i])
}

/// Instants from 1975 to 2037: after the local-mean-time offsets with
/// seconds, within the range of every zone's rules.
fn instant() -> impl Strategy<Value = i64> {
    157_766_400i64..2_114_380_800i64
}

/// Instants from 1800 to 1975, when many zones kept local mean time (an
/// offset with seconds) or changed their standard offset.
fn early() -> impl Strategy<Value = i64> {
    -5_364_662_400i64..157_766_400i64
}

proptest! {
    #![proptest_config(config(192))]

    /// Any local time (whole minutes, 1800 to 2037) in any zone: if the
    /// zone has it, the resolver gives an offset the zone has at that
    /// instant, the start round-trips to the same local time, and its RFC
    /// 3339 text names the same instant; if not, it is refused.
    #[test]
    fn local_start_resolves_and_round_trips(tz in zone(), t in prop_oneof![instant(), early()]) {
        let local = naive(t - t.rem_euclid(60));
        let mut r = LocalResolver::new(tz);
        let exists = tz.offset_from_local_datetime(&local).earliest().is_some();
        match r.resolve(local, "k", 1) {
            Ok(offset) => {
                prop_assert!(exists, "{tz} {local}: resolved a time the zone lacks");
                let start = IntervalStart::new(local, offset);
                let instant = start.instant();
                prop_assert_eq!(instant.with_timezone(&tz).naive_local(), local);
                prop_assert_eq!(offset_at(tz, instant.timestamp()), offset.local_minus_utc());
                prop_assert_eq!(start.timestamp(), instant.timestamp());
                // What `rcx parse` prints names the same instant.
                let text = start.to_rfc3339();
                let parsed = DateTime::parse_from_rfc3339(&text).expect("RFC 3339");
                prop_assert_eq!(parsed.timestamp(), instant.timestamp(), "{}", text);
            }
            Err(ResolveError::Nonexistent) => {
                prop_assert!(!exists, "{tz} {local}: refused a time the zone has")
            }
            Err(e) => prop_assert!(false, "{tz} {local}: refused for a reason this test does not know: {e:?}"),
        }
    }

    /// Around the next offset change of a zone: every local minute of a
    /// spring-forward gap is refused; every local minute of a fall-back
    /// window is the earlier pass on first sight and the later pass when
    /// the same key repeats it, each round-tripping through the zone.
    #[test]
    fn transitions_refuse_gaps_and_split_overlaps(
        tz in zone(),
        t in instant(),
        pick in 0.0f64..1.0,
    ) {
        let Some((at, before, after)) = next_transition(tz, t) else {
            return Ok(());
        };
        let width = (after - before).abs() as i64;
        let minute = ((width / 60) as f64 * pick) as i64;
        let mut r = LocalResolver::new(tz);
        if after > before {
            // The clock jumps from at+before to at+after.
            let local = naive(at + before as i64) + Duration::minutes(minute);
            prop_assert_eq!(r.resolve(local, "k", 1), Err(ResolveError::Nonexistent),
                "{} {} in the gap after {}", tz, local, naive(at));
            // Just before and just after the gap exist.
            let just_before = naive(at + before as i64 - 60);
            let just_after = naive(at + after as i64);
            let o = r.resolve(just_before, "k", 1).expect("before the gap");
            prop_assert_eq!(o.local_minus_utc(), before);
            let o = r.resolve(just_after, "k", 2).expect("after the gap");
            prop_assert_eq!(o.local_minus_utc(), after);
        } else {
            // The clock goes back from at+before to at+after.
            let local = naive(at + after as i64) + Duration::minutes(minute);
            let first = r.resolve(local, "k", 1).expect("first pass");
            prop_assert_eq!(first.local_minus_utc(), before, "{} {}", tz, local);
            let second = r.resolve(local, "k", 2).expect("second pass");
            prop_assert_eq!(second.local_minus_utc(), after, "{} {}", tz, local);
            for o in [first, second] {
                let s = IntervalStart::new(local, o);
                prop_assert_eq!(s.instant().with_timezone(&tz).naive_local(), local);
            }
            let w = &r.fall_back_windows()[0];
            prop_assert_eq!(w.local_start, naive(at + after as i64));
            prop_assert_eq!(w.local_end, naive(at + before as i64));
            prop_assert!(w.switched);
        }
    }
}

// ---------------------------------------------------------------------
// parse_count.
// ---------------------------------------------------------------------

/// The naive reference: trim, take off a fraction made only of zeros
/// (documented: `7.00` is 7), then `str::parse::<u64>`. A minus sign on
/// zero (`-0`, `-0.00`) is zero, not a negative count.
fn reference(raw: &str) -> Result<Option<u64>, ()> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let int = match s.split_once('.') {
        Some((i, f)) if !f.is_empty() && f.bytes().all(|c| c == b'0') => i,
        Some(_) => return Err(()),
        None => s,
    };
    if let Some(digits) = int.strip_prefix('-') {
        if !digits.is_empty() && !digits.starts_with('+') && digits.bytes().all(|c| c == b'0') {
            return Ok(Some(0));
        }
    }
    int.parse::<u64>().map(Some).map_err(|_| ())
}

/// Why the reference refuses `raw`: not digits (with one optional sign
/// and an optional fraction of digits), else a minus sign, else a
/// fraction that is not zero, else too large for 64 bits.
fn refusal(raw: &str) -> Code {
    let t = raw.trim();
    let (neg, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    if !digits(int) || !frac.is_none_or(digits) {
        Code::NotANumber
    } else if neg {
        Code::Negative
    } else if frac.is_some_and(|f| f.bytes().any(|c| c != b'0')) {
        Code::Fraction
    } else {
        Code::Overflow
    }
}

fn count_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ \t]{0,2}[-+]?[0-9]{0,24}(\\.[0-9]{0,3})?[ \t\u{a0}]{0,2}",
        "[-+.0-9 eE_,x]{0,12}",
        any::<u64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| format!(" {n}.000 ")),
        (any::<u64>(), 1u64..1000).prop_map(|(n, m)| format!("{n}{m}")),
        (any::<u64>(), 1u64..1000).prop_map(|(n, m)| format!("+{n}{m}.00")),
    ]
}

proptest! {
    #![proptest_config(config(2000))]

    /// `parse_count` accepts exactly what the reference accepts, with the
    /// same value; what it refuses carries the code of the reason.
    #[test]
    fn parse_count_agrees_with_the_reference(raw in count_text()) {
        let got = parse_count(&raw);
        match (reference(&raw), got) {
            (Ok(want), Ok(got)) => prop_assert_eq!(want, got, "{:?}", raw),
            (Err(()), Err(p)) => prop_assert_eq!(p.code, refusal(&raw), "{:?}", raw),
            (want, got) => prop_assert!(false, "{:?}: reference {:?}, parse_count {:?}", raw, want, got),
        }
    }
}

// ---------------------------------------------------------------------
// Generated valid CSV: any buffer size reads the same.
// ---------------------------------------------------------------------

#[derive(Clone, Debug)]
struct GenRow {
    slot: u32,
    agent: u32,
    name: String,
    queue: u32,
    counts: [u64; 4],
}

#[derive(Clone, Debug)]
struct GenFile {
    delim: u8,
    header: bool,
    bom: bool,
    crlf: bool,
    blank_every: usize,
    rows: Vec<GenRow>,
}

fn gen_row() -> impl Strategy<Value = GenRow> {
    (
        0u32..96,
        1u32..5000,
        "[A-Za-z ,;|\"'\n\t.é-]{1,24}",
        1u32..9999,
        [0u64..100_000, 0u64..10_000, 0u64..100, 0u64..100],
    )
        .prop_map(|(slot, agent, name, queue, counts)| GenRow {
            slot,
            agent,
            name,
            queue,
            counts,
        })
}

fn gen_file() -> impl Strategy<Value = GenFile> {
    (
        prop::sample::select(vec![b',', b';', b'|', b'\t']),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        0usize..4,
        prop::collection::vec(gen_row(), 1..12),
    )
        .prop_map(|(delim, header, bom, crlf, blank_every, rows)| GenFile {
            delim,
            header,
            bom,
            crlf,
            blank_every,
            rows,
        })
}

/// The agent-ext record of a generated row; ids and counts as text when
/// `quoted` (JSON strings rather than numbers).
fn record(r: &GenRow, quoted: bool) -> Record {
    let n = |x: u64| {
        if quoted {
            wire::text(x.to_string())
        } else {
            wire::num(x)
        }
    };
    vec![
        ("interval", wire::num(15)),
        ("date_from", wire::text("20240304")),
        (
            "time",
            wire::text(format!("{:02}:{:02}", r.slot / 4, r.slot % 4 * 15)),
        ),
        ("agent_id", n(u64::from(r.agent))),
        ("agent_name", wire::text(r.name.clone())),
        ("queue", n(u64::from(r.queue))),
        ("queue_name", wire::text("Sales")),
        ("talking_call_dur", n(r.counts[0])),
        ("wrap_up_dur", n(r.counts[1])),
        ("answ_call_cnt", n(r.counts[2])),
        ("transfer_out_call_cnt", n(r.counts[3])),
    ]
}

impl GenFile {
    fn csv(&self) -> Csv {
        Csv {
            delim: self.delim,
            crlf: self.crlf,
            bom: self.bom,
            header: self.header,
            always_quote: &[],
        }
    }

    fn bytes(&self) -> Vec<u8> {
        let csv = self.csv();
        let records: Vec<Record> = self.rows.iter().map(|r| record(r, false)).collect();
        let mut out = csv.start(&records[0]);
        for (i, r) in records.iter().enumerate() {
            if self.blank_every > 0 && i % self.blank_every == 1 {
                out.push_str(csv.eol());
            }
            out.push_str(&csv.record(r));
        }
        out.into_bytes()
    }
}

/// An XML export of `rows`: one `<row>` per record, values as attributes
/// or as child elements, pretty-printed or on one line.
fn write_xml(rows: &[GenRow], attributes: bool, one_line: bool) -> String {
    let xml = Xml {
        root: "export",
        record: "row",
        indent: "",
        attributes,
        one_line,
        escape: XmlEscape::Named,
        ..Xml::default()
    };
    let records: Vec<Record> = rows.iter().map(|r| record(r, false)).collect();
    xml.document(&records)
}

/// A JSON export of `rows` in camelCase: an array, `{"data": [...]}` or
/// NDJSON (`shape` 0, 1, 2); ids and counts as numbers or strings.
fn write_json(rows: &[GenRow], shape: u8, quoted: bool) -> String {
    let frame = match shape % 3 {
        0 => wire::ARRAY,
        1 => JsonFrame {
            open: "{\"paging\": {\"page\": 1}, \"data\": [",
            sep: ", ",
            close: "]}",
        },
        _ => wire::NDJSON,
    };
    let json = Json {
        frame,
        ..Json::default()
    };
    let records: Vec<Record> = rows.iter().map(|r| record(r, quoted)).collect();
    json.document(&records)
}

/// Defects to plant in a generated file: each is refused by a value rule
/// or read as a finding by the validator.
const DEFECTS: [&str; 10] = [
    "",
    "x",
    "-1",
    "1.5",
    "99999999999999999999",
    "08:07",
    "2024-02-30",
    "\"unclosed",
    "20",
    "7.000",
];

proptest! {
    #![proptest_config(config(48))]

    /// Reading in reads of any size, into a buffer of that size, gives the
    /// same rows and errors as reading whole, and the rows are the ones
    /// written (names with delimiters, quotes and line breaks included).
    #[test]
    fn any_buffer_size_reads_like_whole(file in gen_file(), chunk in 1usize..300) {
        let body = file.bytes();
        let opts = Opts::default();
        let whole = checks::read_all(&opts.builder(), opts.tz(), &body, Source::Whole, Path::ReadRow);
        let split = checks::read_all(&opts.builder(), opts.tz(), &body, Source::Trickle(chunk), Path::Rows);
        checks::assert_same(&whole, &split, &format!("reads of {chunk} bytes"));
        // The rows are the ones generated.
        let mut r = ReaderBuilder::new()
            .from_bytes("g.csv", body.clone())
            .expect("a generated file opens");
        let rows: Vec<AgentExtRow> = r.rows().collect::<Result<_, _>>().expect("valid rows");
        prop_assert_eq!(rows.len(), file.rows.len());
        for (got, want) in rows.iter().zip(&file.rows) {
            // Text values are read trimmed.
            prop_assert_eq!(got.agent_name.as_str(), want.name.trim());
            prop_assert_eq!(&got.agent_id, &want.agent.to_string());
            prop_assert_eq!(got.talking_call_dur, Some(want.counts[0]));
            prop_assert_eq!(got.transfer_out_call_cnt, Some(want.counts[3]));
            let local = NaiveDate::from_ymd_opt(2024, 3, 4).unwrap()
                .and_hms_opt(want.slot / 4, want.slot % 4 * 15, 0).unwrap();
            prop_assert_eq!(got.start.local(), local);
        }
    }

    /// With defects planted in some values, the validator reports the
    /// same findings and counts whatever the read size.
    #[test]
    fn validator_report_does_not_depend_on_buffer_size(
        file in gen_file(),
        plants in prop::collection::vec((any::<prop::sample::Index>(), 0usize..11, 0usize..DEFECTS.len()), 0..4),
        chunk in 1usize..17,
        zone in 0usize..checks::ZONES.len(),
        gaps in any::<bool>(),
    ) {
        let csv = file.csv();
        let mut body = String::from_utf8(file.bytes()).expect("generated text");
        for (row, field, defect) in plants {
            // Rebuild the chosen row with one field replaced, as is.
            let i = row.index(file.rows.len());
            let mut fields = csv.fields(&record(&file.rows[i], false));
            let old = csv.join(&fields);
            fields[field] = DEFECTS[defect].to_string();
            let new = csv.join(&fields);
            body = body.replacen(&old, &new, 1);
        }
        let opts = Opts { zone, gaps, tiny_buffer: chunk, ..Opts::default() };
        checks::validate_with(&opts, body.as_bytes());
        checks::csv_tiny_buffer_with(&opts, body.as_bytes());
    }
}

// ---------------------------------------------------------------------
// XML and JSON: rows → write → read = rows (the tests' wire encoder).
// ---------------------------------------------------------------------

/// The rows read back are the rows written (names trimmed, as every
/// reader trims text values).
fn assert_rows_read_back(body: &[u8], want: &[GenRow]) -> Result<(), TestCaseError> {
    let mut r = ReaderBuilder::new()
        .from_bytes("g", body.to_vec())
        .expect("a generated file opens");
    let rows: Vec<AgentExtRow> = r.rows().collect::<Result<_, _>>().expect("valid rows");
    prop_assert_eq!(rows.len(), want.len());
    for (got, want) in rows.iter().zip(want) {
        prop_assert_eq!(got.agent_name.as_str(), want.name.trim());
        prop_assert_eq!(&got.agent_id, &want.agent.to_string());
        prop_assert_eq!(&got.queue, &want.queue.to_string());
        prop_assert_eq!(got.talking_call_dur, Some(want.counts[0]));
        prop_assert_eq!(got.wrap_up_dur, Some(want.counts[1]));
        prop_assert_eq!(got.answ_call_cnt, Some(want.counts[2]));
        prop_assert_eq!(got.transfer_out_call_cnt, Some(want.counts[3]));
        let local = NaiveDate::from_ymd_opt(2024, 3, 4)
            .unwrap()
            .and_hms_opt(want.slot / 4, want.slot % 4 * 15, 0)
            .unwrap();
        prop_assert_eq!(got.start.local(), local);
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(32))]

    /// Rows written as XML (attributes or elements, one line or pretty)
    /// read back as the rows written; the `xml_reader` target's checks
    /// hold (reads of 1-16 bytes give the same trace).
    #[test]
    fn xml_write_then_read_gives_the_rows(
        rows in prop::collection::vec(gen_row(), 1..8),
        attributes in any::<bool>(),
        one_line in any::<bool>(),
        chunk in 1usize..17,
    ) {
        let body = write_xml(&rows, attributes, one_line);
        assert_rows_read_back(body.as_bytes(), &rows)?;
        let opts = Opts { tiny_buffer: chunk, ..Opts::default() };
        checks::xml_reader_with(&opts, body.as_bytes());
    }

    /// Rows written as JSON (an array, a `data` wrapper or NDJSON; numbers
    /// bare or quoted) read back as the rows written; the `json_reader`
    /// target's checks hold.
    #[test]
    fn json_write_then_read_gives_the_rows(
        rows in prop::collection::vec(gen_row(), 1..8),
        shape in 0u8..3,
        quoted in any::<bool>(),
        chunk in 1usize..17,
    ) {
        let body = write_json(&rows, shape, quoted);
        assert_rows_read_back(body.as_bytes(), &rows)?;
        let opts = Opts { tiny_buffer: chunk, ..Opts::default() };
        checks::json_reader_with(&opts, body.as_bytes());
    }

    /// Segments written as cx v1 NDJSON or a v2 array read back with the
    /// ids, instants (epoch milliseconds or RFC 3339 with any offset),
    /// durations and events written.
    #[test]
    fn segments_write_then_read_give_the_segments(
        segs in prop::collection::vec(
            (1u32..1000, "[a-z0-9-]{1,8}", 0i64..4_102_444_800_000, 0u64..10_000_000,
             prop::collection::vec((0i64..100_000, any::<bool>()), 0..3), -720i32..840, any::<bool>()),
            1..6),
        v2 in any::<bool>(),
        chunk in 1usize..17,
    ) {
        let mut objs = Vec::new();
        for (ixn, seg, start, dur, events, off_min, rfc) in &segs {
            let instant = |ms: i64| -> String {
                if *rfc {
                    let off = chrono::FixedOffset::east_opt(off_min * 60).unwrap();
                    let t = DateTime::from_timestamp_millis(ms).unwrap().with_timezone(&off);
                    format!("\"{}\"", t.to_rfc3339_opts(chrono::SecondsFormat::Millis, false))
                } else {
                    ms.to_string()
                }
            };
            let evs: Vec<String> = events
                .iter()
                .map(|(at, rec)| format!(
                    "{{\"eventTimeMs\": {}, \"eventType\": \"{}\"}}",
                    instant(start + at),
                    if *rec { "REC_START" } else { "REC_STOP" }
                ))
                .collect();
            objs.push(if v2 {
                format!(
                    "{{\"interactionId\": {ixn}, \"segmentID\": \"{seg}\", \"segmentContactStartTimeMs\": {}, \
                     \"segmentDuration\": {}.{:03}, \"segmentEvents\": [{}]}}",
                    instant(*start), dur / 1000, dur % 1000, evs.join(", ")
                )
            } else {
                format!(
                    "{{\"interactionId\": \"{ixn}\", \"segmentId\": \"{seg}\", \"segmentStartTimeMs\": {}, \
                     \"segmentDurationMs\": {dur}, \"segmentEvents\": [{}]}}",
                    instant(*start), evs.join(", ")
                )
            });
        }
        let body = if v2 { format!("[{}]", objs.join(",\n")) } else { objs.join("\n") };
        let mut r = ReaderBuilder::new().from_bytes("s.json", body.clone().into_bytes()).expect("opens");
        prop_assert_eq!(r.kind(), ringcx_reports::ReportKind::Segments);
        let got: Vec<ringcx_reports::Segment> = r.segments().collect::<Result<_, _>>().expect("segments");
        prop_assert_eq!(got.len(), segs.len());
        for (g, (ixn, seg, start, dur, events, _, _)) in got.iter().zip(&segs) {
            prop_assert_eq!(&g.interaction_id, &ixn.to_string());
            prop_assert_eq!(&g.segment_id, seg);
            prop_assert_eq!(g.segment_start, DateTime::from_timestamp_millis(*start));
            prop_assert_eq!(g.segment_duration_ms, Some(*dur));
            let evs = g.events.as_ref().expect("a list");
            prop_assert_eq!(evs.len(), events.len());
            for (e, (at, rec)) in evs.iter().zip(events) {
                prop_assert_eq!(e.time, DateTime::from_timestamp_millis(start + at));
                prop_assert_eq!(e.is_rec_start(), *rec);
            }
        }
        let opts = Opts { tiny_buffer: chunk, ..Opts::default() };
        checks::segments_reader_with(&opts, body.as_bytes());
    }
}

// ---------------------------------------------------------------------
// Rollup: results never depend on row order; merge is associative.
// ---------------------------------------------------------------------

use ringcx_reports::rollup::{Accumulator, Summable};
use ringcx_reports::write::{write_table, TableFormat};
use ringcx_reports::{IntervalRow, QueueRow};

/// Rows of `fuzz/src/checks.rs`'s `split_rows` (queue or agent-ext, six
/// bytes a row, 2^63 for a 255 count), read back typed, keeping the first
/// row of each key and start (the duplicate rule keeps the first, which
/// is order-dependent by design).
fn typed_rows<T: IntervalRow>(bytes: &[u8]) -> Vec<T> {
    let (queue, lines) = checks::split_rows(bytes);
    if lines.len() == usize::from(queue) {
        // No rows: a headerless file would be empty, which is no report.
        return Vec::new();
    }
    let text = lines.join("\n") + "\n";
    let mut r = ReaderBuilder::new()
        .from_bytes("r.csv", text.into_bytes())
        .expect("opens");
    let rows: Vec<T> = r.rows().collect::<Result<_, _>>().expect("valid rows");
    let mut seen = std::collections::HashSet::new();
    let mut key = String::new();
    rows.into_iter()
        .filter(|row| {
            key.clear();
            row.key_into(&mut key);
            seen.insert((key.clone(), row.start().timestamp()))
        })
        .collect()
}

fn csv_of(t: &ringcx_reports::rollup::RollupTable) -> String {
    let mut out = Vec::new();
    write_table(t, TableFormat::Csv, &mut out).expect("write to memory");
    String::from_utf8(out).expect("UTF-8")
}

fn table_or_code(
    t: ringcx_reports::Result<ringcx_reports::rollup::RollupTable>,
) -> Result<Vec<ringcx_reports::rollup::RollupRecord>, (Option<Code>, bool)> {
    t.map(|t| t.records().to_vec())
        .map_err(|e| (e.code(), e.is_usage()))
}

proptest! {
    #![proptest_config(config(40))]

    /// The rollup of any permutation of the rows equals the rollup of the
    /// rows: the same records (keys, buckets, sums, and the ratios
    /// computed from them: service level, abandon rate, AHT, ASA,
    /// occupancy), or the same error (an overflowing sum, rows that do not
    /// nest) — under any grouping, bucket interval and zones.
    #[test]
    fn rollup_results_do_not_depend_on_row_order(
        bytes in prop::collection::vec(any::<u8>(), 0..120),
        perm_seed in any::<u64>(),
        ropt in any::<u8>(),
        zone in 0usize..checks::ZONES.len(),
    ) {
        let (ropts, _) = checks::RollupOpts::decode(&[ropt]);
        let opts = Opts { zone, ..Opts::default() };
        let rollup = ropts.rollup(&opts);
        let shuffle = |n: usize| -> Vec<usize> {
            // A Fisher-Yates shuffle driven by a small LCG: any permutation.
            let mut idx: Vec<usize> = (0..n).collect();
            let mut s = perm_seed | 1;
            for i in (1..n).rev() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                idx.swap(i, (s >> 33) as usize % (i + 1));
            }
            idx
        };
        fn run<T: ringcx_reports::rollup::RollupRow>(
            rollup: &ringcx_reports::rollup::Rollup,
            rows: Vec<T>,
            order: Vec<usize>,
        ) -> Result<(), TestCaseError> {
            let perm: Vec<T> = order.into_iter().map(|i| rows[i].clone()).collect();
            let a = rollup.run_rows_sequential(rows.into_iter().map(Ok));
            let b = rollup.run_rows(perm.into_iter().map(Ok));
            // The printed table: every ratio as the user sees it.
            if let (Ok(x), Ok(y)) = (&a, &b) {
                prop_assert_eq!(csv_of(x), csv_of(y));
            }
            prop_assert_eq!(table_or_code(a), table_or_code(b));
            Ok(())
        }
        if bytes.first().is_none_or(|b| b & 1 == 0) {
            let rows: Vec<QueueRow> = typed_rows(&bytes);
            let order = shuffle(rows.len());
            run(&rollup, rows, order)?;
        } else {
            let rows: Vec<AgentExtRow> = typed_rows(&bytes);
            let order = shuffle(rows.len());
            run(&rollup, rows, order)?;
        }
    }

    /// Sums built from rows (huge values included, so that columns
    /// overflow) merge associatively and commutatively with `Default` as
    /// identity, for the agent-ext and queue accumulators, overflow bits
    /// included; and merging the sums of two halves is summing the whole.
    #[test]
    fn sums_merge_associatively_with_identity_overflow_included(
        bytes in prop::collection::vec(any::<u8>(), 0..150),
        cut1 in any::<prop::sample::Index>(),
        cut2 in any::<prop::sample::Index>(),
    ) {
        fn check<T: IntervalRow + Summable>(rows: &[T], c1: usize, c2: usize) -> Result<(), TestCaseError> {
            let (c1, c2) = (c1.min(c2), c1.max(c2));
            let sum = |rs: &[T]| {
                let mut s = T::Sums::default();
                for r in rs {
                    r.add_to(&mut s);
                }
                s
            };
            let (a, b, c) = (sum(&rows[..c1]), sum(&rows[c1..c2]), sum(&rows[c2..]));
            let mut ab = a.clone(); ab.merge(&b);
            let mut ab_c = ab.clone(); ab_c.merge(&c);
            let mut bc = b.clone(); bc.merge(&c);
            let mut a_bc = a.clone(); a_bc.merge(&bc);
            prop_assert_eq!(&ab_c, &a_bc);
            prop_assert_eq!(&ab_c, &sum(rows), "merged halves = the whole");
            let mut ba = b.clone(); ba.merge(&a);
            prop_assert_eq!(&ab, &ba);
            let mut id = a.clone(); id.merge(&T::Sums::default());
            prop_assert_eq!(&id, &a);
            let mut id2 = T::Sums::default(); id2.merge(&a);
            prop_assert_eq!(&id2, &a);
            Ok(())
        }
        let mut q = bytes.clone();
        if let Some(b) = q.first_mut() { *b &= !1; }
        let rows: Vec<QueueRow> = typed_rows(&q);
        check(&rows, cut1.index(rows.len() + 1), cut2.index(rows.len() + 1))?;
        let mut a = bytes;
        match a.first_mut() { Some(b) => *b |= 1, None => a.push(1) }
        let rows: Vec<AgentExtRow> = typed_rows(&a);
        check(&rows, cut1.index(rows.len() + 1), cut2.index(rows.len() + 1))?;
    }
}
