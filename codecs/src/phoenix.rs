//! Phoenix Channels messages: the three wire formats the official `phoenix` JS client speaks.
//!
//! Wire format:
//! - V2 JSON (`vsn=2.0.0`): a text frame `[join_ref, ref, topic, event, payload]`, refs are
//!   strings or `null`.
//! - V1 JSON (no `vsn`): a text frame `{"topic", "event", "payload", "ref", "join_ref"?}`.
//! - V2 binary (binary frames, for binary payloads): a kind byte, then one length byte per
//!   header field, the fields, and the raw payload. Client push (kind 0):
//!   `join_ref, ref, topic, event`; server reply (kind 1): `join_ref, ref, topic, status`;
//!   server broadcast (kind 2): `topic, event`.
//!
//! Decoding checks lengths before it reads (a frame's fields must fit the bytes given); a
//! WebSocket message is always whole, so there is no "need more bytes" outcome here, only
//! [`PhoenixError::Invalid`]. Encoders append to a caller-owned buffer.

use bytes::{BufMut, Bytes, BytesMut};
use serde_json::value::RawValue;

/// Which serializer a socket speaks, chosen by the `vsn` query parameter at connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Vsn {
    /// `vsn` absent or `1.0.0`: JSON objects.
    V1,
    /// `vsn=2.0.0`: JSON arrays, and binary frames for binary payloads.
    V2,
}

impl Vsn {
    /// The serializer for a `vsn` query value; `None` for versions we do not speak.
    pub fn from_query(vsn: Option<&str>) -> Option<Vsn> {
        match vsn {
            None | Some("1.0.0") => Some(Vsn::V1),
            Some("2.0.0") => Some(Vsn::V2),
            Some(_) => None,
        }
    }
}

/// The payload of a message: JSON text, or raw bytes (V2 binary frames only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// A JSON value, kept as its text.
    Json(Bytes),
    /// Raw bytes from a binary frame.
    Binary(Bytes),
}

/// A message from a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbound {
    /// The join reference of the channel the message belongs to.
    pub join_ref: Option<String>,
    /// The message reference, echoed in the reply.
    pub msg_ref: Option<String>,
    /// The topic (`room:1`, `phoenix` for heartbeats).
    pub topic: String,
    /// The event (`phx_join`, `new_message`, `heartbeat`, …).
    pub event: String,
    /// The payload.
    pub payload: Payload,
}

/// Why a frame is not a Phoenix message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoenixError {
    /// The frame does not follow the format of its serializer.
    #[error("invalid Phoenix message: {0}")]
    Invalid(String),
}

fn invalid(what: impl Into<String>) -> PhoenixError {
    PhoenixError::Invalid(what.into())
}

#[derive(serde::Deserialize)]
struct V2Array<'a>(
    Option<String>,
    Option<String>,
    String,
    String,
    #[serde(borrow)] &'a RawValue,
);

#[derive(serde::Deserialize)]
struct V1Object<'a> {
    topic: String,
    event: String,
    #[serde(borrow)]
    payload: &'a RawValue,
    #[serde(rename = "ref", default)]
    msg_ref: Option<String>,
    #[serde(default)]
    join_ref: Option<String>,
}

/// Decodes a text frame in the socket's serializer.
pub fn decode_text(vsn: Vsn, text: &[u8]) -> Result<Inbound, PhoenixError> {
    match vsn {
        Vsn::V2 => {
            let V2Array(join_ref, msg_ref, topic, event, payload) =
                serde_json::from_slice(text).map_err(|e| invalid(e.to_string()))?;
            Ok(Inbound {
                join_ref,
                msg_ref,
                topic,
                event,
                payload: Payload::Json(Bytes::copy_from_slice(payload.get().as_bytes())),
            })
        }
        Vsn::V1 => {
            let m: V1Object<'_> =
                serde_json::from_slice(text).map_err(|e| invalid(e.to_string()))?;
            Ok(Inbound {
                join_ref: m.join_ref,
                msg_ref: m.msg_ref,
                topic: m.topic,
                event: m.event,
                payload: Payload::Json(Bytes::copy_from_slice(m.payload.get().as_bytes())),
            })
        }
    }
}

/// Kind byte of a client push in a binary frame.
pub const KIND_PUSH: u8 = 0;
/// Kind byte of a server reply in a binary frame.
pub const KIND_REPLY: u8 = 1;
/// Kind byte of a server broadcast in a binary frame.
pub const KIND_BROADCAST: u8 = 2;

/// Decodes a binary frame (a client push, kind 0).
pub fn decode_binary(frame: &Bytes) -> Result<Inbound, PhoenixError> {
    let header = frame
        .get(..5)
        .ok_or_else(|| invalid("binary frame shorter than its 5-byte header"))?;
    if header[0] != KIND_PUSH {
        return Err(invalid(format!(
            "binary frame of kind {} (clients send pushes, kind 0)",
            header[0]
        )));
    }
    let sizes = [header[1], header[2], header[3], header[4]].map(usize::from);
    let fields_end = 5 + sizes.iter().sum::<usize>();
    if frame.len() < fields_end {
        return Err(invalid(
            "binary frame shorter than its declared header fields",
        ));
    }
    let mut at = 5;
    let mut field = |len: usize| -> Result<String, PhoenixError> {
        let text = std::str::from_utf8(&frame[at..at + len])
            .map_err(|_| invalid("binary frame header field is not UTF-8"))?
            .to_string();
        at += len;
        Ok(text)
    };
    let join_ref = field(sizes[0])?;
    let msg_ref = field(sizes[1])?;
    let topic = field(sizes[2])?;
    let event = field(sizes[3])?;
    Ok(Inbound {
        join_ref: Some(join_ref).filter(|s| !s.is_empty()),
        msg_ref: Some(msg_ref).filter(|s| !s.is_empty()),
        topic,
        event,
        payload: Payload::Binary(frame.slice(fields_end..)),
    })
}

/// Appends a message from the server as text (`payload_json` must be valid JSON).
pub fn encode_text(
    vsn: Vsn,
    join_ref: Option<&str>,
    msg_ref: Option<&str>,
    topic: &str,
    event: &str,
    payload_json: &[u8],
    out: &mut BytesMut,
) {
    let string = |s: Option<&str>| match s {
        Some(s) => serde_json::Value::String(s.to_string()).to_string(),
        None => "null".to_string(),
    };
    match vsn {
        Vsn::V2 => {
            out.put_u8(b'[');
            out.put_slice(string(join_ref).as_bytes());
            out.put_u8(b',');
            out.put_slice(string(msg_ref).as_bytes());
            out.put_u8(b',');
            out.put_slice(string(Some(topic)).as_bytes());
            out.put_u8(b',');
            out.put_slice(string(Some(event)).as_bytes());
            out.put_u8(b',');
            out.put_slice(payload_json);
            out.put_u8(b']');
        }
        Vsn::V1 => {
            out.put_slice(b"{\"topic\":");
            out.put_slice(string(Some(topic)).as_bytes());
            out.put_slice(b",\"event\":");
            out.put_slice(string(Some(event)).as_bytes());
            out.put_slice(b",\"payload\":");
            out.put_slice(payload_json);
            out.put_slice(b",\"ref\":");
            out.put_slice(string(msg_ref).as_bytes());
            out.put_slice(b",\"join_ref\":");
            out.put_slice(string(join_ref).as_bytes());
            out.put_u8(b'}');
        }
    }
}

/// Appends a binary broadcast (kind 2); fails if `topic` or `event` is over 255 bytes.
pub fn encode_binary_broadcast(
    topic: &str,
    event: &str,
    data: &[u8],
    out: &mut BytesMut,
) -> Result<(), PhoenixError> {
    let t = u8::try_from(topic.len()).map_err(|_| invalid("topic over 255 bytes"))?;
    let e = u8::try_from(event.len()).map_err(|_| invalid("event over 255 bytes"))?;
    out.put_slice(&[KIND_BROADCAST, t, e]);
    out.put_slice(topic.as_bytes());
    out.put_slice(event.as_bytes());
    out.put_slice(data);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn v2_arrays_decode_and_keep_the_payload_text() {
        let m = decode_text(
            Vsn::V2,
            br#"["1","2","room:1","phx_join",{"last_offset":4}]"#,
        )
        .unwrap();
        assert_eq!(m.join_ref.as_deref(), Some("1"));
        assert_eq!(m.msg_ref.as_deref(), Some("2"));
        assert_eq!((m.topic.as_str(), m.event.as_str()), ("room:1", "phx_join"));
        assert_eq!(
            m.payload,
            Payload::Json(Bytes::from_static(br#"{"last_offset":4}"#))
        );
        let hb = decode_text(Vsn::V2, br#"[null,"3","phoenix","heartbeat",{}]"#).unwrap();
        assert_eq!(hb.join_ref, None);
    }

    #[test]
    fn v1_objects_decode() {
        let m = decode_text(
            Vsn::V1,
            br#"{"topic":"room:1","event":"new_message","payload":{"content":"hi"},"ref":"7"}"#,
        )
        .unwrap();
        assert_eq!(m.msg_ref.as_deref(), Some("7"));
        assert_eq!(m.join_ref, None);
        assert_eq!(m.event, "new_message");
    }

    #[test]
    fn malformed_text_frames_are_invalid_not_panics() {
        for bad in [
            &b"[]"[..],
            b"[1,2,3,4,5]",
            b"{",
            b"\"x\"",
            br#"["1","2","t"]"#,
        ] {
            assert!(
                decode_text(Vsn::V2, bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        assert!(decode_text(Vsn::V1, br#"{"topic":"t"}"#).is_err());
    }

    #[test]
    fn encoded_text_has_the_documented_bytes() {
        let mut out = BytesMut::new();
        encode_text(
            Vsn::V2,
            Some("1"),
            Some("2"),
            "room:1",
            "phx_reply",
            br#"{"status":"ok","response":{}}"#,
            &mut out,
        );
        assert_eq!(
            &out[..],
            br#"["1","2","room:1","phx_reply",{"status":"ok","response":{}}]"#
        );
        let mut out = BytesMut::new();
        encode_text(
            Vsn::V1,
            None,
            None,
            "room:1",
            "new_message",
            b"{}",
            &mut out,
        );
        assert_eq!(
            &out[..],
            br#"{"topic":"room:1","event":"new_message","payload":{},"ref":null,"join_ref":null}"#
        );
    }

    #[test]
    fn binary_pushes_decode_and_truncation_at_every_byte_is_invalid() {
        let mut frame = vec![KIND_PUSH, 1, 1, 6, 4];
        frame.extend_from_slice(b"12room:1ping");
        frame.extend_from_slice(&[0, 1, 2, 255]);
        let frame = Bytes::from(frame);
        let m = decode_binary(&frame).unwrap();
        assert_eq!(
            (m.join_ref.as_deref(), m.msg_ref.as_deref()),
            (Some("1"), Some("2"))
        );
        assert_eq!((m.topic.as_str(), m.event.as_str()), ("room:1", "ping"));
        assert_eq!(
            m.payload,
            Payload::Binary(Bytes::from_static(&[0, 1, 2, 255]))
        );
        for cut in 0..17 {
            assert!(decode_binary(&frame.slice(..cut)).is_err(), "cut at {cut}");
        }
        let mut reply = frame.to_vec();
        reply[0] = KIND_REPLY;
        assert!(decode_binary(&Bytes::from(reply)).is_err());
    }

    #[test]
    fn binary_broadcasts_have_the_documented_bytes() {
        let mut out = BytesMut::new();
        encode_binary_broadcast("t", "ev", &[9, 9], &mut out).unwrap();
        assert_eq!(&out[..], &[KIND_BROADCAST, 1, 2, b't', b'e', b'v', 9, 9]);
        assert!(encode_binary_broadcast(&"x".repeat(256), "e", &[], &mut out).is_err());
    }

    proptest! {
        #[test]
        fn v2_text_round_trips(topic in ".{0,40}", event in "[a-z_]{1,20}", jr in proptest::option::of("[0-9]{1,5}"), mr in proptest::option::of("[0-9]{1,5}"), n in any::<i64>()) {
            let payload = format!("{{\"n\":{n}}}");
            for vsn in [Vsn::V1, Vsn::V2] {
                let mut out = BytesMut::new();
                encode_text(vsn, jr.as_deref(), mr.as_deref(), &topic, &event, payload.as_bytes(), &mut out);
                let m = decode_text(vsn, &out).unwrap();
                prop_assert_eq!(&m.topic, &topic);
                prop_assert_eq!(&m.event, &event);
                prop_assert_eq!(m.join_ref.as_deref(), jr.as_deref());
                prop_assert_eq!(m.msg_ref.as_deref(), mr.as_deref());
                prop_assert_eq!(m.payload, Payload::Json(Bytes::from(payload.clone())));
            }
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = decode_text(Vsn::V2, &bytes);
            let _ = decode_text(Vsn::V1, &bytes);
            let _ = decode_binary(&Bytes::from(bytes));
        }
    }
}
