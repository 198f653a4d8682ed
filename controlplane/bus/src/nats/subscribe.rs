//! Live fan-out subscriptions: one ephemeral, memory-stored, ack-none pull consumer per
//! subscription on the events stream, filtered on the subscription's filter.
//!
//! Why a JetStream consumer rather than a core NATS subscription: a core subscriber also
//! sees every retried publish and every message the stream refused or de-duplicated; a
//! consumer sees exactly what the stream stored, once, in order, as the in-process bus does.
//!
//! Why not async-nats's ordered consumer: when it must re-create its consumer before it has
//! delivered anything it starts over with `DeliverPolicy::All`, replaying the whole stream
//! into a live subscription. This one starts with `DeliverPolicy::New` and re-creates from
//! the sequence after the last one delivered (or after the stream's last sequence at
//! subscribe time), so a server restart neither replays nor skips.
//!
//! A dropped subscription's consumer is deleted by the server after its inactivity
//! threshold ([`INACTIVE_THRESHOLD`]). Buffering: the pull stream asks for at most
//! [`BATCH`] messages at a time, so at most that many wait in the client per subscriber;
//! beyond that the server holds them (nothing is dropped while the stream retains them).

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::consumer::{AckPolicy, DeliverPolicy, pull};
use async_nats::jetstream::{self, consumer::PullConsumer};
use futures::StreamExt;

use super::NatsShared;
use crate::{BusError, BusMessage, Subscription};

/// The server deletes a subscription's consumer this long after its last pull.
const INACTIVE_THRESHOLD: Duration = Duration::from_secs(30);
/// Messages requested per pull (and so buffered in the client at most).
const BATCH: usize = 256;
/// Heartbeat the server sends on an idle pull; two missed ones re-create the consumer.
const HEARTBEAT: Duration = Duration::from_secs(5);

struct Live {
    shared: Arc<NatsShared>,
    filter: String,
    name_base: String,
    serial: u64,
    /// The stream sequence the next message must have at least.
    next_seq: u64,
    messages: Option<pull::Stream>,
}

impl Live {
    fn config(&self, deliver_policy: DeliverPolicy) -> pull::Config {
        pull::Config {
            name: Some(format!("{}_{}", self.name_base, self.serial)),
            description: Some(format!("armoricore live subscription to {}", self.filter)),
            deliver_policy,
            ack_policy: AckPolicy::None,
            max_deliver: 1,
            filter_subject: self.filter.clone(),
            inactive_threshold: INACTIVE_THRESHOLD,
            memory_storage: true,
            num_replicas: 1,
            ..Default::default()
        }
    }

    async fn open(&mut self, deliver_policy: DeliverPolicy) -> Result<(), BusError> {
        self.serial += 1;
        let consumer: PullConsumer = self
            .shared
            .js
            .create_consumer_on_stream(self.config(deliver_policy), &self.shared.names.events)
            .await
            .map_err(|e| BusError::Unavailable(format!("subscription consumer: {e}")))?;
        if self.next_seq == 0 {
            self.next_seq = consumer.cached_info().delivered.stream_sequence + 1;
        }
        let messages = consumer
            .stream()
            .max_messages_per_batch(BATCH)
            .heartbeat(HEARTBEAT)
            .messages()
            .await
            .map_err(|e| BusError::Unavailable(format!("subscription pull: {e}")))?;
        self.messages = Some(messages);
        Ok(())
    }

    /// The next message; re-creates the consumer as often as needed.
    async fn next(&mut self) -> BusMessage {
        let mut failures = 0u32;
        loop {
            if self.messages.is_none() {
                let policy = DeliverPolicy::ByStartSequence {
                    start_sequence: self.next_seq,
                };
                if let Err(e) = self.open(policy).await {
                    failures += 1;
                    tracing::warn!(filter = %self.filter, error = %e, "cannot re-create subscription; retrying");
                    tokio::time::sleep(super::reconnect_delay(
                        failures as usize,
                        Duration::from_secs(2),
                    ))
                    .await;
                    continue;
                }
            }
            let Some(messages) = self.messages.as_mut() else {
                continue;
            };
            match messages.next().await {
                Some(Ok(msg)) => {
                    failures = 0;
                    let Some(message) = self.accept(msg) else {
                        continue;
                    };
                    return message;
                }
                Some(Err(e)) => {
                    tracing::info!(filter = %self.filter, error = %e, "subscription consumer lost; re-creating");
                    self.drop_consumer();
                }
                None => self.drop_consumer(),
            }
        }
    }

    fn accept(&mut self, msg: jetstream::Message) -> Option<BusMessage> {
        let seq = msg.info().ok()?.stream_sequence;
        if seq < self.next_seq {
            return None; // already delivered before a re-creation
        }
        self.next_seq = seq + 1;
        let msg_id = msg
            .headers
            .as_ref()
            .and_then(|h| h.get(async_nats::header::NATS_MESSAGE_ID))
            .map(|v| v.as_str().to_string());
        Some(BusMessage {
            subject: msg.subject.to_string(),
            payload: msg.payload.clone(),
            msg_id,
        })
    }

    fn drop_consumer(&mut self) {
        self.messages = None;
        let name = format!("{}_{}", self.name_base, self.serial);
        let js = self.shared.js.clone();
        let stream = self.shared.names.events.clone();
        // Best effort: the inactivity threshold removes it anyway.
        tokio::spawn(async move {
            let _ = js.delete_consumer_from_stream(name, stream).await;
        });
    }
}

/// Opens a live subscription on `filter` (already validated).
pub(super) async fn live(
    shared: Arc<NatsShared>,
    filter: String,
) -> Result<Subscription, BusError> {
    let mut live = Live {
        shared,
        filter,
        name_base: format!("armoricore-sub-{:016x}", rand::random::<u64>()),
        serial: 0,
        next_seq: 0,
        messages: None,
    };
    live.open(DeliverPolicy::New).await?;
    let stream = futures::stream::unfold(live, |mut live| async move {
        let message = live.next().await;
        Some((message, live))
    });
    Ok(Subscription::new(stream))
}
