//! Issue 14 item 2, SPEC 9.1: the order of slash dates when `--date-order`
//! is not given. A European `;` export writing `dd/MM/yyyy` whose days are
//! all 12 or less was read as `MM/dd/yyyy`, and `validate` said nothing.
//! The file now decides: a number above 12 tells; else the order under
//! which consecutive rows of a key are 0 or 1 day apart; else `MM/dd` with
//! warning V112. An order given is never questioned.

use std::io::{Cursor, Read, Write};
use std::process::Stdio;

use ringcx_reports::rollup::Rollup;
use ringcx_reports::window::BucketInterval;
use ringcx_reports::{Code, DateOrder, DateOrderBasis, DateOrderChoice, QueueRow, ReaderBuilder};

use crate::util::{code, rcx, rcx_command, read_all, start, stderr, stdout, temp_file, Trickle};

const HEADER: &str = "interval;date_from;time;queue;queue_name;offd_direct_call_cnt;overflow_in_call_cnt;aband_call_cnt;overflow_out_call_cnt;answ_call_cnt;queued_and_answ_call_dur;queued_and_aband_call_dur;talking_call_dur;wrap_up_dur;queued_answ_longest_que_dur;queued_aband_longest_que_dur;ans_servicelevel_cnt;wait_dur;aband_short_call_cnt;aband_within_sl_cnt\n";

/// One queue row with `answered` answered calls (and as many offered).
fn row(date: &str, time: &str, queue: u32, answered: u32) -> String {
    format!(
        "60;{date};{time};{queue};Q{queue};{answered};0;0;0;{answered};5;0;60;10;5;0;0;30;0;0\n"
    )
}

/// The European export: 1 to 5 March 2024 written `dd/MM/yyyy`, in time
/// order, hours 08:00 and 09:00, queues 5686 (answered = the day) and 7001
/// (answered = 10 × the day). Every day is 12 or less.
fn european() -> String {
    let mut s = String::from(HEADER);
    for day in 1..=5u32 {
        for hour in [8, 9] {
            for (queue, k) in [(5686, 1), (7001, 10)] {
                s += &row(
                    &format!("{day:02}/03/2024"),
                    &format!("{hour:02}:00"),
                    queue,
                    k * day,
                );
            }
        }
    }
    s
}

/// The starts the European export holds, in file order.
fn european_starts() -> Vec<String> {
    let mut v = Vec::new();
    for day in 1..=5u32 {
        for hour in [8, 9] {
            for _ in 0..2 {
                v.push(format!("2024-03-{day:02}T{hour:02}:00:00+00:00"));
            }
        }
    }
    v
}

fn starts(rows: &[QueueRow]) -> Vec<String> {
    rows.iter().map(|r| r.start.to_rfc3339()).collect()
}

/// The `date_from` values `rcx parse` printed, in order.
fn parsed_dates(out: &str) -> Vec<String> {
    out.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("ndjson");
            v["date_from"].as_str().expect("date_from").to_string()
        })
        .collect()
}

#[test]
fn european_export_without_an_order_is_read_day_first() {
    let text = european();
    let mut r = ReaderBuilder::new()
        .from_bytes("eu.csv", text.clone().into_bytes())
        .expect("open");
    let rows = read_all::<QueueRow>(&mut r).expect("rows");
    assert_eq!(starts(&rows), european_starts());
    assert!(r.diagnostics().is_empty(), "{:?}", r.diagnostics());
    // The same from a file (scanned, then read again from its start).
    let (_d, path) = temp_file("eu.csv", text.as_bytes());
    let mut r = ReaderBuilder::new().from_path(&path).expect("open");
    assert_eq!(
        starts(&read_all::<QueueRow>(&mut r).expect("rows")),
        european_starts()
    );
}

#[test]
fn european_export_parses_and_validates_clean_on_the_command_line() {
    let (_d, path) = temp_file("eu.csv", european().as_bytes());
    let p = path.to_str().expect("utf-8 path");
    let o = rcx(&["parse", p]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let want: Vec<String> = european_starts()
        .iter()
        .map(|s| s[..10].to_string())
        .collect();
    assert_eq!(parsed_dates(&stdout(&o)), want);
    let o = rcx(&["validate", p]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "", "no finding");
    // The order guessed from the rows is announced.
    assert!(
        stderr(&o).contains(&format!(
            "rcx: note: {p}: slash dates read as dd/MM/yyyy (by contiguity"
        )),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("0 errors, 0 warnings"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn inspect_shows_the_order_and_how_it_was_decided() {
    let (_d, path) = temp_file("eu.csv", european().as_bytes());
    let p = path.to_str().expect("utf-8 path");
    let o = rcx(&["inspect", p]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
    // Each queue steps to the next day 4 times (1→2→3→4→5 March): 8 steps
    // of one day as dd/MM, each a month as MM/dd (01/03 → 02/03 is 3 Jan →
    // 3 Feb).
    assert!(
        stdout(&o).contains(
            "  first: 2024-03-01T08:00:00+00:00\n  last: 2024-03-05T09:00:00+00:00\n  date order: dd/MM/yyyy (by contiguity: 8 step(s) between consecutive rows of a key are 0 or 1 day only as dd/MM/yyyy, 0 only as MM/dd/yyyy)\n"
        ),
        "{}",
        stdout(&o)
    );
    let o = rcx(&["inspect", "--format", "json", p]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v[0]["date_order"]["order"], "dmy");
    assert_eq!(v[0]["date_order"]["basis"], "contiguity");
    // Given, it says so.
    let o = rcx(&["inspect", "--date-order", "mdy", p]);
    assert!(
        stdout(&o).contains("  date order: MM/dd/yyyy (given)\n"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn an_order_given_is_not_questioned() {
    let text = european();
    let mut r = ReaderBuilder::new()
        .date_order(DateOrder::Mdy)
        .from_bytes("eu.csv", text.clone().into_bytes())
        .expect("open");
    let rows = read_all::<QueueRow>(&mut r).expect("rows");
    // 01/03/2024 … 05/03/2024 as MM/dd: 3 January … 3 May.
    let months: Vec<u32> = rows
        .iter()
        .map(|r| chrono::Datelike::month(&r.start.local().date()))
        .collect();
    let want: Vec<u32> = (1..=5).flat_map(|m| [m; 4]).collect();
    assert_eq!(months, want);
    let (_d, path) = temp_file("eu.csv", text.as_bytes());
    let o = rcx(&["parse", "--date-order", "mdy", path.to_str().expect("path")]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let dates = parsed_dates(&stdout(&o));
    assert_eq!(dates[0], "2024-01-03");
    assert_eq!(dates[19], "2024-05-03");
}

#[test]
fn a_file_with_one_date_assumes_month_first_and_warns_v112() {
    let text = format!(
        "{HEADER}{}{}",
        row("03/04/2024", "08:00", 5686, 1),
        row("03/04/2024", "09:00", 5686, 1)
    );
    let mut r = ReaderBuilder::new()
        .from_bytes("one.csv", text.clone().into_bytes())
        .expect("open");
    let rows = read_all::<QueueRow>(&mut r).expect("rows");
    assert_eq!(rows[0].start, start("2024-03-04 08:00", 0));
    let (_d, path) = temp_file("one.csv", text.as_bytes());
    let p = path.to_str().expect("path");
    let v112 = format!(
        "{p}:2: warning[V112] date_from: slash dates fit both MM/dd/yyyy and dd/MM/yyyy and \
         consecutive rows of a key do not tell which (steps of 0 or 1 day: 0 only as MM/dd, 0 only \
         as dd/MM); read as MM/dd/yyyy: give --date-order dmy if the file writes dd/MM/yyyy \
         (value \"03/04/2024\")"
    );
    // validate: the warning is its one finding; a warning alone exits 0
    // (SPEC 3), 1 with --deny-warnings.
    let o = rcx(&["validate", p]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), format!("{v112}\n"));
    assert!(stderr(&o).contains("0 errors, 1 warning"), "{}", stderr(&o));
    let o = rcx(&["validate", "--deny-warnings", p]);
    assert_eq!(code(&o), 1);
    let o = rcx(&["validate", "--format", "json", p]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v[0]["code"], "V112");
    assert_eq!(v[0]["severity"], "warning");
    // inspect: on stderr as a warning, and in the description.
    let o = rcx(&["inspect", p]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stderr(&o), format!("rcx: warning: {v112}\n"));
    assert!(
        stdout(&o).contains("  first: 2024-03-04T08:00:00+00:00\n  last: 2024-03-04T09:00:00+00:00\n  date order: MM/dd/yyyy (assumed, warning V112:"),
        "{}",
        stdout(&o)
    );
    // Given, nothing is assumed.
    let o = rcx(&["validate", "--date-order", "mdy", p]);
    assert_eq!((code(&o), stdout(&o).as_str()), (0, ""));
}

#[test]
fn a_day_above_12_under_month_first_names_the_date_order_flag() {
    let text = format!("{HEADER}{}", row("25/03/2024", "08:00", 5686, 1));
    let (_d, path) = temp_file("d.csv", text.as_bytes());
    let p = path.to_str().expect("path");
    let o = rcx(&["parse", "--date-order", "mdy", p]);
    assert_eq!(code(&o), 1);
    assert_eq!(
        stderr(&o),
        format!(
            "rcx: {p}:2: error[V106] date_from: expected a date as yyyyMMdd, yyyy-MM-dd, \
             yyyy/MM/dd or MM/dd/yyyy; 25 is not a month, and the date reads as dd/MM/yyyy: give \
             --date-order dmy (value \"25/03/2024\")\n"
        )
    );
    let o = rcx(&["validate", "--date-order", "mdy", p]);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("error[V106]") && stdout(&o).contains("give --date-order dmy"));
    // And the other way round.
    let text = format!("{HEADER}{}", row("03/25/2024", "08:00", 5686, 1));
    let e = ReaderBuilder::new()
        .date_order(DateOrder::Dmy)
        .from_bytes("m.csv", text.into_bytes())
        .expect("open")
        .rows::<QueueRow>()
        .next()
        .expect("one")
        .expect_err("no month 25");
    let d = e.diagnostic().expect("data error");
    assert_eq!(d.code, Code::BadDate);
    assert!(
        d.message.ends_with("give `date_order` mdy"),
        "{}",
        d.message
    );
    // A date that is no date in either order says nothing of the flag.
    let text = format!("{HEADER}{}", row("31/02/2024", "08:00", 5686, 1));
    let e = ReaderBuilder::new()
        .date_order(DateOrder::Mdy)
        .from_bytes("x.csv", text.into_bytes())
        .expect("open")
        .rows::<QueueRow>()
        .next()
        .expect("one")
        .expect_err("no such date");
    assert!(!e.to_string().contains("date_order"), "{e}");
}

#[test]
fn without_an_order_a_number_above_12_decides() {
    // Ten rows of one queue, days 1 to 12 ambiguous, then 13/03: dd/MM.
    let mut text = String::from(HEADER);
    for day in 1..=13u32 {
        text += &row(&format!("{day:02}/03/2024"), "08:00", 5686, 1);
    }
    let mut r = ReaderBuilder::new()
        .from_bytes("d.csv", text.into_bytes())
        .expect("open");
    let rows = read_all::<QueueRow>(&mut r).expect("rows");
    assert_eq!(rows[0].start, start("2024-03-01 08:00", 0));
    assert_eq!(rows[12].start, start("2024-03-13 08:00", 0));
    // Month first, 03/13/2024 on line 2 tells.
    let text = format!(
        "{HEADER}{}{}",
        row("03/13/2024", "08:00", 5686, 1),
        row("04/01/2024", "08:00", 5686, 1)
    );
    let mut r = ReaderBuilder::new()
        .from_bytes("m.csv", text.into_bytes())
        .expect("open");
    let rows = read_all::<QueueRow>(&mut r).expect("rows");
    assert_eq!(rows[1].start, start("2024-04-01 08:00", 0));
}

#[test]
fn a_month_first_export_with_small_days_stays_month_first() {
    // 03/01 … 03/05: a day at a time as MM/dd.
    let mut text = String::from(HEADER);
    for day in 1..=5u32 {
        for queue in [5686, 7001] {
            text += &row(&format!("03/{day:02}/2024"), "08:00", queue, 1);
        }
    }
    let mut r = ReaderBuilder::new()
        .from_bytes("us.csv", text.into_bytes())
        .expect("open");
    let rows = read_all::<QueueRow>(&mut r).expect("rows");
    assert_eq!(rows[9].start, start("2024-03-05 08:00", 0));
    assert_eq!(
        r.date_order(),
        &DateOrderChoice {
            order: DateOrder::Mdy,
            basis: DateOrderBasis::Contiguity { mdy: 8, dmy: 0 },
        }
    );
    assert!(r.diagnostics().is_empty());
}

#[test]
fn the_decision_is_reported_by_the_reader() {
    let r = ReaderBuilder::new()
        .from_bytes("eu.csv", european().into_bytes())
        .expect("open");
    assert_eq!(
        r.date_order(),
        &DateOrderChoice {
            order: DateOrder::Dmy,
            basis: DateOrderBasis::Contiguity { mdy: 0, dmy: 8 },
        }
    );
    let r = ReaderBuilder::new()
        .date_order(DateOrder::Mdy)
        .from_bytes("eu.csv", european().into_bytes())
        .expect("open");
    assert_eq!(r.date_order().basis, DateOrderBasis::Given);
    let text = format!("{HEADER}{}", row("13/03/2024", "08:00", 5686, 1));
    let r = ReaderBuilder::new()
        .from_bytes("d.csv", text.into_bytes())
        .expect("open");
    assert_eq!(
        r.date_order().to_string(),
        "dd/MM/yyyy (line 2 has 13/03/2024, which only dd/MM/yyyy reads)"
    );
    let text = format!("{HEADER}{}", row("20240313", "08:00", 5686, 1));
    let r = ReaderBuilder::new()
        .from_bytes("d.csv", text.into_bytes())
        .expect("open");
    assert_eq!(
        r.date_order().basis,
        DateOrderBasis::NoSlashDates { rows: 1 }
    );
    assert!(r.diagnostics().is_empty());
}

#[test]
fn xml_slash_dates_decide_the_same_way() {
    let mut x = String::from("<?xml version=\"1.0\"?>\n<export>\n");
    for day in 1..=3u32 {
        x += &format!(
            "  <queueInterval interval=\"60\" date_from=\"{day:02}/03/2024\" time=\"08:00\" queue=\"5686\" queueName=\"Sales\" answIxnCnt=\"1\"/>\n"
        );
    }
    x += "</export>\n";
    let mut r = ReaderBuilder::new()
        .from_bytes("q.xml", x.into_bytes())
        .expect("open");
    let rows = read_all::<QueueRow>(&mut r).expect("rows");
    assert_eq!(
        starts(&rows),
        [
            "2024-03-01T08:00:00+00:00",
            "2024-03-02T08:00:00+00:00",
            "2024-03-03T08:00:00+00:00"
        ]
    );
}

#[test]
fn standard_input_decides_as_the_file_does() {
    let text = european();
    let (_d, path) = temp_file("eu.csv", text.as_bytes());
    let p = path.to_str().expect("path");
    let from_file = rcx(&["parse", p]);
    let mut child = rcx_command(&["parse", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let feed = std::thread::spawn(move || {
        // In small writes, so the scan meets a pipe that delivers pieces.
        for piece in text.as_bytes().chunks(97) {
            stdin.write_all(piece).expect("write");
        }
    });
    let o = child.wait_with_output().expect("run");
    feed.join().expect("feed");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), stdout(&from_file));
    // The library, from a reader that cannot seek, one byte at a time.
    let mut r = ReaderBuilder::new()
        .from_reader(
            "<stdin>",
            Trickle {
                inner: Cursor::new(european().into_bytes()),
                chunk: 1,
            },
        )
        .expect("open");
    assert_eq!(
        starts(&read_all::<QueueRow>(&mut r).expect("rows")),
        european_starts()
    );
}

/// Counts the bytes it hands out.
struct Counted {
    inner: Cursor<Vec<u8>>,
    served: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Read for Counted {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.served
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

#[test]
fn a_stream_longer_than_the_scan_is_read_once_and_whole() {
    // One date (a tie): the scan reads its whole limit, then the reader
    // replays what it kept and goes on from the stream.
    let limit = ringcx_reports::read::date_order::SCAN_BYTES as usize;
    let mut text = String::from(HEADER);
    let mut n = 0u64;
    while text.len() <= limit + 100_000 {
        let queue = 1000 + n / 96;
        let slot = n % 96;
        text += &row(
            "03/04/2024",
            &format!("{:02}:{:02}", slot / 4, (slot % 4) * 15),
            queue as u32,
            1,
        )
        .replacen("60;", "15;", 1);
        n += 1;
    }
    let len = text.len() as u64;
    let served = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut r = ReaderBuilder::new()
        .from_reader(
            "<stdin>",
            Counted {
                inner: Cursor::new(text.clone().into_bytes()),
                served: served.clone(),
            },
        )
        .expect("open");
    assert_eq!(r.diagnostics()[0].code, Code::DateOrderAssumed);
    let mut row = QueueRow::default();
    let mut rows = 0u64;
    while r.read_row(&mut row).expect("row") {
        rows += 1;
    }
    assert_eq!(rows, n);
    assert_eq!(
        row.start,
        start(
            &format!(
                "2024-03-04 {:02}:{:02}",
                ((n - 1) % 96) / 4,
                ((n - 1) % 4) * 15
            ),
            0
        )
    );
    assert_eq!(served.load(std::sync::atomic::Ordering::Relaxed), len);
    // The file gives the same decision.
    let (_d, path) = temp_file("big.csv", text.as_bytes());
    let f = ReaderBuilder::new().from_path(&path).expect("open");
    assert_eq!(f.date_order(), r.date_order());
}

#[test]
fn chunked_rollup_uses_the_files_decision() {
    let (_d, path) = temp_file("eu.csv", european().as_bytes());
    let rb = ReaderBuilder::new();
    let daily = Rollup::new().interval(BucketInterval::Day);
    let seq = daily
        .run_files_sequential(&[&path], &rb)
        .expect("sequential");
    // Chunks of 64 bytes: every chunk a row or less, read on its own.
    let chunked = daily
        .clone()
        .chunk_size(64)
        .try_run_files_chunked(&[&path], &rb)
        .expect("run")
        .expect("the chunked path takes a sorted file");
    assert_eq!(
        format!("{:?}", chunked.records()),
        format!("{:?}", seq.records())
    );
    // Day buckets 1 to 5 March; each queue answered (its factor × day) per
    // hour, two hours a day.
    let got: Vec<(String, String, u64)> = seq
        .records()
        .iter()
        .map(|r| {
            (
                r.keys()[0].clone(),
                r.bucket_start().to_rfc3339(),
                r.queue().expect("queue").sums.answered,
            )
        })
        .collect();
    let mut want = Vec::new();
    for (queue, k) in [("5686", 1u64), ("7001", 10)] {
        for day in 1..=5u64 {
            want.push((
                queue.to_string(),
                format!("2024-03-{day:02}T00:00:00+00:00"),
                2 * k * day,
            ));
        }
    }
    assert_eq!(got, want);
}

/// Hands out `ok` bytes of `data`, then fails once, then ends (so an
/// error that is not passed on would look like the end of the input).
struct Failing {
    data: Cursor<Vec<u8>>,
    ok: u64,
    failed: bool,
}

impl Read for Failing {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.data.position() >= self.ok {
            if self.failed {
                return Ok(0);
            }
            self.failed = true;
            return Err(std::io::Error::other("disk on fire"));
        }
        let left = (self.ok - self.data.position()) as usize;
        let n = buf.len().min(left);
        self.data.read(&mut buf[..n])
    }
}

#[test]
fn a_read_error_met_by_the_scan_reaches_the_reader() {
    // The error comes in the middle of row 7: the scan stops there, and
    // the reader, replaying what the scan read, meets the same error
    // after six rows (never a quiet end of file).
    let text = european();
    let ok = text.match_indices('\n').nth(6).expect("row 6").0 as u64 + 10;
    let mut r = ReaderBuilder::new()
        .from_reader(
            "<stdin>",
            Failing {
                data: Cursor::new(text.into_bytes()),
                ok,
                failed: false,
            },
        )
        .expect("open");
    let mut row = QueueRow::default();
    for _ in 0..6 {
        assert!(r.read_row(&mut row).expect("row"));
    }
    let e = r.read_row(&mut row).expect_err("the read error");
    assert!(e.is_io(), "{e}");
    assert!(e.to_string().contains("disk on fire"), "{e}");
}
