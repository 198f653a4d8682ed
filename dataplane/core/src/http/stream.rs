//! Streamed HTTP bodies on a shard: a request body too large to collect goes to the control
//! plane in parts under credit, and a streamed answer comes back the same way (wire
//! format and rules in `codecs::ring`).
//!
//! # Bounds
//! - Upload: the shard sends at most [`HttpLimits::stream_window`] bytes the control plane
//!   has not granted back; at zero credit it stops polling hyper's body, so hyper stops
//!   reading the socket and TCP pushes back on the client. A chunk larger than the credit
//!   is split (by reference) and its rest waits. No credit for `request_timeout` aborts
//!   the upload (504).
//! - Answer: the control plane gets the window as its first grant and one grant per bytes
//!   hyper took; the parts waiting on the shard are bounded by that credit. No part for
//!   `request_timeout`, or an `Abort`, fails hyper's body, which cuts the connection.
//!
//! Receivers grant in batches of a quarter window, and always before they wait, so a
//! sender out of credit always gets more once its bytes are consumed.
//!
//! [`HttpLimits::stream_window`]: crate::config::HttpLimits::stream_window

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::pin::Pin;
use std::rc::Rc;

use bytes::Bytes;
use codecs::ring::{
    BodyAbort, BodyPart, BodyRecord, Credit, CreditRecord, FromShard, HttpRequestRecord, ToShard,
};
use futures_channel::mpsc;
use futures_lite::{StreamExt, future};
use http_body_util::{BodyExt, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::{Response, StatusCode};

use super::{Answer, ShardBody, ShardState, failure, respond};
use crate::runtime;

/// A streamed answer's body, as hyper polls it.
pub(crate) type AnswerBody =
    StreamBody<Pin<Box<dyn futures_lite::Stream<Item = Result<Frame<Bytes>, std::io::Error>>>>>;

/// The streams of one shard, by request id.
#[derive(Default)]
pub(crate) struct Streams {
    /// Credit grants for the uploads being pumped.
    credits: RefCell<HashMap<u64, mpsc::UnboundedSender<u64>>>,
    /// Parts of the answers being streamed out.
    answers: RefCell<HashMap<u64, mpsc::UnboundedSender<BodyPart>>>,
}

/// Handles the inbox records of streamed bodies (the shard loop's dispatch).
pub(crate) fn on_record(state: &Rc<ShardState>, record: ToShard) {
    match record {
        ToShard::HttpResponseHead(head) => {
            let id = head.request_id;
            let (tx, rx) = mpsc::unbounded();
            let parts = AnswerParts {
                id,
                rx,
                state: state.clone(),
                finished: false,
            };
            // Registered before the request's task runs: parts that follow in this same
            // batch find their way. A request no longer waiting drops `parts`, which cancels.
            state.streams.answers.borrow_mut().insert(id, tx);
            if state.try_complete(id, Answer::HttpStream(head, parts)) {
                let window = state.limits.stream_window as u64;
                send_credit(state, id, Credit::Bytes(window));
            }
        }
        ToShard::ResponseBody(body) => {
            let BodyRecord { request_id, part } = *body;
            let last = !matches!(part, BodyPart::Data(_));
            let mut answers = state.streams.answers.borrow_mut();
            // An unknown id was cancelled already; a failed send means the body was dropped
            // (its drop sent the cancel).
            let delivered = answers
                .get(&request_id)
                .is_some_and(|tx| tx.unbounded_send(part).is_ok());
            if last || !delivered {
                answers.remove(&request_id);
            }
        }
        ToShard::RequestCredit(credit) => {
            if let Credit::Bytes(n) = credit.credit
                && let Some(tx) = state.streams.credits.borrow().get(&credit.request_id)
            {
                let _ = tx.unbounded_send(n);
            }
        }
        _ => {}
    }
}

fn send_credit(state: &ShardState, request_id: u64, credit: Credit) {
    let record = CreditRecord { request_id, credit };
    let _ = state
        .uplink
        .unbounded_send(FromShard::ResponseCredit(Box::new(record)));
}

fn send_part(state: &ShardState, request_id: u64, part: BodyPart) {
    let record = BodyRecord { request_id, part };
    let _ = state
        .uplink
        .unbounded_send(FromShard::RequestBody(Box::new(record)));
}

/// Why the shard stopped sending a request body before its end.
enum Stop {
    /// Over [`HttpLimits::max_streamed_body_bytes`](crate::config::HttpLimits).
    TooLarge(u64),
    /// The client's body broke (connection reset, bad chunked encoding).
    Client(String),
    /// The control plane granted no credit within the request timeout.
    NoCredit,
}

/// One upload being pumped: its credit entry, and the `End`/`Abort` it owes the control
/// plane (`Abort(Answered)` if dropped before its end).
struct Upload<'a> {
    state: &'a ShardState,
    id: u64,
    /// Set when the client's body was read to its end (not when an abort was sent): the
    /// connection may then stay open.
    read_whole: &'a Cell<bool>,
    /// Whether the `End` or `Abort` was sent.
    settled: Cell<bool>,
}

impl Upload<'_> {
    fn end(&self, part: BodyPart) {
        if matches!(part, BodyPart::End) {
            self.read_whole.set(true);
        }
        self.settled.set(true);
        send_part(self.state, self.id, part);
    }
}

impl Drop for Upload<'_> {
    fn drop(&mut self) {
        self.state.streams.credits.borrow_mut().remove(&self.id);
        if !self.settled.get() {
            self.end(BodyPart::Abort(BodyAbort::Answered));
        }
    }
}

/// Sends the request body (`read`, then the rest of `body`) as parts under credit.
async fn pump(
    upload: Upload<'_>,
    read: Vec<Bytes>,
    mut body: Incoming,
    mut credits: mpsc::UnboundedReceiver<u64>,
) -> Result<(), Stop> {
    let limits = upload.state.limits;
    let mut credit = limits.stream_window as u64;
    let mut read = VecDeque::from(read);
    let mut total = 0u64;
    let stop = |upload: &Upload<'_>, why: Stop| {
        let abort = match &why {
            Stop::TooLarge(limit) => BodyAbort::TooLarge { limit: *limit },
            Stop::Client(e) => BodyAbort::Failed(format!("client body: {e}")),
            Stop::NoCredit => BodyAbort::Failed("no credit within the request timeout".into()),
        };
        upload.end(BodyPart::Abort(abort));
        Err(why)
    };
    loop {
        let mut chunk = match read.pop_front() {
            Some(chunk) => chunk,
            None => match body.frame().await {
                None => {
                    upload.end(BodyPart::End);
                    return Ok(());
                }
                Some(Err(e)) => return stop(&upload, Stop::Client(e.to_string())),
                Some(Ok(frame)) => match frame.into_data() {
                    Ok(data) => data,
                    Err(_) => continue, // trailers: not forwarded
                },
            },
        };
        total += chunk.len() as u64;
        if total > limits.max_streamed_body_bytes {
            return stop(&upload, Stop::TooLarge(limits.max_streamed_body_bytes));
        }
        while !chunk.is_empty() {
            while let Ok(granted) = credits.try_recv() {
                credit += granted;
            }
            if credit == 0 {
                match runtime::timeout(limits.request_timeout, credits.next()).await {
                    Some(Some(granted)) => credit += granted,
                    _ => return stop(&upload, Stop::NoCredit),
                }
                continue;
            }
            let take = chunk
                .len()
                .min(usize::try_from(credit).unwrap_or(usize::MAX));
            let part = chunk.split_to(take);
            credit -= take as u64;
            send_part(upload.state, upload.id, BodyPart::Data(part));
        }
    }
}

/// Forwards a request whose body streams: the head with what was `read`, then the rest,
/// while waiting for the answer. The flag says whether the connection must close (the
/// body was not read to its end).
pub(super) async fn forward(
    state: &Rc<ShardState>,
    parts: hyper::http::request::Parts,
    read: Vec<Bytes>,
    body: Incoming,
    peer: SocketAddr,
) -> (Response<ShardBody>, bool) {
    let shard = state.id;
    let head = |request_id| {
        FromShard::HttpRequestHead(Box::new(HttpRequestRecord {
            shard,
            request_id,
            method: parts.method,
            uri: parts.uri,
            headers: parts.headers,
            body: Bytes::new(),
            peer,
        }))
    };
    let Some(mut waiting) = state.begin(head) else {
        return (
            failure(StatusCode::SERVICE_UNAVAILABLE, "node stopping"),
            true,
        );
    };
    let (tx, credits) = mpsc::unbounded();
    // Inserted before the next await: no grant can arrive before it.
    state.streams.credits.borrow_mut().insert(waiting.id, tx);
    let read_whole = Cell::new(false);
    let upload = Upload {
        state,
        id: waiting.id,
        read_whole: &read_whole,
        settled: Cell::new(false),
    };
    let answer = &mut waiting.answer;
    let first = future::or(async { Ok(answer.await.ok()) }, async {
        Err(pump(upload, read, body, credits).await)
    })
    .await;
    let limits = &state.limits;
    match first {
        // Answered before (or as) the body ended: close unless it was read whole.
        Ok(answer) => (respond(answer), !read_whole.get()),
        Err(Ok(())) => {
            let answer = runtime::timeout(limits.request_timeout, &mut waiting.answer).await;
            (respond(answer.and_then(Result::ok)), false)
        }
        Err(Err(Stop::TooLarge(limit))) => {
            let message = format!("body larger than {limit} bytes");
            (failure(StatusCode::PAYLOAD_TOO_LARGE, &message), true)
        }
        Err(Err(Stop::Client(e))) => {
            let message = format!("cannot read body: {e}");
            (failure(StatusCode::BAD_REQUEST, &message), true)
        }
        Err(Err(Stop::NoCredit)) => {
            let message = "the control plane took no more of the body in time";
            (failure(StatusCode::GATEWAY_TIMEOUT, message), true)
        }
    }
}

/// The parts of one streamed answer, as the shard loop hands them over. Dropped before
/// the end (client gone, hyper done with the connection), it cancels the stream.
pub(crate) struct AnswerParts {
    id: u64,
    rx: mpsc::UnboundedReceiver<BodyPart>,
    state: Rc<ShardState>,
    finished: bool,
}

impl Drop for AnswerParts {
    fn drop(&mut self) {
        self.state.streams.answers.borrow_mut().remove(&self.id);
        if !self.finished {
            send_credit(&self.state, self.id, Credit::Cancel);
        }
    }
}

/// Where a streamed answer's body stands between two polls.
struct Outgoing {
    parts: AnswerParts,
    first: Option<Bytes>,
    /// Bytes hyper took that the control plane has not been granted back.
    taken: u64,
    done: bool,
}

impl Outgoing {
    fn grant(&mut self) {
        if self.taken > 0 {
            send_credit(&self.parts.state, self.parts.id, Credit::Bytes(self.taken));
            self.taken = 0;
        }
    }

    async fn next(&mut self) -> Option<Result<Frame<Bytes>, std::io::Error>> {
        if self.done {
            return None;
        }
        if let Some(first) = self.first.take() {
            self.taken += first.len() as u64;
            return Some(Ok(Frame::data(first)));
        }
        let limits = self.parts.state.limits;
        let part = match self.parts.rx.try_recv() {
            Ok(part) => {
                if self.taken >= (limits.stream_window as u64 / 4).max(1) {
                    self.grant();
                }
                Some(part)
            }
            Err(mpsc::TryRecvError::Closed) => None,
            Err(mpsc::TryRecvError::Empty) => {
                self.grant();
                let next = runtime::timeout(limits.request_timeout, self.parts.rx.next());
                match next.await {
                    Some(part) => part,
                    None => return self.fail("no part of the answer within the request timeout"),
                }
            }
        };
        match part {
            Some(BodyPart::Data(bytes)) => {
                self.taken += bytes.len() as u64;
                Some(Ok(Frame::data(bytes)))
            }
            Some(BodyPart::End) => {
                self.parts.finished = true;
                self.done = true;
                None
            }
            Some(BodyPart::Abort(why)) => {
                self.parts.finished = true;
                self.fail(&format!("the answer was aborted: {why:?}"))
            }
            None => self.fail("the answer's stream closed before its end"),
        }
    }

    fn fail(&mut self, why: &str) -> Option<Result<Frame<Bytes>, std::io::Error>> {
        self.done = true;
        tracing::debug!(
            shard = self.parts.state.id,
            id = self.parts.id,
            why,
            "streamed answer cut"
        );
        Some(Err(std::io::Error::other(why.to_string())))
    }
}

/// The body of a streamed answer: `first`, then the parts as they come.
pub(crate) fn answer_body(parts: AnswerParts, first: Bytes) -> AnswerBody {
    let outgoing = Outgoing {
        parts,
        first: (!first.is_empty()).then_some(first),
        taken: 0,
        done: false,
    };
    let frames = futures_util::stream::unfold(outgoing, |mut outgoing| async move {
        let frame = outgoing.next().await?;
        Some((frame, outgoing))
    });
    StreamBody::new(Box::pin(frames))
}
