//! The bundled font, DejaVu Sans: registered with plotters for text layout
//! and SVG output, and drawn glyph by glyph with ab_glyph in PNGs
//! ([`GlyphBackend`]).

use std::io;
use std::sync::OnceLock;

use plotters::prelude::*;
use plotters::style::FontStyle;
use plotters_backend::BackendCoord;

use crate::error::{Error, Result};

/// The bundled font (DejaVu Sans, Bitstream Vera license).
static FONT_BYTES: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// The family name the font is registered under. It is also what SVG
/// `font-family` attributes say, so a viewer with DejaVu Sans installed
/// draws the metrics the layout was computed with, and any other falls back
/// to its own sans-serif.
const FAMILY: &str = "DejaVu Sans, sans-serif";

pub(super) fn font_family() -> Result<&'static str> {
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

pub(super) fn glyph_font() -> Result<ab_glyph::FontRef<'static>> {
    ab_glyph::FontRef::try_from_slice(FONT_BYTES).map_err(|e| {
        Error::io(
            "<font>",
            io::Error::other(format!("the bundled DejaVu Sans font: {e}")),
        )
    })
}

/// The bitmap backend with text drawn by ab_glyph directly.
///
/// plotters' own ab_glyph text path places each glyph at the pen position
/// without its left side bearing, so narrow glyphs such as `1` drift left
/// and leave a gap after them ("03-1 0"); this wrapper lays glyphs out with
/// their bearings and kerning and delegates every other shape.
pub(super) struct GlyphBackend<'a> {
    pub(super) inner: BitMapBackend<'a>,
    pub(super) font: ab_glyph::FontRef<'static>,
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
