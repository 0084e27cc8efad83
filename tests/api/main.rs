//! Integration tests: one binary, a module per area.

mod accounts;
mod admin;
mod bad_input;
mod batch_process;
mod batches;
mod behind_proxy;
mod crash;
mod csrf;
mod datafile;
mod decode;
mod docs;
mod emails;
mod helpers;
mod keys;
mod limits;
mod login;
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
mod upgrade;
