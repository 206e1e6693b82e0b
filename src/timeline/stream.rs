//! Folding interactions as they close, for runs that need each call once
//! and not the whole set (`rcx calls`, `rcx timeline`, `rcx
//! interactions`): memory holds the calls still open, not the export.
//! A [`Sink`] takes each finished interaction, and is told as the fold
//! goes the start below which no interaction is still to come (`settle`),
//! so a sink that needs order (peaks, sorted rows) can finish what lies
//! before it.
//!
//! The files are read by chunks (a window of a few chunks at a time, in
//! parallel), always advancing the files that are furthest behind in
//! time. A segment's *key* is its interaction's start. An export is in
//! time order when no segment's key is more than [`LATENESS_MS`] before
//! a key already read from its file, so once every file still being read
//! has read past `key + LATENESS_MS`, an interaction of that key can
//! receive no more segments: it is finished (its re-pulled copies merged,
//! SPEC 5.1) and handed to the fold, and only its id is kept a while
//! longer, to catch a segment of it that comes after all. What the fold
//! takes on trust: that the segments of one interaction agree on its
//! start to within `LATENESS_MS` (they repeat one value in exports); a
//! disagreement seen while the interaction is open gives up, as below.
//!
//! Whatever the fold could not prove it gives up, with the same result by
//! another way. A segment whose interaction may have been folded already
//! (input out of time order), or a segment without an interaction start
//! (it has no key): the files are read again through a temporary file
//! partitioned by interaction (`spill`), in bounded memory. An error (the
//! whole read reports the one a sequential pass meets first), a file that
//! cannot be read by position (a stream): the files are read whole
//! ([`Interactions::from_files`]).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::path::Path;
use std::sync::Arc;

use hashbrown::HashTable;

use super::chunked::{self, Job, Source};
use super::interaction::Interaction;
use super::load::{Interactions, LoadStats, Part, Tally};
use super::segment::PlacedSegment;
use super::sink::Sink;
use super::spill;
use super::unit::{Base, Group, UnitLoad};
use crate::error::{Error, Result};
use crate::read::chunk::DEFAULT_CHUNK;
use crate::read::ReaderBuilder;
use crate::window::FastMap;

/// How far before a key already read from the same file a segment's key
/// may be, in an export taken as in time order: two hours, so that an
/// hour's pull whose records are in any order inside it still folds.
pub const LATENESS_MS: i64 = 2 * 3600 * 1000;

/// Why a fold gave up: `None` for a reason that is no news (an error the
/// whole read reports, a stream), else the note to print.
type GiveUp = Option<String>;

/// A fold into a value, as [`Interactions::fold_files`] takes it.
struct Adder<A, I, F> {
    acc: A,
    init: I,
    add: F,
}

impl<A: Send, I: Fn() -> A + Send, F: FnMut(&mut A, &Interaction) + Send> Sink for Adder<A, I, F> {
    fn add(&mut self, i: &Interaction, _: &[Arc<str>]) -> std::result::Result<(), String> {
        (self.add)(&mut self.acc, i);
        Ok(())
    }
    fn settle(&mut self, _: i64) -> std::result::Result<(), String> {
        Ok(())
    }
    fn restart(&mut self) -> Result<()> {
        self.acc = (self.init)();
        Ok(())
    }
}

impl Interactions {
    /// Folds the interactions of `paths` into the value `init` makes,
    /// with `add`, without holding the export: when the files are in time
    /// order (see [`LATENESS_MS`]), only the interactions still open are
    /// held, and each is added once it is complete. Input out of time
    /// order, or segments without an interaction start, go through
    /// a temporary file partitioned by interaction, still in bounded memory,
    /// and [`LoadStats::fold_note`] says so. An error, or a stream, reads the
    /// files whole ([`from_files`](Self::from_files)).
    ///
    /// `add` sees each interaction once, in no particular order; the
    /// statistics, and any error, are those of `from_files`.
    pub fn fold_files<P, A>(
        paths: &[P],
        reader: &ReaderBuilder,
        skip_invalid: bool,
        init: impl Fn() -> A + Send,
        add: impl FnMut(&mut A, &Interaction) + Send,
    ) -> Result<(A, LoadStats)>
    where
        P: AsRef<Path> + Sync,
        A: Send,
    {
        Self::fold_files_by(paths, reader, skip_invalid, DEFAULT_CHUNK, init, add)
    }

    /// [`fold_files`](Self::fold_files) with chunks of about `chunk` bytes.
    // Tests: small chunks make many windows of small files; not part of
    // the supported API.
    #[doc(hidden)]
    pub fn fold_files_by<P, A>(
        paths: &[P],
        reader: &ReaderBuilder,
        skip_invalid: bool,
        chunk: u64,
        init: impl Fn() -> A + Send,
        add: impl FnMut(&mut A, &Interaction) + Send,
    ) -> Result<(A, LoadStats)>
    where
        P: AsRef<Path> + Sync,
        A: Send,
    {
        let mut sink = Adder {
            acc: init(),
            init,
            add,
        };
        let stats = fold_into(paths, reader, skip_invalid, chunk, &mut sink)?;
        Ok((sink.acc, stats))
    }
}

/// Folds the interactions of `paths` into `sink` (see
/// [`Interactions::fold_files`]), settling it as the fold goes.
pub(crate) fn fold_into<P: AsRef<Path> + Sync>(
    paths: &[P],
    reader: &ReaderBuilder,
    skip_invalid: bool,
    chunk: u64,
    sink: &mut dyn Sink,
) -> Result<LoadStats> {
    if paths.is_empty() {
        return Err(Error::usage("no input files"));
    }
    let mut sorted: Vec<&Path> = paths.iter().map(|p| p.as_ref()).collect();
    sorted.sort();
    let names: Vec<Arc<str>> = sorted.iter().map(|p| p.to_string_lossy().into()).collect();
    let why = match fold(&sorted, &names, reader, skip_invalid, chunk, sink) {
        Ok(stats) => return Ok(stats),
        Err(why) => why,
    };
    // Out of time order: through a temporary file, in bounded memory.
    let why = match why {
        Some(why) => {
            sink.restart()?;
            match spill::fold(&sorted, &names, reader, skip_invalid, chunk, sink) {
                Ok((mut stats, n)) => {
                    stats.fold_note = Some(format!(
                        "{why}; their segments were partitioned by interaction ({n} \
                         partition(s)) through a temporary file"
                    ));
                    return Ok(stats);
                }
                Err(None) => None,
                Err(Some(e)) => Some(format!(
                    "{why}, and {e}; the files are read whole (memory grows with the export)"
                )),
            }
        }
        None => None,
    };
    let ixns = Interactions::from_files(paths, reader, skip_invalid)?;
    sink.restart()?;
    for i in ixns.interactions() {
        sink.add(i, &names).map_err(Error::usage)?;
    }
    sink.settle(i64::MAX).map_err(Error::usage)?;
    let mut stats = ixns.stats().clone();
    stats.fold_note = why;
    Ok(stats)
}

/// The interactions still open: their key and segments so far, found by
/// the hash of their id. A hash, not the id: a new id whose hash is that
/// of an open one (about one in 2^64) gives up the fold, which costs time,
/// never a wrong answer.
#[derive(Default)]
struct Open {
    table: OpenTable,
    /// Open keys, earliest first, with the hash of their id (an id is
    /// pushed when it opens, and again when its key moves earlier).
    heap: BinaryHeap<Reverse<(i64, u64)>>,
    /// Interactions folded, by the order they were folded (so by key), and
    /// the hashes of their ids (with how many of them have each), kept
    /// until their key is `LATENESS_MS` behind the keys folded: a segment
    /// of one of them is caught. A hash, not the id: a new id that shares
    /// one (about one in 2^64) gives up the fold as a late segment would,
    /// which costs time, never a wrong answer.
    recent: VecDeque<(i64, u64)>,
    recent_ids: FastMap<u64, u32>,
    /// Every interaction of a key below this has been folded.
    folded_below: i64,
}

/// The open interactions by the hash of their id. The hash table holds
/// only each one's slot (small, so that its growth over removed entries
/// costs little), the slots as many interactions as are ever open at once.
#[derive(Default)]
struct OpenTable {
    table: HashTable<u32>,
    slots: Vec<Option<(i64, Group)>>,
    /// Slots free for the next interaction.
    free: Vec<u32>,
}

impl OpenTable {
    /// The slot of the open interaction of id hash `h`.
    fn index(&self, h: u64) -> Option<u32> {
        self.table.find(h, holds(&self.slots, h)).copied()
    }

    /// The open interaction of id hash `h`: its key and segments.
    fn find(&self, h: u64) -> Option<&(i64, Group)> {
        self.slots.get(self.index(h)? as usize)?.as_ref()
    }

    fn find_mut(&mut self, h: u64) -> Option<&mut (i64, Group)> {
        let i = self.index(h)?;
        self.slots.get_mut(i as usize)?.as_mut()
    }

    /// Opens an interaction (its id hash not open).
    fn insert(&mut self, key: i64, g: Group) {
        let h = g.hash;
        let i = match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = Some((key, g));
                i
            }
            None => {
                self.slots.push(Some((key, g)));
                (self.slots.len() - 1) as u32
            }
        };
        let slots = &self.slots;
        self.table.insert_unique(h, i, |&i| {
            slots[i as usize].as_ref().map_or(0, |o| o.1.hash)
        });
    }

    /// Closes the open interaction of id hash `h`, if any.
    fn remove(&mut self, h: u64) -> Option<(i64, Group)> {
        let e = self.table.find_entry(h, holds(&self.slots, h)).ok()?;
        let (i, _) = e.remove();
        self.free.push(i);
        self.slots.get_mut(i as usize)?.take()
    }
}

/// Whether a slot holds the open interaction of id hash `h`.
fn holds(slots: &[Option<(i64, Group)>], h: u64) -> impl Fn(&u32) -> bool + '_ {
    move |&i| {
        slots
            .get(i as usize)
            .and_then(Option::as_ref)
            .is_some_and(|o| o.1.hash == h)
    }
}

/// What a fold holds between windows.
struct Fold<'a> {
    names: &'a [Arc<str>],
    skip: bool,
    open: Open,
    /// Per file: the latest key read (at first, its first record's).
    mark: Vec<i64>,
    part: Part,
    tally: Tally,
}

impl Fold<'_> {
    /// Takes the units of a window, in job order.
    fn take(&mut self, units: Vec<(UnitLoad, Base)>) -> std::result::Result<(), GiveUp> {
        let names = self.names;
        for (mut unit, base) in units {
            if unit.fatal.is_some() {
                return Err(None);
            }
            self.tally.unit(&mut unit);
            let f = base.file_idx as usize;
            let before = self.mark[f];
            for mut g in unit.parts.into_iter().flatten() {
                g.segs.iter_mut().for_each(|s| base.rebase(s));
                let (v, id, h) = (&g.segs, &g.id, g.hash);
                // The earliest and latest start its segments give.
                let Some((key, last)) = v.iter().try_fold((i64::MAX, i64::MIN), |(lo, hi), s| {
                    s.interaction_start.map(|t| (lo.min(t), hi.max(t)))
                }) else {
                    return Err(Some(format!(
                        "{}:{}: segment {} of interaction {id} has no interaction start, so \
                         the files cannot be folded in time order",
                        names[f],
                        v[0].pos.line(),
                        v[0].segment_id
                    )));
                };
                // With those already open, they span no more than the
                // lateness.
                let open = self.open.table.find(h);
                if let Some(o) = open.filter(|o| o.1.id != *id) {
                    return Err(Some(format!(
                        "{}:{}: interactions {} and {id} share the hash the fold finds open \
                         interactions by",
                        names[f],
                        v[0].pos.line(),
                        o.1.id
                    )));
                }
                let (lo, hi) = match open {
                    Some(o) => (key.min(o.0), last.max(o.0)),
                    None => (key, last),
                };
                if hi.abs_diff(lo) > LATENESS_MS.unsigned_abs() {
                    let s = v
                        .iter()
                        .find(|s| s.interaction_start == Some(hi))
                        .or_else(|| v.iter().find(|s| s.interaction_start == Some(lo)))
                        .unwrap_or(&v[0]);
                    return Err(Some(format!(
                        "{}:{}: the segments of interaction {id} give starts more than {} h \
                         apart ({} and {}), so the files cannot be folded in time order",
                        names[f],
                        s.pos.line(),
                        LATENESS_MS / 3_600_000,
                        instant(lo),
                        instant(hi)
                    )));
                }
                if key < before.saturating_sub(LATENESS_MS) {
                    return Err(Some(out_of_order(&names[f], &v[0], id, key, before)));
                }
                self.mark[f] = self.mark[f].max(key);
                let open = &mut self.open;
                if let Some(o) = open.table.find_mut(h) {
                    // Keyed by its earliest start, so that it is folded
                    // before anything settled at a later one (its key is
                    // not below `folded_below`: the lateness check above).
                    if key < o.0 {
                        o.0 = key;
                        open.heap.push(Reverse((key, h)));
                    }
                    o.1.segs.extend(g.segs);
                    continue;
                }
                if key < open.folded_below || open.recent_ids.contains_key(&h) {
                    return Err(Some(out_of_order(&names[f], &v[0], id, key, before)));
                }
                open.heap.push(Reverse((key, h)));
                open.table.insert(key, g);
            }
        }
        Ok(())
    }

    /// The key below which no file still to read (`unread`: jobs left or
    /// in flight, per file) can add a segment.
    fn below(&self, unread: impl Fn(usize) -> bool) -> i64 {
        (0..self.mark.len())
            .filter(|&i| unread(i))
            .map(|i| self.mark[i].saturating_sub(LATENESS_MS))
            .min()
            .unwrap_or(i64::MAX)
    }
}

/// Folds the interactions of `paths` (in path order, named `names`) into
/// `sink`; see the module docs. Each window is read while the one before
/// is taken and folded.
fn fold(
    paths: &[&Path],
    names: &[Arc<str>],
    rb: &ReaderBuilder,
    skip: bool,
    chunk: u64,
    sink: &mut dyn Sink,
) -> std::result::Result<LoadStats, GiveUp> {
    let keys = Arc::default();
    let mut src = Source::open(paths, names, rb, 1, &keys).ok_or(None)?;
    let mut todo: Vec<VecDeque<Job>> = (0..paths.len())
        .map(|i| src.jobs(i, chunk).into())
        .collect();
    let mut mark: Vec<i64> = Vec::with_capacity(paths.len());
    for i in 0..paths.len() {
        // A file without records holds nothing back.
        mark.push(src.first_key(i).ok_or(None)?.unwrap_or(i64::MAX));
    }
    let window = chunked::window();
    let mut st = Fold {
        names,
        skip,
        open: Open {
            folded_below: i64::MIN,
            ..Open::default()
        },
        mark,
        part: Part::default(),
        tally: Tally::default(),
    };
    let jobs = pick(&mut todo, &st.mark, window);
    let mut units = src.read(&jobs).ok_or(None)?;
    loop {
        let jobs = pick(&mut todo, &st.mark, window);
        let mut inflight = vec![false; paths.len()];
        for j in &jobs {
            inflight[j.0] = true;
        }
        let last = jobs.is_empty();
        let (next, taken) = rayon::join(
            || {
                if last {
                    Some(Vec::new())
                } else {
                    src.read(&jobs)
                }
            },
            || -> std::result::Result<(), GiveUp> {
                st.take(units)?;
                let below = st.below(|i| inflight[i] || !todo[i].is_empty());
                close(&mut st, below, sink)
            },
        );
        taken?;
        if last {
            break;
        }
        units = next.ok_or(None)?;
    }
    close(&mut st, i64::MAX, sink)?;
    st.tally.part(st.part.stats, st.part.first_skip);
    let stats = st.tally.finish();
    Ok(stats)
}

/// The next window of jobs: from the files furthest behind in time, each
/// file's in file order.
fn pick(todo: &mut [VecDeque<Job>], mark: &[i64], window: usize) -> Vec<Job> {
    let mut order: Vec<usize> = (0..todo.len()).filter(|&i| !todo[i].is_empty()).collect();
    order.sort_by_key(|&i| (mark[i], i));
    let mut jobs = Vec::with_capacity(window);
    for i in order {
        while jobs.len() < window {
            match todo[i].pop_front() {
                Some(j) => jobs.push(j),
                None => break,
            }
        }
    }
    jobs
}

/// Folds every open interaction whose key is below `below`.
fn close(st: &mut Fold<'_>, below: i64, sink: &mut dyn Sink) -> std::result::Result<(), GiveUp> {
    let (open, part) = (&mut st.open, &mut st.part);
    while let Some(Reverse((key, _))) = open.heap.peek() {
        if *key >= below {
            break;
        }
        let Some(Reverse((key, h))) = open.heap.pop() else {
            break;
        };
        // An entry pushed before its key moved earlier finds it gone.
        let Some((_, g)) = open.table.remove(h) else {
            continue;
        };
        let (id, mut v) = (g.id, g.segs);
        // Path order, then file order, as the whole read merges them.
        if !v.is_sorted_by_key(|s| (s.file_idx, s.pos.record())) {
            v.sort_by_key(|s| (s.file_idx, s.pos.record()));
        }
        let i = part.finish(id, v, st.names, st.skip);
        if part.first_dup.is_some() {
            return Err(None);
        }
        sink.add(&i, st.names).map_err(Some)?;
        *open.recent_ids.entry(h).or_default() += 1;
        open.recent.push_back((key, h));
    }
    open.folded_below = open.folded_below.max(below);
    sink.settle(open.folded_below).map_err(Some)?;
    while let Some((k, _)) = open.recent.front() {
        if k.saturating_add(LATENESS_MS) >= open.folded_below {
            break;
        }
        if let Some((_, h)) = open.recent.pop_front() {
            if let Some(n) = open.recent_ids.get_mut(&h) {
                *n -= 1;
                if *n == 0 {
                    open.recent_ids.remove(&h);
                }
            }
        }
    }
    Ok(())
}

/// The note of a segment that came too late to fold in time order.
fn out_of_order(file: &str, s: &PlacedSegment, id: &str, key: i64, before: i64) -> String {
    let at = instant;
    format!(
        "{file}:{}: interaction {id} starts at {}, more than {} h before {} (a start already \
         read from the file, or calls already counted): the files are not in time order",
        s.pos.line(),
        at(key),
        LATENESS_MS / 3_600_000,
        at(before)
    )
}

/// An instant of a note, RFC 3339 UTC with milliseconds.
pub(super) fn instant(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map_or_else(
        || format!("{ms} ms"),
        |t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
    )
}
