//! A *unit* of a load: a file, or a chunk of one, read on one thread. Its
//! segments are placed and grouped at once under their interaction id, in
//! one of several partitions chosen by the id's hash, so that the
//! partitions of all units can be finished in parallel; its [`Base`] turns
//! the positions read in it into its file's.

use std::collections::BTreeMap;
use std::hash::{BuildHasher, BuildHasherDefault};
use std::sync::Arc;

use hashbrown::hash_table::{Entry, HashTable};

use super::segment::{Interner, PlacedSegment, SharedKeys};
use crate::diagnostic::Code;
use crate::error::{Error, Result};
use crate::model::Segment;
use crate::position::Position;
use crate::window::FxHasher;

/// An order key for "the first" of several findings: path order, then
/// line, then record (records on one line, as in a one-line JSON array,
/// keep their file order).
pub(super) type Order = (u32, u64, u64);

/// The hasher of a load's maps: fast and deterministic (ids come from the
/// caller's own files, and no map's order reaches the output).
type Hasher = BuildHasherDefault<FxHasher>;

/// The hash of an interaction id, computed once, when its segment is
/// placed, and carried to every table and partition the id goes through.
/// Fx mixes its input well into the high bits only: a finalizer (that of
/// MurmurHash3) spreads it over all of them, for the tables' bucket bits.
pub(super) fn id_hash(id: &str) -> u64 {
    let h = Hasher::default().hash_one(id);
    let h = (h ^ (h >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
    let h = (h ^ (h >> 33)).wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// One interaction's segments so far, under its id and the id's hash.
pub(super) struct Group {
    pub(super) hash: u64,
    pub(super) id: Box<str>,
    pub(super) segs: Vec<PlacedSegment>,
}

impl Group {
    /// The group of `id`'s segments `segs`, its hash computed.
    pub(super) fn new(id: Box<str>, segs: Vec<PlacedSegment>) -> Group {
        Group {
            hash: id_hash(&id),
            id,
            segs,
        }
    }
}

/// One partition of a unit: its segments grouped by interaction id (each
/// interaction's segments in file order). The id's hash is kept beside it,
/// so that no table it moves to hashes it again.
#[derive(Default)]
pub(super) struct Groups(HashTable<Group>);

impl Groups {
    pub(super) fn len(&self) -> usize {
        self.0.len()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every segment, for moving them to their file's positions.
    pub(super) fn segments_mut(&mut self) -> impl Iterator<Item = &mut PlacedSegment> {
        self.0.iter_mut().flat_map(|g| g.segs.iter_mut())
    }

    /// Adds segment `p` of the interaction `id`, whose hash is `hash`.
    fn push(&mut self, hash: u64, id: &str, p: PlacedSegment) {
        match self
            .0
            .entry(hash, |g| g.hash == hash && *g.id == *id, |g| g.hash)
        {
            Entry::Occupied(mut e) => push_tight(&mut e.get_mut().segs, p),
            // Most interactions have one or two segments: no spare
            // capacity.
            Entry::Vacant(e) => {
                e.insert(Group {
                    hash,
                    id: id.into(),
                    segs: vec![p],
                });
            }
        }
    }

    /// Adds the segments of `g` after those its interaction has.
    pub(super) fn add(&mut self, g: Group) {
        let hash = g.hash;
        match self
            .0
            .entry(hash, |o| o.hash == hash && o.id == g.id, |o| o.hash)
        {
            Entry::Occupied(mut e) => {
                let w = &mut e.get_mut().segs;
                w.reserve_exact(g.segs.len());
                w.extend(g.segs);
            }
            Entry::Vacant(e) => {
                e.insert(g);
            }
        }
    }
}

impl IntoIterator for Groups {
    type Item = Group;
    type IntoIter = hashbrown::hash_table::IntoIter<Group>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// The partitions of a load: a few per thread, so that the threads stay
/// busy finishing them however their sizes vary.
pub(super) fn partitions(parallel: bool) -> usize {
    if parallel {
        rayon::current_num_threads().max(1) * 4
    } else {
        1
    }
}

/// The partition of an interaction id of hash `h`: a mix of it different
/// from the bits the partition's own table uses.
fn partition_of(h: u64, n: usize) -> usize {
    if n == 1 {
        return 0;
    }
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
                let h = id_hash(id);
                let k = partition_of(h, self.parts.len());
                self.parts[k].push(h, id, p);
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
