//! Drawing a chart with plotters, on either backend: the header (title,
//! subtitle, legend), one panel per key (axes, bars, ratio lines, category
//! labels thinned so they never overlap) and the note on keys left out.

use std::io;

use chrono::{DateTime, FixedOffset};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::content::{labels, point, series, totals, Key, Point};
use super::HEADER_H;
use crate::error::{Error, Result};
use crate::rollup::RollupTable;

const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
const MUTED: RGBColor = RGBColor(0x66, 0x66, 0x66);
const GRID: RGBColor = RGBColor(0xe4, 0xe4, 0xe4);

pub(super) fn draw_err<E: std::fmt::Display>(e: E) -> Error {
    Error::io("<chart>", io::Error::other(format!("drawing failed: {e}")))
}

pub(super) struct Job<'t, 'k> {
    pub(super) table: &'t RollupTable,
    pub(super) keys: &'k [Key<'t>],
    pub(super) hidden: usize,
    pub(super) title: String,
    pub(super) subtitle: String,
    pub(super) family: &'static str,
    pub(super) foot: u32,
}

impl Job<'_, '_> {
    fn font(&self, size: f64) -> TextStyle<'static> {
        TextStyle::from((self.family, size).into_font()).color(&INK)
    }

    pub(super) fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
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
