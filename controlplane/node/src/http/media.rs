//! `GET`, `HEAD` and `OPTIONS /media/{path}`: serves the processed media (HLS playlists,
//! segments, thumbnails) from the configured object store, local or S3, so a player —
//! hls.js in a browser, ffmpeg, Safari — plays the URLs of `media.ready`.
//!
//! `/media/{path}` is the object `media/{path}` (the media sink's keys): nothing outside
//! `media/` can be named, so upload sources (`uploads/…`) are never served. The path is
//! percent-decoded, then checked as an object key (`..`, `%`, control characters, … → 400).
//!
//! Bodies stream from the store (at most one chunk held, plus the shard's window). A
//! single `Range` (`bytes=a-b`, `a-`, `-n`) gets 206 with `Content-Range`, one that starts
//! past the end 416 with `Content-Range: bytes */size`; several ranges, or one this
//! parser does not understand, are ignored (200 with the whole object, as RFC 9110
//! allows). `ETag`/`Last-Modified` come from the store and `If-None-Match` gets 304.
//! Everything carries `Access-Control-Allow-Origin: *` and `OPTIONS` answers preflights.
//! `Cache-Control`: playlists 2 s (they change while a job runs), `.json` 60 s, segments
//! and images a day.

use std::time::SystemTime;

use futures::TryStreamExt;
use hyper::header::{self, HeaderName, HeaderValue};
use hyper::{HeaderMap, Method, Response, StatusCode};
use objstore::{ByteRange, ObjectKey, ObjectMeta, ObjectStoreError};

use super::response::{Body, BoxError, json_error};
use crate::node::Services;

/// The URL prefix served, and the key prefix it maps to (`/media/x` → `media/x`).
pub const URL_PREFIX: &str = "/media/";

/// Headers a script on another origin may read.
const EXPOSED: &str = "Content-Length, Content-Range, Accept-Ranges, ETag, Last-Modified";

/// Answers one request under [`URL_PREFIX`].
pub async fn serve(
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    services: &Services,
) -> Response<Body> {
    if method == Method::OPTIONS {
        return preflight(headers);
    }
    if method != Method::GET && method != Method::HEAD {
        let mut response = cors(json_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "only GET, HEAD and OPTIONS",
        ));
        set(&mut response, header::ALLOW, "GET, HEAD, OPTIONS");
        return response;
    }
    let key = match key_of(path) {
        Ok(key) => key,
        Err(message) => return cors(json_error(StatusCode::BAD_REQUEST, &message)),
    };
    let objects = &services.objects;
    if method == Method::HEAD {
        return match objects.head(&key).await {
            Ok(Some(meta)) => {
                let mut response = found(&key, &meta, headers, StatusCode::OK);
                response
                    .headers_mut()
                    .insert(header::CONTENT_LENGTH, meta.size.into());
                response
            }
            Ok(None) => not_found(&key),
            Err(e) => store_error(&e),
        };
    }
    let asked = range_of(headers);
    let partial = asked.is_range();
    let read = match asked {
        Asked::Whole => objects.get_stream(&key).await,
        Asked::Range(range) => objects.get_range_stream(&key, range).await,
        Asked::Unsatisfiable => {
            return match objects.head(&key).await {
                Ok(Some(meta)) => unsatisfiable(meta.size),
                Ok(None) => not_found(&key),
                Err(e) => store_error(&e),
            };
        }
    };
    let read = match read {
        Ok(read) => read,
        Err(e) => return store_error(&e),
    };
    let status = if partial {
        StatusCode::PARTIAL_CONTENT
    } else {
        StatusCode::OK
    };
    let length = read.range.end - read.range.start;
    let mut response = found(&key, &read.meta, headers, status);
    if response.status() == StatusCode::NOT_MODIFIED {
        return response; // the read is dropped unread
    }
    response
        .headers_mut()
        .insert(header::CONTENT_LENGTH, length.into());
    if partial {
        let range = format!(
            "bytes {}-{}/{}",
            read.range.start,
            read.range.end.saturating_sub(1),
            read.meta.size
        );
        set(&mut response, header::CONTENT_RANGE, &range);
    }
    *response.body_mut() = if length == 0 {
        Body::empty()
    } else {
        Body::Stream(Box::pin(read.body.map_err(BoxError::from)))
    };
    response
}

/// The object key `path` names, or why it names none.
fn key_of(path: &str) -> Result<ObjectKey, String> {
    let rest = path
        .strip_prefix(URL_PREFIX)
        .ok_or_else(|| format!("not under {URL_PREFIX}"))?;
    let decoded = percent_encoding::percent_decode_str(rest)
        .decode_utf8()
        .map_err(|_| "the path is not UTF-8 once decoded".to_string())?;
    ObjectKey::new(format!("media/{decoded}")).map_err(|e| format!("invalid media path: {e}"))
}

/// What the client's `Range` asks for.
#[derive(Debug, PartialEq)]
enum Asked {
    /// No range, or one to ignore.
    Whole,
    /// One range.
    Range(ByteRange),
    /// A range no object can satisfy (`bytes=-0`).
    Unsatisfiable,
}

impl Asked {
    fn is_range(&self) -> bool {
        matches!(self, Asked::Range(_))
    }
}

fn range_of(headers: &HeaderMap) -> Asked {
    let Some(value) = headers.get(header::RANGE).and_then(|v| v.to_str().ok()) else {
        return Asked::Whole;
    };
    let Some((unit, spec)) = value.trim().split_once('=') else {
        return Asked::Whole;
    };
    if !unit.trim().eq_ignore_ascii_case("bytes") || spec.contains(',') {
        return Asked::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Asked::Whole;
    };
    let number = |s: &str| -> Option<u64> {
        let s = s.trim();
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    match (number(first), number(last), last.trim().is_empty()) {
        (Some(start), None, true) => Asked::Range(ByteRange::From(start)),
        (Some(start), Some(end), _) if start <= end => {
            Asked::Range(ByteRange::Bounded(start..end.saturating_add(1)))
        }
        (None, Some(0), _) if first.trim().is_empty() => Asked::Unsatisfiable,
        (None, Some(n), _) if first.trim().is_empty() => Asked::Range(ByteRange::Suffix(n)),
        _ => Asked::Whole,
    }
}

/// The headers of an object found (or 304 if the client's copy is current).
fn found(
    key: &ObjectKey,
    meta: &ObjectMeta,
    headers: &HeaderMap,
    status: StatusCode,
) -> Response<Body> {
    let e_tag = meta.e_tag.as_deref().map(quoted);
    let current = e_tag.as_deref().is_some_and(|tag| {
        headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"))
    });
    let mut response = Response::new(Body::empty());
    *response.status_mut() = if current {
        StatusCode::NOT_MODIFIED
    } else {
        status
    };
    set(
        &mut response,
        header::CONTENT_TYPE,
        content_type(key.as_str()),
    );
    set(
        &mut response,
        header::CACHE_CONTROL,
        cache_control(key.as_str()),
    );
    set(&mut response, header::ACCEPT_RANGES, "bytes");
    set(&mut response, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    if let Some(tag) = &e_tag {
        set(&mut response, header::ETAG, tag);
    }
    set(
        &mut response,
        header::LAST_MODIFIED,
        &httpdate::fmt_http_date(meta.last_modified.max(SystemTime::UNIX_EPOCH)),
    );
    cors(response)
}

/// An entity tag as HTTP writes it: quoted (stores differ on whether they quote).
fn quoted(tag: &str) -> String {
    if tag.starts_with('"') || tag.starts_with("W/\"") {
        tag.to_string()
    } else {
        format!("\"{tag}\"")
    }
}

/// `Content-Type` by extension.
pub fn content_type(key: &str) -> &'static str {
    let extension = key.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match extension.as_deref() {
        Some("m3u8") => "application/vnd.apple.mpegurl",
        Some("ts") => "video/mp2t",
        Some("m4s") => "video/iso.segment",
        Some("mp4") => "video/mp4",
        Some("m4a") => "audio/mp4",
        Some("aac") => "audio/aac",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("png") => "image/png",
        Some("webp") => "image/webp",
        Some("json") => "application/json",
        Some("vtt") => "text/vtt; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// `Cache-Control` by extension: playlists change while a job runs, the rest does not.
pub fn cache_control(key: &str) -> &'static str {
    match key.rsplit_once('.').map(|(_, e)| e) {
        Some("m3u8") => "public, max-age=2",
        Some("json") => "public, max-age=60",
        _ => "public, max-age=86400",
    }
}

fn preflight(headers: &HeaderMap) -> Response<Body> {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::NO_CONTENT;
    let asked = headers
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("Range, If-None-Match")
        .to_string();
    set(
        &mut response,
        header::ACCESS_CONTROL_ALLOW_METHODS,
        "GET, HEAD, OPTIONS",
    );
    set(&mut response, header::ACCESS_CONTROL_ALLOW_HEADERS, &asked);
    set(&mut response, header::ACCESS_CONTROL_MAX_AGE, "86400");
    cors(response)
}

fn cors(mut response: Response<Body>) -> Response<Body> {
    set(&mut response, header::ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    set(
        &mut response,
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        EXPOSED,
    );
    response
}

fn set(response: &mut Response<Body>, name: HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, value);
    }
}

fn not_found(key: &ObjectKey) -> Response<Body> {
    cors(json_error(
        StatusCode::NOT_FOUND,
        &format!("no object {key}"),
    ))
}

fn unsatisfiable(size: u64) -> Response<Body> {
    let mut response = cors(json_error(
        StatusCode::RANGE_NOT_SATISFIABLE,
        &format!("range not satisfiable: the object is {size} bytes"),
    ));
    set(
        &mut response,
        header::CONTENT_RANGE,
        &format!("bytes */{size}"),
    );
    response
}

fn store_error(e: &ObjectStoreError) -> Response<Body> {
    match e {
        ObjectStoreError::NotFound { key } => not_found(key),
        ObjectStoreError::RangeNotSatisfiable { size, .. } => unsatisfiable(*size),
        ObjectStoreError::InvalidKey { .. } | ObjectStoreError::InvalidRange { .. } => {
            cors(json_error(StatusCode::BAD_REQUEST, &e.to_string()))
        }
        other => {
            tracing::warn!(error = %other, "cannot serve a media object");
            let status = if other.is_transient() {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::INTERNAL_SERVER_ERROR
            };
            cors(json_error(status, "object storage failed"))
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap
mod tests {
    use super::*;

    fn range(value: &str) -> Asked {
        let mut headers = HeaderMap::new();
        headers.insert(header::RANGE, value.parse().unwrap());
        range_of(&headers)
    }

    #[test]
    fn single_byte_ranges_are_understood() {
        assert_eq!(
            range("bytes=0-99"),
            Asked::Range(ByteRange::Bounded(0..100))
        );
        assert_eq!(range("bytes=100-"), Asked::Range(ByteRange::From(100)));
        assert_eq!(range("bytes=-5"), Asked::Range(ByteRange::Suffix(5)));
        assert_eq!(range("Bytes = 7-7"), Asked::Range(ByteRange::Bounded(7..8)));
        assert_eq!(range("bytes=-0"), Asked::Unsatisfiable);
    }

    #[test]
    fn other_ranges_are_ignored() {
        for value in [
            "bytes=5-3",
            "bytes=0-1,4-5",
            "items=0-1",
            "bytes=a-b",
            "bytes=-",
            "0-1",
        ] {
            assert_eq!(range(value), Asked::Whole, "{value}");
        }
        assert_eq!(range_of(&HeaderMap::new()), Asked::Whole);
    }

    #[test]
    fn paths_map_under_media_only() {
        assert_eq!(
            key_of("/media/m-1/master.m3u8").unwrap().as_str(),
            "media/m-1/master.m3u8"
        );
        assert_eq!(
            key_of("/media/a%20b/x.ts").unwrap().as_str(),
            "media/a b/x.ts"
        );
        for bad in [
            "/media/../uploads/m-1/source",
            "/media/%2e%2e/uploads/m-1/source",
            "/media/a//b",
            "/media/",
            "/media/a%25b",
            "/media/%ff",
        ] {
            assert!(key_of(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn types_and_caching_follow_the_extension() {
        assert_eq!(
            content_type("media/1/master.m3u8"),
            "application/vnd.apple.mpegurl"
        );
        assert_eq!(content_type("media/1/720p/seg_00001.ts"), "video/mp2t");
        assert_eq!(content_type("media/1/thumbs/poster.JPG"), "image/jpeg");
        assert_eq!(content_type("media/1/blob"), "application/octet-stream");
        assert_eq!(
            cache_control("media/1/720p/index.m3u8"),
            "public, max-age=2"
        );
        assert_eq!(
            cache_control("media/1/720p/seg_00001.ts"),
            "public, max-age=86400"
        );
    }

    #[test]
    fn entity_tags_are_quoted_once() {
        assert_eq!(quoted("abc"), "\"abc\"");
        assert_eq!(quoted("\"abc\""), "\"abc\"");
        assert_eq!(quoted("W/\"abc\""), "W/\"abc\"");
    }
}
