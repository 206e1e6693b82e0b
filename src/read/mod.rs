//! Readers: bytes in, typed rows out.
//!
//! [`ReaderBuilder`] opens a source, detects the wire form and the report
//! kind from the content (never from the file name), and returns a
//! [`Reader`]. A reader streams: it holds one buffer whose size does not
//! depend on the size of the input.
//!
//! Two read paths serve the same rows: [`Reader::read_row`] fills a row you
//! own and reuses its string buffers (no allocation per row), and
//! [`Reader::rows`] is the convenient iterator. Interaction metadata has
//! [`Reader::read_segment`] and [`Reader::segments`].
//!
//! The wire form is told by the first byte that is not white space: `<` is
//! legacy XML, `[` or `{` is JSON (an array, an array under a top-level
//! `records` or `data` key, or NDJSON), anything else is CSV. Every form
//! feeds the same value parser, so a value means the same in all of them.
//! Encoding: UTF-8, with or without a byte-order mark; UTF-16 (detected by
//! its byte-order mark) and XML declaring another encoding are refused with
//! S001 rather than transcoded.
//!
//! ```
//! use ringcx_reports::{ReaderBuilder, QueueRow, ReportKind};
//! let data = "\
//! interval;date_from;time;queue;queue_name;offd_direct_call_cnt;overflow_in_call_cnt;aband_call_cnt;overflow_out_call_cnt;answ_call_cnt;queued_and_answ_call_dur;queued_and_aband_call_dur;talking_call_dur;wrap_up_dur;queued_answ_longest_que_dur;queued_aband_longest_que_dur;ans_servicelevel_cnt;wait_dur;aband_short_call_cnt;aband_within_sl_cnt
//! 15;20240304;08:00;5686;Sales;10;2;1;0;11;95;20;1320;210;30;20;9;400;0;1
//! ";
//! let mut reader = ReaderBuilder::new().from_bytes("q.csv", data.as_bytes().to_vec())?;
//! assert_eq!(reader.kind(), ReportKind::Queue);
//! let mut row = QueueRow::default();
//! while reader.read_row(&mut row)? {
//!     assert_eq!(row.queue_name, "Sales");
//!     assert_eq!(row.answ_call_cnt, Some(11));
//!     assert_eq!(row.start.to_rfc3339(), "2024-03-04T08:00:00+00:00");
//! }
//! # Ok::<(), ringcx_reports::Error>(())
//! ```

// The layers, from the bottom: `buffer`, the one refill buffer; the wire
// forms, `csv/` (fields, a tokenizer that cannot fail, the streaming
// source, row decoding), `json/` (framing, the document walk, interval
// rows, segments) and `xml`, which all hand values to `assemble`;
// `detect` (encoding, wire form, CSV dialect and report kind) over them;
// this module's `Reader`, which opens a source after `date_order` has
// decided how to read its slash dates; `file`, an input opened once and
// shared by its readers; `chunk`, one file read in parallel.
mod assemble;
mod buffer;
mod builder;
pub(crate) mod chunk;
pub(crate) mod csv;
pub mod date_order;
mod detect;
pub(crate) mod file;
#[cfg(feature = "json")]
mod json;
mod spool;
#[cfg(feature = "xml")]
mod xml;

use std::io::Read;
use std::marker::PhantomData;
use std::sync::Arc;

use chrono_tz::Tz;

use self::assemble::Assembler;
use self::buffer::Buffer;
pub use self::builder::{ReaderBuilder, DEFAULT_MAX_DEPTH, DEFAULT_MAX_RECORD};
use self::csv::{CsvInput, CsvSource};
pub use self::date_order::{DateOrderBasis, DateOrderChoice};
use self::date_order::{Scan, TapHandle, SCAN_BYTES};
pub use self::detect::CsvDialect;
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::model::{
    DateOrder, FallBackWindow, IntervalRow, LocalResolver, ReportKind, Segment, WireForm,
};

enum Input {
    Csv(Box<CsvInput>),
    #[cfg(feature = "xml")]
    Xml(Box<xml::XmlInput>),
    #[cfg(feature = "json")]
    Json(Box<json::JsonInput>),
}

/// A streaming reader of one report file. See the [module docs](self).
pub struct Reader {
    kind: ReportKind,
    form: WireForm,
    dialect: Option<CsvDialect>,
    input: Input,
    asm: Assembler,
    records: u64,
    done: bool,
    diagnostics: Vec<Diagnostic>,
    date_order: DateOrderChoice,
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("file", &self.asm.file)
            .field("kind", &self.kind)
            .field("form", &self.form)
            .field("dialect", &self.dialect)
            .field("records", &self.records)
            .finish()
    }
}

impl Reader {
    fn open(b: &ReaderBuilder, file: Arc<str>, rdr: Box<dyn Read + Send>) -> Result<Reader> {
        match b.date_order {
            Some(order) => Reader::open_as(b, file, rdr, order, false),
            None => {
                let tap = TapHandle::new(rdr, true, SCAN_BYTES);
                let scan = date_order::scan(b, file.clone(), &tap);
                Reader::open_scanned(b, file, Box::new(tap.replay()), scan)
            }
        }
    }

    /// Opens a source whose date order a scan decided.
    fn open_scanned(
        b: &ReaderBuilder,
        file: Arc<str>,
        rdr: Box<dyn Read + Send>,
        scan: Scan,
    ) -> Result<Reader> {
        let mut r = Reader::open_as(b, file, rdr, scan.choice.order, false)?;
        r.diagnostics.extend(scan.warning);
        r.date_order = scan.choice;
        Ok(r)
    }

    /// Opens a source reading slash dates in `order` (`probing`: for the
    /// date-order scan, see [`date_order`]).
    fn open_as(
        b: &ReaderBuilder,
        file: Arc<str>,
        rdr: Box<dyn Read + Send>,
        order: DateOrder,
        probing: bool,
    ) -> Result<Reader> {
        let rdr = if probing { rdr } else { b.counted(rdr) };
        let mut src = Buffer::new(rdr, 0, b.buffer_size);
        let (form, bom) = detect::wire_form(b, &mut src, &file)?;
        detect::only_csv(b, form, &file)?;
        let resolver = LocalResolver::new(b.source_tz);
        let mut asm = Assembler::new(file.clone(), resolver, order);
        asm.probing = probing;
        let date_order = DateOrderChoice::given(order);
        match form {
            WireForm::Csv => {
                let mut src = CsvSource::new(src, 1, b.max_record);
                let layout = detect::csv_layout(b, &mut src, bom, &file)?;
                Ok(Reader {
                    kind: layout.kind,
                    form: WireForm::Csv,
                    dialect: Some(layout.dialect),
                    input: Input::Csv(Box::new(CsvInput::new(src, layout.columns, u64::MAX))),
                    asm,
                    records: 0,
                    done: false,
                    diagnostics: layout.diagnostics,
                    date_order,
                })
            }
            #[cfg(feature = "xml")]
            WireForm::Xml => {
                let (pending, offset, rdr) = src.into_parts();
                let (input, kind) = xml::open(b, &asm, pending, offset, rdr)?;
                Ok(Reader {
                    kind,
                    form,
                    dialect: None,
                    input: Input::Xml(Box::new(input)),
                    asm,
                    records: 0,
                    done: false,
                    diagnostics: Vec::new(),
                    date_order: date_order.clone(),
                })
            }
            #[cfg(feature = "json")]
            WireForm::Json | WireForm::Ndjson => {
                let (pending, offset, rdr) = src.into_parts();
                let (input, form, kind) = json::open(b, file, pending, offset, rdr)?;
                Ok(Reader {
                    kind,
                    form,
                    dialect: None,
                    input: Input::Json(Box::new(input)),
                    asm,
                    records: 0,
                    done: false,
                    diagnostics: Vec::new(),
                    date_order: date_order.clone(),
                })
            }
            #[allow(unreachable_patterns)]
            other => Err(Error::usage(format!(
                "{file}: the {other} wire form needs the `{}` feature of ringcx-reports",
                match other {
                    WireForm::Xml => "xml",
                    _ => "json",
                }
            ))),
        }
    }

    /// The report the file holds.
    pub fn kind(&self) -> ReportKind {
        self.kind
    }
    /// The wire form.
    pub fn form(&self) -> WireForm {
        self.form
    }
    /// The CSV dialect, for CSV files.
    pub fn dialect(&self) -> Option<&CsvDialect> {
        self.dialect.as_ref()
    }
    /// The file name errors use.
    pub fn file(&self) -> &Arc<str> {
        &self.asm.file
    }
    /// Data records read so far.
    pub fn records_read(&self) -> u64 {
        self.records
    }
    /// The zone local interval times are read in.
    pub fn source_zone(&self) -> Tz {
        self.asm.resolver.zone()
    }
    /// Non-fatal findings about the file itself: unknown columns (S004),
    /// a date order assumed (V112).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
    /// The order slash dates are read in, and how it was settled: given
    /// to the builder, or decided by the file (see [`date_order`]).
    pub fn date_order(&self) -> &DateOrderChoice {
        &self.date_order
    }
    /// Repeated fall-back windows met so far, with whether the file
    /// switched to their second pass (SPEC 2.5).
    pub fn fall_back_windows(&self) -> &[FallBackWindow] {
        self.asm.resolver.fall_back_windows()
    }
    /// Whether the reader has reached the end, or stopped on a fatal error
    /// (after which it yields no more rows).
    pub fn is_finished(&self) -> bool {
        self.done
    }
    /// Bytes consumed so far (for progress).
    pub fn bytes_read(&self) -> u64 {
        match &self.input {
            Input::Csv(c) => c.offset(),
            #[cfg(feature = "xml")]
            Input::Xml(x) => x.offset(),
            #[cfg(feature = "json")]
            Input::Json(j) => j.offset(),
        }
    }

    /// The physical line of the value of `field` (a canonical name) in the
    /// last row read, when the wire form lets a record span lines and the
    /// reader knows it (JSON, XML); findings about a field of that row
    /// name this line. `None` when the row's first line is the answer.
    pub(crate) fn value_line(&self, field: &str) -> Option<u64> {
        #[cfg(not(any(feature = "xml", feature = "json")))]
        let _ = field;
        match &self.input {
            Input::Csv(_) => None,
            #[cfg(feature = "xml")]
            Input::Xml(x) => x.value_line(field),
            #[cfg(feature = "json")]
            Input::Json(j) => j.value_line(field),
        }
    }

    fn check_kind<T: IntervalRow>(&self) -> Result<()> {
        if T::KIND == self.kind {
            Ok(())
        } else {
            Err(Error::usage(format!(
                "{}: the file holds {} rows, not {} rows",
                self.asm.file,
                self.kind,
                T::KIND
            )))
        }
    }

    /// Reads the next row into `row`, reusing its buffers. `Ok(false)` at
    /// the end. After an error in a value the reader moves on to the next
    /// record; after a structural error (truncation, I/O) it is finished.
    pub fn read_row<T: IntervalRow>(&mut self, row: &mut T) -> Result<bool> {
        self.check_kind::<T>()?;
        if self.done {
            return Ok(false);
        }
        let result = match &mut self.input {
            Input::Csv(c) => c.read_row(&mut self.asm, self.records, row),
            #[cfg(feature = "xml")]
            Input::Xml(x) => x.read_row(&mut self.asm, self.records, row),
            #[cfg(feature = "json")]
            Input::Json(j) => j.read_row(&mut self.asm, self.records, row),
        };
        self.step(result)
    }

    fn step(&mut self, result: std::result::Result<bool, (Error, bool)>) -> Result<bool> {
        match result {
            Ok(true) => {
                self.records += 1;
                Ok(true)
            }
            Ok(false) => {
                self.done = true;
                Ok(false)
            }
            Err((e, fatal)) => {
                if fatal {
                    self.done = true;
                } else {
                    self.records += 1;
                }
                Err(e)
            }
        }
    }

    /// An iterator of owned rows.
    ///
    /// ```
    /// use ringcx_reports::{ReaderBuilder, AgentExtRow};
    /// let data = "15,20240304,08:00,42,\"Kaduk, Alena\",5686,Sales,300,30,2,0\n";
    /// let mut reader = ReaderBuilder::new().from_bytes("a.csv", data.into())?;
    /// let rows: Vec<AgentExtRow> = reader.rows().collect::<Result<_, _>>()?;
    /// assert_eq!(rows[0].agent_name, "Kaduk, Alena");
    /// # Ok::<(), ringcx_reports::Error>(())
    /// ```
    pub fn rows<T: IntervalRow>(&mut self) -> Rows<'_, T> {
        Rows {
            reader: self,
            _t: PhantomData,
        }
    }
}

impl Reader {
    /// Reads the next segment of interaction metadata into `seg`, reusing
    /// its buffers. `Ok(false)` at the end. Errors and positions behave as
    /// in [`read_row`](Reader::read_row): after an error in a value the
    /// reader moves on to the next segment. An error about a field names
    /// the line of its value ([`Segment::line_of`]). Besides bad values, a
    /// segment is refused when it ends before it starts (T601) or spans
    /// longer than [`ReaderBuilder::max_segment_span`] (V114): it cannot be
    /// placed in time.
    ///
    /// ```
    /// use ringcx_reports::{ReaderBuilder, ReportKind, Segment};
    /// let data = r#"{"interactionId": "i-1", "segmentId": "s-1", "dialogOrigination": "OUTBOUND",
    ///   "contactEndpointAddress": "+15550100", "channelEndpointAddress": "+15550199",
    ///   "segmentStartTimeMs": "2024-07-22T11:24:40.000Z", "segmentEvents": []}
    /// {"interactionId": "i-1", "segmentId": "s-2", "segmentEvents": null}
    /// "#;
    /// let mut reader = ReaderBuilder::new().from_bytes("m.ndjson", data.into())?;
    /// assert_eq!(reader.kind(), ReportKind::Segments);
    /// let mut seg = Segment::default();
    /// assert!(reader.read_segment(&mut seg)?);
    /// assert_eq!(seg.called_address.as_deref(), Some("+15550100"));
    /// assert_eq!(seg.calling_address.as_deref(), Some("+15550199"));
    /// assert_eq!(seg.events, Some(vec![]));
    /// assert!(reader.read_segment(&mut seg)?);
    /// assert_eq!((seg.segment_id.as_str(), seg.pos.line()), ("s-2", 4));
    /// assert_eq!(seg.events, None);
    /// assert!(!reader.read_segment(&mut seg)?);
    /// # Ok::<(), ringcx_reports::Error>(())
    /// ```
    pub fn read_segment(&mut self, seg: &mut Segment) -> Result<bool> {
        #[cfg(not(feature = "json"))]
        let _ = seg;
        if self.kind != ReportKind::Segments {
            return Err(Error::usage(format!(
                "{}: the file holds {} rows, not segments",
                self.asm.file, self.kind
            )));
        }
        if self.done {
            return Ok(false);
        }
        let result = match &mut self.input {
            #[cfg(feature = "json")]
            Input::Json(j) => j.read_segment(self.records, seg),
            #[allow(unreachable_patterns)]
            _ => Err((
                Error::usage(format!(
                    "{}: interaction metadata is JSON; the {} form cannot hold segments",
                    self.asm.file, self.form
                )),
                true,
            )),
        };
        self.step(result)
    }

    /// An iterator of owned segments.
    ///
    /// ```
    /// use ringcx_reports::ReaderBuilder;
    /// let data = r#"{"data": [{"interactionId": 1, "segmentID": 1, "segmentDuration": 1.5}]}"#;
    /// let mut reader = ReaderBuilder::new().from_bytes("m.json", data.into())?;
    /// let segs = reader.segments().collect::<Result<Vec<_>, _>>()?;
    /// assert_eq!(segs[0].segment_duration_ms, Some(1500));
    /// # Ok::<(), ringcx_reports::Error>(())
    /// ```
    pub fn segments(&mut self) -> Segments<'_> {
        Segments { reader: self }
    }
}

/// Iterator returned by [`Reader::segments`].
pub struct Segments<'r> {
    reader: &'r mut Reader,
}

impl Iterator for Segments<'_> {
    type Item = Result<Segment>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.reader.done {
            return None;
        }
        let mut seg = Segment::default();
        match self.reader.read_segment(&mut seg) {
            Ok(true) => Some(Ok(seg)),
            Ok(false) => None,
            Err(e) => {
                if e.is_usage() {
                    self.reader.done = true;
                }
                Some(Err(e))
            }
        }
    }
}

/// Iterator returned by [`Reader::rows`].
pub struct Rows<'r, T> {
    reader: &'r mut Reader,
    _t: PhantomData<T>,
}

impl<T: IntervalRow> Iterator for Rows<'_, T> {
    type Item = Result<T>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.reader.done {
            return None;
        }
        let mut row = T::default();
        match self.reader.read_row(&mut row) {
            Ok(true) => Some(Ok(row)),
            Ok(false) => None,
            Err(e) => {
                if e.is_usage() {
                    self.reader.done = true;
                }
                Some(Err(e))
            }
        }
    }
}
