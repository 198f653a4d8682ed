//! Publishing with retries: Ok only after a real PubAck from the stream.
//!
//! Every attempt carries the same `Nats-Msg-Id`, so an attempt whose PubAck was lost (the
//! server died after storing it) is answered as a duplicate by the next one instead of
//! being stored twice; the server rebuilds its duplicate table from the stream on restart,
//! so this holds across a restart inside the duplicate window.
//!
//! Retries: exponential from 50 ms to 2 s with jitter, while the failure is transient
//! (timeout, no responders while JetStream restarts, broken connection) and less than
//! `publish_timeout` has passed since the first attempt. Each attempt waits at most the
//! context's ack timeout (5 s, or `publish_timeout` if shorter) for its PubAck.

use std::time::{Duration, Instant};

use async_nats::HeaderMap;
use async_nats::jetstream::context::{PublishError, PublishErrorKind};
use backon::{ExponentialBuilder, Retryable};
use bytes::Bytes;

use super::NatsShared;
use crate::{BusError, PublishAck};

enum Failure {
    Transient(String),
    Permanent(BusError),
}

fn classify(err: PublishError) -> Failure {
    match err.kind() {
        PublishErrorKind::MaxPayloadExceeded
        | PublishErrorKind::WrongLastMessageId
        | PublishErrorKind::WrongLastSequence => {
            Failure::Permanent(BusError::Rejected(err.to_string()))
        }
        // StreamNotFound is "no responders": the subject was checked against the stream's
        // subjects before sending, so this is JetStream not (yet) answering.
        _ => Failure::Transient(err.to_string()),
    }
}

/// Publishes `payload` to `subject` with `headers` (which carry `Nats-Msg-Id`), retrying
/// until a PubAck or until `publish_timeout` has passed.
pub(crate) async fn publish(
    shared: &NatsShared,
    subject: &str,
    headers: HeaderMap,
    payload: Bytes,
) -> Result<PublishAck, BusError> {
    let started = Instant::now();
    let budget = shared.config.publish_timeout;
    // An attempt may block before its PubAck future exists (the client's outgoing queue is
    // full while disconnected); bound it by what remains of the budget.
    let attempt = || async {
        let remaining = budget
            .saturating_sub(started.elapsed())
            .max(Duration::from_millis(100));
        let send = async {
            let ack = shared
                .js
                .publish_with_headers(subject.to_string(), headers.clone(), payload.clone())
                .await
                .map_err(classify)?;
            ack.await.map_err(classify)
        };
        match tokio::time::timeout(remaining, send).await {
            Ok(result) => result,
            Err(_) => Err(Failure::Transient(
                "no PubAck before the publish budget ran out".into(),
            )),
        }
    };
    let backoff = ExponentialBuilder::default()
        .with_min_delay(Duration::from_millis(50))
        .with_max_delay(Duration::from_secs(2))
        .with_jitter()
        .without_max_times();
    let result = attempt
        .retry(backoff)
        .sleep(tokio::time::sleep)
        .when(|f| matches!(f, Failure::Transient(_)) && started.elapsed() < budget)
        .notify(|f, delay| {
            if let Failure::Transient(why) = f {
                tracing::warn!(subject, error = %why, retry_in = ?delay, "publish not acknowledged; retrying");
            }
        })
        .await;
    match result {
        Ok(ack) => Ok(PublishAck {
            sequence: ack.sequence,
            duplicate: ack.duplicate,
        }),
        Err(Failure::Permanent(e)) => Err(e),
        Err(Failure::Transient(last_error)) => Err(BusError::PublishTimeout {
            subject: subject.to_string(),
            waited: started.elapsed(),
            last_error,
        }),
    }
}
