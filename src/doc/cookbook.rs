//! A cookbook: complete recipes for the jobs people embed this crate for.
//! Every block is a doctest that runs on `fixtures/` or in-memory data.
//!
//! - [Convert an export to Teleopti](#convert-an-export-to-teleopti)
//! - [Roll up by queue group from a group map](#roll-up-by-queue-group-from-a-group-map)
//! - [Daily service level in a zone across DST](#daily-service-level-in-a-zone-across-dst)
//! - [Stream a huge file in constant memory](#stream-a-huge-file-in-constant-memory)
//! - [Embed in a service: validate an upload](#embed-in-a-service-validate-an-upload)
//! - [Custom row processing with `read_row`](#custom-row-processing-with-read_row)
//!
//! # Convert an export to Teleopti
//!
//! Calabrio/Teleopti imports queue data as `;`-separated rows without a
//! header, dates as `yyyyMMdd`, absent values as `0`, sorted by date and
//! time. The [`Converter`](crate::convert::Converter) reads any source the
//! readers detect (the wire form is sniffed from the first byte) and writes
//! that layout; a `;` inside a name becomes `,` because importers split
//! without quoting. Here a RingCX `agg-queue-stats` JSON export arrives in
//! memory (`dateTimeFrom` is local time in the zone the report was requested
//! in, unordered, one count absent):
//!
//! ```
//! use ringcx_reports::convert::{Converter, Source, Target};
//! use ringcx_reports::ReaderBuilder;
//!
//! let export = r#"[
//!   {"interval": 15, "dateTimeFrom": "03-04-2024T08:15:00", "queue": 5686,
//!    "queueName": "Retention; VIP", "offdDirectIxnCnt": 15, "overflowInIxnCnt": 1,
//!    "abandIxnCnt": 3, "overflowOutIxnCnt": 0, "answIxnCnt": 13,
//!    "queuedAndAnswIxnDur": 260, "queuedAndAbandIxnDur": 75, "talkingIxnDur": 2080,
//!    "wrapUpDur": 300, "queuedAnswLongestQueDur": 60, "queuedAbandLongestQueDur": 40,
//!    "ansServicelevelCnt": 10, "waitDur": 420, "abandShortIxnCnt": 1, "abandWithinSlCnt": 1},
//!   {"interval": 15, "dateTimeFrom": "03-04-2024T08:00:00", "queue": 5686,
//!    "queueName": "Retention; VIP", "offdDirectIxnCnt": 12, "overflowInIxnCnt": 2,
//!    "abandIxnCnt": 2, "overflowOutIxnCnt": 1, "answIxnCnt": 11,
//!    "queuedAndAnswIxnDur": 180, "queuedAndAbandIxnDur": 40, "talkingIxnDur": 1650,
//!    "wrapUpDur": 220, "queuedAnswLongestQueDur": 45, "queuedAbandLongestQueDur": 30,
//!    "ansServicelevelCnt": 9, "waitDur": 600, "abandShortIxnCnt": 1, "abandWithinSlCnt": null}
//! ]"#;
//! let source = Source::bytes("export.json", export.as_bytes().to_vec());
//! let mut out = Vec::new();
//! let stats = Converter::new(Target::Teleopti)
//!     .reader(ReaderBuilder::new().source_tz("America/New_York".parse().unwrap()))
//!     .write(&[source], &mut out)?;
//! assert_eq!(stats.rows, 2);
//! assert_eq!(String::from_utf8(out).unwrap(), "\
//! 15;20240304;08:00;5686;Retention, VIP;12;2;2;1;11;180;40;1650;220;45;30;0;9;600;1;0
//! 15;20240304;08:15;5686;Retention, VIP;15;1;3;0;13;260;75;2080;300;60;40;0;10;420;1;1
//! ");
//! # Ok::<(), ringcx_reports::Error>(())
//! ```
//!
//! The same recipe converts the legacy CSV and XML forms: the reader detects
//! the wire form from the content.
//!
//! # Roll up by queue group from a group map
//!
//! A group map is a CSV `id,group` or the JSON of RingCX's
//! `queue-groups/{id}/with-agents` endpoint. Queues missing from the map go
//! to the group `(unmapped)`, so no call is silently dropped.
//!
//! ```
//! use ringcx_reports::rollup::{GroupMap, GroupOf, Grouping, Rollup};
//! use ringcx_reports::window::BucketInterval;
//! use ringcx_reports::ReaderBuilder;
//!
//! let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/");
//! let groups = GroupMap::from_path(format!("{dir}queue_groups.csv"), GroupOf::Queues)?;
//! let table = Rollup::new()
//!     .by(Grouping::QueueGroup)
//!     .queue_groups(groups)
//!     .interval(BucketInterval::Total)
//!     .run_files(&[format!("{dir}queue_header.csv")], &ReaderBuilder::new())?;
//! let sl: Vec<(&str, String)> = table
//!     .records()
//!     .iter()
//!     .map(|r| (r.keys()[0].as_str(), r.queue().unwrap().service_level_pct().unwrap().to_string()))
//!     .collect();
//! assert_eq!(sl, [("(unmapped)", "83.33".to_owned()), ("Sales floor", "70.37".to_owned())]);
//! # Ok::<(), ringcx_reports::Error>(())
//! ```
//!
//! # Daily service level in a zone across DST
//!
//! Buckets are computed in the bucket zone ([`tz`](crate::rollup::Rollup::tz),
//! by default the source zone), so a day is a local calendar day: 23 hours
//! in spring, 25 in autumn. Service level is summed numerator over summed
//! denominator for the whole day, never an average of interval ratios.
//!
//! ```
//! use ringcx_reports::rollup::Rollup;
//! use ringcx_reports::window::BucketInterval;
//! use ringcx_reports::ReaderBuilder;
//!
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/queue_dst_days_ny.csv");
//! let ny: chrono_tz::Tz = "America/New_York".parse().unwrap();
//! let table = Rollup::new()
//!     .interval(BucketInterval::Day)
//!     .source_tz(ny)
//!     .run_files(&[path], &ReaderBuilder::new())?;
//! for r in table.records() {
//!     let q = r.queue().unwrap();
//!     let hours = (r.bucket_end() - r.bucket_start()).num_hours();
//!     // Every 15-minute row of the fixture has 1 answered call.
//!     assert_eq!(q.sums.answered as i64, hours * 4);
//!     assert_eq!(q.service_level_pct().unwrap().to_string(), "50.00");
//! }
//! let hours: Vec<i64> = table.records().iter()
//!     .map(|r| (r.bucket_end() - r.bucket_start()).num_hours()).collect();
//! assert_eq!(hours, [23, 25]);
//!
//! // The same rows bucketed in UTC: the New York days straddle UTC midnight.
//! let utc = Rollup::new()
//!     .interval(BucketInterval::Day)
//!     .source_tz(ny)
//!     .tz(chrono_tz::Tz::UTC)
//!     .run_files(&[path], &ReaderBuilder::new())?;
//! assert_eq!(utc.records().len(), 4);
//! # Ok::<(), ringcx_reports::Error>(())
//! ```
//!
//! # Stream a huge file in constant memory
//!
//! The reader holds one buffer and one row, whatever the file size, so a
//! multi-gigabyte export can be read from any [`std::io::Read`] (a file, a
//! decompressor, an HTTP body). Here a reader produces 200,000 records on
//! the fly, never held in memory at once:
//!
//! ```
//! use std::io::Read;
//! use ringcx_reports::{QueueRow, ReaderBuilder};
//!
//! /// A header, then the same record `left` times, produced as it is read.
//! struct Endless { pending: Vec<u8>, left: u64 }
//! impl Read for Endless {
//!     fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
//!         if self.pending.is_empty() && self.left > 0 {
//!             self.left -= 1;
//!             self.pending.extend_from_slice(b"15,20240304,08:00,5686,Sales,12,2,2,1,11,180,40,1650,220,45,30,9,600,1,1\n");
//!         }
//!         let n = buf.len().min(self.pending.len());
//!         buf[..n].copy_from_slice(&self.pending[..n]);
//!         self.pending.drain(..n);
//!         Ok(n)
//!     }
//! }
//!
//! let header = b"interval,date_from,time,queue,queue_name,offd_direct_call_cnt,overflow_in_call_cnt,aband_call_cnt,overflow_out_call_cnt,answ_call_cnt,queued_and_answ_call_dur,queued_and_aband_call_dur,talking_call_dur,wrap_up_dur,queued_answ_longest_que_dur,queued_aband_longest_que_dur,ans_servicelevel_cnt,wait_dur,aband_short_call_cnt,aband_within_sl_cnt\n";
//! let source = Endless { pending: header.to_vec(), left: 200_000 };
//! let mut reader = ReaderBuilder::new().buffer_size(64 * 1024).from_reader("stream", source)?;
//! let mut row = QueueRow::default(); // reused: no allocation per row
//! let mut answered = 0u64;
//! while reader.read_row(&mut row)? {
//!     answered += row.answ_call_cnt.unwrap_or(0);
//! }
//! assert_eq!(reader.records_read(), 200_000);
//! assert_eq!(answered, 2_200_000);
//! # Ok::<(), ringcx_reports::Error>(())
//! ```
//!
//! Rolling up streams too: [`Rollup::run_rows`](crate::rollup::Rollup::run_rows)
//! takes any iterator of rows, and its memory grows with the number of keys
//! and buckets, not rows.
//!
//! # Embed in a service: validate an upload
//!
//! A web handler gets the upload as bytes and answers with JSON. A file the
//! reader refuses outright (not UTF-8, no known header) comes back as a
//! finding like any other, so the handler has one shape of answer.
//! `examples/validate_upload.rs` is the same recipe as a program.
//!
//! ```
//! use ringcx_reports::validate::Validator;
//! use ringcx_reports::ReaderBuilder;
//!
//! fn check(name: &str, upload: &[u8]) -> ringcx_reports::Result<String> {
//!     let opened = ReaderBuilder::new().from_bytes(name, upload.to_vec());
//!     let report = Validator::new().validate_opened(opened)?;
//!     let mut json = String::from("[");
//!     for (i, d) in report.diagnostics.iter().enumerate() {
//!         if i > 0 { json.push(','); }
//!         ringcx_reports::write::diagnostic_json(&mut json, d);
//!     }
//!     json.push(']');
//!     Ok(json)
//! }
//!
//! let upload = "interval,date_from,time,agent_id,agent_name,queue,queue_name,talking_call_dur,wrap_up_dur,answ_call_cnt,transfer_out_call_cnt
//! 15,20240304,08:00,1001,Ann,5686,Sales,300,30,2,3
//! ";
//! assert_eq!(
//!     check("upload.csv", upload.as_bytes())?,
//!     r#"[{"severity":"warning","code":"A301","file":"upload.csv","line":2,"column":"transfer_out_call_cnt","message":"3 calls transferred out, but only 2 answered (answ_call_cnt)","value":"3"}]"#
//! );
//! // Not a report at all: one finding, still JSON.
//! assert_eq!(
//!     check("photo.csv", b"\x89PNG\r\n")?,
//!     r#"[{"severity":"error","code":"S003","file":"photo.csv","line":1,"column":null,"message":"a headerless record has 1 fields; expected 20 or 21 (queue), 11 (agent-ext) or 14 (agent); a file delimited by another character than , ; | or TAB needs it given (`delimiter`)","value":null}]"#
//! );
//! # Ok::<(), ringcx_reports::Error>(())
//! ```
//!
//! # Custom row processing with `read_row`
//!
//! For a question the rollup does not answer, read rows yourself. Each row
//! knows its position ([`IntervalRow::pos`](crate::IntervalRow::pos)), so a
//! finding can point at the line that caused it. Here: the busiest interval
//! of each queue, with its line.
//!
//! ```
//! use std::collections::BTreeMap;
//! use ringcx_reports::{IntervalRow, QueueRow, ReaderBuilder};
//!
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/queue_header.csv");
//! let mut reader = ReaderBuilder::new().from_path(path)?;
//! let mut row = QueueRow::default();
//! // queue -> (offered, start, line)
//! let mut busiest: BTreeMap<String, (u64, String, u64)> = BTreeMap::new();
//! while reader.read_row(&mut row)? {
//!     let offered = row.offd_direct_call_cnt.unwrap_or(0) + row.overflow_in_call_cnt.unwrap_or(0);
//!     let best = busiest.entry(row.queue.clone()).or_insert((0, String::new(), 0));
//!     if offered > best.0 {
//!         *best = (offered, row.start().to_rfc3339(), row.pos().line());
//!     }
//! }
//! assert_eq!(busiest["5686"], (16, "2024-03-04T08:15:00+00:00".to_owned(), 4));
//! assert_eq!(busiest["5688"], (10, "2024-03-04T08:15:00+00:00".to_owned(), 5));
//! # Ok::<(), ringcx_reports::Error>(())
//! ```
