//! The embedded faces: Noto Sans Regular and Bold (SIL Open Font License 1.1; the licence
//! is `assets/fonts/OFL.txt`). Parsed once; the bytes are part of the binary.

use std::sync::LazyLock;

use rustybuzz::Face;

static REGULAR: &[u8] = include_bytes!("../../../assets/fonts/NotoSans-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../../../assets/fonts/NotoSans-Bold.ttf");

static REGULAR_FACE: LazyLock<Face<'static>> = LazyLock::new(|| parse(REGULAR));
static BOLD_FACE: LazyLock<Face<'static>> = LazyLock::new(|| parse(BOLD));

/// A shipped font file that does not parse is a build mistake, caught by every caption
/// test, not something a request can cause.
fn parse(bytes: &'static [u8]) -> Face<'static> {
    Face::from_slice(bytes, 0).expect("the embedded Noto Sans files are valid fonts")
}

/// The faces a caption may use (`caption_font`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaptionFont {
    Regular,
    Bold,
}

impl CaptionFont {
    pub const NAMES: &'static [&'static str] = &["bold", "regular"];

    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "bold" => Some(Self::Bold),
            "regular" => Some(Self::Regular),
            _ => None,
        }
    }
}

pub(super) fn face(font: CaptionFont) -> &'static Face<'static> {
    match font {
        CaptionFont::Regular => &REGULAR_FACE,
        CaptionFont::Bold => &BOLD_FACE,
    }
}
