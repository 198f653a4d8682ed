//! The HTTP server of the source tests: hyper on 127.0.0.1:0, answering each request as
//! the test's route says (whole, cut mid-body, stalled, chunked) and logging what it was
//! asked (path, `Range`, `If-Range`).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use futures::stream::{self, BoxStream};
use http_body_util::{BodyExt, StreamBody, combinators::UnsyncBoxBody};
use hyper::body::Frame;
use hyper_util::rt::TokioIo;

/// What the server answers to one request.
pub enum Reply {
    /// A whole answer.
    Full(u16, Vec<(&'static str, String)>, Bytes),
    /// Declares all of `body` (with this status and headers), sends `cut` bytes, then
    /// drops the connection.
    Cut(u16, Vec<(&'static str, String)>, Bytes, usize),
    /// Sends the headers and the first `sent` bytes of the body, then nothing.
    Stall(Bytes, usize),
    /// The body chunked, no `Content-Length`.
    Chunked(Bytes),
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    pub range: Option<String>,
    pub if_range: Option<String>,
}

type Route = dyn Fn(&Seen, usize) -> Reply + Send + Sync;

/// A hyper server on 127.0.0.1:0; `route` gets each request and how many times its path
/// was asked for (1 the first time).
pub struct Server {
    pub addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    pub async fn start(route: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let route: Arc<Route> = Arc::new(route);
        let log = Arc::clone(&seen);
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let (route, log) = (Arc::clone(&route), Arc::clone(&log));
                let service = hyper::service::service_fn(move |req| {
                    let header = |name| {
                        req.headers()
                            .get(name)
                            .map(|v: &hyper::header::HeaderValue| v.to_str().unwrap().to_owned())
                    };
                    let seen = Seen {
                        path: req.uri().path().to_owned(),
                        range: header(hyper::header::RANGE),
                        if_range: header(hyper::header::IF_RANGE),
                    };
                    let hits = {
                        let mut log = log.lock().unwrap();
                        log.push(seen.clone());
                        log.iter().filter(|s| s.path == seen.path).count()
                    };
                    let reply = route(&seen, hits);
                    async move { Ok::<_, Infallible>(respond(reply)) }
                });
                tokio::spawn(
                    hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tcp), service),
                );
            }
        });
        Server { addr, seen }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

type Body = UnsyncBoxBody<Bytes, std::io::Error>;

fn frames(s: BoxStream<'static, Result<Bytes, std::io::Error>>) -> Body {
    BodyExt::boxed_unsync(StreamBody::new(s.map(|r| r.map(Frame::data))))
}

fn respond(reply: Reply) -> hyper::Response<Body> {
    let mut builder = hyper::Response::builder();
    let (status, body) = match reply {
        Reply::Full(status, headers, body) => {
            for (k, v) in headers {
                builder = builder.header(k, v);
            }
            let len = body.len();
            builder = builder.header("content-length", len);
            (status, frames(stream::iter([Ok(body)]).boxed()))
        }
        Reply::Cut(status, headers, body, cut) => {
            for (k, v) in headers {
                builder = builder.header(k, v);
            }
            builder = builder.header("content-length", body.len());
            // The error comes a moment after the bytes, so they are flushed first.
            let broken = async {
                tokio::time::sleep(Duration::from_millis(100)).await;
                Err(std::io::Error::other("cut by the test"))
            };
            let parts = stream::iter([Ok(body.slice(..cut))]).chain(stream::once(broken));
            (status, frames(parts.boxed()))
        }
        Reply::Stall(body, sent) => {
            builder = builder.header("content-length", body.len());
            let parts = stream::iter([Ok(body.slice(..sent))]).chain(stream::pending());
            (200, frames(parts.boxed()))
        }
        Reply::Chunked(body) => {
            let pieces: Vec<_> = body
                .chunks(16 * 1024)
                .map(|c| Ok(Bytes::copy_from_slice(c)))
                .collect();
            (200, frames(stream::iter(pieces).boxed()))
        }
    };
    builder.status(status).body(body).unwrap()
}

pub fn redirect(status: u16, to: &str) -> Reply {
    Reply::Full(status, vec![("location", to.to_owned())], Bytes::new())
}

pub const ETAG: &str = "\"clip-v1\"";

/// The clip with byte ranges and a validator, as a file server offers it.
pub fn ranged() -> Vec<(&'static str, String)> {
    vec![("accept-ranges", "bytes".into()), ("etag", ETAG.into())]
}

/// A 206 for `Range: bytes=N-` of `clip`, when `If-Range` still matches.
pub fn partial(seen: &Seen, clip: &Bytes) -> Reply {
    assert_eq!(
        seen.if_range.as_deref(),
        Some(ETAG),
        "If-Range carries the ETag"
    );
    let from: usize = seen
        .range
        .as_deref()
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.strip_suffix('-'))
        .unwrap()
        .parse()
        .unwrap();
    let mut headers = ranged();
    headers.push((
        "content-range",
        format!("bytes {from}-{}/{}", clip.len() - 1, clip.len()),
    ));
    Reply::Full(206, headers, clip.slice(from..))
}
