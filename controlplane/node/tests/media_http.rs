//! Proves `POST /api/v1/media` and `GET /media/...` through a running node, on the embedded
//! parts and on NATS + PostgreSQL + moto S3: a 20 MiB upload (over the shards' 1 MiB
//! collect limit, so streamed under credit) lands byte-identical under
//! `uploads/{id}/source` with its asset row and `media.uploaded`; without a token it is
//! refused (401) before its body is read; over `MEDIA_UPLOAD_MAX_BYTES` (declared or
//! chunked), empty, or broken off by a client that disconnects, it leaves no object.
//! `GET`/`HEAD` serve `media/` objects streamed, with types, `ETag`, single ranges (206,
//! 416), 304, CORS and 404/400, and never `uploads/`. The playback test uploads a
//! generated video+audio source, follows `media:{id}` on the WebSocket to `media_ready`,
//! then ffmpeg reads the master playlist over HTTP from the node and decodes frames from
//! every rendition.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod support;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use armoricore::cli::Role;
use armoricore::node::RunningNode;
use bytes::Bytes;
use codecs::{Event, Payload, ResourceId};
use futures::StreamExt;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::Frame;
use hyper::{HeaderMap, Request};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use objstore::ObjectKey;
use support::config;
use support::media::world::Distributed;
use support::socket;
use tokio::io::AsyncWriteExt;

/// An answer: status, headers, body.
struct Reply {
    status: u16,
    headers: HeaderMap,
    body: Bytes,
}

impl Reply {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or_else(|| panic!("no {name} in {:?}", self.headers))
    }

    /// Asserts the status (showing the body otherwise).
    fn expect(&self, status: u16) -> &Reply {
        assert_eq!(
            self.status,
            status,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        self
    }

    /// The media id of a 201 to an upload.
    fn created(&self) -> String {
        self.expect(201).json()["media_id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

/// Sends one request with any body type.
async fn send<B>(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: B,
) -> Reply
where
    B: hyper::body::Body<Data = Bytes> + Send + Unpin + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let mut builder = Request::builder()
        .method(method)
        .uri(format!("http://{addr}{path}"));
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    let client = Client::builder(TokioExecutor::new()).build_http::<B>();
    let response = client.request(builder.body(body).unwrap()).await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        body,
    }
}

/// A request without a body.
async fn call(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
    send(addr, method, path, headers, Full::new(Bytes::new())).await
}

async fn get(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Reply {
    call(addr, "GET", path, headers).await
}

/// Uploads `body` (with `Content-Length`) as `token`'s user.
async fn upload(addr: SocketAddr, token: Option<&str>, body: Bytes) -> Reply {
    let bearer = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("content-type", "video/mp4"), ("x-filename", "clip.mp4")];
    if let Some(bearer) = &bearer {
        headers.push(("authorization", bearer));
    }
    send(addr, "POST", "/api/v1/media", &headers, Full::new(body)).await
}

/// A chunked body of `total` bytes in 64 KiB pieces.
fn chunked(
    total: usize,
) -> StreamBody<impl futures::Stream<Item = Result<Frame<Bytes>, Infallible>>> {
    let piece = Bytes::from(vec![7u8; 64 << 10]);
    let pieces = futures::stream::iter((0..total.div_ceil(64 << 10)).map(move |i| {
        let len = (total - i * (64 << 10)).min(64 << 10);
        Ok(Frame::data(piece.slice(..len)))
    }));
    StreamBody::new(pieces)
}

/// Deterministic bytes that differ at every offset modulo a prime.
fn pattern(len: usize) -> Bytes {
    (0..len).map(|i| (i % 251) as u8).collect::<Vec<_>>().into()
}

/// A node on the embedded parts in `dir`.
async fn embedded(dir: &tempfile::TempDir, extra: &[(&str, &str)], role: Role) -> RunningNode {
    RunningNode::start(config(dir.path(), extra), role)
        .await
        .unwrap()
}

fn token(node: &RunningNode, user: &str) -> String {
    let user = ResourceId::new(user).unwrap();
    node.services()
        .tokens
        .mint(&user, Duration::from_secs(600))
        .unwrap()
}

/// Every object under `uploads/`.
async fn uploads(node: &RunningNode) -> Vec<String> {
    let prefix = ObjectKey::new("uploads").unwrap();
    let listed = node.services().objects.list(Some(&prefix)).await.unwrap();
    listed.into_iter().map(|m| m.key.into_string()).collect()
}

/// Waits until the node has answered `count` uploads with `status` (its metrics say so):
/// the upload handler has finished, with whatever it cleaned up.
async fn uploads_answered(addr: SocketAddr, status: u16, count: usize) {
    let line = format!(
        "armoricore_http_requests_total{{route=\"media_upload\",status=\"{status}\"}} {count}"
    );
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let metrics = get(addr, "/metrics", &[]).await;
        if String::from_utf8_lossy(&metrics.body).contains(&line) {
            return;
        }
        assert!(Instant::now() < deadline, "never saw {line}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Files in a local store's directory under `uploads/` (staging files included).
fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            if entry.file_type().unwrap().is_dir() {
                todo.push(entry.path());
            } else {
                found.push(entry.path());
            }
        }
    }
    found
}

/// The upload checks, on whatever parts `node` runs on.
async fn uploads_stream_into_the_store(node: &RunningNode) {
    let addr = node.local_addr();
    let services = node.services().clone();
    let token = token(node, "u-up");
    let mut events = services.bus.subscribe("media.uploaded").await.unwrap();

    let source = pattern(20 << 20);
    let reply = upload(addr, Some(&token), source.clone()).await;
    reply.expect(201);
    let answer = reply.json();
    let id = answer["media_id"].as_str().unwrap().to_string();
    assert_eq!(answer["status"], "uploaded");
    assert_eq!(answer["channel"], format!("media:{id}"));
    assert_eq!(answer["file_size"], source.len());
    let key = ObjectKey::new(format!("uploads/{id}/source")).unwrap();
    let stored = services.objects.get_bytes(&key).await.unwrap();
    assert!(
        stored == source,
        "the stored source differs from the upload"
    );

    let row = services
        .store
        .get_media_asset(&ResourceId::new(&id).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.user_id.as_str(), "u-up");
    assert_eq!(row.source, key.as_str());
    assert_eq!(row.file_size, source.len() as u64);
    assert_eq!(row.content_type, "video/mp4");

    let delivered = tokio::time::timeout(Duration::from_secs(10), events.next())
        .await
        .unwrap()
        .unwrap();
    let Payload::MediaUploaded(event) = Event::decode(&delivered.payload).unwrap().payload else {
        panic!("not media.uploaded")
    };
    assert_eq!(event.media_id.as_str(), id);
    assert_eq!(event.source, key.as_str());
    assert_eq!(event.file_size, source.len() as u64);
    assert_eq!(event.metadata["filename"], "clip.mp4");

    // Refused uploads leave nothing behind.
    let before = uploads(node).await;
    let reply = upload(addr, None, pattern(20 << 20)).await;
    reply.expect(401);
    // Answered before the body was read: the connection closes (lingering, so the answer
    // is not lost to a reset) rather than staying open with the body unread.
    assert_eq!(reply.headers.get("connection").unwrap(), "close");
    let reply = upload(addr, Some(&token), Bytes::new()).await;
    reply.expect(400);
    assert_eq!(uploads(node).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_uploads_stream_into_the_local_store() {
    let dir = tempfile::tempdir().unwrap();
    let node = embedded(&dir, &[], Role::Realtime).await;
    uploads_stream_into_the_store(&node).await;
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_stream_into_s3_on_nats_and_postgres() {
    let Some(world) = Distributed::start(None).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let node = RunningNode::start(config(dir.path(), &world.env(&[])), Role::Realtime)
        .await
        .unwrap();
    uploads_stream_into_the_store(&node).await;
    media_objects_are_served(&node).await;
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_over_the_limit_get_413_and_leave_no_object() {
    let dir = tempfile::tempdir().unwrap();
    let limit = (4 << 20).to_string();
    let node = embedded(
        &dir,
        &[("MEDIA_UPLOAD_MAX_BYTES", limit.as_str())],
        Role::Realtime,
    )
    .await;
    let addr = node.local_addr();
    let token = token(&node, "u-big");
    let bearer = format!("Bearer {token}");
    // Declared too large: refused before the body is read.
    let reply = upload(addr, Some(&token), pattern((4 << 20) + 1)).await;
    reply.expect(413);
    // Chunked: streamed into the store until it passes the limit, then aborted.
    let headers = [("authorization", bearer.as_str())];
    let reply = send(addr, "POST", "/api/v1/media", &headers, chunked(6 << 20)).await;
    reply.expect(413);
    uploads_answered(addr, 413, 1).await;
    // Exactly at the limit is fine.
    let reply = send(addr, "POST", "/api/v1/media", &headers, chunked(4 << 20)).await;
    let id = reply.created();
    assert_eq!(uploads(&node).await, [format!("uploads/{id}/source")]);
    let objects = dir.path().join("objects").join("uploads");
    assert_eq!(files_under(&objects), [objects.join(&id).join("source")]);
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_disconnects_mid_upload_leaves_no_object() {
    let dir = tempfile::tempdir().unwrap();
    let node = embedded(&dir, &[], Role::Realtime).await;
    let addr = node.local_addr();
    let token = token(&node, "u-gone");
    for declared in [true, false] {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let length = if declared {
            "Content-Length: 20971520"
        } else {
            "Transfer-Encoding: chunked"
        };
        let head = format!(
            "POST /api/v1/media HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {token}\r\n{length}\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let piece = vec![1u8; 64 << 10];
        for _ in 0..48 {
            if !declared {
                stream.write_all(b"10000\r\n").await.unwrap();
            }
            stream.write_all(&piece).await.unwrap();
            if !declared {
                stream.write_all(b"\r\n").await.unwrap();
            }
        }
        drop(stream);
    }
    uploads_answered(addr, 400, 2).await;
    assert!(uploads(&node).await.is_empty());
    let objects = dir.path().join("objects").join("uploads");
    // The local store removes its staging file in a task of its own.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !files_under(&objects).is_empty() {
        assert!(Instant::now() < deadline, "{:?}", files_under(&objects));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    node.stop().await;
}

/// The `GET`/`HEAD`/`OPTIONS /media/...` checks, on whatever store `node` has.
async fn media_objects_are_served(node: &RunningNode) {
    let addr = node.local_addr();
    let objects = &node.services().objects;
    let segment = pattern((3 << 20) + 5);
    let put = |key: &str, bytes: Bytes| {
        let key = ObjectKey::new(key).unwrap();
        async move { objects.put_bytes(&key, bytes).await.unwrap() }
    };
    put("media/t-1/720p/seg_00001.ts", segment.clone()).await;
    put("media/t-1/master.m3u8", Bytes::from_static(b"#EXTM3U\n")).await;
    put("uploads/t-1/source", Bytes::from_static(b"secret")).await;

    let whole = get(addr, "/media/t-1/720p/seg_00001.ts", &[]).await;
    assert_eq!(whole.status, 200);
    assert!(whole.body == segment, "the streamed object differs");
    assert_eq!(whole.header("content-type"), "video/mp2t");
    assert_eq!(whole.header("content-length"), segment.len().to_string());
    assert_eq!(whole.header("accept-ranges"), "bytes");
    assert_eq!(whole.header("access-control-allow-origin"), "*");
    assert_eq!(whole.header("cache-control"), "public, max-age=86400");
    whole.header("last-modified");
    let e_tag = whole.header("etag").to_string();
    assert!(e_tag.starts_with('"') && e_tag.ends_with('"'), "{e_tag}");

    let playlist = get(addr, "/media/t-1/master.m3u8", &[]).await;
    assert_eq!(
        playlist.header("content-type"),
        "application/vnd.apple.mpegurl"
    );
    assert_eq!(playlist.header("cache-control"), "public, max-age=2");
    assert_eq!(playlist.body, "#EXTM3U\n");

    let size = segment.len();
    for (range, start, end) in [
        ("bytes=0-99", 0, 100),
        ("bytes=100-", 100, size),
        ("bytes=-10", size - 10, size),
        ("bytes=1000-999999999", 1000, size),
    ] {
        let part = get(addr, "/media/t-1/720p/seg_00001.ts", &[("range", range)]).await;
        assert_eq!(part.status, 206, "{range}");
        assert_eq!(
            part.header("content-range"),
            format!("bytes {start}-{}/{size}", end - 1),
            "{range}"
        );
        assert_eq!(part.body, segment.slice(start..end), "{range}");
    }
    for range in [format!("bytes={size}-"), "bytes=-0".to_string()] {
        let refused = get(addr, "/media/t-1/720p/seg_00001.ts", &[("range", &range)]).await;
        assert_eq!(refused.status, 416, "{range}");
        assert_eq!(refused.header("content-range"), format!("bytes */{size}"));
    }
    let several = get(
        addr,
        "/media/t-1/720p/seg_00001.ts",
        &[("range", "bytes=0-1,5-6")],
    )
    .await;
    assert_eq!((several.status, several.body.len()), (200, size));

    let head = call(addr, "HEAD", "/media/t-1/720p/seg_00001.ts", &[]).await;
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length"), size.to_string());
    assert!(head.body.is_empty());

    let cached = get(
        addr,
        "/media/t-1/720p/seg_00001.ts",
        &[("if-none-match", &e_tag)],
    )
    .await;
    assert_eq!(cached.status, 304);
    assert!(cached.body.is_empty());

    let preflight = call(
        addr,
        "OPTIONS",
        "/media/t-1/master.m3u8",
        &[
            ("origin", "https://player.example"),
            ("access-control-request-method", "GET"),
            ("access-control-request-headers", "range"),
        ],
    )
    .await;
    assert_eq!(preflight.status, 204);
    assert_eq!(preflight.header("access-control-allow-origin"), "*");
    assert_eq!(preflight.header("access-control-allow-headers"), "range");
    assert!(
        preflight
            .header("access-control-allow-methods")
            .contains("GET")
    );

    assert_eq!(get(addr, "/media/t-1/missing.ts", &[]).await.status, 404);
    assert_eq!(
        call(addr, "HEAD", "/media/t-1/missing.ts", &[])
            .await
            .status,
        404
    );
    // Upload sources are out of reach, however the path is spelled.
    for path in [
        "/media/../uploads/t-1/source",
        "/media/%2e%2e/uploads/t-1/source",
        "/media/t-1/%2E%2E/../uploads/t-1/source",
    ] {
        assert_eq!(get(addr, path, &[]).await.status, 400, "{path}");
    }
    assert_eq!(
        get(addr, "/media/uploads/t-1/source", &[]).await.status,
        404
    );
    let post = call(addr, "POST", "/media/t-1/master.m3u8", &[]).await;
    assert_eq!(post.status, 405);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn media_objects_are_served_from_the_local_store() {
    let dir = tempfile::tempdir().unwrap();
    let node = embedded(&dir, &[], Role::Realtime).await;
    media_objects_are_served(&node).await;
    node.stop().await;
}

/// Waits for `media_ready` on a joined `media:{id}` (or finds the asset ready already).
async fn ready_on_the_socket(socket: &mut socket::Socket, id: &str) -> serde_json::Value {
    let topic = format!("media:{id}");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(300);
    loop {
        let message = tokio::time::timeout_at(deadline, socket.next())
            .await
            .expect("media_ready within 300 s")
            .expect("socket open")
            .unwrap();
        let tokio_tungstenite::tungstenite::Message::Text(text) = message else {
            continue;
        };
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        if v[2] == topic.as_str() {
            match v[3].as_str().unwrap() {
                "media_ready" => return v[4].clone(),
                "media_failed" => panic!("media_failed: {}", v[4]),
                _ => {}
            }
        }
    }
}

/// Runs a command and returns its stdout and stderr; panics unless it succeeds.
fn run(program: &str, args: &[&str]) -> (String, String) {
    let out = std::process::Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} is installed: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{program} {args:?}: {stderr}");
    (stdout, stderr)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uploaded_video_plays_over_hls_from_the_node() {
    let dir = tempfile::tempdir().unwrap();
    let node = embedded(&dir, &[], Role::All).await;
    let addr = node.local_addr();
    let token = token(&node, "u-play");
    let source = tokio::task::spawn_blocking(|| support::media::av_mp4(854, 480, 6))
        .await
        .unwrap();

    let reply = upload(addr, Some(&token), Bytes::from(source)).await;
    let id = reply.created();
    let mut socket = socket::connect_v2(addr, &token).await;
    let (status, response) = socket::join(
        &mut socket,
        &format!("media:{id}"),
        serde_json::json!({}),
        &mut Vec::new(),
    )
    .await;
    assert_eq!(status, "ok", "{response}");
    let asset = node
        .services()
        .store
        .get_media_asset(&ResourceId::new(&id).unwrap())
        .await
        .unwrap()
        .unwrap();
    // Ready before the join (a fast machine): its stored `media.ready` payload stands in.
    let ready = match asset.outputs {
        Some(outputs) if asset.status == store::MediaStatus::Ready => outputs,
        _ => ready_on_the_socket(&mut socket, &id).await,
    };
    let master = format!("/media/{id}/master.m3u8");
    assert_eq!(ready["playback"]["hls"], master.as_str());
    let renditions = ready["renditions"].as_array().unwrap().clone();
    assert!(renditions.len() >= 2, "a ladder: {ready}");

    let url = format!("http://{addr}{master}");
    let (streams, playlists) = tokio::task::spawn_blocking(move || {
        // Every variant's streams, decoded to nothing; `-v verbose` reports frames per stream.
        let (_, log) = run(
            "ffmpeg",
            &[
                "-nostdin", "-v", "verbose", "-i", &url, "-map", "0", "-f", "null", "-",
            ],
        );
        let decoded: Vec<(String, u64)> = log
            .lines()
            .filter(|l| l.contains("Input stream #") && l.contains("frames decoded"))
            .map(|l| {
                let kind = if l.contains("(video)") {
                    "video"
                } else {
                    "audio"
                };
                // `…; 180 frames decoded; …` (audio adds `(N samples)`).
                let frames = l
                    .split(';')
                    .find(|p| p.contains("frames decoded"))
                    .and_then(|p| p.split_whitespace().next())
                    .and_then(|n| n.parse().ok())
                    .unwrap_or_else(|| panic!("no frame count in {l:?}"));
                (kind.to_string(), frames)
            })
            .collect();
        // Each rendition's own playlist, over HTTP too.
        let mut per_playlist = Vec::new();
        for r in &renditions {
            let url = format!("http://{addr}{}", r["playlist"].as_str().unwrap());
            let (json, _) = run(
                "ffprobe",
                &[
                    "-v",
                    "error",
                    "-count_frames",
                    "-show_entries",
                    "stream=codec_type,nb_read_frames,width,height",
                    "-of",
                    "json",
                    &url,
                ],
            );
            per_playlist.push((
                r.clone(),
                serde_json::from_str::<serde_json::Value>(&json).unwrap(),
            ));
        }
        (decoded, per_playlist)
    })
    .await
    .unwrap();

    let videos: Vec<u64> = streams
        .iter()
        .filter(|(k, _)| k == "video")
        .map(|s| s.1)
        .collect();
    assert_eq!(
        videos.len(),
        playlists.len(),
        "one video stream per rendition: {streams:?}"
    );
    assert!(
        videos.iter().all(|f| *f >= 150),
        "6 s at 25-30 fps from each: {streams:?}"
    );
    assert!(
        streams.iter().any(|(k, f)| k == "audio" && *f > 0),
        "{streams:?}"
    );
    for (rendition, probe) in playlists {
        let streams = probe["streams"].as_array().unwrap();
        let frames = |kind: &str| -> u64 {
            streams
                .iter()
                .filter(|s| s["codec_type"] == kind)
                .map(|s| {
                    s["nb_read_frames"]
                        .as_str()
                        .unwrap()
                        .parse::<u64>()
                        .unwrap()
                })
                .sum()
        };
        assert!(frames("video") >= 150, "{rendition}: {probe}");
        assert!(frames("audio") > 0, "{rendition}: {probe}");
        let video = streams.iter().find(|s| s["codec_type"] == "video").unwrap();
        assert_eq!(video["height"], rendition["height"], "{rendition}");
    }

    // The job is on the node's metrics: one ready attempt, none running, its time and speed.
    let metrics = get(addr, "/metrics", &[]).await;
    let metrics = String::from_utf8_lossy(&metrics.body);
    let line = |prefix: &str| {
        metrics
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in /metrics:\n{metrics}"))
            .to_string()
    };
    assert_eq!(
        line("armoricore_media_jobs_total{outcome=\"ready\"}"),
        "armoricore_media_jobs_total{outcome=\"ready\"} 1"
    );
    assert_eq!(
        line("armoricore_media_jobs_running "),
        "armoricore_media_jobs_running 0"
    );
    let value = |prefix: &str| -> f64 {
        let line = line(prefix);
        line.rsplit(' ')
            .next()
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no number in {line:?}"))
    };
    let seconds = value("armoricore_media_job_seconds_sum{outcome=\"ready\"}");
    assert!(seconds > 0.0, "job time {seconds}");
    let speed = value("armoricore_media_transcode_speed_sum ");
    // 6 s of source; on any machine this test runs on, well over 0.05 s per second.
    assert!(speed > 0.05 && speed.is_finite(), "speed {speed}");
    node.stop().await;
}
