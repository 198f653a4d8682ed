//! PostgreSQL SQL for the notification worker's send records: `notification_sends`, one row
//! per (notification, channel, target), the first record winning. One async function per
//! [`crate::Store`] method, run by `super` on a pooled connection with validated arguments.
//!
//! Why two statements (insert, then select) and not a CTE: as for calls, `ON CONFLICT DO
//! NOTHING` waits for a concurrent insert of the same key to commit, and only a new
//! statement (a new snapshot under READ COMMITTED) sees the row that won.

use codecs::ResourceId;
use deadpool_postgres::Object;
use tokio_postgres::Row;

use super::{get, get_id, pg};
use crate::model::{now, parse_channel};
use crate::{NewNotificationSend, NotificationSend, StoreError};

const SEND_COLS: &str =
    "notification_id, channel, target, provider, outcome, attempts, detail, recorded_at";

fn send_row(row: &Row) -> Result<NotificationSend, StoreError> {
    let channel: String = get(row, 1, "notification_sends.channel")?;
    let outcome: String = get(row, 4, "notification_sends.outcome")?;
    let attempts: i64 = get(row, 5, "notification_sends.attempts")?;
    Ok(NotificationSend {
        notification_id: get_id(row, 0, "notification_sends.notification_id")?,
        channel: parse_channel("notification_sends.channel", &channel)?,
        target: get(row, 2, "notification_sends.target")?,
        provider: get(row, 3, "notification_sends.provider")?,
        outcome: outcome
            .parse()
            .map_err(|e: String| StoreError::backend("notification_sends.outcome", e))?,
        attempts: u32::try_from(attempts).map_err(|_| {
            StoreError::backend(
                "notification_sends.attempts",
                format!("stored value {attempts} is out of range"),
            )
        })?,
        detail: get(row, 6, "notification_sends.detail")?,
        recorded_at: get(row, 7, "notification_sends.recorded_at")?,
    })
}

pub(super) async fn record_send(
    client: &Object,
    send: &NewNotificationSend,
) -> Result<NotificationSend, StoreError> {
    let insert = client
        .prepare_cached(
            "INSERT INTO notification_sends
                 (notification_id, channel, target, provider, outcome, attempts, detail, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (notification_id, channel, target) DO NOTHING",
        )
        .await
        .map_err(pg("record notification send"))?;
    client
        .execute(
            &insert,
            &[
                &send.notification_id.as_str(),
                &send.channel.as_str(),
                &send.target,
                &send.provider,
                &send.outcome.as_str(),
                &i64::from(send.attempts),
                &send.detail,
                &now(),
            ],
        )
        .await
        .map_err(pg("record notification send"))?;
    let sql = format!(
        "SELECT {SEND_COLS} FROM notification_sends
         WHERE notification_id = $1 AND channel = $2 AND target = $3"
    );
    let stmt = client
        .prepare_cached(&sql)
        .await
        .map_err(pg("record notification send"))?;
    let row = client
        .query_one(
            &stmt,
            &[
                &send.notification_id.as_str(),
                &send.channel.as_str(),
                &send.target,
            ],
        )
        .await
        .map_err(pg("record notification send"))?;
    send_row(&row)
}

pub(super) async fn sends_of(
    client: &Object,
    notification_id: &ResourceId,
) -> Result<Vec<NotificationSend>, StoreError> {
    let sql = format!(
        "SELECT {SEND_COLS} FROM notification_sends WHERE notification_id = $1
         ORDER BY recorded_at, channel, target"
    );
    let stmt = client
        .prepare_cached(&sql)
        .await
        .map_err(pg("list notification sends"))?;
    let rows = client
        .query(&stmt, &[&notification_id.as_str()])
        .await
        .map_err(pg("list notification sends"))?;
    rows.iter().map(send_row).collect()
}
