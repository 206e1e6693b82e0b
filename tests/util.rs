//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Output};

use chrono::{FixedOffset, NaiveDateTime};
use proptest::test_runner::{Config as ProptestConfig, FileFailurePersistence};
use ringcx_reports::{
    Error, IntervalLength, IntervalRow, IntervalStart, Position, Reader, ReaderBuilder,
};

/// Path of a bundled fixture.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// The bytes of a bundled fixture.
pub fn fixture_bytes(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).expect("read fixture")
}

/// Opens a fixture with a source zone.
pub fn open(name: &str, tz: &str) -> Reader {
    ReaderBuilder::new()
        .source_tz(tz.parse().expect("zone"))
        .from_path(fixture(name))
        .expect("open fixture")
}

/// A builder with a source zone.
pub fn builder(tz: &str) -> ReaderBuilder {
    ReaderBuilder::new().source_tz(tz.parse().expect("zone"))
}

/// Opens in-memory text with the default builder (UTC).
pub fn open_str(text: &str) -> Result<Reader, Error> {
    ReaderBuilder::new().from_bytes("t.csv", text.as_bytes().to_vec())
}

/// Every row of a reader, or the first error.
pub fn read_all<T: IntervalRow>(reader: &mut Reader) -> Result<Vec<T>, Error> {
    let mut out = Vec::new();
    let mut row = T::default();
    while reader.read_row(&mut row)? {
        out.push(row.clone());
    }
    Ok(out)
}

/// Every outcome of a reader until it is finished: rows and errors in file
/// order (a reader goes on after a value error).
pub fn outcomes<T: IntervalRow>(reader: &mut Reader) -> Vec<Result<T, Error>> {
    let mut out = Vec::new();
    let mut row = T::default();
    for _ in 0..100_000 {
        match reader.read_row(&mut row) {
            Ok(true) => out.push(Ok(row.clone())),
            Ok(false) => return out,
            Err(e) => {
                let fatal = reader.is_finished();
                out.push(Err(e));
                if fatal {
                    // A finished reader yields nothing more.
                    assert!(!reader.read_row(&mut row).expect("finished reader"));
                    return out;
                }
            }
        }
    }
    panic!("reader did not finish");
}

/// The only error of a reader's outcomes, with the rows read around it.
pub fn errors<T: IntervalRow>(reader: &mut Reader) -> Vec<Error> {
    outcomes::<T>(reader)
        .into_iter()
        .filter_map(Result::err)
        .collect()
}

/// A reader that hands out at most `chunk` bytes per `read` call, so that
/// every record boundary, quote and line break falls on a refill boundary
/// somewhere.
pub struct Trickle<R> {
    pub inner: R,
    pub chunk: usize,
}

impl<R: Read> Read for Trickle<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.chunk);
        self.inner.read(&mut buf[..n])
    }
}

/// A local date-time from `"yyyy-mm-dd HH:MM"`.
pub fn local(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("test date-time")
}

/// An interval start from local `"yyyy-mm-dd HH:MM"` and an offset in hours.
pub fn start(s: &str, offset_hours: i32) -> IntervalStart {
    IntervalStart::new(
        local(s),
        FixedOffset::east_opt(offset_hours * 3600).expect("offset"),
    )
}

/// An interval length in minutes.
pub fn len(m: u32) -> IntervalLength {
    IntervalLength::new(m).expect("interval length")
}

/// Byte offset of the start of physical line `line` (1-based) in `bytes`.
pub fn line_byte(bytes: &[u8], line: u64) -> u64 {
    if line == 1 {
        return 0;
    }
    let mut seen = 1;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            seen += 1;
            if seen == line {
                return i as u64 + 1;
            }
        }
    }
    panic!("no line {line}");
}

/// The position of data record `record` starting on `line` of `bytes`.
pub fn pos(bytes: &[u8], line: u64, record: u64) -> Position {
    Position::new(line_byte(bytes, line), line, record)
}

/// The `rcx` binary built for this test run, with `args`, run in the
/// package directory (for tests that set up standard streams themselves).
pub fn rcx_command<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rcx"));
    c.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

/// Runs the `rcx` binary built for this test run.
pub fn rcx(args: &[&str]) -> Output {
    rcx_command(args).output().expect("run rcx")
}

/// Exit code of a finished `rcx`.
pub fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 stdout")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("utf-8 stderr")
}

/// A temporary file holding `bytes`, named `name` inside a fresh directory
/// (so that error messages name a predictable file).
pub fn temp_file(name: &str, bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write temp file");
    (dir, path)
}

/// The settings of every `proptest!` block here: `cases` random cases, and
/// the seed of each failure kept in `regressions`, a file of the crate's
/// `proptest-regressions/` directory, where the unit tests under `src/`
/// keep theirs by default (for a file under `tests/`, proptest's default
/// is a file beside it). Proptest replays the seeds of that file before
/// the random cases; commit it with the fix.
pub fn proptest_config(cases: u32, regressions: &'static str) -> ProptestConfig {
    assert!(
        regressions.starts_with("proptest-regressions/"),
        "regressions go to proptest-regressions/: {regressions}"
    );
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(regressions))),
        ..ProptestConfig::default()
    }
}

/// A request body in a temporary file: the directory (kept alive while
/// the path is used) and the path.
pub fn body(text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("body.json");
    std::fs::write(&p, text).unwrap();
    let s = p.to_str().unwrap().to_owned();
    (dir, s)
}
