//! The timeline engine: filter segments by start, split spans at bucket
//! boundaries, sum per key and bucket, and sweep each key's spans for its
//! peak concurrency.
//!
//! Splitting costs one step per bucket it adds to: spans are split only
//! over the buckets of the requested range (`--from`/`--to`), so a long
//! span kept by its start never costs more than the buckets printed, and
//! the readers refuse spans over the segment span limit (7 days by
//! default, V114) before they get here.
//!
//! Additive sums fold over batches of interactions on rayon and merge (integer
//! milliseconds; merge is associative and commutative with `Default` as
//! identity). Peak concurrency is not additive, so it is computed per key:
//! keys are swept in parallel, each key's spans in one sweep. Output order
//! is fixed at the end by sorting, so the result is the same whatever the
//! thread count.
//!
//! Read from files, interactions are folded as they finish instead
//! (`Folded`, a [`Sink`]): the same sums added one interaction at a time,
//! and the same sweep run in steps, each up to the instant before which no
//! segment can start any more, so only the segments still open wait.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash};
use std::sync::Arc;

use rayon::prelude::*;

use super::interaction::Interaction;
use super::segment::PlacedSegment;
use super::sink::Sink;
use super::stream::LATENESS_MS;
use super::{TimelineBy, TimelineSums};
use crate::runs::{get_bucket, put_bucket, Spilled, SPILL_DIV};
use crate::window::{in_zone, Bucketer, FastMap, Filter};

/// A kept segment and its role in its interaction.
#[derive(Clone, Copy)]
pub(crate) struct Item<'a> {
    pub seg: &'a PlacedSegment,
    /// The interaction's first segment (whatever its type): it counts the
    /// interaction as started.
    pub first: bool,
    /// An agent segment after the interaction's first agent segment.
    pub transfer: bool,
}

pub(crate) type Bucket = (i64, i64);
pub(crate) type Cells<'a> = HashMap<(&'a str, Bucket), TimelineSums>;
/// The cells of a folded timeline: each key's text (by its number) and its
/// buckets in time order, packed ([`TimelineSums::pack`] after the
/// bucket's start, as a delta from the one before, and its length).
pub(crate) struct PackedCells {
    pub names: Vec<Box<str>>,
    pub bytes: Spilled,
}

/// The bucket packed in `bytes` at `at` (see [`PackedCells`]), whose
/// start follows `prev`; both move on.
pub(crate) fn unpack_cell(bytes: &[u8], at: &mut usize, prev: &mut i64) -> (Bucket, TimelineSums) {
    let b = get_bucket(bytes, at, prev);
    (b, TimelineSums::unpack(bytes, at))
}

pub(crate) struct Engine {
    by: TimelineBy,
    bucketer: Bucketer,
    tz: chrono_tz::Tz,
    filter: Filter,
    /// The buckets of the requested range, `[start, end)` in ms: from the
    /// start of the bucket holding `--from` to the end of the bucket
    /// holding the last instant before `--to`.
    range: (i64, i64),
}

pub(crate) fn key_of(by: TimelineBy, s: &PlacedSegment) -> &str {
    match by {
        TimelineBy::Agent => s.agent_id().unwrap_or(""),
        TimelineBy::AgentGroup => s.group(),
        TimelineBy::Direction => s.direction().unwrap_or(""),
        TimelineBy::Channel => s.channel().unwrap_or(""),
        TimelineBy::CompanyNumber => s.company_number().unwrap_or(""),
        TimelineBy::Ivr => s.ivr_id().unwrap_or(""),
        TimelineBy::All => "",
    }
}

/// The bucket holding instant `t_ms`, in ms. Bucket bounds are whole
/// seconds, so the second holding `t_ms` decides.
#[inline]
fn bucket_of(b: &mut Bucketer, t_ms: i64) -> Bucket {
    let (s, e) = b.info(t_ms.div_euclid(1000), 1).bucket;
    (s * 1000, e * 1000)
}

/// Calls `f(bucket, overlap_ms)` for every bucket `[a, e)` overlaps within
/// `range`, in order; nothing for an empty span. One step per call of `f`.
#[inline]
fn split(b: &mut Bucketer, range: (i64, i64), a: i64, e: i64, mut f: impl FnMut(Bucket, i64)) {
    let (mut cur, e) = (a.max(range.0), e.min(range.1));
    while cur < e {
        let bk = bucket_of(b, cur);
        let stop = e.min(bk.1);
        if stop <= cur {
            // A bucket that does not end after its start cannot be split
            // further (it does not happen within the printable years).
            break;
        }
        f(bk, stop - cur);
        cur = stop;
    }
}

impl Engine {
    pub fn new(by: TimelineBy, mut bucketer: Bucketer, tz: chrono_tz::Tz, filter: Filter) -> Self {
        let lo = filter.from.map_or(i64::MIN, |f| {
            bucket_of(&mut bucketer, f.saturating_mul(1000)).0
        });
        let hi = filter.to.map_or(i64::MAX, |t| {
            bucket_of(&mut bucketer, t.saturating_mul(1000).saturating_sub(1)).1
        });
        Engine {
            by,
            bucketer,
            tz,
            filter,
            range: (lo, hi),
        }
    }

    /// The filters segments are kept by.
    pub fn filter(&self) -> &Filter {
        &self.filter
    }

    fn keeps(&self, s: &PlacedSegment) -> bool {
        // Bounds are whole seconds, so the second of the start decides.
        let t = s.start.div_euclid(1000);
        self.filter.keeps(t, || in_zone(&self.tz, t).naive_local())
    }

    /// The kept segments of `ixn`, every type. Roles come from the whole
    /// interaction, so a segment keeps its role when an earlier one is
    /// dropped by the filters.
    fn items<'s, 'a>(
        &'s self,
        ixn: &'a Interaction,
    ) -> impl Iterator<Item = Item<'a>> + use<'s, 'a> {
        let mut agents_before = 0u32;
        ixn.segments()
            .iter()
            .enumerate()
            .filter_map(move |(k, seg)| {
                let transfer = seg.is_agent && agents_before > 0;
                agents_before += u32::from(seg.is_agent);
                self.keeps(seg).then_some(Item {
                    seg,
                    first: k == 0,
                    transfer,
                })
            })
    }

    /// Calls `f` with every kept segment of `ixns` and its role.
    fn each<'a>(&self, ixns: &'a [Interaction], mut f: impl FnMut(Item<'a>)) {
        for i in ixns {
            self.items(i).for_each(&mut f);
        }
    }

    /// Adds a kept segment to the cells of `key` (its key under the
    /// grouping).
    fn add<K: Copy + Eq + Hash>(
        &self,
        b: &mut Bucketer,
        cells: &mut HashMap<(K, Bucket), TimelineSums, impl BuildHasher>,
        key: K,
        it: &Item<'_>,
    ) {
        let s = it.seg;
        let c = cells.entry((key, bucket_of(b, s.start))).or_default();
        c.segments_started += 1;
        c.started_span_ms += s.span_ms();
        c.interactions_started += u64::from(it.first);
        c.transfers += u64::from(it.transfer);
        split(b, self.range, s.start, s.end, |bk, ms| {
            cells.entry((key, bk)).or_default().handle_ms += ms;
        });
        for &(ra, rb) in &s.recording.spans {
            split(b, self.range, ra, rb, |bk, ms| {
                cells.entry((key, bk)).or_default().recorded_ms += ms;
            });
        }
    }

    /// The additive sums of the kept segments of `ixns`, and how many
    /// segments were kept. Interactions are walked in place (no list of
    /// kept segments), in batches on rayon.
    pub fn sums<'a>(&self, ixns: &'a [Interaction], parallel: bool) -> (Cells<'a>, u64) {
        let batch = |(mut b, mut cells, mut n): (Bucketer, Cells<'a>, u64), chunk| {
            self.each(chunk, |it| {
                n += 1;
                self.add(&mut b, &mut cells, key_of(self.by, it.seg), &it);
            });
            (b, cells, n)
        };
        let start = || (self.bucketer.clone(), Cells::default(), 0u64);
        if parallel {
            ixns.par_chunks(1024)
                .fold(start, batch)
                .map(|(_, c, n)| (c, n))
                .reduce(
                    || (Cells::default(), 0),
                    |(a, n), (b, m)| (merge_cells(a, b), n + m),
                )
        } else {
            let (_, c, n) = batch(start(), ixns);
            (c, n)
        }
    }

    /// Sets `peak_concurrency` in `cells`: per key, the largest number of
    /// its segments open at one instant of each bucket (`[start, end)`
    /// spans, so a segment ending when another starts does not overlap it).
    pub fn peaks<'a>(&self, ixns: &'a [Interaction], cells: &mut Cells<'a>, parallel: bool) {
        let mut by_key: HashMap<&'a str, Sweep> = HashMap::new();
        self.each(ixns, |it| {
            by_key
                .entry(key_of(self.by, it.seg))
                .or_default()
                .push(it.seg);
        });
        let sweep = |(key, mut w): (&'a str, Sweep)| {
            let mut b = self.bucketer.clone();
            let mut out: Vec<((&'a str, Bucket), u64)> = Vec::new();
            w.run(i64::MAX, &mut b, self.range, |bk, open| {
                match out.last_mut() {
                    Some((k, p)) if k.1 == bk => *p = (*p).max(open),
                    _ => out.push(((key, bk), open)),
                }
            });
            out
        };
        let groups: Vec<(&'a str, Sweep)> = by_key.into_iter().collect();
        let found: Vec<((&'a str, Bucket), u64)> = if parallel {
            groups.into_par_iter().flat_map_iter(sweep).collect()
        } else {
            groups.into_iter().flat_map(sweep).collect()
        };
        for (k, p) in found {
            let c = cells.entry(k).or_default();
            c.peak_concurrency = c.peak_concurrency.max(p);
        }
    }
}

fn merge_cells<'a>(mut a: Cells<'a>, mut b: Cells<'a>) -> Cells<'a> {
    if b.len() > a.len() {
        std::mem::swap(&mut a, &mut b);
    }
    for (k, v) in b {
        a.entry(k).or_default().merge(&v);
    }
    a
}

/// A timeline folded as interactions finish ([`Sink`]): the additive sums
/// as they come, and each key's peak swept up to where no segment can
/// start any more. A cell that ends before that point is final, and is
/// packed (and, past a limit, spilled to a temporary file), so that memory
/// holds the open cells and the segments still open, not the export nor
/// its timeline.
pub(crate) struct Folded<'e> {
    engine: &'e Engine,
    b: Bucketer,
    /// Key texts and their index (in `sweeps`, `done`, `prev`, and in the
    /// cells).
    keys: FastMap<Box<str>, u32>,
    cells: FastMap<(u32, Bucket), TimelineSums>,
    /// Per key index: its final cells, packed, and the start of the last.
    done: Spilled,
    prev: Vec<i64>,
    /// Per key index: its sweep.
    sweeps: Vec<Sweep>,
    /// Segments kept.
    kept: u64,
    /// Every instant before this has been swept: a segment added now must
    /// not start before it.
    swept: i64,
}

/// One key's peak sweep.
#[derive(Default)]
struct Sweep {
    /// Events not swept yet: an instant doubled, plus 1 for a start (so
    /// that the ends at an instant sort before its starts).
    ev: Vec<i64>,
    /// Segments open from `at` on.
    open: u64,
    at: i64,
}

impl<'e> Folded<'e> {
    /// A fold that reads chunks of about `chunk` bytes (the cells it packs
    /// spill past a part of that).
    pub fn new(engine: &'e Engine, chunk: u64) -> Self {
        Folded::with_limit(
            engine,
            usize::try_from(chunk / SPILL_DIV).unwrap_or(usize::MAX),
        )
    }

    /// A fold whose packed cells spill past `limit` bytes.
    fn with_limit(engine: &'e Engine, limit: usize) -> Self {
        Folded {
            engine,
            b: engine.bucketer.clone(),
            keys: FastMap::default(),
            cells: FastMap::default(),
            done: Spilled::new(limit),
            prev: Vec::new(),
            sweeps: Vec::new(),
            kept: 0,
            swept: i64::MIN,
        }
    }

    /// The cells, packed, and the segments kept: once the fold settled
    /// everything (`settle(i64::MAX)`), which every fold ends with.
    pub fn finish(mut self) -> (PackedCells, u64) {
        self.pack_before(i64::MAX);
        let mut names: Vec<Box<str>> = vec![Box::from(""); self.keys.len()];
        for (text, k) in self.keys {
            names[k as usize] = text;
        }
        let cells = PackedCells {
            names,
            bytes: self.done,
        };
        (cells, self.kept)
    }

    /// Packs every cell that ends by `h`, each key's in time order: no
    /// segment still to come starts before `h` (the sweep is there), so
    /// none of them changes.
    fn pack_before(&mut self, h: i64) {
        let mut last: Vec<(u32, Bucket)> = self
            .cells
            .keys()
            .filter(|(_, (_, be))| *be <= h)
            .copied()
            .collect();
        last.sort_unstable();
        for c in last {
            let Some(sums) = self.cells.remove(&c) else {
                continue;
            };
            let k = c.0 as usize;
            let prev = &mut self.prev[k];
            self.done.append(k, |out| {
                put_bucket(out, prev, c.1);
                sums.pack(out);
            });
        }
    }

    /// Sweeps every key's events before `h`.
    fn sweep_to(&mut self, h: i64) {
        let (range, b, cells) = (self.engine.range, &mut self.b, &mut self.cells);
        for (k, w) in self.sweeps.iter_mut().enumerate() {
            w.run(h, b, range, |bk, open| {
                let c = cells.entry((k as u32, bk)).or_default();
                c.peak_concurrency = c.peak_concurrency.max(open);
            });
        }
        self.swept = self.swept.max(h);
    }
}

impl Sweep {
    /// Adds a segment's span (none for an empty one).
    fn push(&mut self, s: &PlacedSegment) {
        if s.end > s.start {
            self.ev.push(s.start * 2 + 1);
            self.ev.push(s.end * 2);
        }
    }

    /// Sweeps the events before `h` (all for `i64::MAX`): calls `f(bucket,
    /// open)` for each bucket of `range` a stretch with `open > 0` segments
    /// overlaps, in time order (a bucket may come more than once: its peak
    /// is the largest). `[start, end)` spans: a segment ending when another
    /// starts does not overlap it. What holds from the last event on is
    /// carried up to `h`, and on from there at the next call.
    fn run(&mut self, h: i64, b: &mut Bucketer, range: (i64, i64), mut f: impl FnMut(Bucket, u64)) {
        if self.ev.is_empty() {
            return;
        }
        self.ev.sort_unstable();
        let n = self.ev.partition_point(|&e| e.div_euclid(2) < h);
        let mut peak = |b: &mut Bucketer, a: i64, e: i64, open: u64| {
            if open > 0 {
                split(b, range, a, e, |bk, _| f(bk, open));
            }
        };
        let mut i = 0;
        while i < n {
            let t = self.ev[i].div_euclid(2);
            peak(b, self.at, t, self.open);
            while i < n && self.ev[i].div_euclid(2) == t {
                if self.ev[i].rem_euclid(2) == 1 {
                    self.open += 1;
                } else {
                    self.open = self.open.saturating_sub(1);
                }
                i += 1;
            }
            self.at = t;
        }
        self.ev.drain(..n);
        if h < i64::MAX && self.open > 0 {
            peak(b, self.at, h, self.open);
            self.at = h;
        }
    }
}

impl Sink for Folded<'_> {
    fn add(&mut self, ixn: &Interaction, files: &[Arc<str>]) -> std::result::Result<(), String> {
        let engine = self.engine;
        for it in engine.items(ixn) {
            let s = it.seg;
            if s.start < self.swept {
                return Err(format!(
                    "{}:{}: segment {} of interaction {} starts at {}, more than {} h before \
                     its interaction, so peaks cannot be swept in time order",
                    files[s.file_idx as usize],
                    s.pos.line(),
                    s.segment_id,
                    ixn.id(),
                    super::stream::instant(s.start),
                    LATENESS_MS / 3_600_000
                ));
            }
            let text = key_of(self.engine.by, s);
            let key = match self.keys.get(text) {
                Some(&k) => k,
                None => {
                    let k = self.sweeps.len() as u32;
                    self.keys.insert(text.into(), k);
                    self.sweeps.push(Sweep::default());
                    self.done.push_key();
                    self.prev.push(0);
                    k
                }
            };
            self.kept += 1;
            engine.add(&mut self.b, &mut self.cells, key, &it);
            self.sweeps[key as usize].push(s);
        }
        Ok(())
    }

    fn settle(&mut self, below: i64) -> std::result::Result<(), String> {
        // A segment may start up to the lateness before its interaction.
        let h = if below == i64::MAX {
            i64::MAX
        } else {
            below.saturating_sub(LATENESS_MS)
        };
        if h > self.swept {
            self.sweep_to(h);
            self.pack_before(self.swept);
        }
        Ok(())
    }

    fn restart(&mut self) -> crate::error::Result<()> {
        *self = Folded::with_limit(self.engine, self.done.limit());
        Ok(())
    }
}
