//! Proves the `media.uploaded` worker on the in-process bus and SQLite: a source stored in
//! the object store ends in stored outputs, a `ready` asset row, `media.progress` and one
//! `media.ready`; a corrupt source ends in a `failed` row, `media.failed` with a reason and
//! `retryable: false`, and a dead letter; a redelivery of a finished job announces the
//! same `media.ready` again without transcoding.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::sync::Arc;
use std::time::Duration;

use bus::Bus;
use codecs::events::MediaUploaded;
use codecs::{Event, Payload, ResourceId};
use futures::StreamExt;
use media::worker::{WorkerConfig, start};
use store::{MediaStatus, Store};

struct World {
    _dir: tempfile::TempDir,
    bus: Arc<dyn Bus>,
    store: Arc<dyn Store>,
    objects: objstore::Objects,
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let bus = bus::connect(None, bus::BusConfig::default()).await.unwrap();
    let store = store::open(None, &dir.path().join("db")).await.unwrap();
    store.migrate().await.unwrap();
    let objects = objstore::Objects::open(&objstore::ObjectStoreConfig::local(
        dir.path().join("objects"),
    ))
    .unwrap();
    World {
        _dir: dir,
        bus,
        store,
        objects,
    }
}

fn uploaded(media_id: &str, source: &str, size: u64) -> Event {
    Event::new(
        "test",
        Payload::MediaUploaded(MediaUploaded {
            media_id: ResourceId::new(media_id).unwrap(),
            user_id: ResourceId::new("u-1").unwrap(),
            source: source.into(),
            content_type: "video/mp4".into(),
            file_size: size,
            metadata: Default::default(),
        }),
    )
}

/// Waits for the first `media.ready`/`media.failed` event, collecting progress on the way.
async fn outcome(sub: &mut bus::Subscription) -> (Event, usize) {
    let mut progress = 0;
    let wait = async {
        while let Some(msg) = sub.next().await {
            let event = Event::decode(&msg.payload).unwrap();
            match event.payload {
                Payload::MediaProgress(_) => progress += 1,
                Payload::MediaReady(_) | Payload::MediaFailed(_) => return event,
                _ => {}
            }
        }
        panic!("the bus closed");
    };
    let event = tokio::time::timeout(Duration::from_secs(120), wait)
        .await
        .expect("an outcome within 120 s");
    (event, progress)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_becomes_a_ready_asset_with_one_media_ready() {
    let w = world().await;
    let data = common::av_720p_mp4();
    let size = data.len() as u64;
    let key = objstore::ObjectKey::new("uploads/m-ok").unwrap();
    w.objects.put_bytes(&key, data.into()).await.unwrap();
    let mut sub = w.bus.subscribe("media.>").await.unwrap();
    let handle = start(
        WorkerConfig::default(),
        Arc::clone(&w.bus),
        Arc::clone(&w.store),
        w.objects.clone(),
    )
    .await
    .unwrap();
    bus::publish_event(w.bus.as_ref(), &uploaded("m-ok", "uploads/m-ok", size))
        .await
        .unwrap();
    let (event, progress) = outcome(&mut sub).await;
    let Payload::MediaReady(ready) = &event.payload else {
        panic!("{event:?}")
    };
    assert!(progress >= 1, "media.progress was published");
    assert_eq!(ready.playback.hls, "/media/m-ok/master.m3u8");
    let names: Vec<&str> = ready.renditions.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["720p", "480p", "360p"]);
    assert!(
        ready
            .renditions
            .iter()
            .all(|r| r.codecs.ends_with("mp4a.40.2"))
    );
    assert!(
        (5_500..=6_500).contains(&ready.duration_ms),
        "{}",
        ready.duration_ms
    );
    assert_eq!(ready.thumbnails.len(), 6);
    let master = objstore::ObjectKey::new("media/m-ok/master.m3u8").unwrap();
    assert!(w.objects.head(&master).await.unwrap().is_some());

    let asset = w
        .store
        .get_media_asset(&ResourceId::new("m-ok").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(asset.status, MediaStatus::Ready);
    assert_eq!(asset.duration_ms, Some(ready.duration_ms));
    assert!(asset.outputs.is_some());

    // A redelivery of the same upload (another event id) after success: no second job,
    // the same media.ready (same deterministic event id) is announced again.
    bus::publish_event(w.bus.as_ref(), &uploaded("m-ok", "uploads/m-ok", size))
        .await
        .unwrap();
    let again = tokio::time::timeout(Duration::from_secs(4), async {
        while let Some(msg) = sub.next().await {
            let e = Event::decode(&msg.payload).unwrap();
            if matches!(e.payload, Payload::MediaReady(_)) {
                return Some(e);
            }
            if matches!(e.payload, Payload::MediaProgress(_)) {
                panic!("a finished job was transcoded again");
            }
        }
        None
    })
    .await;
    // The bus may drop the duplicate (same event id) before subscribers see it; either
    // way it must not differ.
    if let Ok(Some(e)) = again {
        assert_eq!(e.event_id, event.event_id);
    }
    handle.stop(Duration::from_secs(5)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_upload_fails_for_good_with_a_reason() {
    // nextest runs each test in its own process, so this test's recorder sees only its
    // job; under `cargo test` another test may have installed one first (then the
    // metrics are not checked).
    let recorder = metrics_util::debugging::DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let recording = recorder.install().is_ok();
    assert!(
        recording || std::env::var_os("NEXTEST_RUN_ID").is_none(),
        "a test process of its own has no recorder yet"
    );
    let w = world().await;
    let key = objstore::ObjectKey::new("uploads/m-bad").unwrap();
    w.objects
        .put_bytes(&key, bytes::Bytes::from(vec![0x5au8; 100_000]))
        .await
        .unwrap();
    let mut sub = w.bus.subscribe("media.>").await.unwrap();
    let handle = start(
        WorkerConfig::default(),
        Arc::clone(&w.bus),
        Arc::clone(&w.store),
        w.objects.clone(),
    )
    .await
    .unwrap();
    bus::publish_event(w.bus.as_ref(), &uploaded("m-bad", "uploads/m-bad", 100_000))
        .await
        .unwrap();
    let (event, _) = outcome(&mut sub).await;
    let Payload::MediaFailed(failed) = &event.payload else {
        panic!("{event:?}")
    };
    assert!(!failed.retryable);
    assert!(
        failed.reason.contains("unsupported input"),
        "{}",
        failed.reason
    );
    let asset = w
        .store
        .get_media_asset(&ResourceId::new("m-bad").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(asset.status, MediaStatus::Failed);
    assert_eq!(asset.error.as_deref(), Some(failed.reason.as_str()));
    // Terminated, not redelivered: a dead letter carrying the same reason, on attempt 1.
    let mut dlq = w.bus.dead_letters("media-processor").await.unwrap();
    let letter = tokio::time::timeout(Duration::from_secs(10), dlq.next())
        .await
        .expect("a dead letter")
        .unwrap();
    let info = letter.dead_letter.clone().unwrap();
    assert_eq!(info.deliveries, 1);
    assert!(info.reason.contains("unsupported input"), "{}", info.reason);
    handle.stop(Duration::from_secs(5)).await;

    if recording {
        use metrics_util::debugging::DebugValue;
        let metrics: Vec<(String, Vec<String>, DebugValue)> = snapshotter
            .snapshot()
            .into_vec()
            .into_iter()
            .map(|(key, _, _, value)| {
                let key = key.key();
                let labels = key
                    .labels()
                    .map(|l| format!("{}={}", l.key(), l.value()))
                    .collect();
                (key.name().to_string(), labels, value)
            })
            .collect();
        let find = |name: &str, labels: &[&str]| {
            metrics
                .iter()
                .find(|(n, l, _)| {
                    n == name && l.iter().map(String::as_str).eq(labels.iter().copied())
                })
                .map(|(_, _, v)| v)
        };
        assert_eq!(
            find(media::worker::JOBS_TOTAL, &["outcome=failed"]),
            Some(DebugValue::Counter(1)).as_ref(),
            "{metrics:?}"
        );
        assert_eq!(find(media::worker::JOBS_TOTAL, &["outcome=ready"]), None);
        assert_eq!(
            find(media::worker::JOBS_RUNNING, &[]),
            Some(DebugValue::Gauge(0.0.into())).as_ref(),
            "{metrics:?}"
        );
        assert!(
            matches!(find(media::worker::JOB_SECONDS, &["outcome=failed"]), Some(DebugValue::Histogram(h)) if h.len() == 1),
            "{metrics:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_source_fails_with_a_reason() {
    let w = world().await;
    let mut sub = w.bus.subscribe("media.>").await.unwrap();
    let handle = start(
        WorkerConfig::default(),
        Arc::clone(&w.bus),
        Arc::clone(&w.store),
        w.objects.clone(),
    )
    .await
    .unwrap();
    bus::publish_event(w.bus.as_ref(), &uploaded("m-gone", "uploads/nothing", 1))
        .await
        .unwrap();
    let (event, _) = outcome(&mut sub).await;
    let Payload::MediaFailed(failed) = &event.payload else {
        panic!("{event:?}")
    };
    assert!(
        failed.reason.contains("uploads/nothing"),
        "{}",
        failed.reason
    );
    assert!(!failed.retryable);
    handle.stop(Duration::from_secs(5)).await;
}
