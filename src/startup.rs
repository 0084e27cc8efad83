//! Builds the application from a configuration: opens the store, binds the listener and
//! wires routes. Tests bind port 0 and a temporary data dir and read the chosen port back.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::{DefaultHeaders, from_fn};
use actix_web::{App, HttpServer, web};

use crate::auth::PasswordHasher;
use crate::batches::files::BatchFiles;
use crate::batches::queue::Batches;
use crate::batches::upkeep;
use crate::batches::worker::{Context, Workers};
use crate::client_ip::IpRange;
use crate::clock::Clock;
use crate::config::Config;
use crate::conn::ConnectionGuard;
use crate::gate::limits::Limiters;
use crate::gate::metering::UsageMeter;
use crate::periodic::Periodic;
use crate::preview_budget::PreviewBudget;
use crate::render_cache::RenderCache;
use crate::state::AppState;
use crate::state::PIXELS_PER_PERMIT;
use crate::store::{Store, StoreError};
use crate::{api, telemetry};
use tokio::sync::Semaphore;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("the argon2 settings in [accounts] are not usable: {0}")]
    Hashing(#[from] argon2::Error),
    #[error("cannot start the HTTP server: {0}")]
    Server(#[from] std::io::Error),
    #[error("cannot use the batch folder under the data dir: {0}")]
    BatchFolder(std::io::Error),
}

pub struct Application {
    addr: SocketAddr,
    server: Server,
    jobs: Vec<Periodic>,
    batch_workers: Workers,
}

impl Application {
    pub fn build(config: Config, clock: Clock) -> Result<Self, StartupError> {
        let (store, secret) = Store::open(&config.storage.data_dir)?;
        let promoted = store.promote_admins(&config.admin_emails())?;
        if promoted > 0 {
            tracing::info!(
                promoted,
                "gave the admin role to accounts named in admin.emails"
            );
        }
        store.purge_expired_sessions(clock.now())?;
        let batch_files =
            BatchFiles::open(&config.storage.data_dir).map_err(StartupError::BatchFolder)?;
        let batch_config = &config.batches;
        let batches = Batches::new(batch_config.max_active_per_account, batch_config.max_queued);
        upkeep::recover(
            &store,
            &batch_files,
            &batches,
            clock.now(),
            batch_config.keep_hours,
        )?;
        let hasher = PasswordHasher::new(&config.accounts)?;
        let listener =
            TcpListener::bind(&config.server.bind).map_err(|source| StartupError::Bind {
                addr: config.server.bind.clone(),
                source,
            })?;
        let addr = listener.local_addr()?;
        let server_config = config.server.clone();
        let meter = UsageMeter::new(clock.clone());
        let trusted_proxies = config
            .server
            .trusted_proxies
            .iter()
            .filter_map(|p| IpRange::parse(p))
            .collect();
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let render_permits = config
            .render
            .max_pixels_in_flight
            .div_ceil(PIXELS_PER_PERMIT) as usize;
        let previews = PreviewBudget::new(
            config.render.preview_pixels_in_flight,
            config.render.preview_ms_per_second,
        );
        let links = crate::links::Links {
            directory: store.link_directory()?,
            tally: Default::default(),
            agents: Default::default(),
        };
        let state = web::Data::new(AppState {
            limiters: Limiters::new(&config),
            render_cache: RenderCache::new(config.render.cache_bytes as usize),
            config: Arc::new(config),
            store,
            secret,
            clock,
            hasher,
            meter,
            metrics: Default::default(),
            key_cache: Default::default(),
            account_cache: Default::default(),
            admin_summary: Default::default(),
            links,
            trusted_proxies,
            hashing: Semaphore::new(cores),
            rendering: Arc::new(Semaphore::new(render_permits)),
            previews,
            health: Default::default(),
            parsed_requests: Default::default(),
            batches,
            batch_files,
        });
        let jobs = start_jobs(&state)?;
        let batch_workers = Workers::start(
            &state.batches,
            Context {
                store: state.store.clone(),
                meter: state.meter.clone(),
                clock: state.clock.clone(),
                config: state.config.clone(),
                budget: state.rendering.clone(),
                pixels_per_permit: PIXELS_PER_PERMIT,
                files: state.batch_files.clone(),
            },
        )?;
        let secure = server_config.secure_cookies;
        let connections = ConnectionGuard::new(&server_config);
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .wrap(security_headers(secure))
                .wrap(from_fn(crate::bounds::request_head))
                // Outside everything that may answer without reading the body.
                .wrap(from_fn(crate::conn::guard))
                .wrap(from_fn(telemetry::access_log))
                .configure(api::routes)
                .configure(crate::docs::routes)
                .configure(crate::web::routes)
                .default_service(web::to(crate::web::not_found))
        })
        .client_request_timeout(Duration::from_secs(
            server_config.client_request_timeout_secs,
        ))
        .client_disconnect_timeout(Duration::from_secs(2))
        .on_connect(move |io, data| connections.on_connect(io, data))
        .keep_alive(Duration::from_secs(server_config.keep_alive_secs))
        .max_connections(server_config.max_connections_per_worker)
        .worker_max_blocking_threads(server_config.blocking_threads_per_worker)
        .shutdown_timeout(server_config.shutdown_timeout_secs);
        if server_config.workers > 0 {
            server = server.workers(server_config.workers);
        }
        let server = server.listen(listener)?.run();
        Ok(Self {
            addr,
            server,
            jobs,
            batch_workers,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until SIGTERM/SIGINT, finishing in-flight requests, then stops the batch
    /// workers (after their current row) and writes the last usage counts.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        let workers = self.batch_workers;
        let _ = actix_web::rt::task::spawn_blocking(move || workers.stop()).await;
        for job in self.jobs {
            job.stop();
        }
        served
    }
}

/// The usage flush (every `usage.flush_interval_ms`, with the scan counts and the upkeep
/// of dynamic codes) and the limiter clean-up (every minute), each on its own thread.
fn start_jobs(state: &web::Data<AppState>) -> std::io::Result<Vec<Periodic>> {
    let (meter, store, flushed) = (state.meter.clone(), state.store.clone(), state.clone());
    let flush_every = Duration::from_millis(state.config.usage.flush_interval_ms);
    let mut pruned_day = None;
    let flush = Periodic::start("usage-flush", flush_every, move || {
        let now = flushed.clock.now();
        match meter.flush_with(&store, Some(&flushed.links.tally)) {
            Ok(_) => flushed.metrics.flushed(now),
            // The counts stay in memory and are written at the next interval.
            Err(e) => tracing::error!(error = %e, "usage counts could not be written"),
        }
        crate::web::redirect::upkeep(&flushed, &mut pruned_day);
    })?;
    let limits = state.clone();
    let clean = Periodic::start("limiter-clean", Duration::from_secs(60), move || {
        limits.limiters.retain_recent(limits.clock.now())
    })?;
    let kept = state.clone();
    let sweep = Periodic::start("batch-sweep", Duration::from_secs(60), move || {
        let keep_hours = kept.config.batches.keep_hours;
        let now = kept.clock.now();
        if let Err(e) = upkeep::sweep(
            &kept.store,
            &kept.batch_files,
            &kept.batches,
            now,
            keep_hours,
        ) {
            tracing::error!(error = %e, "expired batches could not be removed");
        }
    })?;
    Ok(vec![flush, clean, sweep])
}

/// Headers every response carries. Pages load scripts and styles from this origin only
/// and cannot be framed.
fn security_headers(secure: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add(("x-content-type-options", "nosniff"))
        .add(("referrer-policy", "same-origin"))
        .add(("x-frame-options", "DENY"))
        .add((
            "content-security-policy",
            "default-src 'self'; img-src 'self' data: blob:; script-src 'self'; style-src 'self'; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ));
    if secure {
        headers.add((
            "strict-transport-security",
            "max-age=31536000; includeSubDomains",
        ))
    } else {
        headers
    }
}
