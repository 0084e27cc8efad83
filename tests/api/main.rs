//! Integration tests: one binary, a module per area.

mod accounts;
mod admin;
mod bad_input;
mod csrf;
mod decode;
mod helpers;
mod keys;
mod limits;
mod ops;
mod payloads;
mod plans;
mod process;
mod qr_api;
mod quota;
mod render;
