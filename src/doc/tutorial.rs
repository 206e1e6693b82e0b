//! A tutorial: read a RingCX report, look at what it is, stream its rows,
//! handle bad rows by position, validate it, roll it up by queue in a time
//! zone, and write the result.
//!
//! Each step is a complete program that runs as a doctest against the
//! files in `fixtures/`. The paths are built with
//! `concat!(env!("CARGO_MANIFEST_DIR"), …)` only so that the doctests find
//! them; in your program they are ordinary paths.
//!
//! # 1. Open a file
//!
//! A [`ReaderBuilder`](crate::ReaderBuilder) holds the options that cannot
//! be read from the file itself. The most important is the **source zone**:
//! RingCX writes interval starts as local wall-clock times in the zone the
//! report was requested in, so the reader needs that zone to turn them into
//! instants (and to tell the two passes of a fall-back hour apart).
//!
//! ```
//! use ringcx_reports::ReaderBuilder;
//!
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/queue_header.csv");
//! let tz: chrono_tz::Tz = "America/New_York".parse().unwrap();
//! let reader = ReaderBuilder::new().source_tz(tz).from_path(path)?;
//! # let _ = reader;
//! # Ok::<(), ringcx_reports::Error>(())
//! ```
//!
//! [`from_bytes`](crate::ReaderBuilder::from_bytes) reads a document held in
//! memory and [`from_reader`](crate::ReaderBuilder::from_reader) any
//! [`std::io::Read`]; all three detect the same things.
//!
//! # 2. Inspect what was detected
//!
//! Opening a file reads just enough of it to know the report kind, the wire
//! form and, for CSV, the dialect: delimiter, header or not, byte-order
//! mark, line ending, and the Teleopti title line if there is one.
//!
//! ```
//! use ringcx_reports::{ReaderBuilder, ReportKind, WireForm};
//!
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/queue_teleopti21.csv");
//! let reader = ReaderBuilder::new().from_path(path)?;
//! assert_eq!(reader.kind(), ReportKind::Queue);
//! assert_eq!(reader.form(), WireForm::Csv);
//! let d = reader.dialect().expect("a CSV file has a dialect");
//! assert_eq!(d.delimiter, b';');
//! assert_eq!(d.title.as_deref(), Some("Teleopti.Queue.Data"));
//! assert_eq!(d.columns, 21);
//! assert!(d.has_header && !d.bom && !d.crlf);
//! # Ok::<(), ringcx_reports::Error>(())
//! ```
//!
//! # 3. Stream rows
//!
//! [`Reader::read_row`](crate::Reader::read_row) fills a row you own and
//! returns `Ok(false)` at the end. The row's buffers are reused, so reading
//! a file of any size allocates nothing per row. Counts are `Option<u64>`:
//! `None` means the value was absent, which is not the same as 0.
//!
//! ```
//! use ringcx_reports::{QueueRow, ReaderBuilder};
//!
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/queue_header.csv");
//! let mut reader = ReaderBuilder::new().from_path(path)?;
//! let mut row = QueueRow::default();
//! let mut answered = 0;
//! while reader.read_row(&mut row)? {
//!     answered += row.answ_call_cnt.unwrap_or(0);
//! }
//! assert_eq!(answered, 41);
//! assert_eq!(reader.records_read(), 4);
//! # Ok::<(), ringcx_reports::Error>(())
//! ```
//!
//! Where convenience matters more than allocation,
//! [`rows`](crate::Reader::rows) is an iterator of owned rows:
//!
//! ```
//! use ringcx_reports::{QueueRow, ReaderBuilder};
//!
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/queue_header.csv");
//! let mut reader = ReaderBuilder::new().from_path(path)?;
//! let names: Vec<String> = reader
//!     .rows::<QueueRow>()
//!     .map(|r| r.map(|r| r.queue_name))
//!     .collect::<Result<_, _>>()?;
//! assert_eq!(names, ["Sales", "Support, Tier 1", "Sales", "Support, Tier 1"]);
//! # Ok::<(), ringcx_reports::Error>(())
//! ```
//!
//! # 4. Handle errors with their positions
//!
//! Every error carries a [`Location`](crate::Location): the file, the
//! physical line, the record number, the field and the raw value, with a
//! stable [`Code`](crate::Code). A bad *value* costs one row: the reader
//! moves on to the next record, so you can keep reading. A *structural*
//! error (truncation, an unreadable header) ends the file, and
//! [`is_finished`](crate::Reader::is_finished) tells the two apart.
//!
//! ```
//! use ringcx_reports::{Code, QueueRow, ReaderBuilder};
//!
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/bad/values.csv");
//! let mut reader = ReaderBuilder::new().from_path(path)?;
//! let mut row = QueueRow::default();
//! let (mut good, mut bad) = (0, Vec::new());
//! loop {
//!     match reader.read_row(&mut row) {
//!         Ok(true) => good += 1,
//!         Ok(false) => break,
//!         Err(e) if !reader.is_finished() => {
//!             let at = e.location().expect("data errors have a location");
//!             bad.push((at.pos.line(), e.code().expect("and a code")));
//!         }
//!         Err(e) => return Err(e), // the file cannot be read further
//!     }
//! }
//! assert_eq!(good, 2);
//! assert_eq!(bad[0], (3, Code::NotANumber)); // answ_call_cnt = "eleven"
//! assert_eq!(bad.len(), 9);
//! # Ok::<(), ringcx_reports::Error>(())
//! ```
//!
//! An error's `Display` is the line a person wants to read:
//!
//! ```
//! use ringcx_reports::{QueueRow, ReaderBuilder};
//!
//! let data = "interval,date_from,time,queue,queue_name,offd_direct_call_cnt,overflow_in_call_cnt,aband_call_cnt,overflow_out_call_cnt,answ_call_cnt,queued_and_answ_call_dur,queued_and_aband_call_dur,talking_call_dur,wrap_up_dur,queued_answ_longest_que_dur,queued_aband_longest_que_dur,ans_servicelevel_cnt,wait_dur,aband_short_call_cnt,aband_within_sl_cnt
//! 15,20240304,08:00,5686,Sales,12,2,-4,1,11,180,40,1650,220,45,30,9,600,1,1
//! ";
//! let mut reader = ReaderBuilder::new().from_bytes("upload.csv", data.into())?;
//! let e = reader.read_row(&mut QueueRow::default()).unwrap_err();
//! assert_eq!(
//!     e.to_string(),
//!     "upload.csv:2: error[V102] aband_call_cnt: expected a non-negative integer (value \"-4\")"
//! );
//! # Ok::<(), ringcx_reports::Error>(())
//! ```
//!
//! # 5. Validate
//!
//! Reading stops at what cannot be read; [validation](crate::validate)
//! also checks what reads fine but cannot be true (more calls answered
//! within service level than answered, duplicate keys, gaps, agent sums
//! that disagree with queue sums) and never stops at the first finding.
//!
//! ```
//! use ringcx_reports::validate::Validator;
//! use ringcx_reports::Code;
//!
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/invalid/q201_sl_exceeds_answered.csv");
//! let report = Validator::new().validate_paths(&[path])?;
//! assert!(report.has_errors());
//! let d = &report.diagnostics[0];
//! assert_eq!((d.code, d.location.pos.line()), (Code::SlExceedsAnswered, 3));
//! assert_eq!(d.location.field.as_deref(), Some("ans_servicelevel_cnt"));
//! assert_eq!(d.value.as_deref(), Some("12"));
//! # Ok::<(), ringcx_reports::Error>(())
//! ```
//!
//! # 6. Roll up by queue in a zone
//!
//! A [`Rollup`](crate::rollup::Rollup) sums rows into buckets per key and
//! computes service level, abandon rate, AHT, ASA and occupancy from the
//! summed numerators and denominators. Days are calendar days in the bucket
//! zone: in New York, 2024-03-10 has 23 hours and 2024-11-03 has 25.
//!
//! ```
//! use ringcx_reports::rollup::{Grouping, Rollup};
//! use ringcx_reports::window::BucketInterval;
//! use ringcx_reports::ReaderBuilder;
//!
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/queue_dst_days_ny.csv");
//! let table = Rollup::new()
//!     .by(Grouping::Queue)
//!     .interval(BucketInterval::Day)
//!     .source_tz("America/New_York".parse().unwrap())
//!     .run_files(&[path], &ReaderBuilder::new())?;
//! let days: Vec<(String, i64, String)> = table
//!     .records()
//!     .iter()
//!     .map(|r| {
//!         let q = r.queue().unwrap();
//!         (
//!             r.bucket_start().to_rfc3339(),
//!             (r.bucket_end() - r.bucket_start()).num_hours(),
//!             q.service_level_pct().unwrap().to_string(),
//!         )
//!     })
//!     .collect();
//! assert_eq!(days, [
//!     ("2024-03-10T00:00:00-05:00".to_owned(), 23, "50.00".to_owned()),
//!     ("2024-11-03T00:00:00-04:00".to_owned(), 25, "50.00".to_owned()),
//! ]);
//! # Ok::<(), ringcx_reports::Error>(())
//! ```
//!
//! # 7. Write the output
//!
//! [`write_table`](crate::write::write_table) prints a finished table as
//! CSV, JSON, NDJSON, an aligned table or the Analytics API response shape;
//! with the `plot` feature, `write::plot` draws it as an SVG or PNG chart.
//!
//! ```
//! use ringcx_reports::rollup::Rollup;
//! use ringcx_reports::window::BucketInterval;
//! use ringcx_reports::write::{write_table, TableFormat};
//! use ringcx_reports::ReaderBuilder;
//!
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/queue_header.csv");
//! let table = Rollup::new()
//!     .interval(BucketInterval::Total)
//!     .run_files(&[path], &ReaderBuilder::new())?;
//! let mut out = Vec::new();
//! write_table(&table, TableFormat::Json, &mut out)?;
//! let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
//! assert_eq!(json[0]["queue_name"], "Sales");
//! assert_eq!(json[0]["service_level_pct"], 70.37);
//! assert_eq!(json[1]["queue_name"], "Support, Tier 1");
//! # Ok::<(), ringcx_reports::Error>(())
//! ```
