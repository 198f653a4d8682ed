//! Owns the bridge from hlssink2's synchronous `gio::OutputStream` writes (on GStreamer
//! streaming threads) to the async [`OutputSink`]: nothing goes through a file.
//!
//! - Segments: `get-fragment-stream` returns a `gio::WriteOutputStream` over a
//!   [`SegmentWriter`]. It batches writes into [`CHUNK`]-byte `Bytes` and hands them to a
//!   tokio task through a channel of [`CHANNEL_CAPACITY`] chunks; when the channel is
//!   full the streaming thread blocks (`blocking_send`), which is the backpressure that
//!   keeps a slow store from growing memory: at most `(CHANNEL_CAPACITY + 1) × CHUNK`
//!   bytes per open segment plus the store writer's own bound. The task streams the
//!   chunks into a [`SinkWriter`] and commits the object when the stream is closed (gio
//!   drops our writer on close), so each segment is stored as soon as it is complete.
//!   This is the one copy on the output path: gio lends us a borrowed slice.
//! - Playlists: hlssink2 rewrites a rendition's playlist after every segment; the
//!   [`PlaylistWriter`] keeps only the latest text in memory, and the job stores a VOD
//!   rewrite of the final one at the end.

use std::collections::HashMap;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::sink::{OutputSink, SinkError, SinkWriter};

/// Bytes batched before a chunk is handed to the store task.
pub const CHUNK: usize = 256 * 1024;
/// Chunks in flight per open segment before the streaming thread blocks.
pub const CHANNEL_CAPACITY: usize = 4;

/// What the bridge learned while the job ran, shared with the job.
#[derive(Default)]
pub struct Outputs {
    /// Stored segments: path → (bytes, time since job start when committed).
    pub segments: HashMap<String, (u64, Duration)>,
    /// Latest playlist text per playlist path.
    pub playlists: HashMap<String, Vec<u8>>,
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
    /// Set when the job failed: open segments are aborted instead of committed.
    pub cancelled: Arc<AtomicBool>,
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
    /// The stream hlssink2 writes segment `path` into.
    pub fn fragment_stream(&self, path: &str) -> gio::OutputStream {
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
            if this.cancelled.load(Ordering::Acquire) {
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
        let writer = SegmentWriter {
            buf: BytesMut::new(),
            tx: Some(tx),
            handle: self.handle.clone(),
        };
        gio::WriteOutputStream::new(writer).into()
    }

    /// The stream hlssink2 writes playlist `path` into.
    pub fn playlist_stream(&self, path: &str) -> gio::OutputStream {
        gio::WriteOutputStream::new(PlaylistWriter {
            path: path.to_string(),
            buf: Vec::new(),
            outputs: Arc::clone(&self.outputs),
        })
        .into()
    }

    fn fail(&self, e: SinkError) {
        let mut o = lock(&self.outputs);
        if o.first_error.is_none() {
            o.first_error = Some(e);
        }
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

impl Write for SegmentWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        // gio flushes before close; chunks are sent by size or on drop, so a flush need
        // not produce a small chunk.
        Ok(())
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

/// Collects one playlist write; the latest one wins.
struct PlaylistWriter {
    path: String,
    buf: Vec<u8>,
    outputs: Arc<Mutex<Outputs>>,
}

impl Write for PlaylistWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for PlaylistWriter {
    fn drop(&mut self) {
        let text = std::mem::take(&mut self.buf);
        lock(&self.outputs)
            .playlists
            .insert(std::mem::take(&mut self.path), text);
    }
}
