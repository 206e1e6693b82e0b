//! The progress bar: drawn on stderr only when it is a terminal and
//! `--quiet` is not given. The library counts bytes and rows into a
//! [`Progress`]; a small thread reads the counters a few times a second and
//! redraws, so the reading loop never waits on the terminal.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use indicatif::{HumanCount, ProgressBar, ProgressDrawTarget, ProgressStyle};
use ringcx_reports::progress::Progress;
use ringcx_reports::ReaderBuilder;

const TICK: Duration = Duration::from_millis(120);

/// A live progress bar; cleared when dropped.
pub struct Bar {
    progress: Progress,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Bar {
    /// A bar for a run labelled `stage`, or `None` when nothing should be
    /// drawn (quiet, or stderr is not a terminal).
    pub fn start(quiet: bool, stage: &'static str) -> Option<Bar> {
        if quiet || !io::stderr().is_terminal() {
            return None;
        }
        let progress = Progress::new();
        progress.set_stage(stage);
        let stop = Arc::new(AtomicBool::new(false));
        let pb = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        let thread = {
            let progress = progress.clone();
            let stop = stop.clone();
            std::thread::spawn(move || draw(pb, progress, stop))
        };
        Some(Bar {
            progress,
            stop,
            thread: Some(thread),
        })
    }

    /// The counters the work adds to.
    pub fn progress(&self) -> &Progress {
        &self.progress
    }

    /// Adds the sizes of `paths` as read (decoded, for compressed input)
    /// to the expected total.
    pub fn add_files<'a>(&self, paths: impl IntoIterator<Item = &'a Path>) {
        for p in paths {
            if let Some(n) = ReaderBuilder::input_len(p) {
                self.progress.add_total(n);
            }
        }
    }

    /// A bar for reading `paths` (see [`start`](Self::start)), its total
    /// their sizes.
    pub fn for_files(quiet: bool, stage: &'static str, paths: &[PathBuf]) -> Option<Bar> {
        let bar = Bar::start(quiet, stage)?;
        bar.add_files(paths.iter().map(PathBuf::as_path));
        Some(bar)
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn draw(pb: ProgressBar, progress: Progress, stop: Arc<AtomicBool>) {
    let with_total = ProgressStyle::with_template(
        "{spinner} {msg} [{wide_bar}] {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} eta {eta}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    let without_total =
        ProgressStyle::with_template("{spinner} {msg} {binary_bytes} {binary_bytes_per_sec}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
    let mut styled_total = None;
    while !stop.load(Ordering::Relaxed) {
        let total = progress.total();
        let has_total = total > 0;
        if styled_total != Some(has_total) {
            pb.set_style(if has_total {
                with_total.clone()
            } else {
                without_total.clone()
            });
            styled_total = Some(has_total);
        }
        if has_total {
            pb.set_length(total);
        }
        pb.set_position(progress.bytes());
        let rows = progress.rows();
        let secs = pb.elapsed().as_secs_f64();
        let msg = if rows > 0 && secs > 0.0 {
            format!(
                "{}: {} rows, {} rows/s",
                progress.stage(),
                HumanCount(rows),
                HumanCount((rows as f64 / secs) as u64)
            )
        } else {
            progress.stage().to_string()
        };
        pb.set_message(msg);
        pb.tick();
        std::thread::sleep(TICK);
    }
    pb.finish_and_clear();
}

/// Counts the lines written through it as rows (one NDJSON object or CSV
/// record per line; a CSV name with a line break in it counts twice, which
/// a progress display can live with).
pub struct LineCounter<W> {
    inner: W,
    progress: Option<Progress>,
}

impl<W: Write> LineCounter<W> {
    pub fn new(inner: W, progress: Option<Progress>) -> Self {
        LineCounter { inner, progress }
    }
    pub fn into_inner(self) -> W {
        self.inner
    }
}

impl<W: Write> Write for LineCounter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        if let Some(p) = &self.progress {
            p.add_rows(memchr::memchr_iter(b'\n', &buf[..n]).count() as u64);
        }
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
