//! Rollup throughput over generated in-memory rows (rows per second), on 1
//! and 2 threads. The result is checked inside the loop.

use std::hint::black_box;

use chrono::{FixedOffset, NaiveDate};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ringcx_reports::rollup::Rollup;
use ringcx_reports::window::BucketInterval;
use ringcx_reports::{IntervalLength, IntervalStart, Position, QueueRow};

/// 200 queues × 15-minute rows over 5 days (96 000 rows).
fn rows() -> Vec<QueueRow> {
    let base = NaiveDate::from_ymd_opt(2024, 3, 4)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let utc = FixedOffset::east_opt(0).unwrap();
    let mut v = Vec::new();
    for slot in 0..(5 * 96) {
        for q in 0..200u64 {
            let n = slot as u64 * 31 + q;
            v.push(QueueRow {
                pos: Position::new(0, v.len() as u64 + 2, v.len() as u64),
                interval: IntervalLength::M15,
                start: IntervalStart::new(base + chrono::Duration::minutes(15 * slot), utc),
                queue: (5000 + q).to_string(),
                queue_name: format!("Queue {q}"),
                offd_direct_call_cnt: Some(n % 17 + 5),
                overflow_in_call_cnt: Some(n % 3),
                aband_call_cnt: Some(n % 4),
                answ_call_cnt: Some(n % 17 + 2),
                ans_servicelevel_cnt: Some(n % 15),
                talking_call_dur: Some(n % 900 * 7),
                wrap_up_dur: Some(n % 120),
                queued_and_answ_call_dur: Some(n % 300),
                wait_dur: Some(n % 600),
                aband_short_call_cnt: Some(n % 2),
                ..Default::default()
            });
        }
    }
    v
}

fn bench(c: &mut Criterion) {
    let rows = rows();
    let mut g = c.benchmark_group("rollup");
    g.throughput(Throughput::Elements(rows.len() as u64));
    g.sample_size(10);
    let tz = "America/New_York".parse().unwrap();
    for (label, interval) in [("hour", BucketInterval::Hour), ("day", BucketInterval::Day)] {
        let r = Rollup::new().tz(tz).interval(interval);
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            g.bench_with_input(BenchmarkId::new(label, threads), &rows, |b, rows| {
                b.iter(|| {
                    let t = pool
                        .install(|| r.run_rows(rows.iter().cloned().map(Ok)))
                        .unwrap();
                    assert_eq!(t.stats().rows_kept, rows.len() as u64);
                    black_box(t.records().len())
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
