//! The totals at the top of `/admin`: accounts and generations per plan, and the ten
//! busiest accounts this period. They take one pass over every account, so they are not
//! counted per page view: the first view counts them (waiting for at most
//! `FIRST_COUNT_WAIT`), later views show the last count and, once it is older than
//! `MAX_AGE`, have it counted again in the background.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::web::Data;

use crate::config::Config;
use crate::domain::{Account, AccountStatus, Email};
use crate::error::AppError;
use crate::gate::standing::Standing;
use crate::state::{AppState, blocking};

/// How old the totals may be before a view has them counted again.
pub const MAX_AGE: Duration = Duration::from_secs(60);
/// How long the first view waits for the first count.
const FIRST_COUNT_WAIT: Duration = Duration::from_secs(5);
/// How many of the busiest accounts are shown.
pub const BUSIEST: usize = 10;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanTotals {
    pub plan: String,
    pub accounts: u64,
    pub active: u64,
    pub expired: u64,
    pub over_quota: u64,
    pub disabled: u64,
    /// Generations this period, summed over the plan's accounts.
    pub generations: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusyAccount {
    /// As shown (`Email::shown`).
    pub email: String,
    pub plan: String,
    pub used: u64,
    /// 0 means unlimited.
    pub quota: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Unix seconds when the count was made.
    pub counted_at: i64,
    pub accounts: u64,
    /// Configured plans first, in the configuration's order, then any other plan an
    /// account is still on.
    pub plans: Vec<PlanTotals>,
    /// Most generations first; accounts without generations are not listed.
    pub busiest: Vec<BusyAccount>,
}

impl Summary {
    /// Folds every `(account, used)` into the totals.
    pub fn count(
        accounts: impl IntoIterator<Item = (Account, u64)>,
        config: &Config,
        now: i64,
    ) -> Self {
        let mut counter = Counter::new(config, now);
        for (account, used) in accounts {
            counter.add(account, used);
        }
        counter.finish()
    }
}

/// A summary being counted, one account at a time (so no list of every account is held).
struct Counter<'c> {
    config: &'c Config,
    now: i64,
    accounts: u64,
    plans: BTreeMap<String, PlanTotals>,
    /// At most `BUSIEST`, most used first.
    busiest: Vec<(u64, Account)>,
}

impl<'c> Counter<'c> {
    fn new(config: &'c Config, now: i64) -> Self {
        Self {
            config,
            now,
            accounts: 0,
            plans: BTreeMap::new(),
            busiest: Vec::with_capacity(BUSIEST + 1),
        }
    }

    fn add(&mut self, account: Account, used: u64) {
        self.accounts += 1;
        let standing = Standing::of(&account, self.config, used, self.now);
        let totals = self.plans.entry(standing.plan).or_default();
        totals.accounts += 1;
        totals.generations += used;
        match standing.status {
            AccountStatus::Active => totals.active += 1,
            AccountStatus::Expired => totals.expired += 1,
            AccountStatus::OverQuota => totals.over_quota += 1,
            AccountStatus::Disabled => totals.disabled += 1,
        }
        // Ten places, kept sorted: each account costs at most ten comparisons.
        let beats = |(u, a): &(u64, Account)| used > *u || (used == *u && account.email < a.email);
        let busiest = &mut self.busiest;
        if used > 0 && (busiest.len() < BUSIEST || busiest.last().is_some_and(beats)) {
            let place = busiest.iter().position(beats).unwrap_or(busiest.len());
            busiest.insert(place, (used, account));
            busiest.truncate(BUSIEST);
        }
    }

    fn finish(mut self) -> Summary {
        let mut plans: Vec<PlanTotals> = Vec::new();
        for name in self.config.plans.keys() {
            let totals = self.plans.remove(name).unwrap_or_default();
            plans.push(PlanTotals {
                plan: name.clone(),
                ..totals
            });
        }
        plans.extend(
            self.plans
                .into_iter()
                .map(|(plan, totals)| PlanTotals { plan, ..totals }),
        );
        let config = self.config;
        Summary {
            counted_at: self.now,
            accounts: self.accounts,
            plans,
            busiest: self
                .busiest
                .into_iter()
                .map(|(used, account)| BusyAccount {
                    email: Email::shown(&account.email),
                    quota: config.plan(&account.period.plan).map_or(0, |p| p.quota),
                    plan: account.period.plan,
                    used,
                })
                .collect(),
        }
    }
}

/// The last summary and when it was made; one count at a time.
#[derive(Default)]
pub struct SummaryCache {
    latest: Mutex<Option<(Instant, Arc<Summary>)>>,
    counting: Arc<tokio::sync::Mutex<()>>,
}

impl SummaryCache {
    fn latest(&self) -> Option<(Instant, Arc<Summary>)> {
        self.latest
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn keep(&self, summary: Summary) -> Arc<Summary> {
        let summary = Arc::new(summary);
        *self.latest.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((Instant::now(), summary.clone()));
        summary
    }

    /// Marks the totals out of date (a plan was granted, an account disabled): the next
    /// view has them counted again.
    pub fn outdate(&self) {
        if let Some((made, _)) = self
            .latest
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_mut()
        {
            *made = Instant::now().checked_sub(MAX_AGE).unwrap_or(*made);
        }
    }

    /// The totals to show: the last count, recounted in the background when old; the
    /// first time, a count made now (`None` if it takes longer than the first wait).
    pub async fn get(state: &Data<AppState>) -> Result<Option<Arc<Summary>>, AppError> {
        let cache = &state.admin_summary;
        if let Some((made, summary)) = cache.latest() {
            if made.elapsed() >= MAX_AGE
                && let Ok(turn) = cache.counting.clone().try_lock_owned()
            {
                let state = state.clone();
                actix_web::rt::spawn(async move {
                    if let Err(e) = recount(&state).await {
                        e.log();
                    }
                    drop(turn);
                });
            }
            return Ok(Some(summary));
        }
        let Ok(_turn) = tokio::time::timeout(FIRST_COUNT_WAIT, cache.counting.lock()).await else {
            return Ok(None);
        };
        if let Some((_, summary)) = cache.latest() {
            return Ok(Some(summary)); // counted while this view waited its turn
        }
        recount(state).await.map(Some)
    }
}

/// Counts every account now, off the executor, and keeps the result.
async fn recount(state: &Data<AppState>) -> Result<Arc<Summary>, AppError> {
    let (store, meter, config) = (
        state.store.clone(),
        state.meter.clone(),
        state.config.clone(),
    );
    let now = state.clock.now();
    let summary = blocking(move || {
        let mut counter = Counter::new(&config, now);
        store.for_each_account_with_usage(|account, stored| {
            // The meter holds what is not flushed yet.
            let used = meter
                .peek(account.id, account.period.start)
                .unwrap_or(stored);
            counter.add(account, used);
        })?;
        Ok(counter.finish())
    })
    .await?;
    Ok(state.admin_summary.keep(summary))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{PlanPeriod, Role};

    fn account(id: u64, plan: &str, disabled: bool) -> Account {
        Account {
            id,
            email: format!("user{id:02}@example.org"),
            password_hash: String::new(),
            created_at: 0,
            role: Role::User,
            disabled,
            period: PlanPeriod {
                plan: plan.into(),
                start: 0,
                end: 100,
            },
            key: None,
            restrictions: Default::default(),
            key_generation: 0,
        }
    }

    #[test]
    fn totals_count_accounts_statuses_and_generations_per_plan() {
        let config = Config::defaults();
        let accounts = vec![
            (account(1, "trial", false), 5),
            (account(2, "trial", false), 20),
            (account(3, "trial", true), 1),
            (account(4, "pro", false), 7),
            (account(5, "retired", false), 2),
        ];
        let summary = Summary::count(accounts, &config, 50);
        assert_eq!(summary.accounts, 5);
        let plan = |name: &str| {
            summary
                .plans
                .iter()
                .find(|p| p.plan == name)
                .unwrap()
                .clone()
        };
        let trial = plan("trial");
        assert_eq!(
            (
                trial.accounts,
                trial.active,
                trial.over_quota,
                trial.disabled,
                trial.generations
            ),
            (3, 1, 1, 1, 26)
        );
        assert_eq!((plan("pro").accounts, plan("pro").generations), (1, 7));
        assert_eq!(plan("basic").accounts, 0, "every configured plan is listed");
        assert_eq!(plan("retired").expired, 1, "an unconfigured plan has ended");
        assert_eq!(summary.plans.last().unwrap().plan, "retired");
    }

    #[test]
    fn the_busiest_ten_are_the_most_used_with_ties_by_email() {
        let config = Config::defaults();
        let accounts: Vec<(Account, u64)> = (1..=30)
            .map(|id| (account(id, "pro", false), (id % 12) * 10))
            .collect();
        let summary = Summary::count(accounts, &config, 50);
        let busiest: Vec<(String, u64)> = summary
            .busiest
            .iter()
            .map(|b| (b.email.clone(), b.used))
            .collect();
        assert_eq!(busiest.len(), BUSIEST);
        assert_eq!(busiest[0], ("user11@example.org".into(), 110));
        assert_eq!(busiest[1], ("user23@example.org".into(), 110));
        assert_eq!(busiest[2], ("user10@example.org".into(), 100));
        assert!(busiest.windows(2).all(|w| w[0].1 >= w[1].1));
        assert_eq!(summary.busiest[0].quota, 100_000);
    }

    #[test]
    fn accounts_without_generations_are_not_busy() {
        let summary = Summary::count(
            vec![(account(1, "trial", false), 0)],
            &Config::defaults(),
            50,
        );
        assert!(summary.busiest.is_empty());
    }
}
