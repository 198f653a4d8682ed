//! HTTP/1.1 on the shards: each accepted connection is served by hyper on its shard, and
//! every request is forwarded whole to the control plane through the shard's uplink ring;
//! the answer comes back through the shard's inbox.
//!
//! hyper's I/O traits are met through `tokio_util::compat` + `hyper_util::rt::TokioIo`
//! over glommio's stream; no tokio runtime runs here, only the trait adapters. hyper's own
//! timers need `Send` sleeps, which glommio's are not, so the idle/slow-read guard is the
//! socket read timeout ([`HttpLimits::read_timeout`]).

use std::cell::Cell;
use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::pin;
use std::rc::Rc;

use bytes::Bytes;
use codecs::ring::{FromShard, HttpRequestRecord, HttpResponseRecord, ShardId};
use futures_channel::{mpsc, oneshot};
use futures_lite::future;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::cell::RefCell;
use tokio_util::compat::FuturesAsyncReadCompatExt;

use crate::config::HttpLimits;
use crate::runtime::{self, TcpListener, TcpStream};
use crate::signal::LocalSignal;

/// What the tasks of one shard share. Single-threaded by construction.
pub(crate) struct ShardState {
    pub id: ShardId,
    pub limits: HttpLimits,
    /// Records for the control plane; the shard loop moves them onto the uplink ring.
    /// Unbounded locally, but holds at most one request per open connection (HTTP/1.1
    /// without pipelining), so it is bounded by the connection count.
    pub uplink: mpsc::UnboundedSender<FromShard>,
    /// Requests waiting for the control plane's answer.
    pub pending: RefCell<HashMap<u64, oneshot::Sender<Box<HttpResponseRecord>>>>,
    pub next_request: Cell<u64>,
    /// Open connections (the shard stops only when this is zero or the grace is over).
    pub connections: Cell<usize>,
    /// Fired when the shard stops: connections finish their request and close.
    pub stopping: LocalSignal,
}

impl ShardState {
    /// Hands an answer to the request waiting for it; an unknown id (the client left, or
    /// the request timed out) is dropped.
    pub fn complete(&self, response: Box<HttpResponseRecord>) {
        if let Some(waiter) = self.pending.borrow_mut().remove(&response.request_id) {
            let _ = waiter.send(response);
        }
    }
}

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
    let handler_state = state.clone();
    let service = service_fn(move |req| {
        let state = handler_state.clone();
        async move { Ok::<_, Infallible>(forward(req, &state, peer).await) }
    });
    let mut conn = pin!(http1::Builder::new().serve_connection(io, service));
    let stopped = future::or(async { Some(conn.as_mut().await) }, async {
        state.stopping.wait().await;
        None
    })
    .await;
    let result = match stopped {
        Some(result) => result,
        None => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = result {
        tracing::debug!(shard = state.id, %peer, error = %e, "connection ended with an error");
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

async fn forward(
    req: Request<Incoming>,
    state: &ShardState,
    peer: SocketAddr,
) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, state.limits.max_body_bytes)
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => {
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!("body larger than {} bytes", state.limits.max_body_bytes),
            );
        }
        Err(e) => return error(StatusCode::BAD_REQUEST, &format!("cannot read body: {e}")),
    };
    let id = state.next_request.get();
    state.next_request.set(id.wrapping_add(1));
    let (tx, rx) = oneshot::channel();
    state.pending.borrow_mut().insert(id, tx);
    let _guard = PendingGuard { state, id };
    let record = HttpRequestRecord {
        shard: state.id,
        request_id: id,
        method: parts.method,
        uri: parts.uri,
        headers: parts.headers,
        body,
        peer,
    };
    if state
        .uplink
        .unbounded_send(FromShard::HttpRequest(Box::new(record)))
        .is_err()
    {
        return error(StatusCode::SERVICE_UNAVAILABLE, "the node is stopping");
    }
    match runtime::timeout(state.limits.request_timeout, rx).await {
        Some(Ok(answer)) => {
            let HttpResponseRecord {
                status,
                headers,
                body,
                ..
            } = *answer;
            let mut response = Response::new(Full::new(body));
            *response.status_mut() = status;
            *response.headers_mut() = headers;
            response
        }
        Some(Err(_)) => error(StatusCode::SERVICE_UNAVAILABLE, "the control plane is gone"),
        None => error(
            StatusCode::GATEWAY_TIMEOUT,
            "the control plane did not answer in time",
        ),
    }
}

fn error(status: StatusCode, message: &str) -> Response<Full<Bytes>> {
    let body = format!("{{\"error\":{}}}", json_string(message));
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
