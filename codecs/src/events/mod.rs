//! The bus contract: event types, the envelope, and the typed payloads.
//!
//! Wire format: one JSON object per message,
//! `{"event_type", "event_id" (uuid), "timestamp" (RFC 3339), "source", "payload"}`.
//! The subject a message travels on is its event type, after an optional prefix.

mod envelope;
mod event_type;
mod media;
mod notification;
mod realtime;

pub use envelope::{Completion, Envelope, Event, Payload};
pub use event_type::{EventType, UnknownEventType};
pub use media::{MediaFailed, MediaProgress, MediaReady, MediaUploaded, Playback, Rendition};
pub use notification::{
    DevicePlatform, DeviceToken, NotificationChannel, NotificationFailed, NotificationRequested,
    NotificationSent,
};
pub use realtime::{ChatMessage, PresenceUpdate, TranscriptionComplete};

/// Free-form JSON object carried by some payloads (`metadata`, `data`).
pub type JsonObject = serde_json::Map<String, serde_json::Value>;
