//! Client-to-server frames (RFC 6455 §5.2): the header parsed from the front of a byte
//! slice, the payload unmasked in place, close payloads checked.
//!
//! The parser holds no state and owns no buffer: [`parse_client_head`] looks at whatever
//! bytes the caller has and says "a frame of this shape starts here", "not enough bytes
//! yet", or "this is not a frame a client may send". Everything a server must refuse at the
//! frame level is refused here (§5.1–§5.5): reserved bits without an extension, reserved
//! opcodes, unmasked frames, control frames that are fragmented or longer than 125 bytes,
//! and 64-bit lengths with the top bit set. What needs more than one frame (fragment order,
//! UTF-8 across fragments, message size) is the reader's business.

use super::{MAX_CONTROL_PAYLOAD, Opcode};

/// The header of one client frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientFrameHead {
    /// Whether this is the last frame of its message.
    pub fin: bool,
    /// What the frame carries.
    pub opcode: Opcode,
    /// The masking key (every client frame has one).
    pub mask: [u8; 4],
    /// Payload length in bytes.
    pub payload_len: u64,
    /// Header length in bytes (2 to 14): the payload starts there.
    pub head_len: usize,
}

impl ClientFrameHead {
    /// Header plus payload, or `None` when that does not fit a `usize`.
    pub fn frame_len(&self) -> Option<usize> {
        usize::try_from(self.payload_len)
            .ok()?
            .checked_add(self.head_len)
    }
}

/// Why bytes are not a frame a client may send; each is a protocol error (close 1002).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// RSV1–3 set, and no extension was negotiated.
    #[error("reserved bits set without an extension")]
    ReservedBits,
    /// Opcode 0x3–0x7 or 0xB–0xF.
    #[error("reserved opcode {0:#x}")]
    ReservedOpcode(u8),
    /// A client frame without a masking key (§5.1).
    #[error("unmasked client frame")]
    Unmasked,
    /// A close, ping or pong frame without FIN.
    #[error("fragmented control frame")]
    FragmentedControl,
    /// A close, ping or pong frame over 125 bytes.
    #[error("control frame over 125 bytes")]
    ControlTooLong,
    /// A 64-bit length with its most significant bit set.
    #[error("frame length with the top bit set")]
    LengthTopBit,
}

/// Parses the header at the front of `bytes`: `Ok(None)` when more bytes are needed.
pub fn parse_client_head(bytes: &[u8]) -> Result<Option<ClientFrameHead>, FrameError> {
    let [first, second, rest @ ..] = bytes else {
        return Ok(None);
    };
    if first & 0x70 != 0 {
        return Err(FrameError::ReservedBits);
    }
    let fin = first & 0x80 != 0;
    let opcode = Opcode::from_u8(first & 0x0F).ok_or(FrameError::ReservedOpcode(first & 0x0F))?;
    if second & 0x80 == 0 {
        return Err(FrameError::Unmasked);
    }
    let (payload_len, ext_len) = match second & 0x7F {
        126 => match rest.first_chunk::<2>() {
            Some(ext) => (u64::from(u16::from_be_bytes(*ext)), 2),
            None => return Ok(None),
        },
        127 => match rest.first_chunk::<8>() {
            Some(ext) => (u64::from_be_bytes(*ext), 8),
            None => return Ok(None),
        },
        len => (u64::from(len), 0),
    };
    if payload_len >> 63 != 0 {
        return Err(FrameError::LengthTopBit);
    }
    if opcode.is_control() {
        if !fin {
            return Err(FrameError::FragmentedControl);
        }
        if payload_len > MAX_CONTROL_PAYLOAD as u64 {
            return Err(FrameError::ControlTooLong);
        }
    }
    let Some(mask) = rest[ext_len..].first_chunk::<4>() else {
        return Ok(None);
    };
    Ok(Some(ClientFrameHead {
        fin,
        opcode,
        mask: *mask,
        payload_len,
        head_len: 2 + ext_len + 4,
    }))
}

/// Unmasks (or masks: XOR is its own inverse) `payload` in place with `mask`, the payload
/// starting at its first byte (§5.3).
pub fn unmask(payload: &mut [u8], mask: [u8; 4]) {
    // Eight bytes at a time: the key repeats every four, so a doubled key covers a word.
    let wide = u64::from_ne_bytes([
        mask[0], mask[1], mask[2], mask[3], mask[0], mask[1], mask[2], mask[3],
    ]);
    let mut words = payload.chunks_exact_mut(8);
    for word in &mut words {
        let mut value = [0u8; 8];
        value.copy_from_slice(word);
        word.copy_from_slice(&(u64::from_ne_bytes(value) ^ wide).to_ne_bytes());
    }
    // What is left starts at a multiple of 8, hence of 4: the key starts over.
    for (byte, key) in words.into_remainder().iter_mut().zip(mask.iter().cycle()) {
        *byte ^= key;
    }
}

/// A masked client frame as a browser writes it, for clients and tests. `first` is the
/// FIN/RSV/opcode byte taken as is, so a test can build frames a client may not send.
pub fn masked_frame(first: u8, payload: &[u8], mask: [u8; 4]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 14);
    out.push(first);
    match payload.len() {
        len @ 0..=125 => out.push(0x80 | len as u8),
        len @ 126..=0xFFFF => {
            out.push(0x80 | 126);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        }
        len => {
            out.push(0x80 | 127);
            out.extend_from_slice(&(len as u64).to_be_bytes());
        }
    }
    out.extend_from_slice(&mask);
    let start = out.len();
    out.extend_from_slice(payload);
    unmask(&mut out[start..], mask);
    out
}

/// Why a close frame's payload is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CloseError {
    /// One byte: a code needs two (close 1002).
    #[error("close frame of one byte")]
    OneByte,
    /// A code a peer may not send: 0–999, 1004–1006, 1014–2999, 5000+ (close 1002).
    #[error("close code {0} a peer may not send")]
    Code(u16),
    /// A reason that is not UTF-8 (close 1007).
    #[error("close reason is not UTF-8")]
    Utf8,
}

/// Whether a peer may put `code` in a close frame (RFC 6455 §7.4, IANA registry): the
/// defined codes except those reserved for reporting (1005, 1006, 1015) and the unassigned
/// ones, plus the ranges for libraries and applications (3000–4999).
pub fn close_code_allowed(code: u16) -> bool {
    matches!(code, 1000..=1003 | 1007..=1013 | 3000..=4999)
}

/// Checks a close payload (at most 125 bytes, as [`parse_client_head`] ensured): empty, or
/// an allowed code and a UTF-8 reason. Returns the code and reason when there is one.
pub fn parse_close(payload: &[u8]) -> Result<Option<(u16, &str)>, CloseError> {
    let Some((code, reason)) = payload.split_first_chunk::<2>() else {
        return match payload.len() {
            0 => Ok(None),
            _ => Err(CloseError::OneByte),
        };
    };
    let code = u16::from_be_bytes(*code);
    if !close_code_allowed(code) {
        return Err(CloseError::Code(code));
    }
    let reason = std::str::from_utf8(reason).map_err(|_| CloseError::Utf8)?;
    Ok(Some((code, reason)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use proptest::prelude::*;

    const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

    fn client_frame(first: u8, payload: &[u8], mask: [u8; 4]) -> Vec<u8> {
        masked_frame(first, payload, mask)
    }

    #[test]
    fn the_rfc_example_masked_hello_parses_and_unmasks() {
        // RFC 6455 §5.7: a single-frame masked text message "Hello".
        let mut frame = vec![
            0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
        ];
        let head = parse_client_head(&frame).unwrap().unwrap();
        assert_eq!(
            head,
            ClientFrameHead {
                fin: true,
                opcode: Opcode::Text,
                mask: KEY,
                payload_len: 5,
                head_len: 6,
            }
        );
        assert_eq!(head.frame_len(), Some(11));
        unmask(&mut frame[6..], head.mask);
        assert_eq!(&frame[6..], b"Hello");
    }

    #[test]
    fn every_prefix_of_a_header_asks_for_more() {
        for len in [0usize, 5, 125, 126, 300, 0xFFFF, 0x10000] {
            let frame = client_frame(0x82, &vec![7; len], KEY);
            let head = parse_client_head(&frame).unwrap().unwrap();
            assert_eq!(head.payload_len, len as u64);
            assert_eq!(head.frame_len(), Some(frame.len()));
            for cut in 0..head.head_len {
                assert_eq!(
                    parse_client_head(&frame[..cut]),
                    Ok(None),
                    "len {len} cut {cut}"
                );
            }
        }
    }

    #[test]
    fn frames_a_client_may_not_send_are_refused() {
        let ok = client_frame(0x81, b"x", KEY);
        let mut rsv = ok.clone();
        rsv[0] |= 0x40;
        assert_eq!(parse_client_head(&rsv), Err(FrameError::ReservedBits));
        let mut reserved = ok.clone();
        reserved[0] = 0x83;
        assert_eq!(
            parse_client_head(&reserved),
            Err(FrameError::ReservedOpcode(3))
        );
        let mut unmasked = ok.clone();
        unmasked[1] &= 0x7F;
        assert_eq!(parse_client_head(&unmasked), Err(FrameError::Unmasked));
        let ping_no_fin = client_frame(0x09, b"", KEY);
        assert_eq!(
            parse_client_head(&ping_no_fin),
            Err(FrameError::FragmentedControl)
        );
        let long_ping = client_frame(0x89, &[0; 126], KEY);
        assert_eq!(
            parse_client_head(&long_ping),
            Err(FrameError::ControlTooLong)
        );
        let top_bit = [0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(parse_client_head(&top_bit), Err(FrameError::LengthTopBit));
        // A 125-byte ping is fine; a continuation without FIN is fine.
        assert!(parse_client_head(&client_frame(0x89, &[0; 125], KEY)).is_ok());
        assert!(parse_client_head(&client_frame(0x00, b"x", KEY)).is_ok());
    }

    #[test]
    fn close_payloads_are_checked() {
        assert_eq!(parse_close(b""), Ok(None));
        assert_eq!(parse_close(&1000u16.to_be_bytes()), Ok(Some((1000, ""))));
        assert_eq!(
            parse_close(&[0x03, 0xe8, b'o', b'k']),
            Ok(Some((1000, "ok")))
        );
        assert_eq!(parse_close(&4999u16.to_be_bytes()), Ok(Some((4999, ""))));
        assert_eq!(parse_close(b"\x03"), Err(CloseError::OneByte));
        for code in [0u16, 999, 1004, 1005, 1006, 1014, 1015, 1016, 2999, 5000] {
            assert_eq!(
                parse_close(&code.to_be_bytes()),
                Err(CloseError::Code(code))
            );
        }
        for code in [1001u16, 1003, 1007, 1011, 1012, 1013, 3000, 4000] {
            assert!(parse_close(&code.to_be_bytes()).is_ok(), "{code}");
        }
        assert_eq!(parse_close(&[0x03, 0xe8, 0xff]), Err(CloseError::Utf8));
    }

    proptest! {
        #[test]
        fn unmask_matches_the_bytewise_definition(
            payload in proptest::collection::vec(any::<u8>(), 0..100),
            mask in any::<[u8; 4]>(),
        ) {
            let mut fast = payload.clone();
            unmask(&mut fast, mask);
            let slow: Vec<u8> = payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]).collect();
            prop_assert_eq!(fast, slow);
        }

        #[test]
        fn any_client_frame_round_trips(
            first in prop_oneof![Just(0x81u8), Just(0x82), Just(0x01), Just(0x00), Just(0x80)],
            payload in proptest::collection::vec(any::<u8>(), 0..600),
            mask in any::<[u8; 4]>(),
        ) {
            let mut frame = client_frame(first, &payload, mask);
            let head = parse_client_head(&frame).unwrap().unwrap();
            prop_assert_eq!(head.fin, first & 0x80 != 0);
            prop_assert_eq!(head.frame_len(), Some(frame.len()));
            unmask(&mut frame[head.head_len..], head.mask);
            prop_assert_eq!(&frame[head.head_len..], &payload[..]);
        }
    }
}
