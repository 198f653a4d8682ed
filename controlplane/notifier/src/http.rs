//! The HTTP client of FCM and APNs: hyper-util's pooled client over hyper-rustls, one per
//! provider. FCM's client speaks HTTP/2 or HTTP/1.1 (ALPN decides; Google answers h2);
//! APNs's is HTTP/2 only, as Apple requires. Either way one TLS connection per host is
//! reused for every request (HTTP/2 multiplexes them), which is also what Apple asks of
//! providers.
//!
//! # Limits
//! - Each request (connect, send, answer) has a deadline (`request_timeout`); past it the
//!   send fails as retryable.
//! - An answer body is read up to [`MAX_BODY`] bytes; a longer one is an error (the
//!   providers' answers are a few hundred bytes).
//! - Idle pooled connections are closed after [`IDLE_TIMEOUT`].

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::{HeaderMap, Request, StatusCode};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::error::{Failure, Provider, SendError};
use crate::{SetupError, tls};

/// Largest answer body read.
pub(crate) const MAX_BODY: usize = 64 * 1024;
/// Idle pooled connections are closed after this.
pub(crate) const IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// The pooled client type.
pub(crate) type HttpClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// Which protocols a client may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Protocols {
    /// HTTP/2 only (APNs).
    Http2Only,
    /// HTTP/2 when the server offers it, else HTTP/1.1.
    Any,
}

/// A pooled HTTPS client trusting the platform roots plus `extra_roots`. Plain `http://`
/// is allowed too, for local setups.
pub(crate) fn client(
    extra_roots: &[PathBuf],
    protocols: Protocols,
) -> Result<HttpClient, SetupError> {
    let config = tls::client_config(extra_roots)?;
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    http.set_connect_timeout(Some(Duration::from_secs(10)));
    let builder = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(config)
        .https_or_http();
    let connector = match protocols {
        Protocols::Http2Only => builder.enable_http2().wrap_connector(http),
        Protocols::Any => builder.enable_all_versions().wrap_connector(http),
    };
    let mut client = Client::builder(TokioExecutor::new());
    client.pool_idle_timeout(IDLE_TIMEOUT);
    if protocols == Protocols::Http2Only {
        client.http2_only(true);
    }
    Ok(client.build(connector))
}

/// A whole answer.
pub(crate) struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    /// The body as text for error messages, cut.
    pub fn text(&self) -> String {
        crate::error::cut(
            &String::from_utf8_lossy(&self.body),
            crate::error::MAX_RESPONSE_TEXT,
        )
    }

    /// The error this answer means for `provider`: `reason` is the provider's error code,
    /// or the status's standard phrase when the body named none.
    pub fn send_error(&self, provider: Provider, failure: Failure, reason: String) -> SendError {
        let reason = if reason.is_empty() {
            self.status
                .canonical_reason()
                .unwrap_or("error")
                .to_string()
        } else {
            reason
        };
        SendError {
            failure,
            provider,
            status: Some(self.status.as_u16()),
            reason,
            response: self.text(),
        }
    }
}

/// Sends `request` and reads the whole answer within `timeout`. Transport failures are
/// retryable errors of `provider`.
pub(crate) async fn call(
    client: &HttpClient,
    request: Request<Full<Bytes>>,
    timeout: Duration,
    provider: Provider,
) -> Result<Reply, SendError> {
    let retryable = |reason: String| {
        SendError::local(provider, Failure::Retryable { retry_after: None }, reason)
    };
    let exchange = async {
        let response = client
            .request(request)
            .await
            .map_err(|e| retryable(format!("request failed: {}", chain(&e))))?;
        let (parts, body) = response.into_parts();
        let body = Limited::new(body, MAX_BODY)
            .collect()
            .await
            .map_err(|e| retryable(format!("reading the answer failed: {e}")))?
            .to_bytes();
        Ok(Reply {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    };
    tokio::time::timeout(timeout, exchange)
        .await
        .map_err(|_| retryable(format!("no answer within {timeout:?}")))?
}

/// The error and its sources, joined (hyper's top-level message is only "client error").
/// A source whose text is already there is left out (lettre's errors print their source
/// themselves, which would repeat every cause).
pub(crate) fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers
        .get(hyper::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let format = time::format_description::well_known::Rfc2822;
    let at = time::OffsetDateTime::parse(value, &format).ok()?;
    let at = SystemTime::from(at);
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// The class of an HTTP status the providers share: 429 and 5xx are retryable.
pub(crate) fn retryable_status(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);

    impl std::fmt::Display for Layer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for Layer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|l| l as _)
        }
    }

    #[test]
    fn a_chain_names_each_cause_once() {
        let inner = Layer("invalid peer certificate: UnknownIssuer", None);
        let middle = Layer(
            "Connection error: invalid peer certificate: UnknownIssuer",
            Some(Box::new(inner)),
        );
        let top = Layer("client error", Some(Box::new(middle)));
        assert_eq!(
            chain(&top),
            "client error: Connection error: invalid peer certificate: UnknownIssuer"
        );
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert("retry-after", "3".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(3)));
        headers.insert(
            "retry-after",
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&headers), Some(Duration::ZERO), "a past date");
        headers.insert("retry-after", "soon".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
    }
}
