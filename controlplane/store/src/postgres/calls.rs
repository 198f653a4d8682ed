//! PostgreSQL SQL for call signaling: the `calls` table, whose parties the first open
//! fixes. One async function per [`crate::Store`] method, run by `super` on a pooled
//! connection with arguments it has already validated.
//!
//! Why open is two statements and not one: `INSERT … ON CONFLICT DO NOTHING` waits for a
//! concurrent insert of the same `call_id` to commit and then does nothing, and the
//! following `SELECT`, a new statement with a new snapshot under READ COMMITTED, sees the
//! row that won. A single statement (a CTE inserting and selecting) reads with the snapshot
//! taken before the winner committed, and would find nothing.

use codecs::ResourceId;
use deadpool_postgres::Object;
use tokio_postgres::Row;

use super::{get, get_id, pg};
use crate::model::now;
use crate::{StoreError, StoredCall};

const CALL_COLS: &str = "call_id, caller, callee, created_at, ended_at";

fn call_row(row: &Row) -> Result<StoredCall, StoreError> {
    Ok(StoredCall {
        call_id: get_id(row, 0, "calls.call_id")?,
        caller: get_id(row, 1, "calls.caller")?,
        callee: get_id(row, 2, "calls.callee")?,
        created_at: get(row, 3, "calls.created_at")?,
        ended_at: get(row, 4, "calls.ended_at")?,
    })
}

pub(super) async fn open_call(
    client: &Object,
    call_id: &ResourceId,
    caller: &ResourceId,
    callee: &ResourceId,
) -> Result<StoredCall, StoreError> {
    let insert = client
        .prepare_cached(
            "INSERT INTO calls (call_id, caller, callee, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (call_id) DO NOTHING",
        )
        .await
        .map_err(pg("open call"))?;
    client
        .execute(
            &insert,
            &[
                &call_id.as_str(),
                &caller.as_str(),
                &callee.as_str(),
                &now(),
            ],
        )
        .await
        .map_err(pg("open call"))?;
    get_call(client, call_id).await?.ok_or_else(|| {
        StoreError::backend(
            "open call",
            format!("call `{call_id}` is not stored after insert"),
        )
    })
}

pub(super) async fn get_call(
    client: &Object,
    call_id: &ResourceId,
) -> Result<Option<StoredCall>, StoreError> {
    let sql = format!("SELECT {CALL_COLS} FROM calls WHERE call_id = $1");
    let stmt = client.prepare_cached(&sql).await.map_err(pg("get call"))?;
    let row = client
        .query_opt(&stmt, &[&call_id.as_str()])
        .await
        .map_err(pg("get call"))?;
    row.as_ref().map(call_row).transpose()
}

pub(super) async fn end_call(client: &Object, call_id: &ResourceId) -> Result<bool, StoreError> {
    let stmt = client
        .prepare_cached("UPDATE calls SET ended_at = $2 WHERE call_id = $1 AND ended_at IS NULL")
        .await
        .map_err(pg("end call"))?;
    let n = client
        .execute(&stmt, &[&call_id.as_str(), &now()])
        .await
        .map_err(pg("end call"))?;
    Ok(n == 1)
}
