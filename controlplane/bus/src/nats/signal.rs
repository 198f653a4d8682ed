//! Ephemeral signals on core NATS: a plain publish to `<prefix>signal.<name>` and a plain
//! subscription to it, on the bus's one connection. No stream holds these subjects (see
//! [`crate::subject`]), so nothing is stored, acknowledged or de-duplicated.
//!
//! Promptness: async-nats has no flush timer. Its connection task writes each publish to
//! the socket as soon as it takes it from the client's queue and flushes when the queue is
//! empty, so a signal leaves within one scheduling of that task, not after a batch delay.
//!
//! While disconnected, sending **fails fast** with [`BusError::Unavailable`] instead of
//! letting the client buffer it: a presence update or heartbeat delivered after a
//! reconnection would be stale, and a full client queue would block the sender for the
//! whole outage. One that races the disconnection (the state still said connected) is in
//! the client's queue and is sent after the reconnection or lost, as at-most-once allows.
//! Sending waits at most [`SEND_TIMEOUT`] for room in the client's queue.
//!
//! Listening: `signals` subscribes, then makes one request round trip on the same
//! connection ([`BARRIER_SUBJECT`]). The server handles a connection's operations in order, so once the answer
//! is back the subscription is registered and a signal any node sends from then on reaches
//! it (on a single server; across a cluster, interest propagates asynchronously). After a
//! reconnection the client subscribes again by itself; signals sent in between are lost.
//!
//! Buffering: each listener has the client's per-subscription queue (async-nats'
//! `subscription_capacity`, 65 536 messages). A listener that falls further behind loses
//! new signals (the client drops them and reports a slow consumer, which
//! [`super::NatsBus::connect`]'s event callback logs as a warning); it never blocks the
//! connection or the senders.

use std::sync::Arc;
use std::time::Duration;

use async_nats::client::{PublishErrorKind, RequestErrorKind};
use async_nats::connection::State;
use bytes::Bytes;
use futures::StreamExt;

use super::NatsShared;
use crate::{BusError, BusMessage, Subscription};

/// Longest wait for room in the client's outgoing queue (full only when the connection
/// task is far behind); past it the signal is not sent.
pub(super) const SEND_TIMEOUT: Duration = Duration::from_secs(1);

/// Where `signals` sends its round trip: JetStream's account-info request, which every
/// server this bus works with answers (the bus needs JetStream) and which changes nothing.
/// The answer is not parsed, so its format across server versions does not matter.
const BARRIER_SUBJECT: &str = "$JS.API.INFO";

/// Sends `payload` on `subject` (already validated) without storing it.
pub(super) async fn send(
    shared: &NatsShared,
    subject: String,
    payload: Bytes,
) -> Result<(), BusError> {
    let state = shared.client.connection_state();
    if state != State::Connected {
        return Err(BusError::Unavailable(format!(
            "signal `{subject}` not sent: nats {} is {state:?}",
            shared.url
        )));
    }
    let publish = shared.client.publish(subject.clone(), payload);
    match tokio::time::timeout(SEND_TIMEOUT, publish).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) if e.kind() == PublishErrorKind::MaxPayloadExceeded => {
            Err(BusError::Rejected(format!("signal `{subject}`: {e}")))
        }
        Ok(Err(e)) => Err(BusError::Unavailable(format!("signal `{subject}`: {e}"))),
        Err(_) => Err(BusError::Unavailable(format!(
            "signal `{subject}` not sent: the client's queue stayed full for {SEND_TIMEOUT:?}"
        ))),
    }
}

/// Listens to `subject` (already validated) from the moment the server confirms it.
pub(super) async fn listen(
    shared: Arc<NatsShared>,
    subject: String,
) -> Result<Subscription, BusError> {
    let subscriber = shared
        .client
        .subscribe(subject.clone())
        .await
        .map_err(|e| BusError::Unavailable(format!("signal listener on `{subject}`: {e}")))?;
    // The round trip that proves the server has the subscription (module doc). Any answer
    // will do, "no responders" included: the server sends it only after handling the
    // request, so after the subscription. On failure the subscriber is dropped, which
    // unsubscribes.
    let probe = shared.client.request(BARRIER_SUBJECT, Bytes::new());
    let confirmed = match tokio::time::timeout(super::API_TIMEOUT, probe).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) if e.kind() == RequestErrorKind::NoResponders => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("no answer within {:?}", super::API_TIMEOUT)),
    };
    confirmed.map_err(|why| {
        BusError::Unavailable(format!(
            "signal listener on `{subject}` not confirmed by the server: {why}"
        ))
    })?;
    let stream = subscriber.map(|message| BusMessage {
        subject: message.subject.to_string(),
        payload: message.payload,
        msg_id: None,
    });
    Ok(Subscription::new(stream))
}
