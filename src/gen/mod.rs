//! Synthetic exports for benchmarks, tests and demos (`rcx gen`, SPEC 6).
//!
//! [`write`](fn@write) streams a report of exactly [`GenOptions::rows`] data rows (or
//! segment objects) to any [`Write`]r. The output is a pure function of the
//! options: the same options and seed give the same bytes on every run and
//! every platform, because all arithmetic is integer (a splitmix64 stream,
//! an integer volume curve, hand-rolled number formatting).
//!
//! The data is shaped like a real contact center, not like noise:
//!
//! * interval reports are 15-minute rows in time order from local midnight
//!   of [`GenOptions::start`]; within an interval, every queue (Queue
//!   Statistics), every agent (Agent Statistics) or every agent in every one
//!   of its queues (Agent Extended) gets a row, so there are no duplicate
//!   keys and no gaps;
//! * volume follows a daily curve (night lows, a mid-morning peak, a smaller
//!   afternoon one, quieter weekends); agents work shifts and are idle
//!   outside them;
//! * every row obeys the logic rules of SPEC 3: answered within the service
//!   level ≤ answered; short + within-SL abandons ≤ abandoned; each longest
//!   queue time ≤ its total ≤ longest × count, and 0 with a zero count;
//!   transfers ≤ answered; no talk or wrap time without an answered call;
//! * queue and agent names include commas, double quotes, `&` and non-ASCII
//!   letters, so that writers and readers must quote and escape.
//!
//! Segments ([`GenReport::Segments`]) are cx v1 `interaction-metadata`
//! objects (SPEC 2.4) in interaction start order: inbound and outbound
//! voice calls, some digital conversations, IVR segments before inbound
//! voice calls, transfers (several agent segments per interaction) and
//! recordings with pauses (`REC_STOP` then `REC_START` inside a segment).
//! Timestamps are RFC 3339 UTC with milliseconds.
//!
//! ```
//! use ringcx_reports::gen::{self, GenFormat, GenOptions, GenReport};
//! use ringcx_reports::{QueueRow, ReaderBuilder};
//!
//! let opts = GenOptions::new(GenReport::Queue, 100).seed(7).format(GenFormat::Csv);
//! let mut bytes = Vec::new();
//! let stats = gen::write(&opts, &mut bytes)?;
//! assert_eq!(stats.rows, 100);
//!
//! let mut reader = ReaderBuilder::new().from_bytes("gen.csv", bytes)?;
//! let mut row = QueueRow::default();
//! let mut n = 0;
//! while reader.read_row(&mut row)? {
//!     assert!(row.ans_servicelevel_cnt <= row.answ_call_cnt);
//!     n += 1;
//! }
//! assert_eq!(n, 100);
//! # Ok::<(), ringcx_reports::Error>(())
//! ```

// The files, from the bottom up: `options` (what to generate, and the
// checks), `sink` (the output buffer and number formatting), `random` (the
// seeded stream and the daily volume curve), `names` (queue and agent names
// and ids), `counts` (what one interval row counts, by report), `interval`
// (the three interval reports in each wire form) and `segments` (cx v1
// interaction metadata). This file dispatches on the report.

mod counts;
mod interval;
mod names;
mod options;
mod random;
mod segments;
mod sink;

use std::io::Write;

use crate::error::Result;

pub use options::{GenFormat, GenOptions, GenReport, GenStats, DEFAULT_AGENTS, DEFAULT_QUEUES};

use interval::{IntervalGen, Shape};
use segments::SegmentGen;
use sink::Sink;

/// Writes the report described by `opts` to `out` and returns how much was
/// written. Memory use does not depend on `opts.rows`. Errors: a usage
/// error for impossible options (no queues, segments as CSV, dates past
/// year 9999), an I/O error when `out` fails (named `<output>`).
///
/// See the [module docs](self) for an example.
pub fn write(opts: &GenOptions, out: impl Write) -> Result<GenStats> {
    opts.check()?;
    if opts.pulls > 1 {
        return Err(crate::error::Error::usage(format!(
            "gen: {} above 1 writes several files; see gen::write_pulls",
            crate::option::OptionName::Pulls
        )));
    }
    let mut sink = Sink::new(out);
    let rows = match opts.report {
        GenReport::Queue => IntervalGen::new(opts, Shape::queue(opts.format)).run(&mut sink)?,
        GenReport::AgentExt => {
            IntervalGen::new(opts, Shape::agent_ext(opts.format)).run(&mut sink)?
        }
        GenReport::Agent => IntervalGen::new(opts, Shape::agent(opts.format)).run(&mut sink)?,
        GenReport::Segments => SegmentGen::new(opts).run(&mut sink)?,
    };
    sink.finish()?;
    Ok(GenStats {
        rows,
        bytes: sink.bytes,
        ..GenStats::default()
    })
}

/// Writes segments split into [`GenOptions::pulls`] window files, the
/// file of window `k` (from 0) to the writer `open(k)` returns, opened
/// when the window before it is written, and handed to `close` (to
/// commit it, say) once its own last byte is written and flushed. Window `k` holds the
/// interactions whose first segment is the `k × rows / pulls`-th or
/// later (each interaction whole, in time order); with
/// [`GenOptions::repull_pct`], the interactions holding the last that
/// percentage of a window's segments are written again at the start of
/// the next window, half of them (by a stream of their own) with their
/// last segment incomplete in the earlier copy: no recording events yet,
/// or, without events, no end time. The later copy is always the full
/// one, so the files merged as SPEC 5.1 says (the most complete copy of
/// each segment) give back the segments [`write`](fn@write) writes with
/// `pulls` 1, and those are the same bytes as without pulls. Memory: the
/// re-pulled copies of one window.
///
/// ```
/// use ringcx_reports::gen::{self, GenOptions, GenReport};
/// let opts = GenOptions::new(GenReport::Segments, 200).seed(5).pulls(3).repull_pct(20);
/// let mut files = vec![Vec::new(); 3];
/// let mut next = files.iter_mut();
/// let stats = gen::write_pulls(&opts, |_| Ok(next.next().expect("3 windows")), |_| Ok(()))?;
/// assert_eq!(stats.rows, 200);
/// assert!(stats.repulled > 0 && stats.refined <= stats.repulled);
/// # Ok::<(), ringcx_reports::Error>(())
/// ```
pub fn write_pulls<W: Write>(
    opts: &GenOptions,
    open: impl FnMut(u32) -> Result<W>,
    close: impl FnMut(W) -> Result<()>,
) -> Result<GenStats> {
    opts.check()?;
    if opts.report != GenReport::Segments {
        return Err(crate::error::Error::usage(format!(
            "gen: {} applies to segments only",
            crate::option::OptionName::Pulls
        )));
    }
    SegmentGen::new(opts).run_pulls(open, close)
}
