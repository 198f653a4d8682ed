//! One delivery of `notification.requested`, from the request to its verdict (the steps
//! are listed in the worker's module doc).

use std::collections::HashSet;
use std::time::Duration;

use codecs::events::NotificationRequested;
use store::{NewNotificationSend, SendOutcome};

use super::ledger::Ledger;
use super::outcome::channel_event;
use super::{Verdict, Worker, targets};
use crate::error::Failure;

impl Worker {
    /// Delivers `request` on each of its channels; `last_attempt` when the bus will not
    /// redeliver it.
    pub(super) async fn process(
        &self,
        request: &NotificationRequested,
        last_attempt: bool,
    ) -> Verdict {
        self.limiter.user(request.user_id.as_str()).await;
        let mut ledger =
            Ledger::open(self.store.as_ref(), &self.recent, &request.notification_id).await;
        let verdict = self.deliver(request, last_attempt, &mut ledger).await;
        if matches!(verdict, Verdict::Nak(_)) {
            ledger.keep_for_redelivery();
        }
        verdict
    }

    async fn deliver(
        &self,
        request: &NotificationRequested,
        last_attempt: bool,
        ledger: &mut Ledger<'_>,
    ) -> Verdict {
        let id = &request.notification_id;
        let mut pending_wait: Option<Option<Duration>> = None;
        let mut dead_letters = Vec::new();
        let mut seen = HashSet::new();
        for channel in request.channels.iter().copied() {
            if !seen.insert(channel) {
                continue;
            }
            let targets = match targets::resolve(self.store.as_ref(), channel, request).await {
                Ok(targets) => targets,
                Err(e) => {
                    tracing::warn!(error = %e, notification_id = %id, channel = channel.as_str(),
                        "cannot resolve the targets; the notification will be redelivered");
                    return Verdict::Nak(None);
                }
            };
            let mut channel_pending = false;
            for target in &targets {
                if ledger.is_done(channel, &target.address) {
                    continue;
                }
                let (result, attempts) = self
                    .providers
                    .send(target, request, &self.limiter, &self.retry)
                    .await;
                let (outcome, detail) = match result {
                    Ok(detail) => (SendOutcome::Sent, detail),
                    Err(e) if e.failure == Failure::TokenRejected => {
                        self.forget_token(&target.address).await;
                        tracing::info!(provider = %e.provider, reason = %e.reason, "device token rejected");
                        (SendOutcome::TokenRejected, e.to_string())
                    }
                    Err(e) if e.is_retryable() && !last_attempt => {
                        channel_pending = true;
                        let wait = pending_wait.get_or_insert(None);
                        *wait = (*wait).max(e.retry_after());
                        tracing::info!(error = %e, attempts, "send still failing; redelivery will retry");
                        continue;
                    }
                    Err(e) => (SendOutcome::Failed, e.to_string()),
                };
                metrics::counter!("armoricore_notification_sends_total",
                    "provider" => target.provider.as_str(), "outcome" => outcome.as_str())
                .increment(1);
                ledger
                    .record(NewNotificationSend {
                        notification_id: id.clone(),
                        channel,
                        target: target.address.clone(),
                        provider: target.provider.as_str().to_string(),
                        outcome,
                        attempts,
                        detail: Some(crate::error::cut(&detail, 4096)),
                    })
                    .await;
            }
            if channel_pending {
                continue;
            }
            let records = ledger.of_channel(channel);
            let (event, dead_letter) = channel_event(
                &self.source,
                request,
                channel,
                !targets.is_empty(),
                &records,
            );
            if let Err(e) = bus::publish_event(self.bus.as_ref(), &event).await {
                tracing::warn!(error = %e, "cannot publish the notification outcome; will retry");
                return Verdict::Nak(None);
            }
            dead_letters.extend(dead_letter);
        }
        if ledger.store_failed() {
            tracing::info!(notification_id = %id, "delivered while the store was unreachable; outcomes kept in memory");
        }
        if let Some(wait) = pending_wait {
            return Verdict::Nak(wait);
        }
        if dead_letters.is_empty() {
            Verdict::Ack
        } else {
            Verdict::Term(format!("notification {id}: {}", dead_letters.join(" | ")))
        }
    }

    /// Deletes a token its provider rejected. When the store cannot, the delivery goes on
    /// (a nak would send again what was sent): the token stays until its next rejection.
    async fn forget_token(&self, token: &str) {
        if let Err(e) = self.store.delete_device_token_everywhere(token).await {
            tracing::warn!(error = %e, "cannot delete a rejected device token; it stays until it is rejected again");
        }
    }
}
