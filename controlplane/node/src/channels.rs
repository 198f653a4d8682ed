//! From the bus to the channels: every event a node sees on the bus is delivered to the
//! topics it concerns, on every shard of this node (every node subscribes, so sockets on
//! any node get it).
//!
//! | event | topics |
//! |---|---|
//! | `media.*` | `user:{user_id}`, `media:{media_id}` |
//! | `transcription.complete` | `user:{user_id}`, `media:{media_id}` |
//! | `notification.sent`, `notification.failed` | `user:{user_id}` |
//!
//! The channel event is the event type with `.` replaced by `_` (`media_ready`) and the
//! payload is the event's payload. Work-queue events (`media.uploaded`,
//! `notification.requested`) and `presence.update` are not shown to sockets (presence has
//! its own protocol between nodes); `chat.message` from other nodes or producers goes to the
//! room's topics as `new_message` (see [`crate::chat::deliver_from_bus`]).

use std::sync::Arc;

use bytes::Bytes;
use codecs::{Event, Payload};
use futures::StreamExt;
use tokio::task::JoinHandle;

use crate::bridge::Shards;
use crate::node::Services;

/// The topics an event is delivered to.
pub fn topics_of(event: &Event) -> Vec<String> {
    let user_and_media = |user: &codecs::ResourceId, media: &codecs::ResourceId| {
        vec![format!("user:{user}"), format!("media:{media}")]
    };
    match &event.payload {
        Payload::MediaProgress(p) => user_and_media(&p.user_id, &p.media_id),
        Payload::MediaReady(p) => user_and_media(&p.user_id, &p.media_id),
        Payload::MediaFailed(p) => user_and_media(&p.user_id, &p.media_id),
        Payload::TranscriptionComplete(p) => user_and_media(&p.user_id, &p.media_id),
        Payload::NotificationSent(p) => vec![format!("user:{}", p.user_id)],
        Payload::NotificationFailed(p) => vec![format!("user:{}", p.user_id)],
        Payload::MediaUploaded(_)
        | Payload::NotificationRequested(_)
        | Payload::ChatMessage(_)
        | Payload::PresenceUpdate(_) => Vec::new(),
    }
}

/// Subscribes to every event subject and delivers each event to its topics until the bus
/// subscription ends.
pub async fn start(services: Arc<Services>, shards: Shards) -> anyhow::Result<JoinHandle<()>> {
    let bus = services.bus.clone();
    let filter = format!("{}>", bus.subject_prefix());
    let mut subscription = bus.subscribe(&filter).await?;
    let own_chat_source = crate::chat::chat_source(&services.node_id);
    Ok(tokio::spawn(async move {
        while let Some(message) = subscription.next().await {
            let event = match Event::decode(&message.payload) {
                Ok(event) => event,
                Err(e) => {
                    tracing::warn!(subject = %message.subject, error = %e, "undecodable event on the bus");
                    continue;
                }
            };
            if let Payload::ChatMessage(chat) = &event.payload {
                // This node's own messages reached its sockets when they were stored.
                if event.source != own_chat_source {
                    crate::chat::deliver_from_bus(chat, &shards, &services.replays).await;
                }
                continue;
            }
            let topics = topics_of(&event);
            if topics.is_empty() {
                continue;
            }
            let payload = match serde_json::to_vec(&event.payload) {
                Ok(json) => Bytes::from(json),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot encode an event payload");
                    continue;
                }
            };
            for topic in topics {
                shards
                    .broadcast(&topic, event.event_type.channel_event(), payload.clone())
                    .await;
            }
        }
    }))
}
