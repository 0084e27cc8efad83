//! The worker threads (`batches.workers`): each takes a batch from the queue and draws its
//! rows in order into the ZIP. They run at a lower scheduling priority
//! (`batches.worker_nice`) so that interactive requests get the CPU first, and every
//! image takes its pixels from the render budget API renders share. Each drawn row counts
//! one against the quota through the usage meter (so the flush and crash rules of every
//! count hold); a row that fails counts nothing.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, SemaphorePermit};

use super::files::BatchFiles;
use super::finish::Finish;
use super::items::{Entry, Item};
use super::queue::{Batches, Job, Progress};
use super::zip_out::ZipOut;
use crate::clock::Clock;
use crate::config::Config;
use crate::domain::AccountStatus;
use crate::gate::metering::UsageMeter;
use crate::gate::standing::Standing;
use crate::qr::design::Format;
use crate::qr::render::LogoImage;
use crate::qr::{Deadline, QrError, generate};
use crate::store::{BatchStatus, Store, StoreError};

/// How often a running batch's counts are written to its record.
const SAVE_EVERY: Duration = Duration::from_secs(5);
/// How long a worker waits before asking the render budget again.
const BUDGET_RETRY: Duration = Duration::from_millis(5);

/// What the workers need from the application.
pub struct Context {
    pub store: Store,
    pub meter: UsageMeter,
    pub clock: Clock,
    pub config: Arc<Config>,
    /// The render budget, shared with API renders, and the pixels one permit stands for.
    pub budget: Arc<Semaphore>,
    pub pixels_per_permit: u64,
    pub files: BatchFiles,
}

pub struct Workers {
    batches: Batches,
    context: Arc<Context>,
    threads: Vec<JoinHandle<()>>,
}

impl Workers {
    pub fn start(batches: &Batches, context: Context) -> std::io::Result<Self> {
        let context = Arc::new(context);
        let threads = (0..context.config.batches.workers)
            .map(|n| {
                let (batches, context) = (batches.clone(), context.clone());
                std::thread::Builder::new()
                    .name(format!("batch-worker-{n}"))
                    .spawn(move || work(&batches, &context))
            })
            .collect::<std::io::Result<Vec<_>>>()?;
        Ok(Self {
            batches: batches.clone(),
            context,
            threads,
        })
    }

    /// Stops the workers after their current row; batches that were waiting or running
    /// are marked failed (a restart could not finish them: their rows are in memory).
    pub fn stop(self) {
        let waiting = self.batches.stop();
        for job in waiting {
            let context = &self.context;
            let mut end = Finish::new(&context.store, context.clock.now(), &job.progress);
            end.status(BatchStatus::Failed, Some(STOPPED.into()));
            end.save(
                &context.store,
                &context.files,
                context.clock.now(),
                &self.batches,
            );
        }
        for thread in self.threads {
            let _ = thread.join();
        }
    }
}

const STOPPED: &str = "the server stopped before this batch finished; submit it again";

fn work(batches: &Batches, context: &Context) {
    lower_priority(context.config.batches.worker_nice);
    while let Some(job) = batches.next_job() {
        let progress = job.progress.clone();
        let ran = std::panic::catch_unwind(AssertUnwindSafe(|| run(batches, context, job)));
        if ran.is_err() {
            tracing::error!(batch = %progress.id, "a batch worker panicked; the batch is marked failed");
            let mut end = Finish::new(&context.store, context.clock.now(), &progress);
            end.status(
                BatchStatus::Failed,
                Some("the batch stopped on an internal error (logged); submit it again".into()),
            );
            end.save(&context.store, &context.files, context.clock.now(), batches);
        }
    }
}

/// Linux gives each thread its own nice value; raising it needs no privilege.
#[cfg(target_os = "linux")]
fn lower_priority(nice: u32) {
    let nice = i32::try_from(nice).unwrap_or(19);
    let thread = rustix::thread::gettid();
    if let Err(e) = rustix::process::setpriority_process(Some(thread), nice) {
        tracing::warn!(error = %e, "a batch worker could not lower its priority");
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority(_nice: u32) {}

/// How a batch ended.
enum End {
    Done(u64),
    Cancelled,
    Failed(String),
}

fn run(batches: &Batches, context: &Context, job: Job) {
    let Job {
        progress,
        entries,
        logos,
    } = job;
    let mut end = Finish::new(&context.store, context.clock.now(), &progress);
    let outcome = build(batches, context, &progress, &entries, &logos, &mut end);
    match outcome {
        Ok(End::Done(bytes)) => {
            end.record.zip_bytes = bytes;
            end.status(BatchStatus::Done, None);
        }
        Ok(End::Cancelled) => end.status(BatchStatus::Cancelled, None),
        Ok(End::Failed(reason)) => end.status(BatchStatus::Failed, Some(reason)),
        Err(e) => {
            tracing::error!(batch = %progress.id, error = %e, "a batch could not be built");
            end.status(
                BatchStatus::Failed,
                Some("the batch's file could not be written (logged); submit it again".into()),
            );
        }
    }
    end.save(&context.store, &context.files, context.clock.now(), batches);
}

#[derive(Debug, thiserror::Error)]
enum BuildError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

fn build(
    batches: &Batches,
    context: &Context,
    progress: &Progress,
    entries: &[Entry],
    logos: &HashMap<String, LogoImage>,
    end: &mut Finish,
) -> Result<End, BuildError> {
    let (account_id, id) = (progress.account_id, progress.id.as_str());
    if progress.is_cancelled() {
        return Ok(End::Cancelled);
    }
    let Some(account) = context.store.account(account_id)? else {
        return Ok(End::Failed("the account no longer exists".into()));
    };
    end.record.status = BatchStatus::Running;
    end.record.started_at = Some(context.clock.now());
    if !context.store.update_batch(account_id, &end.record)? {
        return Ok(End::Cancelled); // removed before it started
    }
    progress.started();
    let stored = context.store.usage(account_id, &account.period)?;
    let used = context.meter.used(account_id, account.period.start, stored);
    let standing = Standing::of(&account, &context.config, used, context.clock.now());
    match standing.status {
        AccountStatus::Expired => {
            return Ok(End::Failed("the account's plan period has ended".into()));
        }
        AccountStatus::Disabled => return Ok(End::Failed("the account is disabled".into())),
        AccountStatus::Active | AccountStatus::OverQuota => {}
    }
    let others: u64 = context
        .store
        .batches(account_id)?
        .iter()
        .filter(|b| b.status == BatchStatus::Done && b.id != id)
        .map(|b| b.zip_bytes)
        .sum();
    let room = context
        .config
        .batches
        .max_stored_bytes
        .saturating_sub(others);
    let files = &context.files;
    let mut zip = ZipOut::create(
        files.partial(account_id, id),
        files.result(account_id, id),
        end.record.created_at,
    )?;
    let mut saved = Instant::now();
    let draw = Draw {
        context,
        batches,
        progress,
        logos,
        standing: &standing,
    };
    for entry in entries {
        if progress.is_cancelled() {
            return Ok(End::Cancelled);
        }
        if batches.is_stopping() {
            return Ok(End::Failed(STOPPED.into()));
        }
        let item = match entry {
            Entry::Failed(failure) => {
                end.row(failure.row, &failure.filename, Some(&failure.error));
                continue;
            }
            Entry::Ready(item) => item,
        };
        match draw.image(item) {
            Ok(Some(bytes)) => {
                zip.add(&item.filename, item.design.format, &bytes)?;
                progress.drew_one();
                end.row(item.row, &item.filename, None);
            }
            Ok(None) => continue, // cancelled or stopping while waiting: checked above
            Err(error) => {
                progress.failed_one();
                end.row(item.row, &item.filename, Some(&error));
            }
        }
        if zip.size() > room {
            return Ok(End::Failed(format!(
                "the account's batch files would pass {} bytes (batches.max_stored_bytes); delete older batches and submit this one again",
                context.config.batches.max_stored_bytes
            )));
        }
        if saved.elapsed() >= SAVE_EVERY {
            end.counts(progress);
            if !context.store.update_batch(account_id, &end.record)? {
                return Ok(End::Cancelled); // removed while running
            }
            saved = Instant::now();
        }
    }
    Ok(End::Done(zip.finish(&end.manifest)?))
}

/// Drawing one row within the render budget and the quota.
struct Draw<'a> {
    context: &'a Context,
    batches: &'a Batches,
    progress: &'a Progress,
    logos: &'a HashMap<String, LogoImage>,
    standing: &'a Standing,
}

impl Draw<'_> {
    /// The image's bytes; `Ok(None)` when the batch stopped while waiting for budget;
    /// `Err` with the row's error (nothing counted).
    fn image(&self, item: &Item) -> Result<Option<Vec<u8>>, String> {
        // Rows naming a logo the account lacks failed at admission; the rest are loaded.
        let logo = match &item.design.logo {
            Some(id) => Some(
                self.logos
                    .get(id)
                    .ok_or_else(|| format!("logo: `{id}` could not be loaded"))?,
            ),
            None => None,
        };
        let Some(_budget) = self.budget(item) else {
            return Ok(None);
        };
        let (account_id, start) = (self.progress.account_id, self.standing.period_start);
        let meter = &self.context.meter;
        if meter
            .try_count(account_id, start, self.standing.quota)
            .is_err()
        {
            return Err(
                "the account's quota was used up before this row was drawn (not counted)".into(),
            );
        }
        // The same wall-clock limit as an API render (`render.max_render_ms`).
        let limit = Duration::from_millis(self.context.config.render.max_render_ms);
        match generate(&item.payload, &item.design, logo, Deadline::after(limit)) {
            Ok(image) => Ok(Some(image.bytes)),
            Err(e) => {
                meter.refund(account_id, start);
                Err(render_error(e, item))
            }
        }
    }

    /// The row's share of the render budget: its pixels, as an API render of the same
    /// size takes (SVG text takes the least share).
    fn budget(&self, item: &Item) -> Option<SemaphorePermit<'_>> {
        let (render, unit) = (&self.context.config.render, self.context.pixels_per_permit);
        let all = render.max_pixels_in_flight.div_ceil(unit).max(1);
        let pixels = match item.design.format {
            Format::Png => u64::from(item.design.size).pow(2),
            Format::Svg => 0,
        };
        let permits = pixels.div_ceil(unit).clamp(1, all) as u32;
        loop {
            if let Ok(permit) = self.context.budget.try_acquire_many(permits) {
                return Some(permit);
            }
            if self.progress.is_cancelled() || self.batches.is_stopping() {
                return None;
            }
            std::thread::sleep(BUDGET_RETRY);
        }
    }
}

/// A render failure as a row error naming the parameter, as the API would.
fn render_error(error: QrError, item: &Item) -> String {
    match error {
        QrError::Capacity(e) => {
            let parameter = item.kind.params().first().map_or("data", |p| p.name);
            format!("{parameter}: {e}")
        }
        QrError::TooSmall(e) => format!("size: {e}"),
        // verify=true and the image did not decode: the design choice to change.
        QrError::Unscannable(e) => format!("{}: {e}", e.parameter),
        QrError::TimedOut(_) => {
            "the image took longer to draw than render.max_render_ms allows, so it was stopped (not counted)".into()
        }
        QrError::Raster(e) => {
            tracing::error!(error = %e, "rasterising a batch row failed");
            "the image could not be drawn (logged)".into()
        }
    }
}
