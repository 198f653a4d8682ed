//! Owns the `ours` runner: one `media::transcode` of a source file, read as a chunked
//! stream, into a local object store, timed from just before the call; the result is one
//! JSON object ([`OursReport`]) on stdout. CPU and memory are measured from outside.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use media::{JobOptions, Ladder, ObjectStoreSink};
use objstore::{ObjectStoreConfig, Objects};
use serde::{Deserialize, Serialize};

use crate::source;
use crate::timed_sink::TimedSink;

/// Media id of the benchmark job: outputs land in `OUT/media/bench/`.
pub const MEDIA_ID: &str = "bench";

/// One stored rendition.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Rendition {
    /// Folder name.
    pub name: String,
    /// Width, video renditions only.
    pub width: Option<u32>,
    /// Height, video renditions only.
    pub height: Option<u32>,
    /// Segments stored.
    pub segments: usize,
    /// Peak segment bit rate (master `BANDWIDTH`).
    pub bandwidth: u64,
}

/// What `media-bench ours` prints.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OursReport {
    /// Wall seconds from just before `transcode` to its return (master stored).
    pub wall_s: f64,
    /// Decoded source duration, seconds.
    pub source_duration_s: f64,
    /// Source seconds per wall second.
    pub speed: f64,
    /// First `.ts` committed, seconds from just before `transcode` (our sink's view).
    pub first_segment_s: Option<f64>,
    /// The same as `transcode` itself reports it (from its start, after GStreamer init).
    pub report_first_segment_s: Option<f64>,
    /// Renditions, largest first.
    pub renditions: Vec<Rendition>,
}

/// Transcodes `source` into a local object store rooted at `out`.
pub async fn run(
    source_path: &Path,
    out: &Path,
    ladder: Ladder,
    chunk: usize,
) -> anyhow::Result<OursReport> {
    let size = tokio::fs::metadata(source_path)
        .await
        .with_context(|| format!("reading {}", source_path.display()))?
        .len();
    let objects = Objects::open(&ObjectStoreConfig::local(out))
        .with_context(|| format!("opening a local object store at {}", out.display()))?;
    let stream = source::chunks(source_path, chunk).await?;
    let options = JobOptions {
        ladder,
        timeout: Duration::from_secs(4 * 3600),
        size_hint: Some(size),
        progress: None,
        // Priority as ffmpeg's: alone on the machine it changes nothing, and the
        // comparison stays like for like.
        thread_nice: 0,
    };
    let start = Instant::now();
    let sink = Arc::new(TimedSink::new(
        ObjectStoreSink::new(objects, MEDIA_ID).context("media id")?,
        start,
    ));
    let report = media::transcode(stream, &options, Arc::clone(&sink))
        .await
        .context("the transcode failed")?;
    let wall = start.elapsed().as_secs_f64();
    let duration = report.metadata.duration.as_secs_f64();
    Ok(OursReport {
        wall_s: wall,
        source_duration_s: duration,
        speed: if wall > 0.0 { duration / wall } else { 0.0 },
        first_segment_s: sink.first_segment().map(|d| d.as_secs_f64()),
        report_first_segment_s: report.first_segment_after.map(|d| d.as_secs_f64()),
        renditions: report
            .renditions
            .iter()
            .map(|r| Rendition {
                name: r.name.clone(),
                width: r.width,
                height: r.height,
                segments: r.segments.len(),
                bandwidth: r.bandwidth,
            })
            .collect(),
    })
}
