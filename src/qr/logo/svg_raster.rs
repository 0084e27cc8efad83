//! Draws a checked SVG logo into its bitmap, once, at upload. The longer side becomes
//! `MAX_LOGO_PIXELS`. Before drawing, the area every path and layer would fill is added
//! up from usvg's bounding boxes and refused beyond a bound; while drawing, the clock is
//! checked between shapes and drawing stops at `RASTER_DEADLINE`.

use std::time::Instant;

use resvg::{tiny_skia, usvg};

use super::LogoError;
use super::limits::{GRADIENT_FILL_WEIGHT, MAX_FILL_AREA_FACTOR, MAX_LOGO_PIXELS, RASTER_DEADLINE};

/// How far (in bitmap pixels) a shape may reach beyond the bitmap's edges.
const MAX_REACH: f32 = 16.0 * MAX_LOGO_PIXELS as f32;

/// Draws `svg` (the raster form from `svg_write`). Returns the pixels and the size the
/// SVG declares (for the record).
pub fn rasterise(svg: &str) -> Result<(tiny_skia::Pixmap, (u32, u32)), LogoError> {
    let started = Instant::now();
    let tree = usvg::Tree::from_str(svg, &usvg::Options::default())
        .map_err(|e| LogoError::Corrupt(e.to_string()))?;
    let size = tree.size();
    let declared = super::check_pixels(size.width().ceil() as u64, size.height().ceil() as u64)?;
    let scale = MAX_LOGO_PIXELS as f32 / size.width().max(size.height());
    let width = ((size.width() * scale).round() as u32).clamp(1, MAX_LOGO_PIXELS);
    let height = ((size.height() * scale).round() as u32).clamp(1, MAX_LOGO_PIXELS);
    let canvas = tiny_skia::Rect::from_xywh(0.0, 0.0, width as f32, height as f32)
        .expect("a bitmap of at least one pixel");
    let transform = tiny_skia::Transform::from_scale(scale, scale);

    let cost = Cost::of(tree.root(), transform, canvas);
    let bitmap_area = f64::from(width) * f64::from(height);
    if cost.area > (MAX_FILL_AREA_FACTOR as f64) * bitmap_area {
        return Err(LogoError::UnsafeSvg(format!(
            "it would fill its bitmap {:.0} times over; at most {MAX_FILL_AREA_FACTOR} are accepted",
            cost.area / bitmap_area
        )));
    }
    // The rasteriser works in fixed point: shapes far outside the bitmap are not drawn
    // but can overflow it (tiny-skia panics on some).
    if cost.reach.is_nan() || cost.reach > MAX_REACH {
        return Err(LogoError::UnsafeSvg(
            "its shapes (with their transforms and strokes) reach far outside its view box".into(),
        ));
    }
    let mut pixmap = tiny_skia::Pixmap::new(width, height)
        .ok_or_else(|| LogoError::Corrupt("no bitmap for it".into()))?;
    let deadline = started + RASTER_DEADLINE;
    draw(tree.root(), transform, &mut pixmap.as_mut(), deadline)?;
    Ok((pixmap, declared))
}

/// What drawing a tree would take: the area (in bitmap pixels) the renderer would fill,
/// and how far from the bitmap any shape reaches.
#[derive(Default)]
struct Cost {
    area: f64,
    reach: f32,
}

impl Cost {
    /// Every path's bounds within the bitmap (gradients weighed by their cost), every
    /// isolated layer twice (drawn, then composited), clip paths included.
    fn of(group: &usvg::Group, transform: tiny_skia::Transform, canvas: tiny_skia::Rect) -> Self {
        let mut cost = Cost::default();
        cost.add_group(group, transform, canvas);
        cost
    }

    fn add_group(
        &mut self,
        group: &usvg::Group,
        ts: tiny_skia::Transform,
        canvas: tiny_skia::Rect,
    ) {
        if group.should_isolate() {
            self.add_rect(
                Some(group.abs_layer_bounding_box().to_rect()),
                2.0,
                ts,
                canvas,
            );
        }
        if let Some(clip) = group.clip_path() {
            self.add_group(clip.root(), ts, canvas);
        }
        for node in group.children() {
            match node {
                usvg::Node::Group(g) => self.add_group(g, ts, canvas),
                usvg::Node::Path(p) => self.add_rect(
                    Some(p.abs_stroke_bounding_box()),
                    paint_weight(p),
                    ts,
                    canvas,
                ),
                // Neither passes the checker; if one ever did, it would count as far too much.
                usvg::Node::Image(_) | usvg::Node::Text(_) => self.reach = f32::INFINITY,
            }
        }
    }

    fn add_rect(
        &mut self,
        rect: Option<tiny_skia::Rect>,
        weight: f64,
        ts: tiny_skia::Transform,
        canvas: tiny_skia::Rect,
    ) {
        let Some(rect) = rect.and_then(|r| r.transform(ts)) else {
            return;
        };
        let reach = [
            -rect.left(),
            -rect.top(),
            rect.right() - canvas.width(),
            rect.bottom() - canvas.height(),
        ]
        .into_iter()
        .fold(0.0f32, f32::max);
        self.reach = self.reach.max(reach);
        if let Some(visible) = rect.intersect(&canvas) {
            self.area += weight * f64::from(visible.width()) * f64::from(visible.height());
        }
    }
}

/// How much dearer than a solid colour a path's paint is per pixel: tiny-skia fills a
/// gradient about fifteen times slower (a full 1024² gradient disc: ~45 ms).
fn paint_weight(path: &usvg::Path) -> f64 {
    let paints = [
        path.fill().map(|f| f.paint()),
        path.stroke().map(|s| s.paint()),
    ];
    let gradients = paints
        .iter()
        .flatten()
        .filter(|p| !matches!(p, usvg::Paint::Color(_)))
        .count();
    1.0 + GRADIENT_FILL_WEIGHT * gradients as f64
}

/// Draws the children of a plain group one by one, checking the clock between them.
/// Groups that change how their content is composited (opacity, clipping) are drawn
/// whole: their content was bounded by the checker and by `fill_area`.
fn draw(
    group: &usvg::Group,
    transform: tiny_skia::Transform,
    pixmap: &mut tiny_skia::PixmapMut,
    deadline: Instant,
) -> Result<(), LogoError> {
    for node in group.children() {
        if Instant::now() > deadline {
            return Err(LogoError::UnsafeSvg(format!(
                "it takes more than {} ms to draw",
                RASTER_DEADLINE.as_millis()
            )));
        }
        match node {
            usvg::Node::Group(g) if !g.should_isolate() && holds_groups(g) => {
                draw(g, transform.pre_concat(g.transform()), pixmap, deadline)?;
            }
            _ => {
                // `render_node` draws a node at its own origin (it shifts by the node's
                // bounds); shifting back places it where the whole drawing would.
                if let Some(bounds) = node.abs_layer_bounding_box() {
                    let at = transform.pre_translate(bounds.x(), bounds.y());
                    resvg::render_node(node, at, pixmap);
                }
            }
        }
    }
    Ok(())
}

/// Whether a group holds groups (the raster form wraps each shape in one, so a group of
/// shapes is drawn through those wrappers and a wrapper is drawn whole).
fn holds_groups(group: &usvg::Group) -> bool {
    group
        .children()
        .iter()
        .any(|n| matches!(n, usvg::Node::Group(_)))
}
