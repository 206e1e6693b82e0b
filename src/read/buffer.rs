//! The one refill buffer every streaming reader of `read` stands on: wire
//! form detection peeks into it, the CSV source tokenizes records in it and
//! the JSON reader frames elements in it.
//!
//! It holds the bytes read but not yet consumed (`pending`), compacts them
//! to the front before each read, and doubles when full, so it grows only
//! to hold one record whatever the size of the input. It counts bytes, not
//! lines: each reader counts lines in what it consumes.

use std::io::Read;

/// A growable buffer over `R`, refilled one `read` at a time.
pub(crate) struct Buffer<R> {
    rdr: R,
    buf: Vec<u8>,
    /// Bytes `start..end` of `buf` are read and not consumed.
    start: usize,
    end: usize,
    /// The reader returned 0 bytes: nothing more will come.
    eof: bool,
    /// Byte offset of `buf[0]` in the source.
    base: u64,
}

impl<R: Read> Buffer<R> {
    /// An empty buffer of `size` bytes (at least 1) over `rdr`, whose first
    /// byte sits at offset `base` of the source.
    pub fn new(rdr: R, base: u64, size: usize) -> Self {
        Buffer {
            rdr,
            buf: vec![0; size.max(1)],
            start: 0,
            end: 0,
            eof: false,
            base,
        }
    }

    /// A buffer over `rdr` that starts with `pending`, bytes read from the
    /// source before `rdr` goes on, the first of them at offset `base`; it
    /// has room for at least `size` bytes.
    #[cfg_attr(not(feature = "json"), allow(dead_code))]
    pub fn with_pending(rdr: R, pending: Vec<u8>, base: u64, size: usize) -> Self {
        let mut buf = pending;
        let end = buf.len();
        if buf.len() < size.max(1) {
            buf.resize(size.max(1), 0);
        }
        Buffer {
            rdr,
            buf,
            start: 0,
            end,
            eof: false,
            base,
        }
    }

    /// Bytes available but not consumed.
    #[inline]
    pub fn pending(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// The byte offset in the source of the next unconsumed byte.
    #[inline]
    pub fn offset(&self) -> u64 {
        self.base + self.start as u64
    }

    /// Where the first pending byte sits in [`data`](Self::data): ranges of
    /// the buffer taken from it stay valid until the next
    /// [`fill`](Self::fill).
    #[inline]
    pub fn start(&self) -> usize {
        self.start
    }

    /// Everything read into the buffer up to the last pending byte, consumed
    /// bytes included (see [`start`](Self::start)).
    #[inline]
    pub fn data(&self) -> &[u8] {
        &self.buf[..self.end]
    }

    /// Whether the source has ended (a read returned nothing).
    #[inline]
    pub fn eof(&self) -> bool {
        self.eof
    }

    /// Consumes `n` pending bytes (at most all of them).
    #[inline]
    pub fn consume(&mut self, n: usize) {
        self.start += n.min(self.end - self.start);
    }

    /// Reads more input, compacting and growing the buffer as needed.
    /// Returns false when nothing more could be read (end of input).
    pub fn fill(&mut self) -> std::io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.base += self.start as u64;
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            // Double: a tiny initial buffer stays tiny (so tests can put every
            // boundary inside a record) and grows only to hold one record.
            let grow = self.buf.len();
            self.buf.resize(self.buf.len() + grow, 0);
        }
        loop {
            match self.rdr.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// Ensures at least `n` pending bytes (or end of input).
    pub fn fill_to(&mut self, n: usize) -> std::io::Result<()> {
        while self.end - self.start < n && self.fill()? {}
        Ok(())
    }

    /// Gives up the buffer: the bytes read but not consumed, the offset of
    /// the first of them, and the underlying reader (for a reader with a
    /// buffer of its own, after detection has peeked at the start).
    #[cfg_attr(not(any(feature = "xml", feature = "json")), allow(dead_code))]
    pub fn into_parts(self) -> (Vec<u8>, u64, R) {
        let offset = self.offset();
        let pending = self.buf[self.start..self.end].to_vec();
        (pending, offset, self.rdr)
    }
}
