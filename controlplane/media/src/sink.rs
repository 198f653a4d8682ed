//! Owns the output side: the [`OutputSink`] trait a job writes through, and
//! [`ObjectStoreSink`], its implementation over `objstore` with keys
//! `media/{media_id}/{path}`.
//!
//! Segments are streamed (`writer` → chunks → `finish`) so each is in the store as soon
//! as our segmenter closes it; playlists, the master and thumbnails are small and go in one
//! `put`.

use std::future::Future;

use bytes::Bytes;
use objstore::{InvalidKey, ObjectKey, ObjectStoreError, ObjectWriter, Objects};

use crate::error::BoxError;

/// A failed store operation.
#[derive(Debug, thiserror::Error)]
#[error("storing {path} failed: {source}")]
pub struct SinkError {
    /// Path relative to the job's prefix.
    pub path: String,
    /// Whether retrying the job may help (network or store unavailable).
    pub transient: bool,
    /// The store's error.
    #[source]
    pub source: BoxError,
}

/// Where a job's outputs go. Paths are relative to the job (`720p/seg00000.ts`,
/// `master.m3u8`); the sink decides the absolute location.
pub trait OutputSink: Send + Sync + 'static {
    /// A streaming writer for one object.
    type Writer: SinkWriter;
    /// Opens a streaming writer for `path`. Nothing is visible until `finish`.
    fn writer(&self, path: &str) -> Result<Self::Writer, SinkError>;
    /// Stores a small object in one request.
    fn put(&self, path: &str, bytes: Bytes) -> impl Future<Output = Result<(), SinkError>> + Send;
    /// The absolute location of `path` (object key or URL), for reports and events.
    fn location(&self, path: &str) -> String;
}

/// One object being streamed.
pub trait SinkWriter: Send + 'static {
    /// Appends bytes.
    fn write(&mut self, bytes: Bytes) -> impl Future<Output = Result<(), SinkError>> + Send;
    /// Commits the object; returns its size.
    fn finish(self) -> impl Future<Output = Result<u64, SinkError>> + Send;
    /// Drops the object without making it visible.
    fn abort(self) -> impl Future<Output = ()> + Send;
}

/// [`OutputSink`] over an `objstore` handle, under `media/{media_id}/`.
#[derive(Debug, Clone)]
pub struct ObjectStoreSink {
    objects: Objects,
    prefix: ObjectKey,
}

impl ObjectStoreSink {
    /// A sink for `media_id`; fails if the id cannot be part of an object key.
    pub fn new(objects: Objects, media_id: &str) -> Result<Self, InvalidKey> {
        Ok(ObjectStoreSink {
            objects,
            prefix: ObjectKey::new(format!("media/{media_id}"))?,
        })
    }

    /// The job's key prefix, `media/{media_id}`.
    pub fn prefix(&self) -> &ObjectKey {
        &self.prefix
    }

    fn key(&self, path: &str) -> Result<ObjectKey, SinkError> {
        self.prefix.join(path).map_err(|e| SinkError {
            path: path.to_string(),
            transient: false,
            source: Box::new(e),
        })
    }
}

fn store_err(path: &str, e: ObjectStoreError) -> SinkError {
    SinkError {
        path: path.to_string(),
        transient: e.is_transient(),
        source: Box::new(e),
    }
}

impl OutputSink for ObjectStoreSink {
    type Writer = ObjectSinkWriter;

    fn writer(&self, path: &str) -> Result<ObjectSinkWriter, SinkError> {
        let key = self.key(path)?;
        let inner = self.objects.writer(&key).map_err(|e| store_err(path, e))?;
        Ok(ObjectSinkWriter {
            path: path.to_string(),
            inner,
        })
    }

    async fn put(&self, path: &str, bytes: Bytes) -> Result<(), SinkError> {
        let key = self.key(path)?;
        self.objects
            .put_bytes(&key, bytes)
            .await
            .map(|_| ())
            .map_err(|e| store_err(path, e))
    }

    fn location(&self, path: &str) -> String {
        format!("{}/{}", self.prefix, path)
    }
}

/// [`SinkWriter`] over an `objstore` [`ObjectWriter`] (bounded memory, all or nothing).
#[derive(Debug)]
pub struct ObjectSinkWriter {
    path: String,
    inner: ObjectWriter,
}

impl SinkWriter for ObjectSinkWriter {
    async fn write(&mut self, bytes: Bytes) -> Result<(), SinkError> {
        self.inner
            .write_bytes(bytes)
            .await
            .map_err(|e| store_err(&self.path, e))
    }

    async fn finish(self) -> Result<u64, SinkError> {
        let path = self.path;
        self.inner
            .finish()
            .await
            .map(|s| s.size)
            .map_err(|e| store_err(&path, e))
    }

    async fn abort(self) {
        if let Err(e) = self.inner.abort().await {
            tracing::warn!(path = %self.path, error = %e, "could not abort a segment upload");
        }
    }
}
