//! The resolved settings of the worker. The binary builds them from its environment (see
//! `controlplane/node/src/config.rs` and docs/operations.md); tests build them directly.

use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Duration;

/// Google's production FCM base URL.
pub const FCM_DEFAULT_ENDPOINT: &str = "https://fcm.googleapis.com";
/// Apple's production APNs base URL.
pub const APNS_DEFAULT_ENDPOINT: &str = "https://api.push.apple.com";

/// FCM HTTP v1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FcmConfig {
    /// The service-account JSON (project id, client e-mail, private key, `token_uri`).
    pub service_account_file: PathBuf,
    /// Base URL; `/v1/projects/{project}/messages:send` is appended.
    pub endpoint: String,
}

/// APNs with token-based authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApnsConfig {
    /// The `.p8` signing key (PKCS#8 PEM, P-256).
    pub key_file: PathBuf,
    /// The key's 10-character id (`kid`).
    pub key_id: String,
    /// The team id (`iss`).
    pub team_id: String,
    /// The app's bundle id (`apns-topic`).
    pub topic: String,
    /// Base URL; `/3/device/{token}` is appended.
    pub endpoint: String,
}

/// SMTP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    /// lettre's URL form: `smtp://host:port`, `smtp://host?tls=required` (STARTTLS),
    /// `smtps://user:pass@host` (TLS from the start).
    pub url: String,
    /// The `From` address.
    pub from: String,
}

/// A token bucket: `per_second` sustained, `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Sustained rate.
    pub per_second: NonZeroU32,
    /// Bucket size.
    pub burst: NonZeroU32,
}

/// Rate limits; `None` means unlimited. A limited send waits for its turn (never dropped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Requests to FCM.
    pub fcm: Option<RateLimit>,
    /// Requests to APNs.
    pub apns: Option<RateLimit>,
    /// Messages through SMTP.
    pub smtp: Option<RateLimit>,
    /// Notifications per user per minute (burst: the same number).
    pub per_user_per_minute: Option<NonZeroU32>,
}

impl RateLimits {
    /// No limit anywhere (benchmarks, tests).
    pub const OFF: RateLimits = RateLimits {
        fcm: None,
        apns: None,
        smtp: None,
        per_user_per_minute: None,
    };
}

/// In-process retries of one send (before the bus's own redelivery).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Provider calls per target per delivery, the first included (at least 1).
    pub attempts: u32,
    /// First backoff delay; doubles each time, with jitter.
    pub base_delay: Duration,
    /// Longest backoff delay.
    pub max_delay: Duration,
    /// The longest `Retry-After` waited for in process; a longer one is handed to the bus
    /// (`nak` with that delay) so the delivery does not sit in memory.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

/// The durable consumer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueConfig {
    /// Durable name shared by every worker process.
    pub durable: String,
    /// Deliveries per message, the first included.
    pub max_deliver: u32,
    /// Delays before redelivery after a `nak` without one.
    pub backoff: Vec<Duration>,
    /// How long a delivery may go without a sign of life before it is redelivered.
    pub ack_wait: Duration,
}

impl Default for QueueConfig {
    fn default() -> Self {
        QueueConfig {
            durable: "notification-worker".to_string(),
            max_deliver: 5,
            backoff: [1, 5, 30, 60].map(Duration::from_secs).to_vec(),
            ack_wait: Duration::from_secs(30),
        }
    }
}

/// Everything the worker needs besides the bus and the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifierConfig {
    /// FCM, when configured.
    pub fcm: Option<FcmConfig>,
    /// APNs, when configured.
    pub apns: Option<ApnsConfig>,
    /// SMTP, when configured.
    pub smtp: Option<SmtpConfig>,
    /// PEM files of extra trust roots for provider endpoints (`SSL_CERT_FILE`), added to the
    /// platform's roots.
    pub extra_roots: Vec<PathBuf>,
    /// Rate limits.
    pub limits: RateLimits,
    /// In-process retries.
    pub retry: RetryPolicy,
    /// Notifications handled at once by this process.
    pub concurrency: usize,
    /// The durable consumer.
    pub queue: QueueConfig,
    /// Each request's deadline (connect, send, read the answer).
    pub request_timeout: Duration,
    /// `source` of the events this worker publishes.
    pub source: String,
}

impl Default for NotifierConfig {
    fn default() -> Self {
        NotifierConfig {
            fcm: None,
            apns: None,
            smtp: None,
            extra_roots: Vec::new(),
            limits: RateLimits::OFF,
            retry: RetryPolicy::default(),
            concurrency: 64,
            queue: QueueConfig::default(),
            request_timeout: Duration::from_secs(15),
            source: "armoricore-notifier".to_string(),
        }
    }
}
