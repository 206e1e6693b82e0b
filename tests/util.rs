//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

use ringcx_reports::{Reader, ReaderBuilder};

/// Path of a bundled fixture.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// Opens a fixture with a source zone.
pub fn open(name: &str, tz: &str) -> Reader {
    ReaderBuilder::new()
        .source_tz(tz.parse().expect("zone"))
        .from_path(fixture(name))
        .expect("open fixture")
}

/// Runs the `rcx` binary built for this test run.
pub fn rcx(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rcx"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run rcx")
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
