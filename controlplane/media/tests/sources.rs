//! Proves the media sources against real servers: an HTTP server on 127.0.0.1 (hyper)
//! serving a generated clip through redirects, a body cut mid-way then resumed with
//! `Range`/`If-Range`, 404/503/429, a body over the size limit, a stalled body; the
//! address guard refusing loopback by default (nothing reaches the server); and an
//! `s3://` source on the test S3 server (moto). The worker-level tests show the verdict
//! on the bus: `media.ready`, or `media.failed` terminated at once (final) or after the
//! last delivery (retryable), each time with a dead letter.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

#[path = "sources/server.rs"]
mod server;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bus::Bus;
use bytes::Bytes;
use codecs::events::{MediaFailed, MediaReady, MediaUploaded};
use codecs::{Event, Payload, ResourceId};
use futures::StreamExt;
use media::source::{Cause, SourceConfig, SourceError, Sources};
use media::worker::{WorkerConfig, WorkerHandle};
use server::{Reply, Seen, Server, partial, ranged, redirect};

// ---------------------------------------------------------------- sources and nodes

/// A small H.264 clip in MPEG-TS (426x240, 2 s), generated once.
fn clip() -> Bytes {
    static CLIP: OnceLock<Bytes> = OnceLock::new();
    CLIP.get_or_init(|| common::video_only_ts(426, 240, 50).into())
        .clone()
}

fn local_objects(dir: &std::path::Path) -> objstore::Objects {
    objstore::Objects::open(&objstore::ObjectStoreConfig::local(dir.join("objects"))).unwrap()
}

/// Sources allowed to reach the test server on 127.0.0.1 (by host, not wholesale).
fn allow_test_host() -> SourceConfig {
    SourceConfig {
        allow_hosts: vec!["127.0.0.1".into()],
        ..SourceConfig::default()
    }
}

/// Opens `source` and reads it to the end: the bytes, or the first error.
async fn read_all(config: &SourceConfig, source: &str) -> Result<Vec<u8>, SourceError> {
    let dir = tempfile::tempdir().unwrap();
    let sources = Sources::new(config, local_objects(dir.path())).unwrap();
    let mut opened = sources.open(source).await?;
    let mut out = Vec::new();
    while let Some(bytes) = opened.body.next().await {
        out.extend_from_slice(&bytes?);
    }
    Ok(out)
}

/// A media worker on the in-process bus and SQLite, watching `media.>` and its dead
/// letters.
struct Node {
    _dir: tempfile::TempDir,
    bus: Arc<dyn Bus>,
    events: bus::Subscription,
    worker: WorkerHandle,
}

impl Node {
    async fn start(sources: SourceConfig, max_deliver: u32) -> Node {
        let dir = tempfile::tempdir().unwrap();
        let bus = bus::connect(None, bus::BusConfig::default()).await.unwrap();
        let store = store::open(None, &dir.path().join("db")).await.unwrap();
        store.migrate().await.unwrap();
        let events = bus.subscribe("media.>").await.unwrap();
        let config = WorkerConfig {
            sources,
            max_deliver,
            backoff: vec![Duration::from_millis(50)],
            ..WorkerConfig::default()
        };
        let objects = local_objects(dir.path());
        let worker = media::worker::start(config, Arc::clone(&bus), store, objects)
            .await
            .unwrap();
        Node {
            _dir: dir,
            bus,
            events,
            worker,
        }
    }

    /// Publishes a `media.uploaded` for `source` and waits for its outcome.
    async fn run(&mut self, source: &str) -> Result<MediaReady, MediaFailed> {
        let event = Event::new(
            "test",
            Payload::MediaUploaded(MediaUploaded {
                media_id: ResourceId::new("m-src").unwrap(),
                user_id: ResourceId::new("u-1").unwrap(),
                source: source.into(),
                content_type: "video/mp2t".into(),
                file_size: 0,
                metadata: Default::default(),
            }),
        );
        bus::publish_event(self.bus.as_ref(), &event).await.unwrap();
        let outcome = async {
            while let Some(msg) = self.events.next().await {
                match Event::decode(&msg.payload).unwrap().payload {
                    Payload::MediaReady(ready) => return Ok(ready),
                    Payload::MediaFailed(failed) => return Err(failed),
                    _ => {}
                }
            }
            panic!("the bus closed");
        };
        tokio::time::timeout(Duration::from_secs(120), outcome)
            .await
            .expect("an outcome within 120 s")
    }

    /// The dead letter of the job: its delivery count and reason.
    async fn dead_letter(&self) -> bus::DeadLetterInfo {
        let mut dlq = self.bus.dead_letters("media-processor").await.unwrap();
        let letter = tokio::time::timeout(Duration::from_secs(10), dlq.next())
            .await
            .expect("a dead letter")
            .unwrap();
        letter.dead_letter.unwrap()
    }

    async fn stop(self) {
        self.worker.stop(Duration::from_secs(5)).await;
    }
}

// ---------------------------------------------------------------- worker level

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http_source_through_redirects_and_a_cut_is_resumed_and_transcoded() {
    let data = clip();
    let cut = data.len() * 2 / 5;
    let served = data.clone();
    let server = Server::start(move |seen, hits| match (seen.path.as_str(), hits) {
        ("/start", _) => redirect(302, "/hop?x=1"),
        ("/hop", _) => redirect(307, "/files/clip.ts"),
        ("/files/clip.ts", 1) => Reply::Cut(200, ranged(), served.clone(), cut),
        ("/files/clip.ts", _) => partial(seen, &served),
        _ => Reply::Full(404, vec![], Bytes::new()),
    })
    .await;
    let mut node = Node::start(allow_test_host(), 1).await;
    let ready = node.run(&server.url("/start")).await.unwrap();
    assert!(!ready.renditions.is_empty());
    assert!(ready.duration_ms >= 1_500, "{}", ready.duration_ms);
    let resumed: Vec<Seen> = server
        .seen()
        .into_iter()
        .filter(|s| s.path == "/files/clip.ts")
        .collect();
    assert_eq!(resumed.len(), 2, "{resumed:?}");
    assert_eq!(resumed[0].range, None);
    assert_eq!(resumed[1].range, Some(format!("bytes={cut}-")));
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_loopback_url_is_refused_by_default_and_never_requested() {
    let server = Server::start(|_, _| Reply::Full(200, vec![], clip())).await;
    let mut node = Node::start(SourceConfig::default(), 5).await;
    let failed = node.run(&server.url("/clip.ts")).await.unwrap_err();
    assert!(!failed.retryable);
    for part in [
        "127.0.0.1",
        "loopback",
        "MEDIA_SOURCE_ALLOW_PRIVATE",
        "/clip.ts",
    ] {
        assert!(failed.reason.contains(part), "{}", failed.reason);
    }
    let letter = node.dead_letter().await;
    assert_eq!(letter.deliveries, 1, "terminated, not redelivered");
    assert!(server.seen().is_empty(), "the guard let a request through");
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_503_is_retried_through_the_queue_and_then_succeeds() {
    let data = clip();
    let server = Server::start(move |_, hits| match hits {
        1 => Reply::Full(503, vec![], Bytes::from_static(b"busy")),
        _ => Reply::Full(200, vec![], data.clone()),
    })
    .await;
    let mut node = Node::start(allow_test_host(), 3).await;
    let ready = node.run(&server.url("/clip.ts")).await.unwrap();
    assert!(!ready.renditions.is_empty());
    assert_eq!(server.seen().len(), 2, "one nak, one redelivery");
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_body_trips_the_read_timeout_and_is_dead_lettered_after_the_last_try() {
    let data = clip();
    let server = Server::start(move |_, _| Reply::Stall(data.clone(), 8 * 1024)).await;
    let config = SourceConfig {
        read_timeout: Duration::from_millis(300),
        ..allow_test_host()
    };
    let mut node = Node::start(config, 2).await;
    let failed = node.run(&server.url("/slow.ts")).await.unwrap_err();
    assert!(failed.retryable, "{}", failed.reason);
    assert!(failed.reason.contains("timed out"), "{}", failed.reason);
    assert!(failed.reason.contains("8192 bytes"), "{}", failed.reason);
    assert_eq!(node.dead_letter().await.deliveries, 2);
    assert_eq!(server.seen().len(), 2);
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_growing_past_the_limit_fails_for_good_mid_stream() {
    let data = clip();
    let limit = data.len() as u64 / 2;
    // Chunked: no Content-Length to refuse up front, so the count must catch it.
    let server = Server::start(move |_, _| Reply::Chunked(data.clone())).await;
    let config = SourceConfig {
        max_bytes: limit,
        ..allow_test_host()
    };
    let mut node = Node::start(config, 5).await;
    let failed = node.run(&server.url("/big.ts")).await.unwrap_err();
    assert!(!failed.retryable, "{}", failed.reason);
    assert!(
        failed
            .reason
            .contains(&format!("limit of {limit} bytes (MEDIA_SOURCE_MAX_BYTES)")),
        "{}",
        failed.reason
    );
    assert_eq!(node.dead_letter().await.deliveries, 1);
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_s3_source_is_read_with_the_node_s3_settings_and_transcoded() {
    let Some(endpoint) = testkit::require_env("ARMORICORE_TEST_S3_ENDPOINT") else {
        return;
    };
    let bucket = format!("media-src-{}", std::process::id());
    let mut settings = objstore::S3Config::new("configured-bucket");
    settings.endpoint = Some(endpoint.clone());
    settings.credentials = Some(objstore::S3Credentials {
        access_key_id: "testing".into(),
        secret_access_key: "testing".into(),
        session_token: None,
    });
    // moto checks no signature: a plain PUT creates the bucket.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let created = reqwest::Client::new()
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .unwrap();
    assert!(created.status().is_success(), "{}", created.status());
    let upload = objstore::Objects::open(&objstore::ObjectStoreConfig::s3(objstore::S3Config {
        bucket: bucket.clone(),
        ..settings.clone()
    }))
    .unwrap();
    let key = objstore::ObjectKey::new("incoming/clip.ts").unwrap();
    upload.put_bytes(&key, clip()).await.unwrap();

    let config = SourceConfig {
        s3: Some(settings),
        ..SourceConfig::default()
    };
    let missing = read_all(&config, &format!("s3://{bucket}/incoming/none.ts"))
        .await
        .unwrap_err();
    assert!(!missing.is_retryable(), "{missing}");
    assert!(missing.to_string().contains("not found"), "{missing}");

    let mut node = Node::start(config, 1).await;
    let ready = node
        .run(&format!("s3://{bucket}/incoming/clip.ts"))
        .await
        .unwrap();
    assert!(!ready.renditions.is_empty());
    node.stop().await;
}

// ---------------------------------------------------------------- source level

#[tokio::test]
async fn http_statuses_are_sorted_into_final_and_retryable() {
    let server = Server::start(|seen, _| {
        let status = seen.path.trim_start_matches('/').parse().unwrap();
        Reply::Full(status, vec![], Bytes::from_static(b"no"))
    })
    .await;
    for (status, retryable) in [
        (404, false),
        (403, false),
        (410, false),
        (401, false),
        (500, true),
        (502, true),
        (503, true),
        (429, true),
        (408, true),
    ] {
        let url = server.url(&format!("/{status}"));
        let err = read_all(&allow_test_host(), &url).await.unwrap_err();
        assert!(
            matches!(err.cause, Cause::Status(s) if s == status),
            "{err}"
        );
        assert_eq!(err.is_retryable(), retryable, "{err}");
        assert!(err.to_string().contains(&url), "{err}");
    }
}

#[tokio::test]
async fn every_redirect_hop_is_checked_and_counted() {
    let server = Server::start(|seen, _| match seen.path.as_str() {
        "/loop" => redirect(301, "/loop"),
        "/to-file" => redirect(302, "file:///etc/passwd"),
        "/nowhere" => Reply::Full(302, vec![], Bytes::new()),
        other => {
            // `/to-localhost/<port>`: the same server under another name.
            let port = other.trim_start_matches("/to-localhost/");
            redirect(302, &format!("http://localhost:{port}/x"))
        }
    })
    .await;
    let config = allow_test_host();
    let err = read_all(&config, &server.url("/loop")).await.unwrap_err();
    assert!(matches!(err.cause, Cause::TooManyRedirects(5)), "{err}");
    assert!(!err.is_retryable());
    let err = read_all(&config, &server.url("/to-file"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("scheme \"file\""), "{err}");
    let err = read_all(&config, &server.url("/nowhere"))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("without a usable Location"),
        "{err}"
    );

    // 127.0.0.1 is allowed by name; `localhost` is another host and resolves to loopback.
    let before = server.seen().len();
    let hop = format!("/to-localhost/{}", server.addr.port());
    let err = read_all(&config, &server.url(&hop)).await.unwrap_err();
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("localhost resolves to"), "{err}");
    assert_eq!(
        server.seen().len(),
        before + 1,
        "the refused hop was requested"
    );
    assert_eq!(config.max_redirects, 5);
}

#[tokio::test]
async fn names_of_loopback_are_refused_by_the_resolver_and_allowed_when_configured() {
    let server = Server::start(|_, _| Reply::Full(200, vec![], Bytes::from_static(b"ok"))).await;
    let url = format!("http://localhost:{}/x", server.addr.port());
    let err = read_all(&SourceConfig::default(), &url).await.unwrap_err();
    assert!(matches!(err.cause, Cause::Refused(_)), "{err}");
    assert!(server.seen().is_empty());
    let open = SourceConfig {
        allow_private: true,
        ..SourceConfig::default()
    };
    assert_eq!(read_all(&open, &url).await.unwrap(), b"ok");
    let by_name = SourceConfig {
        allow_hosts: vec!["LocalHost".into()],
        ..SourceConfig::default()
    };
    assert_eq!(read_all(&by_name, &url).await.unwrap(), b"ok");
}

#[tokio::test]
async fn a_declared_size_over_the_limit_is_refused_before_reading() {
    let server = Server::start(|_, _| Reply::Full(200, vec![], Bytes::from(vec![7u8; 4096]))).await;
    let config = SourceConfig {
        max_bytes: 4095,
        ..allow_test_host()
    };
    let err = read_all(&config, &server.url("/big")).await.unwrap_err();
    assert!(
        matches!(
            err.cause,
            Cause::TooLarge {
                limit: 4095,
                declared: Some(4096)
            }
        ),
        "{err}"
    );
    assert!(!err.is_retryable());
    let exact = SourceConfig {
        max_bytes: 4096,
        ..config
    };
    assert_eq!(
        read_all(&exact, &server.url("/big")).await.unwrap().len(),
        4096
    );
}

#[tokio::test]
async fn a_cut_body_is_resumed_only_when_the_server_allows_it_and_has_not_changed() {
    let data = Bytes::from(
        (0..200_000u32)
            .map(|i| (i % 251) as u8)
            .collect::<Vec<u8>>(),
    );
    let served = data.clone();
    let server = Server::start(move |seen, hits| match (seen.path.as_str(), hits) {
        // Cut twice, resumed twice.
        ("/twice", 1) => Reply::Cut(200, ranged(), served.clone(), 50_000),
        ("/twice", 2) => {
            let Reply::Full(_, headers, rest) = partial(seen, &served) else {
                unreachable!()
            };
            Reply::Cut(206, headers, rest, 30_000)
        }
        ("/twice", _) => partial(seen, &served),
        // No Accept-Ranges: cannot resume.
        ("/plain", _) => Reply::Cut(200, vec![], served.clone(), 1000),
        // The file changed: the ranged GET answers 200 with the whole new file.
        ("/changed", 1) => Reply::Cut(200, ranged(), served.clone(), 1000),
        ("/changed", _) => Reply::Full(200, vec![], served.clone()),
        // Always cut: resumes run out.
        (_, _) if seen.range.is_none() => Reply::Cut(200, ranged(), served.clone(), 10),
        (_, _) => {
            let Reply::Full(_, headers, rest) = partial(seen, &served) else {
                unreachable!()
            };
            Reply::Cut(206, headers, rest, 10)
        }
    })
    .await;
    let config = allow_test_host();
    assert_eq!(
        read_all(&config, &server.url("/twice")).await.unwrap(),
        data
    );
    let ranges: Vec<_> = server.seen().into_iter().filter_map(|s| s.range).collect();
    assert_eq!(ranges, ["bytes=50000-", "bytes=80000-"]);

    for (path, why) in [
        ("/plain", "does not offer byte ranges"),
        ("/changed", "the source changed"),
        ("/always", "3 resumes already tried"),
    ] {
        let err = read_all(&config, &server.url(path)).await.unwrap_err();
        assert!(matches!(err.cause, Cause::Interrupted { .. }), "{err}");
        assert!(err.is_retryable(), "{err}");
        assert!(err.to_string().contains(why), "{path}: {err}");
    }
}

#[tokio::test]
async fn a_closed_port_is_a_retryable_network_error() {
    let port = testkit::free_port();
    let config = SourceConfig {
        allow_private: true,
        ..SourceConfig::default()
    };
    let err = read_all(&config, &format!("http://127.0.0.1:{port}/x"))
        .await
        .unwrap_err();
    assert!(matches!(err.cause, Cause::Network(_)), "{err}");
    assert!(err.is_retryable());
}
