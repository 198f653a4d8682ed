//! Owns [`ObjectKey`]: the validated name of an object, and the rules a name must follow.
//!
//! A key is checked once, when it is made, so every other part of the crate can hand it
//! to a backend without re-checking. The rules are the union of what the backends need:
//!
//! - relative and `/`-separated, with no empty, `.` or `..` segment (so no leading,
//!   trailing or doubled `/`): a key can never climb out of the local root or a prefix;
//! - at most [`MAX_KEY_BYTES`] bytes of UTF-8 (S3's limit), and at most
//!   [`MAX_SEGMENT_BYTES`] per segment (a file name is at most 255 bytes on Linux, and the
//!   local backend appends `#<n>` to name a file being written);
//! - no control characters and no backslash;
//! - none of the [`RESERVED_CHARS`]. These are the characters `object_store` percent-encodes
//!   when it turns a file name back into a path: a key containing one would be stored
//!   under one name and listed under another. `#` is also how the local backend names
//!   its in-progress upload files (`<key>#<n>`), and `?`/`#` cannot appear unescaped in the
//!   `GET /media/...` URL that serves a key.

use std::fmt;
use std::str::FromStr;

/// The longest key accepted, in bytes of UTF-8 (S3's limit for a whole key).
pub const MAX_KEY_BYTES: usize = 1024;

/// The longest segment (text between two `/`) accepted, in bytes of UTF-8.
pub const MAX_SEGMENT_BYTES: usize = 240;

/// Characters refused anywhere in a key (see the module doc for why).
pub const RESERVED_CHARS: &[char] = &[
    '#', '%', '?', '*', '{', '}', '[', ']', '<', '>', '^', '`', '"', '|', '~',
];

/// Why a string is not a valid [`ObjectKey`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidKey {
    /// The key is the empty string.
    #[error("key is empty")]
    Empty,
    /// The key is longer than [`MAX_KEY_BYTES`] (with the store's prefix, if any).
    #[error("key is {len} bytes long; the limit is {max}")]
    TooLong {
        /// Length in bytes.
        len: usize,
        /// The limit that was exceeded.
        max: usize,
    },
    /// One segment is longer than [`MAX_SEGMENT_BYTES`].
    #[error("a key segment is {len} bytes long; the limit is {max}")]
    SegmentTooLong {
        /// Length in bytes.
        len: usize,
        /// The limit that was exceeded.
        max: usize,
    },
    /// The key starts with `/`.
    #[error("key must be relative (no leading '/')")]
    Absolute,
    /// Two `/` in a row, or a trailing `/`.
    #[error("key has an empty segment (doubled or trailing '/')")]
    EmptySegment,
    /// A segment is `.` or `..`.
    #[error("key has a '.' or '..' segment")]
    DotSegment,
    /// A backslash, which some clients treat as a separator.
    #[error("key contains a backslash")]
    Backslash,
    /// A control character (C0, DEL or C1).
    #[error("key contains a control character at byte {at}")]
    ControlChar {
        /// Byte offset of the character.
        at: usize,
    },
    /// One of [`RESERVED_CHARS`].
    #[error("key contains the reserved character {ch:?}")]
    ReservedChar {
        /// The offending character.
        ch: char,
    },
}

/// A validated object name, relative to the store (and to its prefix, if it has one).
///
/// Cheap to clone; compares, orders and hashes as its string.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectKey(String);

impl ObjectKey {
    /// Checks `key` against the rules in the module doc.
    pub fn new(key: impl Into<String>) -> Result<Self, InvalidKey> {
        let key = key.into();
        validate(&key)?;
        Ok(Self(key))
    }

    /// The key as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Appends `/` and `rest` (itself checked as a key): `media/42` + `hls/index.m3u8`.
    pub fn join(&self, rest: &str) -> Result<Self, InvalidKey> {
        validate(rest)?;
        Self::new(format!("{}/{}", self.0, rest))
    }

    /// The `/`-separated segments of the key.
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('/')
    }

    /// Whether the key is `prefix` itself or lies under it, segment-wise
    /// (`a/b` is under `a`, `ab` is not).
    pub fn starts_with(&self, prefix: &ObjectKey) -> bool {
        match self.0.strip_prefix(prefix.as_str()) {
            Some(rest) => rest.is_empty() || rest.starts_with('/'),
            None => false,
        }
    }

    /// The key as an owned string.
    pub fn into_string(self) -> String {
        self.0
    }
}

fn validate(key: &str) -> Result<(), InvalidKey> {
    if key.is_empty() {
        return Err(InvalidKey::Empty);
    }
    if key.len() > MAX_KEY_BYTES {
        return Err(InvalidKey::TooLong {
            len: key.len(),
            max: MAX_KEY_BYTES,
        });
    }
    if key.starts_with('/') {
        return Err(InvalidKey::Absolute);
    }
    for (at, ch) in key.char_indices() {
        if ch.is_control() {
            return Err(InvalidKey::ControlChar { at });
        }
        if ch == '\\' {
            return Err(InvalidKey::Backslash);
        }
        if RESERVED_CHARS.contains(&ch) {
            return Err(InvalidKey::ReservedChar { ch });
        }
    }
    for segment in key.split('/') {
        match segment {
            "" => return Err(InvalidKey::EmptySegment),
            "." | ".." => return Err(InvalidKey::DotSegment),
            s if s.len() > MAX_SEGMENT_BYTES => {
                return Err(InvalidKey::SegmentTooLong {
                    len: s.len(),
                    max: MAX_SEGMENT_BYTES,
                });
            }
            _ => {}
        }
    }
    Ok(())
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl AsRef<str> for ObjectKey {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for ObjectKey {
    type Err = InvalidKey;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl TryFrom<&str> for ObjectKey {
    type Error = InvalidKey;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::new(s)
    }
}

impl TryFrom<String> for ObjectKey {
    type Error = InvalidKey;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(s)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_keys() {
        for k in [
            "a",
            "media/42/hls/720p/seg_00001.ts",
            "with space/ünïcødé.m3u8",
            "a.b/..c/c..",
        ] {
            assert!(ObjectKey::new(k).is_ok(), "{k}");
        }
    }

    #[test]
    fn rejects_each_rule_with_its_reason() {
        let cases: &[(&str, InvalidKey)] = &[
            ("", InvalidKey::Empty),
            ("/a", InvalidKey::Absolute),
            ("a//b", InvalidKey::EmptySegment),
            ("a/", InvalidKey::EmptySegment),
            ("a/./b", InvalidKey::DotSegment),
            ("../a", InvalidKey::DotSegment),
            ("a\\b", InvalidKey::Backslash),
            ("a\nb", InvalidKey::ControlChar { at: 1 }),
            ("a\u{7f}", InvalidKey::ControlChar { at: 1 }),
            ("a#1", InvalidKey::ReservedChar { ch: '#' }),
            ("a%20b", InvalidKey::ReservedChar { ch: '%' }),
        ];
        for (k, want) in cases {
            assert_eq!(ObjectKey::new(*k).unwrap_err(), *want, "{k:?}");
        }
    }

    #[test]
    fn length_limits_are_in_bytes() {
        let seg = "a".repeat(MAX_SEGMENT_BYTES);
        let longest = [seg.as_str(); 5].join("/")[..MAX_KEY_BYTES]
            .trim_end_matches('/')
            .to_owned();
        assert!(ObjectKey::new(longest).is_ok());
        assert_eq!(
            ObjectKey::new("é".repeat(MAX_SEGMENT_BYTES / 2 + 1)).unwrap_err(),
            InvalidKey::SegmentTooLong {
                len: MAX_SEGMENT_BYTES + 2,
                max: MAX_SEGMENT_BYTES
            }
        );
        assert_eq!(
            ObjectKey::new("é/".repeat(MAX_KEY_BYTES / 3 + 1) + "x").unwrap_err(),
            InvalidKey::TooLong {
                len: MAX_KEY_BYTES + 3,
                max: MAX_KEY_BYTES
            }
        );
    }

    #[test]
    fn starts_with_is_segment_wise() {
        let k = ObjectKey::new("ab/c").unwrap();
        assert!(k.starts_with(&ObjectKey::new("ab").unwrap()));
        assert!(k.starts_with(&ObjectKey::new("ab/c").unwrap()));
        assert!(!k.starts_with(&ObjectKey::new("a").unwrap()));
    }

    #[test]
    fn join_checks_the_tail() {
        let base = ObjectKey::new("media/1").unwrap();
        assert_eq!(base.join("x/y").unwrap().as_str(), "media/1/x/y");
        assert_eq!(base.join("../y").unwrap_err(), InvalidKey::DotSegment);
    }
}
