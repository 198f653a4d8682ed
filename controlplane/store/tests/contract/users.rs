//! Users and token revocation.

use store::{StoreError, User};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::support::{Harness, id};

pub async fn upserting_a_user_keeps_created_at_and_updates_the_rest(h: &Harness) {
    let store = h.ready().await;
    assert_eq!(store.get_user(&id("nobody")).await.unwrap(), None);
    let first = User {
        id: id("u1"),
        email: Some("a@example.org".into()),
        display_name: Some("Ann".into()),
        created_at: datetime!(2024-01-01 00:00 UTC),
    };
    store.upsert_user(&first).await.unwrap();
    assert_eq!(
        store.get_user(&id("u1")).await.unwrap(),
        Some(first.clone())
    );

    let second = User {
        email: None,
        display_name: Some("Ann B.".into()),
        created_at: datetime!(2025-06-01 00:00 UTC),
        ..first.clone()
    };
    store.upsert_user(&second).await.unwrap();
    let stored = store.get_user(&id("u1")).await.unwrap().unwrap();
    assert_eq!(stored.email, None);
    assert_eq!(stored.display_name.as_deref(), Some("Ann B."));
    assert_eq!(stored.created_at, first.created_at, "created_at is kept");

    let bad = User {
        display_name: Some("nul\0".into()),
        ..first
    };
    assert!(matches!(
        store.upsert_user(&bad).await,
        Err(StoreError::Invalid(_))
    ));
}

pub async fn times_round_trip_in_utc_at_microsecond_precision(h: &Harness) {
    let store = h.ready().await;
    let written = datetime!(2024-05-06 07:08:09.123456789 +02:00);
    let user = User {
        id: id("u-time"),
        email: None,
        display_name: None,
        created_at: written,
    };
    store.upsert_user(&user).await.unwrap();
    let read = store
        .get_user(&id("u-time"))
        .await
        .unwrap()
        .unwrap()
        .created_at;
    assert_eq!(read, datetime!(2024-05-06 05:08:09.123456 UTC));
    assert_eq!(read.offset(), time::UtcOffset::UTC);

    let year_zero = User {
        created_at: datetime!(0000-01-01 00:00 UTC),
        ..user
    };
    assert!(matches!(
        store.upsert_user(&year_zero).await,
        Err(StoreError::Invalid(_))
    ));
}

pub async fn revocations_are_idempotent_and_purged_strictly_after_expiry(h: &Harness) {
    let store = h.ready().await;
    let now = OffsetDateTime::now_utc();
    let expired = now - Duration::hours(1);
    let live = now + Duration::hours(1);
    store
        .revoke_token("jti-expired", &id("u1"), expired)
        .await
        .unwrap();
    store
        .revoke_token("jti-live", &id("u1"), live)
        .await
        .unwrap();
    store
        .revoke_token("jti-live", &id("u1"), live)
        .await
        .unwrap();
    store
        .revoke_token("jti-edge", &id("u2"), datetime!(2090-01-01 00:00 UTC))
        .await
        .unwrap();

    assert!(store.is_token_revoked("jti-expired").await.unwrap());
    assert!(store.is_token_revoked("jti-live").await.unwrap());
    assert!(!store.is_token_revoked("jti-unknown").await.unwrap());

    assert_eq!(store.purge_expired_revocations(now).await.unwrap(), 1);
    assert!(!store.is_token_revoked("jti-expired").await.unwrap());
    assert!(store.is_token_revoked("jti-live").await.unwrap());
    assert_eq!(store.purge_expired_revocations(now).await.unwrap(), 0);

    // Strictly before: a token expiring exactly at `now` is kept.
    assert_eq!(
        store
            .purge_expired_revocations(datetime!(2090-01-01 00:00 UTC))
            .await
            .unwrap(),
        1,
        "only jti-live is before 2090"
    );
    assert!(store.is_token_revoked("jti-edge").await.unwrap());

    assert!(matches!(
        store.revoke_token("", &id("u1"), live).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store
            .is_token_revoked(&"j".repeat(store::validate::MAX_JTI_LEN + 1))
            .await,
        Err(StoreError::Invalid(_))
    ));
}
