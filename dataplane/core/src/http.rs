//! HTTP/1.1 on the shards: each accepted connection is served by hyper on its shard, and
//! every request is forwarded to the control plane through the shard's uplink ring; the
//! answer comes back through the shard's inbox. A body that fits
//! [`HttpLimits::max_body_bytes`] is collected and forwarded whole; a larger one streams,
//! under credit, and so may an answer (see [`stream`] and `codecs::ring`).
//!
//! A connection whose request body was not read to its end (an answer that came first, a
//! body over the cap) is closed after the answer, and lingers: the shard stops writing,
//! then reads and discards what the client still sends for at most [`LINGER`], so the
//! client reads the answer instead of losing it to a reset.
//!
//! hyper's I/O traits are met through `tokio_util::compat` + `hyper_util::rt::TokioIo`
//! over glommio's stream; no tokio runtime runs here, only the trait adapters. hyper's own
//! timers need `Send` sleeps, which glommio's are not, so the idle/slow-read guard is the
//! socket read timeout ([`HttpLimits::read_timeout`]).

use std::cell::Cell;
use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::rc::Rc;

use bytes::Bytes;
use codecs::ring::{
    AuthRequestRecord, AuthVerdictRecord, FromShard, HttpRequestRecord, HttpResponseRecord, ShardId,
};
use futures_channel::{mpsc, oneshot};
use futures_lite::{AsyncReadExt, future};
use http_body_util::{BodyExt, Either, Full};
use hyper::body::Incoming;
use hyper::header::{CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::cell::RefCell;
use tokio_util::compat::FuturesAsyncReadCompatExt;

use crate::config::HttpLimits;
use crate::echo;
use crate::fanout::{OutboxLimits, TopicRegistry};
use crate::runtime::{self, TcpListener, TcpStream};
use crate::signal::LocalSignal;
use crate::ws::{self, SocketInfo};

pub(crate) mod stream;

/// The longest a closing connection keeps reading what the client still sends (nginx's
/// `lingering_time`): long enough for a client to finish writing a large body it started
/// before the answer came, on a loaded machine, and read that answer.
pub(crate) const LINGER: std::time::Duration = std::time::Duration::from_secs(30);

/// The longest a lingering connection waits for the client's next bytes (nginx's
/// `lingering_timeout`): a client that stopped sending but did not close is not waited for.
const LINGER_IDLE: std::time::Duration = std::time::Duration::from_secs(5);

/// The body of every answer: whole, or streamed from the control plane.
pub(crate) type ShardBody = Either<Full<Bytes>, stream::AnswerBody>;

/// What the tasks of one shard share. Single-threaded by construction.
pub(crate) struct ShardState {
    pub id: ShardId,
    pub limits: HttpLimits,
    /// Records for the control plane; the shard loop moves them onto the uplink ring.
    /// Unbounded locally, but holds at most one request per open connection (HTTP/1.1
    /// without pipelining), so it is bounded by the connection count.
    pub uplink: mpsc::UnboundedSender<FromShard>,
    /// Requests waiting for the control plane's answer.
    pub pending: RefCell<HashMap<u64, oneshot::Sender<Answer>>>,
    /// Joins waiting for the control plane's verdict, applied by the shard loop itself.
    pub joins: RefCell<HashMap<u64, crate::ws::JoinWaiter>>,
    pub next_request: Cell<u64>,
    /// Topic subscribers of this shard, one registry per serializer (index 0: V1, 1: V2),
    /// so a broadcast is encoded at most once per serializer.
    pub registries: RefCell<[TopicRegistry; 2]>,
    /// Next socket id.
    pub next_conn: Cell<u64>,
    /// Bounds of every socket's outgoing queue.
    pub outbox_limits: OutboxLimits,
    /// Publishes started on this shard, for the other shards (the shard loop forwards them
    /// over the mesh). Unbounded locally; drained on every turn of the loop.
    pub mesh: mpsc::UnboundedSender<crate::mesh::MeshRecord>,
    /// Who is typing where: (socket, topic) → generation of the last `typing_start`, so the
    /// 3 s auto-stop of an earlier start does not cut a later one.
    pub typing: RefCell<HashMap<(crate::fanout::ConnId, String), u64>>,
    /// Open connections (the shard stops only when this is zero or the grace is over).
    pub connections: Cell<usize>,
    /// Fired when the shard stops: connections finish their request and close.
    pub stopping: LocalSignal,
    /// Streamed bodies in flight (credit of uploads, parts of answers).
    pub streams: stream::Streams,
    /// The task queue of the sockets' tasks (reads and writes); the shard loop and what
    /// answers requests run in a latency-bound queue instead (see `shard::CONTROL_LATENCY`).
    pub sockets: runtime::TaskQueue,
    /// The latency-bound queue the shard loop runs in, for tasks that a socket starts but
    /// that must not wait behind the sockets' writes (pushes to the control plane).
    pub control: runtime::TaskQueue,
}

/// An answer from the control plane to something a shard asked.
pub(crate) enum Answer {
    /// To an HTTP request.
    Http(Box<HttpResponseRecord>),
    /// To an HTTP request, with a streamed body whose parts come through the second field.
    HttpStream(Box<HttpResponseRecord>, stream::AnswerParts),
    /// To a socket's token.
    Auth(Box<AuthVerdictRecord>),
    /// To a push the control plane handled.
    Push(Box<codecs::ring::PushReplyRecord>),
}

impl ShardState {
    /// Hands an answer to the request waiting for it; an unknown id (the client left, or
    /// the request timed out) is dropped.
    pub fn complete(&self, request_id: u64, answer: Answer) {
        self.try_complete(request_id, answer);
    }

    /// [`ShardState::complete`], saying whether someone was waiting.
    pub fn try_complete(&self, request_id: u64, answer: Answer) -> bool {
        let waiter = self.pending.borrow_mut().remove(&request_id);
        waiter.is_some_and(|waiter| waiter.send(answer).is_ok())
    }

    /// Sends `record` (built with a fresh request id) to the control plane; the answer
    /// comes through the returned [`Waiting`]. `None`: the node stops.
    pub(crate) fn begin(&self, record: impl FnOnce(u64) -> FromShard) -> Option<Waiting<'_>> {
        let id = self.next_request.get();
        self.next_request.set(id.wrapping_add(1));
        let (tx, rx) = oneshot::channel();
        self.pending.borrow_mut().insert(id, tx);
        let guard = PendingGuard { state: self, id };
        self.uplink.unbounded_send(record(id)).ok()?;
        Some(Waiting {
            id,
            answer: rx,
            _guard: guard,
        })
    }

    /// Sends `record` (built with a fresh request id) to the control plane and waits for the
    /// answer, at most the request timeout. `None`: no answer in time, or the node stops.
    pub(crate) async fn ask(&self, record: impl FnOnce(u64) -> FromShard) -> Option<Answer> {
        let waiting = self.begin(record)?;
        runtime::timeout(self.limits.request_timeout, waiting.answer)
            .await?
            .ok()
    }
}

/// A request sent to the control plane, waiting for its answer.
pub(crate) struct Waiting<'a> {
    /// The request's id.
    pub id: u64,
    /// Where the answer arrives.
    pub answer: oneshot::Receiver<Answer>,
    _guard: PendingGuard<'a>,
}

/// The future answering one request, boxed (see `serve`).
type Handling =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<Response<ShardBody>, Infallible>>>>;

/// Accepts connections until cancelled.
pub(crate) async fn accept_loop(listener: TcpListener, state: Rc<ShardState>) {
    loop {
        match runtime::accept(&listener).await {
            Ok(stream) => {
                runtime::spawn_local(serve(stream, state.clone()));
            }
            Err(e) => {
                // Out of file descriptors or similar: back off instead of spinning.
                tracing::warn!(shard = state.id, error = %e, "accept failed");
                runtime::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
    }
}

struct ConnectionCount(Rc<ShardState>);

impl Drop for ConnectionCount {
    fn drop(&mut self) {
        self.0.connections.set(self.0.connections.get() - 1);
    }
}

async fn serve(stream: TcpStream, state: Rc<ShardState>) {
    state.connections.set(state.connections.get() + 1);
    let _count = ConnectionCount(state.clone());
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(state.limits.read_timeout));
    let peer = stream
        .peer_addr()
        .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
    let io = TokioIo::new(stream.compat());
    let upgraded: Rc<Cell<Option<SocketInfo>>> = Rc::new(Cell::new(None));
    let echoing = Rc::new(Cell::new(false));
    let closing = Rc::new(Cell::new(false));
    let handler_state = state.clone();
    let handler_upgraded = upgraded.clone();
    let handler_echoing = echoing.clone();
    let handler_closing = closing.clone();
    // Boxed so the connection is `Unpin`: taking the stream back after an upgrade needs
    // `poll_without_shutdown`, which hyper offers only on an `Unpin` connection.
    let service = service_fn(move |req| -> Handling {
        let state = handler_state.clone();
        let upgraded = handler_upgraded.clone();
        let echoing = handler_echoing.clone();
        let closing = handler_closing.clone();
        Box::pin(async move {
            let response = if ws::is_socket_path(req.uri().path())
                && fastwebsockets::upgrade::is_upgrade_request(&req)
            {
                upgrade(req, &state, peer, &upgraded)
                    .await
                    .map(Either::Left)
            } else if state.limits.echo_endpoint && echo::is_echo_upgrade(&req) {
                echo::upgrade(req, &echoing).map(Either::Left)
            } else {
                let (mut response, close) = forward(req, &state, peer).await;
                if close {
                    closing.set(true);
                    response
                        .headers_mut()
                        .insert(CONNECTION, HeaderValue::from_static("close"));
                }
                response
            };
            Ok::<_, Infallible>(response)
        })
    });
    let mut conn = http1::Builder::new().serve_connection(io, service);
    let stopped = future::or(
        async { Some(std::future::poll_fn(|cx| conn.poll_without_shutdown(cx)).await) },
        async {
            state.stopping.wait().await;
            None
        },
    )
    .await;
    let result = match stopped {
        Some(result) => result,
        None => {
            std::pin::Pin::new(&mut conn).graceful_shutdown();
            std::future::poll_fn(|cx| conn.poll_without_shutdown(cx)).await
        }
    };
    if let Err(e) = result {
        tracing::debug!(shard = state.id, %peer, error = %e, "connection ended with an error");
        return;
    }
    if closing.get() {
        let parts = conn.into_parts();
        linger(parts.io.into_inner().into_inner(), &state.stopping).await;
        return;
    }
    if echoing.get() {
        let parts = conn.into_parts();
        let stream = parts.io.into_inner().into_inner();
        echo::run(stream, parts.read_buf, &state.stopping).await;
        return;
    }
    if let Some(info) = upgraded.take() {
        let parts = conn.into_parts();
        let stream = parts.io.into_inner().into_inner();
        // A task of its own: a socket lives for hours, and this future keeps room for
        // hyper's connection state, which would then live as long.
        // In the sockets' queue, so the shard loop does not wait behind their writes.
        let sockets = state.sockets;
        runtime::spawn_into(
            ws::run(stream, parts.read_buf, state, info, _count),
            sockets,
        );
    }
}

/// Answers a socket connect: 403 unless the control plane accepts the token, else 101.
async fn upgrade(
    mut req: Request<Incoming>,
    state: &ShardState,
    peer: SocketAddr,
    upgraded: &Cell<Option<SocketInfo>>,
) -> Response<Full<Bytes>> {
    let Some(vsn) = codecs::phoenix::Vsn::from_query(ws::query_param(req.uri(), "vsn").as_deref())
    else {
        return error(
            StatusCode::BAD_REQUEST,
            "unsupported vsn (use 2.0.0 or none)",
        );
    };
    let Some((token, via_protocol)) = ws::token_of(req.uri(), req.headers()) else {
        return error(StatusCode::FORBIDDEN, "no token");
    };
    let shard = state.id;
    let answer = state
        .ask(|request_id| {
            FromShard::Authenticate(Box::new(AuthRequestRecord {
                shard,
                request_id,
                token,
                peer,
            }))
        })
        .await;
    let user = match answer {
        Some(Answer::Auth(verdict)) => match verdict.verdict {
            Ok(user) => user,
            Err(reason) => return error(StatusCode::FORBIDDEN, &reason),
        },
        _ => return error(StatusCode::SERVICE_UNAVAILABLE, "no verdict on the token"),
    };
    match fastwebsockets::upgrade::upgrade(&mut req) {
        Ok((response, _)) => {
            upgraded.set(Some(SocketInfo { user, vsn }));
            let (mut parts, _) = response.into_parts();
            if via_protocol {
                parts.headers.insert(
                    "sec-websocket-protocol",
                    HeaderValue::from_static("phoenix"),
                );
            }
            Response::from_parts(parts, Full::new(Bytes::new()))
        }
        Err(e) => error(StatusCode::BAD_REQUEST, &e.to_string()),
    }
}

/// Removes a pending request when its handler is dropped (client gone, timeout).
struct PendingGuard<'a> {
    state: &'a ShardState,
    id: u64,
}

impl Drop for PendingGuard<'_> {
    fn drop(&mut self) {
        self.state.pending.borrow_mut().remove(&self.id);
    }
}

/// Forwards a request: its body whole when it fits the collect limit, else streamed. The
/// flag says whether the connection must close after the answer (body not read to its end).
async fn forward(
    req: Request<Incoming>,
    state: &Rc<ShardState>,
    peer: SocketAddr,
) -> (Response<ShardBody>, bool) {
    let (parts, body) = req.into_parts();
    let limits = &state.limits;
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let collected = match declared {
        Some(len) if len > limits.max_streamed_body_bytes => {
            let message = format!("body larger than {} bytes", limits.max_streamed_body_bytes);
            return (failure(StatusCode::PAYLOAD_TOO_LARGE, &message), true);
        }
        Some(len) if len > limits.max_body_bytes as u64 => Collected::Overflow(Vec::new(), body),
        _ => match collect(body, limits.max_body_bytes).await {
            Ok(collected) => collected,
            Err(e) => {
                let message = format!("cannot read body: {e}");
                return (failure(StatusCode::BAD_REQUEST, &message), true);
            }
        },
    };
    let body = match collected {
        Collected::Whole(body) => body,
        Collected::Overflow(read, rest) => {
            return stream::forward(state, parts, read, rest, peer).await;
        }
    };
    let shard = state.id;
    let answer = state
        .ask(|request_id| {
            FromShard::HttpRequest(Box::new(HttpRequestRecord {
                shard,
                request_id,
                method: parts.method,
                uri: parts.uri,
                headers: parts.headers,
                body,
                peer,
            }))
        })
        .await;
    (respond(answer), false)
}

/// A request body read up to the collect limit.
enum Collected {
    /// All of it.
    Whole(Bytes),
    /// It goes on past the limit: what was read, and the rest.
    Overflow(Vec<Bytes>, Incoming),
}

/// Reads `body` to its end if it fits `limit` bytes.
async fn collect(mut body: Incoming, limit: usize) -> Result<Collected, hyper::Error> {
    let mut read = Vec::new();
    let mut len = 0;
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame?.into_data() else {
            continue; // trailers: not forwarded
        };
        len += data.len();
        read.push(data);
        if len > limit {
            return Ok(Collected::Overflow(read, body));
        }
    }
    Ok(Collected::Whole(match read.len() {
        0 | 1 => read.pop().unwrap_or_default(),
        _ => read.concat().into(),
    }))
}

/// The client's response for the control plane's answer (504 when there is none).
pub(crate) fn respond(answer: Option<Answer>) -> Response<ShardBody> {
    let (record, body) = match answer {
        Some(Answer::Http(record)) => {
            let body = Either::Left(Full::new(record.body.clone()));
            (record, body)
        }
        Some(Answer::HttpStream(record, parts)) => {
            let body = Either::Right(stream::answer_body(parts, record.body.clone()));
            (record, body)
        }
        _ => {
            return failure(
                StatusCode::GATEWAY_TIMEOUT,
                "the control plane did not answer in time",
            );
        }
    };
    let HttpResponseRecord {
        status, headers, ..
    } = *record;
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

/// Closes a connection gently: no more writes, then what the client still sends is read
/// and dropped until it closes too, pauses for [`LINGER_IDLE`], the node stops, or
/// [`LINGER`] has passed. Closing with unread bytes would make the kernel reset the
/// connection, and a client still writing its body would lose the answer to the reset.
async fn linger(stream: TcpStream, stopping: &LocalSignal) {
    let _ = stream.shutdown(std::net::Shutdown::Write).await;
    let mut stream = stream;
    let mut scratch = vec![0u8; 16 << 10];
    let drain = async {
        while let Some(Ok(1..)) = runtime::timeout(LINGER_IDLE, stream.read(&mut scratch)).await {}
    };
    runtime::timeout(LINGER, future::or(drain, stopping.wait())).await;
}

/// [`error`] as an answer of a forwarded request.
pub(crate) fn failure(status: StatusCode, message: &str) -> Response<ShardBody> {
    error(status, message).map(Either::Left)
}

fn error(status: StatusCode, message: &str) -> Response<Full<Bytes>> {
    let body = serde_json::json!({ "error": message }).to_string();
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}
