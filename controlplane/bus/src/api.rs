//! The bus contract: the [`Bus`] and [`WorkQueue`] traits and the values that cross them.
//!
//! Nothing here names NATS: a Kafka bus later implements the same traits. The decisions
//! both implementations must take identically (what `nak` without a delay waits, when a
//! delivery is dead-lettered instead of redelivered, the dead-letter reasons) live here, in
//! [`Delivery`], so the implementations only carry them out through their private acker.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures::Stream;

use crate::BusError;

/// The message bus of the control plane, used as `Arc<dyn Bus>`.
#[async_trait]
pub trait Bus: Send + Sync + 'static {
    /// `"memory"` or `"nats"`.
    fn kind(&self) -> &'static str;

    /// The prefix every subject of this bus starts with (`""` or e.g. `"prod."`).
    fn subject_prefix(&self) -> &str;

    /// Durable publish to `subject` (an event subject of this bus, prefix included).
    ///
    /// `msg_id` is the idempotency key (the event id): a second publish with the same id
    /// inside the duplicate window is acknowledged with `duplicate: true` and the original
    /// sequence, and is not delivered again. Returns only once the message is stored.
    async fn publish(
        &self,
        subject: &str,
        msg_id: &str,
        payload: Bytes,
    ) -> Result<PublishAck, BusError>;

    /// Fan-out subscription: every subscriber gets every message stored after it
    /// subscribed, at most once, live (nothing is replayed). `filter` may use `*` and `>`.
    async fn subscribe(&self, filter: &str) -> Result<Subscription, BusError>;

    /// Durable work-queue consumer: explicit ack, bounded redelivery with backoff,
    /// dead-letter queue. Several calls with the same durable name share the work
    /// (competing consumers). A new durable starts from the oldest retained message that
    /// matches its subjects. Calling it again for an existing durable updates its limits
    /// (the last call wins); changing its subjects is refused.
    async fn work_queue(&self, spec: WorkQueueSpec) -> Result<Box<dyn WorkQueue>, BusError>;

    /// Reads the dead letters of the durable `durable`: each delivery carries
    /// [`Delivery::dead_letter`]. Acking one removes it from this reader; readers of the
    /// same durable share the work like [`Bus::work_queue`] consumers.
    async fn dead_letters(&self, durable: &str) -> Result<Box<dyn WorkQueue>, BusError>;

    /// Sends `payload` to every current listener of signal `name` on every node (this one
    /// included). At most once, not stored, not de-duplicated: a node that is not listening
    /// at that moment never sees it.
    ///
    /// For node-to-node chatter whose loss costs nothing a later signal does not repair
    /// (presence replication, heartbeats, relaying a broadcast). It travels on
    /// `<prefix>signal.<name>`, which no stream holds, so it never reaches [`Bus::subscribe`],
    /// a work queue or a dead-letter reader. `name` is one or more tokens such as `presence`
    /// or `relay.chat`; anything else is [`BusError::InvalidSignalName`].
    ///
    /// Ok means the signal was handed to the transport, not that anyone received it. Signals
    /// from one bus reach each listener in the order they were sent. It never waits for a
    /// slow listener. While the bus is disconnected it fails fast with
    /// [`BusError::Unavailable`] instead of queueing (see [`crate::nats`]).
    async fn signal(&self, name: &str, payload: Bytes) -> Result<(), BusError>;

    /// Listens to signal `name` from now on: once this returns, every signal sent to `name`
    /// on any node of this bus's prefix reaches the listener; nothing sent earlier does.
    /// Items are `BusMessage { subject: "<prefix>signal.<name>", payload, msg_id: None }`.
    ///
    /// A listener that falls too far behind loses signals (each implementation documents
    /// its buffer and logs the loss); dropping the subscription stops listening.
    async fn signals(&self, name: &str) -> Result<Subscription, BusError>;

    /// Whether the bus is usable now, with a human-readable detail.
    async fn health(&self) -> BusHealth;
}

/// A pull-style consumer returned by [`Bus::work_queue`] and [`Bus::dead_letters`].
#[async_trait]
pub trait WorkQueue: Send {
    /// Waits for the next delivery. Transient outages are retried internally, so an error
    /// is permanent (the consumer was refused, the bus closed).
    ///
    /// Cancel safety: dropping the future loses nothing; a delivery already on its way is
    /// returned by the next call.
    async fn next(&mut self) -> Result<Delivery, BusError>;
}

/// The server's answer to a publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublishAck {
    /// Stream sequence of the stored message (of the original, for a duplicate).
    pub sequence: u64,
    /// The `msg_id` was seen inside the duplicate window; nothing new was stored. A publish
    /// that had to retry may see its own earlier attempt here.
    pub duplicate: bool,
}

/// A message received by a [`Subscription`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusMessage {
    /// The subject it was published to (prefix included).
    pub subject: String,
    /// The body, unchanged.
    pub payload: Bytes,
    /// The `msg_id` it was published with (`None` for a signal).
    pub msg_id: Option<String>,
}

/// The live stream of messages returned by [`Bus::subscribe`] and [`Bus::signals`]; it ends
/// only when the bus closes.
pub struct Subscription {
    inner: Pin<Box<dyn Stream<Item = BusMessage> + Send>>,
}

impl Subscription {
    pub(crate) fn new(inner: impl Stream<Item = BusMessage> + Send + 'static) -> Self {
        Subscription {
            inner: Box::pin(inner),
        }
    }
}

impl Stream for Subscription {
    type Item = BusMessage;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<BusMessage>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl fmt::Debug for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Subscription")
    }
}

/// What a durable work-queue consumer reads and how it retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkQueueSpec {
    /// Durable name: 1 to 64 characters of `A-Z a-z 0-9 - _`.
    pub durable: String,
    /// Full subjects or filters (prefix included), pairwise disjoint.
    pub subjects: Vec<String>,
    /// Deliveries allowed per message, the first included (at least 1).
    pub max_deliver: u32,
    /// Delay before redelivery after `nak(None)` on attempt *n*: `backoff[n-1]`, the last
    /// entry repeating; empty means redeliver at once.
    pub backoff: Vec<Duration>,
    /// How long a delivery may stay unsettled before it is redelivered (a crashed worker).
    pub ack_wait: Duration,
    /// Deliveries in flight at once for this durable, across its consumers; new messages
    /// wait while it is reached (redeliveries do not).
    pub max_ack_pending: usize,
}

impl WorkQueueSpec {
    /// A spec with the defaults: 5 deliveries, backoff 1 s, 5 s, 30 s, 60 s, ack_wait 30 s,
    /// 1000 in flight.
    pub fn new<S: Into<String>>(
        durable: impl Into<String>,
        subjects: impl IntoIterator<Item = S>,
    ) -> Self {
        WorkQueueSpec {
            durable: durable.into(),
            subjects: subjects.into_iter().map(Into::into).collect(),
            max_deliver: 5,
            backoff: [1, 5, 30, 60].map(Duration::from_secs).to_vec(),
            ack_wait: Duration::from_secs(30),
            max_ack_pending: 1000,
        }
    }

    /// The delay before redelivery after `nak(None)` on `attempt` (1-based).
    pub fn redelivery_delay(&self, attempt: u32) -> Duration {
        redelivery_delay(&self.backoff, attempt)
    }

    /// Checks the spec against the subjects of the stream it reads.
    pub(crate) fn validate(&self, stream_subjects: &[String]) -> Result<(), BusError> {
        crate::subject::validate_durable(&self.durable)?;
        let bad = |what: String| Err(BusError::InvalidSpec(what));
        if self.subjects.is_empty() {
            return bad("subjects is empty".into());
        }
        for filter in &self.subjects {
            crate::subject::validate_filter_within(filter, stream_subjects)?;
        }
        // Pairwise disjoint: a message matching two filters would be delivered twice.
        for s in stream_subjects {
            let n = self
                .subjects
                .iter()
                .filter(|f| crate::subject::matches(f, s))
                .count();
            if n > 1 {
                return bad(format!("subjects overlap on `{s}`"));
            }
        }
        if self.max_deliver == 0 {
            return bad("max_deliver must be at least 1".into());
        }
        if self.ack_wait.is_zero() {
            return bad("ack_wait must be positive".into());
        }
        if self.max_ack_pending == 0 {
            return bad("max_ack_pending must be at least 1".into());
        }
        Ok(())
    }
}

fn redelivery_delay(backoff: &[Duration], attempt: u32) -> Duration {
    let i = (attempt.max(1) - 1) as usize;
    backoff
        .get(i)
        .or(backoff.last())
        .copied()
        .unwrap_or(Duration::ZERO)
}

/// Why and from where a dead letter came; carried by deliveries of [`Bus::dead_letters`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetterInfo {
    /// The `term` reason, or which way the attempts ran out.
    pub reason: String,
    /// The subject the message was published to.
    pub original_subject: String,
    /// Its sequence in the events stream.
    pub original_sequence: u64,
    /// How many times it had been delivered.
    pub deliveries: u32,
    /// The durable that gave up on it.
    pub durable: String,
}

/// The answer of [`Bus::health`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusHealth {
    /// Whether the bus can take publishes now.
    pub connected: bool,
    /// What the bus is connected to, or why not.
    pub detail: String,
}

/// One message handed to a [`WorkQueue`] consumer; settle it with exactly one of
/// [`ack`](Delivery::ack), [`nak`](Delivery::nak) or [`term`](Delivery::term). Dropping it
/// unsettled is a crashed worker: it is redelivered once `ack_wait` expires.
pub struct Delivery {
    /// The subject it was published to (for a dead letter: its dead-letter subject).
    pub subject: String,
    /// The body, unchanged.
    pub payload: Bytes,
    /// The `msg_id` it was published with.
    pub msg_id: Option<String>,
    /// 1 for the first delivery, previous + 1 for each redelivery.
    pub attempt: u32,
    /// Its sequence in the stream it is read from.
    pub stream_sequence: u64,
    /// Set on deliveries of [`Bus::dead_letters`].
    pub dead_letter: Option<DeadLetterInfo>,
    policy: Arc<SettlePolicy>,
    acker: Box<dyn Acker>,
}

/// How an implementation settles one delivery on its backend; chosen by [`Delivery`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Settle {
    /// Done: remove it from the durable's pending work.
    Ack,
    /// Redeliver after this delay (zero: at once).
    Nak(Duration),
    /// Stop redelivering without a dead letter (dead-letter readers).
    Term,
    /// Copy to the dead-letter stream with this reason, then stop redelivering.
    DeadLetter(String),
    /// Still working: restart the ack_wait clock.
    Progress,
}

/// The per-durable rules [`Delivery`] applies before calling its acker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SettlePolicy {
    /// Deliveries allowed; `None` for dead-letter readers (unlimited).
    pub max_deliver: Option<u32>,
    /// See [`WorkQueueSpec::backoff`].
    pub backoff: Vec<Duration>,
}

impl SettlePolicy {
    pub(crate) fn for_spec(spec: &WorkQueueSpec) -> Arc<Self> {
        Arc::new(SettlePolicy {
            max_deliver: Some(spec.max_deliver),
            backoff: spec.backoff.clone(),
        })
    }

    pub(crate) fn dead_letter_reader() -> Arc<Self> {
        Arc::new(SettlePolicy {
            max_deliver: None,
            backoff: vec![Duration::from_secs(1)],
        })
    }
}

/// The backend half of a [`Delivery`].
#[async_trait]
pub(crate) trait Acker: Send + Sync + 'static {
    async fn settle(&self, how: Settle) -> Result<(), BusError>;
}

/// `ack_wait` of dead-letter readers.
pub(crate) const DEAD_LETTER_ACK_WAIT: Duration = Duration::from_secs(30);
/// `max_ack_pending` of dead-letter readers.
pub(crate) const DEAD_LETTER_MAX_ACK_PENDING: usize = 1000;

/// The reason recorded when the last allowed attempt is nak'ed.
pub(crate) fn reason_nak_exhausted(attempt: u32, max_deliver: u32) -> String {
    format!("delivery attempts exhausted: nak on attempt {attempt} of {max_deliver}")
}

/// The reason recorded when the last allowed attempt is neither acked nor nak'ed in time.
pub(crate) fn reason_ack_wait_exhausted(deliveries: u32) -> String {
    format!(
        "delivery attempts exhausted: ack_wait expired on attempt {deliveries} of {deliveries} \
         (worker crashed or stalled)"
    )
}

impl Delivery {
    pub(crate) fn new(
        parts: DeliveryParts,
        policy: Arc<SettlePolicy>,
        acker: Box<dyn Acker>,
    ) -> Self {
        Delivery {
            subject: parts.subject,
            payload: parts.payload,
            msg_id: parts.msg_id,
            attempt: parts.attempt,
            stream_sequence: parts.stream_sequence,
            dead_letter: parts.dead_letter,
            policy,
            acker,
        }
    }

    /// Whether no redelivery follows this one: a `nak` now dead-letters it.
    pub fn is_last_attempt(&self) -> bool {
        self.policy
            .max_deliver
            .is_some_and(|max| self.attempt >= max)
    }

    /// The work is done and its effects are durable: remove the message for good.
    pub async fn ack(self) -> Result<(), BusError> {
        self.acker.settle(Settle::Ack).await
    }

    /// The work failed and may succeed later: redeliver after `delay`, or after the spec's
    /// backoff for this attempt when `None`. On the last allowed attempt the message goes
    /// to the dead-letter queue instead.
    pub async fn nak(self, delay: Option<Duration>) -> Result<(), BusError> {
        if let (true, Some(max)) = (self.is_last_attempt(), self.policy.max_deliver) {
            let reason = reason_nak_exhausted(self.attempt, max);
            return self.acker.settle(Settle::DeadLetter(reason)).await;
        }
        let delay = delay.unwrap_or_else(|| redelivery_delay(&self.policy.backoff, self.attempt));
        self.acker.settle(Settle::Nak(delay)).await
    }

    /// The work can never succeed: copy the message to the dead-letter queue with
    /// `reason` and stop redelivering it. On a dead-letter reader this only stops
    /// redelivery.
    pub async fn term(self, reason: &str) -> Result<(), BusError> {
        if self.dead_letter.is_some() {
            return self.acker.settle(Settle::Term).await;
        }
        let reason = crate::subject::header_safe(reason);
        self.acker.settle(Settle::DeadLetter(reason)).await
    }

    /// Still working: restart the `ack_wait` clock so the message is not redelivered.
    pub async fn in_progress(&self) -> Result<(), BusError> {
        self.acker.settle(Settle::Progress).await
    }
}

impl fmt::Debug for Delivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Delivery")
            .field("subject", &self.subject)
            .field("msg_id", &self.msg_id)
            .field("attempt", &self.attempt)
            .field("stream_sequence", &self.stream_sequence)
            .field("payload_len", &self.payload.len())
            .field("dead_letter", &self.dead_letter)
            .finish_non_exhaustive()
    }
}

/// The public fields of a [`Delivery`], as an implementation assembles them.
#[derive(Debug, Clone)]
pub(crate) struct DeliveryParts {
    pub subject: String,
    pub payload: Bytes,
    pub msg_id: Option<String>,
    pub attempt: u32,
    pub stream_sequence: u64,
    pub dead_letter: Option<DeadLetterInfo>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nak_delay_follows_backoff_and_repeats_the_last_entry() {
        let mut spec = WorkQueueSpec::new("w", ["media.uploaded"]);
        spec.backoff = vec![Duration::from_secs(1), Duration::from_secs(5)];
        assert_eq!(spec.redelivery_delay(1), Duration::from_secs(1));
        assert_eq!(spec.redelivery_delay(2), Duration::from_secs(5));
        assert_eq!(spec.redelivery_delay(9), Duration::from_secs(5));
        spec.backoff.clear();
        assert_eq!(spec.redelivery_delay(3), Duration::ZERO);
    }

    #[test]
    fn specs_with_overlapping_or_foreign_subjects_are_refused() {
        let subjects = crate::subject::event_subjects("");
        let ok = WorkQueueSpec::new("w", ["media.uploaded", "notification.requested"]);
        assert!(ok.validate(&subjects).is_ok());
        let overlap = WorkQueueSpec::new("w", ["media.>", "media.uploaded"]);
        assert!(overlap.validate(&subjects).is_err());
        let foreign = WorkQueueSpec::new("w", ["other.thing"]);
        assert!(foreign.validate(&subjects).is_err());
        let bad_name = WorkQueueSpec::new("a.b", ["media.uploaded"]);
        assert!(bad_name.validate(&subjects).is_err());
        let mut zero = WorkQueueSpec::new("w", ["media.uploaded"]);
        zero.max_deliver = 0;
        assert!(zero.validate(&subjects).is_err());
    }
}
