//! Chat rooms: a `new_message` pushed on `room:{id}` or `chat:room:{id}` is stored with the
//! room's next offset, broadcast to the room on every shard (both topic spellings name one
//! room), published on the bus as `chat.message`, and answered with its offset.
//!
//! Payload: `{"content": "…", "message_id"?: "…"}` (a client-chosen `message_id` makes a
//! retried push idempotent: the store returns the row it kept). Broadcast payload:
//! `{message_id, room_id, user_id, content, offset, timestamp}`; reply: `{message_id, offset}`.

use bytes::Bytes;
use codecs::events::ChatMessage;
use codecs::ring::PushRecord;
use codecs::{Event, Payload, ResourceId};
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;

use crate::bridge::Shards;
use crate::node::Services;

/// Longest message accepted, in bytes of text.
pub const MAX_CONTENT_BYTES: usize = 16 << 10;

#[derive(Deserialize)]
struct NewMessage {
    content: String,
    #[serde(default)]
    message_id: Option<ResourceId>,
}

/// The room a topic names.
pub fn room_of(topic: &str) -> Option<ResourceId> {
    let id = topic
        .strip_prefix("chat:room:")
        .or_else(|| topic.strip_prefix("room:"))?;
    ResourceId::new(id).ok()
}

/// Handles a push; `Ok` is the reply's JSON response, `Err` its reason.
pub async fn handle(
    push: &PushRecord,
    services: &Services,
    shards: &Shards,
) -> Result<Bytes, String> {
    match push.event.as_str() {
        "new_message" => new_message(push, services, shards).await,
        other => Err(format!("unsupported event {other}")),
    }
}

async fn new_message(
    push: &PushRecord,
    services: &Services,
    shards: &Shards,
) -> Result<Bytes, String> {
    let message: NewMessage =
        serde_json::from_slice(&push.payload).map_err(|e| format!("invalid new_message: {e}"))?;
    if message.content.trim().is_empty() {
        return Err("content is empty".into());
    }
    if message.content.len() > MAX_CONTENT_BYTES {
        return Err(format!("content longer than {MAX_CONTENT_BYTES} bytes"));
    }
    let room = room_of(&push.topic).ok_or("not a room topic")?;
    let user = ResourceId::new(&push.user).map_err(|e| e.to_string())?;
    let message_id = match message.message_id {
        Some(id) => id,
        None => ResourceId::new(uuid::Uuid::new_v4().to_string()).map_err(|e| e.to_string())?,
    };
    let stored = services
        .store
        .append_chat_message(&room, &message_id, &user, &message.content)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "cannot store a chat message");
            "the message could not be stored".to_string()
        })?;
    let timestamp = stored.created_at.format(&Rfc3339).unwrap_or_default();
    let broadcast = serde_json::json!({
        "message_id": stored.message_id, "room_id": stored.room_id, "user_id": stored.user_id,
        "content": stored.content, "offset": stored.offset, "timestamp": timestamp,
    });
    let payload = Bytes::from(broadcast.to_string());
    for topic in [format!("room:{room}"), format!("chat:room:{room}")] {
        shards
            .broadcast(&topic, "new_message", payload.clone())
            .await;
    }
    let event = Event::deterministic(
        "armoricore",
        Payload::ChatMessage(ChatMessage {
            message_id: stored.message_id.clone(),
            room_id: stored.room_id.clone(),
            user_id: stored.user_id.clone(),
            content: stored.content.clone(),
            timestamp: stored.created_at,
        }),
        stored.message_id.as_str(),
    );
    if let Err(e) = bus::publish_event(services.bus.as_ref(), &event).await {
        // Stored and delivered to this node's sockets already; say so loudly.
        tracing::error!(error = %e, message_id = %stored.message_id, "chat.message not published");
    }
    let reply = serde_json::json!({ "message_id": stored.message_id, "offset": stored.offset });
    Ok(Bytes::from(reply.to_string()))
}
