//! One socket of the tokio peer: a reader task (Phoenix messages in, replies out) and a
//! writer task that owns the socket's write half, its subscriptions and its replies.
//!
//! After the upgrade the TCP stream is taken back from hyper (with any bytes hyper read
//! ahead) and split into owned halves, so reads and writes never contend for a lock. The
//! reader hands the writer replies and (un)subscriptions over one bounded mpsc channel of
//! [`REPLY_CAPACITY`] (a client that floods requests without reading waits on it: the
//! reader stops reading, which is TCP back-pressure on that one client). The writer waits on
//! that channel and on the socket's broadcast receivers (a `StreamMap`), then coalesces
//! whatever else is already waiting into one write of at most [`MAX_BATCH_BYTES`].

use std::collections::HashSet;
use std::sync::Arc;

use bytes::Bytes;
use fastwebsockets::{OpCode, Role, WebSocket};
use futures::FutureExt;
use hyper::upgrade::Upgraded;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::OwnedWriteHalf;
use tokio::sync::{broadcast, mpsc};
use tokio_stream::StreamExt;
use tokio_stream::StreamMap;
use tokio_stream::wrappers::BroadcastStream;

use super::rooms::{self, OPCODE_CLOSE, OPCODE_PONG, Rooms};

/// Replies and subscription changes queued from a socket's reader to its writer.
pub const REPLY_CAPACITY: usize = 64;

/// Largest write the writer coalesces.
pub const MAX_BATCH_BYTES: usize = 64 << 10;

/// Largest message accepted from a client.
const MAX_MESSAGE_BYTES: usize = 1 << 20;

enum Out {
    Frame(Bytes),
    Subscribe(String, broadcast::Receiver<Bytes>),
    Unsubscribe(String),
}

/// Runs one upgraded socket until either side closes it.
pub async fn run(ws: WebSocket<TokioIo<Upgraded>>, rooms: Arc<Rooms>) {
    let upgraded = ws.into_inner().into_inner();
    let Ok(parts) = upgraded.downcast::<TokioIo<TcpStream>>() else {
        return; // always a TcpStream here: we served it
    };
    let (read, write) = parts.io.into_inner().into_split();
    // hyper's read buffer (8 KiB and up) must not live as long as the socket: keep only the
    // bytes it had read ahead, if any (hyper's own `Upgraded` drops it on the first read).
    let read_ahead = if parts.read_buf.is_empty() {
        Bytes::new()
    } else {
        Bytes::copy_from_slice(&parts.read_buf)
    };
    let read = std::io::Cursor::new(read_ahead).chain(read);
    let (mut ws, _) = fastwebsockets::after_handshake_split(read, tokio::io::sink(), Role::Server);
    ws.set_max_message_size(MAX_MESSAGE_BYTES);
    let (tx, rx) = mpsc::channel(REPLY_CAPACITY);
    let writer = tokio::spawn(writer(write, rx));
    let mut joined: HashSet<String> = HashSet::new();
    let obligations = tx.clone();
    let mut obligated = move |frame: fastwebsockets::Frame<'_>| {
        let opcode = if frame.opcode == OpCode::Pong {
            OPCODE_PONG
        } else {
            OPCODE_CLOSE
        };
        let bytes = rooms::frame(opcode, &frame.payload);
        let tx = obligations.clone();
        async move { tx.send(Out::Frame(bytes)).await }
    };
    loop {
        let frame = match ws.read_frame(&mut obligated).await {
            Ok(f) => f,
            Err(_) => break,
        };
        match frame.opcode {
            OpCode::Text => {}
            OpCode::Close => break,
            _ => continue,
        }
        let Ok((join_ref, msg_ref, topic, event, payload)) =
            serde_json::from_slice::<(Option<String>, Option<String>, String, String, Value)>(
                &frame.payload,
            )
        else {
            continue;
        };
        let reply = |status: &str, response: Value| {
            Out::Frame(rooms::reply(
                join_ref.as_deref(),
                msg_ref.as_deref(),
                &topic,
                status,
                response,
            ))
        };
        let out = match (topic.as_str(), event.as_str()) {
            ("phoenix", "heartbeat") => vec![reply("ok", json!({}))],
            (t, "phx_join") => {
                let rx = rooms.subscribe(t);
                joined.insert(t.to_string());
                vec![Out::Subscribe(t.to_string(), rx), reply("ok", json!({}))]
            }
            (t, "phx_leave") => {
                joined.remove(t);
                vec![Out::Unsubscribe(t.to_string()), reply("ok", json!({}))]
            }
            (t, "new_message") if joined.contains(t) => {
                match payload.get("content").and_then(Value::as_str) {
                    Some(content) if !content.is_empty() => {
                        let (id, offset) = rooms.publish(t, "peer-user", content);
                        vec![reply("ok", json!({"message_id": id, "offset": offset}))]
                    }
                    _ => vec![reply("error", json!({"reason": "invalid content"}))],
                }
            }
            (t, _) if joined.contains(t) => {
                vec![reply("error", json!({"reason": "unsupported event"}))]
            }
            _ => vec![reply("error", json!({"reason": "unmatched topic"}))],
        };
        for o in out {
            if tx.send(o).await.is_err() {
                break;
            }
        }
    }
    drop(tx);
    drop(obligated);
    let _ = writer.await;
}

/// Writes replies and broadcasts until the reader is gone or the socket fails.
async fn writer(mut write: OwnedWriteHalf, mut rx: mpsc::Receiver<Out>) {
    let mut subs: StreamMap<String, BroadcastStream<Bytes>> = StreamMap::new();
    let mut batch: Vec<u8> = Vec::new();
    loop {
        let first = tokio::select! {
            out = rx.recv() => match out {
                None => break,
                Some(Out::Frame(b)) => b,
                Some(Out::Subscribe(t, r)) => { subs.insert(t, BroadcastStream::new(r)); continue; }
                Some(Out::Unsubscribe(t)) => { subs.remove(&t); continue; }
            },
            Some((_, item)) = subs.next(), if !subs.is_empty() => match item {
                Ok(b) => b,
                Err(_lagged) => break slow_consumer(&mut write).await,
            },
        };
        // Coalesce what is already waiting (broadcasts first: they are the volume).
        let mut lagged = false;
        while batch.len() + first.len() < MAX_BATCH_BYTES {
            match subs.next().now_or_never() {
                Some(Some((_, Ok(b)))) => {
                    if batch.is_empty() {
                        batch.extend_from_slice(&first);
                    }
                    batch.extend_from_slice(&b);
                }
                Some(Some((_, Err(_)))) => {
                    lagged = true;
                    break;
                }
                _ => break,
            }
        }
        let written = if batch.is_empty() {
            write.write_all(&first).await
        } else {
            let r = write.write_all(&batch).await;
            batch.clear();
            batch.shrink_to(4096);
            r
        };
        if written.is_err() {
            return;
        }
        if lagged {
            break slow_consumer(&mut write).await;
        }
    }
    let _ = write.shutdown().await;
}

/// Closes a subscriber that fell more than a room's capacity behind (1008).
async fn slow_consumer(write: &mut OwnedWriteHalf) {
    let mut payload = 1008u16.to_be_bytes().to_vec();
    payload.extend_from_slice(b"slow consumer");
    let _ = write.write_all(&rooms::frame(OPCODE_CLOSE, &payload)).await;
}
