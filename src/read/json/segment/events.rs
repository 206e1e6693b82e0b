//! The `segmentEvents` list of a segment record: walked (see `flat`), read
//! by `serde_json`, or only counted when a projection skips it
//! ([`SegmentRead`](crate::model::SegmentRead)).

use std::fmt;
use std::sync::Arc;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::super::flat::Flat;
use super::super::frame::ValueLines;
use super::super::seed::{KeyCache, KeySeed, Scalar, ScalarSeed};
use super::{bad, value_loc, EXPECT_INSTANT};
use crate::error::{Error, Result};
use crate::model::{parse_instant, trim, SegmentEvent};
use crate::position::{Location, Position};

/// `segmentEvents` of a walked record (see `flat`), as [`EventsSeed`]
/// reads it: null (false) or a list of flat event objects (true), filled
/// into `list`; `None` when the walk declines.
pub(super) fn walk_events(
    f: &mut Flat<'_>,
    list: &mut Vec<SegmentEvent>,
    scratch: &mut String,
    err: &mut Option<Error>,
    file: &Arc<str>,
    pos: Position,
) -> Option<bool> {
    if f.null()? {
        return Some(false);
    }
    f.open_array()?;
    let mut n = 0;
    while f.element(n)? {
        n += 1;
        let mut ev = SegmentEvent {
            line: pos.line(),
            ..SegmentEvent::default()
        };
        f.open_object()?;
        let mut m = 0;
        while let Some(k) = f.key(m)? {
            m += 1;
            let kind = f.scalar(scratch)?;
            let Some(k) = EventKey::of(k) else {
                continue;
            };
            if err.is_some() {
                continue;
            }
            let loc = || value_loc(file, pos, 0, k.field());
            if let Err(e) = set_event(&mut ev, k, kind, scratch, pos.line(), loc) {
                *err = Some(e);
            }
        }
        list.push(ev);
    }
    Some(true)
}

/// A `segmentEvents` stepped over: null (`None`), else the number of
/// elements of the list. Any JSON value passes (see
/// [`SegmentRead`](crate::model::SegmentRead)); a value that is not a list
/// counts 0, as [`Flat::skip_value`] counts it.
pub(super) struct CountSeed;

impl<'de> DeserializeSeed<'de> for CountSeed {
    type Value = Option<u32>;
    fn deserialize<D: de::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CountSeed {
    type Value = Option<u32>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E>(self) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_seq<A: SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let mut n = 0u32;
        while seq.next_element::<IgnoredAny>()?.is_some() {
            n = n.saturating_add(1);
        }
        Ok(Some(n))
    }
    fn visit_map<A: MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Some(0))
    }
    fn visit_bool<E>(self, _: bool) -> std::result::Result<Self::Value, E> {
        Ok(Some(0))
    }
    fn visit_u64<E>(self, _: u64) -> std::result::Result<Self::Value, E> {
        Ok(Some(0))
    }
    fn visit_i64<E>(self, _: i64) -> std::result::Result<Self::Value, E> {
        Ok(Some(0))
    }
    fn visit_f64<E>(self, _: f64) -> std::result::Result<Self::Value, E> {
        Ok(Some(0))
    }
    fn visit_str<E>(self, _: &str) -> std::result::Result<Self::Value, E> {
        Ok(Some(0))
    }
}

/// `segmentEvents`: null (false) or a list (true), filled into `list`.
pub(super) struct EventsSeed<'a> {
    pub(super) list: &'a mut Vec<SegmentEvent>,
    pub(super) scratch: &'a mut String,
    pub(super) err: &'a mut Option<Error>,
    pub(super) lines: &'a ValueLines,
    pub(super) file: &'a Arc<str>,
    /// The segment's position.
    pub(super) pos: Position,
    /// The entry of the list in `lines`.
    pub(super) at: usize,
}

impl<'de> DeserializeSeed<'de> for EventsSeed<'_> {
    type Value = bool;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for EventsSeed<'_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("null or a list of events")
    }
    fn visit_unit<E>(self) -> std::result::Result<bool, E> {
        Ok(false)
    }
    fn visit_none<E>(self) -> std::result::Result<bool, E> {
        Ok(false)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<bool, A::Error> {
        // The first element's entry follows the list's.
        let mut at = self.at + 1;
        loop {
            let mut ev = SegmentEvent::default();
            let more = seq.next_element_seed(EventSeed {
                ev: &mut ev,
                scratch: self.scratch,
                err: self.err,
                lines: self.lines,
                file: self.file,
                pos: self.pos,
                at,
            })?;
            if more.is_none() {
                break;
            }
            at = self.lines.next(at);
            self.list.push(ev);
        }
        Ok(true)
    }
}

struct EventSeed<'a> {
    ev: &'a mut SegmentEvent,
    scratch: &'a mut String,
    err: &'a mut Option<Error>,
    lines: &'a ValueLines,
    file: &'a Arc<str>,
    pos: Position,
    /// The entry of the event object in `lines`.
    at: usize,
}

impl<'de> DeserializeSeed<'de> for EventSeed<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for EventSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an event object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let line = |off: u32| self.pos.line() + u64::from(off);
        self.ev.line = line(self.lines.line(self.at));
        let mut cache = KeyCache::default();
        let mut i = 0;
        let mut at = self.at + 1;
        while let Some(k) = map.next_key_seed(KeySeed {
            cache: &mut cache,
            i,
            resolve: EventKey::of,
        })? {
            i += 1;
            let off = self.lines.line(at);
            at = self.lines.next(at);
            let Some(k) = k else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            let kind = map.next_value_seed(ScalarSeed(self.scratch))?;
            if self.err.is_some() {
                continue;
            }
            let loc = || value_loc(self.file, self.pos, off, k.field());
            if let Err(e) = set_event(self.ev, k, kind, self.scratch, line(off), loc) {
                *self.err = Some(e);
            }
        }
        Ok(())
    }
}

/// The keys of an event object.
#[derive(Clone, Copy)]
enum EventKey {
    Time,
    Client,
    Type,
}

impl EventKey {
    fn of(k: &str) -> Option<EventKey> {
        match k {
            "eventTimeMs" => Some(EventKey::Time),
            "clientEventTimeMs" => Some(EventKey::Client),
            "eventType" => Some(EventKey::Type),
            _ => None,
        }
    }

    /// The field its findings name.
    fn field(self) -> &'static str {
        match self {
            EventKey::Time => "events.time",
            EventKey::Client => "events.client_time",
            EventKey::Type => "events.type",
        }
    }
}

/// Sets the value of key `k` of event `ev`: a scalar of `kind` whose text
/// is `text`, on physical line `line`, found at `loc`.
fn set_event(
    ev: &mut SegmentEvent,
    k: EventKey,
    kind: Scalar,
    text: &str,
    line: u64,
    loc: impl Fn() -> Location,
) -> Result<()> {
    match (k, kind) {
        (EventKey::Type, _) => {
            ev.line = line;
            match kind {
                Scalar::Null => Ok(()),
                Scalar::Text => {
                    ev.kind.push_str(trim(text));
                    Ok(())
                }
                _ => Err(bad(loc(), "expected an event type string", text)),
            }
        }
        (_, Scalar::Null) => Ok(()),
        (EventKey::Time | EventKey::Client, Scalar::Text | Scalar::Number) => {
            let t = parse_instant(text).ok_or_else(|| bad(loc(), EXPECT_INSTANT, text))?;
            match k {
                EventKey::Time => ev.time = Some(t),
                _ => ev.client_time = Some(t),
            }
            Ok(())
        }
        _ => Err(bad(loc(), EXPECT_INSTANT, text)),
    }
}
