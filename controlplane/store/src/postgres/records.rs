//! PostgreSQL SQL for what happens on the node: media assets, room history, audit logs and
//! analytics events. One async function per [`crate::Store`] method, run by `super` on a
//! pooled connection with arguments it has already validated.
//!
//! JSON goes in as text cast to `jsonb` (`$n::text::jsonb`), the same validated text the
//! SQLite backend stores, and comes out as `serde_json::Value`.

use codecs::ResourceId;
use deadpool_postgres::Object;
use tokio_postgres::Row;

use super::{get, get_id, get_u64, pg};
use crate::model::{already_stored, newly_stored, now};
use crate::{
    AuditLogEntry, ChatAppend, MediaAsset, MediaStatus, NewMediaAsset, StoreError,
    StoredChatMessage, validate,
};

const MEDIA_COLS: &str = "id, user_id, status, source, content_type, file_size, outputs, \
                          duration_ms, error, created_at, updated_at";

fn media_row(row: &Row) -> Result<MediaAsset, StoreError> {
    let duration_ms: Option<i64> = get(row, 7, "media_assets.duration_ms")?;
    Ok(MediaAsset {
        id: get_id(row, 0, "media_assets.id")?,
        user_id: get_id(row, 1, "media_assets.user_id")?,
        status: get::<String>(row, 2, "media_assets.status")?
            .parse::<MediaStatus>()
            .map_err(|e| StoreError::backend("media_assets.status", e))?,
        source: get(row, 3, "media_assets.source")?,
        content_type: get(row, 4, "media_assets.content_type")?,
        file_size: get_u64(row, 5, "media_assets.file_size")?,
        outputs: get(row, 6, "media_assets.outputs")?,
        duration_ms: duration_ms
            .map(|d| validate::to_u64("media_assets.duration_ms", d))
            .transpose()?,
        error: get(row, 8, "media_assets.error")?,
        created_at: get(row, 9, "media_assets.created_at")?,
        updated_at: get(row, 10, "media_assets.updated_at")?,
    })
}

pub(super) async fn create_media_asset(
    client: &Object,
    asset: &NewMediaAsset,
    file_size: i64,
) -> Result<bool, StoreError> {
    let stmt = client
        .prepare_cached(
            "INSERT INTO media_assets
                 (id, user_id, status, source, content_type, file_size, created_at, updated_at)
             VALUES ($1, $2, 'uploaded', $3, $4, $5, $6, $6)
             ON CONFLICT (id) DO NOTHING",
        )
        .await
        .map_err(pg("create media asset"))?;
    let n = client
        .execute(
            &stmt,
            &[
                &asset.id.as_str(),
                &asset.user_id.as_str(),
                &asset.source,
                &asset.content_type,
                &file_size,
                &now(),
            ],
        )
        .await
        .map_err(pg("create media asset"))?;
    Ok(n == 1)
}

pub(super) async fn get_media_asset(
    client: &Object,
    id: &ResourceId,
) -> Result<Option<MediaAsset>, StoreError> {
    let sql = format!("SELECT {MEDIA_COLS} FROM media_assets WHERE id = $1");
    let stmt = client
        .prepare_cached(&sql)
        .await
        .map_err(pg("get media asset"))?;
    let row = client
        .query_opt(&stmt, &[&id.as_str()])
        .await
        .map_err(pg("get media asset"))?;
    row.as_ref().map(media_row).transpose()
}

pub(super) async fn set_media_status(
    client: &Object,
    id: &ResourceId,
    status: MediaStatus,
    outputs: Option<String>,
    duration_ms: Option<i64>,
    error: Option<&str>,
) -> Result<(), StoreError> {
    let stmt = client
        .prepare_cached(
            "UPDATE media_assets
             SET status = $2, outputs = COALESCE($3::text::jsonb, outputs),
                 duration_ms = COALESCE($4, duration_ms), error = $5, updated_at = $6
             WHERE id = $1",
        )
        .await
        .map_err(pg("set media status"))?;
    let n = client
        .execute(
            &stmt,
            &[
                &id.as_str(),
                &status.as_str(),
                &outputs,
                &duration_ms,
                &error,
                &now(),
            ],
        )
        .await
        .map_err(pg("set media status"))?;
    if n == 0 {
        return Err(StoreError::NotFound(format!("media asset `{id}`")));
    }
    Ok(())
}

const CHAT_COLS: &str = r#"room_id, "offset", message_id, user_id, content, created_at"#;

fn chat_row(row: &Row) -> Result<StoredChatMessage, StoreError> {
    Ok(StoredChatMessage {
        room_id: get_id(row, 0, "chat_messages.room_id")?,
        offset: get_u64(row, 1, "chat_messages.offset")?,
        message_id: get_id(row, 2, "chat_messages.message_id")?,
        user_id: get_id(row, 3, "chat_messages.user_id")?,
        content: get(row, 4, "chat_messages.content")?,
        created_at: get(row, 5, "chat_messages.created_at")?,
    })
}

async fn chat_by_message_id(
    client: &Object,
    message_id: &ResourceId,
) -> Result<Option<StoredChatMessage>, StoreError> {
    let sql = format!("SELECT {CHAT_COLS} FROM chat_messages WHERE message_id = $1");
    let stmt = client
        .prepare_cached(&sql)
        .await
        .map_err(pg("find chat message"))?;
    let row = client
        .query_opt(&stmt, &[&message_id.as_str()])
        .await
        .map_err(pg("find chat message"))?;
    row.as_ref().map(chat_row).transpose()
}

pub(super) async fn append_chat_message(
    client: &mut Object,
    room_id: &ResourceId,
    message_id: &ResourceId,
    user_id: &ResourceId,
    content: &str,
) -> Result<ChatAppend, StoreError> {
    let context = "append chat message";
    if let Some(existing) = chat_by_message_id(client, message_id).await? {
        return already_stored(existing, room_id);
    }
    let created_at = now();
    let tx = client.transaction().await.map_err(pg(context))?;
    // Bumping the room's counter locks its row until commit or rollback: concurrent appends
    // to one room queue here, and a rolled-back append returns its offset.
    let bump = tx
        .prepare_cached(
            "INSERT INTO chat_room_offsets (room_id, last_offset) VALUES ($1, 1)
             ON CONFLICT (room_id) DO UPDATE SET last_offset = chat_room_offsets.last_offset + 1
             RETURNING last_offset",
        )
        .await
        .map_err(pg(context))?;
    let row = tx
        .query_one(&bump, &[&room_id.as_str()])
        .await
        .map_err(pg(context))?;
    let offset: i64 = get(&row, 0, "chat_room_offsets.last_offset")?;
    let sql = format!(
        "INSERT INTO chat_messages ({CHAT_COLS}) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (message_id) DO NOTHING"
    );
    let insert = tx.prepare_cached(&sql).await.map_err(pg(context))?;
    let inserted = tx
        .execute(
            &insert,
            &[
                &room_id.as_str(),
                &offset,
                &message_id.as_str(),
                &user_id.as_str(),
                &content,
                &created_at,
            ],
        )
        .await
        .map_err(pg(context))?;
    if inserted == 0 {
        // A concurrent append of the same message_id committed first: give the offset back
        // and answer with what it stored.
        tx.rollback().await.map_err(pg(context))?;
        return match chat_by_message_id(client, message_id).await? {
            Some(existing) => already_stored(existing, room_id),
            None => Err(StoreError::backend(
                context,
                "message_id conflicted but is not stored",
            )),
        };
    }
    tx.commit().await.map_err(pg(context))?;
    newly_stored(room_id, offset, message_id, user_id, content, created_at)
}

pub(super) async fn chat_messages_after(
    client: &Object,
    room_id: &ResourceId,
    after_offset: u64,
    limit: u32,
) -> Result<Vec<StoredChatMessage>, StoreError> {
    // Offsets above i64::MAX cannot exist, so such a cursor simply has nothing after it.
    let after = i64::try_from(after_offset).unwrap_or(i64::MAX);
    let sql = format!(
        r#"SELECT {CHAT_COLS} FROM chat_messages WHERE room_id = $1 AND "offset" > $2 ORDER BY "offset" LIMIT $3"#
    );
    let stmt = client
        .prepare_cached(&sql)
        .await
        .map_err(pg("read chat history"))?;
    let rows = client
        .query(&stmt, &[&room_id.as_str(), &after, &i64::from(limit)])
        .await
        .map_err(pg("read chat history"))?;
    rows.iter().map(chat_row).collect()
}

pub(super) async fn latest_chat_messages(
    client: &Object,
    room_id: &ResourceId,
    limit: u32,
) -> Result<Vec<StoredChatMessage>, StoreError> {
    let sql = format!(
        r#"SELECT {CHAT_COLS} FROM (
               SELECT {CHAT_COLS} FROM chat_messages WHERE room_id = $1 ORDER BY "offset" DESC LIMIT $2
           ) AS latest ORDER BY "offset""#
    );
    let stmt = client
        .prepare_cached(&sql)
        .await
        .map_err(pg("read latest chat messages"))?;
    let rows = client
        .query(&stmt, &[&room_id.as_str(), &i64::from(limit)])
        .await
        .map_err(pg("read latest chat messages"))?;
    rows.iter().map(chat_row).collect()
}

pub(super) async fn append_audit_log(
    client: &Object,
    [actor, action, target]: [&str; 3],
    detail: &serde_json::Value,
    detail_text: &str,
) -> Result<AuditLogEntry, StoreError> {
    let at = now();
    let stmt = client
        .prepare_cached(
            "INSERT INTO audit_logs (at, actor, action, target, detail)
             VALUES ($1, $2, $3, $4, $5::text::jsonb) RETURNING id",
        )
        .await
        .map_err(pg("append audit log"))?;
    let row = client
        .query_one(&stmt, &[&at, &actor, &action, &target, &detail_text])
        .await
        .map_err(pg("append audit log"))?;
    Ok(AuditLogEntry {
        id: get(&row, 0, "audit_logs.id")?,
        at,
        actor: actor.to_string(),
        action: action.to_string(),
        target: target.to_string(),
        detail: detail.clone(),
    })
}

pub(super) async fn recent_audit_logs(
    client: &Object,
    limit: u32,
) -> Result<Vec<AuditLogEntry>, StoreError> {
    let stmt = client
        .prepare_cached(
            "SELECT id, at, actor, action, target, detail FROM audit_logs ORDER BY id DESC LIMIT $1",
        )
        .await
        .map_err(pg("read audit logs"))?;
    let rows = client
        .query(&stmt, &[&i64::from(limit)])
        .await
        .map_err(pg("read audit logs"))?;
    rows.iter()
        .map(|row| {
            Ok(AuditLogEntry {
                id: get(row, 0, "audit_logs.id")?,
                at: get(row, 1, "audit_logs.at")?,
                actor: get(row, 2, "audit_logs.actor")?,
                action: get(row, 3, "audit_logs.action")?,
                target: get(row, 4, "audit_logs.target")?,
                detail: get(row, 5, "audit_logs.detail")?,
            })
        })
        .collect()
}

pub(super) async fn record_analytics_event(
    client: &Object,
    user_id: Option<&ResourceId>,
    name: &str,
    properties: &str,
) -> Result<(), StoreError> {
    let stmt = client
        .prepare_cached(
            "INSERT INTO analytics_events (at, user_id, name, properties)
             VALUES ($1, $2, $3, $4::text::jsonb)",
        )
        .await
        .map_err(pg("record analytics event"))?;
    client
        .execute(
            &stmt,
            &[&now(), &user_id.map(ResourceId::as_str), &name, &properties],
        )
        .await
        .map_err(pg("record analytics event"))?;
    Ok(())
}

pub(super) async fn count_analytics_events(client: &Object, name: &str) -> Result<u64, StoreError> {
    let stmt = client
        .prepare_cached("SELECT COUNT(*) FROM analytics_events WHERE name = $1")
        .await
        .map_err(pg("count analytics events"))?;
    let row = client
        .query_one(&stmt, &[&name])
        .await
        .map_err(pg("count analytics events"))?;
    get_u64(&row, 0, "analytics_events.count")
}
