//! The XML and JSON wire forms (SPEC 2.1–2.6): same typed rows as CSV,
//! vendor samples, interaction metadata of both generations, hostile and
//! broken input, and a property test against the tests' own wire encoder.

use chrono::{NaiveDate, NaiveDateTime, Timelike};
use proptest::prelude::*;
use ringcx_reports::model::{format_instant, Direction};
use ringcx_reports::{
    AgentExtRow, AgentRow, Code, Error, IntervalRow, Position, QueueRow, ReaderBuilder, ReportKind,
    Segment, WireForm,
};

use crate::util::{code, fixture, rcx, stderr, stdout};
use crate::wire::{self, Json, JsonDate, JsonFrame, Record, Value, Xml, XmlEscape};

fn read_all<T: IntervalRow>(name: &str) -> Vec<T> {
    let mut r = ReaderBuilder::new()
        .from_path(fixture(name))
        .expect("open fixture");
    let rows: Vec<T> = r.rows().collect::<Result<_, _>>().expect("rows");
    rows.into_iter().map(unpos).collect()
}

/// The row without its position (which differs between wire forms).
fn unpos<T: IntervalRow>(mut r: T) -> T {
    let (i, s) = (r.interval(), r.start());
    r.set_place(Position::default(), i, s);
    r
}

fn bytes(name: &str, doc: &str) -> Result<ringcx_reports::Reader, Error> {
    ReaderBuilder::new().from_bytes(name, doc.as_bytes().to_vec())
}

fn rows_of<T: IntervalRow>(doc: &str) -> Vec<Result<T, Error>> {
    let mut r = bytes("t", doc).expect("open");
    r.rows().collect()
}

fn err_code(e: &Error) -> Code {
    e.code().expect("a data error")
}

fn segments(name: &str) -> Vec<Segment> {
    let mut r = ReaderBuilder::new().from_path(fixture(name)).expect("open");
    assert_eq!(r.kind(), ReportKind::Segments);
    r.segments().collect::<Result<_, _>>().expect("segments")
}

fn t(s: &Option<chrono::DateTime<chrono::Utc>>) -> String {
    s.map(format_instant).unwrap_or_default()
}

#[test]
fn queue_same_rows_in_csv_xml_elements_xml_attributes_and_json() {
    let csv: Vec<QueueRow> = read_all("queue_header.csv");
    assert_eq!(csv.len(), 4);
    assert_eq!(csv[1].queue_name, "Support, Tier 1");
    for name in ["queue_elements.xml", "queue_attributes.xml", "queue.json"] {
        assert_eq!(read_all::<QueueRow>(name), csv, "{name}");
    }
}

#[test]
fn agent_ext_same_rows_in_every_form() {
    let csv: Vec<AgentExtRow> = read_all("agent_ext_quoted.csv");
    assert_eq!(csv[1].agent_name, "O\"Brien, Pat");
    assert_eq!(csv[2].queue_name, "Support\nTier 1");
    for name in [
        "agent_ext_elements.xml",
        "agent_ext_attributes.xml",
        "agent_ext.json",
    ] {
        assert_eq!(read_all::<AgentExtRow>(name), csv, "{name}");
    }
}

#[test]
fn agent_stats_same_rows_in_every_form() {
    let csv: Vec<AgentRow> = read_all("agent_stats_header.csv");
    assert_eq!(csv.len(), 2);
    for name in [
        "agent_stats_elements.xml",
        "agent_stats_attributes.xml",
        "agent_stats.ndjson",
    ] {
        assert_eq!(read_all::<AgentRow>(name), csv, "{name}");
    }
}

#[test]
fn forms_and_kinds_are_detected_from_content() {
    for (name, form, kind) in [
        ("queue_elements.xml", WireForm::Xml, ReportKind::Queue),
        (
            "agent_ext_attributes.xml",
            WireForm::Xml,
            ReportKind::AgentExt,
        ),
        ("agent_stats_elements.xml", WireForm::Xml, ReportKind::Agent),
        ("queue.json", WireForm::Json, ReportKind::Queue),
        ("agent_ext.json", WireForm::Json, ReportKind::AgentExt),
        ("agent_stats.ndjson", WireForm::Ndjson, ReportKind::Agent),
        (
            "segments_mixed.ndjson",
            WireForm::Ndjson,
            ReportKind::Segments,
        ),
        (
            "vendor/interaction-metadata-v2.json",
            WireForm::Json,
            ReportKind::Segments,
        ),
    ] {
        let r = ReaderBuilder::new().from_path(fixture(name)).expect(name);
        assert_eq!((r.form(), r.kind()), (form, kind), "{name}");
    }
}

#[test]
fn buffer_of_one_byte_gives_the_same_rows() {
    for name in ["queue_elements.xml", "queue.json", "agent_ext.json"] {
        let mut small = ReaderBuilder::new()
            .buffer_size(1)
            .from_path(fixture(name))
            .expect("open");
        let mut big = ReaderBuilder::new().from_path(fixture(name)).expect("open");
        if name.starts_with("queue") {
            let a: Vec<QueueRow> = small.rows().collect::<Result<_, _>>().expect("small");
            let b: Vec<QueueRow> = big.rows().collect::<Result<_, _>>().expect("big");
            assert_eq!(a, b, "{name}");
        } else {
            let a: Vec<AgentExtRow> = small.rows().collect::<Result<_, _>>().expect("small");
            let b: Vec<AgentExtRow> = big.rows().collect::<Result<_, _>>().expect("big");
            assert_eq!(a, b, "{name}");
        }
    }
}

#[test]
fn vendor_agg_queue_stats_values() {
    let mut r = ReaderBuilder::new()
        .from_path(fixture("vendor/agg-queue-stats.json"))
        .expect("open");
    let rows: Vec<QueueRow> = r.rows().collect::<Result<_, _>>().expect("rows");
    assert_eq!(rows.len(), 2);
    let q = &rows[0];
    assert_eq!((q.queue.as_str(), q.queue_name.as_str()), ("5686", "Queue"));
    assert_eq!(q.interval.minutes(), 60);
    assert_eq!(q.start.to_rfc3339(), "2024-03-04T01:00:00+00:00");
    assert_eq!(q.offd_direct_call_cnt, Some(3));
    assert_eq!(q.answ_call_cnt, Some(3));
    assert_eq!(q.queued_and_answ_call_dur, Some(9));
    assert_eq!(q.queued_answ_longest_que_dur, Some(1));
    assert_eq!(q.talking_call_dur, Some(90));
    assert_eq!(q.wait_dur, Some(13));
    assert_eq!(q.wrap_up_dur, Some(13));
    assert_eq!(q.completed_contacts, Some(122));
    assert_eq!(q.segment_hold_time_ms, Some(512000));
    assert_eq!(q.avg_avail_member_cnt, None);
    assert_eq!(q.pos.line(), 2);
    let q = &rows[1];
    assert_eq!(q.queue_name, "Queue 2");
    assert_eq!(q.start.to_rfc3339(), "2024-03-04T02:00:00+00:00");
    assert_eq!(q.completed_contacts, Some(21));
    assert_eq!(q.segment_hold_time_ms, Some(12000));
    assert_eq!(q.pos.line(), 25);
    assert_eq!(q.pos.record(), 1);
}

#[test]
fn vendor_agg_agent_extended_stats_values() {
    let mut r = ReaderBuilder::new()
        .source_tz("US/Eastern".parse().expect("zone"))
        .from_path(fixture("vendor/agg-agent-extended-stats.json"))
        .expect("open");
    let rows: Vec<AgentExtRow> = r.rows().collect::<Result<_, _>>().expect("rows");
    assert_eq!(rows.len(), 2);
    let a = &rows[0];
    assert_eq!(a.agent_id, "1");
    assert_eq!(a.agent_name, "aws93-l13-las01 test number");
    assert_eq!((a.queue.as_str(), a.queue_name.as_str()), ("5682", "Queue"));
    assert_eq!(a.start.to_rfc3339(), "2024-03-04T05:00:00-05:00");
    assert_eq!(
        (
            a.talking_call_dur,
            a.wrap_up_dur,
            a.answ_call_cnt,
            a.transfer_out_call_cnt
        ),
        (Some(56), Some(0), Some(1), Some(4))
    );
    let b = &rows[1];
    assert_eq!(
        (b.agent_id.as_str(), b.agent_name.as_str()),
        ("10693", "Neringa Norkute")
    );
    assert_eq!(b.queue_name, "Neringa queue 2");
    assert_eq!(
        (
            b.talking_call_dur,
            b.wrap_up_dur,
            b.answ_call_cnt,
            b.transfer_out_call_cnt
        ),
        (Some(137), Some(5), Some(2), Some(0))
    );
}

#[test]
fn vendor_interaction_metadata_cx_v1_values() {
    let s = segments("vendor/interaction-metadata-cx-v1.json");
    assert_eq!(s.len(), 2);
    let a = &s[0];
    assert_eq!(a.interaction_id, "202407221928172035020000000572");
    assert_eq!(
        a.dialog_id.as_deref(),
        Some("s-v-93bd0e6f0f0a479ea8025fe8f8ec3e1d-1721690897808")
    );
    assert_eq!(
        a.segment_id,
        "p-v-93bd0e6f0f0a479ea8025fe8f8ec3e1d-1721690897808-190dcc63d90ab"
    );
    assert_eq!(a.segment_type.as_deref(), Some("AGENT"));
    assert_eq!(a.agent_id.as_deref(), Some("449438"));
    assert_eq!(a.rc_extension_id.as_deref(), Some("985901004"));
    assert_eq!(a.agent_group_id.as_deref(), Some("76873"));
    assert_eq!(a.direction, Some(Direction::Inbound));
    assert_eq!(a.channel_type.as_deref(), Some("VOICE"));
    assert_eq!(a.channel_class.as_deref(), Some("VOICE"));
    // INBOUND: the contact endpoint calls the channel endpoint.
    assert_eq!(a.calling_address.as_deref(), Some("2013770791"));
    assert_eq!(a.called_address.as_deref(), Some("7312066731"));
    assert_eq!(t(&a.interaction_start), "2024-07-22T11:24:40.000+00:00");
    assert_eq!(t(&a.interaction_end), "2024-07-22T11:24:47.000+00:00");
    assert_eq!(a.interaction_duration_ms, Some(7000));
    assert_eq!(t(&a.segment_start), "2024-07-22T11:24:40.000+00:00");
    assert_eq!(t(&a.segment_end), "2024-07-22T11:24:47.000+00:00");
    assert_eq!(a.segment_duration_ms, Some(7000));
    assert_eq!(
        (a.has_recording, a.has_transcript),
        (Some(true), Some(true))
    );
    assert_eq!(a.system_disposition.as_deref(), Some("ANSWER"));
    assert_eq!(a.agent_disposition.as_deref(), Some("Success"));
    assert_eq!(a.agent_notes.as_deref(), Some("requeue to others"));
    assert_eq!(a.sub_account_id.as_deref(), Some("99999999"));
    assert_eq!(a.channel_id.as_deref(), Some("2013770791"));
    assert_eq!(a.recording_url, None);
    let ev = a.events.as_ref().expect("events");
    assert_eq!(ev.len(), 2);
    assert!(ev[0].is_rec_start() && ev[1].is_rec_stop());
    assert_eq!(t(&ev[1].time), "2024-07-22T11:24:47.000+00:00");
    assert_eq!(t(&ev[1].client_time), "2024-07-22T11:24:47.000+00:00");
    let b = &s[1];
    assert_eq!(b.channel_type.as_deref(), Some("ENGAGE_MESSAGING"));
    assert_eq!(b.channel_class.as_deref(), Some("DIGITAL"));
    assert_eq!(b.calling_address.as_deref(), Some("+1324"));
    assert_eq!(b.called_address.as_deref(), Some("+16506675176"));
    assert_eq!(t(&b.interaction_start), "2024-07-23T02:28:25.014+00:00");
    assert_eq!(b.system_disposition, None);
    assert_eq!(b.has_recording, Some(false));
    assert_eq!(b.events, None);
    assert_eq!(b.pos.line(), 33);
}

#[test]
fn vendor_interaction_metadata_v2_values() {
    let s = segments("vendor/interaction-metadata-v2.json");
    assert_eq!(s.len(), 1);
    let a = &s[0];
    assert_eq!(a.interaction_id, "20200721123305013105000001977");
    assert_eq!(a.segment_id, "2");
    assert_eq!(a.agent_id.as_deref(), Some("1009"));
    assert_eq!(a.agent_group_id.as_deref(), Some("8"));
    assert_eq!(a.calling_address.as_deref(), Some("4155058987"));
    assert_eq!(a.called_address.as_deref(), Some("8776239199"));
    assert_eq!(a.direction, Some(Direction::Inbound));
    assert_eq!(a.channel_type.as_deref(), Some("VOICE"));
    assert_eq!(a.segment_type.as_deref(), Some("AGENT"));
    assert_eq!(a.interaction_recording_location, None);
    assert_eq!(t(&a.interaction_start), "2020-07-21T17:32:28.001+00:00");
    assert_eq!(a.interaction_duration_ms, Some(832));
    assert_eq!(t(&a.segment_start), "2020-07-21T17:32:40.002+00:00");
    assert_eq!(t(&a.segment_end), "2020-07-21T17:32:42.045+00:00");
    // segmentDuration is seconds in v2 (832 as published).
    assert_eq!(a.segment_duration_ms, Some(832_000));
    assert!(a
        .recording_url
        .as_deref()
        .is_some_and(|u| u.ends_with("20220509120710013214000058679-2.WAV")));
    let ev = a.events.as_ref().expect("events");
    assert_eq!(ev.len(), 1);
    assert!(ev[0].is_rec_start());
    assert_eq!(t(&ev[0].time), "2020-07-21T17:32:28.000+00:00");
    assert_eq!((a.dialog_id.as_deref(), a.has_recording), (None, None));
}

#[test]
fn both_generations_expose_the_same_typed_fields() {
    let s = segments("segments_mixed.ndjson");
    assert_eq!(s.len(), 2);
    let (v2, cx) = (&s[0], &s[1]);
    assert_eq!(v2.generation.as_str(), "v2");
    assert_eq!(cx.generation.as_str(), "cx-v1");
    // Same canonical fields, filled from each generation's own keys.
    assert_eq!(
        (v2.interaction_id.as_str(), v2.segment_id.as_str()),
        ("9001", "1")
    );
    assert_eq!(
        (cx.interaction_id.as_str(), cx.segment_id.as_str()),
        ("9002", "s-1")
    );
    assert_eq!(v2.agent_id.as_deref(), Some("1001"));
    assert_eq!(cx.agent_id.as_deref(), Some("1002"));
    assert_eq!(cx.rc_extension_id.as_deref(), Some("985901004"));
    assert_eq!(v2.direction, Some(Direction::Inbound));
    assert_eq!(cx.direction, Some(Direction::Outbound));
    assert_eq!(v2.channel_type.as_deref(), Some("VOICE"));
    assert_eq!(v2.segment_type.as_deref(), Some("AGENT"));
    assert_eq!(v2.calling_address.as_deref(), Some("6505550100"));
    assert_eq!(v2.called_address.as_deref(), Some("8005550199"));
    // OUTBOUND: the channel endpoint calls the contact.
    assert_eq!(cx.calling_address.as_deref(), Some("+16505550123"));
    assert_eq!(cx.called_address.as_deref(), Some("+14155550188"));
    assert_eq!(t(&v2.interaction_start), "2024-07-22T09:20:00.000+00:00");
    assert_eq!(t(&cx.interaction_start), "2024-07-22T08:00:00.000+00:00");
    assert_eq!(v2.interaction_duration_ms, Some(95_000));
    assert_eq!(cx.interaction_duration_ms, Some(90_500));
    assert_eq!(t(&v2.segment_start), "2024-07-22T09:20:05.000+00:00");
    assert_eq!(t(&v2.segment_end), "2024-07-22T09:20:50.250+00:00");
    assert_eq!(v2.segment_duration_ms, Some(45_250));
    assert_eq!(cx.segment_duration_ms, Some(85_500));
    assert_eq!(v2.end_or_computed(), v2.segment_end);
    let ev = v2.events.as_ref().expect("events");
    assert_eq!(t(&ev[0].client_time), "2024-07-22T09:20:05.100+00:00");
    assert_eq!(ev[1].client_time, None);
    assert_eq!(cx.events, Some(vec![]));
    assert_eq!(cx.agent_disposition, None);
    assert_eq!(cx.agent_notes.as_deref(), Some("callback \"tomorrow\""));
    assert_eq!(cx.pos.line(), 2);
}

#[test]
fn segment_errors_name_the_field_and_reading_continues() {
    let doc = r#"[
{"interactionId": "a", "segmentId": "1", "segmentStartTimeMs": "yesterday"},
{"interactionId": "a", "segmentId": "2", "hasRecording": "maybe"},
{"interactionId": "a", "segmentStartTimeMs": "2024-01-01T00:00:00Z"},
{"interactionId": "a", "segmentId": "4", "segmentDurationMs": -5},
{"interactionId": "a", "segmentId": "5", "segmentEvents": [{"eventTimeMs": true}]},
{"interactionId": "a", "segmentId": "6"}
]"#;
    let mut r = bytes("m.json", doc).expect("open");
    let out: Vec<Result<Segment, Error>> = r.segments().collect();
    assert_eq!(out.len(), 6);
    let e = out[0].as_ref().unwrap_err();
    assert_eq!(err_code(e), Code::BadValue);
    assert_eq!(
        e.to_string(),
        "m.json:2: error[V113] segment_start: expected an RFC 3339 timestamp \
         (2020-07-21T17:32:28.001Z) or epoch milliseconds (value \"yesterday\")"
    );
    let e = out[1].as_ref().unwrap_err();
    assert_eq!(
        (err_code(e), e.location().and_then(|l| l.field.as_deref())),
        (Code::BadValue, Some("has_recording"))
    );
    let e = out[2].as_ref().unwrap_err();
    assert_eq!(err_code(e), Code::MissingColumn);
    assert_eq!(e.location().map(|l| l.pos.line()), Some(4));
    assert_eq!(err_code(out[3].as_ref().unwrap_err()), Code::Negative);
    assert_eq!(err_code(out[4].as_ref().unwrap_err()), Code::BadValue);
    assert_eq!(out[5].as_ref().expect("last is fine").segment_id, "6");
}

#[test]
fn interval_rows_are_not_segments_and_back() {
    let mut r = ReaderBuilder::new()
        .from_path(fixture("queue.json"))
        .expect("open");
    let mut s = Segment::default();
    assert!(r.read_segment(&mut s).unwrap_err().is_usage());
    let mut r = ReaderBuilder::new()
        .from_path(fixture("segments_mixed.ndjson"))
        .expect("open");
    let mut q = QueueRow::default();
    assert!(r.read_row(&mut q).unwrap_err().is_usage());
}

const LAUGHS: &str = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<lolz><row><interval>15</interval><date_from>20240304</date_from><time>08:00</time><queue>&lol9;</queue></row></lolz>
"#;

#[test]
fn billion_laughs_is_refused_at_the_doctype() {
    let e = bytes("laughs.xml", LAUGHS).unwrap_err();
    assert_eq!(err_code(&e), Code::Doctype);
    assert_eq!(e.location().map(|l| l.pos.line()), Some(2));
    assert!(e.to_string().contains("entities are never expanded"), "{e}");
    // An external DOCTYPE without a subset is harmless (and never fetched).
    let ok = "<!DOCTYPE r SYSTEM \"http://example.invalid/r.dtd\">\n<r><row interval=\"15\" date_from=\"20240304\" time=\"08:00\" queue=\"1\"/></r>";
    let rows = rows_of::<QueueRow>(ok);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].as_ref().expect("row").pos.line(), 2);
    // An entity that is not predefined is not well-formed, not expanded.
    let undefined = "<r><row interval=\"15\" date_from=\"20240304\" time=\"08:00\"><queue>&ext;</queue></row></r>";
    let e = bytes("u.xml", undefined).unwrap_err();
    assert_eq!(err_code(&e), Code::XmlSyntax);
    assert!(e.to_string().contains("&ext;"), "{e}");
}

#[test]
fn a_container_with_field_attributes_is_not_a_record() {
    let doc = "<export interval=\"15\" queue=\"9\" date_from=\"20240101\">\n  <row interval=\"15\" date_from=\"20240304\" time=\"08:00\" queue=\"1\"/>\n  <row interval=\"15\" date_from=\"20240304\" time=\"08:15\" queue=\"1\"/>\n</export>";
    let rows: Vec<QueueRow> = rows_of::<QueueRow>(doc)
        .into_iter()
        .collect::<Result<_, _>>()
        .expect("rows");
    let lines: Vec<u64> = rows.iter().map(|r| r.pos.line()).collect();
    assert_eq!(lines, vec![2, 3]);
}

#[test]
fn entities_and_char_refs_are_decoded_and_text_accumulated() {
    let doc = "<r>\n<row>\n  <interval> 15 </interval><date_from>20240304</date_from><time>08:00</time>\n  <queue>7</queue>\n  <queue_name>\n    A &amp; B&#33; &lt;C&gt; &quot;D&quot; &apos;E&apos; &#x263A;<![CDATA[ <raw> ]]>\n  </queue_name>\n</row>\n</r>";
    let rows = rows_of::<QueueRow>(doc);
    let q = rows[0].as_ref().expect("row");
    assert_eq!(q.queue_name, "A & B! <C> \"D\" 'E' \u{263A} <raw>");
    // Attribute values: literal breaks and tabs are spaces, references keep them.
    let doc = "<r><x interval=\"15\" date_from=\"20240304\" time=\"08:00\" queue=\"1\" queue_name=\"a\r\nb\tc&#10;d\"/></r>";
    let rows = rows_of::<QueueRow>(doc);
    assert_eq!(rows[0].as_ref().expect("row").queue_name, "a b c\nd");
    // Element text from a CRLF file reads as from an LF file.
    let crlf = std::fs::read_to_string(fixture("agent_ext_elements.xml"))
        .expect("read")
        .replace('\n', "\r\n");
    let mut r = bytes("crlf.xml", &crlf).expect("open");
    let rows: Vec<AgentExtRow> = r.rows().collect::<Result<_, _>>().expect("rows");
    assert_eq!(rows[2].queue_name, "Support\nTier 1");
    assert_eq!(rows[3].pos.line(), 44);
    assert_eq!(q.pos.line(), 2);
    assert_eq!(q.interval.minutes(), 15);
}

#[test]
fn deep_nesting_is_refused() {
    let xml = format!("{}{}", "<a>".repeat(100), "</a>".repeat(100));
    let e = bytes("deep.xml", &xml).unwrap_err();
    assert_eq!(err_code(&e), Code::Limit);
    let json = format!("[{{\"queue\": {}1{}}}]", "[".repeat(100), "]".repeat(100));
    let e = bytes("deep.json", &json).unwrap_err();
    assert_eq!(err_code(&e), Code::Limit);
    assert!(e.to_string().contains("64 levels"), "{e}");
    // The limit is the builder's.
    let shallow =
        r#"[{"interval": 15, "dateTimeFrom": "2024-03-04T08:00:00", "queue": 1, "x": [[[1]]]}]"#;
    let e = ReaderBuilder::new()
        .max_depth(4)
        .from_bytes("d.json", shallow.into())
        .unwrap_err();
    assert_eq!(err_code(&e), Code::Limit);
    let mut r = ReaderBuilder::new()
        .max_depth(5)
        .from_bytes("d.json", shallow.into())
        .expect("fits in 5");
    let rows: Vec<QueueRow> = r.rows().collect::<Result<_, _>>().expect("rows");
    assert_eq!(rows[0].queue, "1");
}

#[test]
fn huge_values_hit_the_record_limit_not_memory() {
    let big = "x".repeat(3 << 20);
    let xml = format!("<r>\n<row interval=\"15\" date_from=\"20240304\" time=\"08:00\" queue=\"1\"><queue_name>{big}</queue_name></row></r>");
    let e = ReaderBuilder::new()
        .max_record_len(1 << 16)
        .buffer_size(4096)
        .from_bytes("big.xml", xml.into_bytes())
        .unwrap_err();
    assert_eq!(err_code(&e), Code::Limit);
    let tag = format!("<r><row interval=\"15\" a=\"{big}\"/></r>");
    let e = ReaderBuilder::new()
        .max_record_len(1 << 16)
        .from_bytes("tag.xml", tag.into_bytes())
        .unwrap_err();
    assert_eq!(err_code(&e), Code::Limit);
    let json = format!("[{{\"queue\": \"{big}\"}}]");
    let e = ReaderBuilder::new()
        .max_record_len(1 << 16)
        .from_bytes("big.json", json.into_bytes())
        .unwrap_err();
    assert_eq!(err_code(&e), Code::Limit);
    assert!(e.to_string().contains("65536 bytes"), "{e}");
}

#[test]
fn truncated_xml_is_positioned() {
    let full = std::fs::read_to_string(fixture("queue_elements.xml")).expect("read");
    // Cut after the second record closes: two rows, then S005.
    let cut = full.find("  <wfm:Row>\n    <wfm:interval>15</wfm:interval>\n    <wfm:date_from>20240304</wfm:date_from>\n    <wfm:time>08:15").expect("third row");
    let mut r = bytes("cut.xml", &full[..cut + 30]).expect("open");
    let out: Vec<Result<QueueRow, Error>> = r.rows().collect();
    assert_eq!(out.len(), 3);
    assert!(out[0].is_ok() && out[1].is_ok());
    let e = out[2].as_ref().unwrap_err();
    assert_eq!(err_code(e), Code::Truncated);
    assert!(e.to_string().contains("not closed"), "{e}");
    assert!(r.is_finished());
    // Cut inside a tag.
    let e = bytes("tag.xml", "<r><row interval=\"15\"").unwrap_err();
    assert_eq!(err_code(&e), Code::Truncated);
    // Not well-formed: S006 with the line.
    let bad = "<r>\n<row interval=\"15\" date_from=\"20240304\" time=\"08:00\" queue=\"1\"/>\n<row>\n</wrong>\n</r>";
    let mut r = bytes("bad.xml", bad).expect("open");
    let out: Vec<Result<QueueRow, Error>> = r.rows().collect();
    let e = out.last().expect("error").as_ref().unwrap_err();
    assert_eq!(err_code(e), Code::XmlSyntax);
    assert_eq!(e.location().map(|l| l.pos.line()), Some(4));
}

#[test]
fn truncated_and_broken_json_are_positioned() {
    let full = std::fs::read_to_string(fixture("queue.json")).expect("read");
    let cut = &full[..full.len() - 40];
    let mut r = bytes("cut.json", cut).expect("open");
    let out: Vec<Result<QueueRow, Error>> = r.rows().collect();
    assert_eq!(out.len(), 4);
    let e = out[3].as_ref().unwrap_err();
    assert_eq!(err_code(e), Code::Truncated);
    assert_eq!(e.location().map(|l| l.pos.line()), Some(5));
    // Array never closed after a whole element.
    let doc = "[{\"interval\": 15, \"dateTimeFrom\": \"2024-03-04T08:00:00\", \"queue\": 1},\n ";
    let out = rows_of::<QueueRow>(doc);
    assert_eq!(out.len(), 2);
    assert!(out[0].is_ok());
    let e = out[1].as_ref().unwrap_err();
    assert_eq!(err_code(e), Code::Truncated);
    assert_eq!(e.location().map(|l| l.pos.line()), Some(2));
    // Syntax inside an element: line and column of the fault.
    let doc = "[\n  {\"interval\": 15, \"dateTimeFrom\": \"2024-03-04T08:00:00\", \"queue\": 1},\n  {\"interval\": 15,\n   \"queue\" 2}\n]";
    let mut r = bytes("syn.json", doc).expect("open");
    let out: Vec<Result<QueueRow, Error>> = r.rows().collect();
    assert_eq!(out.len(), 2);
    let e = out[1].as_ref().unwrap_err();
    assert_eq!(err_code(e), Code::JsonSyntax);
    assert_eq!(e.location().map(|l| l.pos.line()), Some(4));
    assert!(e.to_string().contains("expected `:` (column 12)"), "{e}");
    // Between elements.
    let doc = "[{\"interval\": 15, \"dateTimeFrom\": \"2024-03-04T08:00:00\", \"queue\": 1} {\"queue\": 2}]";
    let mut r = bytes("sep.json", doc).expect("open");
    let out: Vec<Result<QueueRow, Error>> = r.rows().collect();
    let e = out[1].as_ref().unwrap_err();
    assert_eq!(err_code(e), Code::JsonSyntax);
    assert!(e.to_string().contains("column 70"), "{e}");
}

#[test]
fn ndjson_and_records_or_data_wrapping() {
    let one =
        r#"{"interval": 15, "dateTimeFrom": "2024-03-04T08:00:00", "queue": 1, "answIxnCnt": 4}"#;
    let two =
        r#"{"interval": 15, "dateTimeFrom": "2024-03-04T08:15:00", "queue": 1, "answIxnCnt": 5}"#;
    let docs = [
        format!("{one}\n{two}\n"),
        format!("{one}\r\n\r\n{two}"),
        format!("{{\"records\": [{one}, {two}]}}"),
        format!("{{\"paging\": {{\"page\": 1}}, \"data\": [{one},\n{two}], \"navigation\": {{}}}}"),
        format!("  [ {one} , {two} ]  \n"),
    ];
    for doc in &docs {
        let rows = rows_of::<QueueRow>(doc);
        let rows: Vec<QueueRow> = rows.into_iter().collect::<Result<_, _>>().expect(doc);
        let got: Vec<_> = rows
            .iter()
            .map(|r| (r.start.to_rfc3339(), r.answ_call_cnt))
            .collect();
        assert_eq!(
            got,
            vec![
                ("2024-03-04T08:00:00+00:00".to_string(), Some(4)),
                ("2024-03-04T08:15:00+00:00".to_string(), Some(5))
            ],
            "{doc}"
        );
    }
    // A wrapper whose records are not an array is a record itself.
    let e = bytes("w.json", r#"{"data": {"x": 1}}"#).unwrap_err();
    assert_eq!(err_code(&e), Code::UnknownReport);
    // Trailing garbage after the array.
    let doc = format!("[{one}] x");
    let out = rows_of::<QueueRow>(&doc);
    assert_eq!(err_code(out[1].as_ref().unwrap_err()), Code::JsonSyntax);
    // An empty array needs --report.
    assert_eq!(
        err_code(&bytes("e.json", "[]").unwrap_err()),
        Code::UnknownReport
    );
    let mut r = ReaderBuilder::new()
        .report(Some(ReportKind::Agent))
        .from_bytes("e.json", b"[ ]".to_vec())
        .expect("open");
    assert_eq!(r.rows::<AgentRow>().count(), 0);
}

#[test]
fn numeric_strings_null_and_errors_in_json_values() {
    let doc = r#"[
{"interval": "15", "dateTimeFrom": "03-04-2024T08:00:00", "queue": "77", "answIxnCnt": " 12 ", "abandIxnCnt": null, "waitDur": 3.0},
{"interval": 20, "dateTimeFrom": "03-04-2024T08:00:00", "queue": 77},
{"interval": 15, "dateTimeFrom": "03-04-2024T08:00:00", "queue": null},
{"interval": 15, "dateTimeFrom": "03-04-2024T08:15:00", "queue": 77, "answIxnCnt": 1.5},
{"interval": 15, "dateTimeFrom": "03-04-2024T08:15:00", "queue": 77, "answIxnCnt": [1]},
{"interval": 15, "dateTimeFrom": "03-04-2024T08:15:00", "queue": 77, "answIxnCnt": -1},
[1, 2],
{"interval": 15, "dateTimeFrom": "2024-03-04 08:30:00", "queue": 77, "offDirectIxnCnt": "4", "segmentHoldTime": "1500"}
]"#;
    let out = rows_of::<QueueRow>(doc);
    assert_eq!(out.len(), 8);
    let q = out[0].as_ref().expect("row 1");
    assert_eq!(q.queue, "77");
    assert_eq!(q.answ_call_cnt, Some(12));
    assert_eq!(q.aband_call_cnt, None);
    assert_eq!(q.wait_dur, Some(3));
    assert_eq!(q.offd_direct_call_cnt, None);
    let e = out[1].as_ref().unwrap_err();
    assert_eq!(
        e.to_string(),
        "t:3: error[V105] interval: expected an interval of 15, 30, 45 or 60 minutes (value \"20\")"
    );
    assert_eq!(err_code(out[2].as_ref().unwrap_err()), Code::EmptyRequired);
    assert_eq!(err_code(out[3].as_ref().unwrap_err()), Code::Fraction);
    assert_eq!(err_code(out[4].as_ref().unwrap_err()), Code::BadValue);
    assert_eq!(err_code(out[5].as_ref().unwrap_err()), Code::Negative);
    assert_eq!(err_code(out[6].as_ref().unwrap_err()), Code::JsonSyntax);
    let q = out[7].as_ref().expect("last row");
    assert_eq!(q.offd_direct_call_cnt, Some(4));
    assert_eq!(q.segment_hold_time_ms, Some(1500));
    assert_eq!(q.pos.line(), 9);
    assert_eq!(q.pos.record(), 7);
}

#[test]
fn xml_value_errors_continue_and_name_the_line() {
    let doc = "<r>\n<row interval=\"15\" date_from=\"20240304\" time=\"08:00\" queue=\"1\" answ_call_cnt=\"x\"/>\n<row>\n  <interval>15</interval>\n  <date_from>20240304</date_from>\n  <time>08:07</time>\n  <queue>1</queue>\n</row>\n<row interval=\"15\" date_from=\"20240304\" time=\"08:15\" queue=\"1\"/>\n<row interval=\"15\" time=\"08:30\"/>\n</r>";
    let out = rows_of::<QueueRow>(doc);
    assert_eq!(out.len(), 4);
    let e = out[0].as_ref().unwrap_err();
    assert_eq!(
        e.to_string(),
        "t:2: error[V101] answ_call_cnt: expected a non-negative integer (value \"x\")"
    );
    let e = out[1].as_ref().unwrap_err();
    assert_eq!(err_code(e), Code::OffGrid);
    assert_eq!(e.location().map(|l| l.pos.line()), Some(6));
    assert_eq!(out[2].as_ref().expect("row").pos.line(), 9);
    // Same record name, too few fields: reported, never skipped.
    assert_eq!(err_code(out[3].as_ref().unwrap_err()), Code::MissingColumn);
}

#[test]
fn encodings_other_than_utf8_are_refused() {
    let mut utf16 = vec![0xFF, 0xFE];
    for c in "<r/>".encode_utf16() {
        utf16.extend_from_slice(&c.to_le_bytes());
    }
    let e = ReaderBuilder::new()
        .from_bytes("u16.xml", utf16)
        .unwrap_err();
    assert_eq!(err_code(&e), Code::Encoding);
    let latin = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><r/>";
    let e = bytes("l.xml", latin).unwrap_err();
    assert_eq!(err_code(&e), Code::Encoding);
    assert!(e.to_string().contains("ISO-8859-1"), "{e}");
    // A UTF-8 BOM is fine.
    let bom =
        "\u{feff}<r><x interval=\"15\" date_from=\"20240304\" time=\"08:00\" agentId=\"4\"/></r>";
    let r = bytes("bom.xml", bom).expect("open");
    assert_eq!(r.kind(), ReportKind::Agent);
}

#[test]
fn cli_parse_and_inspect_segments() {
    let o = rcx(&["parse", "fixtures/segments_mixed.ndjson"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].starts_with(r#"{"interaction_id":"9001","dialog_id":null,"segment_id":"1","segment_type":"AGENT","agent_id":"1001","#));
    assert!(lines[0]
        .contains(r#""segment_end":"2024-07-22T09:20:50.250+00:00","segment_duration_ms":45250,"#));
    assert!(lines[1].contains(r#""events":[],"#));
    let o = rcx(&[
        "parse",
        "--format",
        "csv",
        "fixtures/vendor/interaction-metadata-v2.json",
    ]);
    assert_eq!(code(&o), 0);
    let out = stdout(&o);
    let mut it = out.lines();
    assert_eq!(it.next(), Some(Segment::FIELDS.join(",").as_str()));
    let row = it.next().expect("row");
    assert!(row.starts_with("20200721123305013105000001977,,2,AGENT,1009,8,,INBOUND,VOICE,,4155058987,8776239199,2020-07-21T17:32:28.001+00:00,832,2020-07-21T17:32:40.002+00:00,2020-07-21T17:32:42.045+00:00,832000,https://"), "{row}");
    let o = rcx(&["inspect", "fixtures/vendor/interaction-metadata-cx-v1.json"]);
    assert_eq!(code(&o), 0);
    assert_eq!(
        stdout(&o),
        "fixtures/vendor/interaction-metadata-cx-v1.json\n  report: segments\n  form: json\n  rows: 2\n  interactions: 2\n  agents: 2\n  first segment start: 2024-07-22T11:24:40.000+00:00\n  last segment start: 2024-07-23T02:28:25.000+00:00\n"
    );
}

#[test]
fn cli_inspect_and_parse_xml_and_json() {
    let o = rcx(&[
        "inspect",
        "--format",
        "json",
        "fixtures/queue_attributes.xml",
        "fixtures/agent_stats.ndjson",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains(r#"{"file":"fixtures/queue_attributes.xml","report":"queue","form":"xml","dialect":null,"rows":4,"invalid_rows":0,"keys":2,"intervals":[15],"first":"2024-03-04T08:00:00+00:00","last":"2024-03-04T08:15:00+00:00","zone_fit":null,"date_order":{"order":"mdy","basis":"no-slash-dates","text":"MM/dd/yyyy (no slash date in the 4 row(s) scanned)"}}"#), "{out}");
    assert!(out.contains(r#""form":"ndjson""#), "{out}");
    let csv = stdout(&rcx(&[
        "parse",
        "--format",
        "csv",
        "fixtures/agent_ext_quoted.csv",
    ]));
    let xml = stdout(&rcx(&[
        "parse",
        "--format",
        "csv",
        "fixtures/agent_ext_elements.xml",
    ]));
    let json = stdout(&rcx(&[
        "parse",
        "--format",
        "csv",
        "fixtures/agent_ext.json",
    ]));
    assert_eq!(xml, csv);
    assert_eq!(json, csv);
    let o = rcx(&["parse", "fixtures/vendor/teleopti-headers.txt"]);
    assert_eq!(code(&o), 1);
}

// ---------------------------------------------------------------------------
// Property test: the tests' wire encoder (`wire.rs`) turns random queue rows
// into XML (element or attribute style) and JSON (numbers or numeric
// strings, array or NDJSON); the readers must give back exactly those
// values.

#[derive(Clone, Debug)]
struct Gen {
    interval: u32,
    start: NaiveDateTime,
    queue: String,
    name: String,
    counts: Vec<Option<u64>>,
}

use crate::wire::QUEUE_COUNTS as COUNT_NAMES;

fn gen_row() -> impl Strategy<Value = Gen> {
    (
        prop::sample::select(vec![15u32, 30, 45, 60]),
        0u32..365,
        0u32..96,
        "[0-9A-Za-z_-]{1,12}",
        // Names: any printable text with XML/JSON/CSV specials, no
        // surrounding white space (the readers trim).
        "[A-Za-z0-9&<>\"', ;é☺\\\\]{0,20}",
        prop::collection::vec(prop::option::of(0u64..u64::MAX), 15),
    )
        .prop_map(|(interval, day, slot, queue, name, counts)| {
            let date = NaiveDate::from_ymd_opt(2024, 1, 1).expect("date")
                + chrono::Duration::days(day as i64);
            Gen {
                interval,
                // On the grid: 1440 is a multiple of every interval length.
                start: date.and_hms_opt(0, 0, 0).expect("midnight")
                    + chrono::Duration::minutes(((slot * interval) % 1440) as i64),
                queue,
                name: name.trim().to_string(),
                counts,
            }
        })
}

/// The queue record of a generated row; counts as text when `strings`
/// (JSON numeric strings), missing counts as no value.
fn record(r: &Gen, strings: bool) -> Record {
    let mut rec = vec![
        ("interval", wire::num(r.interval)),
        (
            "date_from",
            wire::text(r.start.format("%Y%m%d").to_string()),
        ),
        ("time", wire::text(r.start.format("%H:%M").to_string())),
        ("queue", wire::text(r.queue.clone())),
        ("queue_name", wire::text(r.name.clone())),
    ];
    for (n, c) in COUNT_NAMES.iter().zip(&r.counts) {
        rec.push((
            n,
            match c {
                Some(c) if strings => wire::text(c.to_string()),
                Some(c) => wire::num(c),
                None => Value::Null,
            },
        ));
    }
    rec
}

/// Namespaced XML, numeric character references for `'` and non-ASCII.
fn write_xml(rows: &[Gen], attributes: bool) -> String {
    let xml = Xml {
        decl: "<?xml version=\"1.0\"?>",
        root: "p:export",
        root_attrs: " xmlns:p=\"urn:t\"",
        record: "p:rec",
        prefix: "p:",
        attributes,
        escape: XmlEscape::Numeric,
        ..Xml::default()
    };
    let records: Vec<Record> = rows.iter().map(|r| record(r, false)).collect();
    xml.document(&records)
}

/// JSON with non-ASCII as `\u` escapes, month-first `dateTimeFrom`, an
/// array (no final line break) or NDJSON.
fn write_json(rows: &[Gen], strings: bool, ndjson: bool) -> String {
    let frame = if ndjson {
        wire::NDJSON
    } else {
        JsonFrame {
            open: "[\n",
            sep: ",\n",
            close: "\n]",
        }
    };
    let json = Json {
        frame,
        date: JsonDate::MonthFirst,
        ascii: true,
        ..Json::default()
    };
    let records: Vec<Record> = rows.iter().map(|r| record(r, strings)).collect();
    json.document(&records)
}

fn check(rows: &[Gen], got: Vec<QueueRow>) -> Result<(), TestCaseError> {
    prop_assert_eq!(got.len(), rows.len());
    for (g, r) in rows.iter().zip(&got) {
        prop_assert_eq!(r.interval.minutes(), g.interval);
        prop_assert_eq!(r.start.local(), g.start);
        prop_assert_eq!(r.start.local().second(), 0);
        prop_assert_eq!(&r.queue, &g.queue);
        prop_assert_eq!(&r.queue_name, &g.name);
        let counts = [
            r.offd_direct_call_cnt,
            r.overflow_in_call_cnt,
            r.aband_call_cnt,
            r.overflow_out_call_cnt,
            r.answ_call_cnt,
            r.queued_and_answ_call_dur,
            r.queued_and_aband_call_dur,
            r.talking_call_dur,
            r.wrap_up_dur,
            r.queued_answ_longest_que_dur,
            r.queued_aband_longest_que_dur,
            r.ans_servicelevel_cnt,
            r.wait_dur,
            r.aband_short_call_cnt,
            r.aband_within_sl_cnt,
        ];
        prop_assert_eq!(&counts[..], &g.counts[..]);
    }
    Ok(())
}

proptest! {
    #![proptest_config(crate::util::proptest_config(48, "proptest-regressions/xml_json.txt"))]

    #[test]
    fn random_rows_round_trip_through_xml_and_json(
        rows in prop::collection::vec(gen_row(), 1..6),
        attributes in any::<bool>(),
        strings in any::<bool>(),
        ndjson in any::<bool>(),
        buffer in 1usize..64,
    ) {
        for doc in [write_xml(&rows, attributes), write_json(&rows, strings, ndjson)] {
            let mut r = ReaderBuilder::new()
                .buffer_size(buffer)
                .report(Some(ReportKind::Queue))
                .from_bytes("p", doc.clone().into_bytes())
                .map_err(|e| TestCaseError::fail(format!("{e}\n{doc}")))?;
            let got: Vec<QueueRow> = r
                .rows()
                .collect::<Result<_, _>>()
                .map_err(|e| TestCaseError::fail(format!("{e}\n{doc}")))?;
            check(&rows, got)?;
        }
    }
}

#[test]
fn record_positions_point_at_the_record_start() {
    for (name, marker) in [
        ("queue_elements.xml", "<wfm:Row>"),
        ("queue_attributes.xml", "<queueInterval "),
        ("queue.json", "{\"interval\""),
        ("agent_ext.json", "{\n      \"interval\""),
        ("agent_stats.ndjson", "{\"interval\""),
    ] {
        let text = std::fs::read_to_string(fixture(name)).expect("read");
        let starts: Vec<(u64, u64)> = text
            .match_indices(marker)
            .map(|(i, _)| (i as u64, 1 + text[..i].matches('\n').count() as u64))
            .collect();
        let mut r = ReaderBuilder::new().from_path(fixture(name)).expect("open");
        let got: Vec<(u64, u64)> = match r.kind() {
            ReportKind::Queue => r
                .rows::<QueueRow>()
                .map(|x| x.map(|x| (x.pos.byte(), x.pos.line())))
                .collect::<Result<_, _>>(),
            ReportKind::AgentExt => r
                .rows::<AgentExtRow>()
                .map(|x| x.map(|x| (x.pos.byte(), x.pos.line())))
                .collect::<Result<_, _>>(),
            _ => r
                .rows::<AgentRow>()
                .map(|x| x.map(|x| (x.pos.byte(), x.pos.line())))
                .collect::<Result<_, _>>(),
        }
        .expect("rows");
        assert_eq!(got, starts, "{name}");
    }
}

/// Reads everything a document yields, as interval rows or segments,
/// stopping at the first fatal error. Must never panic.
fn drain(doc: &[u8], depth: usize) -> usize {
    let Ok(mut r) = ReaderBuilder::new()
        .buffer_size(7)
        .max_depth(depth)
        .from_bytes("fuzz", doc.to_vec())
    else {
        return 0;
    };
    let mut n = 0;
    match r.kind() {
        ReportKind::Queue => n += r.rows::<QueueRow>().count(),
        ReportKind::AgentExt => n += r.rows::<AgentExtRow>().count(),
        ReportKind::Agent => n += r.rows::<AgentRow>().count(),
        ReportKind::Segments => n += r.segments().count(),
        other => panic!("no reading for report kind {other:?}"),
    }
    assert!(r.is_finished());
    n
}

proptest! {
    #![proptest_config(crate::util::proptest_config(192, "proptest-regressions/xml_json.txt"))]

    /// Damaged copies of real documents (bytes replaced, cut, spliced)
    /// give rows or errors, never a panic or an endless loop.
    #[test]
    fn damaged_documents_never_panic(
        which in 0usize..6,
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
        cut in any::<prop::sample::Index>(),
        depth in 2usize..8,
    ) {
        let name = [
            "queue_elements.xml",
            "agent_ext_attributes.xml",
            "queue.json",
            "agent_ext.json",
            "segments_mixed.ndjson",
            "vendor/interaction-metadata-cx-v1.json",
        ][which];
        let mut doc = std::fs::read(fixture(name)).expect("read");
        for (at, b) in &edits {
            let i = at.index(doc.len());
            doc[i] = *b;
        }
        let keep = cut.index(doc.len() + 1).max(doc.len() / 2);
        doc.truncate(keep);
        drain(&doc, depth);
        drain(&doc, 64);
    }
}

/// The segments of a JSON document whose records are each on one line,
/// each with its line, its positions cleared (they differ between
/// layouts).
fn segments_in(doc: &str) -> Vec<(Segment, u64)> {
    let mut r = ReaderBuilder::new()
        .from_bytes("s.json", doc.as_bytes().to_vec())
        .expect("open");
    r.segments()
        .map(|s| {
            let mut s = s.expect("segment");
            let line = s.pos.line();
            s.pos = Default::default();
            // An event is on its record's line, in a layout of one line
            // per record.
            for e in s.events.iter_mut().flatten() {
                assert_eq!(e.line, line);
                e.line = 0;
            }
            (s, line)
        })
        .collect()
}

#[test]
fn segment_records_read_the_same_in_every_one_line_layout() {
    // The bundled segment records, each on one line. The common one is
    // walked without the JSON parser when it stands alone on its line;
    // two on a line, a minified array and white space other than spaces
    // go through the parser: every layout must give the same segments, at
    // the lines the layout puts them on.
    let mut recs = Vec::new();
    for f in [
        "segments_mixed.ndjson",
        "segments_timeline.ndjson",
        "segments_ivr_bot.ndjson",
    ] {
        let text = String::from_utf8(crate::util::fixture_bytes(f)).expect("utf-8");
        recs.extend(
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(String::from),
        );
    }
    let n = recs.len() as u64;
    assert!(n >= 10);
    let each = |f: &dyn Fn(u64) -> u64| (0..n).map(f).collect::<Vec<u64>>();
    let layouts: Vec<(&str, String, Vec<u64>)> = vec![
        ("ndjson", recs.join("\n") + "\n", each(&|i| i + 1)),
        ("crlf", recs.join("\r\n") + "\r\n", each(&|i| i + 1)),
        ("trailing spaces", recs.join("  \n"), each(&|i| i + 1)),
        (
            "two on a line",
            recs.chunks(2)
                .map(|c| c.join(" "))
                .collect::<Vec<_>>()
                .join("\n"),
            each(&|i| i / 2 + 1),
        ),
        (
            "minified array",
            format!("[{}]", recs.join(",")),
            each(&|_| 1),
        ),
        (
            "array, one per line",
            format!("[\n{}\n]\n", recs.join(" ,\n")),
            each(&|i| i + 2),
        ),
        (
            "wrapped array",
            format!("{{\"records\": [\n{}\n]}}\n", recs.join(",\n")),
            each(&|i| i + 2),
        ),
        (
            "tabs between members",
            recs.iter()
                .map(|r| r.replace(",\"", ",\t\""))
                .collect::<Vec<_>>()
                .join("\n"),
            each(&|i| i + 1),
        ),
    ];
    let base = segments_in(&layouts[0].1);
    assert_eq!(base.len() as u64, n);
    for (name, doc, lines) in &layouts {
        let got = segments_in(doc);
        let got_lines: Vec<u64> = got.iter().map(|g| g.1).collect();
        assert_eq!(&got_lines, lines, "{name}");
        for (g, b) in got.iter().zip(&base) {
            assert_eq!(g.0, b.0, "{name}");
        }
    }
}
