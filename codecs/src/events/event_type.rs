//! The event types of the contract and every name derived from them.
//!
//! This is the one place subject names (`media.uploaded`), channel event names
//! (`media_uploaded`) and work-queue membership are defined.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One event type of the bus contract (ARCHITECTURE.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum EventType {
    /// A file was uploaded and waits to be processed (work queue).
    MediaUploaded,
    /// A media job advanced.
    MediaProgress,
    /// A media job finished; outputs are stored.
    MediaReady,
    /// A media job failed.
    MediaFailed,
    /// A notification should be sent (work queue).
    NotificationRequested,
    /// A notification was delivered on one channel.
    NotificationSent,
    /// A notification could not be delivered on one channel.
    NotificationFailed,
    /// A transcript is available.
    TranscriptionComplete,
    /// A chat message was stored in a room.
    ChatMessage,
    /// A user's presence in a room changed.
    PresenceUpdate,
}

/// A string that is not one of the contract's event types.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown event_type `{0}`")]
pub struct UnknownEventType(pub String);

impl EventType {
    /// Every event type, in contract order.
    pub const ALL: [EventType; 10] = [
        EventType::MediaUploaded,
        EventType::MediaProgress,
        EventType::MediaReady,
        EventType::MediaFailed,
        EventType::NotificationRequested,
        EventType::NotificationSent,
        EventType::NotificationFailed,
        EventType::TranscriptionComplete,
        EventType::ChatMessage,
        EventType::PresenceUpdate,
    ];

    /// The event type name, which is also its subject (`media.uploaded`).
    pub const fn as_str(self) -> &'static str {
        match self {
            EventType::MediaUploaded => "media.uploaded",
            EventType::MediaProgress => "media.progress",
            EventType::MediaReady => "media.ready",
            EventType::MediaFailed => "media.failed",
            EventType::NotificationRequested => "notification.requested",
            EventType::NotificationSent => "notification.sent",
            EventType::NotificationFailed => "notification.failed",
            EventType::TranscriptionComplete => "transcription.complete",
            EventType::ChatMessage => "chat.message",
            EventType::PresenceUpdate => "presence.update",
        }
    }

    /// The name under which the event reaches a WebSocket channel (`media_ready`).
    pub const fn channel_event(self) -> &'static str {
        match self {
            EventType::MediaUploaded => "media_uploaded",
            EventType::MediaProgress => "media_progress",
            EventType::MediaReady => "media_ready",
            EventType::MediaFailed => "media_failed",
            EventType::NotificationRequested => "notification_requested",
            EventType::NotificationSent => "notification_sent",
            EventType::NotificationFailed => "notification_failed",
            EventType::TranscriptionComplete => "transcription_complete",
            EventType::ChatMessage => "chat_message",
            EventType::PresenceUpdate => "presence_update",
        }
    }

    /// Whether the event is work for exactly one consumer (read by durable consumers with
    /// explicit ack) rather than a notification fanned out to every subscriber.
    pub const fn is_work_queue(self) -> bool {
        matches!(
            self,
            EventType::MediaUploaded | EventType::NotificationRequested
        )
    }

    /// The bus subject for this event type under `prefix` (which may be empty, or end
    /// with `.` such as `prod.`).
    pub fn subject(self, prefix: &str) -> String {
        format!("{prefix}{}", self.as_str())
    }

    /// The event type a subject names, given the prefix it was published under.
    pub fn from_subject(subject: &str, prefix: &str) -> Option<EventType> {
        subject.strip_prefix(prefix)?.parse().ok()
    }
}

impl FromStr for EventType {
    type Err = UnknownEventType;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EventType::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| UnknownEventType(s.to_string()))
    }
}

impl TryFrom<String> for EventType {
    type Error = UnknownEventType;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<EventType> for &'static str {
    fn from(t: EventType) -> &'static str {
        t.as_str()
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_channel_names_replace_dots() {
        for t in EventType::ALL {
            assert_eq!(t.as_str().parse::<EventType>(), Ok(t));
            assert_eq!(t.channel_event(), t.as_str().replace('.', "_"));
        }
    }

    #[test]
    fn subjects_carry_the_prefix_and_parse_back() {
        let s = EventType::MediaReady.subject("prod.");
        assert_eq!(s, "prod.media.ready");
        assert_eq!(
            EventType::from_subject(&s, "prod."),
            Some(EventType::MediaReady)
        );
        assert_eq!(EventType::from_subject("media.ready", "prod."), None);
    }

    #[test]
    fn only_uploads_and_notification_requests_are_work() {
        let work: Vec<_> = EventType::ALL
            .into_iter()
            .filter(|t| t.is_work_queue())
            .collect();
        assert_eq!(
            work,
            [EventType::MediaUploaded, EventType::NotificationRequested]
        );
    }

    #[test]
    fn unknown_names_are_rejected() {
        assert_eq!(
            "media.done".parse::<EventType>(),
            Err(UnknownEventType("media.done".into()))
        );
    }
}
