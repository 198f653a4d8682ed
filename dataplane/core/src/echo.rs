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
//! Why the rules live here and not in fastwebsockets' helpers (0.10):
//! - Messages are reassembled here rather than with `FragmentCollector`, which returns a
//!   text message whose last fragment ends inside a UTF-8 sequence *truncated* instead of
//!   failing it. Text is checked fragment by fragment (fail fast: 1007 as soon as the bytes
//!   so far cannot start valid UTF-8), and once more at the end.
//! - Auto-close and auto-pong are off: the reader checks the 125-byte limit only for pings,
//!   so a close frame is validated here (length, code, UTF-8 reason) before it is answered.
//!
//! Limits: a message (or a frame) over [`MAX_MESSAGE_BYTES`] closes the socket with 1009;
//! this bound is the endpoint's own, independent of `HttpLimits::max_body_bytes` (the bound
//! of Phoenix sockets). The idle bound is the connection's read timeout
//! (`HttpLimits::read_timeout`). A shard that stops drops its echo sockets without a close
//! frame (cutting a write mid-frame would make one unreadable anyway).

use std::cell::Cell;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use fastwebsockets::{CloseCode, Frame, OpCode, Payload, Role, WebSocket, WebSocketError};
use futures_lite::{AsyncReadExt, future};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_util::compat::{FuturesAsyncReadCompatExt, FuturesAsyncWriteCompatExt};

use crate::runtime::{self, TcpStream};
use crate::signal::LocalSignal;

/// The path of the echo endpoint.
pub(crate) const PATH: &str = "/ws/echo";

/// Largest message echoed, after reassembly: 16 MiB, the largest Autobahn sends (case 9).
/// A frame or a message past it closes the socket with 1009 (message too big).
pub const MAX_MESSAGE_BYTES: usize = 16 << 20;

/// After the server sent a close frame, how long it waits for the client's close before
/// dropping the connection (closing with unread input would send a reset, which can destroy
/// the close frame before the client reads it).
const CLOSE_LINGER: Duration = Duration::from_secs(2);

/// Why the server ends a socket, and the close code it sends for it (shared with the Phoenix
/// sockets of [`crate::ws`]).
#[derive(Debug, thiserror::Error)]
pub(crate) enum MessageError {
    /// A frame or a sequence of frames RFC 6455 forbids (1002).
    #[error("protocol error: {0}")]
    Protocol(&'static str),
    /// A text message or a close reason that is not UTF-8 (1007).
    #[error("invalid UTF-8")]
    InvalidUtf8,
    /// A message over [`MAX_MESSAGE_BYTES`] (1009).
    #[error("message larger than {MAX_MESSAGE_BYTES} bytes")]
    TooBig,
    /// The connection broke or timed out; nothing can be sent any more.
    #[error("connection lost: {0}")]
    Gone(String),
}

impl MessageError {
    /// The close code to send, or `None` when the connection cannot carry one.
    pub(crate) fn close_code(&self) -> Option<u16> {
        match self {
            MessageError::Protocol(_) => Some(1002),
            MessageError::InvalidUtf8 => Some(1007),
            MessageError::TooBig => Some(1009),
            MessageError::Gone(_) => None,
        }
    }
}

impl From<WebSocketError> for MessageError {
    fn from(e: WebSocketError) -> Self {
        match e {
            WebSocketError::InvalidUTF8 => MessageError::InvalidUtf8,
            WebSocketError::FrameTooLarge => MessageError::TooBig,
            WebSocketError::ReservedBitsNotZero => {
                MessageError::Protocol("reserved bits set without an extension")
            }
            WebSocketError::InvalidValue => MessageError::Protocol("reserved opcode"),
            WebSocketError::ControlFrameFragmented => {
                MessageError::Protocol("fragmented control frame")
            }
            WebSocketError::PingFrameTooLarge => MessageError::Protocol("ping over 125 bytes"),
            WebSocketError::UnexpectedEOF => MessageError::Gone("closed mid-frame".into()),
            WebSocketError::IoError(e) => MessageError::Gone(e.to_string()),
            other => MessageError::Gone(other.to_string()),
        }
    }
}

/// Whether `req` asks to open the echo endpoint.
pub(crate) fn is_echo_upgrade<B>(req: &Request<B>) -> bool {
    req.uri().path() == PATH && fastwebsockets::upgrade::is_upgrade_request(req)
}

/// Answers the upgrade (101, or 400 when the handshake headers are wrong) and, on 101,
/// marks the connection for [`run`] once hyper lets go of it.
pub(crate) fn upgrade(mut req: Request<Incoming>, echoing: &Cell<bool>) -> Response<Full<Bytes>> {
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
    let (read, write) = futures_lite::io::split(stream);
    let reader = futures_lite::io::Cursor::new(read_ahead)
        .chain(read)
        .compat();
    let io = tokio::io::join(reader, write.compat_write());
    let mut ws = WebSocket::after_handshake(io, Role::Server);
    ws.set_auto_close(false);
    ws.set_auto_pong(false);
    // The reader refuses a frame whose length is >= its maximum.
    ws.set_max_message_size(MAX_MESSAGE_BYTES + 1);
    let ending = future::or(async { Some(session(&mut ws).await) }, async {
        stopping.wait().await;
        None
    })
    .await;
    let (error, await_client_close) = match ending {
        None | Some(Ending::Closed) => return,
        Some(Ending::RefusedClose(error)) => (error, false),
        Some(Ending::Failed(error)) => (error, true),
    };
    tracing::debug!(%error, "echo socket failed");
    if let Some(code) = error.close_code() {
        let close = Frame::close(code, error.to_string().as_bytes());
        if ws.write_frame(close).await.is_err() || ws.flush().await.is_err() {
            return;
        }
        if await_client_close {
            linger(&mut ws).await;
        }
    }
}

/// After the server's close frame: reads (and discards) until the client's close arrives,
/// the connection breaks, or [`CLOSE_LINGER`] passes.
async fn linger<S: AsyncRead + AsyncWrite + Unpin>(ws: &mut WebSocket<S>) {
    let _ = runtime::timeout(CLOSE_LINGER, async {
        loop {
            match ws.read_frame().await {
                Ok(frame) if frame.opcode == OpCode::Close => return,
                // Frames after the server's close are read and dropped.
                Ok(_) | Err(WebSocketError::ConnectionClosed) => continue,
                Err(_) => return,
            }
        }
    })
    .await;
}

/// A message being reassembled from its fragments (also used by the Phoenix sockets).
pub(crate) struct Partial {
    opcode: OpCode,
    /// Largest message accepted; past it, [`MessageError::TooBig`].
    max: usize,
    payload: BytesMut,
    /// Bytes of `payload` known to be valid UTF-8 (text only); the rest, at most three
    /// bytes, is the start of a sequence the next fragment completes.
    checked: usize,
}

impl Partial {
    /// A message of `opcode` (text or binary) of at most `max` bytes.
    pub(crate) fn new(opcode: OpCode, max: usize) -> Self {
        Partial {
            opcode,
            max,
            payload: BytesMut::new(),
            checked: 0,
        }
    }

    /// Adds a fragment; text is checked as far as it can be.
    pub(crate) fn push(&mut self, fragment: &[u8]) -> Result<(), MessageError> {
        if self.payload.len() + fragment.len() > self.max {
            return Err(MessageError::TooBig);
        }
        self.payload.extend_from_slice(fragment);
        if self.opcode == OpCode::Text {
            match std::str::from_utf8(&self.payload[self.checked..]) {
                Ok(_) => self.checked = self.payload.len(),
                // `error_len() == None`: the bytes end inside a sequence that may yet be valid.
                Err(e) if e.error_len().is_none() => self.checked += e.valid_up_to(),
                Err(_) => return Err(MessageError::InvalidUtf8),
            }
        }
        Ok(())
    }

    /// The whole message (opcode and bytes), once its last fragment arrived.
    pub(crate) fn finish(self) -> Result<(OpCode, BytesMut), MessageError> {
        if self.opcode == OpCode::Text && self.checked != self.payload.len() {
            return Err(MessageError::InvalidUtf8); // ends inside a UTF-8 sequence
        }
        Ok((self.opcode, self.payload))
    }
}

/// Reads and echoes until the client closes or the server must fail the connection.
async fn session<S: AsyncRead + AsyncWrite + Unpin>(ws: &mut WebSocket<S>) -> Ending {
    echo_loop(ws).await.unwrap_or_else(Ending::Failed)
}

async fn echo_loop<S: AsyncRead + AsyncWrite + Unpin>(
    ws: &mut WebSocket<S>,
) -> Result<Ending, MessageError> {
    let mut partial: Option<Partial> = None;
    loop {
        let frame = ws.read_frame().await?;
        let reply = match frame.opcode {
            OpCode::Text | OpCode::Binary => {
                if partial.is_some() {
                    return Err(MessageError::Protocol(
                        "new message inside a fragmented one",
                    ));
                }
                if frame.fin {
                    // Text: the reader already checked a whole frame's UTF-8.
                    Some(Frame::new(true, frame.opcode, None, frame.payload))
                } else {
                    let mut message = Partial::new(frame.opcode, MAX_MESSAGE_BYTES);
                    message.push(&frame.payload)?;
                    partial = Some(message);
                    None
                }
            }
            OpCode::Continuation => {
                let Some(mut message) = partial.take() else {
                    return Err(MessageError::Protocol("continuation without a message"));
                };
                message.push(&frame.payload)?;
                if frame.fin {
                    let (opcode, payload) = message.finish()?;
                    Some(Frame::new(true, opcode, None, Payload::Bytes(payload)))
                } else {
                    partial = Some(message);
                    None
                }
            }
            OpCode::Ping => Some(Frame::pong(frame.payload)),
            OpCode::Pong => None,
            OpCode::Close => {
                if let Err(refused) = check_close(&frame.payload) {
                    return Ok(Ending::RefusedClose(refused));
                }
                ws.write_frame(Frame::close_raw(frame.payload)).await?;
                ws.flush().await?;
                return Ok(Ending::Closed);
            }
        };
        if let Some(reply) = reply {
            ws.write_frame(reply).await?;
            ws.flush().await?;
        }
    }
}

/// Checks a close frame's payload: empty, or a code a peer may send and a UTF-8 reason, in
/// at most 125 bytes.
fn check_close(payload: &[u8]) -> Result<(), MessageError> {
    if payload.len() > 125 {
        return Err(MessageError::Protocol("close frame over 125 bytes"));
    }
    let Some((code, reason)) = payload.split_first_chunk::<2>() else {
        return match payload.len() {
            0 => Ok(()),
            _ => Err(MessageError::Protocol("close frame of one byte")),
        };
    };
    if !CloseCode::from(u16::from_be_bytes(*code)).is_allowed() {
        return Err(MessageError::Protocol("close code a peer may not send"));
    }
    std::str::from_utf8(reason).map_err(|_| MessageError::InvalidUtf8)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text() -> Partial {
        Partial::new(OpCode::Text, MAX_MESSAGE_BYTES)
    }

    #[test]
    fn a_sequence_split_across_fragments_is_valid() {
        let euro = "€".as_bytes(); // three bytes
        let mut message = text();
        message.push(&euro[..1]).unwrap();
        message.push(&euro[1..2]).unwrap();
        message.push(&euro[2..]).unwrap();
        let (_, payload) = message.finish().unwrap();
        assert_eq!(&payload[..], euro);
    }

    #[test]
    fn invalid_text_fails_at_the_fragment_that_makes_it_invalid() {
        let mut message = text();
        message.push(b"ok \xce").unwrap();
        assert!(matches!(
            message.push(b"\xff"),
            Err(MessageError::InvalidUtf8)
        ));
    }

    #[test]
    fn text_ending_inside_a_sequence_is_invalid() {
        let mut message = text();
        message.push(b"a").unwrap();
        message.push(b"\xe2\x82").unwrap();
        assert!(matches!(message.finish(), Err(MessageError::InvalidUtf8)));
    }

    #[test]
    fn binary_is_not_checked_and_size_is() {
        let mut message = Partial::new(OpCode::Binary, MAX_MESSAGE_BYTES);
        message.push(b"\xff\xfe").unwrap();
        message.push(&vec![0; MAX_MESSAGE_BYTES - 2]).unwrap();
        assert!(matches!(message.push(b"x"), Err(MessageError::TooBig)));
    }

    #[test]
    fn close_payloads_are_checked() {
        assert!(check_close(b"").is_ok());
        assert!(check_close(&1000u16.to_be_bytes()).is_ok());
        assert!(check_close(&[0x03, 0xe8, b'o', b'k']).is_ok());
        assert!(check_close(&4999u16.to_be_bytes()).is_ok());
        assert!(matches!(
            check_close(b"\x03"),
            Err(MessageError::Protocol(_))
        ));
        for code in [0u16, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000] {
            let result = check_close(&code.to_be_bytes());
            assert!(matches!(result, Err(MessageError::Protocol(_))), "{code}");
        }
        assert!(matches!(
            check_close(&[0x03, 0xe8, 0xff]),
            Err(MessageError::InvalidUtf8)
        ));
        let long = [&[0x03, 0xe8][..], &[b'a'; 124][..]].concat();
        assert!(matches!(check_close(&long), Err(MessageError::Protocol(_))));
    }
}
