//! Owns the media worker: a durable consumer of `media.uploaded` that runs [`transcode`]
//! from the object store into the object store and settles each delivery only after its
//! effects are durable.
//!
//! # One delivery
//! 1. Decode; an undecodable message or another event type is terminated (dead letter).
//! 2. Record the asset (`create_media_asset` is a no-op on redelivery). If the asset is
//!    already `ready` (a crash between storing the row and the ack), publish its stored
//!    `media.ready` again — same deterministic event id, so the bus drops the duplicate —
//!    and ack.
//! 3. Mark it `processing`, stream the source (module `source`) into the job
//!    (`media.progress` about once a second; the delivery's `ack_wait` is restarted every
//!    third of it while the job runs).
//! 4. Success: the outputs are all stored (the master playlist last), then the row becomes
//!    `ready` with the `media.ready` payload as its outputs, then `media.ready` is
//!    published (event id derived from the media id), then ack. A crash at any step
//!    redelivers, and the rerun writes the same keys.
//! 5. Final failure (bad input, missing source, or a retryable failure on the last allowed
//!    attempt): row `failed` with the reason, `media.failed`, then `term` (a dead letter
//!    carrying the reason) — or `nak` on the last attempt, which dead-letters too.
//!    A retryable failure with attempts left is `nak`ed with the queue's backoff.
//!    Store or bus errors while settling `nak` the delivery: nothing is lost.
//!
//! Sources ([`SourceConfig`]): a key in the configured object store, `s3://bucket/key`
//! with the node's S3 settings, or an `http(s)://` URL behind the address guard. A
//! source error is final or retryable as [`SourceError`](crate::source::SourceError)
//! sorts it: a missing, refused, malformed or oversized source ends the job for good;
//! a network, timeout, 5xx or 429 failure is retried through the queue's backoff.
//!
//! # Metrics
//! On the process's `metrics` recorder (the node's `/metrics`): [`JOBS_TOTAL`] by outcome,
//! [`JOBS_RUNNING`], [`JOB_SECONDS`] by outcome and [`TRANSCODE_SPEED`].
//!
//! # Limits
//! At most `max_jobs` jobs at once ([`bus::consumer::Consumer`] stops pulling while that
//! many are in hand; the bus's `max_ack_pending` is twice that). Progress events go through a
//! channel of [`PROGRESS_CAPACITY`]; when it is full a progress event is dropped (the
//! next one, a second later, supersedes it).

use std::sync::Arc;
use std::time::Duration;

use bus::consumer::{Consumer, keep_alive};
use bus::{Bus, Delivery, WorkQueueSpec};
use codecs::events::{MediaFailed, MediaProgress, MediaReady, MediaUploaded, Playback, Rendition};
use codecs::{Event, EventType, Payload};
use objstore::Objects;
use store::{MediaStatus, NewMediaAsset, Store};
use tokio::sync::mpsc;

use crate::error::MediaError;
use crate::job::{JobOptions, MediaReport, transcode};
use crate::ladder::Ladder;
use crate::sink::ObjectStoreSink;
use crate::source::{SourceConfig, SourceSetupError, Sources};

/// Progress events waiting to be published per job before new ones are dropped.
pub const PROGRESS_CAPACITY: usize = 4;

/// The worker's settings.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// What every job produces.
    pub ladder: Ladder,
    /// Jobs at once on this node (`MEDIA_MAX_JOBS`).
    pub max_jobs: usize,
    /// Upper bound of one job.
    pub job_timeout: Duration,
    /// Durable consumer name.
    pub durable: String,
    /// Deliveries allowed per message.
    pub max_deliver: u32,
    /// Redelivery backoff after a retryable failure.
    pub backoff: Vec<Duration>,
    /// How long a delivery may stay unsettled without a sign of life.
    pub ack_wait: Duration,
    /// `source` of the events we publish.
    pub source: String,
    /// URL prefix the HTTP layer serves `media/…` keys under (`/media` → `/media/{id}/…`).
    pub playback_base: String,
    /// Where sources may come from and how they are read.
    pub sources: SourceConfig,
    /// `MEDIA_THREAD_NICE`: nice value of every job's threads ([`JobOptions::thread_nice`]).
    pub thread_nice: i32,
}

/// Counter of finished attempts by `outcome`: `ready`, `retry` (a retryable failure with
/// attempts left), `failed` (final, or retryable on the last attempt), `replayed` (a
/// redelivery of a job already ready, announced again without transcoding).
pub const JOBS_TOTAL: &str = "armoricore_media_jobs_total";
/// Gauge of transcodes running on this node.
pub const JOBS_RUNNING: &str = "armoricore_media_jobs_running";
/// Histogram of attempt wall time in seconds, by `outcome` (`ready`, `retry`, `failed`).
pub const JOB_SECONDS: &str = "armoricore_media_job_seconds";
/// Histogram of source seconds transcoded per wall second, successful jobs only.
pub const TRANSCODE_SPEED: &str = "armoricore_media_transcode_speed";

/// Counts a transcode in [`JOBS_RUNNING`] while it lives (also when its task is dropped).
struct RunningJob;

impl RunningJob {
    fn start() -> Self {
        metrics::gauge!(JOBS_RUNNING).increment(1.0);
        RunningJob
    }
}

impl Drop for RunningJob {
    fn drop(&mut self) {
        metrics::gauge!(JOBS_RUNNING).decrement(1.0);
    }
}

/// How one transcode attempt ends: decided once, for the metrics and for settling it.
enum Attempt {
    Ready(Box<MediaReport>),
    /// A retryable failure with attempts left: `nak`ed, the queue's backoff retries it.
    Retry(Final),
    /// A final failure, or a retryable one on the last attempt.
    Failed(Final),
}

impl Attempt {
    fn of(result: Result<MediaReport, Final>, last_attempt: bool) -> Self {
        match result {
            Ok(report) => Attempt::Ready(Box::new(report)),
            Err(f) if f.retryable && !last_attempt => Attempt::Retry(f),
            Err(f) => Attempt::Failed(f),
        }
    }

    /// The `outcome` label of [`JOBS_TOTAL`] and [`JOB_SECONDS`].
    fn outcome(&self) -> &'static str {
        match self {
            Attempt::Ready(_) => "ready",
            Attempt::Retry(_) => "retry",
            Attempt::Failed(_) => "failed",
        }
    }
}

/// Records one attempt's outcome, wall time and (when it succeeded) speed.
fn record_outcome(attempt: &Attempt, wall: Duration) {
    let outcome = attempt.outcome();
    metrics::counter!(JOBS_TOTAL, "outcome" => outcome).increment(1);
    metrics::histogram!(JOB_SECONDS, "outcome" => outcome).record(wall.as_secs_f64());
    if let Attempt::Ready(report) = attempt
        && !wall.is_zero()
    {
        metrics::histogram!(TRANSCODE_SPEED)
            .record(report.metadata.duration.as_secs_f64() / wall.as_secs_f64());
    }
}

/// Default of [`WorkerConfig::thread_nice`]: media threads yield to the data plane's shards
/// (docs/decisions.md, "Media: jobs beside the shards, at a lower priority").
pub const DEFAULT_THREAD_NICE: i32 = 10;

impl Default for WorkerConfig {
    fn default() -> Self {
        let spec = WorkQueueSpec::new("media-processor", [""; 0]);
        WorkerConfig {
            ladder: Ladder::default(),
            max_jobs: 2,
            job_timeout: Duration::from_secs(30 * 60),
            durable: "media-processor".into(),
            max_deliver: spec.max_deliver,
            backoff: spec.backoff,
            ack_wait: spec.ack_wait,
            source: "armoricore".into(),
            playback_base: "/media".into(),
            sources: SourceConfig::default(),
            thread_nice: DEFAULT_THREAD_NICE,
        }
    }
}

/// Why the worker could not start.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// The work queue was refused.
    #[error("cannot open the media.uploaded work queue: {0}")]
    Bus(#[from] bus::BusError),
    /// The configuration is unusable.
    #[error(transparent)]
    Options(#[from] MediaError),
    /// The source settings are unusable.
    #[error(transparent)]
    Sources(#[from] SourceSetupError),
}

/// The running worker.
pub struct WorkerHandle {
    consumer: Consumer,
}

impl WorkerHandle {
    /// Stops pulling, then waits up to `grace` for jobs in flight; unsettled ones are
    /// redelivered by the bus after their `ack_wait`.
    pub async fn stop(self, grace: Duration) {
        self.consumer.stop(grace).await;
    }
}

struct Worker {
    bus: Arc<dyn Bus>,
    store: Arc<dyn Store>,
    objects: Objects,
    sources: Sources,
    config: WorkerConfig,
}

/// Starts consuming `media.uploaded`.
pub async fn start(
    config: WorkerConfig,
    bus: Arc<dyn Bus>,
    store: Arc<dyn Store>,
    objects: Objects,
) -> Result<WorkerHandle, WorkerError> {
    config.ladder.validate()?;
    let sources = Sources::new(&config.sources, objects.clone())?;
    let max_jobs = config.max_jobs.clamp(1, 1024);
    let spec = WorkQueueSpec {
        durable: config.durable.clone(),
        subjects: vec![EventType::MediaUploaded.subject(bus.subject_prefix())],
        max_deliver: config.max_deliver.max(1),
        backoff: config.backoff.clone(),
        ack_wait: config.ack_wait,
        max_ack_pending: max_jobs * 2,
    };
    let queue = bus.work_queue(spec).await?;
    tracing::info!(max_jobs, durable = %config.durable, "media worker started");
    let worker = Arc::new(Worker {
        bus,
        store,
        objects,
        sources,
        config,
    });
    let consumer = Consumer::start("media", queue, max_jobs, move |delivery| {
        let worker = Arc::clone(&worker);
        async move { worker.handle(delivery).await }
    });
    Ok(WorkerHandle { consumer })
}

/// How a delivery is settled.
enum Verdict {
    Ack,
    Nak,
    Term(String),
}

/// A job outcome that is final for this message.
struct Final {
    reason: String,
    retryable: bool,
}

impl Worker {
    async fn handle(&self, delivery: Delivery) {
        let verdict = match Event::decode(&delivery.payload) {
            Ok(Event {
                payload: Payload::MediaUploaded(job),
                ..
            }) => self.process(&delivery, &job).await,
            Ok(other) => Verdict::Term(format!("not a media.uploaded event: {}", other.event_type)),
            Err(e) => Verdict::Term(format!("undecodable media.uploaded: {e}")),
        };
        let settled = match verdict {
            Verdict::Ack => delivery.ack().await,
            Verdict::Nak => delivery.nak(None).await,
            Verdict::Term(reason) => delivery.term(&reason).await,
        };
        if let Err(e) = settled {
            tracing::warn!(error = %e, "could not settle a media.uploaded delivery; it will be redelivered");
        }
    }

    async fn process(&self, delivery: &Delivery, job: &MediaUploaded) -> Verdict {
        let id = &job.media_id;
        let new = NewMediaAsset {
            id: id.clone(),
            user_id: job.user_id.clone(),
            source: job.source.clone(),
            content_type: job.content_type.clone(),
            file_size: job.file_size,
        };
        if let Err(e) = self.store.create_media_asset(&new).await {
            tracing::warn!(media_id = %id, error = %e, "cannot record the asset");
            return Verdict::Nak;
        }
        match self.store.get_media_asset(id).await {
            Ok(Some(asset)) if asset.status == MediaStatus::Ready => {
                // Done before a crash that lost the ack: announce it again (same event id).
                let ready = asset
                    .outputs
                    .and_then(|o| serde_json::from_value::<MediaReady>(o).ok());
                return match ready {
                    Some(ready) => {
                        metrics::counter!(JOBS_TOTAL, "outcome" => "replayed").increment(1);
                        self.publish_settle(Payload::MediaReady(ready), id.as_str(), Verdict::Ack)
                            .await
                    }
                    None => Verdict::Nak,
                };
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(media_id = %id, error = %e, "cannot read the asset");
                return Verdict::Nak;
            }
        }
        if let Err(e) = self
            .store
            .set_media_status(id, MediaStatus::Processing, None, None, None)
            .await
        {
            tracing::warn!(media_id = %id, error = %e, "cannot mark the asset processing");
            return Verdict::Nak;
        }

        let started = std::time::Instant::now();
        let result = {
            let _running = RunningJob::start();
            self.run_job(delivery, job).await
        };
        let attempt = Attempt::of(result, delivery.is_last_attempt());
        record_outcome(&attempt, started.elapsed());
        match attempt {
            Attempt::Ready(report) => self.succeed(job, &report).await,
            Attempt::Retry(f) => {
                tracing::info!(media_id = %id, reason = %f.reason, attempt = delivery.attempt, "media job will be retried");
                Verdict::Nak
            }
            Attempt::Failed(f) => self.fail(job, f).await,
        }
    }

    async fn run_job(
        &self,
        delivery: &Delivery,
        job: &MediaUploaded,
    ) -> Result<MediaReport, Final> {
        let final_ = |reason: String, retryable| Final { reason, retryable };
        let read = self
            .sources
            .open(&job.source)
            .await
            .map_err(|e| final_(e.to_string(), e.is_retryable()))?;
        let sink = ObjectStoreSink::new(self.objects.clone(), job.media_id.as_str())
            .map_err(|e| final_(format!("media id cannot name objects: {e}"), false))?;

        let (tx, mut rx) = mpsc::channel::<(String, u8)>(PROGRESS_CAPACITY);
        let options = JobOptions {
            ladder: self.config.ladder.clone(),
            timeout: self.config.job_timeout,
            size_hint: read.size,
            progress: Some(Arc::new(move |p: crate::job::Progress| {
                // Lossy by design: a newer report follows within a second.
                let _ = tx.try_send((p.stage.as_str().to_string(), p.percent));
            })),
            thread_nice: self.config.thread_nice,
        };
        let publisher = {
            let bus = Arc::clone(&self.bus);
            let (media_id, user_id, source) = (
                job.media_id.clone(),
                job.user_id.clone(),
                self.config.source.clone(),
            );
            tokio::spawn(async move {
                while let Some((stage, percent)) = rx.recv().await {
                    let event = Event::new(
                        source.clone(),
                        Payload::MediaProgress(MediaProgress {
                            media_id: media_id.clone(),
                            user_id: user_id.clone(),
                            stage,
                            percent: f64::from(percent),
                        }),
                    );
                    if let Err(e) = bus::publish_event(bus.as_ref(), &event).await {
                        tracing::debug!(error = %e, "media.progress not published");
                    }
                }
            })
        };
        // The job (and its borrow of `options`) ends in this block, so dropping `options`
        // below closes the progress channel and lets the publisher finish.
        let result = {
            let job = transcode(read.body, &options, Arc::new(sink));
            keep_alive(delivery, self.config.ack_wait, job).await
        };
        drop(options);
        let _ = publisher.await;
        result.map_err(|e| final_(e.to_string(), e.is_retryable()))
    }

    async fn succeed(&self, job: &MediaUploaded, report: &MediaReport) -> Verdict {
        let base = format!(
            "{}/{}",
            self.config.playback_base.trim_end_matches('/'),
            job.media_id
        );
        let url = |path: &str| format!("{base}/{path}");
        let meta = &report.metadata;
        let mut metadata = job.metadata.clone();
        if let Ok(serde_json::Value::Object(probed)) = serde_json::to_value(serde_json::json!({
            "container": meta.container,
            "container_format": meta.container_format,
            "video_codec": meta.video_codec,
            "audio_codec": meta.audio_codec,
            "width": meta.width,
            "height": meta.height,
            "frame_rate": meta.frame_rate,
            "bitrate": meta.bitrate,
            "video_bitrate": meta.video_bitrate,
            "audio_bitrate": meta.audio_bitrate,
            "rotation": meta.rotation,
        })) {
            metadata.extend(probed);
        }
        let mut thumbnails: Vec<String> = report.poster.iter().map(|p| url(p)).collect();
        thumbnails.extend(report.thumbnails.iter().map(|t| url(t)));
        let duration_ms = u64::try_from(meta.duration.as_millis()).unwrap_or(u64::MAX);
        let ready = MediaReady {
            media_id: job.media_id.clone(),
            user_id: job.user_id.clone(),
            playback: Playback {
                hls: url(&report.master),
            },
            renditions: report
                .renditions
                .iter()
                .map(|r| Rendition {
                    name: r.name.clone(),
                    width: r.width.unwrap_or(0),
                    height: r.height.unwrap_or(0),
                    bandwidth: r.bandwidth,
                    codecs: r.codecs.clone(),
                    playlist: url(&r.playlist),
                })
                .collect(),
            thumbnails,
            duration_ms,
            metadata,
        };
        let outputs = match serde_json::to_value(&ready) {
            Ok(v) => v,
            Err(_) => return Verdict::Nak,
        };
        if let Err(e) = self
            .store
            .set_media_status(
                &job.media_id,
                MediaStatus::Ready,
                Some(outputs),
                Some(duration_ms),
                None,
            )
            .await
        {
            tracing::warn!(media_id = %job.media_id, error = %e, "cannot mark the asset ready");
            return Verdict::Nak;
        }
        self.publish_settle(
            Payload::MediaReady(ready),
            job.media_id.as_str(),
            Verdict::Ack,
        )
        .await
    }

    async fn fail(&self, job: &MediaUploaded, f: Final) -> Verdict {
        tracing::info!(media_id = %job.media_id, reason = %f.reason, "media job failed");
        if let Err(e) = self
            .store
            .set_media_status(
                &job.media_id,
                MediaStatus::Failed,
                None,
                None,
                Some(&f.reason),
            )
            .await
        {
            tracing::warn!(media_id = %job.media_id, error = %e, "cannot mark the asset failed");
            return Verdict::Nak;
        }
        let failed = MediaFailed {
            media_id: job.media_id.clone(),
            user_id: job.user_id.clone(),
            reason: f.reason.clone(),
            retryable: f.retryable,
        };
        // A retryable failure on its last attempt is nak'ed: the bus dead-letters it with
        // its own "attempts exhausted" reason. Anything else is terminated with ours.
        let settle = if f.retryable {
            Verdict::Nak
        } else {
            Verdict::Term(f.reason)
        };
        self.publish_settle(Payload::MediaFailed(failed), job.media_id.as_str(), settle)
            .await
    }

    async fn publish_settle(&self, payload: Payload, key: &str, then: Verdict) -> Verdict {
        let event = Event::deterministic(self.config.source.clone(), payload, key);
        match bus::publish_event(self.bus.as_ref(), &event).await {
            Ok(_) => then,
            Err(e) => {
                tracing::warn!(error = %e, "cannot publish a media event; will retry");
                Verdict::Nak
            }
        }
    }
}
