//! One WebSocket client connection and the Phoenix V2 frames the generator sends.
//!
//! The opening handshake is written by hand (one request, read up to the blank line, expect
//! `101`): it costs one small buffer per socket instead of an HTTP client per socket. The
//! `Sec-WebSocket-Accept` answer is not checked — every server here is ours or a peer we
//! wrote. After the handshake the stream is split into owned halves and framed by
//! fastwebsockets in the client role (it masks what we send).
//!
//! Design: a socket is two halves so that the reader can sit in `read_frame` (which is not
//! cancel-safe) while a separate task writes heartbeats or pushes.

use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

use anyhow::{Context, bail};
use bytes::BytesMut;
use fastwebsockets::{Frame, OpCode, Payload, Role, WebSocketRead, WebSocketWrite};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

/// The read half of a client socket.
pub type WsRead = WebSocketRead<OwnedReadHalf>;
/// The write half of a client socket.
pub type WsWrite = WebSocketWrite<OwnedWriteHalf>;

/// Where to connect: a loopback address and the request target (path and query, token
/// included).
#[derive(Debug, Clone)]
pub struct Target {
    /// The server's address (always loopback).
    pub addr: SocketAddr,
    /// `Host` header value.
    pub host: String,
    /// Path and query of the upgrade request.
    pub path: String,
}

impl Target {
    /// From `ws://HOST:PORT/PATH?QUERY` and an optional token (appended as `token=`).
    /// Only loopback hosts are accepted.
    pub fn parse(url: &str, token: Option<&str>) -> anyhow::Result<Self> {
        let rest = url
            .strip_prefix("ws://")
            .context("only ws:// URLs are supported")?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let addr = authority
            .to_socket_addrs()
            .with_context(|| format!("cannot resolve {authority}"))?
            .find(|a| a.ip().is_loopback())
            .with_context(|| format!("{authority} is not a loopback address: refused"))?;
        let mut path = path.to_string();
        if let Some(token) = token {
            path.push(if path.contains('?') { '&' } else { '?' });
            path.push_str("token=");
            path.push_str(token);
        }
        Ok(Self {
            addr,
            host: authority.to_string(),
            path,
        })
    }
}

/// Connects, upgrades, and splits the socket.
pub async fn connect(target: &Target) -> anyhow::Result<(WsRead, WsWrite)> {
    let mut stream = TcpStream::connect(target.addr).await.context("connect")?;
    stream.set_nodelay(true)?;
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        target.path, target.host
    );
    stream.write_all(request.as_bytes()).await?;
    let mut head = Vec::with_capacity(512);
    let mut chunk = [0u8; 512];
    loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            bail!("connection closed during the handshake");
        }
        head.extend_from_slice(&chunk[..n]);
        if let Some(end) = memchr::memmem::find(&head, b"\r\n\r\n") {
            if !head.starts_with(b"HTTP/1.1 101") {
                let line = head.split(|&b| b == b'\r').next().unwrap_or_default();
                bail!("upgrade refused: {}", String::from_utf8_lossy(line));
            }
            if end + 4 != head.len() {
                // Servers speak only when spoken to; bytes here would be a protocol error.
                bail!("unexpected bytes after the 101 answer");
            }
            break;
        }
        if head.len() > 8192 {
            bail!("handshake answer too long");
        }
    }
    let (read, write) = stream.into_split();
    let (mut read, write) = fastwebsockets::after_handshake_split(read, write, Role::Client);
    read.set_auto_pong(false);
    read.set_auto_close(false);
    Ok((read, write))
}

/// Sends one text frame.
pub async fn send_text(write: &mut WsWrite, text: &[u8]) -> anyhow::Result<()> {
    write
        .write_frame(Frame::new(
            true,
            OpCode::Text,
            None,
            Payload::Owned(text.to_vec()),
        ))
        .await?;
    Ok(())
}

/// What a read produced.
pub enum Read {
    /// A text or binary message (the reader's own buffer, split off: no copy).
    Data(BytesMut),
    /// The server closed the socket: its close code and reason, or `io` for a reset/EOF.
    Closed(String),
}

/// Reads the next data frame (ignoring pings and pongs: no server here pings).
pub async fn read(read: &mut WsRead) -> Read {
    let mut no_obligations = |_: Frame<'_>| std::future::ready(Ok::<(), std::io::Error>(()));
    loop {
        match read.read_frame(&mut no_obligations).await {
            Ok(frame) => match frame.opcode {
                OpCode::Text | OpCode::Binary => {
                    return Read::Data(match frame.payload {
                        Payload::Bytes(b) => b,
                        other => BytesMut::from(&other[..]),
                    });
                }
                OpCode::Close => return Read::Closed(close_reason(&frame.payload)),
                _ => continue,
            },
            Err(e) => return Read::Closed(format!("io: {e}")),
        }
    }
}

/// `"1008 slow consumer: …"` from a close frame's payload.
pub fn close_reason(payload: &[u8]) -> String {
    if payload.len() < 2 {
        return "close without code".into();
    }
    let code = u16::from_be_bytes([payload[0], payload[1]]);
    let reason = String::from_utf8_lossy(&payload[2..]);
    // Group reasons that embed counts (`… 1025 queued …`) under their first words.
    let short: String = reason.split(':').next().unwrap_or_default().to_string();
    format!("{code} {short}").trim().to_string()
}

/// `["<join_ref>","<join_ref>","<topic>","phx_join",{}]`.
pub fn join_frame(join_ref: u64, topic: &str) -> String {
    format!(r#"["{join_ref}","{join_ref}","{topic}","phx_join",{{}}]"#)
}

/// `[null,"<ref>","phoenix","heartbeat",{}]`.
pub fn heartbeat_frame(msg_ref: u64) -> String {
    format!(r#"[null,"{msg_ref}","phoenix","heartbeat",{{}}]"#)
}

/// `["<join_ref>","<ref>","<topic>","new_message",{"content":"<content>"}]` (the content is
/// digits and `x`, nothing to escape).
pub fn push_frame(join_ref: u64, msg_ref: u64, topic: &str, content: &str) -> String {
    format!(r#"["{join_ref}","{msg_ref}","{topic}","new_message",{{"content":"{content}"}}]"#)
}

/// `(ref, ok)` of a `phx_reply` frame: its second element and whether its status is `ok`.
pub fn reply_ref(frame: &[u8]) -> Option<(u64, bool)> {
    memchr::memmem::find(frame, b"\"phx_reply\"")?;
    // `[<join_ref>,"<ref>",…`: the ref is the second element, a quoted decimal here.
    let comma = memchr::memchr(b',', frame)?;
    let rest = frame.get(comma + 1..)?.strip_prefix(b"\"")?;
    let end = memchr::memchr(b'"', rest)?;
    let msg_ref = std::str::from_utf8(&rest[..end]).ok()?.parse().ok()?;
    let ok = memchr::memmem::find(frame, br#""status":"ok""#).is_some();
    Some((msg_ref, ok))
}

/// Sends a join and waits for its `ok` (anything else, or nothing within `timeout`, fails).
pub async fn join(
    read_half: &mut WsRead,
    write: &mut WsWrite,
    topic: &str,
    timeout: Duration,
) -> anyhow::Result<()> {
    send_text(write, join_frame(1, topic).as_bytes()).await?;
    let answer = async {
        loop {
            match read(read_half).await {
                Read::Data(p) => {
                    if let Some((1, ok)) = reply_ref(&p) {
                        if ok {
                            return Ok(());
                        }
                        bail!("join refused: {}", String::from_utf8_lossy(&p));
                    }
                }
                Read::Closed(why) => bail!("closed while joining: {why}"),
            }
        }
    };
    tokio::time::timeout(timeout, answer)
        .await
        .context("no join reply")?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_only_loopback_and_appends_the_token() {
        let t = Target::parse(
            "ws://127.0.0.1:4000/socket/websocket?vsn=2.0.0",
            Some("abc"),
        )
        .unwrap();
        assert_eq!(t.addr, "127.0.0.1:4000".parse().unwrap());
        assert_eq!(t.path, "/socket/websocket?vsn=2.0.0&token=abc");
        assert!(Target::parse("ws://10.0.0.1:4000/", None).is_err());
        assert!(Target::parse("wss://127.0.0.1:4000/", None).is_err());
    }

    #[test]
    fn frames_are_phoenix_v2_arrays() {
        assert_eq!(
            join_frame(1, "room:b"),
            r#"["1","1","room:b","phx_join",{}]"#
        );
        assert_eq!(heartbeat_frame(9), r#"[null,"9","phoenix","heartbeat",{}]"#);
        let push = push_frame(1, 5, "room:b", "12:x");
        let v: serde_json::Value = serde_json::from_str(&push).unwrap();
        assert_eq!(v[4]["content"], "12:x");
    }

    #[test]
    fn reads_the_ref_and_status_of_replies() {
        let ok = br#"["1","42","room:b","phx_reply",{"status":"ok","response":{}}]"#;
        assert_eq!(reply_ref(ok), Some((42, true)));
        let err = br#"[null,"7","room:b","phx_reply",{"status":"error","response":{}}]"#;
        assert_eq!(reply_ref(err), Some((7, false)));
        let broadcast = br#"[null,null,"room:b","new_message",{"content":"1:x"}]"#;
        assert_eq!(reply_ref(broadcast), None);
    }

    #[test]
    fn close_reasons_are_grouped_without_their_numbers() {
        let mut p = 1008u16.to_be_bytes().to_vec();
        p.extend_from_slice(b"slow consumer: 1025 frames queued, limit 1024");
        assert_eq!(close_reason(&p), "1008 slow consumer");
        assert_eq!(close_reason(&[]), "close without code");
    }
}
