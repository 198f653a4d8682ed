//! Proves issue #5's matrix end to end, through the embedded node (in-process bus,
//! SQLite, local directory) and through a node on NATS JetStream + PostgreSQL + moto S3:
//! video+audio, video only, audio only and a source below the lowest rung become
//! `media.ready`, with every output stored and checked with m3u8-rs and ffprobe (sizes,
//! codecs, durations within 0.5 s, keyframes, bandwidth, thumbnails), the payload and the
//! `ready` asset row agreeing with them; a corrupt file and a file that is not media
//! become `media.failed` with a reason, a `failed` row and no master playlist. Uploads
//! are announced over `POST /api/v1/events`; the cases run concurrently in one node.
//! On NATS, the stream holds exactly one `media.ready` per success and the failures are
//! dead-lettered with their reason.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod support;

use std::collections::HashMap;
use std::time::Duration;

use armoricore::cli::Role;
use armoricore::node::RunningNode;
use bytes::Bytes;
use codecs::{Event, Payload};
use support::config;
use support::media::jetstream::{ready_count, stored_media_events};
use support::media::world::Distributed;
use support::media::{
    Case, Outcome, asset, audio_case, check, matrix, media_id, off_runtime, outcome, outcomes,
    publish_over_http, snapshot, source_key, uploaded,
};

/// Jobs at once: the whole matrix runs concurrently.
const MAX_JOBS: &str = "6";

/// Stores every case's source, announces them all, checks every outcome; returns the
/// cases with their media ids and events.
async fn run_matrix(node: &RunningNode) -> Vec<(Case, String, Event)> {
    let services = node.services().clone();
    let cases = matrix();
    let ids: Vec<String> = cases.iter().map(|c| media_id(c.name)).collect();
    for (case, id) in cases.iter().zip(&ids) {
        let source = Bytes::from(case.source.clone());
        services
            .objects
            .put_bytes(&source_key(id), source)
            .await
            .unwrap();
    }
    let mut sub = services.bus.subscribe("media.>").await.unwrap();
    let key = services.api_key.expose().to_string();
    for (case, id) in cases.iter().zip(&ids) {
        publish_over_http(node.local_addr(), &key, uploaded(id, case)).await;
    }
    let mut events: HashMap<String, Event> = outcomes(&mut sub, &ids).await;
    let mut done = Vec::new();
    for (case, id) in cases.into_iter().zip(ids) {
        let event = events.remove(&id).unwrap();
        let row = asset(services.store.as_ref(), &id).await;
        let stored = snapshot(&services.objects, &id).await;
        let (case, event) = off_runtime(move || {
            check(&case, &event, &row, &stored);
            (case, event)
        })
        .await;
        done.push((case, id, event));
    }
    done
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embedded_node_transcodes_the_matrix() {
    let dir = tempfile::tempdir().unwrap();
    let node = RunningNode::start(
        config(dir.path(), &[("MEDIA_MAX_JOBS", MAX_JOBS)]),
        Role::All,
    )
    .await
    .unwrap();
    run_matrix(&node).await;
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_node_on_nats_postgres_and_s3_transcodes_the_matrix() {
    let Some(world) = Distributed::start(None).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let env = world.env(&[("MEDIA_MAX_JOBS", MAX_JOBS)]);
    let node = RunningNode::start(config(dir.path(), &env), Role::All)
        .await
        .unwrap();
    let done = run_matrix(&node).await;

    let services = node.services().clone();
    let stored = stored_media_events(services.bus.as_ref()).await;
    // id → reason of every final failure.
    let mut failures = HashMap::new();
    for (case, id, event) in &done {
        match (&case.outcome, &event.payload) {
            (Outcome::Failed(_), Payload::MediaFailed(f)) => {
                failures.insert(id.clone(), f.reason.clone());
            }
            _ => assert_eq!(
                ready_count(&stored, id),
                1,
                "{id}: media.ready in the stream"
            ),
        }
    }
    // Final failures are terminated with their reason: one dead letter each, first try.
    let mut dlq = services.bus.dead_letters("media-processor").await.unwrap();
    while !failures.is_empty() {
        let letter = tokio::time::timeout(Duration::from_secs(10), dlq.next())
            .await
            .expect("a dead letter for each failure")
            .unwrap();
        let info = letter.dead_letter.clone().unwrap();
        let Payload::MediaUploaded(upload) = Event::decode(&letter.payload).unwrap().payload else {
            panic!("a dead letter that is not an upload: {info:?}")
        };
        let id = upload.media_id.as_str();
        let reason = failures
            .remove(id)
            .unwrap_or_else(|| panic!("{id}: a dead letter for a job that did not fail"));
        assert_eq!(info.deliveries, 1, "{id}: terminated on its first delivery");
        assert_eq!(info.reason, reason, "{id}");
        letter.ack().await.unwrap();
    }
    node.stop().await;
}

/// `media.ready` names the source's audio codec, even for an audio-only AAC source whose
/// MPEG-TS tags no codec (issue #5: it was read from tags on the bus, which only reached
/// it through our AAC encoder, which drops upstream codec tags).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn media_ready_names_the_sources_audio_codec() {
    let dir = tempfile::tempdir().unwrap();
    let node = RunningNode::start(config(dir.path(), &[]), Role::All)
        .await
        .unwrap();
    let services = node.services().clone();
    let case = audio_case();
    let id = media_id("audio-tags");
    let source = Bytes::from(case.source.clone());
    services
        .objects
        .put_bytes(&source_key(&id), source)
        .await
        .unwrap();
    let mut sub = services.bus.subscribe("media.>").await.unwrap();
    let key = services.api_key.expose().to_string();
    publish_over_http(node.local_addr(), &key, uploaded(&id, &case)).await;
    let Payload::MediaReady(ready) = outcome(&mut sub, &id).await else {
        panic!("{id}: no media.ready")
    };
    node.stop().await;
    let codec = ready.metadata["audio_codec"].as_str().unwrap_or_default();
    assert!(codec.contains("AAC"), "{id}: {:?}", ready.metadata);
}
