//! Reader throughput on generated inputs of tens of MB, next to the raw
//! cost of the underlying parser over the same bytes: a bare quick-xml
//! event loop for XML, `serde_json` into `IgnoredAny` for JSON. The ratio
//! between the two is the price of typed rows (values, dates, zones).

use std::fmt::Write as _;
use std::io::{Cursor, Read};
use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ringcx_reports::{QueueRow, ReaderBuilder, Segment};

/// Shared bytes readable many times without copying them.
struct Shared(Cursor<Arc<Vec<u8>>>);

impl Shared {
    fn new(b: &Arc<Vec<u8>>) -> Self {
        Shared(Cursor::new(b.clone()))
    }
}

impl Read for Shared {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let pos = self.0.position() as usize;
        let data = self.0.get_ref();
        let n = buf.len().min(data.len() - pos);
        buf[..n].copy_from_slice(&data[pos..pos + n]);
        self.0.set_position((pos + n) as u64);
        Ok(n)
    }
}

const COUNTS: [(&str, &str); 15] = [
    ("offd_direct_call_cnt", "offdDirectIxnCnt"),
    ("overflow_in_call_cnt", "overflowInIxnCnt"),
    ("aband_call_cnt", "abandIxnCnt"),
    ("overflow_out_call_cnt", "overflowOutIxnCnt"),
    ("answ_call_cnt", "answIxnCnt"),
    ("queued_and_answ_call_dur", "queuedAndAnswIxnDur"),
    ("queued_and_aband_call_dur", "queuedAndAbandIxnDur"),
    ("talking_call_dur", "talkingIxnDur"),
    ("wrap_up_dur", "wrapUpDur"),
    ("queued_answ_longest_que_dur", "queuedAnswLongestQueDur"),
    ("queued_aband_longest_que_dur", "queuedAbandLongestQueDur"),
    ("ans_servicelevel_cnt", "ansServicelevelCnt"),
    ("wait_dur", "waitDur"),
    ("aband_short_call_cnt", "abandShortIxnCnt"),
    ("aband_within_sl_cnt", "abandWithinSlCnt"),
];

/// Queue rows: 50 queues × 96 intervals a day, as many days as needed.
fn rows(n: usize) -> impl Iterator<Item = (u32, String, u32, u64)> {
    (0..n).map(|i| {
        let queue = 5000 + (i % 50) as u32;
        let slot = (i / 50) % 96;
        let day = 1 + (i / 50 / 96) % 28;
        (
            queue,
            format!("2024-02-{day:02}"),
            (slot * 15) as u32,
            (i as u64 * 7919) % 1000,
        )
    })
}

fn gen_xml(n: usize) -> Vec<u8> {
    let mut s = String::from("<?xml version=\"1.0\"?>\n<QueueStatistics>\n");
    for (q, date, min, v) in rows(n) {
        let _ = write!(
            s,
            "  <Row>\n    <interval>15</interval>\n    <date_from>{}</date_from>\n    <time>{:02}:{:02}</time>\n    <queue>{q}</queue>\n    <queue_name>Queue &amp; {q}</queue_name>\n",
            date.replace('-', ""),
            min / 60,
            min % 60
        );
        for (k, (name, _)) in COUNTS.iter().enumerate() {
            let _ = writeln!(s, "    <{name}>{}</{name}>", v + k as u64);
        }
        s.push_str("  </Row>\n");
    }
    s.push_str("</QueueStatistics>\n");
    s.into_bytes()
}

fn gen_json(n: usize) -> Vec<u8> {
    let mut s = String::from("[\n");
    for (i, (q, date, min, v)) in rows(n).enumerate() {
        if i > 0 {
            s.push_str(",\n");
        }
        let _ = write!(
            s,
            "{{\"interval\":15,\"dateTimeFrom\":\"{date}T{:02}:{:02}:00\",\"queue\":{q},\"queueName\":\"Queue {q}\"",
            min / 60,
            min % 60
        );
        for (k, (_, json)) in COUNTS.iter().enumerate() {
            let _ = write!(s, ",\"{json}\":{}", v + k as u64);
        }
        s.push('}');
    }
    s.push_str("\n]\n");
    s.into_bytes()
}

fn gen_segments(n: usize) -> Vec<u8> {
    let mut s = String::from("[\n");
    for i in 0..n {
        if i > 0 {
            s.push_str(",\n");
        }
        let start = 1_721_640_000_000u64 + i as u64 * 30_000;
        let _ = write!(
            s,
            "{{\"subAccountId\":\"99999999\",\"dialogId\":\"d-{i}\",\"interactionId\":\"{}\",\"channelType\":\"VOICE\",\"channelClass\":\"VOICE\",\"channelEndpointAddress\":\"+16505550100\",\"contactEndpointAddress\":\"+1415555{:04}\",\"dialogOrigination\":\"INBOUND\",\"dialogStartTimeMs\":{start},\"dialogDurationMs\":90000,\"segmentId\":\"s-{i}\",\"segmentType\":\"AGENT\",\"segmentParticipantId\":\"{}\",\"segmentStartTimeMs\":\"2024-07-22T09:20:05.000Z\",\"segmentEndTimeMs\":\"2024-07-22T09:21:05.250Z\",\"segmentDurationMs\":60250,\"segmentAgentGroupId\":\"76873\",\"hasRecording\":true,\"hasTranscript\":false,\"segmentEvents\":[{{\"eventTimeMs\":{start},\"clientEventTimeMs\":{start},\"eventType\":\"REC_START\"}},{{\"eventTimeMs\":{},\"clientEventTimeMs\":null,\"eventType\":\"REC_STOP\"}}]}}",
            i / 2,
            i % 10000,
            1000 + i % 300,
            start + 60_000
        );
    }
    s.push_str("\n]\n");
    s.into_bytes()
}

fn count_rows(bytes: &Arc<Vec<u8>>) -> u64 {
    let mut r = ReaderBuilder::new()
        .from_reader("bench", Shared::new(bytes))
        .expect("open");
    let mut row = QueueRow::default();
    let mut n = 0;
    while r.read_row(&mut row).expect("row") {
        n += 1;
    }
    n
}

fn xml(c: &mut Criterion) {
    const N: usize = 30_000;
    let bytes = Arc::new(gen_xml(N));
    let mut g = c.benchmark_group("xml");
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(8));
    g.bench_function("reader_queue_rows", |b| {
        b.iter(|| assert_eq!(count_rows(&bytes), N as u64))
    });
    g.bench_function("raw_quick_xml_events", |b| {
        b.iter(|| {
            let mut r = quick_xml::Reader::from_reader(std::io::BufReader::with_capacity(
                256 * 1024,
                Shared::new(&bytes),
            ));
            let mut buf = Vec::with_capacity(1024);
            let mut ends = 0u64;
            loop {
                buf.clear();
                match r.read_event_into(&mut buf).expect("xml") {
                    quick_xml::events::Event::End(_) => ends += 1,
                    quick_xml::events::Event::Eof => break,
                    _ => {}
                }
            }
            // Root + each row + its 20 fields.
            assert_eq!(ends, 1 + N as u64 * 21);
        })
    });
    g.finish();
}

fn json(c: &mut Criterion) {
    const N: usize = 60_000;
    let bytes = Arc::new(gen_json(N));
    let mut g = c.benchmark_group("json");
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(8));
    g.bench_function("reader_queue_rows", |b| {
        b.iter(|| assert_eq!(count_rows(&bytes), N as u64))
    });
    g.bench_function("raw_serde_json_ignored_any", |b| {
        b.iter(|| {
            let v: Vec<serde::de::IgnoredAny> = serde_json::from_slice(&bytes).expect("json");
            assert_eq!(v.len(), N);
        })
    });
    g.finish();

    const S: usize = 40_000;
    let segs = Arc::new(gen_segments(S));
    let mut g = c.benchmark_group("segments_json");
    g.throughput(Throughput::Bytes(segs.len() as u64));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(8));
    g.bench_function("reader_segments", |b| {
        b.iter(|| {
            let mut r = ReaderBuilder::new()
                .from_reader("bench", Shared::new(&segs))
                .expect("open");
            let mut seg = Segment::default();
            let mut n = 0;
            while r.read_segment(&mut seg).expect("segment") {
                n += 1;
            }
            assert_eq!(n, S);
        })
    });
    g.bench_function("raw_serde_json_ignored_any", |b| {
        b.iter(|| {
            let v: Vec<serde::de::IgnoredAny> = serde_json::from_slice(&segs).expect("json");
            assert_eq!(v.len(), S);
        })
    });
    g.finish();
}

criterion_group!(benches, xml, json);
criterion_main!(benches);
