//! The [`Store`] trait: the one interface the control plane uses for durable state, with
//! the semantics every implementation must keep (the contract tests in `tests/contract.rs`
//! check each sentence written here against both backends).

use async_trait::async_trait;
use codecs::ResourceId;
use codecs::events::DeviceToken;
use time::OffsetDateTime;

use crate::{
    AuditLogEntry, ChatAppend, DeviceTokenRecord, MediaAsset, MediaStatus, NewMediaAsset,
    NewNotificationSend, NotificationSend, StoreError, StoredCall, StoredChatMessage, User,
};

/// Durable control-plane state. Object-safe; shared as `Arc<dyn Store>`.
///
/// Every method is one round trip (or one transaction) and safe to call concurrently from
/// many tasks and many processes sharing the database. Text arguments are checked first
/// (see [`crate::validate`] limits): empty required text, oversize text and NUL characters
/// give [`StoreError::Invalid`] without touching the database.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// `"sqlite"` or `"postgres"`.
    fn kind(&self) -> &'static str;

    /// One real round trip to the database (`SELECT 1` on a pooled connection).
    async fn health(&self) -> Result<(), StoreError>;

    /// Applies the migrations this build knows and the database lacks, in version order,
    /// each in its own transaction, and returns the versions applied (empty when the schema
    /// is current). Safe to run concurrently from several processes: each migration is
    /// applied exactly once. Fails with [`StoreError::Migration`] when the database holds a
    /// version this build does not know or a known version under another name.
    async fn migrate(&self) -> Result<Vec<u32>, StoreError>;

    /// Inserts the user, or updates `email` and `display_name` of the stored one (its
    /// `created_at` is kept).
    async fn upsert_user(&self, user: &User) -> Result<(), StoreError>;
    /// The user with this id.
    async fn get_user(&self, id: &ResourceId) -> Result<Option<User>, StoreError>;

    /// Records that the token with id `jti` is revoked until `expires_at` (its own expiry).
    /// Revoking an already revoked `jti` changes nothing.
    async fn revoke_token(
        &self,
        jti: &str,
        user_id: &ResourceId,
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError>;
    /// Whether `jti` is recorded as revoked (whatever its expiry: an expired token is refused
    /// by its `exp` claim anyway, and purging is [`Store::purge_expired_revocations`]' job).
    async fn is_token_revoked(&self, jti: &str) -> Result<bool, StoreError>;
    /// Deletes revocations whose `expires_at` is strictly before `now`; returns how many.
    async fn purge_expired_revocations(&self, now: OffsetDateTime) -> Result<u64, StoreError>;

    /// Stores a device token of a user. The same (user, token) again keeps its row (same
    /// `id` and `created_at`) and only updates `platform` and `updated_at`.
    async fn upsert_device_token(
        &self,
        user_id: &ResourceId,
        token: &DeviceToken,
    ) -> Result<DeviceTokenRecord, StoreError>;
    /// Deletes one user's token; whether it existed.
    async fn delete_device_token(
        &self,
        user_id: &ResourceId,
        token: &str,
    ) -> Result<bool, StoreError>;
    /// Deletes a token from every user (a provider said it is unregistered); how many rows.
    async fn delete_device_token_everywhere(&self, token: &str) -> Result<u64, StoreError>;
    /// A user's tokens, oldest registration first.
    async fn device_tokens_for(
        &self,
        user_id: &ResourceId,
    ) -> Result<Vec<DeviceTokenRecord>, StoreError>;

    /// Records a new asset with status `uploaded`. Returns `false`, changing nothing, when an
    /// asset with this id exists (a redelivered `media.uploaded`).
    async fn create_media_asset(&self, asset: &NewMediaAsset) -> Result<bool, StoreError>;
    /// The asset with this id.
    async fn get_media_asset(&self, id: &ResourceId) -> Result<Option<MediaAsset>, StoreError>;
    /// Sets the asset's status and `updated_at`. `outputs` and `duration_ms` replace the
    /// stored values when `Some` and keep them when `None`; `error` always replaces the
    /// stored value, so a retry that moves a failed asset back to `processing` clears it.
    /// [`StoreError::NotFound`] when no asset has this id.
    async fn set_media_status(
        &self,
        id: &ResourceId,
        status: MediaStatus,
        outputs: Option<serde_json::Value>,
        duration_ms: Option<u64>,
        error: Option<&str>,
    ) -> Result<(), StoreError>;

    /// Appends a message to a room's history with the room's next offset (1, 2, 3, … with
    /// no gap or duplicate, even under concurrent appends from several processes).
    /// Idempotent on `message_id`: if it is already stored in this room, the stored row is
    /// returned unchanged (`newly_stored: false`) and no offset is used.
    /// [`StoreError::Conflict`] if it is stored in another room.
    async fn append_chat_message(
        &self,
        room_id: &ResourceId,
        message_id: &ResourceId,
        user_id: &ResourceId,
        content: &str,
    ) -> Result<ChatAppend, StoreError>;
    /// Up to `limit` messages of the room with offset greater than `after_offset`, ascending.
    async fn chat_messages_after(
        &self,
        room_id: &ResourceId,
        after_offset: u64,
        limit: u32,
    ) -> Result<Vec<StoredChatMessage>, StoreError>;
    /// The last `limit` messages of the room, in ascending offset order.
    async fn latest_chat_messages(
        &self,
        room_id: &ResourceId,
        limit: u32,
    ) -> Result<Vec<StoredChatMessage>, StoreError>;

    /// Records call `call_id` between `caller` and `callee`, stamped now, unless it is
    /// already stored; returns the stored row either way. A stored call is returned
    /// unchanged (its parties, `created_at` and `ended_at`), whatever parties this call
    /// names: the first open fixes them, and callers compare to decide who may join.
    /// Concurrent opens of one `call_id`, from any number of processes, all return the same
    /// row. `caller == callee` is [`StoreError::Invalid`] and touches nothing.
    async fn open_call(
        &self,
        call_id: &ResourceId,
        caller: &ResourceId,
        callee: &ResourceId,
    ) -> Result<StoredCall, StoreError>;
    /// The call with this id.
    async fn get_call(&self, call_id: &ResourceId) -> Result<Option<StoredCall>, StoreError>;
    /// Sets the call's `ended_at` to now if it is not set yet; whether that changed anything
    /// (`false` for an unknown or already ended call).
    async fn end_call(&self, call_id: &ResourceId) -> Result<bool, StoreError>;

    /// Appends an audit record stamped now; returns it.
    async fn append_audit_log(
        &self,
        actor: &str,
        action: &str,
        target: &str,
        detail: &serde_json::Value,
    ) -> Result<AuditLogEntry, StoreError>;
    /// The `limit` most recent audit records, newest first.
    async fn recent_audit_logs(&self, limit: u32) -> Result<Vec<AuditLogEntry>, StoreError>;

    /// Records the outcome of one (notification, channel, target), stamped now, unless one is
    /// already recorded; returns the stored row either way (the first record wins, even
    /// with concurrent recorders in several processes). The notification worker reads these
    /// back on redelivery to skip what was already done.
    async fn record_notification_send(
        &self,
        send: &NewNotificationSend,
    ) -> Result<NotificationSend, StoreError>;
    /// Every recorded outcome of a notification, oldest first (then by channel and target).
    async fn notification_sends(
        &self,
        notification_id: &ResourceId,
    ) -> Result<Vec<NotificationSend>, StoreError>;

    /// Records one analytics event stamped now.
    async fn record_analytics_event(
        &self,
        user_id: Option<&ResourceId>,
        name: &str,
        properties: &serde_json::Value,
    ) -> Result<(), StoreError>;
    /// How many events named `name` are recorded.
    async fn count_analytics_events(&self, name: &str) -> Result<u64, StoreError>;
}
