//! What every handler shares: configuration, the store, the secret, the clock and the
//! password hasher. Built once per application, never global.

use std::sync::Arc;

use actix_web::web;

use crate::auth::PasswordHasher;
use crate::clock::Clock;
use crate::config::Config;
use crate::error::AppError;
use crate::metering::UsageMeter;
use crate::store::{ServerSecret, Store};

pub struct AppState {
    pub config: Arc<Config>,
    pub store: Store,
    pub secret: ServerSecret,
    pub clock: Clock,
    pub hasher: PasswordHasher,
    pub meter: UsageMeter,
}

/// Runs blocking work (redb, argon2) on actix's blocking pool and flattens its errors.
pub async fn blocking<T, F>(work: F) -> Result<T, AppError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, AppError> + Send + 'static,
{
    web::block(work).await?
}

impl AppState {
    /// The account's standing now. Usage comes from the meter, which holds counts not yet
    /// flushed; the store is read only the first time the meter sees this period.
    pub async fn standing(
        &self,
        account: &crate::domain::Account,
    ) -> Result<crate::standing::Standing, AppError> {
        let (id, start) = (account.id, account.period.start);
        let used = match self.meter.peek(id, start) {
            Some(used) => used,
            None => {
                let (store, period) = (self.store.clone(), account.period.clone());
                let stored = blocking(move || Ok(store.usage(id, &period)?)).await?;
                self.meter.used(id, start, stored)
            }
        };
        Ok(crate::standing::Standing::of(
            account,
            &self.config,
            used,
            self.clock.now(),
        ))
    }
}
