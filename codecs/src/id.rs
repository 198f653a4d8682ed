//! Validated resource identifiers.
//!
//! Ids travel from outside (bus payloads, HTTP, channel topics) into object keys
//! (`media/{media_id}/…`), SQL rows and topic names, so they are checked once at the edge:
//! 1 to 128 characters from `A-Z a-z 0-9 - _ . @ :`, not starting with `.`. This admits
//! UUIDs, numeric ids, e-mail-like ids and prefixed ids while ruling out `/`, `..`, spaces
//! and control characters.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The longest id accepted, in bytes.
pub const MAX_ID_LEN: usize = 128;

/// An identifier of a user, media asset, room, notification or message.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ResourceId(String);

/// Why a string is not a valid [`ResourceId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidId {
    /// The id is empty.
    #[error("id is empty")]
    Empty,
    /// The id is longer than [`MAX_ID_LEN`].
    #[error("id is longer than {MAX_ID_LEN} bytes")]
    TooLong,
    /// The id holds a character outside the allowed set, or starts with `.`.
    #[error("id contains `{0}`; allowed are A-Z a-z 0-9 - _ . @ : (not leading `.`)")]
    BadCharacter(char),
}

impl ResourceId {
    /// Checks `value` and wraps it.
    pub fn new(value: impl Into<String>) -> Result<Self, InvalidId> {
        let value = value.into();
        if value.is_empty() {
            return Err(InvalidId::Empty);
        }
        if value.len() > MAX_ID_LEN {
            return Err(InvalidId::TooLong);
        }
        if value.starts_with('.') {
            return Err(InvalidId::BadCharacter('.'));
        }
        if let Some(bad) = value
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@' | ':')))
        {
            return Err(InvalidId::BadCharacter(bad));
        }
        Ok(ResourceId(value))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ResourceId {
    type Error = InvalidId;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        ResourceId::new(value)
    }
}

impl From<ResourceId> for String {
    fn from(id: ResourceId) -> String {
        id.0
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for ResourceId {
    type Err = InvalidId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ResourceId::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_uuid_numeric_and_prefixed_ids() {
        for ok in [
            "6f1c2b9e-4d1a-4c55-9d8e-0a2b3c4d5e6f",
            "42",
            "user_7",
            "a@b.c",
            "org:1",
        ] {
            assert!(ResourceId::new(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_path_traversal_separators_and_empty() {
        assert_eq!(ResourceId::new(""), Err(InvalidId::Empty));
        assert_eq!(ResourceId::new("../x"), Err(InvalidId::BadCharacter('.')));
        assert_eq!(ResourceId::new("a/b"), Err(InvalidId::BadCharacter('/')));
        assert_eq!(ResourceId::new("a b"), Err(InvalidId::BadCharacter(' ')));
        assert_eq!(ResourceId::new("x".repeat(129)), Err(InvalidId::TooLong));
        assert!(ResourceId::new("x".repeat(128)).is_ok());
    }

    #[test]
    fn deserialising_checks_the_id() {
        let err = serde_json::from_str::<ResourceId>("\"a/b\"").unwrap_err();
        assert!(err.to_string().contains("`/`"), "{err}");
    }
}
