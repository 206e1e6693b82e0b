//! Loading interactions from interaction metadata files ([`Interactions`])
//! and what a load read, skipped and noticed ([`LoadStats`]).
//!
//! Loading reads the files in *units* on the threads of the current pool:
//! the chunks of every file (`chunked`, when every file can be read by
//! position and no chunk meets an error), else each file whole. A unit
//! turns each [`Segment`] into a [`PlacedSegment`] (its span in
//! milliseconds and its recording spans) and groups it at once under its
//! interaction id, in one of several *partitions* chosen by the id's hash.
//! Each partition is then finished on its own thread: the units' groups
//! are merged in unit order (path order, then file order), repeated
//! segment ids are resolved within each interaction (SPEC 5.1), and the
//! interactions are built. A repeat within one file is the T602 error (the
//! first copy is kept with `skip_invalid`); copies in different files are
//! a re-pulled window and merge to the most complete copy
//! ([`Completeness`](crate::model::Completeness)), whatever the file order:
//! identical copies are counted ([`LoadStats::repulled_identical`]),
//! differing ones warned about ([`LoadStats::repulled_merged`]). The error
//! returned (or the first skipped segment) is the one a sequential pass
//! over the files in path order would meet first, and the result does not
//! depend on the number of threads or partitions.
//!
//! An interaction's segments may be anywhere in the files, so every placed
//! segment is held until all files are read: memory grows with the number
//! of segments, not with the bytes of the files. A run that needs each
//! interaction once, not the whole set, folds them as they close instead
//! ([`Interactions::fold_files`], in the `stream` module).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use super::chunked;
use super::interaction::Interaction;
use super::segment::PlacedSegment;
use super::unit::{partitions, Base, Groups, Order, UnitLoad};
use crate::diagnostic::Code;
use crate::error::{Error, Result};
use crate::model::{ReportKind, Segment};
use crate::read::chunk::DEFAULT_CHUNK;
use crate::read::ReaderBuilder;
use crate::validate::segments::duplicate_error;
use crate::window::{cmp_key, is_integer};

/// A finding counted over a run, with the first place it was seen.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counted {
    /// How many times.
    pub count: u64,
    /// The first (in path order, then file order): `file:line`.
    pub first: Option<String>,
    order: Option<(u32, u64)>,
}

impl Counted {
    fn add(&mut self, s: &PlacedSegment, files: &[Arc<str>]) {
        self.count_at((s.file_idx, s.pos.record()), || {
            format!("{}:{}", files[s.file_idx as usize], s.pos.line())
        });
    }

    /// Counts two copies of one segment, named by both places (the one
    /// earlier in path order first); ordered by the later one, where a
    /// pass over the files in path order would meet the pair.
    fn add_pair(&mut self, a: &PlacedSegment, b: &PlacedSegment, files: &[Arc<str>]) {
        let (a, b) = if (a.file_idx, a.pos.record()) <= (b.file_idx, b.pos.record()) {
            (a, b)
        } else {
            (b, a)
        };
        let at = |s: &PlacedSegment| format!("{}:{}", files[s.file_idx as usize], s.pos.line());
        self.count_at((b.file_idx, b.pos.record()), || {
            format!("{} and {}", at(a), at(b))
        });
    }

    /// Adds the counts of another part of the run.
    fn merge(&mut self, o: Counted) {
        self.count += o.count;
        if let Some(order) = o.order {
            if self.order.is_none_or(|m| order < m) {
                self.order = Some(order);
                self.first = o.first;
            }
        }
    }

    fn count_at(&mut self, order: (u32, u64), first: impl FnOnce() -> String) {
        self.count += 1;
        if self.order.is_none_or(|o| order < o) {
            self.order = Some(order);
            self.first = Some(first());
        }
    }
}

/// What loading read, kept, skipped and noticed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadStats {
    /// Segment objects read (valid or not).
    pub segments_read: u64,
    /// Segments placed in interactions.
    pub segments_placed: u64,
    /// Invalid segments skipped, by code (only with skip-invalid).
    pub skipped: BTreeMap<Code, u64>,
    /// The first skipped segment's error, in path order.
    pub first_skipped: Option<String>,
    /// Segments with a REC_START and no REC_STOP (the recording runs to
    /// the segment end).
    pub unmatched_rec_start: Counted,
    /// Segments with a repeated REC_START or an orphan REC_STOP (ignored).
    pub ignored_rec_events: Counted,
    /// Segments with recording events that have no `eventTimeMs`
    /// (ignored).
    pub untimed_rec_events: Counted,
    /// IVR and bot segments (no agent handle time).
    pub non_agent_segments: u64,
    /// Identical copies of a segment in two files (a re-pulled window),
    /// merged into one.
    pub repulled_identical: u64,
    /// Differing copies of a segment in two files, merged to the most
    /// complete one (SPEC 5.1); `first` names both files of the first
    /// pair.
    pub repulled_merged: Counted,
    /// Why a fold ([`Interactions::fold_files`]) could not take the files
    /// in time order, and what it did instead (a note on stderr).
    pub fold_note: Option<String>,
}

impl LoadStats {
    /// Adds what a partition of the load found (segments read are counted
    /// per unit, not here).
    pub(super) fn merge(&mut self, o: LoadStats) {
        self.segments_placed += o.segments_placed;
        for (code, n) in o.skipped {
            *self.skipped.entry(code).or_default() += n;
        }
        self.unmatched_rec_start.merge(o.unmatched_rec_start);
        self.ignored_rec_events.merge(o.ignored_rec_events);
        self.untimed_rec_events.merge(o.untimed_rec_events);
        self.non_agent_segments += o.non_agent_segments;
        self.repulled_identical += o.repulled_identical;
        self.repulled_merged.merge(o.repulled_merged);
    }

    /// One line per thing worth a note on stderr (no warning): identical
    /// re-pulled copies, merged silently but counted.
    pub fn notes(&self) -> Vec<String> {
        let mut n: Vec<String> = self.fold_note.iter().cloned().collect();
        if self.repulled_identical > 0 {
            n.push(format!(
                "{} identical copies of segment(s) in more than one file (re-pulled windows) \
                 merged",
                self.repulled_identical
            ));
        }
        n
    }

    /// One line per thing worth a warning on stderr.
    pub fn warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        let line = |c: &Counted, what: &str| {
            format!(
                "{} segment(s) {what} (first: {})",
                c.count,
                c.first.as_deref().unwrap_or("?")
            )
        };
        if self.unmatched_rec_start.count > 0 {
            w.push(line(
                &self.unmatched_rec_start,
                "have a REC_START with no REC_STOP; the recording runs to the segment end",
            ));
        }
        if self.ignored_rec_events.count > 0 {
            w.push(line(
                &self.ignored_rec_events,
                "have a repeated REC_START or an orphan REC_STOP, which was ignored",
            ));
        }
        if self.untimed_rec_events.count > 0 {
            w.push(line(
                &self.untimed_rec_events,
                "have recording events without eventTimeMs, which were ignored",
            ));
        }
        if self.repulled_merged.count > 0 {
            w.push(format!(
                "{} segment(s) appear in two files with different values (a re-pulled window); \
                 each was merged to its most complete copy (first: {})",
                self.repulled_merged.count,
                self.repulled_merged.first.as_deref().unwrap_or("?")
            ));
        }
        w
    }
}

/// Interactions assembled from segments, sorted by start then id.
///
/// ```
/// use ringcx_reports::timeline::Interactions;
/// use ringcx_reports::ReaderBuilder;
/// let data = r#"[
///  {"interactionId": 5, "interactionStartTimeMs": 0, "interactionDurationMs": 90000,
///   "segmentID": 2, "segmentAgentId": 12, "segmentContactStartTimeMs": 30000, "segmentDuration": 60},
///  {"interactionId": 5, "segmentID": 1, "segmentAgentId": 11,
///   "segmentContactStartTimeMs": 1000, "segmentContactEndTimeMs": 29000}]"#;
/// let mut reader = ReaderBuilder::new().from_bytes("m.json", data.into())?;
/// let set = Interactions::from_segments(reader.segments(), false)?;
/// let i = &set.interactions()[0];
/// assert_eq!((i.start(), i.end()), (0, 90_000));
/// assert_eq!(i.agents(), "11>12");
/// assert_eq!((i.transfers(), i.handle_ms()), (1, 88_000));
/// # Ok::<(), ringcx_reports::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Interactions {
    interactions: Vec<Interaction>,
    stats: LoadStats,
}

/// What finishing one partition gave.
#[derive(Default)]
pub(super) struct Part {
    interactions: Vec<Interaction>,
    pub(super) stats: LoadStats,
    pub(super) first_skip: Option<(Order, String)>,
    /// Without skip-invalid: the first duplicate, by (file, record).
    pub(super) first_dup: Option<((u32, u64), Error)>,
}

/// A load's counts as its units and partitions report them: the
/// statistics, and the first skipped segment so far (by order).
#[derive(Default)]
pub(super) struct Tally {
    stats: LoadStats,
    first_skip: Option<(Order, String)>,
}

impl Tally {
    /// Counts what a unit read and skipped (taking them from it).
    pub(super) fn unit(&mut self, u: &mut UnitLoad) {
        self.stats.segments_read += u.read;
        for (code, n) in std::mem::take(&mut u.skipped) {
            *self.stats.skipped.entry(code).or_default() += n;
        }
        self.skip(u.first_skip.take());
    }

    /// Counts what finishing interactions found.
    pub(super) fn part(&mut self, stats: LoadStats, first_skip: Option<(Order, String)>) {
        self.stats.merge(stats);
        self.skip(first_skip);
    }

    fn skip(&mut self, f: Option<(Order, String)>) {
        if let Some(f) = f {
            if self.first_skip.as_ref().is_none_or(|g| f.0 < g.0) {
                self.first_skip = Some(f);
            }
        }
    }

    /// The statistics of the whole load.
    pub(super) fn finish(mut self) -> LoadStats {
        self.stats.first_skipped = self.first_skip.map(|f| f.1);
        self.stats
    }
}

/// What one repeated segment id of an interaction came to.
enum Repeat<'a> {
    /// A copy repeats one read earlier in the same file (T602).
    Duplicate {
        dup: &'a PlacedSegment,
        first: &'a PlacedSegment,
    },
    /// Copies from two files (a re-pulled window) merged: `dropped` gave
    /// way to the more complete `kept` (SPEC 5.1).
    Merged {
        kept: &'a PlacedSegment,
        dropped: &'a PlacedSegment,
    },
}

/// Resolves the repeated segment ids of one interaction, whose segments
/// are in path order, then file order. Within one file the first copy is
/// kept and each later one is a [`Repeat::Duplicate`]; across files the
/// copies left merge to the most complete one ([`Completeness`], the first
/// in path order among equals), so which copy survives never depends on
/// file order. Calls `seen` for each copy removed.
///
/// [`Completeness`]: crate::model::Completeness
fn resolve(v: &mut Vec<PlacedSegment>, mut seen: impl FnMut(Repeat<'_>)) {
    if v.len() < 2 {
        return;
    }
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| v[a].segment_id.cmp(&v[b].segment_id).then(a.cmp(&b)));
    let mut drop: Vec<bool> = Vec::new();
    let mut g = 0;
    while g < idx.len() {
        let mut end = g + 1;
        while end < idx.len() && v[idx[end]].segment_id == v[idx[g]].segment_id {
            end += 1;
        }
        if end - g > 1 {
            if drop.is_empty() {
                drop = vec![false; v.len()];
            }
            // The first copy of each file, in path order; later copies in
            // the same file are duplicates of it.
            let mut firsts: Vec<usize> = Vec::new();
            for &k in &idx[g..end] {
                match firsts.last() {
                    Some(&f) if v[f].file_idx == v[k].file_idx => {
                        drop[k] = true;
                        seen(Repeat::Duplicate {
                            dup: &v[k],
                            first: &v[f],
                        });
                    }
                    _ => firsts.push(k),
                }
            }
            if let Some(&best) = firsts.iter().rev().max_by_key(|&&k| v[k].completeness) {
                for &k in &firsts {
                    if k != best {
                        drop[k] = true;
                        seen(Repeat::Merged {
                            kept: &v[best],
                            dropped: &v[k],
                        });
                    }
                }
            }
        }
        g = end;
    }
    if !drop.is_empty() {
        let mut i = 0;
        v.retain(|_| {
            i += 1;
            !drop[i - 1]
        });
    }
}

/// Finishes one partition: merges its units' groups in unit order (moving
/// each segment to its file's positions), resolves repeated segment ids,
/// counts, and builds the interactions (unsorted).
fn finish_part(groups: Vec<(Groups, Base)>, files: &[Arc<str>], skip: bool) -> Part {
    let mut by_ixn = Groups::default();
    for (g, base) in groups {
        if by_ixn.is_empty() {
            by_ixn = g;
            by_ixn.segments_mut().for_each(|s| base.rebase(s));
            continue;
        }
        for mut grp in g {
            grp.segs.iter_mut().for_each(|s| base.rebase(s));
            by_ixn.add(grp);
        }
    }
    let mut out = Part {
        interactions: Vec::with_capacity(by_ixn.len()),
        ..Part::default()
    };
    for g in by_ixn {
        let i = out.finish(g.id, g.segs, files, skip);
        out.interactions.push(i);
    }
    out
}

impl Part {
    /// Finishes one interaction, its segments in path order, then file
    /// order: resolves its repeated segment ids and counts.
    pub(super) fn finish(
        &mut self,
        id: Box<str>,
        mut v: Vec<PlacedSegment>,
        files: &[Arc<str>],
        skip: bool,
    ) -> Interaction {
        let dup_error = |d: &PlacedSegment, f: &PlacedSegment| {
            let first = if f.file_idx == d.file_idx {
                format!("line {}", f.segment_id_line)
            } else {
                format!("{}:{}", files[f.file_idx as usize], f.segment_id_line)
            };
            duplicate_error(
                &files[d.file_idx as usize],
                d.pos.with_line(d.segment_id_line),
                &id,
                &d.segment_id,
                &first,
            )
        };
        let stats = &mut self.stats;
        resolve(&mut v, |r| match r {
            Repeat::Duplicate { dup: d, first: f } => {
                if skip {
                    *stats.skipped.entry(Code::DuplicateSegment).or_default() += 1;
                    let order = (d.file_idx, d.segment_id_line, d.pos.record());
                    if self.first_skip.as_ref().is_none_or(|g| order < g.0) {
                        self.first_skip = Some((order, dup_error(d, f).to_string()));
                    }
                } else {
                    let order = (d.file_idx, d.pos.record());
                    if self.first_dup.as_ref().is_none_or(|g| order < g.0) {
                        self.first_dup = Some((order, dup_error(d, f)));
                    }
                }
            }
            Repeat::Merged { kept, dropped } => {
                if kept.completeness.is_identical(&dropped.completeness) {
                    stats.repulled_identical += 1;
                } else {
                    stats.repulled_merged.add_pair(kept, dropped, files);
                }
            }
        });
        for p in v.iter() {
            stats.segments_placed += 1;
            if p.recording.unmatched_start {
                stats.unmatched_rec_start.add(p, files);
            }
            if p.recording.ignored_events > 0 {
                stats.ignored_rec_events.add(p, files);
            }
            if p.recording.untimed_events > 0 {
                stats.untimed_rec_events.add(p, files);
            }
            if !p.is_agent {
                stats.non_agent_segments += 1;
            }
        }
        Interaction::new(id, v)
    }
}

impl Interactions {
    /// Reads interaction metadata files (in parallel on the current rayon
    /// pool, by chunks of large files) and assembles their interactions.
    /// Files are taken in path order whatever the order given, and copies
    /// of one segment in several files (re-pulled windows) merge to the
    /// most complete one, so the result is the same on every run. Invalid
    /// segments (V104, T601, T602, or a value the reader rejects) stop the
    /// load with their error, or are skipped and counted with
    /// `skip_invalid`; an error the reader cannot go on after (truncation,
    /// syntax) always stops it. When several errors would stop it, the one
    /// met first reading the files one after the other in path order is
    /// returned.
    pub fn from_files<P: AsRef<Path> + Sync>(
        paths: &[P],
        reader: &ReaderBuilder,
        skip_invalid: bool,
    ) -> Result<Interactions> {
        let chunk = chunked::size_for(paths.iter().map(|p| p.as_ref()), DEFAULT_CHUNK);
        Self::files(paths, reader, skip_invalid, Some(chunk))
    }

    /// [`from_files`](Self::from_files) on the current thread only, each
    /// file read whole.
    // Test oracle: the sequential path the parallel one is checked against (tests, fuzz); not part of the supported API.
    #[doc(hidden)]
    pub fn from_files_sequential<P: AsRef<Path> + Sync>(
        paths: &[P],
        reader: &ReaderBuilder,
        skip_invalid: bool,
    ) -> Result<Interactions> {
        Self::files(paths, reader, skip_invalid, None)
    }

    /// [`from_files`](Self::from_files) with chunks of about `chunk` bytes.
    // Tests: small chunks put chunk boundaries inside small files; not part of the supported API.
    #[doc(hidden)]
    pub fn from_files_chunked<P: AsRef<Path> + Sync>(
        paths: &[P],
        reader: &ReaderBuilder,
        skip_invalid: bool,
        chunk: u64,
    ) -> Result<Interactions> {
        Self::files(paths, reader, skip_invalid, Some(chunk))
    }

    /// Assembles interactions from segments of one source (errors in the
    /// iterator are invalid segments).
    pub fn from_segments<I>(segments: I, skip_invalid: bool) -> Result<Interactions>
    where
        I: IntoIterator<Item = Result<Segment>>,
    {
        let file: Arc<str> = "<segments>".into();
        let mut o = UnitLoad::new(partitions(true), &Arc::default());
        for r in segments {
            let go = match r {
                Ok(s) => o.take(Ok(&s), &file, 0, skip_invalid, true),
                Err(e) => o.take(Err(e), &file, 0, skip_invalid, true),
            };
            if !go {
                break;
            }
        }
        Self::assemble(vec![(o, Base::file(0))], vec![file], skip_invalid, true)
    }

    /// Loads `paths`: by chunks of about `chunk` bytes, in parallel, when
    /// the files allow it (see `chunked`), else each file whole (in
    /// parallel unless `chunk` is `None`).
    fn files<P: AsRef<Path> + Sync>(
        paths: &[P],
        reader: &ReaderBuilder,
        skip_invalid: bool,
        chunk: Option<u64>,
    ) -> Result<Interactions> {
        if paths.is_empty() {
            return Err(Error::usage("no input files"));
        }
        let parallel = chunk.is_some();
        let nparts = partitions(parallel);
        let mut sorted: Vec<&Path> = paths.iter().map(|p| p.as_ref()).collect();
        sorted.sort();
        let names: Vec<Arc<str>> = sorted.iter().map(|p| p.to_string_lossy().into()).collect();
        let keys = Arc::default();
        if let Some(size) = chunk {
            if let Some(units) = chunked::read(&sorted, &names, reader, nparts, &keys, size) {
                return Self::assemble(units, names, skip_invalid, parallel);
            }
        }
        let one = |(idx, p): (usize, &&Path)| -> Result<(UnitLoad, Base)> {
            let mut r = reader.from_path(p)?;
            if r.kind() != ReportKind::Segments {
                return Err(Error::usage(format!(
                    "{}: the file holds {} rows, not interaction metadata (segments)",
                    p.display(),
                    r.kind()
                )));
            }
            let file = &names[idx];
            let idx = u32::try_from(idx)
                .map_err(|_| Error::usage("too many input files (more than 2^32)"))?;
            let mut seg = Segment::default();
            let mut o = UnitLoad::new(nparts, &keys);
            loop {
                let go = match r.read_segment(&mut seg) {
                    Ok(true) => o.take(Ok(&seg), file, idx, skip_invalid, true),
                    Ok(false) => break,
                    Err(e) => {
                        let can = !r.is_finished() && !e.is_usage();
                        o.take(Err(e), file, idx, skip_invalid, can)
                    }
                };
                if !go {
                    break;
                }
            }
            o.done();
            Ok((o, Base::file(idx)))
        };
        let loads: Vec<Result<(UnitLoad, Base)>> = if parallel {
            sorted.par_iter().enumerate().map(one).collect()
        } else {
            sorted.iter().enumerate().map(one).collect()
        };
        let mut units = Vec::with_capacity(loads.len());
        for o in loads {
            units.push(o?);
        }
        Self::assemble(units, names, skip_invalid, parallel)
    }

    /// Finishes the units' partitions (in parallel), removes duplicates,
    /// counts, and sorts the interactions. The error returned, and the
    /// first skipped segment, are those a sequential pass over the files in
    /// path order, then file order, would meet first.
    fn assemble(
        units: Vec<(UnitLoad, Base)>,
        files: Vec<Arc<str>>,
        skip: bool,
        parallel: bool,
    ) -> Result<Interactions> {
        let mut tally = Tally::default();
        // The first unit that stopped with an error, and its error.
        let mut fatal: Option<(u32, Error)> = None;
        let nparts = units.first().map_or(1, |u| u.0.parts.len());
        let mut parts: Vec<Vec<(Groups, Base)>> = (0..nparts)
            .map(|_| Vec::with_capacity(units.len()))
            .collect();
        for (mut o, base) in units {
            tally.unit(&mut o);
            if fatal.is_none() {
                if let Some(e) = o.fatal {
                    fatal = Some((base.file_idx, e));
                }
            }
            for (p, g) in o.parts.into_iter().enumerate() {
                parts[p].push((g, base));
            }
        }
        if skip {
            // Without duplicates to stop at, the first file that stopped
            // decides.
            if let Some((_, e)) = fatal {
                return Err(e);
            }
        }
        let finish = |groups: Vec<(Groups, Base)>| finish_part(groups, &files, skip);
        let done: Vec<Part> = if parallel {
            parts.into_par_iter().map(finish).collect()
        } else {
            parts.into_iter().map(finish).collect()
        };
        let mut interactions = Vec::with_capacity(done.iter().map(|p| p.interactions.len()).sum());
        let mut first_dup: Option<((u32, u64), Error)> = None;
        for p in done {
            tally.part(p.stats, p.first_skip);
            if let Some(d) = p.first_dup {
                if first_dup.as_ref().is_none_or(|g| d.0 < g.0) {
                    first_dup = Some(d);
                }
            }
            interactions.extend(p.interactions);
        }
        // A file's stopping error comes after every segment it read.
        match (first_dup, fatal) {
            (Some((d, e)), Some((f, _))) if d.0 <= f => return Err(e),
            (_, Some((_, e))) => return Err(e),
            (Some((_, e)), None) => return Err(e),
            (None, None) => {}
        }
        let stats = tally.finish();
        let numeric = interactions.iter().all(|i| is_integer(i.id()));
        let cmp = |a: &Interaction, b: &Interaction| {
            a.start()
                .cmp(&b.start())
                .then_with(|| cmp_key(a.id(), b.id(), numeric))
        };
        if parallel {
            interactions.par_sort_unstable_by(cmp);
        } else {
            interactions.sort_unstable_by(cmp);
        }
        Ok(Interactions {
            interactions,
            stats,
        })
    }
    /// The interactions, sorted by start, then id (numerically when every
    /// id is an integer).
    pub fn interactions(&self) -> &[Interaction] {
        &self.interactions
    }

    /// What the load read, skipped and noticed.
    pub fn stats(&self) -> &LoadStats {
        &self.stats
    }
}
