//! Proves the shard runtime: every shard listens on one port and forwards HTTP requests to
//! the control plane through its rings; a panicking shard is restarted and serves again;
//! `stop()` lets a request in flight finish; body and answer limits give 413 and 504.
#![allow(clippy::unwrap_used)] // tests may unwrap
#![allow(clippy::disallowed_methods)] // test threads stand in for the control plane and clients

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use bytes::Bytes;
use codecs::ring::{FromShard, HttpResponseRecord, ToShard};
use dataplane::{ControlLinks, DataPlane, DataPlaneConfig, PinPolicy};

/// A control plane on plain threads: answers `200 <shard>:<path>` after `delay`, or never
/// when `silent` is set.
fn control_plane(
    links: Vec<ControlLinks>,
    delay: Duration,
    silent: Arc<AtomicBool>,
) -> Vec<JoinHandle<()>> {
    links
        .into_iter()
        .map(|mut link| {
            let silent = silent.clone();
            std::thread::spawn(move || {
                futures_lite::future::block_on(async move {
                    let mut batch = Vec::new();
                    while link.from_shard.recv_batch(&mut batch, 64).await > 0 {
                        for record in batch.drain(..) {
                            let FromShard::HttpRequest(req) = record else {
                                continue; // sockets are not part of these tests
                            };
                            if silent.load(Ordering::Relaxed) {
                                continue;
                            }
                            std::thread::sleep(delay);
                            let body =
                                format!("{}:{}:{}", req.shard, req.uri.path(), req.body.len());
                            let response = HttpResponseRecord {
                                request_id: req.request_id,
                                status: http::StatusCode::OK,
                                headers: http::HeaderMap::new(),
                                body: Bytes::from(body),
                            };
                            if link
                                .to_shard
                                .send(ToShard::HttpResponse(Box::new(response)))
                                .await
                                .is_err()
                            {
                                return;
                            }
                        }
                    }
                })
            })
        })
        .collect()
}

fn start(
    shards: usize,
    delay: Duration,
    configure: impl FnOnce(&mut DataPlaneConfig),
) -> (DataPlane, Arc<AtomicBool>, Vec<JoinHandle<()>>) {
    let mut config = DataPlaneConfig::new(SocketAddr::from(([127, 0, 0, 1], 0)), shards);
    config.pin = PinPolicy::Unpinned;
    config.shutdown_grace = Duration::from_secs(5);
    configure(&mut config);
    let (shard_links, control_links) = dataplane::links(shards, 64);
    let silent = Arc::new(AtomicBool::new(false));
    let threads = control_plane(control_links, delay, silent.clone());
    (
        DataPlane::start(config, shard_links).unwrap(),
        silent,
        threads,
    )
}

fn get(addr: SocketAddr, path: &str, body: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: test\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    let _ = stream.write_all(body);
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    let status = answer.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = answer
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_string();
    (status, body)
}

#[test]
fn every_shard_listens_on_one_port_and_forwards_requests() {
    let (plane, _, _threads) = start(2, Duration::ZERO, |_| {});
    let mut seen = [false; 2];
    for i in 0..200 {
        let (status, body) = get(plane.local_addr(), &format!("/r/{i}"), b"abc");
        assert_eq!(status, 200, "{body}");
        let (shard, rest) = body.split_once(':').unwrap();
        assert_eq!(rest, format!("/r/{i}:3"));
        seen[shard.parse::<usize>().unwrap()] = true;
        if seen == [true, true] {
            break;
        }
    }
    assert_eq!(
        seen,
        [true, true],
        "the kernel never picked one of the shards"
    );
    plane.stop();
}

#[test]
fn a_panicking_shard_is_restarted_and_serves_again() {
    let (plane, _, _threads) = start(2, Duration::ZERO, |c| {
        c.restart_backoff = Duration::from_millis(10)
    });
    plane.inject_panic(0);
    let deadline = Instant::now() + Duration::from_secs(10);
    while plane.restarts() == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(plane.restarts(), 1);
    let mut served_by_zero = false;
    for i in 0..200 {
        let (status, body) = get(plane.local_addr(), &format!("/after/{i}"), b"");
        assert_eq!(status, 200, "{body}");
        if body.starts_with("0:") {
            served_by_zero = true;
            break;
        }
    }
    assert!(served_by_zero, "the restarted shard never served");
    plane.stop();
}

#[test]
fn stop_lets_a_request_in_flight_finish() {
    let (plane, _, threads) = start(1, Duration::from_millis(500), |_| {});
    let addr = plane.local_addr();
    let client = std::thread::spawn(move || get(addr, "/slow", b""));
    std::thread::sleep(Duration::from_millis(100));
    let stopping = Instant::now();
    plane.stop();
    let (status, body) = client.join().unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(
        stopping.elapsed() >= Duration::from_millis(300),
        "stop returned before the request finished"
    );
    assert!(
        TcpStream::connect(addr).is_err(),
        "still accepting after stop"
    );
    for t in threads {
        t.join().unwrap();
    }
}

#[test]
fn oversized_bodies_get_413_and_unanswered_requests_504() {
    let (plane, silent, _threads) = start(1, Duration::ZERO, |c| {
        c.http.max_body_bytes = 16;
        // Bodies over the collect limit stream; over this cap they are refused at once.
        c.http.max_streamed_body_bytes = 32;
        c.http.request_timeout = Duration::from_millis(300);
    });
    let (status, body) = get(plane.local_addr(), "/big", &[b'x'; 64]);
    assert_eq!(status, 413, "{body}");
    silent.store(true, Ordering::Relaxed);
    let (status, body) = get(plane.local_addr(), "/nobody", b"");
    assert_eq!(status, 504, "{body}");
    plane.stop();
}
