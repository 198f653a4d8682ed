//! [`BusConfig`]: the resolved settings both implementations read, with their defaults.
//!
//! This is already the validated, typed form (reading environment variables is the
//! binary's job); [`BusConfig::validate`] is called by [`crate::connect`] before anything
//! is created.

use std::time::Duration;

use crate::BusError;

/// Settings of a bus connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusConfig {
    /// Prepended to every subject: `""` or dot-terminated tokens of `A-Z a-z 0-9 -` such as
    /// `"prod."`. Buses with different prefixes share nothing, even on one server.
    pub subject_prefix: String,
    /// How long a `msg_id` is remembered for de-duplication (default 2 min).
    pub duplicate_window: Duration,
    /// Total time `publish` keeps retrying while the server is away (default 30 s).
    pub publish_timeout: Duration,
    /// How long the events stream keeps a message (default 7 days).
    pub stream_max_age: Duration,
    /// How long the dead-letter stream keeps a message (default 30 days).
    pub dead_letter_max_age: Duration,
    /// In-process bus only: messages retained per stream before the oldest is dropped
    /// (default 100 000). See [`crate::memory`] for what dropping costs.
    pub memory_capacity: usize,
    /// NATS only: the cap of the exponential reconnect delay (default 5 s).
    pub reconnect_max_delay: Duration,
    /// NATS only: how long the first connection may take (default 5 s).
    pub connect_timeout: Duration,
    /// NATS only: stream replicas (default 1, the only value a single server accepts).
    pub replicas: usize,
    /// NATS only: the client name shown by the server's monitoring (default `armoricore`).
    pub client_name: String,
}

impl Default for BusConfig {
    fn default() -> Self {
        BusConfig {
            subject_prefix: String::new(),
            duplicate_window: Duration::from_secs(120),
            publish_timeout: Duration::from_secs(30),
            stream_max_age: Duration::from_secs(7 * 24 * 3600),
            dead_letter_max_age: Duration::from_secs(30 * 24 * 3600),
            memory_capacity: 100_000,
            reconnect_max_delay: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(5),
            replicas: 1,
            client_name: "armoricore".to_string(),
        }
    }
}

impl BusConfig {
    /// The default configuration under `prefix`.
    pub fn with_prefix(prefix: impl Into<String>) -> Self {
        BusConfig {
            subject_prefix: prefix.into(),
            ..BusConfig::default()
        }
    }

    /// Checks every field; the error names the first one that is wrong.
    pub fn validate(&self) -> Result<(), BusError> {
        crate::subject::validate_prefix(&self.subject_prefix)?;
        let bad = |what: &str| Err(BusError::InvalidConfig(what.to_string()));
        if self.duplicate_window.is_zero() {
            return bad("duplicate_window must be positive");
        }
        if self.publish_timeout.is_zero() {
            return bad("publish_timeout must be positive");
        }
        if self.stream_max_age < self.duplicate_window {
            return bad("stream_max_age must be at least duplicate_window");
        }
        if self.dead_letter_max_age < self.duplicate_window {
            return bad("dead_letter_max_age must be at least duplicate_window");
        }
        if self.memory_capacity == 0 {
            return bad("memory_capacity must be at least 1");
        }
        if self.replicas == 0 {
            return bad("replicas must be at least 1");
        }
        if self.connect_timeout.is_zero() || self.reconnect_max_delay.is_zero() {
            return bad("connect_timeout and reconnect_max_delay must be positive");
        }
        Ok(())
    }
}
