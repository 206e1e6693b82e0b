//! One interaction (SPEC 5): its placed segments ordered by start, then
//! segment id, its own start and end, and what `rcx interactions` reports of
//! it (agent chain, transfers, handle and recorded time).

use super::segment::PlacedSegment;
use crate::window::{cmp_key, is_integer};

/// One interaction: its segments ordered by start, then segment id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interaction {
    id: Box<str>,
    segments: Box<[PlacedSegment]>,
    start: i64,
    end: i64,
}

impl Interaction {
    pub(super) fn new(id: Box<str>, mut segments: Vec<PlacedSegment>) -> Interaction {
        // Segment ids compare numerically when all of the interaction's ids
        // are integers (v2 numbers them 1, 2, …, 10).
        let numeric = segments.iter().all(|s| is_integer(&s.segment_id));
        segments.sort_by(|a, b| {
            a.start
                .cmp(&b.start)
                .then_with(|| cmp_key(&a.segment_id, &b.segment_id, numeric))
        });
        let first = &segments[0];
        let last = &segments[segments.len() - 1];
        let own_start = segments.iter().find_map(|s| s.interaction_start);
        let own_end = segments.iter().find_map(|s| s.interaction_end);
        Interaction {
            start: own_start.unwrap_or(first.start),
            end: own_end.unwrap_or(last.end),
            id,
            segments: segments.into_boxed_slice(),
        }
    }
    /// `interactionId`.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// The segments, ordered by start, then segment id.
    pub fn segments(&self) -> &[PlacedSegment] {
        &self.segments
    }
    /// The interaction's own start (v2 interaction start, cx v1 dialog
    /// start), else its first segment's start; ms.
    pub fn start(&self) -> i64 {
        self.start
    }
    /// The interaction's own end (cx v1 dialog end, else its own start plus
    /// its duration), else its last segment's end; ms.
    pub fn end(&self) -> i64 {
        self.end
    }
    /// The first direction its segments give, in segment order.
    pub fn direction(&self) -> Option<&str> {
        self.segments.iter().find_map(PlacedSegment::direction)
    }
    /// The first channel its segments give, in segment order.
    pub fn channel(&self) -> Option<&str> {
        self.segments.iter().find_map(PlacedSegment::channel)
    }
    /// The agent segments, in segment order.
    pub fn agent_segments(&self) -> impl Iterator<Item = &PlacedSegment> {
        self.segments.iter().filter(|s| s.is_agent)
    }
    /// The agent ids of the agent segments, in order, joined by `>`
    /// (an agent segment without an agent id gives an empty part).
    pub fn agents(&self) -> String {
        let mut out = String::new();
        for (i, s) in self.agent_segments().enumerate() {
            if i > 0 {
                out.push('>');
            }
            out.push_str(s.agent_id().unwrap_or(""));
        }
        out
    }
    /// Agent segments after the first.
    pub fn transfers(&self) -> u64 {
        (self.agent_segments().count() as u64).saturating_sub(1)
    }
    /// Σ agent segment spans, ms.
    pub fn handle_ms(&self) -> i64 {
        self.agent_segments().map(PlacedSegment::span_ms).sum()
    }
    /// Σ recorded time of the agent segments, ms.
    pub fn recorded_ms(&self) -> i64 {
        self.agent_segments().map(|s| s.recording.total_ms()).sum()
    }
}
