//! Owns the plain data the API hands back: [`ObjectMeta`], [`PutSummary`], [`ByteRange`]
//! and [`ObjectRead`] (metadata plus a body stream).

use std::fmt;
use std::ops::{Range, RangeFrom};
use std::time::SystemTime;

use bytes::Bytes;
use futures::stream::BoxStream;

use crate::error::ObjectStoreError;
use crate::key::ObjectKey;

/// A stream of an object's bytes. Chunk sizes are the backend's (network frames for S3,
/// [`LOCAL_READ_CHUNK`](crate::LOCAL_READ_CHUNK) for the local backend).
pub type ByteStream = BoxStream<'static, Result<Bytes, ObjectStoreError>>;

/// What the store knows about one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectMeta {
    /// The object's key (without the store's prefix).
    pub key: ObjectKey,
    /// Size in bytes.
    pub size: u64,
    /// Last write time, as the store reports it.
    pub last_modified: SystemTime,
    /// Opaque version tag (for `ETag`/`If-None-Match`), when the store gives one.
    pub e_tag: Option<String>,
}

impl ObjectMeta {
    pub(crate) fn from_store(key: ObjectKey, meta: &object_store::ObjectMeta) -> Self {
        Self {
            key,
            size: meta.size,
            last_modified: SystemTime::from(meta.last_modified),
            e_tag: meta.e_tag.clone(),
        }
    }
}

/// What a completed write stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutSummary {
    /// The key written.
    pub key: ObjectKey,
    /// Bytes stored.
    pub size: u64,
    /// The new object's tag, when the store gives one.
    pub e_tag: Option<String>,
}

/// A byte range to read, as HTTP `Range` can express it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ByteRange {
    /// `start..end` (end exclusive). An end past the object is clamped to its size.
    Bounded(Range<u64>),
    /// From `start` to the end of the object.
    From(u64),
    /// The last `n` bytes (the whole object if it is shorter).
    Suffix(u64),
}

impl ByteRange {
    /// Rejects empty ranges, which no backend serves the same way.
    pub(crate) fn check(&self) -> Result<object_store::GetRange, ObjectStoreError> {
        match self {
            Self::Bounded(r) if r.start < r.end => Ok(object_store::GetRange::Bounded(r.clone())),
            Self::From(start) => Ok(object_store::GetRange::Offset(*start)),
            Self::Suffix(n) if *n > 0 => Ok(object_store::GetRange::Suffix(*n)),
            _ => Err(ObjectStoreError::InvalidRange {
                range: self.to_string(),
            }),
        }
    }

    /// Whether no byte of an object of `size` bytes lies in the range.
    pub(crate) fn unsatisfiable_for(&self, size: u64) -> bool {
        match self {
            Self::Bounded(r) => r.start >= size,
            Self::From(start) => *start >= size,
            Self::Suffix(_) => size == 0,
        }
    }
}

impl fmt::Display for ByteRange {
    /// Written as the HTTP `Range` header would (inclusive end).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bounded(r) if r.start < r.end => write!(f, "bytes={}-{}", r.start, r.end - 1),
            Self::Bounded(r) => write!(f, "empty range {}..{}", r.start, r.end),
            Self::From(start) => write!(f, "bytes={start}-"),
            Self::Suffix(n) => write!(f, "bytes=-{n}"),
        }
    }
}

impl From<Range<u64>> for ByteRange {
    fn from(r: Range<u64>) -> Self {
        Self::Bounded(r)
    }
}

impl From<RangeFrom<u64>> for ByteRange {
    fn from(r: RangeFrom<u64>) -> Self {
        Self::From(r.start)
    }
}

/// An object being read: its metadata, the byte range being sent, and the bytes.
pub struct ObjectRead {
    /// Metadata of the whole object (`size` is the full size, for `Content-Range`).
    pub meta: ObjectMeta,
    /// The bytes `body` yields, as offsets in the object (the whole object for a full read).
    pub range: Range<u64>,
    /// The bytes. Dropping it closes the read.
    pub body: ByteStream,
}

impl fmt::Debug for ObjectRead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObjectRead")
            .field("meta", &self.meta)
            .field("range", &self.range)
            .finish_non_exhaustive()
    }
}
