//! Ephemeral signals of the in-process bus: one broadcast channel per signal subject that
//! has listeners, shared by every bus of one [`super::MemoryServer`] (so two buses of one
//! prefix see each other's signals, as two nodes on one NATS server do).
//!
//! Limits and what hitting them costs:
//! - Each listener has a queue of [`SIGNAL_CAPACITY`] signals. Sending never waits: a
//!   listener that falls further behind loses the oldest of them (drop-oldest, logged with
//!   the count) and carries on with the ones still queued. Signals are at most once, so
//!   the loss is within the contract; listeners that keep up are not affected.
//! - A channel exists only while its subject has a listener: the last listener to go
//!   removes it, so names that come and go (`relay.chat.<room>`) do not accumulate.
//!   Sending to a subject without listeners costs one map lookup and keeps nothing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use tokio::sync::broadcast;

use crate::{BusMessage, Subscription};

/// Signals a listener may fall behind before it loses the oldest (drop-oldest). A power of
/// two, which is what the broadcast channel rounds its capacity to anyway.
pub const SIGNAL_CAPACITY: usize = 1024;

/// The listeners of every signal subject of one in-process server.
#[derive(Debug, Default)]
pub(super) struct SignalHub {
    channels: Mutex<HashMap<String, broadcast::Sender<BusMessage>>>,
}

impl SignalHub {
    fn channels(&self) -> MutexGuard<'_, HashMap<String, broadcast::Sender<BusMessage>>> {
        // Every operation under this lock is one map update: a panic cannot leave a
        // half-done change behind, so keep going.
        self.channels.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Delivers `payload` on `subject` (already validated) to its current listeners.
    pub fn send(&self, subject: &str, payload: Bytes) {
        let mut channels = self.channels();
        let Some(sender) = channels.get(subject) else {
            return;
        };
        let message = BusMessage {
            subject: subject.to_string(),
            payload,
            msg_id: None,
        };
        if sender.send(message).is_err() {
            // No receiver left: the last listener dropped its receiver and has not yet
            // taken this lock to remove the channel. Removing it here is the same outcome.
            channels.remove(subject);
        }
    }

    /// A listener of `subject` (already validated), from now on.
    pub fn listen(self: &Arc<Self>, subject: &str) -> Subscription {
        let receiver = self
            .channels()
            .entry(subject.to_string())
            .or_insert_with(|| broadcast::channel(SIGNAL_CAPACITY).0)
            .subscribe();
        let listener = Listener {
            hub: self.clone(),
            subject: subject.to_string(),
            receiver: Some(receiver),
        };
        let stream = futures::stream::unfold(listener, |mut listener| async move {
            let message = listener.next().await?;
            Some((message, listener))
        });
        Subscription::new(stream)
    }

    #[cfg(test)]
    fn channel_count(&self) -> usize {
        self.channels().len()
    }
}

/// One listener; removes its subject's channel when it is the last to go.
struct Listener {
    hub: Arc<SignalHub>,
    subject: String,
    /// Always `Some` until dropped.
    receiver: Option<broadcast::Receiver<BusMessage>>,
}

impl Listener {
    async fn next(&mut self) -> Option<BusMessage> {
        let receiver = self.receiver.as_mut()?;
        loop {
            match receiver.recv().await {
                Ok(message) => return Some(message),
                Err(broadcast::error::RecvError::Lagged(lost)) => {
                    tracing::warn!(
                        subject = %self.subject,
                        lost,
                        "in-process signal listener fell behind; oldest signals dropped"
                    );
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        // The receiver must be gone before counting, and the count and the removal happen
        // under the lock that `listen` subscribes under, so a listener arriving meanwhile
        // either keeps the channel alive or finds it removed and makes a new one.
        drop(self.receiver.take());
        let mut channels = self.hub.channels();
        if channels
            .get(&self.subject)
            .is_some_and(|s| s.receiver_count() == 0)
        {
            channels.remove(&self.subject);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap
mod tests {
    use futures::StreamExt;

    use super::*;

    fn body(n: usize) -> Bytes {
        Bytes::from(n.to_string())
    }

    #[tokio::test]
    async fn a_lagging_listener_loses_the_oldest_and_the_sender_never_waits() {
        let hub = Arc::new(SignalHub::default());
        let mut slow = hub.listen("signal.s");
        let extra = 10;
        // Runs to completion with nobody reading: sending cannot wait for the listener.
        for n in 0..SIGNAL_CAPACITY + extra {
            hub.send("signal.s", body(n));
        }
        for n in extra..SIGNAL_CAPACITY + extra {
            assert_eq!(slow.next().await.unwrap().payload, body(n));
        }
        hub.send("signal.s", body(0));
        assert_eq!(slow.next().await.unwrap().payload, body(0));
    }

    #[tokio::test]
    async fn the_last_listener_to_go_removes_its_channel() {
        let hub = Arc::new(SignalHub::default());
        hub.send("signal.nobody", body(1));
        assert_eq!(hub.channel_count(), 0, "sending to no one keeps nothing");
        let a = hub.listen("signal.x");
        let b = hub.listen("signal.x");
        let c = hub.listen("signal.y");
        assert_eq!(hub.channel_count(), 2);
        drop(a);
        assert_eq!(hub.channel_count(), 2);
        drop(b);
        assert_eq!(hub.channel_count(), 1);
        drop(c);
        assert_eq!(hub.channel_count(), 0);
        let mut again = hub.listen("signal.x");
        hub.send("signal.x", body(7));
        assert_eq!(again.next().await.unwrap().payload, body(7));
    }
}
