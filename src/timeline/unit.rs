//! A *unit* of a load: a file, or a chunk of one, read on one thread. Its
//! segments are placed and grouped at once under their interaction id, in
//! one of several partitions chosen by the id's hash, so that the
//! partitions of all units can be finished in parallel; its [`Base`] turns
//! the positions read in it into its file's.

use std::collections::BTreeMap;
use std::hash::{BuildHasher, BuildHasherDefault};
use std::sync::Arc;

use super::segment::{Interner, PlacedSegment, SharedKeys};
use crate::diagnostic::Code;
use crate::error::{Error, Result};
use crate::model::Segment;
use crate::position::Position;
use crate::window::{FastMap, FxHasher};

/// An order key for "the first" of several findings: path order, then
/// line, then record (records on one line, as in a one-line JSON array,
/// keep their file order).
pub(super) type Order = (u32, u64, u64);

/// The hasher of a load's maps: fast and deterministic (ids come from the
/// caller's own files, and no map's order reaches the output).
type Hasher = BuildHasherDefault<FxHasher>;

/// One partition of a unit: its segments grouped by interaction id (each
/// interaction's segments in file order).
pub(super) type Groups = FastMap<Box<str>, Vec<PlacedSegment>>;

/// The partitions of a load: a few per thread, so that the threads stay
/// busy finishing them however their sizes vary.
pub(super) fn partitions(parallel: bool) -> usize {
    if parallel {
        rayon::current_num_threads().max(1) * 4
    } else {
        1
    }
}

/// The partition of an interaction id: a mix of its hash different from
/// the bits the partition's own map uses.
fn partition_of(id: &str, n: usize) -> usize {
    if n == 1 {
        return 0;
    }
    let h = Hasher::default().hash_one(id);
    ((h.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) % n as u64) as usize
}

/// One unit's segments (a file, or a chunk of one), grouped by interaction
/// while reading, and what could not be placed.
pub(super) struct UnitLoad {
    pub(super) parts: Vec<Groups>,
    /// Read results so far (placed or skipped).
    pub(super) read: u64,
    /// Skipped invalid segments by code (only with skip-invalid).
    pub(super) skipped: BTreeMap<Code, u64>,
    /// The first skipped segment: its order and its error.
    pub(super) first_skip: Option<(Order, String)>,
    /// An error the reader cannot go on after (or any error, without
    /// skip-invalid): the unit's last outcome.
    pub(super) fatal: Option<Error>,
    texts: Interner,
}

impl UnitLoad {
    /// A unit grouped into `nparts` partitions, its keys shared through
    /// `keys` with the load's other units.
    pub(super) fn new(nparts: usize, keys: &Arc<SharedKeys>) -> UnitLoad {
        UnitLoad {
            parts: (0..nparts.max(1)).map(|_| Groups::default()).collect(),
            read: 0,
            skipped: BTreeMap::new(),
            first_skip: None,
            fatal: None,
            texts: Interner::new(keys.clone()),
        }
    }

    /// Takes one read result; false when the unit stops here.
    pub(super) fn take(
        &mut self,
        r: Result<&Segment>,
        file: &Arc<str>,
        idx: u32,
        skip: bool,
        can_continue: bool,
    ) -> bool {
        let n = self.read;
        self.read += 1;
        let placed =
            r.and_then(|s| PlacedSegment::place(s, file, idx, &mut self.texts).map(|p| (s, p)));
        match placed {
            Ok((s, p)) => {
                let id = s.interaction_id.as_str();
                let k = partition_of(id, self.parts.len());
                let part = &mut self.parts[k];
                match part.get_mut(id) {
                    Some(v) => push_tight(v, p),
                    // Most interactions have one or two segments: no spare
                    // capacity.
                    None => {
                        part.insert(id.into(), vec![p]);
                    }
                }
            }
            Err(e) => {
                let Some(code) = e.code() else {
                    self.fatal = Some(e);
                    return false;
                };
                if !skip || !can_continue {
                    self.fatal = Some(e);
                    return false;
                }
                *self.skipped.entry(code).or_default() += 1;
                let (line, record) = e
                    .location()
                    .map_or((n, n), |l| (l.pos.line(), l.pos.record()));
                let order = (idx, line, record);
                if self.first_skip.as_ref().is_none_or(|f| order < f.0) {
                    self.first_skip = Some((order, e.to_string()));
                }
            }
        }
        true
    }

    /// The unit is read: the texts are shared by the placed segments, and
    /// the unit's table that found them is not needed any more.
    pub(super) fn done(&mut self) {
        self.texts.clear();
    }
}

/// Adds an interaction's segments `v` to `groups`, after those it has.
pub(super) fn add_group(groups: &mut Groups, id: Box<str>, v: Vec<PlacedSegment>) {
    match groups.get_mut(&id) {
        Some(w) => {
            w.reserve_exact(v.len());
            w.extend(v);
        }
        None => {
            groups.insert(id, v);
        }
    }
}

/// Pushes with growth by half the length (at least one) rather than
/// `Vec`'s doubling from four: an interaction of two segments holds two,
/// not four, and long ones still grow geometrically.
fn push_tight<T>(v: &mut Vec<T>, x: T) {
    if v.len() == v.capacity() {
        v.reserve_exact((v.len() / 2).max(1));
    }
    v.push(x);
}

/// What turns a unit's positions into its file's: the file's index in
/// path order, and the lines and records before the unit's start.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Base {
    pub file_idx: u32,
    pub(super) lines: u64,
    pub(super) records: u64,
}

impl Base {
    /// A whole file: positions are the file's already.
    pub(super) fn file(file_idx: u32) -> Base {
        Base {
            file_idx,
            ..Base::default()
        }
    }

    /// Moves `s` from its unit's positions to its file's.
    pub(super) fn rebase(&self, s: &mut PlacedSegment) {
        if self.lines == 0 && self.records == 0 {
            return;
        }
        let p = s.pos;
        s.pos = Position::new(p.byte(), p.line() + self.lines, p.record() + self.records);
        s.segment_id_line += self.lines;
    }
}
