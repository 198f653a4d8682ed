//! What closes a channel of a notification: `notification.sent` when any target accepted
//! it, else `notification.failed`, plus the dead-letter line when the failure came from a
//! provider's answer (something an operator can replay once it is fixed).
//!
//! Event ids derive from (notification, channel), so publishing again after a redelivery is
//! dropped by the bus's duplicate window.

use std::collections::BTreeSet;

use codecs::events::{
    NotificationChannel, NotificationFailed, NotificationRequested, NotificationSent,
};
use codecs::{Event, Payload};
use store::{NotificationSend, SendOutcome};

/// The event closing `channel` (from its outcomes `records`; `had_targets` says whether the
/// channel had anyone to send to), and the dead-letter line when it failed on a provider
/// error.
pub(super) fn channel_event(
    source: &str,
    request: &NotificationRequested,
    channel: NotificationChannel,
    had_targets: bool,
    records: &[&NotificationSend],
) -> (Event, Option<String>) {
    let key = format!("{}/{}", request.notification_id, channel.as_str());
    let sent: BTreeSet<&str> = records
        .iter()
        .filter(|r| r.outcome == SendOutcome::Sent)
        .map(|r| r.provider.as_str())
        .collect();
    if !sent.is_empty() {
        let payload = Payload::NotificationSent(NotificationSent {
            notification_id: request.notification_id.clone(),
            user_id: request.user_id.clone(),
            channel,
            provider: sent.into_iter().collect::<Vec<_>>().join(","),
            sent_at: time::OffsetDateTime::now_utc(),
        });
        return (Event::deterministic(source, payload, &key), None);
    }
    let failed: Vec<&&NotificationSend> = records
        .iter()
        .filter(|r| r.outcome == SendOutcome::Failed)
        .collect();
    let attempts: u32 = records.iter().map(|r| r.attempts).sum();
    let (reason, dead_letter) = if !had_targets && records.is_empty() {
        let what = match channel {
            NotificationChannel::Push => "no device token for the user",
            NotificationChannel::Email => "no e-mail address for the user",
        };
        (what.to_string(), None)
    } else if failed.is_empty() {
        (
            "every device token was rejected by its provider and deleted".to_string(),
            None,
        )
    } else {
        let details: Vec<String> = failed
            .iter()
            .map(|r| {
                format!(
                    "{} after {} attempt(s): {}",
                    r.provider,
                    r.attempts,
                    r.detail.as_deref().unwrap_or("")
                )
            })
            .collect();
        let reason = details.join("; ");
        let line = format!(
            "{} failed, {attempts} attempt(s): {reason}",
            channel.as_str()
        );
        (reason, Some(line))
    };
    let payload = Payload::NotificationFailed(NotificationFailed {
        notification_id: request.notification_id.clone(),
        user_id: request.user_id.clone(),
        channel,
        reason: crate::error::cut(&reason, 4096),
        attempts,
    });
    (Event::deterministic(source, payload, &key), dead_letter)
}
