//! A drawing as a one-page PDF, exactly the image's size: `print_size`, or the pixels at
//! 96 per inch (CSS pixels). Every part is a filled path (gradients are axial or radial
//! shadings clipped to the part); only an uploaded logo is an image. There is no
//! document information dictionary and no file id, so the same request gives the same
//! bytes.

use pdf_writer::types::FunctionShadingType;
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref};

use super::drawing::{Drawing, Fill};
use super::vector::{self, Op, Piece};
use crate::qr::design::PrintSize;

/// Points per CSS pixel (72 / 96).
const POINTS_PER_PIXEL: f64 = 0.75;

pub fn write(drawing: &Drawing, print_size: Option<PrintSize>) -> Vec<u8> {
    let flat = vector::flatten(drawing);
    let page = print_size.map_or(flat.size * POINTS_PER_PIXEL, PrintSize::points);
    let scale = page / flat.size;

    let mut ids = Ids(0);
    let (catalog, tree, page_id, contents) = (ids.next(), ids.next(), ids.next(), ids.next());
    let mut pdf = Pdf::new();
    let mut content = Content::new();
    // Pixels, y down, to points, y up.
    content.transform([scale as f32, 0.0, 0.0, -scale as f32, 0.0, page as f32]);
    let mut shadings: Vec<(String, Ref)> = Vec::new();
    let mut states: Vec<(String, Ref)> = Vec::new();
    let mut images: Vec<(String, Ref)> = Vec::new();

    let mut paint = |piece: &Piece, pdf: &mut Pdf, content: &mut Content, ids: &mut Ids| {
        content.save_state();
        if piece.opacity < 1.0 {
            let name = format!("G{}", states.len());
            let id = ids.next();
            pdf.ext_graphics(id)
                .non_stroking_alpha(piece.opacity as f32);
            content.set_parameters(Name(name.as_bytes()));
            states.push((name, id));
        }
        path(content, piece);
        match &piece.fill {
            Fill::Solid(c) => {
                let [r, g, b] = c.to_array().map(vector::unit);
                content.set_fill_rgb(r as f32, g as f32, b as f32);
                if piece.even_odd {
                    content.fill_even_odd();
                } else {
                    content.fill_nonzero();
                }
            }
            Fill::Linear { .. } | Fill::Radial { .. } => {
                let Some(gradient) = vector::Shade::of(&piece.fill) else {
                    return;
                };
                if piece.even_odd {
                    content.clip_even_odd();
                } else {
                    content.clip_nonzero();
                }
                content.end_path();
                let name = format!("S{}", shadings.len());
                let id = shading(pdf, ids, &gradient);
                content.shading(Name(name.as_bytes()));
                shadings.push((name, id));
            }
        }
        content.restore_state();
    };
    for piece in &flat.below {
        paint(piece, &mut pdf, &mut content, &mut ids);
    }
    if let Some(place) = &flat.logo
        && let Some((width, height, rgb)) = vector::logo_rgb(place)
    {
        let id = ids.next();
        let packed = miniz_oxide::deflate::compress_to_vec_zlib(&rgb, 6);
        let mut image = pdf.image_xobject(id, &packed);
        image.filter(Filter::FlateDecode);
        image
            .width(width as i32)
            .height(height as i32)
            .bits_per_component(8);
        image.color_space().device_rgb();
        image.finish();
        let name = format!("I{}", images.len());
        // The unit square, flipped back (our y runs down), onto the logo's square.
        let (x, y, side) = (place.x as f32, place.y as f32, place.side as f32);
        content
            .save_state()
            .transform([side, 0.0, 0.0, -side, x, y + side])
            .x_object(Name(name.as_bytes()))
            .restore_state();
        images.push((name, id));
    }
    for piece in &flat.above {
        paint(piece, &mut pdf, &mut content, &mut ids);
    }

    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids([page_id]).count(1);
    let mut page_writer = pdf.page(page_id);
    page_writer
        .parent(tree)
        .media_box(Rect::new(0.0, 0.0, page as f32, page as f32))
        .contents(contents);
    let mut resources = page_writer.resources();
    resources
        .shadings()
        .pairs(shadings.iter().map(|(n, id)| (Name(n.as_bytes()), *id)));
    resources
        .ext_g_states()
        .pairs(states.iter().map(|(n, id)| (Name(n.as_bytes()), *id)));
    resources
        .x_objects()
        .pairs(images.iter().map(|(n, id)| (Name(n.as_bytes()), *id)));
    resources.finish();
    page_writer.finish();
    let stream = miniz_oxide::deflate::compress_to_vec_zlib(&content.finish(), 6);
    pdf.stream(contents, &stream).filter(Filter::FlateDecode);
    pdf.finish()
}

struct Ids(i32);

impl Ids {
    fn next(&mut self) -> Ref {
        self.0 += 1;
        Ref::new(self.0)
    }
}

/// A piece's outline as path operators.
fn path(content: &mut Content, piece: &Piece) {
    let f = |v: f64| v as f32;
    vector::walk(&piece.path, |op| match op {
        Op::Move(p) => {
            content.move_to(f(p.x), f(p.y));
        }
        Op::Line(p) => {
            content.line_to(f(p.x), f(p.y));
        }
        Op::Cubic(a, b, p) => {
            content.cubic_to(f(a.x), f(a.y), f(b.x), f(b.y), f(p.x), f(p.y));
        }
        Op::Close => {
            content.close_path();
        }
    });
}

/// An axial or radial shading over the gradient's stops, padded beyond both ends.
fn shading(pdf: &mut Pdf, ids: &mut Ids, shade: &vector::Shade) -> Ref {
    let kind = if shade.radial {
        FunctionShadingType::Radial
    } else {
        FunctionShadingType::Axial
    };
    let stops: Vec<_> = vector::stops(shade.stops).collect();
    let mut pieces = Vec::new();
    for pair in stops.windows(2) {
        let id = ids.next();
        pdf.exponential_function(id)
            .domain([0.0, 1.0])
            .c0(pair[0].1.to_array().map(|c| vector::unit(c) as f32))
            .c1(pair[1].1.to_array().map(|c| vector::unit(c) as f32))
            .n(1.0);
        pieces.push(id);
    }
    let function = if pieces.len() == 1 {
        pieces[0]
    } else {
        let id = ids.next();
        let bounds: Vec<f32> = stops[1..stops.len() - 1]
            .iter()
            .map(|(at, _)| *at as f32)
            .collect();
        pdf.stitching_function(id)
            .domain([0.0, 1.0])
            .functions(pieces.iter().copied())
            .bounds(bounds)
            .encode(pieces.iter().flat_map(|_| [0.0, 1.0]));
        id
    };
    let id = ids.next();
    let mut shading = pdf.function_shading(id);
    shading.shading_type(kind);
    shading.color_space().device_rgb();
    shading
        .coords(shade.coords.iter().map(|&v| v as f32))
        .function(function)
        .extend([true, true]);
    shading.finish();
    id
}
