// The checks the fuzz targets make, written once.
//
// Each fuzz target (`fuzz/fuzz_targets/*.rs`) is a one-line call into this
// file, and `tests/fuzzing.rs` pulls the same file in with `include!` to
// replay `fuzz/seeds/`, the fixtures and every regression input, so the
// targets and the replay cannot drift apart. Because of that `include!`,
// this file has no inner attributes and no `//!` docs, and uses only crates
// that both the fuzz crate and the main package's tests can see
// (`ringcx_reports`, `chrono`, `chrono_tz`, `serde_json`).
//
// Input framing: the first `HEADER_LEN` bytes of a fuzz input choose the
// reader options (see `Opts::decode`); the rest is the file. Inputs shorter
// than the header decode with zeros for the missing option bytes and an
// empty file.
//
// Adding a target: one `pub fn` here taking `&[u8]`, one file in
// `fuzz/fuzz_targets/` calling it, one `[[bin]]` entry in
// `fuzz/Cargo.toml`, and one line in the replay table of
// `tests/fuzzing.rs`.

use chrono::{LocalResult, Offset, TimeZone, Timelike};
use chrono_tz::Tz;
use ringcx_reports::inspect::inspect;
use ringcx_reports::read::{DEFAULT_MAX_DEPTH, DEFAULT_MAX_RECORD};
use ringcx_reports::validate::{Report, Validator};
use ringcx_reports::write::{write_rows, ParseFormat, RowStats, RowWriter};
use ringcx_reports::model::{format_instant, instant_from_millis, parse_instant};
use ringcx_reports::{
    AgentExtRow, AgentRow, DateOrder, Diagnostic, Error, ErrorKind, IntervalRow, QueueRow,
    ReaderBuilder, ReportKind, Segment, Severity, WireForm,
};

/// Option bytes at the start of every fuzz input.
pub const HEADER_LEN: usize = 4;

/// The file name every check reads under (errors must name it).
pub const NAME: &str = "fuzz.csv";

/// Source zones the fuzzer picks from: UTC (no resolution at all), zones
/// with an hour of DST, a 30-minute DST shift (Lord Howe), a +05:45 offset
/// (Kathmandu), a -03:30 offset (St John's), a DST change at midnight
/// (Sao Paulo, whose spring-forward day has no 00:00) and a day that does
/// not exist at all (Apia skipped 2011-12-30).
pub const ZONES: [&str; 8] = [
    "UTC",
    "America/New_York",
    "Asia/Kathmandu",
    "Europe/London",
    "Australia/Lord_Howe",
    "America/St_Johns",
    "America/Sao_Paulo",
    "Pacific/Apia",
];

/// Record-length limits the fuzzer picks from: the default, and small
/// ones that a fuzz input can actually reach (the builder's floor is 64).
pub const MAX_RECORDS: [usize; 8] = [DEFAULT_MAX_RECORD, 64, 100, 128, 256, 512, 1024, 4096];

/// XML/JSON nesting limits the fuzzer picks from: the default, and small
/// ones a fuzz input reaches (the builder's floor is 2).
pub const MAX_DEPTHS: [usize; 8] = [DEFAULT_MAX_DEPTH, 2, 3, 4, 5, 8, 16, 32];

/// Reader options decoded from a fuzz input's header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opts {
    /// Index into [`ZONES`].
    pub zone: usize,
    /// Slash-date order.
    pub date_order: DateOrder,
    /// A forced report kind, or `None` to detect it.
    pub report: Option<ReportKind>,
    /// Force the CSV wire form instead of detecting it.
    pub force_csv: bool,
    /// Ask the validator for gaps (F403).
    pub gaps: bool,
    /// Validate as two files (the body split at its first NUL byte) with
    /// the cross-check (X501-X503).
    pub cross: bool,
    /// Index into [`MAX_RECORDS`].
    pub max_record: usize,
    /// Index into [`MAX_DEPTHS`].
    pub max_depth: usize,
    /// The small buffer size of the differential checks, 1..=16.
    pub tiny_buffer: usize,
}

impl Default for Opts {
    fn default() -> Self {
        Opts {
            zone: 0,
            date_order: DateOrder::Mdy,
            report: None,
            force_csv: false,
            gaps: false,
            cross: false,
            max_record: 0,
            max_depth: 0,
            tiny_buffer: 1,
        }
    }
}

impl Opts {
    /// Splits a fuzz input into its options and its file bytes.
    ///
    /// Byte 0: zone (mod 8). Byte 1: bit 0 `dd/MM/yyyy`, bits 1-2 report
    /// (0 detect, 1 queue, 2 agent-ext, 3 agent), bit 3 gaps, bit 4 force
    /// CSV, bit 5 cross-check two files split at the first NUL byte. Byte
    /// 2: bits 0-2 record limit, bits 3-5 nesting limit. Byte 3: tiny
    /// buffer size (1 + byte mod 16).
    pub fn decode(data: &[u8]) -> (Opts, &[u8]) {
        let mut h = [0u8; HEADER_LEN];
        let n = data.len().min(HEADER_LEN);
        h[..n].copy_from_slice(&data[..n]);
        let opts = Opts {
            zone: h[0] as usize % ZONES.len(),
            date_order: if h[1] & 1 == 0 {
                DateOrder::Mdy
            } else {
                DateOrder::Dmy
            },
            report: match (h[1] >> 1) & 3 {
                0 => None,
                1 => Some(ReportKind::Queue),
                2 => Some(ReportKind::AgentExt),
                _ => Some(ReportKind::Agent),
            },
            gaps: h[1] & 8 != 0,
            cross: h[1] & 32 != 0,
            force_csv: h[1] & 16 != 0,
            max_record: h[2] as usize % MAX_RECORDS.len(),
            max_depth: (h[2] as usize >> 3) % MAX_DEPTHS.len(),
            tiny_buffer: 1 + h[3] as usize % 16,
        };
        (opts, &data[n..])
    }

    /// The header that decodes to these options (for seeds and tests).
    pub fn encode(&self) -> [u8; HEADER_LEN] {
        let report = match self.report {
            None => 0,
            Some(ReportKind::Queue) => 1,
            Some(ReportKind::AgentExt) => 2,
            Some(_) => 3,
        };
        [
            self.zone as u8,
            u8::from(self.date_order == DateOrder::Dmy)
                | report << 1
                | u8::from(self.gaps) << 3
                | u8::from(self.cross) << 5
                | u8::from(self.force_csv) << 4,
            (self.max_record % MAX_RECORDS.len()) as u8
                | ((self.max_depth % MAX_DEPTHS.len()) as u8) << 3,
            (self.tiny_buffer.clamp(1, 16) - 1) as u8,
        ]
    }

    /// The source zone.
    pub fn tz(&self) -> Tz {
        ZONES[self.zone % ZONES.len()]
            .parse()
            .expect("ZONES holds IANA names")
    }

    /// A reader builder with these options and the default buffer.
    pub fn builder(&self) -> ReaderBuilder {
        ReaderBuilder::new()
            .source_tz(self.tz())
            .date_order(self.date_order)
            .report(self.report)
            .form(self.force_csv.then_some(WireForm::Csv))
            .max_record_len(MAX_RECORDS[self.max_record % MAX_RECORDS.len()])
            .max_depth(MAX_DEPTHS[self.max_depth % MAX_DEPTHS.len()])
    }
}

/// One step of reading a file, in a form two reads can be compared in.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// A row, as its `Debug` text (every field, position and start).
    Row(String),
    /// An error: the full diagnostic, and whether it finished the reader.
    Error(Box<Diagnostic>, bool),
    /// `Ok(false)`.
    End,
}

/// What opening a file gave.
#[derive(Clone, Debug, PartialEq)]
pub enum Opened {
    /// The reader: kind, form, dialect and header findings.
    Reader {
        /// Report kind.
        kind: ReportKind,
        /// Wire form.
        form: WireForm,
        /// Dialect, as `Debug` text.
        dialect: String,
        /// Header findings.
        diagnostics: Vec<Diagnostic>,
    },
    /// A data error at open.
    Refused(Box<Diagnostic>),
    /// A usage error at open (a wire form this reader does not read).
    Usage(String),
}

/// A whole read of one file.
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    /// What opening gave.
    pub opened: Opened,
    /// Every step, ending with [`Step::End`] when the file opened.
    pub steps: Vec<Step>,
}

impl Trace {
    /// Rows read.
    pub fn rows(&self) -> u64 {
        self.steps
            .iter()
            .filter(|s| matches!(s, Step::Row(_)))
            .count() as u64
    }
    /// Data records read: rows and records refused by a non-fatal error.
    pub fn records(&self) -> u64 {
        self.steps
            .iter()
            .filter(|s| matches!(s, Step::Row(_) | Step::Error(_, false)))
            .count() as u64
    }
    /// The error that finished the reader, if one did.
    pub fn fatal(&self) -> Option<&Diagnostic> {
        self.steps.iter().find_map(|s| match s {
            Step::Error(d, true) => Some(&**d),
            _ => None,
        })
    }
}

/// How [`read_all`] hands the file to the reader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// `ReaderBuilder::from_bytes` with the builder's buffer.
    Whole,
    /// `ReaderBuilder::from_bytes` with a first buffer of `n` bytes (the
    /// first read returns `n` bytes, the buffer then grows).
    Small(usize),
    /// `ReaderBuilder::from_reader` over a stream that yields at most `n`
    /// bytes per read, with a buffer of `n` bytes: records straddle every
    /// refill, as they do when reading a pipe.
    Trickle(usize),
}

/// A stream that yields at most `chunk` bytes per read.
pub struct Trickle {
    data: Vec<u8>,
    at: usize,
    chunk: usize,
}

impl Trickle {
    /// A stream over `data` in reads of at most `chunk` (at least 1) bytes.
    pub fn new(data: Vec<u8>, chunk: usize) -> Self {
        Trickle {
            data,
            at: 0,
            chunk: chunk.max(1),
        }
    }
}

impl std::io::Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.chunk).min(self.data.len() - self.at);
        buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Opens `body` with `builder` as `source` says, named [`NAME`].
pub fn open(
    builder: &ReaderBuilder,
    body: &[u8],
    source: Source,
) -> ringcx_reports::Result<ringcx_reports::Reader> {
    open_as(NAME, builder, body, source)
}

/// Opens `body` named `name` with `builder` as `source` says.
pub fn open_as(
    name: &str,
    builder: &ReaderBuilder,
    body: &[u8],
    source: Source,
) -> ringcx_reports::Result<ringcx_reports::Reader> {
    match source {
        Source::Whole => builder.from_bytes(name, body.to_vec()),
        Source::Small(n) => builder
            .clone()
            .buffer_size(n)
            .from_bytes(name, body.to_vec()),
        Source::Trickle(n) => builder
            .clone()
            .buffer_size(n)
            .from_reader(name, Trickle::new(body.to_vec(), n)),
    }
}

/// Which read path [`read_all`] uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    /// `Reader::read_row` into one reused row.
    ReadRow,
    /// The `Reader::rows` iterator.
    Rows,
}

fn physical_lines(body: &[u8]) -> u64 {
    1 + body.iter().filter(|&&b| b == b'\n').count() as u64
}

/// Checks a diagnostic's invariants against the file it is about.
pub fn check_diagnostic(d: &Diagnostic, body: &[u8]) {
    let line = d.location.pos.line();
    assert!(line >= 1, "line {line} < 1 in {d}");
    assert!(
        line <= physical_lines(body),
        "line {line} past the last line {} in {d}",
        physical_lines(body)
    );
    assert!(
        d.location.pos.byte() <= body.len() as u64,
        "byte {} past the end {} in {d}",
        d.location.pos.byte(),
        body.len()
    );
    assert_eq!(&*d.location.file, NAME, "{d}");
    assert_eq!(d.severity, d.code.severity(), "{d}");
    assert!(!d.message.is_empty(), "{d}");
    assert!(!d.to_string().is_empty());
}

fn data_error(e: &Error, body: &[u8]) -> Diagnostic {
    match e.kind() {
        ErrorKind::Data(d) => {
            check_diagnostic(d, body);
            d.clone()
        }
        other => panic!("a read of in-memory bytes gave a non-data error: {other:?}"),
    }
}

/// The first byte that is not ASCII white space, after a UTF-8 BOM.
fn first_byte(body: &[u8]) -> Option<u8> {
    let b = body.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(body);
    b.iter().copied().find(|c| !c.is_ascii_whitespace())
}

/// Checks a row's invariants: position, the interval grid, and an offset
/// that the source zone really has at that local time.
/// Checks a record's position: on a real line and byte of the file, with
/// its record index, after the record before it. CSV records start on a
/// new line each; XML elements and JSON objects may share a line.
fn check_pos(
    pos: ringcx_reports::Position,
    record: u64,
    prev: Option<(u64, u64)>,
    csv: bool,
    body: &[u8],
    what: &dyn std::fmt::Debug,
) {
    assert!(
        pos.line() >= 1 && pos.line() <= physical_lines(body),
        "line of {what:?}"
    );
    assert!(pos.byte() < body.len() as u64, "byte of {what:?}");
    assert_eq!(pos.record(), record, "record index of {what:?}");
    if let Some((line, byte)) = prev {
        if csv {
            assert!(pos.line() > line, "rows go back a line: {what:?}");
        } else {
            assert!(pos.line() >= line, "rows go back a line: {what:?}");
        }
        assert!(pos.byte() > byte, "rows go back a byte: {what:?}");
    }
}

fn check_row<T: IntervalRow>(
    row: &T,
    tz: Tz,
    record: u64,
    prev: Option<(u64, u64)>,
    csv: bool,
    body: &[u8],
) {
    check_pos(row.pos(), record, prev, csv, body, row);
    let minutes = row.interval().minutes();
    assert!(matches!(minutes, 15 | 30 | 45 | 60), "{row:?}");
    let start = row.start();
    let local = start.local();
    assert_eq!(local.second(), 0, "{row:?}");
    assert_eq!(local.nanosecond(), 0, "{row:?}");
    assert_eq!(
        (local.hour() * 60 + local.minute()) % minutes,
        0,
        "start off the {minutes}-minute grid: {row:?}"
    );
    let offset = start.offset();
    match tz.offset_from_local_datetime(&local) {
        LocalResult::Single(o) => assert_eq!(o.fix(), offset, "{row:?}"),
        LocalResult::Ambiguous(a, b) => {
            assert!(offset == a.fix() || offset == b.fix(), "{row:?}")
        }
        LocalResult::None => panic!("a row starts at a local time that does not exist: {row:?}"),
    }
    assert_eq!(
        start.instant().with_timezone(&tz).naive_local(),
        local,
        "the start does not round-trip through {tz}: {row:?}"
    );
    assert_eq!(start.timestamp(), start.instant().timestamp());
    // What `rcx parse` prints as `start` names the same instant.
    let text = start.to_rfc3339();
    let parsed = chrono::DateTime::parse_from_rfc3339(&text)
        .unwrap_or_else(|e| panic!("start {text:?} is not RFC 3339 ({e}): {row:?}"));
    assert_eq!(
        parsed.timestamp(),
        start.timestamp(),
        "start {text:?} names another instant: {row:?}"
    );
    for &k in T::KEY_FIELDS {
        assert!(
            row.text(k).is_some_and(|v| !v.is_empty()),
            "empty key {k:?} in {row:?}"
        );
    }
}

/// How [`read_records`] reads and checks one kind of record (a typed
/// interval row or a segment).
struct RecordOps<R> {
    /// `Reader::read_row` / `read_segment` into a reused record.
    read: fn(&mut ringcx_reports::Reader, &mut R) -> ringcx_reports::Result<bool>,
    /// The next item of `Reader::rows` / `segments` (a fresh iterator each
    /// call: the iterators keep no state of their own).
    next: fn(&mut ringcx_reports::Reader) -> Option<ringcx_reports::Result<R>>,
    /// The record's position.
    pos: fn(&R) -> ringcx_reports::Position,
}

fn read_rows<T: IntervalRow>(
    reader: &mut ringcx_reports::Reader,
    tz: Tz,
    body: &[u8],
    path: Path,
) -> Vec<Step> {
    let ops = RecordOps::<T> {
        read: |r, row| r.read_row(row),
        next: |r| r.rows::<T>().next(),
        pos: |row| row.pos(),
    };
    let csv = reader.form() == WireForm::Csv;
    read_records(reader, body, path, ops, |row: &T, record, prev| {
        check_row(row, tz, record, prev, csv, body)
    })
}

fn read_segments(reader: &mut ringcx_reports::Reader, body: &[u8], path: Path) -> Vec<Step> {
    let ops = RecordOps::<Segment> {
        read: |r, seg| r.read_segment(seg),
        next: |r| r.segments().next(),
        pos: |seg| seg.pos,
    };
    read_records(reader, body, path, ops, |seg: &Segment, record, prev| {
        check_segment(seg, record, prev, body)
    })
}

/// Checks a segment's invariants: its position, non-empty required ids,
/// instants of whole milliseconds that print and parse back to themselves,
/// and a computed end that does not panic.
pub fn check_segment(seg: &Segment, record: u64, prev: Option<(u64, u64)>, body: &[u8]) {
    check_pos(seg.pos, record, prev, false, body, seg);
    assert!(!seg.interaction_id.is_empty(), "empty interactionId: {seg:?}");
    assert!(!seg.segment_id.is_empty(), "empty segmentId: {seg:?}");
    let events = seg.events.iter().flatten();
    let instants = [
        seg.interaction_start,
        seg.segment_start,
        seg.segment_end,
        seg.interaction_end,
    ]
    .into_iter()
    .chain(events.flat_map(|e| [e.time, e.client_time]))
    .flatten();
    for t in instants {
        assert_eq!(t.timestamp_subsec_nanos() % 1_000_000, 0, "{t:?} in {seg:?}");
        let text = format_instant(t);
        assert_eq!(
            parse_instant(&text),
            Some(t),
            "{text} does not parse back to {t:?}"
        );
        assert_eq!(instant_from_millis(t.timestamp_millis()), Some(t));
    }
    if let (Some(s), Some(e)) = (seg.segment_start, seg.end_or_computed()) {
        if seg.segment_end.is_none() {
            let ms = seg.segment_duration_ms.expect("an end computed from a duration");
            assert_eq!((e - s).num_milliseconds() as u64, ms, "{seg:?}");
        }
    }
    let mut copy = seg.clone();
    copy.reset();
    assert_eq!(copy, Segment::default(), "reset leaves values behind");
}

fn read_records<R: std::fmt::Debug + Default>(
    reader: &mut ringcx_reports::Reader,
    body: &[u8],
    path: Path,
    ops: RecordOps<R>,
    check: impl Fn(&R, u64, Option<(u64, u64)>),
) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut records = 0u64;
    let mut prev = None;
    // Every record consumes at least one byte: more calls than bytes means
    // the reader stopped making progress.
    let budget = body.len() + 3;
    let mut push_row = |row: &R, records: &mut u64, steps: &mut Vec<Step>| {
        check(row, *records, prev);
        let pos = (ops.pos)(row);
        prev = Some((pos.line(), pos.byte()));
        *records += 1;
        steps.push(Step::Row(format!("{row:?}")));
    };
    match path {
        Path::ReadRow => {
            let mut row = R::default();
            let mut calls = 0;
            loop {
                calls += 1;
                assert!(calls <= budget, "the reader makes no progress");
                match (ops.read)(reader, &mut row) {
                    Ok(true) => push_row(&row, &mut records, &mut steps),
                    Ok(false) => {
                        assert!(reader.is_finished(), "Ok(false) but not finished");
                        for _ in 0..2 {
                            assert!(
                                matches!((ops.read)(reader, &mut row), Ok(false)),
                                "a read after Ok(false) did not give Ok(false)"
                            );
                        }
                        steps.push(Step::End);
                        break;
                    }
                    Err(e) => {
                        let d = data_error(&e, body);
                        assert_eq!(d.location.pos.record(), records, "record index of {d}");
                        let fatal = reader.is_finished();
                        if !fatal {
                            records += 1;
                        }
                        steps.push(Step::Error(Box::new(d), fatal));
                    }
                }
            }
        }
        Path::Rows => {
            let mut calls = 0;
            loop {
                calls += 1;
                assert!(calls <= budget, "the row iterator makes no progress");
                match (ops.next)(reader) {
                    Some(Ok(row)) => push_row(&row, &mut records, &mut steps),
                    Some(Err(e)) => {
                        let d = data_error(&e, body);
                        assert_eq!(d.location.pos.record(), records, "record index of {d}");
                        steps.push(Step::Error(Box::new(d), false));
                        records += 1;
                    }
                    None => {
                        assert!((ops.next)(reader).is_none(), "the iterator resumed after None");
                        steps.push(Step::End);
                        break;
                    }
                }
            }
            // The iterator cannot say which error finished the reader: it
            // is the last one when the reader finished on an error.
            let finished_on_error = reader.is_finished()
                && matches!(steps.iter().rev().nth(1), Some(Step::Error(..)))
                && reader.records_read() < records;
            if finished_on_error {
                let n = steps.len();
                if let Step::Error(_, fatal) = &mut steps[n - 2] {
                    *fatal = true;
                }
                records -= 1;
            }
        }
    }
    assert!(reader.is_finished());
    assert_eq!(reader.records_read(), records, "records_read()");
    assert!(reader.bytes_read() <= body.len() as u64);
    steps
}

/// Reads a whole file with `builder`, checking every invariant on the way
/// (no panic; every error a data error with a location on a real line and
/// a code; after `Ok(false)` nothing more; every row on its interval grid
/// with an offset the zone has), and returns what was read.
pub fn read_all(builder: &ReaderBuilder, tz: Tz, body: &[u8], source: Source, path: Path) -> Trace {
    let mut reader = match open(builder, body, source) {
        Ok(r) => r,
        Err(e) => {
            let opened = match e.kind() {
                ErrorKind::Data(d) => {
                    check_diagnostic(d, body);
                    Opened::Refused(Box::new(d.clone()))
                }
                ErrorKind::Usage(m) => Opened::Usage(m.clone()),
                ErrorKind::Io { .. } => panic!("opening in-memory bytes gave {e:?}"),
                _ => panic!("unexpected error kind {e:?}"),
            };
            return Trace {
                opened,
                steps: Vec::new(),
            };
        }
    };
    // The checks below hold for every wire form. A CSV reader has a
    // dialect.
    assert_eq!(reader.form() == WireForm::Csv, reader.dialect().is_some());
    for d in reader.diagnostics() {
        check_diagnostic(d, body);
    }
    let kind = reader.kind();
    let steps = match kind {
        ReportKind::Queue => read_rows::<QueueRow>(&mut reader, tz, body, path),
        ReportKind::AgentExt => read_rows::<AgentExtRow>(&mut reader, tz, body, path),
        ReportKind::Agent => read_rows::<AgentRow>(&mut reader, tz, body, path),
        ReportKind::Segments => {
            assert_ne!(reader.form(), WireForm::Csv, "a CSV file was read as segments");
            read_segments(&mut reader, body, path)
        }
        other => panic!("no check for report kind {other:?}"),
    };
    Trace {
        opened: Opened::Reader {
            kind,
            form: reader.form(),
            dialect: format!("{:?}", reader.dialect()),
            diagnostics: reader.diagnostics().to_vec(),
        },
        steps,
    }
}

/// Asserts two traces are equal, naming the first difference.
pub fn assert_same(a: &Trace, b: &Trace, what: &str) {
    assert_eq!(a.opened, b.opened, "{what}: opened differently");
    for (i, (x, y)) in a.steps.iter().zip(&b.steps).enumerate() {
        assert_eq!(x, y, "{what}: step {i} differs");
    }
    assert_eq!(
        a.steps.len(),
        b.steps.len(),
        "{what}: {} steps, then {:?}; against {} steps, then {:?}",
        a.steps.len(),
        a.steps.last(),
        b.steps.len(),
        b.steps.last()
    );
}

fn check_opened(opts: &Opts, body: &[u8], t: &Trace) {
    match &t.opened {
        Opened::Reader { kind, form, .. } => {
            if let Some(forced) = opts.report {
                assert_eq!(*kind, forced, "the forced report kind was not used");
            }
            if opts.force_csv || !matches!(first_byte(body), Some(b'<' | b'[' | b'{')) {
                assert_eq!(*form, WireForm::Csv, "the wire form");
            }
        }
        Opened::Refused(_) => {}
        Opened::Usage(m) => assert!(
            !opts.force_csv && matches!(first_byte(body), Some(b'<' | b'[' | b'{')),
            "usage error opening a CSV file: {m}"
        ),
    }
}

/// Target `csv_reader`: arbitrary bytes through the reader with the
/// options of the header. Both read paths give the same trace, `inspect`
/// agrees with it, and `rcx parse`'s writer prints one JSON object per row.
pub fn csv_reader(data: &[u8]) {
    let (opts, body) = Opts::decode(data);
    csv_reader_with(&opts, body);
}

/// [`csv_reader`] with the options given apart from the file.
pub fn csv_reader_with(opts: &Opts, body: &[u8]) {
    let builder = opts.builder();
    let t = read_all(&builder, opts.tz(), body, Source::Whole, Path::ReadRow);
    check_opened(opts, body, &t);
    check_reader(&builder, opts.tz(), body, &t);
}

/// The checks of [`csv_reader`] past opening, for any wire form: the
/// iterator gives trace `t` again, and for interval rows `rcx inspect` and
/// `rcx parse --skip-invalid` agree with it.
fn check_reader(builder: &ReaderBuilder, tz: Tz, body: &[u8], t: &Trace) {
    let t2 = read_all(builder, tz, body, Source::Whole, Path::Rows);
    assert_same(t, &t2, "the rows() iterator");
    let Opened::Reader { kind, .. } = t.opened else {
        return;
    };
    if kind == ReportKind::Segments {
        return;
    }
    // `rcx inspect`: the same counts, and a fatal error is its error.
    let mut reader = builder
        .from_bytes(NAME, body.to_vec())
        .expect("opened above");
    match inspect(&mut reader) {
        Ok(i) => {
            assert!(t.fatal().is_none(), "inspect passed over {:?}", t.fatal());
            assert_eq!(i.rows, t.rows(), "inspect rows");
            assert_eq!(i.invalid, t.records() - t.rows(), "inspect invalid");
            let first = t.steps.iter().find_map(|s| match s {
                Step::Error(d, _) => Some(&**d),
                _ => None,
            });
            assert_eq!(i.first_invalid.as_ref(), first, "inspect first_invalid");
            if let (Some(f), Some(l)) = (i.first, i.last) {
                assert!(f.timestamp() <= l.timestamp());
            } else {
                assert_eq!(i.rows, 0);
            }
        }
        Err(e) => {
            let d = data_error(&e, body);
            assert_eq!(Some(&d), t.fatal(), "inspect stopped on another error");
        }
    }
    // `rcx parse --skip-invalid`: one JSON object per row, with its start,
    // but the rows that repeat a key and start (F401), skipped.
    let repeats = naive_repeats(builder, body, kind);
    let mut reader = builder
        .from_bytes(NAME, body.to_vec())
        .expect("opened above");
    let mut out = Vec::new();
    let mut stats = RowStats::default();
    let mut writer = RowWriter::new(ParseFormat::Ndjson);
    match write_rows(&mut reader, &mut writer, &mut out, true, &mut stats) {
        Ok(()) => assert!(t.fatal().is_none()),
        Err(e) => assert_eq!(Some(&data_error(&e, body)), t.fatal()),
    }
    assert_eq!(stats.unchecked_duplicates, 0, "parse unchecked");
    assert_eq!(stats.rows, t.rows() - repeats, "parse rows");
    assert_eq!(
        stats
            .skipped
            .get(&ringcx_reports::Code::DuplicateKey)
            .copied()
            .unwrap_or(0),
        repeats,
        "parse F401"
    );
    assert_eq!(
        stats.skipped.values().sum::<u64>(),
        t.records() - stats.rows,
        "parse skipped"
    );
    let text = std::str::from_utf8(&out).expect("NDJSON output is UTF-8");
    assert_eq!(text.lines().count() as u64, stats.rows);
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("parse printed invalid JSON ({e}): {line}"));
        let start = v.get("start").and_then(|s| s.as_str()).expect("start");
        assert!(
            chrono::DateTime::parse_from_rfc3339(start).is_ok(),
            "start {start:?} is not RFC 3339"
        );
    }
}

/// The rows of a file that repeat the key and start instant of an earlier
/// row (F401), by the plain rule: a set of every (key, instant) read.
fn naive_repeats(builder: &ReaderBuilder, body: &[u8], kind: ReportKind) -> u64 {
    fn go<T: IntervalRow>(reader: &mut ringcx_reports::Reader) -> u64 {
        let mut seen = std::collections::HashSet::new();
        let mut row = T::default();
        let mut repeats = 0;
        loop {
            match reader.read_row(&mut row) {
                Ok(true) => {
                    let mut key = String::new();
                    row.key_into(&mut key);
                    if !seen.insert((key, row.start().timestamp())) {
                        repeats += 1;
                    }
                }
                Ok(false) => return repeats,
                Err(_) if reader.is_finished() => return repeats,
                Err(_) => {}
            }
        }
    }
    let mut reader = builder
        .from_bytes(NAME, body.to_vec())
        .expect("opened above");
    match kind {
        ReportKind::Queue => go::<QueueRow>(&mut reader),
        ReportKind::AgentExt => go::<AgentExtRow>(&mut reader),
        ReportKind::Agent => go::<AgentRow>(&mut reader),
        ReportKind::Segments => 0,
        other => panic!("no check for report kind {other:?}"),
    }
}

/// Target `csv_tiny_buffer`: the same bytes read whole with the default
/// buffer, with `buffer_size(n)`, and as a stream of reads of `n` bytes
/// into a buffer of `n` bytes (`n` in 1..=16 from the header) give
/// identical traces:
/// the same rows, the same errors (code, line, field, value, message) at
/// the same points.
pub fn csv_tiny_buffer(data: &[u8]) {
    let (opts, body) = Opts::decode(data);
    csv_tiny_buffer_with(&opts, body);
}

/// [`csv_tiny_buffer`] with the options given apart from the file.
pub fn csv_tiny_buffer_with(opts: &Opts, body: &[u8]) {
    let builder = opts.builder();
    let tz = opts.tz();
    let whole = read_all(&builder, tz, body, Source::Whole, Path::ReadRow);
    let tiny = read_all(
        &builder,
        tz,
        body,
        Source::Trickle(opts.tiny_buffer),
        Path::ReadRow,
    );
    assert_same(
        &whole,
        &tiny,
        &format!("reads of {} bytes", opts.tiny_buffer),
    );
    let small = read_all(
        &builder,
        tz,
        body,
        Source::Small(opts.tiny_buffer),
        Path::ReadRow,
    );
    assert_same(
        &whole,
        &small,
        &format!("buffer_size({})", opts.tiny_buffer),
    );
}

/// Checks a validation report's invariants: diagnostics sorted by line
/// then code, counts equal to the severities, each diagnostic located.
pub fn check_report(report: &Report, body: &[u8]) {
    for d in &report.diagnostics {
        check_diagnostic(d, body);
    }
    for w in report.diagnostics.windows(2) {
        let key = |d: &Diagnostic| (d.location.pos.line(), d.code);
        assert!(
            key(&w[0]) <= key(&w[1]),
            "diagnostics out of order: {} then {}",
            w[0],
            w[1]
        );
    }
    let count = |s: Severity| {
        report
            .diagnostics
            .iter()
            .filter(|d| d.severity == s)
            .count() as u64
    };
    assert_eq!(report.summary.errors, count(Severity::Error), "errors");
    assert_eq!(
        report.summary.warnings,
        count(Severity::Warning),
        "warnings"
    );
    assert_eq!(report.has_errors(), report.summary.errors > 0);
    assert_eq!(report.summary.files, 1);
    assert!(report.summary.cross.is_none());
}

/// Target `validate`: arbitrary bytes through the validator. No panic;
/// diagnostics sorted; counts equal to the severities; rows counted as the
/// reader counts them; the same report with a tiny buffer.
pub fn validate(data: &[u8]) {
    let (opts, body) = Opts::decode(data);
    validate_with(&opts, body);
}

fn run_validator(opts: &Opts, body: &[u8], source: Source) -> Option<Report> {
    let builder = opts.builder();
    let v = Validator::new().reader(builder.clone()).gaps(opts.gaps);
    match v.validate_opened(open(&builder, body, source)) {
        Ok(r) => Some(r),
        Err(e) => {
            assert!(e.is_usage(), "validation of in-memory bytes failed: {e:?}");
            None
        }
    }
}

/// [`validate`] with the options given apart from the file.
pub fn validate_with(opts: &Opts, body: &[u8]) {
    if opts.cross {
        return cross_check_with(opts, body);
    }
    let builder = opts.builder();
    let trace = read_all(&builder, opts.tz(), body, Source::Whole, Path::ReadRow);
    let Some(report) = run_validator(opts, body, Source::Whole) else {
        assert!(
            matches!(trace.opened, Opened::Usage(_)),
            "the validator refused a file the reader opened"
        );
        return;
    };
    check_report(&report, body);
    match &trace.opened {
        Opened::Refused(d) => {
            assert_eq!(report.diagnostics, [(**d).clone()], "refused file");
            assert_eq!(report.summary.rows, 0);
        }
        Opened::Reader { diagnostics, .. } => {
            assert_eq!(report.summary.rows, trace.records(), "rows");
            // Every header finding and every reader error is in the report.
            let errors = trace.steps.iter().filter_map(|s| match s {
                Step::Error(d, _) => Some(&**d),
                _ => None,
            });
            for d in diagnostics.iter().chain(errors) {
                assert!(report.diagnostics.contains(d), "lost finding: {d}");
            }
        }
        Opened::Usage(_) => panic!("the validator read a file the reader refused"),
    }
    let tiny = run_validator(opts, body, Source::Trickle(opts.tiny_buffer))
        .expect("validated with the default buffer");
    assert_eq!(
        report.diagnostics, tiny.diagnostics,
        "buffer size {} changed the findings",
        opts.tiny_buffer
    );
    assert_eq!(report.summary, tiny.summary);
}

/// The two file names of a cross-check, in the order they are added.
pub const CROSS_NAMES: [&str; 2] = ["fuzz-1.csv", "fuzz-2.csv"];

/// Validates `parts` as two files in one cross-checking run.
pub fn run_cross(opts: &Opts, parts: [&[u8]; 2], source: Source) -> ringcx_reports::Result<Report> {
    let builder = opts.builder();
    let v = Validator::new()
        .reader(builder.clone())
        .gaps(opts.gaps)
        .cross_check(true);
    let mut run = v.session();
    for (name, part) in CROSS_NAMES.iter().zip(parts) {
        let opened = open_as(name, &builder, part, source);
        run.add(opened)?;
    }
    run.finish()
}

/// The cross-check of [`validate`]: the body split at its first NUL byte
/// into two files, validated in one run with `cross_check(true)`. A usage
/// error exactly when a file is not CSV or one side has no rows; else the
/// report's invariants, the cross totals equal to the rows read, findings
/// sorted by file, line and code, the same report on a second run (the
/// reconciliation table is a hash map) and with tiny reads.
pub fn cross_check_with(opts: &Opts, body: &[u8]) {
    let cut = body.iter().position(|&b| b == 0).unwrap_or(body.len());
    let parts = [&body[..cut], body.get(cut + 1..).unwrap_or(&[])];
    let traces =
        parts.map(|p| read_all(&opts.builder(), opts.tz(), p, Source::Whole, Path::ReadRow));
    let rows_of = |kind: ReportKind| -> u64 {
        traces
            .iter()
            .filter(|t| matches!(t.opened, Opened::Reader { kind: k, .. } if k == kind))
            .map(Trace::rows)
            .sum()
    };
    let (queue_rows, agent_rows) = (rows_of(ReportKind::Queue), rows_of(ReportKind::AgentExt));
    let usage = traces.iter().any(|t| matches!(t.opened, Opened::Usage(_)))
        || queue_rows == 0
        || agent_rows == 0;
    let report = match run_cross(opts, parts, Source::Whole) {
        Ok(r) => r,
        Err(e) => {
            assert!(e.is_usage(), "cross-check of in-memory bytes: {e:?}");
            assert!(
                usage,
                "usage error with {queue_rows} queue and {agent_rows} agent rows: {e}"
            );
            return;
        }
    };
    assert!(!usage, "a cross-check ran without both sides");
    let file_idx = |d: &Diagnostic| {
        CROSS_NAMES
            .iter()
            .position(|n| **n == *d.location.file)
            .unwrap_or_else(|| panic!("unknown file in {d}"))
    };
    for d in &report.diagnostics {
        let part = parts[file_idx(d)];
        let line = d.location.pos.line();
        assert!(line >= 1 && line <= physical_lines(part), "{d}");
        assert_eq!(d.severity, d.code.severity(), "{d}");
    }
    for w in report.diagnostics.windows(2) {
        let key = |d: &Diagnostic| (file_idx(d), d.location.pos.line(), d.code);
        assert!(
            key(&w[0]) <= key(&w[1]),
            "out of order: {} then {}",
            w[0],
            w[1]
        );
    }
    let count = |s: Severity| {
        report
            .diagnostics
            .iter()
            .filter(|d| d.severity == s)
            .count() as u64
    };
    assert_eq!(report.summary.errors, count(Severity::Error));
    assert_eq!(report.summary.warnings, count(Severity::Warning));
    assert_eq!(report.summary.files, 2);
    let cross = report.summary.cross.expect("cross summary");
    assert_eq!(cross.queue.rows, queue_rows, "queue rows summed");
    assert_eq!(cross.agents.rows, agent_rows, "agent rows summed");
    assert!(cross.differing <= cross.intervals);
    let x = report
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str().starts_with('X'))
        .count() as u64;
    assert!(
        x >= cross.differing && x <= 3 * cross.differing,
        "{x} X5xx findings for {} differing intervals",
        cross.differing
    );
    let again = run_cross(opts, parts, Source::Whole).expect("ran once");
    assert_eq!(
        report.diagnostics, again.diagnostics,
        "a second run differs"
    );
    assert_eq!(report.summary, again.summary);
    let tiny = run_cross(opts, parts, Source::Trickle(opts.tiny_buffer)).expect("ran whole");
    assert_eq!(report.diagnostics, tiny.diagnostics, "tiny reads differ");
    assert_eq!(report.summary, tiny.summary);
}

/// The differential reads of the XML and JSON targets: the trace read
/// whole, in reads of `n` bytes into a buffer of `n` bytes, and with a
/// first buffer of `n` bytes are identical.
fn check_tiny(builder: &ReaderBuilder, tz: Tz, body: &[u8], whole: &Trace, n: usize) {
    let tiny = read_all(builder, tz, body, Source::Trickle(n), Path::ReadRow);
    assert_same(whole, &tiny, &format!("reads of {n} bytes"));
    let small = read_all(builder, tz, body, Source::Small(n), Path::ReadRow);
    assert_same(whole, &small, &format!("buffer_size({n})"));
}

/// Target `xml_reader`: arbitrary bytes read as XML (the form forced),
/// with the zone, date order, report kind, record and depth limits of the
/// header. No panic; every error a positioned data error; rows on their
/// grid with the zone's offset, records in file order (elements may share
/// a line); the iterator, `inspect` and `rcx parse` agree; reads of 1-16
/// bytes give the same trace. A DOCTYPE with an internal subset is refused
/// (S-code, never expanded), so no row ever comes after one.
pub fn xml_reader(data: &[u8]) {
    let (opts, body) = Opts::decode(data);
    xml_reader_with(&opts, body);
}

/// [`xml_reader`] with the options given apart from the file.
pub fn xml_reader_with(opts: &Opts, body: &[u8]) {
    let builder = opts.builder().form(Some(WireForm::Xml));
    let tz = opts.tz();
    let t = read_all(&builder, tz, body, Source::Whole, Path::ReadRow);
    match &t.opened {
        Opened::Reader { kind, form, .. } => {
            assert_eq!(*form, WireForm::Xml);
            assert_ne!(*kind, ReportKind::Segments, "XML read as segments");
            if let Some(k) = opts.report {
                assert_eq!(*kind, k);
            }
        }
        Opened::Refused(_) => {}
        Opened::Usage(m) => panic!("usage error reading XML: {m}"),
    }
    // Entities are never expanded: a document whose prolog declares one
    // gives no row at all.
    if declares_entity(body) {
        assert_eq!(t.rows(), 0, "rows read from a document declaring an entity");
    }
    check_reader(&builder, tz, body, &t);
    check_tiny(&builder, tz, body, &t, opts.tiny_buffer);
}

/// Whether the document's prolog (an optional BOM, an optional XML
/// declaration, white space, comments) is followed by a DOCTYPE whose
/// internal subset declares an entity. Text that merely looks like one
/// (inside a processing instruction, a comment, after the root) does not
/// count.
fn declares_entity(body: &[u8]) -> bool {
    let mut b = body.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(body);
    loop {
        b = &b[b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len())..];
        let skip = |b: &[u8], open: &[u8], close: &[u8]| -> Option<usize> {
            let rest = b.strip_prefix(open)?;
            find(rest, close).map(|i| open.len() + i + close.len())
        };
        if let Some(n) = skip(b, b"<?", b"?>").or_else(|| skip(b, b"<!--", b"-->")) {
            b = &b[n..];
            continue;
        }
        break;
    }
    let Some(rest) = b.strip_prefix(b"<!DOCTYPE") else {
        return false;
    };
    let subset_end = find(rest, b"]>").unwrap_or(rest.len());
    let head = &rest[..subset_end];
    // An internal subset opens before the DOCTYPE's first `>`.
    let open = head.iter().position(|&c| c == b'[');
    let first_gt = head.iter().position(|&c| c == b'>');
    match open {
        Some(o) if first_gt.is_none_or(|g| o < g) => find(&head[o..], b"<!ENTITY").is_some(),
        _ => false,
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Target `json_reader`: arbitrary bytes read as interval JSON (the form
/// forced: an array, `{"records": [...]}` or `{"data": [...]}`, or NDJSON)
/// with the options of the header. The same checks as [`xml_reader`]; a
/// file detected as interaction metadata is read as segments and checked
/// as [`segments_reader`] checks them.
pub fn json_reader(data: &[u8]) {
    let (opts, body) = Opts::decode(data);
    json_reader_with(&opts, body);
}

/// [`json_reader`] with the options given apart from the file.
pub fn json_reader_with(opts: &Opts, body: &[u8]) {
    let builder = opts.builder().form(Some(WireForm::Json));
    json_checks(opts, &builder, body);
}

fn json_checks(opts: &Opts, builder: &ReaderBuilder, body: &[u8]) {
    let tz = opts.tz();
    let t = read_all(builder, tz, body, Source::Whole, Path::ReadRow);
    match &t.opened {
        Opened::Reader { form, dialect, .. } => {
            assert!(matches!(form, WireForm::Json | WireForm::Ndjson), "{form:?}");
            assert_eq!(dialect, "None");
        }
        Opened::Refused(_) => {}
        Opened::Usage(m) => panic!("usage error reading JSON: {m}"),
    }
    check_reader(builder, tz, body, &t);
    check_tiny(builder, tz, body, &t, opts.tiny_buffer);
}

/// Target `segments_reader`: arbitrary bytes read as interaction metadata
/// (JSON forced; the report forced to segments when the header's report
/// bits are 0, detected otherwise). No panic; positioned errors; each
/// segment has its record index, non-empty ids, and instants of whole
/// milliseconds that print and parse back to themselves; `read_segment`
/// and `segments()` give the same trace; so do reads of 1-16 bytes.
pub fn segments_reader(data: &[u8]) {
    let (opts, body) = Opts::decode(data);
    segments_reader_with(&opts, body);
}

/// [`segments_reader`] with the options given apart from the file.
pub fn segments_reader_with(opts: &Opts, body: &[u8]) {
    let report = match opts.report {
        None => Some(ReportKind::Segments),
        Some(_) => None,
    };
    let builder = opts
        .builder()
        .form(Some(WireForm::Json))
        .report(report);
    json_checks(opts, &builder, body);
}

// ---------------------------------------------------------------------
// Rollup differentials.
// ---------------------------------------------------------------------

use ringcx_reports::rollup::{Grouping, Rollup, RollupTable};
use ringcx_reports::window::{Attribution, BucketInterval};

/// Options of the rollup targets, from the byte after the 4 reader
/// option bytes: bits 0-2 grouping (mod 6; groupings that need a group map
/// or do not fit the report give the same usage error on both sides),
/// bits 3-5 bucket interval (index into `BucketInterval::ALL`), bit 6
/// skip invalid rows, bit 7 attribute rows to the bucket of their start.
/// The bucket zone is the source zone's neighbour in [`ZONES`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RollupOpts {
    /// Index into `Grouping::ALL`.
    pub grouping: usize,
    /// Index into `BucketInterval::ALL`.
    pub interval: usize,
    /// `skip_invalid`.
    pub skip_invalid: bool,
    /// `Attribution::Start` instead of `Nest`.
    pub start: bool,
}

impl RollupOpts {
    /// Splits the rollup option byte off `body`.
    pub fn decode(body: &[u8]) -> (RollupOpts, &[u8]) {
        let b = body.first().copied().unwrap_or(0);
        let o = RollupOpts {
            grouping: (b & 7) as usize % Grouping::ALL.len(),
            interval: (b >> 3 & 7) as usize,
            skip_invalid: b & 64 != 0,
            start: b & 128 != 0,
        };
        (o, body.get(1..).unwrap_or(&[]))
    }

    /// The byte that decodes to these options.
    pub fn encode(&self) -> u8 {
        self.grouping as u8 & 7
            | (self.interval as u8 & 7) << 3
            | u8::from(self.skip_invalid) << 6
            | u8::from(self.start) << 7
    }

    /// The rollup with these options, the source zone of `opts` and the
    /// next zone of [`ZONES`] for buckets.
    pub fn rollup(&self, opts: &Opts) -> Rollup {
        let bucket_tz: Tz = ZONES[(opts.zone + 1) % ZONES.len()]
            .parse()
            .expect("ZONES holds IANA names");
        Rollup::new()
            .by(Grouping::ALL[self.grouping % Grouping::ALL.len()])
            .interval(BucketInterval::ALL[self.interval % BucketInterval::ALL.len()])
            .source_tz(opts.tz())
            .tz(bucket_tz)
            .skip_invalid(self.skip_invalid)
            .attribution(if self.start {
                Attribution::Start
            } else {
                Attribution::Nest
            })
    }
}

/// A directory of its own for one check's files, removed on drop.
pub struct TempDir(std::path::PathBuf);

impl TempDir {
    /// A new empty directory under the system temp directory.
    pub fn new() -> TempDir {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("rcx-fuzz-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create a temp dir");
        TempDir(dir)
    }

    /// Writes `bytes` to `name` in the directory.
    pub fn file(&self, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, bytes).expect("write a temp file");
        p
    }
}

impl Default for TempDir {
    fn default() -> Self {
        TempDir::new()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What a rollup gave, in a form two runs can be compared in: the table,
/// or the error's code, kind and text.
fn outcome(r: &ringcx_reports::Result<RollupTable>) -> Result<&RollupTable, String> {
    match r {
        Ok(t) => Ok(t),
        Err(e) => Err(format!("{:?} usage={} {e}", e.code(), e.is_usage())),
    }
}

/// Target `csv_chunked`: the same bytes (any CSV) written to a file and
/// rolled up by the chunked parallel path with a chunk of 1-16 × 8 bytes
/// (`run_files`, and `try_run_files_chunked` alone) and by the sequential
/// reference (`run_files_sequential`): the same table, or the same error.
/// Option bytes: the 4 reader bytes (zone, date order, report, record
/// limit; byte 3 sets the chunk size), then the [`RollupOpts`] byte.
pub fn csv_chunked(data: &[u8]) {
    let (opts, rest) = Opts::decode(data);
    let (ropts, body) = RollupOpts::decode(rest);
    csv_chunked_with(&opts, &ropts, body);
}

/// [`csv_chunked`] with the options given apart from the file.
pub fn csv_chunked_with(opts: &Opts, ropts: &RollupOpts, body: &[u8]) {
    let dir = TempDir::new();
    let path = dir.file("fuzz.csv", body);
    let builder = opts.builder().form(Some(WireForm::Csv));
    let chunk = 8 * opts.tiny_buffer as u64;
    let rollup = ropts.rollup(opts).chunk_size(chunk);
    let paths = [path];
    let seq = rollup.run_files_sequential(&paths, &builder);
    if let Err(e) = &seq {
        assert!(!matches!(e.kind(), ErrorKind::Io { .. }), "{e:?}");
    }
    let par = rollup.run_files(&paths, &builder);
    assert_eq!(
        outcome(&par),
        outcome(&seq),
        "run_files with {chunk}-byte chunks differs from run_files_sequential"
    );
    match rollup.try_run_files_chunked(&paths, &builder) {
        Ok(Some(t)) => assert_eq!(
            Ok(&t),
            outcome(&seq),
            "the chunked path ({chunk}-byte chunks) differs from the reference"
        ),
        Ok(None) => {}
        Err(e) => assert_eq!(
            Err(format!("{:?} usage={} {e}", e.code(), e.is_usage())),
            outcome(&seq),
            "the chunked path failed otherwise than the reference"
        ),
    }
    if let Ok(t) = &seq {
        check_table(t);
    }
}

/// A table's own invariants: records sorted by bucket within a key, every
/// bucket non-empty in time, kept rows no more than rows read.
fn check_table(t: &RollupTable) {
    let s = t.stats();
    assert!(s.rows_kept <= s.rows_read, "{s:?}");
    for r in t.records() {
        assert!(
            r.bucket_start() < r.bucket_end(),
            "empty bucket {} - {}",
            r.bucket_start(),
            r.bucket_end()
        );
        assert_eq!(r.keys().len(), t.key_columns().len());
    }
    for w in t.records().windows(2) {
        if w[0].keys() == w[1].keys() {
            assert!(
                w[0].bucket_start() <= w[1].bucket_start(),
                "buckets out of order"
            );
        }
    }
}

/// The rows of [`rollup_split`], decoded from bytes: 6 bytes a row.
/// Queue rows (with a header) when bit 0 of the first byte is 0, else
/// agent-ext rows (headerless). Each row picks its queue/agent (one of 3
/// ids, each with one of 2 names), one of 2 days in March 2024 (no zone of
/// [`ZONES`] changes offset then), its interval length, a start on its
/// grid, and its counts; a count byte of 255 writes 2^63, so that sums
/// overflow.
pub fn split_rows(bytes: &[u8]) -> (bool, Vec<String>) {
    let queue = bytes.first().is_none_or(|b| b & 1 == 0);
    let mut lines = Vec::new();
    if queue {
        lines.push(QUEUE_HEADER.to_owned());
    }
    for r in bytes.get(1..).unwrap_or(&[]).chunks_exact(6) {
        let id = r[0] % 3;
        let name = ["Sales", "Support", "Billing"][id as usize];
        let name = if r[0] & 8 != 0 { format!("{name} 2") } else { name.to_owned() };
        let minutes = [15u32, 30, 45, 60][(r[1] & 3) as usize];
        let slot = u32::from(r[2]) % (1440 / minutes);
        let start = slot * minutes;
        let day = 4 + (r[1] >> 2 & 1);
        let date = format!("202403{day:02}");
        let time = format!("{:02}:{:02}", start / 60, start % 60);
        // A count: `b × k mod m`, or 2^63 for the byte 255.
        let n = |b: u8, k: u64, m: u64| -> String {
            if b == 255 {
                (1u64 << 63).to_string()
            } else {
                (u64::from(b) * k % m).to_string()
            }
        };
        let (a, b, c) = (r[3], r[4], r[5]);
        if queue {
            let q = 5686 + u32::from(id);
            lines.push(format!(
                "{minutes},{date},{time},{q},{name},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                n(a, 1, 997),
                n(b, 1, 5),
                n(c, 1, 7),
                n(a, 3, 4),
                n(a, 1, 997),
                n(b, 7, 997),
                n(c, 11, 997),
                n(a, 13, 997),
                n(b, 5, 997),
                n(c, 2, 60),
                n(a, 3, 60),
                n(b, 1, 9),
                n(c, 17, 997),
                n(a, 1, 3),
                n(b, 1, 2),
            ));
        } else {
            let agent = 42 + u32::from(id);
            let q = 5686 + u32::from(r[3] % 2);
            lines.push(format!(
                "{minutes},{date},{time},{agent},{name},{q},Q{q},{},{},{},{}",
                n(a, 7, 997),
                n(b, 3, 997),
                n(c, 1, 9),
                n(c, 1, 3),
            ));
        }
    }
    (queue, lines)
}

/// The header of [`split_rows`]'s queue files.
pub const QUEUE_HEADER: &str = "interval,date_from,time,queue,queue_name,offd_direct_call_cnt,overflow_in_call_cnt,aband_call_cnt,overflow_out_call_cnt,answ_call_cnt,queued_and_answ_call_dur,queued_and_aband_call_dur,talking_call_dur,wrap_up_dur,queued_answ_longest_que_dur,queued_aband_longest_que_dur,ans_servicelevel_cnt,wait_dur,aband_short_call_cnt,aband_within_sl_cnt";

/// Target `rollup_split`: valid rows decoded from the input
/// ([`split_rows`]) written as one file, and split at a point chosen by
/// the input into two files (the header, if any, in both): the rollup of
/// the two files (sequential, and parallel with small chunks) equals the
/// rollup of the one (records and row counts), or both fail with the same
/// code. Option bytes: the 4 reader bytes (zone; byte 3 the split point),
/// the [`RollupOpts`] byte, then the rows.
pub fn rollup_split(data: &[u8]) {
    let (opts, rest) = Opts::decode(data);
    let (ropts, body) = RollupOpts::decode(rest);
    rollup_split_with(&opts, &ropts, body);
}

/// [`rollup_split`] with the options given apart from the rows' bytes.
pub fn rollup_split_with(opts: &Opts, ropts: &RollupOpts, body: &[u8]) {
    let (queue, lines) = split_rows(body);
    let header = usize::from(queue);
    let rows = lines.len() - header;
    // The split point: a fraction of the rows in sixteenths.
    let cut = header + rows * (opts.tiny_buffer - 1) / 15;
    let text = |ls: &[String]| -> Vec<u8> {
        let mut s = String::new();
        if queue {
            s.push_str(QUEUE_HEADER);
            s.push('\n');
        }
        for l in ls {
            s.push_str(l);
            s.push('\n');
        }
        s.into_bytes()
    };
    let dir = TempDir::new();
    let whole = dir.file("all.csv", &text(&lines[header..]));
    // A part without rows is left out: a headerless empty file is not a
    // report at all (S010), which says nothing about the split.
    let mut parts = Vec::new();
    for (name, ls) in [("a.csv", &lines[header..cut]), ("b.csv", &lines[cut..])] {
        if !ls.is_empty() {
            parts.push(dir.file(name, &text(ls)));
        }
    }
    if parts.is_empty() {
        parts.push(whole.clone());
    }
    let builder = opts.builder();
    let rollup = ropts.rollup(opts).chunk_size(64);
    let one = rollup.run_files_sequential(&[whole], &builder);
    let two = rollup.run_files_sequential(&parts, &builder);
    parts.reverse();
    let two_par = rollup.run_files(&parts, &builder);
    let same = |x: &ringcx_reports::Result<RollupTable>, what: &str| match (&one, x) {
        (Ok(t), Ok(u)) => {
            assert_eq!(t.records(), u.records(), "{what}: records differ");
            let (s, v) = (t.stats(), u.stats());
            assert_eq!(
                (s.rows_read, s.rows_kept, &s.skipped),
                (v.rows_read, v.rows_kept, &v.skipped),
                "{what}: counts differ"
            );
            assert_eq!(s.warnings.len(), v.warnings.len(), "{what}: warnings");
        }
        (Err(e), Err(f)) => {
            assert_eq!(
                (e.code(), e.is_usage()),
                (f.code(), f.is_usage()),
                "{what}: {e} against {f}"
            );
        }
        (x, y) => panic!("{what}: {:?} against {:?}", outcome(x), outcome(y)),
    };
    same(&two, "split in two, sequential");
    same(&two_par, "split in two, parallel");
    if let Ok(t) = &one {
        check_table(t);
        assert_eq!(t.stats().rows_read, rows as u64, "rows read");
    }
}
