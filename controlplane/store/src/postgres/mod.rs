//! The distributed backend: PostgreSQL through tokio-postgres, pooled by deadpool-postgres.
//!
//! Configured from a `postgres://` URL (see [`crate::location`]); the pool is sized by
//! [`PostgresOptions::pool_size`] and connections are created lazily, up to that many, each
//! bounded by [`PostgresOptions::connect_timeout`]. A call that finds every connection busy
//! waits up to [`PostgresOptions::wait_timeout`], then fails with
//! [`StoreError::Unavailable`] instead of queueing forever. Recycling is deadpool's `Fast`
//! (a connection the server closed is detected and replaced; no extra round trip per call).
//!
//! Connections use `NoTls`: the database is expected on a private network or the same host.
//! TLS (rustls) is the next step when a deployment needs it; nothing else here changes then.
//!
//! Statements are prepared once per connection and cached (deadpool's statement cache).
//! Tests isolate themselves with a schema per test through the URL's
//! `options=-csearch_path%3D…`; every statement here uses unqualified names for that reason,
//! and the migration lock is keyed by `current_schema()`.

mod accounts;
mod calls;
mod records;
mod sends;

use std::time::Duration;

use async_trait::async_trait;
use codecs::ResourceId;
use codecs::events::DeviceToken;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use time::OffsetDateTime;
use tokio_postgres::NoTls;
use tokio_postgres::Row;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::FromSql;

use crate::{
    AuditLogEntry, ChatAppend, DeviceTokenRecord, Location, MediaAsset, MediaStatus, NewMediaAsset,
    NewNotificationSend, NotificationSend, Store, StoreError, StoredCall, StoredChatMessage, User,
};

/// Pool settings of [`PostgresStore`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostgresOptions {
    /// Most connections open at once (at least 1). Default 16.
    pub pool_size: usize,
    /// Longest wait for a new connection (TCP + authentication). Default 5 s.
    pub connect_timeout: Duration,
    /// Longest wait for a free pooled connection. Default 10 s.
    pub wait_timeout: Duration,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        PostgresOptions {
            pool_size: 16,
            connect_timeout: Duration::from_secs(5),
            wait_timeout: Duration::from_secs(10),
        }
    }
}

/// The PostgreSQL implementation of [`Store`].
pub struct PostgresStore {
    pool: Pool,
    /// Host, port and database, for errors and logs (no credentials).
    description: String,
}

impl PostgresStore {
    /// Builds the pool for `config` without connecting (the first call connects).
    pub fn connect(
        mut config: tokio_postgres::Config,
        options: &PostgresOptions,
    ) -> Result<PostgresStore, StoreError> {
        let description = Location::Postgres(Box::new(config.clone())).describe();
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(options.connect_timeout);
        }
        if config.get_application_name().is_none() {
            config.application_name("armoricore");
        }
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(options.pool_size.max(1))
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(options.wait_timeout))
            .create_timeout(Some(options.connect_timeout))
            .recycle_timeout(Some(options.connect_timeout))
            .build()
            .map_err(|e| StoreError::backend("build the PostgreSQL pool", e))?;
        Ok(PostgresStore { pool, description })
    }

    /// Parses `url` (`postgres://…`), builds the pool and checks it with one round trip.
    pub async fn connect_url(
        url: &str,
        options: &PostgresOptions,
    ) -> Result<PostgresStore, StoreError> {
        match Location::parse(Some(url), std::path::Path::new("."))? {
            Location::Postgres(config) => {
                let store = PostgresStore::connect(*config, options)?;
                store.health().await?;
                Ok(store)
            }
            _ => Err(StoreError::BadUrl(
                "expected a postgres:// or postgresql:// URL".into(),
            )),
        }
    }

    async fn client(&self, context: &'static str) -> Result<deadpool_postgres::Object, StoreError> {
        self.pool.get().await.map_err(|e| {
            StoreError::unavailable(
                context,
                format!("{}: {}", self.description, error_chain(&e)),
            )
        })
    }

    /// Host, port and database of the server, for logs (no credentials).
    pub fn description(&self) -> &str {
        &self.description
    }
}

/// The error and its sources, joined: tokio-postgres prints only its kind ("db error") at
/// the top level and keeps the server's message in the source.
pub(crate) fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Maps a tokio-postgres error to a [`StoreError`] saying what the store was doing.
pub(crate) fn pg(context: &'static str) -> impl Fn(tokio_postgres::Error) -> StoreError {
    move |err| {
        let message = error_chain(&err);
        let Some(code) = err.code() else {
            let io = std::error::Error::source(&err).is_some_and(|s| s.is::<std::io::Error>());
            return if err.is_closed() || io {
                StoreError::Unavailable { context, message }
            } else {
                StoreError::Backend { context, message }
            };
        };
        let class = &code.code()[..2];
        if *code == SqlState::UNIQUE_VIOLATION || *code == SqlState::EXCLUSION_VIOLATION {
            StoreError::Conflict(format!("{context}: {message}"))
        } else if *code == SqlState::CHECK_VIOLATION
            || *code == SqlState::NOT_NULL_VIOLATION
            || class == "22"
        {
            // Class 22 is "data exception": bad text encoding, out-of-range numbers.
            StoreError::Invalid(format!("{context}: {message}"))
        } else if matches!(class, "08" | "53" | "57" | "28" | "3D")
            || *code == SqlState::T_R_SERIALIZATION_FAILURE
            || *code == SqlState::T_R_DEADLOCK_DETECTED
        {
            // Connection, resources, operator intervention, authentication, missing
            // database, or a transaction the server asks to retry.
            StoreError::Unavailable { context, message }
        } else {
            StoreError::Backend { context, message }
        }
    }
}

/// Reads column `idx`, naming `field` if the stored value cannot be read.
pub(super) fn get<'a, T: FromSql<'a>>(
    row: &'a Row,
    idx: usize,
    field: &'static str,
) -> Result<T, StoreError> {
    row.try_get(idx)
        .map_err(|e| StoreError::backend(field, error_chain(&e)))
}

/// Reads column `idx` as a [`ResourceId`].
pub(super) fn get_id(row: &Row, idx: usize, field: &'static str) -> Result<ResourceId, StoreError> {
    ResourceId::new(get::<String>(row, idx, field)?)
        .map_err(|e| StoreError::backend(field, format!("stored id is invalid: {e}")))
}

/// Reads column `idx` (a non-negative BIGINT) as a `u64`.
pub(super) fn get_u64(row: &Row, idx: usize, field: &'static str) -> Result<u64, StoreError> {
    crate::validate::to_u64(field, get::<i64>(row, idx, field)?)
}

#[async_trait]
impl Store for PostgresStore {
    fn kind(&self) -> &'static str {
        "postgres"
    }

    async fn health(&self) -> Result<(), StoreError> {
        let client = self.client("health check").await?;
        let one: i32 = client
            .query_one("SELECT 1", &[])
            .await
            .and_then(|row| row.try_get(0))
            .map_err(pg("health check"))?;
        if one == 1 {
            Ok(())
        } else {
            Err(StoreError::backend(
                "health check",
                "SELECT 1 did not return 1",
            ))
        }
    }

    async fn migrate(&self) -> Result<Vec<u32>, StoreError> {
        let mut client = self.client("migrate").await?;
        accounts::migrate(&mut client).await
    }

    async fn upsert_user(&self, user: &User) -> Result<(), StoreError> {
        crate::validate::user(user)?;
        let client = self.client("upsert user").await?;
        accounts::upsert_user(&client, user).await
    }

    async fn get_user(&self, id: &ResourceId) -> Result<Option<User>, StoreError> {
        let client = self.client("get user").await?;
        accounts::get_user(&client, id).await
    }

    async fn revoke_token(
        &self,
        jti: &str,
        user_id: &ResourceId,
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        crate::validate::jti(jti)?;
        crate::validate::time("expires_at", expires_at)?;
        let client = self.client("revoke token").await?;
        accounts::revoke_token(&client, jti, user_id, expires_at).await
    }

    async fn is_token_revoked(&self, jti: &str) -> Result<bool, StoreError> {
        crate::validate::jti(jti)?;
        let client = self.client("check revocation").await?;
        accounts::is_token_revoked(&client, jti).await
    }

    async fn purge_expired_revocations(&self, now: OffsetDateTime) -> Result<u64, StoreError> {
        crate::validate::time("now", now)?;
        let client = self.client("purge revocations").await?;
        accounts::purge_revocations(&client, now).await
    }

    async fn upsert_device_token(
        &self,
        user_id: &ResourceId,
        token: &DeviceToken,
    ) -> Result<DeviceTokenRecord, StoreError> {
        crate::validate::device_token(&token.token)?;
        let client = self.client("upsert device token").await?;
        accounts::upsert_device_token(&client, user_id, token).await
    }

    async fn delete_device_token(
        &self,
        user_id: &ResourceId,
        token: &str,
    ) -> Result<bool, StoreError> {
        crate::validate::device_token(token)?;
        let client = self.client("delete device token").await?;
        Ok(accounts::delete_device_token(&client, Some(user_id), token).await? > 0)
    }

    async fn delete_device_token_everywhere(&self, token: &str) -> Result<u64, StoreError> {
        crate::validate::device_token(token)?;
        let client = self.client("delete device token everywhere").await?;
        accounts::delete_device_token(&client, None, token).await
    }

    async fn device_tokens_for(
        &self,
        user_id: &ResourceId,
    ) -> Result<Vec<DeviceTokenRecord>, StoreError> {
        let client = self.client("list device tokens").await?;
        accounts::device_tokens_for(&client, user_id).await
    }

    async fn create_media_asset(&self, asset: &NewMediaAsset) -> Result<bool, StoreError> {
        let file_size = crate::validate::new_media(asset)?;
        let client = self.client("create media asset").await?;
        records::create_media_asset(&client, asset, file_size).await
    }

    async fn get_media_asset(&self, id: &ResourceId) -> Result<Option<MediaAsset>, StoreError> {
        let client = self.client("get media asset").await?;
        records::get_media_asset(&client, id).await
    }

    async fn set_media_status(
        &self,
        id: &ResourceId,
        status: MediaStatus,
        outputs: Option<serde_json::Value>,
        duration_ms: Option<u64>,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        let (outputs, duration_ms) =
            crate::validate::media_update(outputs.as_ref(), duration_ms, error)?;
        let client = self.client("set media status").await?;
        records::set_media_status(&client, id, status, outputs, duration_ms, error).await
    }

    async fn append_chat_message(
        &self,
        room_id: &ResourceId,
        message_id: &ResourceId,
        user_id: &ResourceId,
        content: &str,
    ) -> Result<ChatAppend, StoreError> {
        crate::validate::chat_content(content)?;
        let mut client = self.client("append chat message").await?;
        records::append_chat_message(&mut client, room_id, message_id, user_id, content).await
    }

    async fn chat_messages_after(
        &self,
        room_id: &ResourceId,
        after_offset: u64,
        limit: u32,
    ) -> Result<Vec<StoredChatMessage>, StoreError> {
        let client = self.client("read chat history").await?;
        records::chat_messages_after(&client, room_id, after_offset, limit).await
    }

    async fn latest_chat_messages(
        &self,
        room_id: &ResourceId,
        limit: u32,
    ) -> Result<Vec<StoredChatMessage>, StoreError> {
        let client = self.client("read latest chat messages").await?;
        records::latest_chat_messages(&client, room_id, limit).await
    }

    async fn open_call(
        &self,
        call_id: &ResourceId,
        caller: &ResourceId,
        callee: &ResourceId,
    ) -> Result<StoredCall, StoreError> {
        crate::validate::call_parties(caller, callee)?;
        let client = self.client("open call").await?;
        calls::open_call(&client, call_id, caller, callee).await
    }

    async fn get_call(&self, call_id: &ResourceId) -> Result<Option<StoredCall>, StoreError> {
        let client = self.client("get call").await?;
        calls::get_call(&client, call_id).await
    }

    async fn end_call(&self, call_id: &ResourceId) -> Result<bool, StoreError> {
        let client = self.client("end call").await?;
        calls::end_call(&client, call_id).await
    }

    async fn append_audit_log(
        &self,
        actor: &str,
        action: &str,
        target: &str,
        detail: &serde_json::Value,
    ) -> Result<AuditLogEntry, StoreError> {
        let detail_text = crate::validate::audit(actor, action, target, detail)?;
        let client = self.client("append audit log").await?;
        records::append_audit_log(&client, [actor, action, target], detail, &detail_text).await
    }

    async fn recent_audit_logs(&self, limit: u32) -> Result<Vec<AuditLogEntry>, StoreError> {
        let client = self.client("read audit logs").await?;
        records::recent_audit_logs(&client, limit).await
    }

    async fn record_notification_send(
        &self,
        send: &NewNotificationSend,
    ) -> Result<NotificationSend, StoreError> {
        crate::validate::notification_send(send)?;
        let client = self.client("record notification send").await?;
        sends::record_send(&client, send).await
    }

    async fn notification_sends(
        &self,
        notification_id: &ResourceId,
    ) -> Result<Vec<NotificationSend>, StoreError> {
        let client = self.client("list notification sends").await?;
        sends::sends_of(&client, notification_id).await
    }

    async fn record_analytics_event(
        &self,
        user_id: Option<&ResourceId>,
        name: &str,
        properties: &serde_json::Value,
    ) -> Result<(), StoreError> {
        crate::validate::event_name(name)?;
        let properties = crate::validate::json("properties", properties)?;
        let client = self.client("record analytics event").await?;
        records::record_analytics_event(&client, user_id, name, &properties).await
    }

    async fn count_analytics_events(&self, name: &str) -> Result<u64, StoreError> {
        crate::validate::event_name(name)?;
        let client = self.client("count analytics events").await?;
        records::count_analytics_events(&client, name).await
    }
}
