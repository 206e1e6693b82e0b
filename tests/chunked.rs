//! Chunked parallel reading (issue 7): the chunked rollup of one file
//! equals the sequential reference whatever the chunk size, including
//! chunks that start inside a quoted field spanning lines, and declines
//! (leaving the reference path to decide) where it cannot be exact.

use std::io::Write;

/// Every format but the Analytics response (which `write_rollup` prints
/// from a packed result too): what `interactions` prints.
const STREAMED: [ringcx_reports::write::TableFormat; 6] = {
    use ringcx_reports::write::TableFormat;
    [
        TableFormat::Csv,
        TableFormat::Tsv,
        TableFormat::Json,
        TableFormat::Ndjson,
        TableFormat::Markdown,
        TableFormat::Table,
    ]
};

/// The formats that `write_rollup` also prints from a packed result: the
/// Analytics response, and one Parquet file where the feature is on.
const PACKED_TOO: &[ringcx_reports::write::TableFormat] = {
    use ringcx_reports::write::TableFormat;
    if cfg!(feature = "parquet") {
        &[TableFormat::Analytics, TableFormat::Parquet]
    } else {
        &[TableFormat::Analytics]
    }
};

use proptest::prelude::*;
use ringcx_reports::gen::{self, GenOptions, GenReport};
use ringcx_reports::rollup::{Grouping, Rollup};
use ringcx_reports::window::BucketInterval;
use ringcx_reports::ReaderBuilder;

use crate::wire::{self, Csv, QUEUE_COUNTS};
#[cfg(feature = "json")]
use crate::wire::{Json, JsonDate, JsonFrame, JsonLayout};

const HEADER: &str = "interval,date_from,time,queue,queue_name,offd_direct_call_cnt,overflow_in_call_cnt,aband_call_cnt,overflow_out_call_cnt,answ_call_cnt,queued_and_answ_call_dur,queued_and_aband_call_dur,talking_call_dur,wrap_up_dur,queued_answ_longest_que_dur,queued_aband_longest_que_dur,ans_servicelevel_cnt,wait_dur,aband_short_call_cnt,aband_within_sl_cnt\n";

fn temp(bytes: &[u8]) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().expect("temp file");
    f.write_all(bytes).expect("write");
    f
}

/// A sorted queue file whose names may hold delimiters, quotes and line
/// breaks (so chunk starts fall inside quoted fields); names always
/// quoted, a blank line after every `blank_every`th record.
fn queue_file(names: &[String], hours: u32, blank_every: usize) -> String {
    let csv = Csv {
        always_quote: &["queue_name"],
        ..Csv::default()
    };
    let mut s = String::from(HEADER);
    let mut n = 0u64;
    for h in 0..hours {
        for m in [0, 15, 30, 45] {
            for (q, name) in names.iter().enumerate() {
                n += 1;
                let values = [
                    n % 7,
                    n % 3,
                    n % 5,
                    0,
                    n % 11,
                    n % 97,
                    n % 13,
                    n % 400,
                    n % 50,
                    n % 60,
                    n % 9,
                    n % 4,
                    n % 300,
                    n % 2,
                    n % 3,
                ];
                let mut rec = vec![
                    ("interval", wire::num(15)),
                    ("date_from", wire::text("20240304")),
                    ("time", wire::text(format!("{:02}:{m:02}", h % 24))),
                    ("queue", wire::num(5000 + q)),
                    ("queue_name", wire::text(name.clone())),
                ];
                rec.extend(
                    QUEUE_COUNTS
                        .iter()
                        .zip(values)
                        .map(|(k, v)| (*k, wire::num(v))),
                );
                s.push_str(&csv.record(&rec));
                if blank_every > 0 && n % blank_every as u64 == 0 {
                    s.push('\n');
                }
            }
        }
    }
    s
}

fn both(r: &Rollup, path: &std::path::Path) -> (Option<String>, String) {
    let rb = ReaderBuilder::new();
    let chunked = r
        .try_run_files_chunked(&[path], &rb)
        .expect("chunked run")
        .map(|t| format!("{:?}", t.records()));
    let seq = r
        .run_files_sequential(&[path], &rb)
        .expect("sequential run");
    (chunked, format!("{:?}", seq.records()))
}

#[test]
fn generated_export_chunked_equals_sequential_at_any_chunk_size() {
    let mut bytes = Vec::new();
    gen::write(&GenOptions::new(GenReport::Queue, 1500).seed(7), &mut bytes).expect("gen");
    let f = temp(&bytes);
    for interval in [BucketInterval::Hour, BucketInterval::Day] {
        for size in [61, 4096, 1 << 20] {
            let r = Rollup::new().interval(interval).chunk_size(size);
            let (chunked, seq) = both(&r, f.path());
            assert_eq!(chunked.as_deref(), Some(seq.as_str()), "chunk size {size}");
            // run_files takes the chunked path and gives the same table.
            let t = r
                .run_files(&[f.path()], &ReaderBuilder::new())
                .expect("run");
            assert_eq!(format!("{:?}", t.records()), seq);
            assert_eq!(t.stats().rows_read, 1500);
        }
    }
}

#[test]
fn agent_ext_by_agent_queue_chunked_equals_sequential() {
    let mut bytes = Vec::new();
    gen::write(
        &GenOptions::new(GenReport::AgentExt, 2000).seed(3),
        &mut bytes,
    )
    .expect("gen");
    let f = temp(&bytes);
    let r = Rollup::new().by(Grouping::AgentQueue).chunk_size(500);
    let (chunked, seq) = both(&r, f.path());
    assert_eq!(chunked.as_deref(), Some(seq.as_str()));
}

#[test]
fn unsorted_file_is_left_to_the_reference_path_and_still_exact() {
    let mut s = String::from(HEADER);
    s.push_str("15,20240304,08:15,5686,Sales,1,0,0,0,1,5,0,60,6,5,0,1,10,0,0\n");
    s.push_str("15,20240304,08:00,5686,Sales,2,0,0,0,2,5,0,60,6,5,0,1,10,0,0\n");
    let f = temp(s.as_bytes());
    let r = Rollup::new().chunk_size(16);
    assert!(r
        .try_run_files_chunked(&[f.path()], &ReaderBuilder::new())
        .expect("run")
        .is_none());
    let t = r
        .run_files(&[f.path()], &ReaderBuilder::new())
        .expect("run");
    assert_eq!(t.records()[0].queue().expect("queue").sums.direct, 3);
}

#[test]
fn an_error_is_reported_with_its_exact_line_whatever_the_chunk_size() {
    let mut s = queue_file(&["Sales, \"EMEA\"\nline 2".to_string()], 3, 5);
    // Line numbers count the line breaks inside the quoted names.
    s = s.replacen("15,20240304,01:30", "15,20240304,01:3x", 1);
    let f = temp(s.as_bytes());
    let seq = Rollup::new()
        .run_files_sequential(&[f.path()], &ReaderBuilder::new())
        .expect_err("bad time");
    for size in [1, 50, 300, 1 << 20] {
        let r = Rollup::new().chunk_size(size);
        let e = r
            .run_files(&[f.path()], &ReaderBuilder::new())
            .expect_err("bad time");
        assert_eq!(e.to_string(), seq.to_string());
    }
    assert!(seq.to_string().contains(":15: error[V107]"), "{seq}");
}

proptest! {
    #![proptest_config(crate::util::proptest_config(24, "proptest-regressions/chunked.txt"))]
    #[test]
    fn chunked_equals_sequential_with_tiny_chunks(
        names in prop::collection::vec("[a-z ,\"\n;]{0,12}", 1..4),
        hours in 1u32..4,
        blank in 0usize..9,
        size in 1u64..200,
    ) {
        let s = queue_file(&names, hours, blank);
        let f = temp(s.as_bytes());
        let r = Rollup::new().chunk_size(size);
        let (chunked, seq) = both(&r, f.path());
        // Queue ids repeat only at later starts: the chunked path takes
        // every such file.
        prop_assert_eq!(chunked.as_deref(), Some(seq.as_str()));
    }
}

/// `write_rollup` prints the packed chunk result of `output_files` without
/// building the table: the same bytes as the sequential table through
/// `write_table`, in every format, every interval and chunk size (tiny chunks seal buckets across many chunk
/// merges).
#[test]
fn streamed_output_equals_the_sequential_table_written() {
    use ringcx_reports::write::{write_rollup, write_table};
    let mut bytes = Vec::new();
    gen::write(
        &GenOptions::new(GenReport::Queue, 1200).seed(11),
        &mut bytes,
    )
    .expect("gen");
    let f = temp(&bytes);
    let rb = ReaderBuilder::new();
    for interval in [
        BucketInterval::Native,
        BucketInterval::Hour,
        BucketInterval::Day,
        BucketInterval::Total,
    ] {
        for by in [Grouping::Queue, Grouping::All] {
            for size in [97, 1 << 20] {
                let r = Rollup::new().by(by).interval(interval).chunk_size(size);
                assert!(r
                    .try_run_files_chunked(&[f.path()], &rb)
                    .expect("run")
                    .is_some());
                let seq = r.run_files_sequential(&[f.path()], &rb).expect("run");
                for &format in STREAMED.iter().chain(PACKED_TOO) {
                    let mut want = Vec::new();
                    write_table(&seq, format, &mut want).expect("write");
                    let mut got = Vec::new();
                    let output = r.output_files(&[f.path()], &rb).expect("run");
                    let stats = write_rollup(output, format, &mut got).expect("write_rollup");
                    assert_eq!(stats, *seq.stats());
                    if format == ringcx_reports::write::TableFormat::Parquet {
                        assert!(got == want, "{interval:?} {by:?} chunk {size} {format:?}");
                        continue;
                    }
                    assert_eq!(
                        String::from_utf8(got).expect("utf8"),
                        String::from_utf8(want).expect("utf8"),
                        "{interval:?} {by:?} chunk {size} {format:?}"
                    );
                }
            }
        }
    }
}

/// Keys with thousands of buckets: the streamed output decodes and formats
/// each key in segments (in parallel, read back from the spill file when
/// the store spilled) and must print what the in-memory table prints.
#[test]
fn long_keys_stream_in_segments_exactly_as_the_table_prints_them() {
    use ringcx_reports::write::{write_rollup, write_table};
    let mut bytes = Vec::new();
    gen::write(
        &GenOptions::new(GenReport::Queue, 9000).queues(2).seed(5),
        &mut bytes,
    )
    .expect("gen");
    let f = temp(&bytes);
    let rb = ReaderBuilder::new();
    for size in [211, 1 << 20] {
        let r = Rollup::new()
            .by(Grouping::Queue)
            .interval(BucketInterval::Native)
            .chunk_size(size);
        let seq = r.run_files_sequential(&[f.path()], &rb).expect("run");
        // 4,500 native buckets per queue: eighteen segments of 256.
        assert_eq!(seq.records().len(), 9000);
        for &format in STREAMED.iter().chain(PACKED_TOO) {
            let mut want = Vec::new();
            write_table(&seq, format, &mut want).expect("write");
            for threads in [1, 3] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .expect("pool");
                let mut got = Vec::new();
                pool.install(|| write_rollup(r.output_files(&[f.path()], &rb)?, format, &mut got))
                    .expect("write_rollup");
                assert!(
                    got == want,
                    "chunk {size} {format:?} threads {threads}: streamed output differs"
                );
            }
        }
    }
}

/// A group key whose rows go back in time across chunks (two queues of one
/// group, the second a day behind) cannot be packed in order: the chunked
/// path declines and the result is still exact.
#[test]
fn group_key_going_back_in_time_is_left_to_the_reference_path() {
    use ringcx_reports::rollup::{GroupMap, GroupOf};
    let mut s = String::from(HEADER);
    for (q, day) in [(5001, 5), (5002, 4)] {
        for h in 0..6 {
            s.push_str(&format!(
                "15,202403{day:02},{h:02}:00,{q},Q{q},1,0,0,0,1,5,0,60,6,5,0,1,10,0,0\n"
            ));
        }
    }
    let f = temp(s.as_bytes());
    let g = temp(b"queue,group\n5001,G\n5002,G\n");
    let r = Rollup::new()
        .by(Grouping::QueueGroup)
        .queue_groups(GroupMap::from_path(g.path(), GroupOf::Queues).expect("map"))
        .chunk_size(64);
    let rb = ReaderBuilder::new();
    assert!(r
        .try_run_files_chunked(&[f.path()], &rb)
        .expect("run")
        .is_none());
    let t = r.run_files(&[f.path()], &rb).expect("run");
    assert_eq!(t.records().len(), 12);
    assert_eq!(
        t.records()[0].bucket_start().to_rfc3339(),
        "2024-03-04T00:00:00+00:00"
    );
    let mut out = Vec::new();
    ringcx_reports::write::write_rollup(
        r.output_files(&[f.path()], &rb).expect("run"),
        ringcx_reports::write::TableFormat::Csv,
        &mut out,
    )
    .expect("write");
    assert_eq!(String::from_utf8(out).expect("utf8").lines().count(), 13);
}

/// A sorted Queue Statistics export as JSON in one of seven shapes: an
/// array one record a line, pretty-printed records, a leading comma, an
/// array wrapped in an object with other members around it, NDJSON,
/// pretty-printed NDJSON, and a minified array on one line. Names may hold
/// braces, brackets, commas, quotes, colons and escaped line breaks.
#[cfg(feature = "json")]
fn queue_json(names: &[String], hours: u32, shape: u8) -> String {
    let mut rows = Vec::new();
    let mut n = 0u64;
    for h in 0..hours {
        for m in [0, 15, 30, 45] {
            for (q, name) in names.iter().enumerate() {
                n += 1;
                rows.push(vec![
                    ("interval", wire::num(15)),
                    ("date_from", wire::text("20240304")),
                    ("time", wire::text(format!("{:02}:{m:02}", h % 24))),
                    ("queue", wire::num(5000 + q)),
                    ("queue_name", wire::text(name.clone())),
                    ("offd_direct_call_cnt", wire::num(n % 7)),
                    ("aband_call_cnt", wire::num(n % 3)),
                    ("answ_call_cnt", wire::num(n % 5)),
                    ("talking_call_dur", wire::num(n % 97 * 10)),
                    ("ans_servicelevel_cnt", wire::num(n % 4)),
                    ("wait_dur", wire::num(n % 300)),
                ]);
            }
        }
    }
    let frame = match shape {
        0 | 1 => wire::ARRAY,
        2 => JsonFrame {
            open: "[ ",
            sep: "\n, ",
            close: "\n]",
        },
        3 => JsonFrame {
            open: "{\"meta\": {\"list\": [1, {\"k\": \"a\\nb\"}], \"s\": \"},\\n\"},\n\"records\": [\n",
            sep: ",\n",
            close: "\n],\n\"tail\": {\"x\": [\"y\"]}}\n",
        },
        4 | 5 => wire::NDJSON,
        6 => JsonFrame {
            open: "[",
            sep: ",",
            close: "]",
        },
        _ => unreachable!(),
    };
    let json = Json {
        frame,
        layout: if shape % 2 == 1 {
            JsonLayout::Pretty
        } else {
            JsonLayout::Compact
        },
        date: JsonDate::MonthFirst,
        ..Json::default()
    };
    json.document(&rows)
}

#[cfg(feature = "json")]
#[test]
fn generated_json_export_chunked_equals_sequential_at_any_chunk_size() {
    let mut bytes = Vec::new();
    gen::write(
        &GenOptions::new(GenReport::Queue, 1500)
            .seed(7)
            .format(gen::GenFormat::Json),
        &mut bytes,
    )
    .expect("gen");
    let f = temp(&bytes);
    for interval in [BucketInterval::Hour, BucketInterval::Day] {
        for size in [61, 4096, 1 << 20] {
            let r = Rollup::new().interval(interval).chunk_size(size);
            let (chunked, seq) = both(&r, f.path());
            assert_eq!(chunked.as_deref(), Some(seq.as_str()), "chunk size {size}");
            let t = r
                .run_files(&[f.path()], &ReaderBuilder::new())
                .expect("run");
            assert_eq!(format!("{:?}", t.records()), seq);
            assert_eq!(t.stats().rows_read, 1500);
        }
    }
}

#[cfg(feature = "json")]
proptest! {
    #![proptest_config(crate::util::proptest_config(48, "proptest-regressions/chunked.txt"))]
    /// Chunks that start inside a record (pretty-printed records, escaped
    /// line breaks, brackets in names, a wrapper's other members) are read
    /// again from the record boundary the chunk before found: the result
    /// is the sequential one in every shape and at any chunk size.
    #[test]
    fn json_chunked_equals_sequential_with_tiny_chunks(
        names in prop::collection::vec("[a-z ,\"\n{}\\[\\]:]{0,10}", 1..4),
        hours in 1u32..3,
        shape in 0u8..7,
        size in 1u64..300,
        bom_crlf in any::<bool>(),
    ) {
        let mut s = queue_json(&names, hours, shape);
        if bom_crlf {
            // A byte-order mark (offsets count it) and CRLF line breaks.
            s = format!("\u{feff}{}", s.replace('\n', "\r\n"));
        }
        let f = temp(s.as_bytes());
        let r = Rollup::new().chunk_size(size);
        let (chunked, seq) = both(&r, f.path());
        prop_assert_eq!(chunked.as_deref(), Some(seq.as_str()));
        let rows: u64 = u64::from(hours) * 4 * names.len() as u64;
        let t = r.run_files(&[f.path()], &ReaderBuilder::new()).expect("run");
        prop_assert_eq!(t.stats().rows_read, rows);
    }
}

#[cfg(feature = "json")]
#[test]
fn a_json_error_is_reported_with_its_exact_line_whatever_the_chunk_size() {
    for shape in 0..6 {
        let s = queue_json(&["Sales, {EMEA}".to_string()], 3, shape).replacen(
            "\"03-04-2024T01:30:00\"",
            "\"03-04-2024T01:3x:00\"",
            1,
        );
        let f = temp(s.as_bytes());
        let seq = Rollup::new()
            .run_files_sequential(&[f.path()], &ReaderBuilder::new())
            .expect_err("bad time");
        for size in [1, 50, 300, 1 << 20] {
            let e = Rollup::new()
                .chunk_size(size)
                .run_files(&[f.path()], &ReaderBuilder::new())
                .expect_err("bad time");
            assert_eq!(e.to_string(), seq.to_string(), "shape {shape} chunk {size}");
        }
        // The error names the line of the bad value: that of the seventh
        // record, two lines below its start when records are
        // pretty-printed (`dateTimeFrom` is its second member).
        let first = [2, 2, 1, 3, 1, 1][shape as usize];
        let pretty = shape % 2 == 1;
        let line = first + 6 * if pretty { 12 } else { 1 } + if pretty { 2 } else { 0 };
        assert!(
            seq.to_string().contains(&format!(":{line}: error")),
            "shape {shape}: {seq}"
        );
    }
}

// ---------------------------------------------------------------------
// Interaction metadata (issue 16): segment files read by chunks in
// parallel assemble the same interactions as the files read whole, one
// after the other, whatever the chunk size and file order.

/// Generated cx v1 segments as three re-pulled window files (the later
/// pull refines some segments of the earlier), written as `shape` 0: the
/// generator's JSON array, one segment a line; 1: NDJSON; 2: a
/// pretty-printed array (a segment over many lines, so chunks start
/// inside one).
#[cfg(feature = "json")]
fn segment_pulls(dir: &std::path::Path, shape: u8) -> Vec<std::path::PathBuf> {
    segment_pulls_of(dir, shape, 400)
}

/// [`segment_pulls`] of `rows` segments (900 span more than two hours).
#[cfg(feature = "json")]
fn segment_pulls_of(dir: &std::path::Path, shape: u8, rows: u64) -> Vec<std::path::PathBuf> {
    let opts = GenOptions::new(GenReport::Segments, rows)
        .seed(11)
        .pulls(3)
        .repull_pct(25);
    let mut files = vec![Vec::new(); 3];
    let mut next = files.iter_mut();
    gen::write_pulls(&opts, |_| Ok(next.next().expect("3 windows")), |_| Ok(())).expect("gen");
    files
        .iter()
        .enumerate()
        .map(|(k, bytes)| {
            let text = std::str::from_utf8(bytes).expect("utf-8");
            let text = match shape {
                0 => text.to_string(),
                1 => segment_lines(text).join("\n") + "\n",
                _ => {
                    let v: Vec<serde_json::Value> = segment_lines(text)
                        .iter()
                        .map(|l| serde_json::from_str(l).expect("a segment"))
                        .collect();
                    serde_json::to_string_pretty(&v).expect("pretty")
                }
            };
            let p = dir.join(format!("pull{k}.json"));
            std::fs::write(&p, text).expect("write");
            p
        })
        .collect()
}

#[cfg(feature = "json")]
fn segment_lines(array: &str) -> Vec<&str> {
    array
        .lines()
        .map(|l| l.trim_end_matches(','))
        .filter(|l| l.starts_with('{'))
        .collect()
}

#[cfg(feature = "json")]
#[test]
fn segment_files_by_chunks_assemble_what_whole_files_do() {
    use ringcx_reports::timeline::Interactions;
    let rb = ReaderBuilder::new();
    for shape in 0..3 {
        let dir = tempfile::tempdir().expect("dir");
        let files = segment_pulls(dir.path(), shape);
        let seq = Interactions::from_files_sequential(&files, &rb, false).expect("seq");
        // The files hold re-pulled copies that merge: the comparison covers
        // merging across chunks and files.
        let s = seq.stats();
        assert!(
            s.repulled_identical > 0 && s.repulled_merged.count > 0,
            "{s:?}"
        );
        assert!(seq.interactions().len() > 80);
        let reversed: Vec<_> = files.iter().rev().collect();
        for chunk in [64, 333, 1000, 5000, 1 << 22] {
            let got = Interactions::from_files_chunked(&files, &rb, false, chunk).expect("chunked");
            assert_eq!(got, seq, "shape {shape} chunk {chunk}");
            if chunk == 1000 {
                let got = Interactions::from_files_chunked(&reversed, &rb, false, chunk)
                    .expect("chunked");
                assert_eq!(got, seq, "shape {shape} chunk {chunk}, files reversed");
            }
        }
    }
}

/// Errors a segment file can hold: a segment ending before it starts
/// (T601) on one line, a repeat within the file (T602) on another, in
/// two files; the error returned, and with `skip_invalid` every count and
/// first position, are those of the files read whole in path order.
#[cfg(feature = "json")]
#[test]
fn segment_errors_by_chunks_are_those_of_whole_files() {
    use ringcx_reports::timeline::Interactions;
    use ringcx_reports::Code;
    let rb = ReaderBuilder::new();
    for shape in [0, 1] {
        let dir = tempfile::tempdir().expect("dir");
        let files = segment_pulls(dir.path(), shape);
        // File 1: its 40th segment ends an hour before it starts. File 2:
        // its 7th segment repeated after its 30th.
        let text = std::fs::read_to_string(&files[1]).expect("read");
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let at = lines
            .iter()
            .position(|l| l.contains("segmentEndTimeMs"))
            .expect("a segment")
            + 39;
        let end = lines[at].find("\"segmentEndTimeMs\":\"").expect("an end") + 20;
        lines[at].replace_range(end..end + 4, "1999");
        std::fs::write(&files[1], lines.join("\n") + "\n").expect("write");
        let bad_line = at as u64 + 1;
        let text = std::fs::read_to_string(&files[2]).expect("read");
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let first = lines
            .iter()
            .position(|l| l.starts_with('{'))
            .expect("a segment");
        let sep = if shape == 0 { "," } else { "" };
        let copy = lines[first + 6].trim_end_matches(',').to_string() + sep;
        lines.insert(first + 30, copy);
        std::fs::write(&files[2], lines.join("\n") + "\n").expect("write");
        let dup_line = (first + 31) as u64;

        let seq = Interactions::from_files_sequential(&files, &rb, false).expect_err("T601");
        assert_eq!(seq.code(), Some(Code::SegmentEndBeforeStart), "{seq}");
        let at = format!("{}:{bad_line}: error[T601]", files[1].display());
        assert!(seq.to_string().starts_with(&at), "{seq} (expected {at})");
        let skipped = Interactions::from_files_sequential(&files, &rb, true).expect("skipping");
        let s = skipped.stats();
        assert_eq!(s.skipped.values().sum::<u64>(), 2, "{s:?}");
        let dup = format!("{}:{dup_line}: error[T602]", files[2].display());
        assert!(
            s.first_skipped
                .as_deref()
                .is_some_and(|f| f.starts_with(&at)),
            "{s:?}"
        );
        for chunk in [64, 5000] {
            let e = Interactions::from_files_chunked(&files, &rb, false, chunk).expect_err("T601");
            assert_eq!(
                e.to_string(),
                seq.to_string(),
                "shape {shape} chunk {chunk}"
            );
            let got = Interactions::from_files_chunked(&files, &rb, true, chunk).expect("skip");
            assert_eq!(got, skipped, "shape {shape} chunk {chunk}");
            // Folding as they close: the same error, the same counts.
            let e = Interactions::fold_files_by(&files, &rb, false, chunk, || (), |_, _| ())
                .expect_err("T601");
            assert_eq!(
                e.to_string(),
                seq.to_string(),
                "fold: shape {shape} chunk {chunk}"
            );
            let (n, st) =
                Interactions::fold_files_by(&files, &rb, true, chunk, || 0, |n, _| *n += 1)
                    .expect("fold, skipping");
            assert_eq!(&st, skipped.stats(), "fold: shape {shape} chunk {chunk}");
            assert_eq!(n, skipped.interactions().len());
            // The repeat alone: its error, whole or by chunks.
            let only = &files[2..];
            let seq = Interactions::from_files_sequential(only, &rb, false).expect_err("T602");
            assert!(seq.to_string().starts_with(&dup), "{seq} (expected {dup})");
            let e = Interactions::from_files_chunked(only, &rb, false, chunk).expect_err("T602");
            assert_eq!(
                e.to_string(),
                seq.to_string(),
                "shape {shape} chunk {chunk}"
            );
        }
    }
}

/// Folding interactions as they close (`Interactions::fold_files`, what
/// `rcx calls` reads with): over time-ordered pulls with re-pulled copies,
/// every interaction once, as the files read whole give it, with the same
/// statistics, whatever the chunk size and file order, and without
/// falling back to reading the files whole.
#[cfg(feature = "json")]
#[test]
fn fold_of_time_ordered_pulls_gives_the_interactions_of_whole_files() {
    use ringcx_reports::calls::Calls;
    use ringcx_reports::timeline::{Interaction, Interactions};
    let rb = ReaderBuilder::new();
    for shape in 0..3 {
        let dir = tempfile::tempdir().expect("dir");
        let files = segment_pulls(dir.path(), shape);
        let seq = Interactions::from_files_sequential(&files, &rb, false).expect("seq");
        let reversed: Vec<_> = files.iter().rev().collect();
        for chunk in [64, 1000, 5000, 1 << 22] {
            let collect = |v: &mut Vec<Interaction>, i: &Interaction| v.push(i.clone());
            // Both file orders at one size (the path order is the same).
            let orders: &[u8] = if chunk == 1000 { &[0, 1] } else { &[0] };
            for &order in orders {
                let (mut got, stats) = if order == 0 {
                    Interactions::fold_files_by(&files, &rb, false, chunk, Vec::new, collect)
                } else {
                    Interactions::fold_files_by(&reversed, &rb, false, chunk, Vec::new, collect)
                }
                .expect("fold");
                let what = format!("shape {shape} chunk {chunk} order {order}");
                assert_eq!(stats.fold_note, None, "{what}");
                assert_eq!(&stats, seq.stats(), "{what}");
                // Generated ids are integers of one width: text order is
                // call order.
                got.sort_by(|a, b| a.start().cmp(&b.start()).then(a.id().cmp(b.id())));
                assert_eq!(got, seq.interactions(), "{what}");
            }
        }
        let folded = Calls::new().run_files(&files, &rb).expect("calls");
        let whole = Calls::new().run_sequential(&seq).expect("calls");
        assert_eq!(folded, whole, "shape {shape}");
    }
}

/// A file out of time order (an interaction that starts more than
/// `LATENESS_MS` before one read earlier) cannot be folded as it goes: it
/// goes through temporary files, with a note naming the file and line,
/// and the result is still that of the whole files.
#[cfg(feature = "json")]
#[test]
fn fold_of_a_file_out_of_time_order_spills_it_and_says_so() {
    use ringcx_reports::timeline::Interactions;
    let seg = |id: &str, start: &str| {
        format!(
            "{{\"interactionId\":\"{id}\",\"dialogId\":\"d-{id}\",\"channelType\":\"VOICE\",\
             \"dialogOrigination\":\"INBOUND\",\"dialogStartTimeMs\":\"2024-03-04T{start}:00.000Z\",\
             \"segmentId\":\"1\",\"segmentType\":\"AGENT\",\"segmentParticipantId\":\"8\",\
             \"segmentStartTimeMs\":\"2024-03-04T{start}:20.000Z\",\
             \"segmentEndTimeMs\":\"2024-03-04T{start}:50.000Z\",\"segmentEvents\":[]}}\n"
        )
    };
    let text = seg("1", "10:00") + &seg("2", "16:00") + &seg("3", "09:00") + &seg("4", "16:30");
    let f = temp(text.as_bytes());
    let rb = ReaderBuilder::new();
    let whole = Interactions::from_files_sequential(&[f.path()], &rb, false).expect("whole");
    for chunk in [64, 1 << 22] {
        let (mut ids, stats) = Interactions::fold_files_by(
            &[f.path()],
            &rb,
            false,
            chunk,
            Vec::new,
            |v: &mut Vec<String>, i| v.push(i.id().to_string()),
        )
        .expect("fold");
        if chunk == 64 {
            // A record per chunk: the 09:00 call comes after the 16:00 one
            // was read, and more than the lateness before it.
            let note = stats.fold_note.clone().expect("a note");
            let at = format!(
                "{}:3: interaction 3 starts at 2024-03-04T09:00:00.000Z",
                f.path().display()
            );
            assert!(note.starts_with(&at), "{note}");
            assert!(note.contains("not in time order"), "{note}");
            assert!(note.contains("temporary file"), "{note}");
            assert!(stats.notes().contains(&note));
        } else {
            // One chunk: nothing is folded before all of it is read.
            assert_eq!(stats.fold_note, None);
        }
        ids.sort();
        assert_eq!(ids, ["1", "2", "3", "4"]);
        let mut plain = stats.clone();
        plain.fold_note = None;
        assert_eq!(&plain, whole.stats());
    }
}

/// Pulls whose segments are in reverse time order fold through temporary
/// files partitioned by interaction: every interaction once, as whole
/// files give it, with the same statistics, whatever the chunk size (and
/// so the number of partitions); errors are those of whole files.
#[cfg(feature = "json")]
#[test]
fn fold_of_pulls_out_of_time_order_gives_the_interactions_of_whole_files() {
    use ringcx_reports::calls::Calls;
    use ringcx_reports::timeline::{Interaction, Interactions};
    let rb = ReaderBuilder::new();
    let dir = tempfile::tempdir().expect("dir");
    let files = segment_pulls_of(dir.path(), 1, 900);
    for f in &files {
        let text = std::fs::read_to_string(f).expect("read");
        let mut lines: Vec<&str> = text.lines().collect();
        lines.reverse();
        std::fs::write(f, lines.join("\n") + "\n").expect("write");
    }
    let seq = Interactions::from_files_sequential(&files, &rb, false).expect("seq");
    for chunk in [1000, 20_000] {
        let collect = |v: &mut Vec<Interaction>, i: &Interaction| v.push(i.clone());
        let (mut got, stats) =
            Interactions::fold_files_by(&files, &rb, false, chunk, Vec::new, collect)
                .expect("fold");
        let note = stats.fold_note.clone().expect("a note");
        assert!(note.contains("not in time order"), "chunk {chunk}: {note}");
        assert!(note.contains("temporary file"), "chunk {chunk}: {note}");
        let mut plain = stats.clone();
        plain.fold_note = None;
        assert_eq!(&plain, seq.stats(), "chunk {chunk}");
        got.sort_by(|a, b| a.start().cmp(&b.start()).then(a.id().cmp(b.id())));
        assert_eq!(got, seq.interactions(), "chunk {chunk}");
    }
    let folded = Calls::new().run_files(&files, &rb).expect("calls");
    let whole = Calls::new().run_sequential(&seq).expect("calls");
    assert_eq!(folded.records(), whole.records());
    // A repeat within one file: the error of the whole read.
    let text = std::fs::read_to_string(&files[1]).expect("read");
    let first = text.lines().next().expect("a line").to_string();
    std::fs::write(&files[1], format!("{text}{first}\n")).expect("write");
    let e = Interactions::from_files_sequential(&files, &rb, false).expect_err("T602");
    let got =
        Interactions::fold_files_by(&files, &rb, false, 64, || (), |_, _| ()).expect_err("T602");
    assert_eq!(got.to_string(), e.to_string());
}

/// The segments of one interaction that disagree on its start by more
/// than `LATENESS_MS` cannot be folded by that start: through temporary
/// files instead, with a note, whatever the chunks; the result is that of
/// the whole file.
#[cfg(feature = "json")]
#[test]
fn fold_of_an_interaction_with_two_starts_spills_it_and_says_so() {
    use ringcx_reports::timeline::Interactions;
    let seg = |id: &str, sid: &str, start: &str| {
        format!(
            "{{\"interactionId\":\"{id}\",\"dialogId\":\"d-{id}\",\"channelType\":\"VOICE\",\
             \"dialogOrigination\":\"INBOUND\",\"dialogStartTimeMs\":\"2024-03-04T{start}:00.000Z\",\
             \"segmentId\":\"{sid}\",\"segmentType\":\"AGENT\",\"segmentParticipantId\":\"8\",\
             \"segmentStartTimeMs\":\"2024-03-04T{start}:20.000Z\",\
             \"segmentEndTimeMs\":\"2024-03-04T{start}:50.000Z\",\"segmentEvents\":[]}}\n"
        )
    };
    let text = seg("1", "1", "10:00")
        + &seg("2", "1", "10:30")
        + &seg("2", "2", "13:00")
        + &seg("3", "1", "13:10");
    let f = temp(text.as_bytes());
    let rb = ReaderBuilder::new();
    let whole = Interactions::from_files_sequential(&[f.path()], &rb, false).expect("whole");
    for chunk in [64, 1 << 22] {
        let (n, stats) =
            Interactions::fold_files_by(&[f.path()], &rb, false, chunk, || 0, |n, _| *n += 1)
                .expect("fold");
        let note = stats.fold_note.clone().expect("a note");
        let what = "the segments of interaction 2 give starts more than 2 h apart \
                    (2024-03-04T10:30:00.000Z and 2024-03-04T13:00:00.000Z)";
        assert!(note.contains(what), "chunk {chunk}: {note}");
        assert!(note.contains("temporary file"), "chunk {chunk}: {note}");
        assert_eq!(n, 3);
        let mut plain = stats.clone();
        plain.fold_note = None;
        assert_eq!(&plain, whole.stats());
    }
}

/// A cx v1 segment line: interaction `id` (its dialog starting at
/// `dialog`), segment `sid` of agent `agent` over `[from, to)` (times of
/// day on 2024-03-04, `HH:MM`).
#[cfg(feature = "json")]
fn dialog_seg(id: &str, sid: u32, agent: u32, dialog: &str, from: &str, to: &str) -> String {
    format!(
        "{{\"interactionId\":\"{id}\",\"dialogId\":\"d-{id}\",\"channelType\":\"VOICE\",\
         \"dialogOrigination\":\"INBOUND\",\"dialogStartTimeMs\":\"2024-03-04T{dialog}:00.000Z\",\
         \"segmentId\":\"{sid}\",\"segmentType\":\"AGENT\",\"segmentParticipantId\":\"{agent}\",\
         \"segmentStartTimeMs\":\"2024-03-04T{from}:00.000Z\",\
         \"segmentEndTimeMs\":\"2024-03-04T{to}:00.000Z\",\"segmentEvents\":[]}}\n"
    )
}

/// Sixty calls, one every ten minutes from midnight, each with a first
/// leg of three hours and a second leg of an hour: legs overlap, and are
/// open across many of the fold's settled instants when read a record or
/// two at a time.
#[cfg(feature = "json")]
fn long_legs() -> String {
    let hm = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
    (0..60u32)
        .map(|k| {
            let t = k * 10;
            let id = (k + 1).to_string();
            dialog_seg(&id, 1, 1 + k % 3, &hm(t), &hm(t + 1), &hm(t + 181))
                + &dialog_seg(&id, 2, 7, &hm(t), &hm(t + 181), &hm(t + 241))
        })
        .collect()
}

/// The timeline read by folding (sums as interactions finish, peaks swept
/// as the fold settles) is the timeline of the whole files, with no note,
/// for hand-made long legs and generated re-pulls, by agent and for all,
/// whatever the chunk size.
#[cfg(feature = "json")]
#[test]
fn folded_timeline_is_the_timeline_of_whole_files() {
    use ringcx_reports::timeline::{Interactions, Timeline, TimelineBy};
    let rb = ReaderBuilder::new();
    let dir = tempfile::tempdir().expect("dir");
    let legs = dir.path().join("legs.ndjson");
    std::fs::write(&legs, long_legs()).expect("write");
    let cases = [vec![legs], segment_pulls_of(dir.path(), 1, 900)];
    for (n, files) in cases.iter().enumerate() {
        let whole = Interactions::from_files_sequential(files, &rb, false).expect("whole");
        for by in [TimelineBy::Agent, TimelineBy::All] {
            let t = Timeline::new().by(by).interval(BucketInterval::Min15);
            let want = t.run_sequential(&whole).expect("whole");
            assert!(want.records().iter().any(|r| r.sums.peak_concurrency > 1));
            for chunk in [300, 1 << 22] {
                let got = t
                    .fold_files_by(files, &rb, chunk)
                    .and_then(|p| p.into_table())
                    .expect("folded");
                let what = format!("case {n} by {by} chunk {chunk}");
                assert_eq!(got.stats().load.fold_note, None, "{what}");
                assert_eq!(got, want, "{what}");
            }
        }
    }
}

/// `rcx timeline` keeps the folded timeline packed (at the small chunk its
/// cells go to a temporary file many times over) and writes it byte for
/// byte as the table of the whole files is written, in every text format,
/// with integer keys (agents, in numeric order) and text keys (directions).
#[cfg(feature = "json")]
#[test]
fn packed_timeline_writes_the_bytes_of_the_whole_table() {
    use ringcx_reports::timeline::{Interactions, Timeline, TimelineBy};
    use ringcx_reports::write::{write_packed_timeline, write_timeline, TableFormat};
    let rb = ReaderBuilder::new();
    let dir = tempfile::tempdir().expect("dir");
    let files = segment_pulls_of(dir.path(), 1, 900);
    let whole = Interactions::from_files_sequential(&files, &rb, false).expect("whole");
    let tz: chrono_tz::Tz = "America/New_York".parse().expect("zone");
    for by in [TimelineBy::Agent, TimelineBy::Direction, TimelineBy::All] {
        let t = Timeline::new()
            .by(by)
            .interval(BucketInterval::Min15)
            .tz(tz);
        let want = t.run_sequential(&whole).expect("whole");
        assert!(want.records().len() > 20, "{by}: {}", want.records().len());
        for chunk in [300, 1 << 22] {
            let packed = t.fold_files_by(&files, &rb, chunk).expect("folded");
            assert_eq!(packed.stats(), want.stats(), "{by} chunk {chunk}");
            for format in [
                TableFormat::Csv,
                TableFormat::Tsv,
                TableFormat::Json,
                TableFormat::Ndjson,
                TableFormat::Table,
                TableFormat::Markdown,
            ] {
                let (mut a, mut b) = (Vec::new(), Vec::new());
                write_timeline(&want, format, &mut a).expect("table");
                write_packed_timeline(&packed, format, &mut b).expect("packed");
                assert_eq!(
                    String::from_utf8(b).expect("utf-8"),
                    String::from_utf8(a).expect("utf-8"),
                    "{by} chunk {chunk} {format:?}"
                );
            }
        }
    }
}

/// A segment that starts more than `LATENESS_MS` before its interaction,
/// after the peaks were swept past its start: the fold gives up, says so
/// naming the segment, and the timeline is still that of the whole file.
#[cfg(feature = "json")]
#[test]
fn folded_timeline_gives_up_on_a_segment_long_before_its_interaction() {
    use ringcx_reports::timeline::{Interactions, Timeline, TimelineBy};
    let text = long_legs() + &dialog_seg("99", 1, 5, "10:00", "03:00", "10:30");
    let f = temp(text.as_bytes());
    let rb = ReaderBuilder::new();
    let whole = Interactions::from_files_sequential(&[f.path()], &rb, false).expect("whole");
    let t = Timeline::new()
        .by(TimelineBy::All)
        .interval(BucketInterval::Hour);
    let want = t.run_sequential(&whole).expect("whole");
    let got = t
        .fold_files_by(&[f.path()], &rb, 300)
        .and_then(|p| p.into_table())
        .expect("folded");
    let note = got.stats().load.fold_note.clone().expect("a note");
    let at = format!(
        "{}:121: segment 1 of interaction 99 starts at 2024-03-04T03:00:00.000Z",
        f.path().display()
    );
    assert!(note.starts_with(&at), "{note}");
    assert!(
        note.contains("peaks cannot be swept in time order"),
        "{note}"
    );
    assert_eq!(got.records(), want.records());
    let mut plain = got.stats().clone();
    plain.load.fold_note = None;
    assert_eq!(&plain, want.stats());
}

/// `rcx interactions` by folding writes, byte for byte, what writing the
/// whole files' interactions does: time-ordered re-pulls (one run) and the
/// same pulls reversed (the spill, and a run per small buffer merged), in
/// every format, whatever the chunk size.
#[cfg(feature = "json")]
#[test]
fn folded_interactions_write_the_bytes_of_whole_files() {
    use ringcx_reports::timeline::Interactions;
    use ringcx_reports::write::{write_interactions, write_interactions_files_by};
    let rb = ReaderBuilder::new();
    let tz: chrono_tz::Tz = "America/New_York".parse().expect("zone");
    let dir = tempfile::tempdir().expect("dir");
    let files = segment_pulls_of(dir.path(), 1, 900);
    let rev = tempfile::tempdir().expect("dir");
    let reversed: Vec<_> = files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).expect("read");
            let mut lines: Vec<&str> = text.lines().collect();
            lines.reverse();
            let p = rev.path().join(f.file_name().expect("name"));
            std::fs::write(&p, lines.join("\n") + "\n").expect("write");
            p
        })
        .collect();
    for (n, files) in [files, reversed].iter().enumerate() {
        let whole = Interactions::from_files_sequential(files, &rb, false).expect("whole");
        for format in STREAMED {
            let mut want = Vec::new();
            write_interactions(&whole, &tz, format, &mut want).expect("write");
            for chunk in [300, 1 << 22] {
                let mut got = Vec::new();
                let stats =
                    write_interactions_files_by(files, &rb, false, chunk, &tz, format, &mut got)
                        .expect("folded");
                let what = format!("case {n} {format:?} chunk {chunk}");
                assert_eq!(
                    String::from_utf8(got).expect("utf-8"),
                    String::from_utf8(want.clone()).expect("utf-8"),
                    "{what}"
                );
                if n == 0 {
                    assert_eq!(stats.fold_note, None, "{what}");
                } else if chunk == 300 {
                    assert!(stats.fold_note.is_some(), "{what}");
                }
            }
        }
    }
}

/// Calls that start at the same instant are in id order, numerically
/// while every id is an integer: an id that is not, read after those
/// calls were written, turns the order to text order, as for whole files.
#[cfg(feature = "json")]
#[test]
fn folded_interactions_order_ids_of_one_start_as_whole_files_do() {
    use ringcx_reports::timeline::Interactions;
    use ringcx_reports::write::{write_interactions, write_interactions_files_by, TableFormat};
    let rb = ReaderBuilder::new();
    let tz = chrono_tz::UTC;
    let seg = |id: &str, at: &str| dialog_seg(id, 1, 8, at, at, "10:00");
    let early = seg("9", "01:00") + &seg("10", "01:00") + &seg("8", "01:00");
    for (last, want_ids) in [("11", ["8", "9", "10"]), ("x", ["10", "8", "9"])] {
        let text = early.clone() + &seg(last, "09:00");
        let f = temp(text.as_bytes());
        let whole = Interactions::from_files_sequential(&[f.path()], &rb, false).expect("whole");
        let mut want = Vec::new();
        write_interactions(&whole, &tz, TableFormat::Csv, &mut want).expect("write");
        let want = String::from_utf8(want).expect("utf-8");
        let ids: Vec<&str> = want
            .lines()
            .skip(1)
            .map(|l| l.split(',').next().unwrap_or(""))
            .collect();
        assert_eq!(ids[..3], want_ids, "{want}");
        for chunk in [64, 1 << 22] {
            let mut got = Vec::new();
            let stats = write_interactions_files_by(
                &[f.path()],
                &rb,
                false,
                chunk,
                &tz,
                TableFormat::Csv,
                &mut got,
            )
            .expect("folded");
            assert_eq!(stats.fold_note, None);
            assert_eq!(
                String::from_utf8(got).expect("utf-8"),
                want,
                "last {last} chunk {chunk}"
            );
        }
    }
}

/// Rows out of time order (a generated export's lines reversed and split
/// over two files) are sorted through a temporary file and give the
/// sequential reference's table, stats included, whether the sort holds
/// every row or writes runs of a few kilobytes; a duplicate across the
/// files is skipped (counted, the later file's line named) or stops the
/// run, as in the reference.
#[test]
fn rows_out_of_time_order_roll_up_through_a_sort_to_the_reference_table() {
    use ringcx_reports::diagnostic::Code;
    use ringcx_reports::write::{write_rollup, write_table, TableFormat};
    let mut bytes = Vec::new();
    gen::write(
        &GenOptions::new(GenReport::Queue, 2_000).seed(5).queues(7),
        &mut bytes,
    )
    .expect("gen");
    let text = String::from_utf8(bytes).expect("utf8");
    let (header, body) = text.split_once('\n').expect("header");
    let mut lines: Vec<&str> = body.lines().collect();
    lines.reverse();
    let half = lines.len() / 2;
    let part = |ls: &[&str]| format!("{header}\n{}\n", ls.join("\n"));
    let dir = tempfile::tempdir().expect("dir");
    let write = |name: &str, s: String| {
        let p = dir.path().join(name);
        std::fs::write(&p, s).expect("write");
        p
    };
    let (a, b) = (
        write("a.csv", part(&lines[..half])),
        write("b.csv", part(&lines[half..])),
    );
    let rb = ReaderBuilder::new();
    let csv = |r: &Rollup, paths: &[&std::path::Path]| {
        let mut got = Vec::new();
        let stats = write_rollup(
            r.output_files(paths, &rb).expect("run"),
            TableFormat::Csv,
            &mut got,
        )
        .expect("write");
        (String::from_utf8(got).expect("utf8"), stats)
    };
    for by in [Grouping::Queue, Grouping::All] {
        let r = Rollup::new().by(by).interval(BucketInterval::Hour);
        // The files interleave, so the chunks decline them.
        assert!(r
            .try_run_files_chunked(&[&a, &b], &rb)
            .expect("run")
            .is_none());
        let seq = r.run_files_sequential(&[&a, &b], &rb).expect("run");
        assert_eq!(seq.stats().rows_kept, 2_000);
        let mut want = Vec::new();
        write_table(&seq, TableFormat::Csv, &mut want).expect("write");
        let want = String::from_utf8(want).expect("utf8");
        for memory in [usize::MAX, 4 << 10] {
            let (got, stats) = csv(&r.clone().sort_memory(memory), &[&b, &a]);
            assert_eq!(got, want, "{by:?} sort memory {memory}");
            assert_eq!(stats, *seq.stats());
        }
    }
    // The first line again in a third file: a duplicate of a.csv's line 2.
    let c = write("c.csv", part(&lines[..1]));
    let skip = Rollup::new().skip_invalid(true).sort_memory(4 << 10);
    let (_, stats) = csv(&skip, &[&a, &b, &c]);
    let seq = skip.run_files_sequential(&[&a, &b, &c], &rb).expect("run");
    assert_eq!(stats, *seq.stats());
    assert_eq!(stats.skipped.get(&Code::DuplicateKey), Some(&1));
    let first = stats.first_skipped.expect("named");
    assert!(first.contains("c.csv:2: error[F401]"), "{first}");
    let err = Rollup::new()
        .sort_memory(4 << 10)
        .output_files(&[&c, &b, &a], &rb)
        .expect_err("a duplicate stops the run");
    assert!(err.to_string().contains("c.csv:2: error[F401]"), "{err}");
}
