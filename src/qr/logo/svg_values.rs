//! The attributes an SVG logo may keep, and the values each may hold. A value is parsed
//! as its type and written back in a canonical form where that is cheap (numbers,
//! colours, transforms), so what reaches the renderer is what was checked.

use std::str::FromStr;

use super::limits::{MAX_ATTRIBUTE_BYTES, MAX_PATH_DATA_BYTES};

/// What the checker knows of the document's ids: what each names.
pub trait Targets {
    fn is_gradient(&self, id: &str) -> bool;
    fn is_clip_path(&self, id: &str) -> bool;
}

/// What to do with one attribute: keep it (in this form), drop it, or refuse the logo.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Keep(String),
    Drop,
    Refuse(String),
}

#[derive(Clone, Copy)]
enum Kind {
    Length,
    Number,
    Opacity,
    Paint,
    Color,
    Keyword(&'static [&'static str]),
    Transform,
    ViewBox,
    AspectRatio,
    PathData,
    Points,
    ClipRef,
    Offset,
}

/// Painting properties, allowed as attributes or in `style` on shapes and groups.
const PRESENTATION: &[(&str, Kind)] = &[
    ("fill", Kind::Paint),
    ("fill-opacity", Kind::Opacity),
    ("fill-rule", Kind::Keyword(&["nonzero", "evenodd"])),
    ("stroke", Kind::Paint),
    ("stroke-width", Kind::Length),
    ("stroke-opacity", Kind::Opacity),
    (
        "stroke-linecap",
        Kind::Keyword(&["butt", "round", "square"]),
    ),
    (
        "stroke-linejoin",
        Kind::Keyword(&["miter", "miter-clip", "round", "bevel", "arcs"]),
    ),
    ("stroke-miterlimit", Kind::Number),
    ("opacity", Kind::Opacity),
    ("clip-path", Kind::ClipRef),
    ("clip-rule", Kind::Keyword(&["nonzero", "evenodd"])),
    ("color", Kind::Color),
    ("display", Kind::Keyword(&["inline", "block", "none"])),
    (
        "visibility",
        Kind::Keyword(&["visible", "hidden", "collapse"]),
    ),
    (
        "shape-rendering",
        Kind::Keyword(&["auto", "optimizeSpeed", "crispEdges", "geometricPrecision"]),
    ),
];

/// Properties that point at elements a logo may not have (or cost without bound):
/// harmless only as `none`.
const REFUSED_UNLESS_NONE: &[&str] = &[
    "mask",
    "filter",
    "marker",
    "marker-start",
    "marker-mid",
    "marker-end",
    "stroke-dasharray",
];

const UNITS: &[&str] = &["userSpaceOnUse", "objectBoundingBox"];

/// The geometry and structure attributes of each element (presentation ones aside).
fn own(element: &str, name: &str) -> Option<Kind> {
    use Kind::*;
    let kind = match (element, name) {
        ("svg", "width" | "height") => Length,
        ("svg", "viewBox") => ViewBox,
        ("svg", "preserveAspectRatio") => AspectRatio,
        ("rect", "x" | "y" | "width" | "height" | "rx" | "ry") => Length,
        ("circle", "cx" | "cy" | "r") => Length,
        ("ellipse", "cx" | "cy" | "rx" | "ry") => Length,
        ("line", "x1" | "y1" | "x2" | "y2") => Length,
        ("polyline" | "polygon", "points") => Points,
        ("path", "d") => PathData,
        ("linearGradient", "x1" | "y1" | "x2" | "y2") => Length,
        ("radialGradient", "cx" | "cy" | "r" | "fx" | "fy" | "fr") => Length,
        ("linearGradient" | "radialGradient", "gradientUnits") => Keyword(UNITS),
        ("linearGradient" | "radialGradient", "gradientTransform") => Transform,
        ("linearGradient" | "radialGradient", "spreadMethod") => {
            Keyword(&["pad", "reflect", "repeat"])
        }
        ("stop", "offset") => Offset,
        ("stop", "stop-color") => Color,
        ("stop", "stop-opacity") => Opacity,
        ("clipPath", "clipPathUnits") => Keyword(UNITS),
        ("clipPath" | "g" | "rect" | "circle" | "ellipse" | "line" | "polyline", "transform") => {
            Transform
        }
        ("polygon" | "path", "transform") => Transform,
        _ => return None,
    };
    Some(kind)
}

/// Whether the element takes painting properties.
fn painted(element: &str) -> bool {
    matches!(
        element,
        "svg" | "g" | "rect" | "circle" | "ellipse" | "line" | "polyline" | "polygon" | "path"
    )
}

/// The verdict on `name="value"` on `element`. `href` is judged by the checker (it needs
/// the chain), `id` here by its characters only.
pub fn judge(element: &str, name: &str, value: &str, targets: &dyn Targets) -> Verdict {
    let value = value.trim();
    let limit = if matches!(name, "d" | "points") {
        MAX_PATH_DATA_BYTES
    } else {
        MAX_ATTRIBUTE_BYTES
    };
    if value.len() > limit {
        return Verdict::Refuse(format!(
            "the `{name}` of a <{element}> is {} bytes; at most {limit} are accepted",
            value.len()
        ));
    }
    if name == "id" {
        return id(value).map_or(Verdict::Drop, |v| Verdict::Keep(v.to_owned()));
    }
    let kind = own(element, name).or_else(|| {
        painted(element)
            .then(|| {
                PRESENTATION
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, k)| *k)
            })
            .flatten()
    });
    match kind {
        Some(kind) => match canonical(kind, value, targets) {
            Ok(v) => Verdict::Keep(v),
            Err(why) => Verdict::Refuse(format!("the `{name}` of a <{element}> {why}")),
        },
        None if REFUSED_UNLESS_NONE.contains(&name) && value != "none" => Verdict::Refuse(format!(
            "`{name}` is not accepted in a logo (masks, filters, markers and dashes)"
        )),
        None => Verdict::Drop,
    }
}

/// The declarations of a `style` attribute, as (property, value) pairs. Comments,
/// `!important` and anything that is not `name: value` are refused.
pub fn style_declarations(style: &str) -> Result<Vec<(&str, &str)>, String> {
    if style.len() > MAX_ATTRIBUTE_BYTES {
        return Err(format!(
            "a `style` attribute is {} bytes; at most {MAX_ATTRIBUTE_BYTES} are accepted",
            style.len()
        ));
    }
    if style.contains("/*") || style.contains('\\') || style.contains('!') {
        return Err("a `style` attribute holds comments, escapes or `!important`".into());
    }
    let mut out = Vec::new();
    for declaration in style.split(';').map(str::trim).filter(|d| !d.is_empty()) {
        let Some((name, value)) = declaration.split_once(':') else {
            return Err(format!(
                "`{}` in a `style` attribute is not a declaration",
                clip(declaration)
            ));
        };
        out.push((name.trim(), value.trim()));
    }
    Ok(out)
}

fn id(value: &str) -> Option<&str> {
    let ok = !value.is_empty()
        && value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':'));
    ok.then_some(value)
}

fn canonical(kind: Kind, value: &str, targets: &dyn Targets) -> Result<String, String> {
    match kind {
        Kind::Keyword(words) => words
            .iter()
            .chain(&["inherit"])
            .find(|w| **w == value)
            .map(|w| (*w).to_owned())
            .ok_or_else(|| format!("must be one of {}", words.join(", "))),
        Kind::Length => {
            let l = svgtypes::Length::from_str(value).map_err(|_| "is not a length".to_owned())?;
            Ok(format!("{}{}", number(l.number)?, unit(l.unit)))
        }
        Kind::Number => number(
            svgtypes::Number::from_str(value)
                .map_err(|_| "is not a number")?
                .0,
        ),
        Kind::Opacity | Kind::Offset => {
            let l = svgtypes::Length::from_str(value).map_err(|_| "is not a number")?;
            let n = match l.unit {
                svgtypes::LengthUnit::None => l.number,
                svgtypes::LengthUnit::Percent => l.number / 100.0,
                _ => return Err("is not a number or a percentage".into()),
            };
            number(n.clamp(0.0, 1.0))
        }
        Kind::Color => color(value),
        Kind::Paint => paint(value, targets),
        Kind::ClipRef if value == "none" => Ok("none".into()),
        Kind::ClipRef => match svgtypes::FuncIRI::from_str(value) {
            Ok(target) if targets.is_clip_path(target.0) => Ok(format!("url(#{})", target.0)),
            _ => Err("must name a <clipPath> of the logo".into()),
        },
        Kind::Transform => {
            let t = svgtypes::Transform::from_str(value).map_err(|_| "is not a transform")?;
            let parts = [t.a, t.b, t.c, t.d, t.e, t.f].map(number);
            let parts: Result<Vec<_>, _> = parts.into_iter().collect();
            Ok(format!("matrix({})", parts?.join(" ")))
        }
        Kind::ViewBox => {
            let v = svgtypes::ViewBox::from_str(value).map_err(|_| "is not a view box")?;
            let parts: Result<Vec<_>, _> = [v.x, v.y, v.w, v.h].map(number).into_iter().collect();
            Ok(parts?.join(" "))
        }
        Kind::AspectRatio => {
            svgtypes::AspectRatio::from_str(value).map_err(|_| "is not an aspect ratio")?;
            Ok(value.split_whitespace().collect::<Vec<_>>().join(" "))
        }
        Kind::PathData => path_data(value),
        Kind::Points => {
            let mut out = String::with_capacity(value.len());
            for (x, y) in svgtypes::PointsParser::from(value) {
                out.push_str(&format!("{},{} ", number(x)?, number(y)?));
            }
            Ok(out.trim_end().to_owned())
        }
    }
}

/// A finite number of sane size, written back by Rust (no exponents beyond f64's own).
fn number(n: f64) -> Result<String, String> {
    if n.is_finite() && n.abs() <= 1e9 {
        Ok(format!("{}", n as f32))
    } else {
        Err("holds a number out of range".into())
    }
}

fn unit(u: svgtypes::LengthUnit) -> &'static str {
    use svgtypes::LengthUnit::*;
    match u {
        None => "",
        Em => "em",
        Ex => "ex",
        Px => "px",
        In => "in",
        Cm => "cm",
        Mm => "mm",
        Pt => "pt",
        Pc => "pc",
        Percent => "%",
    }
}

fn color(value: &str) -> Result<String, String> {
    if matches!(value, "currentColor" | "inherit") {
        return Ok(value.to_owned());
    }
    let c = svgtypes::Color::from_str(value).map_err(|_| "is not a colour".to_owned())?;
    Ok(rgba(c))
}

fn rgba(c: svgtypes::Color) -> String {
    if c.alpha == 255 {
        format!("#{:02x}{:02x}{:02x}", c.red, c.green, c.blue)
    } else {
        let alpha = f32::from(c.alpha) / 255.0;
        format!("rgba({},{},{},{alpha})", c.red, c.green, c.blue)
    }
}

fn paint(value: &str, targets: &dyn Targets) -> Result<String, String> {
    use svgtypes::{Paint, PaintFallback};
    let parsed = Paint::from_str(value).map_err(|_| "is not a paint".to_owned())?;
    Ok(match parsed {
        Paint::None => "none".into(),
        Paint::Inherit => "inherit".into(),
        Paint::CurrentColor => "currentColor".into(),
        Paint::Color(c) => rgba(c),
        Paint::FuncIRI(id, fallback) if targets.is_gradient(id) => {
            let fallback = match fallback {
                None => String::new(),
                Some(PaintFallback::None) => " none".into(),
                Some(PaintFallback::CurrentColor) => " currentColor".into(),
                Some(PaintFallback::Color(c)) => format!(" {}", rgba(c)),
            };
            format!("url(#{id}){fallback}")
        }
        Paint::FuncIRI(..) => return Err("must name a gradient of the logo".into()),
        Paint::ContextFill | Paint::ContextStroke => {
            return Err("uses context paint, which only markers have".into());
        }
    })
}

/// Path data parses whole and holds only path characters; it is kept as written.
fn path_data(value: &str) -> Result<String, String> {
    let characters_ok = value.bytes().all(|b| {
        b.is_ascii_digit()
            || b.is_ascii_whitespace()
            || matches!(b, b'.' | b',' | b'-' | b'+' | b'e' | b'E')
            || b"MmZzLlHhVvCcSsQqTtAa".contains(&b)
    });
    if !characters_ok {
        return Err("holds characters that are not path data".into());
    }
    for segment in svgtypes::PathParser::from(value) {
        segment.map_err(|e| format!("is not valid path data ({e})"))?;
    }
    Ok(value.to_owned())
}

pub fn clip(v: &str) -> String {
    v.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Doc;
    impl Targets for Doc {
        fn is_gradient(&self, id: &str) -> bool {
            id == "g"
        }
        fn is_clip_path(&self, id: &str) -> bool {
            id == "c"
        }
    }

    fn keep(element: &str, name: &str, value: &str) -> String {
        match judge(element, name, value, &Doc) {
            Verdict::Keep(v) => v,
            other => panic!("{element} {name}={value}: {other:?}"),
        }
    }

    fn refused(element: &str, name: &str, value: &str) -> bool {
        matches!(judge(element, name, value, &Doc), Verdict::Refuse(_))
    }

    #[test]
    fn numbers_colours_and_transforms_are_written_back_canonically() {
        assert_eq!(keep("rect", "width", " 10.50px "), "10.5px");
        assert_eq!(keep("path", "fill", "RED"), "#ff0000");
        assert_eq!(
            keep("path", "fill", "rgba(0, 0, 255, 0.5)"),
            "rgba(0,0,255,0.5019608)"
        );
        assert_eq!(
            keep("g", "transform", "translate(5 6)"),
            "matrix(1 0 0 1 5 6)"
        );
        assert_eq!(keep("stop", "offset", "150%"), "1");
        assert_eq!(keep("svg", "viewBox", "0,0,64,64"), "0 0 64 64");
    }

    #[test]
    fn paint_may_name_only_a_gradient_of_the_logo() {
        assert_eq!(keep("circle", "fill", "url(#g) red"), "url(#g) #ff0000");
        assert!(refused("circle", "fill", "url(#p)"));
        assert!(
            refused("circle", "stroke", "url(#c)"),
            "a clip path is no paint"
        );
        assert!(refused("circle", "fill", "context-fill"));
    }

    #[test]
    fn clip_path_may_name_only_a_clip_path_of_the_logo() {
        assert_eq!(keep("g", "clip-path", "url( #c )"), "url(#c)");
        assert_eq!(keep("g", "clip-path", "none"), "none");
        assert!(refused("g", "clip-path", "url(#g)"));
        assert!(refused("g", "clip-path", "url(other.svg#c)"));
    }

    #[test]
    fn masks_filters_markers_and_dashes_are_refused_unless_none() {
        for name in REFUSED_UNLESS_NONE {
            assert!(refused("path", name, "url(#m)"), "{name}");
            assert_eq!(judge("path", name, "none", &Doc), Verdict::Drop, "{name}");
        }
        assert!(refused("path", "stroke-dasharray", "1 1"));
    }

    #[test]
    fn unknown_attributes_and_event_handlers_are_dropped() {
        for name in ["onload", "onclick", "class", "data-name", "cursor", "href"] {
            assert_eq!(judge("rect", name, "x", &Doc), Verdict::Drop, "{name}");
        }
        assert_eq!(
            judge("linearGradient", "fill", "red", &Doc),
            Verdict::Drop,
            "gradients take no paint"
        );
    }

    #[test]
    fn ids_keep_only_plain_characters() {
        assert_eq!(keep("g", "id", "layer_1.a-b"), "layer_1.a-b");
        assert_eq!(judge("g", "id", "a\"b", &Doc), Verdict::Drop);
        assert_eq!(judge("g", "id", &"a".repeat(65), &Doc), Verdict::Drop);
    }

    #[test]
    fn path_data_must_parse_and_stay_within_its_size() {
        assert_eq!(keep("path", "d", "M0 0h10v10z"), "M0 0h10v10z");
        assert!(refused("path", "d", "M0 0 L <script>"));
        assert!(refused("path", "d", "M0 0 X 5"));
        let long = format!("M0 0{}", "l1 1".repeat(MAX_PATH_DATA_BYTES / 4));
        assert!(refused("path", "d", &long));
        assert_eq!(keep("polygon", "points", "0,0 10,0 5 5"), "0,0 10,0 5,5");
    }

    #[test]
    fn numbers_out_of_range_and_bad_keywords_are_refused() {
        assert!(refused("rect", "width", "1e300"));
        assert!(refused("rect", "width", "ten"));
        assert!(refused("g", "transform", "scale(1e99)"));
        assert!(refused("path", "fill-rule", "sometimes"));
        assert_eq!(keep("path", "fill-rule", "evenodd"), "evenodd");
        assert!(refused("stop", "stop-opacity", "5em"));
    }

    #[test]
    fn style_declarations_are_split_and_tricks_refused() {
        assert_eq!(
            style_declarations("fill:#fff; stroke : none;").unwrap(),
            vec![("fill", "#fff"), ("stroke", "none")]
        );
        assert!(style_declarations("fill:red !important").is_err());
        assert!(style_declarations("fill:/* x */red").is_err());
        assert!(style_declarations("fill:\\72 ed").is_err());
        assert!(style_declarations("just words").is_err());
    }
}
