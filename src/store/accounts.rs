//! Accounts and the email index.

use redb::{ReadTransaction, ReadableDatabase, ReadableTable, WriteTransaction};

use super::tables::*;
use super::{Store, StoreError, decode, encode, next_counter};
use crate::domain::{Account, Email, PlanPeriod, Role};

/// Everything needed to create an account.
pub struct NewAccount {
    pub email: Email,
    pub password_hash: String,
    pub role: Role,
    pub period: PlanPeriod,
    pub now: i64,
}

#[cfg(test)]
impl NewAccount {
    /// A trial account for the store's own tests, its period from 0 to 1.
    pub(crate) fn for_tests(email: &str) -> Self {
        Self {
            email: Email::parse(email).expect("a valid test address"),
            password_hash: String::new(),
            role: Role::User,
            period: PlanPeriod {
                plan: "trial".into(),
                start: 0,
                end: 1,
            },
            now: 0,
        }
    }
}

#[cfg(test)]
impl NewAccount {
    /// A trial account for `email` (period 0 to 100), for the store's tests.
    pub(crate) fn trial_for_tests(email: Email) -> Self {
        Self {
            email,
            password_hash: String::new(),
            role: Role::User,
            period: PlanPeriod {
                plan: "trial".into(),
                start: 0,
                end: 100,
            },
            now: 0,
        }
    }
}

/// The email belongs to an existing account.
#[derive(Debug, PartialEq, Eq)]
pub struct EmailTaken;

impl Store {
    /// Creates the account unless its email is taken; the index and the record are
    /// written in one transaction, so two sign-ups with one email cannot both succeed.
    pub fn create_account(
        &self,
        new: NewAccount,
    ) -> Result<Result<Account, EmailTaken>, StoreError> {
        let txn = self.begin_write()?;
        let created = insert_account(&txn, new)?;
        if created.is_ok() {
            self.commit(txn)?;
        }
        Ok(created)
    }

    /// Creates many accounts in one transaction (an import): one commit instead of one
    /// per account. Each email taken, before or earlier in the batch, is refused alone.
    pub fn create_accounts(
        &self,
        batch: Vec<NewAccount>,
    ) -> Result<Vec<Result<Account, EmailTaken>>, StoreError> {
        let txn = self.begin_write()?;
        let created = batch
            .into_iter()
            .map(|new| insert_account(&txn, new))
            .collect::<Result<Vec<_>, _>>()?;
        self.commit(txn)?;
        Ok(created)
    }

    pub fn account(&self, id: u64) -> Result<Option<Account>, StoreError> {
        let txn = self.db.begin_read()?;
        read_account(&txn, id)
    }

    pub fn account_by_email(&self, email: &Email) -> Result<Option<Account>, StoreError> {
        let txn = self.db.begin_read()?;
        let Some(id) = txn
            .open_table(EMAIL_TO_ACCOUNT_ID)?
            .get(email.as_str())?
            .map(|v| v.value())
        else {
            return Ok(None);
        };
        read_account(&txn, id)
    }

    /// Every account, oldest first.
    pub fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        let txn = self.db.begin_read()?;
        let accounts = txn.open_table(ACCOUNT_ID_TO_ACCOUNT)?;
        accounts
            .iter()?
            .map(|entry| {
                let (_, value) = entry?;
                decode("accounts", value.value())
            })
            .collect()
    }

    /// Gives the admin role to the accounts with these emails; returns how many changed.
    pub fn promote_admins(&self, emails: &[Email]) -> Result<usize, StoreError> {
        let mut changed = 0;
        for email in emails {
            let promoted = self.update_account_by_email(email, |account| {
                let was = account.role;
                account.role = Role::Admin;
                was != Role::Admin
            })?;
            changed += usize::from(promoted.is_some_and(|(_, changed)| changed));
        }
        Ok(changed)
    }

    /// Replaces the stored password hash (after a verified login, with new costs).
    pub fn set_password_hash(&self, account_id: u64, hash: &str) -> Result<(), StoreError> {
        let txn = self.begin_write()?;
        {
            let mut accounts = txn.open_table(ACCOUNT_ID_TO_ACCOUNT)?;
            let stored = accounts.get(account_id)?.map(|v| v.value().to_vec());
            if let Some(bytes) = stored {
                let mut account: Account = decode("accounts", &bytes)?;
                account.password_hash = hash.to_owned();
                accounts.insert(account_id, encode(&account).as_slice())?;
            }
        }
        self.commit(txn)?;
        Ok(())
    }

    /// Disables or re-enables an account. `None` if there is no such account.
    pub fn set_disabled(
        &self,
        email: &Email,
        disabled: bool,
    ) -> Result<Option<Account>, StoreError> {
        let updated = self.update_account_by_email(email, |account| {
            account.disabled = disabled;
        })?;
        Ok(updated.map(|(account, ())| account))
    }

    /// Reads, changes and writes one account in a single write transaction.
    pub(super) fn update_account_by_email<R>(
        &self,
        email: &Email,
        change: impl FnOnce(&mut Account) -> R,
    ) -> Result<Option<(Account, R)>, StoreError> {
        let txn = self.begin_write()?;
        let Some(result) = update_in(&txn, email, change)? else {
            return Ok(None);
        };
        self.commit(txn)?;
        Ok(Some(result))
    }
}

/// Inside a write transaction: the account and its email index entry, unless the email
/// is taken.
fn insert_account(
    txn: &WriteTransaction,
    new: NewAccount,
) -> Result<Result<Account, EmailTaken>, StoreError> {
    let mut emails = txn.open_table(EMAIL_TO_ACCOUNT_ID)?;
    if emails.get(new.email.as_str())?.is_some() {
        return Ok(Err(EmailTaken));
    }
    let mut meta = txn.open_table(META)?;
    let id = next_counter(&mut meta, META_NEXT_ACCOUNT_ID)?;
    let account = Account {
        id,
        email: new.email.as_str().to_owned(),
        password_hash: new.password_hash,
        created_at: new.now,
        role: new.role,
        disabled: false,
        period: new.period,
        key: None,
        restrictions: Default::default(),
        key_generation: 0,
    };
    emails.insert(new.email.as_str(), id)?;
    txn.open_table(ACCOUNT_ID_TO_ACCOUNT)?
        .insert(id, encode(&account).as_slice())?;
    Ok(Ok(account))
}

/// Reads one account record inside a read transaction.
pub(super) fn read_account(txn: &ReadTransaction, id: u64) -> Result<Option<Account>, StoreError> {
    let accounts = txn.open_table(ACCOUNT_ID_TO_ACCOUNT)?;
    let found = accounts.get(id)?;
    found.map(|v| decode("accounts", v.value())).transpose()
}

/// Inside a write transaction: finds the account by email, lets `change` edit it and
/// writes it back. `None` if there is no such account.
pub(super) fn update_in<R>(
    txn: &WriteTransaction,
    email: &Email,
    change: impl FnOnce(&mut Account) -> R,
) -> Result<Option<(Account, R)>, StoreError> {
    let Some(id) = txn
        .open_table(EMAIL_TO_ACCOUNT_ID)?
        .get(email.as_str())?
        .map(|v| v.value())
    else {
        return Ok(None);
    };
    let mut accounts = txn.open_table(ACCOUNT_ID_TO_ACCOUNT)?;
    let stored = accounts.get(id)?.map(|v| v.value().to_vec());
    let Some(bytes) = stored else {
        return Ok(None);
    };
    let mut account: Account = decode("accounts", &bytes)?;
    let outcome = change(&mut account);
    accounts.insert(id, encode(&account).as_slice())?;
    Ok(Some((account, outcome)))
}
