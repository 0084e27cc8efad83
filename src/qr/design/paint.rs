//! What each part of a code is painted with, read from the colour parameters and their
//! shorthands, and which parameter chose it (for error messages).

use super::{DesignError, error};
use crate::qr::color::Rgb;
use crate::qr::gradient::Gradient;
use crate::qr::payload::Params;

/// The area a gradient spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Span {
    /// The whole symbol (the modules' box, quiet zone excluded).
    Symbol,
    /// Each eye's own 7×7 box, so the three eyes look alike.
    EachEye,
}

/// How the modules or an eye part are filled.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Paint {
    Solid(Rgb),
    Gradient(Gradient, Span),
}

impl Paint {
    /// The colours the paint can take (its stops for a gradient), for the contrast rule.
    pub fn colors(&self) -> &[Rgb] {
        match self {
            Self::Solid(c) => std::slice::from_ref(c),
            Self::Gradient(g, _) => &g.stops,
        }
    }

    pub fn solid(&self) -> Option<Rgb> {
        match self {
            Self::Solid(c) => Some(*c),
            Self::Gradient(..) => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Background {
    Color(Rgb),
    Transparent,
    /// Across the symbol; the quiet zone around it (and a frame's ground) is flat, in
    /// the gradient's lightest colour (see [`Background::plain`]).
    Gradient(Gradient),
}

impl Background {
    /// The colours the background can show, for contrast checks; a transparent image is
    /// most likely shown on white.
    pub fn colors(&self) -> &[Rgb] {
        match self {
            Self::Color(c) => std::slice::from_ref(c),
            Self::Transparent => std::slice::from_ref(&Rgb::WHITE),
            Self::Gradient(g) => &g.stops,
        }
    }

    /// The flat colour around the symbol: its quiet zone, a frame's ground, and what a
    /// code with a narrow margin should be printed on. A transparent image is most likely
    /// shown on white; a gradient gives its lightest stop (the first of equals), so the
    /// quiet zone is never darker than any colour the gradient shows (why:
    /// `render::drawing::background_fill`).
    pub fn plain(&self) -> Rgb {
        match self {
            Self::Color(c) => *c,
            Self::Transparent => Rgb::WHITE,
            Self::Gradient(g) => g.stops.iter().fold(g.stops[0], |lightest, &c| {
                if c.luminance() > lightest.luminance() {
                    c
                } else {
                    lightest
                }
            }),
        }
    }
}

/// A paint with the parameter that set it.
pub(super) struct Chosen<T> {
    pub value: T,
    pub parameter: &'static str,
}

pub(super) struct Paints {
    pub modules: Chosen<Paint>,
    pub eye_frame: Chosen<Paint>,
    pub eye_ball: Chosen<Paint>,
    pub background: Chosen<Background>,
}

/// Reads the colour parameters (already validated and normalised). Precedence, most
/// specific first: a part's own colour, `eye_gradient`, the `eye_color` shorthand, then
/// the modules' paint. A gradient replaces the colour it stands beside, as `fg_gradient`
/// replaces `fg` and `bg_gradient` replaces `bg`.
pub(super) fn resolve(clean: &Params) -> Result<Paints, DesignError> {
    let solid = |name: &'static str| -> Result<Option<Chosen<Paint>>, DesignError> {
        clean
            .get(name)
            .map(|v| {
                Rgb::parse(v)
                    .map(|c| Chosen {
                        value: Paint::Solid(c),
                        parameter: name,
                    })
                    .ok_or_else(|| error(name, format!("`{v}` is not a colour")))
            })
            .transpose()
    };
    let gradient = |name: &'static str| -> Result<Option<Gradient>, DesignError> {
        clean
            .get(name)
            .map(|v| Gradient::parse(v).map_err(|e| error(name, e)))
            .transpose()
    };
    let modules = match gradient("fg_gradient")? {
        Some(g) => Chosen {
            value: Paint::Gradient(g, Span::Symbol),
            parameter: "fg_gradient",
        },
        None => solid("fg")?.ok_or_else(|| error("fg", "is required"))?,
    };
    let eye_color = solid("eye_color")?;
    let eye_gradient = gradient("eye_gradient")?;
    let eye_part = |own: &'static str| -> Result<Chosen<Paint>, DesignError> {
        if let Some(chosen) = solid(own)? {
            return Ok(chosen);
        }
        if let Some(g) = &eye_gradient {
            return Ok(Chosen {
                value: Paint::Gradient(g.clone(), Span::EachEye),
                parameter: "eye_gradient",
            });
        }
        if let Some(Chosen { value, parameter }) = &eye_color {
            return Ok(Chosen {
                value: value.clone(),
                parameter,
            });
        }
        Ok(Chosen {
            value: modules.value.clone(),
            parameter: modules.parameter,
        })
    };
    let eye_frame = eye_part("eye_frame_color")?;
    let eye_ball = eye_part("eye_ball_color")?;
    let background = match gradient("bg_gradient")? {
        Some(g) => Chosen {
            value: Background::Gradient(g),
            parameter: "bg_gradient",
        },
        None => {
            let raw = clean.get("bg").ok_or_else(|| error("bg", "is required"))?;
            let value = match raw {
                "transparent" => Background::Transparent,
                _ => Rgb::parse(raw)
                    .map(Background::Color)
                    .ok_or_else(|| error("bg", format!("`{raw}` is not a colour")))?,
            };
            Chosen {
                value,
                parameter: "bg",
            }
        }
    };
    Ok(Paints {
        modules,
        eye_frame,
        eye_ball,
        background,
    })
}
