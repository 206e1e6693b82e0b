//! Progress counters for long reads: bytes consumed and rows read, shared
//! between the thread doing the work and whatever draws them (the `rcx`
//! progress bar). The library only counts; drawing is the CLI's business.
//!
//! Counting is cheap by design: bytes are added once per `read` call of the
//! underlying source (the reader asks for large blocks), rows in batches of
//! [`ROW_BATCH`], so the per-row cost is a local increment.
//!
//! ```
//! use std::io::Read;
//! use ringcx_reports::progress::{Progress, ProgressRead};
//! let progress = Progress::new();
//! let mut src = ProgressRead::new(&b"hello world"[..], progress.clone());
//! let mut buf = Vec::new();
//! src.read_to_end(&mut buf).unwrap();
//! assert_eq!(progress.bytes(), 11);
//! progress.add_rows(3);
//! assert_eq!(progress.rows(), 3);
//! ```

use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// How many rows a worker counts locally before adding them to a
/// [`Progress`].
pub const ROW_BATCH: u64 = 4096;

#[derive(Debug, Default)]
struct Inner {
    bytes: AtomicU64,
    rows: AtomicU64,
    total: AtomicU64,
    stage: Mutex<&'static str>,
}

/// Shared progress counters (a cheap handle: clones count into the same
/// totals).
#[derive(Clone, Debug, Default)]
pub struct Progress(Arc<Inner>);

impl Progress {
    /// New counters, all zero.
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds bytes consumed.
    pub fn add_bytes(&self, n: u64) {
        self.0.bytes.fetch_add(n, Ordering::Relaxed);
    }
    /// Adds rows read.
    pub fn add_rows(&self, n: u64) {
        self.0.rows.fetch_add(n, Ordering::Relaxed);
    }
    /// Adds to the number of bytes the whole run will consume (0 = unknown).
    pub fn add_total(&self, n: u64) {
        self.0.total.fetch_add(n, Ordering::Relaxed);
    }
    /// Names what the run is doing now (`reading`, `checking order`, …).
    pub fn set_stage(&self, stage: &'static str) {
        if let Ok(mut s) = self.0.stage.lock() {
            *s = stage;
        }
    }
    /// Bytes consumed so far.
    pub fn bytes(&self) -> u64 {
        self.0.bytes.load(Ordering::Relaxed)
    }
    /// Rows read so far.
    pub fn rows(&self) -> u64 {
        self.0.rows.load(Ordering::Relaxed)
    }
    /// Bytes the run will consume, 0 when unknown.
    pub fn total(&self) -> u64 {
        self.0.total.load(Ordering::Relaxed)
    }
    /// The current stage.
    pub fn stage(&self) -> &'static str {
        self.0.stage.lock().map(|s| *s).unwrap_or("")
    }
}

/// A byte source that adds what it yields to a [`Progress`].
#[derive(Debug)]
// Used by `rcx` to count bytes for its progress bar; not part of the supported API.
#[doc(hidden)]
pub struct ProgressRead<R> {
    inner: R,
    progress: Progress,
}

impl<R: Read> ProgressRead<R> {
    /// Wraps `inner`.
    pub fn new(inner: R, progress: Progress) -> Self {
        ProgressRead { inner, progress }
    }
}

impl<R: Read> Read for ProgressRead<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.add_bytes(n as u64);
        Ok(n)
    }
}

/// Counts rows locally and hands them to a [`Progress`] every
/// [`ROW_BATCH`] rows (and on drop), so the hot loop pays one increment.
#[derive(Debug)]
pub(crate) struct RowTicker<'a> {
    progress: Option<&'a Progress>,
    pending: u64,
}

impl<'a> RowTicker<'a> {
    pub(crate) fn new(progress: Option<&'a Progress>) -> Self {
        RowTicker {
            progress,
            pending: 0,
        }
    }
    #[inline]
    pub(crate) fn tick(&mut self) {
        self.pending += 1;
        if self.pending == ROW_BATCH {
            self.flush();
        }
    }
    fn flush(&mut self) {
        if let Some(p) = self.progress {
            p.add_rows(self.pending);
        }
        self.pending = 0;
    }
}

impl Drop for RowTicker<'_> {
    fn drop(&mut self) {
        self.flush();
    }
}
