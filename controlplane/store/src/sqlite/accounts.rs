//! SQLite SQL for the schema (health, migrations) and for accounts: users, token
//! revocations and device tokens. One blocking function per [`crate::Store`] method, run
//! by `super` on the writer or a reader connection.

use codecs::ResourceId;
use codecs::events::{DevicePlatform, DeviceToken};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use time::OffsetDateTime;

use super::rows::{collect, parse_time, stored_id, time_text};
use super::sq;
use crate::migrations::{self, SQLITE};
use crate::model::now;
use crate::{DeviceTokenRecord, StoreError, User, validate};

pub(super) fn health(conn: &Connection) -> Result<(), StoreError> {
    let one: i64 = conn
        .query_row("SELECT 1", [], |row| row.get(0))
        .map_err(sq("health check"))?;
    if one == 1 {
        Ok(())
    } else {
        Err(StoreError::backend(
            "health check",
            "SELECT 1 did not return 1",
        ))
    }
}

pub(super) fn migrate(conn: &mut Connection) -> Result<Vec<u32>, StoreError> {
    let mut applied_now = Vec::new();
    loop {
        // IMMEDIATE takes the database's write lock up front, so another process migrating
        // the same file waits (busy timeout) and then sees what this one applied.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sq("begin migration"))?;
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                 version    INTEGER PRIMARY KEY NOT NULL,
                 name       TEXT NOT NULL,
                 applied_at TEXT NOT NULL
             ) STRICT",
        )
        .map_err(sq("create schema_migrations"))?;
        let applied = {
            let mut stmt = tx
                .prepare("SELECT version, name FROM schema_migrations ORDER BY version")
                .map_err(sq("read schema_migrations"))?;
            let rows = stmt.query_map([], |row| {
                Ok((row.get::<_, u32>(0)?, row.get::<_, String>(1)?))
            });
            rows.and_then(|r| r.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(sq("read schema_migrations"))?
        };
        let Some(migration) = migrations::next_pending(SQLITE, &applied)? else {
            tx.commit().map_err(sq("end migration"))?;
            return Ok(applied_now);
        };
        tx.execute_batch(migration.sql)
            .map_err(|e| migrations::failed(migration, e))?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
            params![
                migration.version,
                migration.name,
                time_text("applied_at", now())?
            ],
        )
        .map_err(|e| migrations::failed(migration, e))?;
        tx.commit().map_err(|e| migrations::failed(migration, e))?;
        tracing::info!(
            version = migration.version,
            name = migration.name,
            "sqlite migration applied"
        );
        applied_now.push(migration.version);
    }
}

fn user_row(row: &Row<'_>) -> rusqlite::Result<Result<User, StoreError>> {
    let (id, email, display_name, created_at): (String, Option<String>, Option<String>, String) =
        (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
    Ok((|| {
        Ok(User {
            id: stored_id("users.id", id)?,
            email,
            display_name,
            created_at: parse_time("users.created_at", &created_at)?,
        })
    })())
}

pub(super) fn upsert_user(conn: &Connection, user: &User) -> Result<(), StoreError> {
    validate::user(user)?;
    let created_at = time_text("created_at", user.created_at)?;
    conn.prepare_cached(
        "INSERT INTO users (id, email, display_name, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET email = excluded.email, display_name = excluded.display_name",
    )
    .and_then(|mut stmt| {
        stmt.execute(params![
            user.id.as_str(),
            user.email,
            user.display_name,
            created_at
        ])
    })
    .map_err(sq("upsert user"))?;
    Ok(())
}

pub(super) fn get_user(conn: &Connection, id: &ResourceId) -> Result<Option<User>, StoreError> {
    conn.prepare_cached("SELECT id, email, display_name, created_at FROM users WHERE id = ?1")
        .and_then(|mut stmt| stmt.query_row([id.as_str()], user_row).optional())
        .map_err(sq("get user"))?
        .transpose()
}

pub(super) fn revoke_token(
    conn: &Connection,
    jti: &str,
    user_id: &ResourceId,
    expires_at: OffsetDateTime,
) -> Result<(), StoreError> {
    validate::jti(jti)?;
    let expires_at = time_text("expires_at", expires_at)?;
    let revoked_at = time_text("revoked_at", now())?;
    conn.prepare_cached(
        "INSERT INTO revoked_tokens (jti, user_id, expires_at, revoked_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (jti) DO NOTHING",
    )
    .and_then(|mut stmt| stmt.execute(params![jti, user_id.as_str(), expires_at, revoked_at]))
    .map_err(sq("revoke token"))?;
    Ok(())
}

pub(super) fn is_token_revoked(conn: &Connection, jti: &str) -> Result<bool, StoreError> {
    validate::jti(jti)?;
    conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = ?1)")
        .and_then(|mut stmt| stmt.query_row([jti], |row| row.get(0)))
        .map_err(sq("check revocation"))
}

pub(super) fn purge_revocations(conn: &Connection, now: OffsetDateTime) -> Result<u64, StoreError> {
    let now = time_text("now", now)?;
    let n = conn
        .prepare_cached("DELETE FROM revoked_tokens WHERE expires_at < ?1")
        .and_then(|mut stmt| stmt.execute([now]))
        .map_err(sq("purge revocations"))?;
    Ok(n as u64)
}

const DEVICE_COLS: &str = "id, user_id, platform, token, created_at, updated_at";

fn device_row(row: &Row<'_>) -> rusqlite::Result<Result<DeviceTokenRecord, StoreError>> {
    let (id, user_id, platform, token, created_at, updated_at): (
        i64,
        String,
        String,
        String,
        String,
        String,
    ) = (
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
    );
    Ok((|| {
        Ok(DeviceTokenRecord {
            id,
            user_id: stored_id("device_tokens.user_id", user_id)?,
            platform: platform
                .parse::<DevicePlatform>()
                .map_err(|e| StoreError::backend("device_tokens.platform", e))?,
            token,
            created_at: parse_time("device_tokens.created_at", &created_at)?,
            updated_at: parse_time("device_tokens.updated_at", &updated_at)?,
        })
    })())
}

pub(super) fn upsert_device_token(
    conn: &Connection,
    user_id: &ResourceId,
    token: &DeviceToken,
) -> Result<DeviceTokenRecord, StoreError> {
    validate::device_token(&token.token)?;
    let at = time_text("now", now())?;
    let sql = format!(
        "INSERT INTO device_tokens (user_id, platform, token, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?4)
         ON CONFLICT (user_id, token) DO UPDATE
             SET platform = excluded.platform, updated_at = excluded.updated_at
         RETURNING {DEVICE_COLS}"
    );
    conn.prepare_cached(&sql)
        .and_then(|mut stmt| {
            stmt.query_row(
                params![user_id.as_str(), token.platform.as_str(), token.token, at],
                device_row,
            )
        })
        .map_err(sq("upsert device token"))?
}

pub(super) fn delete_device_token(
    conn: &Connection,
    user_id: Option<&ResourceId>,
    token: &str,
) -> Result<u64, StoreError> {
    validate::device_token(token)?;
    let n = match user_id {
        Some(user_id) => conn
            .prepare_cached("DELETE FROM device_tokens WHERE user_id = ?1 AND token = ?2")
            .and_then(|mut stmt| stmt.execute([user_id.as_str(), token])),
        None => conn
            .prepare_cached("DELETE FROM device_tokens WHERE token = ?1")
            .and_then(|mut stmt| stmt.execute([token])),
    }
    .map_err(sq("delete device token"))?;
    Ok(n as u64)
}

pub(super) fn device_tokens_for(
    conn: &Connection,
    user_id: &ResourceId,
) -> Result<Vec<DeviceTokenRecord>, StoreError> {
    let sql = format!(
        "SELECT {DEVICE_COLS} FROM device_tokens WHERE user_id = ?1 ORDER BY created_at, id"
    );
    collect(
        "list device tokens",
        conn.prepare_cached(&sql)
            .and_then(|mut stmt| stmt.query_map([user_id.as_str()], device_row)?.collect()),
    )
}
