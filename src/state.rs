//! What every handler shares: configuration, the store, the secret, the clock and the
//! password hasher. Built once per application, never global.

use std::sync::Arc;

use actix_web::web;

use crate::auth::PasswordHasher;
use crate::clock::Clock;
use crate::config::Config;
use crate::error::AppError;
use crate::store::{ServerSecret, Store};

pub struct AppState {
    pub config: Arc<Config>,
    pub store: Store,
    pub secret: ServerSecret,
    pub clock: Clock,
    pub hasher: PasswordHasher,
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
    /// The account's standing now, with its usage read from the store.
    pub async fn standing(
        &self,
        account: &crate::domain::Account,
    ) -> Result<crate::standing::Standing, AppError> {
        let store = self.store.clone();
        let (id, period) = (account.id, account.period.clone());
        let used = blocking(move || Ok(store.usage(id, &period)?)).await?;
        Ok(crate::standing::Standing::of(
            account,
            &self.config,
            used,
            self.clock.now(),
        ))
    }
}
