//! [`BusError`]: every way a bus call can fail, for both implementations.
//!
//! Transient conditions (the NATS server restarting, a lost acknowledgement) are retried
//! inside the bus where the contract says so (`publish` until `publish_timeout`,
//! `WorkQueue::next` forever); what reaches the caller is either a permanent refusal or a
//! retry budget that ran out.

use std::time::Duration;

/// Why a bus operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BusError {
    /// The bus URL names a scheme this build cannot speak.
    #[error("unsupported message bus URL scheme `{scheme}` (expected nats:// or none)")]
    UnsupportedScheme {
        /// The scheme as written in the URL.
        scheme: String,
    },
    /// The scheme is part of the plan but its implementation is not built yet.
    #[error("message bus scheme `{scheme}` is not built yet (use nats:// or the in-process bus)")]
    NotBuiltYet {
        /// The scheme as written in the URL.
        scheme: String,
    },
    /// The configuration cannot be used (bad prefix, zero timeout, ...).
    #[error("invalid bus configuration: {0}")]
    InvalidConfig(String),
    /// A subject or filter is malformed, or matches nothing the bus carries.
    #[error("invalid subject `{subject}`: {reason}")]
    InvalidSubject {
        /// The subject as given.
        subject: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A signal name is not one or more plain tokens (see
    /// [`crate::subject::validate_signal_name`]).
    #[error("invalid signal name `{name}`: {reason}")]
    InvalidSignalName {
        /// The name as given.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A message id (idempotency key) is empty or not printable.
    #[error("invalid msg_id `{0}`: must be 1 to 256 printable characters")]
    InvalidMsgId(String),
    /// A [`crate::WorkQueueSpec`] is inconsistent.
    #[error("invalid work queue spec: {0}")]
    InvalidSpec(String),
    /// The bus could not be reached when connecting.
    #[error("cannot connect to the message bus: {0}")]
    Connect(String),
    /// `publish` kept failing for longer than `publish_timeout`.
    #[error("publish to `{subject}` not acknowledged after {waited:?}: {last_error}")]
    PublishTimeout {
        /// The subject published to.
        subject: String,
        /// How long the publish kept trying.
        waited: Duration,
        /// The last failure seen.
        last_error: String,
    },
    /// The server refused a request for a reason retrying will not fix.
    #[error("message bus refused the request: {0}")]
    Rejected(String),
    /// A transient failure surfaced where the contract has no retry (an ack while the
    /// server is away); the message will be redelivered.
    #[error("message bus temporarily unavailable: {0}")]
    Unavailable(String),
    /// The bus (or the in-process server behind it) has shut down.
    #[error("message bus is closed")]
    Closed,
}
