//! `rcx interactions` over files without holding the export: interactions
//! are folded as they finish (`Interactions::fold_files`), each turned
//! into its row at once, and the rows sorted through a temporary file.
//!
//! Rows wait in memory, encoded, until the fold settles past their start
//! or they fill a buffer; then they are sorted by start and written as a
//! *run* of the temporary file. A run that starts no earlier than the
//! last one ends extends it, so files in time order make one run; input
//! out of time order makes a run per buffer. The runs are merged by
//! start, and the rows of one start are put in id order (numerically when
//! every id is an integer, which is known only at the end), so the output
//! is that of [`write_interactions`](super::write_interactions) byte for
//! byte.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Arc;

use chrono_tz::Tz;

use super::timeline::{interaction_row, write_rows, INTERACTION_COLUMNS, V};
use super::TableFormat;
use crate::error::{Error, Result};
use crate::read::chunk::DEFAULT_CHUNK;
use crate::read::ReaderBuilder;
use crate::timeline::{fold_into, Interaction, LoadStats, Sink};
use crate::window::{cmp_key, is_integer};

/// Encoded rows held before they are written as a run.
const BUFFER_BYTES: usize = 16 << 20;
/// The read buffer of each run while merging.
const RUN_BUFFER: usize = 32 << 10;
/// The name of the temporary file in errors.
const TEMP: &str = "<temporary file>";

/// Writes the interactions of `paths` as
/// [`write_interactions`](super::write_interactions) writes those of
/// [`Interactions::from_files`](crate::timeline::Interactions::from_files),
/// byte for byte, without holding the export: memory holds the
/// interactions still open and a buffer of rows; the rows go through a
/// temporary file. The table format aligns its columns over all rows, so
/// it holds the rows (not the segments). Returns the load's statistics
/// ([`LoadStats::fold_note`] says when the files were not in time order).
pub fn write_interactions_files<P: AsRef<Path> + Sync, W: Write>(
    paths: &[P],
    reader: &ReaderBuilder,
    skip_invalid: bool,
    tz: &Tz,
    format: TableFormat,
    out: &mut W,
) -> Result<LoadStats> {
    write_interactions_files_by(paths, reader, skip_invalid, DEFAULT_CHUNK, tz, format, out)
}

/// [`write_interactions_files`] with chunks of about `chunk` bytes.
// Tests: small chunks make many windows and runs of small files; not part
// of the supported API.
#[doc(hidden)]
pub fn write_interactions_files_by<P: AsRef<Path> + Sync, W: Write>(
    paths: &[P],
    reader: &ReaderBuilder,
    skip_invalid: bool,
    chunk: u64,
    tz: &Tz,
    format: TableFormat,
    out: &mut W,
) -> Result<LoadStats> {
    // Small chunks (tests) make small buffers, so many runs.
    let buffer =
        usize::try_from(chunk.saturating_mul(4)).map_or(BUFFER_BYTES, |b| b.min(BUFFER_BYTES));
    let mut rows = Rows::new(tz, buffer);
    let stats = fold_into(paths, reader, skip_invalid, chunk, &mut rows)?;
    let temp = |e| Error::io(TEMP, e);
    rows.flush().map_err(temp)?;
    let file = match rows.file {
        Some(w) => Some(w.into_inner().map_err(|e| temp(e.into_error()))?),
        None => None,
    };
    let mut merge = Merge {
        file,
        runs: rows
            .runs
            .iter()
            .map(|&(at, len)| Run::new(at, len))
            .collect(),
        heap: BinaryHeap::new(),
        group: Vec::new(),
        numeric: rows.integer_ids,
        failed: None,
    };
    merge.start().map_err(temp)?;
    write_rows(&INTERACTION_COLUMNS, merge.by_ref(), 7, format, out)?;
    match merge.failed {
        Some(e) => Err(temp(e)),
        None => Ok(stats),
    }
}

/// The fold's sink: rows by start, written as sorted runs.
struct Rows<'t> {
    tz: &'t Tz,
    /// Rows not written yet: start and encoded row.
    pending: Vec<(i64, Vec<u8>)>,
    pending_bytes: usize,
    /// Pending bytes that make a run.
    buffer: usize,
    file: Option<BufWriter<File>>,
    /// Runs written: offset and length in the file.
    runs: Vec<(u64, u64)>,
    /// The latest start written, and the length of the file.
    last_start: i64,
    at: u64,
    integer_ids: bool,
}

impl<'t> Rows<'t> {
    fn new(tz: &'t Tz, buffer: usize) -> Self {
        Rows {
            tz,
            pending: Vec::new(),
            pending_bytes: 0,
            buffer,
            file: None,
            runs: Vec::new(),
            last_start: i64::MIN,
            at: 0,
            integer_ids: true,
        }
    }

    /// Writes the pending rows that start before `below` (all for `None`),
    /// sorted by start, as a run (extending the last run when none starts
    /// before the latest start written).
    fn write_run(&mut self, below: Option<i64>) -> io::Result<()> {
        let mut out = std::mem::take(&mut self.pending);
        if let Some(below) = below {
            let (now, later): (Vec<_>, Vec<_>) = out.into_iter().partition(|r| r.0 < below);
            out = now;
            self.pending = later;
        }
        if out.is_empty() {
            return Ok(());
        }
        out.sort_by_key(|r| r.0);
        let file = match &mut self.file {
            Some(f) => f,
            None => self.file.insert(BufWriter::new(tempfile::tempfile()?)),
        };
        let from = self.at;
        for (start, row) in &out {
            file.write_all(&start.to_le_bytes())?;
            file.write_all(&(row.len() as u32).to_le_bytes())?;
            file.write_all(row)?;
            self.at += 12 + row.len() as u64;
            self.pending_bytes -= row.len();
        }
        match self.runs.last_mut() {
            Some(last) if out[0].0 >= self.last_start => last.1 += self.at - from,
            _ => self.runs.push((from, self.at - from)),
        }
        self.last_start = self.last_start.max(out[out.len() - 1].0);
        Ok(())
    }

    /// Writes every pending row.
    fn flush(&mut self) -> io::Result<()> {
        self.write_run(None)?;
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

impl Sink for Rows<'_> {
    fn add(&mut self, i: &Interaction, _: &[Arc<str>]) -> std::result::Result<(), String> {
        self.integer_ids &= is_integer(i.id());
        let row = encode(&interaction_row(i, self.tz));
        self.pending_bytes += row.len();
        self.pending.push((i.start(), row));
        if self.pending_bytes > self.buffer {
            // Out of time order: a sorted run of what is held.
            self.write_run(None)
                .map_err(|e| format!("a temporary file failed ({e})"))?;
        }
        Ok(())
    }

    fn settle(&mut self, below: i64) -> std::result::Result<(), String> {
        // The rows before `below` are all in: they make (or extend) a run.
        self.write_run(Some(below))
            .map_err(|e| format!("a temporary file failed ({e})"))
    }

    fn restart(&mut self) -> Result<()> {
        *self = Rows::new(self.tz, self.buffer);
        Ok(())
    }
}

/// A row's cells: per cell a tag (0 text, 1 number, 2 null), then for
/// text and numbers the length (u32) and the bytes.
fn encode(row: &[V]) -> Vec<u8> {
    let mut b = Vec::with_capacity(160);
    for v in row {
        let (tag, s) = match v {
            V::Text(s) => (0u8, s.as_str()),
            V::Num(s) => (1, s.as_str()),
            V::Null => (2, ""),
        };
        b.push(tag);
        if tag != 2 {
            b.extend_from_slice(&(s.len() as u32).to_le_bytes());
            b.extend_from_slice(s.as_bytes());
        }
    }
    b
}

fn decode(mut b: &[u8]) -> io::Result<Vec<V>> {
    let bad = || io::Error::new(io::ErrorKind::InvalidData, "a row was cut short");
    let mut row = Vec::with_capacity(INTERACTION_COLUMNS.len());
    while let Some((&tag, rest)) = b.split_first() {
        b = rest;
        if tag == 2 {
            row.push(V::Null);
            continue;
        }
        let n = b.get(..4).ok_or_else(bad)?;
        let n = u32::from_le_bytes([n[0], n[1], n[2], n[3]]) as usize;
        let s = b.get(4..4 + n).ok_or_else(bad)?;
        let s = String::from_utf8(s.to_vec()).map_err(|_| bad())?;
        b = &b[4 + n..];
        row.push(if tag == 0 { V::Text(s) } else { V::Num(s) });
    }
    Ok(row)
}

/// One run being merged: where it is in the file, and a buffer of it.
struct Run {
    at: u64,
    end: u64,
    buf: Vec<u8>,
    pos: usize,
}

impl Run {
    fn new(at: u64, len: u64) -> Self {
        Run {
            at,
            end: at + len,
            buf: Vec::new(),
            pos: 0,
        }
    }

    /// The next row (start and encoded cells), reading more of the file
    /// when the buffer does not hold it whole.
    fn next(&mut self, file: &mut File) -> io::Result<Option<(i64, Vec<u8>)>> {
        if !self.fill(file, 12)? {
            if self.pos < self.buf.len() {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "a run was cut short",
                ));
            }
            return Ok(None);
        }
        let head = &self.buf[self.pos..self.pos + 12];
        let start = i64::from_le_bytes(head[..8].try_into().map_err(io::Error::other)?);
        let len = u32::from_le_bytes(head[8..].try_into().map_err(io::Error::other)?) as usize;
        if !self.fill(file, 12 + len)? {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "a run was cut short",
            ));
        }
        let row = self.buf[self.pos + 12..self.pos + 12 + len].to_vec();
        self.pos += 12 + len;
        Ok(Some((start, row)))
    }

    /// Makes the buffer hold `n` bytes from `pos`; false at the run's end.
    fn fill(&mut self, file: &mut File, n: usize) -> io::Result<bool> {
        if self.buf.len() - self.pos >= n {
            return Ok(true);
        }
        self.buf.drain(..self.pos);
        self.pos = 0;
        let want = (n - self.buf.len()).max(RUN_BUFFER) as u64;
        let take = want.min(self.end - self.at) as usize;
        if take == 0 {
            return Ok(false);
        }
        let from = self.buf.len();
        self.buf.resize(from + take, 0);
        file.seek(SeekFrom::Start(self.at))?;
        file.read_exact(&mut self.buf[from..])?;
        self.at += take as u64;
        Ok(self.buf.len() >= n)
    }
}

/// The runs merged by start; the rows of one start in id order.
struct Merge {
    file: Option<File>,
    runs: Vec<Run>,
    /// Each run's next row: its start, run and encoded cells.
    heap: BinaryHeap<Reverse<(i64, usize, Vec<u8>)>>,
    /// The rows of the current start, last first.
    group: Vec<Vec<V>>,
    numeric: bool,
    /// The first failure of the temporary file (the rows stop there).
    failed: Option<io::Error>,
}

impl Merge {
    fn start(&mut self) -> io::Result<()> {
        let Some(file) = &mut self.file else {
            return Ok(());
        };
        for (k, r) in self.runs.iter_mut().enumerate() {
            if let Some((s, row)) = r.next(file)? {
                self.heap.push(Reverse((s, k, row)));
            }
        }
        Ok(())
    }

    /// Pops the least row and reads its run's next one.
    fn pop(&mut self) -> io::Result<Option<(i64, Vec<u8>)>> {
        let (Some(file), Some(Reverse((s, k, row)))) = (&mut self.file, self.heap.pop()) else {
            return Ok(None);
        };
        if let Some((s2, row2)) = self.runs[k].next(file)? {
            self.heap.push(Reverse((s2, k, row2)));
        }
        Ok(Some((s, row)))
    }

    /// The rows of the next start, sorted by id, last first.
    fn next_group(&mut self) -> io::Result<()> {
        let Some((start, row)) = self.pop()? else {
            return Ok(());
        };
        let mut group = vec![decode(&row)?];
        while let Some(Reverse((s, _, _))) = self.heap.peek() {
            if *s != start {
                break;
            }
            if let Some((_, row)) = self.pop()? {
                group.push(decode(&row)?);
            }
        }
        let numeric = self.numeric;
        let id = |r: &[V]| match r.first() {
            Some(V::Text(s)) => s.clone(),
            _ => String::new(),
        };
        group.sort_by(|a, b| cmp_key(&id(b), &id(a), numeric));
        self.group = group;
        Ok(())
    }
}

impl Iterator for Merge {
    type Item = Vec<V>;
    fn next(&mut self) -> Option<Vec<V>> {
        if self.failed.is_some() {
            return None;
        }
        if self.group.is_empty() {
            if let Err(e) = self.next_group() {
                self.failed = Some(e);
                return None;
            }
        }
        self.group.pop()
    }
}
