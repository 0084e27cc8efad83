//! The allow-list an SVG logo is held to, checked with a plain XML parser (roxmltree)
//! before anything of it reaches usvg: shapes, paths, groups, linear and radial
//! gradients (with a short `href` chain), clip paths made of shapes, and the painting
//! properties these need. Any other element is refused, naming it; attributes outside
//! the list are dropped; non-drawing metadata (title, desc, editor namespaces) is left
//! out. The result is a clean tree that `svg_write` serialises: the renderer only ever
//! sees that, never the upload.
//!
//! Nothing here recurses over the upload before its depth is known: the first pass walks
//! it iteratively and bounds elements, depth and references; only then is the clean tree
//! built (recursively, at most `MAX_SVG_DEPTH` deep).

use std::collections::HashMap;

use super::limits::*;
use super::svg_values::{self, Targets, Verdict, clip};

const SVG_NS: &str = "http://www.w3.org/2000/svg";
const XLINK_NS: &str = "http://www.w3.org/1999/xlink";

/// One element of the checked logo, with the attributes it keeps.
#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    pub name: &'static str,
    pub attributes: Vec<(&'static str, String)>,
    pub children: Vec<Element>,
}

/// Why a logo was refused: a sentence for the API's `detail`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// It is not well-formed XML or not an SVG document.
    Malformed(String),
    /// It points outside itself.
    External(String),
    /// It breaks the allow-list or a bound.
    Unsafe(String),
}

const SHAPES: &[&str] = &[
    "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
];
const GRADIENTS: &[&str] = &["linearGradient", "radialGradient"];
/// Drawn nothing and carry nothing the renderer needs: left out of the clean tree.
const METADATA: &[&str] = &["title", "desc", "metadata"];

/// Every attribute name the allow-list can keep, so the clean tree holds `&'static str`.
const NAMES: &[&str] = &[
    "id",
    "width",
    "height",
    "viewBox",
    "preserveAspectRatio",
    "x",
    "y",
    "rx",
    "ry",
    "cx",
    "cy",
    "r",
    "fx",
    "fy",
    "fr",
    "x1",
    "y1",
    "x2",
    "y2",
    "points",
    "d",
    "transform",
    "gradientUnits",
    "gradientTransform",
    "spreadMethod",
    "href",
    "offset",
    "stop-color",
    "stop-opacity",
    "clipPathUnits",
    "fill",
    "fill-opacity",
    "fill-rule",
    "stroke",
    "stroke-width",
    "stroke-opacity",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "opacity",
    "clip-path",
    "clip-rule",
    "color",
    "display",
    "visibility",
    "shape-rendering",
];

/// Checks `text` and returns its clean tree (the root `<svg>`).
pub fn check(text: &str) -> Result<Element, Refusal> {
    if text.contains("<!DOCTYPE") || text.contains("<!ENTITY") {
        return Err(Refusal::Unsafe(
            "document type declarations and entities are not allowed".into(),
        ));
    }
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_SVG_NODES,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, options).map_err(|e| match e {
        roxmltree::Error::NodesLimitReached => {
            Refusal::Unsafe(format!("it has more than {MAX_SVG_NODES} XML nodes"))
        }
        e => Refusal::Malformed(e.to_string()),
    })?;
    let root = doc.root_element();
    if root.tag_name().name() != "svg" || root.tag_name().namespace() != Some(SVG_NS) {
        return Err(Refusal::Malformed(
            "the root element is not <svg xmlns=\"http://www.w3.org/2000/svg\">".into(),
        ));
    }
    let ids = survey(&doc)?;
    Builder { ids: &ids }.element(root, 0, Context::default())
}

/// What an id names, and the gradient an `href` inherits from.
#[derive(Default)]
struct Ids<'a> {
    kinds: HashMap<&'a str, &'a str>,
    hrefs: HashMap<&'a str, &'a str>,
}

impl Targets for Ids<'_> {
    fn is_gradient(&self, id: &str) -> bool {
        self.kinds.get(id).is_some_and(|k| GRADIENTS.contains(k))
    }
    fn is_clip_path(&self, id: &str) -> bool {
        self.kinds.get(id) == Some(&"clipPath")
    }
}

/// The first, iterative pass: bounds on elements and depth, no reference outside the
/// document anywhere (even in attributes that would be dropped), and the ids.
fn survey<'a>(doc: &'a roxmltree::Document<'a>) -> Result<Ids<'a>, Refusal> {
    let mut ids = Ids::default();
    let mut elements = 0;
    for node in doc.descendants().filter(|n| n.is_element()) {
        elements += 1;
        if elements > MAX_SVG_ELEMENTS {
            return Err(Refusal::Unsafe(format!(
                "it has more than {MAX_SVG_ELEMENTS} elements"
            )));
        }
        // The document node and the root <svg> are not nesting.
        if node.ancestors().count() > MAX_SVG_DEPTH + 2 {
            return Err(Refusal::Unsafe(format!(
                "its elements are nested more than {MAX_SVG_DEPTH} deep"
            )));
        }
        for attribute in node.attributes() {
            external_reference(attribute.name(), attribute.value())?;
        }
        if node.tag_name().name() == "style" {
            external_reference("style", node.text().unwrap_or_default())?;
        }
        if node.tag_name().namespace() != Some(SVG_NS) {
            continue;
        }
        if let Some(id) = node.attribute("id") {
            ids.kinds.insert(id, node.tag_name().name());
            if let Some(target) = href(node) {
                ids.hrefs.insert(id, target.trim().trim_start_matches('#'));
            }
        }
    }
    Ok(ids)
}

fn href<'a>(node: roxmltree::Node<'a, 'a>) -> Option<&'a str> {
    node.attribute((XLINK_NS, "href"))
        .or_else(|| node.attribute("href"))
}

/// An `href` may only point inside the document (`#id`); `url(...)` anywhere may only
/// point inside the document; CSS may not import.
fn external_reference(name: &str, value: &str) -> Result<(), Refusal> {
    let value = value.trim();
    if name == "href" && !value.starts_with('#') {
        return Err(Refusal::External(clip(value)));
    }
    if value.contains("@import") {
        return Err(Refusal::External("@import".into()));
    }
    let mut rest = value;
    while let Some(at) = rest.find("url(") {
        let target = rest[at + 4..].trim_start().trim_start_matches(['\'', '"']);
        if !target.starts_with('#') {
            return Err(Refusal::External(clip(&rest[at..])));
        }
        rest = &rest[at + 4..];
    }
    Ok(())
}

/// Where in the tree an element is.
#[derive(Default, Clone, Copy)]
struct Context {
    /// Inside a `<clipPath>`: only shapes, and no clip of their own (no chains).
    in_clip_path: bool,
    /// Layers (opacity, clipping) around this element.
    layers: usize,
}

struct Builder<'i, 'a> {
    ids: &'i Ids<'a>,
}

impl Builder<'_, '_> {
    fn element(
        &self,
        node: roxmltree::Node,
        depth: usize,
        context: Context,
    ) -> Result<Element, Refusal> {
        let name = allowed_element(node, depth, context)?;
        let mut attributes = self.attributes(node, name)?;
        let context = self.context_inside(name, &attributes, context)?;
        if GRADIENTS.contains(&name) {
            self.gradient_href(node, &mut attributes)?;
            if node.children().filter(|c| c.is_element()).count() > MAX_GRADIENT_STOPS {
                return Err(Refusal::Unsafe(format!(
                    "a gradient has more than {MAX_GRADIENT_STOPS} stops"
                )));
            }
        }
        let mut children = Vec::new();
        for child in node.children().filter(|c| c.is_element()) {
            let ns = child.tag_name().namespace();
            if ns != Some(SVG_NS) || METADATA.contains(&child.tag_name().name()) {
                continue; // editor data (sodipodi:, inkscape:, RDF) and titles
            }
            children.push(self.element(child, depth + 1, context)?);
        }
        Ok(Element {
            name,
            attributes,
            children,
        })
    }

    /// The kept attributes: plain ones first, then `style` declarations, which win.
    fn attributes(
        &self,
        node: roxmltree::Node,
        element: &'static str,
    ) -> Result<Vec<(&'static str, String)>, Refusal> {
        let mut kept: Vec<(&'static str, String)> = Vec::new();
        let mut put = |name: &str, value: &str| -> Result<(), Refusal> {
            let Some(&name) = NAMES.iter().find(|n| **n == name) else {
                return match svg_values::judge(element, name, value, self.ids) {
                    Verdict::Refuse(why) => Err(Refusal::Unsafe(why)),
                    _ => Ok(()),
                };
            };
            if name == "href" {
                return Ok(()); // judged with its chain, for gradients only
            }
            match svg_values::judge(element, name, value, self.ids) {
                Verdict::Keep(v) => {
                    kept.retain(|(n, _)| *n != name);
                    kept.push((name, v));
                    Ok(())
                }
                Verdict::Drop => Ok(()),
                Verdict::Refuse(why) => Err(Refusal::Unsafe(why)),
            }
        };
        let mut style = None;
        for attribute in node.attributes() {
            match (attribute.namespace(), attribute.name()) {
                (None, "style") => style = Some(attribute.value()),
                (None, name) => put(name, attribute.value())?,
                _ => {} // xlink:href is read with the chain; editors' namespaces dropped
            }
        }
        if let Some(style) = style {
            for (name, value) in svg_values::style_declarations(style).map_err(Refusal::Unsafe)? {
                put(name, value)?;
            }
        }
        Ok(kept)
    }

    /// Checks what the element's attributes mean for its children: clip paths may not be
    /// clipped themselves, and layers nest only so deep.
    fn context_inside(
        &self,
        name: &'static str,
        attributes: &[(&'static str, String)],
        mut context: Context,
    ) -> Result<Context, Refusal> {
        let value = |n: &str| {
            attributes
                .iter()
                .find(|(a, _)| *a == n)
                .map(|(_, v)| v.as_str())
        };
        let clipped = value("clip-path").is_some_and(|v| v != "none");
        if (context.in_clip_path || name == "clipPath") && clipped {
            return Err(Refusal::Unsafe(
                "a clip path may not be clipped itself (no reference chains)".into(),
            ));
        }
        let translucent = value("opacity").is_some_and(|v| v != "1");
        if clipped || translucent {
            context.layers += 1;
            if context.layers > MAX_LAYER_DEPTH {
                return Err(Refusal::Unsafe(format!(
                    "more than {MAX_LAYER_DEPTH} layers (opacity or clip-path) are nested"
                )));
            }
        }
        context.in_clip_path |= name == "clipPath";
        Ok(context)
    }

    /// A gradient may take its stops and geometry from another gradient, through a short
    /// chain with no loop.
    fn gradient_href(
        &self,
        node: roxmltree::Node,
        attributes: &mut Vec<(&'static str, String)>,
    ) -> Result<(), Refusal> {
        let Some(first) = href(node) else {
            return Ok(());
        };
        let first = first.trim().trim_start_matches('#');
        let start = node.attribute("id").unwrap_or_default();
        let mut target = first;
        for step in 0.. {
            if !self.ids.is_gradient(target) {
                return Err(Refusal::Unsafe(format!(
                    "a gradient inherits from `#{}`, which is not a gradient of the logo",
                    clip(target)
                )));
            }
            if target == start || step >= MAX_GRADIENT_HREF_DEPTH {
                return Err(Refusal::Unsafe(format!(
                    "gradients inherit from each other in a loop or more than \
                     {MAX_GRADIENT_HREF_DEPTH} deep"
                )));
            }
            match self.ids.hrefs.get(target) {
                Some(next) => target = next,
                None => break,
            }
        }
        attributes.push(("href", format!("#{first}")));
        Ok(())
    }
}

/// The element's name if the allow-list has it here, else the reason for refusing.
fn allowed_element(
    node: roxmltree::Node,
    depth: usize,
    context: Context,
) -> Result<&'static str, Refusal> {
    let name = node.tag_name().name();
    let parent = node.parent_element().map(|p| p.tag_name().name());
    let allowed: &[&'static str] = match parent {
        _ if context.in_clip_path => SHAPES,
        Some("linearGradient" | "radialGradient") => &["stop"],
        _ if depth == 0 => &["svg"],
        _ => &[
            "g",
            "defs",
            "path",
            "rect",
            "circle",
            "ellipse",
            "line",
            "polyline",
            "polygon",
            "linearGradient",
            "radialGradient",
            "clipPath",
        ],
    };
    if let Some(&name) = allowed.iter().find(|n| **n == name) {
        return Ok(name);
    }
    let why = match name {
        "style" => "style sheets (<style>) are not accepted; use attributes or style=\"…\"".into(),
        "text" | "tspan" | "textPath" => "text is not accepted; convert it to paths".into(),
        "use" | "symbol" => "<use> references are not accepted; expand them into shapes".into(),
        "svg" => "nested <svg> elements are not accepted".into(),
        "stop" => "<stop> belongs inside a gradient".into(),
        _ if context.in_clip_path => {
            format!("a <clipPath> may hold only shapes, not <{}>", clip(name))
        }
        _ => format!(
            "<{}> elements are not accepted (a logo may have shapes, paths, groups, \
             linear and radial gradients and clip paths)",
            clip(name)
        ),
    };
    Err(Refusal::Unsafe(why))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svg(body: &str) -> String {
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="64" height="64">{body}</svg>"#
        )
    }

    fn unsafe_reason(body: &str) -> String {
        match check(&svg(body)) {
            Err(Refusal::Unsafe(why)) => why,
            other => panic!("{body}: {other:?}"),
        }
    }

    /// `depth` levels of `open` around a rect.
    fn nested(depth: usize, open: &str, close: &str) -> String {
        format!(
            "{}<rect width='1' height='1'/>{}",
            open.repeat(depth),
            close.repeat(depth)
        )
    }

    #[test]
    fn shapes_groups_gradients_and_clip_paths_are_accepted() {
        let body = r##"<defs><linearGradient id="a"><stop offset="0" stop-color="red"/></linearGradient>
            <radialGradient id="b" href="#a" cx="0.5"/><clipPath id="c"><circle r="9"/></clipPath></defs>
            <g clip-path="url(#c)" opacity="0.5"><path d="M0 0h9v9z" fill="url(#b)"/><rect width="3" height="3"/>
            <circle r="2"/><ellipse rx="1" ry="2"/><line x2="5" stroke="#000"/><polyline points="0,0 1,1"/><polygon points="0,0 1,1 0,1"/></g>"##;
        let root = check(&svg(body)).unwrap();
        assert_eq!(root.name, "svg");
        assert_eq!(root.children.len(), 2);
    }

    #[test]
    fn every_element_outside_the_allow_list_is_refused_by_name() {
        for name in [
            "image",
            "pattern",
            "mask",
            "filter",
            "feTurbulence",
            "feGaussianBlur",
            "feMorphology",
            "foreignObject",
            "script",
            "a",
            "switch",
            "marker",
            "animate",
            "set",
            "iframe",
        ] {
            let why = unsafe_reason(&format!("<{name}/>"));
            assert!(why.contains(&format!("<{name}>")), "{name}: {why}");
        }
        assert!(unsafe_reason("<style>rect{fill:red}</style>").contains("style sheets"));
        assert!(unsafe_reason("<use href='#x'/>").contains("<use>"));
        assert!(unsafe_reason("<symbol id='x'/>").contains("<use>"));
        assert!(unsafe_reason("<text>Hi</text>").contains("convert it to paths"));
        assert!(unsafe_reason("<svg/>").contains("nested <svg>"));
        assert!(
            unsafe_reason("<g><filter id='f'/></g>").contains("<filter>"),
            "inside a group too"
        );
    }

    #[test]
    fn titles_metadata_and_editor_namespaces_are_left_out() {
        let body = r#"<title>t</title><desc>d</desc><metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></metadata>
            <sodipodi:namedview xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"><script/></sodipodi:namedview><rect width="1" height="1"/>"#;
        let root = check(&svg(body)).unwrap();
        assert_eq!(root.children.len(), 1);
        assert_eq!(root.children[0].name, "rect");
    }

    #[test]
    fn elements_nodes_and_nesting_are_bounded() {
        let many = "<rect/>".repeat(MAX_SVG_ELEMENTS);
        assert!(unsafe_reason(&many).contains("elements"));
        assert!(check(&svg(&"<rect/>".repeat(MAX_SVG_ELEMENTS - 1))).is_ok());
        let comments = "<!---->".repeat(MAX_SVG_NODES as usize);
        assert!(unsafe_reason(&comments).contains("XML nodes"));
        assert!(check(&svg(&nested(MAX_SVG_DEPTH - 1, "<g>", "</g>"))).is_ok());
        assert!(unsafe_reason(&nested(MAX_SVG_DEPTH, "<g>", "</g>")).contains("nested"));
        assert!(unsafe_reason(&nested(5_000, "<g>", "</g>")).contains("nested"));
    }

    #[test]
    fn document_types_and_entities_are_refused() {
        let doc = r#"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "x">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>"#;
        assert!(matches!(check(doc), Err(Refusal::Unsafe(why)) if why.contains("entities")));
    }

    #[test]
    fn references_outside_the_document_are_refused_even_where_they_would_be_dropped() {
        for body in [
            "<rect fill='url(https://x.example/a#b)'/>",
            "<rect cursor='url(file:///etc/passwd)'/>",
            "<linearGradient id='g' xlink:href='other.svg#g'/>",
            "<rect style='fill:url(//x.example/p)'/>",
            "<style>@import 'x.css';</style>",
        ] {
            assert!(
                matches!(check(&svg(body)), Err(Refusal::External(_))),
                "{body}"
            );
        }
    }

    #[test]
    fn gradient_inheritance_is_short_and_has_no_loop() {
        let chain = |n: usize| {
            let mut body = "<linearGradient id='g0'><stop offset='1'/></linearGradient>".to_owned();
            for i in 1..=n {
                body.push_str(&format!("<linearGradient id='g{i}' href='#g{}'/>", i - 1));
            }
            body
        };
        assert!(check(&svg(&chain(MAX_GRADIENT_HREF_DEPTH))).is_ok());
        assert!(unsafe_reason(&chain(MAX_GRADIENT_HREF_DEPTH + 1)).contains("deep"));
        let looped = "<linearGradient id='a' href='#b'/><linearGradient id='b' xlink:href='#a'/>";
        assert!(unsafe_reason(looped).contains("loop"));
        assert!(unsafe_reason("<linearGradient id='a' href='#a'/>").contains("loop"));
        let to_shape = "<rect id='r'/><linearGradient id='a' href='#r'/>";
        assert!(unsafe_reason(to_shape).contains("not a gradient"));
    }

    #[test]
    fn gradients_hold_only_stops_and_stops_only_sit_in_gradients() {
        assert!(
            unsafe_reason("<linearGradient id='a'><rect/></linearGradient>").contains("<rect>")
        );
        assert!(unsafe_reason("<stop offset='0'/>").contains("inside a gradient"));
        let stops = |n: usize| {
            format!(
                "<linearGradient id='a'>{}</linearGradient>",
                "<stop/>".repeat(n)
            )
        };
        assert!(check(&svg(&stops(MAX_GRADIENT_STOPS))).is_ok());
        assert!(unsafe_reason(&stops(MAX_GRADIENT_STOPS + 1)).contains("stops"));
    }

    #[test]
    fn clip_paths_hold_only_shapes_and_are_never_clipped_themselves() {
        let group = "<clipPath id='c'><g><rect/></g></clipPath>";
        assert!(unsafe_reason(group).contains("only shapes"));
        let chained = "<clipPath id='c'><rect width='1' height='1'/></clipPath><clipPath id='d'><rect clip-path='url(#c)'/></clipPath>";
        assert!(unsafe_reason(chained).contains("clipped itself"));
        let recursive = "<clipPath id='c'><rect clip-path='url(#c)'/></clipPath>";
        assert!(unsafe_reason(recursive).contains("clipped itself"));
        assert!(unsafe_reason("<rect id='r'/><g clip-path='url(#r)'/>").contains("clipPath"));
    }

    #[test]
    fn layers_nest_only_so_deep() {
        let ok = nested(MAX_LAYER_DEPTH, "<g opacity='0.9'>", "</g>");
        assert!(check(&svg(&ok)).is_ok());
        let deep = nested(MAX_LAYER_DEPTH + 1, "<g style='opacity:0.9'>", "</g>");
        assert!(unsafe_reason(&deep).contains("layers"));
        let opaque = nested(MAX_SVG_DEPTH - 1, "<g opacity='1'>", "</g>");
        assert!(check(&svg(&opaque)).is_ok(), "opacity 1 is no layer");
    }

    #[test]
    fn a_style_attribute_becomes_attributes_and_wins() {
        let root = check(&svg(
            "<rect fill='red' style='fill: blue; stroke-width: 2; font-family: x'/>",
        ))
        .unwrap();
        assert_eq!(
            root.children[0].attributes,
            [
                ("fill", "#0000ff".to_owned()),
                ("stroke-width", "2".to_owned())
            ]
        );
        assert!(unsafe_reason("<rect style='filter:url(#f)'/>").contains("filter"));
    }

    #[test]
    fn the_root_must_be_an_svg_element_in_the_svg_namespace() {
        assert!(matches!(check("<svg/>"), Err(Refusal::Malformed(_))));
        assert!(matches!(
            check("<html xmlns='http://www.w3.org/2000/svg'/>"),
            Err(Refusal::Malformed(_))
        ));
        assert!(matches!(check("<svg"), Err(Refusal::Malformed(_))));
    }
}
