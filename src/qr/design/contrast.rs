//! The contrast rule: every colour a dark part can take (each stop of a gradient) against
//! every colour the background can take must reach WCAG's 3:1 for graphics, and be the
//! darker of the two (inverted codes are missed by many scanners). `allow_low_contrast`
//! skips it.

use super::paint::{Background, Chosen, Paint, Paints};
use super::{DesignError, error};
use crate::qr::color::contrast_ratio;

/// WCAG's minimum contrast for graphics (1.4.11); below it many phone cameras fail.
pub const MIN_CONTRAST: f64 = 3.0;

pub(super) fn check(paints: &Paints) -> Result<(), DesignError> {
    let bg = &paints.background;
    for part in [&paints.modules, &paints.eye_frame, &paints.eye_ball] {
        check_part(part, bg)?;
    }
    Ok(())
}

fn check_part(part: &Chosen<Paint>, bg: &Chosen<Background>) -> Result<(), DesignError> {
    // Name the gradient when one side is a gradient: its stops are what to change.
    let part_is_gradient = matches!(part.value, Paint::Gradient(..));
    let bg_is_gradient = matches!(bg.value, Background::Gradient(_));
    let parameter = if bg_is_gradient && !part_is_gradient {
        bg.parameter
    } else {
        part.parameter
    };
    let what = |color, is_gradient: bool| {
        if is_gradient {
            format!("the gradient colour {color}")
        } else {
            format!("{color}")
        }
    };
    for &color in part.value.colors() {
        for &back in bg.value.colors() {
            let ratio = contrast_ratio(color, back);
            let (fore, behind) = (what(color, part_is_gradient), what(back, bg_is_gradient));
            if ratio < MIN_CONTRAST {
                return Err(error(
                    parameter,
                    format!(
                        "contrast between {fore} ({}) and the background {behind} is {ratio:.2}:1; at least {MIN_CONTRAST}:1 is needed to scan reliably (set allow_low_contrast=true to override)",
                        part.parameter
                    ),
                ));
            }
            if color.luminance() > back.luminance() {
                return Err(error(
                    parameter,
                    format!(
                        "{fore} ({}) is lighter than the background {behind}; inverted codes are missed by many scanners (set allow_low_contrast=true to override)",
                        part.parameter
                    ),
                ));
            }
        }
    }
    Ok(())
}
