//! The batches this process is running or holding: admission (the account's remaining
//! quota must cover every row of the new batch plus the rows its other batches have not
//! drawn yet; a bounded number of batches per account and in all), the queue the workers
//! take from, and live progress, which status requests read without touching the store.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use super::items::Entry;
use crate::qr::render::LogoImage;
use crate::store::BatchStatus;

/// A batch admitted but not yet finished.
/// Rows each unfinished batch of an account still needed, by batch id, at one moment.
#[derive(Debug, Default)]
pub struct Reserved(HashMap<String, u64>);

#[derive(Debug)]
pub struct Progress {
    pub account_id: u64,
    pub id: String,
    pub total: u32,
    done: AtomicU32,
    failed: AtomicU32,
    running: AtomicBool,
    cancelled: AtomicBool,
}

/// Progress as read at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snapshot {
    pub status: BatchStatus,
    pub total: u32,
    pub done: u32,
    pub failed: u32,
}

impl Progress {
    fn new(account_id: u64, id: &str, total: u32, failed: u32) -> Self {
        Self {
            account_id,
            id: id.to_owned(),
            total,
            done: AtomicU32::new(0),
            failed: AtomicU32::new(failed),
            running: AtomicBool::new(false),
            cancelled: AtomicBool::new(false),
        }
    }

    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            // A cancelled batch stays `running` until its worker has stopped, so that the
            // counts of a `cancelled` batch are final.
            status: if self.running.load(Ordering::SeqCst) {
                BatchStatus::Running
            } else {
                BatchStatus::Queued
            },
            total: self.total,
            done: self.done.load(Ordering::SeqCst),
            failed: self.failed.load(Ordering::SeqCst),
        }
    }

    /// Rows not yet drawn or failed: what the batch may still count against the quota.
    fn outstanding(&self) -> u64 {
        let s = self.snapshot();
        u64::from(s.total.saturating_sub(s.done + s.failed))
    }

    pub fn started(&self) {
        self.running.store(true, Ordering::SeqCst);
    }

    pub fn drew_one(&self) {
        self.done.fetch_add(1, Ordering::SeqCst);
    }

    pub fn failed_one(&self) {
        self.failed.fetch_add(1, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }
}

/// A batch handed to the workers.
pub struct Job {
    pub progress: Arc<Progress>,
    pub entries: Vec<Entry>,
    /// The logos its rows name, loaded at admission.
    pub logos: HashMap<String, LogoImage>,
}

/// Why a batch is not admitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The quota left (after the account's unfinished batches) is less than the rows.
    Quota { needed: u64, remaining: u64 },
    /// The account has `limit` batches queued or running already.
    AccountBusy { limit: usize },
    /// The server holds `limit` batches already.
    Full { limit: usize },
}

/// What `cancel` did.
pub enum Cancel {
    /// The batch had not started; here it is, to be recorded as cancelled.
    Waiting(Job),
    /// A worker has it and stops at its next row.
    Stopping,
    /// This process does not hold such a batch (it has finished, or is not the account's).
    NotHeld,
}

#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    stopping: bool,
}

/// Shared by the handlers and the workers; cheap to clone.
#[derive(Clone)]
pub struct Batches {
    shared: Arc<Shared>,
}

struct Shared {
    max_active_per_account: usize,
    max_queued: usize,
    active: Mutex<HashMap<String, Arc<Progress>>>,
    queue: Mutex<Queue>,
    ready: Condvar,
}

/// A place taken by `admit`; `enqueue` hands the batch over, `abandon` gives it back.
pub struct Ticket(Arc<Progress>);

impl Batches {
    pub fn new(max_active_per_account: usize, max_queued: usize) -> Self {
        Self {
            shared: Arc::new(Shared {
                max_active_per_account,
                max_queued,
                active: Mutex::default(),
                queue: Mutex::default(),
                ready: Condvar::new(),
            }),
        }
    }

    fn active(&self) -> MutexGuard<'_, HashMap<String, Arc<Progress>>> {
        // Every update under this lock is one insert or remove: a panic cannot leave it
        // half-done, so a poisoned lock is still consistent.
        self.shared.active.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn queue(&self) -> MutexGuard<'_, Queue> {
        self.shared.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes a place for a batch of `total` rows (`failed` of them already failed) if
    /// `remaining` (the account's quota left; `None` when unlimited) covers it.
    pub fn admit(
        &self,
        account_id: u64,
        id: &str,
        total: u32,
        failed: u32,
        remaining: Option<u64>,
    ) -> Result<Ticket, Refusal> {
        self.admit_after(
            account_id,
            id,
            total,
            failed,
            remaining,
            &Reserved::default(),
        )
    }

    /// What the account's unfinished batches still need now. Taken before the remaining
    /// quota is read, it keeps rows drawn (and counted) in between from being counted as
    /// free twice: once missing from the quota read, once from the reservation.
    pub fn reserved(&self, account_id: u64) -> Reserved {
        Reserved(
            self.active()
                .values()
                .filter(|p| p.account_id == account_id)
                .map(|p| (p.id.clone(), p.outstanding()))
                .collect(),
        )
    }

    /// As `admit`, with each batch in `earlier` reserving what it needed then.
    pub fn admit_after(
        &self,
        account_id: u64,
        id: &str,
        total: u32,
        failed: u32,
        remaining: Option<u64>,
        earlier: &Reserved,
    ) -> Result<Ticket, Refusal> {
        let mut active = self.active();
        if active.len() >= self.shared.max_queued {
            return Err(Refusal::Full {
                limit: self.shared.max_queued,
            });
        }
        let own: Vec<&Arc<Progress>> = active
            .values()
            .filter(|p| p.account_id == account_id)
            .collect();
        if own.len() >= self.shared.max_active_per_account {
            return Err(Refusal::AccountBusy {
                limit: self.shared.max_active_per_account,
            });
        }
        if let Some(remaining) = remaining {
            let reserved: u64 = own
                .iter()
                .map(|p| {
                    earlier
                        .0
                        .get(&p.id)
                        .copied()
                        .unwrap_or_else(|| p.outstanding())
                })
                .sum();
            let left = remaining.saturating_sub(reserved);
            if left < u64::from(total) {
                return Err(Refusal::Quota {
                    needed: total.into(),
                    remaining: left,
                });
            }
        }
        let progress = Arc::new(Progress::new(account_id, id, total, failed));
        active.insert(id.to_owned(), progress.clone());
        Ok(Ticket(progress))
    }

    /// Gives back a place whose batch could not be recorded.
    pub fn abandon(&self, ticket: Ticket) {
        self.active().remove(&ticket.0.id);
    }

    /// Hands an admitted batch to the workers.
    pub fn enqueue(&self, ticket: Ticket, entries: Vec<Entry>, logos: HashMap<String, LogoImage>) {
        self.queue().jobs.push_back(Job {
            progress: ticket.0,
            entries,
            logos,
        });
        self.shared.ready.notify_one();
    }

    /// The next batch, waiting for one; `None` once stopping.
    pub fn next_job(&self) -> Option<Job> {
        let mut queue = self.queue();
        loop {
            if queue.stopping {
                return None;
            }
            if let Some(job) = queue.jobs.pop_front() {
                return Some(job);
            }
            queue = self
                .shared
                .ready
                .wait(queue)
                .unwrap_or_else(|e| e.into_inner());
        }
    }

    /// A batch this process holds, for status requests.
    pub fn progress(&self, account_id: u64, id: &str) -> Option<Snapshot> {
        self.active()
            .get(id)
            .filter(|p| p.account_id == account_id)
            .map(|p| p.snapshot())
    }

    /// The live progress of a batch this process holds.
    pub fn progress_of(&self, id: &str) -> Option<Arc<Progress>> {
        self.active().get(id).cloned()
    }

    /// Stops a batch this process holds: one still waiting leaves the queue (and is
    /// handed back, to be recorded as cancelled); a running one stops at its next row.
    pub fn cancel(&self, account_id: u64, id: &str) -> Cancel {
        let Some(progress) = self
            .active()
            .get(id)
            .filter(|p| p.account_id == account_id)
            .cloned()
        else {
            return Cancel::NotHeld;
        };
        progress.cancelled.store(true, Ordering::SeqCst);
        let mut queue = self.queue();
        match queue.jobs.iter().position(|job| job.progress.id == id) {
            Some(at) => queue
                .jobs
                .remove(at)
                .map_or(Cancel::Stopping, Cancel::Waiting),
            None => Cancel::Stopping,
        }
    }

    /// Whether a batch is queued or running here (its `.part` file is in use).
    pub fn holds(&self, id: &str) -> bool {
        self.active().contains_key(id)
    }

    /// A worker is done with a batch, whatever became of it.
    pub fn finished(&self, id: &str) {
        self.active().remove(id);
    }

    /// Stops handing out work; returns the batches still waiting, so they can be marked.
    pub fn stop(&self) -> Vec<Job> {
        let mut queue = self.queue();
        queue.stopping = true;
        self.shared.ready.notify_all();
        queue.jobs.drain(..).collect()
    }

    pub fn is_stopping(&self) -> bool {
        self.queue().stopping
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_drawn_while_the_quota_is_read_are_not_free_twice() {
        let batches = Batches::new(5, 10);
        let first = batches.admit(1, "bt_a", 8, 0, Some(10)).unwrap();
        let before = batches.reserved(1);
        // Three rows drawn and counted between the snapshot and the quota read: 10 - 3.
        (0..3).for_each(|_| first.0.drew_one());
        assert_eq!(
            batches.admit_after(1, "bt_b", 3, 0, Some(7), &before).err(),
            Some(Refusal::Quota {
                needed: 3,
                remaining: 0
            })
        );
        // Read without the snapshot, the same rows would look free.
        assert!(batches.admit(1, "bt_b", 2, 0, Some(7)).is_ok());
    }

    #[test]
    fn the_quota_must_cover_every_row_of_all_unfinished_batches() {
        let batches = Batches::new(5, 10);
        let first = batches.admit(1, "bt_a", 8, 0, Some(10)).unwrap();
        assert_eq!(
            batches.admit(1, "bt_b", 3, 0, Some(10)).err(),
            Some(Refusal::Quota {
                needed: 3,
                remaining: 2
            })
        );
        first.0.drew_one();
        first.0.failed_one();
        assert!(batches.admit(1, "bt_b", 2, 0, Some(10)).is_ok());
        assert!(batches.admit(2, "bt_c", 1000, 0, None).is_ok(), "unlimited");
        batches.finished("bt_a");
        assert!(batches.admit(1, "bt_d", 8, 0, Some(10)).is_ok());
    }

    #[test]
    fn places_are_bounded_per_account_and_in_all() {
        let batches = Batches::new(2, 3);
        batches.admit(1, "a", 1, 0, None).unwrap();
        batches.admit(1, "b", 1, 0, None).unwrap();
        assert_eq!(
            batches.admit(1, "c", 1, 0, None).err(),
            Some(Refusal::AccountBusy { limit: 2 })
        );
        let ticket = batches.admit(2, "d", 1, 0, None).unwrap();
        assert_eq!(
            batches.admit(3, "e", 1, 0, None).err(),
            Some(Refusal::Full { limit: 3 })
        );
        batches.abandon(ticket);
        assert!(batches.admit(3, "e", 1, 0, None).is_ok());
    }

    #[test]
    fn jobs_come_out_in_order_and_stop_wakes_the_workers() {
        let batches = Batches::new(5, 10);
        for id in ["a", "b"] {
            let ticket = batches.admit(1, id, 1, 0, None).unwrap();
            batches.enqueue(ticket, Vec::new(), HashMap::new());
        }
        assert_eq!(batches.next_job().unwrap().progress.id, "a");
        let waiter = {
            let batches = batches.clone();
            std::thread::spawn(move || {
                let _ = batches.next_job();
                batches.next_job().is_none()
            })
        };
        // "b" is taken at once; the second call waits until stop wakes it.
        while batches.queue().jobs.len() == 1 {
            std::thread::yield_now();
        }
        assert!(batches.stop().is_empty());
        assert!(waiter.join().unwrap());
    }

    #[test]
    fn a_waiting_batch_leaves_the_queue_when_cancelled() {
        let batches = Batches::new(5, 10);
        for id in ["a", "b"] {
            let ticket = batches.admit(1, id, 1, 0, None).unwrap();
            batches.enqueue(ticket, Vec::new(), HashMap::new());
        }
        let Cancel::Waiting(job) = batches.cancel(1, "a") else {
            panic!("a was waiting")
        };
        assert_eq!(job.progress.id, "a");
        assert_eq!(batches.next_job().unwrap().progress.id, "b");
    }

    #[test]
    fn progress_is_visible_only_to_its_account_and_can_be_cancelled() {
        let batches = Batches::new(5, 10);
        let ticket = batches.admit(1, "bt_a", 4, 1, None).unwrap();
        ticket.0.started();
        ticket.0.drew_one();
        assert_eq!(
            batches.progress(1, "bt_a"),
            Some(Snapshot {
                status: BatchStatus::Running,
                total: 4,
                done: 1,
                failed: 1
            })
        );
        assert_eq!(batches.progress(2, "bt_a"), None);
        assert!(matches!(batches.cancel(2, "bt_a"), Cancel::NotHeld));
        assert!(matches!(batches.cancel(1, "bt_a"), Cancel::Stopping));
        assert!(ticket.0.is_cancelled());
        assert_eq!(
            batches.progress(1, "bt_a").map(|s| s.status),
            Some(BatchStatus::Running),
            "running until its worker stops"
        );
    }
}
