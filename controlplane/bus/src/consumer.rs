//! The loop every work-queue worker runs (the media worker, the notification worker): at
//! most `concurrency` deliveries in hand, each handled in a task of its own that settles it;
//! a stop that waits for the deliveries in hand; and [`keep_alive`], which restarts a
//! delivery's `ack_wait` clock while long work runs.
//!
//! What stays with each worker is what it does with a delivery and how it settles it.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

use crate::{Delivery, WorkQueue};

/// A running consumer loop.
pub struct Consumer {
    pull: JoinHandle<()>,
    slots: Arc<Semaphore>,
    concurrency: u32,
    name: &'static str,
}

impl Consumer {
    /// Pulls from `queue` while fewer than `concurrency` (at least 1) deliveries are in hand
    /// and runs `handle` on each in a task of its own; `handle` settles the delivery. A queue
    /// error ends the loop (logged with `name`); what was pulled is still handled.
    pub fn start<H, F>(
        name: &'static str,
        mut queue: Box<dyn WorkQueue>,
        concurrency: usize,
        handle: H,
    ) -> Consumer
    where
        H: Fn(Delivery) -> F + Send + Sync + 'static,
        F: Future<Output = ()> + Send + 'static,
    {
        let concurrency = u32::try_from(concurrency.max(1)).unwrap_or(u32::MAX);
        let slots = Arc::new(Semaphore::new(concurrency as usize));
        let loop_slots = Arc::clone(&slots);
        let pull = tokio::spawn(async move {
            loop {
                let Ok(slot) = Arc::clone(&loop_slots).acquire_owned().await else {
                    return;
                };
                match queue.next().await {
                    Ok(delivery) => {
                        let work = handle(delivery);
                        tokio::spawn(async move {
                            work.await;
                            drop(slot);
                        });
                    }
                    Err(e) => {
                        tracing::error!(worker = name, error = %e, "the work queue failed; worker stopped");
                        return;
                    }
                }
            }
        });
        Consumer {
            pull,
            slots,
            concurrency,
            name,
        }
    }

    /// Stops pulling, then waits up to `grace` for the deliveries in hand. Those still
    /// unsettled then are redelivered by the bus once their `ack_wait` expires. Returns
    /// whether every one finished in time.
    pub async fn stop(self, grace: Duration) -> bool {
        self.pull.abort();
        let _ = self.pull.await;
        let drained = tokio::time::timeout(grace, self.slots.acquire_many(self.concurrency))
            .await
            .is_ok();
        if !drained {
            tracing::warn!(
                worker = self.name,
                ?grace,
                "deliveries still in hand at shutdown"
            );
        }
        drained
    }
}

/// Runs `work`, restarting `delivery`'s `ack_wait` clock every third of it (at least every
/// 100 ms) meanwhile, so long work is not redelivered while it runs.
pub async fn keep_alive<F: Future>(delivery: &Delivery, ack_wait: Duration, work: F) -> F::Output {
    let period = (ack_wait / 3).max(Duration::from_millis(100));
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    let mut work = std::pin::pin!(work);
    loop {
        tokio::select! {
            out = &mut work => return out,
            _ = ticker.tick() => {
                if let Err(e) = delivery.in_progress().await {
                    tracing::warn!(error = %e, "cannot extend a delivery's ack_wait");
                }
            }
        }
    }
}
