//! Proves the FCM and APNs senders speak the documented protocols to servers that check
//! them (HTTP/2 over TLS with a CA trusted as an extra root), reuse their OAuth and provider
//! tokens, replace a credential the provider calls expired and send once more with the new
//! one (once only), and classify each documented answer: success, token rejected,
//! retryable with `Retry-After`, permanent.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod support;

use std::time::Duration;

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
    let fcm = p.fcm_client();
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
    let fcm = p.fcm_client();
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
    let apns = p.apns_client();
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
    let apns = p.apns_client();
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

fn authorization(r: &notifier::test_support::Received) -> String {
    r.headers["authorization"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn fcm_fetches_a_new_access_token_once_when_the_cached_one_is_refused() {
    let p = Providers::start().await;
    let fcm = p.fcm_client();
    fcm.send(&message(), "warm-up").await.unwrap();
    // The server revokes the access token on this send and answers 401 UNAUTHENTICATED.
    p.fcm
        .script("revoking", &[Reply::ExpiredCredentials, Reply::Ok]);
    fcm.send(&message(), "revoking").await.unwrap();
    let sends: Vec<_> = p
        .fcm
        .received()
        .into_iter()
        .filter(|r| r.token == "revoking")
        .collect();
    assert_eq!(sends.len(), 2, "the send is made once more");
    assert_eq!(sends[0].reply, Reply::ExpiredCredentials);
    assert_ne!(
        authorization(&sends[0]),
        authorization(&sends[1]),
        "the second request carries a new access token"
    );
    assert_eq!(p.fcm.token_requests(), 2);
    fcm.send(&message(), "after").await.unwrap();
    let last = p.fcm.received().pop().unwrap();
    assert_eq!(
        authorization(&last),
        authorization(&sends[1]),
        "the new token is cached"
    );
    assert_eq!(p.fcm.token_requests(), 2);
}

#[tokio::test]
async fn a_burst_meeting_a_revoked_fcm_token_costs_one_new_token() {
    let p = Providers::start().await;
    let fcm = p.fcm_client();
    fcm.send(&message(), "warm-up").await.unwrap();
    p.fcm
        .script("revoking", &[Reply::ExpiredCredentials, Reply::Ok]);
    let tokens: Vec<String> = (0..30).map(|i| format!("burst-{i}")).collect();
    let m = message();
    let burst = std::iter::once("revoking")
        .chain(tokens.iter().map(String::as_str))
        .map(|t| fcm.send(&m, t));
    for result in futures::future::join_all(burst).await {
        result.unwrap();
    }
    assert_eq!(
        p.fcm.token_requests(),
        2,
        "every send refused with the old token waits for one new one"
    );
}

#[tokio::test]
async fn fcm_gives_up_after_one_new_access_token() {
    let p = Providers::start().await;
    let fcm = p.fcm_client();
    p.fcm.script("always", &[Reply::ExpiredCredentials]);
    let e = fcm.send(&message(), "always").await.unwrap_err();
    assert_eq!(e.status, Some(401), "{e}");
    assert!(e.is_retryable(), "{e}");
    assert_eq!(p.fcm.sends_to("always"), 2, "one retry, no loop");
    assert_eq!(p.fcm.token_requests(), 2);
}

#[tokio::test]
async fn apns_mints_a_new_provider_token_once_when_it_is_called_expired() {
    let p = Providers::start().await;
    let apns = p.apns_client();
    let token = ios_token(7);
    p.apns
        .script(&token, &[Reply::ExpiredCredentials, Reply::Ok]);
    apns.send(&message(), &token).await.unwrap();
    let sends = p.apns.received();
    assert_eq!(sends.len(), 2, "the send is made once more");
    assert_eq!(sends[0].reply, Reply::ExpiredCredentials);
    assert_ne!(
        authorization(&sends[0]),
        authorization(&sends[1]),
        "the second request carries a new provider token"
    );
    apns.send(&message(), &ios_token(8)).await.unwrap();
    let last = p.apns.received().pop().unwrap();
    assert_eq!(
        authorization(&last),
        authorization(&sends[1]),
        "the new token is kept"
    );

    let stuck = ios_token(9);
    p.apns.script(&stuck, &[Reply::ExpiredCredentials]);
    let e = apns.send(&message(), &stuck).await.unwrap_err();
    assert_eq!(
        (e.status, e.reason.as_str()),
        (Some(403), "ExpiredProviderToken")
    );
    assert!(e.is_retryable(), "{e}");
    assert_eq!(p.apns.sends_to(&stuck), 2, "one retry, no loop");
}
