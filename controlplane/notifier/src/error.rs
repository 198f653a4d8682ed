//! Errors: [`SetupError`] when a provider cannot be built from its configuration, and
//! [`SendError`] when one send fails, carrying the class the worker acts on ([`Failure`]).

use std::fmt;
use std::time::Duration;

use thiserror::Error;

/// A provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provider {
    /// Firebase Cloud Messaging (Android, web).
    Fcm,
    /// Apple Push Notification service (iOS).
    Apns,
    /// E-mail.
    Smtp,
}

impl Provider {
    /// `fcm`, `apns` or `smtp`, as in `notification.sent.provider`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Provider::Fcm => "fcm",
            Provider::Apns => "apns",
            Provider::Smtp => "smtp",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a provider could not be set up. Never contains key material.
#[derive(Debug, Error)]
pub enum SetupError {
    /// A file could not be read.
    #[error("{what} {path}: {reason}")]
    File {
        /// What the file is (`FCM service account`, `APNs key`).
        what: &'static str,
        /// Its path.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// A setting is unusable.
    #[error("{what}: {reason}")]
    Invalid {
        /// The setting.
        what: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The bus refused the work queue.
    #[error("cannot open the notification work queue: {0}")]
    Bus(#[from] bus::BusError),
}

/// How the worker must treat a failed send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The provider says the device token is invalid: delete it, do not retry.
    TokenRejected,
    /// Worth retrying (429, 5xx, SMTP 4xx, network): after `retry_after` when the provider
    /// said so.
    Retryable {
        /// The provider's `Retry-After`.
        retry_after: Option<Duration>,
    },
    /// Will never succeed as sent.
    Permanent,
}

/// One failed send: its class, and what the provider answered.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{provider} {}: {reason}{}", status.map_or_else(|| "error".to_string(), |s| s.to_string()), if response.is_empty() { String::new() } else { format!("; response: {response}") })]
pub struct SendError {
    /// What to do about it.
    pub failure: Failure,
    /// Who answered.
    pub provider: Provider,
    /// HTTP status or SMTP reply code, when there was an answer.
    pub status: Option<u16>,
    /// The provider's error code or a description (`UNREGISTERED`, `BadDeviceToken`).
    pub reason: String,
    /// The provider's answer, cut to [`MAX_RESPONSE_TEXT`] bytes.
    pub response: String,
}

/// How much of a provider's answer an error keeps.
pub const MAX_RESPONSE_TEXT: usize = 512;

impl SendError {
    /// A failure without a provider answer (local check, network).
    pub fn local(provider: Provider, failure: Failure, reason: impl Into<String>) -> Self {
        SendError {
            failure,
            provider,
            status: None,
            reason: reason.into(),
            response: String::new(),
        }
    }

    /// Whether retrying may help.
    pub fn is_retryable(&self) -> bool {
        matches!(self.failure, Failure::Retryable { .. })
    }

    /// The provider's `Retry-After`, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self.failure {
            Failure::Retryable { retry_after } => retry_after,
            _ => None,
        }
    }
}

/// `text` cut to at most `max` bytes on a character boundary, control characters removed.
pub(crate) fn cut(text: &str, max: usize) -> String {
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if out.len() > max {
        let mut at = max;
        while !out.is_char_boundary(at) {
            at -= 1;
        }
        out.truncate(at);
    }
    out.trim().to_string()
}
