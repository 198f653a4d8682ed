//! PostgreSQL SQL for the schema (migrations) and for accounts: users, token revocations
//! and device tokens. One async function per [`crate::Store`] method, run by `super` on a
//! pooled connection with arguments it has already validated.

use codecs::ResourceId;
use codecs::events::{DevicePlatform, DeviceToken};
use deadpool_postgres::Object;
use time::OffsetDateTime;
use tokio_postgres::Row;

use super::{error_chain, get, get_id, pg};
use crate::migrations::{self, POSTGRES};
use crate::model::{now, to_micros};
use crate::{DeviceTokenRecord, StoreError, User};

pub(super) async fn migrate(client: &mut Object) -> Result<Vec<u32>, StoreError> {
    let mut applied_now = Vec::new();
    loop {
        let tx = client.transaction().await.map_err(pg("begin migration"))?;
        // One migrator per schema at a time, across processes; the lock ends with the
        // transaction, so a crashed migrator cannot leave it held.
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtext('armoricore.schema_migrations.' || current_schema()))",
            &[],
        )
        .await
        .map_err(pg("take the migration lock"))?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                 version    INTEGER PRIMARY KEY,
                 name       TEXT NOT NULL,
                 applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
             )",
        )
        .await
        .map_err(pg("create schema_migrations"))?;
        let rows = tx
            .query(
                "SELECT version, name FROM schema_migrations ORDER BY version",
                &[],
            )
            .await
            .map_err(pg("read schema_migrations"))?;
        let mut applied = Vec::with_capacity(rows.len());
        for row in &rows {
            let version: i32 = get(row, 0, "schema_migrations.version")?;
            let version = u32::try_from(version).map_err(|_| {
                StoreError::backend("schema_migrations.version", "negative version")
            })?;
            applied.push((version, get::<String>(row, 1, "schema_migrations.name")?));
        }
        let Some(migration) = migrations::next_pending(POSTGRES, &applied)? else {
            tx.commit().await.map_err(pg("end migration"))?;
            return Ok(applied_now);
        };
        tx.batch_execute(migration.sql)
            .await
            .map_err(|e| migrations::failed(migration, error_chain(&e)))?;
        let version = i32::try_from(migration.version)
            .map_err(|_| migrations::failed(migration, "version does not fit an INTEGER"))?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            &[&version, &migration.name, &now()],
        )
        .await
        .map_err(|e| migrations::failed(migration, error_chain(&e)))?;
        tx.commit()
            .await
            .map_err(|e| migrations::failed(migration, error_chain(&e)))?;
        tracing::info!(
            version = migration.version,
            name = migration.name,
            "postgres migration applied"
        );
        applied_now.push(migration.version);
    }
}

pub(super) async fn upsert_user(client: &Object, user: &User) -> Result<(), StoreError> {
    let stmt = client
        .prepare_cached(
            "INSERT INTO users (id, email, display_name, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (id) DO UPDATE SET email = excluded.email, display_name = excluded.display_name",
        )
        .await
        .map_err(pg("upsert user"))?;
    client
        .execute(
            &stmt,
            &[
                &user.id.as_str(),
                &user.email,
                &user.display_name,
                &to_micros(user.created_at),
            ],
        )
        .await
        .map_err(pg("upsert user"))?;
    Ok(())
}

pub(super) async fn get_user(client: &Object, id: &ResourceId) -> Result<Option<User>, StoreError> {
    let stmt = client
        .prepare_cached("SELECT id, email, display_name, created_at FROM users WHERE id = $1")
        .await
        .map_err(pg("get user"))?;
    let row = client
        .query_opt(&stmt, &[&id.as_str()])
        .await
        .map_err(pg("get user"))?;
    row.map(|row| {
        Ok(User {
            id: get_id(&row, 0, "users.id")?,
            email: get(&row, 1, "users.email")?,
            display_name: get(&row, 2, "users.display_name")?,
            created_at: get(&row, 3, "users.created_at")?,
        })
    })
    .transpose()
}

pub(super) async fn revoke_token(
    client: &Object,
    jti: &str,
    user_id: &ResourceId,
    expires_at: OffsetDateTime,
) -> Result<(), StoreError> {
    let stmt = client
        .prepare_cached(
            "INSERT INTO revoked_tokens (jti, user_id, expires_at, revoked_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (jti) DO NOTHING",
        )
        .await
        .map_err(pg("revoke token"))?;
    client
        .execute(
            &stmt,
            &[&jti, &user_id.as_str(), &to_micros(expires_at), &now()],
        )
        .await
        .map_err(pg("revoke token"))?;
    Ok(())
}

pub(super) async fn is_token_revoked(client: &Object, jti: &str) -> Result<bool, StoreError> {
    let stmt = client
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = $1)")
        .await
        .map_err(pg("check revocation"))?;
    let row = client
        .query_one(&stmt, &[&jti])
        .await
        .map_err(pg("check revocation"))?;
    get(&row, 0, "revoked_tokens.exists")
}

pub(super) async fn purge_revocations(
    client: &Object,
    now: OffsetDateTime,
) -> Result<u64, StoreError> {
    let stmt = client
        .prepare_cached("DELETE FROM revoked_tokens WHERE expires_at < $1")
        .await
        .map_err(pg("purge revocations"))?;
    client
        .execute(&stmt, &[&to_micros(now)])
        .await
        .map_err(pg("purge revocations"))
}

const DEVICE_COLS: &str = "id, user_id, platform, token, created_at, updated_at";

fn device_row(row: &Row) -> Result<DeviceTokenRecord, StoreError> {
    Ok(DeviceTokenRecord {
        id: get(row, 0, "device_tokens.id")?,
        user_id: get_id(row, 1, "device_tokens.user_id")?,
        platform: get::<String>(row, 2, "device_tokens.platform")?
            .parse::<DevicePlatform>()
            .map_err(|e| StoreError::backend("device_tokens.platform", e))?,
        token: get(row, 3, "device_tokens.token")?,
        created_at: get(row, 4, "device_tokens.created_at")?,
        updated_at: get(row, 5, "device_tokens.updated_at")?,
    })
}

pub(super) async fn upsert_device_token(
    client: &Object,
    user_id: &ResourceId,
    token: &DeviceToken,
) -> Result<DeviceTokenRecord, StoreError> {
    let sql = format!(
        "INSERT INTO device_tokens (user_id, platform, token, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $4)
         ON CONFLICT (user_id, token) DO UPDATE
             SET platform = excluded.platform, updated_at = excluded.updated_at
         RETURNING {DEVICE_COLS}"
    );
    let stmt = client
        .prepare_cached(&sql)
        .await
        .map_err(pg("upsert device token"))?;
    let row = client
        .query_one(
            &stmt,
            &[
                &user_id.as_str(),
                &token.platform.as_str(),
                &token.token,
                &now(),
            ],
        )
        .await
        .map_err(pg("upsert device token"))?;
    device_row(&row)
}

pub(super) async fn delete_device_token(
    client: &Object,
    user_id: Option<&ResourceId>,
    token: &str,
) -> Result<u64, StoreError> {
    let context = "delete device token";
    match user_id {
        Some(user_id) => {
            let stmt = client
                .prepare_cached("DELETE FROM device_tokens WHERE user_id = $1 AND token = $2")
                .await
                .map_err(pg(context))?;
            client.execute(&stmt, &[&user_id.as_str(), &token]).await
        }
        None => {
            let stmt = client
                .prepare_cached("DELETE FROM device_tokens WHERE token = $1")
                .await
                .map_err(pg(context))?;
            client.execute(&stmt, &[&token]).await
        }
    }
    .map_err(pg(context))
}

pub(super) async fn device_tokens_for(
    client: &Object,
    user_id: &ResourceId,
) -> Result<Vec<DeviceTokenRecord>, StoreError> {
    let sql = format!(
        "SELECT {DEVICE_COLS} FROM device_tokens WHERE user_id = $1 ORDER BY created_at, id"
    );
    let stmt = client
        .prepare_cached(&sql)
        .await
        .map_err(pg("list device tokens"))?;
    let rows = client
        .query(&stmt, &[&user_id.as_str()])
        .await
        .map_err(pg("list device tokens"))?;
    rows.iter().map(device_row).collect()
}
