//! SQLite SQL for the notification worker's send records: `notification_sends`, one row per
//! (notification, channel, target), the first record winning. One blocking function per
//! [`crate::Store`] method, run by `super` on the writer (records) or a reader (lists).
//!
//! Why no transaction around the insert and the read-back: both run on the one writer
//! connection, and a recorded row never changes afterwards.

use codecs::ResourceId;
use rusqlite::{Connection, Row, params};

use super::rows::{collect, parse_time, stored_id, time_text};
use super::sq;
use crate::model::{now, parse_channel};
use crate::{NewNotificationSend, NotificationSend, StoreError, validate};

const SEND_COLS: &str =
    "notification_id, channel, target, provider, outcome, attempts, detail, recorded_at";

fn send_row(row: &Row<'_>) -> rusqlite::Result<Result<NotificationSend, StoreError>> {
    let (notification_id, channel, target, provider, outcome): (
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
    );
    let (attempts, detail, recorded_at): (i64, Option<String>, String) =
        (row.get(5)?, row.get(6)?, row.get(7)?);
    Ok((|| {
        Ok(NotificationSend {
            notification_id: stored_id("notification_sends.notification_id", notification_id)?,
            channel: parse_channel("notification_sends.channel", &channel)?,
            target,
            provider,
            outcome: outcome
                .parse()
                .map_err(|e: String| StoreError::backend("notification_sends.outcome", e))?,
            attempts: u32::try_from(attempts).map_err(|_| {
                StoreError::backend(
                    "notification_sends.attempts",
                    format!("stored value {attempts} is out of range"),
                )
            })?,
            detail,
            recorded_at: parse_time("notification_sends.recorded_at", &recorded_at)?,
        })
    })())
}

pub(super) fn record_send(
    conn: &Connection,
    send: &NewNotificationSend,
) -> Result<NotificationSend, StoreError> {
    validate::notification_send(send)?;
    let at = time_text("now", now())?;
    conn.prepare_cached(
        "INSERT INTO notification_sends
             (notification_id, channel, target, provider, outcome, attempts, detail, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (notification_id, channel, target) DO NOTHING",
    )
    .and_then(|mut stmt| {
        stmt.execute(params![
            send.notification_id.as_str(),
            send.channel.as_str(),
            send.target,
            send.provider,
            send.outcome.as_str(),
            i64::from(send.attempts),
            send.detail,
            at,
        ])
    })
    .map_err(sq("record notification send"))?;
    let sql = format!(
        "SELECT {SEND_COLS} FROM notification_sends
         WHERE notification_id = ?1 AND channel = ?2 AND target = ?3"
    );
    conn.prepare_cached(&sql)
        .and_then(|mut stmt| {
            stmt.query_row(
                params![
                    send.notification_id.as_str(),
                    send.channel.as_str(),
                    send.target
                ],
                send_row,
            )
        })
        .map_err(sq("record notification send"))?
}

pub(super) fn sends_of(
    conn: &Connection,
    notification_id: &ResourceId,
) -> Result<Vec<NotificationSend>, StoreError> {
    let sql = format!(
        "SELECT {SEND_COLS} FROM notification_sends WHERE notification_id = ?1
         ORDER BY recorded_at, channel, target"
    );
    let rows = conn.prepare_cached(&sql).and_then(|mut stmt| {
        stmt.query_map([notification_id.as_str()], send_row)?
            .collect::<rusqlite::Result<Vec<_>>>()
    });
    collect("list notification sends", rows)
}
