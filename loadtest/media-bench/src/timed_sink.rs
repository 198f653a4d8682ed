//! Owns [`TimedSink`], an [`OutputSink`] wrapper that notes the moment the first `.ts`
//! object's `finish` returned: the first segment *stored*, as the job's own store sees
//! it, measured from an instant the caller picks (the job's start).
//!
//! Why a wrapper and not `MediaReport::first_segment_after`: the report counts from the
//! start of `transcode` after GStreamer is initialised; the benchmark counts from before
//! the call, and checks the report's figure against its own.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use media::{OutputSink, SinkError, SinkWriter};

/// Wraps `S`; every writer of a path ending in `.ts` reports its successful finish.
pub struct TimedSink<S> {
    inner: S,
    start: Instant,
    first: Arc<OnceLock<Duration>>,
}

impl<S> TimedSink<S> {
    /// Times segments from `start`.
    pub fn new(inner: S, start: Instant) -> Self {
        TimedSink {
            inner,
            start,
            first: Arc::new(OnceLock::new()),
        }
    }

    /// When the first segment was committed, from `start`.
    pub fn first_segment(&self) -> Option<Duration> {
        self.first.get().copied()
    }
}

impl<S: OutputSink> OutputSink for TimedSink<S> {
    type Writer = TimedWriter<S::Writer>;

    fn writer(&self, path: &str) -> Result<Self::Writer, SinkError> {
        let inner = self.inner.writer(path)?;
        let first = path
            .ends_with(".ts")
            .then(|| (Arc::clone(&self.first), self.start));
        Ok(TimedWriter { inner, first })
    }

    fn put(
        &self,
        path: &str,
        bytes: Bytes,
    ) -> impl std::future::Future<Output = Result<(), SinkError>> + Send {
        self.inner.put(path, bytes)
    }

    fn location(&self, path: &str) -> String {
        self.inner.location(path)
    }
}

/// A writer that records its commit time when it is a segment's.
pub struct TimedWriter<W> {
    inner: W,
    first: Option<(Arc<OnceLock<Duration>>, Instant)>,
}

impl<W: SinkWriter> SinkWriter for TimedWriter<W> {
    async fn write(&mut self, bytes: Bytes) -> Result<(), SinkError> {
        self.inner.write(bytes).await
    }

    async fn finish(self) -> Result<u64, SinkError> {
        let size = self.inner.finish().await?;
        if let Some((first, start)) = self.first {
            // Only the earliest commit sticks; later ones find the cell set.
            let _ = first.set(start.elapsed());
        }
        Ok(size)
    }

    async fn abort(self) {
        self.inner.abort().await;
    }
}

#[cfg(test)]
mod tests {
    use media::ObjectStoreSink;
    use objstore::{ObjectStoreConfig, Objects};

    use super::*;

    #[tokio::test]
    async fn only_a_committed_segment_is_timed() {
        let dir = tempfile::tempdir().unwrap();
        let objects = Objects::open(&ObjectStoreConfig::local(dir.path())).unwrap();
        let start = Instant::now();
        let sink = TimedSink::new(ObjectStoreSink::new(objects, "m").unwrap(), start);

        sink.put("720p/index.m3u8", Bytes::from_static(b"#EXTM3U\n"))
            .await
            .unwrap();
        let mut w = sink.writer("720p/seg00000.ts").unwrap();
        w.write(Bytes::from_static(b"aborted")).await.unwrap();
        w.abort().await;
        let mut w = sink.writer("poster.jpg").unwrap();
        w.write(Bytes::from_static(b"jpeg")).await.unwrap();
        w.finish().await.unwrap();
        assert_eq!(sink.first_segment(), None);

        let mut w = sink.writer("720p/seg00001.ts").unwrap();
        w.write(Bytes::from_static(b"segment")).await.unwrap();
        let before = start.elapsed();
        assert_eq!(w.finish().await.unwrap(), 7);
        let first = sink.first_segment().unwrap();
        assert!(first >= before && first <= start.elapsed());
        assert!(dir.path().join("media/m/720p/seg00001.ts").is_file());

        let w = sink.writer("720p/seg00002.ts").unwrap();
        w.finish().await.unwrap();
        assert_eq!(sink.first_segment(), Some(first));
    }
}
