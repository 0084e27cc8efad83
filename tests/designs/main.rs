//! Every design the API offers must scan: each shape decoded by three decoder families
//! (quirc via rqrr, ZXing via rxing, ZBar), clean and as a phone camera sees it; a seeded
//! random sample of combined designs; and the fast sprite rasteriser against resvg.
//! A test binary of its own, so that `cargo test --test designs` runs just these.

#[path = "../common/decode.rs"]
mod decode;

mod misses;
mod robustness;
mod sample;
mod shapes;
mod sprites;
mod support;
