//! Object storage for Armoricore: a local directory (the embedded default,
//! `<data_dir>/objects`) or an S3-compatible bucket, behind one handle, [`Objects`].
//!
//! The media pipeline streams renditions, segments and playlists into it; the HTTP layer
//! serves `GET /media/...` from it (with `Range`) and streams uploads into it. Depend on
//! it for anything that stores or serves object bytes; it knows nothing of media.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use objstore::{ObjectKey, ObjectStoreConfig, Objects};
//! let objects = Objects::open(&ObjectStoreConfig::local("/var/lib/armoricore/objects"))?;
//! let key = ObjectKey::new("media/42/master.m3u8")?;
//! objects.put_bytes(&key, "#EXTM3U\n".into()).await?;
//! let read = objects.get_range_stream(&key, 0..4).await?;
//! assert_eq!(read.range, 0..4);
//! # Ok(()) }
//! ```
//!
//! # Layout
//! - `key`: [`ObjectKey`], the validated object name, and its rules.
//! - `config`: raw environment ([`ObjectStoreEnv`]) → resolved [`ObjectStoreConfig`];
//!   [`UploadLimits`], the memory bound of streaming writes.
//! - `backend`: builds the `object_store` backend (LocalFileSystem or AmazonS3) and its
//!   description.
//! - `objects`: [`Objects`], the handle: put/get/range/head/delete/list/health.
//! - `writer`: [`ObjectWriter`], the bounded-memory, all-or-nothing streaming write
//!   (also behind [`Objects::put_stream`]).
//! - `read`: read results → [`ByteStream`]; local files in [`LOCAL_READ_CHUNK`] chunks.
//! - `meta`: [`ObjectMeta`], [`PutSummary`], [`ByteRange`], [`ObjectRead`].
//! - `error`: [`ObjectStoreError`] and how backend errors are sorted into it.
//!
//! # Invariants
//! - Every key reaching a backend passed [`ObjectKey::new`]: relative, no empty, `.` or
//!   `..` segment, no backslash, control or reserved character, segments ≤ 240 bytes,
//!   ≤ 1024 bytes including
//!   the store's prefix. A key cannot name anything outside the root or prefix.
//! - A write is all or nothing: an object is visible under its key only once its
//!   write committed; an aborted, failed or dropped write leaves nothing visible
//!   (multipart uploads are aborted; local staging files are removed).
//! - A streaming write holds at most `part_size × (max_concurrent_parts + 1)` bytes
//!   ([`UploadLimits::memory_bound`]: 40 MiB on S3, 1.25 MiB on the local store) whatever the
//!   object's size, and writes no temporary file outside the store. A streaming read holds
//!   one chunk.
//! - Local writes are fsynced before they are acknowledged.
//! - [`Objects::health`] makes a real round trip to the store, bounded by
//!   [`HEALTH_TIMEOUT`].
//! - All I/O needs a tokio runtime (object_store spawns uploads and blocking file I/O).

mod backend;
mod config;
mod error;
mod key;
mod meta;
mod objects;
mod read;
mod writer;

pub use config::{
    Backend, ConfigError, DEFAULT_MAX_CONCURRENT_PARTS, DEFAULT_PART_SIZE, DEFAULT_REGION,
    LOCAL_PART_SIZE, MAX_PART_SIZE, MAX_PARTS, MIN_PART_SIZE, ObjectStoreConfig, ObjectStoreEnv,
    S3Config, S3Credentials, UploadLimits, vars,
};
pub use error::{BoxError, ObjectStoreError};
pub use key::{InvalidKey, MAX_KEY_BYTES, MAX_SEGMENT_BYTES, ObjectKey, RESERVED_CHARS};
pub use meta::{ByteRange, ByteStream, ObjectMeta, ObjectRead, PutSummary};
pub use objects::{HEALTH_TIMEOUT, Objects};
pub use read::LOCAL_READ_CHUNK;
pub use writer::ObjectWriter;
