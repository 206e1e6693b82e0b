//! Every error the CSV reader can raise, with its code, physical line,
//! field and raw value; what the reader does after it (goes on after a
//! value error, is finished after a fatal one).

use ringcx_reports::{
    AgentExtRow, AgentRow, Code, Diagnostic, Error, QueueRow, ReaderBuilder, Severity,
};

use crate::util::{outcomes, Trickle};

const QH: &str = "interval,date_from,time,queue,queue_name,offd_direct_call_cnt,overflow_in_call_cnt,aband_call_cnt,overflow_out_call_cnt,answ_call_cnt,queued_and_answ_call_dur,queued_and_aband_call_dur,talking_call_dur,wrap_up_dur,queued_answ_longest_que_dur,queued_aband_longest_que_dur,ans_servicelevel_cnt,wait_dur,aband_short_call_cnt,aband_within_sl_cnt";
const QROW: &str = "15,20240304,08:00,5686,Sales,12,2,2,1,11,180,40,1650,220,45,30,9,600,1,1";
const AXH: &str = "interval,date_from,time,agent_id,agent_name,queue,queue_name,talking_call_dur,wrap_up_dur,answ_call_cnt,transfer_out_call_cnt";
const AGH: &str = "interval,date_from,time,agent_id,agent_name,avail_dur,tot_work_dur,pause_dur,wait_dur,admin_dur,direct_out_call_cnt,direct_out_call_dur,direct_in_call_cnt,direct_in_call_dur";

/// QROW with the column named `field` replaced by `value`.
fn qrow_with(field: &str, value: &str) -> String {
    let names: Vec<&str> = QH.split(',').collect();
    let i = names.iter().position(|n| *n == field).expect("field");
    let mut vals: Vec<&str> = QROW.split(',').collect();
    vals[i] = value;
    vals.join(",")
}

fn diag(e: &Error) -> &Diagnostic {
    e.diagnostic()
        .unwrap_or_else(|| panic!("not a data error: {e}"))
}

#[track_caller]
fn assert_diag(e: &Error, code: Code, line: u64, field: Option<&str>, value: Option<&str>) {
    let d = diag(e);
    assert_eq!(d.code, code, "{e}");
    assert_eq!(d.severity, Severity::Error, "{e}");
    assert_eq!(d.location.file.as_ref(), "t.csv", "{e}");
    assert_eq!(d.location.pos.line(), line, "{e}");
    assert_eq!(d.location.field.as_deref(), field, "{e}");
    assert_eq!(d.value.as_deref(), value, "{e}");
}

fn open_bytes(b: &ReaderBuilder, bytes: &[u8]) -> Result<ringcx_reports::Reader, Error> {
    b.from_bytes("t.csv", bytes.to_vec())
}

/// Reads a queue document: a header, a good row, the bad row, a good row.
/// The bad row must be the only error, and the reader must go on.
#[track_caller]
fn value_error(field: &str, value: &str, code: Code) -> Error {
    let text = format!(
        "{QH}\n{QROW}\n{}\n{}\n",
        qrow_with(field, value),
        qrow_with("time", "08:15")
    );
    let mut r = open_bytes(&ReaderBuilder::new(), text.as_bytes()).expect("open");
    let out = outcomes::<QueueRow>(&mut r);
    assert_eq!(out.len(), 3, "{field}={value}");
    assert!(out[0].is_ok());
    let e = out.into_iter().nth(1).expect("two").expect_err("bad row");
    assert_eq!(diag(&e).code, code, "{e}");
    assert_eq!(diag(&e).location.pos.record(), 1);
    assert_eq!(
        diag(&e).location.pos.byte(),
        (QH.len() + QROW.len() + 2) as u64
    );
    // The reader went on to the next record.
    assert_eq!(r.records_read(), 3);
    assert!(r.is_finished());
    e
}

#[test]
fn v101_not_a_number() {
    let e = value_error("answ_call_cnt", "eleven", Code::NotANumber);
    assert_diag(
        &e,
        Code::NotANumber,
        3,
        Some("answ_call_cnt"),
        Some("eleven"),
    );
    assert!(diag(&e).message.contains("non-negative integer"));
    let e = value_error("wait_dur", "1e3", Code::NotANumber);
    assert_diag(&e, Code::NotANumber, 3, Some("wait_dur"), Some("1e3"));
}

#[test]
fn v102_negative() {
    let e = value_error("aband_call_cnt", "-2", Code::Negative);
    assert_diag(&e, Code::Negative, 3, Some("aband_call_cnt"), Some("-2"));
}

#[test]
fn v103_fraction() {
    let e = value_error("talking_call_dur", "12.5", Code::Fraction);
    assert_diag(
        &e,
        Code::Fraction,
        3,
        Some("talking_call_dur"),
        Some("12.5"),
    );
}

#[test]
fn v104_empty_interval_date_time_queue() {
    for field in ["interval", "date_from", "time", "queue"] {
        let e = value_error(field, "", Code::EmptyRequired);
        assert_diag(&e, Code::EmptyRequired, 3, Some(field), Some(""));
    }
    // White space only is empty too.
    let e = value_error("queue", "   ", Code::EmptyRequired);
    assert_eq!(diag(&e).location.field.as_deref(), Some("queue"));
}

#[test]
fn v104_empty_agent_id() {
    let text = format!("{AXH}\n15,20240304,08:00,,Pat,5686,Sales,1,1,1,0\n");
    let mut r = open_bytes(&ReaderBuilder::new(), text.as_bytes()).expect("open");
    let e = outcomes::<AgentExtRow>(&mut r)
        .pop()
        .expect("one")
        .expect_err("bad");
    assert_diag(&e, Code::EmptyRequired, 2, Some("agent_id"), Some(""));
    let text = format!("{AGH}\n15,20240304,08:00,,Pat,1,1,1,1,1,1,1,1,1\n");
    let mut r = open_bytes(&ReaderBuilder::new(), text.as_bytes()).expect("open");
    let e = outcomes::<AgentRow>(&mut r)
        .pop()
        .expect("one")
        .expect_err("bad");
    assert_diag(&e, Code::EmptyRequired, 2, Some("agent_id"), Some(""));
}

#[test]
fn absent_counts_are_none_not_zero() {
    let text = format!(
        "{QH}\n{}\n",
        qrow_with("answ_call_cnt", "").replace(",Sales,", ",,")
    );
    let mut r = open_bytes(&ReaderBuilder::new(), text.as_bytes()).expect("open");
    let rows = crate::util::read_all::<QueueRow>(&mut r).expect("rows");
    assert_eq!(rows[0].answ_call_cnt, None);
    assert_eq!(rows[0].queue_name, "");
    assert_eq!(rows[0].aband_within_sl_cnt, Some(1));
    assert_eq!(rows[0].overflow_in_call_cnt, Some(2));
}

#[test]
fn v105_bad_interval() {
    for v in ["20", "0", "90", "x", "-15"] {
        let e = value_error("interval", v, Code::BadInterval);
        assert_diag(&e, Code::BadInterval, 3, Some("interval"), Some(v));
        assert!(diag(&e).message.contains("15, 30, 45 or 60"));
    }
}

#[test]
fn v106_bad_date() {
    for v in [
        "2024-02-30",
        "20240230",
        "yesterday",
        "2024-13-01",
        "02/30/2024",
    ] {
        let e = value_error("date_from", v, Code::BadDate);
        assert_diag(&e, Code::BadDate, 3, Some("date_from"), Some(v));
    }
}

#[test]
fn v107_bad_time() {
    for v in ["08:15:30", "25:00", "24:00", "8h15", "08:60"] {
        let e = value_error("time", v, Code::BadTime);
        assert_diag(&e, Code::BadTime, 3, Some("time"), Some(v));
    }
}

#[test]
fn v108_off_grid() {
    let e = value_error("time", "08:10", Code::OffGrid);
    assert_diag(&e, Code::OffGrid, 3, Some("time"), Some("08:10"));
    assert!(diag(&e).message.contains("15-minute grid"));
    // 30-minute rows at :15 are off their grid.
    let text = format!(
        "{QH}\n{}\n",
        qrow_with("interval", "30").replace("08:00", "08:15")
    );
    let mut r = open_bytes(&ReaderBuilder::new(), text.as_bytes()).expect("open");
    let e = outcomes::<QueueRow>(&mut r)
        .pop()
        .expect("one")
        .expect_err("bad");
    assert_diag(&e, Code::OffGrid, 2, Some("time"), Some("08:15"));
}

/// The raw value of an off-grid time is the text as written, not a
/// reformatted time.
#[test]
fn off_grid_error_keeps_the_raw_time_text() {
    let e = value_error("time", "08:10:00", Code::OffGrid);
    assert_diag(&e, Code::OffGrid, 3, Some("time"), Some("08:10:00"));
}

#[test]
fn v110_overflow() {
    let e = value_error("wait_dur", "99999999999999999999", Code::Overflow);
    assert_diag(
        &e,
        Code::Overflow,
        3,
        Some("wait_dur"),
        Some("99999999999999999999"),
    );
    // u64::MAX itself is fine.
    let text = format!("{QH}\n{}\n", qrow_with("wait_dur", "18446744073709551615"));
    let mut r = open_bytes(&ReaderBuilder::new(), text.as_bytes()).expect("open");
    let rows = crate::util::read_all::<QueueRow>(&mut r).expect("rows");
    assert_eq!(rows[0].wait_dur, Some(u64::MAX));
}

#[test]
fn v109_is_a_value_error_the_reader_goes_on_after() {
    let text = format!(
        "{QH}\n{}\n{}\n",
        qrow_with("date_from", "20240310").replace("08:00", "02:30"),
        qrow_with("date_from", "20240310").replace("08:00", "03:00"),
    );
    let b = ReaderBuilder::new().source_tz("America/New_York".parse().expect("tz"));
    let mut r = open_bytes(&b, text.as_bytes()).expect("open");
    let out = outcomes::<QueueRow>(&mut r);
    assert_diag(
        out[0].as_ref().expect_err("gap"),
        Code::NonexistentTime,
        2,
        Some("time"),
        Some("2024-03-10 02:30"),
    );
    assert_eq!(
        out[1].as_ref().expect("row").start.to_rfc3339(),
        "2024-03-10T03:00:00-04:00"
    );
}

#[test]
fn avg_avail_member_cnt_errors() {
    let h = QH.replace(
        "queued_aband_longest_que_dur,",
        "queued_aband_longest_que_dur,avg_avail_member_cnt,",
    );
    let row = QROW.replace(",30,9,", ",30,abc,9,");
    let text = format!("{h}\n{row}\n{}\n", QROW.replace(",30,9,", ",30,-0.5,9,"));
    let mut r = open_bytes(&ReaderBuilder::new(), text.as_bytes()).expect("open");
    let out = outcomes::<QueueRow>(&mut r);
    assert_diag(
        out[0].as_ref().expect_err("bad"),
        Code::NotANumber,
        2,
        Some("avg_avail_member_cnt"),
        Some("abc"),
    );
    assert_diag(
        out[1].as_ref().expect_err("bad"),
        Code::Negative,
        3,
        Some("avg_avail_member_cnt"),
        Some("-0.5"),
    );
}

// ------------------------------------------------------------ positions

/// CRLF, blank lines (empty and spaces), and a quoted line break: each error
/// names the physical line of the bad value.
#[test]
fn error_lines_count_crlf_blank_lines_and_quoted_line_breaks() {
    let name_2_lines = "\"Sales\r\nEast\"";
    let bad_on_line_2 = qrow_with("queue_name", name_2_lines).replace(",12,2,2,", ",12,x,2,");
    let text = format!(
        "{QH}\r\n\r\n{bad_on_line_2}\r\n\r\n   \r\n{}\r\n\n{}\r\n",
        qrow_with("aband_call_cnt", "-1"),
        qrow_with("time", "08:15"),
    );
    // header 1, blank 2, record 3-4 (bad value on 4), blank 5, spaces 6,
    // record 7, blank 8, record 9.
    for size in [1, 3, 64, 1 << 16] {
        let b = ReaderBuilder::new().buffer_size(size);
        let mut r = open_bytes(&b, text.as_bytes()).expect("open");
        let out = outcomes::<QueueRow>(&mut r);
        assert_eq!(out.len(), 3);
        let e0 = out[0].as_ref().expect_err("x");
        assert_diag(
            e0,
            Code::NotANumber,
            4,
            Some("overflow_in_call_cnt"),
            Some("x"),
        );
        assert_eq!(diag(e0).location.pos.record(), 0);
        assert_eq!(diag(e0).location.pos.byte(), (QH.len() + 4) as u64);
        assert_diag(
            out[1].as_ref().expect_err("-1"),
            Code::Negative,
            7,
            Some("aband_call_cnt"),
            Some("-1"),
        );
        let row = out[2].as_ref().expect("row");
        assert_eq!(row.pos.line(), 9);
        assert_eq!(row.pos.record(), 2);
        assert_eq!(row.queue_name, "Sales");
    }
}

#[test]
fn a_value_after_a_quoted_line_break_reports_its_own_line() {
    // queue_name spans lines 2-4; the bad count after it sits on line 4.
    let row = qrow_with("queue_name", "\"a\nb\nc\"").replace(",1650,", ",16.5,");
    let text = format!("{QH}\n{row}\n");
    let mut r = open_bytes(&ReaderBuilder::new(), text.as_bytes()).expect("open");
    let e = outcomes::<QueueRow>(&mut r)
        .pop()
        .expect("one")
        .expect_err("bad");
    assert_diag(
        &e,
        Code::Fraction,
        4,
        Some("talking_call_dur"),
        Some("16.5"),
    );
    assert_eq!(diag(&e).location.pos.record(), 0);
}

/// The empty key check runs when the record ends; it must still name the
/// line the empty key sits on.
#[test]
fn empty_key_after_a_quoted_line_break_reports_its_own_line() {
    let text = format!("{AXH}\n15,20240304,08:00,1001,\"Kaduk,\nAlena\",,Sales,1,1,1,0\n");
    let mut r = open_bytes(&ReaderBuilder::new(), text.as_bytes()).expect("open");
    let e = outcomes::<AgentExtRow>(&mut r)
        .pop()
        .expect("one")
        .expect_err("bad");
    assert_diag(&e, Code::EmptyRequired, 3, Some("queue"), Some(""));
}

#[test]
fn off_grid_time_after_a_quoted_line_break_reports_its_own_line() {
    // Headerless agent-ext: the name comes before... nothing; put the line
    // break in a header-ordered file whose time comes last.
    let h = "agent_name,agent_id,queue,queue_name,talking_call_dur,wrap_up_dur,answ_call_cnt,transfer_out_call_cnt,interval,date_from,time";
    let text = format!("{h}\n\"Kaduk,\r\nAlena\",1001,5686,Sales,1,1,1,0,15,20240304,08:20\r\n");
    let mut r = open_bytes(&ReaderBuilder::new(), text.as_bytes()).expect("open");
    let e = outcomes::<AgentExtRow>(&mut r)
        .pop()
        .expect("one")
        .expect_err("bad");
    assert_diag(&e, Code::OffGrid, 3, Some("time"), Some("08:20"));
}

// ------------------------------------------------------------ structure

#[test]
fn s001_invalid_utf8_in_a_value() {
    let mut text = format!("{QH}\n").into_bytes();
    text.extend_from_slice(
        b"15,20240304,08:00,5686,Sal\xFFes,12,2,2,1,11,180,40,1650,220,45,30,9,600,1,1\n",
    );
    text.extend_from_slice(format!("{}\n", qrow_with("time", "08:15")).as_bytes());
    let mut r = open_bytes(&ReaderBuilder::new(), &text).expect("open");
    let out = outcomes::<QueueRow>(&mut r);
    assert_eq!(out.len(), 2);
    assert_diag(
        out[0].as_ref().expect_err("bad"),
        Code::Encoding,
        2,
        Some("queue_name"),
        Some("Sal\u{FFFD}es"),
    );
    assert!(out[1].is_ok());
}

#[test]
fn s001_utf16_byte_order_mark() {
    for bom in [[0xFF, 0xFE], [0xFE, 0xFF]] {
        let mut bytes = bom.to_vec();
        for b in QH.bytes() {
            bytes.extend_from_slice(&[b, 0]);
        }
        let e = open_bytes(&ReaderBuilder::new(), &bytes).expect_err("utf-16");
        assert_diag(&e, Code::Encoding, 1, None, None);
        assert!(diag(&e).message.contains("UTF-16"));
    }
}

#[test]
fn s002_missing_required_column() {
    let h = QH.replace(",wait_dur", "");
    let e = open_bytes(&ReaderBuilder::new(), format!("{h}\n").as_bytes()).expect_err("missing");
    assert_diag(&e, Code::MissingColumn, 1, Some("wait_dur"), None);
    // After a title line and a blank line the header is on line 3.
    let h = QH.replace("interval,", "");
    let text = format!("Teleopti.Queue.Data\n\n{h}\n");
    let e = open_bytes(&ReaderBuilder::new(), text.as_bytes()).expect_err("missing");
    assert_diag(&e, Code::MissingColumn, 3, Some("interval"), None);
}

#[test]
fn s003_record_with_the_wrong_number_of_fields() {
    let text = format!("{QH}\n{QROW},7\n{}\n", qrow_with("time", "08:15"));
    let mut r = open_bytes(&ReaderBuilder::new(), text.as_bytes()).expect("open");
    let out = outcomes::<QueueRow>(&mut r);
    assert_eq!(out.len(), 2);
    let e = out[0].as_ref().expect_err("count");
    let raw = format!("{QROW},7");
    assert_diag(e, Code::ColumnCount, 2, None, Some(raw.as_str()));
    assert!(diag(e).message.contains("expected 20 fields, found 21"));
    assert!(out[1].is_ok());
}

#[test]
fn s003_headerless_count_that_matches_no_layout() {
    for (text, n) in [("15,20240304,08:00,5686,Sales,1,2\n", 7), ("a;b\n", 2)] {
        let e = open_bytes(&ReaderBuilder::new(), text.as_bytes()).expect_err("layout");
        assert_diag(&e, Code::ColumnCount, 1, None, None);
        assert!(diag(&e).message.contains(&format!("{n} fields")), "{e}");
    }
    // A title line names the kind: 20 columns are not an agent layout.
    let text = format!("Teleopti.Agent.Data\n\n{QROW}\n");
    let e = open_bytes(&ReaderBuilder::new(), text.as_bytes()).expect_err("layout");
    assert_diag(&e, Code::ColumnCount, 3, None, None);
}

#[test]
fn s005_file_ends_inside_a_quote() {
    let row = qrow_with("queue_name", "\"Sales\nEast");
    let text = format!("{QH}\n{QROW}\n{row}\n");
    for size in [1, 7, 1 << 16] {
        let b = ReaderBuilder::new().buffer_size(size);
        let mut r = open_bytes(&b, text.as_bytes()).expect("open");
        let out = outcomes::<QueueRow>(&mut r);
        assert_eq!(out.len(), 2);
        assert!(out[0].is_ok());
        assert_diag(
            out[1].as_ref().expect_err("eof"),
            Code::Truncated,
            3,
            None,
            None,
        );
        assert!(r.is_finished());
    }
}

/// The record limit holds whatever the buffer size: a record longer than
/// the limit is an error even when the whole file fits in the first read.
#[test]
fn record_over_max_record_len_is_s009_with_any_buffer() {
    let long = qrow_with("queue_name", &"n".repeat(300));
    let text = format!("{QROW}\n{long}\n{QROW}\n");
    for size in [1, 64, 1 << 16] {
        let b = ReaderBuilder::new().buffer_size(size).max_record_len(100);
        let mut r = open_bytes(&b, text.as_bytes()).expect("open");
        let out = outcomes::<QueueRow>(&mut r);
        assert_eq!(out.len(), 2, "buffer {size}");
        assert!(out[0].is_ok());
        let e = out[1].as_ref().expect_err("limit");
        assert_diag(e, Code::Limit, 2, None, None);
        assert!(diag(e).message.contains("100 bytes"));
        assert!(r.is_finished());
    }
    // A record of exactly the limit (without its line ending) is fine.
    let exact = qrow_with("queue_name", &"n".repeat(100 - QROW.len() + 5));
    assert_eq!(exact.len(), 100);
    let b = ReaderBuilder::new().max_record_len(100);
    for eol in ["\n", "\r\n"] {
        let text = format!("{exact}{eol}{exact}");
        let mut r = open_bytes(&b.clone().buffer_size(1), text.as_bytes()).expect("open");
        assert_eq!(
            crate::util::read_all::<QueueRow>(&mut r)
                .expect("rows")
                .len(),
            2
        );
        let mut r = open_bytes(&b, text.as_bytes()).expect("open");
        assert_eq!(
            crate::util::read_all::<QueueRow>(&mut r)
                .expect("rows")
                .len(),
            2
        );
    }
}

#[test]
fn s010_empty_file_and_unknown_header() {
    for text in ["", "\n\n", "  \r\n \n", "\u{FEFF}"] {
        let e = open_bytes(&ReaderBuilder::new(), text.as_bytes()).expect_err("empty");
        assert_diag(&e, Code::UnknownReport, 1, None, None);
    }
    let e = open_bytes(
        &ReaderBuilder::new(),
        b"interval,date_from,time,colour,size\n15,20240304,08:00,red,3\n",
    )
    .expect_err("unknown");
    assert_diag(&e, Code::UnknownReport, 1, None, None);
    // A title line with nothing after it.
    let e = open_bytes(&ReaderBuilder::new(), b"Teleopti.Queue.Data\n\n").expect_err("title");
    assert_diag(&e, Code::UnknownReport, 3, None, None);
}

#[test]
fn s011_duplicate_column() {
    let h = QH.replace("time,", "time (H24:MI),time,");
    let e = open_bytes(&ReaderBuilder::new(), format!("{h}\n").as_bytes()).expect_err("dup");
    assert_diag(&e, Code::DuplicateColumn, 1, Some("time"), Some("time"));
}

#[test]
fn s004_unknown_column_is_a_warning_and_the_row_is_read() {
    let h = QH.replace("queue_name,", "queue_name,Region,");
    let row = QROW.replace("Sales,", "Sales,EMEA,");
    let text = format!("{h}\n{row}\n");
    let mut r = open_bytes(&ReaderBuilder::new(), text.as_bytes()).expect("open");
    let d = r.diagnostics().to_vec();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code, Code::UnknownColumn);
    assert_eq!(d[0].severity, Severity::Warning);
    assert_eq!(d[0].location.pos.line(), 1);
    assert_eq!(d[0].location.field.as_deref(), Some("Region"));
    assert_eq!(d[0].value.as_deref(), Some("Region"));
    let rows = crate::util::read_all::<QueueRow>(&mut r).expect("rows");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].queue_name, "Sales");
    assert_eq!(rows[0].offd_direct_call_cnt, Some(12));
}

#[test]
fn io_error_mid_file_is_fatal() {
    struct Failing(usize);
    impl std::io::Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let text = format!("{QH}\n{QROW}\n");
            if self.0 >= text.len() {
                return Err(std::io::Error::other("disk on fire"));
            }
            let n = buf.len().min(text.len() - self.0);
            buf[..n].copy_from_slice(&text.as_bytes()[self.0..self.0 + n]);
            self.0 += n;
            Ok(n)
        }
    }
    let mut r = ReaderBuilder::new()
        .buffer_size(16)
        .from_reader(
            "t.csv",
            Trickle {
                inner: Failing(0),
                chunk: 16,
            },
        )
        .expect("open");
    let out = outcomes::<QueueRow>(&mut r);
    let e = out.last().expect("one").as_ref().expect_err("io");
    assert!(e.is_io(), "{e}");
    assert!(e.to_string().contains("disk on fire"));
    assert!(r.is_finished());
}

#[test]
fn wrong_row_type_is_a_usage_error() {
    let mut r =
        open_bytes(&ReaderBuilder::new(), format!("{QH}\n{QROW}\n").as_bytes()).expect("open");
    let mut row = AgentRow::default();
    let e = r.read_row(&mut row).expect_err("kind");
    assert!(e.is_usage());
    assert!(e.to_string().contains("queue rows, not agent rows"), "{e}");
}

#[test]
fn no_panic_on_arbitrary_prefixes_of_a_fixture() {
    // Every prefix of a quoted multi-line fixture: rows, errors, never a
    // panic, and a reader that always finishes.
    let bytes = crate::util::fixture_bytes("agent_ext_quoted.csv");
    for cut in 0..bytes.len() {
        let b = ReaderBuilder::new().buffer_size(3);
        if let Ok(mut r) = open_bytes(&b, &bytes[..cut]) {
            if r.kind() == ringcx_reports::ReportKind::AgentExt {
                outcomes::<AgentExtRow>(&mut r);
            }
        }
    }
}

// ------------------------------------------------------------ dialect bugs

/// Found by the dialect property test: the line ending was taken from the
/// first record as tokenized with `,` before the delimiter was known, which
/// ends at a line break inside quotes.
#[test]
fn crlf_is_detected_on_the_first_record_not_a_comma_tokenized_fragment() {
    let text = "15;20240304;08:00;7;Q;1;\"\r\n\";1;1;1;0\n15;20240304;08:15;7;Q;1;x;1;1;1;0\n";
    let mut r = open_bytes(&ReaderBuilder::new(), text.as_bytes()).expect("open");
    let d = r.dialect().expect("csv").clone();
    assert_eq!((d.delimiter, d.crlf), (b';', false));
    let rows = crate::util::read_all::<AgentExtRow>(&mut r).expect("rows");
    assert_eq!(rows[0].queue_name, "");
    assert_eq!(rows[1].pos.line(), 3);
    let crlf = "15;20240304;08:00;7;\"a\nb\";1;Q;1;1;1;0\r\n";
    let r = open_bytes(&ReaderBuilder::new(), crlf.as_bytes()).expect("open");
    assert!(r.dialect().expect("csv").crlf);
}

/// The delimiter used to be sniffed from that same fragment: a name with
/// many commas before a quoted line break outvoted the real `;`.
#[test]
fn delimiter_sniffing_is_not_fooled_by_commas_before_a_quoted_line_break() {
    let text = "15;20240304;08:00;1001;a,b,c,d,e,f,g,h;5686;\"x\ny\";1;2;3;0\n";
    let mut r = open_bytes(&ReaderBuilder::new(), text.as_bytes()).expect("open");
    assert_eq!(r.dialect().expect("csv").delimiter, b';');
    let rows = crate::util::read_all::<AgentExtRow>(&mut r).expect("rows");
    assert_eq!(rows[0].agent_name, "a,b,c,d,e,f,g,h");
    assert_eq!(rows[0].queue_name, "x\ny");
    // A header is a stronger hint than a count: a `|` header whose names
    // hold no commas, with a data row full of them.
    let text = "interval|date_from|time|agent_id|agent_name|avail_dur|tot_work_dur|pause_dur|wait_dur|admin_dur|direct_out_call_cnt|direct_out_call_dur|direct_in_call_cnt|direct_in_call_dur\n30|20240304|08:00|1|a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p|1|1|1|1|1|1|1|1|1\n";
    let mut r = open_bytes(&ReaderBuilder::new(), text.as_bytes()).expect("open");
    assert_eq!(r.dialect().expect("csv").delimiter, b'|');
    let rows = crate::util::read_all::<AgentRow>(&mut r).expect("rows");
    assert_eq!(rows[0].agent_name, "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p");
}

/// Found by the dialect property test: before the delimiter was known the
/// first record was tokenized with `,`, so in a `;` file the quote after the
/// comma of `"a,"` opened a field that never closed: S005 on a good file.
#[test]
fn a_quoted_comma_in_a_semicolon_file_is_not_an_unclosed_quote() {
    for text in [
        "15;20240304;08:00;1001;\"a,\";5686;Sales;1;2;3;0\n",
        "Teleopti.AgentQueue.Data\n\n15\t20240304\t08:00\t1001\t\"\r,\"\t5686\tSales\t1\t2\t3\t0\n",
    ] {
        let mut r = open_bytes(&ReaderBuilder::new(), text.as_bytes()).expect("open");
        let rows = crate::util::read_all::<AgentExtRow>(&mut r).expect("rows");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].queue, "5686");
    }
    // A file that really ends inside a quote is still S005.
    let text = "15;20240304;08:00;1001;\"a,;5686;Sales;1;2;3;0\n";
    let e = open_bytes(&ReaderBuilder::new(), text.as_bytes()).expect_err("cut");
    assert_diag(&e, Code::Truncated, 1, None, None);
}

/// A header used to need every name to be non-numeric: one extra column
/// named `2024` turned the header into a headerless 21-column record, and
/// the data rows were then read in the Teleopti layout, silently shifted.
#[test]
fn header_with_a_numeric_looking_extra_column_is_still_a_header() {
    let text = format!("{QH},2024\n{QROW},x\n");
    let mut r = open_bytes(&ReaderBuilder::new(), text.as_bytes()).expect("open");
    assert!(r.dialect().expect("csv").has_header);
    assert_eq!(r.diagnostics().len(), 1);
    assert_eq!(r.diagnostics()[0].code, Code::UnknownColumn);
    assert_eq!(r.diagnostics()[0].location.field.as_deref(), Some("2024"));
    let rows = crate::util::read_all::<QueueRow>(&mut r).expect("rows");
    assert_eq!(rows[0].ans_servicelevel_cnt, Some(9));
    assert_eq!(rows[0].avg_avail_member_cnt, None);
    assert_eq!(rows[0].aband_within_sl_cnt, Some(1));
}

#[test]
fn title_line_variants() {
    // No blank line after the title, any case, CRLF and a BOM.
    let text = format!(
        "\u{FEFF}teleopti.queue.data\r\n{}\r\n{QROW}\r\n",
        QH.replace(',', ";")
    )
    .replace(QROW, &QROW.replace(',', ";"));
    let mut r = open_bytes(&ReaderBuilder::new(), text.as_bytes()).expect("open");
    let d = r.dialect().expect("csv").clone();
    assert_eq!(d.title.as_deref(), Some("teleopti.queue.data"));
    assert!(d.bom && d.crlf && d.has_header);
    let rows = crate::util::read_all::<QueueRow>(&mut r).expect("rows");
    assert_eq!(rows[0].pos.line(), 3);
    assert_eq!(rows[0].pos.byte(), (3 + 21 + QH.len() + 2) as u64);
    // A title that names another report than the columns is an error.
    let text = format!("Teleopti.Agent.Data\n\n{QH}\n{QROW}\n");
    let e = open_bytes(&ReaderBuilder::new(), text.as_bytes()).expect_err("mismatch");
    assert_diag(&e, Code::UnknownReport, 1, None, None);
    assert!(diag(&e).message.contains("agent report"), "{e}");
    // A title alone on a line with a delimiter is not a title: it is a
    // record that fits no layout.
    let text = format!("Teleopti.Queue.Data;x\n{QROW}\n");
    let e = open_bytes(&ReaderBuilder::new(), text.as_bytes()).expect_err("not a title");
    assert_diag(&e, Code::ColumnCount, 1, None, None);
}

#[test]
fn bad_values_fixture_errors_in_order() {
    let mut r = crate::util::open("bad/values.csv", "UTC");
    let out = outcomes::<QueueRow>(&mut r);
    let got: Vec<(Code, u64, String, String)> = out
        .iter()
        .filter_map(|o| o.as_ref().err())
        .map(|e| {
            let d = diag(e);
            (
                d.code,
                d.location.pos.line(),
                d.location.field.as_deref().unwrap_or("").to_string(),
                d.value.clone().unwrap_or_default(),
            )
        })
        .collect();
    let want = [
        (Code::NotANumber, 3, "answ_call_cnt", "eleven"),
        (Code::Negative, 4, "aband_call_cnt", "-2"),
        (Code::Fraction, 5, "talking_call_dur", "12.5"),
        (Code::EmptyRequired, 6, "queue", ""),
        (Code::BadInterval, 7, "interval", "20"),
        (Code::BadDate, 8, "date_from", "2024-02-30"),
        (Code::BadTime, 9, "time", "08:15:30"),
        (Code::OffGrid, 10, "time", "08:10"),
        (Code::Overflow, 11, "wait_dur", "99999999999999999999"),
    ];
    let want: Vec<(Code, u64, String, String)> = want
        .iter()
        .map(|(c, l, f, v)| (*c, *l, f.to_string(), v.to_string()))
        .collect();
    assert_eq!(got, want);
    assert_eq!(out.iter().filter(|o| o.is_ok()).count(), 2);
}

/// A file with lone-CR line endings read as one record of 96 fields, and
/// the error did not say why.
#[test]
fn lone_cr_line_endings_are_named_in_the_error() {
    let text = format!("{QH}\r{QROW}\r{QROW}\r");
    let e = open_bytes(&ReaderBuilder::new(), text.as_bytes()).expect_err("lone CR");
    assert_diag(&e, Code::ColumnCount, 1, None, None);
    assert!(
        diag(&e)
            .message
            .ends_with("; its lines end with a lone CR, and only LF or CRLF line endings are read"),
        "{e}"
    );
    // A lone CR inside a value of an LF file is content, not a line end.
    let text = format!("{QH}\n{}\n", qrow_with("queue_name", "\"a\rb\""));
    let mut r = open_bytes(&ReaderBuilder::new(), text.as_bytes()).expect("open");
    let rows = crate::util::read_all::<QueueRow>(&mut r).expect("rows");
    assert_eq!(rows[0].queue_name, "a\rb");
}

/// Trying `,` on a `;` record whose first record fits no layout opened a
/// quote after `"a,` that ran past the record limit: the file got S009
/// instead of the S003 its real delimiter explains.
#[test]
fn a_wrong_delimiter_guess_running_past_the_limit_is_not_s009() {
    let mut text = String::from("15;20240304;08:00;1001;\"a,\";5686;Sales;1;2;3;0;9\n");
    for _ in 0..40 {
        text += "15;20240304;08:00;1001;b;5686;Sales;1;2;3;0;9\n";
    }
    let b = ReaderBuilder::new().max_record_len(200).buffer_size(64);
    let e = open_bytes(&b, text.as_bytes()).expect_err("12 fields");
    assert_diag(&e, Code::ColumnCount, 1, None, None);
    assert!(diag(&e).message.contains("has 12 fields"), "{e}");
}
