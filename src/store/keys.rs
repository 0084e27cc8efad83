//! API keys (by hash) and the renewal log. Creating and renewing a key checks the rolling
//! renewal limit inside the same write transaction that replaces the key; redb runs one
//! write transaction at a time, so concurrent renewals cannot overshoot the limit.

use redb::{ReadableDatabase, ReadableTable};

use super::accounts::read_account;
use super::tables::*;
use super::{Store, StoreError, decode, encode, next_counter};
use crate::domain::{Account, KeyRecord, RenewalAllowance, RenewalReason, RenewalRecord};

pub struct KeyChangeRequest {
    pub account_id: u64,
    pub new_key: KeyRecord,
    pub reason: RenewalReason,
    pub ip: String,
    pub user_agent: String,
    pub now: i64,
    pub renewals_per_day: u32,
}

#[derive(Debug, PartialEq, Eq)]
pub enum KeyChange {
    /// The key was created or replaced; the old one no longer verifies.
    Done(Account),
    /// A first key was asked for, but the account has one.
    KeyExists,
    /// A renewal was asked for, but the account has no key yet.
    NoKey,
    /// The rolling 24-hour limit is used up until the given time.
    LimitReached {
        next_allowed_at: i64,
    },
    NoAccount,
}

impl Store {
    pub fn change_key(&self, request: KeyChangeRequest) -> Result<KeyChange, StoreError> {
        let txn = self.begin_write()?;
        let account = {
            let mut accounts = txn.open_table(ACCOUNT_ID_TO_ACCOUNT)?;
            let stored = accounts
                .get(request.account_id)?
                .map(|v| v.value().to_vec());
            let Some(bytes) = stored else {
                return Ok(KeyChange::NoAccount);
            };
            let mut account: Account = decode("accounts", &bytes)?;
            let mut log = txn.open_table(RENEWAL_LOG)?;
            match (request.reason, &account.key) {
                (RenewalReason::Created, Some(_)) => return Ok(KeyChange::KeyExists),
                (RenewalReason::Created, None) => {}
                (_, None) => return Ok(KeyChange::NoKey),
                (_, Some(_)) => {
                    let entries = read_log(&log, request.account_id)?;
                    let allowance =
                        RenewalAllowance::from_log(&entries, request.now, request.renewals_per_day);
                    if let Some(next_allowed_at) = allowance.next_allowed_at {
                        return Ok(KeyChange::LimitReached { next_allowed_at });
                    }
                }
            }
            let mut by_hash = txn.open_table(KEY_HASH_TO_ACCOUNT_ID)?;
            let old = account.key.take();
            if let Some(old) = &old {
                by_hash.remove(hex_bytes(&old.hash).as_slice())?;
            }
            by_hash.insert(hex_bytes(&request.new_key.hash).as_slice(), account.id)?;
            let entry = RenewalRecord {
                at: request.now,
                reason: request.reason,
                old_prefix: old.map(|k| k.prefix),
                new_prefix: request.new_key.prefix.clone(),
                ip: request.ip,
                user_agent: request.user_agent,
            };
            account.key = Some(request.new_key);
            accounts.insert(account.id, encode(&account).as_slice())?;
            let seq = next_counter(&mut txn.open_table(META)?, META_NEXT_SEQUENCE)?;
            log.insert((account.id, seq), encode(&entry).as_slice())?;
            account
        };
        self.commit(txn)?;
        Ok(KeyChange::Done(account))
    }

    /// The account whose current key has this hash.
    pub fn account_by_key_hash(&self, hash: &[u8; 32]) -> Result<Option<Account>, StoreError> {
        let txn = self.db.begin_read()?;
        let Some(id) = txn
            .open_table(KEY_HASH_TO_ACCOUNT_ID)?
            .get(hash.as_slice())?
            .map(|v| v.value())
        else {
            return Ok(None);
        };
        read_account(&txn, id)
    }

    /// The account's renewal log, oldest first.
    pub fn renewal_log(&self, account_id: u64) -> Result<Vec<RenewalRecord>, StoreError> {
        let txn = self.db.begin_read()?;
        let log = txn.open_table(RENEWAL_LOG)?;
        read_log(&log, account_id)
    }
}

fn read_log(
    log: &impl ReadableTable<(u64, u64), &'static [u8]>,
    account_id: u64,
) -> Result<Vec<RenewalRecord>, StoreError> {
    log.range((account_id, 0)..=(account_id, u64::MAX))?
        .map(|entry| {
            let (_, value) = entry?;
            decode("renewal_log", value.value())
        })
        .collect()
}

/// Key hashes are kept as hex in the account record and as raw bytes in the index.
pub(super) fn hex_bytes(hash: &str) -> Vec<u8> {
    hex::decode(hash).unwrap_or_else(|_| hash.as_bytes().to_vec())
}
