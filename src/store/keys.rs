//! API keys (by hash) and the renewal log. Creating and renewing a key checks the rolling
//! renewal limit inside the same write transaction that replaces the key; redb runs one
//! write transaction at a time, so concurrent renewals cannot overshoot the limit.

use redb::{ReadableDatabase, ReadableTable};

use super::accounts::read_account;
use super::tables::*;
use super::{Store, StoreError, decode, encode, next_counter};
use crate::domain::{
    Account, KeyRecord, RenewalAllowance, RenewalReason, RenewalRecord, Restrictions,
};

pub struct KeyChangeRequest {
    pub account_id: u64,
    pub new_key: KeyRecord,
    pub reason: RenewalReason,
    pub ip: String,
    pub user_agent: String,
    pub now: i64,
    pub renewals_per_day: u32,
    /// Remove the key's restrictions with this renewal (they are kept otherwise).
    pub clear_restrictions: bool,
}

/// A change of the current key's restrictions, logged as "access changed".
pub struct RestrictionChange {
    pub account_id: u64,
    pub restrictions: Restrictions,
    pub ip: String,
    pub user_agent: String,
    pub now: i64,
}

#[derive(Debug, PartialEq, Eq)]
pub enum RestrictionOutcome {
    /// Stored and logged with what changed.
    Changed(Account),
    /// The new restrictions are the ones in force: nothing written.
    Unchanged(Account),
    /// Restrictions belong to a key, and the account has none yet.
    NoKey,
    NoAccount,
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
                ip: request.ip.clone(),
                user_agent: request.user_agent.clone(),
                detail: None,
            };
            account.key = Some(request.new_key);
            account.key_generation += 1;
            let mut meta = txn.open_table(META)?;
            let seq = next_counter(&mut meta, META_NEXT_SEQUENCE)?;
            log.insert((account.id, seq), encode(&entry).as_slice())?;
            if request.clear_restrictions {
                let cleared = Restrictions::default();
                if let Some(detail) = cleared.changes_from(&account.restrictions) {
                    let entry = RenewalRecord {
                        reason: RenewalReason::AccessChanged,
                        old_prefix: Some(entry.new_prefix.clone()),
                        detail: Some(detail),
                        ..entry
                    };
                    let seq = next_counter(&mut meta, META_NEXT_SEQUENCE)?;
                    log.insert((account.id, seq), encode(&entry).as_slice())?;
                    account.restrictions = cleared;
                }
            }
            accounts.insert(account.id, encode(&account).as_slice())?;
            account
        };
        self.commit(txn)?;
        Ok(KeyChange::Done(account))
    }

    /// Replaces the current key's restrictions and logs what changed, in one transaction.
    pub fn set_restrictions(
        &self,
        change: RestrictionChange,
    ) -> Result<RestrictionOutcome, StoreError> {
        let txn = self.begin_write()?;
        let outcome = {
            let mut accounts = txn.open_table(ACCOUNT_ID_TO_ACCOUNT)?;
            let stored = accounts.get(change.account_id)?.map(|v| v.value().to_vec());
            let Some(bytes) = stored else {
                return Ok(RestrictionOutcome::NoAccount);
            };
            let mut account: Account = decode("accounts", &bytes)?;
            let Some(prefix) = account.key.as_ref().map(|k| k.prefix.clone()) else {
                return Ok(RestrictionOutcome::NoKey);
            };
            let Some(detail) = change.restrictions.changes_from(&account.restrictions) else {
                return Ok(RestrictionOutcome::Unchanged(account));
            };
            let entry = RenewalRecord {
                at: change.now,
                reason: RenewalReason::AccessChanged,
                old_prefix: Some(prefix.clone()),
                new_prefix: prefix,
                ip: change.ip,
                user_agent: change.user_agent,
                detail: Some(detail),
            };
            account.restrictions = change.restrictions;
            accounts.insert(account.id, encode(&account).as_slice())?;
            let seq = next_counter(&mut txn.open_table(META)?, META_NEXT_SEQUENCE)?;
            txn.open_table(RENEWAL_LOG)?
                .insert((account.id, seq), encode(&entry).as_slice())?;
            RestrictionOutcome::Changed(account)
        };
        self.commit(txn)?;
        Ok(outcome)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Email, RestrictionsForm};
    use crate::store::NewAccount;

    fn store_with_account() -> (tempfile::TempDir, Store, u64) {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(dir.path()).unwrap();
        let new = NewAccount::trial_for_tests(Email::parse("ada@example.org").unwrap());
        let account = store.create_account(new).unwrap().unwrap();
        (dir, store, account.id)
    }

    fn key_change(account_id: u64, n: u8, reason: RenewalReason, clear: bool) -> KeyChangeRequest {
        KeyChangeRequest {
            account_id,
            new_key: KeyRecord {
                hash: hex::encode([n; 32]),
                prefix: format!("qrg_{n:06}"),
                created_at: 1,
            },
            reason,
            ip: "192.0.2.1".into(),
            user_agent: "test".into(),
            now: i64::from(n),
            renewals_per_day: 5,
            clear_restrictions: clear,
        }
    }

    fn networks(text: &str) -> Restrictions {
        let form = RestrictionsForm {
            networks: text,
            ..Default::default()
        };
        Restrictions::parse(&form, &["url"]).unwrap()
    }

    fn restrict(store: &Store, account_id: u64, restrictions: Restrictions) -> RestrictionOutcome {
        store
            .set_restrictions(RestrictionChange {
                account_id,
                restrictions,
                ip: "198.51.100.7".into(),
                user_agent: "browser".into(),
                now: 50,
            })
            .unwrap()
    }

    fn done(change: KeyChange) -> Account {
        match change {
            KeyChange::Done(account) => account,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn every_creation_and_renewal_moves_the_key_generation_on() {
        let (_dir, store, id) = store_with_account();
        let created = done(
            store
                .change_key(key_change(id, 1, RenewalReason::Created, false))
                .unwrap(),
        );
        assert_eq!(created.key_generation, 1);
        let renewed = done(
            store
                .change_key(key_change(id, 2, RenewalReason::Compromise, false))
                .unwrap(),
        );
        assert_eq!(renewed.key_generation, 2);
    }

    #[test]
    fn restrictions_need_a_key_and_each_change_is_logged_with_what_changed() {
        let (_dir, store, id) = store_with_account();
        assert_eq!(
            restrict(&store, id, networks("10.0.0.0/8")),
            RestrictionOutcome::NoKey
        );
        store
            .change_key(key_change(id, 1, RenewalReason::Created, false))
            .unwrap();
        let RestrictionOutcome::Changed(account) = restrict(&store, id, networks("10.0.0.0/8"))
        else {
            panic!("a change");
        };
        assert_eq!(account.restrictions, networks("10.0.0.0/8"));
        assert!(matches!(
            restrict(&store, id, networks("10.0.0.0/8")),
            RestrictionOutcome::Unchanged(_)
        ));
        let log = store.renewal_log(id).unwrap();
        assert_eq!(
            log.len(),
            2,
            "the creation and one change; the repeat is not logged"
        );
        let row = &log[1];
        assert_eq!(row.reason, RenewalReason::AccessChanged);
        assert_eq!(
            row.detail.as_deref(),
            Some("client networks: any → 10.0.0.0/8")
        );
        assert_eq!(
            (row.ip.as_str(), row.user_agent.as_str()),
            ("198.51.100.7", "browser")
        );
        assert_eq!(row.old_prefix.as_deref(), Some(row.new_prefix.as_str()));
        assert_eq!(
            RenewalAllowance::from_log(&log, 60, 5).used,
            0,
            "access changes do not count as renewals"
        );
    }

    #[test]
    fn a_renewal_keeps_the_restrictions_unless_asked_to_clear_them() {
        let (_dir, store, id) = store_with_account();
        store
            .change_key(key_change(id, 1, RenewalReason::Created, false))
            .unwrap();
        restrict(&store, id, networks("10.0.0.0/8"));
        let kept = done(
            store
                .change_key(key_change(id, 2, RenewalReason::Expiration, false))
                .unwrap(),
        );
        assert_eq!(kept.restrictions, networks("10.0.0.0/8"));
        let cleared = done(
            store
                .change_key(key_change(id, 3, RenewalReason::AccessChange, true))
                .unwrap(),
        );
        assert!(cleared.restrictions.is_empty());
        assert!(store.account(id).unwrap().unwrap().restrictions.is_empty());
        let log = store.renewal_log(id).unwrap();
        let last = log.last().unwrap();
        assert_eq!(last.reason, RenewalReason::AccessChanged);
        assert_eq!(
            last.detail.as_deref(),
            Some("client networks: 10.0.0.0/8 → any")
        );
        assert_eq!(log[log.len() - 2].reason, RenewalReason::AccessChange);
    }
}
