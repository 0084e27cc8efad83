//! The gate: who may generate, how much and how fast. Every API request passes it before
//! any work is done for it.
//! - `caller`: the API key read from the request and resolved to its account
//!   (`KeyCheck`), through `key_cache`, an in-memory map validated by the store's write
//!   generation;
//! - `standing`: what the account may do now (plan, period, quota used, status);
//! - `metering`: the quota counted exactly in memory and flushed to the store;
//! - `limits` and `rate`: governor rate limits per key and per client address, and the
//!   `RateLimit-*` headers and 429s they produce;
//! - `restrictions`: the key's owner-set limits (referrers, client networks, QR types,
//!   read-only) applied to requests, and `KeyHolder::require(Permission)` for endpoints
//!   that change something;
//! - `admit`: all of the above in order, for key-authenticated JSON endpoints;
//! - `signed`: signed image URLs, which stand in for the key in public pages.

mod admit;
pub mod caller;
pub mod key_cache;
pub mod limits;
pub mod metering;
pub mod rate;
pub mod restrictions;
pub mod signed;
pub mod standing;

pub use crate::domain::Permission;
pub use admit::admit;
pub use caller::{KeyCheck, KeyHolder};
