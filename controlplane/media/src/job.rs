//! Owns [`transcode`], one job from source bytes to stored outputs: feeding the appsrc
//! with backpressure, watching the bus, progress, the time limit and teardown; the final
//! step (playlists, thumbnails, master) is in `finalize`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::{Stream, StreamExt};
use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;

use crate::bridge::{Bridge, Outputs};
use crate::bus::BusMessages;
use crate::error::{BoxError, MediaError};
use crate::finalize::report;
use crate::hls::Segment;
use crate::ladder::Ladder;
use crate::metadata::MediaMetadata;
use crate::pipeline::{self, Shared};
use crate::sink::OutputSink;

/// Path of the master playlist inside the job's prefix.
pub const MASTER: &str = "master.m3u8";
/// Time allowed for open segment uploads to finish after the pipeline stops.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(60);

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Decoding and encoding.
    Transcoding,
    /// Storing playlists, thumbnails and the master playlist.
    Finalizing,
    /// Everything stored.
    Done,
}

impl Stage {
    /// The name used in `media.progress`.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Transcoding => "transcoding",
            Stage::Finalizing => "finalizing",
            Stage::Done => "done",
        }
    }
}

/// A progress report (about once a second while transcoding).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Stage.
    pub stage: Stage,
    /// 0–100.
    pub percent: u8,
}

/// Progress callback; called from the job's task, must not block.
pub type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// Everything a job needs besides its source and sink.
#[derive(Clone)]
pub struct JobOptions {
    /// What to produce.
    pub ladder: Ladder,
    /// Upper bound on the whole job; past it the job fails with [`MediaError::Timeout`].
    pub timeout: Duration,
    /// Source size when known (upload size): a progress fallback for containers that
    /// declare no duration.
    pub size_hint: Option<u64>,
    /// Progress callback.
    pub progress: Option<ProgressFn>,
    /// Nice value (0 to [`MAX_NICE`](crate::MAX_NICE)) of the job's streaming threads and
    /// x264's: above 0 they yield the CPU to the rest of the process (the data plane's
    /// shards) when both want it. 0 leaves their priority alone.
    pub thread_nice: i32,
}

impl Default for JobOptions {
    fn default() -> Self {
        JobOptions {
            ladder: Ladder::default(),
            timeout: Duration::from_secs(30 * 60),
            size_hint: None,
            progress: None,
            thread_nice: 0,
        }
    }
}

/// One stored rendition.
#[derive(Debug, Clone, PartialEq)]
pub struct RenditionReport {
    /// Name (folder).
    pub name: String,
    /// Width, video renditions only.
    pub width: Option<u32>,
    /// Height, video renditions only.
    pub height: Option<u32>,
    /// Peak segment bit rate (master `BANDWIDTH`).
    pub bandwidth: u64,
    /// Average bit rate (master `AVERAGE-BANDWIDTH`).
    pub average_bandwidth: u64,
    /// RFC 6381 codecs.
    pub codecs: String,
    /// Frame rate, video only.
    pub frame_rate: Option<f64>,
    /// Media playlist path, relative to the job.
    pub playlist: String,
    /// Segments, paths relative to the playlist.
    pub segments: Vec<Segment>,
}

/// What a successful job stored.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaReport {
    /// Master playlist path, relative to the job.
    pub master: String,
    /// Renditions, largest first.
    pub renditions: Vec<RenditionReport>,
    /// Poster path, when the source has video.
    pub poster: Option<String>,
    /// Thumbnail paths.
    pub thumbnails: Vec<String>,
    /// What the source is.
    pub metadata: MediaMetadata,
    /// Wall time of the job.
    pub elapsed: Duration,
    /// When the first segment was in the store, from the job's start.
    pub first_segment_after: Option<Duration>,
}

static INIT: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();

fn init() -> Result<(), MediaError> {
    INIT.get_or_init(|| {
        gst::init().map_err(|e| e.to_string())?;
        x264enc::register().map_err(|e| format!("armoricorex264enc: {e}"))?;
        h264dec::register().map_err(|e| format!("armoricoreh264dec: {e}"))?;
        scaler::register().map_err(|e| format!("armoricorescale: {e}"))
    })
    .clone()
    .map_err(|e| MediaError::Pipeline(format!("GStreamer did not initialise: {e}")))
}

async fn set_state(pipeline: &gst::Pipeline, state: gst::State) -> Result<(), MediaError> {
    // State changes may run the last segment's writes on the calling thread; they block
    // (store backpressure), so keep them off the async workers.
    let p = pipeline.clone();
    tokio::task::spawn_blocking(move || p.set_state(state))
        .await
        .map_err(|e| MediaError::Pipeline(format!("state change task: {e}")))?
        .map(|_| ())
        .map_err(|_| MediaError::Pipeline(format!("the pipeline refused to go to {state:?}")))
}

/// Transcodes `source` into an HLS ladder, thumbnails and metadata stored through `sink`.
///
/// The source is read once, as it arrives; nothing is written to the local disk. On
/// failure, segments not yet complete are aborted; completed ones may remain (a retry
/// overwrites the same paths) and no master playlist is written.
pub async fn transcode<St, E, S>(
    source: St,
    options: &JobOptions,
    sink: Arc<S>,
) -> Result<MediaReport, MediaError>
where
    St: Stream<Item = Result<Bytes, E>> + Send,
    E: Into<BoxError>,
    S: OutputSink,
{
    options.ladder.validate()?;
    init()?;
    let started = Instant::now();
    let bridge = Bridge {
        sink: Arc::clone(&sink),
        outputs: Arc::new(Mutex::new(Outputs::default())),
        cancelled: Arc::new(tokio::sync::watch::channel(false).0),
        handle: tokio::runtime::Handle::current(),
        started,
    };
    let shared = Arc::new(Shared::new(options.ladder.clone()));
    let (gate_tx, gate_rx) = tokio::sync::watch::channel(true);
    let (pipeline, appsrc) =
        pipeline::build_front(&shared, &bridge, Arc::new(gate_tx), options.size_hint)?;
    let fed = AtomicU64::new(0);
    // Before any state change: the first streaming threads start on the way to Playing,
    // and the handler must see their `stream-status` to set their priority.
    let messages = BusMessages::new(
        &pipeline
            .bus()
            .ok_or_else(|| MediaError::Pipeline("pipeline without bus".into()))?,
        options.thread_nice,
    );

    let run = async {
        set_state(&pipeline, gst::State::Playing).await?;
        let watch = Watch {
            messages,
            gate: gate_rx,
            cancelled: bridge.cancelled.subscribe(),
        };
        run(&pipeline, &appsrc, watch, source, &shared, options, &fed).await
    };
    let result = match tokio::time::timeout(options.timeout, run).await {
        Ok(r) => r,
        Err(_) => Err(MediaError::Timeout(options.timeout)),
    };
    if result.is_err() {
        bridge.cancelled.send_replace(true);
    }
    let stopped = set_state(&pipeline, gst::State::Null).await;
    drop(appsrc);
    drop(pipeline);
    drain(&bridge).await;
    let sink_error = bridge
        .outputs
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .first_error
        .take();
    if let Some(e) = sink_error {
        return Err(MediaError::Sink(e));
    }
    result?;
    stopped?;
    report(
        options,
        &shared,
        &bridge,
        fed.load(Ordering::Relaxed),
        started,
    )
    .await
}

/// Waits for every segment upload, including any opened during teardown.
async fn drain<S: OutputSink>(bridge: &Bridge<S>) {
    let deadline = Instant::now() + DRAIN_TIMEOUT;
    loop {
        let tasks = std::mem::take(
            &mut bridge
                .outputs
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .tasks,
        );
        if tasks.is_empty() {
            return;
        }
        for t in tasks {
            let left = deadline.saturating_duration_since(Instant::now());
            if tokio::time::timeout(left, t).await.is_err() {
                tracing::warn!("a segment upload did not finish within the drain time");
            }
        }
    }
}

async fn feed<St, E>(
    appsrc: &gst_app::AppSrc,
    source: St,
    mut gate: tokio::sync::watch::Receiver<bool>,
    fed: &AtomicU64,
) -> Result<(), MediaError>
where
    St: Stream<Item = Result<Bytes, E>>,
    E: Into<BoxError>,
{
    let mut source = std::pin::pin!(source);
    let mut total = 0u64;
    while let Some(item) = source.next().await {
        let bytes = item.map_err(|e| MediaError::Source { source: e.into() })?;
        if bytes.is_empty() {
            continue;
        }
        // Backpressure: wait while appsrc's 1 MiB queue is full.
        if gate.wait_for(|hungry| *hungry).await.is_err() {
            return Ok(());
        }
        total += bytes.len() as u64;
        fed.store(total, Ordering::Relaxed);
        // Zero-copy: the buffer wraps the `Bytes`.
        if appsrc.push_buffer(gst::Buffer::from_slice(bytes)).is_err() {
            // The pipeline stopped; the bus says why.
            return Ok(());
        }
    }
    if total == 0 {
        return Err(MediaError::EmptyInput);
    }
    let _ = appsrc.end_of_stream();
    Ok(())
}

/// What the running job listens to besides its source.
struct Watch {
    /// The pipeline's bus.
    messages: BusMessages,
    /// appsrc's "wants data" gate (backpressure on the source).
    gate: tokio::sync::watch::Receiver<bool>,
    /// The bridge's cancel signal: set while the job runs only when the store refuses a
    /// segment.
    cancelled: tokio::sync::watch::Receiver<bool>,
}

async fn run<St, E>(
    pipeline: &gst::Pipeline,
    appsrc: &gst_app::AppSrc,
    watch: Watch,
    source: St,
    shared: &Arc<Shared>,
    options: &JobOptions,
    fed: &AtomicU64,
) -> Result<(), MediaError>
where
    St: Stream<Item = Result<Bytes, E>>,
    E: Into<BoxError>,
{
    let Watch {
        mut messages,
        gate,
        mut cancelled,
    } = watch;
    let feeding = feed(appsrc, source, gate, fed);
    let mut feeding = std::pin::pin!(feeding);
    let mut fed_all = false;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut declared: Option<gst::ClockTime> = None;
    let mut last_percent = 0u8;
    loop {
        tokio::select! {
            r = &mut feeding, if !fed_all => {
                fed_all = true;
                r?;
            }
            // The store's own error is what the job reports (see `transcode`).
            Ok(_) = cancelled.wait_for(|cancelled| *cancelled) => {
                return Err(MediaError::Pipeline("stopped: an output could not be stored".into()));
            }
            msg = messages.next() => {
                let Some(msg) = msg else {
                    return Err(MediaError::Pipeline("the bus closed".into()));
                };
                match msg.view() {
                    gst::MessageView::Eos(_) => break,
                    gst::MessageView::Error(e) => {
                        if let Some(setup) = shared.lock().setup_error.take() {
                            return Err(setup);
                        }
                        return Err(MediaError::from_gst(e));
                    }
                    // Tag messages are not read: only sinks post them, and what reaches
                    // ours is partly our encoders' (see `metadata`).
                    gst::MessageView::Warning(w) => {
                        tracing::debug!(warning = %w.error(), "gstreamer warning");
                    }
                    _ => {}
                }
            }
            _ = tick.tick() => {
                if let Some(d) = pipeline.query_duration::<gst::ClockTime>() {
                    declared = Some(declared.map_or(d, |old| old.max(d)));
                }
                if let Some(cb) = &options.progress {
                    // Never backwards, even when the estimate switches from bytes read
                    // to decoded time once the duration becomes known.
                    let now = progress(shared.decoded(), declared, fed.load(Ordering::Relaxed), options.size_hint);
                    last_percent = last_percent.max(now);
                    cb(Progress { stage: Stage::Transcoding, percent: last_percent });
                }
            }
        }
    }
    if declared.is_none() {
        declared = pipeline.query_duration::<gst::ClockTime>();
    }
    // A source cut short often decodes "cleanly" to EOS; compare with what the
    // container declared.
    let decoded = shared.decoded();
    if let Some(d) = declared
        && d > gst::ClockTime::ZERO
    {
        let slack = gst::ClockTime::from_seconds(1).max(d / 10);
        if decoded + slack < d {
            return Err(MediaError::Truncated {
                reason: format!(
                    "the container declares {:.1} s but only {:.1} s could be decoded",
                    d.seconds_f64(),
                    decoded.seconds_f64()
                ),
            });
        }
    }
    if shared.lock().renditions.is_empty() {
        return Err(MediaError::Unsupported {
            reason: "no audio or video stream was found".into(),
        });
    }
    Ok(())
}

fn progress(
    decoded: gst::ClockTime,
    declared: Option<gst::ClockTime>,
    fed: u64,
    size: Option<u64>,
) -> u8 {
    let fraction = match (declared, size) {
        (Some(d), _) if d > gst::ClockTime::ZERO => decoded.nseconds() as f64 / d.nseconds() as f64,
        (_, Some(s)) if s > 0 => fed as f64 / s as f64,
        _ => 0.0,
    };
    // 99 at most until the outputs are stored.
    (fraction * 100.0).clamp(0.0, 99.0) as u8
}
