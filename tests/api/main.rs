//! Integration tests: one binary, a module per area.

mod accounts;
mod admin;
mod bad_input;
mod crash;
mod csrf;
mod decode;
mod docs;
mod hardening;
mod helpers;
mod keys;
mod limits;
mod openapi;
mod ops;
mod payloads;
mod payments;
mod plans;
pub mod process;
mod properties;
mod qr_api;
mod quota;
mod render;
