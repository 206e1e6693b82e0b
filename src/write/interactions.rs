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

use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;

use chrono_tz::Tz;

use super::timeline::{interaction_row, write_rows, INTERACTION_COLUMNS, V};
use super::TableFormat;
use crate::error::{Error, Result};
use crate::read::chunk::DEFAULT_CHUNK;
use crate::read::ReaderBuilder;
use crate::runs::{i64_key, Merged, RunFile, TEMP};
use crate::timeline::{fold_into, Interaction, LoadStats, Sink};
use crate::window::{cmp_key, is_integer};

/// Encoded rows held before they are written as a run.
const BUFFER_BYTES: usize = 16 << 20;

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
    rows.write_run(None).map_err(temp)?;
    let mut merge = Merge {
        runs: rows.runs.merge().map_err(temp)?,
        group: Vec::new(),
        numeric: rows.integer_ids,
        failed: None,
    };
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
    runs: RunFile,
    integer_ids: bool,
}

impl<'t> Rows<'t> {
    fn new(tz: &'t Tz, buffer: usize) -> Self {
        Rows {
            tz,
            pending: Vec::new(),
            pending_bytes: 0,
            buffer,
            runs: RunFile::default(),
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
        out.sort_by_key(|r| r.0);
        let keyed: Vec<([u8; 8], &[u8])> = out.iter().map(|(s, r)| (i64_key(*s), &r[..])).collect();
        self.runs
            .write_run(keyed.iter().map(|(k, r)| (&k[..], *r)))?;
        self.pending_bytes -= out.iter().map(|r| r.1.len()).sum::<usize>();
        Ok(())
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

/// The runs merged by start; the rows of one start in id order.
struct Merge {
    runs: Merged,
    /// The rows of the current start, last first.
    group: Vec<Vec<V>>,
    numeric: bool,
    /// The first failure of the temporary file (the rows stop there).
    failed: Option<io::Error>,
}

impl Merge {
    /// The rows of the next start, sorted by id, last first.
    fn next_group(&mut self) -> io::Result<()> {
        let Some((start, row)) = self.runs.next()? else {
            return Ok(());
        };
        let mut group = vec![decode(&row)?];
        while self.runs.peek_key() == Some(&start[..]) {
            if let Some((_, row)) = self.runs.next()? {
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
