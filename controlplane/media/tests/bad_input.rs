//! Proves that bad input and failing surroundings end a job with a typed error and a
//! human-readable reason, within its time limit, and without a master playlist:
//! empty, random, truncated and corrupt sources, a failing source stream, a source that
//! never ends, a store that refuses writes and one that stops committing mid-job.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::*;
use futures::stream::{self, StreamExt};
use media::{JobOptions, MediaError, OutputSink, SinkError, SinkWriter};

/// Deterministic noise (xorshift), so a failure reproduces.
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as u8
        })
        .collect()
}

async fn fails(id: &str, data: Vec<u8>) -> (tempfile::TempDir, MediaError) {
    let (dir, sink) = local_sink(id);
    let err = media::transcode(chunks(data), &JobOptions::default(), sink)
        .await
        .err()
        .unwrap_or_else(|| panic!("{id}: the job should fail"));
    eprintln!("{id}: {err}");
    assert!(!err.to_string().is_empty());
    assert!(
        !stored(dir.path(), id, "master.m3u8").exists(),
        "{id}: no master after a failure"
    );
    (dir, err)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_input_is_rejected() {
    let (_dir, err) = fails("empty", Vec::new()).await;
    assert!(matches!(err, MediaError::EmptyInput), "{err:?}");
    assert!(!err.is_retryable());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_bytes_are_unsupported_with_a_reason() {
    let (_dir, err) = fails("noise", noise(300_000, 0x9e3779b97f4a7c15)).await;
    match &err {
        MediaError::Unsupported { reason } => assert!(reason.contains("recognise"), "{reason}"),
        other => panic!("{other:?}"),
    }
    assert!(!err.is_retryable());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truncated_faststart_mp4_is_reported_as_truncated() {
    let mut data = av_720p_regular_mp4(true);
    data.truncate(data.len() * 2 / 5);
    let (_dir, err) = fails("cut", data).await;
    match &err {
        MediaError::Truncated { reason } => assert!(reason.contains("declares"), "{reason}"),
        other => panic!("{other:?}"),
    }
    assert!(!err.is_retryable());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_mp4_cut_before_its_moov_is_rejected() {
    let mut data = av_720p_regular_mp4(false);
    data.truncate(data.len() * 2 / 5);
    let (_dir, err) = fails("nomoov", data).await;
    assert!(
        matches!(
            err,
            MediaError::Truncated { .. } | MediaError::Corrupt { .. }
        ),
        "{err:?}"
    );
    assert!(!err.is_retryable());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_mp4_header_over_garbage_is_corrupt() {
    let mut data = av_720p_mp4();
    let keep = 2048.min(data.len());
    let tail = noise(data.len() - keep, 7);
    data.truncate(keep);
    data.extend_from_slice(&tail);
    let (_dir, err) = fails("garbage", data).await;
    assert!(
        matches!(
            err,
            MediaError::Corrupt { .. }
                | MediaError::Truncated { .. }
                | MediaError::Unsupported { .. }
        ),
        "{err:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_source_is_retryable() {
    let (_dir, sink) = local_sink("srcfail");
    let data = Bytes::from(av_720p_mp4());
    let source = stream::iter(vec![
        Ok(data.slice(..100_000)),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "peer reset",
        )),
    ]);
    let err = media::transcode(source, &JobOptions::default(), sink)
        .await
        .expect_err("must fail");
    assert!(matches!(err, MediaError::Source { .. }), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_that_never_ends_hits_the_time_limit() {
    let (_dir, sink) = local_sink("stall");
    let data = Bytes::from(av_720p_mp4());
    let source =
        stream::iter(vec![Ok::<_, std::io::Error>(data.slice(..200_000))]).chain(stream::pending());
    let options = JobOptions {
        timeout: Duration::from_secs(3),
        ..JobOptions::default()
    };
    let t = Instant::now();
    let err = media::transcode(source, &options, sink)
        .await
        .expect_err("must time out");
    assert!(matches!(err, MediaError::Timeout(_)), "{err:?}");
    assert!(t.elapsed() < Duration::from_secs(20), "{:?}", t.elapsed());
}

/// A store that fails, in one of two ways an unreachable S3 does:
/// - it refuses every write (`writes_fail`);
/// - or it takes bytes but fails every commit after the first `commits` ones. That is a
///   multipart upload to an S3 that went away: the bytes of a small segment sit in the
///   upload's buffer until it is committed.
#[derive(Default)]
struct FailingSink {
    writes_fail: bool,
    commits: u32,
    opened: AtomicU32,
    committed: Arc<AtomicU32>,
}

struct FailingWriter {
    writes_fail: bool,
    commits: u32,
    committed: Arc<AtomicU32>,
    path: String,
}

fn refused(path: &str) -> SinkError {
    SinkError {
        path: path.to_string(),
        transient: true,
        source: "connection refused".into(),
    }
}

impl OutputSink for FailingSink {
    type Writer = FailingWriter;
    fn writer(&self, path: &str) -> Result<FailingWriter, SinkError> {
        self.opened.fetch_add(1, Ordering::Relaxed);
        Ok(FailingWriter {
            writes_fail: self.writes_fail,
            commits: self.commits,
            committed: Arc::clone(&self.committed),
            path: path.to_string(),
        })
    }
    async fn put(&self, path: &str, _: Bytes) -> Result<(), SinkError> {
        Err(refused(path))
    }
    fn location(&self, path: &str) -> String {
        path.to_string()
    }
}

impl SinkWriter for FailingWriter {
    async fn write(&mut self, _: Bytes) -> Result<(), SinkError> {
        if self.writes_fail {
            return Err(refused(&self.path));
        }
        Ok(())
    }
    async fn finish(self) -> Result<u64, SinkError> {
        if self.committed.fetch_add(1, Ordering::Relaxed) < self.commits {
            return Ok(1);
        }
        Err(refused(&self.path))
    }
    async fn abort(self) {}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusing_store_fails_the_job_as_retryable() {
    let sink = FailingSink {
        writes_fail: true,
        ..FailingSink::default()
    };
    let err = media::transcode(
        chunks(video_only_ts(320, 240, 50)),
        &JobOptions::default(),
        Arc::new(sink),
    )
    .await
    .expect_err("must fail");
    assert!(matches!(err, MediaError::Sink(_)), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_stops_committing_stops_the_job_at_once() {
    // 120 one-second segments if the job ran to the end.
    let segments = 120;
    let source = video_only_ts(320, 240, 25 * segments);
    let sink = Arc::new(FailingSink {
        commits: 1,
        ..FailingSink::default()
    });
    let options = JobOptions {
        ladder: media::Ladder {
            segment_duration: Duration::from_secs(1),
            ..media::Ladder::default()
        },
        ..JobOptions::default()
    };
    let err = media::transcode(chunks(source), &options, Arc::clone(&sink))
        .await
        .expect_err("must fail");
    assert!(matches!(err, MediaError::Sink(_)), "{err:?}");
    assert!(err.is_retryable());
    // It stopped on the first refused commit, not at the end of the source; the margin
    // is for the segments the pipeline cut while the stop was on its way.
    let opened = sink.opened.load(Ordering::Relaxed);
    assert!(
        opened < segments / 2,
        "{opened} of {segments} segments were opened"
    );
}
