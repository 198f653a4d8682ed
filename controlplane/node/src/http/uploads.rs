//! `POST /api/v1/media`: a signed-in user uploads a media source; the body streams straight
//! into object storage, then the asset is recorded and `media.uploaded` is published.
//!
//! Auth: `Authorization: Bearer <JWT>` (see [`super::bearer`]); the token's `sub` owns the
//! asset. Headers: `Content-Type` (recorded; `application/octet-stream` when absent),
//! optionally `X-Filename` (or `?filename=`) and `X-Media-Metadata` (a JSON object passed
//! through to `media.ready`, with `filename` added). The node picks the media id (a UUID)
//! and stores the source under `uploads/{media_id}/source`.
//!
//! Order, one owner per step: the object is written whole (`put_stream` is all or
//! nothing: a failed, aborted or oversized upload leaves nothing visible), then the asset
//! row (`uploaded`, so the owner may join `media:{id}` at once), then the event; the media
//! worker's own `create_media_asset` is then a no-op. If the row or the event fails, the
//! object is deleted (and the row marked `failed`), and the answer is 503.
//!
//! Answers: 201 `{"media_id", "status": "uploaded", "channel": "media:{id}", "file_size",
//! "content_type"}`; 400 (empty body, bad header, upload broken off); 401; 413 over
//! `MEDIA_UPLOAD_MAX_BYTES` (the shard answers 413 first for a `Content-Length` over its
//! own cap); 503 (store, object storage or bus unavailable).

use bytes::Bytes;
use codecs::events::{JsonObject, MediaUploaded};
use codecs::{Event, Payload, ResourceId};
use futures::{StreamExt, TryStreamExt};
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE};
use hyper::{HeaderMap, Request, Response, StatusCode};
use objstore::{ObjectKey, ObjectStoreError};
use store::{MediaStatus, NewMediaAsset};

use super::body::{BodyError, RequestBody};
use super::response::{Body, json, json_error};
use crate::node::Services;

/// `source` of the `media.uploaded` events published here.
const EVENT_SOURCE: &str = "armoricore";

/// Handles one upload.
pub async fn upload(req: Request<RequestBody>, services: &Services) -> Response<Body> {
    let user = match super::bearer::user(req.headers(), services).await {
        Ok(user) => user,
        Err(answer) => return answer,
    };
    let (parts, body) = req.into_parts();
    let limit = services.config.media_upload_max_bytes;
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit) {
        return too_large(limit);
    }
    let described = match Described::from_request(&parts.headers, parts.uri.query()) {
        Ok(described) => described,
        Err(message) => return json_error(StatusCode::BAD_REQUEST, &message),
    };
    let media_id = match ResourceId::new(uuid::Uuid::new_v4().to_string()) {
        Ok(id) => id,
        Err(e) => return json_error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    let key = match ObjectKey::new(format!("uploads/{media_id}/source")) {
        Ok(key) => key,
        Err(e) => return json_error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };

    // An empty body is refused before anything is written.
    let mut body = body.into_stream();
    let first = loop {
        match body.next().await {
            Some(Ok(bytes)) if bytes.is_empty() => continue,
            Some(Ok(bytes)) => break bytes,
            Some(Err(e)) => return body_error(&e),
            None => return json_error(StatusCode::BAD_REQUEST, "empty body: nothing to upload"),
        }
    };
    let source = at_most(
        limit,
        futures::stream::once(async { Ok(first) }).chain(body),
    );
    let stored = match services.objects.put_stream(&key, source).await {
        Ok(stored) => stored,
        Err(ObjectStoreError::Source { source, .. }) => match source.downcast::<BodyError>() {
            Ok(e) => return body_error(&e),
            Err(other) => return json_error(StatusCode::BAD_REQUEST, &other.to_string()),
        },
        Err(e) => return object_error(&e),
    };

    let asset = NewMediaAsset {
        id: media_id.clone(),
        user_id: user.clone(),
        source: key.to_string(),
        content_type: described.content_type.clone(),
        file_size: stored.size,
    };
    if let Err(e) = services.store.create_media_asset(&asset).await {
        discard(services, &key).await;
        return json_error(
            StatusCode::SERVICE_UNAVAILABLE,
            &format!("cannot record the asset: {e}"),
        );
    }
    let event = Event::new(
        EVENT_SOURCE.to_string(),
        Payload::MediaUploaded(MediaUploaded {
            media_id: media_id.clone(),
            user_id: user,
            source: key.to_string(),
            content_type: described.content_type.clone(),
            file_size: stored.size,
            metadata: described.metadata,
        }),
    );
    if let Err(e) = bus::publish_event(services.bus.as_ref(), &event).await {
        let reason = format!("the upload could not be announced: {e}");
        if let Err(e) = services
            .store
            .set_media_status(&media_id, MediaStatus::Failed, None, None, Some(&reason))
            .await
        {
            tracing::warn!(%media_id, error = %e, "cannot mark an unannounced upload failed");
        }
        discard(services, &key).await;
        return json_error(StatusCode::SERVICE_UNAVAILABLE, &reason);
    }
    metrics::counter!("armoricore_media_uploaded_bytes_total").increment(stored.size);
    json(
        StatusCode::CREATED,
        &serde_json::json!({
            "media_id": media_id,
            "status": "uploaded",
            "channel": format!("media:{media_id}"),
            "file_size": stored.size,
            "content_type": described.content_type,
        }),
    )
}

/// What the uploader says about the upload.
#[derive(Debug, PartialEq)]
struct Described {
    content_type: String,
    metadata: JsonObject,
}

impl Described {
    fn from_request(headers: &HeaderMap, query: Option<&str>) -> Result<Described, String> {
        let text = |name: &str| -> Result<Option<String>, String> {
            headers
                .get(name)
                .map(|v| {
                    v.to_str()
                        .map(|v| v.trim().to_string())
                        .map_err(|_| format!("{name}: not visible ASCII"))
                })
                .transpose()
        };
        let content_type = text(CONTENT_TYPE.as_str())?
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| "application/octet-stream".to_string());
        let mut metadata = match text("x-media-metadata")? {
            None => JsonObject::new(),
            Some(raw) => match serde_json::from_str::<serde_json::Value>(&raw) {
                Ok(serde_json::Value::Object(object)) => object,
                _ => return Err("X-Media-Metadata: expected a JSON object".to_string()),
            },
        };
        let from_query = query
            .into_iter()
            .flat_map(|q| q.split('&'))
            .find_map(|pair| {
                let value = pair.strip_prefix("filename=")?;
                let value = value.replace('+', " ");
                Some(
                    percent_encoding::percent_decode_str(&value)
                        .decode_utf8_lossy()
                        .into_owned(),
                )
            });
        let filename = text("x-filename")?.or(from_query).filter(|f| !f.is_empty());
        if let Some(filename) = filename {
            metadata.insert("filename".to_string(), filename.into());
        }
        Ok(Described {
            content_type,
            metadata,
        })
    }
}

/// `source`, failing with [`BodyError::TooLarge`] once it passes `limit` bytes (the
/// upload is then aborted: nothing is stored).
fn at_most(
    limit: u64,
    source: impl futures::Stream<Item = Result<Bytes, BodyError>>,
) -> impl futures::Stream<Item = Result<Bytes, BodyError>> {
    let mut total = 0u64;
    source.and_then(move |bytes| {
        total += bytes.len() as u64;
        let over = total > limit;
        async move {
            if over {
                Err(BodyError::TooLarge { limit })
            } else {
                Ok(bytes)
            }
        }
    })
}

fn too_large(limit: u64) -> Response<Body> {
    json_error(
        StatusCode::PAYLOAD_TOO_LARGE,
        &format!("upload larger than {limit} bytes (MEDIA_UPLOAD_MAX_BYTES)"),
    )
}

fn body_error(e: &BodyError) -> Response<Body> {
    match e {
        BodyError::TooLarge { limit } => too_large(*limit),
        other => json_error(StatusCode::BAD_REQUEST, &other.to_string()),
    }
}

fn object_error(e: &ObjectStoreError) -> Response<Body> {
    tracing::warn!(error = %e, "upload not stored");
    let status = if e.is_transient() {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    };
    json_error(status, &format!("cannot store the upload: {e}"))
}

/// Deletes an upload that will not be processed.
async fn discard(services: &Services, key: &ObjectKey) {
    if let Err(e) = services.objects.delete(key).await {
        tracing::warn!(%key, error = %e, "cannot delete an abandoned upload");
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| {
                (
                    hyper::header::HeaderName::from_static(k),
                    v.parse().unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn the_description_comes_from_headers_then_the_query() {
        let d = Described::from_request(
            &headers(&[
                ("content-type", "video/mp4"),
                ("x-media-metadata", r#"{"title": "Cat"}"#),
            ]),
            Some("a=1&filename=my%20cat+video.mp4"),
        )
        .unwrap();
        assert_eq!(d.content_type, "video/mp4");
        assert_eq!(d.metadata["title"], "Cat");
        assert_eq!(d.metadata["filename"], "my cat video.mp4");

        let d =
            Described::from_request(&headers(&[("x-filename", "a.mov")]), Some("filename=b.mov"))
                .unwrap();
        assert_eq!(d.content_type, "application/octet-stream");
        assert_eq!(d.metadata["filename"], "a.mov", "the header wins");
    }

    #[test]
    fn metadata_must_be_a_json_object() {
        for bad in ["[1]", "nope", "\"text\""] {
            let err = Described::from_request(&headers(&[("x-media-metadata", bad)]), None);
            assert!(err.unwrap_err().contains("X-Media-Metadata"), "{bad}");
        }
    }

    #[tokio::test]
    async fn at_most_fails_past_the_limit_and_not_at_it() {
        let chunks = || {
            futures::stream::iter([
                Ok(Bytes::from_static(b"abc")),
                Ok(Bytes::from_static(b"de")),
            ])
        };
        let whole: Vec<Bytes> = at_most(5, chunks()).try_collect().await.unwrap();
        assert_eq!(whole.concat(), b"abcde");
        let over: Result<Vec<Bytes>, _> = at_most(4, chunks()).try_collect().await;
        assert_eq!(over.unwrap_err(), BodyError::TooLarge { limit: 4 });
    }
}
