//! SQLite SQL for call signaling: the `calls` table, whose parties the first open fixes.
//! One blocking function per [`crate::Store`] method, run by `super` on the writer (opens
//! and ends) or a reader connection (reads).
//!
//! Why no transaction around open's insert and read-back: both run on the one writer
//! connection, which sees its own insert, and once a row exists its parties and
//! `created_at` never change; the only concurrent change, another process ending the call
//! in between, shows up as `ended_at`, which is then simply the stored value.

use codecs::ResourceId;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::rows::{parse_time, stored_id, time_text};
use super::sq;
use crate::model::now;
use crate::{StoreError, StoredCall, validate};

const CALL_COLS: &str = "call_id, caller, callee, created_at, ended_at";

fn call_row(row: &Row<'_>) -> rusqlite::Result<Result<StoredCall, StoreError>> {
    let (call_id, caller, callee): (String, String, String) =
        (row.get(0)?, row.get(1)?, row.get(2)?);
    let (created_at, ended_at): (String, Option<String>) = (row.get(3)?, row.get(4)?);
    Ok((|| {
        Ok(StoredCall {
            call_id: stored_id("calls.call_id", call_id)?,
            caller: stored_id("calls.caller", caller)?,
            callee: stored_id("calls.callee", callee)?,
            created_at: parse_time("calls.created_at", &created_at)?,
            ended_at: ended_at
                .map(|at| parse_time("calls.ended_at", &at))
                .transpose()?,
        })
    })())
}

pub(super) fn open_call(
    conn: &Connection,
    call_id: &ResourceId,
    caller: &ResourceId,
    callee: &ResourceId,
) -> Result<StoredCall, StoreError> {
    validate::call_parties(caller, callee)?;
    let at = time_text("now", now())?;
    conn.prepare_cached(
        "INSERT INTO calls (call_id, caller, callee, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (call_id) DO NOTHING",
    )
    .and_then(|mut stmt| {
        stmt.execute(params![
            call_id.as_str(),
            caller.as_str(),
            callee.as_str(),
            at
        ])
    })
    .map_err(sq("open call"))?;
    get_call(conn, call_id)?.ok_or_else(|| {
        StoreError::backend(
            "open call",
            format!("call `{call_id}` is not stored after insert"),
        )
    })
}

pub(super) fn get_call(
    conn: &Connection,
    call_id: &ResourceId,
) -> Result<Option<StoredCall>, StoreError> {
    let sql = format!("SELECT {CALL_COLS} FROM calls WHERE call_id = ?1");
    conn.prepare_cached(&sql)
        .and_then(|mut stmt| stmt.query_row([call_id.as_str()], call_row).optional())
        .map_err(sq("get call"))?
        .transpose()
}

pub(super) fn end_call(conn: &Connection, call_id: &ResourceId) -> Result<bool, StoreError> {
    let at = time_text("now", now())?;
    let n = conn
        .prepare_cached("UPDATE calls SET ended_at = ?2 WHERE call_id = ?1 AND ended_at IS NULL")
        .and_then(|mut stmt| stmt.execute(params![call_id.as_str(), at]))
        .map_err(sq("end call"))?;
    Ok(n == 1)
}
