//! Work-queue consumers on NATS: durable pull consumers with explicit ack, and their acker.
//!
//! A spec with one subject is one JetStream consumer named after the durable. NATS 2.9
//! allows one filter subject per consumer (`filter_subjects` is 2.10), so a spec with
//! several subjects becomes one consumer per subject, named `<durable>--<subject with
//! . * > spelled _ STAR ALL>`, read together; the subjects are disjoint (checked), so no
//! message reaches two of them.
//!
//! Pulling: each consumer ("lane") has one pull request of one message outstanding at a
//! time, renewed every [`PULL_EXPIRES`]. Pulling one at a time shares the work evenly
//! between competing consumers and never lets a message age in a client buffer while its
//! `ack_wait` runs; the cost is one round trip per message, negligible for media jobs and
//! notifications. With several lanes at most one message per lane waits in the client.
//!
//! Outages: any failure of a pull (connection lost, consumer missing after a restart, no
//! responders) drops the lane's consumer handle and re-creates the consumer (an idempotent
//! create-or-update; the streams too if the server lost them), retrying with capped
//! exponential backoff, so `next()` only returns a delivery or a refusal by the server.
//!
//! Redelivery: `ack_wait` and `max_deliver` are the consumer's; the backoff of `nak(None)`
//! is applied by the client as a `-NAK {"delay": ...}` (supported by 2.9), not as the
//! consumer's `backoff` list, because on the server that list replaces `ack_wait` per
//! attempt, which would redeliver a long media job while it is still running.

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::consumer::{AckPolicy, DeliverPolicy, PullConsumer, pull};
use async_nats::jetstream::message::Acker as JsAcker;
use async_nats::jetstream::stream::ConsumerErrorKind;
use async_nats::jetstream::{AckKind, ErrorCode};
use async_trait::async_trait;
use futures::StreamExt;
use futures::stream::{BoxStream, SelectAll};

use super::NatsShared;
use super::dead_letter::{self, Letter};
use crate::api::{Acker, DeliveryParts, Settle, SettlePolicy};
use crate::{BusError, Delivery, WorkQueue, WorkQueueSpec, subject};

/// How long one pull request waits on the server before it is renewed.
const PULL_EXPIRES: Duration = Duration::from_secs(5);
/// Longest pause between attempts to re-create a consumer during an outage.
const MAX_PAUSE: Duration = Duration::from_secs(2);

/// Which stream a queue reads, and how its deliveries are interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reader {
    Work,
    DeadLetters,
}

struct QueueCtx {
    shared: Arc<NatsShared>,
    durable: String,
    stream: String,
    reader: Reader,
    policy: Arc<SettlePolicy>,
}

enum Failure {
    Transient(String),
    Permanent(BusError),
}

impl QueueCtx {
    async fn create(&self, config: &pull::Config) -> Result<PullConsumer, Failure> {
        let err = match self
            .shared
            .js
            .create_consumer_on_stream(config.clone(), &self.stream)
            .await
        {
            Ok(c) => return Ok(c),
            Err(err) => err,
        };
        match err.kind() {
            ConsumerErrorKind::JetStream(e) if e.error_code() == ErrorCode::STREAM_NOT_FOUND => {
                // The server lost its store: put the streams back, then try again.
                if let Err(e) = super::streams::ensure_all(&self.shared).await {
                    return Err(Failure::Transient(e.to_string()));
                }
                Err(Failure::Transient(format!(
                    "stream {} was missing",
                    self.stream
                )))
            }
            ConsumerErrorKind::JetStream(e) => {
                Err(Failure::Permanent(BusError::Rejected(format!(
                    "consumer {} on {}: {e}",
                    config.durable_name.as_deref().unwrap_or_default(),
                    self.stream
                ))))
            }
            ConsumerErrorKind::InvalidName | ConsumerErrorKind::InvalidConsumerType => {
                Err(Failure::Permanent(BusError::Rejected(err.to_string())))
            }
            _ => Err(Failure::Transient(err.to_string())),
        }
    }

    /// Turns a pulled message into a delivery; None for a message this reader skips.
    async fn delivery(
        self: &Arc<Self>,
        message: async_nats::jetstream::Message,
    ) -> Option<Delivery> {
        let (attempt, stream_sequence) = match message.info() {
            Ok(info) => (
                u32::try_from(info.delivered.max(1)).unwrap_or(u32::MAX),
                info.stream_sequence,
            ),
            Err(e) => {
                tracing::warn!(error = %e, "pulled a message without JetStream metadata; skipped");
                return None;
            }
        };
        let (message, js_acker) = message.split();
        let header = |name| {
            message
                .headers
                .as_ref()
                .and_then(|h| h.get(name))
                .map(|v| v.as_str().to_string())
        };
        let (msg_id, dead_letter) = match self.reader {
            Reader::Work => (header(async_nats::header::NATS_MESSAGE_ID), None),
            Reader::DeadLetters => match dead_letter::parse(message.headers.as_ref()) {
                Some((info, _)) if info.durable != self.durable => {
                    // Another durable's dead letter: not ours to read.
                    let _ = js_acker.double_ack().await;
                    return None;
                }
                Some((info, original_id)) => (original_id, Some(info)),
                None => {
                    tracing::warn!(subject = %message.subject, "dead letter without its headers; skipped");
                    let _ = js_acker.double_ack().await;
                    return None;
                }
            },
        };
        let parts = DeliveryParts {
            subject: message.subject.to_string(),
            payload: message.payload.clone(),
            msg_id: msg_id.clone(),
            attempt,
            stream_sequence,
            dead_letter,
        };
        let acker = NatsAcker {
            ctx: self.clone(),
            js_acker,
            letter: Letter {
                subject: message.subject.to_string(),
                payload: message.payload,
                msg_id,
                sequence: stream_sequence,
                deliveries: attempt,
            },
        };
        Some(Delivery::new(parts, self.policy.clone(), Box::new(acker)))
    }
}

/// One JetStream consumer of a queue and its outstanding pull.
struct Lane {
    config: pull::Config,
    consumer: Option<PullConsumer>,
    batch: Option<pull::Batch>,
    failures: u32,
}

impl Lane {
    async fn pause(&mut self, why: &str) {
        self.failures += 1;
        let name = self.config.durable_name.as_deref().unwrap_or_default();
        if self.failures <= 3 || self.failures.is_multiple_of(20) {
            tracing::warn!(
                consumer = name,
                error = why,
                attempt = self.failures,
                "work queue pull failed; retrying"
            );
        }
        tokio::time::sleep(super::reconnect_delay(self.failures as usize, MAX_PAUSE)).await;
    }

    async fn next(&mut self, ctx: &Arc<QueueCtx>) -> Result<Delivery, BusError> {
        loop {
            if self.batch.is_none() {
                let consumer = match &self.consumer {
                    Some(c) => c.clone(),
                    None => match ctx.create(&self.config).await {
                        Ok(c) => {
                            self.consumer = Some(c.clone());
                            c
                        }
                        Err(Failure::Permanent(e)) => {
                            self.pause(&e.to_string()).await;
                            return Err(e);
                        }
                        Err(Failure::Transient(why)) => {
                            self.pause(&why).await;
                            continue;
                        }
                    },
                };
                match consumer
                    .batch()
                    .max_messages(1)
                    .expires(PULL_EXPIRES)
                    .messages()
                    .await
                {
                    Ok(batch) => self.batch = Some(batch),
                    Err(e) => {
                        self.consumer = None;
                        self.pause(&e.to_string()).await;
                        continue;
                    }
                }
            }
            let Some(batch) = self.batch.as_mut() else {
                continue;
            };
            match batch.next().await {
                Some(Ok(message)) => {
                    self.batch = None;
                    self.failures = 0;
                    if let Some(delivery) = ctx.delivery(message).await {
                        return Ok(delivery);
                    }
                }
                Some(Err(e)) => {
                    self.batch = None;
                    self.consumer = None;
                    self.pause(&e.to_string()).await;
                }
                None => self.batch = None,
            }
        }
    }
}

/// Aborts the advisory task when the queue is dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

struct NatsQueue {
    lanes: SelectAll<BoxStream<'static, Result<Delivery, BusError>>>,
    _advisories: Option<AbortOnDrop>,
}

#[async_trait]
impl WorkQueue for NatsQueue {
    async fn next(&mut self) -> Result<Delivery, BusError> {
        self.lanes.next().await.unwrap_or(Err(BusError::Closed))
    }
}

/// The JetStream consumer name of the lane of `filter` in a spec of several subjects.
fn lane_name(durable: &str, filter: &str) -> String {
    let token = filter
        .replace('.', "_")
        .replace('*', "STAR")
        .replace('>', "ALL");
    format!("{durable}--{token}")
}

fn lane_stream(ctx: Arc<QueueCtx>, lane: Lane) -> BoxStream<'static, Result<Delivery, BusError>> {
    futures::stream::unfold((ctx, lane), |(ctx, mut lane)| async move {
        let item = lane.next(&ctx).await;
        Some((item, (ctx, lane)))
    })
    .boxed()
}

async fn open(
    ctx: Arc<QueueCtx>,
    configs: Vec<pull::Config>,
) -> Result<SelectAll<BoxStream<'static, Result<Delivery, BusError>>>, BusError> {
    let mut lanes = Vec::with_capacity(configs.len());
    for config in configs {
        // Created eagerly so that a refused spec fails here, not in the first next().
        let consumer = match ctx.create(&config).await {
            Ok(c) => Some(c),
            Err(Failure::Permanent(e)) => return Err(e),
            Err(Failure::Transient(why)) => {
                return Err(BusError::Unavailable(format!("creating consumer: {why}")));
            }
        };
        let lane = Lane {
            config,
            consumer,
            batch: None,
            failures: 0,
        };
        lanes.push(lane_stream(ctx.clone(), lane));
    }
    Ok(futures::stream::select_all(lanes))
}

/// Opens (creating or updating) the durable consumers of `spec`.
pub(super) async fn open_work_queue(
    shared: Arc<NatsShared>,
    spec: WorkQueueSpec,
) -> Result<Box<dyn WorkQueue>, BusError> {
    let single = spec.subjects.len() == 1;
    let configs: Vec<pull::Config> = spec
        .subjects
        .iter()
        .map(|filter| pull::Config {
            durable_name: Some(if single {
                spec.durable.clone()
            } else {
                lane_name(&spec.durable, filter)
            }),
            description: Some(format!("armoricore work queue {} ({filter})", spec.durable)),
            deliver_policy: DeliverPolicy::All,
            ack_policy: AckPolicy::Explicit,
            ack_wait: spec.ack_wait,
            max_deliver: i64::from(spec.max_deliver),
            filter_subject: filter.clone(),
            max_ack_pending: i64::try_from(spec.max_ack_pending).unwrap_or(i64::MAX),
            ..Default::default()
        })
        .collect();
    let names: Vec<String> = configs
        .iter()
        .filter_map(|c| c.durable_name.clone())
        .collect();
    let ctx = Arc::new(QueueCtx {
        stream: shared.names.events.clone(),
        durable: spec.durable.clone(),
        reader: Reader::Work,
        policy: SettlePolicy::for_spec(&spec),
        shared: shared.clone(),
    });
    let lanes = open(ctx, configs).await?;
    let task = tokio::spawn(dead_letter::watch_advisories(shared, spec.durable, names));
    Ok(Box::new(NatsQueue {
        lanes,
        _advisories: Some(AbortOnDrop(task)),
    }))
}

/// Opens the dead-letter reader of `durable`: a durable consumer of the same name on the
/// dead-letter stream, skipping (and acking) other durables' letters.
pub(super) async fn open_dead_letters(
    shared: Arc<NatsShared>,
    durable: String,
) -> Result<Box<dyn WorkQueue>, BusError> {
    let config = pull::Config {
        durable_name: Some(durable.clone()),
        description: Some(format!("armoricore dead letters of {durable}")),
        deliver_policy: DeliverPolicy::All,
        ack_policy: AckPolicy::Explicit,
        ack_wait: crate::api::DEAD_LETTER_ACK_WAIT,
        max_deliver: -1,
        filter_subject: subject::dead_letter_filter(shared.prefix()),
        max_ack_pending: crate::api::DEAD_LETTER_MAX_ACK_PENDING as i64,
        ..Default::default()
    };
    let ctx = Arc::new(QueueCtx {
        stream: shared.names.dead_letters.clone(),
        durable,
        reader: Reader::DeadLetters,
        policy: SettlePolicy::dead_letter_reader(),
        shared,
    });
    let lanes = open(ctx, vec![config]).await?;
    Ok(Box::new(NatsQueue {
        lanes,
        _advisories: None,
    }))
}

struct NatsAcker {
    ctx: Arc<QueueCtx>,
    js_acker: JsAcker,
    letter: Letter,
}

#[async_trait]
impl Acker for NatsAcker {
    async fn settle(&self, how: Settle) -> Result<(), BusError> {
        let kind = match how {
            Settle::Ack => AckKind::Ack,
            Settle::Nak(delay) if delay.is_zero() => AckKind::Nak(None),
            Settle::Nak(delay) => AckKind::Nak(Some(delay)),
            Settle::Term => AckKind::Term,
            Settle::Progress => AckKind::Progress,
            Settle::DeadLetter(reason) => {
                let letter = Letter {
                    subject: self.letter.subject.clone(),
                    payload: self.letter.payload.clone(),
                    msg_id: self.letter.msg_id.clone(),
                    sequence: self.letter.sequence,
                    deliveries: self.letter.deliveries,
                };
                dead_letter::copy(&self.ctx.shared, &self.ctx.durable, letter, &reason).await?;
                AckKind::Term
            }
        };
        self.js_acker
            .double_ack_with(kind)
            .await
            .map_err(|e| BusError::Unavailable(format!("settling delivery: {e}")))
    }
}
