//! The hot paths of a rollup, one at a time, with throughput:
//!
//! - `row-conversion`: raw field text to a typed row (`IntervalRow::set_value`
//!   for every field of a Queue Statistics record);
//! - `accumulation`: a typed row into its bucket's sums (`Summable::add_to`);
//! - `tokenize+convert`: whole CSV records to typed rows (`read_row`) on one
//!   thread (the tokenizer alone is internal; `benches/parse.rs` compares
//!   this path with the `csv` crate's raw `ByteRecord` loop);
//! - `rollup-file`: an hourly rollup of a generated 16 MB file through
//!   `run_files` (chunked parallel reading) on 1 and 2 threads;
//! - `write-rows`, `write-segments`: typed rows and segments to NDJSON
//!   (`rcx parse`'s per-row path: hand-written JSON, strings escaped by
//!   `write::json_string`).
//!
//! Run: `cargo bench --bench hot`.

use std::hint::black_box;
use std::io::Write;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ringcx_reports::gen::{self, GenOptions, GenReport};
use ringcx_reports::rollup::{QueueSums, Rollup, Summable};
use ringcx_reports::window::BucketInterval;
use ringcx_reports::write::{ParseFormat, RowWriter, SegmentWriter};
use ringcx_reports::{Field, IntervalRow, QueueRow, ReaderBuilder, Segment};

const ROWS: u64 = 200_000;

fn export() -> Vec<u8> {
    let mut bytes = Vec::new();
    gen::write(&GenOptions::new(GenReport::Queue, ROWS).seed(1), &mut bytes).expect("gen");
    bytes
}

fn rows(bytes: &[u8]) -> Vec<QueueRow> {
    let mut r = ReaderBuilder::new()
        .from_bytes("bench", bytes.to_vec())
        .expect("open");
    r.rows::<QueueRow>()
        .collect::<Result<_, _>>()
        .expect("rows")
}

fn segments() -> Vec<Segment> {
    let mut bytes = Vec::new();
    gen::write(
        &GenOptions::new(GenReport::Segments, 20_000).seed(1),
        &mut bytes,
    )
    .expect("gen");
    let mut r = ReaderBuilder::new()
        .from_bytes("bench", bytes)
        .expect("open");
    r.segments().collect::<Result<_, _>>().expect("segments")
}

fn hot(c: &mut Criterion) {
    let bytes = export();
    let typed = rows(&bytes);
    // The raw text of the fields after interval, date and time.
    let texts: Vec<Vec<(Field, String)>> = typed
        .iter()
        .take(10_000)
        .map(|r| {
            let mut v = Vec::new();
            r.visit(&mut |f, val| {
                let s = match val {
                    ringcx_reports::model::Value::Int(Some(n)) => n.to_string(),
                    ringcx_reports::model::Value::Text(t) => t.to_string(),
                    _ => String::new(),
                };
                if !s.is_empty() {
                    v.push((f, s));
                }
            });
            v
        })
        .collect();

    let mut g = c.benchmark_group("hot");
    g.sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));

    g.throughput(Throughput::Elements(texts.len() as u64));
    g.bench_function("row-conversion", |b| {
        let mut row = QueueRow::default();
        b.iter(|| {
            let mut n = 0u64;
            for rec in &texts {
                row.reset();
                for (f, t) in rec {
                    row.set_value(*f, t).expect("valid value");
                }
                n = n.wrapping_add(row.answ_call_cnt.unwrap_or(0));
            }
            black_box(n)
        })
    });

    g.throughput(Throughput::Elements(typed.len() as u64));
    g.bench_function("accumulation", |b| {
        b.iter(|| {
            let mut sums = [QueueSums::default(); 64];
            for (i, r) in typed.iter().enumerate() {
                r.add_to(&mut sums[i & 63]);
            }
            black_box(sums[0].answered)
        })
    });

    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("tokenize+convert", |b| {
        b.iter(|| {
            let mut r = ReaderBuilder::new()
                .from_reader("bench", std::io::Cursor::new(bytes.clone()))
                .expect("open");
            let mut row = QueueRow::default();
            let mut n = 0u64;
            while r.read_row(&mut row).expect("valid row") {
                n += 1;
            }
            assert_eq!(n, ROWS);
        })
    });

    g.throughput(Throughput::Elements(typed.len() as u64));
    g.bench_function("write-rows", |b| {
        let mut w = RowWriter::new(ParseFormat::Ndjson);
        let mut out = Vec::with_capacity(1 << 20);
        b.iter(|| {
            let mut n = 0;
            for r in &typed {
                out.clear();
                w.write_row(&mut out, r).expect("write");
                n += out.len();
            }
            black_box(n)
        })
    });

    let segments = segments();
    g.throughput(Throughput::Elements(segments.len() as u64));
    g.bench_function("write-segments", |b| {
        let mut w = SegmentWriter::new(ParseFormat::Ndjson);
        let mut out = Vec::with_capacity(1 << 20);
        b.iter(|| {
            let mut n = 0;
            for s in &segments {
                out.clear();
                w.write_segment(&mut out, s).expect("write");
                n += out.len();
            }
            black_box(n)
        })
    });

    let mut f = tempfile::NamedTempFile::new().expect("temp");
    f.write_all(&bytes).expect("write");
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        g.bench_with_input(
            BenchmarkId::new("rollup-file", threads),
            &threads,
            |b, _| {
                b.iter(|| {
                    pool.install(|| {
                        let t = Rollup::new()
                            .interval(BucketInterval::Hour)
                            .run_files(&[f.path()], &ReaderBuilder::new())
                            .expect("rollup");
                        assert_eq!(t.stats().rows_read, ROWS);
                        black_box(t.records().len())
                    })
                })
            },
        );
    }
    g.finish();
}

criterion_group!(benches, hot);
criterion_main!(benches);
