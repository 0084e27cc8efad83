//! The frame styles and their geometry. Figures are fractions of the image size, so a
//! frame looks the same at every size; the code's square is kept on whole pixels.

use super::{FrameLayout, Rect};
use crate::qr::render::path::{Path, pt};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrameStyle {
    /// No frame; a caption is written under the code on the background.
    None,
    /// A square border; a caption sits in a band along its bottom.
    Box,
    /// The same border with rounded corners.
    RoundedBox,
    /// A band across the bottom, under the code, holding the caption.
    BannerBottom,
    /// A band across the top, over the code.
    BannerTop,
    /// A speech bubble under the code, pointing up at it.
    Bubble,
    /// A rounded border with a pill-shaped badge over its bottom edge.
    Badge,
}

impl FrameStyle {
    pub const ALL: &'static [FrameStyle] = &[
        Self::None,
        Self::Box,
        Self::RoundedBox,
        Self::BannerBottom,
        Self::BannerTop,
        Self::Bubble,
        Self::Badge,
    ];
    pub const NAMES: &'static [&'static str] = &[
        "none",
        "box",
        "rounded_box",
        "banner_bottom",
        "banner_top",
        "bubble",
        "badge",
    ];

    pub fn parse(name: &str) -> Option<Self> {
        let i = Self::NAMES.iter().position(|n| *n == name)?;
        Some(Self::ALL[i])
    }

    pub fn name(self) -> &'static str {
        let i = Self::ALL.iter().position(|s| *s == self).unwrap_or(0);
        Self::NAMES[i]
    }
}

/// Border thickness, caption band height and corner radius for an image `s` wide.
struct Measures {
    border: f64,
    band: f64,
    radius: f64,
}

fn measures(s: f64) -> Measures {
    Measures {
        border: (s * 0.025).round().max(2.0),
        band: (s * 0.15).round(),
        radius: (s * 0.07).round(),
    }
}

pub(super) fn layout(style: FrameStyle, s: f64, captioned: bool) -> FrameLayout {
    let m = measures(s);
    let caption_band = if captioned { m.band } else { 0.0 };
    let mut parts = Vec::new();
    let (code, caption_box) = match style {
        FrameStyle::None => {
            let code = centred_square(Rect::new(0.0, 0.0, s, s - caption_band));
            (
                code,
                captioned.then(|| Rect::new(0.0, s - m.band, s, m.band)),
            )
        }
        FrameStyle::Box | FrameStyle::RoundedBox => {
            let radius = if style == FrameStyle::RoundedBox {
                m.radius
            } else {
                0.0
            };
            let t = m.border;
            let hole = Rect::new(t, t, s - 2.0 * t, s - 2.0 * t - caption_band);
            let mut ring = Path::new();
            rounded_rect(&mut ring, Rect::new(0.0, 0.0, s, s), radius);
            let inner = (radius - t).max(0.0);
            rounded_rect(&mut ring, hole, inner);
            parts.push(ring);
            // Clear of the inner corners' curve.
            let code = centred_square(hole.inset((inner * 0.3).ceil()));
            let band = Rect::new(t, s - t - m.band, s - 2.0 * t, m.band);
            (code, captioned.then_some(band))
        }
        FrameStyle::BannerBottom | FrameStyle::BannerTop => {
            let top = style == FrameStyle::BannerTop;
            let band = Rect::new(0.0, if top { 0.0 } else { s - m.band }, s, m.band);
            let mut path = Path::new();
            path.rect(band.x, band.y, band.w, band.h);
            parts.push(path);
            let rest = Rect::new(0.0, if top { m.band } else { 0.0 }, s, s - m.band);
            (centred_square(rest), Some(band))
        }
        FrameStyle::Bubble => {
            let pointer = (m.band * 0.3).round();
            let bubble = Rect::new(s * 0.08, s - m.band, s * 0.84, m.band - m.border);
            let mut body = Path::new();
            rounded_rect(&mut body, bubble, bubble.h * 0.3);
            parts.push(body);
            let mut tip = Path::new();
            let (cx, base) = (s / 2.0, bubble.y + 1.0);
            tip.polygon(&[
                pt(cx - pointer, base),
                pt(cx, bubble.y - pointer),
                pt(cx + pointer, base),
            ]);
            parts.push(tip);
            let code = centred_square(Rect::new(0.0, 0.0, s, bubble.y - pointer));
            (code, Some(bubble))
        }
        FrameStyle::Badge => {
            let t = m.border;
            let outer = Rect::new(0.0, 0.0, s, s - m.band / 2.0);
            let hole = outer.inset(t);
            let mut ring = Path::new();
            rounded_rect(&mut ring, outer, m.radius);
            let inner = (m.radius - t).max(0.0);
            rounded_rect(&mut ring, hole, inner);
            parts.push(ring);
            let badge = Rect::new(s * 0.15, s - m.band, s * 0.7, m.band);
            let mut pill = Path::new();
            rounded_rect(&mut pill, badge, badge.h / 2.0);
            parts.push(pill);
            // Above the badge, clear of the ring's inner corners.
            let room = Rect::new(hole.x, hole.y, hole.w, badge.y - t - hole.y);
            let code = centred_square(room.inset((inner * 0.3).ceil()));
            let text = Rect::new(
                badge.x + badge.h / 4.0,
                badge.y,
                badge.w - badge.h / 2.0,
                badge.h,
            );
            (code, Some(text))
        }
    };
    let (code_x, code_y, code_size) = code;
    FrameLayout {
        code_x,
        code_y,
        code_size,
        parts,
        caption_box: caption_box.filter(|_| captioned),
        caption_on_frame: style != FrameStyle::None,
    }
}

impl Rect {
    pub fn new(x: f64, y: f64, w: f64, h: f64) -> Self {
        Self { x, y, w, h }
    }

    fn inset(self, by: f64) -> Self {
        Self::new(
            self.x + by,
            self.y + by,
            (self.w - 2.0 * by).max(1.0),
            (self.h - 2.0 * by).max(1.0),
        )
    }
}

/// The largest whole-pixel square centred in `area`: (x, y, side).
fn centred_square(area: Rect) -> (u32, u32, u32) {
    let side = area.w.min(area.h).floor().max(1.0);
    let x = (area.x + (area.w - side) / 2.0).round().max(0.0);
    let y = (area.y + (area.h - side) / 2.0).round().max(0.0);
    (x as u32, y as u32, side as u32)
}

/// A rectangle with circular corners of `radius` (square when 0), clockwise.
fn rounded_rect(path: &mut Path, r: Rect, radius: f64) {
    let radius = radius.min(r.w / 2.0).min(r.h / 2.0);
    if radius <= 0.0 {
        path.rect(r.x, r.y, r.w, r.h);
        return;
    }
    let (l, t, rt, b) = (r.x, r.y, r.x + r.w, r.y + r.h);
    path.move_to(pt(l + radius, t));
    path.line_to(pt(rt - radius, t));
    path.arc_to(pt(rt - radius, t + radius), pt(rt, t + radius), true);
    path.line_to(pt(rt, b - radius));
    path.arc_to(pt(rt - radius, b - radius), pt(rt - radius, b), true);
    path.line_to(pt(l + radius, b));
    path.arc_to(pt(l + radius, b - radius), pt(l, b - radius), true);
    path.line_to(pt(l, t + radius));
    path.arc_to(pt(l + radius, t + radius), pt(l + radius, t), true);
    path.close();
}
