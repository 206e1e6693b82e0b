//! Every fixture read through the library to its exact typed rows, with
//! every buffer size; the DST rules of SPEC 2.5; streaming in flat memory.

use std::io::{Cursor, Read};

use ringcx_reports::{
    AgentExtRow, AgentRow, Code, DateOrder, Error, QueueRow, Reader, ReaderBuilder, ReportKind,
};

use crate::expected::{ax, fixtures, q, Fixture, Rows};
use crate::util::{
    builder, errors, fixture, fixture_bytes, open, outcomes, pos, read_all, start, Trickle,
};

fn builder_for(f: &Fixture) -> ReaderBuilder {
    let b = builder(f.tz);
    if f.dmy {
        b.date_order(DateOrder::Dmy)
    } else {
        b
    }
}

fn read_rows(f: &Fixture, reader: &mut Reader) -> Result<Rows, Error> {
    Ok(match f.rows {
        Rows::Queue(_) => Rows::Queue(read_all::<QueueRow>(reader)?),
        Rows::AgentExt(_) => Rows::AgentExt(read_all::<AgentExtRow>(reader)?),
        Rows::Agent(_) => Rows::Agent(read_all::<AgentRow>(reader)?),
    })
}

fn kind_of(s: &str) -> ReportKind {
    s.parse().expect("kind")
}

#[test]
fn every_fixture_reads_to_its_exact_rows() {
    for f in fixtures() {
        let mut r = builder_for(&f)
            .from_path(fixture(f.name))
            .unwrap_or_else(|e| panic!("{}: {e}", f.name));
        assert_eq!(r.kind(), kind_of(f.kind), "{}", f.name);
        let d = r.dialect().expect("csv dialect").clone();
        assert_eq!(d.delimiter, f.delimiter, "{} delimiter", f.name);
        assert_eq!(d.has_header, f.header, "{} header", f.name);
        assert_eq!(d.bom, f.bom, "{} bom", f.name);
        assert_eq!(d.crlf, f.crlf, "{} crlf", f.name);
        assert_eq!(d.title.as_deref(), f.title, "{} title", f.name);
        assert_eq!(d.columns, f.columns, "{} columns", f.name);
        let rows = read_rows(&f, &mut r).unwrap_or_else(|e| panic!("{}: {e}", f.name));
        assert_eq!(rows, f.rows, "{}", f.name);
        assert!(r.is_finished());
        assert_eq!(r.records_read(), f.rows.len() as u64);
        assert_eq!(r.bytes_read(), fixture_bytes(f.name).len() as u64);
        assert!(r.diagnostics().is_empty(), "{}", f.name);
    }
}

#[test]
fn every_fixture_reads_the_same_through_the_row_iterator() {
    for f in fixtures() {
        let mut r = builder_for(&f).from_path(fixture(f.name)).expect("open");
        let rows = match f.rows {
            Rows::Queue(_) => Rows::Queue(r.rows().collect::<Result<_, _>>().expect("rows")),
            Rows::AgentExt(_) => Rows::AgentExt(r.rows().collect::<Result<_, _>>().expect("rows")),
            Rows::Agent(_) => Rows::Agent(r.rows().collect::<Result<_, _>>().expect("rows")),
        };
        assert_eq!(rows, f.rows, "{}", f.name);
    }
}

/// The same bytes through tiny buffers and through a source that hands out a
/// few bytes per read: every refill boundary falls somewhere in a record, a
/// quote, a CRLF pair and the BOM.
#[test]
fn every_fixture_reads_the_same_with_any_buffer_size() {
    for f in fixtures() {
        let bytes = fixture_bytes(f.name);
        for size in [1, 2, 3, 7, 64] {
            let mut r = builder_for(&f)
                .buffer_size(size)
                .from_bytes(f.name, bytes.clone())
                .unwrap_or_else(|e| panic!("{} size {size}: {e}", f.name));
            let rows = read_rows(&f, &mut r).expect("rows");
            assert_eq!(rows, f.rows, "{} buffer {size}", f.name);
            for chunk in [1, 2, 5] {
                let src = Trickle {
                    inner: Cursor::new(bytes.clone()),
                    chunk,
                };
                let mut r = builder_for(&f)
                    .buffer_size(size)
                    .from_reader(f.name, src)
                    .expect("open");
                let rows = read_rows(&f, &mut r).expect("rows");
                assert_eq!(rows, f.rows, "{} buffer {size} chunk {chunk}", f.name);
            }
        }
    }
}

#[test]
fn dmy_fixture_without_date_order_is_read_day_first() {
    // 13/03/2024 on line 2 has no month 13: the file is dd/MM (SPEC 9.1).
    let mut r = open("queue_dmy_pipe.csv", "UTC");
    assert_eq!(r.date_order().order, DateOrder::Dmy);
    assert!(r.diagnostics().is_empty());
    let rows = read_all::<QueueRow>(&mut r).expect("rows");
    let starts: Vec<_> = rows.iter().map(|r| r.start).collect();
    assert_eq!(
        starts,
        [start("2024-03-13 08:00", 0), start("2024-03-05 08:00", 0)]
    );
}

#[test]
fn dmy_fixture_read_month_first_when_told() {
    let mut r = ReaderBuilder::new()
        .date_order(DateOrder::Mdy)
        .from_path(fixture("queue_dmy_pipe.csv"))
        .expect("open");
    let out = outcomes::<QueueRow>(&mut r);
    assert_eq!(out.len(), 2);
    let e = out[0].as_ref().expect_err("13/03/2024 has no month 13");
    let d = e.diagnostic().expect("data error");
    assert_eq!(d.code, Code::BadDate);
    assert_eq!(d.location.pos.line(), 2);
    assert_eq!(d.location.field.as_deref(), Some("date_from"));
    assert_eq!(d.value.as_deref(), Some("13/03/2024"));
    assert!(d.message.contains("`date_order` dmy"), "{}", d.message);
    let row = out[1].as_ref().expect("05/03/2024 is May 3rd");
    assert_eq!(row.start, start("2024-05-03 08:00", 0));
}

// ---------------------------------------------------------------- DST

const NY: &str = "America/New_York";
const QH: &str = "interval,date_from,time,queue,queue_name,offd_direct_call_cnt,overflow_in_call_cnt,aband_call_cnt,overflow_out_call_cnt,answ_call_cnt,queued_and_answ_call_dur,queued_and_aband_call_dur,talking_call_dur,wrap_up_dur,queued_answ_longest_que_dur,queued_aband_longest_que_dur,ans_servicelevel_cnt,wait_dur,aband_short_call_cnt,aband_within_sl_cnt\n";

fn qline(date: &str, time: &str, queue: &str) -> String {
    format!("15,{date},{time},{queue},Q{queue},1,0,0,0,1,10,0,60,5,10,0,1,30,0,0\n")
}

fn queue_starts(text: &str, tz: &str) -> Vec<String> {
    let mut r = builder(tz)
        .from_bytes("ny.csv", text.as_bytes().to_vec())
        .expect("open");
    read_all::<QueueRow>(&mut r)
        .expect("rows")
        .iter()
        .map(|r| r.start.to_rfc3339())
        .collect()
}

#[test]
fn spring_forward_gap_rows_are_v109_and_the_others_resolve() {
    let mut r = open("queue_springforward_ny.csv", NY);
    let b = fixture_bytes("queue_springforward_ny.csv");
    let out = outcomes::<QueueRow>(&mut r);
    assert_eq!(out.len(), 7);
    let c = [1, 0, 0, 0, 1, 10, 0, 60, 5, 10, 0, 1, 30, 0, 0];
    let ok = |i: usize| out[i].as_ref().expect("valid row").clone();
    assert_eq!(
        ok(0),
        q(
            pos(&b, 2, 0),
            15,
            "2024-03-10 01:30",
            -5,
            "5686",
            "Sales",
            c,
            None
        )
    );
    assert_eq!(
        ok(1),
        q(
            pos(&b, 3, 1),
            15,
            "2024-03-10 01:45",
            -5,
            "5686",
            "Sales",
            c,
            None
        )
    );
    for (i, t) in ["02:00", "02:15", "02:30", "02:45"].iter().enumerate() {
        let e = out[i + 2].as_ref().expect_err("gap");
        let d = e.diagnostic().expect("data error");
        assert_eq!(d.code, Code::NonexistentTime);
        assert_eq!(d.location.pos.line(), i as u64 + 4);
        assert_eq!(d.location.pos.record(), i as u64 + 2);
        assert_eq!(d.location.field.as_deref(), Some("time"));
        assert_eq!(d.value.as_deref(), Some(format!("2024-03-10 {t}").as_str()));
        assert!(d.message.contains("America/New_York"), "{}", d.message);
    }
    assert_eq!(
        ok(6),
        q(
            pos(&b, 8, 6),
            15,
            "2024-03-10 03:00",
            -4,
            "5686",
            "Sales",
            c,
            None
        )
    );
}

#[test]
fn fall_back_window_reports_its_switch() {
    let mut r = open("queue_fallback_ny.csv", NY);
    read_all::<QueueRow>(&mut r).expect("rows");
    let w = r.fall_back_windows();
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].local_start, crate::util::local("2024-11-03 01:00"));
    assert_eq!(w[0].local_end, crate::util::local("2024-11-03 02:00"));
    assert_eq!(w[0].first_offset.local_minus_utc(), -4 * 3600);
    assert_eq!(w[0].second_offset.local_minus_utc(), -5 * 3600);
    assert!(w[0].switched);
    assert!(w[0].continued_past);
    assert_eq!(w[0].first_line, 4);
}

#[test]
fn fall_back_key_repeat_switches_without_stepping_back() {
    // 01:30 for queue 7 twice: the clock does not step back, the key repeats.
    let text = format!(
        "{QH}{}{}{}{}",
        qline("20241103", "01:30", "7"),
        qline("20241103", "01:30", "7"),
        qline("20241103", "01:45", "7"),
        qline("20241103", "02:00", "7"),
    );
    assert_eq!(
        queue_starts(&text, NY),
        [
            "2024-11-03T01:30:00-04:00",
            "2024-11-03T01:30:00-05:00",
            "2024-11-03T01:45:00-05:00",
            "2024-11-03T02:00:00-05:00",
        ]
    );
}

#[test]
fn fall_back_third_row_at_the_same_start_takes_the_later_offset() {
    // A third row for queue 7 at 01:15 cannot be a third pass: it gets the
    // later offset and so repeats the second row's instant (a duplicate).
    let text = format!(
        "{QH}{}{}{}{}",
        qline("20241103", "01:15", "7"),
        qline("20241103", "01:15", "7"),
        qline("20241103", "01:15", "7"),
        qline("20241103", "01:15", "8"),
    );
    assert_eq!(
        queue_starts(&text, NY),
        [
            "2024-11-03T01:15:00-04:00",
            "2024-11-03T01:15:00-05:00",
            "2024-11-03T01:15:00-05:00",
            "2024-11-03T01:15:00-05:00",
        ]
    );
}

#[test]
fn fall_back_rows_outside_the_window_do_not_change_its_state() {
    // An 00:45 row (before the window) between first-pass rows changes
    // nothing; the step back from 01:45 to 01:00 does.
    let text = format!(
        "{QH}{}{}{}{}{}",
        qline("20241103", "01:00", "7"),
        qline("20241103", "00:45", "8"),
        qline("20241103", "01:45", "7"),
        qline("20241103", "01:00", "8"),
        qline("20241103", "01:45", "7"),
    );
    assert_eq!(
        queue_starts(&text, NY),
        [
            "2024-11-03T01:00:00-04:00",
            "2024-11-03T00:45:00-04:00",
            "2024-11-03T01:45:00-04:00",
            "2024-11-03T01:00:00-05:00",
            "2024-11-03T01:45:00-05:00",
        ]
    );
}

#[test]
fn fall_back_window_never_switched_is_visible() {
    let text = format!(
        "{QH}{}{}{}",
        qline("20241103", "01:00", "7"),
        qline("20241103", "01:15", "7"),
        qline("20241103", "02:00", "7"),
    );
    let mut r = builder(NY)
        .from_bytes("ny.csv", text.into_bytes())
        .expect("open");
    let rows = read_all::<QueueRow>(&mut r).expect("rows");
    assert_eq!(rows[1].start.to_rfc3339(), "2024-11-03T01:15:00-04:00");
    let w = &r.fall_back_windows()[0];
    assert!(!w.switched);
    assert!(w.continued_past);
}

#[test]
fn sparse_agent_rows_switch_on_the_clock_stepping_back() {
    let mut r = open("agent_ext_fallback_sparse_ny.csv", NY);
    let b = fixture_bytes("agent_ext_fallback_sparse_ny.csv");
    let rows = read_all::<AgentExtRow>(&mut r).expect("rows");
    assert_eq!(
        rows[3],
        ax(
            pos(&b, 5, 3),
            15,
            "2024-11-03 01:15",
            -5,
            "1003",
            "C",
            "5686",
            "Sales",
            [60, 5, 1, 0]
        )
    );
    assert_eq!(rows[2].start.to_rfc3339(), "2024-11-03T01:45:00-04:00");
    assert_eq!(rows[4].start.to_rfc3339(), "2024-11-03T01:30:00-05:00");
    // Instants: the 01:15 -05:00 row is after the 01:45 -04:00 row.
    assert_eq!(
        rows[3].start.timestamp() - rows[2].start.timestamp(),
        30 * 60
    );
}

#[test]
fn fall_back_in_another_zone_and_utc_has_no_window() {
    // Europe/Berlin falls back on 2024-10-27 from 03:00 +02:00 to 02:00 +01:00.
    let text = format!(
        "{QH}{}{}{}",
        qline("2024-10-27", "02:30", "7"),
        qline("2024-10-27", "02:30", "7"),
        qline("2024-10-27", "03:00", "7"),
    );
    assert_eq!(
        queue_starts(&text, "Europe/Berlin"),
        [
            "2024-10-27T02:30:00+02:00",
            "2024-10-27T02:30:00+01:00",
            "2024-10-27T03:00:00+01:00",
        ]
    );
    assert_eq!(
        queue_starts(&text, "UTC"),
        [
            "2024-10-27T02:30:00+00:00",
            "2024-10-27T02:30:00+00:00",
            "2024-10-27T03:00:00+00:00",
        ]
    );
}

// ---------------------------------------------------------------- memory

/// Generates a queue export on the fly: a header, then `rows` records with
/// a quoted name spanning two lines every seventh record, never holding
/// more than one record in memory.
struct Generated {
    rows: u64,
    next: u64,
    line: Vec<u8>,
    at: usize,
    header: bool,
}

impl Generated {
    fn new(rows: u64) -> Self {
        Generated {
            rows,
            next: 0,
            line: Vec::new(),
            at: 0,
            header: false,
        }
    }
    fn refill(&mut self) -> bool {
        self.line.clear();
        self.at = 0;
        if !self.header {
            self.header = true;
            self.line.extend_from_slice(QH.as_bytes());
            return true;
        }
        if self.next == self.rows {
            return false;
        }
        let i = self.next;
        self.next += 1;
        let day = 1 + (i / 96) % 28;
        let min = (i % 96) * 15;
        let name = if i % 7 == 0 {
            format!("\"Queue {i}\r\nline two, \"\"x\"\"\"")
        } else {
            format!("Queue {i}")
        };
        self.line.extend_from_slice(
            format!(
                "15,2024-02-{day:02},{:02}:{:02},{},{name},{},0,0,0,{},0,0,0,0,0,0,0,0,0,0\r\n",
                min / 60,
                min % 60,
                i % 50,
                i % 13,
                i % 11
            )
            .as_bytes(),
        );
        true
    }
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.line.len() && !self.refill() {
            return Ok(0);
        }
        let n = buf.len().min(self.line.len() - self.at);
        buf[..n].copy_from_slice(&self.line[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[test]
fn a_multi_megabyte_stream_reads_in_one_small_buffer() {
    const ROWS: u64 = 60_000; // about 5 MB
    let mut r = ReaderBuilder::new()
        .buffer_size(4096)
        .from_reader("gen.csv", Generated::new(ROWS))
        .expect("open");
    let mut row = QueueRow::default();
    let (mut n, mut offered, mut answered) = (0u64, 0u64, 0u64);
    let mut line = 2u64;
    while r.read_row(&mut row).expect("row") {
        let i = n;
        assert_eq!(row.pos.line(), line, "record {i}");
        assert_eq!(row.pos.record(), i);
        line += if i % 7 == 0 { 2 } else { 1 };
        if i % 7 == 0 {
            assert_eq!(row.queue_name, format!("Queue {i}\r\nline two, \"x\""));
        }
        offered += row.offd_direct_call_cnt.expect("count");
        answered += row.answ_call_cnt.expect("count");
        n += 1;
    }
    assert_eq!(n, ROWS);
    assert_eq!(offered, (0..ROWS).map(|i| i % 13).sum::<u64>());
    assert_eq!(answered, (0..ROWS).map(|i| i % 11).sum::<u64>());
    assert!(r.bytes_read() > 4_000_000, "{}", r.bytes_read());
}

#[test]
fn errors_of_a_reader_are_collected_in_file_order() {
    // The helper itself: a value error does not stop the reader.
    let text = format!(
        "{QH}{}15,20240304,08:10,7,Q7,1,0,0,0,1,10,0,60,5,10,0,1,30,0,0\n{}",
        qline("20240304", "08:00", "7"),
        qline("20240304", "08:15", "7")
    );
    let mut r = ReaderBuilder::new()
        .from_bytes("t.csv", text.into_bytes())
        .expect("open");
    let e = errors::<QueueRow>(&mut r);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].code(), Some(Code::OffGrid));
    assert_eq!(r.records_read(), 3);
}

#[test]
fn two_fall_back_windows_in_one_file_each_switch_on_their_own() {
    let text = format!(
        "{QH}{}{}{}{}{}{}",
        qline("20231105", "01:45", "7"),
        qline("20231105", "01:00", "7"),
        qline("20231105", "02:00", "7"),
        qline("20241103", "01:30", "7"),
        qline("20241103", "01:30", "7"),
        qline("20241103", "02:00", "7"),
    );
    assert_eq!(
        queue_starts(&text, NY),
        [
            "2023-11-05T01:45:00-04:00",
            "2023-11-05T01:00:00-05:00",
            "2023-11-05T02:00:00-05:00",
            "2024-11-03T01:30:00-04:00",
            "2024-11-03T01:30:00-05:00",
            "2024-11-03T02:00:00-05:00",
        ]
    );
    let mut r = builder(NY)
        .from_bytes("ny.csv", text.into_bytes())
        .expect("open");
    read_all::<QueueRow>(&mut r).expect("rows");
    let w = r.fall_back_windows();
    assert_eq!(w.len(), 2);
    assert!(w.iter().all(|w| w.switched && w.continued_past));
    assert_eq!(w[1].first_line, 5);
}

#[test]
fn half_hour_dst_shift_repeats_only_half_an_hour() {
    // Australia/Lord_Howe falls back 30 minutes on 2024-04-07: 02:00 +11:00
    // becomes 01:30 +10:30, so 01:30 and 01:45 repeat and 01:15 does not.
    let text = format!(
        "{QH}{}{}{}{}{}",
        qline("20240407", "01:15", "7"),
        qline("20240407", "01:30", "7"),
        qline("20240407", "01:45", "7"),
        qline("20240407", "01:30", "7"),
        qline("20240407", "02:00", "7"),
    );
    assert_eq!(
        queue_starts(&text, "Australia/Lord_Howe"),
        [
            "2024-04-07T01:15:00+11:00",
            "2024-04-07T01:30:00+11:00",
            "2024-04-07T01:45:00+11:00",
            "2024-04-07T01:30:00+10:30",
            "2024-04-07T02:00:00+10:30",
        ]
    );
}

/// A quoted field with `""` escapes on one line is read in place (the
/// escapes undone when the value is taken): the same values as the RFC 4180
/// path, in a name, an id, a header name, and in a record that is not UTF-8
/// (whose values are then checked one by one).
#[test]
fn doubled_quotes_on_one_line_read_as_one_quote() {
    let header = QH.replacen("queue_name", "\"queue_\"\"name\"\"\"", 1);
    assert!(header.contains("\"queue_\"\"name\"\"\""));
    let mut text = header.replace("\"queue_\"\"name\"\"\"", "queue_name");
    text.push_str("15,20240304,08:00,\"50\"\"01\",\"Retention \"\"Save\"\" Desk\",1,0,0,0,1,5,0,60,6,5,0,1,10,0,0\n");
    text.push_str("15,20240304,08:15,5002,\"\"\"\"\"\"\"\",2,0,0,0,2,5,0,60,6,5,0,1,10,0,0\n");
    text.push_str("15,20240304,08:30,5003,\"a,\"\"b\"\",c\",3,0,0,0,3,5,0,60,6,5,0,1,10,0,0\n");
    let mut bytes = text.into_bytes();
    // A Latin-1 byte after the escapes: the record is not UTF-8.
    bytes.extend_from_slice(
        b"15,20240304,08:45,5004,\"\"\"x\"\" \xe9\",4,0,0,0,4,5,0,60,6,5,0,1,10,0,0\n",
    );
    let mut r = ReaderBuilder::new()
        .from_bytes("esc.csv", bytes)
        .expect("open");
    let mut row = QueueRow::default();
    let mut got = Vec::new();
    loop {
        match r.read_row(&mut row) {
            Ok(true) => got.push((row.queue.clone(), row.queue_name.clone())),
            Ok(false) => break,
            Err(e) => {
                got.push(("error".into(), e.to_string()));
                break;
            }
        }
    }
    assert_eq!(
        got[0],
        ("50\"01".to_string(), "Retention \"Save\" Desk".to_string())
    );
    assert_eq!(got[1], ("5002".to_string(), "\"\"\"".to_string()));
    assert_eq!(got[2], ("5003".to_string(), "a,\"b\",c".to_string()));
    assert_eq!(got[3].0, "error");
    assert!(got[3].1.contains("queue_name"), "{}", got[3].1);
    assert!(got[3].1.contains(":5:"), "{}", got[3].1);
    // A header name with escapes is read unescaped: `queue_"name"` is not a
    // known column, so the file says so.
    let mut t = header;
    t.push_str("15,20240304,08:00,5001,Sales,1,0,0,0,1,5,0,60,6,5,0,1,10,0,0\n");
    let r = ReaderBuilder::new()
        .from_bytes("h.csv", t.into_bytes())
        .expect("open");
    let d: Vec<String> = r.diagnostics().iter().map(|d| d.to_string()).collect();
    assert!(d.iter().any(|d| d.contains("queue_\"name\"")), "{d:?}");
}
