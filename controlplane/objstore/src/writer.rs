//! Owns [`ObjectWriter`]: a streaming, all-or-nothing write of one object with bounded memory.
//!
//! # How it moves bytes
//! Up to `part_size` bytes are held in memory; an object that ends there is sent with one
//! PUT. The first byte past `part_size` starts a multipart upload: every full part is
//! handed to a spawned upload task at once (the `Bytes` are passed on, not copied, when
//! they come through [`ObjectWriter::write_bytes`]), and no more bytes are accepted while
//! `max_concurrent_parts` parts are in flight. So one writer holds at most
//! `part_size × (max_concurrent_parts + 1)` bytes ([`UploadLimits::memory_bound`]): with the
//! S3 defaults, 8 MiB × 5 = 40 MiB (256 KiB × 5 on the local store), whatever the size of the
//! object. Nothing is written to a temporary file outside the store (the local backend
//! stages parts in `<key>#<n>` inside its own directory, which listings and reads never
//! show).
//!
//! # All or nothing
//! The object appears under its key only when [`ObjectWriter::finish`] (or
//! `AsyncWriteExt::shutdown`) succeeds. [`ObjectWriter::abort`], an error, or dropping the
//! writer first leaves nothing visible: the multipart upload is aborted (on drop, by a
//! task spawned on the current tokio runtime). One gap remains: if the future of `finish`
//! itself is dropped while S3 is completing the upload, the upload may be left
//! incomplete (invisible, but billed until a bucket lifecycle rule removes it).
//!
//! The writer needs a tokio runtime (`object_store` spawns its part uploads on it).
//! [`UploadLimits::memory_bound`]: crate::UploadLimits::memory_bound

use std::io;
use std::mem;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use futures::FutureExt;
use futures::future::BoxFuture;
use object_store::path::Path;
use object_store::{MultipartUpload, ObjectStoreExt, PutPayloadMut, PutResult, WriteMultipart};
use tokio::io::AsyncWrite;
use tokio::task::JoinHandle;

use crate::error::{ObjectStoreError, classify};
use crate::key::ObjectKey;
use crate::meta::PutSummary;
use crate::objects::Inner;

enum State {
    /// At most one part so far, in memory; sent with one PUT on finish.
    Buffering(PutPayloadMut),
    /// CreateMultipartUpload in flight. It runs as a task so that a writer dropped now
    /// can still wait for the upload id and abort it. `pending` is the first full part.
    Starting {
        task: JoinHandle<object_store::Result<Box<dyn MultipartUpload>>>,
        pending: PutPayloadMut,
    },
    /// Parts streaming.
    Uploading(WriteMultipart),
    /// An error was returned; the upload (if one was started) still needs aborting.
    Failed(Option<WriteMultipart>),
    /// The single PUT or the completion of the multipart upload.
    Committing(BoxFuture<'static, object_store::Result<PutResult>>),
    /// Committed.
    Finished(PutSummary),
    /// Aborted, dropped, or failed while committing; nothing left to clean up.
    Closed(&'static str),
}

/// Streams bytes into one object; see the module doc for memory and visibility.
///
/// Use it as a `tokio::io::AsyncWrite` (then `finish`), or feed it `Bytes` with
/// [`ObjectWriter::write_bytes`] to avoid a copy.
pub struct ObjectWriter {
    inner: Arc<Inner>,
    key: ObjectKey,
    path: Path,
    written: u64,
    state: State,
}

impl ObjectWriter {
    pub(crate) fn new(inner: Arc<Inner>, key: ObjectKey, path: Path) -> Self {
        Self {
            inner,
            key,
            path,
            written: 0,
            state: State::Buffering(PutPayloadMut::new()),
        }
    }

    /// The key this writer writes.
    pub fn key(&self) -> &ObjectKey {
        &self.key
    }

    /// Bytes accepted so far.
    pub fn bytes_written(&self) -> u64 {
        self.written
    }

    /// Appends `bytes` without copying them, waiting while the writer is at its memory bound.
    pub async fn write_bytes(&mut self, mut bytes: Bytes) -> Result<(), ObjectStoreError> {
        while !bytes.is_empty() {
            let room = futures::future::poll_fn(|cx| self.poll_reserve(cx)).await?;
            let chunk = bytes.split_to(room.min(bytes.len()));
            self.accept(Chunk::Owned(chunk))?;
        }
        Ok(())
    }

    /// Commits: the object becomes visible under its key, whole. On error nothing is visible.
    pub async fn finish(mut self) -> Result<PutSummary, ObjectStoreError> {
        futures::future::poll_fn(|cx| self.poll_commit(cx)).await
    }

    /// Abandons the write and waits for the backend to drop what it had (the multipart
    /// upload or the local staging file). Nothing appears under the key.
    pub async fn abort(mut self) -> Result<(), ObjectStoreError> {
        match mem::replace(&mut self.state, State::Closed("aborted")) {
            State::Uploading(upload) | State::Failed(Some(upload)) => {
                upload.abort().await.map_err(|e| self.err("abort", e))
            }
            State::Starting { task, .. } => match task.await {
                Ok(Ok(mut upload)) => upload.abort().await.map_err(|e| self.err("abort", e)),
                _ => Ok(()),
            },
            State::Finished(_) => Err(self.closed("finished")),
            State::Committing(_) => {
                tracing::warn!(store = %self.inner.describe, key = %self.key, "abort while committing");
                Ok(())
            }
            State::Buffering(_) | State::Failed(None) | State::Closed(_) => Ok(()),
        }
    }

    /// Waits until at least one byte can be accepted; returns how many can.
    fn poll_reserve(&mut self, cx: &mut Context<'_>) -> Poll<Result<usize, ObjectStoreError>> {
        let part = self.inner.limits.part_size();
        loop {
            match &mut self.state {
                State::Buffering(buf) => {
                    let room = part.saturating_sub(buf.content_length());
                    if room > 0 {
                        return Poll::Ready(Ok(room));
                    }
                    let pending = mem::take(buf);
                    let store = Arc::clone(&self.inner.store);
                    let path = self.path.clone();
                    let task = tokio::spawn(async move { store.put_multipart(&path).await });
                    self.state = State::Starting { task, pending };
                }
                State::Starting { .. } => ready!(self.poll_started(cx))?,
                State::Uploading(upload) => {
                    let capacity = ready!(
                        upload.poll_for_capacity(cx, self.inner.limits.max_concurrent_parts())
                    );
                    if let Err(e) = capacity {
                        self.fail();
                        return Poll::Ready(Err(self.err("put", e)));
                    }
                    let limit = self.inner.limits.max_object_size();
                    if self.written >= limit {
                        self.fail();
                        return Poll::Ready(Err(ObjectStoreError::TooLarge {
                            key: self.key.clone(),
                            limit,
                        }));
                    }
                    // Never cross a part boundary in one go: at most one new part per call.
                    let in_part = (self.written % part as u64) as usize;
                    let to_limit = usize::try_from(limit - self.written).unwrap_or(usize::MAX);
                    return Poll::Ready(Ok((part - in_part).min(to_limit)));
                }
                State::Failed(_) => {
                    return Poll::Ready(Err(self.closed("an earlier write failed")));
                }
                State::Committing(_) | State::Finished(_) => {
                    return Poll::Ready(Err(self.closed("finished")));
                }
                State::Closed(why) => {
                    let why = *why;
                    return Poll::Ready(Err(self.closed(why)));
                }
            }
        }
    }

    /// Drives `Starting` to `Uploading` (or `Failed`).
    fn poll_started(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), ObjectStoreError>> {
        let State::Starting { task, pending } = &mut self.state else {
            return Poll::Ready(Ok(()));
        };
        let started = ready!(task.poll_unpin(cx));
        let pending = mem::take(pending);
        match started {
            Ok(Ok(upload)) => {
                let mut upload =
                    WriteMultipart::new_with_chunk_size(upload, self.inner.limits.part_size());
                for chunk in pending.freeze() {
                    upload.put(chunk);
                }
                self.state = State::Uploading(upload);
                Poll::Ready(Ok(()))
            }
            Ok(Err(e)) => {
                self.state = State::Failed(None);
                Poll::Ready(Err(self.err("put", e)))
            }
            Err(join) => {
                self.state = State::Failed(None);
                Poll::Ready(Err(ObjectStoreError::Backend {
                    op: "put",
                    key: Some(self.key.clone()),
                    store: Arc::clone(&self.inner.describe),
                    source: Box::new(join),
                }))
            }
        }
    }

    /// Takes bytes that [`Self::poll_reserve`] made room for.
    fn accept(&mut self, chunk: Chunk<'_>) -> Result<(), ObjectStoreError> {
        let len = chunk.len();
        match (&mut self.state, chunk) {
            (State::Buffering(buf), Chunk::Owned(b)) => buf.push(b),
            (State::Buffering(buf), Chunk::Borrowed(s)) => buf.extend_from_slice(s),
            (State::Uploading(upload), Chunk::Owned(b)) => upload.put(b),
            (State::Uploading(upload), Chunk::Borrowed(s)) => upload.write(s),
            _ => return Err(self.closed("not accepting bytes")),
        }
        self.written += len as u64;
        Ok(())
    }

    fn poll_commit(&mut self, cx: &mut Context<'_>) -> Poll<Result<PutSummary, ObjectStoreError>> {
        loop {
            match &mut self.state {
                State::Buffering(buf) => {
                    let payload = mem::take(buf).freeze();
                    let store = Arc::clone(&self.inner.store);
                    let path = self.path.clone();
                    self.state =
                        State::Committing(async move { store.put(&path, payload).await }.boxed());
                }
                State::Starting { .. } => ready!(self.poll_started(cx))?,
                State::Uploading(_) => {
                    if let State::Uploading(upload) =
                        mem::replace(&mut self.state, State::Closed("finishing"))
                    {
                        self.state = State::Committing(upload.finish().boxed());
                    }
                }
                State::Committing(commit) => {
                    let done = ready!(commit.poll_unpin(cx));
                    return Poll::Ready(match done {
                        Ok(put) => {
                            let summary = PutSummary {
                                key: self.key.clone(),
                                size: self.written,
                                e_tag: put.e_tag,
                            };
                            self.state = State::Finished(summary.clone());
                            Ok(summary)
                        }
                        Err(e) => {
                            // WriteMultipart::finish aborts the upload itself on failure.
                            self.state = State::Closed("commit failed");
                            Err(self.err("put", e))
                        }
                    });
                }
                State::Finished(summary) => return Poll::Ready(Ok(summary.clone())),
                State::Failed(_) => {
                    return Poll::Ready(Err(self.closed("an earlier write failed")));
                }
                State::Closed(why) => {
                    let why = *why;
                    return Poll::Ready(Err(self.closed(why)));
                }
            }
        }
    }

    /// Moves an upload that hit an error to `Failed`, keeping it for abort.
    fn fail(&mut self) {
        self.state = match mem::replace(&mut self.state, State::Closed("failed")) {
            State::Uploading(upload) => State::Failed(Some(upload)),
            State::Failed(upload) => State::Failed(upload),
            _ => State::Failed(None),
        };
    }

    fn err(&self, op: &'static str, e: object_store::Error) -> ObjectStoreError {
        classify(&self.inner.describe, op, Some(&self.key), e)
    }

    fn closed(&self, why: &'static str) -> ObjectStoreError {
        ObjectStoreError::WriterClosed {
            key: self.key.clone(),
            why,
        }
    }
}

enum Chunk<'a> {
    Owned(Bytes),
    Borrowed(&'a [u8]),
}

impl Chunk<'_> {
    fn len(&self) -> usize {
        match self {
            Self::Owned(b) => b.len(),
            Self::Borrowed(s) => s.len(),
        }
    }
}

impl AsyncWrite for ObjectWriter {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let room = ready!(this.poll_reserve(cx)).map_err(io::Error::other)?;
        let n = room.min(buf.len());
        this.accept(Chunk::Borrowed(&buf[..n]))
            .map_err(io::Error::other)?;
        Poll::Ready(Ok(n))
    }

    /// Nothing is durable before `finish`; flush only reports an earlier failure.
    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &self.state {
            State::Failed(_) | State::Closed(_) => {
                Poll::Ready(Err(io::Error::other(self.closed("failed or aborted"))))
            }
            _ => Poll::Ready(Ok(())),
        }
    }

    /// Commits, like [`ObjectWriter::finish`].
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.poll_commit(cx)
            .map(|r| r.map(drop).map_err(io::Error::other))
    }
}

impl Drop for ObjectWriter {
    fn drop(&mut self) {
        let store = Arc::clone(&self.inner.describe);
        let key = self.key.clone();
        let warn = move |e: object_store::Error| {
            tracing::warn!(%store, %key, error = %e, "could not abort upload of dropped writer");
        };
        let cleanup: BoxFuture<'static, ()> = match mem::replace(
            &mut self.state,
            State::Closed("dropped"),
        ) {
            State::Uploading(upload) | State::Failed(Some(upload)) => {
                async move { upload.abort().await.unwrap_or_else(warn) }.boxed()
            }
            State::Starting { task, .. } => async move {
                if let Ok(Ok(mut upload)) = task.await {
                    upload.abort().await.unwrap_or_else(warn);
                }
            }
            .boxed(),
            State::Committing(_) => {
                tracing::warn!(store = %self.inner.describe, key = %self.key, "writer dropped while committing");
                return;
            }
            _ => return,
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => drop(runtime.spawn(cleanup)),
            Err(_) => tracing::warn!(
                store = %self.inner.describe,
                key = %self.key,
                "writer dropped outside a tokio runtime: upload left incomplete (not visible)"
            ),
        }
    }
}

impl std::fmt::Debug for ObjectWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectWriter")
            .field("store", &self.inner.describe)
            .field("key", &self.key)
            .field("written", &self.written)
            .finish_non_exhaustive()
    }
}
