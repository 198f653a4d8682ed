//! Proves the FCM and APNs senders speak the documented protocols to servers that check
//! them (HTTP/2 over TLS with a CA trusted as an extra root), reuse their OAuth and provider
//! tokens, and classify each documented answer: success, token rejected, retryable with
//! `Retry-After`, permanent.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod support;

use std::time::Duration;

use notifier::apns::Apns;
use notifier::fcm::Fcm;
use notifier::test_support::Reply;
use notifier::{Failure, PushMessage};
use support::{Providers, ios_token};

fn message() -> PushMessage {
    PushMessage {
        notification_id: "n-1".into(),
        title: "Hello".into(),
        body: "World".into(),
        data: serde_json::from_value(serde_json::json!({"room": "r1", "count": 3})).unwrap(),
    }
}

#[tokio::test]
async fn fcm_sends_with_one_cached_oauth_token_and_the_documented_body() {
    let p = Providers::start().await;
    let config = p.config();
    let fcm = Fcm::new(&p.fcm.config(), &config.extra_roots, Duration::from_secs(5)).unwrap();
    for i in 0..3 {
        let name = fcm.send(&message(), &format!("android-{i}")).await.unwrap();
        assert!(
            name.starts_with("projects/armoricore-test/messages/"),
            "{name}"
        );
    }
    assert_eq!(p.fcm.token_requests(), 1, "the access token is cached");
    let received = p.fcm.received();
    assert_eq!(received.len(), 3);
    let body = &received[0].body["message"];
    assert_eq!(body["token"], "android-0");
    assert_eq!(body["notification"]["title"], "Hello");
    assert_eq!(body["data"]["count"], "3", "data values are strings");
}

#[tokio::test]
async fn fcm_answers_map_to_token_rejected_retryable_and_permanent() {
    let p = Providers::start().await;
    let config = p.config();
    let fcm = Fcm::new(&p.fcm.config(), &config.extra_roots, Duration::from_secs(5)).unwrap();
    p.fcm.script("gone", &[Reply::Unregistered]);
    p.fcm.script("bad", &[Reply::BadToken]);
    p.fcm.script(
        "busy",
        &[Reply::TooMany {
            retry_after_secs: 7,
        }],
    );
    p.fcm.script("down", &[Reply::Unavailable]);
    p.fcm.script("wrong", &[Reply::Permanent]);
    let class = |token: &'static str| {
        let fcm = &fcm;
        async move { fcm.send(&message(), token).await.unwrap_err() }
    };
    let gone = class("gone").await;
    assert_eq!(
        (gone.failure, gone.status),
        (Failure::TokenRejected, Some(404))
    );
    assert_eq!(gone.reason, "UNREGISTERED");
    assert_eq!(class("bad").await.failure, Failure::TokenRejected);
    assert_eq!(
        class("busy").await.failure,
        Failure::Retryable {
            retry_after: Some(Duration::from_secs(7))
        }
    );
    assert!(class("down").await.is_retryable());
    let wrong = class("wrong").await;
    assert_eq!(
        (wrong.failure, wrong.status),
        (Failure::Permanent, Some(400))
    );
    assert!(wrong.response.contains("INVALID_ARGUMENT"), "{wrong}");
}

#[tokio::test]
async fn apns_sends_over_http2_with_the_documented_headers_and_one_provider_token() {
    let p = Providers::start().await;
    let config = p.config();
    let apns = Apns::new(
        &p.apns.config(),
        &config.extra_roots,
        Duration::from_secs(5),
    )
    .unwrap();
    let token = ios_token(1);
    let id = apns.send(&message(), &token).await.unwrap();
    apns.send(&message(), &token).await.unwrap();
    let received = p.apns.received();
    assert_eq!(received.len(), 2);
    let h = &received[0].headers;
    assert_eq!(h["apns-topic"], "io.armoricore.test");
    assert_eq!(h["apns-push-type"], "alert");
    assert_eq!(h["apns-priority"], "10");
    assert_eq!(h["apns-collapse-id"], "n-1");
    assert_eq!(h["apns-id"].to_str().unwrap(), id);
    assert!(
        h["apns-expiration"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .is_ok()
    );
    assert_eq!(
        h["authorization"], received[1].headers["authorization"],
        "the provider token is reused"
    );
    assert_eq!(received[0].body["aps"]["alert"]["title"], "Hello");
    assert_eq!(received[0].body["room"], "r1");
}

#[tokio::test]
async fn apns_answers_map_to_token_rejected_retryable_and_permanent() {
    let p = Providers::start().await;
    let config = p.config();
    let apns = Apns::new(
        &p.apns.config(),
        &config.extra_roots,
        Duration::from_secs(5),
    )
    .unwrap();
    let cases = [
        (Reply::Unregistered, 410),
        (Reply::BadToken, 400),
        (
            Reply::TooMany {
                retry_after_secs: 2,
            },
            429,
        ),
        (Reply::Unavailable, 503),
        (Reply::Permanent, 400),
    ];
    for (i, (reply, status)) in cases.into_iter().enumerate() {
        let token = ios_token(10 + u8::try_from(i).unwrap());
        p.apns.script(&token, &[reply]);
        let e = apns.send(&message(), &token).await.unwrap_err();
        assert_eq!(e.status, Some(status), "{reply:?}: {e}");
        let expected = match reply {
            Reply::Unregistered | Reply::BadToken => Failure::TokenRejected,
            Reply::TooMany { .. } => Failure::Retryable {
                retry_after: Some(Duration::from_secs(2)),
            },
            Reply::Unavailable => Failure::Retryable { retry_after: None },
            _ => Failure::Permanent,
        };
        assert_eq!(e.failure, expected, "{reply:?}: {e}");
    }
}

#[tokio::test]
async fn a_server_certificate_outside_the_trusted_roots_is_refused() {
    let p = Providers::start().await;
    let fcm = Fcm::new(&p.fcm.config(), &[], Duration::from_secs(5)).unwrap();
    let e = fcm.send(&message(), "t").await.unwrap_err();
    assert!(e.is_retryable(), "a transport failure: {e}");
    assert!(
        e.reason.contains("certificate") || e.reason.contains("Unknown"),
        "{e}"
    );
    assert!(p.fcm.received().is_empty());
}
