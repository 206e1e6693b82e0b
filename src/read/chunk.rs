//! Parallel reading of one large CSV or JSON file: the file is cut into
//! chunks of about the same size, and each chunk is read by its own
//! tokenizer and assembler, on its own thread.
//!
//! A chunk starts *speculatively*: at the first byte after a line break at
//! or past its nominal start, assuming that line break ends a record (it
//! does not when it lies inside a quoted field). In JSON (an array of
//! records, wrapped or not, or NDJSON) a line break is never inside a
//! string, but it may be inside a record: the chunk starts at the first
//! line that can start a record (a `{` after a `,`, `[` or `}`, see
//! `JsonInput::resync`), or reads nothing when none starts in it (a
//! minified document is one line). Its reader reads every
//! record that starts before the next chunk's nominal start, and finishes
//! the last one even when it runs past it. So the reader of chunk `k`, if it
//! started on a true record boundary, knows exactly where the first record
//! of chunk `k + 1` starts ([`ChunkReader::next`]); the caller checks, in
//! file order, that chunk `k + 1` started there ([`ChunkReader::first`]).
//! By induction from chunk 0, which starts on the first data record, every
//! chunk that passes the check was tokenized exactly as a sequential read
//! would have. A chunk that fails it (a line break inside quotes, or inside
//! a JSON record, at its start) is read again from the right place, or the
//! caller falls back to the sequential reader.
//!
//! Positions in a chunk are relative to its start (lines from 1, records
//! from 0); a caller that reports errors reads the file sequentially, so
//! errors name exact lines.

use std::sync::Arc;

use memchr::memchr;

use super::assemble::Assembler;
use super::buffer::Buffer;
use super::csv::{CsvInput, CsvSource};
use super::file::OpenFile;
#[cfg(feature = "json")]
use super::json::{JsonInput, RecordsAt};
use super::{Input, Reader, ReaderBuilder};
use crate::error::{Error, Result};
use crate::model::{Field, IntervalRow, LocalResolver, ReportKind, Segment};

/// The default chunk size: large enough that the line search at each start
/// and the per-chunk maps cost nothing, small enough to spread 100 MB over
/// many threads.
pub(crate) const DEFAULT_CHUNK: u64 = 4 << 20;

/// How a file's records are laid out.
#[derive(Clone, Debug)]
enum Layout {
    Csv {
        columns: Vec<Option<Field>>,
        delim: u8,
    },
    #[cfg(feature = "json")]
    Json(RecordsAt),
}

/// A file read by chunks: its layout, found by the reader of its header,
/// and where its data records start. Every chunk reads the one open file
/// by position.
#[derive(Clone, Debug)]
pub(crate) struct Chunks {
    file: Arc<str>,
    input: OpenFile,
    builder: ReaderBuilder,
    layout: Layout,
    kind: ReportKind,
    data_start: u64,
    len: u64,
}

impl Chunks {
    /// The chunks of `f`, whose header `r` (opened by `b` on `f`, no row
    /// read yet) has read. `None` when the file is a stream (read once,
    /// in order), or is neither CSV nor JSON with records.
    pub(crate) fn new(b: &ReaderBuilder, f: &OpenFile, r: &Reader) -> Option<Chunks> {
        let len = f.len()?;
        #[allow(unreachable_patterns)]
        let (layout, data_start) = match &r.input {
            Input::Csv(c) => (
                Layout::Csv {
                    columns: c.columns().to_vec(),
                    delim: c.delimiter(),
                },
                c.offset(),
            ),
            #[cfg(feature = "json")]
            Input::Json(j) => match j.records_at() {
                Some(at) => (Layout::Json(at), at.byte),
                None => return None,
            },
            _ => return None,
        };
        Some(Chunks {
            file: r.file().clone(),
            input: f.clone(),
            // The file's date order, decided once for all its chunks.
            builder: b.clone().date_order(r.date_order().order),
            layout,
            kind: r.kind(),
            data_start,
            len,
        })
    }

    /// The chunks with the file's handle closed (see
    /// [`OpenFile::closed`]), to be [opened again](Self::reopen).
    pub(crate) fn closed(&self) -> Chunks {
        Chunks {
            input: self.input.closed(),
            ..self.clone()
        }
    }

    /// The chunks with an open handle, which every chunk reader shares and
    /// which closes with the last of them (see [`OpenFile::reopen`]).
    pub(crate) fn reopen(&self) -> Result<Chunks> {
        Ok(Chunks {
            input: self.input.reopen()?,
            ..self.clone()
        })
    }

    /// The report the file holds.
    pub(crate) fn kind(&self) -> ReportKind {
        self.kind
    }

    /// The offset of the first data record.
    pub(crate) fn data_start(&self) -> u64 {
        self.data_start
    }

    /// The line of the first data record (JSON; 0 when unknown, CSV).
    pub(crate) fn data_line(&self) -> u64 {
        match &self.layout {
            #[cfg(feature = "json")]
            Layout::Json(at) => at.line,
            Layout::Csv { .. } => 0,
        }
    }

    /// The file name errors use.
    pub(crate) fn file(&self) -> &Arc<str> {
        &self.file
    }

    /// The nominal chunk starts for chunks of about `size` bytes, first the
    /// start of the data records; each chunk ends where the next starts,
    /// the last at the end of the file.
    pub(crate) fn starts(&self, size: u64) -> Vec<u64> {
        let size = size.max(1);
        let mut v = vec![self.data_start];
        let mut s = self.data_start.saturating_add(size);
        while s < self.len {
            v.push(s);
            s = s.saturating_add(size);
        }
        v
    }

    /// A reader of the records starting in `from..to` (`to = u64::MAX` for
    /// the last chunk). For `from` past the data start, it starts after the
    /// first line break at or after `from - 1`.
    pub(crate) fn reader(&self, from: u64, to: u64) -> Result<ChunkReader> {
        self.open_reader(from, to, from > self.data_start)
    }

    /// A reader of the records starting in `from..to`, where `from` is
    /// known to start a record (the next record found by the chunk before).
    pub(crate) fn reader_exact(&self, from: u64, to: u64) -> Result<ChunkReader> {
        self.open_reader(from, to, false)
    }

    fn open_reader(&self, from: u64, to: u64, search: bool) -> Result<ChunkReader> {
        let io = |e| Error::io(self.file.clone(), e);
        let b = &self.builder;
        let base = if search { from - 1 } else { from };
        let rdr = b.counted(Box::new(self.input.reader_at(base)));
        let input = match &self.layout {
            Layout::Csv { columns, delim } => {
                let mut buf = Buffer::new(rdr, base, b.buffer_size);
                if search {
                    loop {
                        if let Some(i) = memchr(b'\n', buf.pending()) {
                            buf.consume(i + 1);
                            break;
                        }
                        let n = buf.pending().len();
                        buf.consume(n);
                        if !buf.fill().map_err(io)? {
                            break;
                        }
                    }
                }
                let mut src = CsvSource::new(buf, 1, b.max_record);
                src.delim = *delim;
                ChunkInput::Csv(Box::new(CsvInput::new(src, columns.clone(), to)))
            }
            #[cfg(feature = "json")]
            Layout::Json(at) => {
                let at = if from >= self.len { at.at_end() } else { *at };
                let mut j = JsonInput::chunk(self.file.clone(), rdr, base, b, at, to);
                if search {
                    j.resync()?;
                }
                ChunkInput::Json(Box::new(j))
            }
        };
        let asm = Assembler::new(
            self.file.clone(),
            LocalResolver::new(b.source_tz),
            b.date_order.unwrap_or_default(),
        );
        Ok(ChunkReader {
            input,
            asm,
            first: None,
            first_line: None,
            records: 0,
        })
    }
}

/// The reader of one chunk's records.
enum ChunkInput {
    Csv(Box<CsvInput>),
    #[cfg(feature = "json")]
    Json(Box<JsonInput>),
}

impl ChunkInput {
    fn offset(&self) -> u64 {
        match self {
            ChunkInput::Csv(c) => c.offset(),
            #[cfg(feature = "json")]
            ChunkInput::Json(j) => j.offset(),
        }
    }
}

/// Reads the records of one chunk (see the [module docs](self)).
pub(crate) struct ChunkReader {
    input: ChunkInput,
    asm: Assembler,
    first: Option<u64>,
    /// The (chunk-relative) line of the first record.
    first_line: Option<u64>,
    records: u64,
}

impl ChunkReader {
    /// Reads the next record of the chunk into `row`; `Ok(false)` when the
    /// next record starts in the next chunk, or at the end of the file.
    /// Positions in `row` and in errors are relative to the chunk.
    #[inline]
    pub(crate) fn read_row<T: IntervalRow>(&mut self, row: &mut T) -> Result<bool> {
        let read = match &mut self.input {
            ChunkInput::Csv(c) => c.read_row(&mut self.asm, self.records, row),
            #[cfg(feature = "json")]
            ChunkInput::Json(j) => j.read_row(&mut self.asm, self.records, row),
        };
        match read {
            Ok(true) => {
                if self.first.is_none() {
                    self.first = Some(row.pos().byte());
                }
                self.records += 1;
                Ok(true)
            }
            Ok(false) => Ok(false),
            Err((e, _)) => Err(e),
        }
    }

    /// Reads the next segment of the chunk into `seg` (interaction
    /// metadata, JSON only); `Ok(false)` as for
    /// [`read_row`](Self::read_row). Positions are relative to the chunk.
    pub(crate) fn read_segment(&mut self, seg: &mut Segment) -> Result<bool> {
        let read = match &mut self.input {
            #[cfg(feature = "json")]
            ChunkInput::Json(j) => j.read_segment(self.records, seg),
            ChunkInput::Csv(_) => Err((Error::usage("interaction metadata is JSON"), false)),
        };
        match read {
            Ok(true) => {
                if self.first.is_none() {
                    self.first = Some(seg.pos.byte());
                    self.first_line = Some(seg.pos.line());
                }
                self.records += 1;
                Ok(true)
            }
            Ok(false) => Ok(false),
            Err((e, _)) => Err(e),
        }
    }

    /// After the last record: the chunk-relative lines of
    /// [`first`](Self::first) and of [`next`](Self::next), whose difference
    /// is the number of line breaks the chunk spans (JSON chunks only; CSV
    /// gives `(0, 0)`).
    pub(crate) fn lines(&self) -> (u64, u64) {
        let next = match &self.input {
            #[cfg(feature = "json")]
            ChunkInput::Json(j) => j.line(),
            ChunkInput::Csv(_) => 0,
        };
        (self.first_line.unwrap_or(next), next)
    }

    /// Byte offset of the first record the chunk read, or of the record
    /// after the chunk when it read none.
    pub(crate) fn first(&self) -> u64 {
        self.first.unwrap_or_else(|| self.input.offset())
    }

    /// After [`read_row`](Self::read_row) gave `Ok(false)`: byte offset of
    /// the first record of the next chunk (the file length at the end).
    pub(crate) fn next(&self) -> u64 {
        self.input.offset()
    }

    /// Records read.
    pub(crate) fn records(&self) -> u64 {
        self.records
    }

    /// Whether a row started in a repeated fall-back hour, whose offset
    /// depends on the rows of the chunks before.
    pub(crate) fn ambiguous(&self) -> bool {
        self.asm.ambiguous
    }
}
