//! The tokio peer's topic table and frame encoding.
//!
//! One `tokio::sync::broadcast` channel per topic, shared by every runtime; a message is
//! encoded once into a complete server frame (`Bytes`) and that one buffer is what every
//! subscriber's writer receives. The table is a `std::sync::Mutex<HashMap>` held only to
//! find or create a room; a room's own mutex orders "take the next offset + send" so offsets
//! reach subscribers in order.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bytes::{BufMut, Bytes, BytesMut};
use tokio::sync::broadcast;

/// Frames a room's channel holds; a subscriber further behind is closed (slow consumer).
pub const ROOM_CAPACITY: usize = 1024;

/// A room: its channel and its message counter.
struct Room {
    tx: broadcast::Sender<Bytes>,
    next_offset: Mutex<u64>,
}

/// Every room of the process.
#[derive(Default)]
pub struct Rooms {
    topics: Mutex<HashMap<String, Arc<Room>>>,
}

impl Rooms {
    fn room(&self, topic: &str) -> Arc<Room> {
        let mut topics = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        topics
            .entry(topic.to_string())
            .or_insert_with(|| {
                Arc::new(Room {
                    tx: broadcast::channel(ROOM_CAPACITY).0,
                    next_offset: Mutex::new(0),
                })
            })
            .clone()
    }

    /// A receiver of the topic's broadcast frames from now on.
    pub fn subscribe(&self, topic: &str) -> broadcast::Receiver<Bytes> {
        self.room(topic).tx.subscribe()
    }

    /// Broadcasts `new_message` to the topic; returns `(message_id, offset)`.
    pub fn publish(&self, topic: &str, user: &str, content: &str) -> (String, u64) {
        let room = self.room(topic);
        let mut next = room.next_offset.lock().unwrap_or_else(|p| p.into_inner());
        *next += 1;
        let offset = *next;
        let message_id = format!("peer-{offset}");
        let room_id = topic.strip_prefix("room:").unwrap_or(topic);
        let timestamp = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let payload = serde_json::json!({
            "message_id": message_id, "room_id": room_id, "user_id": user,
            "content": content, "offset": offset, "timestamp": timestamp,
        });
        let text = serde_json::json!([null, null, topic, "new_message", payload]).to_string();
        // No subscriber is not an error: the message simply reaches no one.
        let _ = room.tx.send(frame(OPCODE_TEXT, text.as_bytes()));
        (message_id, offset)
    }
}

/// Text frame opcode.
pub const OPCODE_TEXT: u8 = 0x1;
/// Close frame opcode.
pub const OPCODE_CLOSE: u8 = 0x8;
/// Pong frame opcode.
pub const OPCODE_PONG: u8 = 0xA;

/// A complete, unmasked (server → client) frame.
pub fn frame(opcode: u8, payload: &[u8]) -> Bytes {
    let mut out = BytesMut::with_capacity(payload.len() + 10);
    out.put_u8(0x80 | opcode);
    match payload.len() {
        n if n < 126 => out.put_u8(n as u8),
        n if n <= 0xFFFF => {
            out.put_u8(126);
            out.put_u16(n as u16);
        }
        n => {
            out.put_u8(127);
            out.put_u64(n as u64);
        }
    }
    out.put_slice(payload);
    out.freeze()
}

/// A `phx_reply` text frame.
pub fn reply(
    join_ref: Option<&str>,
    msg_ref: Option<&str>,
    topic: &str,
    status: &str,
    response: serde_json::Value,
) -> Bytes {
    let text = serde_json::json!([
        join_ref,
        msg_ref,
        topic,
        "phx_reply",
        {"status": status, "response": response}
    ])
    .to_string();
    frame(OPCODE_TEXT, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_carry_their_length_in_the_right_form() {
        assert_eq!(&frame(OPCODE_TEXT, b"hi")[..], &[0x81, 2, b'h', b'i']);
        let mid = frame(OPCODE_TEXT, &[b'x'; 300]);
        assert_eq!(&mid[..4], &[0x81, 126, 1, 44]);
        let big = frame(OPCODE_TEXT, &vec![b'x'; 70_000]);
        assert_eq!(big[1], 127);
        assert_eq!(big.len(), 70_000 + 10);
    }

    #[test]
    fn a_publish_reaches_subscribers_with_the_node_payload_shape() {
        let rooms = Rooms::default();
        let mut rx = rooms.subscribe("room:b");
        let (id, offset) = rooms.publish("room:b", "u", "12:x");
        assert_eq!(offset, 1);
        let f = rx.try_recv().unwrap();
        let header = if f[1] == 126 { 4 } else { 2 };
        let v: serde_json::Value = serde_json::from_slice(&f[header..]).unwrap();
        assert_eq!(v[3], "new_message");
        assert_eq!(v[4]["message_id"], id.as_str());
        assert_eq!(v[4]["room_id"], "b");
        assert_eq!(v[4]["content"], "12:x");
        assert_eq!(crate::probe::extract_timestamp(&f), Some(12));
    }
}
