//! Charts of a finished rollup (`rcx plot`, SPEC 6), as SVG or PNG.
//!
//! One panel per output key, stacked top to bottom in the table's key
//! order, up to [`PlotOptions::max_panels`]; the keys left out are counted
//! in a note at the foot of the image and in the returned [`PlotSummary`].
//! Every panel shares one x axis of categories: the union of the bucket
//! starts of the keys drawn, in instant order, so panels line up and a DST
//! day of 25 hours or the repeated fall-back hour is simply one more
//! category (labels that would read the same get their UTC offset).
//!
//! What each report draws:
//!
//! | report | bars (left axis) | lines (right axis, %) |
//! |---|---|---|
//! | Queue Statistics | offered, answered (calls) | service level %, abandon rate % |
//! | Agent Extended | answered (calls) | transfer rate % |
//! | Agent Statistics | work time (minutes) | none |
//!
//! The right axis runs from 0 to 100 %, further when a ratio passes 100
//! (ratios are not clamped, SPEC 4.3). A bucket whose ratio is empty (its
//! denominator is 0) leaves a gap in the line.
//!
//! Text is laid out with DejaVu Sans, bundled with the crate (its license is
//! in `assets/fonts/LICENSE-DejaVu.txt`), so a PNG renders the same on every
//! machine with no system font libraries. Output is deterministic: the same
//! table and options give the same bytes (no timestamps, no random ids).
//!
//! ```
//! use ringcx_reports::rollup::Rollup;
//! use ringcx_reports::window::BucketInterval;
//! use ringcx_reports::write::plot::{render, PlotFormat, PlotOptions};
//! use ringcx_reports::ReaderBuilder;
//!
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/queue_header.csv");
//! let table = Rollup::new()
//!     .interval(BucketInterval::Hour)
//!     .run_files(&[path], &ReaderBuilder::new())?;
//! let mut svg = Vec::new();
//! let summary = render(&table, &PlotOptions::default(), PlotFormat::Svg, &mut svg)?;
//! assert_eq!((summary.keys, summary.panels), (2, 2));
//! assert!(String::from_utf8(svg).unwrap().contains("5686 Sales"));
//! # Ok::<(), ringcx_reports::Error>(())
//! ```

// This file holds the public API (formats, options, `render` and the SVG or
// PNG output); `content` what a chart shows of a table (keys, series,
// values, titles, captions, x-axis labels); `draw` the header, legend and
// panels drawn with plotters; `font` the bundled font and the PNG backend
// that draws its glyphs.
mod content;
mod draw;
mod font;

use std::io::{self, Write};
use std::path::Path;

use plotters::prelude::*;

use self::content::{keys_of, subtitle_of, title_of};
use self::draw::{draw_err, Job};
use self::font::{font_family, glyph_font, GlyphBackend};
use crate::error::{Error, Result};
use crate::rollup::{keys_and_span, RollupHead, RollupTable, Span};
use crate::window::BucketInterval;
use crate::write::Destination;

/// The default image width in pixels.
pub const DEFAULT_WIDTH: u32 = 1100;
/// The default number of panels (keys) drawn.
pub const DEFAULT_MAX_PANELS: usize = 12;

const HEADER_H: u32 = 96;
const PANEL_H: u32 = 280;
const NOTE_H: u32 = 34;
const FOOT_PAD: u32 = 8;
const MIN_PANEL_H: u32 = 140;
const MIN_WIDTH: u32 = 480;

/// The image format, chosen from the output file's extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PlotFormat {
    /// Scalable vector graphics (text stays text).
    Svg,
    /// An 8-bit RGB PNG.
    Png,
}

impl PlotFormat {
    /// The format for `path`'s extension (`.svg` or `.png`, any case); any
    /// other extension is a usage error.
    ///
    /// ```
    /// use ringcx_reports::write::plot::PlotFormat;
    /// assert_eq!(PlotFormat::from_path("kpis.PNG")?, PlotFormat::Png);
    /// assert!(PlotFormat::from_path("kpis.pdf").unwrap_err().is_usage());
    /// # Ok::<(), ringcx_reports::Error>(())
    /// ```
    pub fn from_path(path: impl AsRef<Path>) -> Result<PlotFormat> {
        let path = path.as_ref();
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match ext.as_deref() {
            Some("svg") => Ok(PlotFormat::Svg),
            Some("png") => Ok(PlotFormat::Png),
            _ => Err(Error::usage(format!(
                "{}: the chart format follows the extension; expected .svg or .png",
                path.display()
            ))),
        }
    }
}

/// How a chart is laid out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlotOptions {
    /// Image width in pixels (default 1100; at least 480).
    pub width: u32,
    /// Image height in pixels; `None` sizes the image to its panels (280
    /// pixels each, plus the title and the note).
    pub height: Option<u32>,
    /// At most this many keys get a panel (default 12, at least 1).
    pub max_panels: usize,
    /// A title instead of the one made from the grouping, interval and zone.
    pub title: Option<String>,
}

impl PlotOptions {
    /// The most buckets a panel draws: one per pixel column. A head of a
    /// longer span is merged into coarser buckets
    /// ([`RollupOutput::head_fitting`]).
    ///
    /// [`RollupOutput::head_fitting`]: crate::rollup::RollupOutput::head_fitting
    pub fn max_buckets(&self) -> usize {
        self.width as usize
    }
}

impl Default for PlotOptions {
    fn default() -> Self {
        PlotOptions {
            width: DEFAULT_WIDTH,
            height: None,
            max_panels: DEFAULT_MAX_PANELS,
            title: None,
        }
    }
}

/// What [`render`] drew.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlotSummary {
    /// Output keys in the table.
    pub keys: usize,
    /// Keys that got a panel (the first `max_panels` in key order).
    pub panels: usize,
    /// Image width in pixels.
    pub width: u32,
    /// Image height in pixels.
    pub height: u32,
}

impl PlotSummary {
    /// Keys left out because of [`PlotOptions::max_panels`].
    pub fn hidden(&self) -> usize {
        self.keys - self.panels
    }
}

/// Renders `table` as a chart in `format` to `out`.
///
/// Fails with a usage error when the options cannot make a readable image
/// (width under 480 pixels, `max_panels` of 0, or a height that leaves a
/// panel under 140 pixels), and with an I/O error when `out` fails.
pub fn render<W: Write>(
    table: &RollupTable,
    opts: &PlotOptions,
    format: PlotFormat,
    out: W,
) -> Result<PlotSummary> {
    let (keys, span) = keys_and_span(table.records());
    render_chart(table, (keys, span, None), opts, format, out)
}

/// Renders the first keys of a rollup ([`RollupOutput::head`] of at least
/// `opts.max_panels` keys), as [`render`] renders the whole table: the
/// subtitle and the note count every key of the result.
///
/// [`RollupOutput::head`]: crate::rollup::RollupOutput::head
pub fn render_head<W: Write>(
    head: &RollupHead,
    opts: &PlotOptions,
    format: PlotFormat,
    out: W,
) -> Result<PlotSummary> {
    let whole = (head.keys(), head.span(), head.merged_from());
    render_chart(head.table(), whole, opts, format, out)
}

/// The keys and span of the whole result a table is the head of, and the
/// interval its buckets were merged from.
type Whole = (usize, Option<Span>, Option<BucketInterval>);

fn render_chart<W: Write>(
    table: &RollupTable,
    (all_keys, span, merged_from): Whole,
    opts: &PlotOptions,
    format: PlotFormat,
    mut out: W,
) -> Result<PlotSummary> {
    let family = font_family()?;
    if opts.max_panels == 0 {
        return Err(Error::usage("max panels must be at least 1"));
    }
    if opts.width < MIN_WIDTH {
        return Err(Error::usage(format!(
            "a chart {} pixels wide is too narrow; use at least {MIN_WIDTH}",
            opts.width
        )));
    }
    let keys = keys_of(table);
    let panels = keys.len().min(opts.max_panels);
    let hidden = all_keys.saturating_sub(panels);
    let foot = if hidden > 0 { NOTE_H } else { FOOT_PAD };
    let slots = panels.max(1) as u32;
    let height = match opts.height {
        Some(h) => {
            let need = HEADER_H + foot + slots * MIN_PANEL_H;
            if h < need {
                return Err(Error::usage(format!(
                    "a chart {h} pixels high leaves less than {MIN_PANEL_H} pixels per panel \
                     for {slots} panel(s); use at least {need}, or fewer panels"
                )));
            }
            h
        }
        None => HEADER_H + foot + slots * PANEL_H,
    };
    let size = (opts.width, height);
    let summary = PlotSummary {
        keys: all_keys,
        panels,
        width: opts.width,
        height,
    };
    let job = Job {
        table,
        keys: &keys[..panels],
        hidden,
        title: opts.title.clone().unwrap_or_else(|| title_of(table)),
        subtitle: subtitle_of(table, span, all_keys, panels, merged_from),
        family,
        foot,
    };
    let name = "<chart output>";
    match format {
        PlotFormat::Svg => {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
                job.draw(&root)?;
                root.present().map_err(draw_err)?;
            }
            out.write_all(svg.as_bytes())
                .map_err(|e| Error::io(name, e))?;
        }
        PlotFormat::Png => {
            let mut buf = vec![0u8; opts.width as usize * height as usize * 3];
            {
                let backend = GlyphBackend {
                    inner: BitMapBackend::with_buffer(&mut buf, size),
                    font: glyph_font()?,
                };
                let root = backend.into_drawing_area();
                job.draw(&root)?;
                root.present().map_err(draw_err)?;
            }
            let mut enc = png::Encoder::new(&mut out, opts.width, height);
            enc.set_color(png::ColorType::Rgb);
            enc.set_depth(png::BitDepth::Eight);
            let to_io = |e: png::EncodingError| match e {
                png::EncodingError::IoError(e) => Error::io(name, e),
                other => Error::io(name, io::Error::other(other.to_string())),
            };
            let mut w = enc.write_header().map_err(to_io)?;
            w.write_image_data(&buf).map_err(to_io)?;
            w.finish().map_err(to_io)?;
        }
    }
    out.flush().map_err(|e| Error::io(name, e))?;
    Ok(summary)
}

/// Renders `table` to `path` through a [`Destination`] (a regular file is
/// replaced atomically, a device or FIFO written through), in the
/// format its extension names (see [`PlotFormat::from_path`]).
///
/// ```
/// use ringcx_reports::rollup::Rollup;
/// use ringcx_reports::window::BucketInterval;
/// use ringcx_reports::write::plot::{render_to_path, PlotOptions};
/// use ringcx_reports::ReaderBuilder;
///
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/agent_ext_quoted.csv");
/// let table = Rollup::new()
///     .interval(BucketInterval::Day)
///     .run_files(&[path], &ReaderBuilder::new())?;
/// let out = std::env::temp_dir().join(format!("rcx-plot-doc-{}.png", std::process::id()));
/// let summary = render_to_path(&table, &PlotOptions::default(), &out)?;
/// let png = std::fs::read(&out).unwrap();
/// assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
/// assert_eq!(summary.width, 1100);
/// # std::fs::remove_file(&out).unwrap();
/// # Ok::<(), ringcx_reports::Error>(())
/// ```
pub fn render_to_path(
    table: &RollupTable,
    opts: &PlotOptions,
    path: impl AsRef<Path>,
) -> Result<PlotSummary> {
    to_path(path.as_ref(), |format, file| {
        render(table, opts, format, file)
    })
}

/// Renders the first keys of a rollup to `path`, as [`render_to_path`]
/// renders a table (see [`render_head`]).
pub fn render_head_to_path(
    head: &RollupHead,
    opts: &PlotOptions,
    path: impl AsRef<Path>,
) -> Result<PlotSummary> {
    to_path(path.as_ref(), |format, file| {
        render_head(head, opts, format, file)
    })
}

/// Renders with `render` into a [`Destination`] at `path`, in the format
/// its extension names.
fn to_path(
    path: &Path,
    render: impl FnOnce(PlotFormat, &mut Destination) -> Result<PlotSummary>,
) -> Result<PlotSummary> {
    let format = PlotFormat::from_path(path)?;
    let mut file = Destination::create(path)?;
    let summary = render(format, &mut file)?;
    file.commit()?;
    Ok(summary)
}
