//! One interaction (SPEC 5): its placed segments ordered by start, then
//! segment id, its own start and end, and what `rcx interactions` reports of
//! it (agent chain, transfers and conferences, wait, handle and recorded
//! time).

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
    /// The agent segments after the first, each `true` when it is a
    /// conference leg (it starts while an earlier agent segment is still
    /// open: before the latest end of the agent segments before it) and
    /// `false` when it is a transfer (every earlier agent segment ended at
    /// or before its start), in segment order (SPEC 5.1).
    pub fn agent_legs(&self) -> impl Iterator<Item = bool> + '_ {
        let mut open_until: Option<i64> = None;
        self.agent_segments().filter_map(move |s| {
            let leg = open_until.map(|e| s.start < e);
            open_until = Some(open_until.map_or(s.end, |e| e.max(s.end)));
            leg
        })
    }
    /// Transfers: agent segments after the first that start once every
    /// earlier agent segment has ended (an end equal to the start counts
    /// as ended).
    ///
    /// ```
    /// use ringcx_reports::timeline::Interactions;
    /// use ringcx_reports::ReaderBuilder;
    /// // Agent 12 joins 1 ms before agent 11 leaves (a conference); agent
    /// // 13 starts exactly when both have left (a transfer).
    /// let data = r#"[
    ///  {"interactionId": 5, "segmentID": 1, "segmentAgentId": 11,
    ///   "segmentContactStartTimeMs": 0, "segmentContactEndTimeMs": 10000},
    ///  {"interactionId": 5, "segmentID": 2, "segmentAgentId": 12,
    ///   "segmentContactStartTimeMs": 9999, "segmentContactEndTimeMs": 20000},
    ///  {"interactionId": 5, "segmentID": 3, "segmentAgentId": 13,
    ///   "segmentContactStartTimeMs": 20000, "segmentContactEndTimeMs": 30000}]"#;
    /// let mut reader = ReaderBuilder::new().from_bytes("m.json", data.into())?;
    /// let set = Interactions::from_segments(reader.segments(), false)?;
    /// let i = &set.interactions()[0];
    /// assert_eq!((i.transfers(), i.conferences()), (1, 1));
    /// # Ok::<(), ringcx_reports::Error>(())
    /// ```
    pub fn transfers(&self) -> u64 {
        self.agent_legs().filter(|conf| !conf).count() as u64
    }
    /// Conference legs: agent segments that start while an earlier agent
    /// segment of the interaction is still open.
    pub fn conferences(&self) -> u64 {
        self.agent_legs().filter(|conf| *conf).count() as u64
    }
    /// The first agent segment, in segment order.
    pub fn first_agent(&self) -> Option<&PlacedSegment> {
        self.agent_segments().next()
    }
    /// Whether an agent took the interaction: it has an agent segment.
    pub fn is_answered(&self) -> bool {
        self.first_agent().is_some()
    }
    /// The wait before the first agent (IVR and queue), ms, as the data
    /// gives it: the first agent segment's start − the interaction's
    /// start; without an agent segment, its end − its start. Negative
    /// when an agent segment starts before the interaction does
    /// ([`wait_ms`](Self::wait_ms) counts that as 0).
    pub fn raw_wait_ms(&self) -> i64 {
        match self.first_agent() {
            Some(a) => a.start - self.start,
            None => self.end - self.start,
        }
    }
    /// The wait before the first agent, ms, a negative wait counted as 0
    /// (SPEC 5.1).
    pub fn wait_ms(&self) -> i64 {
        self.raw_wait_ms().max(0)
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
