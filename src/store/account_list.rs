//! Accounts a page at a time, for `/admin`: walked in the order of an index (the email
//! index, or account ids for newest and oldest first) from a cursor, so a page costs the
//! same at any number of accounts. An email prefix narrows the walk to its part of the
//! email index; other filters are the caller's, checked on each account the walk meets,
//! and a budget bounds how many it meets per page.

use std::ops::Bound;

use redb::{AccessGuard, ReadTransaction, ReadableDatabase, ReadableTable};

use super::tables::*;
use super::usage::used_in_period;
use super::{Store, StoreError, decode};
use crate::domain::Account;

/// The order of a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListOrder {
    EmailAscending,
    EmailDescending,
    NewestFirst,
    OldestFirst,
}

/// Where a listing goes on: after this email, or after this account id, in its order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListPosition {
    Email(String),
    Id(u64),
}

/// One page to list.
#[derive(Debug, Clone)]
pub struct ListRequest<'a> {
    pub order: ListOrder,
    /// Only emails that start with this (as stored: lower case); empty for all.
    pub email_prefix: &'a str,
    pub after: Option<ListPosition>,
    /// Accounts per page.
    pub limit: usize,
    /// Most accounts examined for one page; a page that filters out many ends early.
    pub budget: usize,
}

/// A page: the accounts kept, each with its stored usage in its period, and where the
/// next page starts (`None` once the walk reached the end).
#[derive(Debug)]
pub struct ListedPage {
    pub rows: Vec<(Account, u64)>,
    pub next: Option<ListPosition>,
    /// Accounts examined (at most the budget).
    pub examined: usize,
}

/// One step of a walk: an account id and the position it stands at.
type Step = Result<(u64, ListPosition), StoreError>;

impl Store {
    /// The accounts of one page in `request.order` for which `keep(account, used)` holds.
    pub fn list_accounts(
        &self,
        request: &ListRequest,
        mut keep: impl FnMut(&Account, u64) -> bool,
    ) -> Result<ListedPage, StoreError> {
        let txn = self.db.begin_read()?;
        let accounts = txn.open_table(ACCOUNT_ID_TO_ACCOUNT)?;
        let usage = txn.open_table(ACCOUNT_ID_TO_USAGE)?;
        let walk = walk(&txn, request)?;
        let mut page = ListedPage {
            rows: Vec::new(),
            next: None,
            examined: 0,
        };
        let mut last = None;
        for step in walk {
            let (id, position) = step?;
            if page.examined == request.budget || page.rows.len() == request.limit {
                // Stopped with more to walk: the next page starts after the last one seen.
                page.next = last;
                return Ok(page);
            }
            page.examined += 1;
            last = Some(position);
            let Some(record) = accounts.get(id)? else {
                continue;
            };
            let account: Account = decode("accounts", record.value())?;
            if !account.email.starts_with(request.email_prefix) {
                continue;
            }
            let used = used_in_period(&usage, id, &account.period)?;
            if keep(&account, used) {
                page.rows.push((account, used));
            }
        }
        Ok(page)
    }

    /// Visits every account with its stored usage in its period, in one read transaction
    /// and without holding them all in memory.
    pub fn for_each_account_with_usage(
        &self,
        mut visit: impl FnMut(Account, u64),
    ) -> Result<(), StoreError> {
        let txn = self.db.begin_read()?;
        let accounts = txn.open_table(ACCOUNT_ID_TO_ACCOUNT)?;
        let usage = txn.open_table(ACCOUNT_ID_TO_USAGE)?;
        for entry in accounts.iter()? {
            let (_, value) = entry?;
            let account: Account = decode("accounts", value.value())?;
            let used = used_in_period(&usage, account.id, &account.period)?;
            visit(account, used);
        }
        Ok(())
    }
}

/// The ids to examine, in order, from the right index and the right place in it.
fn walk(
    txn: &ReadTransaction,
    request: &ListRequest,
) -> Result<Box<dyn Iterator<Item = Step>>, StoreError> {
    let prefix = request.email_prefix;
    let (after_email, after_id) = match &request.after {
        Some(ListPosition::Email(email)) => (Some(email.as_str()), None),
        Some(ListPosition::Id(id)) => (None, Some(*id)),
        None => (None, None),
    };
    let end = prefix_end(prefix);
    match request.order {
        ListOrder::EmailAscending | ListOrder::EmailDescending => {
            let (start, end) = if request.order == ListOrder::EmailAscending {
                let start = match after_email {
                    Some(after) if after >= prefix => Bound::Excluded(after),
                    _ => Bound::Included(prefix),
                };
                (start, bound(&end))
            } else {
                let end = match after_email {
                    Some(after) if end.as_deref().is_none_or(|end| after < end) => {
                        Bound::Excluded(after)
                    }
                    _ => bound(&end),
                };
                (Bound::Included(prefix), end)
            };
            let range = txn
                .open_table(EMAIL_TO_ACCOUNT_ID)?
                .range::<&str>((start, end))?;
            let step = |entry: Result<
                (
                    AccessGuard<'static, &'static str>,
                    AccessGuard<'static, u64>,
                ),
                _,
            >|
             -> Step {
                let (email, id) = entry?;
                Ok((id.value(), ListPosition::Email(email.value().to_owned())))
            };
            Ok(if request.order == ListOrder::EmailAscending {
                Box::new(range.map(step))
            } else {
                Box::new(range.rev().map(step))
            })
        }
        ListOrder::OldestFirst | ListOrder::NewestFirst => {
            let table = txn.open_table(ACCOUNT_ID_TO_ACCOUNT)?;
            let range = match (request.order, after_id) {
                (ListOrder::OldestFirst, Some(after)) => table.range(after.saturating_add(1)..)?,
                (ListOrder::NewestFirst, Some(after)) => table.range(..after)?,
                _ => table.range::<u64>(..)?,
            };
            let step = |entry: Result<
                (
                    AccessGuard<'static, u64>,
                    AccessGuard<'static, &'static [u8]>,
                ),
                _,
            >|
             -> Step {
                let id = entry?.0.value();
                Ok((id, ListPosition::Id(id)))
            };
            Ok(if request.order == ListOrder::NewestFirst {
                Box::new(range.rev().map(step))
            } else {
                Box::new(range.map(step))
            })
        }
    }
}

fn bound(end: &Option<String>) -> Bound<&str> {
    match end {
        Some(end) => Bound::Excluded(end.as_str()),
        None => Bound::Unbounded,
    }
}

/// The smallest string above every string that starts with `prefix` (its last character
/// moved on by one), or `None` when there is none (an empty prefix).
fn prefix_end(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = (last as u32 + 1..=char::MAX as u32).find_map(char::from_u32);
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Email;
    use crate::store::NewAccount;

    /// A store with `n` accounts `u000@x.org`…, created in a shuffled order so that id
    /// order and email order differ.
    fn store_with(n: usize) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(dir.path()).unwrap();
        let batch = (0..n)
            .map(|i| (i * 7) % n)
            .map(|i| {
                let mut new = NewAccount::for_tests(&format!("u{i:03}@x.org"));
                if i % 3 == 0 {
                    new.period.plan = "pro".into();
                }
                new
            })
            .collect();
        assert!(
            store
                .create_accounts(batch)
                .unwrap()
                .iter()
                .all(Result::is_ok)
        );
        (dir, store)
    }

    fn request(order: ListOrder, prefix: &str) -> ListRequest<'_> {
        ListRequest {
            order,
            email_prefix: prefix,
            after: None,
            limit: 50,
            budget: 1_000,
        }
    }

    /// Every page of a listing, followed through its cursors.
    fn pages(
        store: &Store,
        mut request: ListRequest,
        keep: fn(&Account) -> bool,
    ) -> Vec<Vec<Account>> {
        let mut pages = Vec::new();
        loop {
            let page = store.list_accounts(&request, |a, _| keep(a)).unwrap();
            pages.push(page.rows.into_iter().map(|(a, _)| a).collect());
            match page.next {
                Some(next) => request.after = Some(next),
                None => return pages,
            }
        }
    }

    fn emails(pages: &[Vec<Account>]) -> Vec<String> {
        pages.iter().flatten().map(|a| a.email.clone()).collect()
    }

    #[test]
    fn pages_of_fifty_follow_the_email_index_in_both_directions() {
        let (_dir, store) = store_with(120);
        let up = pages(&store, request(ListOrder::EmailAscending, ""), |_| true);
        assert_eq!(
            up.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![50, 50, 20]
        );
        let expected: Vec<String> = (0..120).map(|i| format!("u{i:03}@x.org")).collect();
        assert_eq!(emails(&up), expected);
        let down = pages(&store, request(ListOrder::EmailDescending, ""), |_| true);
        let mut reversed = expected.clone();
        reversed.reverse();
        assert_eq!(emails(&down), reversed);
    }

    #[test]
    fn newest_and_oldest_follow_the_account_ids() {
        let (_dir, store) = store_with(120);
        let oldest = pages(&store, request(ListOrder::OldestFirst, ""), |_| true);
        let ids: Vec<u64> = oldest.iter().flatten().map(|a| a.id).collect();
        assert_eq!(ids, (1..=120).collect::<Vec<u64>>());
        let newest = pages(&store, request(ListOrder::NewestFirst, ""), |_| true);
        let ids: Vec<u64> = newest.iter().flatten().map(|a| a.id).collect();
        assert_eq!(ids, (1..=120).rev().collect::<Vec<u64>>());
    }

    #[test]
    fn a_prefix_walks_only_its_part_of_the_email_index() {
        let (_dir, store) = store_with(120);
        for order in [ListOrder::EmailAscending, ListOrder::EmailDescending] {
            let page = store
                .list_accounts(&request(order, "u10"), |_, _| true)
                .unwrap();
            assert_eq!(page.rows.len(), 10, "{order:?}");
            assert_eq!(
                page.examined, 10,
                "{order:?}: nothing outside the prefix is read"
            );
            assert_eq!(page.next, None);
        }
        let found = pages(&store, request(ListOrder::NewestFirst, "u10"), |_| true);
        assert_eq!(
            emails(&found).len(),
            10,
            "id orders filter by the prefix as they go"
        );
        let none = store
            .list_accounts(&request(ListOrder::EmailAscending, "v"), |_, _| true)
            .unwrap();
        assert!(none.rows.is_empty() && none.next.is_none());
    }

    #[test]
    fn filters_keep_pages_full_and_a_budget_bounds_the_work() {
        let (_dir, store) = store_with(120);
        let pro = pages(&store, request(ListOrder::EmailAscending, ""), |a| {
            a.period.plan == "pro"
        });
        assert_eq!(pro[0].len(), 40, "every pro account");
        let mut tight = request(ListOrder::EmailAscending, "");
        tight.budget = 30;
        let page = store
            .list_accounts(&tight, |a, _| a.period.plan == "pro")
            .unwrap();
        assert_eq!((page.rows.len(), page.examined), (10, 30));
        assert_eq!(page.next, Some(ListPosition::Email("u029@x.org".into())));
        let all = pages(&store, tight, |a| a.period.plan == "pro");
        assert_eq!(
            emails(&all).len(),
            40,
            "the cursor goes on where the budget stopped"
        );
    }

    #[test]
    fn a_cursor_between_prefixes_starts_at_the_right_place() {
        let (_dir, store) = store_with(120);
        let mut after = request(ListOrder::EmailAscending, "u1");
        after.after = Some(ListPosition::Email("u105@x.org".into()));
        let page = store.list_accounts(&after, |_, _| true).unwrap();
        assert_eq!(page.rows.first().unwrap().0.email, "u106@x.org");
        let mut before = request(ListOrder::EmailDescending, "u1");
        before.after = Some(ListPosition::Email("u105@x.org".into()));
        let page = store.list_accounts(&before, |_, _| true).unwrap();
        assert_eq!(page.rows.first().unwrap().0.email, "u104@x.org");
        before.after = Some(ListPosition::Email("zzz".into()));
        let page = store.list_accounts(&before, |_, _| true).unwrap();
        assert_eq!(
            page.rows.first().unwrap().0.email,
            "u119@x.org",
            "a cursor past the prefix"
        );
    }

    #[test]
    fn the_end_of_a_prefix_is_its_last_character_moved_on() {
        assert_eq!(prefix_end("ad").as_deref(), Some("ae"));
        assert_eq!(prefix_end("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(prefix_end("\u{D7FF}").as_deref(), Some("\u{E000}"));
        assert_eq!(prefix_end(""), None);
    }

    #[test]
    fn a_batch_refuses_each_taken_email_alone() {
        let (_dir, store) = store_with(2);
        let new = NewAccount::for_tests;
        let created = store
            .create_accounts(vec![new("u000@x.org"), new("new@x.org"), new("new@x.org")])
            .unwrap();
        assert!(created[0].is_err() && created[1].is_ok() && created[2].is_err());
        assert!(
            store
                .account_by_email(&Email::parse("new@x.org").unwrap())
                .unwrap()
                .is_some()
        );
    }
}
