//! The send records of one delivery: read when it starts (the store's, plus what this
//! process remembers that the store may lack), written as each target's outcome becomes
//! final, and asked which targets are already done.
//!
//! # When the store is unreachable
//! - Reading fails: the delivery goes on with the process's memory only (`recent`); the
//!   caller decides whether it can resolve its targets without the store.
//! - Writing fails: the outcome is kept in memory instead, and the delivery goes on; it is
//!   not nak'ed, because a redelivery would send again what was just sent.
//! - A delivery settled with `nak` leaves all its outcomes in memory
//!   ([`Ledger::keep_for_redelivery`]), so its redelivery skips them even if the store is
//!   down by then.

use codecs::ResourceId;
use codecs::events::NotificationChannel;
use store::{NewNotificationSend, NotificationSend, Store};

use super::recent::RecentSends;

/// The records of one notification, as this delivery knows them.
pub(super) struct Ledger<'a> {
    store: &'a dyn Store,
    recent: &'a RecentSends,
    records: Vec<NotificationSend>,
    store_failed: bool,
}

impl<'a> Ledger<'a> {
    /// Reads the records of `id`: the store's (they win), then the remembered ones for
    /// targets the store does not name.
    pub(super) async fn open(
        store: &'a dyn Store,
        recent: &'a RecentSends,
        id: &ResourceId,
    ) -> Ledger<'a> {
        let remembered = recent.of(id);
        let (mut records, store_failed) = match store.notification_sends(id).await {
            Ok(stored) => (stored, false),
            Err(e) => {
                tracing::warn!(error = %e, notification_id = %id, remembered = remembered.len(),
                    "cannot read send records; going on with what this process remembers");
                (Vec::new(), true)
            }
        };
        for send in remembered {
            if !records
                .iter()
                .any(|r| r.channel == send.channel && r.target == send.target)
            {
                records.push(send);
            }
        }
        Ledger {
            store,
            recent,
            records,
            store_failed,
        }
    }

    /// Whether `target` of `channel` already has an outcome.
    pub(super) fn is_done(&self, channel: NotificationChannel, target: &str) -> bool {
        self.records
            .iter()
            .any(|r| r.channel == channel && r.target == target)
    }

    /// The outcomes of `channel`.
    pub(super) fn of_channel(&self, channel: NotificationChannel) -> Vec<&NotificationSend> {
        self.records
            .iter()
            .filter(|r| r.channel == channel)
            .collect()
    }

    /// Records a final outcome: in the store, else in memory.
    pub(super) async fn record(&mut self, send: NewNotificationSend) {
        match self.store.record_notification_send(&send).await {
            Ok(stored) => self.records.push(stored),
            Err(e) => {
                tracing::warn!(error = %e, notification_id = %send.notification_id,
                    "cannot record a send outcome; this process remembers it instead");
                self.store_failed = true;
                let kept = NotificationSend {
                    notification_id: send.notification_id,
                    channel: send.channel,
                    target: send.target,
                    provider: send.provider,
                    outcome: send.outcome,
                    attempts: send.attempts,
                    detail: send.detail,
                    recorded_at: time::OffsetDateTime::now_utc(),
                };
                self.recent.keep(std::slice::from_ref(&kept));
                self.records.push(kept);
            }
        }
    }

    /// Whether the store failed during this delivery.
    pub(super) fn store_failed(&self) -> bool {
        self.store_failed
    }

    /// Remembers every outcome of this delivery for its redelivery.
    pub(super) fn keep_for_redelivery(&self) {
        self.recent.keep(&self.records);
    }
}
