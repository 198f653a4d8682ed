//! Live comments on `comments:stream:{id}`: a `new_comment` push is checked, rate-limited
//! per user, broadcast to the stream's subscribers on every shard and every node, and
//! answered with its id. Comments are not stored: they are a live feed (chat rooms are the
//! stored, recoverable kind).
//!
//! Payload: `{"content": "…"}` (1 to [`MAX_COMMENT_BYTES`] bytes). Broadcast:
//! `{comment_id, stream_id, user_id, content, timestamp}`; reply `{comment_id}`. A user over
//! the limit ([`COMMENTS_PER_SECOND`] sustained, bursts of [`COMMENT_BURST`]) gets
//! `{"reason": "rate limited", "retry_after_ms": N}` and nothing is broadcast. The limit is
//! kept per node: a user whose sockets sit on several nodes gets that many allowances.

use std::num::NonZeroU32;

use bytes::Bytes;
use codecs::ResourceId;
use codecs::ring::PushRecord;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;

use crate::bridge::Shards;
use crate::relay::Relay;

/// Longest comment, in bytes of text.
pub const MAX_COMMENT_BYTES: usize = 4 << 10;

/// Comments one user may post per second, sustained.
pub const COMMENTS_PER_SECOND: u32 = 1;

/// Comments one user may post at once before the sustained rate applies.
pub const COMMENT_BURST: u32 = 5;

/// Keys kept by the limiter before idle ones are swept.
const SWEEP_ABOVE: usize = 10_000;

/// The per-user comment limiter of this node.
pub struct CommentLimiter(DefaultKeyedRateLimiter<String>);

impl Default for CommentLimiter {
    fn default() -> Self {
        let per_second = NonZeroU32::new(COMMENTS_PER_SECOND).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(COMMENT_BURST).unwrap_or(NonZeroU32::MIN);
        CommentLimiter(RateLimiter::keyed(
            Quota::per_second(per_second).allow_burst(burst),
        ))
    }
}

impl CommentLimiter {
    /// `Ok` if `user` may post now, else how long until they may.
    fn check(&self, user: &str) -> Result<(), std::time::Duration> {
        if self.0.len() > SWEEP_ABOVE {
            self.0.retain_recent();
        }
        self.0
            .check_key(&user.to_string())
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

#[derive(Deserialize)]
struct NewComment {
    content: String,
}

/// Handles a `new_comment` push; `Ok` is the reply's response, `Err` its reason.
pub async fn new_comment(
    push: &PushRecord,
    limiter: &CommentLimiter,
    shards: &Shards,
    relay: &Relay,
) -> Result<Bytes, Bytes> {
    new_comment_checked(push, limiter, shards, relay)
        .await
        .map_err(|refusal| match refusal {
            Refusal::Reason(reason) => crate::gateway::refusal(&reason),
            Refusal::RateLimited(wait) => Bytes::from(
                serde_json::json!({
                    "reason": "rate limited", "retry_after_ms": wait.as_millis().max(1) as u64,
                })
                .to_string(),
            ),
        })
}

enum Refusal {
    Reason(String),
    RateLimited(std::time::Duration),
}

impl From<&str> for Refusal {
    fn from(reason: &str) -> Self {
        Refusal::Reason(reason.to_string())
    }
}

impl From<String> for Refusal {
    fn from(reason: String) -> Self {
        Refusal::Reason(reason)
    }
}

async fn new_comment_checked(
    push: &PushRecord,
    limiter: &CommentLimiter,
    shards: &Shards,
    relay: &Relay,
) -> Result<Bytes, Refusal> {
    let stream = push
        .topic
        .strip_prefix("comments:stream:")
        .and_then(|id| ResourceId::new(id).ok())
        .ok_or("not a comment stream topic")?;
    let comment: NewComment =
        serde_json::from_slice(&push.payload).map_err(|e| format!("invalid new_comment: {e}"))?;
    if comment.content.trim().is_empty() {
        return Err("content is empty".into());
    }
    if comment.content.len() > MAX_COMMENT_BYTES {
        return Err(format!("content longer than {MAX_COMMENT_BYTES} bytes").into());
    }
    limiter.check(&push.user).map_err(Refusal::RateLimited)?;
    let comment_id = uuid::Uuid::new_v4().to_string();
    let timestamp = time::OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_default();
    let payload = Bytes::from(
        serde_json::json!({
            "comment_id": comment_id, "stream_id": stream, "user_id": push.user,
            "content": comment.content, "timestamp": timestamp,
        })
        .to_string(),
    );
    shards
        .broadcast(&push.topic, "new_comment", payload.clone())
        .await;
    relay
        .to_other_nodes(&push.topic, "new_comment", &payload)
        .await;
    Ok(Bytes::from(
        serde_json::json!({ "comment_id": comment_id }).to_string(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_gets_the_burst_then_waits_and_others_are_not_affected() {
        let limiter = CommentLimiter::default();
        for _ in 0..COMMENT_BURST {
            assert!(limiter.check("alice").is_ok());
        }
        let wait = limiter.check("alice").unwrap_err();
        assert!(wait > std::time::Duration::ZERO);
        assert!(wait <= std::time::Duration::from_secs(1));
        assert!(limiter.check("bob").is_ok());
    }
}
