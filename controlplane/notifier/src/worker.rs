//! The worker: a durable consumer of `notification.requested` and, per delivery, the steps
//! from request to settled message.
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
//! Store or bus errors `nak` the delivery: nothing is lost, and step 3 keeps it idempotent.
//!
//! # Concurrency
//! At most `NotifierConfig::concurrency` deliveries are handled at once (a semaphore; the
//! loop stops pulling while it is exhausted, and the bus's `max_ack_pending` is twice that).
//! While one waits or retries, its `ack_wait` clock is restarted every third of `ack_wait`.

use std::collections::{BTreeSet, HashSet};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bus::{Bus, Delivery, WorkQueueSpec};
use codecs::events::{
    DevicePlatform, NotificationChannel, NotificationFailed, NotificationRequested,
    NotificationSent,
};
use codecs::{Event, EventType, Payload};
use store::{NewNotificationSend, NotificationSend, SendOutcome, Store};
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

use crate::apns::Apns;
use crate::error::{Failure, Provider, SendError, SetupError};
use crate::fcm::Fcm;
use crate::limits::Limiter;
use crate::retry::with_retries;
use crate::smtp::{Smtp, html_body};
use crate::{EmailMessage, NotifierConfig, PushMessage, RetryPolicy};

/// The running worker.
pub struct NotifierHandle {
    task: JoinHandle<()>,
    slots: Arc<Semaphore>,
    concurrency: u32,
}

impl NotifierHandle {
    /// Stops pulling, then waits up to `grace` for deliveries in flight. Whatever is still
    /// unsettled afterwards is redelivered by the bus once its `ack_wait` expires.
    pub async fn stop(self, grace: Duration) {
        self.task.abort();
        let _ = self.task.await;
        let drained = tokio::time::timeout(grace, self.slots.acquire_many(self.concurrency)).await;
        if drained.is_err() {
            tracing::warn!(?grace, "notifications still in flight at shutdown");
        }
    }
}

/// The providers this process can use.
struct Providers {
    fcm: Option<Fcm>,
    apns: Option<Apns>,
    smtp: Option<Smtp>,
}

struct Worker {
    bus: Arc<dyn Bus>,
    store: Arc<dyn Store>,
    providers: Providers,
    limiter: Limiter,
    retry: RetryPolicy,
    ack_wait: Duration,
    source: String,
}

/// Builds the providers and starts consuming `notification.requested`.
pub async fn start(
    config: NotifierConfig,
    bus: Arc<dyn Bus>,
    store: Arc<dyn Store>,
) -> Result<NotifierHandle, SetupError> {
    let timeout = config.request_timeout;
    let roots = &config.extra_roots;
    let providers = Providers {
        fcm: config
            .fcm
            .as_ref()
            .map(|c| Fcm::new(c, roots, timeout))
            .transpose()?,
        apns: config
            .apns
            .as_ref()
            .map(|c| Apns::new(c, roots, timeout))
            .transpose()?,
        smtp: config
            .smtp
            .as_ref()
            .map(|c| Smtp::new(c, roots, timeout))
            .transpose()?,
    };
    let concurrency = config.concurrency.clamp(1, 10_000);
    let spec = WorkQueueSpec {
        durable: config.queue.durable.clone(),
        subjects: vec![EventType::NotificationRequested.subject(bus.subject_prefix())],
        max_deliver: config.queue.max_deliver.max(1),
        backoff: config.queue.backoff.clone(),
        ack_wait: config.queue.ack_wait,
        max_ack_pending: concurrency * 2,
    };
    let mut queue = bus.work_queue(spec).await?;
    tracing::info!(
        fcm = providers.fcm.is_some(),
        apns = providers.apns.is_some(),
        smtp = providers.smtp.is_some(),
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
    });
    let slots = Arc::new(Semaphore::new(concurrency));
    let loop_slots = slots.clone();
    let task = tokio::spawn(async move {
        let mut prune = tokio::time::interval(Duration::from_secs(60));
        loop {
            let Ok(slot) = loop_slots.clone().acquire_owned().await else {
                return;
            };
            let delivery = tokio::select! {
                d = queue.next() => d,
                _ = prune.tick() => {
                    worker.limiter.prune();
                    continue;
                }
            };
            match delivery {
                Ok(delivery) => {
                    let worker = worker.clone();
                    tokio::spawn(async move {
                        worker.handle(delivery).await;
                        drop(slot);
                    });
                }
                Err(e) => {
                    tracing::error!(error = %e, "the notification work queue failed; worker stopped");
                    return;
                }
            }
        }
    });
    Ok(NotifierHandle {
        task,
        slots,
        concurrency: u32::try_from(concurrency).unwrap_or(u32::MAX),
    })
}

/// How a delivery is settled.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    Ack,
    Nak(Option<Duration>),
    Term(String),
}

/// One target of one channel.
struct Target {
    address: String,
    provider: Provider,
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

    async fn process(&self, request: &NotificationRequested, last_attempt: bool) -> Verdict {
        let id = &request.notification_id;
        self.limiter.user(request.user_id.as_str()).await;
        let prior = match self.store.notification_sends(id).await {
            Ok(prior) => prior,
            Err(e) => return self.store_trouble("read send records", &e),
        };
        let done: HashSet<(NotificationChannel, &str)> = prior
            .iter()
            .map(|s| (s.channel, s.target.as_str()))
            .collect();
        let mut pending_wait: Option<Option<Duration>> = None;
        let mut dead_letters = Vec::new();
        let channels: BTreeSet<&str> = request.channels.iter().map(|c| c.as_str()).collect();
        for channel in request.channels.iter().copied() {
            if !channels.contains(channel.as_str()) {
                continue;
            }
            let targets = match self.targets(channel, request).await {
                Ok(targets) => targets,
                Err(e) => return self.store_trouble("resolve targets", &e),
            };
            let mut records: Vec<NotificationSend> = prior
                .iter()
                .filter(|s| s.channel == channel)
                .cloned()
                .collect();
            let mut channel_pending = false;
            for target in &targets {
                if done.contains(&(channel, target.address.as_str())) {
                    continue;
                }
                let (result, attempts) = self.send(target, channel, request).await;
                let (outcome, detail) = match result {
                    Ok(detail) => (SendOutcome::Sent, detail),
                    Err(e) if e.failure == Failure::TokenRejected => {
                        if let Err(err) = self
                            .store
                            .delete_device_token_everywhere(&target.address)
                            .await
                        {
                            return self.store_trouble("delete a rejected token", &err);
                        }
                        tracing::info!(provider = %e.provider, reason = %e.reason, "device token rejected; deleted");
                        (SendOutcome::TokenRejected, e.to_string())
                    }
                    Err(e) if e.is_retryable() && !last_attempt => {
                        channel_pending = true;
                        let wait = pending_wait.get_or_insert(None);
                        *wait = (*wait).max(e.retry_after());
                        tracing::info!(error = %e, attempts, "send still failing; redelivery will retry");
                        continue;
                    }
                    Err(e) => (SendOutcome::Failed, e.to_string()),
                };
                metrics::counter!("armoricore_notification_sends_total",
                    "provider" => target.provider.as_str(), "outcome" => outcome.as_str())
                .increment(1);
                let record = NewNotificationSend {
                    notification_id: id.clone(),
                    channel,
                    target: target.address.clone(),
                    provider: target.provider.as_str().to_string(),
                    outcome,
                    attempts,
                    detail: Some(crate::error::cut(&detail, 4096)),
                };
                match self.store.record_notification_send(&record).await {
                    Ok(stored) => records.push(stored),
                    Err(e) => return self.store_trouble("record a send", &e),
                }
            }
            if channel_pending {
                continue;
            }
            let (event, dead_letter) = self.channel_event(request, channel, &targets, &records);
            if let Err(e) = bus::publish_event(self.bus.as_ref(), &event).await {
                tracing::warn!(error = %e, "cannot publish the notification outcome; will retry");
                return Verdict::Nak(None);
            }
            dead_letters.extend(dead_letter);
        }
        if let Some(wait) = pending_wait {
            return Verdict::Nak(wait);
        }
        if dead_letters.is_empty() {
            Verdict::Ack
        } else {
            Verdict::Term(format!("notification {id}: {}", dead_letters.join(" | ")))
        }
    }

    fn store_trouble(&self, what: &str, e: &store::StoreError) -> Verdict {
        tracing::warn!(error = %e, "cannot {what}; the notification will be redelivered");
        Verdict::Nak(None)
    }

    /// The targets of `channel`, without duplicates.
    async fn targets(
        &self,
        channel: NotificationChannel,
        request: &NotificationRequested,
    ) -> Result<Vec<Target>, store::StoreError> {
        match channel {
            NotificationChannel::Push => {
                let tokens = match &request.device_tokens {
                    Some(tokens) => tokens.clone(),
                    None => self
                        .store
                        .device_tokens_for(&request.user_id)
                        .await?
                        .iter()
                        .map(|r| r.device_token())
                        .collect(),
                };
                let mut seen = HashSet::new();
                Ok(tokens
                    .into_iter()
                    .filter(|t| seen.insert(t.token.clone()))
                    .map(|t| Target {
                        provider: match t.platform {
                            DevicePlatform::Ios => Provider::Apns,
                            DevicePlatform::Android | DevicePlatform::Web => Provider::Fcm,
                        },
                        address: t.token,
                    })
                    .collect())
            }
            NotificationChannel::Email => {
                let address = match &request.email {
                    Some(address) => Some(address.clone()),
                    None => self
                        .store
                        .get_user(&request.user_id)
                        .await?
                        .and_then(|u| u.email),
                };
                Ok(address
                    .into_iter()
                    .map(|address| Target {
                        address,
                        provider: Provider::Smtp,
                    })
                    .collect())
            }
        }
    }

    /// Sends to one target with retries; the outcome and the provider calls made.
    async fn send(
        &self,
        target: &Target,
        channel: NotificationChannel,
        request: &NotificationRequested,
    ) -> (Result<String, SendError>, u32) {
        let missing = |variable: &str| {
            let reason = format!("{} is not configured ({variable})", target.provider);
            (
                Err(SendError::local(
                    target.provider,
                    Failure::Permanent,
                    reason,
                )),
                0,
            )
        };
        let started = std::time::Instant::now();
        let push = PushMessage {
            notification_id: request.notification_id.to_string(),
            title: request.title.clone(),
            body: request.body.clone(),
            data: request.data.clone(),
        };
        let provider = target.provider;
        let token = target.address.as_str();
        let result = match (channel, provider) {
            (_, Provider::Fcm) => match &self.providers.fcm {
                None => return missing("FCM_SERVICE_ACCOUNT_FILE"),
                Some(fcm) => {
                    with_retries(&self.retry, || async {
                        self.limiter.provider(provider).await;
                        fcm.send(&push, token).await
                    })
                    .await
                }
            },
            (_, Provider::Apns) => match &self.providers.apns {
                None => return missing("APNS_KEY_FILE"),
                Some(apns) => {
                    with_retries(&self.retry, || async {
                        self.limiter.provider(provider).await;
                        apns.send(&push, token).await
                    })
                    .await
                }
            },
            (_, Provider::Smtp) => match &self.providers.smtp {
                None => return missing("SMTP_URL"),
                Some(smtp) => {
                    let email = EmailMessage {
                        notification_id: push.notification_id.clone(),
                        to: target.address.clone(),
                        subject: request.title.clone(),
                        text: request.body.clone(),
                        html: html_body(&request.title, &request.body),
                    };
                    with_retries(&self.retry, || async {
                        self.limiter.provider(provider).await;
                        smtp.send(&email).await
                    })
                    .await
                }
            },
        };
        metrics::histogram!("armoricore_notification_send_seconds", "provider" => provider.as_str())
            .record(started.elapsed().as_secs_f64());
        result
    }

    /// The event closing `channel`, and the dead-letter line when it failed on a provider
    /// error.
    fn channel_event(
        &self,
        request: &NotificationRequested,
        channel: NotificationChannel,
        targets: &[Target],
        records: &[NotificationSend],
    ) -> (Event, Option<String>) {
        let key = format!("{}/{}", request.notification_id, channel.as_str());
        let sent: BTreeSet<&str> = records
            .iter()
            .filter(|r| r.outcome == SendOutcome::Sent)
            .map(|r| r.provider.as_str())
            .collect();
        if !sent.is_empty() {
            let payload = Payload::NotificationSent(NotificationSent {
                notification_id: request.notification_id.clone(),
                user_id: request.user_id.clone(),
                channel,
                provider: sent.into_iter().collect::<Vec<_>>().join(","),
                sent_at: time::OffsetDateTime::now_utc(),
            });
            return (Event::deterministic(&self.source, payload, &key), None);
        }
        let failed: Vec<&NotificationSend> = records
            .iter()
            .filter(|r| r.outcome == SendOutcome::Failed)
            .collect();
        let attempts: u32 = records.iter().map(|r| r.attempts).sum();
        let (reason, dead_letter) = if targets.is_empty() && records.is_empty() {
            let what = match channel {
                NotificationChannel::Push => "no device token for the user",
                NotificationChannel::Email => "no e-mail address for the user",
            };
            (what.to_string(), None)
        } else if failed.is_empty() {
            (
                "every device token was rejected by its provider and deleted".to_string(),
                None,
            )
        } else {
            let details: Vec<String> = failed
                .iter()
                .map(|r| {
                    format!(
                        "{} after {} attempt(s): {}",
                        r.provider,
                        r.attempts,
                        r.detail.as_deref().unwrap_or("")
                    )
                })
                .collect();
            let reason = details.join("; ");
            let line = format!(
                "{} failed, {attempts} attempt(s): {reason}",
                channel.as_str()
            );
            (reason, Some(line))
        };
        let payload = Payload::NotificationFailed(NotificationFailed {
            notification_id: request.notification_id.clone(),
            user_id: request.user_id.clone(),
            channel,
            reason: crate::error::cut(&reason, 4096),
            attempts,
        });
        (
            Event::deterministic(&self.source, payload, &key),
            dead_letter,
        )
    }
}

/// Runs `work`, restarting the delivery's `ack_wait` clock every third of it meanwhile.
async fn keep_alive<F: Future>(delivery: &Delivery, ack_wait: Duration, work: F) -> F::Output {
    let period = (ack_wait / 3).max(Duration::from_millis(100));
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    let mut work = std::pin::pin!(work);
    loop {
        tokio::select! {
            out = &mut work => return out,
            _ = ticker.tick() => {
                if let Err(e) = delivery.in_progress().await {
                    tracing::warn!(error = %e, "cannot extend a notification's ack_wait");
                }
            }
        }
    }
}
