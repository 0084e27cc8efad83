//! Bulk generation: a CSV or JSON list of codes in, a ZIP of images out.
//!
//! The pure part reads and checks a batch: `columns` (what a CSV may name, derived from
//! the QR types' and the design tables), `csv_in` (a bounded, streaming CSV reader),
//! `csv_batch` and `json_batch` (rows to entries), `items` (each row checked as the
//! single-code API checks a request), `filename` (safe names in the ZIP) and `manifest`
//! (the ZIP's `manifest.csv`, formulas made inert). The worker that draws and packs the
//! entries is `worker`, beside it; the HTTP handlers are `api::batches` and
//! `web::batches`, the store verbs `store::batches`.

pub mod admission;
pub mod columns;
pub mod csv_batch;
pub mod csv_in;
pub mod filename;
pub mod files;
pub mod finish;
pub mod intake;
pub mod items;
pub mod json_batch;
pub mod manifest;
pub mod queue;
pub mod upkeep;
pub mod worker;
mod zip_out;
