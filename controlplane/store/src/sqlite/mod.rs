//! The embedded backend: SQLite through rusqlite (bundled library), a file in the node's data
//! dir or a private in-memory database.
//!
//! # Connections: one writer, a few readers
//! SQLite runs one write transaction at a time per database, whatever the number of
//! connections. Several writer connections would only meet at the file lock and spin on
//! `SQLITE_BUSY` (and a deferred transaction that upgrades to a write can fail outright), so
//! the store keeps exactly one writer connection behind an async FIFO lock
//! ([`tokio::sync::Mutex`]): writes queue without burning threads, and per-room chat offsets
//! are computed inside the same `BEGIN IMMEDIATE` transaction that inserts them. Reads go to
//! a small pool of reader connections (`query_only`) that, thanks to WAL, read the last
//! committed state concurrently with the writer. An in-memory database is private to its
//! connection, so it has the writer only and reads go through it.
//!
//! Every call runs on tokio's blocking pool (`spawn_blocking`) holding its connection; if the
//! calling future is dropped the blocking part still finishes (a transaction is never left
//! half done) and the connection is returned afterwards.
//!
//! # Limits
//! Readers: [`DEFAULT_READERS`] unless configured (`OpenOptions::sqlite_readers`); writer:
//! one. A call that finds every reader (or the writer) busy waits its turn, first come first
//! served, without a timeout: each holds its connection for one short statement or one
//! transaction, never across an await of the caller.
//!
//! # Settings
//! `journal_mode=WAL` (readers never block the writer), `synchronous=FULL` (a commit is on
//! disk before the call returns: work is acknowledged on the bus only after its effects are
//! durable, so the cheaper `NORMAL` — which can lose the last commits on power loss — is
//! not used), `foreign_keys=ON`, and a busy timeout of [`BUSY_TIMEOUT`] for other processes
//! sharing the file (`armoricore migrate` while a node runs); past it a call fails with
//! [`StoreError::Unavailable`].
//!
//! # Times
//! Stored as RFC 3339 text in UTC with exactly six fractional digits
//! (`2024-05-06T07:08:09.123456Z`), so text order is time order and `expires_at < ?` works.

mod accounts;
mod calls;
mod records;
mod rows;
mod sends;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use codecs::ResourceId;
use codecs::events::DeviceToken;
use rusqlite::{Connection, OpenFlags};
use time::OffsetDateTime;

use crate::{
    AuditLogEntry, ChatAppend, DeviceTokenRecord, MediaAsset, MediaStatus, NewMediaAsset,
    NewNotificationSend, NotificationSend, Store, StoreError, StoredCall, StoredChatMessage, User,
};

/// How long a connection waits for a lock held by another process before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Reader connections opened for a file database unless configured otherwise.
pub const DEFAULT_READERS: usize = 4;

/// The SQLite implementation of [`Store`].
pub struct SqliteStore {
    writer: Arc<tokio::sync::Mutex<Connection>>,
    /// `None` for an in-memory database: reads use the writer.
    readers: Option<deadpool::unmanaged::Pool<Connection>>,
    description: String,
}

impl SqliteStore {
    /// Opens (creating it and its directory when missing) the database file at `path`, with
    /// one writer and `readers` reader connections (at least one).
    pub async fn open_file(path: &Path, readers: usize) -> Result<SqliteStore, StoreError> {
        let path = path.to_path_buf();
        let readers = readers.max(1);
        let description = format!("sqlite file {}", path.display());
        let (writer, reader_conns) = blocking("open sqlite file", move || {
            open_file_connections(&path, readers)
        })
        .await?;
        let pool = deadpool::unmanaged::Pool::from(reader_conns);
        Ok(SqliteStore {
            writer: Arc::new(tokio::sync::Mutex::new(writer)),
            readers: Some(pool),
            description,
        })
    }

    /// Opens a private in-memory database (gone when the store is dropped).
    pub async fn open_in_memory() -> Result<SqliteStore, StoreError> {
        let writer = blocking("open sqlite in memory", || {
            let conn = Connection::open_in_memory().map_err(sq("open sqlite in memory"))?;
            configure(&conn, false).map_err(sq("configure sqlite"))?;
            Ok(conn)
        })
        .await?;
        Ok(SqliteStore {
            writer: Arc::new(tokio::sync::Mutex::new(writer)),
            readers: None,
            description: "sqlite in memory".to_string(),
        })
    }

    /// Where the database is, for logs.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// Runs `f` with the writer connection on the blocking pool.
    async fn write<T, F>(&self, context: &'static str, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let mut conn = Arc::clone(&self.writer).lock_owned().await;
        blocking(context, move || f(&mut conn)).await
    }

    /// Runs `f` with a reader connection (the writer for in-memory) on the blocking pool.
    async fn read<T, F>(&self, context: &'static str, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        match &self.readers {
            Some(pool) => {
                let conn = pool
                    .get()
                    .await
                    .map_err(|e| StoreError::unavailable(context, e))?;
                blocking(context, move || f(&conn)).await
            }
            None => self.write(context, move |conn| f(conn)).await,
        }
    }
}

async fn blocking<T, F>(context: &'static str, f: F) -> Result<T, StoreError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, StoreError> + Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StoreError::backend(context, format!("blocking task failed: {e}")))?
}

fn open_file_connections(
    path: &PathBuf,
    readers: usize,
) -> Result<(Connection, Vec<Connection>), StoreError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::unavailable(
                "create the sqlite directory",
                format!("{}: {e}", dir.display()),
            )
        })?;
    }
    let writer = Connection::open(path).map_err(sq("open sqlite file"))?;
    configure(&writer, false).map_err(sq("configure sqlite writer"))?;
    let mode: String = writer
        .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
        .map_err(sq("enable WAL"))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::backend(
            "enable WAL",
            format!("journal_mode is `{mode}` after asking for WAL"),
        ));
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut reader_conns = Vec::with_capacity(readers);
    for _ in 0..readers {
        let reader = Connection::open_with_flags(path, flags).map_err(sq("open sqlite reader"))?;
        configure(&reader, true).map_err(sq("configure sqlite reader"))?;
        reader_conns.push(reader);
    }
    Ok((writer, reader_conns))
}

fn configure(conn: &Connection, query_only: bool) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    if query_only {
        conn.pragma_update(None, "query_only", "ON")?;
    }
    Ok(())
}

/// Maps a rusqlite error to a [`StoreError`] saying what the store was doing.
pub(crate) fn sq(context: &'static str) -> impl Fn(rusqlite::Error) -> StoreError {
    move |err| {
        use rusqlite::ErrorCode as C;
        match &err {
            rusqlite::Error::SqliteFailure(e, _) => match e.code {
                C::DatabaseBusy
                | C::DatabaseLocked
                | C::CannotOpen
                | C::PermissionDenied
                | C::ReadOnly
                | C::DiskFull
                | C::SystemIoFailure => StoreError::unavailable(context, &err),
                C::ConstraintViolation
                    if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_CHECK =>
                {
                    StoreError::Invalid(format!("{context}: {err}"))
                }
                C::ConstraintViolation => StoreError::Conflict(format!("{context}: {err}")),
                _ => StoreError::backend(context, &err),
            },
            _ => StoreError::backend(context, &err),
        }
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn kind(&self) -> &'static str {
        "sqlite"
    }

    async fn health(&self) -> Result<(), StoreError> {
        self.read("health check", accounts::health).await
    }

    async fn migrate(&self) -> Result<Vec<u32>, StoreError> {
        self.write("migrate", accounts::migrate).await
    }

    async fn upsert_user(&self, user: &User) -> Result<(), StoreError> {
        let user = user.clone();
        self.write("upsert user", move |c| accounts::upsert_user(c, &user))
            .await
    }

    async fn get_user(&self, id: &ResourceId) -> Result<Option<User>, StoreError> {
        let id = id.clone();
        self.read("get user", move |c| accounts::get_user(c, &id))
            .await
    }

    async fn revoke_token(
        &self,
        jti: &str,
        user_id: &ResourceId,
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let (jti, user_id) = (jti.to_string(), user_id.clone());
        self.write("revoke token", move |c| {
            accounts::revoke_token(c, &jti, &user_id, expires_at)
        })
        .await
    }

    async fn is_token_revoked(&self, jti: &str) -> Result<bool, StoreError> {
        let jti = jti.to_string();
        self.read("check revocation", move |c| {
            accounts::is_token_revoked(c, &jti)
        })
        .await
    }

    async fn purge_expired_revocations(&self, now: OffsetDateTime) -> Result<u64, StoreError> {
        self.write("purge revocations", move |c| {
            accounts::purge_revocations(c, now)
        })
        .await
    }

    async fn upsert_device_token(
        &self,
        user_id: &ResourceId,
        token: &DeviceToken,
    ) -> Result<DeviceTokenRecord, StoreError> {
        let (user_id, token) = (user_id.clone(), token.clone());
        self.write("upsert device token", move |c| {
            accounts::upsert_device_token(c, &user_id, &token)
        })
        .await
    }

    async fn delete_device_token(
        &self,
        user_id: &ResourceId,
        token: &str,
    ) -> Result<bool, StoreError> {
        let (user_id, token) = (user_id.clone(), token.to_string());
        self.write("delete device token", move |c| {
            accounts::delete_device_token(c, Some(&user_id), &token).map(|n| n > 0)
        })
        .await
    }

    async fn delete_device_token_everywhere(&self, token: &str) -> Result<u64, StoreError> {
        let token = token.to_string();
        self.write("delete device token everywhere", move |c| {
            accounts::delete_device_token(c, None, &token)
        })
        .await
    }

    async fn device_tokens_for(
        &self,
        user_id: &ResourceId,
    ) -> Result<Vec<DeviceTokenRecord>, StoreError> {
        let user_id = user_id.clone();
        self.read("list device tokens", move |c| {
            accounts::device_tokens_for(c, &user_id)
        })
        .await
    }

    async fn create_media_asset(&self, asset: &NewMediaAsset) -> Result<bool, StoreError> {
        let asset = asset.clone();
        self.write("create media asset", move |c| {
            records::create_media_asset(c, &asset)
        })
        .await
    }

    async fn get_media_asset(&self, id: &ResourceId) -> Result<Option<MediaAsset>, StoreError> {
        let id = id.clone();
        self.read("get media asset", move |c| records::get_media_asset(c, &id))
            .await
    }

    async fn set_media_status(
        &self,
        id: &ResourceId,
        status: MediaStatus,
        outputs: Option<serde_json::Value>,
        duration_ms: Option<u64>,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        let update = records::MediaUpdate {
            id: id.clone(),
            status,
            outputs,
            duration_ms,
            error: error.map(str::to_string),
        };
        self.write("set media status", move |c| {
            records::set_media_status(c, &update)
        })
        .await
    }

    async fn append_chat_message(
        &self,
        room_id: &ResourceId,
        message_id: &ResourceId,
        user_id: &ResourceId,
        content: &str,
    ) -> Result<ChatAppend, StoreError> {
        let ids = (room_id.clone(), message_id.clone(), user_id.clone());
        let content = content.to_string();
        self.write("append chat message", move |c| {
            records::append_chat_message(c, &ids.0, &ids.1, &ids.2, &content)
        })
        .await
    }

    async fn chat_messages_after(
        &self,
        room_id: &ResourceId,
        after_offset: u64,
        limit: u32,
    ) -> Result<Vec<StoredChatMessage>, StoreError> {
        let room_id = room_id.clone();
        self.read("read chat history", move |c| {
            records::chat_messages_after(c, &room_id, after_offset, limit)
        })
        .await
    }

    async fn latest_chat_messages(
        &self,
        room_id: &ResourceId,
        limit: u32,
    ) -> Result<Vec<StoredChatMessage>, StoreError> {
        let room_id = room_id.clone();
        self.read("read latest chat messages", move |c| {
            records::latest_chat_messages(c, &room_id, limit)
        })
        .await
    }

    async fn open_call(
        &self,
        call_id: &ResourceId,
        caller: &ResourceId,
        callee: &ResourceId,
    ) -> Result<StoredCall, StoreError> {
        let ids = (call_id.clone(), caller.clone(), callee.clone());
        self.write("open call", move |c| {
            calls::open_call(c, &ids.0, &ids.1, &ids.2)
        })
        .await
    }

    async fn get_call(&self, call_id: &ResourceId) -> Result<Option<StoredCall>, StoreError> {
        let call_id = call_id.clone();
        self.read("get call", move |c| calls::get_call(c, &call_id))
            .await
    }

    async fn end_call(&self, call_id: &ResourceId) -> Result<bool, StoreError> {
        let call_id = call_id.clone();
        self.write("end call", move |c| calls::end_call(c, &call_id))
            .await
    }

    async fn append_audit_log(
        &self,
        actor: &str,
        action: &str,
        target: &str,
        detail: &serde_json::Value,
    ) -> Result<AuditLogEntry, StoreError> {
        let entry = (actor.to_string(), action.to_string(), target.to_string());
        let detail = detail.clone();
        self.write("append audit log", move |c| {
            records::append_audit_log(c, &entry.0, &entry.1, &entry.2, &detail)
        })
        .await
    }

    async fn recent_audit_logs(&self, limit: u32) -> Result<Vec<AuditLogEntry>, StoreError> {
        self.read("read audit logs", move |c| {
            records::recent_audit_logs(c, limit)
        })
        .await
    }

    async fn record_notification_send(
        &self,
        send: &NewNotificationSend,
    ) -> Result<NotificationSend, StoreError> {
        let send = send.clone();
        self.write("record notification send", move |c| {
            sends::record_send(c, &send)
        })
        .await
    }

    async fn notification_sends(
        &self,
        notification_id: &ResourceId,
    ) -> Result<Vec<NotificationSend>, StoreError> {
        let id = notification_id.clone();
        self.read("list notification sends", move |c| sends::sends_of(c, &id))
            .await
    }

    async fn record_analytics_event(
        &self,
        user_id: Option<&ResourceId>,
        name: &str,
        properties: &serde_json::Value,
    ) -> Result<(), StoreError> {
        let (user_id, name) = (user_id.cloned(), name.to_string());
        let properties = properties.clone();
        self.write("record analytics event", move |c| {
            records::record_analytics_event(c, user_id.as_ref(), &name, &properties)
        })
        .await
    }

    async fn count_analytics_events(&self, name: &str) -> Result<u64, StoreError> {
        let name = name.to_string();
        self.read("count analytics events", move |c| {
            records::count_analytics_events(c, &name)
        })
        .await
    }
}
