//! Owns [`ObjectStoreError`] and the one place where `object_store` errors are sorted
//! into it ([`classify`]).
//!
//! The sorting callers care about: *not found* (an answer, e.g. a 404 to an HTTP client),
//! *invalid input* (the caller's bug or the client's bad request), *unavailable* (the
//! store could not be reached or timed out: retry later, report unhealthy) and *backend*
//! (the store answered with an error we do not map, e.g. a 5xx after retries or a full disk).

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

use object_store::client::{HttpError, HttpErrorKind};

use crate::key::{InvalidKey, ObjectKey};

/// A boxed error from outside the crate (an upload source, a backend).
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// Everything that can go wrong with an object store operation.
#[derive(Debug, thiserror::Error)]
pub enum ObjectStoreError {
    /// The key does not follow the rules of [`ObjectKey`].
    #[error("invalid object key {key:?}: {reason}")]
    InvalidKey {
        /// The key as given.
        key: String,
        /// The rule it breaks.
        #[source]
        reason: InvalidKey,
    },
    /// No object under this key.
    #[error("object not found: {key}")]
    NotFound {
        /// The key looked up.
        key: ObjectKey,
    },
    /// A malformed byte range (empty, or a zero-length suffix).
    #[error("invalid byte range {range}")]
    InvalidRange {
        /// The range as asked.
        range: String,
    },
    /// The range starts at or past the end of the object (HTTP 416).
    #[error("range {range} not satisfiable: {key} is {size} bytes")]
    RangeNotSatisfiable {
        /// The key read.
        key: ObjectKey,
        /// The range as asked.
        range: String,
        /// The object's size, for `Content-Range: bytes */size`.
        size: u64,
    },
    /// The object grew past what one multipart upload can hold.
    #[error("{key}: object larger than {limit} bytes (parts × part size)")]
    TooLarge {
        /// The key being written.
        key: ObjectKey,
        /// The limit in bytes.
        limit: u64,
    },
    /// The stream given to `put_stream` failed; the upload was aborted.
    #[error("upload source of {key} failed")]
    Source {
        /// The key being written.
        key: ObjectKey,
        /// The source's error.
        #[source]
        source: BoxError,
    },
    /// A writer was used after `finish`, `abort` or an earlier error.
    #[error("writer for {key} is closed ({why})")]
    WriterClosed {
        /// The key being written.
        key: ObjectKey,
        /// Why: finished, aborted, or failed.
        why: &'static str,
    },
    /// The credentials were refused (HTTP 401/403).
    #[error("{op}{} refused by {store}", fmt_key(.key))]
    Denied {
        /// The operation, e.g. `get`.
        op: &'static str,
        /// The key, if the operation had one.
        key: Option<ObjectKey>,
        /// The store, as in [`Objects::describe`](crate::Objects::describe).
        store: Arc<str>,
        /// The backend's error.
        #[source]
        source: BoxError,
    },
    /// The store could not be reached, timed out, or failed its health check.
    #[error("{op}{}: {store} is unavailable", fmt_key(.key))]
    Unavailable {
        /// The operation, e.g. `put`.
        op: &'static str,
        /// The key, if the operation had one.
        key: Option<ObjectKey>,
        /// The store, as in [`Objects::describe`](crate::Objects::describe).
        store: Arc<str>,
        /// The transport's error.
        #[source]
        source: BoxError,
    },
    /// Any other failure reported by the store.
    #[error("{op}{} failed on {store}", fmt_key(.key))]
    Backend {
        /// The operation, e.g. `list`.
        op: &'static str,
        /// The key, if the operation had one.
        key: Option<ObjectKey>,
        /// The store, as in [`Objects::describe`](crate::Objects::describe).
        store: Arc<str>,
        /// The backend's error.
        #[source]
        source: BoxError,
    },
    /// The store could not be set up from its configuration.
    #[error("cannot open object store {store}: {what}")]
    Setup {
        /// The store being opened.
        store: String,
        /// What failed.
        what: String,
        /// The underlying error, if any.
        #[source]
        source: Option<BoxError>,
    },
}

impl ObjectStoreError {
    /// Whether retrying the same call later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Unavailable { .. })
    }

    /// Whether this is [`ObjectStoreError::NotFound`].
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::NotFound { .. })
    }
}

struct KeySuffix<'a>(Option<&'a ObjectKey>);

impl fmt::Display for KeySuffix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(key) => write!(f, " {key}"),
            None => Ok(()),
        }
    }
}

fn fmt_key(key: &Option<ObjectKey>) -> KeySuffix<'_> {
    KeySuffix(key.as_ref())
}

/// Sorts an `object_store` error into [`ObjectStoreError`].
pub(crate) fn classify(
    store: &Arc<str>,
    op: &'static str,
    key: Option<&ObjectKey>,
    err: object_store::Error,
) -> ObjectStoreError {
    let key = key.cloned();
    let store = Arc::clone(store);
    match (err, key) {
        // On a write, a 404 means the bucket is missing, not the object.
        (object_store::Error::NotFound { .. }, Some(key))
            if matches!(op, "get" | "head" | "read") =>
        {
            ObjectStoreError::NotFound { key }
        }
        (
            e @ (object_store::Error::PermissionDenied { .. }
            | object_store::Error::Unauthenticated { .. }),
            key,
        ) => ObjectStoreError::Denied {
            op,
            key,
            store,
            source: Box::new(e),
        },
        (e, key) if is_transport(&e) => ObjectStoreError::Unavailable {
            op,
            key,
            store,
            source: Box::new(e),
        },
        (e, key) => ObjectStoreError::Backend {
            op,
            key,
            store,
            source: Box::new(e),
        },
    }
}

/// Whether the error chain holds a connect, request, timeout or interrupted HTTP error,
/// or an I/O error of the same kinds: the store was not reached or did not answer.
fn is_transport(err: &(dyn StdError + 'static)) -> bool {
    let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(http) = e.downcast_ref::<HttpError>() {
            return matches!(
                http.kind(),
                HttpErrorKind::Connect
                    | HttpErrorKind::Request
                    | HttpErrorKind::Timeout
                    | HttpErrorKind::Interrupted
            );
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind as K;
            if matches!(
                io.kind(),
                K::ConnectionRefused
                    | K::ConnectionReset
                    | K::ConnectionAborted
                    | K::NotConnected
                    | K::TimedOut
                    | K::BrokenPipe
            ) {
                return true;
            }
        }
        cur = e.source();
    }
    false
}
