//! Streamed bodies on the control plane's side of the rings (wire format and rules in
//! `codecs::ring`): a request body arrives as a [`RequestStream`] of `Bytes` that grants
//! the shard credit as its consumer takes them, and a streamed answer is sent by
//! [`send_answer`] only as far as the shard's credit allows.
//!
//! Memory: a request stream holds at most the shard's window of parts not yet taken (the
//! shard sends no more before a grant); an answer holds one chunk of its source.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use codecs::ring::{BodyAbort, BodyPart, BodyRecord, Credit, CreditRecord, ToShard};
use futures::StreamExt;
use futures::stream::BoxStream;
use tokio::sync::mpsc;

use super::response::ByteStream;

/// Bytes a request stream's consumer takes before they are granted back to the shard
/// (it grants earlier when it has nothing left to hand out, so the shard never starves).
pub const GRANT_BATCH: u64 = 64 << 10;

/// Why a streamed request body stopped short.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// The body passed the shard's cap on streamed bodies.
    #[error("body larger than {limit} bytes")]
    TooLarge {
        /// The cap in bytes.
        limit: u64,
    },
    /// The client's upload broke off (disconnect, bad encoding) or the shard stopped it.
    #[error("the upload broke off: {0}")]
    Aborted(String),
    /// The shard went away (restarted or stopped) before the body ended.
    #[error("the shard holding the connection went away")]
    Gone,
}

impl From<BodyAbort> for BodyError {
    fn from(why: BodyAbort) -> BodyError {
        match why {
            BodyAbort::TooLarge { limit } => BodyError::TooLarge { limit },
            BodyAbort::Answered => BodyError::Aborted("answered before the body ended".into()),
            BodyAbort::Failed(why) => BodyError::Aborted(why),
        }
    }
}

/// A streamed request body: its bytes in order, then the end, or one error.
pub type RequestStream = BoxStream<'static, Result<Bytes, BodyError>>;

/// A request body: whole, or streaming from the shard.
pub enum RequestBody {
    /// The whole body (it fit the shard's collect limit).
    Full(Bytes),
    /// The body as it arrives.
    Streamed(RequestStream),
}

impl RequestBody {
    /// The body as a stream, whichever way it came.
    pub fn into_stream(self) -> RequestStream {
        match self {
            RequestBody::Full(bytes) if bytes.is_empty() => futures::stream::empty().boxed(),
            RequestBody::Full(bytes) => futures::stream::once(async { Ok(bytes) }).boxed(),
            RequestBody::Streamed(stream) => stream,
        }
    }
}

/// Where the parts of one request body stand between two polls.
struct Incoming {
    request_id: u64,
    parts: mpsc::UnboundedReceiver<BodyPart>,
    answers: mpsc::Sender<ToShard>,
    /// Bytes handed to the consumer and not yet granted back.
    taken: u64,
    done: bool,
}

impl Incoming {
    async fn grant(&mut self) {
        if self.taken > 0 {
            let record = CreditRecord {
                request_id: self.request_id,
                credit: Credit::Bytes(self.taken),
            };
            self.taken = 0;
            let _ = self
                .answers
                .send(ToShard::RequestCredit(Box::new(record)))
                .await;
        }
    }

    async fn next(&mut self) -> Option<Result<Bytes, BodyError>> {
        if self.done {
            return None;
        }
        // Asked again: the consumer is done with what it took, which may be granted back.
        let part = match self.parts.try_recv() {
            Ok(part) => {
                if self.taken >= GRANT_BATCH {
                    self.grant().await;
                }
                Some(part)
            }
            Err(mpsc::error::TryRecvError::Disconnected) => None,
            Err(mpsc::error::TryRecvError::Empty) => {
                self.grant().await;
                self.parts.recv().await
            }
        };
        match part {
            Some(BodyPart::Data(bytes)) => {
                self.taken += bytes.len() as u64;
                Some(Ok(bytes))
            }
            Some(BodyPart::End) => {
                self.done = true;
                None
            }
            Some(BodyPart::Abort(why)) => {
                self.done = true;
                Some(Err(why.into()))
            }
            None => {
                self.done = true;
                Some(Err(BodyError::Gone))
            }
        }
    }
}

/// A request stream for request `request_id` of one shard, and the sender its parts are
/// routed to. Credit goes back through `answers` (the shard's downlink queue).
pub fn request_stream(
    request_id: u64,
    answers: mpsc::Sender<ToShard>,
) -> (mpsc::UnboundedSender<BodyPart>, RequestStream) {
    // Unbounded in count, bounded in bytes by the shard's window.
    let (tx, parts) = mpsc::unbounded_channel();
    let incoming = Incoming {
        request_id,
        parts,
        answers,
        taken: 0,
        done: false,
    };
    let stream = futures::stream::unfold(incoming, |mut incoming| async move {
        let item = incoming.next().await?;
        Some((item, incoming))
    });
    (tx, stream.boxed())
}

/// Sends the streamed answer `body` of request `request_id` as `ResponseBody` parts, never
/// more than the shard granted through `credits`; stops reading `body` when the shard
/// cancels or goes away. The head must have been sent already.
pub async fn send_answer(
    request_id: u64,
    mut body: ByteStream,
    mut credits: mpsc::UnboundedReceiver<Credit>,
    answers: &mpsc::Sender<ToShard>,
) {
    let send = |part| {
        let record = BodyRecord { request_id, part };
        answers.send(ToShard::ResponseBody(Box::new(record)))
    };
    let mut credit = 0u64;
    let mut carry: Option<Bytes> = None;
    loop {
        let mut chunk = match carry.take() {
            Some(chunk) => chunk,
            None => {
                // Read ahead while credit comes in; a cancel stops the read at once.
                let next = tokio::select! {
                    biased;
                    grant = credits.recv() => match grant {
                        Some(Credit::Bytes(n)) => {
                            credit += n;
                            continue;
                        }
                        Some(Credit::Cancel) | None => return,
                    },
                    next = body.next() => next,
                };
                match next {
                    Some(Ok(bytes)) if bytes.is_empty() => continue,
                    Some(Ok(bytes)) => bytes,
                    Some(Err(e)) => {
                        tracing::warn!(request_id, error = %e, "streamed answer failed; cutting it");
                        let _ = send(BodyPart::Abort(BodyAbort::Failed(e.to_string()))).await;
                        return;
                    }
                    None => {
                        let _ = send(BodyPart::End).await;
                        return;
                    }
                }
            }
        };
        while credit == 0 {
            match credits.recv().await {
                Some(Credit::Bytes(n)) => credit += n,
                Some(Credit::Cancel) | None => return,
            }
        }
        let take = chunk
            .len()
            .min(usize::try_from(credit).unwrap_or(usize::MAX));
        let part = chunk.split_to(take);
        credit -= take as u64;
        if !chunk.is_empty() {
            carry = Some(chunk);
        }
        if send(BodyPart::Data(part)).await.is_err() {
            return;
        }
    }
}

/// The streamed answers of one shard, by request id, so its credit records reach them.
/// Shared by the shard's reader task (credits in) and the answering tasks (register).
#[derive(Default)]
pub struct AnswerStreams {
    streams: Mutex<HashMap<u64, (u64, mpsc::UnboundedSender<Credit>)>>,
    serial: AtomicU64,
}

/// An answer's place in [`AnswerStreams`], removed on drop.
pub struct Registration {
    streams: Arc<AnswerStreams>,
    request_id: u64,
    serial: u64,
}

impl AnswerStreams {
    /// Registers the answer of `request_id`; its credit arrives through the receiver.
    pub fn register(
        self: &Arc<Self>,
        request_id: u64,
    ) -> (Registration, mpsc::UnboundedReceiver<Credit>) {
        let serial = self.serial.fetch_add(1, Ordering::Relaxed);
        // Unbounded in count: the shard sends one grant per batch of bytes it wrote.
        let (tx, rx) = mpsc::unbounded_channel();
        self.lock().insert(request_id, (serial, tx));
        let registration = Registration {
            streams: self.clone(),
            request_id,
            serial,
        };
        (registration, rx)
    }

    /// Routes a credit record from the shard; unknown ids (answers already over) are dropped.
    pub fn credit(&self, record: &CreditRecord) {
        let mut streams = self.lock();
        if let Some((_, tx)) = streams.get(&record.request_id)
            && (tx.send(record.credit).is_err() || record.credit == Credit::Cancel)
        {
            streams.remove(&record.request_id);
        }
    }

    /// Cancels every answer (the shard restarted: their clients are gone).
    pub fn cancel_all(&self) {
        self.lock().clear();
    }

    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<u64, (u64, mpsc::UnboundedSender<Credit>)>> {
        // The map stays consistent whatever panicked while holding it.
        self.streams.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut streams = self.streams.lock();
        // A later answer may reuse the id (a restarted shard numbers from 0 again).
        if streams
            .get(&self.request_id)
            .is_some_and(|(serial, _)| *serial == self.serial)
        {
            streams.remove(&self.request_id);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap
mod tests {
    use super::*;
    use crate::http::response::BoxError;

    fn data(bytes: &'static [u8]) -> BodyPart {
        BodyPart::Data(Bytes::from_static(bytes))
    }

    fn granted(record: ToShard) -> u64 {
        match record {
            ToShard::RequestCredit(c) => match c.credit {
                Credit::Bytes(n) => n,
                Credit::Cancel => panic!("a cancel"),
            },
            other => panic!("not a credit: {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_request_stream_with_parts_queued_grants_only_by_the_batch() {
        let (answers, mut downlink) = mpsc::channel(16);
        let (parts, mut stream) = request_stream(7, answers);
        parts.send(data(b"abc")).unwrap();
        parts.send(data(b"de")).unwrap();
        parts.send(BodyPart::End).unwrap();
        assert_eq!(stream.next().await.unwrap().unwrap(), "abc");
        assert_eq!(stream.next().await.unwrap().unwrap(), "de");
        assert!(stream.next().await.is_none());
        assert!(downlink.try_recv().is_err(), "a grant below the batch");
    }

    #[tokio::test]
    async fn a_waiting_request_stream_grants_everything_it_handed_out() {
        let (answers, mut downlink) = mpsc::channel(16);
        let (parts, mut stream) = request_stream(7, answers);
        parts.send(data(b"abcd")).unwrap();
        assert_eq!(stream.next().await.unwrap().unwrap(), "abcd");
        let waiter = tokio::spawn(async move { stream.next().await });
        let record = downlink.recv().await.unwrap();
        assert_eq!(granted(record), 4);
        parts
            .send(BodyPart::Abort(BodyAbort::TooLarge { limit: 9 }))
            .unwrap();
        let end = waiter.await.unwrap().unwrap();
        assert_eq!(end.unwrap_err(), BodyError::TooLarge { limit: 9 });
    }

    #[tokio::test]
    async fn a_request_stream_whose_shard_goes_away_fails() {
        let (answers, _downlink) = mpsc::channel(16);
        let (parts, mut stream) = request_stream(1, answers);
        parts.send(data(b"x")).unwrap();
        drop(parts);
        assert_eq!(stream.next().await.unwrap().unwrap(), "x");
        assert_eq!(stream.next().await.unwrap().unwrap_err(), BodyError::Gone);
        assert!(stream.next().await.is_none());
    }

    fn sent(record: ToShard) -> BodyPart {
        match record {
            ToShard::ResponseBody(b) => b.part,
            other => panic!("not a body part: {other:?}"),
        }
    }

    #[tokio::test]
    async fn an_answer_never_sends_past_its_credit_and_splits_chunks() {
        let (answers, mut downlink) = mpsc::channel(16);
        let (credit, credits) = mpsc::unbounded_channel();
        let body: ByteStream =
            futures::stream::iter([Ok(Bytes::from_static(b"0123456789"))]).boxed();
        let task = tokio::spawn(async move { send_answer(3, body, credits, &answers).await });
        tokio::task::yield_now().await;
        assert!(downlink.try_recv().is_err(), "sent before any credit");
        credit.send(Credit::Bytes(4)).unwrap();
        assert_eq!(sent(downlink.recv().await.unwrap()), data(b"0123"));
        credit.send(Credit::Bytes(100)).unwrap();
        assert_eq!(sent(downlink.recv().await.unwrap()), data(b"456789"));
        assert_eq!(sent(downlink.recv().await.unwrap()), BodyPart::End);
        task.await.unwrap();
    }

    #[tokio::test]
    async fn a_cancelled_answer_stops_reading_its_source() {
        let (answers, mut downlink) = mpsc::channel(16);
        let (credit, credits) = mpsc::unbounded_channel();
        let body: ByteStream = futures::stream::pending().boxed();
        let task = tokio::spawn(async move { send_answer(3, body, credits, &answers).await });
        credit.send(Credit::Cancel).unwrap();
        task.await.unwrap();
        assert!(
            downlink.recv().await.is_none(),
            "nothing sent after a cancel"
        );
    }

    #[tokio::test]
    async fn a_failing_source_aborts_the_answer() {
        let (answers, mut downlink) = mpsc::channel(16);
        let (credit, credits) = mpsc::unbounded_channel();
        let body: ByteStream = futures::stream::iter([
            Ok(Bytes::from_static(b"ab")),
            Err(BoxError::from("disk on fire")),
        ])
        .boxed();
        credit.send(Credit::Bytes(10)).unwrap();
        send_answer(3, body, credits, &answers).await;
        assert_eq!(sent(downlink.recv().await.unwrap()), data(b"ab"));
        match sent(downlink.recv().await.unwrap()) {
            BodyPart::Abort(BodyAbort::Failed(why)) => assert!(why.contains("disk on fire")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_registration_removes_only_its_own_entry() {
        let streams = Arc::new(AnswerStreams::default());
        let (old, _old_rx) = streams.register(5);
        streams.cancel_all();
        let (_new, mut new_rx) = streams.register(5);
        drop(old);
        streams.credit(&CreditRecord {
            request_id: 5,
            credit: Credit::Bytes(1),
        });
        assert_eq!(new_rx.try_recv().unwrap(), Credit::Bytes(1));
    }
}
