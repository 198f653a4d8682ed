//! Owns [`SourceError`], why a media source could not be read, and the one sort that
//! matters to the worker: final (`media.failed`, message terminated) or retryable
//! (nak with backoff, dead-lettered when deliveries run out).
//!
//! Final: a bad or unsupported source string, a guard refusal, too many redirects, a
//! size-limit breach, an HTTP 4xx other than 408/429, S3 not configured, an object that
//! is missing or refused. Retryable: 5xx, 408, 429, timeouts, connection errors, a body
//! cut off and not resumable, an object store that is unavailable or failing.

use objstore::ObjectStoreError;

use super::guard::{Refusal, UrlRefused};

/// A media source that could not be read; the message names the source (credentials
/// and query string left out) and the cause, and ends up in `media.failed.reason`.
#[derive(Debug, thiserror::Error)]
#[error("source {shown}: {cause}")]
pub struct SourceError {
    /// The source as shown to people.
    pub shown: String,
    /// What went wrong.
    pub cause: Cause,
}

impl SourceError {
    pub(crate) fn new(shown: &str, cause: Cause) -> Self {
        Self {
            shown: shown.to_owned(),
            cause,
        }
    }

    /// Whether reading the same source later may succeed.
    pub fn is_retryable(&self) -> bool {
        self.cause.is_retryable()
    }
}

/// Why a source could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Cause {
    /// Not an object key, `s3://bucket/key` or `http(s)://` URL we can use.
    #[error("{0}")]
    Invalid(String),
    /// The URL's scheme, host or address is not allowed.
    #[error("refused: {0}")]
    Refused(UrlRefused),
    /// The answer was not the media bytes.
    #[error("the server answered HTTP {0}")]
    Status(u16),
    /// A redirect chain longer than allowed.
    #[error("more than {0} redirects")]
    TooManyRedirects(usize),
    /// Larger than `MEDIA_SOURCE_MAX_BYTES`.
    #[error("larger than the limit of {limit} bytes (MEDIA_SOURCE_MAX_BYTES){}", declared_size(*.declared))]
    TooLarge {
        /// The limit.
        limit: u64,
        /// The size the source declared, when it did.
        declared: Option<u64>,
    },
    /// No connection or answer within the timeout.
    #[error("timed out: {0}")]
    Timeout(String),
    /// The connection failed or broke.
    #[error("network error: {0}")]
    Network(String),
    /// The body stopped early and could not be resumed.
    #[error("the transfer broke after {received} bytes ({error}) and could not be resumed: {why}")]
    Interrupted {
        /// Bytes received before it broke.
        received: u64,
        /// How it broke.
        error: String,
        /// Why no resume went through.
        why: String,
    },
    /// `s3://` without S3 configured on this node.
    #[error(
        "s3:// sources need S3 configured on this node (OBJECT_STORE_URL=s3://…, with S3_ENDPOINT and AWS_* when needed)"
    )]
    NoS3,
    /// The object store failed.
    #[error("{0}")]
    Store(#[source] ObjectStoreError),
}

fn declared_size(declared: Option<u64>) -> String {
    declared
        .map(|n| format!("; it declares {n} bytes"))
        .unwrap_or_default()
}

impl Cause {
    fn is_retryable(&self) -> bool {
        match self {
            Cause::Status(code) => matches!(code, 408 | 429 | 500..=599),
            Cause::Timeout(_) | Cause::Network(_) | Cause::Interrupted { .. } => true,
            // Unavailable: not reached or timed out. Backend: an answer we do not map,
            // on a read mostly a 5xx left after the store client's own retries.
            Cause::Store(e) => e.is_transient() || matches!(e, ObjectStoreError::Backend { .. }),
            Cause::Invalid(_)
            | Cause::Refused(_)
            | Cause::TooManyRedirects(_)
            | Cause::TooLarge { .. }
            | Cause::NoS3 => false,
        }
    }

    /// Sorts an error of the HTTP client: a guard refusal found in its chain (raised by
    /// the resolver), a timeout, a bad request, or a network failure.
    pub(crate) fn from_http(err: &reqwest::Error) -> Cause {
        let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
        while let Some(e) = cur {
            if let Some(refusal) = e.downcast_ref::<Refusal>() {
                return Cause::Refused(UrlRefused::Address(refusal.clone()));
            }
            cur = e.source();
        }
        let text = chain(err);
        if err.is_builder() {
            Cause::Invalid(text)
        } else if err.is_timeout() {
            Cause::Timeout(text)
        } else {
            Cause::Network(text)
        }
    }
}

/// An error and its sources on one line: the useful part of a client error is often
/// three levels down ("operation timed out", "connection reset by peer").
pub(crate) fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut cur = err.source();
    while let Some(e) = cur {
        let part = e.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        cur = e.source();
    }
    text
}
