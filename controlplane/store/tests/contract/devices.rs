//! Device tokens: upsert semantics, listing, deletion for one user or everywhere.

use codecs::events::{DevicePlatform, DeviceToken};
use store::StoreError;

use crate::support::{Harness, id};

fn token(platform: DevicePlatform, token: &str) -> DeviceToken {
    DeviceToken {
        platform,
        token: token.to_string(),
    }
}

pub async fn same_user_and_token_again_updates_only_platform_and_updated_at(h: &Harness) {
    let store = h.ready().await;
    let first = store
        .upsert_device_token(&id("u1"), &token(DevicePlatform::Ios, "tok-a"))
        .await
        .unwrap();
    assert_eq!(first.user_id, id("u1"));
    assert_eq!(
        (first.platform, first.token.as_str()),
        (DevicePlatform::Ios, "tok-a")
    );
    assert_eq!(first.created_at, first.updated_at);

    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let again = store
        .upsert_device_token(&id("u1"), &token(DevicePlatform::Web, "tok-a"))
        .await
        .unwrap();
    assert_eq!(again.id, first.id, "same row");
    assert_eq!(again.created_at, first.created_at, "created_at kept");
    assert_eq!(again.platform, DevicePlatform::Web, "platform updated");
    assert!(
        again.updated_at > first.updated_at,
        "updated_at moves forward"
    );

    let listed = store.device_tokens_for(&id("u1")).await.unwrap();
    assert_eq!(listed, vec![again.clone()], "one row per (user, token)");
    assert_eq!(
        listed[0].device_token(),
        token(DevicePlatform::Web, "tok-a")
    );

    // The same token under another user is another row: uniqueness is per user.
    let other = store
        .upsert_device_token(&id("u2"), &token(DevicePlatform::Web, "tok-a"))
        .await
        .unwrap();
    assert_ne!(other.id, first.id);
}

pub async fn tokens_are_listed_per_user_oldest_first(h: &Harness) {
    let store = h.ready().await;
    assert!(store.device_tokens_for(&id("u1")).await.unwrap().is_empty());
    for name in ["t1", "t2", "t3"] {
        store
            .upsert_device_token(&id("u1"), &token(DevicePlatform::Android, name))
            .await
            .unwrap();
    }
    store
        .upsert_device_token(&id("u2"), &token(DevicePlatform::Ios, "t9"))
        .await
        .unwrap();
    let names: Vec<String> = store
        .device_tokens_for(&id("u1"))
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.token)
        .collect();
    assert_eq!(names, ["t1", "t2", "t3"]);
}

pub async fn deleting_a_token_for_one_user_or_everywhere_reports_what_went(h: &Harness) {
    let store = h.ready().await;
    for user in ["u1", "u2", "u3"] {
        store
            .upsert_device_token(&id(user), &token(DevicePlatform::Android, "shared"))
            .await
            .unwrap();
    }
    store
        .upsert_device_token(&id("u1"), &token(DevicePlatform::Ios, "own"))
        .await
        .unwrap();

    assert!(
        store
            .delete_device_token(&id("u1"), "shared")
            .await
            .unwrap()
    );
    assert!(
        !store
            .delete_device_token(&id("u1"), "shared")
            .await
            .unwrap(),
        "already gone"
    );
    assert!(!store.delete_device_token(&id("u1"), "never").await.unwrap());
    assert_eq!(
        store
            .delete_device_token_everywhere("shared")
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .delete_device_token_everywhere("shared")
            .await
            .unwrap(),
        0
    );

    let left: Vec<_> = store.device_tokens_for(&id("u1")).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].token, "own");
    assert!(store.device_tokens_for(&id("u2")).await.unwrap().is_empty());
}

pub async fn device_tokens_are_checked_before_the_database(h: &Harness) {
    let store = h.ready().await;
    for bad in [
        String::new(),
        "a\0b".to_string(),
        "x".repeat(store::validate::MAX_DEVICE_TOKEN_LEN + 1),
    ] {
        let result = store
            .upsert_device_token(&id("u1"), &token(DevicePlatform::Ios, &bad))
            .await;
        assert!(matches!(result, Err(StoreError::Invalid(_))), "{result:?}");
    }
    assert!(matches!(
        store.delete_device_token_everywhere("").await,
        Err(StoreError::Invalid(_))
    ));
    assert!(store.device_tokens_for(&id("u1")).await.unwrap().is_empty());
}
