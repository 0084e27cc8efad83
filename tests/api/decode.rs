//! The shared decode harness (`tests/common/decode.rs`): rqrr, rxing and ZBar.

#[path = "../common/decode.rs"]
mod harness;

pub use harness::*;
