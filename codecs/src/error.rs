//! Decode errors of the event contract.
//!
//! JSON events arrive whole (the bus and HTTP deliver complete messages), so unlike frame
//! codecs there is no "incomplete" outcome here: a message is valid or it is not, and the
//! error says where.

use thiserror::Error;

/// Why bytes could not be decoded into an event.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeError {
    /// The bytes are not JSON, or a field is missing or of the wrong type.
    /// `path` is the dotted path of the offending field (`.` for the document itself).
    #[error("invalid event at `{path}`: {message}")]
    Invalid {
        /// Dotted path to the field that failed (`payload.media_id`).
        path: String,
        /// What was wrong with it.
        message: String,
    },
    /// The `event_type` is not one of the contract's event types.
    #[error("unknown event_type `{0}`")]
    UnknownEventType(String),
}

impl DecodeError {
    /// Builds an [`DecodeError::Invalid`] from a path-tracking serde error, prefixing `prefix`
    /// (for example `payload`) to the path it reports.
    pub(crate) fn from_path_error(
        prefix: &str,
        err: serde_path_to_error::Error<serde_json::Error>,
    ) -> Self {
        let inner = err.path().to_string();
        let path = match (prefix.is_empty(), inner.as_str()) {
            (true, p) => p.to_string(),
            (false, ".") => prefix.to_string(),
            (false, p) => format!("{prefix}.{p}"),
        };
        // serde_json appends " at line L column C"; the path already says where.
        let message = err.into_inner().to_string();
        let message = match message.find(" at line ") {
            Some(cut) => message[..cut].to_string(),
            None => message,
        };
        // A missing field is reported at its parent's path; point at the field itself.
        let path = match message.strip_prefix("missing field `") {
            Some(rest) => {
                let field = rest.trim_end_matches('`');
                if path == "." || path.is_empty() {
                    field.to_string()
                } else {
                    format!("{path}.{field}")
                }
            }
            None => path,
        };
        DecodeError::Invalid { path, message }
    }
}
