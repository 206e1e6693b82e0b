//! The fuzz targets' checks, replayed without the fuzzer: every hand-picked
//! seed in `fuzz/seeds/`, every fixture under several reader options, every
//! input a fuzz run ever crashed on (each a byte literal named after what
//! it broke), and the hostile-input limits (record length, huge numbers, a
//! 100 MB line).

use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use ringcx_reports::rollup::Rollup;
use ringcx_reports::{AgentExtRow, Code, ReaderBuilder, ReportKind};

/// The very file the fuzz targets call into (`fuzz/src/checks.rs`).
#[allow(dead_code)]
pub(crate) mod checks {
    include!(concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/src/checks.rs"));
}

use checks::{Opts, HEADER_LEN};

type Target = fn(&[u8]);

/// Every fuzz target, by name, as `fuzz/fuzz_targets/<name>.rs` calls it.
const TARGETS: [(&str, Target); 8] = [
    ("csv_reader", checks::csv_reader),
    ("csv_tiny_buffer", checks::csv_tiny_buffer),
    ("validate", checks::validate),
    ("xml_reader", checks::xml_reader),
    ("json_reader", checks::json_reader),
    ("segments_reader", checks::segments_reader),
    ("csv_chunked", checks::csv_chunked),
    ("rollup_split", checks::rollup_split),
];

fn files_in(dir: &str) -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn run_all(input: &[u8]) {
    for (_, target) in TARGETS {
        target(input);
    }
}

/// Every seed: `fuzz/seeds/*` (the CSV targets' seeds) and
/// `fuzz/seeds/<target>/*` (the other targets' own).
fn all_seeds() -> Vec<PathBuf> {
    let mut seeds = files_in("fuzz/seeds");
    for (name, _) in TARGETS {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz/seeds")
            .join(name);
        if dir.is_dir() {
            seeds.extend(files_in(&format!("fuzz/seeds/{name}")));
        }
    }
    seeds
}

#[test]
fn every_seed_passes_every_target() {
    let seeds = all_seeds();
    assert!(seeds.len() >= 50, "fuzz/seeds has {} files", seeds.len());
    for name in [
        "xml_reader",
        "json_reader",
        "segments_reader",
        "rollup_split",
    ] {
        assert!(
            files_in(&format!("fuzz/seeds/{name}")).len() >= 4,
            "seeds of {name}"
        );
    }
    for path in &seeds {
        let data = std::fs::read(path).expect("read seed");
        for (name, target) in TARGETS {
            let r = std::panic::catch_unwind(|| target(&data));
            assert!(r.is_ok(), "target {name} fails on {}", path.display());
        }
    }
}

/// The fixtures, each read as `fuzz/seed.sh` frames it, and again under
/// every zone, a forced report kind, `dd/MM/yyyy`, small record limits and
/// each tiny buffer size from 1 to 16.
#[test]
fn every_fixture_passes_every_target_under_varied_options() {
    let mut files = files_in("fixtures");
    files.extend(files_in("fixtures/invalid"));
    files.retain(|p| p.extension().is_some_and(|e| e == "csv"));
    assert!(files.len() >= 40);
    for (i, path) in files.iter().enumerate() {
        let body = std::fs::read(path).expect("read fixture");
        let name = path.file_name().unwrap().to_string_lossy();
        let ny = name.contains("_ny");
        let base = Opts {
            zone: usize::from(ny),
            date_order: if name.contains("dmy") {
                ringcx_reports::DateOrder::Dmy
            } else {
                ringcx_reports::DateOrder::Mdy
            },
            ..Opts::default()
        };
        let variants = [
            base.clone(),
            Opts {
                zone: i % checks::ZONES.len(),
                tiny_buffer: 1 + i % 16,
                gaps: true,
                ..base.clone()
            },
            Opts {
                report: Some(ReportKind::AgentExt),
                max_record: 1 + i % 7,
                tiny_buffer: 16 - i % 16,
                ..base.clone()
            },
            Opts {
                force_csv: true,
                date_order: ringcx_reports::DateOrder::Dmy,
                max_record: 3,
                tiny_buffer: 3,
                ..base.clone()
            },
        ];
        for opts in &variants {
            let r = std::panic::catch_unwind(|| {
                checks::csv_reader_with(opts, &body);
                checks::csv_tiny_buffer_with(opts, &body);
                checks::validate_with(opts, &body);
            });
            assert!(r.is_ok(), "{name} with {opts:?}");
        }
    }
}

/// `rcx parse --skip-invalid`, `rcx inspect` and `rcx validate` on every
/// seed, with the seed's options as flags (the CLI has no record limit:
/// the default applies): no panic, and the exit code the library result
/// calls for (0 clean, 1 a data finding, 2 could not run).
#[test]
fn cli_exit_codes_on_every_seed() {
    let dir = tempfile::tempdir().expect("temp dir");
    for path in files_in("fuzz/seeds") {
        let data = std::fs::read(&path).expect("read seed");
        let (mut opts, body) = Opts::decode(&data);
        opts.max_record = 0;
        let file = dir.path().join("seed.csv");
        std::fs::write(&file, body).expect("write");
        let file = file.to_str().expect("utf-8 path");
        let mut flags = vec!["--source-tz", checks::ZONES[opts.zone]];
        if opts.date_order == ringcx_reports::DateOrder::Dmy {
            flags.extend(["--date-order", "dmy"]);
        }
        match opts.report {
            Some(ReportKind::Queue) => flags.extend(["--report", "queue"]),
            Some(ReportKind::AgentExt) => flags.extend(["--report", "agent-ext"]),
            Some(ReportKind::Agent) => flags.extend(["--report", "agent"]),
            _ => {}
        }
        if opts.force_csv {
            flags.extend(["--form", "csv"]);
        }
        let t = checks::read_all(
            &opts.builder(),
            opts.tz(),
            body,
            checks::Source::Whole,
            checks::Path::ReadRow,
        );
        let read_code = match &t.opened {
            checks::Opened::Usage(_) => 2,
            checks::Opened::Refused(_) => 1,
            checks::Opened::Reader { .. } => {
                i32::from(t.records() > t.rows() || t.fatal().is_some())
            }
        };
        let v = ringcx_reports::validate::Validator::new()
            .reader(opts.builder())
            .validate_opened(opts.builder().from_bytes("seed.csv", body.to_vec()));
        let validate_code = match &v {
            Ok(r) => i32::from(r.has_errors()),
            Err(e) if e.is_usage() => 2,
            Err(e) => panic!("{e}"),
        };
        for (cmd, want) in [
            (vec!["parse", "--skip-invalid"], read_code),
            (vec!["inspect"], read_code),
            (vec!["validate"], validate_code),
        ] {
            let mut args = cmd.clone();
            args.extend(&flags);
            args.push(file);
            let out = crate::util::rcx(&args);
            let err = crate::util::stderr(&out);
            assert!(
                !err.contains("panicked"),
                "{args:?} on {}: {err}",
                path.display()
            );
            assert_eq!(
                crate::util::code(&out),
                want,
                "{args:?} on {}: {err}",
                path.display()
            );
        }
    }
}

/// The cross-check mode of the `validate` target finds what
/// `tests/validate.rs` finds for the altered agent file, and nothing for
/// the pair that sums exactly.
#[test]
fn validate_target_cross_mode_reconciles_the_seeds() {
    let seed = |name: &str| {
        std::fs::read(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("fuzz/seeds")
                .join(name),
        )
        .expect("seed")
    };
    let data = seed("cross_x501_x503");
    let (opts, body) = Opts::decode(&data);
    assert!(opts.cross);
    let cut = body.iter().position(|&b| b == 0).expect("a NUL");
    let report = checks::run_cross(
        &opts,
        [&body[..cut], &body[cut + 1..]],
        checks::Source::Whole,
    )
    .expect("cross-check");
    let x: Vec<(String, u64, Code)> = report
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str().starts_with('X'))
        .map(|d| (d.location.file.to_string(), d.location.pos.line(), d.code))
        .collect();
    let q = checks::CROSS_NAMES[1].to_string();
    assert_eq!(
        x,
        [
            (q.clone(), 3, Code::CrossAnswered),
            (q.clone(), 3, Code::CrossTalk),
            (q, 3, Code::CrossWrap)
        ]
    );
    let data = seed("cross_clean");
    let (opts, body) = Opts::decode(&data);
    let cut = body.iter().position(|&b| b == 0).expect("a NUL");
    let report = checks::run_cross(
        &opts,
        [&body[..cut], &body[cut + 1..]],
        checks::Source::Whole,
    )
    .expect("cross-check");
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
    let cross = report.summary.cross.expect("cross summary");
    assert_eq!((cross.intervals, cross.differing), (4, 0));
    assert_eq!((cross.queue.rows, cross.agents.rows), (4, 7));
}

#[test]
fn opts_header_round_trips() {
    for b0 in [0u8, 1, 7, 200] {
        for b1 in 0u8..64 {
            for b3 in [0u8, 5, 15, 255] {
                let header = [b0, b1, 3, b3];
                let (opts, rest) = Opts::decode(&header);
                assert!(rest.is_empty());
                assert_eq!(Opts::decode(&opts.encode()).0, opts);
            }
        }
    }
    let (opts, rest) = Opts::decode(b"\x01\x13\x02\x0fabc");
    assert_eq!(rest, b"abc");
    assert_eq!(checks::ZONES[opts.zone], "America/New_York");
    assert_eq!(opts.report, Some(ReportKind::Queue));
    assert!(opts.force_csv && !opts.gaps);
    assert_eq!(checks::MAX_RECORDS[opts.max_record], 100);
    assert_eq!(opts.tiny_buffer, 16);
    // Short inputs decode with zeros and an empty file.
    assert_eq!(Opts::decode(b"\x01").0.zone, 1);
    assert_eq!(Opts::decode(b"\x01").1, b"");
    assert_eq!(HEADER_LEN, 4);
}

/// The checks themselves must be able to fail: a reader that lost a row
/// or an error would pass unnoticed otherwise. Two traces of different
/// files differ, and a tiny buffer run of a fixture equals the whole run.
#[test]
fn traces_tell_files_apart() {
    let a =
        std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/queue_header.csv"))
            .unwrap();
    let mut b = a.clone();
    // One count changed in the last row.
    let at = b.len() - 3;
    b[at] = if b[at] == b'9' { b'8' } else { b'9' };
    let opts = Opts::default();
    let tz = opts.tz();
    let whole = checks::Source::Whole;
    let ta = checks::read_all(&opts.builder(), tz, &a, whole, checks::Path::ReadRow);
    let tb = checks::read_all(&opts.builder(), tz, &b, whole, checks::Path::ReadRow);
    assert_eq!(ta.rows(), 4);
    assert_eq!(ta.steps.last(), Some(&checks::Step::End));
    assert_ne!(ta, tb);
    for n in [1, 2, 3, 16] {
        let trickle = checks::Source::Trickle(n);
        let t = checks::read_all(&opts.builder(), tz, &a, trickle, checks::Path::Rows);
        assert_eq!(ta, t, "read {n} bytes at a time");
    }
}

// ---------------------------------------------------------------------
// Hostile input limits.
// ---------------------------------------------------------------------

fn agent_ext_line(name: &str) -> String {
    format!("15,20240304,08:00,42,{name},5686,Sales,300,30,2,0\n")
}

/// A record whose one field is longer than the limit stops the reader at
/// that record with S009, whatever the buffer size; the records before it
/// are read.
#[test]
fn field_over_max_record_len_is_s009_at_its_line() {
    for (label, long) in [
        ("unquoted", "x".repeat(300)),
        ("quoted", format!("\"{}\"", "y".repeat(300))),
        (
            "quoted with line breaks",
            format!("\"{}\"", "z\n".repeat(150)),
        ),
    ] {
        let data = format!("{}{}", agent_ext_line("Ann"), agent_ext_line(&long));
        for buffer in [1, 7, 64, 1 << 16] {
            let mut r = ReaderBuilder::new()
                .max_record_len(128)
                .buffer_size(buffer)
                .from_bytes("a.csv", data.clone().into_bytes())
                .expect("open");
            let mut row = AgentExtRow::default();
            assert!(r.read_row(&mut row).expect("first row"), "{label}");
            assert_eq!(row.agent_name, "Ann");
            let e = r.read_row(&mut row).expect_err(label);
            assert_eq!(e.code(), Some(Code::Limit), "{label}, buffer {buffer}: {e}");
            let loc = e.location().expect("location");
            assert_eq!(loc.pos.line(), 2, "{label}, buffer {buffer}");
            assert_eq!(loc.pos.record(), 1, "{label}, buffer {buffer}");
            assert!(e.to_string().contains("limit of 128 bytes"), "{e}");
            assert!(r.is_finished(), "{label}: a limit error ends the file");
            assert!(!r.read_row(&mut row).expect("after the limit"));
        }
    }
}

/// A record of many short fields, longer in all than the limit, is refused
/// the same way; one exactly at the limit is read.
#[test]
fn record_over_max_record_len_is_s009() {
    let ok = agent_ext_line(&"n".repeat(20));
    let content = ok.len() - 1; // without the line break
    let limit = content.max(64);
    let pad = "n".repeat(20 + limit - content);
    let at_limit = agent_ext_line(&pad);
    let over = agent_ext_line(&format!("{pad}n"));
    assert_eq!(at_limit.len() - 1, limit);
    // A short first record, so that the file opens.
    let at_limit = format!("{ok}{at_limit}");
    let over = format!("{ok}{over}");
    for buffer in [1, 5, 1 << 16] {
        let read = |data: &str| {
            let mut r = ReaderBuilder::new()
                .max_record_len(limit)
                .buffer_size(buffer)
                .from_bytes("a.csv", data.as_bytes().to_vec())
                .expect("open");
            r.rows::<AgentExtRow>().collect::<Vec<_>>()
        };
        let rows = read(&at_limit);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].as_ref().expect("at the limit").agent_name, pad);
        let rows = read(&over);
        assert_eq!(rows.len(), 2, "buffer {buffer}");
        let e = rows[1].as_ref().expect_err("over the limit");
        assert_eq!(e.code(), Some(Code::Limit), "buffer {buffer}: {e}");
        assert_eq!(e.location().unwrap().pos.line(), 2);
    }
}

/// A count above 2^64 - 1 is V110 with the raw digits as the value: never
/// wrapped, never clipped, never read as 0.
#[test]
fn huge_number_is_v110_never_wrapped() {
    for (raw, code) in [
        ("18446744073709551615", None),
        ("18446744073709551616", Some(Code::Overflow)),
        (
            "99999999999999999999999999999999999999",
            Some(Code::Overflow),
        ),
        ("18446744073709551616.000", Some(Code::Overflow)),
        ("0000000000000000000000000000000000042", None),
    ] {
        let data = format!("15,20240304,08:00,42,Ann,5686,Sales,{raw},30,2,0\n");
        let mut r = ReaderBuilder::new()
            .from_bytes("a.csv", data.into_bytes())
            .expect("open");
        let mut row = AgentExtRow::default();
        match (r.read_row(&mut row), code) {
            (Ok(true), None) => {
                let want: u64 = raw.trim_start_matches('0').parse().expect("fits");
                assert_eq!(row.talking_call_dur, Some(want));
            }
            (Err(e), Some(code)) => {
                let d = e.diagnostic().expect("data error");
                assert_eq!(d.code, code);
                assert_eq!(d.value.as_deref(), Some(raw));
                assert_eq!(d.location.field.as_deref(), Some("talking_call_dur"));
                assert_eq!(d.location.pos.line(), 1);
                assert!(!r.is_finished(), "V110 is not fatal");
            }
            (other, _) => panic!("{raw}: {other:?}"),
        }
    }
}

/// A reader that hands out `len` bytes of `fill` and counts how many were
/// pulled from it.
struct Endless {
    left: u64,
    fill: u8,
    pulled: Arc<AtomicU64>,
    prefix: std::io::Cursor<Vec<u8>>,
}

impl Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.prefix.read(buf)?;
        if n > 0 {
            self.pulled.fetch_add(n as u64, Ordering::Relaxed);
            return Ok(n);
        }
        let n = (buf.len() as u64).min(self.left) as usize;
        buf[..n].fill(self.fill);
        self.left -= n as u64;
        self.pulled.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

const HUNDRED_MB: u64 = 100 * 1000 * 1000;

fn endless(prefix: &str, fill: u8) -> (Endless, Arc<AtomicU64>) {
    let pulled = Arc::new(AtomicU64::new(0));
    let r = Endless {
        left: HUNDRED_MB,
        fill,
        pulled: pulled.clone(),
        prefix: std::io::Cursor::new(prefix.as_bytes().to_vec()),
    };
    (r, pulled)
}

/// A 100 MB line with no line break: the reader stops once it holds more
/// than the limit (S009), long before the end of the line. Memory is
/// bounded by what it pulled, asserted here instead of RSS.
#[test]
fn hundred_megabyte_line_stops_at_the_limit() {
    let limit = 1 << 20;
    // As the first line: the header cannot be read.
    let (src, pulled) = endless("", b'a');
    let e = ReaderBuilder::new()
        .from_reader("big.csv", src)
        .expect_err("a 100 MB header");
    assert_eq!(e.code(), Some(Code::Limit), "{e}");
    assert_eq!(e.location().unwrap().pos.line(), 1);
    let got = pulled.load(Ordering::Relaxed);
    assert!(got > limit && got <= 4 * limit, "pulled {got} bytes");

    // After a good record: that record is read, the long one is S009 at
    // line 2 (a quoted field that never closes counts the same).
    for fill in [b'7', b'"'] {
        let (src, pulled) = endless(&agent_ext_line("Ann"), fill);
        let mut r = ReaderBuilder::new()
            .max_record_len(64 * 1024)
            .buffer_size(4096)
            .from_reader("big.csv", src)
            .expect("open");
        assert_eq!(r.kind(), ReportKind::AgentExt);
        let rows: Vec<_> = r.rows::<AgentExtRow>().collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].as_ref().expect("first row").agent_name, "Ann");
        let e = rows[1].as_ref().expect_err("the long line");
        assert_eq!(e.code(), Some(Code::Limit), "{e}");
        assert_eq!(e.location().unwrap().pos.line(), 2);
        let got = pulled.load(Ordering::Relaxed);
        assert!(got <= 4 * 64 * 1024, "pulled {got} bytes for fill {fill}");
    }
}

// ---------------------------------------------------------------------
// Regressions: inputs a fuzz run crashed on, framed as the targets take
// them (4 option bytes, then the file), named after what they broke.
// ---------------------------------------------------------------------

/// `max_record_len` was only enforced while a record did not fit in the
/// buffer: read whole, this 83-byte record passed a 64-byte limit; read
/// one byte at a time it was S009. Found by `csv_tiny_buffer` (options:
/// UTC, limit 64, reads of 1 byte). Fixed in `CsvSource::peek`, which now
/// measures every record (and blank line) against the limit.
#[test]
fn regression_record_limit_ignored_when_the_record_fits_the_buffer() {
    let input: &[u8] = b"\x00\x00\x01\x00\
15,20240304,08:00,42,Ann,5686,Sales,300,30,2,0\n\
15,20240304,08:15,42,NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN,5686,Sales,300,30,2,0\n";
    run_all(input);
    let (opts, body) = Opts::decode(input);
    let t = checks::read_all(
        &opts.builder(),
        opts.tz(),
        body,
        checks::Source::Whole,
        checks::Path::ReadRow,
    );
    assert_eq!(t.rows(), 1);
    let fatal = t.fatal().expect("the long record stops the file");
    assert_eq!(fatal.code, Code::Limit);
    assert_eq!(fatal.location.pos.line(), 2);
}

/// Leading white space longer than `max_record_len`: read whole, the wire
/// form was told by the first byte past it and the long second line was
/// S009; read 12 bytes at a time, the reader gave up looking at the limit
/// and called the file empty (S010). Found by `csv_tiny_buffer` (options:
/// UTC, limit 64, reads of 12 bytes; the crash input had 81 CRs). Fixed in
/// `Reader::open` (src/read/mod.rs): only the first `max_record_len` bytes
/// decide the wire form, and white space past them is left to the CSV
/// reader.
#[test]
fn regression_long_white_space_prefix_called_the_file_empty() {
    let mut input = b"\x00\x00\x01\x0b\n".to_vec();
    input.extend_from_slice(&[b'\r'; 81]);
    input.extend_from_slice(b"16,20240304,08:15,42,Ann,5686,Sales,300,30,2,0\n");
    run_all(&input);
    let (opts, body) = Opts::decode(&input);
    for source in [checks::Source::Whole, checks::Source::Trickle(12)] {
        let t = checks::read_all(
            &opts.builder(),
            opts.tz(),
            body,
            source,
            checks::Path::ReadRow,
        );
        let checks::Opened::Refused(d) = &t.opened else {
            panic!("{source:?}: {t:?}");
        };
        assert_eq!(
            (d.code, d.location.pos.line()),
            (Code::Limit, 2),
            "{source:?}"
        );
    }
    // Blank lines past the limit are skipped line by line, whatever the
    // read size: the record after 100 of them is read at line 101.
    let mut input = b"\x00\x00\x01\x04".to_vec();
    input.extend_from_slice(&[b'\n'; 100]);
    input.extend_from_slice(b"15,20240304,08:15,42,Ann,5686,Sales,300,30,2,0\n");
    run_all(&input);
    let (opts, body) = Opts::decode(&input);
    let mut r = checks::open(&opts.builder(), body, checks::Source::Trickle(5)).expect("open");
    let rows: Vec<AgentExtRow> = r.rows().collect::<Result<_, _>>().expect("rows");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].pos.line(), 101);
}

/// A start in local mean time (New York before 1883: offset -04:56:02) was
/// printed as `1800-03-04T08:00:00-04:56`, two seconds off the instant the
/// row has, because RFC 3339 offsets have no seconds. Found by the
/// `csv_reader` check that `start` parses back to the row's instant, on a
/// probe input (the fuzz run had not reached a pre-1883 date yet). Fixed
/// in `write_rfc3339` (src/model/interval.rs): the offset is written in
/// whole minutes and the local time moved by the dropped seconds.
#[test]
fn regression_local_mean_time_start_printed_off_the_instant() {
    let input = b"\x01\x00\x00\x00\
15,18000304,08:00,42,Ann,5686,Sales,300,30,2,0\n";
    run_all(input);
    let mut r = ReaderBuilder::new()
        .source_tz("America/New_York".parse().expect("zone"))
        .from_bytes("a.csv", input[HEADER_LEN..].to_vec())
        .expect("open");
    let mut row = AgentExtRow::default();
    assert!(r.read_row(&mut row).expect("row"));
    assert_eq!(row.start.to_rfc3339(), "1800-03-04T08:00:02-04:56");
    assert_eq!(
        row.start.instant().to_rfc3339(),
        "1800-03-04T12:56:02+00:00"
    );
    // Kathmandu before 1920 (+05:41:16): the local time moves back.
    let mut r = ReaderBuilder::new()
        .source_tz("Asia/Kathmandu".parse().expect("zone"))
        .from_bytes(
            "a.csv",
            b"15,19000101,00:00,42,Ann,5686,Sales,1,1,1,0\n".to_vec(),
        )
        .expect("open");
    assert!(r.read_row(&mut row).expect("row"));
    assert_eq!(row.start.to_rfc3339(), "1899-12-31T23:59:44+05:41");
    assert_eq!(
        row.start.instant().to_rfc3339(),
        "1899-12-31T18:18:44+00:00"
    );
}

/// A fatal source error (S005 truncated, S009 limit) said record 0
/// whatever record it stopped on; value errors had the right index. Found
/// by the record-index check added to `csv_reader` (on the S005 fixture).
/// Fixed in `source_error` (src/read/csv.rs), which now takes the record.
#[test]
fn regression_fatal_error_record_index_was_zero() {
    let input = b"\x00\x00\x00\x00\
15,20240304,08:00,42,Ann,5686,Sales,300,30,2,0\n\
15,20240304,08:15,42,Ann,5686,Sales,300,30,2,0\n\
15,20240304,08:30,42,\"Ann,5686,Sales,300,30,2,0\n";
    run_all(input);
    let mut r = ReaderBuilder::new()
        .from_bytes("a.csv", input[HEADER_LEN..].to_vec())
        .expect("open");
    let results: Vec<_> = r.rows::<AgentExtRow>().collect();
    assert_eq!(results.len(), 3);
    let e = results[2].as_ref().expect_err("truncated");
    assert_eq!(e.code(), Some(Code::Truncated));
    let pos = e.location().expect("location").pos;
    assert_eq!((pos.line(), pos.record()), (3, 2));
}

/// Round 2: JSON forced on a file that starts with more white space than
/// `max_record_len` (1 LF and 81 CRs, limit 64): read whole, the reader
/// saw the `1` after it and called it a syntax error at line 2; read 12
/// bytes at a time, it stopped at the limit (S009) at line 1, because
/// white space counted against the limit only while the byte after it was
/// not in the buffer yet. Found by the `json_reader` replay of the seed
/// `white_space_prefix_over_limit`. Fixed in `JsonInput::non_space`
/// (src/read/json.rs): a run of white space longer than the limit is S009
/// whatever the read size.
#[test]
fn regression_json_white_space_over_the_limit_depended_on_the_read_size() {
    let mut input = b"\x00\x00\x01\x0b\n".to_vec();
    input.extend_from_slice(&[b'\r'; 81]);
    input.extend_from_slice(b"16,20240304,08:15,42,Ann,5686,Sales,300,30,2,0\n");
    run_all(&input);
    let (opts, body) = Opts::decode(&input);
    let json = opts.builder().form(Some(ringcx_reports::WireForm::Json));
    for source in [
        checks::Source::Whole,
        checks::Source::Trickle(12),
        checks::Source::Small(3),
    ] {
        let t = checks::read_all(&json, opts.tz(), body, source, checks::Path::ReadRow);
        let checks::Opened::Refused(d) = &t.opened else {
            panic!("{source:?}: {t:?}");
        };
        assert_eq!(
            (d.code, d.location.pos.line(), d.location.pos.byte()),
            (Code::Limit, 1, 0),
            "{source:?}"
        );
    }
    // Under the limit the white space is skipped and the value read.
    let doc = format!(
        "{}[{{\"interval\": 15, \"dateTimeFrom\": \"2024-03-04T08:00:00\", \"queue\": 1}}]",
        "\n".repeat(100)
    );
    for n in [1, 7, 4096] {
        let mut r = ReaderBuilder::new()
            .max_record_len(128)
            .buffer_size(n)
            .from_reader("w.json", checks::Trickle::new(doc.clone().into_bytes(), n))
            .expect("open");
        let rows: Vec<ringcx_reports::QueueRow> = r.rows().collect::<Result<_, _>>().expect("rows");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].pos.line(), 101);
    }
}

/// The XML, JSON and NDJSON fixtures (vendor samples included), each
/// through its own reader target under varied options: every zone, each
/// tiny buffer size, small record and depth limits, forced report kinds.
#[test]
fn every_xml_and_json_fixture_passes_its_targets_under_varied_options() {
    let mut files = files_in("fixtures");
    files.extend(files_in("fixtures/invalid"));
    files.extend(files_in("fixtures/vendor"));
    files.retain(|p| {
        p.extension()
            .is_some_and(|e| e == "xml" || e == "json" || e == "ndjson")
    });
    assert!(files.len() >= 30, "{} files", files.len());
    for (i, path) in files.iter().enumerate() {
        let body = std::fs::read(path).expect("read fixture");
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let base = Opts {
            tiny_buffer: 1 + i % 16,
            ..Opts::default()
        };
        let variants = [
            base.clone(),
            Opts {
                zone: i % checks::ZONES.len(),
                tiny_buffer: 16 - i % 16,
                max_depth: 1 + i % 7,
                ..base.clone()
            },
            Opts {
                report: Some(ReportKind::AgentExt),
                max_record: 1 + i % 7,
                tiny_buffer: 1 + (i * 5) % 16,
                ..base.clone()
            },
        ];
        for opts in &variants {
            let r = std::panic::catch_unwind(|| {
                if name.ends_with(".xml") {
                    checks::xml_reader_with(opts, &body);
                } else {
                    checks::json_reader_with(opts, &body);
                    checks::segments_reader_with(opts, &body);
                }
            });
            assert!(r.is_ok(), "{name} with {opts:?}");
        }
        // Each fixture reads as intended with the default options: rows or
        // segments, not a refusal (the invalid ones aside).
        let not_a_report = name.starts_with("analytics") || name.starts_with("queue_groups");
        if !path.to_string_lossy().contains("invalid") && !not_a_report {
            let b = Opts::default().builder();
            let t = checks::read_all(
                &b,
                chrono_tz::UTC,
                &body,
                checks::Source::Whole,
                checks::Path::ReadRow,
            );
            assert!(t.rows() > 0, "{name}: {:?}", t.opened);
            assert!(t.fatal().is_none(), "{name}: {:?}", t.fatal());
        }
    }
}

/// The rollup targets on fixtures: every CSV fixture through the chunked
/// differential under several groupings and intervals, and the split
/// differential on rows decoded from each fixture's bytes.
#[test]
fn rollup_targets_on_the_fixtures() {
    let mut files = files_in("fixtures");
    files.extend(files_in("fixtures/invalid"));
    files.retain(|p| p.extension().is_some_and(|e| e == "csv"));
    let mut ran = 0;
    for (i, path) in files.iter().enumerate() {
        let body = std::fs::read(path).expect("read fixture");
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let opts = Opts {
            zone: usize::from(name.contains("_ny")),
            tiny_buffer: 1 + i % 16,
            ..Opts::default()
        };
        for ropts in [
            checks::RollupOpts {
                grouping: i % 6,
                interval: 3,
                skip_invalid: false,
                start: false,
            },
            checks::RollupOpts {
                grouping: (i + 1) % 6,
                interval: i % 8,
                skip_invalid: true,
                start: i % 2 == 0,
            },
        ] {
            let r = std::panic::catch_unwind(|| {
                checks::csv_chunked_with(&opts, &ropts, &body);
                checks::rollup_split_with(&opts, &ropts, &body);
            });
            assert!(r.is_ok(), "{name} with {opts:?} {ropts:?}");
            ran += 1;
        }
    }
    assert!(ran >= 80);
}

/// Reads `body` with `opts` whole, in reads of 1, 5 and 16 bytes, and
/// with a first buffer of 3 bytes; asserts every read opens the same way
/// and returns the whole-read trace.
fn same_at_every_read_size(builder: &ReaderBuilder, body: &[u8]) -> checks::Trace {
    let tz = chrono_tz::UTC;
    let whole = checks::read_all(
        builder,
        tz,
        body,
        checks::Source::Whole,
        checks::Path::ReadRow,
    );
    for source in [
        checks::Source::Trickle(1),
        checks::Source::Trickle(5),
        checks::Source::Trickle(16),
        checks::Source::Small(3),
    ] {
        let t = checks::read_all(builder, tz, body, source, checks::Path::ReadRow);
        checks::assert_same(&whole, &t, &format!("{source:?}"));
    }
    whole
}

/// A JSON record longer than `max_record_len` was refused (S009) only when
/// it did not fit the read buffer: read whole (256 KiB buffer) these
/// 90-byte records passed a 64-byte limit, read 4 bytes at a time they
/// were S009. Found by the `json_reader` replay of `queue.json` (limit 64,
/// reads of 4 bytes). Fixed in `JsonInput::frame` (src/read/json.rs): a
/// framed value longer than the limit is S009 whatever the buffer.
#[test]
fn regression_json_record_limit_ignored_when_the_record_fits_the_buffer() {
    let input: &[u8] = b"\x00\x00\x01\x03\
[{\"interval\": 15, \"dateTimeFrom\": \"2024-03-04T08:00:00\", \"queue\": 1, \"queueName\": \"Sales\"}]";
    run_all(input);
    let (opts, body) = Opts::decode(input);
    let t = same_at_every_read_size(&opts.builder(), body);
    let checks::Opened::Refused(d) = &t.opened else {
        panic!("{t:?}");
    };
    assert_eq!((d.code, d.location.pos.line()), (Code::Limit, 1));
    assert!(d.message.contains("limit of 64 bytes"), "{}", d.message);
    // At the default limit the record is read.
    let rows = ReaderBuilder::new()
        .from_bytes("q.json", body.to_vec())
        .expect("open")
        .rows::<ringcx_reports::QueueRow>()
        .collect::<Result<Vec<_>, _>>()
        .expect("rows");
    assert_eq!(rows[0].queue_name, "Sales");
}

/// A JSON value nesting too deep, or a bad byte, past `max_record_len`
/// bytes into its record: read whole the reader saw it and said S009
/// "nests deeper" (or a syntax error); read in small pieces it stopped at
/// the record limit first. Found by `json_reader` (limit 100, depth 4,
/// reads of 12 bytes) and `segments_reader` (limit 64, depth 2, reads of
/// 16 bytes). Fixed in `JsonInput::frame`: what lies past the limit is
/// never looked at, so the record limit wins whatever the read size.
#[test]
fn regression_json_depth_past_the_record_limit_depended_on_the_read_size() {
    let pad = "x".repeat(80);
    for (label, doc, want) in [
        (
            "deep past the limit",
            format!(
                "[{{\"interactionId\": 1, \"segmentId\": 2, \"a\": \"{pad}\", \"b\": [[[1]]]}}]"
            ),
            "limit of 64 bytes",
        ),
        (
            "bad byte past the limit",
            format!("[{{\"interactionId\": 1, \"segmentId\": 2, \"a\": \"{pad}\", \"b\": ]}}]"),
            "limit of 64 bytes",
        ),
        (
            "deep within the limit",
            "[{\"interactionId\": 1, \"b\": [[[1]]]}]".to_owned(),
            "deeper than the limit of 2 levels",
        ),
    ] {
        let b = ReaderBuilder::new()
            .max_record_len(64)
            .max_depth(2)
            .form(Some(ringcx_reports::WireForm::Json));
        let t = same_at_every_read_size(&b, doc.as_bytes());
        let checks::Opened::Refused(d) = &t.opened else {
            panic!("{label}: {t:?}");
        };
        assert_eq!(d.code, Code::Limit, "{label}");
        assert!(d.message.contains(want), "{label}: {}", d.message);
        // The same header through the targets.
        let mut input = Opts {
            max_record: 1,
            max_depth: 1,
            tiny_buffer: 7,
            ..Opts::default()
        }
        .encode()
        .to_vec();
        input.extend_from_slice(doc.as_bytes());
        run_all(&input);
    }
}

/// An error that stops the file (S005 truncated, S009) in an XML or JSON
/// file said record 0 whatever record the reader was on (the CSV reader
/// had this fixed in round 1). Found by the `xml_reader` record-index
/// check (a truncated copy of `queue_elements.xml`) and by the replay of
/// `segments_truncated.json`. Fixed in `XmlInput::loc` and
/// `JsonInput::here`, which now carry the index of the record being read.
#[test]
fn regression_xml_and_json_fatal_error_record_index_was_zero() {
    let xml: &[u8] = b"\x00\x00\x00\x00<r>\n\
<row interval=\"15\" date_from=\"20240304\" time=\"08:00\" queue=\"1\"/>\n\
<row interval=\"15\" date_from=\"20240304\" time=\"08:15\" queue=\"1\"/>\n\
<row><interval>15</interval><date_from>20240304</date_from>";
    let json: &[u8] = b"\x00\x00\x00\x00[\n\
{\"interactionId\": 1, \"segmentId\": 1},\n\
{\"interactionId\": 1, \"segmentId\": 2},\n\
{\"interactionId\": 1, \"segm";
    for (input, form) in [
        (xml, ringcx_reports::WireForm::Xml),
        (json, ringcx_reports::WireForm::Json),
    ] {
        run_all(input);
        let body = &input[HEADER_LEN..];
        let b = ReaderBuilder::new().form(Some(form));
        let t = same_at_every_read_size(&b, body);
        assert_eq!(t.rows(), 2, "{form:?}");
        let d = t.fatal().expect("truncated");
        assert_eq!(d.code, Code::Truncated, "{form:?}");
        assert_eq!(d.location.pos.record(), 2, "{form:?}: {d}");
    }
}

/// An XML file with rows, then trailing garbage declaring an entity: the
/// rows before the declaration are read, the declaration stops the file,
/// and nothing after it is read. (Round 2's first `xml_reader` check
/// refused any row in a file containing `<!ENTITY`: the check was wrong,
/// not the reader; this keeps the input that showed it.)
#[test]
fn xml_rows_before_a_late_entity_declaration_are_read() {
    let input: &[u8] = b"\x00\x00\x00\x02\
<r><row interval=\"15\" date_from=\"20240304\" time=\"08:00\" queue=\"1\"/></r>\n\
<!DOCTYPE r [<!ENTITY a \"aaa\">]>\n<r><row interval=\"15\" date_from=\"20240304\" time=\"08:15\" queue=\"&a;\"/></r>";
    run_all(input);
    let b = ReaderBuilder::new().form(Some(ringcx_reports::WireForm::Xml));
    let t = same_at_every_read_size(&b, &input[HEADER_LEN..]);
    assert_eq!(t.rows(), 1);
    let d = t.fatal().expect("stops after the root");
    assert_eq!(d.location.pos.line(), 2, "{d}");
}

/// Gigantic numbers in XML and JSON, as in CSV: a count above 2^64 - 1
/// is V110 naming the field with the raw digits, never wrapped or
/// clipped; the reader moves on to the next record. Every read size gives
/// the same result.
#[test]
fn huge_numbers_in_xml_and_json_are_v110_never_wrapped() {
    let huge = "18446744073709551616";
    let max = "18446744073709551615";
    let docs = [
        (
            "xml attribute",
            format!(
                "<r>\n<row interval=\"15\" date_from=\"20240304\" time=\"08:00\" agent_id=\"42\" queue=\"1\" talking_call_dur=\"{huge}\"/>\n\
                 <row interval=\"15\" date_from=\"20240304\" time=\"08:15\" agent_id=\"42\" queue=\"1\" talking_call_dur=\"{max}\"/>\n</r>"
            ),
        ),
        (
            "xml element",
            format!(
                "<r>\n<row><interval>15</interval><date_from>20240304</date_from><time>08:00</time><agent_id>42</agent_id><queue>1</queue><talking_call_dur>{huge}</talking_call_dur></row>\n\
                 <row><interval>15</interval><date_from>20240304</date_from><time>08:15</time><agent_id>42</agent_id><queue>1</queue><talking_call_dur>{max}</talking_call_dur></row>\n</r>"
            ),
        ),
        (
            "json number",
            format!(
                "[{{\"interval\": 15, \"dateTimeFrom\": \"2024-03-04T08:00:00\", \"agentId\": 42, \"queue\": 1, \"talkingIxnDur\": {huge}}},\n\
                 {{\"interval\": 15, \"dateTimeFrom\": \"2024-03-04T08:15:00\", \"agentId\": 42, \"queue\": 1, \"talkingIxnDur\": {max}}}]"
            ),
        ),
        (
            "json string",
            format!(
                "{{\"interval\": 15, \"dateTimeFrom\": \"2024-03-04T08:00:00\", \"agentId\": 42, \"queue\": 1, \"talkingIxnDur\": \"{huge}\"}}\n\
                 {{\"interval\": 15, \"dateTimeFrom\": \"2024-03-04T08:15:00\", \"agentId\": 42, \"queue\": 1, \"talkingIxnDur\": \"{max}\"}}\n"
            ),
        ),
    ];
    for (label, doc) in docs {
        let t = same_at_every_read_size(&ReaderBuilder::new(), doc.as_bytes());
        assert_eq!(t.rows(), 1, "{label}: {t:?}");
        let d = t
            .steps
            .iter()
            .find_map(|s| match s {
                checks::Step::Error(d, false) => Some(d),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{label}: no V110 in {t:?}"));
        assert_eq!(d.code, Code::Overflow, "{label}: {d}");
        // A bare JSON number past u64 reaches the reader as an f64 (no
        // `arbitrary_precision` in serde_json), so the value printed is
        // that f64's text, not the file's digits: still an overflow,
        // never wrapped (a known gap, reported in round 2).
        let raw = if label == "json number" {
            "18446744073709552000"
        } else {
            huge
        };
        assert_eq!(d.value.as_deref(), Some(raw), "{label}: {d}");
        assert_eq!(
            d.location.field.as_deref(),
            Some("talking_call_dur"),
            "{label}: {d}"
        );
        assert_eq!(
            d.location.pos.line(),
            2 - u64::from(label.starts_with("json")),
            "{label}: {d}"
        );
        let mut r = ReaderBuilder::new()
            .from_bytes("h", doc.into_bytes())
            .expect("open");
        let rows: Vec<AgentExtRow> = r.rows().filter_map(Result::ok).collect();
        assert_eq!(rows[0].talking_call_dur, Some(u64::MAX), "{label}");
    }
}

/// Gigantic numbers in interaction metadata: a duration past u64 (in
/// milliseconds, or in seconds × 1000), an epoch past what a date can
/// hold are refused with a code naming the field (V110, V113); the
/// segment after each is read.
#[test]
fn huge_numbers_in_segments_are_refused_never_wrapped() {
    let ok = "{\"interactionId\": 1, \"segmentId\": \"ok\"}";
    for (label, bad, field, code) in [
        (
            "ms past u64",
            "{\"interactionId\": 1, \"segmentId\": 1, \"segmentDurationMs\": \"18446744073709551616\"}",
            "segment_duration_ms",
            Code::Overflow,
        ),
        (
            "seconds × 1000 past u64",
            "{\"interactionId\": 1, \"segmentID\": 1, \"segmentDuration\": 18446744073709552}",
            "segment_duration_ms",
            Code::Overflow,
        ),
        (
            "epoch past any date",
            "{\"interactionId\": 1, \"segmentId\": 1, \"segmentStartTimeMs\": 9999999999999999}",
            "segment_start",
            Code::BadValue,
        ),
    ] {
        let doc = format!("{bad}\n{ok}\n");
        let t = same_at_every_read_size(&ReaderBuilder::new(), doc.as_bytes());
        assert_eq!(t.rows(), 1, "{label}: {t:?}");
        let Some(checks::Step::Error(d, false)) = t.steps.first() else {
            panic!("{label}: {t:?}");
        };
        assert_eq!(d.location.field.as_deref(), Some(field), "{label}: {d}");
        assert_eq!(d.location.pos.line(), 1, "{label}: {d}");
        assert_eq!(d.code, code, "{label}: {d}");
    }
}

/// Every input of a local fuzz corpus (`fuzz/corpus/<target>/`, git-ignored,
/// filled by `fuzz/seed.sh` and by fuzz runs) through its own target. Not
/// part of the default run (a corpus holds thousands of inputs); after a
/// fuzz run: `cargo test --test tests replay_local_corpus -- --ignored`.
#[test]
#[ignore = "replays the local, git-ignored fuzz corpus; run after a fuzz run"]
fn replay_local_corpus() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let mut n = 0;
    for (name, target) in TARGETS {
        let dir = root.join(name);
        if !dir.is_dir() {
            continue;
        }
        for path in files_in(&format!("fuzz/corpus/{name}")) {
            let data = std::fs::read(&path).expect("read corpus input");
            let r = std::panic::catch_unwind(|| target(&data));
            assert!(r.is_ok(), "target {name} fails on {}", path.display());
            n += 1;
        }
    }
    eprintln!("replayed {n} corpus inputs");
}

/// A segment start of epoch milliseconds in the year 56526 was read, and
/// printed by `rcx parse` as `+56526-09-01T21:20:55.000+00:00`, which is
/// not RFC 3339 and which `parse_instant` refused to read back. Found by
/// `segments_reader` (the instants round-trip check, on a mutated v2
/// fixture). Fixed in `parse_instant` (src/model/segment.rs): instants
/// outside `PRINTABLE_YEARS` (UTC; since issue 14 the years 1-9998, so that
/// a bucket around the instant prints too) are refused, here V113 naming
/// the field; the next segment is read.
#[test]
fn regression_segment_instant_past_year_9999_did_not_round_trip() {
    let input: &[u8] = b"\x00\x00\x00\x08\
{\"interactionId\": 9001, \"segmentID\": 1, \"segmentContactStartTimeMs\": 1721642160055000, \"segmentDuration\": 5}\n\
{\"interactionId\": 9001, \"segmentID\": 2, \"segmentContactStartTimeMs\": \"9999-12-31T23:59:59.999Z\"}\n\
{\"interactionId\": 9001, \"segmentID\": 3, \"segmentContactStartTimeMs\": \"0000-01-01T00:30:00+01:00\"}\n";
    run_all(input);
    let t = same_at_every_read_size(&ReaderBuilder::new(), &input[HEADER_LEN..]);
    let errors: Vec<(u64, Code, Option<&str>)> = t
        .steps
        .iter()
        .filter_map(|s| match s {
            checks::Step::Error(d, false) => {
                Some((d.location.pos.line(), d.code, d.location.field.as_deref()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        errors,
        [
            (1, Code::BadValue, Some("segment_start")),
            (2, Code::BadValue, Some("segment_start")),
            (3, Code::BadValue, Some("segment_start"))
        ]
    );
    assert_eq!(
        t.rows(),
        0,
        "year 9999 is refused: its week or month bucket would end in 10000"
    );
}
/// A later file's opening error reported before an earlier file's row
/// error: the whole file stopped at its second row (F401, a duplicate),
/// the same rows split in two stopped at the second file's first record
/// (S009, longer than the 64-byte limit), because the rollup opened every
/// file up front to collect header warnings and returned the first failure
/// of that pass. Found by `rollup_split` (options: America/New_York,
/// `dd/MM/yyyy`, limit 64, agent-ext rows, split after 10 of 18 rows).
/// Fixed in `header_findings` (src/rollup/mod.rs): only the first file's
/// opening error is returned there; a later file fails the run when the run
/// reaches it.
#[test]
fn regression_later_file_open_error_reported_before_an_earlier_row_error() {
    let input: &[u8] = b"\
\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\
\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\
\x99\x99\x99\x99\x99\x01\x00\x00\x36\x25\x3d\xdc\x94\x74\x71\x75\
\x65\x75\x65\xba\x00\x4e\x71\x49\x8e\x5b\xda\xe0\x6d\x22\xff\xff\
\xff\xff\xff\xff\xff\xff\xe7\xdb\x81\xe9\xb3\x8b\x00\x00\x08\x58\
\x01\x01\x00\x12\x00\x00\x00\x00\x38\x58\x47\xe8\x03\x4b\x57\x38\
\x44\x08\x6c\x41\x60\x38\x44\x08\x6c\x41\x60\x4c\xd5\xb4\xe4\x6a\
\x2c\xa8\x65";
    run_all(input);
    // The same in plain files: the first error in path order wins.
    let dir = tempfile::tempdir().unwrap();
    let row = "30,20240304,04:30,42,Sales 2,5687,Q5687,74,459,0,0\n";
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    std::fs::write(&a, format!("{row}{row}")).unwrap();
    std::fs::write(
        &b,
        format!(
            "60,20240305,15:00,42,Sales 2,5687,Q5687,{},693,3,0\n",
            u64::MAX / 2
        ),
    )
    .unwrap();
    let rb = ReaderBuilder::new().max_record_len(64);
    let rollup = Rollup::new();
    for r in [
        rollup.run_files_sequential(&[&b, &a], &rb),
        rollup.run_files(&[&b, &a], &rb),
    ] {
        let e = r.expect_err("a duplicate row stops the rollup");
        assert_eq!(e.code(), Some(Code::DuplicateKey), "{e}");
        assert!(e.to_string().contains("a.csv:2: error[F401]"), "{e}");
    }
}
