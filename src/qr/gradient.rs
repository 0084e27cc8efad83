//! Colour gradients as the API takes them, in one string that works in a query string and
//! in JSON alike:
//!
//! - `linear:ANGLE:COLOURS`, ANGLE in whole degrees 0–360 (0 runs left to right, 90 top to
//!   bottom), e.g. `linear:45:#1d4ed8,#9333ea`;
//! - `radial:COLOURS`, from the centre outwards, e.g. `radial:#1d4ed8,#0f172a`.
//!
//! COLOURS are 2 to 4 comma-separated `#RRGGBB` or `RRGGBB` colours, spread evenly. The `#`
//! may be left out, so that a URL needs no `%23`. Parsing normalises to lower-case `#rrggbb`
//! with no spaces, so equal gradients have one spelling (the cache key and ETag use it).

use std::fmt;

use super::color::Rgb;

pub const MIN_STOPS: usize = 2;
pub const MAX_STOPS: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GradientKind {
    /// Along a direction, in degrees clockwise from "left to right" (y points down).
    Linear { angle: u16 },
    /// From the centre of the area outwards.
    Radial,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Gradient {
    pub kind: GradientKind,
    /// 2 to 4 colours, evenly spaced from the start (or centre) to the end (or edge).
    pub stops: Vec<Rgb>,
}

impl Gradient {
    /// Reads the syntax above; the error says what is wrong, for a 400 naming the parameter.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let example = "e.g. linear:45:#1d4ed8,#9333ea or radial:#1d4ed8,#0f172a";
        let (kind, colours) = if let Some(rest) = raw.strip_prefix("linear:") {
            let (angle, colours) = rest
                .split_once(':')
                .ok_or_else(|| format!("a linear gradient is linear:ANGLE:COLOURS, {example}"))?;
            let angle = angle.trim();
            let degrees = match angle.parse::<u16>() {
                Ok(d) if d <= 360 && angle.bytes().all(|b| b.is_ascii_digit()) => d,
                _ => {
                    return Err(format!(
                        "the angle `{}` is not a whole number of degrees from 0 to 360, {example}",
                        clip(angle)
                    ));
                }
            };
            (
                GradientKind::Linear {
                    angle: degrees % 360,
                },
                colours,
            )
        } else if let Some(colours) = raw.strip_prefix("radial:") {
            (GradientKind::Radial, colours)
        } else {
            return Err(format!(
                "a gradient starts with linear: or radial:, {example}"
            ));
        };
        let stops = colours
            .split(',')
            .map(|c| {
                let c = c.trim();
                Rgb::parse(c).ok_or_else(|| {
                    format!(
                        "`{}` is not a colour; gradient colours are #RRGGBB or RRGGBB, {example}",
                        clip(c)
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if !(MIN_STOPS..=MAX_STOPS).contains(&stops.len()) {
            return Err(format!(
                "a gradient has {MIN_STOPS} to {MAX_STOPS} colours; this one has {}, {example}",
                stops.len()
            ));
        }
        Ok(Self { kind, stops })
    }
}

impl fmt::Display for Gradient {
    /// The normalised spelling, which `parse` reads back to the same gradient.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            GradientKind::Linear { angle } => write!(f, "linear:{angle}:")?,
            GradientKind::Radial => f.write_str("radial:")?,
        }
        for (i, stop) in self.stops.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{stop}")?;
        }
        Ok(())
    }
}

/// A caller's fragment quoted in an error, cut short.
fn clip(v: &str) -> String {
    v.chars().take(24).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_and_radial_gradients_parse_and_normalise() {
        let g = Gradient::parse("linear:45:#1D4ED8, 9333ea").unwrap();
        assert_eq!(g.kind, GradientKind::Linear { angle: 45 });
        assert_eq!(g.stops, vec![Rgb(0x1d, 0x4e, 0xd8), Rgb(0x93, 0x33, 0xea)]);
        assert_eq!(g.to_string(), "linear:45:#1d4ed8,#9333ea");
        let r = Gradient::parse("radial:000000,111111,222222,333333").unwrap();
        assert_eq!(r.kind, GradientKind::Radial);
        assert_eq!(Gradient::parse(&r.to_string()).unwrap(), r);
        assert_eq!(
            Gradient::parse("linear:360:#000000,#111111").unwrap().kind,
            GradientKind::Linear { angle: 0 }
        );
    }

    #[test]
    fn bad_gradients_say_what_is_wrong() {
        for (raw, says) in [
            ("conic:#000000,#ffffff", "starts with linear: or radial:"),
            ("linear:#000000,#ffffff", "linear:ANGLE:COLOURS"),
            ("linear:x:#000000,#ffffff", "not a whole number of degrees"),
            ("linear:45", "linear:ANGLE:COLOURS"),
            ("linear:361:#000000,#ffffff", "0 to 360"),
            ("linear:-5:#000000,#ffffff", "0 to 360"),
            ("linear:4.5:#000000,#ffffff", "0 to 360"),
            ("radial:#000000", "this one has 1"),
            ("radial:1,2,3,4,5", "not a colour"),
            (
                "radial:#000000,#111111,#222222,#333333,#444444",
                "this one has 5",
            ),
            ("radial:#000000,blue", "`blue` is not a colour"),
            ("radial:", "not a colour"),
        ] {
            let err = Gradient::parse(raw).unwrap_err();
            assert!(err.contains(says), "{raw}: {err}");
            assert!(err.contains("e.g. linear:45:"), "{raw}: {err}");
        }
    }
}
