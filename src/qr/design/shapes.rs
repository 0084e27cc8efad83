//! The shape choices: data modules, eye frames (the 7×7 ring) and eye balls (the 3×3
//! centre). Each list is declared once with its API names; the parameter table takes the
//! names from here, and the renderer matches on the variants (`render::modules`,
//! `render::eyes`), so a shape cannot be offered without being drawn.

/// An enum whose variants have fixed API names, with the list of them.
macro_rules! named {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant,)+];
            /// The API names, in declaration order (the order the docs show).
            pub const NAMES: &'static [&'static str] = &[$($text,)+];

            pub fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)+
                }
            }

            pub fn parse(value: &str) -> Option<Self> {
                match value {
                    $($text => Some(Self::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

named! {
    /// How each dark data module is drawn. Every shape keeps the middle of its module
    /// dark, where decoders sample; the ones that join neighbours ("connected" families
    /// and bars) fill the whole edge they share with a dark neighbour.
    ModuleShape {
        Square => "square",
        /// A circle of 0.9 module.
        Dot => "dot",
        /// A square with corners rounded by 0.3 module.
        Rounded => "rounded",
        /// Neighbours merge into blobs whose free corners are fully round.
        ExtraRounded => "extra_rounded",
        /// Neighbours merge into blobs whose free corners are slightly round.
        Connected => "connected",
        /// Neighbours merge; free top-left and bottom-right corners are round.
        Classy => "classy",
        /// Like classy, with the other free corners slightly round too.
        ClassyRounded => "classy_rounded",
        /// Vertical neighbours merge into rounded bars.
        VerticalBars => "vertical_bars",
        /// Horizontal neighbours merge into rounded bars.
        HorizontalBars => "horizontal_bars",
        /// A square turned 45°, corners on the module's edges.
        Diamond => "diamond",
        /// A square of 0.75 module.
        SmallSquare => "small_square",
        /// A circle of 0.75 module.
        SmallDot => "small_dot",
        /// Top-left and bottom-right corners fully round.
        Leaf => "leaf",
        /// A plus sign with arms 0.6 module wide.
        Cross => "cross",
        /// A four-pointed star with a broad body.
        Star => "star",
        /// A square with its corners cut.
        Octagon => "octagon",
    }
}

named! {
    /// An eye's 7×7 ring. Its outer corners are square (see `render::eyes` for why),
    /// so the frames differ in their holes.
    EyeFrame {
        Square => "square",
        /// The hole's corners rounded by 0.3 module.
        Soft => "soft",
        /// The hole's corners rounded by half a module.
        Rounded => "rounded",
        /// The hole's corners rounded by 0.7 module, the most the ring allows.
        RoundHole => "round_hole",
        /// The hole round at the symbol's corner and facing its centre.
        Leaf => "leaf",
        /// The hole round at the two other corners.
        LeafInverse => "leaf_inverse",
        /// The hole round but for a sharp corner facing the centre.
        Pointed => "pointed",
        /// The hole round but for a sharp corner at the symbol's corner.
        PointedOut => "pointed_out",
        /// The hole round at the symbol's corner only.
        Tab => "tab",
        /// The hole round facing the centre only.
        TabIn => "tab_in",
        /// An octagonal hole.
        Octagon => "octagon",
    }
}

named! {
    /// The outline of an eye's 3×3 centre.
    EyeBall {
        Square => "square",
        Soft => "soft",
        Rounded => "rounded",
        Circle => "circle",
        Leaf => "leaf",
        LeafInverse => "leaf_inverse",
        Pointed => "pointed",
        PointedOut => "pointed_out",
        Tab => "tab",
        TabIn => "tab_in",
        Squircle => "squircle",
        Octagon => "octagon",
        /// Square with the corner at the symbol's corner cut.
        Bevel => "bevel",
    }
}

/// Every shape choice as (parameter, value): the module shapes, eye frames and eye balls,
/// in the table's order (what the docs draw and the tests decode).
pub fn shape_choices() -> impl Iterator<Item = (&'static str, &'static str)> {
    let each = |parameter: &'static str, names: &'static [&'static str]| {
        names.iter().map(move |value| (parameter, *value))
    };
    each("module_shape", ModuleShape::NAMES)
        .chain(each("eye_frame", EyeFrame::NAMES))
        .chain(each("eye_ball", EyeBall::NAMES))
}

/// `eye_shape` sets frame and ball together. It takes every frame's name (each is also a
/// ball's) and `circle`, its value from before frames and balls were separate: a round
/// ball in the rounded frame with a round hole, as it looked then.
pub const EYE_SHAPES: &[&str] = &[
    "square",
    "soft",
    "rounded",
    "circle",
    "leaf",
    "leaf_inverse",
    "pointed",
    "pointed_out",
    "tab",
    "tab_in",
    "octagon",
];

/// The frame and ball an `eye_shape` value stands for.
pub fn eye_shape_parts(value: &str) -> Option<(EyeFrame, EyeBall)> {
    match value {
        "circle" => Some((EyeFrame::RoundHole, EyeBall::Circle)),
        _ => Some((EyeFrame::parse(value)?, EyeBall::parse(value)?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_reads_back_to_its_variant() {
        for shape in ModuleShape::ALL {
            assert_eq!(ModuleShape::parse(shape.name()), Some(*shape));
        }
        for frame in EyeFrame::ALL {
            assert_eq!(EyeFrame::parse(frame.name()), Some(*frame));
        }
        for ball in EyeBall::ALL {
            assert_eq!(EyeBall::parse(ball.name()), Some(*ball));
        }
        assert_eq!(ModuleShape::parse("heart"), None);
    }

    #[test]
    fn the_range_is_as_wide_as_promised() {
        assert!(ModuleShape::ALL.len() >= 12);
        assert!(EyeFrame::ALL.len() >= 10);
        assert!(EyeBall::ALL.len() >= 10);
    }

    #[test]
    fn every_eye_shape_shorthand_names_a_frame_and_a_ball() {
        for name in EYE_SHAPES {
            assert!(eye_shape_parts(name).is_some(), "{name}");
        }
        for frame in EyeFrame::NAMES {
            assert!(
                *frame == "round_hole" || EYE_SHAPES.contains(frame),
                "{frame}"
            );
            assert!(*frame == "round_hole" || EyeBall::parse(frame).is_some());
        }
        assert_eq!(
            eye_shape_parts("circle"),
            Some((EyeFrame::RoundHole, EyeBall::Circle))
        );
    }
}
