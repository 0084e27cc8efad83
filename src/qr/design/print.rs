//! `print_size`: the physical side of the printed code, `30mm` or `1.5in`. It sets the
//! page of PDF and EPS files and the resolution recorded in PNG and JPEG files; `size`
//! keeps meaning pixels.

use std::fmt;

/// Bounds of a printed code: 10 mm is about the smallest a phone reads at arm's length
/// for a short URL; a metre is a poster.
pub const MIN_PRINT_MM: u32 = 10;
pub const MAX_PRINT_MM: u32 = 1000;

/// A length held in micrometres (exact for whole and decimal millimetres and for inches
/// to three decimals), with the unit it was given in for display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PrintSize {
    micrometres: u32,
}

const MICROMETRES_PER_INCH: f64 = 25_400.0;

impl PrintSize {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let value = raw.trim();
        let (number, per_unit) = if let Some(n) = value.strip_suffix("mm") {
            (n, 1000.0)
        } else if let Some(n) = value.strip_suffix("in") {
            (n, MICROMETRES_PER_INCH)
        } else {
            return Err(format!(
                "`{value}` needs a unit: a number of millimetres or inches such as 30mm or 1.5in"
            ));
        };
        let plain = !number.is_empty()
            && number.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && number.bytes().filter(|&b| b == b'.').count() <= 1
            && number.len() <= 8;
        let amount: f64 = match number.parse() {
            Ok(n) if plain => n,
            _ => return Err(format!("`{value}` is not a length such as 30mm or 1.5in")),
        };
        let micrometres = (amount * per_unit).round();
        let (min, max) = (
            f64::from(MIN_PRINT_MM) * 1000.0,
            f64::from(MAX_PRINT_MM) * 1000.0,
        );
        if !(min..=max).contains(&micrometres) {
            return Err(format!(
                "`{value}` is outside {MIN_PRINT_MM}mm to {MAX_PRINT_MM}mm (about 0.4in to 39in)"
            ));
        }
        Ok(Self {
            micrometres: micrometres as u32,
        })
    }

    pub fn millimetres(self) -> f64 {
        f64::from(self.micrometres) / 1000.0
    }

    /// In PostScript points (1/72 inch), the unit of PDF and EPS pages.
    pub fn points(self) -> f64 {
        f64::from(self.micrometres) / MICROMETRES_PER_INCH * 72.0
    }

    /// Pixels per inch for an image `pixels` wide printed at this size.
    pub fn dots_per_inch(self, pixels: u32) -> f64 {
        f64::from(pixels) * MICROMETRES_PER_INCH / f64::from(self.micrometres)
    }
}

impl fmt::Display for PrintSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}mm", self.millimetres())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn millimetres_and_inches_are_read_exactly() {
        assert_eq!(PrintSize::parse("30mm").unwrap().millimetres(), 30.0);
        assert_eq!(PrintSize::parse("1.5in").unwrap().millimetres(), 38.1);
        let inch = PrintSize::parse("1in").unwrap();
        assert!((inch.points() - 72.0).abs() < 1e-9);
        assert!((inch.dots_per_inch(300) - 300.0).abs() < 1e-9);
    }

    #[test]
    fn lengths_without_a_unit_or_out_of_bounds_are_refused() {
        for bad in [
            "30", "30cm", "mm", "-5mm", "1e3mm", "9mm", "1001mm", "40in", "1..5in", "0x1fmm",
        ] {
            assert!(PrintSize::parse(bad).is_err(), "{bad}");
        }
        assert!(PrintSize::parse("10mm").is_ok() && PrintSize::parse("1000mm").is_ok());
    }
}
