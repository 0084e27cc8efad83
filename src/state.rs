//! What every handler shares: configuration, the store, the secret, the clock and the
//! password hasher. Built once per application, never global.

use std::sync::Arc;

use actix_web::web;

use crate::auth::PasswordHasher;
use crate::client_ip::{IpRange, client_ip};
use crate::clock::Clock;
use crate::config::Config;
use crate::error::AppError;
use crate::gate::limits::Limiters;
use crate::gate::metering::UsageMeter;
use crate::store::{ServerSecret, Store};
use std::net::IpAddr;
use std::time::Duration;
use tokio::sync::{Semaphore, SemaphorePermit};

pub struct AppState {
    pub config: Arc<Config>,
    pub store: Store,
    pub secret: ServerSecret,
    pub clock: Clock,
    pub hasher: PasswordHasher,
    pub meter: UsageMeter,
    pub metrics: crate::metrics::Metrics,
    pub render_cache: crate::render_cache::RenderCache,
    pub key_cache: crate::gate::key_cache::KeyCache,
    /// Accounts by id, for signed URLs (which name the account, not a key).
    pub account_cache: crate::gate::key_cache::KeyCache<u64>,
    /// The totals on `/admin`, counted at most once a minute.
    pub admin_summary: crate::web::AdminSummaryCache,
    /// Dynamic codes: the redirect's directory and the scan counts not yet written.
    pub links: crate::links::Links,
    pub limiters: Limiters,
    pub trusted_proxies: Vec<IpRange>,
    /// Password hashes in progress, at most one per core: argon2 takes 19 MiB each.
    pub hashing: Semaphore,
    /// Styled-image pixels in progress, in units of `PIXELS_PER_PERMIT` (batch workers
    /// take from it too).
    pub rendering: Arc<Semaphore>,
    /// What previews are drawn from: apart from `rendering`, so that previews never wait
    /// for, or take from, paying customers' budget.
    pub previews: crate::preview_budget::PreviewBudget,
    /// When the database last answered `/healthz`'s read.
    pub health: crate::api::health::LastRead,
    /// QR requests already validated, for images fetched again and again.
    pub parsed_requests: crate::api::parsed::ParsedRequests,
    /// Batches queued or running, and where their ZIPs are.
    pub batches: crate::batches::queue::Batches,
    pub batch_files: crate::batches::files::BatchFiles,
}

/// Granularity of the render budget.
pub const PIXELS_PER_PERMIT: u64 = 4096;

/// Permits for drawing `pixels` pixels: at least one, so even an SVG takes a place.
pub fn permits_for(pixels: u64) -> u32 {
    u32::try_from(pixels.div_ceil(PIXELS_PER_PERMIT).max(1)).unwrap_or(u32::MAX)
}

/// How long a login or sign-up waits for a free hashing slot before 503.
const HASH_WAIT: Duration = Duration::from_secs(5);

/// The server is at capacity for this kind of work; try again shortly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

/// Runs blocking work (redb, argon2) on actix's blocking pool and flattens its errors.
pub async fn blocking<T, F>(work: F) -> Result<T, AppError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, AppError> + Send + 'static,
{
    web::block(work).await?
}

impl AppState {
    pub fn client_ip(&self, req: &actix_web::HttpRequest) -> IpAddr {
        client_ip(req, &self.trusted_proxies)
    }

    /// A slot for one password hash or verification.
    pub async fn hashing_slot(&self) -> Result<SemaphorePermit<'_>, Busy> {
        match tokio::time::timeout(HASH_WAIT, self.hashing.acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(Busy),
        }
    }

    /// Budget for drawing `pixels` pixels through the rasteriser.
    pub async fn render_slot(&self, pixels: u64) -> Result<SemaphorePermit<'_>, Busy> {
        let wait = Duration::from_millis(self.config.render.render_wait_ms);
        match tokio::time::timeout(wait, self.rendering.acquire_many(permits_for(pixels))).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(Busy),
        }
    }

    /// The account's generations on each day of `range`, oldest first, counts not yet
    /// flushed included.
    pub async fn daily(
        &self,
        account_id: u64,
        range: crate::domain::days::DayRange,
    ) -> Result<Vec<crate::domain::days::DayCount>, AppError> {
        let (meter, store) = (self.meter.clone(), self.store.clone());
        let counts = blocking(move || Ok(meter.daily(&store, account_id, range)?)).await?;
        Ok(range.dated(counts))
    }

    /// The account's standing now. Usage comes from the meter, which holds counts not yet
    /// flushed; the store is read only the first time the meter sees this period.
    pub async fn standing(
        &self,
        account: &crate::domain::Account,
    ) -> Result<crate::gate::standing::Standing, AppError> {
        let (id, start) = (account.id, account.period.start);
        let used = match self.meter.peek(id, start) {
            Some(used) => used,
            None => {
                let (store, period) = (self.store.clone(), account.period.clone());
                let stored = blocking(move || Ok(store.usage(id, &period)?)).await?;
                self.meter.used(id, start, stored)
            }
        };
        Ok(crate::gate::standing::Standing::of(
            account,
            &self.config,
            used,
            self.clock.now(),
        ))
    }
}
