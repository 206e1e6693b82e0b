//! The common record walked without `serde_json`: an object on one line
//! whose keys have no escape, whose string values have no `\u` escape and
//! no control byte, whose white space is spaces, whose numbers are plain
//! unsigned integers, and whose only nested value is the list of events.
//! For such a record the walk yields the keys and scalars `serde_json`
//! would give the record's visitor, and the visitor is the same code.
//!
//! The walk takes only what it can prove is JSON of that shape: any other
//! byte where a token belongs, a nested value it was not asked to enter, a
//! number with a sign, fraction, exponent or leading zero, the end of its
//! input, and it declines (`None`). The caller then frames the record and
//! reads it with `serde_json`, which gives the values and the errors, so a
//! declined record reads exactly as before and no error is ever written
//! here.

use super::frame::find2;
use super::seed::{same, Scalar};

/// A cursor over the text of a record: framed, or the rest of its line,
/// which the walk must then end exactly at (see the module docs).
pub(super) struct Flat<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
}

/// A key read by [`Flat::key_as`].
pub(super) enum Key<'a> {
    /// The key it was told to expect.
    Expected,
    /// Another key.
    Other(&'a str),
}

/// The deepest a walked record nests: the record, its list of events, an
/// event.
pub(super) const WALK_DEPTH: usize = 3;

/// The most digits of a number taken (any 19 digits fit a `u64`).
const MAX_DIGITS: usize = 19;

impl<'a> Flat<'a> {
    /// A cursor at the start of `s`; `None` when `s` holds a control byte
    /// (below 0x20: in a string it is not JSON, between tokens it is white
    /// space other than a space, or a line break), which the walk leaves to
    /// the parser. One pass without an early exit, so that it vectorizes.
    pub(super) fn new(s: &'a str) -> Option<Flat<'a>> {
        let b = s.as_bytes();
        let control = b.iter().fold(false, |odd, &c| odd | (c < 0x20));
        (!control).then_some(Flat { s, b, i: 0 })
    }

    #[inline]
    fn skip_ws(&mut self) {
        while self.b.get(self.i) == Some(&b' ') {
            self.i += 1;
        }
    }

    /// Takes `c` after any white space.
    #[inline]
    fn eat(&mut self, c: u8) -> Option<()> {
        self.skip_ws();
        (self.b.get(self.i) == Some(&c)).then(|| self.i += 1)
    }

    /// The next byte after any white space, not taken.
    #[inline]
    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.b.get(self.i).copied()
    }

    /// Whether the whole input has been taken.
    pub(super) fn at_end(&mut self) -> bool {
        self.skip_ws();
        self.i == self.b.len()
    }

    /// The text of bytes `from..to`.
    #[inline]
    fn text(&self, from: usize, to: usize) -> Option<&'a str> {
        self.s.get(from..to)
    }

    /// A string's text (the cursor is on its opening quote), when it has
    /// no escape.
    #[inline]
    fn string(&mut self) -> Option<&'a str> {
        let from = self.i + 1;
        let end = find2(self.b, from, b'"', b'\\')?;
        if self.b[end] != b'"' {
            return None;
        }
        self.i = end + 1;
        self.text(from, end)
    }

    /// The value that comes next when it is a string without escapes,
    /// in place; `None`, nothing taken, for any other value.
    #[inline]
    pub(super) fn plain_string(&mut self) -> Option<&'a str> {
        if self.peek()? != b'"' {
            return None;
        }
        self.string()
    }

    /// A string's text into `out`, its escapes read as JSON reads them
    /// (`\u` escapes are declined: surrogate pairs are the parser's).
    #[inline]
    fn string_into(&mut self, out: &mut String) -> Option<()> {
        let mut from = self.i + 1;
        loop {
            let at = find2(self.b, from, b'"', b'\\')?;
            out.push_str(self.text(from, at)?);
            if self.b[at] == b'"' {
                self.i = at + 1;
                return Some(());
            }
            out.push(match *self.b.get(at + 1)? {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                _ => return None,
            });
            from = at + 2;
        }
    }

    /// Opens an object: `{`.
    pub(super) fn open_object(&mut self) -> Option<()> {
        self.eat(b'{')
    }

    /// Opens an array: `[`.
    pub(super) fn open_array(&mut self) -> Option<()> {
        self.eat(b'[')
    }

    /// The next key of an object whose `n`-th member comes next (`n` from
    /// 0), with its colon taken; `Some(None)` when the object closes.
    pub(super) fn key(&mut self, n: usize) -> Option<Option<&'a str>> {
        Some(match self.key_as(n, None)? {
            Some(Key::Other(k)) => Some(k),
            Some(Key::Expected) | None => None,
        })
    }

    /// [`key`](Self::key), told the key `expect` most likely comes: when it
    /// does, it is matched in place ([`Key::Expected`]) rather than read.
    /// `expect` is the key's JSON text with its colon, `"key":`, and must
    /// hold the key as it is (no character to escape); a key written with
    /// white space before its colon is read, not matched.
    #[inline]
    pub(super) fn key_as(&mut self, n: usize, expect: Option<&[u8]>) -> Option<Option<Key<'a>>> {
        match self.peek()? {
            b'}' => {
                self.i += 1;
                return Some(None);
            }
            b',' if n > 0 => self.i += 1,
            _ if n > 0 => return None,
            _ => {}
        }
        if self.peek()? != b'"' {
            return None;
        }
        if let Some(e) = expect {
            let end = self.i + e.len();
            if self.b.get(self.i..end).is_some_and(|k| same(k, e)) {
                self.i = end;
                return Some(Some(Key::Expected));
            }
        }
        let k = self.string()?;
        self.eat(b':')?;
        Some(Some(Key::Other(k)))
    }

    /// Whether an array whose `n`-th element comes next has one (its comma
    /// taken), or closes.
    pub(super) fn element(&mut self, n: usize) -> Option<bool> {
        match self.peek()? {
            b']' => {
                self.i += 1;
                Some(false)
            }
            b',' if n > 0 => {
                self.i += 1;
                Some(true)
            }
            _ if n > 0 => None,
            _ => Some(true),
        }
    }

    /// Whether the value that comes next is `null` (then taken).
    pub(super) fn null(&mut self) -> Option<bool> {
        if self.peek()? == b'n' {
            self.literal("null")?;
            return Some(true);
        }
        Some(false)
    }

    fn literal(&mut self, word: &str) -> Option<()> {
        if !self.b.get(self.i..)?.starts_with(word.as_bytes()) {
            return None;
        }
        self.i += word.len();
        self.ends_token()
    }

    /// A literal or number must be followed by a separator or the end.
    fn ends_token(&self) -> Option<()> {
        match self.b.get(self.i) {
            None | Some(b' ' | b',' | b'}' | b']') => Some(()),
            _ => None,
        }
    }

    /// Steps over a string (the cursor on its opening quote) without
    /// copying it; declines as [`string_into`](Self::string_into) does.
    fn skip_string(&mut self) -> Option<()> {
        let mut from = self.i + 1;
        loop {
            let at = find2(self.b, from, b'"', b'\\')?;
            if self.b[at] == b'"' {
                self.i = at + 1;
                return Some(());
            }
            match *self.b.get(at + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => from = at + 2,
                _ => return None,
            }
        }
    }

    /// Steps over the value that comes next, whatever it is, checking
    /// that it is JSON of the walk's shape (see the module docs), nested
    /// at most `depth` levels more: for a list, the number of its
    /// elements; for any other value, 0. Declines as the other steps do.
    pub(super) fn skip_value(&mut self, depth: usize) -> Option<u32> {
        match self.peek()? {
            b'"' => self.skip_string().map(|()| 0),
            b'[' if depth > 0 => {
                self.i += 1;
                let mut n = 0;
                while self.element(n as usize)? {
                    self.skip_value(depth - 1)?;
                    n += 1;
                }
                Some(n)
            }
            b'{' if depth > 0 => {
                self.i += 1;
                let mut n = 0;
                while self.key(n)?.is_some() {
                    self.skip_value(depth - 1)?;
                    n += 1;
                }
                Some(0)
            }
            b'n' => self.literal("null").map(|()| 0),
            b't' => self.literal("true").map(|()| 0),
            b'f' => self.literal("false").map(|()| 0),
            b'0'..=b'9' => {
                let b = self.b;
                let from = self.i;
                let end = from + b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
                if end - from > MAX_DIGITS || (end - from > 1 && b[from] == b'0') {
                    return None;
                }
                self.i = end;
                self.ends_token().map(|()| 0)
            }
            _ => None,
        }
    }

    /// A scalar value into `scratch`, as `ScalarSeed` writes it; `None`
    /// for a nested value or anything not taken (see the module docs).
    pub(super) fn scalar(&mut self, scratch: &mut String) -> Option<Scalar> {
        scratch.clear();
        match self.peek()? {
            b'"' => {
                self.string_into(scratch)?;
                Some(Scalar::Text)
            }
            b'n' => {
                self.literal("null")?;
                Some(Scalar::Null)
            }
            b't' => {
                self.literal("true")?;
                scratch.push_str("true");
                Some(Scalar::Bool(true))
            }
            b'f' => {
                self.literal("false")?;
                scratch.push_str("false");
                Some(Scalar::Bool(false))
            }
            b'0'..=b'9' => {
                let b = self.b;
                let from = self.i;
                let mut end = from;
                while end < b.len() && b[end].is_ascii_digit() {
                    end += 1;
                }
                let digits = end - from;
                if digits > MAX_DIGITS || (digits > 1 && b[from] == b'0') {
                    return None;
                }
                self.i = end;
                self.ends_token()?;
                scratch.push_str(self.text(from, end)?);
                Some(Scalar::Number)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The scalars of a flat object, or `None` when the walk declines.
    fn walk(s: &str) -> Option<Vec<(String, Scalar, String)>> {
        let mut f = Flat::new(s)?;
        let mut out = Vec::new();
        let mut scratch = String::new();
        f.open_object()?;
        let mut n = 0;
        while let Some(k) = f.key(n)? {
            n += 1;
            let kind = f.scalar(&mut scratch)?;
            out.push((k.to_string(), kind, scratch.clone()));
        }
        f.at_end().then_some(out)
    }

    /// What `skip_value` gives for `s` (a value then, possibly, more
    /// text) and where it stops.
    fn skip(s: &str, depth: usize) -> Option<(u32, usize)> {
        let mut f = Flat::new(s)?;
        let n = f.skip_value(depth)?;
        Some((n, f.i))
    }

    #[test]
    fn skips_values_of_the_walks_shape_and_counts_list_elements() {
        for (s, want) in [
            (r#"[]"#, (0, 2)),
            (r#"[ ]"#, (0, 3)),
            (r#"[1]"#, (1, 3)),
            (r#"[ 1 , "a" , null ]"#, (3, 18)),
            (
                r#"[{},{"a":null},{"b" : true ,"c":"x\"y"}], "next""#,
                (3, 40),
            ),
            (r#"[[1,2],[3]]"#, (2, 11)),
            (r#"{"a":[1,2,3]}"#, (0, 13)),
            (r#"{}"#, (0, 2)),
            (r#""s","t""#, (0, 3)),
            (r#"false}"#, (0, 5)),
            (r#"0,1"#, (0, 1)),
            (r#"1234567890123456789 "#, (0, 19)),
        ] {
            assert_eq!(skip(s, 2), Some(want), "{s}");
        }
        for declined in [
            r#"[1,]"#,
            r#"[,1]"#,
            r#"[1 2]"#,
            r#"{"a":1,}"#,
            r#"{"a" 1}"#,
            r#"{"a\"b":1}"#,
            r#"{1:2}"#,
            r#"[1}"#,
            r#"{"a":1]"#,
            r#"[1"#,
            r#"["a"#,
            r#"[[[1]]]"#,
            r#"["\u00e9"]"#,
            r#"[truex]"#,
            r#"[nul]"#,
            r#"[01]"#,
            r#"[-1]"#,
            r#"[1.5]"#,
            r#"[12345678901234567890]"#,
            r#"]"#,
            r#""#,
        ] {
            assert_eq!(skip(declined, 2), None, "{declined}");
        }
        // The depth allowed is the nesting inside the value.
        assert_eq!(skip(r#"[[1]]"#, 1), None);
        assert_eq!(skip(r#"[1]"#, 0), None);
        assert_eq!(skip(r#"{"a":[{"b":[1]}]}"#, 4), Some((0, 17)));
        assert_eq!(skip(r#"{"a":[{"b":[1]}]}"#, 3), None);
        assert_eq!(skip(r#""x""#, 0), Some((0, 3)));
    }

    #[test]
    fn walks_plain_objects_and_declines_the_rest() {
        let got = walk(r#"{"a":"x y","b": 12 ,"c":null,"d":true,"e":false,"f":0}"#).unwrap();
        let kinds: Vec<_> = got
            .iter()
            .map(|g| (g.0.as_str(), g.1, g.2.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("a", Scalar::Text, "x y"),
                ("b", Scalar::Number, "12"),
                ("c", Scalar::Null, ""),
                ("d", Scalar::Bool(true), "true"),
                ("e", Scalar::Bool(false), "false"),
                ("f", Scalar::Number, "0"),
            ]
        );
        assert_eq!(walk("{}").unwrap().len(), 0);
        for declined in [
            r#"{"a":-1}"#,
            r#"{"a":1.5}"#,
            r#"{"a":1e3}"#,
            r#"{"a":01}"#,
            r#"{"a":12345678901234567890}"#,
            r#"{"a":[1]}"#,
            r#"{"a":{}}"#,
            r#"{"a":nul}"#,
            r#"{"a":truex}"#,
            r#"{"a":1"b":2}"#,
            r#"{"a":1,}"#,
            r#"{,"a":1}"#,
            r#"{"a" 1}"#,
            r#"{"a":"x"} x"#,
            r#"{"a":"x"#,
            r#"{"a":1"#,
            r#"["a"]"#,
        ] {
            assert_eq!(walk(declined), None, "{declined}");
        }
        assert_eq!(
            walk(r#"{"a":"say \"hi\"\\\/\b\f\n\r\t."}"#).unwrap()[0].2,
            "say \"hi\"\\/\u{8}\u{c}\n\r\t."
        );
        assert_eq!(walk(r#"{"a":"\u00e9"}"#), None);
        assert_eq!(walk(r#"{"a":"\x"}"#), None);
        assert_eq!(walk(r#"{"a\"b":1}"#), None);
        assert_eq!(walk("{\"a\":\"x\ty\"}"), None);
        assert_eq!(walk("{\"a\":1,\n\"b\":2}"), None);
        assert_eq!(walk("{\"a\":\"é\"}").unwrap()[0].2, "é");
    }
}
