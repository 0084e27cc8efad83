//! Accounts by API-key hash (or, for signed URLs, by account id), remembered between
//! requests so that a key check costs a map lookup instead of a database read. Every entry carries the store's write generation
//! when it was read; any commit (a renewal, a grant, a disable…) moves the generation on,
//! so a stale entry is never used: a renewed-away key fails on the very next request.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use crate::domain::Account;

/// Entries kept at most; beyond it the map starts afresh (a spray of keys cannot grow it).
const MAX_ENTRIES: usize = 10_000;

/// Accounts are shared, not copied, with the requests that use them (an account clone is
/// a handful of allocations).
pub struct KeyCache<K = [u8; 32]> {
    entries: Mutex<HashMap<K, (Arc<Account>, u64)>>,
}

impl<K> Default for KeyCache<K> {
    fn default() -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Hash + Eq> KeyCache<K> {
    /// The account for this key hash, if it was read at `generation`.
    pub fn get(&self, hash: &K, generation: u64) -> Option<Arc<Account>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(hash)
            .filter(|(_, seen)| *seen == generation)
            .map(|(account, _)| Arc::clone(account))
    }

    /// Remembers an account read when the store was at `generation`.
    pub fn insert(&self, hash: K, account: Arc<Account>, generation: u64) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(hash, (account, generation));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{PlanPeriod, Role};

    fn account() -> Account {
        Account {
            id: 1,
            email: "a@x.org".into(),
            password_hash: String::new(),
            created_at: 0,
            role: Role::User,
            disabled: false,
            period: PlanPeriod {
                plan: "trial".into(),
                start: 0,
                end: 1,
            },
            key: None,
            restrictions: Default::default(),
            key_generation: 0,
        }
    }

    #[test]
    fn an_entry_is_used_only_at_the_generation_it_was_read() {
        let cache: KeyCache = KeyCache::default();
        cache.insert([1; 32], Arc::new(account()), 7);
        assert!(cache.get(&[1; 32], 7).is_some());
        assert!(
            cache.get(&[1; 32], 8).is_none(),
            "any later commit makes it stale"
        );
        assert!(cache.get(&[2; 32], 7).is_none());
    }

    #[test]
    fn the_map_stays_bounded() {
        let cache: KeyCache = KeyCache::default();
        for i in 0..(MAX_ENTRIES as u32 + 10) {
            let mut hash = [0u8; 32];
            hash[..4].copy_from_slice(&i.to_le_bytes());
            cache.insert(hash, Arc::new(account()), 0);
        }
        assert!(cache.entries.lock().unwrap().len() <= MAX_ENTRIES);
    }
}
