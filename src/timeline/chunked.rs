//! The fast path of a load: every file cut into chunks (see
//! `crate::read::chunk`), all chunks of all files read in parallel, each
//! into its own [`UnitLoad`]. A chunk's positions are relative to its start;
//! once the chunks are checked in file order (each starts where the one
//! before found its next record, or is read again from there), each gets
//! the [`Base`] that turns them into the file's lines and records, so
//! every position a load reports is the one a sequential read gives.
//!
//! The path takes only the common case and says so by returning `None`:
//! a file that cannot be read by position (a stream) or holds no record, a
//! file that is not interaction metadata, any error a chunk's reader meets.
//! The load then reads the files whole, one reader per file, which reports
//! every error at its exact place.

use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use super::segment::SharedKeys;
use super::unit::{Base, UnitLoad};
use crate::model::{ReportKind, Segment};
use crate::read::chunk::Chunks;
use crate::read::file::OpenFile;
use crate::read::ReaderBuilder;

/// The chunk size for `paths`: about four chunks per thread, and no
/// smaller than `least`. Every chunk's units hold their own maps until the
/// partitions are finished, and freeing them leaves the allocator's heap
/// in pieces: a few large chunks keep the peak memory of reading the
/// files whole, and still keep every thread busy.
pub(super) fn size_for<'a>(paths: impl Iterator<Item = &'a Path>, least: u64) -> u64 {
    let per = rayon::current_num_threads().max(1) as u64 * 4;
    (total_bytes(paths) / per).max(least)
}

/// The bytes of `paths` together (a path that cannot be read counts 0).
pub(super) fn total_bytes<'a>(paths: impl Iterator<Item = &'a Path>) -> u64 {
    paths
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum()
}

/// The chunks a fold reads at a time: two per thread, so that every
/// thread stays busy while memory holds a few chunks' segments.
pub(super) fn window() -> usize {
    rayon::current_num_threads().max(1) * 2
}

/// One chunk read, with what the check of its boundaries needs.
struct ChunkLoad {
    load: UnitLoad,
    /// Offsets of its first record and of the next chunk's.
    first: u64,
    next: u64,
    /// Its relative lines at `first` and at `next`.
    lines: (u64, u64),
    records: u64,
}

/// A chunk to read: the file's index, and the byte range its records
/// start in (`u64::MAX`: to the end).
pub(super) type Job = (usize, u64, u64);

/// Files opened for reading by chunks, and how far their chunks have been
/// checked.
pub(super) struct Source<'a> {
    files: Vec<Chunks>,
    names: &'a [Arc<str>],
    nparts: usize,
    keys: &'a Arc<SharedKeys>,
    /// Per file: the next record the last checked chunk found, its line
    /// in the file and the records before it.
    prev: Vec<Option<(u64, u64, u64)>>,
}

impl<'a> Source<'a> {
    /// Opens `paths` (in path order, named `names`) for reading by chunks,
    /// each unit grouped into `nparts` partitions, their keys shared
    /// through `keys`. `None` when the files must be read whole (see the
    /// module docs).
    pub(super) fn open(
        paths: &[&Path],
        names: &'a [Arc<str>],
        rb: &ReaderBuilder,
        nparts: usize,
        keys: &'a Arc<SharedKeys>,
    ) -> Option<Source<'a>> {
        let mut files = Vec::with_capacity(paths.len());
        for p in paths {
            // Not even opened unless it is a regular file: a stream (a
            // FIFO) opened and left here would have nothing left to give
            // the whole read.
            if !std::fs::metadata(p).ok()?.is_file() {
                return None;
            }
            let f = OpenFile::open(p).ok()?;
            let r = rb.reader_of(&f).ok()?;
            if r.kind() != ReportKind::Segments {
                return None;
            }
            files.push(Chunks::new(rb, &f, &r)?.closed());
        }
        let prev = vec![None; files.len()];
        Some(Source {
            files,
            names,
            nparts,
            keys,
            prev,
        })
    }

    /// The chunks of file `i`, of about `chunk` bytes, in file order.
    pub(super) fn jobs(&self, i: usize, chunk: u64) -> Vec<Job> {
        let starts = self.files[i].starts(chunk);
        (0..starts.len())
            .map(|k| (i, starts[k], starts.get(k + 1).copied().unwrap_or(u64::MAX)))
            .collect()
    }

    /// The key of file `i`'s first record: its interaction's start, else
    /// its own; `Some(None)` when the file holds no record, `None` when its
    /// first record cannot be read or has no time.
    pub(super) fn first_key(&self, i: usize) -> Option<Option<i64>> {
        let f = self.files[i].reopen().ok()?;
        let mut rd = f.reader_exact(f.data_start(), u64::MAX).ok()?;
        let mut seg = Segment::default();
        if !rd.read_segment(&mut seg).ok()? {
            return Some(None);
        }
        let t = seg.interaction_start.or(seg.segment_start)?;
        Some(Some(t.timestamp_millis()))
    }

    /// Reads `jobs` in parallel on the current rayon pool; each file's
    /// jobs must come in file order, after those of earlier calls. `None`
    /// when the files must be read whole.
    pub(super) fn read(&mut self, jobs: &[Job]) -> Option<Vec<(UnitLoad, Base)>> {
        let one = |i: usize, from: u64, to: u64, exact: bool| -> Option<ChunkLoad> {
            let idx = u32::try_from(i).ok()?;
            let names = self.names;
            read_chunk(
                &self.files[i],
                &names[i],
                idx,
                (from, to),
                exact,
                self.nparts,
                self.keys,
            )
        };
        let outs: Vec<Option<ChunkLoad>> = jobs
            .par_iter()
            .map(|&(i, from, to)| one(i, from, to, false))
            .collect();
        // Checked in order: the next record the chunk before found, its
        // line in the file, and the records before it.
        let mut units = Vec::with_capacity(outs.len());
        for (&(i, _, to), o) in jobs.iter().zip(outs) {
            let expect = self.prev[i];
            let o = match (o, expect) {
                (Some(o), None) => o,
                (Some(o), Some(e)) if o.first == e.0 => o,
                // The chunk did not start at a record (a line break inside
                // a pretty-printed record): read it again from where the
                // chunk before found its next record.
                (_, Some(e)) => one(i, e.0, to, true)?,
                (None, None) => return None,
            };
            let (line, records) = match expect {
                Some(e) => (e.1, e.2),
                None => (self.files[i].data_line(), 0),
            };
            let lines = line.checked_sub(o.lines.0)?;
            self.prev[i] = Some((o.next, lines + o.lines.1, records + o.records));
            let file_idx = u32::try_from(i).ok()?;
            units.push((
                o.load,
                Base {
                    file_idx,
                    lines,
                    records,
                },
            ));
        }
        Some(units)
    }
}

/// Reads `paths` (in path order, named `names`) by chunks of about `chunk`
/// bytes, in parallel on the current rayon pool, each unit grouped into
/// `nparts` partitions, their keys shared through `keys`. `None` when the
/// files must be read whole (see the module docs).
pub(super) fn read(
    paths: &[&Path],
    names: &[Arc<str>],
    rb: &ReaderBuilder,
    nparts: usize,
    keys: &Arc<SharedKeys>,
    chunk: u64,
) -> Option<Vec<(UnitLoad, Base)>> {
    let mut src = Source::open(paths, names, rb, nparts, keys)?;
    let jobs: Vec<Job> = (0..paths.len()).flat_map(|i| src.jobs(i, chunk)).collect();
    src.read(&jobs)
}

fn read_chunk(
    chunks: &Chunks,
    name: &Arc<str>,
    file_idx: u32,
    (from, to): (u64, u64),
    exact: bool,
    nparts: usize,
    keys: &Arc<SharedKeys>,
) -> Option<ChunkLoad> {
    let chunks = chunks.reopen().ok()?;
    let mut rd = if exact {
        chunks.reader_exact(from, to)
    } else {
        chunks.reader(from, to)
    }
    .ok()?;
    let mut seg = Segment::default();
    let mut load = UnitLoad::new(nparts, keys);
    while rd.read_segment(&mut seg).ok()? {
        if !load.take(Ok(&seg), name, file_idx, false, true) {
            return None;
        }
    }
    load.done();
    Some(ChunkLoad {
        load,
        first: rd.first(),
        next: rd.next(),
        lines: rd.lines(),
        records: rd.records(),
    })
}
