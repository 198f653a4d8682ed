//! The process's memory of send outcomes the store may not have: what keeps a redelivery
//! from sending twice while the store is unreachable.
//!
//! Which outcomes are kept (see `ledger`): those the store refused to record, and every
//! outcome of a delivery settled with `nak` (its redelivery is certain, and the store may
//! be down by then). Outcomes of deliveries acked with a healthy store are not kept: the
//! store has them, and keeping them would make this memory grow with the traffic.
//!
//! # Limits
//! - An entry is kept [`RETENTION`] (longer than the default queue's whole redelivery
//!   schedule: backoff 1 + 5 + 30 + 60 s plus `ack_wait` per delivery), then pruned.
//! - At most [`CAPACITY`] notifications; past it the oldest entry is dropped. What that
//!   costs: a redelivery of that notification while the store is still down may send again
//!   to its targets (a duplicate the devices collapse, see `fcm` and `apns`).
//!
//! Not shared between processes: a redelivery handed to another worker while the store is
//! down does not see it (the bound on duplicates is written in the worker's module doc).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use codecs::ResourceId;
use store::NotificationSend;
use tokio::time::Instant;

/// How long an entry is kept.
pub(crate) const RETENTION: Duration = Duration::from_secs(15 * 60);
/// Notifications kept at most.
pub(crate) const CAPACITY: usize = 100_000;

#[derive(Default)]
struct Inner {
    sends: HashMap<ResourceId, Vec<NotificationSend>>,
    /// Insertion order with the time of the first outcome, for pruning and eviction.
    order: VecDeque<(Instant, ResourceId)>,
}

/// Send outcomes per notification; see the module doc.
#[derive(Default)]
pub(crate) struct RecentSends {
    inner: Mutex<Inner>,
}

impl RecentSends {
    /// The outcomes kept for `id`.
    pub(crate) fn of(&self, id: &ResourceId) -> Vec<NotificationSend> {
        self.inner
            .lock()
            .ok()
            .and_then(|inner| inner.sends.get(id).cloned())
            .unwrap_or_default()
    }

    /// Keeps `sends` (outcomes of one notification), skipping targets already kept.
    pub(crate) fn keep(&self, sends: &[NotificationSend]) {
        let Some(first) = sends.first() else {
            return;
        };
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        let inner = &mut *inner;
        if !inner.sends.contains_key(&first.notification_id) {
            if inner.order.len() >= CAPACITY
                && let Some((_, oldest)) = inner.order.pop_front()
            {
                inner.sends.remove(&oldest);
                tracing::warn!(
                    capacity = CAPACITY,
                    "memory of unrecorded notification sends is full; dropped the oldest"
                );
            }
            inner
                .order
                .push_back((Instant::now(), first.notification_id.clone()));
        }
        let kept = inner
            .sends
            .entry(first.notification_id.clone())
            .or_default();
        for send in sends {
            if !kept
                .iter()
                .any(|k| k.channel == send.channel && k.target == send.target)
            {
                kept.push(send.clone());
            }
        }
    }

    /// Drops entries older than [`RETENTION`].
    pub(crate) fn prune(&self) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        let inner = &mut *inner;
        while let Some((at, id)) = inner.order.front() {
            if at.elapsed() < RETENTION {
                break;
            }
            inner.sends.remove(id);
            inner.order.pop_front();
        }
    }

    /// Notifications kept.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.inner.lock().map(|i| i.sends.len()).unwrap_or(0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap
mod tests {
    use codecs::events::NotificationChannel;
    use store::SendOutcome;

    use super::*;

    fn send(id: &str, target: &str, outcome: SendOutcome) -> NotificationSend {
        NotificationSend {
            notification_id: ResourceId::new(id).unwrap(),
            channel: NotificationChannel::Push,
            target: target.into(),
            provider: "fcm".into(),
            outcome,
            attempts: 1,
            detail: None,
            recorded_at: time::OffsetDateTime::now_utc(),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_first_outcome_of_a_target_is_kept_until_retention_ends() {
        let recent = RecentSends::default();
        let id = ResourceId::new("n-1").unwrap();
        recent.keep(&[send("n-1", "a", SendOutcome::Sent)]);
        recent.keep(&[
            send("n-1", "a", SendOutcome::Failed),
            send("n-1", "b", SendOutcome::Sent),
        ]);
        let kept = recent.of(&id);
        assert_eq!(kept.len(), 2);
        assert_eq!(kept[0].outcome, SendOutcome::Sent, "the first record wins");
        tokio::time::advance(RETENTION - Duration::from_secs(1)).await;
        recent.prune();
        assert_eq!(recent.of(&id).len(), 2);
        tokio::time::advance(Duration::from_secs(2)).await;
        recent.prune();
        assert!(recent.of(&id).is_empty());
    }

    #[test]
    fn past_capacity_the_oldest_notification_goes() {
        let recent = RecentSends::default();
        for i in 0..=CAPACITY {
            recent.keep(&[send(&format!("n-{i}"), "t", SendOutcome::Sent)]);
        }
        assert_eq!(recent.len(), CAPACITY);
        assert!(recent.of(&ResourceId::new("n-0").unwrap()).is_empty());
        assert_eq!(
            recent
                .of(&ResourceId::new(format!("n-{CAPACITY}")).unwrap())
                .len(),
            1
        );
    }
}
