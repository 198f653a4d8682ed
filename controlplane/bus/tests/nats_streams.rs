//! Proves, against a real nats-server (2.9.10 on Debian), that connecting creates the
//! contract's streams with the contract's settings, that connecting again updates them in
//! place, and that a prefix gets streams of its own.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod support;

use std::time::Duration;

use async_nats::jetstream::stream::{RetentionPolicy, StorageType};
use bus::BusConfig;
use support::NatsServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connecting_creates_the_contract_streams_and_reconnecting_updates_them() {
    let Some(server) = NatsServer::start() else {
        return;
    };
    bus::connect(Some(&server.url()), BusConfig::default())
        .await
        .unwrap();
    let client = async_nats::connect(server.url()).await.unwrap();
    let js = async_nats::jetstream::new(client);

    let events = js.get_stream("armoricore-events").await.unwrap();
    let config = &events.cached_info().config;
    let mut subjects = config.subjects.clone();
    subjects.sort();
    let mut expected: Vec<String> = codecs::EventType::ALL
        .iter()
        .map(|t| t.as_str().to_string())
        .collect();
    expected.sort();
    assert_eq!(subjects, expected);
    assert_eq!(config.retention, RetentionPolicy::Limits);
    assert_eq!(config.storage, StorageType::File);
    assert_eq!(config.max_age, Duration::from_secs(7 * 24 * 3600));
    assert_eq!(config.duplicate_window, Duration::from_secs(120));

    let dlq = js.get_stream("armoricore-dlq").await.unwrap();
    assert_eq!(dlq.cached_info().config.subjects, ["dlq.>"]);
    assert_eq!(dlq.cached_info().config.storage, StorageType::File);
    let advisories = js.get_stream("armoricore-advisories").await.unwrap();
    assert_eq!(
        advisories.cached_info().config.subjects,
        ["$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.armoricore-events.*"]
    );

    // A second node with another duplicate window updates the stream in place.
    let changed = BusConfig {
        duplicate_window: Duration::from_secs(300),
        ..BusConfig::default()
    };
    bus::connect(Some(&server.url()), changed).await.unwrap();
    let events = js.get_stream("armoricore-events").await.unwrap();
    assert_eq!(
        events.cached_info().config.duplicate_window,
        Duration::from_secs(300)
    );

    // A prefix gets its own streams; the unprefixed ones are untouched.
    bus::connect(Some(&server.url()), BusConfig::with_prefix("staging."))
        .await
        .unwrap();
    let staged = js.get_stream("armoricore-events-staging").await.unwrap();
    assert!(
        staged
            .cached_info()
            .config
            .subjects
            .contains(&"staging.media.uploaded".to_string())
    );
    let events = js.get_stream("armoricore-events").await.unwrap();
    assert!(
        events
            .cached_info()
            .config
            .subjects
            .contains(&"media.uploaded".to_string())
    );
}
