//! The fast path for large CSV and JSON files: each file is cut into chunks
//! read and folded in parallel (see `crate::read::chunk`), and the chunk
//! partials are merged in file order. A chunk whose speculative start was
//! not a record boundary (a line break inside a quoted field or inside a
//! JSON record) is read again, serially, from the first record the chunk
//! before it found.
//!
//! The path takes only the common case, and says so by returning `None`
//! for anything else, after which the rollup reads the files once more and
//! sorts their rows (`sorted`), which gives exactly the rows, errors and
//! positions a sequential read gives:
//!
//! - any invalid row (so every error names its exact line, from a
//!   sequential read), and any row that does not nest in its bucket;
//! - a start in a repeated fall-back hour, whose offset depends on the rows
//!   before it in the file (SPEC 2.5);
//! - rows of one key whose starts do not increase in file order. The
//!   duplicate rule keeps the first row of a key and start; when every key's
//!   starts increase, a duplicate is impossible, and checking that takes one
//!   number per key instead of one entry per row. Exports are sorted by date
//!   and time, so this holds for them; an unsorted file is still rolled up
//!   exactly, by the sort.

use std::sync::Arc;

use rayon::prelude::*;

use super::accum::{Accumulator, NamePick};
use super::engine::{Partial, RollupRow, Skips, Worker};
use super::metrics::Measured;
use super::Plan;
use crate::model::ReportKind;
use crate::read::chunk::Chunks;
use crate::runs::{get_bucket, put_bucket, Spilled, SPILL_DIV};
use crate::window::offset_secs;
use crate::window::FastMap;

use crate::read::chunk::DEFAULT_CHUNK;

/// What the chunks of the files gave.
pub(crate) struct ChunkedRun<S> {
    pub store: Store<S>,
    pub read: u64,
    pub kept: u64,
    /// Invalid rows skipped (only the sort of rows not in time order
    /// skips: the chunks decline any invalid row).
    pub skips: Skips,
}

/// Buckets per segment of a key's packed sequence: the unit in which the
/// output is decoded and formatted, so that the text held at once is a
/// few segments' worth however many buckets a key has.
pub(crate) const SEGMENT: u64 = 256;

/// The buckets of one output key: the finished ones packed in order (the
/// older part possibly spilled to the store's file), and the last one,
/// which the next chunk may still add to.
pub(crate) struct StoreKey<S> {
    pub key: Box<str>,
    pub names: [NamePick; 2],
    /// Its bytes in the store's [`Spilled`].
    bytes: usize,
    /// Where each segment starts in the key's whole sequence, and the
    /// start before it (the base of its first delta).
    segs: Vec<(u64, i64)>,
    sealed: u64,
    prev: i64,
    open: Option<((i64, i64), S)>,
}

impl<S: Accumulator> StoreKey<S> {
    fn seal(&mut self, bytes: &mut Spilled, b: (i64, i64), acc: &S) {
        if self.sealed % SEGMENT == 0 {
            self.segs.push((bytes.len(self.bytes), self.prev));
        }
        self.sealed += 1;
        let prev = &mut self.prev;
        bytes.append(self.bytes, |out| {
            put_bucket(out, prev, b);
            acc.pack(out);
        });
    }
}

impl<S> StoreKey<S> {
    /// The number of segments.
    pub(crate) fn segments(&self) -> usize {
        self.segs.len()
    }
}

/// The bytes of segment `j` of a key and the start before its first
/// bucket (see [`unpack_buckets_from`]).
pub(crate) fn segment_bytes<'a, S>(
    store: &'a Store<S>,
    k: &'a StoreKey<S>,
    j: usize,
) -> std::io::Result<(std::borrow::Cow<'a, [u8]>, i64)> {
    let (from, prev) = k.segs[j];
    let to = k.segs.get(j + 1).map_or(store.bytes.len(k.bytes), |s| s.0);
    Ok((store.bytes.range(k.bytes, from, to)?, prev))
}

/// The buckets packed in `bytes` whose first delta is from `prev`.
pub(crate) fn unpack_buckets_from<S: Accumulator>(
    bytes: &[u8],
    mut prev: i64,
) -> impl Iterator<Item = ((i64, i64), S)> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        if at >= bytes.len() {
            return None;
        }
        let b = get_bucket(bytes, &mut at, &mut prev);
        Some((b, S::unpack(bytes, &mut at)))
    })
}

/// The merged result of the chunks, in far less memory than a
/// [`Partial`]: exports are sorted by time, so once a chunk brings a later
/// bucket of a key, that key's earlier buckets are final and are packed.
pub(crate) struct Store<S> {
    index: FastMap<Box<str>, usize>,
    pub keys: Vec<StoreKey<S>>,
    /// Span and misfits; its `keys` stay empty.
    pub meta: Partial<S>,
    /// Whether a packed bucket may have overflowed (checked exactly, in
    /// output order, only then).
    pub maybe_overflowed: bool,
    /// The keys' packed buckets.
    bytes: Spilled,
}

impl<S> Default for Store<S> {
    fn default() -> Self {
        Store {
            index: FastMap::default(),
            keys: Vec::new(),
            meta: Partial::default(),
            maybe_overflowed: false,
            bytes: Spilled::new((DEFAULT_CHUNK / SPILL_DIV) as usize),
        }
    }
}

impl<S: Measured> Store<S> {
    /// Adds the partial of the next chunk in file order; `None` when it
    /// adds to a bucket of a key that already has a later one (an output
    /// key whose rows are not in time order, e.g. a group of queues in an
    /// unsorted file).
    pub(super) fn absorb(&mut self, mut p: Partial<S>) -> Option<()> {
        let keys = std::mem::take(&mut p.keys);
        self.meta = std::mem::take(&mut self.meta).merge(p);
        for (k, st) in keys {
            let buckets = st.buckets.into_sorted();
            let i = match self.index.get(&k) {
                Some(&i) => i,
                None => {
                    self.keys.push(StoreKey {
                        key: k.clone(),
                        names: Default::default(),
                        bytes: self.bytes.push_key(),
                        segs: Vec::new(),
                        sealed: 0,
                        prev: 0,
                        open: None,
                    });
                    self.index.insert(k, self.keys.len() - 1);
                    self.keys.len() - 1
                }
            };
            let sk = &mut self.keys[i];
            sk.names[0].merge(&st.names[0]);
            sk.names[1].merge(&st.names[1]);
            for (b, acc) in buckets {
                match &mut sk.open {
                    Some((ob, oacc)) if *ob == b => oacc.merge(&acc),
                    Some((ob, _)) if b < *ob => return None,
                    _ => {
                        if let Some((ob, oacc)) = sk.open.replace((b, acc)) {
                            self.maybe_overflowed |= may_overflow(&oacc);
                            sk.seal(&mut self.bytes, ob, &oacc);
                        }
                    }
                }
            }
        }
        Some(())
    }

    /// Packs the last bucket of every key.
    pub fn close(&mut self) {
        for sk in &mut self.keys {
            if let Some((b, acc)) = sk.open.take() {
                self.maybe_overflowed |= may_overflow(&acc);
                sk.seal(&mut self.bytes, b, &acc);
            }
        }
        self.index = FastMap::default();
    }
}

/// Per key (the duplicate key, not the output key): the first and last
/// start seen, in file order.
type Spans = FastMap<Box<str>, (i64, i64)>;

struct ChunkOut<S> {
    partial: Partial<S>,
    spans: Spans,
    read: u64,
    kept: u64,
    first: u64,
    next: u64,
}

/// Overflow of a sum, or of a derived sum under the default options (which
/// add the most).
fn may_overflow<S: Measured>(acc: &S) -> bool {
    acc.overflowed().is_some() || acc.metrics(Default::default()).is_none()
}

/// Rolls up the chunks of `files` (already in canonical order); `None`
/// when the sort must decide (see the module docs).
pub(crate) fn run<T: RollupRow>(
    plan: &Plan,
    files: &[&Chunks],
    kind: ReportKind,
    chunk: u64,
) -> Option<ChunkedRun<T::Sums>> {
    let mut all = ChunkedRun {
        store: Store {
            bytes: Spilled::new(usize::try_from(chunk / SPILL_DIV).unwrap_or(usize::MAX)),
            ..Store::default()
        },
        read: 0,
        kept: 0,
        skips: Skips::default(),
    };
    let mut spans = Spans::default();
    for (i, chunks) in files.iter().enumerate() {
        if chunks.kind() != kind {
            return None;
        }
        // Files share no key and start when each key's starts still
        // increase across them.
        run_file::<T>(plan, chunks, i, chunk, &mut all, &mut spans)?;
    }
    all.store.close();
    Some(all)
}

/// Appends the spans of what follows; `None` when a key's starts do not
/// increase.
fn join_spans(acc: &mut Spans, next: Spans) -> Option<()> {
    for (k, (lo, hi)) in next {
        match acc.get_mut(&k) {
            Some(s) if lo <= s.1 => return None,
            Some(s) => s.1 = hi,
            None => {
                acc.insert(k, (lo, hi));
            }
        }
    }
    Some(())
}

fn run_file<T: RollupRow>(
    plan: &Plan,
    chunks: &Chunks,
    file_idx: usize,
    chunk: u64,
    run: &mut ChunkedRun<T::Sums>,
    spans: &mut Spans,
) -> Option<()> {
    // The file's handle, opened again when it was closed after its header
    // (the chunk readers share it; it closes when the file is done). A file
    // that cannot be is left to the sort, which reports why.
    let chunks = &chunks.reopen().ok()?;
    let starts = chunks.starts(chunk);
    let threads = rayon::current_num_threads().max(1);
    // A window of chunks at a time, merged in order, so that partials of
    // only a few chunks are alive at once. The merge of one window (on this
    // thread) overlaps the reading of the next (on the others).
    let window = threads * 2;
    let fold = |w: usize| -> Vec<Option<ChunkOut<T::Sums>>> {
        let hi = (w + window).min(starts.len());
        (w..hi)
            .into_par_iter()
            .map(|k| {
                let to = starts.get(k + 1).copied().unwrap_or(u64::MAX);
                fold_chunk::<T>(plan, chunks, file_idx, starts[k], to, false)
            })
            .collect()
    };
    let mut expect = None;
    let mut merge = |w: usize, outs: Vec<Option<ChunkOut<T::Sums>>>| -> Option<()> {
        for (k, o) in (w..).zip(outs) {
            let o = match (o, expect) {
                (Some(o), None) => o,
                (Some(o), Some(e)) if e == o.first => o,
                // The chunk started inside a quoted field (its reading may
                // even have failed there): read it again from where the
                // chunk before found its first record.
                (_, Some(e)) => {
                    let to = starts.get(k + 1).copied().unwrap_or(u64::MAX);
                    fold_chunk::<T>(plan, chunks, file_idx, e, to, true)?
                }
                (None, None) => return None,
            };
            expect = Some(o.next);
            join_spans(spans, o.spans)?;
            run.store.absorb(o.partial)?;
            run.read += o.read;
            run.kept += o.kept;
        }
        Some(())
    };
    let mut w = 0;
    let mut outs = fold(0);
    while w + window < starts.len() {
        let next = w + window;
        let (merged, folded) = rayon::join(|| merge(w, outs), || fold(next));
        merged?;
        outs = folded;
        w = next;
    }
    merge(w, outs)
}

fn fold_chunk<T: RollupRow>(
    plan: &Plan,
    chunks: &Chunks,
    file_idx: usize,
    from: u64,
    to: u64,
    exact: bool,
) -> Option<ChunkOut<T::Sums>> {
    let mut rd = if exact {
        chunks.reader_exact(from, to)
    } else {
        chunks.reader(from, to)
    }
    .ok()?;
    let file: Arc<str> = chunks.file().clone();
    let mut w = Worker::<T::Sums>::new(plan);
    let mut spans = Spans::default();
    let mut row = T::default();
    let mut key = String::new();
    let tz = plan.tz;
    let filter = &plan.filter;
    let mut local: Option<(i64, chrono::NaiveDateTime)> = None;
    let mut kept = 0u64;
    while rd.read_row(&mut row).ok()? {
        let t = row.start().timestamp();
        if filter.straddles(t, || row.interval().seconds()) && plan.keeps_ids(&row) {
            w.partial.straddled += 1;
        }
        let keep = filter.keeps(t, || match local {
            Some((ct, l)) if ct == t => l,
            _ => {
                let off = offset_secs(&tz, t) as i64;
                let l = chrono::DateTime::from_timestamp(t + off, 0)
                    .unwrap_or_default()
                    .naive_utc();
                local = Some((t, l));
                l
            }
        });
        if !keep || !plan.keeps_ids(&row) {
            continue;
        }
        key.clear();
        row.key_into(&mut key);
        match spans.get_mut(key.as_str()) {
            Some(s) if t <= s.1 => return None,
            Some(s) => s.1 = t,
            None => {
                spans.insert(key.as_str().into(), (t, t));
            }
        }
        w.add(&row, file_idx, &file);
        kept += 1;
    }
    if rd.ambiguous() || w.partial.first_misfit.is_some() {
        return None;
    }
    Some(ChunkOut {
        partial: w.partial,
        spans,
        read: rd.records(),
        kept,
        first: rd.first(),
        next: rd.next(),
    })
}
