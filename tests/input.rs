//! Input plumbing (SPEC 9.1): `-` is the standard input, and compressed
//! input (gzip, multi-member gzip, zstd, bzip2) is told by its first
//! bytes, never by its name. Each answers exactly what the plain file
//! answers; a broken stream or a decompression bomb is an error naming the
//! file, never a panic or a partial answer.

use std::io::Write;
use std::process::{Output, Stdio};

use crate::util::{code, fixture, fixture_bytes, rcx, rcx_command, stderr, stdout};

/// `rcx ARGS` with `input` on its standard input.
fn rcx_fed(args: &[&str], input: Vec<u8>) -> Output {
    let mut child = rcx_command(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn rcx");
    let mut pipe = child.stdin.take().expect("stdin");
    let feed = std::thread::spawn(move || {
        // The command may stop reading early on an error.
        let _ = pipe.write_all(&input);
    });
    let o = child.wait_with_output().expect("run");
    feed.join().expect("feed");
    o
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip")
}

fn zstd(bytes: &[u8]) -> Vec<u8> {
    zstd::encode_all(bytes, 3).expect("zstd")
}

fn bzip2(bytes: &[u8]) -> Vec<u8> {
    let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
    e.write_all(bytes).expect("bzip2");
    e.finish().expect("bzip2")
}

/// A zip archive of `members` (name, bytes), deflated.
fn zip(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in members {
        w.start_file(*name, opts).expect("zip member");
        w.write_all(bytes).expect("zip");
    }
    w.finish().expect("zip").into_inner()
}

/// The plain answer of `args` over `name`, which must succeed.
fn plain(args: &[&str], name: &str) -> String {
    let f = fixture(name);
    let mut all = args.to_vec();
    all.push(f.to_str().unwrap());
    let o = rcx(&all);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    stdout(&o)
}

/// Every command that reads files reads `-`, byte for byte as the file:
/// the rollup, the calls (whose `analytics` reads the input twice: once
/// to tell its report, once to answer), validate and convert.
#[test]
fn the_standard_input_is_a_file_named_dash() {
    let body = fixture("analytics/calls_company.json");
    let body = body.to_str().unwrap();
    for (args, name) in [
        (vec!["rollup"], "queue_header.csv"),
        (
            vec!["calls", "--by", "agent"],
            "calls/segments_calls.ndjson",
        ),
        (vec!["timeline"], "calls/segments_calls.ndjson"),
        (
            vec!["analytics", "aggregate", "--body", body],
            "calls/segments_calls.ndjson",
        ),
        (vec!["convert", "--to", "ndjson"], "queue_header.csv"),
    ] {
        let want = plain(&args, name);
        let mut with_dash = args.clone();
        with_dash.push("-");
        let o = rcx_fed(&with_dash, fixture_bytes(name));
        assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
        assert_eq!(stdout(&o), want, "{args:?}");
    }
    // A finding names the input `-`.
    let o = rcx_fed(
        &["validate", "-"],
        fixture_bytes("calls/segments_calls.ndjson"),
    );
    let said = stdout(&o) + &stderr(&o);
    assert!(said.contains("-:1: warning[T606]"), "{said}");
}

/// Compressed input is decoded whatever its name says: gzip (also two
/// members, as `cat a.gz b.gz` gives), zstd, bzip2 and a zip archive of
/// one member, from a file or
/// from the standard input, each answering as the plain file does.
#[test]
fn compressed_input_is_told_by_its_bytes() {
    let name = "queue_header.csv";
    let bytes = fixture_bytes(name);
    let want = plain(&["rollup"], name);
    let (head, tail) = bytes.split_at(300);
    let mut two_members = gzip(head);
    two_members.extend(gzip(tail));
    let dir = tempfile::tempdir().expect("tempdir");
    for (form, packed) in [
        ("gzip", gzip(&bytes)),
        ("gzip, two members", two_members),
        ("zstd", zstd(&bytes)),
        ("bzip2", bzip2(&bytes)),
        ("zip of one member", zip(&[("q.csv", &bytes)])),
    ] {
        // A name that says nothing of the compression.
        let p = dir.path().join("export.csv");
        std::fs::write(&p, &packed).expect("write");
        let o = rcx(&["rollup", p.to_str().unwrap()]);
        assert_eq!(code(&o), 0, "{form}: {}", stderr(&o));
        assert_eq!(stdout(&o), want, "{form}");
        let o = rcx_fed(&["rollup", "-"], packed);
        assert_eq!(code(&o), 0, "{form} on stdin: {}", stderr(&o));
        assert_eq!(stdout(&o), want, "{form} on stdin");
    }
}

/// A compressed export larger than a chunk is read in parallel chunks
/// once decoded: the calls of a gzip segment export equal the plain
/// file's on two threads.
#[test]
fn a_large_compressed_export_answers_as_the_plain_one() {
    use ringcx_reports::gen::{self, GenOptions, GenReport};
    let mut bytes = Vec::new();
    gen::write(
        &GenOptions::new(GenReport::Segments, 10_000).seed(5),
        &mut bytes,
    )
    .expect("gen");
    assert!(bytes.len() > 8 << 20, "{} bytes", bytes.len());
    let dir = tempfile::tempdir().expect("tempdir");
    let plain_path = dir.path().join("s.json");
    let packed_path = dir.path().join("s.json.gz");
    std::fs::write(&plain_path, &bytes).expect("write");
    std::fs::write(&packed_path, gzip(&bytes)).expect("write");
    let run = |p: &std::path::Path| {
        let o = rcx(&[
            "--threads",
            "2",
            "calls",
            "--by",
            "agent",
            p.to_str().unwrap(),
        ]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        stdout(&o)
    };
    let want = run(&plain_path);
    assert!(want.lines().count() > 10);
    assert_eq!(run(&packed_path), want);
}

/// A truncated gzip stream, a corrupt zstd frame, a damaged zip archive
/// and one of several members (named) are errors naming the file; nothing
/// is written to stdout.
#[test]
fn broken_compressed_input_is_an_error_naming_the_file() {
    let bytes = fixture_bytes("queue_header.csv");
    let dir = tempfile::tempdir().expect("tempdir");
    let gz = gzip(&bytes);
    let mut bad_zstd = zstd(&bytes);
    let mid = bad_zstd.len() / 2;
    bad_zstd[mid..].iter_mut().for_each(|b| *b ^= 0x5a);
    for (file, packed, why) in [
        ("cut.csv.gz", gz[..gz.len() / 2].to_vec(), "gzip input"),
        ("bad.csv.zst", bad_zstd, "zstd input"),
        (
            "q.zip",
            b"PK\x03\x04rest of an archive".to_vec(),
            "zip archive: invalid",
        ),
        (
            "two.zip",
            zip(&[("b.csv", &bytes), ("a.csv", &bytes)]),
            "a zip archive of 2 members (a.csv, b.csv)",
        ),
    ] {
        let p = dir.path().join(file);
        std::fs::write(&p, packed).expect("write");
        let o = rcx(&["rollup", p.to_str().unwrap()]);
        assert_ne!(code(&o), 0, "{file}");
        assert_eq!(stdout(&o), "", "{file}");
        let e = stderr(&o);
        assert!(e.contains(file) && e.contains(why), "{file}: {e}");
        assert!(!e.contains("panicked"), "{e}");
    }
}

/// A compressed input that expands past 200 times its size is refused as
/// a decompression bomb before it fills the disk: 200 MiB of zeros,
/// zstd-compressed to a few kilobytes or deflated in a zip member to about
/// 200 KB (deflate's ratio is near 1000 on zeros).
#[test]
fn a_decompression_bomb_is_refused() {
    let zeros = vec![0u8; 200 << 20];
    let dir = tempfile::tempdir().expect("tempdir");
    for (file, packed, form) in [
        ("bomb.csv", zstd(&zeros), "zstd"),
        ("bomb.zip", zip(&[("q.csv", &zeros)]), "zip"),
    ] {
        assert!(packed.len() < 1 << 20, "{file}: {} bytes", packed.len());
        let p = dir.path().join(file);
        std::fs::write(&p, packed).expect("write");
        let o = rcx(&["rollup", p.to_str().unwrap()]);
        assert_eq!(code(&o), 2, "{file}");
        let want = format!("{file}: the {form} input expands past 200 times its size");
        assert!(stderr(&o).contains(&want), "{}", stderr(&o));
    }
}

/// A builder's progress counts what its readers read: every byte of a
/// file read in parallel chunks (the rollup) and of one read whole (the
/// calls), a little more where a chunk is read again from a record
/// boundary, never less.
#[test]
fn a_builder_counts_the_bytes_of_every_chunk() {
    use ringcx_reports::calls::Calls;
    use ringcx_reports::gen::{self, GenOptions, GenReport};
    use ringcx_reports::progress::Progress;
    use ringcx_reports::rollup::Rollup;
    use ringcx_reports::ReaderBuilder;
    let dir = tempfile::tempdir().expect("tempdir");
    for (report, rows) in [(GenReport::Queue, 150_000), (GenReport::Segments, 10_000)] {
        let mut bytes = Vec::new();
        gen::write(&GenOptions::new(report, rows).seed(3), &mut bytes).expect("gen");
        assert!(bytes.len() > 8 << 20, "{} bytes", bytes.len());
        let p = dir.path().join("export");
        std::fs::write(&p, &bytes).expect("write");
        let progress = Progress::new();
        let rb = ReaderBuilder::new().progress(progress.clone());
        if report == GenReport::Queue {
            Rollup::new().output_files(&[&p], &rb).expect("rollup");
        } else {
            Calls::new().run_files(&[&p], &rb).expect("calls");
        }
        let (read, len) = (progress.bytes(), bytes.len() as u64);
        assert!(read >= len && read < len + len / 10, "{read} of {len}");
    }
}
