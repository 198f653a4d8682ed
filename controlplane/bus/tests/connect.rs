//! Proves that `connect` picks the implementation from the URL scheme and refuses, by
//! name, the schemes it cannot speak, and that a bad configuration never connects.

#![allow(clippy::unwrap_used)] // tests may unwrap

use bus::{BusConfig, BusError, connect};

#[tokio::test]
async fn no_url_or_an_empty_one_gives_the_in_process_bus() {
    for url in [None, Some(""), Some("  ")] {
        let bus = connect(url, BusConfig::default()).await.unwrap();
        assert_eq!(bus.kind(), "memory");
        assert!(bus.health().await.connected);
    }
}

#[tokio::test]
async fn kafka_is_refused_as_not_built_yet() {
    let err = connect(Some("kafka://broker:9092"), BusConfig::default())
        .await
        .err()
        .unwrap();
    assert_eq!(
        err,
        BusError::NotBuiltYet {
            scheme: "kafka".into()
        }
    );
    assert!(err.to_string().contains("not built yet"));
}

#[tokio::test]
async fn other_schemes_are_refused_by_name() {
    let err = connect(Some("amqp://rabbit"), BusConfig::default())
        .await
        .err()
        .unwrap();
    assert_eq!(
        err,
        BusError::UnsupportedScheme {
            scheme: "amqp".into()
        }
    );
    let err = connect(Some("localhost:4222"), BusConfig::default())
        .await
        .err()
        .unwrap();
    assert!(matches!(err, BusError::InvalidConfig(_)), "{err}");
}

#[tokio::test]
async fn an_invalid_prefix_is_refused_before_connecting() {
    let err = connect(None, BusConfig::with_prefix("prod"))
        .await
        .err()
        .unwrap();
    assert!(matches!(err, BusError::InvalidConfig(_)), "{err}");
    // Refused before any network I/O: nothing listens on port 1.
    let err = connect(Some("nats://127.0.0.1:1"), BusConfig::with_prefix("a.."))
        .await
        .err()
        .unwrap();
    assert!(matches!(err, BusError::InvalidConfig(_)), "{err}");
}

#[tokio::test]
async fn an_unreachable_nats_server_fails_with_a_connect_error() {
    let config = BusConfig {
        connect_timeout: std::time::Duration::from_millis(500),
        ..BusConfig::default()
    };
    let err = connect(Some("nats://127.0.0.1:1"), config)
        .await
        .err()
        .unwrap();
    assert!(matches!(err, BusError::Connect(_)), "{err}");
}
