//! Integration tests: one binary, a module per area.

mod accounts;
mod admin;
mod csrf;
mod helpers;
mod keys;
mod plans;
mod process;
