//! Proves streamed HTTP bodies across the rings, against a real shard and a control plane
//! on a plain thread: an upload over the collect limit (by `Content-Length` or chunked)
//! arrives byte-identical with never more than the window in flight, even to a slow
//! consumer, while small bodies still arrive whole; an answer that comes before the body
//! is read stops the upload (`Abort(Answered)`) and still reaches the client; bodies over
//! the cap get 413; a streamed answer arrives whole under credit, an aborted one cuts the
//! connection, and a client that leaves cancels it.
#![allow(clippy::unwrap_used)] // tests may unwrap
#![allow(clippy::disallowed_methods)] // test threads stand in for the control plane and clients

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::mpsc as std_mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use bytes::Bytes;
use codecs::ring::{
    BodyAbort, BodyPart, BodyRecord, Credit, CreditRecord, FromShard, HttpResponseRecord, ToShard,
};
use dataplane::{ControlLinks, DataPlane, DataPlaneConfig, PinPolicy};

const WINDOW: usize = 64 << 10;
const COLLECT: usize = 256 << 10;
const CAP: u64 = 32 << 20;

/// A control plane: `handle` sees every record and returns what to send back.
fn control_plane<H>(link: ControlLinks, mut handle: H) -> JoinHandle<()>
where
    H: FnMut(FromShard) -> Vec<ToShard> + Send + 'static,
{
    let mut link = link;
    std::thread::spawn(move || {
        futures_lite::future::block_on(async move {
            let mut batch = Vec::new();
            while link.from_shard.recv_batch(&mut batch, 64).await > 0 {
                for record in batch.drain(..) {
                    for answer in handle(record) {
                        if link.to_shard.send(answer).await.is_err() {
                            return;
                        }
                    }
                }
            }
        })
    })
}

fn start<H>(handle: H) -> DataPlane
where
    H: FnMut(FromShard) -> Vec<ToShard> + Send + 'static,
{
    let mut config = DataPlaneConfig::new(SocketAddr::from(([127, 0, 0, 1], 0)), 1);
    config.pin = PinPolicy::Unpinned;
    config.shutdown_grace = Duration::from_secs(2);
    config.http.max_body_bytes = COLLECT;
    config.http.stream_window = WINDOW;
    config.http.max_streamed_body_bytes = CAP;
    config.http.request_timeout = Duration::from_secs(10);
    let (shard_links, control_links) = dataplane::links(1, 64);
    let plane = DataPlane::start(config, shard_links).unwrap();
    let _thread = control_plane(control_links.into_iter().next().unwrap(), handle);
    plane
}

fn respond(request_id: u64, status: u16, body: impl Into<Bytes>) -> ToShard {
    ToShard::HttpResponse(Box::new(HttpResponseRecord {
        request_id,
        status: http::StatusCode::from_u16(status).unwrap(),
        headers: http::HeaderMap::new(),
        body: body.into(),
    }))
}

fn grant(request_id: u64, n: u64) -> ToShard {
    ToShard::RequestCredit(Box::new(CreditRecord {
        request_id,
        credit: Credit::Bytes(n),
    }))
}

fn part(request_id: u64, part: BodyPart) -> ToShard {
    ToShard::ResponseBody(Box::new(BodyRecord { request_id, part }))
}

/// Deterministic bytes that differ at every offset modulo a prime.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Sends `head` then `body` (in 64 KiB writes, optionally chunk-encoded), reading the
/// answer concurrently; returns the raw answer (read to EOF).
fn exchange(addr: SocketAddr, head: &str, body: Vec<u8>, chunked: bool) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let head = head.to_string();
    let sender = std::thread::spawn(move || {
        writer.write_all(head.as_bytes())?;
        for piece in body.chunks(64 << 10) {
            if chunked {
                writer.write_all(format!("{:x}\r\n", piece.len()).as_bytes())?;
                writer.write_all(piece)?;
                writer.write_all(b"\r\n")?;
            } else {
                writer.write_all(piece)?;
            }
        }
        if chunked {
            writer.write_all(b"0\r\n\r\n")?;
        }
        Ok::<_, std::io::Error>(())
    });
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let _ = sender.join();
    answer
}

fn status_of(answer: &[u8]) -> u16 {
    std::str::from_utf8(&answer[9..12])
        .unwrap()
        .parse()
        .unwrap()
}

fn body_of(answer: &[u8]) -> &[u8] {
    let at = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    &answer[at + 4..]
}

fn post(path: &str, len: Option<usize>) -> String {
    match len {
        Some(len) => format!(
            "POST {path} HTTP/1.1\r\nHost: t\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
        ),
        None => format!(
            "POST {path} HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        ),
    }
}

/// What the uploading control plane saw.
#[derive(Debug, Default)]
struct Seen {
    whole: usize,
    heads: usize,
    max_in_flight: u64,
}

/// A slow consumer: it grants nothing back until the whole window is in flight, then all
/// of it after a pause, so the shard runs out of credit every round (and must stop there);
/// answers `200 <len>:<fnv>` at the end.
fn slow_consumer(report: std_mpsc::Sender<Seen>) -> impl FnMut(FromShard) -> Vec<ToShard> {
    let mut seen = Seen::default();
    let mut received = Vec::new();
    let mut in_flight = 0u64;
    move |record| match record {
        FromShard::HttpRequest(req) => {
            seen.whole += 1;
            let body = format!("{}:{}", req.body.len(), fnv(&req.body));
            vec![respond(req.request_id, 200, body)]
        }
        FromShard::HttpRequestHead(req) => {
            seen.heads += 1;
            received = req.body.to_vec();
            in_flight = req.body.len() as u64;
            vec![]
        }
        FromShard::RequestBody(b) => match b.part {
            BodyPart::Data(bytes) => {
                received.extend_from_slice(&bytes);
                in_flight += bytes.len() as u64;
                seen.max_in_flight = seen.max_in_flight.max(in_flight);
                assert!(in_flight <= WINDOW as u64, "{in_flight} bytes in flight");
                if in_flight == WINDOW as u64 {
                    std::thread::sleep(Duration::from_millis(2));
                    let n = std::mem::take(&mut in_flight);
                    vec![grant(b.request_id, n)]
                } else {
                    vec![]
                }
            }
            BodyPart::End => {
                let body = format!("{}:{}", received.len(), fnv(&received));
                report.send(std::mem::take(&mut seen)).unwrap();
                vec![respond(b.request_id, 200, body)]
            }
            BodyPart::Abort(why) => panic!("upload aborted: {why:?}"),
        },
        _ => vec![],
    }
}

#[test]
fn uploads_over_the_collect_limit_stream_within_the_window() {
    let (tx, seen) = std_mpsc::channel();
    let plane = start(slow_consumer(tx));
    for (len, chunked) in [(8 << 20, false), (3 << 20, true)] {
        let body = pattern(len);
        let expect = format!("{}:{}", body.len(), fnv(&body));
        let head = post("/api/v1/media", (!chunked).then_some(len));
        let answer = exchange(plane.local_addr(), &head, body, chunked);
        assert_eq!(status_of(&answer), 200, "{len} bytes, chunked: {chunked}");
        assert_eq!(body_of(&answer), expect.as_bytes(), "chunked: {chunked}");
        let seen = seen.recv_timeout(Duration::from_secs(5)).unwrap();
        assert_eq!((seen.heads, seen.whole), (1, 0));
        assert_eq!(
            seen.max_in_flight, WINDOW as u64,
            "the window bound the slow consumer"
        );
    }
    plane.stop();
}

#[test]
fn bodies_within_the_collect_limit_still_arrive_whole() {
    let (tx, _seen) = std_mpsc::channel();
    let plane = start(slow_consumer(tx));
    for chunked in [false, true] {
        let body = pattern(COLLECT);
        let expect = format!("{}:{}", body.len(), fnv(&body));
        let head = post("/api/v1/events", (!chunked).then_some(COLLECT));
        let answer = exchange(plane.local_addr(), &head, body, chunked);
        assert_eq!(status_of(&answer), 200);
        assert_eq!(body_of(&answer), expect.as_bytes());
    }
    plane.stop();
}

#[test]
fn an_answer_before_the_body_stops_the_upload_and_reaches_the_client() {
    let (tx, aborts) = std_mpsc::channel();
    let plane = start(move |record| match record {
        FromShard::HttpRequestHead(req) => vec![respond(req.request_id, 401, "no token")],
        FromShard::RequestBody(b) => {
            if let BodyPart::Abort(why) = b.part {
                tx.send(why).unwrap();
            }
            vec![]
        }
        _ => vec![],
    });
    let len = 16 << 20;
    let answer = exchange(
        plane.local_addr(),
        &post("/api/v1/media", Some(len)),
        pattern(len),
        false,
    );
    assert_eq!(status_of(&answer), 401);
    assert_eq!(body_of(&answer), b"no token");
    let text = String::from_utf8_lossy(&answer).to_ascii_lowercase();
    assert!(text.contains("connection: close"), "{text}");
    let why = aborts.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(why, BodyAbort::Answered);
    plane.stop();
}

#[test]
fn bodies_over_the_cap_get_413() {
    let (tx, records) = std_mpsc::channel();
    let plane = start(move |record| {
        match record {
            FromShard::HttpRequestHead(req) => tx.send(format!("head {}", req.uri)).unwrap(),
            FromShard::RequestBody(b) => match b.part {
                BodyPart::Abort(why) => tx.send(format!("abort {why:?}")).unwrap(),
                BodyPart::End => tx.send("end".to_string()).unwrap(),
                BodyPart::Data(bytes) => return vec![grant(b.request_id, bytes.len() as u64)],
            },
            _ => {}
        }
        vec![]
    });
    // Declared: refused before anything is forwarded.
    let head = post("/declared", Some(CAP as usize + 1));
    let answer = exchange(plane.local_addr(), &head, Vec::new(), false);
    assert_eq!(status_of(&answer), 413);
    // Chunked: streamed until it passes the cap, then aborted.
    let body = pattern(CAP as usize + (1 << 20));
    let answer = exchange(plane.local_addr(), &post("/chunked", None), body, true);
    assert_eq!(status_of(&answer), 413);
    assert_eq!(
        records.recv_timeout(Duration::from_secs(5)).unwrap(),
        "head /chunked"
    );
    assert_eq!(
        records.recv_timeout(Duration::from_secs(5)).unwrap(),
        format!("abort {:?}", BodyAbort::TooLarge { limit: CAP })
    );
    assert!(records.try_recv().is_err(), "nothing else");
    plane.stop();
}

/// A control plane answering `GET /<len>` with a streamed body of `pattern(len)` under the
/// shard's credit, `GET /abort` with 100 of 1000 announced bytes (`/abort-chunked`: 100
/// bytes, chunked) then the end (which a test turns into an abort), and `GET /endless` with bytes until the shard cancels.
fn streaming_answers(cancels: std_mpsc::Sender<u64>) -> impl FnMut(FromShard) -> Vec<ToShard> {
    struct Out {
        id: u64,
        data: Bytes,
        endless: bool,
        credit: u64,
    }
    let mut outs: Vec<Out> = Vec::new();
    move |record| match record {
        FromShard::HttpRequest(req) => {
            let path = req.uri.path().trim_start_matches('/').to_string();
            let mut headers = http::HeaderMap::new();
            let (data, endless) = match path.as_str() {
                "abort" => {
                    headers.insert("content-length", 1000.into());
                    (Bytes::from(pattern(100)), false)
                }
                "abort-chunked" => (Bytes::from(pattern(100)), false),
                "endless" => (Bytes::from(pattern(64 << 10)), true),
                len => {
                    let len: usize = len.parse().unwrap();
                    headers.insert("content-length", len.into());
                    (Bytes::from(pattern(len)), false)
                }
            };
            outs.push(Out {
                id: req.request_id,
                data,
                endless,
                credit: 0,
            });
            vec![ToShard::HttpResponseHead(Box::new(HttpResponseRecord {
                request_id: req.request_id,
                status: http::StatusCode::OK,
                headers,
                body: Bytes::new(),
            }))]
        }
        FromShard::ResponseCredit(c) => {
            let Some(at) = outs.iter().position(|o| o.id == c.request_id) else {
                return vec![];
            };
            let n = match c.credit {
                Credit::Bytes(n) => n,
                Credit::Cancel => {
                    cancels.send(c.request_id).unwrap();
                    outs.remove(at);
                    return vec![];
                }
            };
            let out = &mut outs[at];
            out.credit += n;
            let mut sent = Vec::new();
            while out.credit > 0 && !out.data.is_empty() {
                let take = out.data.len().min(16 << 10).min(out.credit as usize);
                let piece = out.data.split_to(take);
                out.credit -= take as u64;
                sent.push(part(out.id, BodyPart::Data(piece)));
                if out.endless && out.data.is_empty() {
                    out.data = Bytes::from(pattern(64 << 10));
                }
            }
            // An endless answer is refilled above, so only a finite one gets here.
            if out.data.is_empty() {
                sent.push(part(out.id, BodyPart::End));
                outs.remove(at);
            }
            sent
        }
        _ => vec![],
    }
}

fn get(addr: SocketAddr, path: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let head = format!("GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream
}

#[test]
fn a_streamed_answer_arrives_whole_under_credit() {
    let (tx, _cancels) = std_mpsc::channel();
    let plane = start(streaming_answers(tx));
    for len in [1, WINDOW - 1, 5 * WINDOW + 7] {
        let mut answer = Vec::new();
        get(plane.local_addr(), &format!("/{len}"))
            .read_to_end(&mut answer)
            .unwrap();
        assert_eq!(status_of(&answer), 200);
        assert_eq!(body_of(&answer), pattern(len), "{len} bytes");
    }
    plane.stop();
}

#[test]
fn an_aborted_answer_cuts_the_connection() {
    let (tx, _cancels) = std_mpsc::channel();
    let mut handle = streaming_answers(tx);
    let plane = start(move |record| {
        let mut out = handle(record);
        // After the 100 bytes of `/abort`, an abort instead of the end.
        for record in &mut out {
            if let ToShard::ResponseBody(b) = record
                && b.part == BodyPart::End
            {
                b.part = BodyPart::Abort(BodyAbort::Failed("source failed".into()));
            }
        }
        out
    });
    // Either way the client can tell: nothing at all (the abort came before hyper wrote
    // the head), fewer bytes than announced, or no last chunk.
    let mut answer = Vec::new();
    let _ = get(plane.local_addr(), "/abort").read_to_end(&mut answer);
    if !answer.is_empty() {
        assert_eq!(status_of(&answer), 200);
        assert!(
            body_of(&answer).len() < 1000,
            "{} bytes",
            body_of(&answer).len()
        );
    }
    let mut answer = Vec::new();
    let _ = get(plane.local_addr(), "/abort-chunked").read_to_end(&mut answer);
    if !answer.is_empty() {
        let text = String::from_utf8_lossy(&answer).to_ascii_lowercase();
        assert!(text.contains("transfer-encoding: chunked"), "{text}");
        assert!(
            !answer.ends_with(b"0\r\n\r\n"),
            "a last chunk after an abort"
        );
    }
    plane.stop();
}

#[test]
fn a_client_that_leaves_cancels_the_answer() {
    let (tx, cancels) = std_mpsc::channel();
    let plane = start(streaming_answers(tx));
    let mut stream = get(plane.local_addr(), "/endless");
    let mut some = vec![0u8; 256 << 10];
    stream.read_exact(&mut some).unwrap();
    stream.shutdown(Shutdown::Both).unwrap();
    drop(stream);
    cancels
        .recv_timeout(Duration::from_secs(10))
        .expect("the control plane learns the client left");
    plane.stop();
}
