//! Owns `http(s)://` sources: one GET streamed as it arrives, redirects followed by hand
//! (each hop checked by the guard), and a body that breaks mid-way resumed with a `Range`
//! request from the byte already received.
//!
//! Decisions:
//! - Redirects are followed here, not by the client, so every hop's URL passes
//!   [`AddressPolicy::check_url`] (literal IPs never reach the resolver) and the count
//!   is ours ([`SourceConfig::max_redirects`](super::SourceConfig)). 301, 302, 303, 307
//!   and 308 are followed; a GET stays a GET.
//! - A resume is tried only when the first answer said `Accept-Ranges: bytes` and gave a
//!   validator (a strong `ETag`, else `Last-Modified`), sent back in `If-Range`, so a
//!   source that changed in between answers 200 and is not spliced onto the old bytes.
//!   The answer must be 206 starting exactly at the next byte, at most
//!   [`SourceConfig::max_resumes`](super::SourceConfig) times per job.
//! - `Accept-Encoding: identity`: the byte offsets of `Range` and the size limit are
//!   those of the file itself.
//! - The size limit is the caller's (`Content-Length` and a running count, for every
//!   kind of source).
//! - Timeouts: connect, and read (idle: each read restarts it), no whole-request one,
//!   because a large source on a slow link may take long and still be healthy.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::stream::{self, BoxStream, StreamExt};
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Client, Response, StatusCode};
use url::Url;

use super::error::{Cause, SourceError, chain};
use super::guard::{AddressPolicy, GuardedResolver, UrlRefused};
use super::{Opened, SourceConfig};

/// Pause before resume attempt `n` (1-based) is `n ×` this.
const RESUME_PAUSE: Duration = Duration::from_millis(200);

/// Fetches `http(s)://` sources under one address policy; cheap to share (one
/// connection pool).
#[derive(Debug, Clone)]
pub(crate) struct HttpSources {
    client: Client,
    policy: Arc<AddressPolicy>,
    max_redirects: usize,
    max_resumes: u32,
}

impl HttpSources {
    pub(crate) fn new(
        config: &SourceConfig,
        policy: Arc<AddressPolicy>,
    ) -> Result<Self, reqwest::Error> {
        install_tls_provider();
        let client = Client::builder()
            .dns_resolver(GuardedResolver::new(Arc::clone(&policy)))
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would be the one resolving and connecting, out of the guard's sight.
            .no_proxy()
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .user_agent(concat!("armoricore-media/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            client,
            policy,
            max_redirects: config.max_redirects,
            max_resumes: config.max_resumes,
        })
    }

    /// Sends the GET (following redirects) and returns the body as a stream that resumes
    /// on its own when it breaks.
    pub(crate) async fn open(&self, url: Url, shown: &str) -> Result<Opened, SourceError> {
        let fail = |cause| SourceError::new(shown, cause);
        let (response, url) = self.follow(url).await.map_err(fail)?;
        let status = response.status();
        if status != StatusCode::OK {
            return Err(fail(Cause::Status(status.as_u16())));
        }
        // The caller refuses a declared size over the limit before reading.
        let size = content_length(response.headers());
        let resume = validator(response.headers());
        let body = Body {
            sources: self.clone(),
            url,
            shown: shown.to_owned(),
            response,
            received: 0,
            size,
            resume,
            resumes: 0,
        };
        Ok(Opened {
            body: body.into_stream(),
            size,
        })
    }

    /// GETs `url`, following redirects; the answer is the first that is not one.
    async fn follow(&self, mut url: Url) -> Result<(Response, Url), Cause> {
        for _ in 0..=self.max_redirects {
            let response = self.get(&url, HeaderMap::new()).await?;
            let status = response.status();
            if !matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308) {
                return Ok((response, url));
            }
            let location = response
                .headers()
                .get(header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .ok_or_else(|| {
                    Cause::Invalid(format!("HTTP {status} redirect without a usable Location"))
                })?;
            url = url
                .join(location)
                .map_err(|e| Cause::Invalid(format!("redirect to {location:?}: {e}")))?;
            tracing::debug!(to = %super::shown_url(&url), "media source redirected");
        }
        Err(Cause::TooManyRedirects(self.max_redirects))
    }

    /// One guarded request: the URL is checked before, the peer address after.
    async fn get(&self, url: &Url, headers: HeaderMap) -> Result<Response, Cause> {
        self.policy.check_url(url).map_err(Cause::Refused)?;
        let response = self
            .client
            .get(url.clone())
            .header(header::ACCEPT_ENCODING, "identity")
            .headers(headers)
            .send()
            .await
            .map_err(|e| Cause::from_http(&e))?;
        if let (Some(peer), Some(host)) = (response.remote_addr(), url.host_str()) {
            self.policy
                .check_addr(host, peer.ip())
                .map_err(|r| Cause::Refused(UrlRefused::Address(r)))?;
        }
        Ok(response)
    }
}

/// How a broken body can be picked up again: the validator for `If-Range`.
type Resume = Option<HeaderValue>;

/// A body being read; replaced by a ranged one when it breaks.
struct Body {
    sources: HttpSources,
    url: Url,
    shown: String,
    response: Response,
    received: u64,
    size: Option<u64>,
    resume: Resume,
    resumes: u32,
}

impl Body {
    fn into_stream(self) -> BoxStream<'static, Result<Bytes, SourceError>> {
        stream::unfold(Some(self), |body| async move {
            let mut body = body?;
            match body.next_chunk().await {
                Ok(Some(bytes)) => Some((Ok(bytes), Some(body))),
                Ok(None) => None,
                Err(e) => Some((Err(e), None)),
            }
        })
        .boxed()
    }

    async fn next_chunk(&mut self) -> Result<Option<Bytes>, SourceError> {
        loop {
            match self.response.chunk().await {
                Ok(Some(bytes)) => {
                    self.received += bytes.len() as u64;
                    return Ok(Some(bytes));
                }
                Ok(None) => return Ok(None),
                Err(e) => {
                    let error = chain(&e);
                    tracing::info!(source = %self.shown, received = self.received, %error, "media source broke; resuming");
                    if let Err(why) = self.resume().await {
                        return Err(SourceError::new(
                            &self.shown,
                            Cause::Interrupted {
                                received: self.received,
                                error,
                                why,
                            },
                        ));
                    }
                }
            }
        }
    }

    /// Replaces the response by a `Range` request for the rest, or says why it cannot.
    async fn resume(&mut self) -> Result<(), String> {
        let Some(validator) = self.resume.clone() else {
            return Err("the server does not offer byte ranges with a validator \
                        (Accept-Ranges: bytes and ETag or Last-Modified)"
                .into());
        };
        if self.resumes >= self.sources.max_resumes {
            return Err(format!("{} resumes already tried", self.resumes));
        }
        self.resumes += 1;
        tokio::time::sleep(RESUME_PAUSE * self.resumes).await;
        let mut headers = HeaderMap::new();
        let range = HeaderValue::from_str(&format!("bytes={}-", self.received))
            .map_err(|e| e.to_string())?;
        headers.insert(header::RANGE, range);
        headers.insert(header::IF_RANGE, validator);
        let response = self
            .sources
            .get(&self.url, headers)
            .await
            .map_err(|c| format!("the resume request failed: {c}"))?;
        match response.status() {
            StatusCode::PARTIAL_CONTENT => {}
            StatusCode::OK => {
                return Err("the source changed since the transfer began (If-Range)".into());
            }
            s => return Err(format!("the resume request answered HTTP {}", s.as_u16())),
        }
        let range = response
            .headers()
            .get(header::CONTENT_RANGE)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_content_range)
            .ok_or("the 206 answer has no usable Content-Range")?;
        if range.start != self.received || (self.size.is_some() && range.total != self.size) {
            return Err(format!(
                "the 206 answer covers bytes {}-… of {:?}, not {}-… of {:?}",
                range.start, range.total, self.received, self.size
            ));
        }
        tracing::info!(source = %self.shown, from = self.received, attempt = self.resumes, "media source resumed");
        self.response = response;
        Ok(())
    }
}

/// `Content-Range: bytes start-end/total` (total may be `*`).
#[derive(Debug, PartialEq, Eq)]
struct ContentRange {
    start: u64,
    end: u64,
    total: Option<u64>,
}

fn parse_content_range(value: &str) -> Option<ContentRange> {
    let spec = value.trim().strip_prefix("bytes ")?;
    let (range, total) = spec.split_once('/')?;
    let (start, end) = range.split_once('-')?;
    let (start, end) = (start.trim().parse().ok()?, end.trim().parse().ok()?);
    let total = match total.trim() {
        "*" => None,
        t => Some(t.parse().ok()?),
    };
    (start <= end && total.is_none_or(|t| end < t)).then_some(ContentRange { start, end, total })
}

fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// The `If-Range` validator when the answer offers byte ranges: a strong `ETag`, else
/// `Last-Modified` (a weak ETag may not be used in `If-Range`).
fn validator(headers: &HeaderMap) -> Resume {
    let ranges = headers
        .get_all(header::ACCEPT_RANGES)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|unit| unit.trim().eq_ignore_ascii_case("bytes"));
    if !ranges {
        return None;
    }
    headers
        .get(header::ETAG)
        .filter(|e| !e.as_bytes().starts_with(b"W/"))
        .or_else(|| headers.get(header::LAST_MODIFIED))
        .cloned()
}

/// reqwest is built with `rustls-no-provider` (no aws-lc-rs C build), so a process-wide
/// rustls provider must exist before the first client is built. One installed by another
/// part of the process (objstore installs the same) is kept.
fn install_tls_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Err: another thread installed one first, which is just as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap
mod tests {
    use super::*;

    #[test]
    fn content_ranges_parse_and_bad_ones_do_not() {
        assert_eq!(
            parse_content_range("bytes 100-999/1000"),
            Some(ContentRange {
                start: 100,
                end: 999,
                total: Some(1000)
            })
        );
        assert_eq!(
            parse_content_range("bytes 5-9/*"),
            Some(ContentRange {
                start: 5,
                end: 9,
                total: None
            })
        );
        for bad in [
            "bytes */1000",
            "bytes 9-5/10",
            "bytes 0-10/10",
            "items 0-1/2",
            "bytes 0-x/2",
            "",
        ] {
            assert_eq!(parse_content_range(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_resume_needs_byte_ranges_and_a_strong_validator() {
        let headers = |pairs: &[(&str, &str)]| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.append(
                    header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                    HeaderValue::from_str(v).unwrap(),
                );
            }
            h
        };
        let etag = HeaderValue::from_static("\"v1\"");
        assert_eq!(
            validator(&headers(&[("accept-ranges", "bytes"), ("etag", "\"v1\"")])),
            Some(etag)
        );
        let date = "Wed, 21 Oct 2015 07:28:00 GMT";
        assert_eq!(
            validator(&headers(&[
                ("accept-ranges", "bytes"),
                ("etag", "W/\"v1\""),
                ("last-modified", date)
            ])),
            Some(HeaderValue::from_static(date))
        );
        assert_eq!(
            validator(&headers(&[("accept-ranges", "none"), ("etag", "\"v1\"")])),
            None
        );
        assert_eq!(validator(&headers(&[("etag", "\"v1\"")])), None);
        assert_eq!(validator(&headers(&[("accept-ranges", "bytes")])), None);
    }
}
