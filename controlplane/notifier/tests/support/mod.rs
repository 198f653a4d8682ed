//! Shared setup of the notifier's tests: a throw-away PKI, the local FCM and APNs servers,
//! a worker configuration pointing at them, and bus helpers.
#![allow(dead_code, clippy::unwrap_used)] // each test binary uses a different subset; tests may unwrap

use std::sync::Arc;
use std::time::Duration;

use bus::{Bus, BusMessage};
use codecs::{Event, EventType, Payload};
use futures::StreamExt;
use notifier::test_support::{ApnsServer, FcmServer, Pki};
use notifier::{NotifierConfig, QueueConfig, RetryPolicy};

/// An iOS token (64 hex characters) made from `seed`.
pub fn ios_token(seed: u8) -> String {
    format!("{seed:02x}").repeat(32)
}

/// The local providers.
pub struct Providers {
    pub pki: Pki,
    pub fcm: FcmServer,
    pub apns: ApnsServer,
}

impl Providers {
    pub async fn start() -> Providers {
        let pki = Pki::generate().unwrap();
        let fcm = FcmServer::start(&pki).await;
        let apns = ApnsServer::start(&pki).await;
        Providers { pki, fcm, apns }
    }

    /// A worker configuration for these servers: fast retries, fast redelivery.
    pub fn config(&self) -> NotifierConfig {
        NotifierConfig {
            fcm: Some(self.fcm.config()),
            apns: Some(self.apns.config()),
            extra_roots: vec![self.pki.ca_file().to_path_buf()],
            retry: RetryPolicy {
                attempts: 3,
                base_delay: Duration::from_millis(20),
                max_delay: Duration::from_millis(100),
                max_retry_after: Duration::from_secs(5),
            },
            queue: QueueConfig {
                durable: "notification-worker".into(),
                max_deliver: 3,
                backoff: vec![Duration::from_millis(300)],
                ack_wait: Duration::from_secs(10),
            },
            ..NotifierConfig::default()
        }
    }
}

/// Publishes a `notification.requested` with `payload`.
pub async fn request(bus: &dyn Bus, payload: serde_json::Value) {
    let bytes = serde_json::to_vec(&serde_json::json!({
        "event_type": "notification.requested", "payload": payload,
    }))
    .unwrap();
    let event =
        Event::decode_with(&bytes, codecs::Completion::FillWith { source: "test" }).unwrap();
    bus::publish_event(bus, &event).await.unwrap();
}

/// The outcome events of notifications.
pub struct Outcomes(bus::Subscription);

impl Outcomes {
    pub async fn subscribe(bus: &dyn Bus) -> Outcomes {
        let filter = format!("{}notification.>", bus.subject_prefix());
        Outcomes(bus.subscribe(&filter).await.unwrap())
    }

    /// The next `notification.sent` or `notification.failed` (10 s at most).
    pub async fn next(&mut self) -> Event {
        loop {
            let message: BusMessage = tokio::time::timeout(Duration::from_secs(15), self.0.next())
                .await
                .expect("no outcome event within 15 s")
                .expect("subscription ended");
            let event = Event::decode(&message.payload).unwrap();
            if matches!(
                event.event_type,
                EventType::NotificationSent | EventType::NotificationFailed
            ) {
                return event;
            }
        }
    }

    /// Nothing more within `wait`.
    pub async fn none_within(&mut self, wait: Duration) {
        loop {
            match tokio::time::timeout(wait, self.0.next()).await {
                Err(_) => return,
                Ok(Some(m)) => {
                    let event = Event::decode(&m.payload).unwrap();
                    assert!(
                        event.event_type == EventType::NotificationRequested,
                        "unexpected {event:?}"
                    );
                }
                Ok(None) => return,
            }
        }
    }
}

/// The payload of a `notification.sent`.
pub fn sent(event: &Event) -> &codecs::events::NotificationSent {
    match &event.payload {
        Payload::NotificationSent(p) => p,
        other => panic!("expected notification.sent, got {other:?}"),
    }
}

/// The payload of a `notification.failed`.
pub fn failed(event: &Event) -> &codecs::events::NotificationFailed {
    match &event.payload {
        Payload::NotificationFailed(p) => p,
        other => panic!("expected notification.failed, got {other:?}"),
    }
}

/// A migrated SQLite store in `dir`.
pub async fn sqlite(dir: &std::path::Path) -> Arc<dyn store::Store> {
    let url = format!("sqlite://{}", dir.join("notifier.db").display());
    let store = store::open(Some(&url), dir).await.unwrap();
    store.migrate().await.unwrap();
    store
}

/// A user id.
pub fn id(text: &str) -> codecs::ResourceId {
    codecs::ResourceId::new(text).unwrap()
}
