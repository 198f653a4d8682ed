//! Payloads of the chat, presence and transcription events.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ResourceId;

/// `transcription.complete`: a transcript of a media asset is available.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TranscriptionComplete {
    /// The asset transcribed.
    pub media_id: ResourceId,
    /// Its owner.
    pub user_id: ResourceId,
    /// The transcript's id.
    pub transcription_id: ResourceId,
    /// BCP 47 language tag.
    pub language: String,
    /// Where the transcript can be fetched.
    pub transcript_url: String,
}

/// `chat.message`: a message was stored in a room.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// The message.
    pub message_id: ResourceId,
    /// The room it was posted in.
    pub room_id: ResourceId,
    /// Its author.
    pub user_id: ResourceId,
    /// The text.
    pub content: String,
    /// When it was stored.
    #[serde(with = "time::serde::rfc3339")]
    pub timestamp: OffsetDateTime,
    /// Its position in the room's history (dense, from 1), so every node shows the same
    /// offset; absent when the producer does not number messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
}

/// `presence.update`: a user's presence in a room changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PresenceUpdate {
    /// The user.
    pub user_id: ResourceId,
    /// The room.
    pub room_id: ResourceId,
    /// `online`, `away`, `offline`, …
    pub status: String,
    /// When it changed.
    #[serde(with = "time::serde::rfc3339")]
    pub timestamp: OffsetDateTime,
}
