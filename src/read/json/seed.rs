//! serde seeds that read an object key or a scalar value of a record
//! without allocating: keys resolved through a per-position cache, scalars
//! written as text into one reused buffer.

use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// What a scalar value was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Scalar {
    Null,
    /// A string; its text is in the scratch buffer.
    Text,
    /// A number; its text is in the scratch buffer.
    Number,
    Bool(bool),
    /// An array or object where a scalar belongs.
    Nested,
}

/// Appends the decimal digits of `v` (`itoa`: the `fmt` machinery costs
/// more than the rest of a count's journey).
#[inline]
fn push_u64(out: &mut String, v: u64) {
    out.push_str(itoa::Buffer::new().format(v));
}

/// Deserializes one value into the scratch buffer.
pub(super) struct ScalarSeed<'a>(pub(super) &'a mut String);

impl<'de> DeserializeSeed<'de> for ScalarSeed<'_> {
    type Value = Scalar;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<Scalar, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ScalarSeed<'_> {
    type Value = Scalar;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number, a string or null")
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<Scalar, E> {
        self.0.clear();
        self.0.push_str(v);
        Ok(Scalar::Text)
    }
    fn visit_u64<E>(self, v: u64) -> std::result::Result<Scalar, E> {
        self.0.clear();
        push_u64(self.0, v);
        Ok(Scalar::Number)
    }
    fn visit_i64<E>(self, v: i64) -> std::result::Result<Scalar, E> {
        self.0.clear();
        if v < 0 {
            self.0.push('-');
        }
        push_u64(self.0, v.unsigned_abs());
        Ok(Scalar::Number)
    }
    fn visit_f64<E>(self, v: f64) -> std::result::Result<Scalar, E> {
        use std::fmt::Write;
        self.0.clear();
        let _ = write!(self.0, "{v}");
        Ok(Scalar::Number)
    }
    fn visit_bool<E>(self, v: bool) -> std::result::Result<Scalar, E> {
        self.0.clear();
        self.0.push_str(if v { "true" } else { "false" });
        Ok(Scalar::Bool(v))
    }
    fn visit_unit<E>(self) -> std::result::Result<Scalar, E> {
        self.0.clear();
        Ok(Scalar::Null)
    }
    fn visit_none<E>(self) -> std::result::Result<Scalar, E> {
        self.0.clear();
        Ok(Scalar::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Scalar, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        self.0.clear();
        self.0.push_str("[…]");
        Ok(Scalar::Nested)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Scalar, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        self.0.clear();
        self.0.push_str("{…}");
        Ok(Scalar::Nested)
    }
}

/// Key lookups by position in the object. The objects of one export
/// almost always list their keys in the same order, so the key at position
/// `i` is usually the one seen there in the previous object: one string
/// comparison instead of a search of the field catalogue.
pub(super) struct KeyCache<K> {
    /// The key as JSON writes it with its colon (`"key":`, its text as it
    /// is), what it resolves to, and whether that is its JSON text (no
    /// quote, backslash or control byte to escape).
    slots: Vec<(Box<[u8]>, Option<K>, bool)>,
}

/// The text of a key stored as `"key":`.
#[inline]
fn unquoted(k: &[u8]) -> &[u8] {
    k.get(1..k.len().saturating_sub(2)).unwrap_or_default()
}

impl<K> Default for KeyCache<K> {
    fn default() -> Self {
        KeyCache { slots: Vec::new() }
    }
}

impl<K: Copy> KeyCache<K> {
    #[inline]
    pub(super) fn get(&mut self, i: usize, key: &str, resolve: fn(&str) -> Option<K>) -> Option<K> {
        if let Some((k, v, _)) = self.slots.get(i) {
            if same(unquoted(k), key.as_bytes()) {
                return *v;
            }
        }
        let v = resolve(key);
        let as_is = key.bytes().all(|c| c >= 0x20 && c != b'"' && c != b'\\');
        let quoted: Box<[u8]> = [b"\"", key.as_bytes(), b"\":"].concat().into();
        if i < self.slots.len() {
            self.slots[i] = (quoted, v, as_is);
        } else if i == self.slots.len() && i < 128 {
            self.slots.push((quoted, v, as_is));
        }
        v
    }

    /// The key last seen at position `i`, as JSON writes it with its colon
    /// (`"key":`), and what it resolves to, when that JSON text holds the
    /// key as it is: a reader of raw text may then match it in place.
    #[inline]
    pub(super) fn expected(&self, i: usize) -> Option<(&[u8], Option<K>)> {
        match self.slots.get(i) {
            Some((k, v, true)) => Some((k, *v)),
            _ => None,
        }
    }
}

/// Whether two short texts are equal, without a library call: keys are a
/// few bytes long, and the call would cost more than the comparison.
#[inline]
pub(super) fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    // Eight bytes at a time, as one word; the last word ends at the end
    // (overlapping the one before), so no byte is compared alone.
    let word = |s: &[u8], i: usize| <[u8; 8]>::try_from(&s[i..i + 8]).ok();
    let mut i = 0;
    while i + 8 < n {
        if word(a, i) != word(b, i) {
            return false;
        }
        i += 8;
    }
    word(a, n - 8) == word(b, n - 8)
}

/// Resolves the key at position `i` of an object, through the cache,
/// without allocating.
pub(super) struct KeySeed<'a, K> {
    pub(super) cache: &'a mut KeyCache<K>,
    pub(super) i: usize,
    pub(super) resolve: fn(&str) -> Option<K>,
}

impl<'de, K: Copy> DeserializeSeed<'de> for KeySeed<'_, K> {
    type Value = Option<K>;
    fn deserialize<D: de::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Option<K>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de, K: Copy> Visitor<'de> for KeySeed<'_, K> {
    type Value = Option<K>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<Option<K>, E> {
        Ok(self.cache.get(self.i, v, self.resolve))
    }
}

#[cfg(test)]
mod tests {
    use super::same;

    #[test]
    fn same_tells_every_differing_byte() {
        let text: Vec<u8> = (0..40u8).map(|i| b'a' + i % 26).collect();
        for n in 0..text.len() {
            let a = &text[..n];
            assert!(same(a, a));
            assert!(!same(a, &text[..n + 1]));
            for i in 0..n {
                let mut b = a.to_vec();
                b[i] ^= 0x20;
                assert!(!same(a, &b), "{n} {i}");
            }
        }
    }
}
