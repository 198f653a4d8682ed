//! Proves the echo endpoint (`/ws/echo`, served only when `HttpLimits::echo_endpoint` is on)
//! with a real client: text and binary come back with their opcodes, a fragmented message
//! comes back whole (pings answered in between), invalid UTF-8 is closed with 1007, a
//! message over `echo::MAX_MESSAGE_BYTES` with 1009 while one of exactly that size is
//! echoed; with the switch off the path goes to the control plane like any unknown path.
#![allow(clippy::unwrap_used)] // tests may unwrap
#![allow(clippy::disallowed_methods)] // a test thread stands in for the control plane

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread::JoinHandle;
use std::time::Duration;

use bytes::Bytes;
use codecs::ring::{FromShard, HttpResponseRecord, ToShard};
use dataplane::{ControlLinks, DataPlane, DataPlaneConfig, PinPolicy};
use tungstenite::protocol::WebSocketConfig;
use tungstenite::protocol::frame::Frame;
use tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tungstenite::{Message, WebSocket};

/// A control plane that knows no route: every forwarded request gets 404.
fn control_plane(links: Vec<ControlLinks>) -> Vec<JoinHandle<()>> {
    links
        .into_iter()
        .map(|mut link| {
            std::thread::spawn(move || {
                futures_lite::future::block_on(async move {
                    let mut batch = Vec::new();
                    while link.from_shard.recv_batch(&mut batch, 64).await > 0 {
                        for record in batch.drain(..) {
                            let FromShard::HttpRequest(req) = record else {
                                continue;
                            };
                            let response = HttpResponseRecord {
                                request_id: req.request_id,
                                status: http::StatusCode::NOT_FOUND,
                                headers: http::HeaderMap::new(),
                                body: Bytes::from_static(b"no route"),
                            };
                            let answer = ToShard::HttpResponse(Box::new(response));
                            if link.to_shard.send(answer).await.is_err() {
                                return;
                            }
                        }
                    }
                })
            })
        })
        .collect()
}

fn start(echo: bool) -> (DataPlane, Vec<JoinHandle<()>>) {
    let mut config = DataPlaneConfig::new(SocketAddr::from(([127, 0, 0, 1], 0)), 1);
    config.pin = PinPolicy::Unpinned;
    config.shutdown_grace = Duration::from_secs(2);
    config.http.echo_endpoint = echo;
    let (shard_links, control_links) = dataplane::links(1, 64);
    let threads = control_plane(control_links);
    (DataPlane::start(config, shard_links).unwrap(), threads)
}

fn connect(addr: SocketAddr) -> WebSocket<TcpStream> {
    let stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let config = WebSocketConfig::default()
        .max_frame_size(None)
        .max_message_size(None);
    let (ws, response) = tungstenite::client::client_with_config(
        format!("ws://{addr}/ws/echo"),
        stream,
        Some(config),
    )
    .unwrap();
    assert_eq!(response.status(), 101);
    ws
}

fn send_frame(ws: &mut WebSocket<TcpStream>, opcode: Data, payload: &[u8], fin: bool) {
    let frame = Frame::message(payload.to_vec(), OpCode::Data(opcode), fin);
    ws.send(Message::Frame(frame)).unwrap();
}

/// Reads until the server's close frame and returns its code.
fn close_code(ws: &mut WebSocket<TcpStream>) -> CloseCode {
    loop {
        match ws.read().unwrap() {
            Message::Close(Some(close)) => return close.code,
            Message::Close(None) => panic!("close frame without a code"),
            _ => continue,
        }
    }
}

#[test]
fn text_and_binary_come_back_with_their_opcode() {
    let (plane, _threads) = start(true);
    let mut ws = connect(plane.local_addr());
    ws.send(Message::text("héllo, wörld")).unwrap();
    assert_eq!(ws.read().unwrap(), Message::text("héllo, wörld"));
    ws.send(Message::binary(vec![0u8, 0xff, 0xfe, 7])).unwrap();
    assert_eq!(
        ws.read().unwrap(),
        Message::binary(vec![0u8, 0xff, 0xfe, 7])
    );
    ws.send(Message::text("")).unwrap();
    assert_eq!(ws.read().unwrap(), Message::text(""));
    ws.close(None).unwrap();
    assert!(matches!(ws.read().unwrap(), Message::Close(_)));
    plane.stop();
}

#[test]
fn a_fragmented_message_comes_back_whole() {
    let (plane, _threads) = start(true);
    let mut ws = connect(plane.local_addr());
    let text = "κόσμε €".as_bytes();
    // Fragments cut inside multi-byte sequences, and a ping between two of them.
    send_frame(&mut ws, Data::Text, &text[..1], false);
    send_frame(&mut ws, Data::Continue, &text[1..4], false);
    ws.send(Message::Ping(Bytes::from_static(b"between")))
        .unwrap();
    send_frame(&mut ws, Data::Continue, &text[4..text.len() - 1], false);
    send_frame(&mut ws, Data::Continue, &text[text.len() - 1..], true);
    assert_eq!(
        ws.read().unwrap(),
        Message::Pong(Bytes::from_static(b"between"))
    );
    assert_eq!(ws.read().unwrap(), Message::text("κόσμε €"));
    send_frame(&mut ws, Data::Binary, b"\x00\x01", false);
    send_frame(&mut ws, Data::Continue, b"", false);
    send_frame(&mut ws, Data::Continue, b"\xff", true);
    assert_eq!(ws.read().unwrap(), Message::binary(vec![0u8, 1, 0xff]));
    plane.stop();
}

#[test]
fn invalid_utf8_is_closed_with_1007() {
    let (plane, _threads) = start(true);
    // In one frame.
    let mut ws = connect(plane.local_addr());
    send_frame(
        &mut ws,
        Data::Text,
        b"\xce\xba\xe1\xbd\xb9\xcf\x83\xff",
        true,
    );
    assert_eq!(close_code(&mut ws), CloseCode::Invalid);
    // In a fragment, before the message ends (fail fast).
    let mut ws = connect(plane.local_addr());
    send_frame(&mut ws, Data::Text, b"ok", false);
    send_frame(&mut ws, Data::Continue, b"\xed\xa0\x80", false);
    assert_eq!(close_code(&mut ws), CloseCode::Invalid);
    // A message whose last fragment ends inside a sequence.
    let mut ws = connect(plane.local_addr());
    send_frame(&mut ws, Data::Text, b"ok", false);
    send_frame(&mut ws, Data::Continue, b"\xe2\x82", true);
    assert_eq!(close_code(&mut ws), CloseCode::Invalid);
    plane.stop();
}

#[test]
fn a_message_of_the_limit_is_echoed_and_one_byte_more_is_closed_with_1009() {
    let limit = dataplane::echo::MAX_MESSAGE_BYTES;
    let (plane, _threads) = start(true);
    let mut ws = connect(plane.local_addr());
    let chunk = vec![0x5au8; 1 << 20];
    for i in 0..limit / chunk.len() {
        let opcode = if i == 0 { Data::Binary } else { Data::Continue };
        send_frame(&mut ws, opcode, &chunk, i + 1 == limit / chunk.len());
    }
    match ws.read().unwrap() {
        Message::Binary(echoed) => {
            assert_eq!(echoed.len(), limit);
            assert!(echoed.iter().all(|&b| b == 0x5a));
        }
        other => panic!("expected the message back, got {other:?}"),
    }
    for i in 0..limit / chunk.len() {
        let opcode = if i == 0 { Data::Binary } else { Data::Continue };
        send_frame(&mut ws, opcode, &chunk, false);
    }
    send_frame(&mut ws, Data::Continue, b"!", true);
    assert_eq!(close_code(&mut ws), CloseCode::Size);
    plane.stop();
}

#[test]
fn without_the_switch_the_path_is_forwarded_like_any_unknown_path() {
    let (plane, _threads) = start(false);
    let mut stream = TcpStream::connect(plane.local_addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .write_all(
            b"GET /ws/echo HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\n\
              Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
              Sec-WebSocket-Version: 13\r\n\r\n",
        )
        .unwrap();
    let mut answer = [0u8; 512];
    let n = stream.read(&mut answer).unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
    assert!(answer.ends_with("no route"), "{answer}");
    drop(stream);
    plane.stop();
}
