//! What the local FCM and APNs servers share, so each of them holds only its provider's
//! checks and answers:
//! - the accept loop: 127.0.0.1 on a free port, TLS (ALPN `h2` only, as APNs requires and
//!   FCM offers), HTTP/2 served by hyper, one task per connection, the whole request body
//!   read (at most 1 MiB) before the handler sees it;
//! - [`ScriptedServer`], the running server: its address, the scripted replies per device
//!   token, and the log of the sends that passed the provider's checks.
//!
//! # Benchmark mode
//! Keeping every request (headers, parsed body) costs memory and time at tens of thousands
//! of sends a second; [`ScriptedServer::keep_received`]`(false)` keeps only the count.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{HeaderMap, Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::{Received, Reply, Script};

/// Largest request body read.
const MAX_REQUEST: usize = 1 << 20;
/// HTTP/2 streams a client may open at once on one connection.
const MAX_STREAMS: u32 = 1000;

/// A running local provider: stopped on drop.
pub struct ScriptedServer {
    addr: SocketAddr,
    task: JoinHandle<()>,
    book: Arc<Book>,
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The scripted replies and what was received, shared by a server's handler and its owner.
#[derive(Default)]
pub(crate) struct Book {
    script: Script,
    received: Mutex<Vec<Received>>,
    forget: AtomicBool,
    sends: AtomicU64,
}

impl Book {
    /// The reply to a send to `token` that passed the checks; the send is logged.
    pub(crate) fn reply(
        &self,
        token: &str,
        headers: &HeaderMap,
        body: &serde_json::Value,
    ) -> Reply {
        let reply = self.script.next(token);
        self.sends.fetch_add(1, Ordering::Relaxed);
        if !self.forget.load(Ordering::Relaxed)
            && let Ok(mut received) = self.received.lock()
        {
            received.push(Received {
                token: token.to_string(),
                headers: headers.clone(),
                body: body.clone(),
                at: Instant::now(),
                reply,
            });
        }
        reply
    }
}

impl ScriptedServer {
    /// Serves `handler` (given the shared [`Book`]) on `listener` until dropped.
    pub(crate) fn spawn<H, F>(
        listener: TcpListener,
        tls: Arc<rustls::ServerConfig>,
        book: Arc<Book>,
        handler: H,
    ) -> std::io::Result<ScriptedServer>
    where
        H: Fn(Request<Bytes>) -> F + Send + Sync + 'static,
        F: Future<Output = Response<Full<Bytes>>> + Send + 'static,
    {
        let addr = listener.local_addr()?;
        let task = tokio::spawn(accept_loop(listener, tls, Arc::new(handler)));
        Ok(ScriptedServer { addr, task, book })
    }

    /// `https://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> String {
        format!("https://127.0.0.1:{}", self.addr.port())
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Scripts the replies to `token`: each send takes the next one, the last one repeats.
    pub fn script(&self, token: &str, replies: &[Reply]) {
        self.book.script.set(token, replies);
    }

    /// Every send that passed the checks, in order (empty after `keep_received(false)`).
    pub fn received(&self) -> Vec<Received> {
        self.book
            .received
            .lock()
            .map(|r| r.clone())
            .unwrap_or_default()
    }

    /// Sends received for `token`.
    pub fn sends_to(&self, token: &str) -> usize {
        self.received().iter().filter(|r| r.token == token).count()
    }

    /// Sends that passed the checks, counted even when they are not kept.
    pub fn sends(&self) -> u64 {
        self.book.sends.load(Ordering::Relaxed)
    }

    /// Whether each send is kept for [`received`](Self::received) (the default) or only
    /// counted (benchmarks).
    pub fn keep_received(&self, keep: bool) {
        self.book.forget.store(!keep, Ordering::Relaxed);
    }
}

/// Binds 127.0.0.1 on a free port (before serving, so a server can put its own address in
/// what it generates).
pub(crate) async fn bind() -> std::io::Result<TcpListener> {
    TcpListener::bind("127.0.0.1:0").await
}

async fn accept_loop<H, F>(listener: TcpListener, tls: Arc<rustls::ServerConfig>, handler: Arc<H>)
where
    H: Fn(Request<Bytes>) -> F + Send + Sync + 'static,
    F: Future<Output = Response<Full<Bytes>>> + Send + 'static,
{
    let acceptor = tokio_rustls::TlsAcceptor::from(tls);
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let acceptor = acceptor.clone();
        let handler = handler.clone();
        tokio::spawn(async move {
            let Ok(tls) = acceptor.accept(tcp).await else {
                return;
            };
            let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                let handler = handler.clone();
                async move {
                    let (parts, body) = req.into_parts();
                    let body = match Limited::new(body, MAX_REQUEST).collect().await {
                        Ok(body) => body.to_bytes(),
                        Err(_) => Bytes::new(),
                    };
                    Ok::<_, Infallible>(handler(Request::from_parts(parts, body)).await)
                }
            });
            let _ = hyper::server::conn::http2::Builder::new(TokioExecutor::new())
                .max_concurrent_streams(MAX_STREAMS)
                .serve_connection(TokioIo::new(tls), service)
                .await;
        });
    }
}

/// A JSON answer.
pub(crate) fn json(status: u16, value: &serde_json::Value) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(value.to_string())));
    *response.status_mut() =
        hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    response
}

/// `response` with `Retry-After: secs`.
pub(crate) fn retry_after(mut response: Response<Full<Bytes>>, secs: u64) -> Response<Full<Bytes>> {
    response.headers_mut().insert(
        hyper::header::RETRY_AFTER,
        hyper::header::HeaderValue::from(secs),
    );
    response
}
