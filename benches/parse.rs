//! Parse throughput: our readers on generated exports of at least 50 MB
//! held in memory, next to a baseline that does the least work possible on
//! the same bytes (for CSV, the `csv` crate's raw `ByteRecord` loop).
//!
//! One criterion group per (wire form, report); each group names its
//! functions `rcx` (our typed `read_row` loop) and a baseline. To add a wire
//! form, write its baseline loop and list its cases in a `*_benches`
//! function at the bottom, then add that function to `criterion_group!`.
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

fn group<T: IntervalRow>(
    c: &mut Criterion,
    name: &str,
    d: &Doc,
    sum: impl Fn(&T) -> u64 + Copy,
    baseline: (&str, fn(&Doc) -> u64),
) {
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Bytes(d.bytes.len() as u64))
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(6));
    g.bench_function("rcx", |b| b.iter(|| black_box(ours::<T>(d, sum))));
    g.bench_function(baseline.0, |b| b.iter(|| black_box((baseline.1)(d))));
    g.finish();
}

fn csv_benches(c: &mut Criterion) {
    let base = ("csv-crate-byterecord", csv_byte_records as fn(&Doc) -> u64);
    let d = doc(GenReport::Queue, GenFormat::Csv);
    group::<QueueRow>(c, "csv/queue", &d, |r| r.answ_call_cnt.unwrap_or(0), base);
    drop(d);
    let d = doc(GenReport::AgentExt, GenFormat::Csv);
    group::<AgentExtRow>(
        c,
        "csv/agent-ext",
        &d,
        |r| r.answ_call_cnt.unwrap_or(0),
        base,
    );
    drop(d);
    let d = doc(GenReport::Agent, GenFormat::Csv);
    group::<AgentRow>(c, "csv/agent", &d, |r| r.avail_dur.unwrap_or(0), base);
}

criterion_group!(benches, csv_benches);
criterion_main!(benches);
