//! A 5×7 block font for the word PREVIEW, drawn as paths so that no font file is needed.

const ROWS: usize = 7;
const COLS: usize = 5;

fn glyph(c: char) -> [&'static str; ROWS] {
    match c {
        'P' => [
            "####.", "#...#", "#...#", "####.", "#....", "#....", "#....",
        ],
        'R' => [
            "####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#",
        ],
        'E' => [
            "#####", "#....", "#....", "####.", "#....", "#....", "#####",
        ],
        'V' => [
            "#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#..",
        ],
        'I' => [
            "#####", "..#..", "..#..", "..#..", "..#..", "..#..", "#####",
        ],
        'W' => [
            "#...#", "#...#", "#...#", "#.#.#", "#.#.#", "##.##", "#...#",
        ],
        _ => [
            ".....", ".....", ".....", ".....", ".....", ".....", ".....",
        ],
    }
}

/// Path data for `text` with its top-left corner at (x, y) and `cell` pixels per dot;
/// letters are one dot apart. Returns the path and the text's width in pixels.
pub fn text_path(text: &str, x: f64, y: f64, cell: f64) -> (String, f64) {
    let mut path = String::new();
    let width = dot_runs(text, cell, |px, py, w| {
        let (px, py) = (x + px, y + py);
        path.push_str(&format!("M{px:.2},{py:.2}h{w:.2}v{cell:.2}h-{w:.2}z"));
    });
    (path, width)
}

/// The same letters as an outline with its top-left corner at the origin (for the vector
/// writers that draw from outlines), and the text's width.
pub fn text_outline(text: &str, cell: f64) -> (super::path::Path, f64) {
    let mut path = super::path::Path::new();
    let width = dot_runs(text, cell, |px, py, w| path.rect(px, py, w, cell));
    (path, width)
}

/// Calls `run(x, y, width)` for each horizontal run of dots (one rectangle each, a cell
/// high), relative to the text's top-left corner; returns the text's width.
fn dot_runs(text: &str, cell: f64, mut run: impl FnMut(f64, f64, f64)) -> f64 {
    let advance = (COLS + 1) as f64 * cell;
    for (i, c) in text.chars().enumerate() {
        let left = i as f64 * advance;
        for (row, line) in glyph(c).iter().enumerate() {
            let bytes = line.as_bytes();
            let mut col = 0;
            while col < COLS {
                if bytes[col] != b'#' {
                    col += 1;
                    continue;
                }
                let start = col;
                while col < COLS && bytes[col] == b'#' {
                    col += 1;
                }
                run(
                    left + start as f64 * cell,
                    row as f64 * cell,
                    (col - start) as f64 * cell,
                );
            }
        }
    }
    text.chars().count() as f64 * advance - cell
}

pub const GLYPH_ROWS: usize = ROWS;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_letter_of_preview_has_a_glyph() {
        for c in "PREVIEW".chars() {
            assert!(glyph(c).iter().any(|row| row.contains('#')), "{c}");
        }
    }

    #[test]
    fn the_text_width_counts_letters_and_gaps() {
        let (path, width) = text_path("PR", 0.0, 0.0, 1.0);
        assert_eq!(width, 11.0);
        assert!(path.starts_with("M0.00,0.00h4.00"));
    }
}
