//! [`ReaderBuilder`]: the options a report is opened with, and the ways to
//! open one (a path, bytes, any reader).

use std::io::{Cursor, Read};
use std::path::Path;
use std::sync::Arc;

use chrono_tz::Tz;

use super::date_order::{self, TapHandle, SCAN_BYTES};
use super::file::OpenFile;
use super::Reader;
use crate::error::Result;
use crate::model::{DateOrder, ReportKind, WireForm};

/// Default limit on the length of one record or field, in bytes (1 MiB).
pub const DEFAULT_MAX_RECORD: usize = 1 << 20;
/// Default limit on XML element and JSON nesting depth.
pub const DEFAULT_MAX_DEPTH: usize = 64;
pub(super) const DEFAULT_BUFFER: usize = 256 * 1024;

/// Options for opening a report. Every option has a default that suits a
/// RingCX export requested in UTC.
///
/// ```
/// use ringcx_reports::{ReaderBuilder, DateOrder};
/// let tz = ringcx_reports::model::parse_zone("America/New_York").unwrap();
/// let builder = ReaderBuilder::new().source_tz(tz).date_order(DateOrder::Dmy);
/// # let _ = builder;
/// ```
#[derive(Clone, Debug)]
pub struct ReaderBuilder {
    pub(super) source_tz: Tz,
    /// `None`: each file decides (see `date_order`).
    pub(super) date_order: Option<DateOrder>,
    pub(super) report: Option<ReportKind>,
    pub(super) form: Option<WireForm>,
    pub(super) buffer_size: usize,
    pub(super) max_record: usize,
    pub(super) max_depth: usize,
    pub(super) max_segment_span_ms: u64,
    /// Counts the bytes its readers read, for a progress display.
    pub(super) progress: Option<crate::progress::Progress>,
    /// A CSV delimiter given rather than detected.
    pub(super) delimiter: Option<u8>,
    /// The first CSV record is data, not a header.
    pub(super) no_header: bool,
    /// The keys of a segment record converted.
    pub(super) segment_read: crate::model::SegmentRead,
}

impl Default for ReaderBuilder {
    fn default() -> Self {
        ReaderBuilder {
            source_tz: Tz::UTC,
            date_order: None,
            report: None,
            form: None,
            buffer_size: DEFAULT_BUFFER,
            max_record: DEFAULT_MAX_RECORD,
            max_depth: DEFAULT_MAX_DEPTH,
            max_segment_span_ms: crate::model::DEFAULT_MAX_SEGMENT_SPAN_MS,
            progress: None,
            delimiter: None,
            no_header: false,
            segment_read: crate::model::SegmentRead::Whole,
        }
    }
}

impl ReaderBuilder {
    /// Defaults: source zone UTC, the date order, the kind and the form
    /// decided by each file.
    pub fn new() -> Self {
        Self::default()
    }
    /// The zone the report was requested in; local starts resolve there.
    pub fn source_tz(mut self, tz: Tz) -> Self {
        self.source_tz = tz;
        self
    }
    /// The source zone set with [`source_tz`](Self::source_tz) (UTC by
    /// default).
    pub fn source_zone(&self) -> Tz {
        self.source_tz
    }
    /// How to read slash dates with the year last (`MM/dd/yyyy` or
    /// `dd/MM/yyyy`); `None` (the default) lets each file decide, from its
    /// first rows (SPEC 9.1): a day above 12 tells, else the order under
    /// which consecutive rows of a key are 0 or 1 day apart, else
    /// `MM/dd/yyyy` with warning V112. See [the `date_order` module](self::date_order)
    /// for the rules and the bounds of the scan, and
    /// [`Reader::date_order`] for what a file decided.
    ///
    /// ```
    /// use ringcx_reports::{DateOrder, DateOrderBasis, ReaderBuilder};
    /// let data = "15,03/04/2024,08:00,5686,Sales,1,0,0,0,1,5,0,60,10,5,0,1,30,0,0\n";
    /// // One date: nothing tells the order; MM/dd/yyyy is assumed, with V112.
    /// let r = ReaderBuilder::new().from_bytes("q.csv", data.into())?;
    /// assert_eq!(r.date_order().order, DateOrder::Mdy);
    /// assert!(matches!(r.date_order().basis, DateOrderBasis::Assumed { .. }));
    /// assert_eq!(r.diagnostics()[0].code.as_str(), "V112");
    /// // Given, it is not questioned.
    /// let r = ReaderBuilder::new().date_order(DateOrder::Dmy).from_bytes("q.csv", data.into())?;
    /// assert_eq!(r.date_order().basis, DateOrderBasis::Given);
    /// assert!(r.diagnostics().is_empty());
    /// // `None` hands the decision back to each file.
    /// let r = ReaderBuilder::new().date_order(DateOrder::Dmy).date_order(None)
    ///     .from_bytes("q.csv", data.into())?;
    /// assert_eq!(r.date_order().order, DateOrder::Mdy);
    /// # Ok::<(), ringcx_reports::Error>(())
    /// ```
    pub fn date_order(mut self, order: impl Into<Option<DateOrder>>) -> Self {
        self.date_order = order.into();
        self
    }
    /// Overrides report-kind detection.
    pub fn report(mut self, kind: Option<ReportKind>) -> Self {
        self.report = kind;
        self
    }
    /// Overrides wire-form detection.
    pub fn form(mut self, form: Option<WireForm>) -> Self {
        self.form = form;
        self
    }
    /// Overrides the CSV delimiter, which is otherwise detected from the
    /// first record (`,`, `;`, `|` or TAB, SPEC 2.1): any TAB or ASCII
    /// punctuation but `"`. Opening a file refuses another byte, and a file
    /// that is not CSV, naming the option.
    ///
    /// ```
    /// use ringcx_reports::{AgentExtRow, ReaderBuilder};
    /// let data = "15~20240304~08:00~42~Kaduk, Alena~5686~Sales~300~30~2~1\n";
    /// // `~` is no delimiter detection tries: the comma in the name wins.
    /// assert!(ReaderBuilder::new().from_bytes("a.csv", data.into()).is_err());
    /// let mut r = ReaderBuilder::new().delimiter(Some(b'~')).from_bytes("a.csv", data.into())?;
    /// assert_eq!(r.dialect().unwrap().delimiter, b'~');
    /// assert_eq!(r.rows::<AgentExtRow>().next().unwrap()?.agent_name, "Kaduk, Alena");
    /// let e = ReaderBuilder::new().delimiter(Some(b'"')).from_bytes("a.csv", data.into()).unwrap_err();
    /// assert!(e.to_string().contains("`delimiter`"), "{e}");
    /// # Ok::<(), ringcx_reports::Error>(())
    /// ```
    pub fn delimiter(mut self, delimiter: Option<u8>) -> Self {
        self.delimiter = delimiter;
        self
    }
    /// Reads the first CSV record as data, never as a header: the columns
    /// are the report's headerless layout (SPEC 2.1), chosen by the
    /// record's field count or by [`report`](Self::report). Opening a file
    /// that is not CSV with it is refused, naming the option.
    ///
    /// ```
    /// use ringcx_reports::{AgentExtRow, ReaderBuilder};
    /// let data = "15,20240304,08:00,42,\"Kaduk, Alena\",5686,Sales,300,30,2,1\n";
    /// let r = ReaderBuilder::new().no_header(true).from_bytes("a.csv", data.into())?;
    /// assert!(!r.dialect().unwrap().has_header);
    /// // A header read as data is a row of bad values, each named.
    /// let head = "interval,date,time,agent_id,agent_name,queue,queue_name,talk,wrap,answered,transferred\n";
    /// let mut r = ReaderBuilder::new().no_header(true).from_bytes("a.csv", format!("{head}{data}").into())?;
    /// assert!(r.rows::<AgentExtRow>().next().unwrap().is_err());
    /// # Ok::<(), ringcx_reports::Error>(())
    /// ```
    pub fn no_header(mut self, yes: bool) -> Self {
        self.no_header = yes;
        self
    }
    /// Initial read-buffer size in bytes (it grows only to hold one record).
    /// Tiny sizes are allowed and give the same rows, slower.
    pub fn buffer_size(mut self, bytes: usize) -> Self {
        self.buffer_size = bytes.max(1);
        self
    }
    /// Longest record or field accepted, in bytes (default 1 MiB).
    pub fn max_record_len(mut self, bytes: usize) -> Self {
        self.max_record = bytes.max(64);
        self
    }
    /// Deepest XML or JSON nesting accepted (default 64).
    pub fn max_depth(mut self, depth: usize) -> Self {
        self.max_depth = depth.max(2);
        self
    }

    /// Longest segment span accepted in interaction metadata (default 7
    /// days, [`DEFAULT_MAX_SEGMENT_SPAN_MS`]). A segment whose span (end −
    /// start, else its duration), or whose interaction's duration
    /// (`interactionDurationMs`, `dialogDurationMs`), is longer is refused
    /// as a Values error (V114), like any bad value, so that no command
    /// spends work out of proportion to the file on it (a 300-byte segment
    /// lasting 10¹² s would otherwise be split into 10⁸ hourly buckets) or
    /// prints an end that RFC 3339 cannot write.
    ///
    /// [`DEFAULT_MAX_SEGMENT_SPAN_MS`]: crate::model::DEFAULT_MAX_SEGMENT_SPAN_MS
    ///
    /// ```
    /// use std::time::Duration;
    /// use ringcx_reports::{Code, ReaderBuilder, Segment};
    /// let data = r#"{"interactionId": 1, "segmentID": 1, "segmentDuration": 691200}"#; // 8 days
    /// let mut seg = Segment::default();
    /// let e = ReaderBuilder::new().from_bytes("m.ndjson", data.into())?
    ///     .read_segment(&mut seg).unwrap_err();
    /// assert_eq!(e.code(), Some(Code::SpanTooLong));
    /// let mut r = ReaderBuilder::new().max_segment_span(Duration::from_secs(10 * 86_400))
    ///     .from_bytes("m.ndjson", data.into())?;
    /// assert!(r.read_segment(&mut seg)?);
    /// # Ok::<(), ringcx_reports::Error>(())
    /// ```
    pub fn max_segment_span(mut self, span: std::time::Duration) -> Self {
        self.max_segment_span_ms = u64::try_from(span.as_millis()).unwrap_or(u64::MAX);
        self
    }

    /// Which keys of a segment record are converted (a projection for the
    /// loads that use only some).
    pub(crate) fn segment_read(mut self, read: crate::model::SegmentRead) -> Self {
        self.segment_read = read;
        self
    }

    /// The report a file holds, from its first bytes (its header, its
    /// first JSON record), without reading it through; the
    /// [`report`](Self::report) override when one is set.
    ///
    /// ```
    /// use ringcx_reports::{ReaderBuilder, ReportKind};
    /// let rb = ReaderBuilder::new();
    /// assert_eq!(rb.kind_of("fixtures/queue_header.csv")?, ReportKind::Queue);
    /// assert_eq!(rb.kind_of("fixtures/segments_mixed.ndjson")?, ReportKind::Segments);
    /// # Ok::<(), ringcx_reports::Error>(())
    /// ```
    pub fn kind_of(&self, path: impl AsRef<Path>) -> Result<ReportKind> {
        if let Some(k) = self.report {
            return Ok(k);
        }
        let f = OpenFile::open(path.as_ref())?;
        Ok(self.from_reader(f.name().clone(), f.reader_at(0))?.kind())
    }

    /// Opens a file (`-`: the standard input), named in errors as given,
    /// once: scanned for its date order, then read from its start by
    /// position. A stream (pipe, FIFO) or compressed file is first read
    /// once per process into a temporary file, decoded (`read::spool`).
    pub fn from_path(&self, path: impl AsRef<Path>) -> Result<Reader> {
        self.reader_of(&OpenFile::open(path.as_ref())?)
    }

    /// Reads an input opened once, from its start (see [`from_path`]):
    /// a regular file can be read this way again; a stream only once.
    ///
    /// [`from_path`]: Self::from_path
    pub(crate) fn reader_of(&self, f: &OpenFile) -> Result<Reader> {
        let name = f.name().clone();
        if self.date_order.is_none() && f.len().is_some() {
            // A regular file is scanned for its date order, then read from
            // its start again (a stream is scanned and replayed instead).
            let scan = date_order::scan(
                self,
                name.clone(),
                &TapHandle::new(Box::new(f.reader_at(0)), false, SCAN_BYTES),
            );
            return Reader::open_scanned(self, name, Box::new(f.reader_at(0)), scan);
        }
        self.from_reader(name, f.reader_at(0))
    }

    /// Reads an in-memory document.
    pub fn from_bytes(&self, name: impl Into<Arc<str>>, bytes: Vec<u8>) -> Result<Reader> {
        self.from_reader(name, Cursor::new(bytes))
    }

    /// Reads any byte stream; `name` labels it in errors.
    pub fn from_reader(
        &self,
        name: impl Into<Arc<str>>,
        rdr: impl Read + Send + 'static,
    ) -> Result<Reader> {
        Reader::open(self, name.into(), Box::new(rdr))
    }
}
