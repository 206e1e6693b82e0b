//! What one interval row counts: Queue Statistics for a queue, Agent
//! Extended and Agent Statistics for an agent on shift. The logic rules of
//! SPEC 3 hold by construction (answered within the service level ≤
//! answered, each longest ≤ its total ≤ longest × count, no talk without an
//! answered call, …).

use super::names::Entity;
use super::random::{draw, Rng};

/// Per-agent facts that stay fixed for the whole file.
pub(super) struct Agent {
    pub(super) entity: Entity,
    /// First 15-minute slot of the daily shift, and its length in slots.
    pub(super) shift_start: u32,
    pub(super) shift_len: u32,
    /// The agent's queues (distinct).
    pub(super) queues: Vec<u32>,
    /// Handle speed: mean talk seconds per call.
    pub(super) talk_s: u64,
}

impl Agent {
    fn on_shift(&self, slot: u32) -> bool {
        (slot + 96 - self.shift_start) % 96 < self.shift_len
    }
}

/// Seconds in one interval.
const INTERVAL_S: u64 = 900;

/// A total and a longest duration for `n` events: longest ≤ total ≤
/// longest × n, both 0 when `n` is 0.
#[inline]
fn total_and_longest(rng: &mut Rng, n: u64, lo: u64, hi: u64) -> (u64, u64) {
    if n == 0 {
        return (0, 0);
    }
    let longest = rng.range(lo, hi);
    // The others wait between a tenth of the longest and all of it.
    let others = (n - 1) * longest * rng.range(10, 100) / 100;
    (longest + others, longest)
}

/// Queue Statistics counts in documented order (from
/// `offd_direct_call_cnt`), then `completed_contacts` and
/// `segment_hold_time_ms`, for a queue whose expected offered volume is
/// `mean_milli` / 1000 calls.
#[inline]
pub(super) fn queue_counts(rng: &mut Rng, mean_milli: u64, c: &mut [u64; 17]) {
    let offered = draw(rng, mean_milli);
    let overflow_in = if offered > 0 && rng.pct(20) {
        rng.below(offered / 5 + 1)
    } else {
        0
    };
    let direct = offered - overflow_in;
    let overflow_out = if offered > 0 && rng.pct(10) {
        rng.below(offered / 10 + 1)
    } else {
        0
    };
    let handled = offered - overflow_out;
    // Abandon rate grows with load: 2–14 %.
    let aband = handled * rng.range(2, 14) / 100 + u64::from(handled > 0 && rng.pct(5));
    let aband = aband.min(handled);
    let answ = handled - aband;
    let ans_sl = answ * rng.range(65, 100) / 100;
    let short = aband * rng.range(0, 40) / 100;
    let within_sl = (aband - short) * rng.range(0, 60) / 100;
    let (answ_wait, answ_longest) = total_and_longest(rng, answ, 5, 240);
    let (aband_wait, aband_longest) = total_and_longest(rng, aband, 3, 400);
    let talk = answ * rng.range(150, 420);
    let wrap = answ * rng.range(10, 75);
    // Idle time of the queue's agents: staffed time not spent handling.
    let staffed = (answ + 2) * 380 + rng.below(INTERVAL_S);
    let wait = staffed.saturating_sub(talk + wrap);
    let completed = answ - answ * rng.range(0, 5) / 100;
    let hold_ms = if answ > 0 && rng.pct(30) {
        rng.below(answ * 40_000)
    } else {
        0
    };
    *c = [
        direct,
        overflow_in,
        aband,
        overflow_out,
        answ,
        answ_wait,
        aband_wait,
        talk,
        wrap,
        answ_longest,
        aband_longest,
        ans_sl,
        wait,
        short,
        within_sl,
        completed,
        hold_ms,
    ];
}

/// Agent Extended counts: talk, wrap, answered, transferred out.
#[inline]
pub(super) fn agent_ext_counts(
    rng: &mut Rng,
    ag: &Agent,
    slot: u32,
    load: u64,
    nq: u64,
    c: &mut [u64; 17],
) {
    c[..4].fill(0);
    if !ag.on_shift(slot) {
        return;
    }
    // About 3 calls per 15 minutes at the peak, shared among the queues.
    let answ = draw(rng, 3 * load / nq).min(900 / ag.talk_s + 1);
    if answ == 0 {
        return;
    }
    let talk = answ * (ag.talk_s * rng.range(60, 140) / 100);
    let wrap = answ * rng.range(5, 45);
    let transfers = if rng.pct(12) {
        rng.range(1, answ.min(2))
    } else {
        0
    };
    c[..4].copy_from_slice(&[talk, wrap, answ, transfers]);
}

/// Agent Statistics counts: avail, work, pause, wait, admin, direct out
/// count and time, direct in count and time.
#[inline]
pub(super) fn agent_counts(rng: &mut Rng, ag: &Agent, slot: u32, load: u64, c: &mut [u64; 17]) {
    c[..9].fill(0);
    if !ag.on_shift(slot) {
        return;
    }
    let work = INTERVAL_S * load * rng.range(500, 950) / 1_000_000;
    let pause = if rng.pct(15) { rng.range(60, 300) } else { 0 };
    let admin = if rng.pct(10) { rng.range(30, 200) } else { 0 };
    let (pause, admin) = if work + pause + admin > INTERVAL_S {
        (0, 0)
    } else {
        (pause, admin)
    };
    let avail = INTERVAL_S - work - pause - admin;
    let wait = avail * rng.range(85, 100) / 100;
    let (out_n, out_s) = if rng.pct(8) {
        (1, rng.range(20, 400))
    } else {
        (0, 0)
    };
    let (in_n, in_s) = if rng.pct(4) {
        (1, rng.range(30, 300))
    } else {
        (0, 0)
    };
    c[..9].copy_from_slice(&[avail, work, pause, wait, admin, out_n, out_s, in_n, in_s]);
}
