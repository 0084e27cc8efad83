//! Dynamic codes: short links on this server (`/r/{slug}`) whose target the owner can
//! change after printing, with scan statistics that never leave the machine and never
//! hold who scanned.
//!
//! Pure logic only: slug, target and name rules (`slug`, `target`, `code`), client
//! classification (`agent`, `visit`), aggregation (`stats`, `tally`, `uniques`), the
//! redirect's in-memory directory (`directory`) and the CSV export. The HTTP handlers
//! live in `api::codes`, `api::redirect` and `web::codes`, the storage in
//! `store::links` and `store::scans`.

pub mod agent;
pub mod code;
pub mod csv;
pub mod directory;
pub mod report;
pub mod slug;
pub mod stats;
pub mod tally;
pub mod target;
pub mod uniques;
pub mod visit;

pub use code::DynamicCode;
pub use directory::{Decision, Directory, Owner};
pub use slug::Slug;
pub use tally::{ScanBatch, ScanTally};
pub use target::Target;

/// The redirect's shared state: where slugs lead and the counts not yet written.
#[derive(Default)]
pub struct Links {
    pub directory: Directory,
    pub tally: ScanTally,
    pub agents: agent::AgentCache,
}

/// The short link of a slug on the site at `public_url` (which ends with `/`).
pub fn short_url(public_url: &url::Url, slug: &str) -> String {
    format!("{}r/{slug}", public_url.as_str())
}
