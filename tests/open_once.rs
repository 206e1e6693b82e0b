//! Each input is opened once per pass (issue 15). A named pipe given to a
//! command is read once, and the command prints what it prints for a
//! regular file of the same bytes and name (before, `rcx rollup` and
//! `rcx convert` opened the path again and waited forever for a second
//! writer). And the chunked rollup, whose chunk readers share the file's
//! one handle, still equals the sequential reference on several threads.

use ringcx_reports::gen::{self, GenOptions, GenReport};
use ringcx_reports::rollup::{Rollup, RollupOutput};
use ringcx_reports::window::BucketInterval;
use ringcx_reports::write::{write_rollup, TableFormat};
use ringcx_reports::ReaderBuilder;

/// The default chunk size of the rollup, as its documentation gives it
/// (4 MiB): a file over it is read in several chunks.
const CHUNK: usize = 4 << 20;

/// A generated queue export of more than two default chunks.
fn large_queue_export() -> Vec<u8> {
    let mut bytes = Vec::new();
    let opts = GenOptions::new(GenReport::Queue, 120_000).seed(11);
    gen::write(&opts, &mut bytes).expect("gen");
    assert!(bytes.len() > 2 * CHUNK, "{} bytes", bytes.len());
    bytes
}

#[test]
fn chunked_rollup_of_a_large_file_on_four_threads_equals_the_sequential_reference() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("q.csv");
    std::fs::write(&path, large_queue_export()).expect("write");
    let rb = ReaderBuilder::new();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .expect("pool");
    for interval in [BucketInterval::Hour, BucketInterval::Day] {
        let r = Rollup::new().interval(interval);
        let seq = r.run_files_sequential(&[&path], &rb).expect("sequential");
        let mut want = Vec::new();
        write_rollup(RollupOutput::Table(seq), TableFormat::Csv, &mut want).expect("write");
        let (output, table) = pool.install(|| {
            let output = r.output_files(&[&path], &rb).expect("output");
            let table = r.run_files(&[&path], &rb).expect("run");
            (output, table)
        });
        // The chunked path ran: its result is the packed one.
        assert!(matches!(output, RollupOutput::Packed(_)), "{interval:?}");
        let mut got = Vec::new();
        write_rollup(output, TableFormat::Csv, &mut got).expect("write");
        assert_eq!(
            String::from_utf8(got).expect("utf-8"),
            String::from_utf8(want.clone()).expect("utf-8"),
            "{interval:?}"
        );
        let mut from_table = Vec::new();
        write_rollup(
            RollupOutput::Table(table),
            TableFormat::Csv,
            &mut from_table,
        )
        .expect("write");
        assert_eq!(from_table, want, "{interval:?}");
    }
}

#[cfg(unix)]
mod fifo {
    use std::path::Path;
    use std::process::{Command, Output, Stdio};
    use std::time::{Duration, Instant};

    use ringcx_reports::gen::{self, GenOptions, GenReport};

    /// How long a command on a FIFO may take before it counts as hung.
    const TIMEOUT: Duration = Duration::from_secs(60);

    /// What one run printed, and the files it wrote.
    #[derive(Debug, PartialEq)]
    struct Run {
        status: Option<i32>,
        stdout: String,
        stderr: String,
        written: Option<Vec<u8>>,
    }

    fn run(o: Output, written: Option<Vec<u8>>) -> Run {
        Run {
            status: o.status.code(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
            written,
        }
    }

    fn rcx(dir: &Path, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_rcx"));
        c.args(args).current_dir(dir);
        c
    }

    /// Runs `rcx args` in a fresh directory holding `others` (regular
    /// files) and `name`, first a FIFO fed `bytes` by a writer thread, then
    /// a regular file of `bytes`; `out` names a file the command writes.
    /// Fails, rather than hangs, when the run on the FIFO does not finish.
    fn fifo_and_file(
        args: &[&str],
        name: &str,
        bytes: &[u8],
        others: &[(&str, &[u8])],
        out: Option<&str>,
    ) -> (Run, Run) {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        for (n, b) in others {
            std::fs::write(d.join(n), b).expect("write");
        }
        let path = d.join(name);
        let made = Command::new("mkfifo").arg(&path).status().expect("mkfifo");
        assert!(made.success(), "mkfifo failed");
        let feed = bytes.to_vec();
        let fifo = path.clone();
        // Opening the FIFO for writing waits for the reader; the thread is
        // left behind if rcx never opens it (the test fails then anyway).
        let writer = std::thread::spawn(move || {
            let _ = std::fs::write(&fifo, feed);
        });
        let (so, se) = (d.join("stdout.txt"), d.join("stderr.txt"));
        let mut child = rcx(d, args)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&so).expect("stdout file"))
            .stderr(std::fs::File::create(&se).expect("stderr file"))
            .spawn()
            .expect("spawn rcx");
        let start = Instant::now();
        let status = loop {
            if let Some(s) = child.try_wait().expect("wait") {
                break s;
            }
            if start.elapsed() > TIMEOUT {
                let _ = child.kill();
                let _ = child.wait();
                panic!("rcx {args:?} on a FIFO did not finish in {TIMEOUT:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        if writer.is_finished() {
            writer.join().expect("writer");
        }
        let read = |p: &Path| std::fs::read(p).ok();
        let on_fifo = run(
            Output {
                status,
                stdout: std::fs::read(&so).expect("stdout"),
                stderr: std::fs::read(&se).expect("stderr"),
            },
            out.and_then(|o| read(&d.join(o))),
        );
        std::fs::remove_file(&path).expect("remove fifo");
        if let Some(o) = out {
            let _ = std::fs::remove_file(d.join(o));
        }
        std::fs::write(&path, bytes).expect("write");
        let o = rcx(d, args).stdin(Stdio::null()).output().expect("run rcx");
        let on_file = run(o, out.and_then(|o| read(&d.join(o))));
        (on_fifo, on_file)
    }

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures")
                .join(name),
        )
        .expect("fixture")
    }

    /// Asserts the run on the FIFO printed exactly what the run on the
    /// file did, and that it succeeded with some output.
    fn same(args: &[&str], name: &str, bytes: &[u8], others: &[(&str, &[u8])]) {
        let (fifo, file) = fifo_and_file(args, name, bytes, others, None);
        assert_eq!(fifo, file, "rcx {args:?}");
        assert_eq!(file.status, Some(0), "rcx {args:?}: {}", file.stderr);
        assert!(!file.stdout.is_empty(), "rcx {args:?}");
    }

    #[test]
    fn rollup_of_a_fifo_prints_what_the_file_gives_in_every_wire_form() {
        for (name, fx) in [
            ("q.csv", "queue_header.csv"),
            ("q.csv", "queue_dmy_pipe.csv"),
            ("q.csv", "queue_bom_crlf.csv"),
            ("q.csv", "queue_unsorted.csv"),
            ("a.json", "agent_ext.json"),
            ("s.ndjson", "agent_stats.ndjson"),
            ("q.xml", "queue_elements.xml"),
        ] {
            let bytes = fixture(fx);
            same(&["rollup", name], name, &bytes, &[]);
            same(&["rollup", "--format", "json", name], name, &bytes, &[]);
        }
    }

    #[test]
    fn rollup_of_a_large_fifo_equals_the_chunked_rollup_of_the_file() {
        // The file is read in chunks; the FIFO once, in order.
        let bytes = super::large_queue_export();
        same(
            &["rollup", "--interval", "day", "q.csv"],
            "q.csv",
            &bytes,
            &[],
        );
    }

    #[test]
    fn rollup_of_a_fifo_beside_regular_files() {
        let (a, c) = (
            fixture("queue_dates_tab.csv"),
            fixture("queue_teleopti21.csv"),
        );
        // Path order puts the FIFO between the two files.
        same(
            &["rollup", "c.csv", "b.csv", "a.csv"],
            "b.csv",
            &fixture("queue_header.csv"),
            &[("a.csv", &a), ("c.csv", &c)],
        );
    }

    #[test]
    fn a_failing_rollup_of_a_fifo_fails_as_the_file_does() {
        let q = fixture("queue_header.csv");
        for others in [&[][..], &[("a.csv", &q[..]), ("c.csv", &q[..])][..]] {
            let mut args = vec!["rollup", "b.csv"];
            args.extend(others.iter().map(|o| o.0));
            let (fifo, file) =
                fifo_and_file(&args, "b.csv", b"this is not a report\n", others, None);
            assert_eq!(fifo, file);
            assert_eq!(file.status, Some(1), "{}", file.stderr);
            assert!(
                file.stderr.contains("b.csv:1: error[S003]"),
                "{}",
                file.stderr
            );
        }
    }

    #[test]
    fn timeline_and_interactions_of_a_fifo_print_what_the_file_gives() {
        let seg = fixture("segments_timeline.ndjson");
        same(&["timeline", "m.ndjson"], "m.ndjson", &seg, &[]);
        same(&["interactions", "m.ndjson"], "m.ndjson", &seg, &[]);
    }

    #[test]
    fn parse_and_inspect_of_a_fifo_print_what_the_file_gives() {
        let q = fixture("queue_dmy_pipe.csv");
        same(&["parse", "q.csv"], "q.csv", &q, &[]);
        same(&["inspect", "q.csv"], "q.csv", &q, &[]);
    }

    #[test]
    fn convert_of_a_fifo_prints_what_the_file_gives() {
        for fx in ["queue_header.csv", "queue_unsorted.csv"] {
            let q = fixture(fx);
            same(&["convert", "--to", "csv", "q.csv"], "q.csv", &q, &[]);
            same(&["convert", "--to", "teleopti", "q.csv"], "q.csv", &q, &[]);
        }
        // Beside a regular file, and written to a file.
        let (fifo, file) = fifo_and_file(
            &[
                "convert",
                "--to",
                "ndjson",
                "a.csv",
                "b.csv",
                "-o",
                "out.ndjson",
            ],
            "b.csv",
            &fixture("queue_unsorted.csv"),
            &[("a.csv", &fixture("queue_header.csv"))],
            Some("out.ndjson"),
        );
        assert_eq!(fifo, file);
        assert!(file.written.is_some_and(|w| !w.is_empty()));
    }

    #[test]
    fn validate_against_an_unsorted_fifo_finds_what_the_file_gives() {
        let csv = |report, rows| {
            let opts = GenOptions::new(report, rows).seed(3).queues(6).agents(20);
            let mut bytes = Vec::new();
            gen::write(&opts, &mut bytes).expect("gen");
            bytes
        };
        let q = csv(GenReport::Queue, 120);
        // The agent rows backwards: out of time order, which makes the
        // cross-check read its inputs twice; a FIFO too, from the
        // temporary copy it was read into once. The findings are the same.
        let a = String::from_utf8(csv(GenReport::AgentExt, 200)).expect("utf-8");
        let mut lines: Vec<&str> = a.lines().collect();
        lines[1..].reverse();
        let a = lines.join("\n") + "\n";
        let args = ["validate", "q.csv", "--against", "a.csv"];
        let (fifo, file) = fifo_and_file(&args, "a.csv", a.as_bytes(), &[("q.csv", &q)], None);
        assert_eq!(fifo.status, file.status);
        assert_eq!(fifo.stdout, file.stdout);
        assert!(!file.stdout.is_empty());
        assert!(file.stderr.contains("read twice"), "{}", file.stderr);
        assert!(fifo.stderr.contains("read twice"), "{}", fifo.stderr);
        // Alone, a FIFO validates as the file does.
        let (fifo, file) = fifo_and_file(&["validate", "a.csv"], "a.csv", a.as_bytes(), &[], None);
        assert_eq!(fifo, file);
    }

    #[cfg(feature = "plot")]
    #[test]
    fn plot_of_a_fifo_draws_what_the_file_gives() {
        let (fifo, file) = fifo_and_file(
            &["plot", "q.csv", "-o", "q.svg"],
            "q.csv",
            &fixture("queue_header.csv"),
            &[],
            Some("q.svg"),
        );
        assert_eq!(fifo, file);
        assert!(file.written.is_some_and(|w| w.starts_with(b"<svg")));
    }
}
