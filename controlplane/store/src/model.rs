//! The rows the store reads and writes, as Rust values shared by both backends.
//!
//! Times are `OffsetDateTime` in UTC at microsecond precision: that is what PostgreSQL's
//! `timestamptz` keeps, and SQLite's text form is cut to the same precision, so a value
//! read back is equal to the value written whatever the backend.

use std::fmt;
use std::str::FromStr;

use codecs::ResourceId;
use codecs::events::{DevicePlatform, DeviceToken, NotificationChannel};
use time::OffsetDateTime;

/// A user known to the node (created from a verified token or an admin call).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// The user's id (the JWT subject).
    pub id: ResourceId,
    /// E-mail address, when known.
    pub email: Option<String>,
    /// Name to show, when known.
    pub display_name: Option<String>,
    /// When the user was first stored. [`crate::Store::upsert_user`] keeps the first value.
    pub created_at: OffsetDateTime,
}

/// A stored push token of one user's device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceTokenRecord {
    /// Row id, stable across upserts of the same (user, token).
    pub id: i64,
    /// The owner.
    pub user_id: ResourceId,
    /// Push service of the token (the latest registered).
    pub platform: DevicePlatform,
    /// The provider's registration token.
    pub token: String,
    /// First registration.
    pub created_at: OffsetDateTime,
    /// Latest registration.
    pub updated_at: OffsetDateTime,
}

impl DeviceTokenRecord {
    /// The token in the form the notification payloads carry.
    pub fn device_token(&self) -> DeviceToken {
        DeviceToken {
            platform: self.platform,
            token: self.token.clone(),
        }
    }
}

/// Where a media asset is in its processing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaStatus {
    /// The source is stored; no job has started.
    Uploaded,
    /// A job is running.
    Processing,
    /// Renditions and playlists are available.
    Ready,
    /// Processing failed; `error` says why.
    Failed,
}

impl MediaStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [MediaStatus; 4] = [
        MediaStatus::Uploaded,
        MediaStatus::Processing,
        MediaStatus::Ready,
        MediaStatus::Failed,
    ];

    /// The status as stored (and as CHECKed by the schema).
    pub const fn as_str(self) -> &'static str {
        match self {
            MediaStatus::Uploaded => "uploaded",
            MediaStatus::Processing => "processing",
            MediaStatus::Ready => "ready",
            MediaStatus::Failed => "failed",
        }
    }
}

impl fmt::Display for MediaStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for MediaStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MediaStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| format!("unknown media status `{s}`"))
    }
}

/// A media asset to record when its upload is announced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMediaAsset {
    /// The asset's id (`media_id` of `media.uploaded`).
    pub id: ResourceId,
    /// Its owner.
    pub user_id: ResourceId,
    /// Where the source is (`s3://…`, `http(s)://…` or an object key).
    pub source: String,
    /// MIME type declared by the uploader.
    pub content_type: String,
    /// Size in bytes declared by the uploader (at most `i64::MAX`).
    pub file_size: u64,
}

/// A stored media asset.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaAsset {
    /// The asset's id.
    pub id: ResourceId,
    /// Its owner.
    pub user_id: ResourceId,
    /// Where processing stands.
    pub status: MediaStatus,
    /// Where the source is.
    pub source: String,
    /// Declared MIME type.
    pub content_type: String,
    /// Declared size in bytes.
    pub file_size: u64,
    /// What processing produced (playback, renditions, thumbnails), once known.
    pub outputs: Option<serde_json::Value>,
    /// Duration of the media, once known.
    pub duration_ms: Option<u64>,
    /// Why processing failed, when it did.
    pub error: Option<String>,
    /// When the asset was recorded.
    pub created_at: OffsetDateTime,
    /// When it last changed.
    pub updated_at: OffsetDateTime,
}

/// A chat message as stored in its room's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredChatMessage {
    /// The room.
    pub room_id: ResourceId,
    /// Position in the room: 1 for the first message, then dense and strictly increasing.
    pub offset: u64,
    /// The message's idempotency key, unique across rooms.
    pub message_id: ResourceId,
    /// The author.
    pub user_id: ResourceId,
    /// The text.
    pub content: String,
    /// When it was first stored.
    pub created_at: OffsetDateTime,
}

/// What [`Store::append_chat_message`](crate::Store::append_chat_message) did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatAppend {
    /// The stored row: the new one, or the one already stored under that `message_id`.
    pub message: StoredChatMessage,
    /// `false` when the `message_id` was already stored (a client's retry): nothing was
    /// written, and the caller should not announce the message again.
    pub newly_stored: bool,
}

/// A call between two parties, as the first join recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCall {
    /// The call (the `{id}` of `signaling:call:{id}`).
    pub call_id: ResourceId,
    /// Who opened the call.
    pub caller: ResourceId,
    /// Who was called; never the caller.
    pub callee: ResourceId,
    /// When the call was first opened.
    pub created_at: OffsetDateTime,
    /// When it ended, once it has; set once, never moved.
    pub ended_at: Option<OffsetDateTime>,
}

/// One audit record: who did what to what.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditLogEntry {
    /// Row id, increasing in insertion order.
    pub id: i64,
    /// When it was recorded.
    pub at: OffsetDateTime,
    /// Who acted (a user id, `api-key`, `system`).
    pub actor: String,
    /// What was done (`device_token.delete`).
    pub action: String,
    /// What it was done to.
    pub target: String,
    /// Free-form JSON details.
    pub detail: serde_json::Value,
}

/// The final outcome of sending one notification on one channel to one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SendOutcome {
    /// The provider accepted it.
    Sent,
    /// The provider said the device token is no longer valid; the token was deleted.
    TokenRejected,
    /// The provider refused it for good, or retries ran out.
    Failed,
}

impl SendOutcome {
    /// Every outcome.
    pub const ALL: [SendOutcome; 3] = [
        SendOutcome::Sent,
        SendOutcome::TokenRejected,
        SendOutcome::Failed,
    ];

    /// The outcome as stored (and as CHECKed by the schema).
    pub const fn as_str(self) -> &'static str {
        match self {
            SendOutcome::Sent => "sent",
            SendOutcome::TokenRejected => "token_rejected",
            SendOutcome::Failed => "failed",
        }
    }
}

impl fmt::Display for SendOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SendOutcome {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SendOutcome::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| format!("unknown send outcome `{s}`"))
    }
}

/// The outcome of one (notification, channel, target) to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotificationSend {
    /// The notification.
    pub notification_id: ResourceId,
    /// The channel it went out on.
    pub channel: NotificationChannel,
    /// The device token (push) or e-mail address (email).
    pub target: String,
    /// `fcm`, `apns` or `smtp`.
    pub provider: String,
    /// What happened.
    pub outcome: SendOutcome,
    /// Provider calls made for it.
    pub attempts: u32,
    /// The provider's message id, or its error.
    pub detail: Option<String>,
}

/// A recorded send outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationSend {
    /// The notification.
    pub notification_id: ResourceId,
    /// The channel.
    pub channel: NotificationChannel,
    /// The device token or e-mail address.
    pub target: String,
    /// `fcm`, `apns` or `smtp`.
    pub provider: String,
    /// What happened.
    pub outcome: SendOutcome,
    /// Provider calls made for it.
    pub attempts: u32,
    /// The provider's message id, or its error.
    pub detail: Option<String>,
    /// When it was recorded.
    pub recorded_at: OffsetDateTime,
}

/// A channel name as stored back into its enum.
pub(crate) fn parse_channel(
    field: &'static str,
    text: &str,
) -> Result<NotificationChannel, crate::StoreError> {
    match text {
        "push" => Ok(NotificationChannel::Push),
        "email" => Ok(NotificationChannel::Email),
        other => Err(crate::StoreError::backend(
            field,
            format!("stored channel `{other}` is unknown"),
        )),
    }
}

/// Now, in UTC, cut to the microsecond precision both backends keep.
pub(crate) fn now() -> OffsetDateTime {
    to_micros(OffsetDateTime::now_utc())
}

/// `at` in UTC, cut to microseconds.
pub(crate) fn to_micros(at: OffsetDateTime) -> OffsetDateTime {
    let at = at.to_offset(time::UtcOffset::UTC);
    let micros = at.microsecond();
    at.replace_microsecond(micros).unwrap_or(at)
}

/// The row an append just wrote (`offset` as the database returned it).
pub(crate) fn newly_stored(
    room_id: &ResourceId,
    offset: i64,
    message_id: &ResourceId,
    user_id: &ResourceId,
    content: &str,
    created_at: OffsetDateTime,
) -> Result<ChatAppend, crate::StoreError> {
    Ok(ChatAppend {
        message: StoredChatMessage {
            room_id: room_id.clone(),
            offset: crate::validate::to_u64("chat_messages.offset", offset)?,
            message_id: message_id.clone(),
            user_id: user_id.clone(),
            content: content.to_string(),
            created_at,
        },
        newly_stored: true,
    })
}

/// The stored message when a redelivery names the same room; a conflict otherwise.
pub(crate) fn already_stored(
    existing: StoredChatMessage,
    room_id: &ResourceId,
) -> Result<ChatAppend, crate::StoreError> {
    if existing.room_id == *room_id {
        Ok(ChatAppend {
            message: existing,
            newly_stored: false,
        })
    } else {
        Err(crate::StoreError::Conflict(format!(
            "message `{}` is already stored in room `{}`, not `{room_id}`",
            existing.message_id, existing.room_id
        )))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap
mod tests {
    use super::*;

    #[test]
    fn media_status_round_trips_through_text() {
        for status in MediaStatus::ALL {
            assert_eq!(status.as_str().parse::<MediaStatus>(), Ok(status));
        }
        assert!("done".parse::<MediaStatus>().is_err());
    }

    #[test]
    fn times_are_cut_to_utc_microseconds() {
        let at = time::macros::datetime!(2024-05-06 07:08:09.123456789 +02:00);
        let cut = to_micros(at);
        assert_eq!(cut, time::macros::datetime!(2024-05-06 05:08:09.123456 UTC));
        assert_eq!(cut.offset(), time::UtcOffset::UTC);
    }
}
