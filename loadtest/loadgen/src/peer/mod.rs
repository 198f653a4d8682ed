//! The tokio peer: the broadcast server a competent Rust developer would write without our
//! data plane — tokio + hyper 1 + fastwebsockets, one current-thread runtime per core, each
//! with its own `SO_REUSEPORT` listener (so the kernel spreads connections), and rooms
//! shared by all runtimes through `tokio::sync::broadcast` channels.
//!
//! It speaks the Phoenix subset the load generator and the k6 scripts use, with the node's
//! frame and payload shapes: upgrade at `/socket/websocket` or `/socket` (the token is
//! ignored), `phx_join`/`phx_leave` → `ok`, `heartbeat` → `ok`, `new_message` on a joined
//! topic → `ok` `{message_id, offset}` and `new_message`
//! `{message_id, room_id, user_id, content, offset, timestamp}` to every socket of the topic
//! on every runtime. A broadcast is encoded once (a complete WebSocket frame in a `Bytes`)
//! and that buffer is written to each subscriber. Not stored anywhere: the peer has no
//! database, which favours it against the node.
//!
//! # Layout
//! - [`rooms`]: the topic table (one broadcast channel per topic) and frame encoding.
//! - [`session`]: one socket (reader task + writer task).
//!
//! # Limits
//! A room's channel holds [`rooms::ROOM_CAPACITY`] frames; a subscriber that falls further
//! behind is closed with 1008 `slow consumer` (the node's policy for an outbox over 1024
//! frames), so a slow reader never holds the others back.

pub mod rooms;
pub mod session;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;

use rooms::Rooms;

/// Accept backlog of each listener.
const BACKLOG: i32 = 4096;

/// Runs the peer on `threads` runtimes until the process is stopped.
pub fn run(addr: SocketAddr, threads: usize) -> anyhow::Result<()> {
    let rooms = Arc::new(Rooms::default());
    let mut handles = Vec::new();
    for i in 0..threads.max(1) {
        let listener = listener(addr).context("cannot listen")?;
        let rooms = rooms.clone();
        let handle = std::thread::Builder::new()
            .name(format!("peer-{i}"))
            .spawn(move || -> anyhow::Result<()> {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                runtime.block_on(serve(listener, rooms))
            })?;
        handles.push(handle);
    }
    eprintln!("tokio-peer listening on {addr} with {threads} runtimes");
    for h in handles {
        h.join()
            .map_err(|_| anyhow::anyhow!("a runtime panicked"))??;
    }
    Ok(())
}

fn listener(addr: SocketAddr) -> std::io::Result<std::net::TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.set_reuse_address(true)?;
    socket.set_reuse_port(true)?;
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(BACKLOG)?;
    Ok(socket.into())
}

async fn serve(listener: std::net::TcpListener, rooms: Arc<Rooms>) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::from_std(listener)?;
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(s) => s,
            Err(e) => {
                // EMFILE and friends: wait a little rather than spin.
                eprintln!("accept: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let rooms = rooms.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| answer(req, rooms.clone()));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades()
                .await;
        });
    }
}

async fn answer(
    mut req: Request<Incoming>,
    rooms: Arc<Rooms>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path();
    if path == "/health" {
        return Ok(Response::new(Full::new(Bytes::from_static(b"ok"))));
    }
    if !matches!(path, "/socket/websocket" | "/socket")
        || !fastwebsockets::upgrade::is_upgrade_request(&req)
    {
        return Ok(status(StatusCode::NOT_FOUND));
    }
    match fastwebsockets::upgrade::upgrade(&mut req) {
        Ok((response, upgrade)) => {
            tokio::spawn(async move {
                if let Ok(ws) = upgrade.await {
                    session::run(ws, rooms).await;
                }
            });
            let (parts, _) = response.into_parts();
            Ok(Response::from_parts(parts, Full::new(Bytes::new())))
        }
        Err(_) => Ok(status(StatusCode::BAD_REQUEST)),
    }
}

fn status(code: StatusCode) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::new()));
    *r.status_mut() = code;
    r
}
