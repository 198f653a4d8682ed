//! Proves the node runs the notification worker end to end: a user registers push tokens
//! over `POST /api/v1/device-tokens` (JWT), a `notification.requested` posted to
//! `/api/v1/events` reaches the local FCM and APNs servers and the SMTP server (STARTTLS
//! required) once each — all three trusted only through `SSL_CERT_FILE` — `notification.sent` follows per channel, and the
//! device-token routes refuse what they must (401, 400, 404) — on the embedded node and on
//! NATS + PostgreSQL.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod support;

use std::time::Duration;

use armoricore::cli::Role;
use armoricore::node::RunningNode;
use codecs::{Event, EventType, Payload, ResourceId};
use futures::StreamExt;
use notifier::test_support::{ApnsServer, FcmServer, Pki, SmtpSink, SmtpTls, apns};
use serde_json::json;
use support::{config, request};

const API_KEY: &str = "test-api-key-0123456789";

async fn scenario(extra: &[(&str, &str)]) {
    let pki = Pki::generate().unwrap();
    let fcm = FcmServer::start(&pki).await;
    let apns_server = ApnsServer::start(&pki).await;
    let smtp = match SmtpSink::start_tls(SmtpTls::StartTls, &pki) {
        Ok(smtp) => smtp,
        Err(why) => return testkit::skip_or_fail(&why),
    };
    let dir = tempfile::tempdir().unwrap();
    let (fcm_file, fcm_endpoint) = (
        fcm.service_account_file().display().to_string(),
        fcm.endpoint(),
    );
    let apns_key = apns_server.key_file().display().to_string();
    let apns_endpoint = apns_server.endpoint();
    let ca = pki.ca_file().display().to_string();
    let smtp_url = smtp.url();
    let mut env = vec![
        ("ARMORICORE_API_KEY", API_KEY),
        ("FCM_SERVICE_ACCOUNT_FILE", fcm_file.as_str()),
        ("FCM_ENDPOINT", fcm_endpoint.as_str()),
        ("APNS_KEY_FILE", apns_key.as_str()),
        ("APNS_KEY_ID", apns::KEY_ID),
        ("APNS_TEAM_ID", apns::TEAM_ID),
        ("APNS_TOPIC", apns::TOPIC),
        ("APNS_ENDPOINT", apns_endpoint.as_str()),
        ("SMTP_URL", smtp_url.as_str()),
        ("SMTP_FROM", "Armoricore <noreply@armoricore.test>"),
        ("SSL_CERT_FILE", ca.as_str()),
    ];
    env.extend_from_slice(extra);
    let node = RunningNode::start(config(dir.path(), &env), Role::All)
        .await
        .unwrap();
    let addr = node.local_addr();
    let services = node.services().clone();
    // Ids of this run only: the PostgreSQL database is shared by every run, and its send
    // records would (rightly) make a second run of one notification id send nothing.
    let run = uuid::Uuid::new_v4().simple().to_string();
    let user_id = format!("u-{run}");
    let notification_id = format!("n-{run}");
    let user = ResourceId::new(&user_id).unwrap();
    let jwt = services
        .tokens
        .mint(&user, Duration::from_secs(600))
        .unwrap();
    let bearer = format!("Bearer {jwt}");
    let auth = [
        ("authorization", bearer.as_str()),
        ("content-type", "application/json"),
    ];

    // The device-token routes refuse what they must.
    let fcm_token = format!("fcm-{run}");
    let body = json!({"platform": "android", "token": fcm_token}).to_string();
    let none = request(addr, "POST", "/api/v1/device-tokens", &[], body.clone()).await;
    assert_eq!(none.status, 401, "{}", none.body);
    let forged = [("authorization", "Bearer not.a.jwt")];
    let bad = request(addr, "POST", "/api/v1/device-tokens", &forged, body.clone()).await;
    assert_eq!(bad.status, 401, "{}", bad.body);
    let wrong = json!({"platform": "blackberry", "token": "x"}).to_string();
    let answer = request(addr, "POST", "/api/v1/device-tokens", &auth, wrong).await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert!(
        answer.json()["error"]
            .as_str()
            .unwrap()
            .contains("platform"),
        "{}",
        answer.body
    );

    // Register an Android and an iOS token, remove a third one.
    let ios = run.repeat(2);
    for (platform, token) in [
        ("android", fcm_token.as_str()),
        ("ios", ios.as_str()),
        ("web", "web-gone"),
    ] {
        let body = json!({"platform": platform, "token": token}).to_string();
        let answer = request(addr, "POST", "/api/v1/device-tokens", &auth, body).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(answer.json()["user_id"], user_id.as_str());
    }
    let gone = json!({"token": "web-gone"}).to_string();
    let answer = request(addr, "DELETE", "/api/v1/device-tokens", &auth, gone.clone()).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let again = request(addr, "DELETE", "/api/v1/device-tokens", &auth, gone).await;
    assert_eq!(again.status, 404, "{}", again.body);

    // A notification on both channels.
    let mut events = services
        .bus
        .subscribe(&format!("{}notification.>", services.bus.subject_prefix()))
        .await
        .unwrap();
    let event = json!({"event_type": "notification.requested", "payload": {
        "notification_id": notification_id, "user_id": user_id, "channels": ["push", "email"],
        "title": "Upload ready", "body": "Your video plays now.", "email": "u42@example.test"
    }})
    .to_string();
    let answer = request(
        addr,
        "POST",
        "/api/v1/events",
        &[("x-api-key", API_KEY)],
        event,
    )
    .await;
    assert_eq!(answer.status, 202, "{}", answer.body);
    let mut channels = Vec::new();
    while channels.len() < 2 {
        let message = tokio::time::timeout(Duration::from_secs(20), events.next())
            .await
            .expect("no notification outcome within 20 s")
            .unwrap();
        let event = Event::decode(&message.payload).unwrap();
        match (&event.event_type, &event.payload) {
            (EventType::NotificationSent, Payload::NotificationSent(s)) => {
                channels.push((s.channel.as_str().to_string(), s.provider.clone()));
            }
            (EventType::NotificationFailed, p) => panic!("failed: {p:?}"),
            _ => {}
        }
    }
    channels.sort();
    assert_eq!(
        channels,
        [
            ("email".to_string(), "smtp".to_string()),
            ("push".to_string(), "apns,fcm".to_string())
        ]
    );
    assert_eq!(fcm.sends_to(&fcm_token), 1);
    assert_eq!(fcm.sends_to("web-gone"), 0, "a removed token is not used");
    assert_eq!(apns_server.sends_to(&ios), 1);
    let mail = smtp.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(mail.len(), 1);
    assert!(mail[0].contains("Subject: Upload ready"), "{}", mail[0]);
    assert!(mail[0].contains("X-Session-TLS: TLSv1."), "{}", mail[0]);
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embedded_node_registers_tokens_and_delivers_notifications() {
    scenario(&[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_on_nats_and_postgres_delivers_notifications() {
    let Some(nats) = testkit::NatsServer::start() else {
        return;
    };
    let Some(database_url) = testkit::require_env("ARMORICORE_TEST_DATABASE_URL") else {
        return;
    };
    // Another node's earlier run may have left the shared durable behind: a prefix of its
    // own gives this run its own streams and durable.
    let url = nats.url();
    scenario(&[
        ("MESSAGE_BUS_URL", url.as_str()),
        ("DATABASE_URL", database_url.as_str()),
    ])
    .await;
}
