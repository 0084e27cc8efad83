//! Deleting an account erases everything stored about it in one transaction: the
//! account and its email index, its key, sessions, renewal log (which holds IP addresses
//! and user agents), plan grants, usage, logos and dynamic codes (buried: their slugs
//! stay taken, their targets and statistics go). Payment event ids stay, holding only
//! the account's number, so that a late retry of an old payment cannot grant anything to
//! a new account. Account numbers are never reused.

use redb::WriteTransaction;

use super::keys::hex_bytes;
use super::sessions::SessionRecord;
use super::tables::*;
use super::{Store, StoreError, decode};
use crate::domain::Account;

impl Store {
    /// Deletes the account `account_id`; false when there is none.
    pub fn delete_account(&self, account_id: u64) -> Result<bool, StoreError> {
        let txn = self.begin_write()?;
        let Some(account) = take_account(&txn, account_id)? else {
            return Ok(false);
        };
        // The index holds the address exactly as stored, which may predate today's
        // email rules: remove that text, not a re-parsed form of it.
        txn.open_table(EMAIL_TO_ACCOUNT_ID)?
            .remove(account.email.as_str())?;
        if let Some(key) = &account.key {
            txn.open_table(KEY_HASH_TO_ACCOUNT_ID)?
                .remove(hex_bytes(&key.hash).as_slice())?;
        }
        txn.open_table(SESSION_HASH_TO_SESSION)?
            .retain(|_, value| {
                serde_json::from_slice::<SessionRecord>(value)
                    .is_ok_and(|s| s.account_id != account_id)
            })?;
        let all_of_account = (account_id, 0)..=(account_id, u64::MAX);
        txn.open_table(RENEWAL_LOG)?
            .retain_in(all_of_account.clone(), |_, _| false)?;
        txn.open_table(PLAN_GRANTS)?
            .retain_in(all_of_account, |_, _| false)?;
        txn.open_table(ACCOUNT_ID_TO_USAGE)?.remove(account_id)?;
        super::daily::remove_account_days(&txn, account_id)?;
        super::logos::remove_account_logos(&txn, account_id)?;
        // The batches' ZIP files go with the next sweep (`batches::files`).
        let batches = (account_id, "")..(account_id + 1, "");
        txn.open_table(ACCOUNT_BATCH_TO_BATCH)?
            .retain_in(batches, |_, _| false)?;
        super::links::bury_account_codes(&txn, account_id)?;
        self.commit(txn)?;
        Ok(true)
    }
}

fn take_account(txn: &WriteTransaction, account_id: u64) -> Result<Option<Account>, StoreError> {
    let removed = txn
        .open_table(ACCOUNT_ID_TO_ACCOUNT)?
        .remove(account_id)?
        .map(|bytes| bytes.value().to_vec());
    removed.map(|bytes| decode("accounts", &bytes)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::domain::{Email, KeyRecord, PlanPeriod, RenewalReason};
    use crate::store::{KeyChangeRequest, LogoRecord, NewAccount};

    /// A trial account to be created for `email`.
    fn new_account(email: Email) -> NewAccount {
        NewAccount::trial_for_tests(email)
    }

    /// An account with a key, a session, a logo, usage and a grant.
    fn full_account(store: &Store, email: &str, key_byte: u8) -> u64 {
        let new = new_account(Email::parse(email).unwrap());
        let account = store.create_account(new).unwrap().unwrap();
        let id = account.id;
        store
            .change_key(KeyChangeRequest {
                account_id: id,
                new_key: KeyRecord {
                    hash: hex::encode([key_byte; 32]),
                    prefix: "qrg_abcdef".into(),
                    created_at: 1,
                },
                reason: RenewalReason::Created,
                ip: "192.0.2.1".into(),
                user_agent: "test".into(),
                now: 1,
                renewals_per_day: 5,
                clear_restrictions: false,
            })
            .unwrap();
        let session = SessionRecord {
            account_id: id,
            created_at: 1,
            expires_at: 1_000,
            last_seen: 1,
        };
        store.create_session(&[key_byte; 32], &session).unwrap();
        let logo = LogoRecord {
            id: format!("lg_{key_byte}"),
            mime: "image/png".into(),
            width: 1,
            height: 1,
            bytes: 3,
            sha256: String::new(),
            created_at: 1,
            unusable: None,
        };
        let drawing = crate::store::LogoDrawing {
            bitmap: b"bitmap".to_vec(),
            svg: Some("<svg/>".into()),
        };
        store.add_logo(id, &logo, b"png", &drawing, 20).unwrap();
        store.write_usage(&[(id, 0, 7)]).unwrap();
        let pro = Config::defaults().plans["pro"].clone();
        store
            .grant_plan(&Email::parse(email).unwrap(), "pro", &pro, 2, "test")
            .unwrap();
        id
    }

    #[test]
    fn deleting_an_account_erases_its_rows_and_only_its_rows() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(dir.path()).unwrap();
        let ada = full_account(&store, "ada@example.org", 1);
        let bob = full_account(&store, "bob@example.org", 2);

        assert!(store.delete_account(ada).unwrap());
        assert!(!store.delete_account(ada).unwrap(), "already gone");

        let email = Email::parse("ada@example.org").unwrap();
        assert!(store.account(ada).unwrap().is_none());
        assert!(store.account_by_email(&email).unwrap().is_none());
        assert!(store.account_by_key_hash(&[1; 32]).unwrap().is_none());
        assert!(store.session(&[1; 32], 2).unwrap().is_none());
        assert!(store.renewal_log(ada).unwrap().is_empty());
        assert!(store.grants(ada).unwrap().is_empty());
        assert!(store.logos(ada).unwrap().is_empty());
        let period = PlanPeriod {
            plan: "trial".into(),
            start: 0,
            end: 100,
        };
        assert_eq!(store.usage(ada, &period).unwrap(), 0);
        // A late usage flush does not bring the account back.
        store.write_usage(&[(ada, 0, 8)]).unwrap();
        assert_eq!(store.usage(ada, &period).unwrap(), 0);

        // Bob is untouched.
        assert!(store.account(bob).unwrap().is_some());
        assert!(store.account_by_key_hash(&[2; 32]).unwrap().is_some());
        assert!(store.session(&[2; 32], 2).unwrap().is_some());
        assert_eq!(store.renewal_log(bob).unwrap().len(), 1);
        assert_eq!(store.grants(bob).unwrap().len(), 1);
        assert_eq!(store.logos(bob).unwrap().len(), 1);
        assert_eq!(store.usage(bob, &period).unwrap(), 7);
    }

    #[test]
    fn deleting_an_account_stored_before_the_email_rules_frees_its_address() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(dir.path()).unwrap();
        let old = Email::lookup_forms("ad\u{202E}a@example.org").remove(0);
        let new = || new_account(old.clone());
        let id = store.create_account(new()).unwrap().unwrap().id;
        assert!(store.delete_account(id).unwrap());
        assert!(
            store.create_account(new()).unwrap().is_ok(),
            "no index entry is left behind under the old address"
        );
    }
}
