//! Proves issue #5's delivery guarantees on NATS JetStream + PostgreSQL + S3 (moto):
//! - a node process SIGKILLed mid-job (segments already in the bucket, no master) leaves
//!   the upload to be redelivered to the next node, which writes exactly the object keys
//!   of a clean run of the same source, marks the row `ready`, and puts exactly one
//!   `media.ready` in the stream, even when the upload is announced once more afterwards;
//! - a store that becomes unreachable mid-job makes the delivery retry with the queue's
//!   backoff (the deliveries are counted on nats-server itself) and, when it stays down,
//!   end in `media.failed` (retryable) with a `failed` row and a dead letter after the
//!   last attempt; when it comes back before the attempts run out, the job succeeds with
//!   one `media.ready`.
//!
//! Redelivery is made quick with `MEDIA_ACK_WAIT_MS`, `MEDIA_MAX_DELIVER` and
//! `MEDIA_RETRY_BACKOFF_MS`. The outage is a cut [`TcpProxy`] between the node and the
//! shared moto: the store comes back in one step, with the source still in it (a killed
//! and restarted moto came back empty, and a retry that ran before the test had put the
//! source back failed for good on the missing source).
#![allow(clippy::unwrap_used)] // tests may unwrap

mod support;

use std::time::{Duration, Instant};

use armoricore::cli::Role;
use armoricore::node::{RunningNode, Services};
use codecs::events::MediaUploaded;
use codecs::{Event, Payload, ResourceId};
use objstore::{ObjectKey, Objects};
use store::MediaStatus;
use support::config;
use support::media::jetstream::{deliveries, ready_count, stored_media_events, wait_settled};
use support::media::node_process::NodeProcess;
use support::media::world::Distributed;
use support::media::{
    asset, av_mp4, check_ready, media_id, off_runtime, outcome, outcomes, snapshot,
};
use testkit::hls::Expect;
use testkit::proxy::TcpProxy;

/// The media worker's durable consumer.
const DURABLE: &str = "media-processor";

/// A 720p source long enough (20 s: five 4 s segments per rendition) that its job is
/// still running when its first segment is stored.
fn long_source() -> (Vec<u8>, Expect) {
    let expect = Expect {
        renditions: vec![("720p", 1280, 720), ("480p", 854, 480), ("360p", 640, 360)],
        video: true,
        audio: true,
        duration: 20.0,
        frame_rate: Some(30.0),
        segment_duration: 4.0,
        thumbnails: Vec::new(),
        thumbnail_size: (640, 360),
    };
    (av_mp4(1280, 720, 20), expect)
}

/// Announces `media_id`'s upload of `source` on the bus; returns its stream sequence.
async fn announce(services: &Services, media_id: &str, source: &ObjectKey, size: usize) -> u64 {
    let event = Event::new(
        "test",
        Payload::MediaUploaded(MediaUploaded {
            media_id: ResourceId::new(media_id).unwrap(),
            user_id: ResourceId::new("u-crash").unwrap(),
            source: source.as_str().to_string(),
            content_type: "video/mp4".into(),
            file_size: size as u64,
            metadata: Default::default(),
        }),
    );
    let ack = bus::publish_event(services.bus.as_ref(), &event)
        .await
        .unwrap();
    ack.sequence
}

/// Waits until a segment of `media_id` is stored; returns the keys stored then.
async fn first_segment(objects: &Objects, media_id: &str, log: impl Fn() -> String) -> Vec<String> {
    let prefix = ObjectKey::new(format!("media/{media_id}")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let keys: Vec<String> = objects
            .list(Some(&prefix))
            .await
            .map(|l| l.into_iter().map(|m| m.key.as_str().to_string()).collect())
            .unwrap_or_default();
        if keys.iter().any(|k| k.ends_with(".ts")) {
            return keys;
        }
        assert!(
            Instant::now() < deadline,
            "no segment within 120 s; log:\n{}",
            log()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_killed_mid_job_is_replaced_and_the_job_ends_once_with_the_same_keys() {
    let Some(world) = Distributed::start(None).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let services = Services::open(config(dir.path(), &world.env(&[])), Role::Realtime)
        .await
        .unwrap();
    let (source, expect) = long_source();
    let size = source.len();
    let source_key = ObjectKey::new(format!("uploads/{}", media_id("long"))).unwrap();
    services
        .objects
        .put_bytes(&source_key, source.into())
        .await
        .unwrap();
    let (crashed, clean) = (media_id("crashed"), media_id("clean"));
    // A silent job is redelivered 3 s after its last sign of life.
    let node_env = world.env(&[("MEDIA_ACK_WAIT_MS", "3000"), ("MEDIA_MAX_JOBS", "2")]);

    let mut sub = services.bus.subscribe("media.>").await.unwrap();
    let mut first = NodeProcess::start(&node_env);
    announce(&services, &crashed, &source_key, size).await;
    first_segment(&services.objects, &crashed, || first.log()).await;
    first.kill();
    let left = snapshot(&services.objects, &crashed).await.keys();
    assert!(
        !left.contains("master.m3u8"),
        "the job finished before the kill; the source must be longer"
    );
    let row = asset(services.store.as_ref(), &crashed).await;
    assert_eq!(row.status, MediaStatus::Processing);
    eprintln!("killed the node with {} objects stored", left.len());

    let second = NodeProcess::start(&node_env);
    announce(&services, &clean, &source_key, size).await;
    let ids = [crashed.clone(), clean.clone()];
    let mut events = outcomes(&mut sub, &ids).await;
    let mut keys = Vec::new();
    for id in &ids {
        let Payload::MediaReady(ready) = events.remove(id).unwrap().payload else {
            panic!("{id}: not media.ready; log:\n{}", second.log())
        };
        let row = asset(services.store.as_ref(), id).await;
        let stored = snapshot(&services.objects, id).await;
        keys.push(stored.keys());
        let expect = expect.clone();
        off_runtime(move || check_ready(&expect, (1280, 720), &ready, &row, &stored)).await;
    }
    assert_eq!(keys[0], keys[1], "the rerun's keys vs a clean run's");

    // The same upload announced again after success (a redelivery after a lost ack looks
    // the same): the worker republishes media.ready under its deterministic id.
    let again = announce(&services, &crashed, &source_key, size).await;
    wait_settled(&world.nats.monitor_url(), DURABLE, again).await;
    let stored = stored_media_events(services.bus.as_ref()).await;
    assert_eq!(
        ready_count(&stored, &crashed),
        1,
        "media.ready of the crashed job"
    );
    assert_eq!(
        ready_count(&stored, &clean),
        1,
        "media.ready of the clean job"
    );
    let failed = stored
        .iter()
        .any(|e| matches!(&e.payload, Payload::MediaFailed(_)));
    assert!(!failed, "a media.failed was published");
    // Three uploads and the crashed one's redelivery, at least.
    let delivered = deliveries(&world.nats.monitor_url(), DURABLE).await;
    assert!(delivered >= 4, "{delivered} deliveries");
}

/// Redelivery settings of the store-outage tests.
const BACKOFF_MS: u64 = 1500;

/// A node whose link to the store is cut once the job's first segment is stored.
/// Returns what the test needs to watch the retries.
struct Outage {
    link: TcpProxy,
    world: Distributed,
    node: RunningNode,
    media_id: String,
    expect: Expect,
    sub: bus::Subscription,
    _dir: tempfile::TempDir,
}

async fn store_dies_mid_job(max_deliver: &str) -> Option<Outage> {
    let s3 = testkit::require_env("ARMORICORE_TEST_S3_ENDPOINT")?;
    let link = TcpProxy::start(support::addr_of(&s3));
    let world = Distributed::start(Some(link.url())).await?;
    let dir = tempfile::tempdir().unwrap();
    let backoff = BACKOFF_MS.to_string();
    let env = world.env(&[
        ("MEDIA_MAX_DELIVER", max_deliver),
        ("MEDIA_RETRY_BACKOFF_MS", &backoff),
        ("MEDIA_ACK_WAIT_MS", "5000"),
    ]);
    let node = RunningNode::start(config(dir.path(), &env), Role::All)
        .await
        .unwrap();
    let services = node.services().clone();
    let (source, expect) = long_source();
    let id = media_id("outage");
    let source_key = ObjectKey::new(format!("uploads/{id}")).unwrap();
    services
        .objects
        .put_bytes(&source_key, source.clone().into())
        .await
        .unwrap();
    let sub = services.bus.subscribe("media.>").await.unwrap();
    announce(&services, &id, &source_key, source.len()).await;
    let stored = first_segment(&services.objects, &id, String::new).await;
    assert!(
        !stored.iter().any(|k| k.ends_with("master.m3u8")),
        "the job finished before the store died; the source must be longer"
    );
    let mut outage = Outage {
        link,
        world,
        node,
        media_id: id,
        expect,
        sub,
        _dir: dir,
    };
    tokio::task::block_in_place(|| outage.link.cut());
    Some(outage)
}

/// Waits until nats-server has made `n` deliveries of the upload; returns when each
/// delivery was first seen.
async fn watch_deliveries(o: &Outage, n: u64) -> Vec<Instant> {
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while (seen.len() as u64) < n {
        let now = deliveries(&o.world.nats.monitor_url(), DURABLE).await;
        while (seen.len() as u64) < now {
            seen.push(Instant::now());
        }
        assert!(
            Instant::now() < deadline,
            "{} deliveries after 120 s",
            seen.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_stays_down_is_retried_with_backoff_then_dead_lettered() {
    let Some(mut o) = store_dies_mid_job("3").await else {
        return;
    };
    let seen = watch_deliveries(&o, 3).await;
    // Each redelivery waits for the backoff after the failed attempt ended. (The first
    // delivery was made before the watch began, so only later gaps are measured.)
    for pair in seen[1..].windows(2) {
        let gap = pair[1] - pair[0];
        assert!(
            gap >= Duration::from_millis(BACKOFF_MS - 100),
            "redelivered after {gap:?}"
        );
    }
    let id = o.media_id.clone();
    let Payload::MediaFailed(failed) = outcome(&mut o.sub, &id).await else {
        panic!("{id}: no media.failed")
    };
    assert!(
        failed.retryable,
        "a store outage is retryable: {}",
        failed.reason
    );
    assert!(failed.reason.contains("unavailable"), "{}", failed.reason);
    let services = o.node.services().clone();
    let row = asset(services.store.as_ref(), &id).await;
    assert_eq!(row.status, MediaStatus::Failed);
    assert_eq!(row.error.as_deref(), Some(failed.reason.as_str()));

    let mut dlq = services.bus.dead_letters(DURABLE).await.unwrap();
    let letter = tokio::time::timeout(Duration::from_secs(30), dlq.next())
        .await
        .expect("a dead letter")
        .unwrap();
    let info = letter.dead_letter.clone().unwrap();
    assert_eq!(info.deliveries, 3, "{info:?}");
    assert!(info.reason.contains("exhausted"), "{info:?}");
    assert_eq!(deliveries(&o.world.nats.monitor_url(), DURABLE).await, 3);
    o.node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_back_before_the_attempts_run_out_lets_the_job_succeed_once() {
    let Some(mut o) = store_dies_mid_job("8").await else {
        return;
    };
    // The attempt that was running failed, and a redelivery came (and failed, or is
    // failing, on the unreachable store): then the store comes back.
    watch_deliveries(&o, 2).await;
    tokio::task::block_in_place(|| o.link.restore());
    let services = o.node.services().clone();

    let id = o.media_id.clone();
    let ready = match outcome(&mut o.sub, &id).await {
        Payload::MediaReady(ready) => ready,
        other => panic!("{id}: not media.ready: {other:?}"),
    };
    let row = asset(services.store.as_ref(), &id).await;
    let stored = snapshot(&services.objects, &id).await;
    let expect = o.expect.clone();
    off_runtime(move || check_ready(&expect, (1280, 720), &ready, &row, &stored)).await;
    let events = stored_media_events(services.bus.as_ref()).await;
    assert_eq!(ready_count(&events, &id), 1);
    let failed = events
        .iter()
        .any(|e| matches!(&e.payload, Payload::MediaFailed(_)));
    assert!(!failed, "a media.failed was published");
    assert!(deliveries(&o.world.nats.monitor_url(), DURABLE).await >= 2);
    o.node.stop().await;
}
