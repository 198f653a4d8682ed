//! Payloads of the `media.*` events.

use serde::{Deserialize, Serialize};

use super::JsonObject;
use crate::ResourceId;

/// `media.uploaded`: a source is ready to be processed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediaUploaded {
    /// The asset being processed.
    pub media_id: ResourceId,
    /// Its owner.
    pub user_id: ResourceId,
    /// `s3://bucket/key`, `http(s)://…`, or a key in the configured object store.
    pub source: String,
    /// MIME type declared by the uploader.
    pub content_type: String,
    /// Size in bytes declared by the uploader.
    pub file_size: u64,
    /// Free-form metadata passed through to `media.ready`.
    #[serde(default)]
    pub metadata: JsonObject,
}

/// `media.progress`: a job advanced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediaProgress {
    /// The asset being processed.
    pub media_id: ResourceId,
    /// Its owner.
    pub user_id: ResourceId,
    /// Stage name (`fetching`, `transcoding`, `thumbnails`, …).
    pub stage: String,
    /// Completion of the whole job, 0 to 100.
    pub percent: f64,
}

/// The playback entry points of a ready asset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Playback {
    /// URL of the HLS master playlist.
    pub hls: String,
}

/// One variant of the HLS ladder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rendition {
    /// Rung name (`720p`, `audio`).
    pub name: String,
    /// Width in pixels (0 for audio-only).
    pub width: u32,
    /// Height in pixels (0 for audio-only).
    pub height: u32,
    /// Peak bit rate in bits/s, as the master playlist's BANDWIDTH.
    pub bandwidth: u64,
    /// RFC 6381 codecs string (`avc1.64001f,mp4a.40.2`).
    pub codecs: String,
    /// URL or key of the media playlist.
    pub playlist: String,
}

/// `media.ready`: every output is stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediaReady {
    /// The asset.
    pub media_id: ResourceId,
    /// Its owner.
    pub user_id: ResourceId,
    /// Where to play it.
    pub playback: Playback,
    /// The ladder, highest first.
    pub renditions: Vec<Rendition>,
    /// URLs or keys of the poster and thumbnails.
    #[serde(default)]
    pub thumbnails: Vec<String>,
    /// Duration of the source in milliseconds.
    pub duration_ms: u64,
    /// Probed metadata plus the uploader's.
    #[serde(default)]
    pub metadata: JsonObject,
}

/// `media.failed`: a job ended without outputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediaFailed {
    /// The asset.
    pub media_id: ResourceId,
    /// Its owner.
    pub user_id: ResourceId,
    /// Human-readable reason.
    pub reason: String,
    /// Whether trying again later may succeed.
    pub retryable: bool,
}
