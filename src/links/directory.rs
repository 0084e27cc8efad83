//! The redirect's memory: every slug with its code's target and state, and every code
//! owner's standing, loaded at start and kept in step by every create, edit and delete
//! (`put`), so a scan costs a map lookup under a read lock and no database access.
//!
//! Owners change elsewhere (plan grants, disabling, deletion). Two things keep their
//! entries true: a scan that would show the paused page because the owner's plan lapsed
//! re-reads the owner first when anything was committed since the entry was read (so a
//! granted plan takes effect on the next scan), and the flush job re-reads the owners
//! scanned since its last run (so disabling or deleting an account stops its codes
//! within about one flush interval).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::code::DynamicCode;
use crate::domain::Account;

#[derive(Debug, Clone)]
struct Route {
    code_id: u64,
    account_id: u64,
    target: Arc<str>,
    paused: bool,
    deleted: bool,
}

/// What the redirect needs to know about a code's owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner {
    /// False once the account is deleted.
    pub exists: bool,
    pub disabled: bool,
    /// End of the plan or trial period (unix seconds).
    pub period_end: i64,
    /// The store's write generation when this was read.
    pub generation: u64,
}

impl Owner {
    pub fn of(account: Option<&Account>, generation: u64) -> Self {
        match account {
            Some(a) => Self {
                exists: true,
                disabled: a.disabled,
                period_end: a.period.end,
                generation,
            },
            None => Self {
                exists: false,
                disabled: false,
                period_end: i64::MIN,
                generation,
            },
        }
    }
}

struct OwnerSlot {
    owner: Owner,
    /// Scanned since the flush job last looked.
    touched: AtomicBool,
}

/// Where a scan goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Redirect {
        code_id: u64,
        target: Arc<str>,
    },
    /// Paused by its owner, or its owner's account is disabled.
    Paused,
    /// The owner's plan ended more than the grace period ago; `account_id` and the
    /// generation its entry was read at say whether a re-read could change that.
    Lapsed {
        account_id: u64,
        generation: u64,
    },
    /// Deleted, or its owner's account was.
    Gone,
    Unknown,
}

#[derive(Default)]
pub struct Directory {
    routes: RwLock<HashMap<Box<str>, Route>>,
    owners: RwLock<HashMap<u64, OwnerSlot>>,
}

fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|e| e.into_inner())
}

fn write<T>(lock: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|e| e.into_inner())
}

impl Directory {
    /// Every code (tombstones included) and the owners of the live ones.
    pub fn load(codes: &[DynamicCode], owners: &[(u64, Owner)]) -> Self {
        let directory = Self::default();
        for code in codes {
            directory.put(code);
        }
        for &(account_id, owner) in owners {
            directory.set_owner(account_id, owner);
        }
        directory
    }

    /// Adds or replaces a code as stored (a tombstone marks its slug gone).
    pub fn put(&self, code: &DynamicCode) {
        let route = Route {
            code_id: code.id,
            account_id: code.account_id,
            target: Arc::from(code.target.as_str()),
            paused: code.paused,
            deleted: code.is_deleted(),
        };
        write(&self.routes).insert(code.slug.to_ascii_lowercase().into(), route);
    }

    pub fn set_owner(&self, account_id: u64, owner: Owner) {
        let slot = OwnerSlot {
            owner,
            touched: AtomicBool::new(false),
        };
        write(&self.owners).insert(account_id, slot);
    }

    pub fn owner(&self, account_id: u64) -> Option<Owner> {
        read(&self.owners).get(&account_id).map(|s| s.owner)
    }

    /// Where the code with this (folded) slug leads now.
    pub fn resolve(&self, folded: &str, now: i64, grace_secs: i64) -> Decision {
        let route = match read(&self.routes).get(folded) {
            Some(route) => route.clone(),
            None => return Decision::Unknown,
        };
        if route.deleted {
            return Decision::Gone;
        }
        let owners = read(&self.owners);
        let Some(slot) = owners.get(&route.account_id) else {
            return Decision::Gone;
        };
        slot.touched.store(true, Ordering::Relaxed);
        decide(&route, &slot.owner, now, grace_secs)
    }

    /// The owners scanned since the last call, with the generation of their entries.
    pub fn take_touched(&self) -> Vec<(u64, u64)> {
        read(&self.owners)
            .iter()
            .filter(|(_, slot)| slot.touched.swap(false, Ordering::Relaxed))
            .map(|(&id, slot)| (id, slot.owner.generation))
            .collect()
    }

    pub fn len(&self) -> usize {
        read(&self.routes).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn decide(route: &Route, owner: &Owner, now: i64, grace_secs: i64) -> Decision {
    if !owner.exists {
        return Decision::Gone;
    }
    if owner.disabled || route.paused {
        return Decision::Paused;
    }
    if now >= owner.period_end.saturating_add(grace_secs) {
        return Decision::Lapsed {
            account_id: route.account_id,
            generation: owner.generation,
        };
    }
    Decision::Redirect {
        code_id: route.code_id,
        target: route.target.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(slug: &str, target: &str) -> DynamicCode {
        DynamicCode {
            id: 9,
            account_id: 4,
            seq: 1,
            slug: slug.into(),
            target: target.into(),
            name: String::new(),
            paused: false,
            design: Default::default(),
            created_at: 0,
            updated_at: 0,
            deleted_at: None,
        }
    }

    fn owner(period_end: i64) -> Owner {
        Owner {
            exists: true,
            disabled: false,
            period_end,
            generation: 3,
        }
    }

    #[test]
    fn a_live_code_redirects_by_its_slug_in_any_case_and_an_edit_takes_effect() {
        let directory =
            Directory::load(&[code("Menu01", "https://a.example/")], &[(4, owner(100))]);
        let to = |d: Decision| match d {
            Decision::Redirect { target, .. } => target.to_string(),
            other => format!("{other:?}"),
        };
        assert_eq!(to(directory.resolve("menu01", 50, 0)), "https://a.example/");
        directory.put(&code("Menu01", "https://b.example/"));
        assert_eq!(to(directory.resolve("menu01", 50, 0)), "https://b.example/");
        assert_eq!(directory.resolve("other1", 50, 0), Decision::Unknown);
    }

    #[test]
    fn paused_deleted_and_orphaned_codes_do_not_redirect() {
        let directory =
            Directory::load(&[code("menu01", "https://a.example/")], &[(4, owner(100))]);
        let mut paused = code("menu01", "https://a.example/");
        paused.paused = true;
        directory.put(&paused);
        assert_eq!(directory.resolve("menu01", 50, 0), Decision::Paused);
        let mut deleted = paused.clone();
        deleted.deleted_at = Some(60);
        directory.put(&deleted);
        assert_eq!(directory.resolve("menu01", 50, 0), Decision::Gone);
        directory.put(&code("menu02", "https://a.example/"));
        directory.set_owner(4, Owner::of(None, 5));
        assert_eq!(directory.resolve("menu02", 50, 0), Decision::Gone);
    }

    #[test]
    fn a_lapsed_plan_keeps_redirecting_through_the_grace_period_only() {
        let directory =
            Directory::load(&[code("menu01", "https://a.example/")], &[(4, owner(100))]);
        assert!(matches!(
            directory.resolve("menu01", 100 + 29, 30),
            Decision::Redirect { .. }
        ));
        assert_eq!(
            directory.resolve("menu01", 100 + 30, 30),
            Decision::Lapsed {
                account_id: 4,
                generation: 3
            }
        );
        let mut disabled = owner(1000);
        disabled.disabled = true;
        directory.set_owner(4, disabled);
        assert_eq!(directory.resolve("menu01", 50, 30), Decision::Paused);
    }

    #[test]
    fn scanned_owners_are_reported_once() {
        let directory =
            Directory::load(&[code("menu01", "https://a.example/")], &[(4, owner(100))]);
        assert!(directory.take_touched().is_empty());
        directory.resolve("menu01", 50, 0);
        directory.resolve("menu01", 50, 0);
        assert_eq!(directory.take_touched(), vec![(4, 3)]);
        assert!(directory.take_touched().is_empty());
    }
}
