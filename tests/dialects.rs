//! Property tests: random rows of the three reports, written by a generator
//! of this file's own (not the library's writers) in a random dialect, read
//! back exactly, with exact positions and column totals.
//!
//! The generator covers SPEC 2.1–2.3 and 2.5: header (shuffled columns,
//! aliases, random case and padding) or headerless (20/21/11/14 columns),
//! delimiter `,` `;` `|` TAB, BOM, LF/CRLF, quote-all or minimal quoting,
//! Teleopti title line, blank lines, every date format (and `dd/MM/yyyy`
//! with `DateOrder::Dmy`), `HH:mm`/`HH:mm:00`/`H:mm` times, absent values,
//! names with delimiters, quotes, line breaks, lone CRs and spaces.

use std::io::Cursor;

use chrono::{Duration, NaiveDate, NaiveDateTime, Timelike};
use proptest::prelude::*;
use ringcx_reports::{
    AgentExtRow, AgentRow, DateOrder, IntervalLength, IntervalRow, IntervalStart, Position,
    QueueRow, Reader, ReaderBuilder, ReportKind,
};
use rust_decimal::Decimal;

use crate::util::Trickle;

/// SplitMix64: the generator's own randomness, seeded by proptest.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
}

// The documented column orders (SPEC 2.1–2.3), written out here rather than
// taken from the library.
const QUEUE_COLS: &[&str] = &[
    "interval",
    "date_from",
    "time",
    "queue",
    "queue_name",
    "offd_direct_call_cnt",
    "overflow_in_call_cnt",
    "aband_call_cnt",
    "overflow_out_call_cnt",
    "answ_call_cnt",
    "queued_and_answ_call_dur",
    "queued_and_aband_call_dur",
    "talking_call_dur",
    "wrap_up_dur",
    "queued_answ_longest_que_dur",
    "queued_aband_longest_que_dur",
    "ans_servicelevel_cnt",
    "wait_dur",
    "aband_short_call_cnt",
    "aband_within_sl_cnt",
];
const AGENT_EXT_COLS: &[&str] = &[
    "interval",
    "date_from",
    "time",
    "agent_id",
    "agent_name",
    "queue",
    "queue_name",
    "talking_call_dur",
    "wrap_up_dur",
    "answ_call_cnt",
    "transfer_out_call_cnt",
];
const AGENT_COLS: &[&str] = &[
    "interval",
    "date_from",
    "time",
    "agent_id",
    "agent_name",
    "avail_dur",
    "tot_work_dur",
    "pause_dur",
    "wait_dur",
    "admin_dur",
    "direct_out_call_cnt",
    "direct_out_call_dur",
    "direct_in_call_cnt",
    "direct_in_call_dur",
];
const AVG: &str = "avg_avail_member_cnt";

fn cols(kind: ReportKind) -> &'static [&'static str] {
    match kind {
        ReportKind::Queue => QUEUE_COLS,
        ReportKind::AgentExt => AGENT_EXT_COLS,
        _ => AGENT_COLS,
    }
}

fn is_id(c: &str) -> bool {
    c == "queue" || c == "agent_id"
}
fn is_name(c: &str) -> bool {
    c == "queue_name" || c == "agent_name"
}

/// One generated row: the placement, the text values and the counts, by
/// column name.
#[derive(Clone, Debug)]
struct GenRow {
    interval: u32,
    local: NaiveDateTime,
    /// (column, value as generated) for ids and names; names are expected
    /// back trimmed.
    texts: Vec<(&'static str, String)>,
    /// (column, value) for counts and durations.
    counts: Vec<(&'static str, Option<u64>)>,
    /// `avg_avail_member_cnt` as written, when the layout has it.
    avg: Option<Option<String>>,
}

impl GenRow {
    fn text(&self, c: &str) -> String {
        let v = &self
            .texts
            .iter()
            .find(|(n, _)| *n == c)
            .expect("text column")
            .1;
        v.trim().to_string()
    }
    fn count(&self, c: &str) -> Option<u64> {
        self.counts
            .iter()
            .find(|(n, _)| *n == c)
            .expect("count column")
            .1
    }
    fn start(&self) -> IntervalStart {
        IntervalStart::new(self.local, chrono::FixedOffset::east_opt(0).expect("utc"))
    }
}

/// Name pieces: at most three per name, so a name never holds more foreign
/// delimiters than a record has real ones (the delimiter is sniffed).
const PIECES: &[&str] = &[
    "Sales",
    "kaduk",
    "alena",
    "Ünïcødé",
    "O'Brien",
    " ",
    "  ",
    ",",
    ";",
    "|",
    "\t",
    "\"",
    "\"\"",
    "\n",
    "\r\n",
    "\r",
    "",
];

fn gen_name(rng: &mut Rng) -> String {
    let n = rng.below(4);
    (0..n).map(|_| *rng.pick(PIECES)).collect()
}

fn gen_id(rng: &mut Rng) -> String {
    let alphabet = b"0123456789ABCDEFGHXYZabcxyz-_.";
    let n = 1 + rng.below(6);
    (0..n)
        .map(|_| *rng.pick(alphabet) as char)
        .collect::<String>()
}

fn gen_count(rng: &mut Rng) -> Option<u64> {
    match rng.below(20) {
        0..=2 => None,
        3 => Some(u64::MAX - rng.below(1000)),
        4 => Some(0),
        _ => Some(rng.below(100_000)),
    }
}

fn gen_row(rng: &mut Rng, kind: ReportKind, with_avg: bool) -> GenRow {
    let interval = *rng.pick(&[15u32, 30, 45, 60]);
    let day =
        NaiveDate::from_ymd_opt(2020, 1, 1).expect("date") + Duration::days(rng.below(2000) as i64);
    let slots = 1440 / interval as u64;
    let minutes = interval as u64 * rng.below(slots);
    let local = day
        .and_hms_opt((minutes / 60) as u32, (minutes % 60) as u32, 0)
        .expect("time");
    let mut texts = Vec::new();
    let mut counts = Vec::new();
    for &c in &cols(kind)[3..] {
        if is_id(c) {
            texts.push((c, gen_id(rng)));
        } else if is_name(c) {
            texts.push((c, gen_name(rng)));
        } else {
            counts.push((c, gen_count(rng)));
        }
    }
    let avg = with_avg.then(|| {
        rng.chance(80)
            .then(|| format!("{}.{:02}", rng.below(50), rng.below(100)))
    });
    GenRow {
        interval,
        local,
        texts,
        counts,
        avg,
    }
}

/// How the document is written.
#[derive(Clone, Debug)]
struct Dialect {
    kind: ReportKind,
    header: bool,
    with_avg: bool,
    delim: u8,
    bom: bool,
    crlf: bool,
    quote_all: bool,
    title: bool,
    dmy: bool,
    final_newline: bool,
}

fn quote(s: &str, d: &Dialect) -> String {
    let special = s
        .bytes()
        .any(|b| b == d.delim || b == b'"' || b == b'\n' || b == b'\r');
    if d.quote_all || special {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn header_name(rng: &mut Rng, c: &str) -> String {
    let base = match c {
        "date_from" => *rng.pick(&["date_from", "date_form"]),
        "time" => *rng.pick(&["time", "time (H24:MI)", "Time(h24:mi)"]),
        "queued_answ_longest_que_dur" => *rng.pick(&[
            "queued_answ_longest_que_dur",
            "queued_answ_longest_queue_dur",
        ]),
        "queued_aband_longest_que_dur" => *rng.pick(&[
            "queued_aband_longest_que_dur",
            "queued_aband_longest_queue_dur",
        ]),
        other => other,
    };
    let cased = match rng.below(3) {
        0 => base.to_ascii_uppercase(),
        1 => base.to_string(),
        _ => base
            .chars()
            .enumerate()
            .map(|(i, ch)| {
                if i % 2 == 0 {
                    ch.to_ascii_uppercase()
                } else {
                    ch
                }
            })
            .collect(),
    };
    let pad = |rng: &mut Rng| " ".repeat(rng.below(3) as usize);
    format!("{}{cased}{}", pad(rng), pad(rng))
}

fn date_text(rng: &mut Rng, local: NaiveDateTime, dmy: bool) -> String {
    let slash_first = if dmy { "%d/%m/%Y" } else { "%m/%d/%Y" };
    let f = *rng.pick(&["%Y%m%d", "%Y-%m-%d", "%Y/%m/%d", slash_first]);
    local.format(f).to_string()
}

fn time_text(rng: &mut Rng, local: NaiveDateTime) -> String {
    match rng.below(3) {
        0 => local.format("%H:%M").to_string(),
        1 => local.format("%H:%M:00").to_string(),
        _ => format!("{}:{:02}", local.hour(), local.minute()),
    }
}

/// A generated document: its bytes, the dialect, the rows, and where each
/// record starts (byte, line).
struct Doc {
    bytes: Vec<u8>,
    dialect: Dialect,
    rows: Vec<GenRow>,
    starts: Vec<(u64, u64)>,
    /// Whether the first record (header or data) ends with CRLF.
    first_record_crlf: bool,
}

fn gen_doc(seed: u64) -> Doc {
    let mut rng = Rng(seed);
    let kind = *rng.pick(&[ReportKind::Queue, ReportKind::AgentExt, ReportKind::Agent]);
    let header = rng.chance(60);
    let with_avg = kind == ReportKind::Queue && rng.chance(40);
    let d = Dialect {
        kind,
        header,
        with_avg,
        delim: *rng.pick(b",;|\t"),
        bom: rng.chance(30),
        crlf: rng.chance(50),
        quote_all: rng.chance(25),
        title: rng.chance(30),
        dmy: rng.chance(25),
        final_newline: rng.chance(70),
    };
    let n_rows = if header {
        rng.below(6)
    } else {
        1 + rng.below(5)
    };
    let rows: Vec<GenRow> = (0..n_rows)
        .map(|_| gen_row(&mut rng, kind, with_avg))
        .collect();
    // Column order: the layout, with avg as the 17th queue column; a header
    // file shuffles it.
    let mut order: Vec<&'static str> = cols(kind).to_vec();
    if with_avg {
        order.insert(16, AVG);
    }
    if header {
        for i in (1..order.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            order.swap(i, j);
        }
    }
    let eol = if d.crlf { "\r\n" } else { "\n" };
    let delim = (d.delim as char).to_string();
    let mut out: Vec<u8> = Vec::new();
    if d.bom {
        out.extend_from_slice(b"\xEF\xBB\xBF");
    }
    let blank = |rng: &mut Rng, out: &mut Vec<u8>| {
        while rng.chance(15) {
            let filler = if d.delim == b'\t' {
                *rng.pick(&["", " ", "   "])
            } else {
                *rng.pick(&["", " ", "   ", " \t "])
            };
            out.extend_from_slice(filler.as_bytes());
            out.extend_from_slice(eol.as_bytes());
        }
    };
    blank(&mut rng, &mut out);
    if d.title {
        let t = kind.title_line().expect("title");
        out.extend_from_slice(format!("{t}{eol}{eol}").as_bytes());
    }
    let mut first_record_crlf = d.crlf;
    if header {
        let names: Vec<String> = order
            .iter()
            .map(|c| quote(&header_name(&mut rng, c), &d))
            .collect();
        out.extend_from_slice(names.join(&delim).as_bytes());
        out.extend_from_slice(eol.as_bytes());
    }
    let mut starts = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        blank(&mut rng, &mut out);
        let line = 1 + out.iter().filter(|&&b| b == b'\n').count() as u64;
        starts.push((out.len() as u64, line));
        let cells: Vec<String> = order
            .iter()
            .map(|&c| {
                let raw = match c {
                    "interval" => r.interval.to_string(),
                    "date_from" => date_text(&mut rng, r.local, d.dmy),
                    "time" => time_text(&mut rng, r.local),
                    AVG => r.avg.clone().flatten().unwrap_or_default(),
                    c if is_id(c) || is_name(c) => r
                        .texts
                        .iter()
                        .find(|(n, _)| *n == c)
                        .expect("text")
                        .1
                        .clone(),
                    c => r.count(c).map(|v| v.to_string()).unwrap_or_default(),
                };
                quote(&raw, &d)
            })
            .collect();
        out.extend_from_slice(cells.join(&delim).as_bytes());
        let last = i + 1 == rows.len();
        if !last || d.final_newline {
            out.extend_from_slice(eol.as_bytes());
        } else if i == 0 && !header {
            first_record_crlf = false;
        }
    }
    if d.final_newline {
        blank(&mut rng, &mut out);
    }
    Doc {
        bytes: out,
        dialect: d,
        rows,
        starts,
        first_record_crlf,
    }
}

fn pos_of(doc: &Doc, i: usize) -> Position {
    let (byte, line) = doc.starts[i];
    Position::new(byte, line, i as u64)
}

fn len(m: u32) -> IntervalLength {
    IntervalLength::new(m).expect("length")
}

fn expect_queue(doc: &Doc) -> Vec<QueueRow> {
    doc.rows
        .iter()
        .enumerate()
        .map(|(i, r)| QueueRow {
            pos: pos_of(doc, i),
            interval: len(r.interval),
            start: r.start(),
            queue: r.text("queue"),
            queue_name: r.text("queue_name"),
            offd_direct_call_cnt: r.count("offd_direct_call_cnt"),
            overflow_in_call_cnt: r.count("overflow_in_call_cnt"),
            aband_call_cnt: r.count("aband_call_cnt"),
            overflow_out_call_cnt: r.count("overflow_out_call_cnt"),
            answ_call_cnt: r.count("answ_call_cnt"),
            queued_and_answ_call_dur: r.count("queued_and_answ_call_dur"),
            queued_and_aband_call_dur: r.count("queued_and_aband_call_dur"),
            talking_call_dur: r.count("talking_call_dur"),
            wrap_up_dur: r.count("wrap_up_dur"),
            queued_answ_longest_que_dur: r.count("queued_answ_longest_que_dur"),
            queued_aband_longest_que_dur: r.count("queued_aband_longest_que_dur"),
            ans_servicelevel_cnt: r.count("ans_servicelevel_cnt"),
            wait_dur: r.count("wait_dur"),
            aband_short_call_cnt: r.count("aband_short_call_cnt"),
            aband_within_sl_cnt: r.count("aband_within_sl_cnt"),
            avg_avail_member_cnt: r
                .avg
                .clone()
                .flatten()
                .map(|s| s.parse::<Decimal>().expect("decimal")),
            completed_contacts: None,
            segment_hold_time_ms: None,
        })
        .collect()
}

fn expect_agent_ext(doc: &Doc) -> Vec<AgentExtRow> {
    doc.rows
        .iter()
        .enumerate()
        .map(|(i, r)| AgentExtRow {
            pos: pos_of(doc, i),
            interval: len(r.interval),
            start: r.start(),
            agent_id: r.text("agent_id"),
            agent_name: r.text("agent_name"),
            queue: r.text("queue"),
            queue_name: r.text("queue_name"),
            talking_call_dur: r.count("talking_call_dur"),
            wrap_up_dur: r.count("wrap_up_dur"),
            answ_call_cnt: r.count("answ_call_cnt"),
            transfer_out_call_cnt: r.count("transfer_out_call_cnt"),
        })
        .collect()
}

fn expect_agent(doc: &Doc) -> Vec<AgentRow> {
    doc.rows
        .iter()
        .enumerate()
        .map(|(i, r)| AgentRow {
            pos: pos_of(doc, i),
            interval: len(r.interval),
            start: r.start(),
            agent_id: r.text("agent_id"),
            agent_name: r.text("agent_name"),
            avail_dur: r.count("avail_dur"),
            tot_work_dur: r.count("tot_work_dur"),
            pause_dur: r.count("pause_dur"),
            wait_dur: r.count("wait_dur"),
            admin_dur: r.count("admin_dur"),
            direct_out_call_cnt: r.count("direct_out_call_cnt"),
            direct_out_call_dur: r.count("direct_out_call_dur"),
            direct_in_call_cnt: r.count("direct_in_call_cnt"),
            direct_in_call_dur: r.count("direct_in_call_dur"),
        })
        .collect()
}

/// Column totals of generated rows (u128: values reach u64::MAX).
fn gen_totals(doc: &Doc) -> Vec<(&'static str, u128)> {
    let mut t: Vec<(&'static str, u128)> = Vec::new();
    for r in &doc.rows {
        for (c, v) in &r.counts {
            match t.iter_mut().find(|(n, _)| n == c) {
                Some(e) => e.1 += v.unwrap_or(0) as u128,
                None => t.push((c, v.unwrap_or(0) as u128)),
            }
        }
    }
    t
}

/// Column totals of read rows, by the canonical names the rows visit.
fn read_totals<T: IntervalRow>(rows: &[T]) -> Vec<(&'static str, u128)> {
    let mut t: Vec<(&'static str, u128)> = Vec::new();
    for r in rows {
        r.visit(&mut |f, v| {
            if let ringcx_reports::model::Value::Int(v) = v {
                let name = f.name();
                if matches!(name, "completed_contacts" | "segment_hold_time_ms") {
                    return;
                }
                match t.iter_mut().find(|(n, _)| *n == name) {
                    Some(e) => e.1 += v.unwrap_or(0) as u128,
                    None => t.push((name, v.unwrap_or(0) as u128)),
                }
            }
        });
    }
    t
}

fn open_doc(doc: &Doc, buffer: usize, chunk: usize) -> Reader {
    let b = ReaderBuilder::new()
        .date_order(if doc.dialect.dmy {
            DateOrder::Dmy
        } else {
            DateOrder::Mdy
        })
        .buffer_size(buffer);
    let src = Trickle {
        inner: Cursor::new(doc.bytes.clone()),
        chunk,
    };
    b.from_reader("gen.csv", src)
        .unwrap_or_else(|e| panic!("open: {e}\n{:?}", String::from_utf8_lossy(&doc.bytes)))
}

fn read_typed<T: IntervalRow>(r: &mut Reader, doc: &Doc) -> Vec<T> {
    crate::util::read_all::<T>(r)
        .unwrap_or_else(|e| panic!("read: {e}\n{:?}", String::from_utf8_lossy(&doc.bytes)))
}

fn check(seed: u64, buffer: usize, chunk: usize) -> Result<(), TestCaseError> {
    let doc = gen_doc(seed);
    let text = String::from_utf8_lossy(&doc.bytes).to_string();
    let d = &doc.dialect;
    let mut r = open_doc(&doc, buffer, chunk);
    prop_assert_eq!(r.kind(), d.kind, "{:?}", text);
    let dia = r.dialect().expect("csv").clone();
    prop_assert_eq!(dia.delimiter, d.delim, "{:?}", text);
    prop_assert_eq!(dia.has_header, d.header, "{:?}", text);
    prop_assert_eq!(dia.bom, d.bom);
    prop_assert_eq!(
        dia.title.as_deref(),
        d.title.then(|| d.kind.title_line().expect("title"))
    );
    let columns = cols(d.kind).len() + usize::from(d.with_avg);
    prop_assert_eq!(dia.columns, columns);
    prop_assert_eq!(dia.crlf, doc.first_record_crlf, "{:?}", text);
    prop_assert!(r.diagnostics().is_empty());
    let totals = match d.kind {
        ReportKind::Queue => {
            let rows = read_typed::<QueueRow>(&mut r, &doc);
            prop_assert_eq!(&rows, &expect_queue(&doc), "{:?}", text);
            read_totals(&rows)
        }
        ReportKind::AgentExt => {
            let rows = read_typed::<AgentExtRow>(&mut r, &doc);
            prop_assert_eq!(&rows, &expect_agent_ext(&doc), "{:?}", text);
            read_totals(&rows)
        }
        _ => {
            let rows = read_typed::<AgentRow>(&mut r, &doc);
            prop_assert_eq!(&rows, &expect_agent(&doc), "{:?}", text);
            read_totals(&rows)
        }
    };
    if !doc.rows.is_empty() {
        prop_assert_eq!(totals, gen_totals(&doc));
    }
    prop_assert_eq!(r.bytes_read(), doc.bytes.len() as u64);
    Ok(())
}

proptest! {
    #![proptest_config(crate::util::proptest_config(400, "proptest-regressions/dialects.txt"))]

    /// Any dialect, default buffer, the whole input in one read.
    #[test]
    fn generated_documents_read_back_exactly(seed in any::<u64>()) {
        check(seed, 256 * 1024, usize::MAX)?;
    }

    /// Any dialect, tiny buffers and a source that trickles a few bytes per
    /// read: the same rows.
    #[test]
    fn generated_documents_read_back_exactly_through_tiny_buffers(
        seed in any::<u64>(),
        buffer in prop::sample::select(vec![1usize, 2, 3, 7, 64]),
        chunk in prop::sample::select(vec![1usize, 2, 3, 5, 4096]),
    ) {
        check(seed, buffer, chunk)?;
    }
}

// --------------------------------------------- the csv crate as an oracle

proptest! {
    #![proptest_config(crate::util::proptest_config(200, "proptest-regressions/dialects.txt"))]

    /// Names of arbitrary text written by the `csv` crate (an RFC 4180
    /// writer we did not write) come back as the `csv` crate reads them,
    /// trimmed.
    #[test]
    fn names_written_by_the_csv_crate_read_back(
        names in prop::collection::vec("[ -~\\t\\r\\n\u{e9}\u{4e2d}]{0,12}", 1..6),
        delim in prop::sample::select(vec![b',', b';', b'|', b'\t']),
        always in any::<bool>(),
        crlf in any::<bool>(),
        buffer in prop::sample::select(vec![1usize, 5, 1 << 16]),
    ) {
        let mut w = csv::WriterBuilder::new()
            .delimiter(delim)
            .quote_style(if always { csv::QuoteStyle::Always } else { csv::QuoteStyle::Necessary })
            .terminator(if crlf { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') })
            .from_writer(Vec::new());
        for (i, name) in names.iter().enumerate() {
            let t = format!("{:02}:{:02}", i / 4, (i % 4) * 15);
            w.write_record(["15", "20240304", t.as_str(), "1001", name.as_str(), "7", "Sales", "1", "2", "3", "0"])
                .expect("write");
        }
        let bytes = w.into_inner().expect("bytes");
        // What the csv crate itself reads back.
        let oracle: Vec<String> = csv::ReaderBuilder::new()
            .delimiter(delim)
            .has_headers(false)
            .from_reader(bytes.as_slice())
            .records()
            .map(|r| r.expect("oracle record")[4].to_string())
            .collect();
        prop_assert_eq!(oracle.len(), names.len());
        let mut r = ReaderBuilder::new()
            .buffer_size(buffer)
            .report(Some(ReportKind::AgentExt))
            .from_bytes("o.csv", bytes.clone())
            .expect("open");
        prop_assert_eq!(r.dialect().expect("csv").delimiter, delim);
        let rows = crate::util::read_all::<AgentExtRow>(&mut r)
            .unwrap_or_else(|e| panic!("{e}: {:?}", String::from_utf8_lossy(&bytes)));
        let got: Vec<&str> = rows.iter().map(|r| r.agent_name.as_str()).collect();
        let want: Vec<&str> = oracle.iter().map(|s| s.trim()).collect();
        prop_assert_eq!(got, want);
        prop_assert!(rows.iter().all(|r| r.queue_name == "Sales" && r.answ_call_cnt == Some(3)));
    }
}

#[test]
fn generator_covers_every_dialect_feature() {
    // The generator is worth what it covers: over a fixed set of seeds it
    // must produce every kind, delimiter and option.
    let mut seen = std::collections::BTreeSet::new();
    for seed in 0..300u64 {
        let d = gen_doc(seed).dialect;
        seen.insert(format!("{:?}", d.kind));
        seen.insert(format!("delim {}", d.delim));
        for (on, name) in [
            (d.header, "header"),
            (!d.header, "headerless"),
            (d.with_avg, "avg"),
            (d.bom, "bom"),
            (d.crlf, "crlf"),
            (d.quote_all, "quote_all"),
            (d.title, "title"),
            (d.dmy, "dmy"),
            (!d.final_newline, "no final newline"),
        ] {
            if on {
                seen.insert(name.to_string());
            }
        }
    }
    assert_eq!(seen.len(), 3 + 4 + 9, "{seen:?}");
}
