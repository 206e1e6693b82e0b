//! Synthetic exports for benchmarks, tests and demos (`rcx gen`, SPEC 6).
//!
//! [`write`](fn@write) streams a report of exactly [`GenOptions::rows`] data rows (or
//! segment objects) to any [`Write`]r. The output is a pure function of the
//! options: the same options and seed give the same bytes on every run and
//! every platform, because all arithmetic is integer (a splitmix64 stream,
//! an integer volume curve, hand-rolled number formatting).
//!
//! The data is shaped like a real contact center, not like noise:
//!
//! * interval reports are 15-minute rows in time order from local midnight
//!   of [`GenOptions::start`]; within an interval, every queue (Queue
//!   Statistics), every agent (Agent Statistics) or every agent in every one
//!   of its queues (Agent Extended) gets a row, so there are no duplicate
//!   keys and no gaps;
//! * volume follows a daily curve (night lows, a mid-morning peak, a smaller
//!   afternoon one, quieter weekends); agents work shifts and are idle
//!   outside them;
//! * every row obeys the logic rules of SPEC 3: answered within the service
//!   level ≤ answered; short + within-SL abandons ≤ abandoned; each longest
//!   queue time ≤ its total ≤ longest × count, and 0 with a zero count;
//!   transfers ≤ answered; no talk or wrap time without an answered call;
//! * queue and agent names include commas, double quotes, `&` and non-ASCII
//!   letters, so that writers and readers must quote and escape.
//!
//! Segments ([`GenReport::Segments`]) are cx v1 `interaction-metadata`
//! objects (SPEC 2.4) in interaction start order: inbound and outbound
//! voice calls, some digital conversations, IVR segments before inbound
//! voice calls, transfers (several agent segments per interaction) and
//! recordings with pauses (`REC_STOP` then `REC_START` inside a segment).
//! Timestamps are RFC 3339 UTC with milliseconds.
//!
//! ```
//! use ringcx_reports::gen::{self, GenFormat, GenOptions, GenReport};
//! use ringcx_reports::{QueueRow, ReaderBuilder};
//!
//! let opts = GenOptions::new(GenReport::Queue, 100).seed(7).format(GenFormat::Csv);
//! let mut bytes = Vec::new();
//! let stats = gen::write(&opts, &mut bytes)?;
//! assert_eq!(stats.rows, 100);
//!
//! let mut reader = ReaderBuilder::new().from_bytes("gen.csv", bytes)?;
//! let mut row = QueueRow::default();
//! let mut n = 0;
//! while reader.read_row(&mut row)? {
//!     assert!(row.ans_servicelevel_cnt <= row.answ_call_cnt);
//!     n += 1;
//! }
//! assert_eq!(n, 100);
//! # Ok::<(), ringcx_reports::Error>(())
//! ```

use std::fmt;
use std::io::Write;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

use crate::error::{Error, Result};
use crate::model::{AgentExtRow, AgentRow, Field, IntervalRow, QueueRow, ReportKind};

/// Which report to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GenReport {
    /// Queue Statistics (SPEC 2.1): one row per queue per interval.
    Queue,
    /// Agent Extended Statistics (SPEC 2.2): one row per agent per queue of
    /// the agent per interval.
    AgentExt,
    /// Agent Statistics (SPEC 2.3): one row per agent per interval.
    Agent,
    /// Interaction metadata (SPEC 2.4), cx v1 shape: one object per segment.
    Segments,
}

impl From<GenReport> for ReportKind {
    fn from(r: GenReport) -> Self {
        match r {
            GenReport::Queue => ReportKind::Queue,
            GenReport::AgentExt => ReportKind::AgentExt,
            GenReport::Agent => ReportKind::Agent,
            GenReport::Segments => ReportKind::Segments,
        }
    }
}

impl From<ReportKind> for GenReport {
    fn from(r: ReportKind) -> Self {
        match r {
            ReportKind::Queue => GenReport::Queue,
            ReportKind::AgentExt => GenReport::AgentExt,
            ReportKind::Agent => GenReport::Agent,
            ReportKind::Segments => GenReport::Segments,
        }
    }
}

impl FromStr for GenReport {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        s.parse::<ReportKind>().map(Into::into)
    }
}

impl fmt::Display for GenReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(ReportKind::from(*self).as_str())
    }
}

/// Which wire form to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GenFormat {
    /// Legacy CSV: comma, a header row with the canonical snake_case names
    /// in documented order, dates `yyyyMMdd`, times `HH:mm`, LF.
    Csv,
    /// Legacy XML, element style: `<QueueStatistics><row><interval>15</interval>…`
    /// with the canonical snake_case names.
    Xml,
    /// Current JSON: an array of camelCase objects, one per line, with
    /// `dateTimeFrom` as `MM-dd-yyyyTHH:mm:ss`. For segments: cx v1
    /// interaction metadata.
    Json,
}

impl FromStr for GenFormat {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(GenFormat::Csv),
            "xml" => Ok(GenFormat::Xml),
            "json" => Ok(GenFormat::Json),
            other => Err(format!(
                "unknown format {other:?}; expected csv, xml or json"
            )),
        }
    }
}

impl fmt::Display for GenFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GenFormat::Csv => "csv",
            GenFormat::Xml => "xml",
            GenFormat::Json => "json",
        })
    }
}

/// Default number of queues.
pub const DEFAULT_QUEUES: u32 = 40;
/// Default number of agents.
pub const DEFAULT_AGENTS: u32 = 400;

/// What to generate. Build with [`GenOptions::new`] and the setters.
///
/// ```
/// use ringcx_reports::gen::{GenFormat, GenOptions, GenReport};
/// let opts = GenOptions::new(GenReport::AgentExt, 1_000)
///     .seed(42)
///     .format(GenFormat::Json)
///     .queues(12)
///     .agents(150);
/// assert_eq!(opts.rows, 1_000);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenOptions {
    /// The report.
    pub report: GenReport,
    /// Exact number of data rows (segment objects for segments).
    pub rows: u64,
    /// Seed of the pseudo-random stream.
    pub seed: u64,
    /// Wire form. Segments are JSON only.
    pub format: GenFormat,
    /// Local date of the first interval (or the first interaction).
    pub start: NaiveDate,
    /// Number of queues (at least 1).
    pub queues: u32,
    /// Number of agents (at least 1).
    pub agents: u32,
}

impl GenOptions {
    /// `rows` rows of `report`: seed 0, CSV (JSON for segments), starting
    /// 2024-01-01, [`DEFAULT_QUEUES`] queues and [`DEFAULT_AGENTS`] agents.
    pub fn new(report: GenReport, rows: u64) -> Self {
        GenOptions {
            report,
            rows,
            seed: 0,
            format: if report == GenReport::Segments {
                GenFormat::Json
            } else {
                GenFormat::Csv
            },
            start: NaiveDate::from_ymd_opt(2024, 1, 1).expect("a valid date"),
            queues: DEFAULT_QUEUES,
            agents: DEFAULT_AGENTS,
        }
    }
    /// Sets the seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Sets the wire form.
    pub fn format(mut self, format: GenFormat) -> Self {
        self.format = format;
        self
    }
    /// Sets the first date.
    pub fn start(mut self, start: NaiveDate) -> Self {
        self.start = start;
        self
    }
    /// Sets the number of queues.
    pub fn queues(mut self, n: u32) -> Self {
        self.queues = n;
        self
    }
    /// Sets the number of agents.
    pub fn agents(mut self, n: u32) -> Self {
        self.agents = n;
        self
    }

    fn check(&self) -> Result<()> {
        if self.queues == 0 || self.agents == 0 {
            return Err(Error::usage(
                "gen: --queues and --agents must be at least 1",
            ));
        }
        if self.queues > 1_000_000 || self.agents > 10_000_000 {
            return Err(Error::usage(
                "gen: at most 1000000 queues and 10000000 agents",
            ));
        }
        if self.report == GenReport::Segments && self.format != GenFormat::Json {
            return Err(Error::usage(format!(
                "gen: segments are written as JSON only, not {}",
                self.format
            )));
        }
        Ok(())
    }
}

/// What [`write`](fn@write) wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GenStats {
    /// Data rows (segment objects) written.
    pub rows: u64,
    /// Bytes written.
    pub bytes: u64,
}

/// Writes the report described by `opts` to `out` and returns how much was
/// written. Memory use does not depend on `opts.rows`. Errors: a usage
/// error for impossible options (no queues, segments as CSV, dates past
/// year 9999), an I/O error when `out` fails (named `<output>`).
///
/// See the [module docs](self) for an example.
pub fn write(opts: &GenOptions, out: impl Write) -> Result<GenStats> {
    opts.check()?;
    let mut sink = Sink::new(out);
    let rows = match opts.report {
        GenReport::Queue => IntervalGen::new(opts, Shape::queue(opts.format)).run(&mut sink)?,
        GenReport::AgentExt => {
            IntervalGen::new(opts, Shape::agent_ext(opts.format)).run(&mut sink)?
        }
        GenReport::Agent => IntervalGen::new(opts, Shape::agent(opts.format)).run(&mut sink)?,
        GenReport::Segments => SegmentGen::new(opts).run(&mut sink)?,
    };
    sink.finish()?;
    Ok(GenStats {
        rows,
        bytes: sink.bytes,
    })
}

// ---------------------------------------------------------------------------
// Output buffer and number formatting

const FLUSH_AT: usize = 1 << 16;

/// A reused buffer in front of the writer: rows are formatted into it and
/// it is handed on in blocks of about 64 KiB.
struct Sink<W: Write> {
    buf: Vec<u8>,
    out: W,
    bytes: u64,
}

fn io_err(e: std::io::Error) -> Error {
    Error::io("<output>", e)
}

impl<W: Write> Sink<W> {
    fn new(out: W) -> Self {
        Sink {
            buf: Vec::with_capacity(FLUSH_AT + 4096),
            out,
            bytes: 0,
        }
    }
    #[inline]
    fn put(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }
    #[inline]
    fn num(&mut self, v: u64) {
        push_u64(&mut self.buf, v);
    }
    #[inline]
    fn maybe_flush(&mut self) -> Result<()> {
        if self.buf.len() >= FLUSH_AT {
            self.flush_buf()?;
        }
        Ok(())
    }
    fn flush_buf(&mut self) -> Result<()> {
        self.out.write_all(&self.buf).map_err(io_err)?;
        self.bytes += self.buf.len() as u64;
        self.buf.clear();
        Ok(())
    }
    fn finish(&mut self) -> Result<()> {
        self.flush_buf()?;
        self.out.flush().map_err(io_err)
    }
}

const DIGITS2: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Appends the decimal digits of `v`.
#[inline]
fn push_u64(out: &mut Vec<u8>, mut v: u64) {
    if v < 10 {
        out.push(b'0' + v as u8);
        return;
    }
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    while v >= 100 {
        let d = (v % 100) as usize * 2;
        v /= 100;
        i -= 2;
        tmp[i..i + 2].copy_from_slice(&DIGITS2[d..d + 2]);
    }
    if v >= 10 {
        let d = v as usize * 2;
        i -= 2;
        tmp[i..i + 2].copy_from_slice(&DIGITS2[d..d + 2]);
    } else {
        i -= 1;
        tmp[i] = b'0' + v as u8;
    }
    out.extend_from_slice(&tmp[i..]);
}

/// Appends `v` as exactly `width` digits (zero-padded; `v` must fit).
#[inline]
fn push_padded(out: &mut Vec<u8>, v: u64, width: usize) {
    let start = out.len();
    out.resize(start + width, b'0');
    let mut v = v;
    for b in out[start..].iter_mut().rev() {
        *b = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

// ---------------------------------------------------------------------------
// Randomness and the volume curve

/// splitmix64: tiny, fast, and fully specified, so output never depends on
/// a crate's version.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed ^ 0x005E_ED0F_C0DE_CAFE)
    }
    #[inline]
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n > 0`), by multiply-shift.
    #[inline]
    fn below(&mut self, n: u64) -> u64 {
        ((self.next() as u128 * n as u128) >> 64) as u64
    }
    /// Uniform in `lo..=hi`.
    #[inline]
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    /// True with probability `pct`/100.
    #[inline]
    fn pct(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
}

/// A stable per-entity hash, so an agent's shift or a queue's size does not
/// depend on how many rows came before.
fn mix(seed: u64, a: u64) -> u64 {
    let mut r = Rng(seed ^ a.wrapping_mul(0xD1B5_4A32_D192_ED03));
    r.next()
}

/// Relative call volume per hour of the day, per mille of the peak: night
/// lows, a mid-morning peak and a smaller mid-afternoon one.
const HOURLY: [u64; 24] = [
    60, 40, 30, 25, 25, 40, 120, 350, 650, 900, 1000, 970, 850, 800, 880, 920, 860, 720, 540, 400,
    300, 210, 140, 90,
];

/// Volume of 15-minute slot `slot` (0..96), per mille, interpolated between
/// the hourly knots.
fn curve(slot: u32) -> u64 {
    let h = (slot / 4) as usize;
    let q = (slot % 4) as u64;
    let a = HOURLY[h];
    let b = HOURLY[(h + 1) % 24];
    (a * (4 - q) + b * q) / 4
}

/// Weekend days are quieter (per mille).
fn weekday_factor(date: NaiveDate) -> u64 {
    match date.weekday() {
        chrono::Weekday::Sat => 450,
        chrono::Weekday::Sun => 350,
        _ => 1000,
    }
}

/// A Poisson-like count with mean `mean_milli / 1000`: the mean jittered by
/// ±40 % and rounded at random, cheap and good enough for shapes.
#[inline]
fn draw(rng: &mut Rng, mean_milli: u64) -> u64 {
    let m = mean_milli * rng.range(600, 1400) / 1000;
    (m + rng.below(1000)) / 1000
}

// ---------------------------------------------------------------------------
// Names

const DEPARTMENTS: &[&str] = &[
    "Sales",
    "Support, Tier 1",
    "Support, Tier 2",
    "Billing",
    "Retention \"Save\" Desk",
    "Sales & Renewals",
    "Tech Support",
    "Onboarding",
    "Escalations",
    "Claims",
    "Línea en Español",
    "VIP <Priority>",
];

const FIRST: &[&str] = &[
    "Alena", "Pat", "Neringa", "José", "Mia", "Tom", "Zoë", "Ahmed", "Grace", "Liam", "Sofia",
    "Kenji", "Olga", "Ravi", "Emma", "Noah", "Chloé", "Ivan", "Amara", "Lukas",
];

const LAST: &[&str] = &[
    "Kaduk", "O'Brien", "Norkutė", "Álvarez", "Smith", "Nguyen", "Müller", "Khan", "Okafor",
    "Rossi", "Tanaka", "Novak", "Patel", "García", "Dubois", "Kowalski", "Jensen", "Silva",
    "Cohen", "Ivanova", "Brown",
];

fn queue_name(q: u32) -> String {
    let d = DEPARTMENTS[q as usize % DEPARTMENTS.len()];
    let round = q as usize / DEPARTMENTS.len();
    if round == 0 {
        d.to_string()
    } else {
        format!("{d} {}", round + 1)
    }
}

fn agent_name(a: u32) -> String {
    let first = FIRST[a as usize % FIRST.len()];
    let last = LAST[(a as usize / FIRST.len() + a as usize) % LAST.len()];
    match a % 13 {
        // The "Last, First" form real exports carry (needs quoting in CSV).
        3 | 8 => format!("{last}, {first}"),
        // A nickname in double quotes.
        5 => {
            let nick = ["Ace", "Doc", "Sunny", "Red"][a as usize % 4];
            format!("{first} \"{nick}\" {last}")
        }
        _ => format!("{first} {last}"),
    }
}

fn queue_id(q: u32) -> u64 {
    5000 + q as u64
}

fn agent_id(a: u32) -> u64 {
    10_000 + a as u64
}

/// An id and a name, pre-rendered for one wire form, so that rows copy
/// bytes instead of escaping strings.
struct Entity {
    id: Vec<u8>,
    name: Vec<u8>,
}

impl Entity {
    fn new(id: u64, name: &str, format: GenFormat) -> Self {
        let mut idb = Vec::new();
        push_u64(&mut idb, id);
        let name = match format {
            GenFormat::Csv => {
                let mut s = String::new();
                crate::write::csv_field(&mut s, name, b',');
                s.into_bytes()
            }
            GenFormat::Json => {
                let mut s = String::new();
                crate::write::json_string(&mut s, name);
                s.into_bytes()
            }
            GenFormat::Xml => xml_escape(name).into_bytes(),
        };
        Entity { id: idb, name }
    }
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Interval reports

/// The field layout of one report in one wire form: the bytes written
/// before and after each value, computed once.
struct Shape {
    report: GenReport,
    format: GenFormat,
    /// Text fields (id, name) per entity, then counts; each with its
    /// opening and closing bytes.
    open: Vec<Vec<u8>>,
    close: Vec<Vec<u8>>,
    /// Number of count fields written (after the texts).
    counts: usize,
    /// Number of entities (1 or 2) whose id and name are written.
    entities: usize,
    file_open: Vec<u8>,
    file_close: Vec<u8>,
    row_open: Vec<u8>,
    row_close: Vec<u8>,
    /// Written between rows (JSON's comma).
    row_sep: Vec<u8>,
}

impl Shape {
    fn queue(format: GenFormat) -> Shape {
        let mut fields: Vec<Field> = QueueRow::FIELDS[3..].to_vec();
        if format == GenFormat::Json {
            // The current JSON carries two more fields (vendor example).
            fields.extend([Field::CompletedContacts, Field::SegmentHoldTimeMs]);
        }
        Shape::build(GenReport::Queue, format, &fields, 1, "QueueStatistics")
    }
    fn agent_ext(format: GenFormat) -> Shape {
        Shape::build(
            GenReport::AgentExt,
            format,
            &AgentExtRow::FIELDS[3..],
            2,
            "AgentExtendedStatistics",
        )
    }
    fn agent(format: GenFormat) -> Shape {
        Shape::build(
            GenReport::Agent,
            format,
            &AgentRow::FIELDS[3..],
            1,
            "AgentStatistics",
        )
    }

    /// `fields` are the fields after `interval, date_from, time`: the
    /// entities' (id, name) pairs, then the counts.
    fn build(
        report: GenReport,
        format: GenFormat,
        fields: &[Field],
        entities: usize,
        root: &str,
    ) -> Shape {
        let mut open = Vec::new();
        let mut close = Vec::new();
        for f in fields {
            match format {
                GenFormat::Csv => {
                    open.push(b",".to_vec());
                    close.push(Vec::new());
                }
                GenFormat::Json => {
                    open.push(format!(",\"{}\":", f.json_names()[0]).into_bytes());
                    close.push(Vec::new());
                }
                GenFormat::Xml => {
                    open.push(format!("<{}>", f.name()).into_bytes());
                    close.push(format!("</{}>", f.name()).into_bytes());
                }
            }
        }
        let (file_open, file_close, row_open, row_close, row_sep) = match format {
            GenFormat::Csv => {
                let names: Vec<&str> = [Field::Interval, Field::DateFrom, Field::Time]
                    .iter()
                    .chain(fields)
                    .map(|f| f.name())
                    .collect();
                let header = format!("{}\n", names.join(","));
                (header.into_bytes(), vec![], vec![], b"\n".to_vec(), vec![])
            }
            GenFormat::Json => (
                b"[\n".to_vec(),
                b"\n]\n".to_vec(),
                b"{\"interval\":".to_vec(),
                b"}".to_vec(),
                b",\n".to_vec(),
            ),
            GenFormat::Xml => (
                format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{root}>\n").into_bytes(),
                format!("</{root}>\n").into_bytes(),
                b"<row><interval>".to_vec(),
                b"</row>\n".to_vec(),
                vec![],
            ),
        };
        Shape {
            report,
            format,
            counts: fields.len() - 2 * entities,
            open,
            close,
            entities,
            file_open,
            file_close,
            row_open,
            row_close,
            row_sep,
        }
    }
}

/// Per-agent facts that stay fixed for the whole file.
struct Agent {
    entity: Entity,
    /// First 15-minute slot of the daily shift, and its length in slots.
    shift_start: u32,
    shift_len: u32,
    /// The agent's queues (distinct).
    queues: Vec<u32>,
    /// Handle speed: mean talk seconds per call.
    talk_s: u64,
}

impl Agent {
    fn on_shift(&self, slot: u32) -> bool {
        (slot + 96 - self.shift_start) % 96 < self.shift_len
    }
}

struct IntervalGen {
    shape: Shape,
    rng: Rng,
    rows: u64,
    start: NaiveDate,
    queues: Vec<Entity>,
    /// Peak calls offered per 15 minutes, per mille, for each queue.
    queue_peak: Vec<u64>,
    agents: Vec<Agent>,
}

const SLOTS: u32 = 96;
const INTERVAL_S: u64 = 900;

impl IntervalGen {
    fn new(opts: &GenOptions, shape: Shape) -> Self {
        let f = opts.format;
        let seed = opts.seed;
        let need_queues = shape.report != GenReport::Agent;
        let need_agents = shape.report != GenReport::Queue;
        let queues = if need_queues {
            (0..opts.queues)
                .map(|q| Entity::new(queue_id(q), &queue_name(q), f))
                .collect()
        } else {
            Vec::new()
        };
        // Queue sizes are skewed: a few big queues, many small ones.
        let queue_peak = (0..opts.queues)
            .map(|q| {
                let h = mix(seed, q as u64);
                let tier = [120_000, 60_000, 25_000, 10_000, 4_000][(h % 5) as usize];
                tier + (h >> 8) % 5_000
            })
            .collect();
        let agents = if need_agents {
            (0..opts.agents)
                .map(|a| {
                    let h = mix(seed ^ 0xA6E7, a as u64);
                    // Day shifts from 06:00 to 16:00, a tenth on nights.
                    let shift_start = if h % 10 == 0 {
                        88
                    } else {
                        24 + ((h >> 8) % 41) as u32
                    };
                    let shift_len = 32 + ((h >> 16) % 3) as u32 * 2;
                    let mut qs = vec![a % opts.queues];
                    for k in 1..=((h >> 24) % 3) as u32 {
                        let q = (a.wrapping_mul(7).wrapping_add(k * 13)) % opts.queues;
                        if !qs.contains(&q) {
                            qs.push(q);
                        }
                    }
                    Agent {
                        entity: Entity::new(agent_id(a), &agent_name(a), f),
                        shift_start,
                        shift_len,
                        queues: qs,
                        talk_s: 120 + (h >> 32) % 180,
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        IntervalGen {
            shape,
            rng: Rng::new(seed),
            rows: opts.rows,
            start: opts.start,
            queues,
            queue_peak,
            agents,
        }
    }

    fn run<W: Write>(&mut self, sink: &mut Sink<W>) -> Result<u64> {
        sink.put(&self.shape.file_open);
        let mut written = 0u64;
        let mut day = 0u64;
        let mut date = self.start;
        let mut counts = [0u64; 17];
        // Date and time bytes of the current interval, per wire form.
        let mut date_b = Vec::with_capacity(24);
        let mut time_b = Vec::with_capacity(8);
        'outer: while written < self.rows {
            let wd = weekday_factor(date);
            for slot in 0..SLOTS {
                if written >= self.rows {
                    break 'outer;
                }
                let load = curve(slot) * wd / 1000;
                stamp(self.shape.format, date, slot, &mut date_b, &mut time_b);
                match self.shape.report {
                    GenReport::Queue => {
                        for q in 0..self.queues.len() {
                            if written >= self.rows {
                                break;
                            }
                            queue_counts(
                                &mut self.rng,
                                self.queue_peak[q] * load / 1000,
                                &mut counts,
                            );
                            self.emit(sink, written, &date_b, &time_b, &[q], &counts)?;
                            written += 1;
                        }
                    }
                    GenReport::AgentExt => {
                        for a in 0..self.agents.len() {
                            for qi in 0..self.agents[a].queues.len() {
                                if written >= self.rows {
                                    break;
                                }
                                let ag = &self.agents[a];
                                agent_ext_counts(
                                    &mut self.rng,
                                    ag,
                                    slot,
                                    load,
                                    ag.queues.len() as u64,
                                    &mut counts,
                                );
                                let q = ag.queues[qi] as usize;
                                self.emit(sink, written, &date_b, &time_b, &[a, q], &counts)?;
                                written += 1;
                            }
                        }
                    }
                    GenReport::Agent => {
                        for a in 0..self.agents.len() {
                            if written >= self.rows {
                                break;
                            }
                            agent_counts(&mut self.rng, &self.agents[a], slot, load, &mut counts);
                            self.emit(sink, written, &date_b, &time_b, &[a], &counts)?;
                            written += 1;
                        }
                    }
                    GenReport::Segments => unreachable!("segments have their own generator"),
                }
            }
            day += 1;
            date = self
                .start
                .checked_add_days(chrono::Days::new(day))
                .filter(|d| d.year() <= 9999)
                .ok_or_else(|| Error::usage("gen: the rows run past the year 9999"))?;
        }
        sink.put(&self.shape.file_close);
        Ok(written)
    }

    /// Writes one row. `ents` indexes the agents and/or queues, in field
    /// order (agent first for Agent Extended).
    #[inline]
    fn emit<W: Write>(
        &self,
        sink: &mut Sink<W>,
        index: u64,
        date_b: &[u8],
        time_b: &[u8],
        ents: &[usize],
        counts: &[u64],
    ) -> Result<()> {
        let s = &self.shape;
        if index > 0 {
            sink.put(&s.row_sep);
        }
        sink.put(&s.row_open);
        match s.format {
            GenFormat::Csv => {
                sink.put(b"15,");
                sink.put(date_b);
                sink.put(b",");
                sink.put(time_b);
            }
            GenFormat::Json => {
                sink.put(b"15,\"dateTimeFrom\":\"");
                sink.put(date_b);
                sink.put(b"\"");
            }
            GenFormat::Xml => {
                sink.put(b"15</interval><date_from>");
                sink.put(date_b);
                sink.put(b"</date_from><time>");
                sink.put(time_b);
                sink.put(b"</time>");
            }
        }
        let mut k = 0;
        for (i, &e) in ents.iter().enumerate().take(s.entities) {
            let ent = match (s.report, i) {
                (GenReport::Queue, _) | (GenReport::AgentExt, 1) => &self.queues[e],
                _ => &self.agents[e].entity,
            };
            sink.put(&s.open[k]);
            sink.put(&ent.id);
            sink.put(&s.close[k]);
            sink.put(&s.open[k + 1]);
            sink.put(&ent.name);
            sink.put(&s.close[k + 1]);
            k += 2;
        }
        for &c in &counts[..s.counts] {
            sink.put(&s.open[k]);
            sink.num(c);
            sink.put(&s.close[k]);
            k += 1;
        }
        sink.put(&s.row_close);
        sink.maybe_flush()
    }
}

/// Renders the interval start: `yyyyMMdd` and `HH:mm` for CSV and XML,
/// `MM-dd-yyyyTHH:mm:ss` (in `date_b`) for JSON.
fn stamp(
    format: GenFormat,
    date: NaiveDate,
    slot: u32,
    date_b: &mut Vec<u8>,
    time_b: &mut Vec<u8>,
) {
    let (y, m, d) = (date.year() as u64, date.month() as u64, date.day() as u64);
    let (hh, mm) = ((slot / 4) as u64, (slot % 4 * 15) as u64);
    date_b.clear();
    time_b.clear();
    match format {
        GenFormat::Csv | GenFormat::Xml => {
            push_padded(date_b, y, 4);
            push_padded(date_b, m, 2);
            push_padded(date_b, d, 2);
            push_padded(time_b, hh, 2);
            time_b.push(b':');
            push_padded(time_b, mm, 2);
        }
        GenFormat::Json => {
            push_padded(date_b, m, 2);
            date_b.push(b'-');
            push_padded(date_b, d, 2);
            date_b.push(b'-');
            push_padded(date_b, y, 4);
            date_b.push(b'T');
            push_padded(date_b, hh, 2);
            date_b.push(b':');
            push_padded(date_b, mm, 2);
            date_b.extend_from_slice(b":00");
        }
    }
}

/// A total and a longest duration for `n` events: longest ≤ total ≤
/// longest × n, both 0 when `n` is 0.
#[inline]
fn total_and_longest(rng: &mut Rng, n: u64, lo: u64, hi: u64) -> (u64, u64) {
    if n == 0 {
        return (0, 0);
    }
    let longest = rng.range(lo, hi);
    // The others wait between a tenth of the longest and all of it.
    let others = (n - 1) * longest * rng.range(10, 100) / 100;
    (longest + others, longest)
}

/// Queue Statistics counts in documented order (from
/// `offd_direct_call_cnt`), then `completed_contacts` and
/// `segment_hold_time_ms`, for a queue whose expected offered volume is
/// `mean_milli` / 1000 calls.
#[inline]
fn queue_counts(rng: &mut Rng, mean_milli: u64, c: &mut [u64; 17]) {
    let offered = draw(rng, mean_milli);
    let overflow_in = if offered > 0 && rng.pct(20) {
        rng.below(offered / 5 + 1)
    } else {
        0
    };
    let direct = offered - overflow_in;
    let overflow_out = if offered > 0 && rng.pct(10) {
        rng.below(offered / 10 + 1)
    } else {
        0
    };
    let handled = offered - overflow_out;
    // Abandon rate grows with load: 2–14 %.
    let aband = handled * rng.range(2, 14) / 100 + u64::from(handled > 0 && rng.pct(5));
    let aband = aband.min(handled);
    let answ = handled - aband;
    let ans_sl = answ * rng.range(65, 100) / 100;
    let short = aband * rng.range(0, 40) / 100;
    let within_sl = (aband - short) * rng.range(0, 60) / 100;
    let (answ_wait, answ_longest) = total_and_longest(rng, answ, 5, 240);
    let (aband_wait, aband_longest) = total_and_longest(rng, aband, 3, 400);
    let talk = answ * rng.range(150, 420);
    let wrap = answ * rng.range(10, 75);
    // Idle time of the queue's agents: staffed time not spent handling.
    let staffed = (answ + 2) * 380 + rng.below(INTERVAL_S);
    let wait = staffed.saturating_sub(talk + wrap);
    let completed = answ - answ * rng.range(0, 5) / 100;
    let hold_ms = if answ > 0 && rng.pct(30) {
        rng.below(answ * 40_000)
    } else {
        0
    };
    *c = [
        direct,
        overflow_in,
        aband,
        overflow_out,
        answ,
        answ_wait,
        aband_wait,
        talk,
        wrap,
        answ_longest,
        aband_longest,
        ans_sl,
        wait,
        short,
        within_sl,
        completed,
        hold_ms,
    ];
}

/// Agent Extended counts: talk, wrap, answered, transferred out.
#[inline]
fn agent_ext_counts(rng: &mut Rng, ag: &Agent, slot: u32, load: u64, nq: u64, c: &mut [u64; 17]) {
    c[..4].fill(0);
    if !ag.on_shift(slot) {
        return;
    }
    // About 3 calls per 15 minutes at the peak, shared among the queues.
    let answ = draw(rng, 3 * load / nq).min(900 / ag.talk_s + 1);
    if answ == 0 {
        return;
    }
    let talk = answ * (ag.talk_s * rng.range(60, 140) / 100);
    let wrap = answ * rng.range(5, 45);
    let transfers = if rng.pct(12) {
        rng.range(1, answ.min(2))
    } else {
        0
    };
    c[..4].copy_from_slice(&[talk, wrap, answ, transfers]);
}

/// Agent Statistics counts: avail, work, pause, wait, admin, direct out
/// count and time, direct in count and time.
#[inline]
fn agent_counts(rng: &mut Rng, ag: &Agent, slot: u32, load: u64, c: &mut [u64; 17]) {
    c[..9].fill(0);
    if !ag.on_shift(slot) {
        return;
    }
    let work = INTERVAL_S * load * rng.range(500, 950) / 1_000_000;
    let pause = if rng.pct(15) { rng.range(60, 300) } else { 0 };
    let admin = if rng.pct(10) { rng.range(30, 200) } else { 0 };
    let (pause, admin) = if work + pause + admin > INTERVAL_S {
        (0, 0)
    } else {
        (pause, admin)
    };
    let avail = INTERVAL_S - work - pause - admin;
    let wait = avail * rng.range(85, 100) / 100;
    let (out_n, out_s) = if rng.pct(8) {
        (1, rng.range(20, 400))
    } else {
        (0, 0)
    };
    let (in_n, in_s) = if rng.pct(4) {
        (1, rng.range(30, 300))
    } else {
        (0, 0)
    };
    c[..9].copy_from_slice(&[avail, work, pause, wait, admin, out_n, out_s, in_n, in_s]);
}

// ---------------------------------------------------------------------------
// Segments (cx v1 interaction metadata)

const MS_PER_DAY: i64 = 86_400_000;

/// Days since 1970-01-01 to (year, month, day) (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u64, u64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u64;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u64;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Appends `"yyyy-MM-ddTHH:mm:ss.SSSZ"` (quoted) for epoch milliseconds.
fn push_rfc3339_ms(out: &mut Vec<u8>, ms: i64) {
    let days = ms.div_euclid(MS_PER_DAY);
    let rem = ms.rem_euclid(MS_PER_DAY) as u64;
    let (y, m, d) = civil_from_days(days);
    out.push(b'"');
    push_padded(out, y as u64, 4);
    out.push(b'-');
    push_padded(out, m, 2);
    out.push(b'-');
    push_padded(out, d, 2);
    out.push(b'T');
    push_padded(out, rem / 3_600_000, 2);
    out.push(b':');
    push_padded(out, rem / 60_000 % 60, 2);
    out.push(b':');
    push_padded(out, rem / 1000 % 60, 2);
    out.push(b'.');
    push_padded(out, rem % 1000, 3);
    out.extend_from_slice(b"Z\"");
}

/// Appends the low `n` (≤ 16) hex digits of `v`.
fn push_hex(out: &mut Vec<u8>, v: u64, n: usize) {
    for i in (0..n.min(16)).rev() {
        out.push(b"0123456789abcdef"[((v >> (i * 4)) & 15) as usize]);
    }
}

const DISPOSITIONS: &[&str] = &[
    "Success",
    "Success",
    "Callback Requested",
    "Sale",
    "No Sale",
    "Voicemail",
];

const NOTES: &[&str] = &[
    "requeue to others",
    "customer asked for a callback, after 5pm",
    "said \"cancel my plan\"; offered retention",
    "billing dispute: invoice #4411",
    "résumé sent \u{2013} follow up",
    "line 1\nline 2",
];

struct SegAgent {
    id: u64,
    ext: u64,
    group: u64,
}

struct SegmentGen {
    rng: Rng,
    rows: u64,
    start_ms: i64,
    queues: u32,
    agents: Vec<SegAgent>,
}

/// One planned segment.
#[derive(Clone, Copy)]
struct Seg {
    agent: Option<usize>,
    start: i64,
    end: i64,
}

impl SegmentGen {
    fn new(opts: &GenOptions) -> Self {
        let groups = (opts.agents / 25).max(1) as u64;
        let agents = (0..opts.agents)
            .map(|a| SegAgent {
                id: 400_000 + a as u64,
                ext: 900_000_000 + a as u64 * 7,
                group: 70_000 + a as u64 % groups,
            })
            .collect();
        let days = opts
            .start
            .signed_duration_since(NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date"));
        SegmentGen {
            rng: Rng::new(opts.seed ^ 0x5E65),
            rows: opts.rows,
            start_ms: days.num_days() * MS_PER_DAY,
            queues: opts.queues,
            agents,
        }
    }

    fn run<W: Write>(&mut self, sink: &mut Sink<W>) -> Result<u64> {
        sink.put(b"[\n");
        let mut written = 0u64;
        let mut t = self.start_ms;
        let mut ixn = 0u64;
        let mut segs: Vec<Seg> = Vec::with_capacity(8);
        while written < self.rows {
            // Arrivals follow the daily curve: one every ~1.5 s at the peak.
            let day_ms = t.rem_euclid(MS_PER_DAY);
            let slot = (day_ms / 900_000) as u32;
            let date =
                NaiveDate::from_num_days_from_ce_opt((t.div_euclid(MS_PER_DAY) + 719_163) as i32)
                    .filter(|d| d.year() <= 9999)
                    .ok_or_else(|| Error::usage("gen: the interactions run past the year 9999"))?;
            let load = (curve(slot) * weekday_factor(date) / 1000).max(20);
            let mean_gap = 1_500 * 1000 / load;
            t += self.rng.below(2 * mean_gap) as i64 + 1;

            let outbound = self.rng.pct(25);
            let digital = !outbound && self.rng.pct(12);
            let ivr = !outbound && !digital && self.rng.pct(35);
            let transfers = match self.rng.below(100) {
                0..=5 => 2,
                6..=24 => 1,
                _ => 0,
            };
            let planned = ivr as u64 + 1 + transfers;
            let n = planned.min(self.rows - written) as usize;
            segs.clear();
            let mut cur = t;
            for i in 0..n {
                let is_ivr = ivr && i == 0;
                let dur = if is_ivr {
                    self.rng.range(5_000, 60_000)
                } else if digital {
                    self.rng.range(60_000, 1_800_000)
                } else {
                    self.rng.range(20_000, 600_000)
                } as i64;
                let gap = if i == 0 {
                    0
                } else {
                    self.rng.range(300, 4_000) as i64
                };
                let agent = if is_ivr {
                    None
                } else {
                    Some(self.rng.below(self.agents.len() as u64) as usize)
                };
                let start = cur + gap;
                segs.push(Seg {
                    agent,
                    start,
                    end: start + dur,
                });
                cur = start + dur;
            }
            self.interaction(sink, ixn, t, outbound, digital, &segs, written)?;
            written += n as u64;
            ixn += 1;
        }
        sink.put(b"\n]\n");
        Ok(written)
    }

    #[allow(clippy::too_many_arguments)]
    fn interaction<W: Write>(
        &mut self,
        sink: &mut Sink<W>,
        ixn: u64,
        t: i64,
        outbound: bool,
        digital: bool,
        segs: &[Seg],
        written: u64,
    ) -> Result<()> {
        let rng = &mut self.rng;
        let end = segs.last().map_or(t, |s| s.end);
        let dialog_hex = (rng.next(), rng.next());
        let q = rng.below(self.queues as u64);
        let our_number = 8_885_550_000 + q % 10_000;
        let customer = 2_000_000_000 + rng.below(7_999_999_999);
        let channel_hex = rng.next();
        let (ch_type, ch_class) = if digital {
            ("ENGAGE_MESSAGING", "DIGITAL")
        } else {
            ("VOICE", "VOICE")
        };
        // The interaction id: start as yyyyMMddHHmmss, then a counter (30
        // digits, like the vendor's).
        let mut ixn_id = Vec::with_capacity(32);
        {
            let days = t.div_euclid(MS_PER_DAY);
            let rem = t.rem_euclid(MS_PER_DAY) as u64;
            let (y, m, d) = civil_from_days(days);
            push_padded(&mut ixn_id, y as u64, 4);
            push_padded(&mut ixn_id, m, 2);
            push_padded(&mut ixn_id, d, 2);
            push_padded(&mut ixn_id, rem / 3_600_000, 2);
            push_padded(&mut ixn_id, rem / 60_000 % 60, 2);
            push_padded(&mut ixn_id, rem / 1000 % 60, 2);
            push_padded(&mut ixn_id, ixn % 10_000_000_000_000_000, 16);
        }
        let agent_segs = segs.iter().filter(|s| s.agent.is_some()).count();
        let mut agent_seen = 0;
        for (i, s) in segs.iter().enumerate() {
            if written + i as u64 > 0 {
                sink.put(b",\n");
            }
            let b = &mut sink.buf;
            b.extend_from_slice(b"{\"subAccountId\":\"99999999\",\"dialogId\":\"");
            if digital {
                b.extend_from_slice(b"d-");
                push_hex(b, dialog_hex.0, 16);
                push_hex(b, dialog_hex.1, 8);
            } else {
                b.extend_from_slice(b"s-v-");
                push_hex(b, dialog_hex.0, 16);
                push_hex(b, dialog_hex.1, 16);
            }
            b.push(b'-');
            push_u64(b, t as u64);
            b.extend_from_slice(b"\",\"interactionId\":\"");
            b.extend_from_slice(&ixn_id);
            b.extend_from_slice(b"\",\"channelId\":\"");
            if digital {
                push_hex(b, channel_hex, 16);
                push_hex(b, channel_hex >> 32 ^ customer, 8);
            } else {
                push_u64(b, customer);
            }
            b.extend_from_slice(b"\",\"channelType\":\"");
            b.extend_from_slice(ch_type.as_bytes());
            b.extend_from_slice(b"\",\"channelClass\":\"");
            b.extend_from_slice(ch_class.as_bytes());
            b.extend_from_slice(b"\",\"channelEndpointAddress\":\"+1");
            push_u64(b, our_number);
            b.extend_from_slice(b"\",\"contactEndpointAddress\":\"+1");
            push_u64(b, customer);
            b.extend_from_slice(b"\",\"dialogOrigination\":\"");
            b.extend_from_slice(if outbound { b"OUTBOUND" } else { b"INBOUND" });
            b.extend_from_slice(b"\",\"dialogStartTimeMs\":");
            push_rfc3339_ms(b, t);
            b.extend_from_slice(b",\"dialogEndTimeMs\":");
            push_rfc3339_ms(b, end);
            b.extend_from_slice(b",\"dialogDurationMs\":");
            push_u64(b, (end - t) as u64);
            b.extend_from_slice(b",\"segmentId\":\"");
            b.extend_from_slice(match (digital, s.agent.is_none()) {
                (true, _) => b"d-".as_slice(),
                (false, true) => b"i-v-",
                (false, false) => b"p-v-",
            });
            push_hex(b, dialog_hex.0, 16);
            push_hex(b, dialog_hex.1, 16);
            b.push(b'-');
            push_hex(b, ((s.start as u64) << 4) | i as u64, 13);
            b.extend_from_slice(b"\",\"segmentType\":\"");
            match s.agent {
                None => {
                    b.extend_from_slice(b"IVR\",\"segmentParticipantId\":null,\"segmentParticipantRcExtensionId\":null");
                }
                Some(a) => {
                    let ag = &self.agents[a];
                    b.extend_from_slice(b"AGENT\",\"segmentParticipantId\":\"");
                    push_u64(b, ag.id);
                    b.extend_from_slice(b"\",\"segmentParticipantRcExtensionId\":\"");
                    push_u64(b, ag.ext);
                    b.push(b'"');
                }
            }
            b.extend_from_slice(b",\"segmentStartTimeMs\":");
            push_rfc3339_ms(b, s.start);
            b.extend_from_slice(b",\"segmentEndTimeMs\":");
            push_rfc3339_ms(b, s.end);
            b.extend_from_slice(b",\"segmentDurationMs\":");
            push_u64(b, (s.end - s.start) as u64);
            b.extend_from_slice(b",\"segmentAgentGroupId\":");
            match s.agent {
                None => b.extend_from_slice(b"null"),
                Some(a) => {
                    b.push(b'"');
                    push_u64(b, self.agents[a].group);
                    b.push(b'"');
                }
            }
            let is_agent = s.agent.is_some();
            if is_agent {
                agent_seen += 1;
            }
            let transferred = is_agent && agent_seen < agent_segs;
            b.extend_from_slice(b",\"systemDisposition\":");
            b.extend_from_slice(match (is_agent, transferred) {
                (false, _) => b"null".as_slice(),
                (true, true) => b"\"TRANSFER\"",
                (true, false) => b"\"ANSWER\"",
            });
            b.extend_from_slice(b",\"agentDisposition\":");
            if !is_agent {
                b.extend_from_slice(b"null");
            } else if transferred {
                b.extend_from_slice(b"\"Transferred\"");
            } else {
                let d = DISPOSITIONS[rng.below(DISPOSITIONS.len() as u64) as usize];
                b.push(b'"');
                b.extend_from_slice(d.as_bytes());
                b.push(b'"');
            }
            b.extend_from_slice(b",\"agentNotes\":");
            if is_agent && rng.pct(40) {
                let mut s = String::new();
                crate::write::json_string(&mut s, NOTES[rng.below(NOTES.len() as u64) as usize]);
                b.extend_from_slice(s.as_bytes());
            } else {
                b.extend_from_slice(b"null");
            }
            let recorded = is_agent && !digital && rng.pct(80);
            let transcript = digital || (recorded && rng.pct(50));
            b.extend_from_slice(b",\"hasRecording\":");
            b.extend_from_slice(if recorded { b"true" } else { b"false" });
            b.extend_from_slice(b",\"hasTranscript\":");
            b.extend_from_slice(if transcript { b"true" } else { b"false" });
            b.extend_from_slice(b",\"segmentEvents\":");
            if recorded {
                events(rng, b, s.start, s.end);
            } else if is_agent {
                b.extend_from_slice(b"[]");
            } else {
                b.extend_from_slice(b"null");
            }
            b.push(b'}');
            sink.maybe_flush()?;
        }
        Ok(())
    }
}

/// Recording events inside `[start, end)`: REC_START shortly after the
/// start, sometimes a pause (REC_STOP, REC_START), REC_STOP before the end.
/// The client clock runs a little behind or ahead of the server's.
fn events(rng: &mut Rng, b: &mut Vec<u8>, start: i64, end: i64) {
    let len = end - start;
    let rec_start = start + rng.below(2_000.min(len as u64 / 4 + 1)) as i64;
    let rec_stop = end - rng.below(1_000.min(len as u64 / 4 + 1)) as i64;
    let mut times: [(i64, &[u8]); 4] = [(rec_start, b"REC_START"); 4];
    let mut n = 1;
    let span = rec_stop - rec_start;
    if span > 40_000 && rng.pct(30) {
        // A pause for card details or a hold: 10–30 s in the middle, ending
        // by three quarters of the recording.
        let pause_at = rec_start + span / 4 + rng.below(span as u64 / 4) as i64;
        let pause_len = rng.range(10_000, (span as u64 / 4).min(30_000)) as i64;
        times[1] = (pause_at, b"REC_STOP");
        times[2] = (pause_at + pause_len, b"REC_START");
        n = 3;
    }
    times[n] = (rec_stop, b"REC_STOP");
    n += 1;
    b.push(b'[');
    for (i, (at, ty)) in times[..n].iter().enumerate() {
        if i > 0 {
            b.push(b',');
        }
        b.extend_from_slice(b"{\"eventTimeMs\":");
        push_rfc3339_ms(b, *at);
        b.extend_from_slice(b",\"clientEventTimeMs\":");
        push_rfc3339_ms(b, *at + rng.below(600) as i64 - 300);
        b.extend_from_slice(b",\"eventType\":\"");
        b.extend_from_slice(ty);
        b.extend_from_slice(b"\"}");
    }
    b.push(b']');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_format_like_display() {
        for v in [
            0u64,
            7,
            10,
            99,
            100,
            101,
            999,
            1000,
            65_535,
            1_234_567,
            u64::MAX,
        ] {
            let mut b = Vec::new();
            push_u64(&mut b, v);
            assert_eq!(String::from_utf8(b).unwrap(), v.to_string());
        }
        let mut b = Vec::new();
        push_padded(&mut b, 7, 3);
        assert_eq!(b, b"007");
    }

    #[test]
    fn civil_dates_match_chrono() {
        for days in [-1i64, 0, 59, 365, 10_957, 19_723, 19_782, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            let c = NaiveDate::from_num_days_from_ce_opt((days + 719_163) as i32).unwrap();
            assert_eq!(
                (y, m, d),
                (c.year() as i64, c.month() as u64, c.day() as u64)
            );
        }
        let mut b = Vec::new();
        push_rfc3339_ms(&mut b, 1_595_352_748_001);
        assert_eq!(b, b"\"2020-07-21T17:32:28.001Z\"");
    }

    #[test]
    fn curve_has_night_low_and_morning_peak() {
        let peak = (0..96).max_by_key(|&s| curve(s)).unwrap();
        assert_eq!(peak, 40); // 10:00
        assert!(curve(12) < curve(40) / 20); // 03:00
    }
}
