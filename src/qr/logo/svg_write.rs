//! Serialises a checked logo: elements and the attributes the allow-list kept, nothing
//! else (no comments, processing instructions, text, entities or unknown attributes),
//! every value escaped. The tree is at most `MAX_SVG_DEPTH` deep, so recursion is safe.

use super::svg_check::Element;

/// The sanitised SVG: what is stored and embedded in vector outputs.
pub fn write(root: &Element) -> String {
    let mut out = String::with_capacity(4096);
    element(&mut out, root, true, false);
    out
}

/// The same drawing with every shape outside clip paths in a group of its own, so that
/// the rasteriser can draw (and check its clock) shape by shape: resvg draws a node of
/// its own only when it has an area, and a group always has one.
pub fn write_for_raster(root: &Element) -> String {
    let mut out = String::with_capacity(4096);
    element(&mut out, root, true, true);
    out
}

const SHAPES: &[&str] = &[
    "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
];

fn element(out: &mut String, e: &Element, root: bool, wrap_shapes: bool) {
    let wrap = wrap_shapes && SHAPES.contains(&e.name);
    if wrap {
        out.push_str("<g>");
    }
    out.push('<');
    out.push_str(e.name);
    if root {
        out.push_str(r#" xmlns="http://www.w3.org/2000/svg""#);
    }
    for (name, value) in &e.attributes {
        out.push(' ');
        out.push_str(name);
        out.push_str("=\"");
        escape(out, value);
        out.push('"');
    }
    if e.children.is_empty() {
        out.push_str("/>");
    } else {
        out.push('>');
        // Shapes in a clip path stay as they are: a group is not allowed there.
        let wrap_children = wrap_shapes && e.name != "clipPath";
        for child in &e.children {
            element(out, child, false, wrap_children);
        }
        out.push_str("</");
        out.push_str(e.name);
        out.push('>');
    }
    if wrap {
        out.push_str("</g>");
    }
}

fn escape(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::svg_check::check;
    use super::*;

    #[test]
    fn everything_outside_the_allow_list_is_left_out() {
        let upload = r##"<?xml version="1.0" encoding="UTF-8"?>
<!-- made by an editor -->
<?xml-stylesheet href="x.css"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
     width="64" height="64" onload="alert(1)" data-name="logo" inkscape:version="1.3">
  <title>Brand</title>
  <inkscape:grid spacing="4"/>
  <defs><linearGradient id="g" x2="1"><stop offset="0" stop-color="red" onclick="x()"/><stop offset="1" stop-color="blue"/></linearGradient></defs>
  <g class="layer" style="fill:#112233;cursor:pointer" onmouseover="steal()">
    <!-- a comment -->
    <circle cx="32" cy="32" r="20" fill="url(#g)" unknown="1"/>
    <path d="M0 0h8v8z" style="opacity:0.5"/>
  </g>
</svg>"##;
        let clean = write(&check(upload).unwrap());
        assert_eq!(
            clean,
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><defs><linearGradient id="g" x2="1"><stop offset="0" stop-color="#ff0000"/><stop offset="1" stop-color="#0000ff"/></linearGradient></defs><g fill="#112233"><circle cx="32" cy="32" r="20" fill="url(#g)"/><path d="M0 0h8v8z" opacity="0.5"/></g></svg>"##
        );
        for gone in [
            "onload",
            "onclick",
            "onmouseover",
            "<!--",
            "<?",
            "inkscape",
            "class",
            "data-name",
            "title",
            "cursor",
            "unknown",
        ] {
            assert!(!clean.contains(gone), "{gone} survived");
        }
    }

    #[test]
    fn the_raster_form_puts_each_shape_in_a_group_except_in_clip_paths() {
        let upload = r##"<svg xmlns="http://www.w3.org/2000/svg"><clipPath id="c"><rect width="5" height="5"/></clipPath><g clip-path="url(#c)"><path d="M0 0h9v9z"/></g></svg>"##;
        assert_eq!(
            write_for_raster(&check(upload).unwrap()),
            r##"<svg xmlns="http://www.w3.org/2000/svg"><clipPath id="c"><rect width="5" height="5"/></clipPath><g clip-path="url(#c)"><g><path d="M0 0h9v9z"/></g></g></svg>"##
        );
    }

    #[test]
    fn values_are_escaped() {
        let mut out = String::new();
        escape(&mut out, "a\"<b>&'\n");
        assert_eq!(out, "a&quot;&lt;b&gt;&amp;&apos; ");
    }
}
