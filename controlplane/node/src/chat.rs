//! Chat rooms: a `new_message` pushed on `room:{id}` or `chat:room:{id}` is stored with the
//! room's next offset, broadcast to the room on every shard (both topic spellings name one
//! room), published on the bus as `chat.message`, and answered with its offset.
//!
//! A join with `{"last_offset": K}` gets, after its `ok` reply, the messages after `K` in
//! order (`recovered: true`), or `recovered: false` when `K` is older than the last
//! [`ROOM_HISTORY`] messages. A per-room lock orders "store + queue the broadcast" against
//! "read the history + queue the join verdict" on the shards' FIFO downlinks, so a joining
//! socket gets each message exactly once: replayed, or live.
//!
//! Across nodes: the `chat.message` event carries the offset and the publishing node (in
//! `source`); the other nodes deliver it to their sockets in the room
//! ([`deliver_from_bus`]). A recovering join on this node can read a message another node
//! has stored before the bus brings it here; the join replays it, and when the bus event
//! arrives it is broadcast to the room *except* the sockets that had it replayed (the
//! node's [`ReplayBook`] remembers, for [`REPLAY_MEMORY`], which socket got which offsets
//! by replay). So a recovering socket still gets each message once, across nodes too.
//!
//! Payload: `{"content": "…", "message_id"?: "…"}` (a client-chosen `message_id` makes a
//! retried push idempotent: the store returns the row it kept, and the retry is answered
//! with the same offset but neither broadcast nor published again). Broadcast payload:
//! `{message_id, room_id, user_id, content, offset, timestamp}`; reply: `{message_id, offset}`.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use codecs::events::ChatMessage;
use codecs::ring::PushRecord;
use codecs::ring::{JoinAccepted, JoinRequestRecord, SocketRef};
use codecs::{Event, Payload, ResourceId};
use serde::Deserialize;
use store::StoredChatMessage;
use time::format_description::well_known::Rfc3339;
use tokio::sync::{Mutex, MutexGuard};

use crate::bridge::Shards;
use crate::node::Services;

/// How many recent messages a join can recover.
pub const ROOM_HISTORY: u64 = 100;

/// Stripes of the per-room lock (rooms hash onto them; contention only between rooms that
/// share a stripe, and only for the length of a store call).
const ROOM_LOCK_STRIPES: usize = 64;

static ROOM_LOCKS: LazyLock<Vec<Mutex<()>>> =
    LazyLock::new(|| (0..ROOM_LOCK_STRIPES).map(|_| Mutex::new(())).collect());

/// Serialises a room's appends and recoveries on this node.
pub async fn lock_room(room: &ResourceId) -> MutexGuard<'static, ()> {
    let mut hasher = DefaultHasher::new();
    room.hash(&mut hasher);
    ROOM_LOCKS[(hasher.finish() % ROOM_LOCK_STRIPES as u64) as usize]
        .lock()
        .await
}

/// How long a replay is remembered: a bus event later than this after its message was
/// stored would reach a socket that had it replayed a second time.
pub const REPLAY_MEMORY: Duration = Duration::from_secs(60);

/// Most replays remembered per room (each at most [`ROOM_HISTORY`] offsets); past it the
/// oldest is forgotten first.
const REPLAYS_PER_ROOM: usize = 4096;

/// The offsets recovering joins on this node had replayed, per room and socket, so that the
/// same messages arriving later from the bus skip those sockets. Entries expire after
/// [`REPLAY_MEMORY`]; a room's list is pruned whenever it is touched. Only recovering
/// joins with a non-empty replay add entries, so an ordinary room costs nothing here.
#[derive(Default)]
pub struct ReplayBook {
    rooms: std::sync::Mutex<HashMap<ResourceId, Vec<Replayed>>>,
}

/// One join's replay.
struct Replayed {
    socket: SocketRef,
    /// Ascending, as the history is read.
    offsets: Vec<u64>,
    at: Instant,
}

impl ReplayBook {
    /// Remembers that `socket` had `offsets` of `room` replayed.
    pub fn record(&self, room: &ResourceId, socket: SocketRef, offsets: Vec<u64>) {
        if offsets.is_empty() {
            return;
        }
        let now = Instant::now();
        let mut rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        let list = rooms.entry(room.clone()).or_default();
        forget_expired(list, now);
        if list.len() >= REPLAYS_PER_ROOM {
            list.remove(0);
        }
        list.push(Replayed {
            socket,
            offsets,
            at: now,
        });
    }

    /// The sockets that had `offset` of `room` replayed (and forgets expired replays).
    pub fn replayed_to(&self, room: &ResourceId, offset: u64) -> Vec<SocketRef> {
        let now = Instant::now();
        let mut rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        let Some(list) = rooms.get_mut(room) else {
            return Vec::new();
        };
        forget_expired(list, now);
        let sockets = list
            .iter()
            .filter(|r| r.offsets.binary_search(&offset).is_ok())
            .map(|r| r.socket)
            .collect();
        if list.is_empty() {
            rooms.remove(room);
        }
        sockets
    }
}

/// Drops the replays of `list` older than [`REPLAY_MEMORY`] at `now`.
fn forget_expired(list: &mut Vec<Replayed>, now: Instant) {
    list.retain(|r| now.duration_since(r.at) < REPLAY_MEMORY);
}

/// The `new_message` payload of a message, stored here or announced on the bus.
fn message_json(message: &ChatMessage) -> Bytes {
    let timestamp = message.timestamp.format(&Rfc3339).unwrap_or_default();
    let json = serde_json::json!({
        "message_id": message.message_id, "room_id": message.room_id,
        "user_id": message.user_id, "content": message.content, "offset": message.offset,
        "timestamp": timestamp,
    });
    Bytes::from(json.to_string())
}

/// The event payload of a stored message.
fn chat_message(stored: &StoredChatMessage) -> ChatMessage {
    ChatMessage {
        message_id: stored.message_id.clone(),
        room_id: stored.room_id.clone(),
        user_id: stored.user_id.clone(),
        content: stored.content.clone(),
        timestamp: stored.created_at,
        offset: Some(stored.offset),
    }
}

/// The `source` of the `chat.message` events a node publishes, so it can tell its own
/// (already delivered to its sockets) from other nodes' on the bus.
pub fn chat_source(node_id: &str) -> String {
    format!("armoricore@{node_id}")
}

/// The `chat.message` event announcing `stored`, from `source` (its id derives from the
/// message id, so a retried announcement is a duplicate on the bus).
pub fn chat_message_event(source: String, stored: &StoredChatMessage) -> Event {
    Event::deterministic(
        source,
        Payload::ChatMessage(chat_message(stored)),
        stored.message_id.as_str(),
    )
}

/// Delivers a `chat.message` from the bus (another node's, or another producer's) to this
/// node's sockets in the room, except those that had it replayed already (`replays`). Its
/// offset, when it has one, is the one the room's history holds, so a client sees the same
/// offset on every node.
pub async fn deliver_from_bus(message: &ChatMessage, shards: &Shards, replays: &ReplayBook) {
    let payload = message_json(message);
    // Ordered against this node's recovering joins of the room, as local messages are.
    let _room_lock = lock_room(&message.room_id).await;
    let replayed = message
        .offset
        .map(|offset| replays.replayed_to(&message.room_id, offset))
        .unwrap_or_default();
    for topic in [
        format!("room:{}", message.room_id),
        format!("chat:room:{}", message.room_id),
    ] {
        shards
            .broadcast_except(&topic, "new_message", payload.clone(), replayed.clone())
            .await;
    }
}

/// The verdict on a room join that asks for recovery; call with the room locked.
pub async fn recover(
    join: &JoinRequestRecord,
    room: &ResourceId,
    services: &Services,
) -> Result<JoinAccepted, String> {
    #[derive(Deserialize)]
    struct Recovery {
        last_offset: u64,
    }
    let recovery: Recovery =
        serde_json::from_slice(&join.payload).map_err(|e| format!("invalid last_offset: {e}"))?;
    let unavailable = |e: store::StoreError| {
        tracing::warn!(error = %e, "cannot read room history");
        "unavailable".to_string()
    };
    let latest = services
        .store
        .latest_chat_messages(room, 1)
        .await
        .map_err(unavailable)?
        .last()
        .map_or(0, |m| m.offset);
    let k = recovery.last_offset;
    if k >= latest {
        return Ok(JoinAccepted {
            response: Bytes::from_static(br#"{"recovered":true}"#),
            replay: Vec::new(),
        });
    }
    if latest - k > ROOM_HISTORY {
        return Ok(JoinAccepted {
            response: Bytes::from_static(br#"{"recovered":false}"#),
            replay: Vec::new(),
        });
    }
    let missed = services
        .store
        .chat_messages_after(room, k, ROOM_HISTORY as u32)
        .await
        .map_err(unavailable)?;
    services.replays.record(
        room,
        SocketRef {
            shard: join.shard,
            socket: join.socket,
        },
        missed.iter().map(|m| m.offset).collect(),
    );
    let event: Arc<str> = Arc::from("new_message");
    Ok(JoinAccepted {
        response: Bytes::from_static(br#"{"recovered":true}"#),
        replay: missed
            .iter()
            .map(|m| (event.clone(), message_json(&chat_message(m))))
            .collect(),
    })
}

/// Longest message accepted, in bytes of text.
pub const MAX_CONTENT_BYTES: usize = 16 << 10;

#[derive(Deserialize)]
struct NewMessage {
    content: String,
    #[serde(default)]
    message_id: Option<ResourceId>,
}

/// The room a topic names.
pub fn room_of(topic: &str) -> Option<ResourceId> {
    let id = topic
        .strip_prefix("chat:room:")
        .or_else(|| topic.strip_prefix("room:"))?;
    ResourceId::new(id).ok()
}

/// Handles a push; `Ok` is the reply's JSON response, `Err` its reason.
pub async fn handle(
    push: &PushRecord,
    services: &Services,
    shards: &Shards,
) -> Result<Bytes, String> {
    match push.event.as_str() {
        "new_message" => new_message(push, services, shards).await,
        other => Err(format!("unsupported event {other}")),
    }
}

async fn new_message(
    push: &PushRecord,
    services: &Services,
    shards: &Shards,
) -> Result<Bytes, String> {
    let message: NewMessage =
        serde_json::from_slice(&push.payload).map_err(|e| format!("invalid new_message: {e}"))?;
    if message.content.trim().is_empty() {
        return Err("content is empty".into());
    }
    if message.content.len() > MAX_CONTENT_BYTES {
        return Err(format!("content longer than {MAX_CONTENT_BYTES} bytes"));
    }
    let room = room_of(&push.topic).ok_or("not a room topic")?;
    let user = ResourceId::new(&push.user).map_err(|e| e.to_string())?;
    let message_id = match message.message_id {
        Some(id) => id,
        None => ResourceId::new(uuid::Uuid::new_v4().to_string()).map_err(|e| e.to_string())?,
    };
    let room_lock = lock_room(&room).await;
    let appended = services
        .store
        .append_chat_message(&room, &message_id, &user, &message.content)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "cannot store a chat message");
            "the message could not be stored".to_string()
        })?;
    let stored = appended.message;
    let reply = serde_json::json!({ "message_id": stored.message_id, "offset": stored.offset });
    if !appended.newly_stored {
        // A retry of a message already stored (and announced): same answer, no second
        // broadcast. Sockets that missed it recover it from the history by offset.
        return Ok(Bytes::from(reply.to_string()));
    }
    let payload = message_json(&chat_message(&stored));
    for topic in [format!("room:{room}"), format!("chat:room:{room}")] {
        shards
            .broadcast(&topic, "new_message", payload.clone())
            .await;
    }
    drop(room_lock);
    let event = chat_message_event(chat_source(&services.node_id), &stored);
    if let Err(e) = bus::publish_event(services.bus.as_ref(), &event).await {
        // Stored and delivered to this node's sockets already; say so loudly.
        tracing::error!(error = %e, message_id = %stored.message_id, "chat.message not published");
    }
    Ok(Bytes::from(reply.to_string()))
}
