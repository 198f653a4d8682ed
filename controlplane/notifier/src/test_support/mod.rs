//! Local stand-ins for the push providers, for tests and the benchmark (feature
//! `test-support`): FCM HTTP v1 (with its OAuth token endpoint) and APNs, both over HTTP/2
//! with TLS, checking requests the way the real services document them and answering per
//! scripted token; plus a runner for a real SMTP server (aiosmtpd) that spools what it
//! receives.
//!
//! Keys and certificates are generated at run time ([`Pki`]); nothing secret is committed.
//!
//! # Layout
//! - [`pki`] holds a throw-away CA, a `localhost`/`127.0.0.1` server certificate, the CA as a
//!   PEM file for the client's extra roots.
//! - [`server`]: what both servers share: the TLS + HTTP/2 accept loop and
//!   [`ScriptedServer`] (address, scripted replies, log of received sends).
//! - [`fcm`] runs the local FCM, [`FcmServer`].
//! - [`apns`] runs the local APNs, [`ApnsServer`].
//! - [`smtp`] runs aiosmtpd, [`SmtpSink`] (plain, STARTTLS or implicit TLS).

pub mod apns;
pub mod fcm;
pub mod pki;
pub mod server;
pub mod smtp;

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

pub use apns::ApnsServer;
pub use fcm::FcmServer;
pub use pki::Pki;
pub use server::ScriptedServer;
pub use smtp::{SmtpSink, SmtpTls};

/// What a server answers to a send to one token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// Accepted.
    Ok,
    /// FCM 404 `UNREGISTERED`; APNs 410 `Unregistered`.
    Unregistered,
    /// FCM 400 `INVALID_ARGUMENT` on `message.token`; APNs 400 `BadDeviceToken`.
    BadToken,
    /// 429 with `Retry-After: secs`.
    TooMany {
        /// The `Retry-After` seconds.
        retry_after_secs: u64,
    },
    /// 503.
    Unavailable,
    /// A 400 that is not about the token (FCM `INVALID_ARGUMENT` on another field; APNs
    /// `DeviceTokenNotForTopic`).
    Permanent,
    /// The credential of the request is no longer accepted, and stays refused: FCM revokes
    /// the access token and answers 401 `UNAUTHENTICATED`; APNs marks the provider token
    /// expired and answers 403 `ExpiredProviderToken`.
    ExpiredCredentials,
}

/// Replies per token: each send takes the next one, the last one repeats; unscripted tokens
/// get [`Reply::Ok`].
#[derive(Debug, Default)]
pub(crate) struct Script(Mutex<HashMap<String, VecDeque<Reply>>>);

impl Script {
    pub(crate) fn set(&self, token: &str, replies: &[Reply]) {
        if let Ok(mut map) = self.0.lock() {
            map.insert(token.to_string(), replies.iter().copied().collect());
        }
    }

    pub(crate) fn next(&self, token: &str) -> Reply {
        let Ok(mut map) = self.0.lock() else {
            return Reply::Ok;
        };
        match map.get_mut(token) {
            Some(queue) if queue.len() > 1 => queue.pop_front().unwrap_or(Reply::Ok),
            Some(queue) => queue.front().copied().unwrap_or(Reply::Ok),
            None => Reply::Ok,
        }
    }
}

/// One request a server received.
#[derive(Debug, Clone)]
pub struct Received {
    /// The device token.
    pub token: String,
    /// The request headers.
    pub headers: hyper::HeaderMap,
    /// The JSON body.
    pub body: serde_json::Value,
    /// When it arrived.
    pub at: std::time::Instant,
    /// What was answered.
    pub reply: Reply,
}
