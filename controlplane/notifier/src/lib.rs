//! The notification worker: reads `notification.requested` from the bus's durable work
//! queue and delivers it by push (FCM HTTP v1 for Android and web tokens, APNs for iOS) and
//! e-mail (SMTP), then publishes `notification.sent` / `notification.failed`. Depend on it
//! to run the worker ([`start`]) or to send through one provider directly; the `armoricore`
//! binary starts it in the `node` and `notification-worker` roles.
//!
//! # Layout
//! - [`config`]: [`NotifierConfig`], the resolved settings (providers, limits, retries,
//!   queue), built by the binary from its environment.
//! - [`error`]: [`SetupError`] (a provider cannot be built) and [`SendError`] (one send
//!   failed), classified as token rejected / retryable / permanent.
//! - `tls`: the rustls client configuration: platform roots plus extra PEM roots
//!   (`SSL_CERT_FILE`), ring provider.
//! - `http`: the pooled HTTP/1.1 + HTTP/2 client, bounded body reads, `Retry-After`.
//! - `token_cache`: the cached credential both push providers use (OAuth access token,
//!   APNs provider token), refreshed once for a burst and dropped when called expired.
//! - [`fcm`]: FCM HTTP v1 with the service-account OAuth flow.
//! - [`apns`]: APNs over HTTP/2 with ES256 provider tokens.
//! - [`smtp`]: SMTP through lettre (pooled, STARTTLS/TLS via rustls).
//! - [`limits`]: governor rate limiters per provider and per user ([`Limiter`]; public for
//!   the benchmark, which drives the real clients through it).
//! - `retry`: backon retries with exponential backoff, jitter and `Retry-After`.
//! - [`worker`]: the consumer loop and the per-notification state machine (its own layout
//!   is in its module doc).
//! - `test_support` (feature `test-support`): local FCM and APNs servers for tests and the
//!   benchmark (`examples/push_bench.rs`), and an aiosmtpd runner.
//!
//! # Invariants
//! - A delivery is acked, nak'ed or dead-lettered only after every send outcome it produced
//!   is recorded in the store (`notification_sends`) or, when the store cannot take it, in
//!   the process's memory of recent sends, so a redelivery never sends twice to a target
//!   whose outcome is known. How far duplicates can go while the store is down is bounded
//!   and written in [`worker`]'s module doc.
//! - An expired credential (FCM 401, APNs `ExpiredProviderToken`) costs one new token and
//!   one more request, never a loop.
//! - A rate-limited send waits; it is never dropped. While a delivery waits or retries, its
//!   `ack_wait` clock is restarted so the bus does not hand it to another worker.
//! - A device token is deleted from the store only on the providers' documented
//!   invalid-token answers (FCM `UNREGISTERED`, FCM `INVALID_ARGUMENT` naming
//!   `message.token`, APNs 410, APNs 400 `BadDeviceToken`).
//! - Secrets (private keys, access tokens, SMTP passwords) never reach logs or errors.

pub mod apns;
pub mod config;
pub mod error;
pub mod fcm;
mod http;
pub mod limits;
mod retry;
pub mod smtp;
mod tls;
mod token_cache;
pub mod worker;

#[cfg(feature = "test-support")]
pub mod test_support;

pub use config::{
    ApnsConfig, FcmConfig, NotifierConfig, QueueConfig, RateLimit, RateLimits, RetryPolicy,
    SmtpConfig,
};
pub use error::{Failure, Provider, SendError, SetupError};
pub use limits::Limiter;
pub use worker::{NotifierHandle, start};

/// What a push notification carries, whatever the provider.
#[derive(Debug, Clone, PartialEq)]
pub struct PushMessage {
    /// The notification's id (APNs collapse id and `apns-id` derive from it).
    pub notification_id: String,
    /// Title shown to the user.
    pub title: String,
    /// Body shown to the user.
    pub body: String,
    /// Extra key/values handed to the app.
    pub data: codecs::events::JsonObject,
}

/// What an e-mail carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailMessage {
    /// The notification's id (the `Message-ID` derives from it).
    pub notification_id: String,
    /// Recipient address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
}
