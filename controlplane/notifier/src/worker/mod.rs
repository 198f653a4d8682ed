//! The worker: a durable consumer of `notification.requested` and, per delivery, the steps
//! from request to settled message.
//!
//! # Layout
//! - this file: [`start`], the consumer loop, settling a delivery, keeping its lease alive.
//! - `delivery`: one delivery's steps (below).
//! - `targets`: who a channel goes to (payload or store).
//! - `providers`: the configured providers, and one send with limits and retries.
//! - `ledger`: the send records of one delivery (store, plus memory when it is down).
//! - `recent`: the process's memory of outcomes the store may lack.
//! - `outcome`: the `notification.sent` / `notification.failed` event of a channel.
//!
//! # One delivery
//! 1. Decode; an undecodable message is dead-lettered at once (it can never succeed).
//! 2. Wait for the user's rate limit.
//! 3. Read the send records of this notification: targets with a recorded outcome are
//!    skipped (this is what makes a redelivery send nothing twice).
//! 4. Per channel, resolve the targets (push: the payload's tokens, else the user's stored
//!    tokens; email: the payload's address, else the user's stored e-mail) and send to each
//!    remaining one, with in-process retries and the provider's rate limit.
//! 5. Record each final outcome (sent / token rejected → token deleted everywhere / failed).
//!    A retryable failure that outlasted the in-process retries is not recorded unless this
//!    is the last delivery the bus allows.
//! 6. Per channel with nothing left pending: `notification.sent` if any target accepted it,
//!    else `notification.failed`. Event ids derive from (notification, channel), so
//!    publishing again after a redelivery is dropped by the bus's duplicate window.
//! 7. Settle: `nak` (after the longest `Retry-After`, else the queue backoff) when a target
//!    is still pending; else `term` — a dead letter whose reason names the channel, the
//!    attempts and the provider's answer — when a channel failed on a provider error;
//!    else `ack`.
//!
//! A channel without any target (no token, no address) or whose every token was rejected
//! gets `notification.failed` but no dead letter: there is nothing an operator could replay.
//! A bus error `nak`s the delivery: nothing is lost, and step 3 keeps it idempotent.
//!
//! # When the store is unreachable
//! - The payload names no device token (or no address) for a channel: the targets cannot
//!   be known, so the delivery is `nak`ed and tried again after the queue's backoff — never
//!   failed for it. (Past `max_deliver` the bus dead-letters it, to be replayed.)
//! - The payload names them: sending goes on without the store. Outcomes the store cannot
//!   take are kept in this process's memory (`recent`, 15 min, 100,000 notifications), and
//!   so is every outcome of a `nak`ed delivery; step 3 reads that memory too. A rejected
//!   token that cannot be deleted stays until its next rejection.
//!
//! How far duplicates can go while the store is down: none when the redelivery comes back
//! to the same process (the usual case: one worker, or a redelivery after `nak` that this
//! process pulls again). When another worker process takes the redelivery, it may send
//! again to the targets the first one reached — at most once per delivery the bus makes
//! (`max_deliver`, 5 by default), and only for deliveries that were redelivered at all
//! (a pending target, a lost ack, a crash). The devices then show one notification, not
//! two: APNs replaces by `apns-collapse-id` and Android by the FCM notification tag, both
//! the notification id.
//!
//! # Concurrency
//! At most `NotifierConfig::concurrency` deliveries are handled at once (a semaphore; the
//! loop stops pulling while it is exhausted, and the bus's `max_ack_pending` is twice that).
//! While one waits or retries, its `ack_wait` clock is restarted every third of `ack_wait`.

mod delivery;
mod ledger;
mod outcome;
mod providers;
mod recent;
mod targets;

use std::sync::Arc;
use std::time::Duration;

use bus::consumer::{Consumer, keep_alive};
use bus::{Bus, Delivery, WorkQueueSpec};
use codecs::{Event, EventType, Payload};
use store::Store;
use tokio::task::JoinHandle;

use crate::error::SetupError;
use crate::limits::Limiter;
use crate::{NotifierConfig, RetryPolicy};
use providers::Providers;
use recent::RecentSends;

/// The running worker.
pub struct NotifierHandle {
    consumer: Consumer,
    /// Forgets the limiter's idle buckets and old outcomes once a minute.
    prune: JoinHandle<()>,
}

impl NotifierHandle {
    /// Stops pulling, then waits up to `grace` for deliveries in flight. Whatever is still
    /// unsettled afterwards is redelivered by the bus once its `ack_wait` expires.
    pub async fn stop(self, grace: Duration) {
        self.prune.abort();
        self.consumer.stop(grace).await;
    }
}

struct Worker {
    bus: Arc<dyn Bus>,
    store: Arc<dyn Store>,
    providers: Providers,
    limiter: Limiter,
    retry: RetryPolicy,
    ack_wait: Duration,
    source: String,
    recent: RecentSends,
}

/// Builds the providers and starts consuming `notification.requested`.
pub async fn start(
    config: NotifierConfig,
    bus: Arc<dyn Bus>,
    store: Arc<dyn Store>,
) -> Result<NotifierHandle, SetupError> {
    let providers = Providers::new(&config)?;
    let concurrency = config.concurrency.clamp(1, 10_000);
    let spec = WorkQueueSpec {
        durable: config.queue.durable.clone(),
        subjects: vec![EventType::NotificationRequested.subject(bus.subject_prefix())],
        max_deliver: config.queue.max_deliver.max(1),
        backoff: config.queue.backoff.clone(),
        ack_wait: config.queue.ack_wait,
        max_ack_pending: concurrency * 2,
    };
    let queue = bus.work_queue(spec).await?;
    let (fcm, apns, smtp) = providers.configured();
    tracing::info!(
        fcm,
        apns,
        smtp,
        durable = %config.queue.durable,
        "notification worker started"
    );
    let worker = Arc::new(Worker {
        bus,
        store,
        providers,
        limiter: Limiter::new(&config.limits),
        retry: config.retry,
        ack_wait: config.queue.ack_wait,
        source: config.source.clone(),
        recent: RecentSends::default(),
    });
    let prune = {
        let worker = Arc::clone(&worker);
        tokio::spawn(async move {
            let mut every_minute = tokio::time::interval(Duration::from_secs(60));
            loop {
                every_minute.tick().await;
                worker.limiter.prune();
                worker.recent.prune();
            }
        })
    };
    let consumer = Consumer::start("notifications", queue, concurrency, move |delivery| {
        let worker = Arc::clone(&worker);
        async move { worker.handle(delivery).await }
    });
    Ok(NotifierHandle { consumer, prune })
}

/// How a delivery is settled.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    Ack,
    Nak(Option<Duration>),
    Term(String),
}

impl Worker {
    async fn handle(&self, delivery: Delivery) {
        let verdict = match Event::decode(&delivery.payload) {
            Ok(Event {
                payload: Payload::NotificationRequested(request),
                ..
            }) => {
                let last = delivery.is_last_attempt();
                keep_alive(&delivery, self.ack_wait, self.process(&request, last)).await
            }
            Ok(other) => Verdict::Term(format!(
                "expected notification.requested, got {}",
                other.event_type
            )),
            Err(e) => Verdict::Term(format!("undecodable notification.requested: {e}")),
        };
        let result = match &verdict {
            Verdict::Ack => delivery.ack().await,
            Verdict::Nak(delay) => delivery.nak(*delay).await,
            Verdict::Term(reason) => {
                tracing::warn!(%reason, "notification dead-lettered");
                delivery.term(reason).await
            }
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, ?verdict, "cannot settle a notification delivery");
        }
    }
}
