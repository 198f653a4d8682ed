//! Proves that an unreachable store is reported as `Unavailable`: `health()` makes a real
//! round trip and fails quickly when the S3 server is down, the bucket is missing, or the
//! local directory is gone; ordinary operations against a closed port fail the same way.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod support;

use std::time::{Duration, Instant};

use objstore::{HEALTH_TIMEOUT, ObjectStoreConfig, ObjectStoreError, Objects};

/// Health must answer within its timeout plus a little scheduling slack.
const DEADLINE: Duration = HEALTH_TIMEOUT.saturating_add(Duration::from_secs(2));

async fn assert_unhealthy(objects: &Objects) -> ObjectStoreError {
    let started = Instant::now();
    let err = objects.health().await.unwrap_err();
    assert!(started.elapsed() < DEADLINE, "took {:?}", started.elapsed());
    assert!(
        matches!(err, ObjectStoreError::Unavailable { op: "health", .. }),
        "{err:?}"
    );
    assert!(err.is_transient());
    err
}

/// An S3 store pointed at a port that was just free (bound, noted, released).
fn store_on_closed_port() -> (Objects, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cfg = support::s3_config(&format!("http://127.0.0.1:{port}"), "no-server-here");
    (Objects::open(&ObjectStoreConfig::s3(cfg)).unwrap(), port)
}

#[tokio::test]
async fn health_fails_when_s3_server_port_is_closed() {
    let (objects, port) = store_on_closed_port();
    let err = assert_unhealthy(&objects).await;
    assert!(
        err.to_string().contains(&format!("127.0.0.1:{port}")),
        "{err}"
    );
}

#[tokio::test]
async fn operations_against_a_closed_port_are_unavailable_not_backend_errors() {
    let (objects, _) = store_on_closed_port();
    let k = support::key("a/b");
    let errors = [
        objects.put_bytes(&k, "x".into()).await.unwrap_err(),
        objects.get_bytes(&k).await.unwrap_err(),
        objects.head(&k).await.unwrap_err(),
        objects.list(None).await.unwrap_err(),
    ];
    for err in errors {
        assert!(
            matches!(err, ObjectStoreError::Unavailable { .. }) && err.is_transient(),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn health_fails_when_bucket_is_missing() {
    let Some(endpoint) = support::service_addr(support::S3_ENDPOINT_VAR, "S3 server") else {
        return;
    };
    let cfg = support::s3_config(&endpoint, &support::fresh_bucket_name());
    let objects = Objects::open(&ObjectStoreConfig::s3(cfg)).unwrap();
    assert_unhealthy(&objects).await;
}

#[tokio::test]
async fn health_passes_then_fails_when_local_directory_is_removed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("objects");
    let objects = Objects::open(&ObjectStoreConfig::local(&root)).unwrap();
    objects.health().await.unwrap();
    assert!(
        objects.describe().starts_with("local:/"),
        "{}",
        objects.describe()
    );
    std::fs::remove_dir_all(&root).unwrap();
    assert_unhealthy(&objects).await;
}

#[tokio::test]
async fn writes_to_a_missing_bucket_fail_without_claiming_the_object_is_missing() {
    let Some(endpoint) = support::service_addr(support::S3_ENDPOINT_VAR, "S3 server") else {
        return;
    };
    let cfg = support::s3_config(&endpoint, &support::fresh_bucket_name());
    let objects = Objects::open(&ObjectStoreConfig::s3(cfg)).unwrap();
    let k = support::key("x");
    let err = objects.put_bytes(&k, "x".into()).await.unwrap_err();
    assert!(
        matches!(err, ObjectStoreError::Backend { op: "put", .. }),
        "{err:?}"
    );
    // Reading from it is a plain not-found, as for any missing object.
    assert!(objects.get_bytes(&k).await.unwrap_err().is_not_found());
}
