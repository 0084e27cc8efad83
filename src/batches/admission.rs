//! Taking in a checked batch: the account must have room for its ZIP, a place in the
//! queue, and quota left for every row (after what its unfinished batches may still
//! draw); then the batch is recorded (`queued`) and handed to the workers. Nothing is
//! counted against the quota here: each row counts when it is drawn.

use std::collections::HashMap;

use rand::RngCore;

use super::files::BatchFiles;
use super::finish::LISTED_ERRORS;
use super::items::Entry;
use super::queue::{Batches, Refusal, Reserved};
use super::upkeep;
use crate::config::BatchesConfig;
use crate::qr::render::LogoImage;
use crate::store::{BatchRecord, BatchStatus, RowError, Store, StoreError};

/// A checked batch for one account.
pub struct Submission {
    pub account_id: u64,
    /// The account's quota left now; `None` when unlimited.
    pub remaining: Option<u64>,
    /// The account's unfinished batches as they were before `remaining` was read.
    pub reserved: Reserved,
    pub entries: Vec<Entry>,
    /// The logos its rows name.
    pub logos: HashMap<String, LogoImage>,
    pub now: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error(
        "this batch has {needed} rows, but the account has {remaining} generations left in this period (after its unfinished batches); nothing was counted"
    )]
    Quota { needed: u64, remaining: u64 },
    #[error(
        "the account already has {limit} batches queued or running; submit this one when one of them has finished"
    )]
    AccountBusy { limit: usize },
    #[error("the server is holding {limit} batches already; try again in a minute")]
    Full { limit: usize },
    #[error(
        "the account's batch files take {stored} bytes, the most it may keep ({limit}, batches.max_stored_bytes); delete older batches first"
    )]
    StorageFull { stored: u64, limit: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<Refusal> for Refused {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Quota { needed, remaining } => Self::Quota { needed, remaining },
            Refusal::AccountBusy { limit } => Self::AccountBusy { limit },
            Refusal::Full { limit } => Self::Full { limit },
        }
    }
}

/// Records and queues the batch; blocking (it writes to the store).
pub fn submit(
    store: &Store,
    files: &BatchFiles,
    batches: &Batches,
    config: &BatchesConfig,
    submission: Submission,
) -> Result<BatchRecord, Refused> {
    let Submission {
        account_id,
        remaining,
        reserved,
        entries,
        logos,
        now,
    } = submission;
    let stored: u64 = store
        .batches(account_id)?
        .iter()
        .filter(|b| b.status == BatchStatus::Done)
        .map(|b| b.zip_bytes)
        .sum();
    if stored >= config.max_stored_bytes {
        return Err(Refused::StorageFull {
            stored,
            limit: config.max_stored_bytes,
        });
    }
    upkeep::make_room(store, files, account_id)?;
    let id = new_id();
    let total = u32::try_from(entries.len()).unwrap_or(u32::MAX);
    let failures: Vec<RowError> = entries
        .iter()
        .filter_map(|entry| match entry {
            Entry::Failed(f) => Some(RowError {
                row: u32::try_from(f.row).unwrap_or(u32::MAX),
                filename: f.filename.clone(),
                error: f.error.clone(),
            }),
            Entry::Ready(_) => None,
        })
        .collect();
    let failed = u32::try_from(failures.len()).unwrap_or(u32::MAX);
    let ticket = batches.admit_after(account_id, &id, total, failed, remaining, &reserved)?;
    let record = BatchRecord {
        id,
        status: BatchStatus::Queued,
        total,
        done: 0,
        failed,
        created_at: now,
        started_at: None,
        finished_at: None,
        zip_bytes: 0,
        error: None,
        row_errors: failures.into_iter().take(LISTED_ERRORS).collect(),
    };
    if let Err(e) = store.add_batch(account_id, &record) {
        batches.abandon(ticket);
        return Err(e.into());
    }
    batches.enqueue(ticket, entries, logos);
    Ok(record)
}

/// `bt_` and 16 hex digits: unguessable, so ids in URLs leak nothing.
fn new_id() -> String {
    let mut bytes = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("bt_{}", hex::encode(bytes))
}
