//! Re-pulled copies of a segment across the files of one run (SPEC 5.1,
//! T607).
//!
//! Integrators pull overlapping windows, so the same (interaction id,
//! segment id) can be in two files. `timeline`, `interactions` and `calls`
//! merge such copies to the most complete one
//! ([`Completeness`]); `validate` reports each
//! merge of *differing* copies as the warning T607, on the copy that gives
//! way (field `segment_id`), naming the copy kept, its file and line, and
//! why it is kept. Identical copies are not findings; they are counted
//! ([`Summary::repulled_identical`](super::Summary::repulled_identical)).
//! A repeat within one file is not a re-pull: it is the T602 error of the
//! per-file key set ([`segments`](super::segments)), and only the first
//! copy of each file takes part here, as in the loaders.
//!
//! The copy kept is the greatest by `Completeness`; copies equal by it are
//! identical, and among those the one whose path sorts first (the order
//! the loaders read files in) is named. Each dropped copy is judged
//! against the copy kept at the end of the run, not against the best seen
//! so far, so the findings are the same whatever the order of the files
//! (the report lists them, like every finding, by file in the order the
//! files were given, then by line).
//!
//! # Memory
//!
//! Each segment key of the run is kept, as a 128-bit hash, with the file,
//! position and `Completeness` of its best copy: an 80-byte entry, about
//! 90 to 190 bytes a segment with the hash table's spare room. Keys cannot
//! be dropped when their interaction closes, as the per-file key set
//! drops them: a re-pull of an earlier window comes in a later file. The
//! keys repeated in other files also keep their interaction and segment
//! ids and one entry per copy until the end. Once
//! [`DEFAULT_MAX_REPULL_KEYS`] keys (configurable) are kept, a segment
//! whose key is not kept is not checked against the other files, and is
//! counted ([`Summary::unchecked_repulls`](super::Summary::unchecked_repulls))
//! instead of being passed. A run of one file keeps none of this.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use super::segments::key_hash;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Completeness, Segment};
use crate::position::{Location, Position};

/// Default cap on the segment keys kept across the files of a run for
/// re-pull detection (see the [module docs](self#memory)): about 0.8 to
/// 1.6 GiB at the cap.
pub const DEFAULT_MAX_REPULL_KEYS: usize = 1 << 23;

/// One copy of a segment: where it is and how complete.
#[derive(Clone, Copy)]
struct Copy {
    file: u32,
    pos: Position,
    completeness: Completeness,
}

/// A key seen in more than one file: its ids (for the message) and the
/// copies that are not the best so far.
struct Repeated {
    interaction_id: Box<str>,
    segment_id: Box<str>,
    others: Vec<Copy>,
}

/// The copies of every segment key across the files of a run.
pub(crate) struct RepullSet {
    best: HashMap<u128, Copy>,
    repeated: HashMap<u128, Repeated>,
    /// File names by the run's file index.
    names: HashMap<u32, Arc<str>>,
    max_keys: usize,
    /// Segments not checked because the cap was reached.
    pub unchecked: u64,
}

impl RepullSet {
    pub fn new(max_keys: usize) -> Self {
        RepullSet {
            best: HashMap::new(),
            repeated: HashMap::new(),
            names: HashMap::new(),
            max_keys: max_keys.max(1),
            unchecked: 0,
        }
    }

    /// Whether copy `a` is kept over copy `b`: the more complete, and
    /// among equals the one whose path sorts first.
    fn beats(&self, a: &Copy, b: &Copy) -> bool {
        match a.completeness.cmp(&b.completeness) {
            std::cmp::Ordering::Equal => self.path(a.file) < self.path(b.file),
            o => o.is_gt(),
        }
    }

    fn path(&self, file: u32) -> &Path {
        Path::new(self.names.get(&file).map_or("", |n| &**n))
    }

    /// Takes one segment that read fine from the file `file` (the run's
    /// index) named `name`.
    pub fn segment(&mut self, file: u32, name: &Arc<str>, seg: &Segment) {
        self.names.entry(file).or_insert_with(|| name.clone());
        let h = key_hash(seg);
        let copy = Copy {
            file,
            pos: seg.field_pos("segment_id"),
            completeness: Completeness::of(seg),
        };
        let Some(best) = self.best.get(&h).copied() else {
            if self.best.len() >= self.max_keys {
                self.unchecked += 1;
            } else {
                self.best.insert(h, copy);
            }
            return;
        };
        // A repeat within one file is T602's, not a re-pull.
        if best.file == file
            || self
                .repeated
                .get(&h)
                .is_some_and(|r| r.others.iter().any(|c| c.file == file))
        {
            return;
        }
        let (kept, other) = if self.beats(&copy, &best) {
            (copy, best)
        } else {
            (best, copy)
        };
        self.best.insert(h, kept);
        self.repeated
            .entry(h)
            .or_insert_with(|| Repeated {
                interaction_id: seg.interaction_id.as_str().into(),
                segment_id: seg.segment_id.as_str().into(),
                others: Vec::new(),
            })
            .others
            .push(other);
    }

    /// The T607 findings, each with the run's index of its file, and the
    /// number of identical copies merged.
    pub fn finish(self) -> (Vec<(usize, Diagnostic)>, u64) {
        let mut found = Vec::new();
        let mut identical = 0;
        let at = |c: &Copy| format!("{}:{}", self.path(c.file).display(), c.pos.line());
        for (h, r) in &self.repeated {
            let Some(kept) = self.best.get(h) else {
                continue;
            };
            for c in &r.others {
                let Some(why) = kept.completeness.why_over(&c.completeness) else {
                    identical += 1;
                    continue;
                };
                let file = self
                    .names
                    .get(&c.file)
                    .cloned()
                    .unwrap_or_else(|| "".into());
                let location = Location::new(file, c.pos).with_field("segment_id");
                let message = format!(
                    "interaction {}, segment {}: the copies at {} and {} differ (a re-pulled \
                     window); kept {} ({why})",
                    r.interaction_id,
                    r.segment_id,
                    at(c),
                    at(kept),
                    at(kept),
                );
                found.push((
                    c.file as usize,
                    Diagnostic::new(
                        Code::RepulledSegmentDiffers,
                        location,
                        message,
                        Some(r.segment_id.to_string()),
                    ),
                ));
            }
        }
        (found, identical)
    }
}
