//! The in-process bus: the embedded default, with the same contract as NATS JetStream.
//!
//! **It is not durable across process restarts**: every message, durable cursor and dead
//! letter lives in this process's memory and is gone when it exits. It suits a single node
//! and tests; several processes need NATS.
//!
//! A [`MemoryServer`] plays the part of one NATS server: buses connected to it with the
//! same prefix share streams and durables (so competing consumers and "two nodes" work as
//! on NATS), buses with different prefixes share nothing. [`crate::connect`] without a URL
//! makes a private server per call.
//!
//! Limits and what hitting them costs:
//! - Each stream (events, dead letters) retains at most `BusConfig::memory_capacity`
//!   messages (default 100 000) and drops the oldest beyond that (and anything older than
//!   `stream_max_age`). A durable whose cursor falls behind the oldest retained message
//!   silently skips the dropped ones; messages already in flight are kept alive by their
//!   in-flight entry and are not lost. Memory cost: roughly payload + 150 bytes per
//!   retained message.
//! - Each subscriber has a queue of [`FANOUT_CAPACITY`] messages; a subscriber that falls
//!   further behind loses the oldest of them (drop-oldest, logged with the count), like a
//!   slow consumer on NATS. Publishing never waits for subscribers.
//! - Each signal listener has a queue of [`SIGNAL_CAPACITY`] signals, with the same
//!   drop-oldest policy; signals are kept nowhere else (see `signals`).
//!
//! Timers: a waiting `next()` sleeps until the earliest redelivery or ack deadline of its
//! durable or until something changes (publish, settle), so redeliveries and the
//! dead-lettering of an expired last attempt happen while some consumer of the durable (or
//! a reader of its dead letters) is waiting, which is also when NATS does them.

mod signals;
mod state;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use async_trait::async_trait;
use bytes::Bytes;
use futures::StreamExt;
use tokio::sync::{Notify, broadcast};

use crate::api::{Acker, Settle, SettlePolicy};
use crate::subject::{self, StreamNames};
use crate::{
    Bus, BusConfig, BusError, BusHealth, BusMessage, Delivery, PublishAck, Subscription, WorkQueue,
    WorkQueueSpec,
};
pub use signals::SIGNAL_CAPACITY;
use signals::SignalHub;
use state::{DurableKey, DurableParams, LogLimits, Space, Taken};

/// Messages a subscriber may fall behind before it loses the oldest (drop-oldest).
pub const FANOUT_CAPACITY: usize = 4096;

/// One in-process "server": streams and durables for any number of prefixes.
#[derive(Clone, Default)]
pub struct MemoryServer {
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    spaces: Mutex<HashMap<String, Space>>,
    /// Woken on every change (publish, settle, new durable) so waiting `next()` calls look
    /// again.
    changed: Notify,
    /// One fan-out channel per prefix.
    fanout: Mutex<HashMap<String, broadcast::Sender<BusMessage>>>,
    /// Signal listeners, keyed by full subject (prefix included), so prefixes stay apart.
    signals: Arc<SignalHub>,
}

impl Shared {
    fn spaces(&self) -> MutexGuard<'_, HashMap<String, Space>> {
        // A panic while holding the lock cannot leave a half-applied change behind that
        // later calls would misread (every operation is a few map updates), so keep going.
        self.spaces.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn with_space<T>(&self, prefix: &str, f: impl FnOnce(&mut Space) -> T) -> Result<T, BusError> {
        let mut spaces = self.spaces();
        let space = spaces.get_mut(prefix).ok_or(BusError::Closed)?;
        Ok(f(space))
    }
}

impl std::fmt::Debug for MemoryServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MemoryServer")
    }
}

impl MemoryServer {
    /// An empty server.
    pub fn new() -> Self {
        MemoryServer::default()
    }

    /// A bus on this server; creates the prefix's streams, or updates their limits.
    pub fn connect(&self, config: BusConfig) -> Result<Arc<MemoryBus>, BusError> {
        config.validate()?;
        let prefix = config.subject_prefix.clone();
        let events = LogLimits {
            capacity: config.memory_capacity,
            max_age: config.stream_max_age,
            duplicate_window: config.duplicate_window,
        };
        let dead = LogLimits {
            max_age: config.dead_letter_max_age,
            ..events
        };
        {
            let mut spaces = self.shared.spaces();
            let space = spaces
                .entry(prefix.clone())
                .or_insert_with(|| Space::new(&prefix, events, dead));
            space.events.limits = events;
            space.dead.limits = dead;
        }
        let fanout = {
            let mut channels = self.shared.fanout.lock().unwrap_or_else(|e| e.into_inner());
            channels
                .entry(prefix.clone())
                .or_insert_with(|| broadcast::channel(FANOUT_CAPACITY).0)
                .clone()
        };
        Ok(Arc::new(MemoryBus {
            shared: self.shared.clone(),
            subjects: subject::event_subjects(&prefix),
            names: StreamNames::for_prefix(&prefix),
            prefix,
            fanout,
        }))
    }
}

/// A bus on a [`MemoryServer`].
pub struct MemoryBus {
    shared: Arc<Shared>,
    prefix: String,
    subjects: Vec<String>,
    names: StreamNames,
    fanout: broadcast::Sender<BusMessage>,
}

impl MemoryBus {
    fn open(
        &self,
        key: DurableKey,
        params: DurableParams,
        policy: Arc<SettlePolicy>,
    ) -> Result<Box<dyn WorkQueue>, BusError> {
        self.shared
            .with_space(&self.prefix, |s| s.ensure_durable(key.clone(), params))??;
        self.shared.changed.notify_waiters();
        Ok(Box::new(MemoryQueue {
            shared: self.shared.clone(),
            prefix: self.prefix.clone(),
            key,
            policy,
        }))
    }
}

#[async_trait]
impl Bus for MemoryBus {
    fn kind(&self) -> &'static str {
        "memory"
    }

    fn subject_prefix(&self) -> &str {
        &self.prefix
    }

    async fn publish(
        &self,
        subject: &str,
        msg_id: &str,
        payload: Bytes,
    ) -> Result<PublishAck, BusError> {
        subject::validate_publish_subject(subject, &self.subjects)?;
        subject::validate_msg_id(msg_id)?;
        let (ack, stored) = self.shared.with_space(&self.prefix, |s| {
            s.events.append(
                subject.to_string(),
                payload,
                Some(msg_id.to_string()),
                Some(msg_id.to_string()),
                None,
                Instant::now(),
            )
        })?;
        if let Some(stored) = stored {
            // No receiver is not an error: fan-out is live only.
            let _ = self.fanout.send(BusMessage {
                subject: stored.subject.clone(),
                payload: stored.payload.clone(),
                msg_id: stored.msg_id.clone(),
            });
            self.shared.changed.notify_waiters();
        }
        Ok(ack)
    }

    async fn subscribe(&self, filter: &str) -> Result<Subscription, BusError> {
        subject::validate_filter_within(filter, &self.subjects)?;
        let receiver = self.fanout.subscribe();
        let filter = filter.to_string();
        let stream = futures::stream::unfold(receiver, |mut rx| async move {
            loop {
                match rx.recv().await {
                    Ok(msg) => return Some((msg, rx)),
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(
                            lost = n,
                            "in-process subscriber fell behind; oldest messages dropped"
                        );
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        })
        .filter(move |m| std::future::ready(subject::matches(&filter, &m.subject)));
        Ok(Subscription::new(stream))
    }

    async fn work_queue(&self, spec: WorkQueueSpec) -> Result<Box<dyn WorkQueue>, BusError> {
        spec.validate(&self.subjects)?;
        let params = DurableParams {
            filters: spec.subjects.clone(),
            max_deliver: Some(spec.max_deliver),
            ack_wait: spec.ack_wait,
            max_ack_pending: spec.max_ack_pending,
        };
        self.open(
            DurableKey::Work(spec.durable.clone()),
            params,
            SettlePolicy::for_spec(&spec),
        )
    }

    async fn dead_letters(&self, durable: &str) -> Result<Box<dyn WorkQueue>, BusError> {
        subject::validate_durable(durable)?;
        let params = DurableParams {
            filters: vec![subject::dead_letter_filter(&self.prefix)],
            max_deliver: None,
            ack_wait: crate::api::DEAD_LETTER_ACK_WAIT,
            max_ack_pending: crate::api::DEAD_LETTER_MAX_ACK_PENDING,
        };
        self.open(
            DurableKey::DeadLetters(durable.to_string()),
            params,
            SettlePolicy::dead_letter_reader(),
        )
    }

    async fn signal(&self, name: &str, payload: Bytes) -> Result<(), BusError> {
        let subject = subject::signal_subject(&self.prefix, name)?;
        self.shared.signals.send(&subject, payload);
        Ok(())
    }

    async fn signals(&self, name: &str) -> Result<Subscription, BusError> {
        let subject = subject::signal_subject(&self.prefix, name)?;
        Ok(self.shared.signals.listen(&subject))
    }

    async fn health(&self) -> BusHealth {
        let detail = self
            .shared
            .with_space(&self.prefix, |s| {
                format!(
                    "in-process bus (not durable across restarts): stream {} retains {} messages \
                     ({} dropped by the capacity limit), {} dead letters, {} durables",
                    self.names.events,
                    s.events.len(),
                    s.events.evicted,
                    s.dead.len(),
                    s.durable_count()
                )
            })
            .unwrap_or_else(|e| e.to_string());
        BusHealth {
            connected: true,
            detail,
        }
    }
}

/// A consumer of one durable on the in-process bus.
struct MemoryQueue {
    shared: Arc<Shared>,
    prefix: String,
    key: DurableKey,
    policy: Arc<SettlePolicy>,
}

#[async_trait]
impl WorkQueue for MemoryQueue {
    async fn next(&mut self) -> Result<Delivery, BusError> {
        loop {
            // Register for wake-ups before looking, so a change between the look and the
            // wait is not missed.
            let changed = self.shared.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let now = Instant::now();
            let taken = self.shared.with_space(&self.prefix, |s| {
                // A dead-letter reader also drives the expiry of its durable's last
                // attempts, so they reach it even when no worker is waiting.
                let mut wake = None;
                if let DurableKey::DeadLetters(name) = &self.key {
                    wake = s.sweep(&DurableKey::Work(name.clone()), now).ok().flatten();
                }
                s.take_next(&self.key, now).map(|t| (t, wake))
            })??;
            let wait = match taken {
                (Taken::Delivery(parts), _) => {
                    let acker = MemoryAcker {
                        shared: self.shared.clone(),
                        prefix: self.prefix.clone(),
                        key: self.key.clone(),
                        seq: parts.stream_sequence,
                    };
                    return Ok(Delivery::new(parts, self.policy.clone(), Box::new(acker)));
                }
                (Taken::Wait(a), b) => [a, b].into_iter().flatten().min(),
            };
            match wait {
                Some(at) => {
                    tokio::select! {
                        _ = changed => {}
                        _ = tokio::time::sleep_until(at.into()) => {}
                    }
                }
                None => changed.await,
            }
        }
    }
}

struct MemoryAcker {
    shared: Arc<Shared>,
    prefix: String,
    key: DurableKey,
    seq: u64,
}

#[async_trait]
impl Acker for MemoryAcker {
    async fn settle(&self, how: Settle) -> Result<(), BusError> {
        self.shared.with_space(&self.prefix, |s| {
            s.settle(&self.key, self.seq, how, Instant::now())
        })?;
        self.shared.changed.notify_waiters();
        Ok(())
    }
}
