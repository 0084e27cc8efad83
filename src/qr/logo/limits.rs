//! Every bound on a logo in one place. Each is far above what a real brand mark needs
//! and far below what it takes to hurt the server.

use std::time::Duration;

/// Bytes of an upload.
pub const MAX_LOGO_BYTES: usize = 256 * 1024;
/// Width and height of a raster logo, and of the bitmap an SVG logo is drawn into.
pub const MAX_LOGO_PIXELS: u32 = 1024;

/// Elements in an SVG logo (comments and text count against roxmltree's node limit).
pub const MAX_SVG_ELEMENTS: usize = 4_000;
/// XML nodes of any kind: elements, text, comments.
pub const MAX_SVG_NODES: u32 = 12_000;
/// Nesting of elements below the root.
pub const MAX_SVG_DEPTH: usize = 32;
/// Bytes of one `d` or `points` attribute.
pub const MAX_PATH_DATA_BYTES: usize = 64 * 1024;
/// Bytes of any other attribute value (a transform, a colour, a style list).
pub const MAX_ATTRIBUTE_BYTES: usize = 2048;
/// Steps of gradient `href` inheritance (a gradient taking its stops from another).
pub const MAX_GRADIENT_HREF_DEPTH: usize = 4;
/// Stops of one gradient: the rasteriser looks a pixel's colour up among them.
pub const MAX_GRADIENT_STOPS: usize = 16;
/// Nested layers: groups with opacity, and clipped elements. Each costs the rasteriser
/// a bitmap up to the logo's size, so their nesting bounds its memory.
pub const MAX_LAYER_DEPTH: usize = 4;
/// Area the rasteriser may fill, as a multiple of the bitmap's area: every path's
/// bounds and every layer counted. A real logo fills its bitmap a few times over. At
/// about 3 ms for a full bitmap of solid colour this is ~100 ms of drawing.
pub const MAX_FILL_AREA_FACTOR: u64 = 32;
/// Extra weight of a gradient paint in that area (it costs ~15 times a solid colour):
/// four full-bitmap gradient fills reach the bound.
pub const GRADIENT_FILL_WEIGHT: f64 = 7.0;
/// Wall-clock time for drawing an SVG logo into its bitmap, checked between shapes. The
/// fill bound above already keeps honest work near 100 ms of CPU; the deadline is the
/// backstop, so it leaves room for a busy machine (a clipped translucent layer took
/// 1.4 s of wall time at a load of 8 on 2 cores) rather than refusing real logos there.
pub const RASTER_DEADLINE: Duration = Duration::from_millis(2000);

/// Text metadata (tEXt, zTXt, iTXt) a PNG may carry; more is a bomb in waiting.
pub const MAX_PNG_TEXT_BYTES: usize = 4096;
/// Other ancillary PNG chunks together (iCCP, eXIf and the like), compressed.
pub const MAX_PNG_METADATA_BYTES: usize = 64 * 1024;
/// What the PNG decoder may allocate: a 1024×1024 RGBA image at 16 bits a channel and
/// its metadata.
pub const MAX_PNG_DECODER_BYTES: usize = 10 * 1024 * 1024;
/// APPn and COM segments of a JPEG together (EXIF, ICC profile, XMP, comments).
pub const MAX_JPEG_METADATA_BYTES: usize = 64 * 1024;
/// Scans of a progressive JPEG: each one walks every coefficient again, so thousands of
/// tiny scans make a small file cost minutes.
pub const MAX_JPEG_SCANS: usize = 64;
