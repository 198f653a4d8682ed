//! What the bus holds, read from the bus itself rather than from a live subscription:
//! every stored `media.*` event (through a fresh durable that starts at the oldest
//! message), and the state of a durable consumer from nats-server's monitoring endpoint.

use std::time::Duration;

use bus::{Bus, WorkQueueSpec};
use codecs::events::MediaProgress;
use codecs::{Event, Payload, ResourceId};

/// The events stream of an unprefixed bus.
const EVENTS_STREAM: &str = "armoricore-events";

/// Every `media.*` event stored on `bus` up to now, in stream order.
///
/// The end is found without waiting for silence: a `media.progress` marker is published
/// first, and the stream is read up to it.
pub async fn stored_media_events(bus: &dyn Bus) -> Vec<Event> {
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let marker = Event::new(
        "test-audit",
        Payload::MediaProgress(MediaProgress {
            media_id: ResourceId::new(format!("audit-{tag}")).unwrap(),
            user_id: ResourceId::new("audit").unwrap(),
            stage: "audit".into(),
            percent: 0.0,
        }),
    );
    bus::publish_event(bus, &marker).await.unwrap();
    let spec = WorkQueueSpec {
        ack_wait: Duration::from_secs(30),
        ..WorkQueueSpec::new(
            format!("audit-{tag}"),
            [format!("{}media.>", bus.subject_prefix())],
        )
    };
    let mut queue = bus.work_queue(spec).await.unwrap();
    let mut events = Vec::new();
    loop {
        let delivery = tokio::time::timeout(Duration::from_secs(30), queue.next())
            .await
            .expect("the stream up to the marker within 30 s")
            .unwrap();
        let event = Event::decode(&delivery.payload).unwrap();
        delivery.ack().await.unwrap();
        if event.event_id == marker.event_id {
            return events;
        }
        events.push(event);
    }
}

/// How many `media.ready` events for `media_id` the stream holds.
pub fn ready_count(events: &[Event], media_id: &str) -> usize {
    events
        .iter()
        .filter(|e| matches!(&e.payload, Payload::MediaReady(r) if r.media_id.as_str() == media_id))
        .count()
}

/// The consumer `durable` of the events stream as nats-server reports it on its
/// monitoring endpoint (`/jsz`): `delivered.consumer_seq` counts every delivery,
/// redeliveries included; `ack_floor.stream_seq` is the last message settled in order.
pub async fn consumer(monitor_url: &str, durable: &str) -> Option<serde_json::Value> {
    let addr = super::super::addr_of(monitor_url);
    let answer = super::super::request(addr, "GET", "/jsz?consumers=true", &[], "").await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let jsz = answer.json();
    let accounts = jsz["account_details"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    accounts
        .iter()
        .flat_map(|a| a["stream_detail"].as_array().cloned().unwrap_or_default())
        .filter(|s| s["name"] == EVENTS_STREAM)
        .flat_map(|s| s["consumer_detail"].as_array().cloned().unwrap_or_default())
        .find(|c| c["name"] == durable)
}

/// Waits until the consumer `durable` has settled every message up to `stream_seq`.
pub async fn wait_settled(monitor_url: &str, durable: &str, stream_seq: u64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let state = consumer(monitor_url, durable).await;
        let floor = state.and_then(|c| c["ack_floor"]["stream_seq"].as_u64());
        if floor.unwrap_or(0) >= stream_seq {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{durable} did not settle message {stream_seq} within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Deliveries the consumer `durable` has made so far, redeliveries included.
pub async fn deliveries(monitor_url: &str, durable: &str) -> u64 {
    consumer(monitor_url, durable)
        .await
        .and_then(|c| c["delivered"]["consumer_seq"].as_u64())
        .unwrap_or(0)
}
