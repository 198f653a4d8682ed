//! Migrations, health and durability across reopening.

use store::{StoreError, User};

use crate::support::{Harness, id};

/// Every version this build knows, in order.
fn all_versions() -> Vec<u32> {
    store::migrations::SQLITE
        .iter()
        .map(|m| m.version)
        .collect()
}

pub async fn migrations_apply_every_version_once_in_order(h: &Harness) {
    let store = h.open().await;
    assert_eq!(store.migrate().await.unwrap(), all_versions());
    assert_eq!(
        store.migrate().await.unwrap(),
        Vec::<u32>::new(),
        "second run applies nothing"
    );
    let other = h.open().await;
    assert_eq!(
        other.migrate().await.unwrap(),
        Vec::<u32>::new(),
        "another store sees them applied"
    );
    // The schema is usable after migrating.
    store.health().await.unwrap();
    assert_eq!(store.count_analytics_events("x").await.unwrap(), 0);
}

pub async fn concurrent_migrators_apply_each_version_exactly_once(h: &Harness) {
    let mut stores = Vec::new();
    for _ in 0..6 {
        stores.push(h.open().await);
    }
    let results = futures::future::join_all(stores.iter().map(|s| s.migrate())).await;
    let mut applied: Vec<u32> = results.into_iter().flat_map(|r| r.unwrap()).collect();
    applied.sort_unstable();
    assert_eq!(
        applied,
        all_versions(),
        "each version applied by exactly one migrator"
    );
    for store in &stores {
        assert!(store.migrate().await.unwrap().is_empty());
    }
}

pub async fn migrate_refuses_a_schema_from_a_newer_build(h: &Harness) {
    let store = h.ready().await;
    h.execute_raw(
        "INSERT INTO schema_migrations (version, name, applied_at) \
         VALUES (9999, 'from_the_future', '2030-01-01T00:00:00.000000Z')",
    )
    .await;
    match store.migrate().await {
        Err(StoreError::Migration {
            version, message, ..
        }) => {
            assert_eq!(version, 9999);
            assert!(message.contains("newer build"), "{message}");
        }
        other => panic!("expected a migration error, got {other:?}"),
    }
}

pub async fn health_round_trips_and_kind_names_the_backend(h: &Harness) {
    let store = h.open().await;
    store.health().await.unwrap();
    assert_eq!(store.kind(), h.kind());
}

pub async fn data_survives_closing_and_reopening_the_store(h: &Harness) {
    let created_at = time::macros::datetime!(2024-01-02 03:04:05.678901 UTC);
    {
        let store = h.ready().await;
        let user = User {
            id: id("u1"),
            email: Some("u1@example.org".into()),
            display_name: None,
            created_at,
        };
        store.upsert_user(&user).await.unwrap();
        store
            .append_chat_message(&id("room"), &id("m1"), &id("u1"), "hello")
            .await
            .unwrap();
        store
            .revoke_token("jti-1", &id("u1"), created_at)
            .await
            .unwrap();
    }
    let store = h.open().await;
    assert!(store.migrate().await.unwrap().is_empty());
    let user = store.get_user(&id("u1")).await.unwrap().unwrap();
    assert_eq!(user.email.as_deref(), Some("u1@example.org"));
    assert_eq!(user.created_at, created_at);
    let history = store.latest_chat_messages(&id("room"), 10).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(
        (history[0].offset, history[0].content.as_str()),
        (1, "hello")
    );
    assert!(store.is_token_revoked("jti-1").await.unwrap());
    let next = store
        .append_chat_message(&id("room"), &id("m2"), &id("u1"), "again")
        .await
        .unwrap()
        .message;
    assert_eq!(next.offset, 2, "offsets continue after reopening");
}
