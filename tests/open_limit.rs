//! Any number of inputs under a small open-file limit (issue 15). Each
//! command runs under `ulimit -n 64` on 200 files cut from one generated
//! export, and prints what it prints for the one file they were cut from
//! (run without a limit). Before, `rcx rollup` kept every input's handle
//! open for the whole run and failed with "Too many open files".

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ringcx_reports::gen::{self, GenOptions, GenReport};
use ringcx_reports::rollup::{Rollup, RollupOutput};
use ringcx_reports::window::BucketInterval;
use ringcx_reports::write::{write_rollup, TableFormat};
use ringcx_reports::ReaderBuilder;

/// The number of files, well over the limit.
const FILES: usize = 200;
/// The open-file limit the commands run under.
const LIMIT: &str = "64";

/// `exe args` under `ulimit -n 64`, in `dir`.
fn limited(dir: &Path, exe: &Path, args: &[String]) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -n {LIMIT} && exec \"$0\" \"$@\""))
        .arg(exe)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run sh")
}

fn rcx() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_rcx"))
}

/// `rcx args` without a limit, in `dir`.
fn unlimited(dir: &Path, args: &[String]) -> Output {
    Command::new(rcx())
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run rcx")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A generated CSV export of `rows` queue rows (header first, rows in time
/// order) in `dir/all.csv`, and the same rows cut into [`FILES`] files
/// `q000.csv`.. of consecutive rows, each with the header. The names.
fn queue_parts(dir: &Path, rows: u64) -> Vec<String> {
    let mut bytes = Vec::new();
    gen::write(&GenOptions::new(GenReport::Queue, rows).seed(3), &mut bytes).expect("gen");
    std::fs::write(dir.join("all.csv"), &bytes).expect("write");
    let text = String::from_utf8(bytes).expect("utf-8");
    let mut lines = text.lines();
    let header = lines.next().expect("header");
    let data: Vec<&str> = lines.collect();
    assert_eq!(data.len() % FILES, 0, "{} rows", data.len());
    let per = data.len() / FILES;
    (0..FILES)
        .map(|k| {
            let name = format!("q{k:03}.csv");
            let mut part = format!("{header}\n");
            for l in &data[k * per..(k + 1) * per] {
                part.push_str(l);
                part.push('\n');
            }
            std::fs::write(dir.join(&name), part).expect("write part");
            name
        })
        .collect()
}

/// A generated segment export in `dir/segs.json` (a JSON array, a record a
/// line), and its records cut into [`FILES`] JSON arrays `s000.json`...
fn segment_parts(dir: &Path) -> Vec<String> {
    let mut bytes = Vec::new();
    gen::write(
        &GenOptions::new(GenReport::Segments, 2000).seed(5),
        &mut bytes,
    )
    .expect("gen");
    std::fs::write(dir.join("segs.json"), &bytes).expect("write");
    let text = String::from_utf8(bytes).expect("utf-8");
    let records: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| l.trim_end_matches(','))
        .collect();
    assert_eq!(records.len(), 2000);
    let per = records.len() / FILES;
    (0..FILES)
        .map(|k| {
            let name = format!("s{k:03}.json");
            let part = format!("[\n{}\n]\n", records[k * per..(k + 1) * per].join(",\n"));
            std::fs::write(dir.join(&name), part).expect("write part");
            name
        })
        .collect()
}

fn args(head: &[&str], files: &[String]) -> Vec<String> {
    head.iter()
        .map(|s| s.to_string())
        .chain(files.iter().cloned())
        .collect()
}

/// Asserts `rcx head.. parts` under the limit succeeds and prints on
/// standard output what `rcx head.. whole` prints without one.
fn same_as_whole(dir: &Path, head: &[&str], parts: &[String], whole: &str) {
    let got = limited(dir, &rcx(), &args(head, parts));
    assert_eq!(
        got.status.code(),
        Some(0),
        "{head:?}: {}",
        text(&got.stderr)
    );
    let want = unlimited(dir, &args(head, &[whole.to_string()]));
    assert_eq!(
        want.status.code(),
        Some(0),
        "{head:?}: {}",
        text(&want.stderr)
    );
    assert!(!want.stdout.is_empty(), "{head:?}");
    assert_eq!(text(&got.stdout), text(&want.stdout), "{head:?}");
}

#[test]
fn rollup_of_200_files_under_a_limit_of_64_open_files_equals_the_rollup_of_their_rows_in_one_file()
{
    let dir = tempfile::tempdir().expect("tempdir");
    let parts = queue_parts(dir.path(), 6000);
    for head in [
        &["rollup"][..],
        &["rollup", "--interval", "day", "--format", "json"],
        &["rollup", "--interval", "15m", "--by", "all"],
    ] {
        same_as_whole(dir.path(), head, &parts, "all.csv");
    }
}

#[test]
fn convert_validate_timeline_and_interactions_of_200_files_run_under_a_limit_of_64_open_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let segs = segment_parts(d);
    same_as_whole(d, &["timeline"], &segs, "segs.json");
    same_as_whole(d, &["interactions"], &segs, "segs.json");
    let queue = queue_parts(d, 2000);
    // The k-way merge of sources in time order, and the sort in memory.
    same_as_whole(d, &["convert", "--to", "csv"], &queue, "all.csv");
    same_as_whole(
        d,
        &["convert", "--to", "ndjson", "--in-memory"],
        &queue,
        "all.csv",
    );
    for (head, files, rows) in [
        (&["validate"][..], &segs, 2000),
        (&["validate"][..], &queue, 2000),
    ] {
        let got = limited(d, &rcx(), &args(head, files));
        assert_eq!(got.status.code(), Some(0), "{}", text(&got.stderr));
        let summary = format!("validated {FILES} files, {rows} rows: 0 errors, 0 warnings");
        assert!(
            text(&got.stderr).contains(&summary),
            "{}",
            text(&got.stderr)
        );
    }
}

/// Set in the child run of the chunked test: the directory to work in.
const CHILD_DIR: &str = "RCX_TEST_OPEN_LIMIT_DIR";
/// The chunk size of the chunked test: a few chunks in every file.
const SMALL_CHUNK: u64 = 700;

#[test]
fn chunked_rollup_of_200_files_under_a_limit_of_64_open_files_equals_the_sequential_reference() {
    let rb = ReaderBuilder::new();
    let rollup = Rollup::new()
        .interval(BucketInterval::Hour)
        .chunk_size(SMALL_CHUNK);
    if let Some(dir) = std::env::var_os(CHILD_DIR) {
        // The child, under the limit: the chunked rollup of the parts.
        let dir = PathBuf::from(dir);
        let parts: Vec<PathBuf> = (0..FILES)
            .map(|k| dir.join(format!("q{k:03}.csv")))
            .collect();
        let output = rollup
            .output_files(&parts, &rb)
            .expect("rollup of the parts");
        assert!(matches!(output, RollupOutput::Packed(_)), "not chunked");
        let mut out = Vec::new();
        write_rollup(output, TableFormat::Csv, &mut out).expect("write");
        std::fs::write(dir.join("chunked.csv"), out).expect("write output");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let parts = queue_parts(d, 6000);
    let smallest = parts
        .iter()
        .map(|p| std::fs::metadata(d.join(p)).expect("metadata").len())
        .min()
        .expect("parts");
    assert!(smallest > 2 * SMALL_CHUNK, "{smallest} bytes: not chunked");
    // This test again, in a child process under the limit.
    let exe = std::env::current_exe().expect("test binary");
    let child = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -n {LIMIT} && exec \"$0\" \"$@\""))
        .arg(exe)
        .args([
            "--exact",
            "open_limit::chunked_rollup_of_200_files_under_a_limit_of_64_open_files_equals_the_sequential_reference",
            "--test-threads=1",
        ])
        .env(CHILD_DIR, d)
        .output()
        .expect("run child");
    assert!(
        child.status.success(),
        "{}\n{}",
        text(&child.stdout),
        text(&child.stderr)
    );
    let got = std::fs::read(d.join("chunked.csv")).expect("child output");
    let seq = rollup
        .run_files_sequential(&[d.join("all.csv")], &rb)
        .expect("sequential");
    let mut want = Vec::new();
    write_rollup(RollupOutput::Table(seq), TableFormat::Csv, &mut want).expect("write");
    assert_eq!(text(&got), text(&want));
}
