//! Small pictures of single shape choices, drawn by the same code as the codes themselves,
//! for the docs page: a patch of modules for a module shape (with neighbours, so joins
//! show), one eye for a frame or a ball.

use std::fmt::Write;

use super::eyes::{Eye, Placement};
use super::modules::{self, Sides};
use super::path::Path;
use crate::qr::design::{EyeBall, EyeFrame, ModuleShape};

/// Pixels per module in the pictures' own coordinates.
const MODULE: f64 = 10.0;
/// The patch of modules: a few runs, a corner, a lone module.
const PATCH: [&str; 5] = ["##.##", "#...#", "###..", "..#.#", "#.###"];
const INK: &str = "#0f172a";

/// The picture of `value` of the shape parameter `parameter` (`module_shape`,
/// `eye_frame`, `eye_ball`, or `eye_shape` for both eye parts), as SVG; `None` when
/// there is no such shape.
pub fn shape_picture(parameter: &str, value: &str) -> Option<String> {
    let mut path = Path::new();
    let modules_wide = match parameter {
        "module_shape" => {
            patch(ModuleShape::parse(value)?, &mut path);
            PATCH.len() + 2
        }
        "eye_frame" => {
            eye(EyeFrame::parse(value)?, EyeBall::Square, &mut path);
            9
        }
        "eye_ball" => {
            eye(EyeFrame::Square, EyeBall::parse(value)?, &mut path);
            9
        }
        "eye_shape" => {
            eye(EyeFrame::parse(value)?, EyeBall::parse(value)?, &mut path);
            9
        }
        _ => return None,
    };
    let side = MODULE * modules_wide as f64;
    let mut d = String::new();
    path.write_svg(&mut d);
    let mut out = String::with_capacity(d.len() + 200);
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 {side} {side}"><rect width="{side}" height="{side}" fill="#ffffff"/><path fill="{INK}" fill-rule="evenodd" d="{d}"/></svg>"##
    );
    Some(out)
}

fn patch(shape: ModuleShape, path: &mut Path) {
    let dark = |x: isize, y: isize| {
        y >= 0
            && x >= 0
            && PATCH
                .get(y as usize)
                .and_then(|row| row.as_bytes().get(x as usize))
                == Some(&b'#')
    };
    let matter = modules::sides_that_matter(shape);
    for (y, row) in PATCH.iter().enumerate() {
        for x in 0..row.len() {
            let (xi, yi) = (x as isize, y as isize);
            if !dark(xi, yi) {
                continue;
            }
            let sides = Sides::new(
                dark(xi, yi - 1),
                dark(xi + 1, yi),
                dark(xi, yi + 1),
                dark(xi - 1, yi),
            )
            .with_corners(
                dark(xi + 1, yi - 1),
                dark(xi + 1, yi + 1),
                dark(xi - 1, yi + 1),
                dark(xi - 1, yi - 1),
            );
            let (px, py) = ((x + 1) as f64 * MODULE, (y + 1) as f64 * MODULE);
            modules::module(
                path,
                shape,
                px,
                py,
                MODULE,
                Sides::from_bits(sides.bits() & matter),
            );
        }
    }
}

fn eye(frame: EyeFrame, ball: EyeBall, path: &mut Path) {
    let eye = Eye {
        x: MODULE,
        y: MODULE,
        s: MODULE,
        placement: Placement { outer_corner: 0 },
    };
    eye.frame(frame, path);
    eye.ball(ball, false, path);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qr::design::shape_choices;

    #[test]
    fn every_shape_has_a_picture_unlike_the_others_of_its_parameter() {
        let mut seen = std::collections::HashSet::new();
        for (parameter, value) in shape_choices() {
            let svg = shape_picture(parameter, value).unwrap();
            assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
            assert!(
                seen.insert((parameter, svg)),
                "{parameter}={value} looks like another"
            );
        }
        assert!(shape_picture("module_shape", "heart").is_none());
        assert!(shape_picture("fg", "square").is_none());
    }
}
