//! WebSocket sockets on the shards: the upgrade (token verdict from the control plane
//! first), then one session per socket — a reader that decodes Phoenix messages and a writer
//! that drains the socket's bounded outbox.
//!
//! Served without hyper's upgrade machinery (it needs `Send` I/O): the 101 answer is built
//! with fastwebsockets' helper, the stream is taken back from hyper with the bytes it had
//! read ahead, and read with our [`MessageReader`] (no buffer per idle socket, see
//! `wsread`); frames to the client are written as
//! already-encoded buffers from the outbox (a broadcast's frame is encoded once per shard).
//!
//! Phoenix handling here covers the transport: `heartbeat` on `phoenix`, `phx_join` and
//! `phx_leave` (a socket may join `user:{id}` only for its own id), an `unmatched topic`
//! error for pushes to topics it has not joined, and typing on room topics
//! (`typing_start`/`typing_stop` → `user_typing` to the room's other sockets on every shard,
//! through the mesh and to other nodes through the control plane, with an automatic stop
//! after [`TYPING_AUTO_STOP`]). Joins that need stored or node-wide state (media ownership,
//! room recovery, presence, call parties) and pushes that need it (chat messages, comments,
//! call signaling) go to the control plane; leaving a presence or call topic, by
//! `phx_leave` or by disconnecting, is reported to it.

use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use codecs::phoenix::{self, Inbound, Vsn};
use codecs::ring::BroadcastRecord;
use codecs::websocket::{self, Opcode};
use futures_lite::{AsyncWriteExt, future};

use crate::fanout::{Batch, CloseReason, ConnId, Frame, Outbox, OverflowPolicy};
use crate::http::{Answer, ShardState};
use crate::runtime::{self, TcpStream};
use crate::shard;
use crate::wsread::{Incoming, MessageError, MessageReader};

/// Channels one socket may have joined at once; a join beyond gets `error`
/// `{"reason":"too many channels"}`.
pub const MAX_CHANNELS_PER_SOCKET: usize = 100;

/// Messages per second one socket may send (sustained; bursts up to [`MESSAGE_BURST`]).
/// A socket over it is closed with 1008 `rate limit: …`.
pub const MESSAGES_PER_SECOND: u32 = 50;

/// Burst allowance of [`MESSAGES_PER_SECOND`].
pub const MESSAGE_BURST: u32 = 100;

/// How long a socket the server closed keeps reading (and discarding) before it is dropped.
const CLOSE_LINGER: Duration = Duration::from_secs(2);

/// A `typing_start` not followed by `typing_stop` ends by itself after this long.
pub const TYPING_AUTO_STOP: Duration = Duration::from_secs(3);

/// Who a socket is, decided before the upgrade.
#[derive(Debug, Clone)]
pub(crate) struct SocketInfo {
    /// The user the token names.
    pub user: String,
    /// The serializer the client asked for.
    pub vsn: Vsn,
}

/// Whether `path` is a socket endpoint.
pub(crate) fn is_socket_path(path: &str) -> bool {
    matches!(path, "/socket/websocket" | "/socket")
}

/// The token of a connect: `token=` in the query, or the `base64url.bearer.phx.<b64>`
/// entry of `Sec-WebSocket-Protocol` (the second tells the caller to echo `phoenix`).
pub(crate) fn token_of(uri: &hyper::Uri, headers: &hyper::HeaderMap) -> Option<(String, bool)> {
    if let Some(token) = query_param(uri, "token") {
        return Some((token, false));
    }
    let protocols = headers.get("sec-websocket-protocol")?.to_str().ok()?;
    protocols
        .split(',')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("base64url.bearer.phx."))
        .and_then(|b64| {
            use base64::Engine;
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(b64.trim_end_matches('='))
                .ok()
        })
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .map(|token| (token, true))
}

/// A query parameter, percent-decoded for the characters tokens and versions use.
pub(crate) fn query_param(uri: &hyper::Uri, name: &str) -> Option<String> {
    uri.query()?.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| {
            v.replace("%2E", ".")
                .replace("%2e", ".")
                .replace("%3D", "=")
        })
    })
}

fn reply(vsn: Vsn, m: &Inbound, status: &str, response: &str) -> Frame {
    let mut text = BytesMut::with_capacity(64 + response.len());
    let payload = format!("{{\"status\":\"{status}\",\"response\":{response}}}");
    phoenix::encode_text(
        vsn,
        m.join_ref.as_deref(),
        m.msg_ref.as_deref(),
        &m.topic,
        "phx_reply",
        payload.as_bytes(),
        &mut text,
    );
    Frame::new(websocket::text_frame(&text))
}

/// Runs one socket until either side closes it; `guard` is dropped when it ends (the
/// connection count).
pub(crate) async fn run<G>(
    stream: TcpStream,
    read_ahead: Bytes,
    state: Rc<ShardState>,
    info: SocketInfo,
    guard: G,
) {
    let conn = ConnId(state.next_conn.get());
    state.next_conn.set(conn.0 + 1);
    let outbox = Rc::new(Outbox::new(state.outbox_limits, OverflowPolicy::Disconnect));
    let (mut read, write) = futures_lite::io::split(stream);
    // The reader copies what hyper read ahead, so hyper's whole read buffer is freed now.
    let mut messages = MessageReader::new(&read_ahead, state.limits.max_body_bytes);
    drop(read_ahead);
    let writer = writer(write, outbox.clone());
    // The reader runs until the client closes, or — once the server closed the outbox
    // (slow consumer, rate limit, going away) — for at most CLOSE_LINGER more, reading and
    // discarding: closing a socket with unread input sends a reset, which can destroy the
    // close frame before the client reads it.
    let reader = async {
        future::or(
            read_loop(&mut messages, &mut read, &state, conn, &outbox, &info),
            async {
                let _ = outbox.closed().await;
                runtime::sleep(CLOSE_LINGER).await;
            },
        )
        .await;
        outbox.close(CloseReason::PeerGone);
    };
    // When the shard stops, the socket is told `going away` (1001) through its outbox, after
    // what was already queued.
    let stop = async {
        state.stopping.wait().await;
        outbox.close(CloseReason::GoingAway);
        future::pending::<((), ())>().await
    };
    // Combined directly (not inside another async block, which would keep a second copy of
    // both futures in its state: this future lives as long as the socket).
    future::or(future::zip(reader, writer), stop).await;
    let tracked: Vec<String> = state.registries.borrow()[registry_of(info.vsn)]
        .topics_of(conn)
        .filter(|topic| is_tracked(topic))
        .map(str::to_string)
        .collect();
    for topic in tracked {
        left_tracked(&state, conn, &topic);
    }
    for registry in state.registries.borrow_mut().iter_mut() {
        registry.unsubscribe_all(conn);
    }
    outbox.close(CloseReason::PeerGone);
    drop(guard);
}

const TOO_MANY_CHANNELS: &str = r#"{"reason":"too many channels"}"#;

/// Whether the socket has joined [`MAX_CHANNELS_PER_SOCKET`] topics already.
fn at_channel_limit(state: &ShardState, conn: ConnId, info: &SocketInfo) -> bool {
    state.registries.borrow()[registry_of(info.vsn)]
        .topics_of(conn)
        .count()
        >= MAX_CHANNELS_PER_SOCKET
}

/// Topics whose members the control plane tracks: presence and call signaling.
fn is_tracked(topic: &str) -> bool {
    topic.starts_with("presence:") || topic.starts_with("signaling:")
}

/// Events the control plane handles: chat messages (stored), comments (rate-limited per
/// user across shards), call signaling (relayed to the other party, wherever it is).
fn handled_by_control_plane(topic: &str, event: &str) -> bool {
    (event == "new_message" && is_room(topic))
        || (event == "new_comment" && topic.starts_with("comments:stream:"))
        || (topic.starts_with("signaling:call:")
            && matches!(
                event,
                "call_offer" | "call_answer" | "ice_candidate" | "call_end" | "call_reject"
            ))
}

/// Tells the control plane a socket left a tracked topic (its presence goes, a call party
/// hangs up).
fn left_tracked(state: &ShardState, conn: ConnId, topic: &str) {
    let record = codecs::ring::LeftRecord {
        socket: codecs::ring::SocketRef {
            shard: state.id,
            socket: conn.0,
        },
        topic: topic.to_string(),
    };
    let _ = state
        .uplink
        .unbounded_send(codecs::ring::FromShard::Left(Box::new(record)));
}

async fn read_loop<R: futures_lite::AsyncRead + Unpin>(
    messages: &mut MessageReader,
    read: &mut R,
    state: &Rc<ShardState>,
    conn: ConnId,
    outbox: &Rc<Outbox>,
    info: &SocketInfo,
) {
    let quota = governor::Quota::per_second(
        std::num::NonZeroU32::new(MESSAGES_PER_SECOND).unwrap_or(std::num::NonZeroU32::MIN),
    )
    .allow_burst(std::num::NonZeroU32::new(MESSAGE_BURST).unwrap_or(std::num::NonZeroU32::MIN));
    let limiter = governor::RateLimiter::direct(quota);
    let fail = |error: MessageError| {
        tracing::debug!(shard = state.id, %error, "socket read ended");
        if let Some(code) = error.close_code() {
            outbox.close(CloseReason::BadInput {
                code,
                why: error.to_string(),
            });
        }
    };
    loop {
        let incoming = match messages.next(read).await {
            Ok(incoming) => incoming,
            Err(error) => return fail(error),
        };
        if outbox.is_closed() {
            continue; // lingering after a server close: read and discard
        }
        let (opcode, payload) = match incoming {
            Incoming::Message { opcode, payload } => (opcode, payload),
            // Pongs and the close answer go through the outbox, in order with everything else.
            Incoming::Ping(payload) => {
                let pushed = websocket::control_frame(Opcode::Pong, &payload)
                    .is_ok_and(|pong| outbox.push(Frame::new(pong)).is_ok());
                if !pushed {
                    return;
                }
                continue;
            }
            Incoming::Pong => continue,
            Incoming::Close(payload) => {
                if let Ok(close) = websocket::control_frame(Opcode::Close, &payload) {
                    let _ = outbox.push(Frame::new(close));
                }
                return;
            }
            Incoming::BadClose(error) => return fail(error),
        };
        if limiter.check().is_err() {
            outbox.close(CloseReason::RateLimited {
                per_second: MESSAGES_PER_SECOND,
            });
            continue;
        }
        let message = match opcode {
            Opcode::Text => phoenix::decode_text(info.vsn, &payload),
            _ => phoenix::decode_binary(&payload),
        };
        let message = match message {
            Ok(message) => message,
            Err(e) => {
                tracing::debug!(shard = state.id, error = %e, "undecodable message ignored");
                continue;
            }
        };
        let needs_control_plane = message.topic.starts_with("media:")
            || is_tracked(&message.topic)
            || (is_room(&message.topic) && asks_recovery(&message.payload));
        if message.event == "phx_join" && needs_control_plane {
            if at_channel_limit(state, conn, info) {
                let refusal = reply(info.vsn, &message, "error", TOO_MANY_CHANNELS);
                if outbox.push(refusal).is_err() {
                    return;
                }
                continue;
            }
            // Ownership, history, presence and call parties live in the control plane: it
            // decides; the shard loop applies its verdict.
            join_via_control_plane(state, conn, outbox, info, message);
            continue;
        }
        if handled_by_control_plane(&message.topic, &message.event)
            && joined(state, conn, info, &message.topic)
        {
            // Stored, rate-limited or relayed by the control plane; replies as it answers.
            // In the shard loop's queue: the push reaches the control plane without waiting
            // for the other sockets' writes.
            runtime::spawn_into(
                push_via_control_plane(state.clone(), outbox.clone(), info.clone(), conn, message),
                state.control,
            );
            continue;
        }
        if message.event == "phx_leave" && is_tracked(&message.topic) {
            left_tracked(state, conn, &message.topic);
        }
        let answer = handle(state, conn, outbox, info, &message);
        if outbox.push(answer).is_err() {
            return;
        }
    }
}

fn handle(
    state: &Rc<ShardState>,
    conn: ConnId,
    outbox: &Rc<Outbox>,
    info: &SocketInfo,
    m: &Inbound,
) -> Frame {
    let registry = registry_of(info.vsn);
    match (m.topic.as_str(), m.event.as_str()) {
        ("phoenix", "heartbeat") => reply(info.vsn, m, "ok", "{}"),
        (topic, "phx_join") => {
            if at_channel_limit(state, conn, info) {
                return reply(info.vsn, m, "error", TOO_MANY_CHANNELS);
            }
            if let Some(owner) = topic.strip_prefix("user:")
                && owner != info.user
            {
                return reply(info.vsn, m, "error", r#"{"reason":"unauthorized"}"#);
            }
            match state.registries.borrow_mut()[registry].subscribe(topic, conn, outbox) {
                Ok(_) => reply(info.vsn, m, "ok", "{}"),
                Err(e) => {
                    let reason = serde_json::json!({ "reason": e.to_string() }).to_string();
                    reply(info.vsn, m, "error", &reason)
                }
            }
        }
        (topic, "phx_leave") => {
            state.registries.borrow_mut()[registry].unsubscribe(topic, conn);
            reply(info.vsn, m, "ok", "{}")
        }
        (topic, event) => {
            let joined = joined(state, conn, info, topic);
            if joined && is_room(topic) && matches!(event, "typing_start" | "typing_stop") {
                typing(state, conn, topic, &info.user, event == "typing_start");
                reply(info.vsn, m, "ok", "{}")
            } else if joined {
                reply(info.vsn, m, "error", r#"{"reason":"unsupported event"}"#)
            } else {
                reply(info.vsn, m, "error", r#"{"reason":"unmatched topic"}"#)
            }
        }
    }
}

async fn writer<W: futures_lite::AsyncWrite + Unpin>(mut write: W, outbox: Rc<Outbox>) {
    // Grows with the largest batch; an idle socket that only ever got a few frames keeps a
    // few slots.
    let mut frames = Vec::new();
    loop {
        match outbox.next_batch(&mut frames).await {
            Batch::Frames(_) => {
                // One send for everything queued: a subscriber that fell behind (a burst of
                // broadcasts) costs one syscall per batch, not one per frame. The joined copy
                // lives only for the write, so an idle socket keeps no buffer.
                let write_all = async {
                    if let [frame] = frames.as_slice() {
                        write.write_all(frame.bytes()).await?;
                    } else {
                        let total = frames.iter().map(|f| f.bytes().len()).sum();
                        let mut joined = Vec::with_capacity(total);
                        for frame in &frames {
                            joined.extend_from_slice(frame.bytes());
                        }
                        write.write_all(&joined).await?;
                    }
                    frames.clear();
                    write.flush().await
                };
                // A slow reader stuck mid-write is still dropped when its outbox overflows.
                let done = future::or(async { Some(write_all.await) }, async {
                    outbox.closed().await;
                    None
                })
                .await;
                match done {
                    Some(Ok(())) => {}
                    Some(Err(_)) => return,
                    None => {
                        // The write was cut mid-frame: a close frame now would corrupt the
                        // stream, and this reader is not reading anyway. Drop the socket.
                        let _ = write.close().await;
                        return;
                    }
                }
            }
            Batch::Closed(reason) => {
                if let Some(close) = reason.frame() {
                    let _ = write.write_all(&close).await;
                }
                let _ = write.close().await;
                return;
            }
        }
    }
}

/// Whether a join payload asks for missed messages (`{"last_offset": K}`).
fn asks_recovery(payload: &phoenix::Payload) -> bool {
    match payload {
        phoenix::Payload::Json(json) => serde_json::from_slice::<serde_json::Value>(json)
            .is_ok_and(|v| v.get("last_offset").is_some()),
        phoenix::Payload::Binary(_) => false,
    }
}

fn is_room(topic: &str) -> bool {
    topic.starts_with("room:") || topic.starts_with("chat:room:")
}

/// Index in `ShardState::registries` of the registry for a serializer (0: V1, 1: V2).
pub(crate) fn registry_of(vsn: Vsn) -> usize {
    match vsn {
        Vsn::V1 => 0,
        Vsn::V2 => 1,
    }
}

fn joined(state: &ShardState, conn: ConnId, info: &SocketInfo, topic: &str) -> bool {
    state.registries.borrow()[registry_of(info.vsn)]
        .topics_of(conn)
        .any(|t| t == topic)
}

/// Hands a push to the control plane and queues its reply.
async fn push_via_control_plane(
    state: Rc<ShardState>,
    outbox: Rc<Outbox>,
    info: SocketInfo,
    conn: ConnId,
    m: Inbound,
) {
    let payload = match &m.payload {
        phoenix::Payload::Json(json) => json.clone(),
        phoenix::Payload::Binary(_) => {
            let _ = outbox.push(reply(
                info.vsn,
                &m,
                "error",
                r#"{"reason":"binary payloads are not accepted here"}"#,
            ));
            return;
        }
    };
    let shard = state.id;
    let (user, topic, event) = (info.user.clone(), m.topic.clone(), m.event.clone());
    let answer = state
        .ask(|request_id| {
            codecs::ring::FromShard::Push(Box::new(codecs::ring::PushRecord {
                shard,
                socket: conn.0,
                request_id,
                user,
                topic,
                event,
                payload,
            }))
        })
        .await;
    let frame = match answer {
        Some(Answer::Push(answer)) => match &answer.reply {
            Ok(response) => reply(info.vsn, &m, "ok", &String::from_utf8_lossy(response)),
            Err(response) => reply(info.vsn, &m, "error", &String::from_utf8_lossy(response)),
        },
        _ => reply(
            info.vsn,
            &m,
            "error",
            r#"{"reason":"no answer from the node"}"#,
        ),
    };
    let _ = outbox.push(frame);
}

/// A join waiting for the control plane's verdict.
pub(crate) struct JoinWaiter {
    conn: ConnId,
    outbox: Rc<Outbox>,
    vsn: Vsn,
    message: Inbound,
}

/// Asks the control plane whether the socket may join; the shard loop applies the verdict
/// ([`finish_join`]). No verdict within the request timeout answers `error`.
fn join_via_control_plane(
    state: &Rc<ShardState>,
    conn: ConnId,
    outbox: &Rc<Outbox>,
    info: &SocketInfo,
    m: Inbound,
) {
    let request_id = state.next_request.get();
    state.next_request.set(request_id.wrapping_add(1));
    let payload = match &m.payload {
        phoenix::Payload::Json(json) => json.clone(),
        phoenix::Payload::Binary(_) => Bytes::from_static(b"{}"),
    };
    let record = codecs::ring::JoinRequestRecord {
        shard: state.id,
        socket: conn.0,
        request_id,
        user: info.user.clone(),
        topic: m.topic.clone(),
        payload,
    };
    state.joins.borrow_mut().insert(
        request_id,
        JoinWaiter {
            conn,
            outbox: outbox.clone(),
            vsn: info.vsn,
            message: m,
        },
    );
    if state
        .uplink
        .unbounded_send(codecs::ring::FromShard::AuthorizeJoin(Box::new(record)))
        .is_err()
    {
        state.joins.borrow_mut().remove(&request_id);
        return;
    }
    let state = state.clone();
    runtime::spawn_local(async move {
        runtime::sleep(state.limits.request_timeout).await;
        let waiter = state.joins.borrow_mut().remove(&request_id);
        if let Some(w) = waiter {
            let _ = w.outbox.push(reply(
                w.vsn,
                &w.message,
                "error",
                r#"{"reason":"no answer from the node"}"#,
            ));
        }
    });
}

/// Applies a join verdict: subscribes, replies, then queues the replay, all before the
/// shard reads its next inbox record.
pub(crate) fn finish_join(state: &ShardState, verdict: codecs::ring::JoinVerdictRecord) {
    let codecs::ring::JoinVerdictRecord {
        request_id,
        left_if_unapplied,
        verdict,
    } = verdict;
    // An accepted join that is not applied must be undone in the control plane.
    let undo = || {
        if let Some(left) = left_if_unapplied {
            let _ = state
                .uplink
                .unbounded_send(codecs::ring::FromShard::Left(Box::new(left)));
        }
    };
    let waiter = state.joins.borrow_mut().remove(&request_id);
    let accepted = match (waiter, verdict) {
        (Some(w), Err(reason)) => {
            let reason = serde_json::json!({ "reason": reason }).to_string();
            let _ = w.outbox.push(reply(w.vsn, &w.message, "error", &reason));
            return;
        }
        (None, Err(_)) => return,
        (None, Ok(_)) => return undo(), // timed out already
        (Some(w), Ok(_)) if w.outbox.is_closed() => return undo(),
        (Some(w), Ok(accepted)) => (w, accepted),
    };
    let (w, accepted) = accepted;
    let subscribed = state.registries.borrow_mut()[registry_of(w.vsn)].subscribe(
        &w.message.topic,
        w.conn,
        &w.outbox,
    );
    if let Err(e) = subscribed {
        undo();
        let _ = w.outbox.push(reply(
            w.vsn,
            &w.message,
            "error",
            &serde_json::json!({ "reason": e.to_string() }).to_string(),
        ));
        return;
    }
    let response = String::from_utf8_lossy(&accepted.response);
    let response = if response.is_empty() {
        "{}".into()
    } else {
        response
    };
    let _ = w.outbox.push(reply(w.vsn, &w.message, "ok", &response));
    for (event, payload) in accepted.replay {
        let mut text = BytesMut::with_capacity(payload.len() + 64);
        phoenix::encode_text(
            w.vsn,
            w.message.join_ref.as_deref(),
            None,
            &w.message.topic,
            &event,
            &payload,
            &mut text,
        );
        if w.outbox
            .push(Frame::new(websocket::text_frame(&text)))
            .is_err()
        {
            return;
        }
    }
}

/// Records a typing change and tells the room; a start schedules its own stop.
fn typing(state: &Rc<ShardState>, conn: ConnId, topic: &str, user: &str, started: bool) {
    let key = (conn, topic.to_string());
    let generation = {
        let mut typing = state.typing.borrow_mut();
        if started {
            let generation = typing.get(&key).map_or(0, |g| g + 1);
            typing.insert(key.clone(), generation);
            Some(generation)
        } else {
            typing.remove(&key);
            None
        }
    };
    publish_typing(state, conn, topic, user, started);
    if let Some(generation) = generation {
        let state = state.clone();
        let user = user.to_string();
        runtime::spawn_local(async move {
            runtime::sleep(TYPING_AUTO_STOP).await;
            let current = state.typing.borrow().get(&key) == Some(&generation);
            if current {
                state.typing.borrow_mut().remove(&key);
                publish_typing(&state, conn, &key.1, &user, false);
            }
        });
    }
}

/// `user_typing` to the room's other sockets here, and to every other shard.
fn publish_typing(state: &ShardState, conn: ConnId, topic: &str, user: &str, typing: bool) {
    let payload = serde_json::json!({ "user_id": user, "typing": typing }).to_string();
    let record = Arc::new(BroadcastRecord {
        topic: Arc::from(topic),
        event: Arc::from("user_typing"),
        payload: Bytes::from(payload),
        except: Vec::new(),
    });
    shard::deliver(state, &record, &[conn]);
    let _ = state.mesh.unbounded_send(record.clone());
    // Other nodes' subscribers of the room: the control plane relays it (when there are).
    let _ = state
        .uplink
        .unbounded_send(codecs::ring::FromShard::Relay(Box::new((*record).clone())));
}
