//! Owns object-store sources: a key in the node's configured store, or `s3://bucket/key`
//! read with the node's S3 settings (endpoint, region, credentials) for whatever bucket
//! it names.
//!
//! `s3://` goes to the endpoint the operator configured, not to an address taken from
//! the event, so the address guard does not apply to it. A handle is opened per job:
//! building one costs microseconds next to a transcode, and there is no cache of
//! buckets to bound.

use objstore::{ObjectKey, ObjectStoreConfig, Objects, S3Config};

use super::Opened;
use super::error::{Cause, SourceError};

/// Reads `key` from `objects` as a source.
pub(crate) async fn open_key(
    objects: &Objects,
    key: &str,
    shown: &str,
) -> Result<Opened, SourceError> {
    let fail = |cause| SourceError::new(shown, cause);
    let key = ObjectKey::new(key)
        .map_err(|e| fail(Cause::Invalid(format!("not a valid object key: {e}"))))?;
    let read = objects
        .get_stream(&key)
        .await
        .map_err(|e| fail(Cause::Store(e)))?;
    let body = read.body;
    let shown = shown.to_owned();
    Ok(Opened {
        body: Box::pin(futures::StreamExt::map(body, move |item| {
            item.map_err(|e| SourceError::new(&shown, Cause::Store(e)))
        })),
        size: Some(read.meta.size),
    })
}

/// Reads `s3://bucket/key` (`rest` is `bucket/key`) with the settings of `template`.
pub(crate) async fn open_s3(
    template: Option<&S3Config>,
    rest: &str,
    shown: &str,
) -> Result<Opened, SourceError> {
    let fail = |cause| SourceError::new(shown, cause);
    let (bucket, key) = rest
        .split_once('/')
        .filter(|(b, k)| !b.is_empty() && !k.is_empty())
        .ok_or_else(|| fail(Cause::Invalid("expected s3://bucket/key".into())))?;
    let template = template.ok_or_else(|| fail(Cause::NoS3))?;
    let config = S3Config {
        bucket: bucket.to_owned(),
        prefix: None,
        ..template.clone()
    };
    let objects =
        Objects::open(&ObjectStoreConfig::s3(config)).map_err(|e| fail(Cause::Store(e)))?;
    open_key(&objects, key, shown).await
}
