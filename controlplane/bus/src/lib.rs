//! The message bus of the control plane: one object-safe trait, [`Bus`] (used as
//! `Arc<dyn Bus>`), and two implementations with one contract: the in-process bus
//! ([`memory`], the embedded default) and NATS JetStream ([`nats`]). Kafka comes later
//! behind the same trait. Depend on this crate to publish events, subscribe to them,
//! consume work, or exchange ephemeral node-to-node signals; get a bus from [`connect`].
//!
//! # Layout
//! - `api`: the [`Bus`] and [`WorkQueue`] traits and the values that cross
//!   them ([`PublishAck`], [`BusMessage`], [`Subscription`], [`WorkQueueSpec`],
//!   [`Delivery`], [`DeadLetterInfo`], [`BusHealth`]); the settle rules both buses share.
//! - `config`: [`BusConfig`] and its defaults.
//! - `error`: [`BusError`].
//! - [`subject`]: stream names, event, dead-letter and signal subjects, wildcard matching,
//!   and the validation every argument goes through before either implementation sees it.
//! - [`memory`]: the in-process bus ([`memory::MemoryServer`], [`memory::MemoryBus`]).
//! - [`nats`]: the NATS JetStream bus ([`nats::NatsBus`]).
//!
//! # Invariants
//! - Streams: `armoricore-events` holds every subject of [`codecs::EventType::ALL`] under
//!   the prefix (limits retention, 7 days, file storage); `armoricore-dlq` holds
//!   `<prefix>dlq.>`. A non-empty prefix gets its own streams (`armoricore-events-prod` for
//!   `prod.`), so buses with different prefixes share nothing, even on one server.
//! - Publishing is idempotent on `msg_id` (the event id, sent as `Nats-Msg-Id`) within the
//!   duplicate window: the second publish is acknowledged as a duplicate with the first
//!   one's sequence and is delivered to no one. `publish` returns Ok only after the message
//!   is stored.
//! - Only the event subjects of the bus's prefix can be published to; filters and specs
//!   that match none of them are refused up front, identically by both implementations.
//! - A work-queue message is delivered to one consumer of its durable at a time, with
//!   `attempt` counting deliveries from 1. It leaves the durable's pending work only by
//!   `ack`, or by going to the dead-letter stream: on `term`, on `nak` of the last allowed
//!   attempt, or when `ack_wait` expires on the last allowed attempt. Nothing that
//!   exhausted its attempts disappears without a dead letter (or, if it had already aged
//!   out of the stream, an error log).
//! - Signals (`Bus::signal` / `Bus::signals`) travel on `<prefix>signal.<name>`, which no
//!   stream holds and no prefix can reach (prefixes may not contain the tokens `dlq` or
//!   `signal`): at most once, never stored, never seen by `subscribe`, a work queue or a
//!   dead-letter reader.
//! - Every bounded queue states its capacity and what happens when it is full:
//!   [`memory`] (retained log, subscriber and signal queues), [`nats`] submodules (pull
//!   sizes, signal listeners).
//!
//! # Design notes
//! - **One trait, no NATS types in it.** Settling is decided in [`Delivery`] (which attempt
//!   is the last, what `nak(None)` waits, which reason a dead letter gets) and carried out
//!   by a private per-implementation acker, so a Kafka bus only has to store, deliver and
//!   settle.
//! - **Limits retention, not work-queue retention**: fan-out subscribers and several
//!   durables read the same subjects; a work-queue stream would allow one consumer per
//!   subject and delete on first ack.
//! - **Backoff is client-side.** JetStream's consumer `backoff` list replaces `ack_wait` per
//!   attempt, which would redeliver a long job while it still runs; instead `ack_wait` stays
//!   what the spec says, and `nak(None)` sends `-NAK {"delay": backoff[attempt-1]}`.
//! - **Max-deliveries advisories are captured in a stream** (`armoricore-advisories`), so an
//!   expiry on the last attempt is dead-lettered even if it happens while no worker runs.
//! - **Subscriptions read the stream**, not core NATS subjects, so they see exactly what was
//!   stored: no retried or de-duplicated publishes.
//! - **Signals are core NATS, not JetStream**: node chatter (presence, heartbeats, relayed
//!   broadcasts) is worthless once late, so storing, acking or replaying it would only cost
//!   disk and bandwidth; a send while disconnected fails fast instead of being queued.
//! - **The in-process bus is not durable** across process restarts (see [`memory`]).
//! - **NATS 2.9.10 compatibility**: async-nats is built without its `server_2_10`+
//!   features, consumers have one filter subject each (several subjects become several
//!   consumers), and only API calls 2.9 has are used (consumer create with the subject in
//!   the API name, `STREAM.MSG.GET`, NAK with delay, double acks).

mod api;
mod config;
pub mod consumer;
mod error;
pub mod memory;
pub mod nats;
pub mod subject;

use std::sync::Arc;

use bytes::Bytes;

pub use api::{
    Bus, BusHealth, BusMessage, DeadLetterInfo, Delivery, PublishAck, Subscription, WorkQueue,
    WorkQueueSpec,
};
pub use config::BusConfig;
pub use error::BusError;

/// Publishes `event` on its subject (prefix + event type) with its event id as `msg_id`.
pub async fn publish_event(bus: &dyn Bus, event: &codecs::Event) -> Result<PublishAck, BusError> {
    let subject = event.event_type.subject(bus.subject_prefix());
    let msg_id = event.event_id.to_string();
    bus.publish(&subject, &msg_id, Bytes::from(event.encode()))
        .await
}

/// Opens the bus `url` names: `None` (or empty) is a private in-process bus, `nats://…`
/// (or `tls://…`) NATS JetStream; `kafka://…` is refused as not built yet, and any other
/// scheme is refused by name.
pub async fn connect(url: Option<&str>, config: BusConfig) -> Result<Arc<dyn Bus>, BusError> {
    let url = url.map(str::trim).filter(|u| !u.is_empty());
    let Some(url) = url else {
        let bus: Arc<dyn Bus> = memory::MemoryServer::new().connect(config)?;
        return Ok(bus);
    };
    let Some((scheme, _)) = url.split_once("://") else {
        return Err(BusError::InvalidConfig(format!(
            "message bus URL `{url}` has no scheme (expected nats://host:port)"
        )));
    };
    match scheme.to_ascii_lowercase().as_str() {
        "nats" | "tls" => {
            let bus: Arc<dyn Bus> = nats::NatsBus::connect(url, config).await?;
            Ok(bus)
        }
        "kafka" => Err(BusError::NotBuiltYet {
            scheme: scheme.to_string(),
        }),
        _ => Err(BusError::UnsupportedScheme {
            scheme: scheme.to_string(),
        }),
    }
}
