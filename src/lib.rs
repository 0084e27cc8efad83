//! qrgate: a self-hosted QR code API in one binary.
#![forbid(unsafe_code)]

pub mod api;
pub mod auth;
pub mod batches;
pub mod bounds;
pub mod client_ip;
pub mod clock;
pub mod config;
pub mod conn;
pub mod docs;
pub mod domain;
pub mod error;
pub mod gate;
pub mod links;
pub mod metrics;
pub mod periodic;
pub mod preview_budget;
pub mod problem;
pub mod qr;
pub mod render_cache;
pub mod startup;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod web;
