//! Parse throughput: our readers on generated exports of at least 50 MB
//! held in memory, next to a baseline that does the least work possible on
//! the same bytes (for CSV, the `csv` crate's raw `ByteRecord` loop).
//!
//! One criterion group per (wire form, report); each group names its
//! functions `rcx` (our typed `read_row` loop) and its baselines: for CSV
//! the `csv` crate's raw `ByteRecord` loop (no typing at all) and, for
//! queue statistics, its typed serde loop (the same job as ours). To add a
//! wire form, write its baseline loop and list its cases in a `*_benches`
//! function at the bottom, then add that function to `criterion_group!`.
//!
//! XML and JSON (module `xml_json`) are measured next to a bare quick-xml
//! event loop and `serde_json` into `IgnoredAny` over the same bytes.
//!
//! Run: `cargo bench --bench parse` (a few minutes).

use std::hint::black_box;
use std::io::Cursor;
use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ringcx_reports::gen::{self, GenFormat, GenOptions, GenReport};
use ringcx_reports::{AgentExtRow, AgentRow, IntervalRow, QueueRow, ReaderBuilder};

/// Smallest generated document per case.
const MIN_BYTES: usize = 50 << 20;

/// A generated document shared by every iteration without copying.
#[derive(Clone)]
struct Doc {
    bytes: Arc<Vec<u8>>,
    rows: u64,
}

impl AsRef<[u8]> for Doc {
    fn as_ref(&self) -> &[u8] {
        &self.bytes
    }
}

/// Generates at least [`MIN_BYTES`] of `report` in `format`.
fn doc(report: GenReport, format: GenFormat) -> Doc {
    let base = GenOptions::new(report, 10_000).seed(1).format(format);
    let mut sample = Vec::new();
    gen::write(&base, &mut sample).expect("generate a sample");
    let per_row = sample.len() as u64 / 10_000;
    let rows = (MIN_BYTES as u64 / per_row) * 21 / 20;
    let opts = GenOptions { rows, ..base };
    let mut bytes = Vec::with_capacity(rows as usize * per_row as usize * 11 / 10);
    gen::write(&opts, &mut bytes).expect("generate");
    assert!(bytes.len() >= MIN_BYTES);
    Doc {
        bytes: Arc::new(bytes),
        rows,
    }
}

/// Our reader: typed rows through `read_row`, summing answered calls (or
/// a duration) so the work cannot be optimized away.
fn ours<T: IntervalRow>(d: &Doc, sum: impl Fn(&T) -> u64) -> u64 {
    // `from_reader` over the shared bytes is `from_bytes` without the copy.
    let mut reader = ReaderBuilder::new()
        .from_reader("bench", Cursor::new(d.clone()))
        .expect("open");
    let mut row = T::default();
    let (mut n, mut total) = (0u64, 0u64);
    while reader.read_row(&mut row).expect("valid row") {
        n += 1;
        total = total.wrapping_add(sum(&row));
    }
    assert_eq!(n, d.rows);
    total
}

/// The `csv` crate's fastest loop: raw byte records, no UTF-8 check, no
/// typing.
fn csv_byte_records(d: &Doc) -> u64 {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(&d.bytes[..]);
    let mut rec = csv::ByteRecord::new();
    let (mut n, mut fields) = (0u64, 0u64);
    while rdr.read_byte_record(&mut rec).expect("valid record") {
        n += 1;
        fields += rec.len() as u64;
    }
    assert_eq!(n, d.rows);
    fields
}

/// A Queue Statistics row as the `csv` crate's serde path reads it: the
/// typed job our reader does (counts as numbers, absent as `None`), with
/// the date and time left as text (less work than ours, which checks and
/// resolves them).
#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct SerdeQueueRow {
    interval: u32,
    date_from: String,
    time: String,
    queue: String,
    queue_name: String,
    offd_direct_call_cnt: Option<u64>,
    overflow_in_call_cnt: Option<u64>,
    aband_call_cnt: Option<u64>,
    overflow_out_call_cnt: Option<u64>,
    answ_call_cnt: Option<u64>,
    queued_and_answ_call_dur: Option<u64>,
    queued_and_aband_call_dur: Option<u64>,
    talking_call_dur: Option<u64>,
    wrap_up_dur: Option<u64>,
    queued_answ_longest_que_dur: Option<u64>,
    queued_aband_longest_que_dur: Option<u64>,
    ans_servicelevel_cnt: Option<u64>,
    wait_dur: Option<u64>,
    aband_short_call_cnt: Option<u64>,
    aband_within_sl_cnt: Option<u64>,
}

/// The `csv` crate's typed loop: serde into [`SerdeQueueRow`], reusing
/// one `ByteRecord` (its fastest typed form).
fn csv_serde_queue(d: &Doc) -> u64 {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(&d.bytes[..]);
    let headers = rdr.byte_headers().expect("header").clone();
    let mut rec = csv::ByteRecord::new();
    let (mut n, mut total) = (0u64, 0u64);
    while rdr.read_byte_record(&mut rec).expect("valid record") {
        let row: SerdeQueueRow = rec.deserialize(Some(&headers)).expect("typed row");
        n += 1;
        total = total.wrapping_add(row.answ_call_cnt.unwrap_or(0));
    }
    assert_eq!(n, d.rows);
    total
}

/// A named baseline loop over the same document.
type Baseline = (&'static str, fn(&Doc) -> u64);

fn group<T: IntervalRow>(
    c: &mut Criterion,
    name: &str,
    d: &Doc,
    sum: impl Fn(&T) -> u64 + Copy,
    baselines: &[Baseline],
) {
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Bytes(d.bytes.len() as u64))
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(6));
    g.bench_function("rcx", |b| b.iter(|| black_box(ours::<T>(d, sum))));
    for (name, f) in baselines {
        g.bench_function(*name, |b| b.iter(|| black_box(f(d))));
    }
    g.finish();
}

fn csv_benches(c: &mut Criterion) {
    let base = ("csv-crate-byterecord", csv_byte_records as fn(&Doc) -> u64);
    let d = doc(GenReport::Queue, GenFormat::Csv);
    let serde = ("csv-crate-serde", csv_serde_queue as fn(&Doc) -> u64);
    group::<QueueRow>(
        c,
        "csv/queue",
        &d,
        |r| r.answ_call_cnt.unwrap_or(0),
        &[base, serde],
    );
    drop(d);
    let d = doc(GenReport::AgentExt, GenFormat::Csv);
    group::<AgentExtRow>(
        c,
        "csv/agent-ext",
        &d,
        |r| r.answ_call_cnt.unwrap_or(0),
        &[base],
    );
    drop(d);
    let d = doc(GenReport::Agent, GenFormat::Csv);
    group::<AgentRow>(c, "csv/agent", &d, |r| r.avail_dur.unwrap_or(0), &[base]);
}

/// XML and JSON readers next to their raw parsers.
mod xml_json {
    use std::fmt::Write as _;
    use std::io::{Cursor, Read};
    use std::sync::Arc;
    use std::time::Duration;

    use criterion::{Criterion, Throughput};
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

    pub fn xml(c: &mut Criterion) {
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

    pub fn json(c: &mut Criterion) {
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
}

criterion_group!(benches, csv_benches, xml_json::xml, xml_json::json);
criterion_main!(benches);
