//! [`StoreError`]: every way a store call can fail, classified so callers can decide
//! between "retry later" ([`StoreError::Unavailable`]), "tell the client"
//! ([`StoreError::Invalid`], [`StoreError::Conflict`], [`StoreError::NotFound`]) and
//! "page an operator" (the rest).
//!
//! Messages never contain a database password: URL problems are described without echoing
//! the URL's credentials.

use thiserror::Error;

/// Why a store operation failed.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The row the operation needs does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The operation contradicts a row already stored (a unique key held by something else).
    #[error("conflict: {0}")]
    Conflict(String),
    /// An argument was rejected before reaching the database (too long, NUL byte, out of
    /// range), or the database refused it through a CHECK constraint.
    #[error("invalid input: {0}")]
    Invalid(String),
    /// The database URL is not usable; the message names the problem (never the password).
    #[error("bad database URL: {0}")]
    BadUrl(String),
    /// The database cannot be reached or is too busy: connection refused or lost, pool
    /// exhausted, file locked past the busy timeout. Retrying later may succeed.
    #[error("database unavailable ({context}): {message}")]
    Unavailable {
        /// What the store was doing.
        context: &'static str,
        /// The driver's description.
        message: String,
    },
    /// A schema migration could not be applied, or the database holds a schema this build
    /// does not know.
    #[error("migration {version} ({name}): {message}")]
    Migration {
        /// The migration's version.
        version: u32,
        /// The migration's name.
        name: String,
        /// What went wrong.
        message: String,
    },
    /// Any other database failure, with what the store was doing.
    #[error("database error ({context}): {message}")]
    Backend {
        /// What the store was doing.
        context: &'static str,
        /// The driver's description.
        message: String,
    },
}

impl StoreError {
    /// Whether retrying the same call later may succeed (the database was unreachable or
    /// busy, not wrong).
    pub fn is_retryable(&self) -> bool {
        matches!(self, StoreError::Unavailable { .. })
    }

    pub(crate) fn backend(context: &'static str, err: impl std::fmt::Display) -> Self {
        StoreError::Backend {
            context,
            message: err.to_string(),
        }
    }

    pub(crate) fn unavailable(context: &'static str, err: impl std::fmt::Display) -> Self {
        StoreError::Unavailable {
            context,
            message: err.to_string(),
        }
    }
}
