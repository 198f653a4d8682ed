//! [`CloseReason`]: why a connection's outbox was closed, and the close frame that says so.
//!
//! Kept apart from the queue so the reasons, their status codes and their texts — what a
//! client actually sees — can be read in one place.

use std::fmt;

use bytes::Bytes;
use codecs::websocket::{close_code, close_frame};

/// Which limit a push crossed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitKind {
    /// [`OutboxLimits::max_bytes`](super::OutboxLimits::max_bytes).
    Bytes,
    /// [`OutboxLimits::max_frames`](super::OutboxLimits::max_frames).
    Frames,
}

/// Why an outbox was closed; tells the writer what close frame to send, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloseReason {
    /// The connection did not read fast enough: a push would have crossed `limit` (`max` of
    /// that kind). Sent as code 1008 (policy violation) with the figures in the reason;
    /// 1013 (try again later) was rejected because it tells clients the *server* is
    /// overloaded, which would make well-behaved clients back off from a healthy node.
    SlowConsumer {
        /// The limit crossed.
        limit: LimitKind,
        /// The limit's value.
        max: usize,
        /// Bytes held when the push was refused (not counting the refused frame).
        queued_bytes: usize,
        /// Frames held when the push was refused (not counting the refused frame).
        queued_frames: usize,
    },
    /// The client sent more messages per second than allowed (code 1008).
    RateLimited {
        /// The sustained rate allowed.
        per_second: u32,
    },
    /// The server is shutting down or moving the connection (code 1001).
    GoingAway,
    /// The peer sent what RFC 6455 forbids: a protocol error (1002), text that is not
    /// UTF-8 (1007) or a message over the size limit (1009).
    BadInput {
        /// The close code.
        code: u16,
        /// What was wrong, for the close frame's reason.
        why: String,
    },
    /// The peer is gone (socket error or its close frame): nothing more can be sent.
    PeerGone,
}

impl CloseReason {
    /// The close status code to send, or `None` when no close frame can be sent.
    pub fn code(&self) -> Option<u16> {
        match self {
            CloseReason::SlowConsumer { .. } | CloseReason::RateLimited { .. } => {
                Some(close_code::POLICY_VIOLATION)
            }
            CloseReason::GoingAway => Some(close_code::GOING_AWAY),
            CloseReason::BadInput { code, .. } => Some(*code),
            CloseReason::PeerGone => None,
        }
    }

    /// The close frame for this reason (code + text, text cut to 123 bytes), if one is sent.
    pub fn frame(&self) -> Option<Bytes> {
        self.code().map(|code| close_frame(code, &self.to_string()))
    }
}

impl fmt::Display for CloseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let CloseReason::SlowConsumer {
            limit,
            max,
            queued_bytes: bytes,
            queued_frames: frames,
        } = self
        else {
            if let CloseReason::RateLimited { per_second } = self {
                return write!(f, "rate limit: more than {per_second} messages per second");
            }
            if let CloseReason::BadInput { why, .. } = self {
                return f.write_str(why);
            }
            return f.write_str(match self {
                CloseReason::GoingAway => "server going away",
                _ => "peer gone",
            });
        };
        match limit {
            LimitKind::Bytes => write!(
                f,
                "slow consumer: {bytes} bytes in {frames} frames queued, limit {max} bytes"
            ),
            LimitKind::Frames => write!(
                f,
                "slow consumer: {frames} frames ({bytes} bytes) queued, limit {max} frames"
            ),
        }
    }
}
