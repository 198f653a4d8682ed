//! SQLite SQL for what happens on the node: media assets, room history, audit logs and
//! analytics events. One blocking function per [`crate::Store`] method, run by `super` on
//! the writer or a reader connection.

use codecs::ResourceId;
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

use super::rows::{collect, parse_time, stored_id, stored_json, time_text};
use super::sq;
use crate::model::{already_stored, newly_stored, now};
use crate::{
    AuditLogEntry, ChatAppend, MediaAsset, MediaStatus, NewMediaAsset, StoreError,
    StoredChatMessage, validate,
};

const MEDIA_COLS: &str = "id, user_id, status, source, content_type, file_size, outputs, \
                          duration_ms, error, created_at, updated_at";

fn media_row(row: &Row<'_>) -> rusqlite::Result<Result<MediaAsset, StoreError>> {
    let id: String = row.get(0)?;
    let user_id: String = row.get(1)?;
    let status: String = row.get(2)?;
    let (source, content_type): (String, String) = (row.get(3)?, row.get(4)?);
    let file_size: i64 = row.get(5)?;
    let outputs: Option<String> = row.get(6)?;
    let duration_ms: Option<i64> = row.get(7)?;
    let error: Option<String> = row.get(8)?;
    let (created_at, updated_at): (String, String) = (row.get(9)?, row.get(10)?);
    Ok((|| {
        Ok(MediaAsset {
            id: stored_id("media_assets.id", id)?,
            user_id: stored_id("media_assets.user_id", user_id)?,
            status: status
                .parse::<MediaStatus>()
                .map_err(|e| StoreError::backend("media_assets.status", e))?,
            source,
            content_type,
            file_size: validate::to_u64("media_assets.file_size", file_size)?,
            outputs: outputs
                .map(|o| stored_json("media_assets.outputs", &o))
                .transpose()?,
            duration_ms: duration_ms
                .map(|d| validate::to_u64("media_assets.duration_ms", d))
                .transpose()?,
            error,
            created_at: parse_time("media_assets.created_at", &created_at)?,
            updated_at: parse_time("media_assets.updated_at", &updated_at)?,
        })
    })())
}

pub(super) fn create_media_asset(
    conn: &Connection,
    asset: &NewMediaAsset,
) -> Result<bool, StoreError> {
    let file_size = validate::new_media(asset)?;
    let at = time_text("now", now())?;
    let n = conn
        .prepare_cached(
            "INSERT INTO media_assets
                 (id, user_id, status, source, content_type, file_size, created_at, updated_at)
             VALUES (?1, ?2, 'uploaded', ?3, ?4, ?5, ?6, ?6)
             ON CONFLICT (id) DO NOTHING",
        )
        .and_then(|mut stmt| {
            stmt.execute(params![
                asset.id.as_str(),
                asset.user_id.as_str(),
                asset.source,
                asset.content_type,
                file_size,
                at
            ])
        })
        .map_err(sq("create media asset"))?;
    Ok(n == 1)
}

pub(super) fn get_media_asset(
    conn: &Connection,
    id: &ResourceId,
) -> Result<Option<MediaAsset>, StoreError> {
    let sql = format!("SELECT {MEDIA_COLS} FROM media_assets WHERE id = ?1");
    conn.prepare_cached(&sql)
        .and_then(|mut stmt| stmt.query_row([id.as_str()], media_row).optional())
        .map_err(sq("get media asset"))?
        .transpose()
}

/// Arguments of [`set_media_status`], owned so they can move to the blocking pool.
pub(super) struct MediaUpdate {
    pub(super) id: ResourceId,
    pub(super) status: MediaStatus,
    pub(super) outputs: Option<serde_json::Value>,
    pub(super) duration_ms: Option<u64>,
    pub(super) error: Option<String>,
}

pub(super) fn set_media_status(conn: &Connection, update: &MediaUpdate) -> Result<(), StoreError> {
    let (outputs, duration_ms) = validate::media_update(
        update.outputs.as_ref(),
        update.duration_ms,
        update.error.as_deref(),
    )?;
    let at = time_text("now", now())?;
    let n = conn
        .prepare_cached(
            "UPDATE media_assets
             SET status = ?2, outputs = COALESCE(?3, outputs),
                 duration_ms = COALESCE(?4, duration_ms), error = ?5, updated_at = ?6
             WHERE id = ?1",
        )
        .and_then(|mut stmt| {
            stmt.execute(params![
                update.id.as_str(),
                update.status.as_str(),
                outputs,
                duration_ms,
                update.error,
                at
            ])
        })
        .map_err(sq("set media status"))?;
    if n == 0 {
        return Err(StoreError::NotFound(format!("media asset `{}`", update.id)));
    }
    Ok(())
}

const CHAT_COLS: &str = r#"room_id, "offset", message_id, user_id, content, created_at"#;

fn chat_row(row: &Row<'_>) -> rusqlite::Result<Result<StoredChatMessage, StoreError>> {
    let (room_id, offset, message_id): (String, i64, String) =
        (row.get(0)?, row.get(1)?, row.get(2)?);
    let (user_id, content, created_at): (String, String, String) =
        (row.get(3)?, row.get(4)?, row.get(5)?);
    Ok((|| {
        Ok(StoredChatMessage {
            room_id: stored_id("chat_messages.room_id", room_id)?,
            offset: validate::to_u64("chat_messages.offset", offset)?,
            message_id: stored_id("chat_messages.message_id", message_id)?,
            user_id: stored_id("chat_messages.user_id", user_id)?,
            content,
            created_at: parse_time("chat_messages.created_at", &created_at)?,
        })
    })())
}

fn chat_by_message_id(
    conn: &Connection,
    message_id: &ResourceId,
) -> Result<Option<StoredChatMessage>, StoreError> {
    let sql = format!("SELECT {CHAT_COLS} FROM chat_messages WHERE message_id = ?1");
    conn.prepare_cached(&sql)
        .and_then(|mut stmt| stmt.query_row([message_id.as_str()], chat_row).optional())
        .map_err(sq("find chat message"))?
        .transpose()
}

pub(super) fn append_chat_message(
    conn: &mut Connection,
    room_id: &ResourceId,
    message_id: &ResourceId,
    user_id: &ResourceId,
    content: &str,
) -> Result<ChatAppend, StoreError> {
    validate::chat_content(content)?;
    let created_at = now();
    let at = time_text("now", created_at)?;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sq("begin chat append"))?;
    if let Some(existing) = chat_by_message_id(&tx, message_id)? {
        return already_stored(existing, room_id);
    }
    let offset: i64 = tx
        .prepare_cached(
            r#"SELECT COALESCE(MAX("offset"), 0) + 1 FROM chat_messages WHERE room_id = ?1"#,
        )
        .and_then(|mut stmt| stmt.query_row([room_id.as_str()], |row| row.get(0)))
        .map_err(sq("next chat offset"))?;
    let sql = format!("INSERT INTO chat_messages ({CHAT_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    tx.prepare_cached(&sql)
        .and_then(|mut stmt| {
            stmt.execute(params![
                room_id.as_str(),
                offset,
                message_id.as_str(),
                user_id.as_str(),
                content,
                at
            ])
        })
        .map_err(sq("append chat message"))?;
    tx.commit().map_err(sq("commit chat append"))?;
    newly_stored(room_id, offset, message_id, user_id, content, created_at)
}

pub(super) fn chat_messages_after(
    conn: &Connection,
    room_id: &ResourceId,
    after_offset: u64,
    limit: u32,
) -> Result<Vec<StoredChatMessage>, StoreError> {
    // Offsets above i64::MAX cannot exist, so such a cursor simply has nothing after it.
    let after = i64::try_from(after_offset).unwrap_or(i64::MAX);
    let sql = format!(
        r#"SELECT {CHAT_COLS} FROM chat_messages WHERE room_id = ?1 AND "offset" > ?2 ORDER BY "offset" LIMIT ?3"#
    );
    collect(
        "read chat history",
        conn.prepare_cached(&sql).and_then(|mut stmt| {
            stmt.query_map(params![room_id.as_str(), after, limit], chat_row)?
                .collect()
        }),
    )
}

pub(super) fn latest_chat_messages(
    conn: &Connection,
    room_id: &ResourceId,
    limit: u32,
) -> Result<Vec<StoredChatMessage>, StoreError> {
    let sql = format!(
        r#"SELECT {CHAT_COLS} FROM (
               SELECT {CHAT_COLS} FROM chat_messages WHERE room_id = ?1 ORDER BY "offset" DESC LIMIT ?2
           ) ORDER BY "offset""#
    );
    collect(
        "read latest chat messages",
        conn.prepare_cached(&sql).and_then(|mut stmt| {
            stmt.query_map(params![room_id.as_str(), limit], chat_row)?
                .collect()
        }),
    )
}

fn audit_row(row: &Row<'_>) -> rusqlite::Result<Result<AuditLogEntry, StoreError>> {
    let (id, at, actor, action, target, detail): (i64, String, String, String, String, String) = (
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
    );
    Ok((|| {
        Ok(AuditLogEntry {
            id,
            at: parse_time("audit_logs.at", &at)?,
            actor,
            action,
            target,
            detail: stored_json("audit_logs.detail", &detail)?,
        })
    })())
}

pub(super) fn append_audit_log(
    conn: &Connection,
    actor: &str,
    action: &str,
    target: &str,
    detail: &serde_json::Value,
) -> Result<AuditLogEntry, StoreError> {
    let detail_text = validate::audit(actor, action, target, detail)?;
    let at = now();
    let at_text = time_text("at", at)?;
    let id: i64 = conn
        .prepare_cached(
            "INSERT INTO audit_logs (at, actor, action, target, detail) VALUES (?1, ?2, ?3, ?4, ?5)
             RETURNING id",
        )
        .and_then(|mut stmt| {
            stmt.query_row(
                params![at_text, actor, action, target, detail_text],
                |row| row.get(0),
            )
        })
        .map_err(sq("append audit log"))?;
    Ok(AuditLogEntry {
        id,
        at,
        actor: actor.to_string(),
        action: action.to_string(),
        target: target.to_string(),
        detail: detail.clone(),
    })
}

pub(super) fn recent_audit_logs(
    conn: &Connection,
    limit: u32,
) -> Result<Vec<AuditLogEntry>, StoreError> {
    collect(
        "read audit logs",
        conn.prepare_cached(
            "SELECT id, at, actor, action, target, detail FROM audit_logs ORDER BY id DESC LIMIT ?1",
        )
        .and_then(|mut stmt| stmt.query_map([limit], audit_row)?.collect()),
    )
}

pub(super) fn record_analytics_event(
    conn: &Connection,
    user_id: Option<&ResourceId>,
    name: &str,
    properties: &serde_json::Value,
) -> Result<(), StoreError> {
    validate::event_name(name)?;
    let properties = validate::json("properties", properties)?;
    let at = time_text("now", now())?;
    conn.prepare_cached(
        "INSERT INTO analytics_events (at, user_id, name, properties) VALUES (?1, ?2, ?3, ?4)",
    )
    .and_then(|mut stmt| {
        stmt.execute(params![
            at,
            user_id.map(ResourceId::as_str),
            name,
            properties
        ])
    })
    .map_err(sq("record analytics event"))?;
    Ok(())
}

pub(super) fn count_analytics_events(conn: &Connection, name: &str) -> Result<u64, StoreError> {
    validate::event_name(name)?;
    let n: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM analytics_events WHERE name = ?1")
        .and_then(|mut stmt| stmt.query_row([name], |row| row.get(0)))
        .map_err(sq("count analytics events"))?;
    validate::to_u64("analytics_events.count", n)
}
