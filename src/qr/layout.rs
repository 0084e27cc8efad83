//! Where modules fall in the output image. Modules get a whole number of pixels whenever
//! the image is large enough, so square modules have crisp edges; the pixels left over
//! widen the quiet zone evenly on all sides, and the output is exactly `size` wide.

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Layout {
    pub size: u32,
    /// Pixels per module.
    pub module: f64,
    /// Pixels from the image edge to the first module of the symbol (quiet zone included).
    pub offset: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "{size} pixels is too small for this code: it is {modules} modules wide with its margin, so at least {modules} pixels are needed (or lower the margin or shorten the content)"
)]
pub struct TooSmall {
    pub size: u32,
    pub modules: u32,
}

pub fn layout(size: u32, symbol_width: usize, margin: u32) -> Result<Layout, TooSmall> {
    let symbol = symbol_width as u32;
    let modules = symbol + 2 * margin;
    let per_module = size / modules;
    if per_module == 0 {
        return Err(TooSmall { size, modules });
    }
    let module = f64::from(per_module);
    let offset = f64::from((size - per_module * symbol) / 2);
    Ok(Layout {
        size,
        module,
        offset,
    })
}

impl Layout {
    /// Pixel coordinate of module index `i` (row or column).
    pub fn at(&self, i: usize) -> f64 {
        self.offset + self.module * i as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_get_whole_pixels_and_the_rest_is_shared_out_evenly() {
        let l = layout(512, 25, 4).unwrap();
        assert_eq!(l.module, 15.0); // 512 / 33 = 15 px per module
        assert_eq!(l.offset, 68.0); // (512 - 15 * 25) / 2
    }

    #[test]
    fn a_zero_margin_still_centres_the_symbol() {
        let l = layout(64, 21, 0).unwrap();
        assert_eq!((l.module, l.offset), (3.0, 0.0));
    }

    #[test]
    fn an_image_smaller_than_the_symbol_is_refused_with_the_numbers() {
        assert_eq!(
            layout(64, 177, 4),
            Err(TooSmall {
                size: 64,
                modules: 185
            })
        );
    }
}
