//! Proves that `store::open` picks the backend a `DATABASE_URL` names, puts the embedded
//! database in the data dir, and refuses bad URLs with an error that names the problem
//! (and never the password).
#![allow(clippy::unwrap_used)] // tests may unwrap

mod support;

use std::sync::Arc;

use store::{Store, StoreError};

use support::{PG_URL_VAR, id, service_url};

async fn open_err(url: &str) -> StoreError {
    let dir = tempfile::tempdir().unwrap();
    match store::open(Some(url), dir.path()).await {
        Ok(store) => panic!("{url} opened a {} store", store.kind()),
        Err(err) => err,
    }
}

#[tokio::test]
async fn no_url_means_a_sqlite_file_in_the_data_dir_created_on_demand() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("not").join("yet");
    let store = store::open(None, &data_dir).await.unwrap();
    assert_eq!(store.kind(), "sqlite");
    store.migrate().await.unwrap();
    store.health().await.unwrap();
    assert!(data_dir.join("armoricore.db").is_file());
}

#[tokio::test]
async fn relative_sqlite_paths_live_in_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let store = store::open(Some("sqlite://sub/state.db"), dir.path())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    assert!(dir.path().join("sub").join("state.db").is_file());
}

#[tokio::test]
async fn in_memory_databases_work_and_are_private_to_their_store() {
    let dir = tempfile::tempdir().unwrap();
    let a: Arc<dyn Store> = store::open(Some("sqlite::memory:"), dir.path())
        .await
        .unwrap();
    let b = store::open(Some("sqlite::memory:"), dir.path())
        .await
        .unwrap();
    assert_eq!(
        a.migrate().await.unwrap().len(),
        store::migrations::SQLITE.len()
    );
    assert_eq!(
        b.migrate().await.unwrap().len(),
        store::migrations::SQLITE.len()
    );
    let stored = a
        .append_chat_message(&id("r"), &id("m"), &id("u"), "x")
        .await
        .unwrap()
        .message;
    assert_eq!(stored.offset, 1);
    assert_eq!(
        a.latest_chat_messages(&id("r"), 5).await.unwrap(),
        vec![stored]
    );
    assert!(
        b.latest_chat_messages(&id("r"), 5)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "no file written"
    );
}

#[tokio::test]
async fn unknown_schemes_are_named_in_the_error() {
    let err = open_err("mysql://root:hunter2@db/armoricore").await;
    let message = err.to_string();
    assert!(matches!(err, StoreError::BadUrl(_)), "{err:?}");
    assert!(message.contains("`mysql`"), "{message}");
    assert!(!message.contains("hunter2"), "{message}");
}

#[tokio::test]
async fn malformed_urls_say_what_is_wrong() {
    for (url, expected) in [
        ("", "empty"),
        ("armoricore.db", "no scheme"),
        ("sqlite://", "no file"),
        ("postgres://u:hunter2@db:port/x", "not valid"),
        ("postgres://u:hunter2@db/x?sslmode=bogus", "not valid"),
        ("postgres:///x", "no host"),
        ("postgresql://db/x", "no user"),
    ] {
        let err = open_err(url).await;
        assert!(matches!(err, StoreError::BadUrl(_)), "{url}: {err:?}");
        let message = err.to_string();
        assert!(message.contains(expected), "{url}: {message}");
        assert!(!message.contains("hunter2"), "{url}: {message}");
    }
}

#[tokio::test]
async fn an_unreachable_postgres_is_unavailable_not_a_bad_url() {
    // Port 1 on loopback refuses connections at once.
    let err = open_err("postgres://armoricore:hunter2@127.0.0.1:1/armoricore").await;
    assert!(err.is_retryable(), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("unavailable"), "{message}");
    assert!(message.contains("onnect"), "{message}");
    assert!(!message.contains("hunter2"), "{message}");
}

#[tokio::test]
async fn a_wrong_postgres_password_is_reported_by_the_server() {
    let Some(url) = service_url(
        PG_URL_VAR,
        "needs PostgreSQL to check authentication errors",
    ) else {
        return;
    };
    let mut config: tokio_postgres::Config = url.parse().unwrap();
    config.password("definitely-not-the-password");
    let store = store::PostgresStore::connect(config, &store::PostgresOptions::default()).unwrap();
    let err = store.health().await.unwrap_err();
    assert!(err.is_retryable(), "{err:?}");
    assert!(
        err.to_string().contains("password authentication failed"),
        "{err}"
    );
}

#[tokio::test]
async fn a_good_postgres_url_opens_a_postgres_store() {
    let Some(url) = service_url(PG_URL_VAR, "needs PostgreSQL") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let store = store::open(Some(&url), dir.path()).await.unwrap();
    assert_eq!(store.kind(), "postgres");
    store.health().await.unwrap();
}
