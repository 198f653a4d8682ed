//! The send timestamp a publisher puts in a message's `content`, and finding it again in a
//! received broadcast frame.
//!
//! Content format: `<nanoseconds since the UNIX epoch, decimal>:<padding>`; the padding
//! (`x`) brings the content to the requested size. Receivers look for the bytes
//! `"content":"` in the frame and read the digits after them: one `memmem` search and no
//! JSON parsing per delivery, because the receive path runs ~10,000 times per published
//! message and competes with the server for the same cores. A frame without that key (a
//! `phx_reply`, for instance) is not a delivery.

use memchr::memmem::Finder;
use std::sync::LazyLock;

/// The key that precedes the timestamp in a broadcast payload.
const CONTENT_KEY: &[u8] = br#""content":""#;

static FINDER: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(CONTENT_KEY));

/// Fewest content bytes: 19 digits of a 2020s timestamp and the `:`.
pub const MIN_CONTENT_BYTES: usize = 20;

/// The content of a message sent at `sent_ns`, padded with `x` to `size` bytes (never
/// shorter than the timestamp itself).
pub fn content(sent_ns: u64, size: usize) -> String {
    let mut s = format!("{sent_ns}:");
    while s.len() < size {
        s.push('x');
    }
    s
}

/// The send timestamp of the message a frame carries, if it is a broadcast with a content
/// made by [`content`].
pub fn extract_timestamp(frame: &[u8]) -> Option<u64> {
    let at = FINDER.find(frame)? + CONTENT_KEY.len();
    let mut value: u64 = 0;
    let mut digits = 0;
    for &b in frame.get(at..)?.iter().take(20) {
        if !b.is_ascii_digit() {
            break;
        }
        value = value.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
        digits += 1;
    }
    (digits > 0).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_is_padded_to_size_and_starts_with_the_timestamp() {
        let c = content(1_795_000_000_123_456_789, 64);
        assert_eq!(c.len(), 64);
        assert!(c.starts_with("1795000000123456789:xx"));
        assert_eq!(content(7, 0), "7:");
    }

    #[test]
    fn finds_the_timestamp_in_an_armoricore_broadcast() {
        let c = content(1_795_000_000_123_456_789, 32);
        let frame = format!(
            r#"[null,null,"room:bench","new_message",{{"content":"{c}","message_id":"m","offset":3,"room_id":"bench","timestamp":"2026-11-28T00:00:00Z","user_id":"u"}}]"#
        );
        assert_eq!(
            extract_timestamp(frame.as_bytes()),
            Some(1_795_000_000_123_456_789)
        );
    }

    #[test]
    fn finds_the_timestamp_wherever_the_key_is() {
        let frame = br#"[null,null,"room:b","new_message",{"message_id":"1","content":"42:x"}]"#;
        assert_eq!(extract_timestamp(frame), Some(42));
    }

    #[test]
    fn a_reply_is_not_a_delivery() {
        let frame = br#"["1","7","room:bench","phx_reply",{"status":"ok","response":{"message_id":"m","offset":3}}]"#;
        assert_eq!(extract_timestamp(frame), None);
    }

    #[test]
    fn content_without_digits_or_truncated_frames_give_none() {
        assert_eq!(extract_timestamp(br#"{"content":"hello"}"#), None);
        assert_eq!(extract_timestamp(br#"{"content":""#), None);
        assert_eq!(
            extract_timestamp(br#"{"content":"99999999999999999999999""#),
            None
        );
    }
}
