//! The NATS JetStream bus (async-nats 0.51 with the `server_2_10`+ features off, so every
//! call works against nats-server 2.9.10 as shipped by Debian).
//!
//! Layout:
//! - `streams`: the three streams of a prefix and their idempotent create-or-update.
//! - `publish`: publishing with retries until a real PubAck or `publish_timeout`.
//! - `subscribe`: live fan-out subscriptions on ephemeral consumers.
//! - `signal`: ephemeral signals on core NATS (no stream), and what a send does while
//!   disconnected (it fails fast).
//! - `queue`: work-queue consumers (durable pull consumers) and their acker.
//! - `dead_letter`: dead-letter copies, the max-deliveries advisory path, and the
//!   dead-letter header format.
//!
//! Reconnection: async-nats reconnects by itself, with the delay given by
//! [`reconnect_delay`] (exponential from 100 ms, capped at `reconnect_max_delay`, with
//! jitter) and no limit on attempts. Everything above the connection retries on its own
//! terms: publish until `publish_timeout`, work-queue pulls forever, subscriptions by
//! re-creating their consumer from the last sequence they delivered. Signal listeners are
//! re-subscribed by the client itself; signals are not retried.
//!
//! Server crashes: the stream is written before a PubAck is sent (nats-server flushes
//! stream writes in place for a single server), so a SIGKILL loses nothing acknowledged.
//! A consumer's delivery state is written asynchronously, though: after a crash a
//! work-queue message may be delivered again, possibly with its attempt count restarted.
//! Work is at-least-once; consumers must be idempotent (ARCHITECTURE.md §1.5).

mod dead_letter;
mod publish;
mod queue;
mod signal;
mod streams;
mod subscribe;

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream;
use async_trait::async_trait;
use bytes::Bytes;

use crate::subject::{self, StreamNames};
use crate::{
    Bus, BusConfig, BusError, BusHealth, PublishAck, Subscription, WorkQueue, WorkQueueSpec,
};

/// How long one JetStream API request (stream, consumer, ack) may take.
const API_TIMEOUT: Duration = Duration::from_secs(5);

/// What every part of the NATS bus needs.
pub(crate) struct NatsShared {
    pub js: jetstream::Context,
    pub client: async_nats::Client,
    pub config: BusConfig,
    pub names: StreamNames,
    /// The events stream's subjects.
    pub subjects: Vec<String>,
    /// The server URL, for health details and logs.
    pub url: String,
}

impl NatsShared {
    pub fn prefix(&self) -> &str {
        &self.config.subject_prefix
    }
}

/// The delay before reconnect attempt `attempts`: 100 ms doubling, capped at `max`, with
/// up to 25 % random jitter so a fleet does not reconnect in lockstep.
pub fn reconnect_delay(attempts: usize, max: Duration) -> Duration {
    if attempts == 0 {
        return Duration::ZERO;
    }
    let exp = attempts.saturating_sub(1).min(16) as u32;
    let base = Duration::from_millis(100)
        .saturating_mul(2u32.saturating_pow(exp))
        .min(max);
    let jitter = base.mul_f64(rand::random::<f64>() * 0.25);
    base.saturating_sub(jitter)
}

/// The bus on a NATS JetStream server.
pub struct NatsBus {
    shared: Arc<NatsShared>,
}

impl NatsBus {
    /// Connects to `url` and creates or updates the prefix's streams.
    pub async fn connect(url: &str, config: BusConfig) -> Result<Arc<NatsBus>, BusError> {
        config.validate()?;
        let max_delay = config.reconnect_max_delay;
        let client = async_nats::ConnectOptions::new()
            .name(&config.client_name)
            .connection_timeout(config.connect_timeout)
            .max_reconnects(None)
            .reconnect_delay_callback(move |attempts| reconnect_delay(attempts, max_delay))
            .event_callback(|event| async move {
                match event {
                    async_nats::Event::Connected => tracing::info!("nats: connected"),
                    async_nats::Event::Disconnected => tracing::warn!("nats: disconnected"),
                    // The client dropped messages for a subscription whose queue was full
                    // (a signal listener or subscription that does not keep up).
                    async_nats::Event::SlowConsumer(sid) => {
                        tracing::warn!(sid, "nats: slow consumer; messages dropped")
                    }
                    other => tracing::info!(event = %other, "nats: connection event"),
                }
            })
            .connect(url)
            .await
            .map_err(|e| BusError::Connect(format!("{url}: {e}")))?;
        let js = jetstream::ContextBuilder::new()
            .timeout(API_TIMEOUT)
            .ack_timeout(API_TIMEOUT.min(config.publish_timeout))
            .build(client.clone());
        let names = StreamNames::for_prefix(&config.subject_prefix);
        let shared = Arc::new(NatsShared {
            subjects: subject::event_subjects(&config.subject_prefix),
            js,
            client,
            config,
            names,
            url: url.to_string(),
        });
        streams::ensure_all(&shared).await?;
        Ok(Arc::new(NatsBus { shared }))
    }
}

#[async_trait]
impl Bus for NatsBus {
    fn kind(&self) -> &'static str {
        "nats"
    }

    fn subject_prefix(&self) -> &str {
        self.shared.prefix()
    }

    async fn publish(
        &self,
        subject: &str,
        msg_id: &str,
        payload: Bytes,
    ) -> Result<PublishAck, BusError> {
        subject::validate_publish_subject(subject, &self.shared.subjects)?;
        subject::validate_msg_id(msg_id)?;
        let mut headers = async_nats::HeaderMap::new();
        headers.insert(async_nats::header::NATS_MESSAGE_ID, msg_id);
        publish::publish(&self.shared, subject, headers, payload).await
    }

    async fn subscribe(&self, filter: &str) -> Result<Subscription, BusError> {
        subject::validate_filter_within(filter, &self.shared.subjects)?;
        subscribe::live(self.shared.clone(), filter.to_string()).await
    }

    async fn work_queue(&self, spec: WorkQueueSpec) -> Result<Box<dyn WorkQueue>, BusError> {
        spec.validate(&self.shared.subjects)?;
        queue::open_work_queue(self.shared.clone(), spec).await
    }

    async fn dead_letters(&self, durable: &str) -> Result<Box<dyn WorkQueue>, BusError> {
        subject::validate_durable(durable)?;
        queue::open_dead_letters(self.shared.clone(), durable.to_string()).await
    }

    async fn signal(&self, name: &str, payload: Bytes) -> Result<(), BusError> {
        let subject = subject::signal_subject(self.shared.prefix(), name)?;
        signal::send(&self.shared, subject, payload).await
    }

    async fn signals(&self, name: &str) -> Result<Subscription, BusError> {
        let subject = subject::signal_subject(self.shared.prefix(), name)?;
        signal::listen(self.shared.clone(), subject).await
    }

    async fn health(&self) -> BusHealth {
        let state = self.shared.client.connection_state();
        let connected = state == async_nats::connection::State::Connected;
        let detail = if connected {
            format!(
                "nats {}: connected (server {}), stream {}",
                self.shared.url,
                self.shared.client.server_info().version,
                self.shared.names.events
            )
        } else {
            format!("nats {}: {state:?}, reconnecting", self.shared.url)
        };
        BusHealth { connected, detail }
    }
}
