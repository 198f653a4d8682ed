//! RFC 6455 frames: server-to-client encoding into buffers the caller owns, and (in
//! [`decode`]) parsing and unmasking of client-to-server frames.
//!
//! Wire format: `FIN|RSV1-3|opcode` (1 byte), `MASK|len7` (1 byte), then a 16-bit (len7 =
//! 126) or 64-bit (len7 = 127) big-endian extended length, then the payload (RFC 6455 §5.2).
//! Frames sent by a server are never masked (§5.1), so there is no masking key and the
//! payload is copied as is.
//!
//! Why our own code rather than the gateway's WebSocket crate: fan-out builds a broadcast
//! frame **once per shard** and queues the same reference-counted buffer to thousands of
//! sockets, so the frame must exist as plain bytes before any connection is involved;
//! connection-oriented encoders write into one connection's stream instead. This module only
//! encodes whole, unfragmented (`FIN`) frames: that is all a server needs for broadcasts and
//! close frames. Client frames are parsed by [`decode`], for the same reason turned around:
//! the gateway reads every socket through one buffer per shard, so the parser must work on
//! whatever bytes a read returned, with no reader object (and no buffer) per connection.
//!
//! Text payloads are not checked for UTF-8 here: callers pass encoded JSON, which is UTF-8
//! by construction, and checking again per shard would be a second pass over every payload.

use bytes::{BufMut, Bytes, BytesMut};

pub mod decode;

/// Largest payload of a control frame (close, ping, pong), RFC 6455 §5.5.
pub const MAX_CONTROL_PAYLOAD: usize = 125;

/// Largest close reason in bytes: a control payload minus the 2-byte status code.
pub const MAX_CLOSE_REASON: usize = MAX_CONTROL_PAYLOAD - 2;

/// Largest frame header a server writes: 2 bytes + 8-byte extended length (no mask key).
pub const MAX_HEADER_LEN: usize = 10;

/// Close status codes this node sends (RFC 6455 §7.4.1). 1005, 1006 and 1015 are reserved for
/// reporting and must never appear in a close frame, so they are not listed.
pub mod close_code {
    /// Normal closure.
    pub const NORMAL: u16 = 1000;
    /// The server is going away (shutdown, restart).
    pub const GOING_AWAY: u16 = 1001;
    /// The peer broke a policy; used for slow consumers that overflow their outbox.
    pub const POLICY_VIOLATION: u16 = 1008;
    /// A message was too big to process.
    pub const MESSAGE_TOO_BIG: u16 = 1009;
    /// The server hit an unexpected condition.
    pub const INTERNAL_ERROR: u16 = 1011;
    /// The server is overloaded; the client should try again later.
    pub const TRY_AGAIN_LATER: u16 = 1013;
}

/// Frame opcode (RFC 6455 §5.2, §11.8). Values 0x3–0x7 and 0xB–0xF are reserved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Opcode {
    /// Continuation of a fragmented message.
    Continuation = 0x0,
    /// UTF-8 text message.
    Text = 0x1,
    /// Binary message.
    Binary = 0x2,
    /// Connection close (control).
    Close = 0x8,
    /// Ping (control).
    Ping = 0x9,
    /// Pong (control).
    Pong = 0xA,
}

impl Opcode {
    /// Whether this is a control opcode (payload at most [`MAX_CONTROL_PAYLOAD`] bytes).
    pub fn is_control(self) -> bool {
        (self as u8) & 0x8 != 0
    }

    /// The opcode for a 4-bit wire value, or `None` if it is reserved.
    pub fn from_u8(value: u8) -> Option<Self> {
        Some(match value {
            0x0 => Opcode::Continuation,
            0x1 => Opcode::Text,
            0x2 => Opcode::Binary,
            0x8 => Opcode::Close,
            0x9 => Opcode::Ping,
            0xA => Opcode::Pong,
            _ => return None,
        })
    }
}

/// Why a frame could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// A control frame (close, ping, pong) was given more than [`MAX_CONTROL_PAYLOAD`] bytes.
    #[error("{opcode:?} frame payload of {len} bytes exceeds the 125-byte control-frame limit")]
    ControlPayloadTooLong {
        /// The control opcode.
        opcode: Opcode,
        /// The payload length that was refused.
        len: usize,
    },
}

/// Header length of a server frame carrying `payload_len` bytes: 2, 4 or 10.
pub fn header_len(payload_len: usize) -> usize {
    match payload_len {
        0..=125 => 2,
        126..=0xFFFF => 4,
        _ => 10,
    }
}

/// Total length of a server frame carrying `payload_len` bytes.
pub fn frame_len(payload_len: usize) -> usize {
    header_len(payload_len) + payload_len
}

/// Appends one final (`FIN`), unmasked frame to `out`.
///
/// Control opcodes refuse payloads over [`MAX_CONTROL_PAYLOAD`] bytes and leave `out`
/// untouched. Callers that build into a `BytesMut` should reserve [`frame_len`] first so the
/// frame lands in one allocation ([`text_frame`] does).
pub fn encode_frame<B: BufMut>(
    opcode: Opcode,
    payload: &[u8],
    out: &mut B,
) -> Result<(), EncodeError> {
    if opcode.is_control() && payload.len() > MAX_CONTROL_PAYLOAD {
        return Err(EncodeError::ControlPayloadTooLong {
            opcode,
            len: payload.len(),
        });
    }
    put_frame(opcode, payload, out);
    Ok(())
}

/// Writes header and payload; the control-length check is the caller's.
fn put_frame<B: BufMut>(opcode: Opcode, payload: &[u8], out: &mut B) {
    out.put_u8(0x80 | opcode as u8);
    match payload.len() {
        len @ 0..=125 => out.put_u8(len as u8),
        len @ 126..=0xFFFF => {
            out.put_u8(126);
            out.put_u16(len as u16);
        }
        len => {
            out.put_u8(127);
            out.put_u64(len as u64);
        }
    }
    out.put_slice(payload);
}

/// A complete text frame for `payload` (UTF-8 by the caller's contract), in one allocation.
pub fn text_frame(payload: &[u8]) -> Bytes {
    data_frame(Opcode::Text, payload)
}

/// A complete binary frame for `payload`, in one allocation.
pub fn binary_frame(payload: &[u8]) -> Bytes {
    data_frame(Opcode::Binary, payload)
}

/// A complete control frame (pong, close, ping) carrying `payload`, in one allocation:
/// how a server answers a ping or echoes a close. Refuses payloads over
/// [`MAX_CONTROL_PAYLOAD`] bytes.
pub fn control_frame(opcode: Opcode, payload: &[u8]) -> Result<Bytes, EncodeError> {
    let mut out = BytesMut::with_capacity(frame_len(payload.len()));
    encode_frame(opcode, payload, &mut out)?;
    Ok(out.freeze())
}

fn data_frame(opcode: Opcode, payload: &[u8]) -> Bytes {
    let mut out = BytesMut::with_capacity(frame_len(payload.len()));
    put_frame(opcode, payload, &mut out);
    out.freeze()
}

/// A close frame with status `code` and `reason`, the reason cut to at most
/// [`MAX_CLOSE_REASON`] bytes on a UTF-8 character boundary so the frame stays a valid
/// control frame.
pub fn close_frame(code: u16, reason: &str) -> Bytes {
    let reason = truncate_on_char_boundary(reason, MAX_CLOSE_REASON);
    let mut out = BytesMut::with_capacity(2 + 2 + reason.len());
    out.put_u8(0x80 | Opcode::Close as u8);
    out.put_u8((2 + reason.len()) as u8);
    out.put_u16(code);
    out.put_slice(reason.as_bytes());
    out.freeze()
}

/// The longest prefix of `s` that is at most `max` bytes and ends on a char boundary.
pub fn truncate_on_char_boundary(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A decoded frame: the test's independent reading of the wire format.
    #[derive(Debug, PartialEq, Eq)]
    struct Decoded {
        fin: bool,
        opcode: Opcode,
        payload: Vec<u8>,
        consumed: usize,
    }

    /// A minimal RFC 6455 decoder (unmasked frames only), written from §5.2 alone.
    fn decode(bytes: &[u8]) -> Option<Decoded> {
        let b0 = *bytes.first()?;
        let b1 = *bytes.get(1)?;
        assert_eq!(b0 & 0x70, 0, "RSV bits must be clear");
        assert_eq!(b1 & 0x80, 0, "server frames must not be masked");
        let (len, at) = match b1 & 0x7F {
            126 => (
                u16::from_be_bytes(bytes.get(2..4)?.try_into().ok()?) as usize,
                4,
            ),
            127 => (
                u64::from_be_bytes(bytes.get(2..10)?.try_into().ok()?) as usize,
                10,
            ),
            n => (n as usize, 2),
        };
        // Minimal-length encoding is required by §5.2.
        match at {
            4 => assert!(len >= 126),
            10 => assert!(len > 0xFFFF),
            _ => {}
        }
        let payload = bytes.get(at..at + len)?.to_vec();
        Some(Decoded {
            fin: b0 & 0x80 != 0,
            opcode: Opcode::from_u8(b0 & 0x0F)?,
            payload,
            consumed: at + len,
        })
    }

    #[test]
    fn short_text_frame_has_a_two_byte_header() {
        assert_eq!(&text_frame(b"hi")[..], &[0x81, 0x02, b'h', b'i']);
        assert_eq!(&text_frame(b"")[..], &[0x81, 0x00]);
        let f = text_frame(&[b'a'; 125]);
        assert_eq!(&f[..2], &[0x81, 125]);
        assert_eq!(f.len(), 127);
    }

    #[test]
    fn medium_frame_uses_a_16_bit_length() {
        let f = binary_frame(&[7; 126]);
        assert_eq!(&f[..4], &[0x82, 126, 0x00, 126]);
        assert_eq!(f.len(), 4 + 126);
        let f = binary_frame(&[7; 0xFFFF]);
        assert_eq!(&f[..4], &[0x82, 126, 0xFF, 0xFF]);
        assert_eq!(f.len(), 4 + 0xFFFF);
    }

    #[test]
    fn large_frame_uses_a_64_bit_length() {
        let f = text_frame(&[b'x'; 0x1_0000]);
        assert_eq!(&f[..10], &[0x81, 127, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00]);
        assert_eq!(f.len(), 10 + 0x1_0000);
    }

    #[test]
    fn close_frame_carries_code_then_reason() {
        let f = close_frame(close_code::POLICY_VIOLATION, "slow");
        assert_eq!(&f[..], &[0x88, 6, 0x03, 0xF0, b's', b'l', b'o', b'w']);
        assert_eq!(&close_frame(1000, "")[..], &[0x88, 2, 0x03, 0xE8]);
    }

    #[test]
    fn close_reason_is_truncated_to_123_bytes_on_a_char_boundary() {
        // 61 two-byte chars = 122 bytes, then a 3-byte char that would end at byte 125.
        let reason = format!("{}€tail", "é".repeat(61));
        let f = close_frame(close_code::GOING_AWAY, &reason);
        let d = decode(&f).unwrap();
        assert_eq!(d.payload.len(), 2 + 122);
        assert!(std::str::from_utf8(&d.payload[2..]).is_ok());
        let ascii = "x".repeat(500);
        assert_eq!(close_frame(1000, &ascii).len(), 2 + MAX_CONTROL_PAYLOAD);
    }

    #[test]
    fn oversized_control_frame_is_refused_and_leaves_the_buffer_untouched() {
        let mut out = BytesMut::new();
        let err = encode_frame(Opcode::Ping, &[0; 126], &mut out).unwrap_err();
        assert_eq!(
            err,
            EncodeError::ControlPayloadTooLong {
                opcode: Opcode::Ping,
                len: 126
            }
        );
        assert!(out.is_empty());
        encode_frame(Opcode::Pong, &[0; 125], &mut out).unwrap();
        assert_eq!(out.len(), 127);
    }

    #[test]
    fn frames_append_after_existing_bytes() {
        let mut out = BytesMut::from(&b"prefix"[..]);
        encode_frame(Opcode::Text, b"a", &mut out).unwrap();
        encode_frame(Opcode::Binary, b"bc", &mut out).unwrap();
        assert_eq!(&out[..], b"prefix\x81\x01a\x82\x02bc");
    }

    #[test]
    fn opcode_wire_values_round_trip() {
        for v in 0u8..16 {
            if let Some(op) = Opcode::from_u8(v) {
                assert_eq!(op as u8, v);
                assert_eq!(op.is_control(), v >= 8);
            }
        }
    }

    fn opcode() -> impl Strategy<Value = Opcode> {
        prop_oneof![
            Just(Opcode::Continuation),
            Just(Opcode::Text),
            Just(Opcode::Binary),
            Just(Opcode::Close),
            Just(Opcode::Ping),
            Just(Opcode::Pong),
        ]
    }

    proptest! {
        #[test]
        fn encoded_frames_decode_to_their_payload(
            op in opcode(),
            payload in prop::collection::vec(any::<u8>(), 0..70_000),
        ) {
            let mut out = Vec::new();
            match encode_frame(op, &payload, &mut out) {
                Err(_) => prop_assert!(op.is_control() && payload.len() > MAX_CONTROL_PAYLOAD),
                Ok(()) => {
                    prop_assert_eq!(out.len(), frame_len(payload.len()));
                    let d = decode(&out).unwrap();
                    prop_assert!(d.fin);
                    prop_assert_eq!(d.opcode, op);
                    prop_assert_eq!(d.consumed, out.len());
                    prop_assert_eq!(d.payload, payload);
                }
            }
        }

        #[test]
        fn close_frames_are_valid_control_frames(code in 1000u16..5000, reason in ".{0,80}") {
            let f = close_frame(code, &reason);
            let d = decode(&f).unwrap();
            prop_assert_eq!(d.opcode, Opcode::Close);
            prop_assert!(d.payload.len() <= MAX_CONTROL_PAYLOAD);
            prop_assert_eq!(u16::from_be_bytes([d.payload[0], d.payload[1]]), code);
            let text = std::str::from_utf8(&d.payload[2..]).unwrap();
            prop_assert!(reason.starts_with(text));
        }
    }
}
