//! Proves the embedded node (no NATS, PostgreSQL or S3 configured) comes up healthy, and that
//! `POST /api/v1/events` checks the key and the event, publishes it, and that a durable
//! consumer receives an event published twice with one id exactly once.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod support;

use std::time::Duration;

use armoricore::cli::Role;
use armoricore::node::RunningNode;
use bus::WorkQueueSpec;
use codecs::EventType;
use serde_json::json;
use support::{config, media_uploaded, request};

async fn start(dir: &std::path::Path) -> RunningNode {
    RunningNode::start(config(dir, &[]), Role::All)
        .await
        .unwrap()
}

fn spec() -> WorkQueueSpec {
    WorkQueueSpec {
        durable: "test-media".into(),
        subjects: vec![EventType::MediaUploaded.subject("")],
        max_deliver: 3,
        backoff: vec![Duration::from_millis(100)],
        ack_wait: Duration::from_secs(5),
        max_ack_pending: 100,
    }
}

#[tokio::test]
async fn health_reports_every_embedded_component_ok() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(dir.path()).await;
    for path in ["/health", "/api/health"] {
        let answer = request(node.local_addr(), "GET", path, &[], "").await;
        assert_eq!(answer.status, 200);
        let body = answer.json();
        assert_eq!(body["status"], "ok", "{body}");
        assert_eq!(body["components"]["bus"]["kind"], "memory");
        assert_eq!(body["components"]["store"]["kind"], "sqlite");
        for part in ["bus", "store", "object_store"] {
            assert_eq!(body["components"][part]["status"], "ok", "{part}: {body}");
        }
    }
    let ready = request(node.local_addr(), "GET", "/ready", &[], "").await;
    assert_eq!(ready.status, 200, "{}", ready.body);
    assert!(dir.path().join("armoricore.db").exists());
    node.stop().await;
}

#[tokio::test]
async fn events_need_the_api_key() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(dir.path()).await;
    let body =
        json!({"event_type": "media.uploaded", "payload": media_uploaded("m-1")}).to_string();
    let none = request(
        node.local_addr(),
        "POST",
        "/api/v1/events",
        &[],
        body.clone(),
    )
    .await;
    assert_eq!(none.status, 401);
    let wrong = request(
        node.local_addr(),
        "POST",
        "/api/v1/events",
        &[("x-api-key", "wrong-key-wrong-key")],
        body,
    )
    .await;
    assert_eq!(wrong.status, 401);
    node.stop().await;
}

#[tokio::test]
async fn bad_events_get_400_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(dir.path()).await;
    let key = node.services().api_key.expose().to_string();
    let headers = [("x-api-key", key.as_str())];
    let cases = [
        ("{not json".to_string(), "invalid event"),
        (
            json!({"event_type": "media.exploded", "payload": {}}).to_string(),
            "unknown event_type `media.exploded`",
        ),
        (
            json!({"event_type": "media.uploaded", "payload": {"media_id": "m"}}).to_string(),
            "payload.user_id",
        ),
    ];
    for (body, reason) in cases {
        let answer = request(node.local_addr(), "POST", "/api/v1/events", &headers, body).await;
        assert_eq!(answer.status, 400, "{}", answer.body);
        let error = answer.json()["error"].as_str().unwrap().to_string();
        assert!(error.contains(reason), "{error} should mention {reason}");
    }
    let huge = "x".repeat(2 << 20);
    let answer = request(node.local_addr(), "POST", "/api/v1/events", &headers, huge).await;
    assert_eq!(answer.status, 413);
    let wrong_method = request(node.local_addr(), "GET", "/api/v1/events", &[], "").await;
    assert_eq!(wrong_method.status, 405);
    node.stop().await;
}

#[tokio::test]
async fn an_event_posted_twice_with_one_id_is_consumed_once() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(dir.path()).await;
    let key = node.services().api_key.expose().to_string();
    let headers = [("x-api-key", key.as_str())];
    let event_id = uuid::Uuid::new_v4().to_string();
    let body = json!({
        "event_type": "media.uploaded", "event_id": event_id, "payload": media_uploaded("m-1")
    })
    .to_string();
    let first = request(
        node.local_addr(),
        "POST",
        "/api/v1/events",
        &headers,
        body.clone(),
    )
    .await;
    assert_eq!(first.status, 202, "{}", first.body);
    assert_eq!(first.json()["event_id"], event_id.as_str());
    assert_eq!(first.json()["duplicate"], false);
    let second = request(node.local_addr(), "POST", "/api/v1/events", &headers, body).await;
    assert_eq!(second.status, 202);
    assert_eq!(second.json()["duplicate"], true);
    // A different event after the duplicate proves the consumer is past it.
    let other = json!({"event_type": "media.uploaded", "payload": media_uploaded("m-2")});
    let third = request(
        node.local_addr(),
        "POST",
        "/api/v1/events",
        &headers,
        other.to_string(),
    )
    .await;
    assert_eq!(third.status, 202);

    let mut queue = node.services().bus.work_queue(spec()).await.unwrap();
    let mut ids = Vec::new();
    for _ in 0..2 {
        let delivery = tokio::time::timeout(Duration::from_secs(5), queue.next())
            .await
            .unwrap()
            .unwrap();
        let event = codecs::Event::decode(&delivery.payload).unwrap();
        ids.push(event.event_id.to_string());
        delivery.ack().await.unwrap();
    }
    assert_eq!(ids[0], event_id);
    assert_ne!(ids[1], event_id);
    let nothing_more = tokio::time::timeout(Duration::from_millis(500), queue.next()).await;
    assert!(nothing_more.is_err(), "a third delivery arrived");
    node.stop().await;
}

#[tokio::test]
async fn metrics_count_requests() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(dir.path()).await;
    request(node.local_addr(), "GET", "/health", &[], "").await;
    let metrics = request(node.local_addr(), "GET", "/metrics", &[], "").await;
    assert_eq!(metrics.status, 200);
    assert!(
        metrics
            .body
            .contains("armoricore_http_requests_total{route=\"health\",status=\"200\"}"),
        "{}",
        metrics.body
    );
    let missing = request(node.local_addr(), "GET", "/nope", &[], "").await;
    assert_eq!(missing.status, 404);
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shard_that_panics_is_restarted_and_the_node_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(dir.path()).await;
    node.data_plane().inject_panic(0);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while node.data_plane().restarts() == 0 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(node.data_plane().restarts(), 1);
    for _ in 0..20 {
        let answer = request(node.local_addr(), "GET", "/health", &[], "").await;
        assert_eq!(answer.status, 200);
    }
    node.stop().await;
}
