//! `qrgate check`: is this data file sound? It never writes to the file: redb's integrity
//! check (which verifies every page checksum, and repairs) runs over an in-memory overlay
//! of it (`open::verify`), and then every
//! record of every table is read back through the types the server reads it with, and the
//! indexes are compared with the records they index.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use redb::{ReadTransaction, ReadableDatabase, ReadableTable, TableDefinition};
use serde::de::DeserializeOwned;

use super::open::{self, FileState, guarded};
use super::tables::*;
use super::{DB_FILE, SCHEMA_VERSION, SessionRecord, Store, StoreError, decode};
use crate::domain::{Account, RenewalRecord};

/// What a sound file holds.
#[derive(Debug)]
pub struct CheckReport {
    pub path: PathBuf,
    pub schema_version: u32,
    /// The file was not closed cleanly; qrgate repairs it when it starts (the check
    /// repaired a copy to prove that it can be).
    pub needed_repair: bool,
    /// Records per table, in declaration order.
    pub tables: Vec<(&'static str, usize)>,
}

impl std::fmt::Display for CheckReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{}: sound (schema version {}{})",
            self.path.display(),
            self.schema_version,
            if self.needed_repair {
                "; not closed cleanly, qrgate repairs it at start"
            } else {
                ""
            }
        )?;
        for (table, count) in &self.tables {
            writeln!(f, "  {table:<16} {count:>9} records")?;
        }
        Ok(())
    }
}

/// Checks `data_dir/qrgate.redb`. qrgate must not be running on it (redb locks the file).
pub fn check(data_dir: &Path) -> Result<CheckReport, StoreError> {
    let path = data_dir.join(DB_FILE);
    let state = open::inspect(&path)?;
    if state == FileState::Absent {
        return Err(StoreError::Unreadable {
            path,
            reason: "there is no such file".into(),
        });
    }
    let store = Store {
        db: Arc::new(open::verify(&path)?),
        commits: Arc::default(),
        poisoned: Arc::default(),
        generation: Arc::default(),
    };
    let version =
        guarded(&path, || store.stored_version())??.ok_or_else(|| StoreError::NotADatabase {
            path: path.clone(),
            reason: "a redb file, but not one qrgate wrote (it has no schema version)".into(),
        })?;
    if version > SCHEMA_VERSION {
        return Err(StoreError::SchemaMismatch {
            path,
            found: version.to_string(),
            expected: SCHEMA_VERSION,
        });
    }
    let tables = guarded(&path, || store.read_everything())??;
    Ok(CheckReport {
        path,
        schema_version: version,
        needed_repair: state == FileState::NeedsRepair,
        tables,
    })
}

impl Store {
    /// Reads every record through its type and checks the indexes against the records.
    fn read_everything(&self) -> Result<Vec<(&'static str, usize)>, StoreError> {
        let txn = self.db.begin_read()?;
        let accounts: Vec<Account> = json_values(&txn, ACCOUNT_ID_TO_ACCOUNT, "accounts")?;
        let emails = index_consistent(&txn, EMAIL_TO_ACCOUNT_ID, "account_emails", |email, id| {
            accounts.iter().any(|a| a.id == id && a.email == email)
        })?;
        let keys = index_consistent(&txn, KEY_HASH_TO_ACCOUNT_ID, "api_keys", |hash, id| {
            accounts
                .iter()
                .any(|a| a.id == id && a.key.as_ref().is_some_and(|k| k.hash == hex::encode(hash)))
        })?;
        let sessions: Vec<SessionRecord> = json_values(&txn, SESSION_HASH_TO_SESSION, "sessions")?;
        let renewals: Vec<RenewalRecord> = json_values(&txn, RENEWAL_LOG, "renewal_log")?;
        let grants: Vec<super::GrantRecord> = json_values(&txn, PLAN_GRANTS, "plan_grants")?;
        let payments: Vec<super::grants::PaymentEventRecord> =
            json_values(&txn, PAYMENT_EVENTS, "payment_events")?;
        let usage = rows(&txn, ACCOUNT_ID_TO_USAGE)?;
        let daily_usage = super::daily::check_daily(&txn)?;
        let logos: Vec<super::LogoRecord> = json_values(&txn, LOGO_META, "logo_meta")?;
        let logo_data = rows(&txn, LOGO_DATA)?;
        let logo_bitmaps = rows(&txn, LOGO_BITMAP)?;
        let logo_vectors = rows(&txn, LOGO_VECTOR)?;
        if logo_data != logos.len() {
            return Err(StoreError::Corrupt {
                table: "logo_data",
                message: format!("{logo_data} images for {} logo records", logos.len()),
            });
        }
        let batches: Vec<super::BatchRecord> =
            json_values(&txn, ACCOUNT_BATCH_TO_BATCH, "batches")?;
        let codes: Vec<crate::links::DynamicCode> =
            json_values(&txn, CODE_ID_TO_CODE, "dynamic_codes")?;
        let slugs = index_consistent(&txn, SLUG_TO_CODE_ID, "code_slugs", |slug, id| {
            codes
                .iter()
                .any(|c| c.id == id && c.slug.to_ascii_lowercase() == slug)
        })?;
        let account_codes = index_consistent(
            &txn,
            ACCOUNT_CODES,
            "account_codes",
            |(account, seq), id| {
                codes.iter().any(|c| {
                    c.id == id && c.account_id == account && c.seq == seq && !c.is_deleted()
                })
            },
        )?;
        let scan_days = rows(&txn, CODE_SCAN_DAYS)?;
        let scan_hours = rows(&txn, CODE_SCAN_HOURS)?;
        let scan_values = rows(&txn, CODE_SCAN_VALUES)?;
        Ok(vec![
            ("accounts", accounts.len()),
            ("account_emails", emails),
            ("api_keys", keys),
            ("sessions", sessions.len()),
            ("renewal_log", renewals.len()),
            ("plan_grants", grants.len()),
            ("payment_events", payments.len()),
            ("usage", usage),
            ("daily_usage", daily_usage),
            ("logo_meta", logos.len()),
            ("logo_data", logo_data),
            ("dynamic_codes", codes.len()),
            ("code_slugs", slugs),
            ("account_codes", account_codes),
            ("scan_days", scan_days),
            ("scan_hours", scan_hours),
            ("scan_values", scan_values),
            ("logo_bitmap", logo_bitmaps),
            ("logo_vector", logo_vectors),
            ("batches", batches.len()),
        ])
    }
}

/// A table, or `None` when the file predates it (qrgate creates it at the next start).
pub(super) fn table<K: redb::Key + 'static, V: redb::Value + 'static>(
    txn: &ReadTransaction,
    definition: TableDefinition<K, V>,
) -> Result<Option<redb::ReadOnlyTable<K, V>>, StoreError> {
    match txn.open_table(definition) {
        Ok(table) => Ok(Some(table)),
        Err(redb::TableError::TableDoesNotExist(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Rows in a table (0 when the file predates it).
fn rows<K: redb::Key + 'static, V: redb::Value + 'static>(
    txn: &ReadTransaction,
    definition: TableDefinition<K, V>,
) -> Result<usize, StoreError> {
    match table(txn, definition)? {
        Some(table) => Ok(table.iter()?.count()),
        None => Ok(0),
    }
}

/// Every value of a table of JSON records, decoded.
fn json_values<K: redb::Key + 'static, T: DeserializeOwned>(
    txn: &ReadTransaction,
    definition: TableDefinition<K, &'static [u8]>,
    name: &'static str,
) -> Result<Vec<T>, StoreError> {
    let Some(table) = table(txn, definition)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for entry in table.iter()? {
        let (_, value) = entry?;
        out.push(decode(name, value.value())?);
    }
    Ok(out)
}

/// Every entry of an index must name a record that agrees with it; returns the count.
fn index_consistent<K, F>(
    txn: &ReadTransaction,
    definition: TableDefinition<K, u64>,
    name: &'static str,
    agrees: F,
) -> Result<usize, StoreError>
where
    K: redb::Key + 'static,
    F: for<'a> Fn(K::SelfType<'a>, u64) -> bool,
{
    let Some(table) = table(txn, definition)? else {
        return Ok(0);
    };
    let mut count = 0;
    for entry in table.iter()? {
        let (key, id) = entry?;
        if !agrees(key.value(), id.value()) {
            return Err(StoreError::Corrupt {
                table: name,
                message: format!(
                    "entry {count} points to account {} but does not match it",
                    id.value()
                ),
            });
        }
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_database_checks_sound_and_is_left_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        drop(Store::open(dir.path()).unwrap());
        let path = dir.path().join(DB_FILE);
        let before = std::fs::read(&path).unwrap();
        let report = check(dir.path()).unwrap();
        assert_eq!(report.schema_version, SCHEMA_VERSION);
        assert!(report.tables.iter().all(|(_, n)| *n == 0), "{report}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn a_missing_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(check(dir.path()).is_err());
    }
}
