//! The echo endpoint, `/ws/echo`: it exists for the Autobahn|TestSuite conformance run
//! (`loadtest/autobahn/run.sh`, cases 1–7, 9 and 10 of RFC 6455) and for nothing else. It is
//! off unless [`HttpLimits::echo_endpoint`](crate::config::HttpLimits::echo_endpoint) is set
//! (the node's `ARMORICORE_WS_ECHO=1`); when off, the path is forwarded like any unknown one.
//!
//! It owns one socket's whole life after the 101: no token, no channels, no outbox. Every
//! text or binary message comes back unchanged with its opcode, fragmented messages whole;
//! pings are answered; a close is answered and the TCP connection closed (server first, as
//! RFC 6455 §7.1.1 asks).
//!
//! It reads with the same [`MessageReader`] as the Phoenix sockets, so the conformance run
//! checks the frame parsing, reassembly and UTF-8 and close checks every socket relies on.
//!
//! Limits: a message (or a frame) over [`MAX_MESSAGE_BYTES`] closes the socket with 1009;
//! this bound is the endpoint's own, independent of `HttpLimits::max_body_bytes` (the bound
//! of Phoenix sockets). The idle bound is the connection's read timeout
//! (`HttpLimits::read_timeout`). A shard that stops drops its echo sockets without a close
//! frame (cutting a write mid-frame would make one unreadable anyway).

use std::cell::Cell;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use codecs::websocket::{self, Opcode};
use futures_lite::{AsyncWrite, AsyncWriteExt, future};
use http_body_util::Full;
use hyper::body::Incoming as Body;
use hyper::{Request, Response, StatusCode};

use crate::runtime::{self, TcpStream};
use crate::signal::LocalSignal;
use crate::wsread::{Incoming, MessageError, MessageReader};

/// The path of the echo endpoint.
pub(crate) const PATH: &str = "/ws/echo";

/// Largest message echoed, after reassembly: 16 MiB, the largest Autobahn sends (case 9).
/// A frame or a message past it closes the socket with 1009 (message too big).
pub const MAX_MESSAGE_BYTES: usize = 16 << 20;

/// After the server sent a close frame, how long it waits for the client's close before
/// dropping the connection (closing with unread input would send a reset, which can destroy
/// the close frame before the client reads it).
const CLOSE_LINGER: Duration = Duration::from_secs(2);

/// Whether `req` asks to open the echo endpoint.
pub(crate) fn is_echo_upgrade<B>(req: &Request<B>) -> bool {
    req.uri().path() == PATH && fastwebsockets::upgrade::is_upgrade_request(req)
}

/// Answers the upgrade (101, or 400 when the handshake headers are wrong) and, on 101,
/// marks the connection for [`run`] once hyper lets go of it.
pub(crate) fn upgrade(mut req: Request<Body>, echoing: &Cell<bool>) -> Response<Full<Bytes>> {
    match fastwebsockets::upgrade::upgrade(&mut req) {
        Ok((response, _)) => {
            echoing.set(true);
            let (parts, _) = response.into_parts();
            Response::from_parts(parts, Full::new(Bytes::new()))
        }
        Err(e) => {
            let mut response = Response::new(Full::new(Bytes::from(e.to_string())));
            *response.status_mut() = StatusCode::BAD_REQUEST;
            response
        }
    }
}

/// How a session ended.
enum Ending {
    /// The client closed and its close was answered.
    Closed,
    /// The client sent a close frame the server must refuse: the server answers with its
    /// own close and drops the connection at once (no other close is coming).
    RefusedClose(MessageError),
    /// The server fails the connection, then waits for the client's close.
    Failed(MessageError),
}

/// Runs one echo socket until either side closes it or the shard stops.
pub(crate) async fn run(stream: TcpStream, read_ahead: Bytes, stopping: &LocalSignal) {
    let (mut read, mut write) = futures_lite::io::split(stream);
    let mut reader = MessageReader::new(&read_ahead, MAX_MESSAGE_BYTES);
    drop(read_ahead);
    let ending = future::or(
        async { Some(echo_loop(&mut reader, &mut read, &mut write).await) },
        async {
            stopping.wait().await;
            None
        },
    )
    .await;
    let (error, await_client_close) = match ending {
        None | Some(Ending::Closed) => return,
        Some(Ending::RefusedClose(error)) => (error, false),
        Some(Ending::Failed(error)) => (error, true),
    };
    tracing::debug!(%error, "echo socket failed");
    if let Some(code) = error.close_code() {
        let close = websocket::close_frame(code, &error.to_string());
        if write.write_all(&close).await.is_err() {
            return;
        }
        if await_client_close {
            // Frames after the server's close are read and dropped until the client's close.
            let _ = runtime::timeout(CLOSE_LINGER, async {
                while let Ok(incoming) = reader.next(&mut read).await {
                    if matches!(incoming, Incoming::Close(_) | Incoming::BadClose(_)) {
                        return;
                    }
                }
            })
            .await;
        }
    }
}

/// Reads and echoes until the client closes or the server must fail the connection.
async fn echo_loop<R, W>(reader: &mut MessageReader, read: &mut R, write: &mut W) -> Ending
where
    R: futures_lite::AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut out = BytesMut::new();
    loop {
        let incoming = match reader.next(read).await {
            Ok(incoming) => incoming,
            Err(error) => return Ending::Failed(error),
        };
        let (opcode, payload, last) = match incoming {
            Incoming::Message { opcode, payload } => (opcode, payload, false),
            Incoming::Ping(payload) => (Opcode::Pong, payload, false),
            Incoming::Pong => continue,
            Incoming::Close(payload) => (Opcode::Close, payload, true),
            Incoming::BadClose(error) => return Ending::RefusedClose(error),
        };
        out.clear();
        out.reserve(websocket::frame_len(payload.len()));
        // Control payloads are at most 125 bytes (the parser refused longer ones).
        if websocket::encode_frame(opcode, &payload, &mut out).is_err() {
            return Ending::Failed(MessageError::Protocol("control frame over 125 bytes"));
        }
        if let Err(e) = write.write_all(&out).await {
            return Ending::Failed(MessageError::Gone(e.to_string()));
        }
        if last {
            return Ending::Closed;
        }
        if out.capacity() > 64 << 10 {
            out = BytesMut::new(); // do not keep a large message's buffer
        }
    }
}
