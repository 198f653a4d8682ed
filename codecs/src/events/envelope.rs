//! The envelope every bus message travels in, and its pairing with a typed payload.
//!
//! Wire format: `{"event_type": "media.uploaded", "event_id": "<uuid>",
//! "timestamp": "<RFC 3339>", "source": "<producer>", "payload": {…}}`.
//!
//! Decoding is two-step: the envelope first (so the error can name `event_type` or
//! `event_id`), then the payload against the struct its event type selects (so the error
//! names `payload.<field>`). Unknown fields are ignored at both levels.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::*;
use crate::DecodeError;

/// The envelope, generic over its payload representation: [`serde_json::Value`] for
/// pass-through, [`Payload`] for typed use (see [`Event`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Envelope<P = serde_json::Value> {
    /// What happened; also the subject.
    pub event_type: EventType,
    /// Unique id; also the bus's de-duplication key (`Nats-Msg-Id`).
    pub event_id: Uuid,
    /// When the producer created the event.
    #[serde(with = "time::serde::rfc3339")]
    pub timestamp: OffsetDateTime,
    /// Which producer created it (`armoricore`, `api`, a service name).
    pub source: String,
    /// The event-specific body.
    pub payload: P,
}

/// An envelope whose payload has been checked against its event type.
pub type Event = Envelope<Payload>;

/// The typed payload of every event type.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[allow(missing_docs)] // each variant is the payload of the event type of the same name
pub enum Payload {
    MediaUploaded(MediaUploaded),
    MediaProgress(MediaProgress),
    MediaReady(MediaReady),
    MediaFailed(MediaFailed),
    NotificationRequested(NotificationRequested),
    NotificationSent(NotificationSent),
    NotificationFailed(NotificationFailed),
    TranscriptionComplete(TranscriptionComplete),
    ChatMessage(ChatMessage),
    PresenceUpdate(PresenceUpdate),
}

impl Payload {
    /// The event type this payload belongs to.
    pub fn event_type(&self) -> EventType {
        match self {
            Payload::MediaUploaded(_) => EventType::MediaUploaded,
            Payload::MediaProgress(_) => EventType::MediaProgress,
            Payload::MediaReady(_) => EventType::MediaReady,
            Payload::MediaFailed(_) => EventType::MediaFailed,
            Payload::NotificationRequested(_) => EventType::NotificationRequested,
            Payload::NotificationSent(_) => EventType::NotificationSent,
            Payload::NotificationFailed(_) => EventType::NotificationFailed,
            Payload::TranscriptionComplete(_) => EventType::TranscriptionComplete,
            Payload::ChatMessage(_) => EventType::ChatMessage,
            Payload::PresenceUpdate(_) => EventType::PresenceUpdate,
        }
    }

    /// Checks `value` against the payload struct of `event_type`.
    pub fn decode(event_type: EventType, value: &serde_json::Value) -> Result<Self, DecodeError> {
        fn typed<T: DeserializeOwned>(value: &serde_json::Value) -> Result<T, DecodeError> {
            serde_path_to_error::deserialize(value)
                .map_err(|e| DecodeError::from_path_error("payload", e))
        }
        Ok(match event_type {
            EventType::MediaUploaded => Payload::MediaUploaded(typed(value)?),
            EventType::MediaProgress => Payload::MediaProgress(typed(value)?),
            EventType::MediaReady => Payload::MediaReady(typed(value)?),
            EventType::MediaFailed => Payload::MediaFailed(typed(value)?),
            EventType::NotificationRequested => Payload::NotificationRequested(typed(value)?),
            EventType::NotificationSent => Payload::NotificationSent(typed(value)?),
            EventType::NotificationFailed => Payload::NotificationFailed(typed(value)?),
            EventType::TranscriptionComplete => Payload::TranscriptionComplete(typed(value)?),
            EventType::ChatMessage => Payload::ChatMessage(typed(value)?),
            EventType::PresenceUpdate => Payload::PresenceUpdate(typed(value)?),
        })
    }
}

/// The envelope as it may arrive from outside: everything but `event_type` and `payload`
/// optional, so that `{event_type, payload}` submissions can be completed.
#[derive(Deserialize)]
struct WireEnvelope {
    event_type: String,
    #[serde(default)]
    event_id: Option<Uuid>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    timestamp: Option<OffsetDateTime>,
    #[serde(default)]
    source: Option<String>,
    payload: serde_json::Value,
}

/// How strictly [`Event::decode_with`] treats a missing `event_id`, `timestamp` or `source`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completion<'a> {
    /// All envelope fields are required (messages read from the bus).
    Strict,
    /// Missing fields are filled: a fresh v4 id, the current time, and this source
    /// (submissions over HTTP or the CLI).
    FillWith {
        /// Source recorded when the submission names none.
        source: &'a str,
    },
}

impl Event {
    /// A new event with a fresh random id and the current time.
    pub fn new(source: impl Into<String>, payload: Payload) -> Self {
        Envelope {
            event_type: payload.event_type(),
            event_id: Uuid::new_v4(),
            timestamp: OffsetDateTime::now_utc(),
            source: source.into(),
            payload,
        }
    }

    /// A new event whose id is derived from `key` (UUID v5), so that producing "the same"
    /// event twice (for example `media.ready` of one media id after a redelivery) yields the
    /// same id and the bus drops the duplicate.
    pub fn deterministic(source: impl Into<String>, payload: Payload, key: &str) -> Self {
        let mut event = Event::new(source, payload);
        let name = format!("{}/{key}", event.event_type);
        event.event_id = Uuid::new_v5(&Uuid::NAMESPACE_OID, name.as_bytes());
        event
    }

    /// Decodes a complete envelope as read from the bus.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        Event::decode_with(bytes, Completion::Strict)
    }

    /// Decodes an envelope, completing missing envelope fields as `completion` says.
    pub fn decode_with(bytes: &[u8], completion: Completion<'_>) -> Result<Self, DecodeError> {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let wire: WireEnvelope = serde_path_to_error::deserialize(&mut de)
            .map_err(|e| DecodeError::from_path_error("", e))?;
        let event_type: EventType = wire
            .event_type
            .parse()
            .map_err(|_| DecodeError::UnknownEventType(wire.event_type.clone()))?;
        let missing = |field: &str| DecodeError::Invalid {
            path: field.to_string(),
            message: format!("missing field `{field}`"),
        };
        let (event_id, timestamp, source) = match completion {
            Completion::Strict => (
                wire.event_id.ok_or_else(|| missing("event_id"))?,
                wire.timestamp.ok_or_else(|| missing("timestamp"))?,
                wire.source.ok_or_else(|| missing("source"))?,
            ),
            Completion::FillWith { source } => (
                wire.event_id.unwrap_or_else(Uuid::new_v4),
                wire.timestamp.unwrap_or_else(OffsetDateTime::now_utc),
                wire.source.unwrap_or_else(|| source.to_string()),
            ),
        };
        let payload = Payload::decode(event_type, &wire.payload)?;
        Ok(Envelope {
            event_type,
            event_id,
            timestamp,
            source,
            payload,
        })
    }

    /// Encodes the event as its wire JSON.
    pub fn encode(&self) -> Vec<u8> {
        // Serialising these types cannot fail: every map key is a string and no custom
        // serializer returns an error.
        serde_json::to_vec(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests;
