//! Proves the worker end to end on real parts — the in-process bus with SQLite, and NATS
//! JetStream with PostgreSQL — against the local FCM and APNs servers: every channel is
//! delivered once with `notification.sent`, rejected tokens leave the store, 429 and 503
//! are retried (after `Retry-After`), a redelivery sends nothing twice, and a permanent
//! failure yields `notification.failed` and a dead letter naming attempts and response.
//! With the store really down (PostgreSQL behind a closed gate): tokens named by the
//! payload are still sent, once each even across a redelivery (whether the store went down
//! before the first delivery or between it and the redelivery), and a notification that
//! needs the stored tokens waits (nak) until the store is back, then goes out — never
//! `notification.failed`.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use bus::Bus;
use codecs::events::{DevicePlatform, DeviceToken, NotificationChannel};
use notifier::test_support::Reply;
use store::{SendOutcome, Store};
use support::{
    FAILS_ONE_DELIVERY, Outcomes, Providers, failed, id, ios_token, push_to, request, sent,
};

/// The scenarios, run on one bus and store.
async fn scenarios(bus: Arc<dyn Bus>, store: Arc<dyn Store>) {
    let p = Providers::start().await;
    let worker = notifier::start(p.config(), bus.clone(), store.clone())
        .await
        .unwrap();
    let mut outcomes = Outcomes::subscribe(bus.as_ref()).await;

    // 1. Stored tokens on both providers; one FCM token 503 then OK, one APNs token 429
    //    with Retry-After 1 then OK; one token unregistered.
    let ios = ios_token(1);
    let gone = ios_token(2);
    for t in [
        DeviceToken {
            platform: DevicePlatform::Android,
            token: "android-a".into(),
        },
        DeviceToken {
            platform: DevicePlatform::Ios,
            token: ios.clone(),
        },
        DeviceToken {
            platform: DevicePlatform::Ios,
            token: gone.clone(),
        },
        DeviceToken {
            platform: DevicePlatform::Web,
            token: "web-flaky".into(),
        },
    ] {
        store.upsert_device_token(&id("u-1"), &t).await.unwrap();
    }
    p.fcm.script("web-flaky", &[Reply::Unavailable, Reply::Ok]);
    p.apns.script(
        &ios,
        &[
            Reply::TooMany {
                retry_after_secs: 1,
            },
            Reply::Ok,
        ],
    );
    p.apns.script(&gone, &[Reply::Unregistered]);
    request(
        bus.as_ref(),
        serde_json::json!({
            "notification_id": "n-1", "user_id": "u-1", "channels": ["push"],
            "title": "Hi", "body": "there", "data": {"k": "v"}
        }),
    )
    .await;
    let event = outcomes.next().await;
    let s = sent(&event);
    assert_eq!(
        (s.notification_id.as_str(), s.channel),
        ("n-1", NotificationChannel::Push)
    );
    assert_eq!(s.provider, "apns,fcm");
    assert_eq!(p.fcm.sends_to("android-a"), 1);
    assert_eq!(p.fcm.sends_to("web-flaky"), 2, "503 then success");
    let ios_sends: Vec<_> = p
        .apns
        .received()
        .into_iter()
        .filter(|r| r.token == ios)
        .collect();
    assert_eq!(ios_sends.len(), 2);
    assert!(
        ios_sends[1].at - ios_sends[0].at >= Duration::from_secs(1),
        "retried after Retry-After"
    );
    let left: Vec<String> = store
        .device_tokens_for(&id("u-1"))
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.token)
        .collect();
    assert!(!left.contains(&gone), "the unregistered token is deleted");
    assert_eq!(left.len(), 3);
    let records = store.notification_sends(&id("n-1")).await.unwrap();
    assert_eq!(records.len(), 4);
    assert_eq!(
        records
            .iter()
            .filter(|r| r.outcome == SendOutcome::Sent)
            .count(),
        3
    );

    // 2. Redelivery: token A succeeds, token B fails past the in-process retries, the
    //    delivery is nak'ed, the redelivery sends only to B.
    p.fcm.script("b-token", &FAILS_ONE_DELIVERY);
    push_to(
        bus.as_ref(),
        "n-2",
        "u-2",
        &[("android", "a-token"), ("android", "b-token")],
    )
    .await;
    let event = outcomes.next().await;
    assert_eq!(sent(&event).notification_id.as_str(), "n-2");
    assert_eq!(
        p.fcm.sends_to("a-token"),
        1,
        "not sent twice across the redelivery"
    );
    assert_eq!(p.fcm.sends_to("b-token"), 4);

    // 3. Dead letter: a permanent 400 → notification.failed, and the bus's DLQ holds the
    //    original with a reason naming attempts and the provider's answer.
    p.fcm.script("bad-request", &[Reply::Permanent]);
    request(
        bus.as_ref(),
        serde_json::json!({
            "notification_id": "n-3", "user_id": "u-3", "channels": ["push"],
            "title": "Hi", "body": "x",
            "device_tokens": [{"platform": "web", "token": "bad-request"}]
        }),
    )
    .await;
    let event = outcomes.next().await;
    let f = failed(&event);
    assert_eq!(f.notification_id.as_str(), "n-3");
    assert_eq!(f.attempts, 1, "a permanent error is not retried");
    assert!(f.reason.contains("INVALID_ARGUMENT"), "{}", f.reason);
    let mut dlq = bus.dead_letters("notification-worker").await.unwrap();
    let letter = tokio::time::timeout(Duration::from_secs(10), dlq.next())
        .await
        .unwrap()
        .unwrap();
    let info = letter.dead_letter.clone().unwrap();
    assert!(info.reason.contains("n-3"), "{}", info.reason);
    assert!(info.reason.contains("1 attempt"), "{}", info.reason);
    assert!(info.reason.contains("fcm 400"), "{}", info.reason);
    let original = codecs::Event::decode(&letter.payload).unwrap();
    assert_eq!(
        original.event_type,
        codecs::EventType::NotificationRequested
    );
    letter.ack().await.unwrap();

    // 4. No token at all: notification.failed, no dead letter, acked.
    request(
        bus.as_ref(),
        serde_json::json!({
            "notification_id": "n-4", "user_id": "nobody", "channels": ["push"],
            "title": "Hi", "body": "x"
        }),
    )
    .await;
    let event = outcomes.next().await;
    assert_eq!(failed(&event).reason, "no device token for the user");
    assert!(
        tokio::time::timeout(Duration::from_millis(500), dlq.next())
            .await
            .is_err(),
        "no dead letter for a user without tokens"
    );
    outcomes.none_within(Duration::from_millis(300)).await;
    let started = Instant::now();
    worker.stop(Duration::from_secs(5)).await;
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_on_the_in_process_bus_and_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let bus = bus::connect(None, bus::BusConfig::default()).await.unwrap();
    let store = support::sqlite(dir.path()).await;
    scenarios(bus, store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_on_nats_and_postgres() {
    let Some(nats) = testkit::NatsServer::start() else {
        return;
    };
    let Some(schema) = support::PgSchema::create().await else {
        return;
    };
    let store = store::open(Some(&schema.url), std::path::Path::new("."))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let bus = bus::connect(Some(&nats.url()), bus::BusConfig::default())
        .await
        .unwrap();
    scenarios(bus, store).await;
    schema.drop_schema().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payload_tokens_go_out_while_the_store_is_down_and_stored_ones_wait_for_it() {
    let Some(nats) = testkit::NatsServer::start() else {
        return;
    };
    let Some(schema) = support::PgSchema::create().await else {
        return;
    };
    let mut gate = support::Gate::open(schema.server_addr()).await;
    let store = schema.store_through(&gate).await;
    store
        .upsert_device_token(
            &id("u-stored"),
            &DeviceToken {
                platform: DevicePlatform::Android,
                token: "stored-a".into(),
            },
        )
        .await
        .unwrap();
    let bus = bus::connect(Some(&nats.url()), bus::BusConfig::default())
        .await
        .unwrap();
    let p = Providers::start().await;
    let mut config = p.config();
    config.queue.max_deliver = 30;
    let worker = notifier::start(config, bus.clone(), store.clone())
        .await
        .unwrap();
    let mut outcomes = Outcomes::subscribe(bus.as_ref()).await;

    // 1. The store goes down between a delivery and its redelivery: what the first one
    //    sent (recorded in the store, now unreadable) is not sent again.
    p.fcm.script("f-flaky", &FAILS_ONE_DELIVERY);
    push_to(
        bus.as_ref(),
        "n-down-0",
        "u-payload",
        &[("android", "f-ok"), ("android", "f-flaky")],
    )
    .await;
    // The third failed call ends the first delivery (nak, redelivery after 300 ms).
    let deadline = Instant::now() + Duration::from_secs(15);
    while p.fcm.sends_to("f-flaky") < 3 {
        assert!(
            Instant::now() < deadline,
            "the first delivery did not happen"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    gate.close().await;
    assert!(
        store.health().await.is_err(),
        "the store is unreachable behind the closed gate"
    );
    let event = outcomes.next().await;
    assert_eq!(sent(&event).notification_id.as_str(), "n-down-0");
    assert_eq!(
        p.fcm.sends_to("f-ok"),
        1,
        "not sent again on the redelivery"
    );
    assert_eq!(p.fcm.sends_to("f-flaky"), 4);

    // 2. Payload tokens, store down: sent. One of them fails past the in-process retries,
    //    so the delivery is nak'ed: its redelivery (store still down) sends only to that
    //    one. A rejected token cannot be deleted, and that does not stop the delivery.
    p.fcm.script("p-flaky", &FAILS_ONE_DELIVERY);
    p.fcm.script("p-gone", &[Reply::Unregistered]);
    let ios = ios_token(3);
    push_to(
        bus.as_ref(),
        "n-down-1",
        "u-payload",
        &[
            ("android", "p-ok"),
            ("android", "p-flaky"),
            ("web", "p-gone"),
            ("ios", &ios),
        ],
    )
    .await;
    let event = outcomes.next().await;
    let s = sent(&event);
    assert_eq!(s.notification_id.as_str(), "n-down-1");
    assert_eq!(s.provider, "apns,fcm");
    assert_eq!(
        p.fcm.sends_to("p-ok"),
        1,
        "not sent again on the redelivery"
    );
    assert_eq!(p.fcm.sends_to("p-gone"), 1);
    assert_eq!(p.apns.sends_to(&ios), 1);
    assert_eq!(
        p.fcm.sends_to("p-flaky"),
        4,
        "3 failed calls, then the redelivery"
    );

    // 3. No payload tokens, store down: nothing can be sent and nothing fails; the
    //    delivery is retried until the store answers again.
    request(
        bus.as_ref(),
        serde_json::json!({
            "notification_id": "n-down-2", "user_id": "u-stored", "channels": ["push"],
            "title": "Hi", "body": "stored tokens"
        }),
    )
    .await;
    outcomes.none_within(Duration::from_secs(2)).await;
    assert_eq!(p.fcm.sends_to("stored-a"), 0);
    gate.reopen().await;
    let event = outcomes.next().await;
    let s = sent(&event);
    assert_eq!(s.notification_id.as_str(), "n-down-2");
    assert_eq!(p.fcm.sends_to("stored-a"), 1);
    let records = store.notification_sends(&id("n-down-2")).await.unwrap();
    assert_eq!(
        records.len(),
        1,
        "with the store back, outcomes are recorded"
    );

    worker.stop(Duration::from_secs(5)).await;
    schema.drop_schema().await;
}
