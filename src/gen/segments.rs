//! Segments: cx v1 `interaction-metadata` objects (SPEC 2.4) in
//! interaction start order, with RFC 3339 UTC timestamps in milliseconds.
//!
//! With [`GenOptions::pulls`] above 1 the same segments are split into
//! consecutive window files, as an integrator's pulls would be: each
//! interaction goes, whole, to the window its first segment's place in the
//! stream falls in (window `k` holds the segments from `k × rows / pulls`
//! on). With [`GenOptions::repull_pct`], the last of each window's
//! interactions (that percentage of its segments) are pulled again at the
//! start of the next window: the later copy is the full one, and about
//! half of the earlier copies are *refined* later, with one segment, the
//! interaction's last, incomplete in the earlier pull (no recording events
//! yet when it has any, else no end time, only the duration); the others
//! are identical. Merged as SPEC 5.1 says, the files give back the data
//! set written without pulls. Which interactions are refined comes from a
//! stream of its own, so the segments are the same bytes as without pulls.

use std::io::Write;

use chrono::{Datelike, NaiveDate};

use super::options::{GenOptions, GenStats};
use super::random::{curve, weekday_factor, Rng};
use super::sink::{push_padded, push_u64, Sink};
use crate::error::{Error, Result};

const MS_PER_DAY: i64 = 86_400_000;

/// Days since 1970-01-01 to (year, month, day) (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u64, u64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u64;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u64;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Appends `"yyyy-MM-ddTHH:mm:ss.SSSZ"` (quoted) for epoch milliseconds.
fn push_rfc3339_ms(out: &mut Vec<u8>, ms: i64) {
    let days = ms.div_euclid(MS_PER_DAY);
    let rem = ms.rem_euclid(MS_PER_DAY) as u64;
    let (y, m, d) = civil_from_days(days);
    out.push(b'"');
    push_padded(out, y as u64, 4);
    out.push(b'-');
    push_padded(out, m, 2);
    out.push(b'-');
    push_padded(out, d, 2);
    out.push(b'T');
    push_padded(out, rem / 3_600_000, 2);
    out.push(b':');
    push_padded(out, rem / 60_000 % 60, 2);
    out.push(b':');
    push_padded(out, rem / 1000 % 60, 2);
    out.push(b'.');
    push_padded(out, rem % 1000, 3);
    out.extend_from_slice(b"Z\"");
}

/// Appends the low `n` (≤ 16) hex digits of `v`.
fn push_hex(out: &mut Vec<u8>, v: u64, n: usize) {
    for i in (0..n.min(16)).rev() {
        out.push(b"0123456789abcdef"[((v >> (i * 4)) & 15) as usize]);
    }
}

const DISPOSITIONS: &[&str] = &[
    "Success",
    "Success",
    "Callback Requested",
    "Sale",
    "No Sale",
    "Voicemail",
];

const NOTES: &[&str] = &[
    "requeue to others",
    "customer asked for a callback, after 5pm",
    "said \"cancel my plan\"; offered retention",
    "billing dispute: invoice #4411",
    "résumé sent \u{2013} follow up",
    "line 1\nline 2",
];

struct SegAgent {
    id: u64,
    ext: u64,
    group: u64,
}

pub(super) struct SegmentGen {
    rng: Rng,
    /// Which re-pulled copies are refined (a stream of its own).
    repull_rng: Rng,
    pulls: u64,
    repull_pct: u64,
    rows: u64,
    start_ms: i64,
    queues: u32,
    agents: Vec<SegAgent>,
}

/// One planned segment.
#[derive(Clone, Copy)]
struct Seg {
    agent: Option<usize>,
    start: i64,
    end: i64,
}

impl SegmentGen {
    pub(super) fn new(opts: &GenOptions) -> Self {
        let groups = (opts.agents / 25).max(1) as u64;
        let agents = (0..opts.agents)
            .map(|a| SegAgent {
                id: 400_000 + a as u64,
                ext: 900_000_000 + a as u64 * 7,
                group: 70_000 + a as u64 % groups,
            })
            .collect();
        let days = opts
            .start
            .signed_duration_since(NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date"));
        SegmentGen {
            rng: Rng::new(opts.seed ^ 0x5E65),
            repull_rng: Rng::new(opts.seed ^ 0x9E_9D11),
            pulls: u64::from(opts.pulls.max(1)),
            repull_pct: u64::from(opts.repull_pct),
            rows: opts.rows,
            start_ms: days.num_days() * MS_PER_DAY,
            queues: opts.queues,
            agents,
        }
    }

    /// Writes one file (no pulls).
    pub(super) fn run<W: Write>(&mut self, sink: &mut Sink<W>) -> Result<u64> {
        sink.put(b"[\n");
        let mut objs = Objects::default();
        let mut written = 0u64;
        self.each(&mut objs, |objs, _| {
            for o in 0..objs.len() {
                if written > 0 {
                    sink.put(b",\n");
                }
                sink.put(objs.get(o));
                written += 1;
            }
            sink.maybe_flush()
        })?;
        sink.put(b"\n]\n");
        Ok(written)
    }

    /// Writes the window files of [`GenOptions::pulls`] (see the module
    /// docs), each to the writer `open` gives for its number (from 0),
    /// handed to `close` when the window is written.
    pub(super) fn run_pulls<W: Write>(
        &mut self,
        mut open: impl FnMut(u32) -> Result<W>,
        mut close: impl FnMut(W) -> Result<()>,
    ) -> Result<GenStats> {
        let (pulls, rows, pct) = (self.pulls, self.rows, self.repull_pct);
        let bound = |k: u64| (u128::from(k) * u128::from(rows) / u128::from(pulls)) as u64;
        let mut stats = GenStats::default();
        let mut window = 0u64;
        let mut sink = Sink::new(open(0)?);
        sink.put(b"[\n");
        let mut in_file = 0u64;
        // The full copies of the current window's last interactions, which
        // the next window pulls again.
        let mut again: Vec<u8> = Vec::new();
        let mut again_n = 0u64;
        let mut objs = Objects::default();
        let mut repull_rng = std::mem::replace(&mut self.repull_rng, Rng::new(0));
        let put = |sink: &mut Sink<W>, in_file: &mut u64, obj: &[u8]| {
            if *in_file > 0 {
                sink.put(b",\n");
            }
            sink.put(obj);
            *in_file += 1;
        };
        self.each(&mut objs, |objs, first| {
            while first >= bound(window + 1) {
                sink.put(b"\n]\n");
                sink.finish()?;
                stats.bytes += sink.bytes;
                window += 1;
                let done = std::mem::replace(&mut sink, Sink::new(open(window as u32)?));
                close(done.into_inner())?;
                sink.put(b"[\n");
                in_file = 0;
                // The re-pulled copies lead the next window, in time order.
                let mut at = 0;
                for _ in 0..again_n {
                    let len = u32::from_le_bytes(again[at..at + 4].try_into().expect("4 bytes"));
                    let obj = &again[at + 4..at + 4 + len as usize];
                    put(&mut sink, &mut in_file, obj);
                    at += 4 + len as usize;
                }
                stats.repulled += again_n;
                again.clear();
                again_n = 0;
            }
            let (lo, hi) = (bound(window), bound(window + 1));
            let repulled = window + 1 < pulls && first >= hi - (hi - lo) * pct / 100 && first < hi;
            let refined = repulled && repull_rng.pct(50);
            let last = objs.len() - 1;
            for o in 0..objs.len() {
                let obj = objs.get(o);
                if repulled {
                    again.extend_from_slice(&(obj.len() as u32).to_le_bytes());
                    again.extend_from_slice(obj);
                    again_n += 1;
                }
                if refined && o == last {
                    let earlier = incomplete(obj);
                    put(&mut sink, &mut in_file, &earlier);
                    stats.refined += 1;
                } else {
                    put(&mut sink, &mut in_file, obj);
                }
                stats.rows += 1;
            }
            sink.maybe_flush()
        })?;
        sink.put(b"\n]\n");
        sink.finish()?;
        stats.bytes += sink.bytes;
        close(sink.into_inner())?;
        self.repull_rng = repull_rng;
        Ok(stats)
    }

    /// Generates the interactions in order, handing each one's segment
    /// objects, and the number of segments before it, to `emit`.
    fn each(
        &mut self,
        objs: &mut Objects,
        mut emit: impl FnMut(&Objects, u64) -> Result<()>,
    ) -> Result<()> {
        let mut written = 0u64;
        let mut t = self.start_ms;
        let mut ixn = 0u64;
        let mut segs: Vec<Seg> = Vec::with_capacity(8);
        while written < self.rows {
            // Arrivals follow the daily curve: one every ~1.5 s at the peak.
            let day_ms = t.rem_euclid(MS_PER_DAY);
            let slot = (day_ms / 900_000) as u32;
            let date =
                NaiveDate::from_num_days_from_ce_opt((t.div_euclid(MS_PER_DAY) + 719_163) as i32)
                    .filter(|d| d.year() <= 9999)
                    .ok_or_else(|| Error::usage("gen: the interactions run past the year 9999"))?;
            let load = (curve(slot) * weekday_factor(date) / 1000).max(20);
            let mean_gap = 1_500 * 1000 / load;
            t += self.rng.below(2 * mean_gap) as i64 + 1;

            let outbound = self.rng.pct(25);
            let digital = !outbound && self.rng.pct(12);
            // About one inbound voice call in eight ends in IVR/queue with no
            // agent (an abandon): a third of those within 5 s, many after
            // more than 20 s.
            let unanswered = !outbound && !digital && self.rng.pct(12);
            let ivr = unanswered || (!outbound && !digital && self.rng.pct(35));
            let transfers = if unanswered {
                0
            } else {
                match self.rng.below(100) {
                    0..=5 => 2,
                    6..=24 => 1,
                    _ => 0,
                }
            };
            // About one answered call in twenty gets a conference leg: a
            // second agent joins while the first is still on the call.
            let conference = !unanswered && self.rng.pct(5);
            let planned = ivr as u64 + u64::from(!unanswered) + transfers + conference as u64;
            let n = planned.min(self.rows - written) as usize;
            segs.clear();
            let mut cur = t;
            for i in 0..n {
                let is_ivr = ivr && i == 0;
                // The conference leg comes right after the first agent leg.
                let is_conf = conference && i == ivr as usize + 1;
                let dur = if is_ivr && unanswered {
                    if self.rng.pct(33) {
                        self.rng.range(500, 4_900)
                    } else {
                        self.rng.range(5_000, 180_000)
                    }
                } else if is_ivr {
                    self.rng.range(5_000, 60_000)
                } else if digital {
                    self.rng.range(60_000, 1_800_000)
                } else {
                    self.rng.range(20_000, 600_000)
                } as i64;
                let start = if is_conf {
                    // Inside the first agent leg (at least 20 s long).
                    let first = segs[i - 1];
                    first.start
                        + self
                            .rng
                            .range(1_000, (first.end - first.start) as u64 - 1_000)
                            as i64
                } else if i == 0 {
                    cur
                } else {
                    cur + self.rng.range(300, 4_000) as i64
                };
                let agent = if is_ivr {
                    None
                } else {
                    Some(self.rng.below(self.agents.len() as u64) as usize)
                };
                segs.push(Seg {
                    agent,
                    start,
                    end: start + dur,
                });
                cur = cur.max(start + dur);
            }
            objs.clear();
            self.interaction(objs, ixn, t, outbound, digital, &segs);
            emit(objs, written)?;
            written += n as u64;
            ixn += 1;
        }
        Ok(())
    }

    fn interaction(
        &mut self,
        objs: &mut Objects,
        ixn: u64,
        t: i64,
        outbound: bool,
        digital: bool,
        segs: &[Seg],
    ) {
        let rng = &mut self.rng;
        let end = segs.iter().map(|s| s.end).max().unwrap_or(t);
        let dialog_hex = (rng.next(), rng.next());
        let q = rng.below(self.queues as u64);
        let our_number = 8_885_550_000 + q % 10_000;
        let customer = 2_000_000_000 + rng.below(7_999_999_999);
        let channel_hex = rng.next();
        let (ch_type, ch_class) = if digital {
            ("ENGAGE_MESSAGING", "DIGITAL")
        } else {
            ("VOICE", "VOICE")
        };
        // The interaction id: start as yyyyMMddHHmmss, then a counter (30
        // digits, like the vendor's).
        let mut ixn_id = Vec::with_capacity(32);
        {
            let days = t.div_euclid(MS_PER_DAY);
            let rem = t.rem_euclid(MS_PER_DAY) as u64;
            let (y, m, d) = civil_from_days(days);
            push_padded(&mut ixn_id, y as u64, 4);
            push_padded(&mut ixn_id, m, 2);
            push_padded(&mut ixn_id, d, 2);
            push_padded(&mut ixn_id, rem / 3_600_000, 2);
            push_padded(&mut ixn_id, rem / 60_000 % 60, 2);
            push_padded(&mut ixn_id, rem / 1000 % 60, 2);
            push_padded(&mut ixn_id, ixn % 10_000_000_000_000_000, 16);
        }
        let agent_segs = segs.iter().filter(|s| s.agent.is_some()).count();
        let mut agent_seen = 0;
        for (i, s) in segs.iter().enumerate() {
            let b = &mut objs.buf;
            b.extend_from_slice(b"{\"subAccountId\":\"99999999\",\"dialogId\":\"");
            if digital {
                b.extend_from_slice(b"d-");
                push_hex(b, dialog_hex.0, 16);
                push_hex(b, dialog_hex.1, 8);
            } else {
                b.extend_from_slice(b"s-v-");
                push_hex(b, dialog_hex.0, 16);
                push_hex(b, dialog_hex.1, 16);
            }
            b.push(b'-');
            push_u64(b, t as u64);
            b.extend_from_slice(b"\",\"interactionId\":\"");
            b.extend_from_slice(&ixn_id);
            b.extend_from_slice(b"\",\"channelId\":\"");
            if digital {
                push_hex(b, channel_hex, 16);
                push_hex(b, channel_hex >> 32 ^ customer, 8);
            } else {
                push_u64(b, customer);
            }
            b.extend_from_slice(b"\",\"channelType\":\"");
            b.extend_from_slice(ch_type.as_bytes());
            b.extend_from_slice(b"\",\"channelClass\":\"");
            b.extend_from_slice(ch_class.as_bytes());
            b.extend_from_slice(b"\",\"channelEndpointAddress\":\"+1");
            push_u64(b, our_number);
            b.extend_from_slice(b"\",\"contactEndpointAddress\":\"+1");
            push_u64(b, customer);
            b.extend_from_slice(b"\",\"dialogOrigination\":\"");
            b.extend_from_slice(if outbound { b"OUTBOUND" } else { b"INBOUND" });
            b.extend_from_slice(b"\",\"dialogStartTimeMs\":");
            push_rfc3339_ms(b, t);
            b.extend_from_slice(b",\"dialogEndTimeMs\":");
            push_rfc3339_ms(b, end);
            b.extend_from_slice(b",\"dialogDurationMs\":");
            push_u64(b, (end - t) as u64);
            b.extend_from_slice(b",\"segmentId\":\"");
            b.extend_from_slice(match (digital, s.agent.is_none()) {
                (true, _) => b"d-".as_slice(),
                (false, true) => b"i-v-",
                (false, false) => b"p-v-",
            });
            push_hex(b, dialog_hex.0, 16);
            push_hex(b, dialog_hex.1, 16);
            b.push(b'-');
            push_hex(b, ((s.start as u64) << 4) | i as u64, 13);
            b.extend_from_slice(b"\",\"segmentType\":\"");
            match s.agent {
                None => {
                    b.extend_from_slice(b"IVR\",\"segmentParticipantId\":null,\"segmentParticipantRcExtensionId\":null");
                }
                Some(a) => {
                    let ag = &self.agents[a];
                    b.extend_from_slice(b"AGENT\",\"segmentParticipantId\":\"");
                    push_u64(b, ag.id);
                    b.extend_from_slice(b"\",\"segmentParticipantRcExtensionId\":\"");
                    push_u64(b, ag.ext);
                    b.push(b'"');
                }
            }
            b.extend_from_slice(b",\"segmentStartTimeMs\":");
            push_rfc3339_ms(b, s.start);
            b.extend_from_slice(b",\"segmentEndTimeMs\":");
            push_rfc3339_ms(b, s.end);
            b.extend_from_slice(b",\"segmentDurationMs\":");
            push_u64(b, (s.end - s.start) as u64);
            b.extend_from_slice(b",\"segmentAgentGroupId\":");
            match s.agent {
                None => b.extend_from_slice(b"null"),
                Some(a) => {
                    b.push(b'"');
                    push_u64(b, self.agents[a].group);
                    b.push(b'"');
                }
            }
            let is_agent = s.agent.is_some();
            if is_agent {
                agent_seen += 1;
            }
            let transferred = is_agent && agent_seen < agent_segs;
            b.extend_from_slice(b",\"systemDisposition\":");
            b.extend_from_slice(match (is_agent, transferred) {
                (false, _) => b"null".as_slice(),
                (true, true) => b"\"TRANSFER\"",
                (true, false) => b"\"ANSWER\"",
            });
            b.extend_from_slice(b",\"agentDisposition\":");
            if !is_agent {
                b.extend_from_slice(b"null");
            } else if transferred {
                b.extend_from_slice(b"\"Transferred\"");
            } else {
                let d = DISPOSITIONS[rng.below(DISPOSITIONS.len() as u64) as usize];
                b.push(b'"');
                b.extend_from_slice(d.as_bytes());
                b.push(b'"');
            }
            b.extend_from_slice(b",\"agentNotes\":");
            if is_agent && rng.pct(40) {
                let mut s = String::new();
                crate::write::json_string(&mut s, NOTES[rng.below(NOTES.len() as u64) as usize]);
                b.extend_from_slice(s.as_bytes());
            } else {
                b.extend_from_slice(b"null");
            }
            let recorded = is_agent && !digital && rng.pct(80);
            let transcript = digital || (recorded && rng.pct(50));
            b.extend_from_slice(b",\"hasRecording\":");
            b.extend_from_slice(if recorded { b"true" } else { b"false" });
            b.extend_from_slice(b",\"hasTranscript\":");
            b.extend_from_slice(if transcript { b"true" } else { b"false" });
            b.extend_from_slice(b",\"segmentEvents\":");
            if recorded {
                events(rng, b, s.start, s.end);
            } else if is_agent {
                b.extend_from_slice(b"[]");
            } else {
                b.extend_from_slice(b"null");
            }
            b.push(b'}');
            objs.ends.push(b.len());
        }
    }
}

/// The segment objects of one interaction, back to back.
#[derive(Default)]
struct Objects {
    buf: Vec<u8>,
    ends: Vec<usize>,
}

impl Objects {
    fn clear(&mut self) {
        self.buf.clear();
        self.ends.clear();
    }
    fn len(&self) -> usize {
        self.ends.len()
    }
    fn get(&self, i: usize) -> &[u8] {
        let from = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.buf[from..self.ends[i]]
    }
}

/// The copy of a segment object an earlier pull saw: its recording events
/// not delivered yet (an empty list) when it has any, else no end time
/// (only the duration).
fn incomplete(obj: &[u8]) -> Vec<u8> {
    const EVENTS: &[u8] = b",\"segmentEvents\":[{";
    const END: &[u8] = b",\"segmentEndTimeMs\":";
    let find = |pat: &[u8]| obj.windows(pat.len()).position(|w| w == pat);
    let mut out = Vec::with_capacity(obj.len());
    if let Some(at) = find(EVENTS) {
        // The events are the last value of the object.
        out.extend_from_slice(&obj[..at]);
        out.extend_from_slice(b",\"segmentEvents\":[]}");
    } else if let Some(at) = find(END) {
        // `,"segmentEndTimeMs":"yyyy-MM-ddTHH:mm:ss.SSSZ"`
        let value = END.len() + 26;
        out.extend_from_slice(&obj[..at]);
        out.extend_from_slice(&obj[at + value..]);
    } else {
        out.extend_from_slice(obj);
    }
    out
}

/// Recording events inside `[start, end)`: REC_START shortly after the
/// start, sometimes a pause (REC_STOP, REC_START), REC_STOP before the end.
/// The client clock runs a little behind or ahead of the server's.
fn events(rng: &mut Rng, b: &mut Vec<u8>, start: i64, end: i64) {
    let len = end - start;
    let rec_start = start + rng.below(2_000.min(len as u64 / 4 + 1)) as i64;
    let rec_stop = end - rng.below(1_000.min(len as u64 / 4 + 1)) as i64;
    let mut times: [(i64, &[u8]); 4] = [(rec_start, b"REC_START"); 4];
    let mut n = 1;
    let span = rec_stop - rec_start;
    if span > 40_000 && rng.pct(30) {
        // A pause for card details or a hold: 10–30 s in the middle, ending
        // by three quarters of the recording.
        let pause_at = rec_start + span / 4 + rng.below(span as u64 / 4) as i64;
        let pause_len = rng.range(10_000, (span as u64 / 4).min(30_000)) as i64;
        times[1] = (pause_at, b"REC_STOP");
        times[2] = (pause_at + pause_len, b"REC_START");
        n = 3;
    }
    times[n] = (rec_stop, b"REC_STOP");
    n += 1;
    b.push(b'[');
    for (i, (at, ty)) in times[..n].iter().enumerate() {
        if i > 0 {
            b.push(b',');
        }
        b.extend_from_slice(b"{\"eventTimeMs\":");
        push_rfc3339_ms(b, *at);
        b.extend_from_slice(b",\"clientEventTimeMs\":");
        push_rfc3339_ms(b, *at + rng.below(600) as i64 - 300);
        b.extend_from_slice(b",\"eventType\":\"");
        b.extend_from_slice(ty);
        b.extend_from_slice(b"\"}");
    }
    b.push(b']');
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_match_chrono() {
        for days in [-1i64, 0, 59, 365, 10_957, 19_723, 19_782, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            let c = NaiveDate::from_num_days_from_ce_opt((days + 719_163) as i32).unwrap();
            assert_eq!(
                (y, m, d),
                (c.year() as i64, c.month() as u64, c.day() as u64)
            );
        }
        let mut b = Vec::new();
        push_rfc3339_ms(&mut b, 1_595_352_748_001);
        assert_eq!(b, b"\"2020-07-21T17:32:28.001Z\"");
    }
}
