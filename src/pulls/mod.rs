//! Planning interaction-metadata pulls (SPEC 5.1, `rcx pulls plan`).
//!
//! RingCX's `interactionMetadata` export is pulled one window at a time. The
//! request body names the window by its end and its length:
//!
//! ```json
//! {"segmentEndTime":"2021-02-28 08:27:15","timeInterval":1800,"timeZone":"US/Eastern"}
//! ```
//!
//! (the shape of the sample request published with the endpoint: the end is
//! a local wall-clock time `yyyy-MM-dd HH:mm:ss` in `timeZone`, the length is
//! seconds, at most 3600). An integrator must pull completed windows only
//! and cover a range without gaps or overlaps; [`plan`] computes those
//! windows.
//!
//! - Windows tile `[from, to)` from `from` on, each `interval` seconds long
//!   in absolute time, so a DST day in a zone with a one-hour shift gives 23
//!   or 25 hourly windows. When `to − from` is not a multiple of the
//!   interval, the last window is shorter (its `timeInterval` smaller); the
//!   range is covered exactly, never past `to`.
//! - A window whose end is after `now` has not completed: it is left out of
//!   [`PullPlan::windows`] and counted in [`PullPlan::left_out`].
//! - `segmentEndTime` is written as the documented sample writes it, local
//!   time in the zone without an offset. A local time in a repeated
//!   fall-back hour names two instants, and the published documentation
//!   does not say which one the API takes; such a window's body names its
//!   end in UTC instead (`timeZone` `"UTC"`), the same instant without the
//!   ambiguity (chosen here; the documentation is silent).
//!   [`PullPlan::in_utc`] counts them.
//! - Bounds are whole seconds: the documented end has no fraction.
//!
//! [`file_span`] and [`check`] (`rcx pulls check`) read pulled files back:
//! windows between the earliest and the latest segment end that hold no
//! segment end (gaps), and files whose spans of segment ends intersect
//! (overlaps), and files pulled before their window completed. That last
//! check needs the time of the pull, which the export does not carry: a
//! file name or a manifest gives it ([`pulled`] says how, and
//! [`pull_time`] reads it); a file whose pull time is not given is counted
//! as not checked, never guessed.
//!
//! ```
//! use chrono::{DateTime, Utc};
//! use ringcx_reports::pulls::plan;
//! use ringcx_reports::window::TimeBound;
//!
//! let tz: chrono_tz::Tz = "America/New_York".parse().unwrap();
//! let now: DateTime<Utc> = "2024-12-01T00:00:00Z".parse().unwrap();
//! let p = plan("2024-11-03".parse()?, "2024-11-04".parse()?, tz, 3600, now)?;
//! assert_eq!(p.windows.len(), 25); // the fall-back day
//! // 00:00-01:00 EDT ends at a local 01:00 that happens twice: named in UTC.
//! let body = p.windows[0].body(tz);
//! assert_eq!(body.segment_end_time, "2024-11-03 05:00:00");
//! assert_eq!(body.time_zone, "UTC");
//! // 01:00-02:00 EST ends at 02:00 EST, which happens once.
//! let body = p.windows[2].body(tz);
//! assert_eq!(body.segment_end_time, "2024-11-03 02:00:00");
//! assert_eq!(body.time_interval, 3600);
//! assert_eq!(body.time_zone, "America/New_York");
//! # Ok::<(), ringcx_reports::Error>(())
//! ```

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, LocalResult, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::Segment;
use crate::option::OptionName;
use crate::read::Reader;
use crate::window::TimeBound;

pub mod pulled;

pub use pulled::{pull_time, pulled_at_in_name, Manifest, ManifestEntry, PullSource, PullTime};

/// The longest window the API takes, in seconds.
pub const MAX_INTERVAL_SECONDS: u32 = 3600;

/// One window `[start, end)`, Unix seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PullWindow {
    /// First second of the window.
    pub start: i64,
    /// The window's end (exclusive): its `segmentEndTime`.
    pub end: i64,
}

/// The request body of one pull, in the API's key order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RequestBody {
    /// The window's end, `yyyy-MM-dd HH:mm:ss` in [`time_zone`](Self::time_zone).
    #[serde(rename = "segmentEndTime")]
    pub segment_end_time: String,
    /// The window's length in seconds.
    #[serde(rename = "timeInterval")]
    pub time_interval: i64,
    /// The zone `segment_end_time` is read in.
    #[serde(rename = "timeZone")]
    pub time_zone: String,
}

impl PullWindow {
    /// The window's length in seconds.
    pub fn seconds(&self) -> i64 {
        self.end - self.start
    }

    /// Whether the local end in `tz` is a wall-clock time that occurs twice
    /// (inside a repeated fall-back hour).
    pub fn end_is_ambiguous(&self, tz: Tz) -> bool {
        let local = end_utc(self.end).with_timezone(&tz).naive_local();
        matches!(tz.from_local_datetime(&local), LocalResult::Ambiguous(..))
    }

    /// The request body: the end in `tz`, or in UTC when the local end is
    /// ambiguous (see the [module docs](self)).
    pub fn body(&self, tz: Tz) -> RequestBody {
        let at = end_utc(self.end);
        let (segment_end_time, time_zone) = if self.end_is_ambiguous(tz) {
            (at.format(END_FORMAT).to_string(), "UTC".to_string())
        } else {
            (
                at.with_timezone(&tz).format(END_FORMAT).to_string(),
                tz.name().to_string(),
            )
        };
        RequestBody {
            segment_end_time,
            time_interval: self.seconds(),
            time_zone,
        }
    }
}

const END_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

fn end_utc(t: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(t, 0).unwrap_or_default()
}

/// The windows to pull, and what was left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PullPlan {
    /// Completed windows, in time order.
    pub windows: Vec<PullWindow>,
    /// How many windows of the range end after `now`.
    pub left_out: usize,
    /// The end of the last window left out (the range's end), when any was.
    pub left_out_until: Option<i64>,
}

impl PullPlan {
    /// How many bodies name their end in UTC because the local end is
    /// ambiguous in `tz`.
    pub fn in_utc(&self, tz: Tz) -> usize {
        self.windows
            .iter()
            .filter(|w| w.end_is_ambiguous(tz))
            .count()
    }
}

/// The windows of `interval` seconds that tile `[from, to)` (local bounds
/// read in `tz`; a local time in a skipped hour is the first instant after
/// the gap, one in a repeated hour its earlier reading), keeping those that
/// end at or before `now`.
///
/// Errors (usage): an interval of 0 or over 3600 seconds, a bound with a
/// fraction of a second, `from` not before `to`.
pub fn plan(
    from: TimeBound,
    to: TimeBound,
    tz: Tz,
    interval: u32,
    now: DateTime<Utc>,
) -> Result<PullPlan> {
    check_interval(interval)?;
    for (name, b) in [(OptionName::From, &from), (OptionName::To, &to)] {
        if let TimeBound::Instant(t) = b {
            if t.timestamp_subsec_nanos() != 0 {
                return Err(Error::usage(format!(
                    "{name} must be a whole second (segmentEndTime has no fraction), not {}",
                    t.to_rfc3339()
                )));
            }
        }
    }
    let (start, end) = (from.resolve(&tz), to.resolve(&tz));
    if start >= end {
        return Err(Error::usage(format!(
            "{} must be before {}: {} is not before {}",
            OptionName::From,
            OptionName::To,
            end_utc(start).with_timezone(&tz).to_rfc3339(),
            end_utc(end).with_timezone(&tz).to_rfc3339(),
        )));
    }
    let now = now.timestamp();
    let mut windows = Vec::new();
    let (mut left_out, mut left_out_until) = (0, None);
    let mut s = start;
    while s < end {
        let e = (s + i64::from(interval)).min(end);
        if e <= now {
            windows.push(PullWindow { start: s, end: e });
        } else {
            left_out += 1;
            left_out_until = Some(e);
        }
        s = e;
    }
    Ok(PullPlan {
        windows,
        left_out,
        left_out_until,
    })
}

/// What the segments of one file say about the window it was pulled for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileSpan {
    /// The file, as the reader names it.
    pub file: Arc<str>,
    /// Segments read.
    pub segments: u64,
    /// Segments without an end time (they place no window).
    pub without_end: u64,
    /// The earliest and the latest segment end, Unix milliseconds.
    pub ends: Option<(i64, i64)>,
    /// The windows (index = end ms ÷ interval ms) that hold a segment end.
    windows: BTreeSet<i64>,
    /// When the file was pulled, when known. [`file_span`] leaves it
    /// `None`; the caller sets it, e.g. from [`pull_time`].
    pub pulled: Option<PullTime>,
}

/// A range of time covered by two files (a window pulled twice).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overlap {
    /// The file whose first segment end is earlier (or the same, first named).
    pub first: Arc<str>,
    /// The other file.
    pub second: Arc<str>,
    /// The span of segment ends both files cover, Unix milliseconds.
    pub from_ms: i64,
    /// End of that span (inclusive), Unix milliseconds.
    pub to_ms: i64,
}

/// Consecutive windows with no segment end in any file, `[start, end)` in
/// Unix seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gap {
    /// Start of the first empty window.
    pub start: i64,
    /// End of the last empty window.
    pub end: i64,
}

/// A file pulled before its window ended, or less than the late margin
/// after.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EarlyPull {
    /// The file.
    pub file: Arc<str>,
    /// The pull instant, Unix milliseconds.
    pub pulled_ms: i64,
    /// The window's end, Unix milliseconds.
    pub window_end_ms: i64,
    /// Whether the window's end was given (a manifest's `window_end`);
    /// otherwise it is the end of the window that holds the file's latest
    /// segment end.
    pub window_given: bool,
}

/// Why a file's completion could not be checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum NotCheckedReason {
    /// Neither the file name nor a manifest says when it was pulled.
    UnknownPullTime,
    /// The pull time is known, but the file holds no segment end and no
    /// window end was given, so its window is unknown.
    UnknownWindow,
}

/// The result of [`check`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckReport {
    /// Each file's segments and segment-end span, in the order given.
    pub files: Vec<FileSpan>,
    /// Pairs of files whose segment-end spans intersect.
    pub overlaps: Vec<Overlap>,
    /// Empty windows between the earliest and the latest segment end.
    pub gaps: Vec<Gap>,
    /// Files pulled before their window ended, by window end, pull
    /// instant, then file.
    pub early: Vec<EarlyPull>,
    /// Files pulled when their window had ended, but less than the late
    /// margin after (recording URLs that arrive late may be missing), in
    /// the same order.
    pub within_margin: Vec<EarlyPull>,
    /// Files whose completion could not be checked, and why, in the order
    /// given.
    pub not_checked: Vec<(Arc<str>, NotCheckedReason)>,
}

/// Reads the segments of `reader` and notes which windows of `interval`
/// seconds (counted from the Unix epoch, so hour windows are clock hours in
/// UTC and in every zone a whole number of hours from it) hold a segment
/// end.
///
/// Errors: the reader's (a file that is not interaction metadata, a
/// defective segment), and an interval of 0 or over 3600 seconds.
pub fn file_span(reader: &mut Reader, interval: u32) -> Result<FileSpan> {
    check_interval(interval)?;
    let step = i64::from(interval) * 1000;
    let mut span = FileSpan {
        file: reader.file().clone(),
        segments: 0,
        without_end: 0,
        ends: None,
        windows: BTreeSet::new(),
        pulled: None,
    };
    let mut seg = Segment::default();
    while reader.read_segment(&mut seg)? {
        span.segments += 1;
        let Some(end) = seg.segment_end else {
            span.without_end += 1;
            continue;
        };
        let ms = end.timestamp_millis();
        span.ends = Some(match span.ends {
            None => (ms, ms),
            Some((a, b)) => (a.min(ms), b.max(ms)),
        });
        span.windows.insert(ms.div_euclid(step));
    }
    Ok(span)
}

/// Gaps and overlaps of the files' segment ends: a window of `interval`
/// seconds between the earliest and the latest end that holds no end in
/// any file is a gap (consecutive ones are merged); two files whose spans
/// of segment ends intersect overlap (a window pulled twice, or pulls of
/// overlapping windows). A gap may also be a quiet time with no calls: the
/// export cannot tell the two apart.
///
/// A file whose [pull time](FileSpan::pulled) is known is checked against
/// its window's end: the given one ([`PullTime::window_end_ms`]), else the
/// end of the window of `interval` seconds that holds its latest segment
/// end. Pulled before that end, the window had not completed
/// ([`CheckReport::early`]); pulled at or after it but less than
/// `late_margin_seconds` after, recording URLs that arrive late may be
/// missing ([`CheckReport::within_margin`]; a margin of 0 reports none).
///
/// ```
/// use ringcx_reports::pulls::{check, file_span, PullTime, PullSource};
/// use ringcx_reports::ReaderBuilder;
/// let seg = r#"{"interactionId":"i","segmentID":"s","interactionDirection":"INBOUND","segmentContactStartTimeMs":"2024-07-22T10:20:00Z","segmentContactEndTimeMs":"2024-07-22T10:40:00Z"}"#;
/// let mut r = ReaderBuilder::new().from_reader("h10.json", seg.as_bytes())?;
/// let mut span = file_span(&mut r, 3600)?;
/// // Pulled at 10:50Z: the window of 10:40, 10:00-11:00, had not ended.
/// span.pulled = Some(PullTime {
///     at_ms: "2024-07-22T10:50:00Z".parse::<chrono::DateTime<chrono::Utc>>().unwrap().timestamp_millis(),
///     window_end_ms: None,
///     source: PullSource::Name,
/// });
/// let report = check(vec![span], 3600, 120)?;
/// assert_eq!(report.early.len(), 1);
/// assert_eq!(report.early[0].window_end_ms - report.early[0].pulled_ms, 10 * 60 * 1000);
/// # Ok::<(), ringcx_reports::Error>(())
/// ```
pub fn check(files: Vec<FileSpan>, interval: u32, late_margin_seconds: u32) -> Result<CheckReport> {
    check_interval(interval)?;
    let step = i64::from(interval);
    let margin_ms = i64::from(late_margin_seconds) * 1000;
    let (mut early, mut within_margin, mut not_checked) = (Vec::new(), Vec::new(), Vec::new());
    for f in &files {
        let Some(p) = &f.pulled else {
            not_checked.push((f.file.clone(), NotCheckedReason::UnknownPullTime));
            continue;
        };
        let inferred = f
            .ends
            .map(|(_, last)| (last.div_euclid(step * 1000) + 1) * step * 1000);
        let Some(window_end_ms) = p.window_end_ms.or(inferred) else {
            not_checked.push((f.file.clone(), NotCheckedReason::UnknownWindow));
            continue;
        };
        let e = EarlyPull {
            file: f.file.clone(),
            pulled_ms: p.at_ms,
            window_end_ms,
            window_given: p.window_end_ms.is_some(),
        };
        if p.at_ms < window_end_ms {
            early.push(e);
        } else if p.at_ms - window_end_ms < margin_ms {
            within_margin.push(e);
        }
    }
    for v in [&mut early, &mut within_margin] {
        v.sort_by(|a, b| {
            (a.window_end_ms, a.pulled_ms, &a.file).cmp(&(b.window_end_ms, b.pulled_ms, &b.file))
        });
    }
    let mut order: Vec<usize> = (0..files.len())
        .filter(|&i| files[i].ends.is_some())
        .collect();
    order.sort_by_key(|&i| files[i].ends);
    let mut overlaps = Vec::new();
    for (k, &i) in order.iter().enumerate() {
        let Some((_, a1)) = files[i].ends else {
            continue;
        };
        for &j in &order[k + 1..] {
            let Some((b0, b1)) = files[j].ends else {
                continue;
            };
            if b0 > a1 {
                break;
            }
            overlaps.push(Overlap {
                first: files[i].file.clone(),
                second: files[j].file.clone(),
                from_ms: b0,
                to_ms: a1.min(b1),
            });
        }
    }
    let all: BTreeSet<i64> = files
        .iter()
        .flat_map(|f| f.windows.iter().copied())
        .collect();
    let mut gaps: Vec<Gap> = Vec::new();
    let mut prev: Option<i64> = None;
    for &w in &all {
        if let Some(p) = prev {
            if w > p + 1 {
                gaps.push(Gap {
                    start: (p + 1) * step,
                    end: w * step,
                });
            }
        }
        prev = Some(w);
    }
    Ok(CheckReport {
        files,
        overlaps,
        gaps,
        early,
        within_margin,
        not_checked,
    })
}

fn check_interval(interval: u32) -> Result<()> {
    if interval == 0 || interval > MAX_INTERVAL_SECONDS {
        return Err(Error::usage(format!(
            "interval seconds must be 1 to {MAX_INTERVAL_SECONDS} (the API's longest \
             timeInterval), not {interval}"
        )));
    }
    Ok(())
}
