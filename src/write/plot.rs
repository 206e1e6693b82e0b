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
//! use ringcx_reports::rollup::{BucketInterval, Rollup};
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

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::Path;
use std::sync::OnceLock;

use chrono::{DateTime, FixedOffset};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontStyle;
use plotters_backend::BackendCoord;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use crate::error::{Error, Result};
use crate::model::ReportKind;
use crate::rollup::{BucketInterval, Grouping, Metrics, RollupRecord, RollupTable};
use crate::write::Destination;

/// The bundled font (DejaVu Sans, Bitstream Vera license).
static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// The family name the font is registered under. It is also what SVG
/// `font-family` attributes say, so a viewer with DejaVu Sans installed
/// draws the metrics the layout was computed with, and any other falls back
/// to its own sans-serif.
const FAMILY: &str = "DejaVu Sans, sans-serif";

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

const OFFERED: RGBColor = RGBColor(0x9e, 0xca, 0xe1);
const ANSWERED: RGBColor = RGBColor(0x31, 0x82, 0xbd);
const WORK: RGBColor = RGBColor(0x31, 0x82, 0xbd);
const SERVICE: RGBColor = RGBColor(0x2c, 0xa2, 0x5f);
const ABANDON: RGBColor = RGBColor(0xd7, 0x30, 0x27);
const TRANSFER: RGBColor = RGBColor(0xe6, 0x7e, 0x22);
const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
const MUTED: RGBColor = RGBColor(0x66, 0x66, 0x66);
const GRID: RGBColor = RGBColor(0xe4, 0xe4, 0xe4);

/// The image format, chosen from the output file's extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

fn font_family() -> Result<&'static str> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font(FAMILY, FontStyle::Normal, FONT_BYTES).is_ok()
    });
    if ok {
        Ok(FAMILY)
    } else {
        Err(Error::io(
            "<font>",
            io::Error::other("the bundled DejaVu Sans font could not be loaded"),
        ))
    }
}

fn glyph_font() -> Result<ab_glyph::FontRef<'static>> {
    ab_glyph::FontRef::try_from_slice(FONT_BYTES).map_err(|e| {
        Error::io(
            "<font>",
            io::Error::other(format!("the bundled DejaVu Sans font: {e}")),
        )
    })
}

fn draw_err<E: std::fmt::Display>(e: E) -> Error {
    Error::io("<chart>", io::Error::other(format!("drawing failed: {e}")))
}

/// One key's records, in bucket order.
struct Key<'a> {
    label: String,
    records: Vec<&'a RollupRecord>,
}

fn keys_of(table: &RollupTable) -> Vec<Key<'_>> {
    let mut out: Vec<Key<'_>> = Vec::new();
    for r in table.records() {
        match out.last_mut() {
            Some(k) if k.records[0].keys() == r.keys() => k.records.push(r),
            _ => out.push(Key {
                label: key_label(table.grouping(), r.keys()),
                records: vec![r],
            }),
        }
    }
    out
}

fn key_label(g: Grouping, keys: &[String]) -> String {
    let pair = |id: &str, name: &str| {
        if name.is_empty() {
            id.to_owned()
        } else {
            format!("{id} {name}")
        }
    };
    match (g, keys) {
        (Grouping::All, _) => "all".to_owned(),
        (Grouping::AgentQueue, [a, an, q, qn]) => {
            format!("{} in {}", pair(a, an), pair(q, qn))
        }
        (_, [id, name]) => pair(id, name),
        (_, [one]) => one.clone(),
        (_, many) => many.join(" "),
    }
}

fn kind_name(kind: ReportKind) -> &'static str {
    match kind {
        ReportKind::Queue => "Queue Statistics",
        ReportKind::AgentExt => "Agent Extended Statistics",
        ReportKind::Agent => "Agent Statistics",
        ReportKind::Segments => "Segments",
    }
}

fn f(d: Option<Decimal>) -> Option<f64> {
    d.and_then(|d| d.to_f64())
}

fn pct_text(d: Option<Decimal>) -> String {
    match d {
        Some(d) => format!("{d} %"),
        None => "n/a".to_owned(),
    }
}

/// Bars and lines of one bucket, in the units the axes show.
struct Point {
    bars: Vec<f64>,
    lines: Vec<Option<f64>>,
}

struct Series {
    bars: &'static [(&'static str, RGBColor)],
    lines: &'static [(&'static str, RGBColor)],
    unit: &'static str,
}

fn series(kind: ReportKind) -> Series {
    match kind {
        ReportKind::Queue => Series {
            bars: &[("offered", OFFERED), ("answered", ANSWERED)],
            lines: &[("service level %", SERVICE), ("abandon rate %", ABANDON)],
            unit: "calls",
        },
        ReportKind::AgentExt => Series {
            bars: &[("answered", ANSWERED)],
            lines: &[("transfer rate %", TRANSFER)],
            unit: "calls",
        },
        _ => Series {
            bars: &[("work time", WORK)],
            lines: &[],
            unit: "minutes",
        },
    }
}

fn point(m: &Metrics) -> Point {
    match m {
        Metrics::Queue(q) => Point {
            bars: vec![q.offered as f64, q.sums.answered as f64],
            lines: vec![f(q.service_level_pct()), f(q.abandon_rate_pct())],
        },
        Metrics::AgentExt(a) => Point {
            bars: vec![a.sums.answered as f64],
            lines: vec![f(a.transfer_rate_pct())],
        },
        Metrics::Agent(a) => Point {
            bars: vec![a.sums.work_s as f64 / 60.0],
            lines: Vec::new(),
        },
    }
}

/// The panel caption's totals over all of a key's buckets.
fn totals(table: &RollupTable, key: &Key<'_>) -> String {
    match table.combine(key.records.iter().copied()) {
        Some(Metrics::Queue(q)) => format!(
            "offered {}, answered {}, service level {}, abandon rate {}",
            q.offered,
            q.sums.answered,
            pct_text(q.service_level_pct()),
            pct_text(q.abandon_rate_pct())
        ),
        Some(Metrics::AgentExt(a)) => format!(
            "answered {}, transferred {}, transfer rate {}, AHT {}",
            a.sums.answered,
            a.sums.transferred_out,
            pct_text(a.transfer_rate_pct()),
            a.aht_s()
                .map(|s| format!("{s} s"))
                .unwrap_or_else(|| "n/a".into())
        ),
        Some(Metrics::Agent(a)) => format!(
            "work {} min, available {} min, paused {} min",
            a.sums.work_s / 60,
            a.sums.avail_s / 60,
            a.sums.pause_s / 60
        ),
        None => String::new(),
    }
}

/// Category labels for the x axis: short forms for the interval; labels
/// that would read the same (the repeated fall-back hour) get their offset.
fn labels(interval: BucketInterval, starts: &[DateTime<FixedOffset>]) -> Vec<String> {
    let same_day = starts
        .first()
        .is_some_and(|a| starts.iter().all(|s| s.date_naive() == a.date_naive()));
    let fmt = match interval {
        BucketInterval::Day | BucketInterval::Week => "%Y-%m-%d",
        BucketInterval::Month => "%Y-%m",
        BucketInterval::Total => "%Y-%m-%d %H:%M",
        _ if same_day => "%H:%M",
        _ => "%m-%d %H:%M",
    };
    let plain: Vec<String> = starts.iter().map(|s| s.format(fmt).to_string()).collect();
    let mut seen = BTreeSet::new();
    let repeated: BTreeSet<&String> = plain.iter().filter(|l| !seen.insert(*l)).collect();
    plain
        .iter()
        .zip(starts)
        .map(|(l, s)| {
            if repeated.contains(l) {
                format!("{l} {}", s.format("%:z"))
            } else {
                l.clone()
            }
        })
        .collect()
}

fn title_of(table: &RollupTable) -> String {
    format!(
        "{} by {}, {} buckets, {}",
        kind_name(table.kind()),
        table.grouping(),
        table.interval(),
        table.tz().name()
    )
}

fn subtitle_of(table: &RollupTable, keys: usize, panels: usize) -> String {
    let recs = table.records();
    let span = match (
        recs.iter().map(|r| r.bucket_start()).min(),
        recs.iter().map(|r| r.bucket_end()).max(),
    ) {
        (Some(a), Some(b)) => format!(
            "{} to {}",
            a.format("%Y-%m-%d %H:%M %:z"),
            b.format("%Y-%m-%d %H:%M %:z")
        ),
        _ => "no rows".to_owned(),
    };
    let mut s = format!(
        "{span} · {keys} key{} ({panels} shown) · {} rows",
        if keys == 1 { "" } else { "s" },
        table.stats().rows_kept
    );
    if table.kind() == ReportKind::Queue {
        s.push_str(&format!(
            " · service level formula {}",
            table.options().sl_formula
        ));
    }
    s
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
    let hidden = keys.len() - panels;
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
        keys: keys.len(),
        panels,
        width: opts.width,
        height,
    };
    let job = Job {
        table,
        keys: &keys[..panels],
        hidden,
        title: opts.title.clone().unwrap_or_else(|| title_of(table)),
        subtitle: subtitle_of(table, keys.len(), panels),
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
/// use ringcx_reports::rollup::{BucketInterval, Rollup};
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
    let path = path.as_ref();
    let format = PlotFormat::from_path(path)?;
    let mut file = Destination::create(path)?;
    let summary = render(table, opts, format, &mut file)?;
    file.commit()?;
    Ok(summary)
}

struct Job<'t, 'k> {
    table: &'t RollupTable,
    keys: &'k [Key<'t>],
    hidden: usize,
    title: String,
    subtitle: String,
    family: &'static str,
    foot: u32,
}

impl Job<'_, '_> {
    fn font(&self, size: f64) -> TextStyle<'static> {
        TextStyle::from((self.family, size).into_font()).color(&INK)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        root.fill(&WHITE).map_err(draw_err)?;
        let (w, h) = root.dim_in_pixel();
        let (header, rest) = root.split_vertically(HEADER_H);
        let (body, foot) = rest.split_vertically(h - HEADER_H - self.foot);
        self.header(&header, w)?;

        // Categories: every bucket start of the keys drawn, in instant order.
        let mut starts: Vec<DateTime<FixedOffset>> = self
            .keys
            .iter()
            .flat_map(|k| k.records.iter().map(|r| r.bucket_start()))
            .collect();
        starts.sort_by_key(|s| s.timestamp());
        starts.dedup_by_key(|s| s.timestamp());
        let cats = labels(self.table.interval(), &starts);

        if self.keys.is_empty() {
            body.draw(&Text::new(
                "no rows to draw (every row was filtered out, or the input was empty)",
                (w as i32 / 2, 40),
                self.font(16.0).pos(Pos::new(HPos::Center, VPos::Top)),
            ))
            .map_err(draw_err)?;
        }
        let areas = body.split_evenly((self.keys.len().max(1), 1));
        for (key, area) in self.keys.iter().zip(&areas) {
            self.panel(area, key, &starts, &cats)?;
        }
        if self.hidden > 0 {
            let note = format!(
                "{} more key{} not shown",
                self.hidden,
                if self.hidden == 1 { "" } else { "s" }
            );
            foot.draw(&Text::new(
                note,
                (w as i32 / 2, 8),
                self.font(15.0)
                    .color(&MUTED)
                    .pos(Pos::new(HPos::Center, VPos::Top)),
            ))
            .map_err(draw_err)?;
        }
        Ok(())
    }

    fn header<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, w: u32) -> Result<()> {
        let center = Pos::new(HPos::Center, VPos::Top);
        let cx = w as i32 / 2;
        area.draw(&Text::new(
            self.title.clone(),
            (cx, 12),
            self.font(22.0).pos(center),
        ))
        .map_err(draw_err)?;
        area.draw(&Text::new(
            self.subtitle.clone(),
            (cx, 42),
            self.font(14.0).color(&MUTED).pos(center),
        ))
        .map_err(draw_err)?;

        // The legend: one swatch per series, centred under the titles.
        let s = series(self.table.kind());
        let label_font = self.font(14.0);
        let mut items: Vec<(String, RGBColor, bool, i32)> = Vec::new();
        for (name, color) in s.bars {
            items.push((format!("{name} ({})", s.unit), *color, true, 0));
        }
        for (name, color) in s.lines {
            items.push(((*name).to_owned(), *color, false, 0));
        }
        let (swatch, gap, pad) = (18, 6, 26);
        let mut total = 0;
        for it in &mut items {
            let (tw, _) = area
                .estimate_text_size(&it.0, &label_font)
                .map_err(draw_err)?;
            it.3 = tw as i32;
            total += swatch + gap + it.3 + pad;
        }
        let mut x = cx - (total - pad) / 2;
        let y = 70;
        for (name, color, bar, tw) in items {
            if bar {
                area.draw(&Rectangle::new(
                    [(x, y - 6), (x + swatch, y + 6)],
                    color.filled(),
                ))
                .map_err(draw_err)?;
            } else {
                area.draw(&PathElement::new(
                    vec![(x, y), (x + swatch, y)],
                    color.stroke_width(3),
                ))
                .map_err(draw_err)?;
                area.draw(&Circle::new((x + swatch / 2, y), 3, color.filled()))
                    .map_err(draw_err)?;
            }
            area.draw(&Text::new(
                name,
                (x + swatch + gap, y),
                label_font.clone().pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(draw_err)?;
            x += swatch + gap + tw + pad;
        }
        Ok(())
    }

    fn panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        key: &Key<'_>,
        starts: &[DateTime<FixedOffset>],
        cats: &[String],
    ) -> Result<()> {
        let s = series(self.table.kind());
        let n = starts.len();
        // Each key's values, by category (a key without a bucket has none).
        let mut points: Vec<Option<Point>> = (0..n).map(|_| None).collect();
        for r in &key.records {
            if let Ok(i) =
                starts.binary_search_by_key(&r.bucket_start().timestamp(), |s| s.timestamp())
            {
                points[i] = Some(point(r.metrics()));
            }
        }
        let bar_max = points
            .iter()
            .flatten()
            .flat_map(|p| p.bars.iter().copied())
            .fold(0.0f64, f64::max);
        let line_max = points
            .iter()
            .flatten()
            .flat_map(|p| p.lines.iter().flatten().copied())
            .fold(0.0f64, f64::max);
        // Headroom above the tallest bar; at least 10 so small counts get
        // whole-number ticks.
        let y_top = (bar_max * 1.15).max(10.0);
        // 0–100 %, further when a ratio passes 100; a little headroom so the
        // 100 % line does not run into the caption.
        let pct_top = line_max.max(100.0) * 1.08;
        let caption = format!("{} — {}", key.label, totals(self.table, key));
        let has_lines = !s.lines.is_empty();

        let mut chart = ChartBuilder::on(area)
            .caption(caption, self.font(16.0))
            .margin_left(12)
            .margin_right(12)
            .margin_top(6)
            .margin_bottom(4)
            .x_label_area_size(30)
            .y_label_area_size(64)
            .right_y_label_area_size(if has_lines { 64 } else { 12 })
            .build_cartesian_2d(0f64..n as f64, 0f64..y_top)
            .map_err(draw_err)?
            .set_secondary_coord(0f64..n as f64, 0f64..pct_top);

        let axis_font = self.font(12.0);
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_labels(6)
            .y_desc(s.unit)
            .y_label_formatter(&|v| format!("{v:.0}"))
            .label_style(axis_font.clone())
            .axis_desc_style(axis_font.clone())
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .axis_style(MUTED)
            .draw()
            .map_err(draw_err)?;
        if has_lines {
            chart
                .configure_secondary_axes()
                .y_labels(6)
                .y_desc("percent")
                .y_label_formatter(&|v| format!("{v:.0} %"))
                .label_style(axis_font.clone())
                .axis_desc_style(axis_font.clone())
                .axis_style(MUTED)
                .draw()
                .map_err(draw_err)?;
        }

        // Bars: side by side in the middle of each category, 80 % of it,
        // but never wider than 60 pixels each (one bucket would fill the
        // panel with a slab).
        let (xr, _) = chart.plotting_area().get_pixel_range();
        let plot_w = (xr.end - xr.start).max(1) as f64;
        let per = plot_w / n.max(1) as f64;
        let nb = s.bars.len() as f64;
        let group = 0.8f64.min(60.0 * nb / per);
        let width = group / nb;
        let left = 0.5 - group / 2.0;
        let mut rects = Vec::new();
        for (i, p) in points.iter().enumerate() {
            let Some(p) = p else { continue };
            for (j, v) in p.bars.iter().enumerate() {
                let x0 = i as f64 + left + j as f64 * width;
                rects.push(Rectangle::new(
                    [(x0, 0.0), (x0 + width * 0.92, *v)],
                    s.bars[j].1.filled(),
                ));
            }
        }
        chart.draw_series(rects).map_err(draw_err)?;

        // Lines: a gap where a ratio is empty; a dot on every value. Each
        // line is thinner than the one before, so equal values still show
        // both colours.
        for (j, (_, color)) in s.lines.iter().enumerate() {
            let width = 4 - 2 * j.min(1) as u32;
            let radius = 4 - j.min(1) as u32;
            let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
            let mut dots = Vec::new();
            for (i, p) in points.iter().enumerate() {
                match p.as_ref().and_then(|p| p.lines[j]) {
                    Some(v) => {
                        let at = (i as f64 + 0.5, v);
                        runs.last_mut().expect("one run").push(at);
                        dots.push(Circle::new(at, radius, color.filled()));
                    }
                    None => runs.push(Vec::new()),
                }
            }
            chart
                .draw_secondary_series(
                    runs.into_iter()
                        .filter(|r| r.len() > 1)
                        .map(|r| PathElement::new(r, color.stroke_width(width))),
                )
                .map_err(draw_err)?;
            chart.draw_secondary_series(dots).map_err(draw_err)?;
        }

        // Category labels, thinned so they never overlap.
        let mut widest = 0;
        for c in cats {
            let (tw, _) = area.estimate_text_size(c, &axis_font).map_err(draw_err)?;
            widest = widest.max(tw);
        }
        let step = ((widest as f64 + 14.0) / per).ceil().max(1.0) as usize;
        let origin = area.get_base_pixel();
        for (i, c) in cats.iter().enumerate().step_by(step) {
            let (px, py) = chart.backend_coord(&(i as f64 + 0.5, 0.0));
            let (px, py) = (px - origin.0, py - origin.1);
            area.draw(&PathElement::new(vec![(px, py), (px, py + 4)], MUTED))
                .map_err(draw_err)?;
            area.draw(&Text::new(
                c.clone(),
                (px, py + 7),
                axis_font.clone().pos(Pos::new(HPos::Center, VPos::Top)),
            ))
            .map_err(draw_err)?;
        }
        Ok(())
    }
}

/// The bitmap backend with text drawn by ab_glyph directly.
///
/// plotters' own ab_glyph text path places each glyph at the pen position
/// without its left side bearing, so narrow glyphs such as `1` drift left
/// and leave a gap after them ("03-1 0"); this wrapper lays glyphs out with
/// their bearings and kerning and delegates every other shape.
struct GlyphBackend<'a> {
    inner: BitMapBackend<'a>,
    font: ab_glyph::FontRef<'static>,
}

type BackendResult<E> = std::result::Result<(), plotters_backend::DrawingErrorKind<E>>;

impl GlyphBackend<'_> {
    /// Calls `pixel(x, y, coverage)` for the text laid out from (0, 0)
    /// (top left of its line box); returns the box's width and height.
    fn layout(&self, text: &str, size: f64, mut pixel: impl FnMut(i32, i32, f32)) -> (i32, i32) {
        use ab_glyph::{Font, ScaleFont};
        let font = self.font.as_scaled(size as f32);
        let ascent = font.ascent();
        let mut caret = 0f32;
        let mut prev = None;
        for c in text.chars() {
            let id = font.glyph_id(c);
            if let Some(p) = prev {
                caret += font.kern(p, id);
            }
            let glyph = id.with_scale_and_position(font.scale(), ab_glyph::point(caret, ascent));
            if let Some(outline) = font.outline_glyph(glyph) {
                let b = outline.px_bounds();
                outline.draw(|x, y, cov| {
                    pixel(b.min.x as i32 + x as i32, b.min.y as i32 + y as i32, cov)
                });
            }
            caret += font.h_advance(id);
            prev = Some(id);
        }
        (caret.ceil() as i32, (ascent - font.descent()).ceil() as i32)
    }
}

impl DrawingBackend for GlyphBackend<'_> {
    type ErrorType = <BitMapBackend<'static> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }
    fn ensure_prepared(&mut self) -> BackendResult<Self::ErrorType> {
        self.inner.ensure_prepared()
    }
    fn present(&mut self) -> BackendResult<Self::ErrorType> {
        self.inner.present()
    }
    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: plotters_backend::BackendColor,
    ) -> BackendResult<Self::ErrorType> {
        self.inner.draw_pixel(point, color)
    }
    fn draw_line<S: plotters_backend::BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> BackendResult<Self::ErrorType> {
        self.inner.draw_line(from, to, style)
    }
    fn draw_rect<S: plotters_backend::BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> BackendResult<Self::ErrorType> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }
    fn draw_path<S: plotters_backend::BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> BackendResult<Self::ErrorType> {
        self.inner.draw_path(path, style)
    }
    fn draw_circle<S: plotters_backend::BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> BackendResult<Self::ErrorType> {
        self.inner.draw_circle(center, radius, style, fill)
    }
    fn fill_polygon<S: plotters_backend::BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> BackendResult<Self::ErrorType> {
        self.inner.fill_polygon(vert, style)
    }

    fn draw_text<S: plotters_backend::BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> BackendResult<Self::ErrorType> {
        use plotters_backend::text_anchor::{HPos, VPos};
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let mut pixels = Vec::new();
        let (w, h) = self.layout(text, style.size(), |x, y, c| pixels.push((x, y, c)));
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Center => -w / 2,
            HPos::Right => -w,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -h / 2,
            VPos::Bottom => -h,
        };
        let trans = style.transform();
        let (iw, ih) = self.get_size();
        for (x, y, cov) in pixels {
            let (x, y) = trans.transform(x + dx, y + dy);
            let (x, y) = (pos.0 + x, pos.1 + y);
            if x >= 0 && y >= 0 && x < iw as i32 && y < ih as i32 && cov > 0.0 {
                let c = plotters_backend::BackendColor {
                    alpha: color.alpha * f64::from(cov.min(1.0)),
                    rgb: color.rgb,
                };
                self.inner.draw_pixel((x, y), c)?;
            }
        }
        Ok(())
    }

    fn estimate_text_size<S: plotters_backend::BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> std::result::Result<(u32, u32), plotters_backend::DrawingErrorKind<Self::ErrorType>> {
        let (w, h) = self.layout(text, style.size(), |_, _, _| {});
        Ok((w.max(0) as u32, h.max(0) as u32))
    }
}
