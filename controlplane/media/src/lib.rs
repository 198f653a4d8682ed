//! Streaming media processing for Armoricore: source bytes in, an HLS rendition ladder
//! (H.264 + AAC in MPEG-TS), a master playlist, thumbnails and metadata out, through an
//! [`OutputSink`] (object storage in production), with nothing written to the local disk.
//!
//! ```no_run
//! # async fn demo(objects: objstore::Objects, body: futures::stream::BoxStream<'static, Result<bytes::Bytes, std::io::Error>>) -> Result<(), media::MediaError> {
//! use std::sync::Arc;
//! let sink = Arc::new(media::ObjectStoreSink::new(objects, "m-42").expect("valid id"));
//! let report = media::transcode(body, &media::JobOptions::default(), sink).await?;
//! println!("{} renditions, master at {}", report.renditions.len(), report.master);
//! # Ok(()) }
//! ```
//!
//! # Layout
//! - `job`: [`transcode`], the job: feeding, bus, progress, time limit, teardown, final
//!   playlists and master.
//! - `finalize`: VOD playlists, bandwidth and codec strings, thumbnails, master last.
//! - `pipeline`: the GStreamer graph (appsrc → decodebin (armoricoreh264dec for 8-bit 4:2:0
//!   H.264) → tee → armoricorex264enc per rung,
//!   each scaled from the next larger rung / one AAC encode → `mpegtsmux ! appsink` per
//!   rung, plus the thumbnail branch).
//! - `branches`: the element chains of one rung, one rendition's muxer and appsink, the
//!   thumbnail branch, and the probes that read codec profiles.
//! - `segmenter`: our HLS segmenter, cutting each rendition's transport stream at aligned
//!   keyframes (or audio frames) with PAT/PMT first in every segment.
//! - `bridge`: the segmenter's output → the async sink, streamed, with backpressure.
//! - `bus`: the job's bus messages, and its streaming threads' priority
//!   ([`JobOptions::thread_nice`]).
//! - `sink`: [`OutputSink`] and [`ObjectStoreSink`] (`media/{media_id}/…` in `objstore`).
//! - `ladder`: [`Ladder`] and the pure rendition planning ([`plan`]).
//! - `hls`: playlist parsing and writing, RFC 6381 codec strings, bandwidth figures.
//! - `thumbs`: bounded single-pass thumbnail selection and JPEG encoding.
//! - `metadata`: [`MediaMetadata`] from typefind, tags and decoded caps.
//! - `error`: [`MediaError`], sorted into final and retryable failures.
//! - `source`: [`source::Sources`], an event's `source` (object key, `s3://`, guarded
//!   `http(s)://`) as a byte stream, with the size limit and the final/retryable sort.
//! - `worker`: the durable `media.uploaded` consumer (asset row, `media.*` events).
//!
//! # Invariants
//! - The source is read once, in order, as it arrives; appsrc holds at most 1 MiB of it.
//!   (qtdemux may itself buffer the media data of an MP4 whose `moov` comes last.)
//! - Nothing touches the local filesystem: segments go from the muxer's appsink straight
//!   to the store.
//! - Every segment starts with PAT, PMT and (video) a keyframe, and keyframes are at the
//!   same instants in every rendition (fixed GOP = frame rate × segment duration, no
//!   scene cuts), so every rendition is cut at the same instants.
//! - No rendition is larger than the source; dimensions are even; aspect is kept.
//! - The master playlist is written last and only on success.
//! - Every job ends within [`JobOptions::timeout`] (plus the upload drain), and on the
//!   first output the store refuses, without transcoding the rest.
#![forbid(unsafe_code)]

mod branches;
mod bridge;
mod bus;
mod error;
mod finalize;
mod hls;
mod job;
mod ladder;
mod metadata;
mod pipeline;
mod segmenter;
mod sink;
pub mod source;
mod thumbs;
pub mod worker;

pub use bridge::{CHANNEL_CAPACITY, CHUNK};
pub use bus::MAX_NICE;
pub use error::{BoxError, MediaError};
pub use hls::{Segment, Variant, avc1_codec_from_annexb, master_playlist};
pub use job::{
    JobOptions, MASTER, MediaReport, Progress, ProgressFn, RenditionReport, Stage, transcode,
};
pub use ladder::{Ladder, PlannedRendition, Rung, X264Preset, gop_frames, plan};
pub use metadata::MediaMetadata;
pub use pipeline::AUDIO_ONLY;
pub use sink::{ObjectSinkWriter, ObjectStoreSink, OutputSink, SinkError, SinkWriter};
