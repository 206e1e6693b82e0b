//! The output buffer in front of the writer, and the number formatting
//! every row uses (integer only, so the bytes never depend on a platform).

use std::io::Write;

use crate::error::{Error, Result};

const FLUSH_AT: usize = 1 << 16;

/// A reused buffer in front of the writer: rows are formatted into it and
/// it is handed on in blocks of about 64 KiB.
pub(super) struct Sink<W: Write> {
    pub(super) buf: Vec<u8>,
    out: W,
    pub(super) bytes: u64,
}

fn io_err(e: std::io::Error) -> Error {
    Error::io("<output>", e)
}

impl<W: Write> Sink<W> {
    pub(super) fn new(out: W) -> Self {
        Sink {
            buf: Vec::with_capacity(FLUSH_AT + 4096),
            out,
            bytes: 0,
        }
    }
    #[inline]
    pub(super) fn put(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }
    #[inline]
    pub(super) fn num(&mut self, v: u64) {
        push_u64(&mut self.buf, v);
    }
    #[inline]
    pub(super) fn maybe_flush(&mut self) -> Result<()> {
        if self.buf.len() >= FLUSH_AT {
            self.flush_buf()?;
        }
        Ok(())
    }
    fn flush_buf(&mut self) -> Result<()> {
        self.out.write_all(&self.buf).map_err(io_err)?;
        self.bytes += self.buf.len() as u64;
        self.buf.clear();
        Ok(())
    }
    pub(super) fn finish(&mut self) -> Result<()> {
        self.flush_buf()?;
        self.out.flush().map_err(io_err)
    }
    /// The writer, once [`finish`](Self::finish)ed.
    pub(super) fn into_inner(self) -> W {
        self.out
    }
}

const DIGITS2: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Appends the decimal digits of `v`.
#[inline]
pub(super) fn push_u64(out: &mut Vec<u8>, mut v: u64) {
    if v < 10 {
        out.push(b'0' + v as u8);
        return;
    }
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    while v >= 100 {
        let d = (v % 100) as usize * 2;
        v /= 100;
        i -= 2;
        tmp[i..i + 2].copy_from_slice(&DIGITS2[d..d + 2]);
    }
    if v >= 10 {
        let d = v as usize * 2;
        i -= 2;
        tmp[i..i + 2].copy_from_slice(&DIGITS2[d..d + 2]);
    } else {
        i -= 1;
        tmp[i] = b'0' + v as u8;
    }
    out.extend_from_slice(&tmp[i..]);
}

/// Appends `v` as exactly `width` digits (zero-padded; `v` must fit).
#[inline]
pub(super) fn push_padded(out: &mut Vec<u8>, v: u64, width: usize) {
    let start = out.len();
    out.resize(start + width, b'0');
    let mut v = v;
    for b in out[start..].iter_mut().rev() {
        *b = b'0' + (v % 10) as u8;
        v /= 10;
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_format_like_display() {
        for v in [
            0u64,
            7,
            10,
            99,
            100,
            101,
            999,
            1000,
            65_535,
            1_234_567,
            u64::MAX,
        ] {
            let mut b = Vec::new();
            push_u64(&mut b, v);
            assert_eq!(String::from_utf8(b).unwrap(), v.to_string());
        }
        let mut b = Vec::new();
        push_padded(&mut b, 7, 3);
        assert_eq!(b, b"007");
    }
}
