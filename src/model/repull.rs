//! Re-pulled copies of one segment (SPEC 5.1): how complete a copy is.
//!
//! Integrators pull overlapping windows of interaction metadata: the
//! API's answer for a window that has not completed changes, and recording
//! URLs arrive a minute or two late. The same (interaction id, segment id)
//! then appears in two files, and the copies are merged to the most
//! complete one. [`Completeness`] orders copies so that the choice never
//! depends on the order of the files: an end time present beats one
//! absent, a recording URL beats none, more recording events beat fewer, a
//! longer span beats a shorter one; copies equal on all four are told
//! apart by a fingerprint of every value (see below), and copies whose
//! fingerprints are equal are identical.
//!
//! The last rule departs from SPEC 5.1's wording ("the larger canonical
//! JSON text"): telling texts apart would mean holding every segment's
//! text until all files are read, several hundred bytes a segment. The
//! fingerprint is a fixed 64-bit hash (FNV-1a, taken a word at a time) of
//! the same values the canonical text prints, in the same order, so it is as independent of
//! file order and thread count as the text would be.

use chrono::{DateTime, Utc};

use super::Segment;

/// How complete one copy of a segment is; the greater copy is kept when
/// re-pulled copies merge.
///
/// ```
/// use ringcx_reports::model::{instant_from_millis, Completeness};
/// use ringcx_reports::Segment;
/// let mut early = Segment::default();
/// early.segment_start = instant_from_millis(0);
/// early.segment_duration_ms = Some(60_000);
/// let mut late = early.clone();
/// late.recording_url = Some("https://example.com/r/1".into());
/// assert!(Completeness::of(&late) > Completeness::of(&early));
/// assert!(Completeness::of(&early).is_identical(&Completeness::of(&early.clone())));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Completeness {
    has_end: bool,
    has_recording_url: bool,
    events: u32,
    /// The span in milliseconds (SPEC 5), `i64::MIN` when it cannot be
    /// told.
    span_ms: i64,
    fingerprint: u64,
}

impl Completeness {
    /// The completeness of `seg`.
    pub fn of(seg: &Segment) -> Completeness {
        Completeness {
            has_end: seg.segment_end.is_some(),
            has_recording_url: seg.recording_url.is_some(),
            events: seg
                .events
                .as_ref()
                .map_or(seg.counted_events.unwrap_or(0), |e| {
                    u32::try_from(e.len()).unwrap_or(u32::MAX)
                }),
            span_ms: seg
                .span_ms()
                .map_or(i64::MIN, |s| i64::try_from(s).unwrap_or(i64::MAX)),
            fingerprint: fingerprint(seg),
        }
    }

    /// Whether two copies hold the same values (equal fingerprints).
    pub fn is_identical(&self, other: &Completeness) -> bool {
        self == other
    }

    /// The value as three words, for a temporary file
    /// ([`from_words`](Self::from_words) gives it back).
    pub(crate) fn to_words(self) -> [u64; 3] {
        let flags = u64::from(self.has_end) | (u64::from(self.has_recording_url) << 1);
        [
            flags | (u64::from(self.events) << 32),
            self.span_ms as u64,
            self.fingerprint,
        ]
    }

    /// The value [`to_words`](Self::to_words) wrote.
    pub(crate) fn from_words(w: [u64; 3]) -> Completeness {
        Completeness {
            has_end: w[0] & 1 != 0,
            has_recording_url: w[0] & 2 != 0,
            events: (w[0] >> 32) as u32,
            span_ms: w[1] as i64,
            fingerprint: w[2],
        }
    }

    /// Why `self` is kept over `other`, in words, by the first rule of the
    /// order on which they differ ("has an end time", "has 4 recording
    /// events, not 2", …); `None` when `self` is not greater.
    ///
    /// ```
    /// use ringcx_reports::model::{instant_from_millis, Completeness};
    /// use ringcx_reports::Segment;
    /// let mut early = Segment::default();
    /// early.segment_start = instant_from_millis(0);
    /// early.segment_duration_ms = Some(60_000);
    /// let mut late = early.clone();
    /// late.recording_url = Some("https://example.com/r/1".into());
    /// let (a, b) = (Completeness::of(&late), Completeness::of(&early));
    /// assert_eq!(a.why_over(&b).as_deref(), Some("has a recording URL"));
    /// assert_eq!(b.why_over(&a), None);
    /// ```
    pub fn why_over(&self, other: &Completeness) -> Option<String> {
        if self <= other {
            return None;
        }
        // The fields in the order the derived `Ord` compares them.
        Some(if self.has_end != other.has_end {
            "has an end time".into()
        } else if self.has_recording_url != other.has_recording_url {
            "has a recording URL".into()
        } else if self.events != other.events {
            format!("has {} recording events, not {}", self.events, other.events)
        } else if self.span_ms != other.span_ms {
            let s = |ms: i64| {
                if ms == i64::MIN {
                    "no span".to_string()
                } else {
                    format!("{} s", super::secs_text(i128::from(ms)))
                }
            };
            format!("spans {}, not {}", s(self.span_ms), s(other.span_ms))
        } else {
            "is equally complete, and its values come first in the fixed order \
             (fingerprint)"
                .into()
        })
    }
}

/// FNV-1a, 64 bits, taken eight bytes at a time (little-endian words,
/// then the last bytes one by one): fixed, so a fingerprint is the same on
/// every run and machine. Each step (xor a word, multiply by the odd
/// prime) is a bijection of the state, so two inputs of equal framing that
/// differ in one word never collide.
struct Fnv(u64);

impl Fnv {
    const PRIME: u64 = 0x0100_0000_01b3;

    fn bytes(&mut self, b: &[u8]) {
        let mut words = b.chunks_exact(8);
        for w in &mut words {
            let mut a = [0u8; 8];
            a.copy_from_slice(w);
            self.0 = (self.0 ^ u64::from_le_bytes(a)).wrapping_mul(Self::PRIME);
        }
        for &x in words.remainder() {
            self.0 = (self.0 ^ u64::from(x)).wrapping_mul(Self::PRIME);
        }
    }
    /// A value that may be absent, framed so that no two sequences of
    /// values hash the same bytes: a tag, the length, the bytes.
    fn opt(&mut self, v: Option<&[u8]>) {
        match v {
            None => self.bytes(&[0]),
            Some(b) => {
                self.bytes(&[1]);
                self.bytes(&(b.len() as u64).to_le_bytes());
                self.bytes(b);
            }
        }
    }
    fn text(&mut self, v: &Option<String>) {
        self.opt(v.as_deref().map(str::as_bytes));
    }
    fn time(&mut self, t: Option<DateTime<Utc>>) {
        self.opt(
            t.map(|t| t.timestamp_millis().to_le_bytes())
                .as_ref()
                .map(|b| &b[..]),
        );
    }
    fn int(&mut self, n: Option<u64>) {
        self.opt(n.map(u64::to_le_bytes).as_ref().map(|b| &b[..]));
    }
    fn flag(&mut self, f: Option<bool>) {
        self.opt(f.map(|f| [u8::from(f)]).as_ref().map(|b| &b[..]));
    }
}

/// A fingerprint of every value of `seg` that its canonical JSON text
/// prints (not where it was read).
fn fingerprint(s: &Segment) -> u64 {
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    h.opt(Some(s.interaction_id.as_bytes()));
    h.text(&s.dialog_id);
    h.opt(Some(s.segment_id.as_bytes()));
    h.text(&s.segment_type);
    h.text(&s.agent_id);
    h.text(&s.agent_group_id);
    h.text(&s.rc_extension_id);
    h.opt(s.direction.map(|d| d.as_str().as_bytes()));
    h.text(&s.channel_type);
    h.text(&s.channel_class);
    h.text(&s.calling_address);
    h.text(&s.called_address);
    h.time(s.interaction_start);
    h.int(s.interaction_duration_ms);
    h.time(s.segment_start);
    h.time(s.segment_end);
    h.int(s.segment_duration_ms);
    h.text(&s.recording_url);
    h.text(&s.interaction_recording_location);
    h.flag(s.has_recording);
    h.flag(s.has_transcript);
    h.text(&s.system_disposition);
    h.text(&s.agent_disposition);
    h.text(&s.agent_notes);
    h.text(&s.sub_account_id);
    match (&s.events, s.counted_events) {
        // Counted, not read: the count stands for the list.
        (None, Some(n)) => {
            h.bytes(&[2]);
            h.bytes(&u64::from(n).to_le_bytes());
        }
        (None, None) => h.bytes(&[0]),
        (Some(events), _) => {
            h.bytes(&[1]);
            h.bytes(&(events.len() as u64).to_le_bytes());
            for e in events {
                h.time(e.time);
                h.time(e.client_time);
                h.opt(Some(e.kind.as_bytes()));
            }
        }
    }
    h.time(s.interaction_end);
    h.text(&s.channel_id);
    h.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::instant_from_millis;

    fn seg() -> Segment {
        // `Segment` has private fields: set the public ones one by one.
        let mut s = Segment::default();
        s.interaction_id = "i1".into();
        s.segment_id = "s1".into();
        s.segment_start = instant_from_millis(1_000);
        s.segment_duration_ms = Some(60_000);
        s.agent_id = Some("7".into());
        s
    }

    #[test]
    fn each_rule_in_order() {
        let base = seg();
        let c = Completeness::of;
        // An end present beats absent, even against a longer span and more
        // events.
        let mut with_end = base.clone();
        with_end.segment_end = instant_from_millis(31_000); // span 30 s < 60 s
        let mut more = base.clone();
        more.recording_url = Some("u".into());
        more.events = Some(vec![Default::default(); 3]);
        assert!(c(&with_end) > c(&more));
        // Then a recording URL beats none.
        let mut url = base.clone();
        url.recording_url = Some("u".into());
        let mut events = base.clone();
        events.events = Some(vec![Default::default(); 5]);
        assert!(c(&url) > c(&events));
        // Then more events, then the longer span.
        assert!(c(&events) > c(&base));
        let mut longer = base.clone();
        longer.segment_duration_ms = Some(61_000);
        assert!(c(&longer) > c(&base));
        // Equal on all four: told apart by the values, not by where they
        // were read.
        let mut notes = base.clone();
        notes.agent_notes = Some("called back".into());
        assert_ne!(c(&notes), c(&base));
        assert!(!c(&notes).is_identical(&c(&base)));
        let mut moved = base.clone();
        moved.pos = crate::position::Position::new(9, 9, 9);
        assert!(c(&moved).is_identical(&c(&base)));
    }

    #[test]
    fn fingerprint_frames_values() {
        // "ab" + absent and "a" + "b" must differ.
        let mut a = seg();
        a.agent_id = Some("ab".into());
        a.agent_group_id = None;
        let mut b = seg();
        b.agent_id = Some("a".into());
        b.agent_group_id = Some("b".into());
        assert_ne!(fingerprint(&a), fingerprint(&b));
    }
}
