//! The only module that talks to redb. One database file under the data dir, a typed
//! facade of verbs on domain types, and short write transactions that are durable
//! (redb's default `Durability::Immediate`) before a caller can answer its request.
//!
//! Every method is blocking; callers on the async executor go through `web::block`.

mod account_list;
mod accounts;
mod batches;
mod check;
mod daily;
mod deletion;
mod grants;
mod keys;
mod links;
mod logos;
pub mod migrate;
mod open;
mod overlay;
mod scans;
mod sessions;
mod tables;
mod usage;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rand::RngCore;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use redb::{Database, ReadableDatabase, ReadableTable, WriteTransaction};

use crate::metrics::Histogram;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use account_list::{ListOrder, ListPosition, ListRequest, ListedPage};
pub use accounts::{EmailTaken, NewAccount};
pub use batches::{BatchRecord, BatchStatus, RowError};
pub use check::{CheckReport, check};
pub use daily::{DayChange, KEEP_DAYS, PRUNE_BATCH, UsageFlush};
pub use grants::{GrantRecord, PaymentGrant};
pub use keys::{KeyChange, KeyChangeRequest, RestrictionChange, RestrictionOutcome};
pub use links::{CodeChange, CodeCreated, NewCode};
pub use logos::{LogoAdded, LogoDrawing, LogoRecord, StoredLogo};
pub use scans::DayTotals;
pub use sessions::SessionRecord;
pub use usage::UsageTotal;

use tables::*;

/// The database file's name inside the data dir.
pub const DB_FILE: &str = "qrgate.redb";
/// Bumped whenever stored records change incompatibly; checked at open.
pub const SCHEMA_VERSION: u32 = 2;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the database {0} is already open in another qrgate process; stop that one first")]
    InUse(PathBuf),
    #[error(
        "the database file {0} is empty (0 bytes), so it holds no accounts, keys or secret. \
         qrgate will not start a new installation over it: restore it from your backup \
         (docs/operations.md, \"Restore\"), or, to really start afresh, move the empty file away"
    )]
    EmptyFile(PathBuf),
    #[error(
        "{path} is not a qrgate database ({reason}). Restore the file from your backup \
         (docs/operations.md, \"Restore\"), or point storage.data_dir at the right directory"
    )]
    NotADatabase { path: PathBuf, reason: String },
    #[error(
        "the database {path} cannot be read: {reason}. It was left as it is; restore it from \
         your backup (docs/operations.md, \"Restore\"); `qrgate check` tells whether a file is sound"
    )]
    Damaged { path: PathBuf, reason: String },
    #[error("the database {path} cannot be opened: {reason}")]
    Unreadable { path: PathBuf, reason: String },
    #[error(
        "the database {path} has schema version {found}, but this qrgate reads version {expected}; \
         run the qrgate release that wrote it, or restore a backup made for this release"
    )]
    SchemaMismatch {
        path: PathBuf,
        found: String,
        expected: u32,
    },
    #[error("storage error: {0}")]
    Redb(#[from] redb::Error),
    /// A commit failed: the write did not happen and must not be acknowledged.
    #[error("a write could not be committed: {0}")]
    Commit(#[from] redb::CommitError),
    #[error("an earlier commit failed; restart qrgate to reopen the database")]
    Poisoned,
    #[error("a stored record in `{table}` could not be read: {message}")]
    Corrupt {
        table: &'static str,
        message: String,
    },
}

macro_rules! redb_error_from {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                Self::Redb(e.into())
            }
        }
    )*};
}
redb_error_from!(redb::TransactionError, redb::TableError, redb::StorageError);

/// A 32-byte secret generated once per installation and kept in the database. It keys the
/// API-key hashes (so a copied key table alone cannot be brute-forced offline without it)
/// and the CSRF tokens.
#[derive(Clone)]
pub struct ServerSecret([u8; 32]);

impl ServerSecret {
    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// A fixed secret for unit tests of what it keys.
    #[cfg(test)]
    pub(crate) fn for_tests(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }
}

impl std::fmt::Debug for ServerSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerSecret(<redacted>)")
    }
}

#[derive(Clone)]
pub struct Store {
    db: Arc<Database>,
    commits: Arc<Histogram>,
    /// Set when a commit failed: redb then wants the database closed and reopened, so no
    /// further write is attempted until qrgate restarts (and `/healthz` says so).
    poisoned: Arc<AtomicBool>,
    /// Moves on with every commit, so caches of what was read can tell they are stale.
    generation: Arc<AtomicU64>,
}

impl Store {
    /// Opens (or creates) the database under `data_dir`, creates missing tables, checks
    /// the schema version and returns the store with the installation's secret.
    pub fn open(data_dir: &Path) -> Result<(Self, ServerSecret), StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let path = data_dir.join(DB_FILE);
        let (db, state) = open::open(&path)?;
        let store = Self {
            db: Arc::new(db),
            commits: Arc::default(),
            poisoned: Arc::default(),
            generation: Arc::default(),
        };
        let secret = open::guarded(&path, || store.initialise(&path, state))??;
        Ok((store, secret))
    }

    /// Checks the schema version (migrating an older file), creates missing tables and
    /// reads (or, in a new database, makes) the installation's secret.
    fn initialise(&self, path: &Path, state: open::FileState) -> Result<ServerSecret, StoreError> {
        let found = self.stored_version()?;
        let steps = match found {
            Some(version) => migrate::plan(migrate::STEPS, version, SCHEMA_VERSION, path)?,
            None if state == open::FileState::Absent || self.is_blank()? => Vec::new(),
            None => {
                return Err(StoreError::NotADatabase {
                    path: path.to_path_buf(),
                    reason: "a redb file, but not one qrgate wrote (it has no schema version)"
                        .into(),
                });
            }
        };
        if let (Some(version), false) = (found, steps.is_empty()) {
            let backup = migrate::backup_path(path, version);
            std::fs::copy(path, &backup).map_err(|e| StoreError::Unreadable {
                path: path.to_path_buf(),
                reason: format!(
                    "a copy to {} before migrating could not be made: {e}",
                    backup.display()
                ),
            })?;
            tracing::info!(from = version, to = SCHEMA_VERSION, backup = %backup.display(), "migrating the database");
        }
        let txn = self.db.begin_write()?;
        for step in &steps {
            tracing::info!(from = step.from, what = step.what, "migration step");
            (step.run)(&txn)?;
        }
        let secret = {
            let mut meta = txn.open_table(META)?;
            meta.insert(META_SCHEMA_VERSION, SCHEMA_VERSION.to_le_bytes().as_slice())?;
            let existing = meta.get(META_SERVER_SECRET)?.map(|v| v.value().to_vec());
            match existing.and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok()) {
                Some(secret) => secret,
                None if found.is_none() => {
                    let mut secret = [0u8; 32];
                    rand::rngs::OsRng.fill_bytes(&mut secret);
                    meta.insert(META_SERVER_SECRET, secret.as_slice())?;
                    secret
                }
                // A new secret would silently invalidate every key and CSRF token.
                None => {
                    return Err(StoreError::Damaged {
                        path: path.to_path_buf(),
                        reason: "its installation secret is missing".into(),
                    });
                }
            }
        };
        // Opening a table in a write transaction creates it, so readers never miss one.
        txn.open_table(ACCOUNT_ID_TO_ACCOUNT)?;
        txn.open_table(EMAIL_TO_ACCOUNT_ID)?;
        txn.open_table(SESSION_HASH_TO_SESSION)?;
        txn.open_table(KEY_HASH_TO_ACCOUNT_ID)?;
        txn.open_table(RENEWAL_LOG)?;
        txn.open_table(PLAN_GRANTS)?;
        txn.open_table(PAYMENT_EVENTS)?;
        txn.open_table(ACCOUNT_ID_TO_USAGE)?;
        txn.open_table(ACCOUNT_DAY_TO_GENERATIONS)?;
        txn.open_table(DAY_ACCOUNT_WITH_GENERATIONS)?;
        txn.open_table(LOGO_META)?;
        txn.open_table(LOGO_DATA)?;
        txn.open_table(CODE_ID_TO_CODE)?;
        txn.open_table(SLUG_TO_CODE_ID)?;
        txn.open_table(ACCOUNT_CODES)?;
        txn.open_table(CODE_SCAN_DAYS)?;
        txn.open_table(CODE_SCAN_HOURS)?;
        txn.open_table(CODE_SCAN_VALUES)?;
        txn.open_table(LOGO_BITMAP)?;
        txn.open_table(LOGO_VECTOR)?;
        txn.open_table(ACCOUNT_BATCH_TO_BATCH)?;
        self.commit(txn)?;
        Ok(ServerSecret(secret))
    }

    /// The schema version stored in the file, if it has one.
    fn stored_version(&self) -> Result<Option<u32>, StoreError> {
        let txn = self.db.begin_read()?;
        let meta = match txn.open_table(META) {
            Ok(meta) => meta,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let Some(bytes) = meta.get(META_SCHEMA_VERSION)? else {
            return Ok(None);
        };
        let bytes = <[u8; 4]>::try_from(bytes.value()).map_err(|_| StoreError::Corrupt {
            table: "meta",
            message: "the schema version is not 4 bytes".into(),
        })?;
        Ok(Some(u32::from_le_bytes(bytes)))
    }

    /// Whether the file holds no table at all: a first start that stopped before its first
    /// commit, which is as good as new.
    fn is_blank(&self) -> Result<bool, StoreError> {
        let txn = self.db.begin_read()?;
        Ok(txn.list_tables()?.next().is_none())
    }

    /// A write transaction, unless an earlier commit failed.
    fn begin_write(&self) -> Result<WriteTransaction, StoreError> {
        if self.poisoned.load(Ordering::SeqCst) {
            return Err(StoreError::Poisoned);
        }
        Ok(self.db.begin_write()?)
    }

    /// Commits durably, timing the commit; a failure poisons the store.
    fn commit(&self, txn: WriteTransaction) -> Result<(), StoreError> {
        let started = Instant::now();
        let committed = txn.commit();
        self.commits.observe(started.elapsed());
        // Bumped after the commit and before any caller can answer, so a reader that saw
        // the old generation re-reads.
        self.generation.fetch_add(1, Ordering::SeqCst);
        committed.map_err(|e| {
            self.poisoned.store(true, Ordering::SeqCst);
            tracing::error!(error = %e, "a commit failed; qrgate refuses further writes until it is restarted");
            StoreError::Commit(e)
        })
    }

    /// The current write generation (see `KeyCache`).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Commit latencies, for `/metrics`.
    pub fn commit_latency(&self) -> &Histogram {
        &self.commits
    }

    /// A cheap read that proves the database answers (for `/healthz`).
    /// Whether a commit has failed (after which every write is refused).
    pub fn is_poisoned(&self) -> bool {
        self.poisoned.load(Ordering::SeqCst)
    }

    pub fn ping(&self) -> Result<(), StoreError> {
        if self.poisoned.load(Ordering::SeqCst) {
            return Err(StoreError::Poisoned);
        }
        let txn = self.db.begin_read()?;
        let meta = txn.open_table(META)?;
        meta.get(META_SCHEMA_VERSION)?;
        Ok(())
    }
}

fn encode<T: Serialize>(record: &T) -> Vec<u8> {
    serde_json::to_vec(record).expect("records are plain data and always serialise")
}

fn decode<T: DeserializeOwned>(table: &'static str, bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
        table,
        message: e.to_string(),
    })
}

/// Takes the next value of a counter kept in `META` (starting at 1).
fn next_counter(
    meta: &mut redb::Table<&'static str, &'static [u8]>,
    name: &'static str,
) -> Result<u64, StoreError> {
    let current = meta
        .get(name)?
        .and_then(|v| <[u8; 8]>::try_from(v.value()).ok())
        .map(u64::from_le_bytes)
        .unwrap_or(0);
    let next = current + 1;
    meta.insert(name, next.to_le_bytes().as_slice())?;
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Email;

    #[test]
    fn after_a_failed_commit_no_write_is_attempted_and_health_fails() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(dir.path()).unwrap();
        assert!(store.ping().is_ok());
        // What `commit` does when redb reports a failure.
        store.poisoned.store(true, Ordering::SeqCst);
        let new = NewAccount::for_tests("a@example.org");
        assert!(matches!(
            store.create_account(new),
            Err(StoreError::Poisoned)
        ));
        assert!(matches!(store.ping(), Err(StoreError::Poisoned)));
        assert!(
            store
                .account_by_email(&Email::parse("a@example.org").unwrap())
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn a_newer_schema_version_is_refused_with_a_clear_message() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (store, _) = Store::open(dir.path()).unwrap();
            let txn = store.db.begin_write().unwrap();
            txn.open_table(META)
                .unwrap()
                .insert(META_SCHEMA_VERSION, 99u32.to_le_bytes().as_slice())
                .unwrap();
            txn.commit().unwrap();
        }
        let err = Store::open(dir.path()).map(|_| ()).unwrap_err();
        assert!(err.to_string().contains("schema version 99"), "{err}");
    }

    #[test]
    fn commits_are_timed() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(dir.path()).unwrap();
        store.write_usage(&[(1, 0, 5)]).unwrap();
        let mut text = String::new();
        store.commit_latency().write_for_test(&mut text);
        assert!(
            text.contains("_count{} 2"),
            "the set-up commit and this one: {text}"
        );
    }
}
