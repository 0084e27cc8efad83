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
    /// The outline of an eye's 7×7 ring. Its outer corners stay sharp or round by at most
    /// 1.25 modules (see `render::eyes` for why), so the shapes differ in which corners
    /// round and in the hole.
    EyeFrame {
        Square => "square",
        /// Corners rounded by half a module.
        Soft => "soft",
        /// Corners rounded by one module.
        Rounded => "rounded",
        /// As round as scanners allow: corners of 1.25 modules and a rounder hole.
        Circle => "circle",
        /// The corner at the symbol's corner and the one facing its centre round.
        Leaf => "leaf",
        /// The two other corners round.
        LeafInverse => "leaf_inverse",
        /// Round but for a sharp corner facing the symbol's centre.
        Pointed => "pointed",
        /// Round but for a sharp corner at the symbol's corner.
        PointedOut => "pointed_out",
        /// Square with the corner at the symbol's corner round.
        Tab => "tab",
        /// Square with the corner facing the symbol's centre round.
        TabIn => "tab_in",
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

/// `eye_shape` sets frame and ball together; it takes the names both lists have (every
/// frame's name is also a ball's; a unit test holds that).
pub const EYE_SHAPES: &[&str] = EyeFrame::NAMES;

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
            assert!(EyeFrame::parse(name).is_some() && EyeBall::parse(name).is_some());
        }
    }
}
