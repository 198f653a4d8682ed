//! Owns the bridge from our segmenter (on GStreamer streaming threads) to the async
//! [`OutputSink`]: nothing goes through a file.
//!
//! - Segments: each rendition's appsink hands mpegtsmux's output to a `Segmenter`
//!   (module `segmenter`) whose output is a [`RenditionOutput`]. A segment's bytes are
//!   batched into [`CHUNK`]-byte `Bytes` and handed to a tokio task through a channel of
//!   [`CHANNEL_CAPACITY`] chunks; when the channel is full the streaming thread blocks
//!   (`blocking_send`), which is the backpressure that keeps a slow store from growing
//!   memory: at most `(CHANNEL_CAPACITY + 1) × CHUNK` bytes per open segment plus the
//!   store writer's own bound. The task streams the chunks into a [`SinkWriter`] and
//!   commits the object when the segment ends, so each segment is stored as soon as the
//!   packet that starts the next one has been muxed. This is the one copy on the output
//!   path (the muxer's packets into the chunk).
//! - Playlists: the segmenter reports each segment's duration when it closes it; the job
//!   writes the VOD playlists from those lists at the end.
//! - Failure: the first segment the store refuses cancels the job at once
//!   ([`Bridge::cancelled`], which the job watches). An object store takes a segment's
//!   bytes into its buffer and only fails when it commits, after the streaming thread has
//!   moved on, so without this signal a dead store would go unnoticed until the whole
//!   source was transcoded.

use std::collections::HashMap;
use std::io;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::segmenter::{SegmentError, SegmentOut};
use crate::sink::{OutputSink, SinkError, SinkWriter};

/// Bytes batched before a chunk is handed to the store task. 64 KiB: large enough that a
/// 1080p segment is a few dozen hand-offs, small enough that the chunks waiting in the
/// channels of a whole ladder stay within a few MiB (with the local store's 256 KiB parts,
/// 2.3 MiB less peak RSS on the 720p ladder than 256 KiB chunks and 1 MiB parts, at the
/// same speed; docs/benchmarks/media.md).
pub const CHUNK: usize = 64 * 1024;
/// Chunks in flight per open segment before the streaming thread blocks.
pub const CHANNEL_CAPACITY: usize = 4;

/// What the bridge learned while the job ran, shared with the job.
#[derive(Default)]
pub struct Outputs {
    /// Stored segments: path → (bytes, time since job start when committed).
    pub segments: HashMap<String, (u64, Duration)>,
    /// Closed segments per rendition, in order: (URI relative to the playlist,
    /// duration in seconds).
    pub listed: HashMap<String, Vec<(String, f64)>>,
    /// The first store failure, reported instead of the pipeline error it causes.
    pub first_error: Option<SinkError>,
    /// Store tasks still to be awaited.
    pub tasks: Vec<JoinHandle<()>>,
}

/// Shared between the GStreamer callbacks and the job.
pub struct Bridge<S: OutputSink> {
    /// The sink every segment goes to.
    pub sink: Arc<S>,
    /// Results.
    pub outputs: Arc<Mutex<Outputs>>,
    /// Becomes `true` when the job failed or the store refused a segment: open segments
    /// are aborted instead of committed, and a running job stops.
    pub cancelled: Arc<watch::Sender<bool>>,
    /// Runtime the store tasks run on.
    pub handle: tokio::runtime::Handle,
    /// Job start, for "first segment stored after" figures.
    pub started: Instant,
}

impl<S: OutputSink> Clone for Bridge<S> {
    fn clone(&self) -> Self {
        Bridge {
            sink: Arc::clone(&self.sink),
            outputs: Arc::clone(&self.outputs),
            cancelled: Arc::clone(&self.cancelled),
            handle: self.handle.clone(),
            started: self.started,
        }
    }
}

fn lock(outputs: &Mutex<Outputs>) -> std::sync::MutexGuard<'_, Outputs> {
    // A panic while holding this lock cannot leave it half-updated (single inserts), so
    // a poisoned lock is still usable.
    outputs.lock().unwrap_or_else(|p| p.into_inner())
}

impl<S: OutputSink> Bridge<S> {
    /// Opens segment `path` for streaming into the store.
    fn open_segment(&self, path: &str) -> SegmentWriter {
        let (tx, mut rx) = mpsc::channel::<Bytes>(CHANNEL_CAPACITY);
        let this = self.clone();
        let owned = path.to_string();
        let task = self.handle.spawn(async move {
            let mut writer = match this.sink.writer(&owned) {
                Ok(w) => w,
                Err(e) => return this.fail(e),
            };
            while let Some(chunk) = rx.recv().await {
                if let Err(e) = writer.write(chunk).await {
                    writer.abort().await;
                    return this.fail(e);
                }
            }
            if *this.cancelled.borrow() {
                writer.abort().await;
                return;
            }
            match writer.finish().await {
                Ok(size) => {
                    let at = this.started.elapsed();
                    lock(&this.outputs).segments.insert(owned, (size, at));
                }
                Err(e) => this.fail(e),
            }
        });
        lock(&self.outputs).tasks.push(task);
        SegmentWriter {
            buf: BytesMut::new(),
            tx: Some(tx),
            handle: self.handle.clone(),
        }
    }

    /// The segmenter output of rendition `name` (segments `{name}/seg00000.ts`, …).
    pub fn rendition(&self, name: &str) -> RenditionOutput<S> {
        RenditionOutput {
            bridge: self.clone(),
            name: name.to_string(),
            open: None,
        }
    }

    /// Records the first store failure and cancels the job: the segments still open are
    /// aborted, and the job stops instead of transcoding the rest for nothing.
    fn fail(&self, e: SinkError) {
        {
            let mut o = lock(&self.outputs);
            if o.first_error.is_none() {
                o.first_error = Some(e);
            }
        }
        self.cancelled.send_replace(true);
    }
}

/// Batches segment bytes and sends them to the store task.
struct SegmentWriter {
    buf: BytesMut,
    tx: Option<mpsc::Sender<Bytes>>,
    handle: tokio::runtime::Handle,
}

impl SegmentWriter {
    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = self.buf.split().freeze();
        let tx = self
            .tx
            .as_ref()
            .ok_or_else(|| io::Error::new(io::ErrorKind::BrokenPipe, "segment closed"))?;
        // Streaming threads are not tokio threads, so blocking here is allowed and is
        // the backpressure.
        tx.blocking_send(chunk)
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "storing the segment failed"))
    }
}

impl SegmentWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<()> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(())
    }

    /// Sends the last bytes from the streaming thread and ends the segment (the store
    /// task commits it once the channel closes).
    fn close(mut self) -> io::Result<()> {
        let sent = self.send();
        self.tx = None;
        sent
    }
}

impl Drop for SegmentWriter {
    fn drop(&mut self) {
        // The last bytes: we may be dropped on any thread (also a tokio worker when the
        // pipeline is torn down), so send from a task rather than blocking. Earlier
        // chunks were all sent synchronously, so this one is still the last.
        let rest = self.buf.split().freeze();
        if let Some(tx) = self.tx.take()
            && !rest.is_empty()
        {
            self.handle.spawn(async move {
                let _ = tx.send(rest).await;
            });
        }
    }
}

/// One rendition's segments as the segmenter cuts them: [`SegmentOut`] over the store.
pub struct RenditionOutput<S: OutputSink> {
    bridge: Bridge<S>,
    name: String,
    open: Option<(String, SegmentWriter)>,
}

impl<S: OutputSink> SegmentOut for RenditionOutput<S> {
    fn begin(&mut self, index: u32) -> Result<(), SegmentError> {
        let uri = format!("seg{index:05}.ts");
        let writer = self.bridge.open_segment(&format!("{}/{uri}", self.name));
        // A segment still open here would be a segmenter bug; dropping it sends its
        // bytes and commits it, so nothing is lost either way.
        self.open = Some((uri, writer));
        Ok(())
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), SegmentError> {
        match self.open.as_mut() {
            Some((_, w)) => Ok(w.write(bytes)?),
            None => Ok(()),
        }
    }

    fn end(&mut self, _index: u32, duration: f64) -> Result<(), SegmentError> {
        let Some((uri, writer)) = self.open.take() else {
            return Ok(());
        };
        // Listed before the store commits it: the job reads the lists only after every
        // store task has ended, and a listed segment that did not get stored fails it.
        lock(&self.bridge.outputs)
            .listed
            .entry(self.name.clone())
            .or_default()
            .push((uri, duration));
        Ok(writer.close()?)
    }
}
