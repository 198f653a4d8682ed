//! Owns media sources: the `source` of a `media.uploaded` event turned into the byte
//! stream [`transcode`](crate::transcode) reads.
//!
//! - an object key (`uploads/m-1/source`): the node's configured object store;
//! - `s3://bucket/key`: any bucket, with the node's S3 settings (`store`);
//! - `http://…`, `https://…`: a guarded, streamed GET (`http`, `guard`).
//!
//! Every source, whatever its kind, is held to [`SourceConfig::max_bytes`]: refused up
//! front when its declared size is over, cut off with a final error when the bytes
//! pass it. Errors are [`SourceError`]s, sorted into final and retryable
//! (`error`); the same sort applies when one surfaces mid-stream through
//! [`MediaError::Source`](crate::MediaError::Source).
//!
//! # Layout
//! - `guard`: [`AddressPolicy`], the address classifier and the filtering resolver.
//! - `http`: the guarded GET, redirects, timeouts, `Range` resume.
//! - `store`: object keys and `s3://`.
//! - `error`: [`SourceError`] and its sort.

mod error;
pub mod guard;
mod http;
mod store;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::stream::{BoxStream, StreamExt};
use objstore::{Objects, S3Config};
use url::Url;

pub use error::{Cause, SourceError};
pub use guard::{AddressPolicy, InvalidAllowedHost, Refusal, UrlRefused};

use crate::error::BoxError;

/// Default of [`SourceConfig::max_bytes`]: 10 GiB.
pub const DEFAULT_MAX_BYTES: u64 = 10 * 1024 * 1024 * 1024;

/// How sources are read.
#[derive(Debug, Clone)]
pub struct SourceConfig {
    /// `MEDIA_SOURCE_ALLOW_PRIVATE`: `http(s)://` sources may reach any address.
    pub allow_private: bool,
    /// `MEDIA_SOURCE_ALLOW_HOSTS`: hosts (names or IPs, as in the URL) that may resolve
    /// to private addresses.
    pub allow_hosts: Vec<String>,
    /// `MEDIA_SOURCE_MAX_BYTES`: the largest source; a larger one fails for good.
    pub max_bytes: u64,
    /// `MEDIA_SOURCE_CONNECT_TIMEOUT_MS`: time to open a connection (retryable).
    pub connect_timeout: Duration,
    /// `MEDIA_SOURCE_READ_TIMEOUT_MS`: the longest silence on a connection, waiting
    /// for an answer or for the next bytes of the body (retryable).
    pub read_timeout: Duration,
    /// Redirects followed per request; one more fails for good.
    pub max_redirects: usize,
    /// `Range` resumes per job after the body broke.
    pub max_resumes: u32,
    /// The node's S3 settings, used for any `s3://bucket/key`; `None` refuses `s3://`.
    pub s3: Option<S3Config>,
}

impl Default for SourceConfig {
    fn default() -> Self {
        Self {
            allow_private: false,
            allow_hosts: Vec::new(),
            max_bytes: DEFAULT_MAX_BYTES,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            max_redirects: 5,
            max_resumes: 3,
            s3: None,
        }
    }
}

/// Why [`Sources`] could not be built.
#[derive(Debug, thiserror::Error)]
pub enum SourceSetupError {
    /// A bad `MEDIA_SOURCE_ALLOW_HOSTS` entry.
    #[error(transparent)]
    AllowHosts(#[from] InvalidAllowedHost),
    /// The HTTP client could not be built (TLS set-up).
    #[error("cannot build the HTTP client for media sources: {0}")]
    Client(#[from] reqwest::Error),
}

/// An open source.
pub struct Opened {
    /// The bytes, in order, as they arrive.
    pub body: BoxStream<'static, Result<Bytes, SourceError>>,
    /// The size, when the source declared it.
    pub size: Option<u64>,
}

impl std::fmt::Debug for Opened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Opened")
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

/// Opens sources; one per worker, cheap to clone (shares its HTTP connection pool).
#[derive(Debug, Clone)]
pub struct Sources {
    objects: Objects,
    http: http::HttpSources,
    s3: Option<Arc<S3Config>>,
    max_bytes: u64,
}

impl Sources {
    /// Sources read with `config`; object keys come from `objects`.
    pub fn new(config: &SourceConfig, objects: Objects) -> Result<Self, SourceSetupError> {
        let policy = Arc::new(AddressPolicy::new(
            config.allow_private,
            &config.allow_hosts,
        )?);
        Ok(Self {
            objects,
            http: http::HttpSources::new(config, policy)?,
            s3: config.s3.clone().map(Arc::new),
            max_bytes: config.max_bytes,
        })
    }

    /// Opens `source` (an object key, `s3://bucket/key` or an `http(s)://` URL).
    pub async fn open(&self, source: &str) -> Result<Opened, SourceError> {
        let opened = match source.split_once("://") {
            None => store::open_key(&self.objects, source, &shown(source)).await?,
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("s3") => {
                store::open_s3(self.s3.as_deref(), rest, &shown(source)).await?
            }
            Some((scheme, _))
                if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") =>
            {
                let url = Url::parse(source).map_err(|e| {
                    SourceError::new(&shown_raw(source), Cause::Invalid(format!("bad URL: {e}")))
                })?;
                self.http.open(url.clone(), &shown_url(&url)).await?
            }
            Some(_) => {
                return Err(SourceError::new(
                    &shown_raw(source),
                    Cause::Invalid(
                        "unsupported scheme: use s3://bucket/key, http(s)://… or an object key"
                            .into(),
                    ),
                ));
            }
        };
        self.check_declared(source, opened.size)?;
        Ok(self.limited(opened, source))
    }

    fn check_declared(&self, source: &str, size: Option<u64>) -> Result<(), SourceError> {
        match size {
            Some(n) if n > self.max_bytes => Err(SourceError::new(
                &shown(source),
                Cause::TooLarge {
                    limit: self.max_bytes,
                    declared: Some(n),
                },
            )),
            _ => Ok(()),
        }
    }

    /// Ends the body with a final error once more than `max_bytes` came through, whatever
    /// the source declared.
    fn limited(&self, opened: Opened, source: &str) -> Opened {
        let limit = self.max_bytes;
        let shown = shown(source);
        let body = opened
            .body
            .scan((0u64, false), move |(seen, done), item| {
                let out = if *done {
                    None
                } else {
                    Some(item.and_then(|bytes| {
                        *seen += bytes.len() as u64;
                        if *seen > limit {
                            *done = true;
                            return Err(SourceError::new(
                                &shown,
                                Cause::TooLarge {
                                    limit,
                                    declared: None,
                                },
                            ));
                        }
                        Ok(bytes)
                    }))
                };
                futures::future::ready(out)
            })
            .boxed();
        Opened {
            body,
            size: opened.size,
        }
    }
}

/// A source as shown in reasons and logs.
fn shown(source: &str) -> String {
    match Url::parse(source) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => shown_url(&url),
        _ => shown_raw(source),
    }
}

/// `scheme://host[:port]/path`, with `?…` for a query: credentials and query strings
/// (signed URLs carry their signature there) stay out of events and logs.
pub(crate) fn shown_url(url: &Url) -> String {
    let mut out = format!("{}://", url.scheme());
    if let Some(host) = url.host_str() {
        out.push_str(host);
    }
    if let Some(port) = url.port() {
        out.push_str(&format!(":{port}"));
    }
    out.push_str(url.path());
    if url.query().is_some() {
        out.push_str("?…");
    }
    out
}

/// An unparsed source, quoted, its first 200 characters.
fn shown_raw(source: &str) -> String {
    let cut: String = source.chars().take(200).collect();
    if cut.len() < source.len() {
        format!("{cut:?}…")
    } else {
        format!("{cut:?}")
    }
}

/// Whether a stream error is a final source error (checked by
/// [`MediaError::is_retryable`](crate::MediaError::is_retryable)).
pub(crate) fn final_source_error(err: &BoxError) -> bool {
    err.downcast_ref::<SourceError>()
        .is_some_and(|e| !e.is_retryable())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap
mod tests {
    use super::*;

    #[test]
    fn shown_sources_keep_credentials_and_queries_out() {
        let url = Url::parse("https://user:pw@cdn.example.com:8443/a/b.mp4?sig=SECRET#f").unwrap();
        assert_eq!(shown_url(&url), "https://cdn.example.com:8443/a/b.mp4?…");
        assert_eq!(shown("uploads/m-1/source"), "\"uploads/m-1/source\"");
        assert_eq!(shown(&"x".repeat(300)).chars().count(), 203);
    }

    #[tokio::test]
    async fn unsupported_and_malformed_sources_fail_for_good() {
        let dir = tempfile::tempdir().unwrap();
        let objects = Objects::open(&objstore::ObjectStoreConfig::local(dir.path())).unwrap();
        let sources = Sources::new(&SourceConfig::default(), objects).unwrap();
        for (source, says) in [
            ("ftp://example.com/a.mp4", "unsupported scheme"),
            ("file:///etc/passwd", "unsupported scheme"),
            ("http://exa mple.com/a", "bad URL"),
            ("https://", "bad URL"),
            ("s3://bucket-only", "expected s3://bucket/key"),
            ("../etc/passwd", "not a valid object key"),
            ("uploads/none", "object not found"),
        ] {
            let err = sources.open(source).await.unwrap_err();
            assert!(!err.is_retryable(), "{source}: {err}");
            assert!(err.to_string().contains(says), "{source}: {err}");
        }
        // No S3 on this node.
        let err = sources.open("s3://bucket/key").await.unwrap_err();
        assert!(matches!(err.cause, Cause::NoS3), "{err}");
        assert!(!err.is_retryable());
    }

    #[tokio::test]
    async fn every_source_is_held_to_the_size_limit() {
        let dir = tempfile::tempdir().unwrap();
        let objects = Objects::open(&objstore::ObjectStoreConfig::local(dir.path())).unwrap();
        let key = objstore::ObjectKey::new("uploads/big").unwrap();
        objects
            .put_bytes(&key, vec![1u8; 1000].into())
            .await
            .unwrap();
        let config = SourceConfig {
            max_bytes: 999,
            ..SourceConfig::default()
        };
        let sources = Sources::new(&config, objects.clone()).unwrap();
        let err = sources.open("uploads/big").await.unwrap_err();
        assert!(
            matches!(
                err.cause,
                Cause::TooLarge {
                    declared: Some(1000),
                    ..
                }
            ),
            "{err}"
        );
        assert!(!err.is_retryable());

        // Mid-stream: the declared size lies (here: none is checked), the count does not.
        let small = Sources::new(&config, objects.clone()).unwrap();
        let opened = Opened {
            body: futures::stream::iter((0..3).map(|_| Ok(Bytes::from(vec![0u8; 600])))).boxed(),
            size: None,
        };
        let items: Vec<_> = small.limited(opened, "x").body.collect().await;
        assert_eq!(items.len(), 2, "the stream ends at the error");
        assert!(items[0].is_ok());
        let err = items[1].as_ref().unwrap_err();
        assert!(matches!(err.cause, Cause::TooLarge { declared: None, .. }));
        let at_limit = SourceConfig {
            max_bytes: 1000,
            ..config
        };
        let exact = Sources::new(&at_limit, objects).unwrap();
        let body: Vec<_> = exact
            .open("uploads/big")
            .await
            .unwrap()
            .body
            .collect()
            .await;
        assert!(body.iter().all(Result::is_ok));
        assert_eq!(
            body.iter()
                .map(|b| b.as_ref().unwrap().len())
                .sum::<usize>(),
            1000
        );
    }
}
