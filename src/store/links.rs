//! Dynamic codes: create, read, edit and delete, each in one short transaction. A
//! deleted code becomes a tombstone (slug, owner and dates only) and its statistics are
//! erased; its slug stays taken for ever.

use std::collections::BTreeMap;

use rand::RngCore;
use redb::{ReadableDatabase, ReadableTable, WriteTransaction};

use super::tables::*;
use super::{Store, StoreError, decode, encode, next_counter};
use crate::domain::Account;
use crate::links::{Directory, DynamicCode, Owner, Slug};

/// How many generated slugs are tried before giving up (each collides with odds of at
/// most codes / 36^8).
const SLUG_ATTEMPTS: usize = 8;

pub struct NewCode {
    pub account_id: u64,
    /// `None`: generate one.
    pub slug: Option<Slug>,
    pub target: String,
    pub name: String,
    pub design: BTreeMap<String, String>,
    pub now: i64,
    /// Live codes the account may hold.
    pub limit: u64,
}

#[derive(Debug)]
pub enum CodeCreated {
    Created(DynamicCode),
    SlugTaken,
    LimitReached,
    NoAccount,
}

/// Fields to change; `None` leaves one as it is.
#[derive(Debug, Default)]
pub struct CodeChange {
    pub target: Option<String>,
    pub name: Option<String>,
    pub paused: Option<bool>,
    pub now: i64,
}

impl Store {
    pub fn create_code(&self, new: NewCode) -> Result<CodeCreated, StoreError> {
        let txn = self.begin_write()?;
        let created = {
            if txn
                .open_table(ACCOUNT_ID_TO_ACCOUNT)?
                .get(new.account_id)?
                .is_none()
            {
                return Ok(CodeCreated::NoAccount);
            }
            let mut index = txn.open_table(ACCOUNT_CODES)?;
            let held = index
                .range((new.account_id, 0)..=(new.account_id, u64::MAX))?
                .count() as u64;
            if held >= new.limit {
                return Ok(CodeCreated::LimitReached);
            }
            let mut slugs = txn.open_table(SLUG_TO_CODE_ID)?;
            let slug = match new.slug {
                Some(slug) if slugs.get(slug.folded().as_str())?.is_some() => {
                    return Ok(CodeCreated::SlugTaken);
                }
                Some(slug) => slug,
                None => {
                    let mut fresh = None;
                    for _ in 0..SLUG_ATTEMPTS {
                        let slug = Slug::generate();
                        if slugs.get(slug.folded().as_str())?.is_none() {
                            fresh = Some(slug);
                            break;
                        }
                    }
                    match fresh {
                        Some(slug) => slug,
                        None => return Ok(CodeCreated::SlugTaken),
                    }
                }
            };
            let mut codes = txn.open_table(CODE_ID_TO_CODE)?;
            let id = loop {
                let id = rand::rngs::OsRng.next_u64();
                if id != 0 && codes.get(id)?.is_none() {
                    break id;
                }
            };
            let seq = next_counter(&mut txn.open_table(META)?, META_NEXT_CODE_SEQ)?;
            let code = DynamicCode {
                id,
                account_id: new.account_id,
                seq,
                slug: slug.as_str().to_owned(),
                target: new.target,
                name: new.name,
                paused: false,
                design: new.design,
                created_at: new.now,
                updated_at: new.now,
                deleted_at: None,
            };
            codes.insert(id, encode(&code).as_slice())?;
            slugs.insert(slug.folded().as_str(), id)?;
            index.insert((new.account_id, seq), id)?;
            code
        };
        self.commit(txn)?;
        Ok(CodeCreated::Created(created))
    }

    /// The account's live code with this id.
    pub fn code(&self, account_id: u64, code_id: u64) -> Result<Option<DynamicCode>, StoreError> {
        let txn = self.db.begin_read()?;
        let codes = txn.open_table(CODE_ID_TO_CODE)?;
        let code = match codes.get(code_id)? {
            Some(bytes) => decode::<DynamicCode>("dynamic_codes", bytes.value())?,
            None => return Ok(None),
        };
        Ok(Some(code).filter(|c| c.account_id == account_id && !c.is_deleted()))
    }

    /// Up to `limit` of the account's live codes, newest first, older than the sequence
    /// `before` when given; and the cursor of the next page, if there is one.
    pub fn codes_page(
        &self,
        account_id: u64,
        before: Option<u64>,
        limit: usize,
    ) -> Result<(Vec<DynamicCode>, Option<u64>), StoreError> {
        let txn = self.db.begin_read()?;
        let index = txn.open_table(ACCOUNT_CODES)?;
        let codes = txn.open_table(CODE_ID_TO_CODE)?;
        let end = before.unwrap_or(u64::MAX);
        let mut page = Vec::new();
        let mut next = None;
        for entry in index.range((account_id, 0)..(account_id, end))?.rev() {
            let (key, id) = entry?;
            if page.len() == limit {
                next = page.last().map(|c: &DynamicCode| c.seq);
                break;
            }
            if let Some(bytes) = codes.get(id.value())? {
                page.push(decode("dynamic_codes", bytes.value())?);
            } else {
                return Err(StoreError::Corrupt {
                    table: "account_codes",
                    message: format!("sequence {} names a missing code", key.value().1),
                });
            }
        }
        Ok((page, next))
    }

    /// How many live codes the account holds.
    pub fn code_count(&self, account_id: u64) -> Result<u64, StoreError> {
        let txn = self.db.begin_read()?;
        let index = txn.open_table(ACCOUNT_CODES)?;
        Ok(index
            .range((account_id, 0)..=(account_id, u64::MAX))?
            .count() as u64)
    }

    /// Applies `change` to the account's live code; `None` when there is none.
    pub fn update_code(
        &self,
        account_id: u64,
        code_id: u64,
        change: CodeChange,
    ) -> Result<Option<DynamicCode>, StoreError> {
        let txn = self.begin_write()?;
        let updated = {
            let mut codes = txn.open_table(CODE_ID_TO_CODE)?;
            let mut code = match codes.get(code_id)? {
                Some(bytes) => decode::<DynamicCode>("dynamic_codes", bytes.value())?,
                None => return Ok(None),
            };
            if code.account_id != account_id || code.is_deleted() {
                return Ok(None);
            }
            if let Some(target) = change.target {
                code.target = target;
            }
            if let Some(name) = change.name {
                code.name = name;
            }
            if let Some(paused) = change.paused {
                code.paused = paused;
            }
            code.updated_at = change.now;
            codes.insert(code_id, encode(&code).as_slice())?;
            code
        };
        self.commit(txn)?;
        Ok(Some(updated))
    }

    /// Deletes the account's live code (its statistics too) and returns the tombstone.
    pub fn delete_code(
        &self,
        account_id: u64,
        code_id: u64,
        now: i64,
    ) -> Result<Option<DynamicCode>, StoreError> {
        let txn = self.begin_write()?;
        let existing = txn
            .open_table(CODE_ID_TO_CODE)?
            .get(code_id)?
            .map(|bytes| decode::<DynamicCode>("dynamic_codes", bytes.value()))
            .transpose()?;
        let Some(code) = existing.filter(|c| c.account_id == account_id && !c.is_deleted()) else {
            return Ok(None);
        };
        let tombstone = bury(&txn, code, now)?;
        self.commit(txn)?;
        Ok(Some(tombstone))
    }

    /// Every code (tombstones included) and, for each owner of a live code, its account
    /// (`None` if gone): what the redirect loads at start.
    #[allow(clippy::type_complexity)]
    pub fn codes_and_owners(
        &self,
    ) -> Result<(Vec<DynamicCode>, Vec<(u64, Option<Account>)>), StoreError> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(CODE_ID_TO_CODE)?;
        let accounts = txn.open_table(ACCOUNT_ID_TO_ACCOUNT)?;
        let mut codes: Vec<DynamicCode> = Vec::new();
        for entry in table.iter()? {
            codes.push(decode("dynamic_codes", entry?.1.value())?);
        }
        let mut owners: Vec<u64> = codes
            .iter()
            .filter(|c| !c.is_deleted())
            .map(|c| c.account_id)
            .collect();
        owners.sort_unstable();
        owners.dedup();
        let mut found = Vec::with_capacity(owners.len());
        for id in owners {
            let account = accounts
                .get(id)?
                .map(|v| decode::<Account>("accounts", v.value()))
                .transpose()?;
            found.push((id, account));
        }
        Ok((codes, found))
    }

    /// The accounts with these ids (`None` for those that are gone), in one read.
    pub fn accounts_by_id(&self, ids: &[u64]) -> Result<Vec<(u64, Option<Account>)>, StoreError> {
        let txn = self.db.begin_read()?;
        let accounts = txn.open_table(ACCOUNT_ID_TO_ACCOUNT)?;
        ids.iter()
            .map(|&id| {
                let account = accounts
                    .get(id)?
                    .map(|v| decode::<Account>("accounts", v.value()))
                    .transpose()?;
                Ok((id, account))
            })
            .collect()
    }
}

/// Turns a live code into a tombstone: target, name and design erased, the account's
/// index entry and the statistics removed, the slug left taken.
fn bury(
    txn: &WriteTransaction,
    mut code: DynamicCode,
    now: i64,
) -> Result<DynamicCode, StoreError> {
    txn.open_table(ACCOUNT_CODES)?
        .remove((code.account_id, code.seq))?;
    super::scans::erase_scans(txn, code.id)?;
    code.target.clear();
    code.name.clear();
    code.design.clear();
    code.paused = false;
    code.updated_at = now;
    code.deleted_at = Some(now);
    txn.open_table(CODE_ID_TO_CODE)?
        .insert(code.id, encode(&code).as_slice())?;
    Ok(code)
}

/// Buries every live code of an account that is being deleted (in its transaction).
pub(super) fn bury_account_codes(
    txn: &WriteTransaction,
    account_id: u64,
) -> Result<(), StoreError> {
    let ids: Vec<u64> = {
        let index = txn.open_table(ACCOUNT_CODES)?;
        let mut ids = Vec::new();
        for entry in index.range((account_id, 0)..=(account_id, u64::MAX))? {
            ids.push(entry?.1.value());
        }
        ids
    };
    for id in ids {
        let code = txn
            .open_table(CODE_ID_TO_CODE)?
            .get(id)?
            .map(|bytes| decode::<DynamicCode>("dynamic_codes", bytes.value()))
            .transpose()?;
        if let Some(code) = code {
            // The deletion's time is not known here; the last change's stands for it.
            let when = code.updated_at;
            bury(txn, code, when)?;
        }
    }
    Ok(())
}

impl Store {
    /// The redirect's directory: every code and the standing of every live code's owner.
    pub fn link_directory(&self) -> Result<Directory, StoreError> {
        // Read before the data: a commit in between makes the entries re-read later.
        let generation = self.generation();
        let (codes, owners) = self.codes_and_owners()?;
        let owners: Vec<(u64, Owner)> = owners
            .iter()
            .map(|(id, account)| (*id, Owner::of(account.as_ref(), generation)))
            .collect();
        Ok(Directory::load(&codes, &owners))
    }

    /// Re-reads the owners scanned since the last call whose entries predate the latest
    /// commit; returns how many were read.
    pub fn refresh_owners(&self, directory: &Directory) -> Result<usize, StoreError> {
        let generation = self.generation();
        let stale: Vec<u64> = directory
            .take_touched()
            .into_iter()
            .filter(|&(_, seen)| seen != generation)
            .map(|(id, _)| id)
            .collect();
        for (id, account) in self.accounts_by_id(&stale)? {
            directory.set_owner(id, Owner::of(account.as_ref(), generation));
        }
        Ok(stale.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Email, PlanPeriod, Role};
    use crate::store::NewAccount;

    fn account(store: &Store, email: &str) -> u64 {
        let new = NewAccount {
            email: Email::parse(email).unwrap(),
            password_hash: String::new(),
            role: Role::User,
            period: PlanPeriod {
                plan: "trial".into(),
                start: 0,
                end: 100,
            },
            now: 0,
        };
        store.create_account(new).unwrap().unwrap().id
    }

    fn new_code(account_id: u64, slug: Option<&str>) -> NewCode {
        NewCode {
            account_id,
            slug: slug.map(|s| Slug::parse(s).unwrap()),
            target: "https://example.org/".into(),
            name: "n".into(),
            design: Default::default(),
            now: 1,
            limit: 2,
        }
    }

    #[test]
    fn slugs_are_unique_without_regard_to_case_and_outlive_their_codes() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(dir.path()).unwrap();
        let ada = account(&store, "ada@example.org");
        let bob = account(&store, "bob@example.org");
        let CodeCreated::Created(code) = store.create_code(new_code(ada, Some("Menu-01"))).unwrap()
        else {
            panic!("created")
        };
        assert!(matches!(
            store.create_code(new_code(bob, Some("menu-01"))).unwrap(),
            CodeCreated::SlugTaken
        ));
        store.delete_code(ada, code.id, 2).unwrap();
        assert!(matches!(
            store.create_code(new_code(bob, Some("MENU-01"))).unwrap(),
            CodeCreated::SlugTaken
        ));
        let (codes, _) = store.codes_and_owners().unwrap();
        assert_eq!(codes.len(), 1);
        assert_eq!(
            (codes[0].target.as_str(), codes[0].deleted_at),
            ("", Some(2)),
            "a tombstone"
        );
    }

    #[test]
    fn the_limit_counts_live_codes_of_the_account_only() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(dir.path()).unwrap();
        let ada = account(&store, "ada@example.org");
        let bob = account(&store, "bob@example.org");
        let first = match store.create_code(new_code(ada, None)).unwrap() {
            CodeCreated::Created(code) => code,
            other => panic!("{other:?}"),
        };
        store.create_code(new_code(ada, None)).unwrap();
        assert!(matches!(
            store.create_code(new_code(ada, None)).unwrap(),
            CodeCreated::LimitReached
        ));
        assert!(matches!(
            store.create_code(new_code(bob, None)).unwrap(),
            CodeCreated::Created(_)
        ));
        store.delete_code(ada, first.id, 3).unwrap();
        assert!(matches!(
            store.create_code(new_code(ada, None)).unwrap(),
            CodeCreated::Created(_)
        ));
        assert!(
            store
                .update_code(bob, first.id, CodeChange::default())
                .unwrap()
                .is_none(),
            "not bob's"
        );
        assert!(store.code(ada, first.id).unwrap().is_none(), "deleted");
    }

    #[test]
    fn deleting_an_account_buries_its_codes() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(dir.path()).unwrap();
        let ada = account(&store, "ada@example.org");
        store.create_code(new_code(ada, Some("ada-code"))).unwrap();
        assert!(store.delete_account(ada).unwrap());
        let (codes, owners) = store.codes_and_owners().unwrap();
        assert!(codes[0].is_deleted());
        assert!(owners.is_empty(), "no live code, no owner to load");
        assert_eq!(store.code_count(ada).unwrap(), 0);
    }
}
