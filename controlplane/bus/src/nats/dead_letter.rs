//! Dead letters on NATS: the copy into `armoricore-dlq`, its header format, and the
//! max-deliveries advisory path.
//!
//! What happens in each case (the durable `D`, a message at stream sequence `S`):
//! - **`term(reason)`** on any attempt: the worker's process copies the message to
//!   `<prefix>dlq.<event subject>` (body unchanged, headers below, `Nats-Msg-Id =
//!   dlq:D:S`), waits for the PubAck, then sends `+TERM` so the server stops redelivering.
//!   If the copy fails the message is not terminated and comes back after `ack_wait`.
//! - **`nak` on the last allowed attempt** (`attempt == max_deliver`): the same, with the
//!   reason `delivery attempts exhausted: nak on attempt N of N`.
//! - **`ack_wait` expires on the last attempt** (the worker crashed or stalled): when the
//!   server next tries to redeliver (which a pull consumer does while some worker of `D` is
//!   waiting in `next()`), it drops the message from `D`'s pending work and emits
//!   `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.<events stream>.D`. The advisories stream
//!   stores it, so it survives even if no worker runs at that moment. Each work queue of
//!   `D` runs a task that reads that stream through the durable `D` (shared, like the
//!   work), fetches message `S` by sequence (`STREAM.MSG.GET`, which 2.9 has) and copies
//!   it with the reason `delivery attempts exhausted: ack_wait expired ...`, then acks the
//!   advisory. If the message already aged out of the events stream the loss is logged at
//!   error level and the advisory acked.
//!
//! A copy made twice (a retried copy, a term racing the advisory) is stored once thanks to
//! the `dlq:D:S` id, inside the duplicate window.
//!
//! Headers of a dead letter: `Armoricore-Dlq-Reason`, `Armoricore-Dlq-Durable`,
//! `Armoricore-Original-Subject`, `Armoricore-Original-Sequence`, `Armoricore-Deliveries`,
//! and `Armoricore-Original-Msg-Id` when the original had a `Nats-Msg-Id`.

use std::sync::Arc;
use std::time::Duration;

use async_nats::HeaderMap;
use async_nats::jetstream::consumer::{AckPolicy, DeliverPolicy, PullConsumer, pull};
use async_nats::jetstream::stream::RawMessageErrorKind;
use async_nats::jetstream::{AckKind, Message};
use bytes::Bytes;
use futures::StreamExt;
use serde::Deserialize;

use super::NatsShared;
use super::streams::advisory_subject;
use crate::api::reason_ack_wait_exhausted;
use crate::subject::{dead_letter_subject, header_safe};
use crate::{BusError, DeadLetterInfo};

const H_REASON: &str = "Armoricore-Dlq-Reason";
const H_DURABLE: &str = "Armoricore-Dlq-Durable";
const H_SUBJECT: &str = "Armoricore-Original-Subject";
const H_SEQUENCE: &str = "Armoricore-Original-Sequence";
const H_DELIVERIES: &str = "Armoricore-Deliveries";
const H_MSG_ID: &str = "Armoricore-Original-Msg-Id";

/// How long a pull for advisories waits before it is renewed.
const ADVISORY_PULL: Duration = Duration::from_secs(5);

/// The message being dead-lettered.
pub(super) struct Letter {
    pub subject: String,
    pub payload: Bytes,
    pub msg_id: Option<String>,
    pub sequence: u64,
    pub deliveries: u32,
}

/// Copies `letter` to the dead-letter stream for `durable`; Ok once stored (or known as a
/// duplicate).
pub(super) async fn copy(
    shared: &NatsShared,
    durable: &str,
    letter: Letter,
    reason: &str,
) -> Result<(), BusError> {
    let mut headers = HeaderMap::new();
    headers.insert(
        async_nats::header::NATS_MESSAGE_ID,
        format!("dlq:{durable}:{}", letter.sequence),
    );
    headers.insert(H_REASON, header_safe(reason));
    headers.insert(H_DURABLE, durable);
    headers.insert(H_SUBJECT, letter.subject.as_str());
    headers.insert(H_SEQUENCE, letter.sequence.to_string());
    headers.insert(H_DELIVERIES, letter.deliveries.to_string());
    if let Some(id) = &letter.msg_id {
        headers.insert(H_MSG_ID, id.as_str());
    }
    let subject = dead_letter_subject(shared.prefix(), &letter.subject);
    super::publish::publish(shared, &subject, headers, letter.payload).await?;
    tracing::warn!(durable, subject = %letter.subject, sequence = letter.sequence, reason, "message dead-lettered");
    Ok(())
}

/// Reads the dead-letter headers: the info and the original msg id.
pub(super) fn parse(headers: Option<&HeaderMap>) -> Option<(DeadLetterInfo, Option<String>)> {
    let headers = headers?;
    let get = |name: &str| headers.get(name).map(|v| v.as_str().to_string());
    let info = DeadLetterInfo {
        reason: get(H_REASON).unwrap_or_default(),
        original_subject: get(H_SUBJECT)?,
        original_sequence: get(H_SEQUENCE)?.parse().ok()?,
        deliveries: get(H_DELIVERIES).and_then(|d| d.parse().ok()).unwrap_or(0),
        durable: get(H_DURABLE)?,
    };
    Some((info, get(H_MSG_ID)))
}

/// The fields of `io.nats.jetstream.advisory.v1.max_deliver` that are used.
#[derive(Deserialize)]
struct MaxDeliveries {
    consumer: String,
    stream_seq: u64,
    deliveries: u64,
}

/// Handles the max-deliveries advisories of `consumers` (the JetStream consumers of the
/// durable `durable`) until the task is aborted.
pub(super) async fn watch_advisories(
    shared: Arc<NatsShared>,
    durable: String,
    consumers: Vec<String>,
) {
    let config = pull::Config {
        durable_name: Some(durable.clone()),
        description: Some(format!("armoricore dead-lettering of {durable}")),
        deliver_policy: DeliverPolicy::All,
        ack_policy: AckPolicy::Explicit,
        ack_wait: Duration::from_secs(30),
        max_deliver: -1,
        filter_subject: advisory_subject(&shared.names.events, "*"),
        ..Default::default()
    };
    let mut consumer: Option<PullConsumer> = None;
    let mut failures = 0usize;
    loop {
        let pulled = async {
            let current = match &consumer {
                Some(c) => c.clone(),
                None => {
                    let created: PullConsumer = shared
                        .js
                        .create_consumer_on_stream(config.clone(), &shared.names.advisories)
                        .await
                        .map_err(|e| e.to_string())?;
                    consumer = Some(created.clone());
                    created
                }
            };
            let mut batch = current
                .batch()
                .max_messages(16)
                .expires(ADVISORY_PULL)
                .messages()
                .await
                .map_err(|e| e.to_string())?;
            while let Some(message) = batch.next().await {
                handle(
                    &shared,
                    &durable,
                    &consumers,
                    message.map_err(|e| e.to_string())?,
                )
                .await;
            }
            Ok::<(), String>(())
        };
        match pulled.await {
            Ok(()) => failures = 0,
            Err(e) => {
                consumer = None;
                failures += 1;
                tracing::warn!(durable, error = %e, "cannot read max-deliveries advisories; retrying");
                tokio::time::sleep(super::reconnect_delay(failures, Duration::from_secs(5))).await;
            }
        }
    }
}

async fn settle(message: &Message, kind: AckKind) {
    if let Err(e) = message.double_ack_with(kind).await {
        tracing::warn!(error = %e, "cannot settle a max-deliveries advisory; it will be redelivered");
    }
}

async fn handle(shared: &NatsShared, durable: &str, consumers: &[String], message: Message) {
    let advisory: MaxDeliveries = match serde_json::from_slice(&message.payload) {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(error = %e, "unreadable max-deliveries advisory dropped");
            return settle(&message, AckKind::Ack).await;
        }
    };
    if !consumers.contains(&advisory.consumer) {
        return settle(&message, AckKind::Ack).await; // another durable's
    }
    let stream = match shared.js.get_stream_no_info(&shared.names.events).await {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "cannot open the events stream for a dead letter");
            return settle(&message, AckKind::Nak(Some(Duration::from_secs(1)))).await;
        }
    };
    let original = match stream.get_raw_message(advisory.stream_seq).await {
        Ok(m) => m,
        Err(e) if e.kind() == RawMessageErrorKind::NoMessageFound => {
            tracing::error!(
                durable,
                sequence = advisory.stream_seq,
                "message exhausted its deliveries but is no longer retained; it cannot be dead-lettered"
            );
            return settle(&message, AckKind::Ack).await;
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot fetch a message to dead-letter; retrying");
            return settle(&message, AckKind::Nak(Some(Duration::from_secs(1)))).await;
        }
    };
    let deliveries = u32::try_from(advisory.deliveries).unwrap_or(u32::MAX);
    let letter = Letter {
        subject: original.subject.to_string(),
        msg_id: original
            .headers
            .get(async_nats::header::NATS_MESSAGE_ID)
            .map(|v| v.as_str().to_string()),
        payload: original.payload,
        sequence: advisory.stream_seq,
        deliveries,
    };
    match copy(
        shared,
        durable,
        letter,
        &reason_ack_wait_exhausted(deliveries),
    )
    .await
    {
        Ok(()) => settle(&message, AckKind::Ack).await,
        Err(e) => {
            tracing::warn!(error = %e, "cannot store a dead letter; retrying");
            settle(&message, AckKind::Nak(Some(Duration::from_secs(1)))).await
        }
    }
}
