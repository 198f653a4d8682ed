//! Owns [`Objects`]: the handle the rest of the system uses to read, write, list and
//! delete objects, and to check that the store is reachable.
//!
//! Every method takes an [`ObjectKey`] (already validated) and maps it under the store's
//! prefix; every error comes back as an [`ObjectStoreError`] naming the operation, the key
//! and the store.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::stream::{BoxStream, StreamExt, TryStreamExt};
use object_store::path::Path;
use object_store::{GetOptions, ObjectStore, ObjectStoreExt, PutPayload};

use crate::backend;
use crate::config::{ObjectStoreConfig, UploadLimits};
use crate::error::{BoxError, ObjectStoreError, classify};
use crate::key::{InvalidKey, MAX_KEY_BYTES, ObjectKey};
use crate::meta::{ByteRange, ObjectMeta, ObjectRead, PutSummary};
use crate::read::body_stream;
use crate::writer::ObjectWriter;

/// How long [`Objects::health`] waits for its round trip before calling the store down.
pub const HEALTH_TIMEOUT: Duration = Duration::from_secs(5);

/// The key prefix the health probe lists (nothing is ever stored there).
const HEALTH_PROBE: &str = ".armoricore-health-probe";

/// A handle on the object store. Cheap to clone (one `Arc`); share it freely.
#[derive(Clone)]
pub struct Objects {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) store: Arc<dyn ObjectStore>,
    pub(crate) prefix: Option<ObjectKey>,
    pub(crate) describe: Arc<str>,
    pub(crate) limits: UploadLimits,
    local_root: Option<PathBuf>,
}

impl Objects {
    /// Opens the configured backend: creates the local directory, or builds the S3
    /// client (no request is sent; call [`Objects::health`] to check reachability).
    pub fn open(config: &ObjectStoreConfig) -> Result<Self, ObjectStoreError> {
        let built = backend::build(config)?;
        Ok(Self {
            inner: Arc::new(Inner {
                store: built.store,
                prefix: built.prefix,
                describe: built.describe,
                limits: config.upload,
                local_root: built.local_root,
            }),
        })
    }

    /// `local:/abs/path`, `s3://bucket[/prefix] (endpoint)` or `s3://bucket (aws region)`.
    pub fn describe(&self) -> &str {
        &self.inner.describe
    }

    /// The memory bound of streaming writes.
    pub fn upload_limits(&self) -> UploadLimits {
        self.inner.limits
    }

    /// Stores `bytes` under `key` in one request, replacing any object there.
    pub async fn put_bytes(
        &self,
        key: &ObjectKey,
        bytes: Bytes,
    ) -> Result<PutSummary, ObjectStoreError> {
        let path = self.path(key)?;
        let size = bytes.len() as u64;
        let put = self
            .inner
            .store
            .put(&path, PutPayload::from_bytes(bytes))
            .await
            .map_err(|e| self.err("put", Some(key), e))?;
        Ok(PutSummary {
            key: key.clone(),
            size,
            e_tag: put.e_tag,
        })
    }

    /// Reads a whole object into memory. Meant for small objects (playlists, manifests);
    /// use [`Objects::get_stream`] for media.
    pub async fn get_bytes(&self, key: &ObjectKey) -> Result<Bytes, ObjectStoreError> {
        let read = self.get_stream(key).await?;
        let chunks: Vec<Bytes> = read.body.try_collect().await?;
        if chunks.len() == 1 {
            return Ok(chunks.into_iter().next().unwrap_or_default());
        }
        Ok(chunks.concat().into())
    }

    /// Streams a whole object. The stream holds at most one chunk at a time, so memory
    /// does not grow with the object.
    pub async fn get_stream(&self, key: &ObjectKey) -> Result<ObjectRead, ObjectStoreError> {
        self.get(key, None).await
    }

    /// Streams part of an object (HTTP `Range`). `read.range` is what is actually sent
    /// (a bounded end past the object is clamped); `read.meta.size` is the full size.
    /// A range that starts at or past the end fails with
    /// [`ObjectStoreError::RangeNotSatisfiable`], carrying the size for a 416 answer.
    pub async fn get_range_stream(
        &self,
        key: &ObjectKey,
        range: impl Into<ByteRange>,
    ) -> Result<ObjectRead, ObjectStoreError> {
        self.get(key, Some(range.into())).await
    }

    async fn get(
        &self,
        key: &ObjectKey,
        range: Option<ByteRange>,
    ) -> Result<ObjectRead, ObjectStoreError> {
        let path = self.path(key)?;
        let options = GetOptions {
            range: range.as_ref().map(ByteRange::check).transpose()?,
            ..GetOptions::default()
        };
        let result = match self.inner.store.get_opts(&path, options).await {
            Ok(result) => result,
            Err(e) => return Err(self.range_error(key, range, e).await),
        };
        let meta = ObjectMeta::from_store(key.clone(), &result.meta);
        let range = result.range.clone();
        let body = body_stream(result, Arc::clone(&self.inner.describe), key.clone());
        Ok(ObjectRead { meta, range, body })
    }

    /// Backends report an unsatisfiable range in their own words; a HEAD (only on this
    /// error path) tells whether that was it, and gives the size for a 416 answer.
    async fn range_error(
        &self,
        key: &ObjectKey,
        range: Option<ByteRange>,
        err: object_store::Error,
    ) -> ObjectStoreError {
        let err = self.err("get", Some(key), err);
        let Some(range) = range else { return err };
        if err.is_not_found() {
            return err;
        }
        match self.head(key).await {
            Ok(Some(meta)) if range.unsatisfiable_for(meta.size) => {
                ObjectStoreError::RangeNotSatisfiable {
                    key: key.clone(),
                    range: range.to_string(),
                    size: meta.size,
                }
            }
            _ => err,
        }
    }

    /// The object's metadata, or `None` if there is no object under `key`.
    pub async fn head(&self, key: &ObjectKey) -> Result<Option<ObjectMeta>, ObjectStoreError> {
        let path = self.path(key)?;
        match self.inner.store.head(&path).await {
            Ok(meta) => Ok(Some(ObjectMeta::from_store(key.clone(), &meta))),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.err("head", Some(key), e)),
        }
    }

    /// Deletes the object. Deleting a missing object succeeds (S3's semantics, and what a
    /// consumer that sees a message twice needs).
    pub async fn delete(&self, key: &ObjectKey) -> Result<(), ObjectStoreError> {
        let path = self.path(key)?;
        match self.inner.store.delete(&path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(self.err("delete", Some(key), e)),
        }
    }

    /// Every object under `prefix` (whole segments: `a/b` holds `a/b/c`, not `a/bc`;
    /// `None` = everything), sorted by key. Collects the whole listing in memory: use
    /// [`Objects::list_stream`] for prefixes that may hold many objects.
    pub async fn list(
        &self,
        prefix: Option<&ObjectKey>,
    ) -> Result<Vec<ObjectMeta>, ObjectStoreError> {
        let mut all: Vec<ObjectMeta> = self.list_stream(prefix).try_collect().await?;
        all.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(all)
    }

    /// Streams the objects under `prefix` in the backend's order (S3: by key; local:
    /// directory order), one page at a time. Objects whose names are not valid keys
    /// (written by something else) are skipped with a warning.
    pub fn list_stream(
        &self,
        prefix: Option<&ObjectKey>,
    ) -> BoxStream<'static, Result<ObjectMeta, ObjectStoreError>> {
        let path = match prefix.map(|p| self.path(p)).transpose() {
            Ok(path) => path.or_else(|| self.base_path()),
            Err(e) => return futures::stream::once(async move { Err(e) }).boxed(),
        };
        let this = self.clone();
        let prefix = prefix.cloned();
        self.inner
            .store
            .list(path.as_ref())
            .filter_map(move |item| {
                let out = match item {
                    Ok(meta) => this
                        .key_of(&meta.location)
                        .map(|key| Ok(ObjectMeta::from_store(key, &meta))),
                    Err(e) => Some(Err(this.err("list", prefix.as_ref(), e))),
                };
                futures::future::ready(out)
            })
            .boxed()
    }

    /// A writer that streams into `key` with bounded memory; see [`ObjectWriter`].
    pub fn writer(&self, key: &ObjectKey) -> Result<ObjectWriter, ObjectStoreError> {
        let path = self.path(key)?;
        Ok(ObjectWriter::new(
            Arc::clone(&self.inner),
            key.clone(),
            path,
        ))
    }

    /// Streams `source` into `key` through an [`ObjectWriter`] (memory bound:
    /// [`UploadLimits::memory_bound`]). If `source` yields an error, or the store fails,
    /// the upload is aborted and nothing appears under `key`; the same holds if this
    /// future is dropped before it completes.
    pub async fn put_stream<S, E>(
        &self,
        key: &ObjectKey,
        source: S,
    ) -> Result<PutSummary, ObjectStoreError>
    where
        S: futures::Stream<Item = Result<Bytes, E>>,
        E: Into<BoxError>,
    {
        let mut writer = self.writer(key)?;
        let mut source = std::pin::pin!(source);
        while let Some(item) = source.next().await {
            let failure = match item {
                Ok(bytes) => match writer.write_bytes(bytes).await {
                    Ok(()) => continue,
                    Err(e) => e,
                },
                Err(e) => ObjectStoreError::Source {
                    key: key.clone(),
                    source: e.into(),
                },
            };
            if let Err(abort) = writer.abort().await {
                tracing::warn!(store = %self.describe(), %key, error = %abort, "could not abort upload");
            }
            return Err(failure);
        }
        writer.finish().await
    }

    /// A real round trip: lists a probe prefix (one request, empty answer), within
    /// [`HEALTH_TIMEOUT`]. Fails with [`ObjectStoreError::Unavailable`] when the server is
    /// down, the bucket is missing, credentials are refused, or the local directory is gone.
    pub async fn health(&self) -> Result<(), ObjectStoreError> {
        let unavailable = |source: BoxError| ObjectStoreError::Unavailable {
            op: "health",
            key: None,
            store: Arc::clone(&self.inner.describe),
            source,
        };
        if let Some(root) = &self.inner.local_root {
            match tokio::fs::metadata(root).await {
                Ok(m) if m.is_dir() => {}
                Ok(_) => return Err(unavailable("root is not a directory".into())),
                Err(e) => return Err(unavailable(e.into())),
            }
        }
        let probe = self.full_path(HEALTH_PROBE);
        let mut listing = self.inner.store.list(Some(&probe));
        match tokio::time::timeout(HEALTH_TIMEOUT, listing.next()).await {
            Ok(None | Some(Ok(_))) => Ok(()),
            Ok(Some(Err(e))) => Err(unavailable(e.into())),
            Err(_) => Err(unavailable(
                format!("no answer within {HEALTH_TIMEOUT:?}").into(),
            )),
        }
    }

    /// `key` under the prefix, as an `object_store` path.
    fn path(&self, key: &ObjectKey) -> Result<Path, ObjectStoreError> {
        let full = self.full_key(key.as_str());
        if full.len() > MAX_KEY_BYTES {
            return Err(ObjectStoreError::InvalidKey {
                key: key.to_string(),
                reason: InvalidKey::TooLong {
                    len: full.len(),
                    max: MAX_KEY_BYTES,
                },
            });
        }
        // Cannot fail: ObjectKey's rules are stricter than Path's.
        Path::parse(&full).map_err(|e| ObjectStoreError::Backend {
            op: "path",
            key: Some(key.clone()),
            store: Arc::clone(&self.inner.describe),
            source: Box::new(e),
        })
    }

    fn full_key(&self, key: &str) -> String {
        match &self.inner.prefix {
            Some(prefix) => format!("{prefix}/{key}"),
            None => key.to_owned(),
        }
    }

    fn full_path(&self, key: &str) -> Path {
        Path::from_iter(self.full_key(key).split('/'))
    }

    fn base_path(&self) -> Option<Path> {
        self.inner
            .prefix
            .as_ref()
            .map(|p| Path::from_iter(p.segments()))
    }

    /// The key of a listed location, or `None` (with a warning) if it is not one of ours.
    fn key_of(&self, location: &Path) -> Option<ObjectKey> {
        let raw = location.as_ref();
        let rel = match &self.inner.prefix {
            Some(prefix) => raw.strip_prefix(prefix.as_str())?.strip_prefix('/')?,
            None => raw,
        };
        match ObjectKey::new(rel) {
            Ok(key) => Some(key),
            Err(why) => {
                tracing::warn!(store = %self.describe(), location = raw, %why, "skipping object with an invalid key");
                None
            }
        }
    }

    fn err(
        &self,
        op: &'static str,
        key: Option<&ObjectKey>,
        e: object_store::Error,
    ) -> ObjectStoreError {
        classify(&self.inner.describe, op, key, e)
    }
}

impl fmt::Debug for Objects {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Objects")
            .field("store", &self.inner.describe)
            .field("upload", &self.inner.limits)
            .finish()
    }
}
