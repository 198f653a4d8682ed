//! Proves the node runs on the real distributed parts — NATS JetStream, PostgreSQL and an
//! S3-compatible server — reports them healthy, and that `armoricore publish` with one
//! event id twice reaches a durable consumer exactly once.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod support;

use std::process::Command;
use std::time::Duration;

use armoricore::cli::Role;
use armoricore::node::{self, RunningNode};
use bus::WorkQueueSpec;
use codecs::EventType;
use support::{config, request};

#[tokio::test]
async fn node_on_nats_postgres_and_s3_is_healthy_and_publish_is_idempotent() {
    let Some(nats) = testkit::NatsServer::start() else {
        return;
    };
    let Some(database_url) = testkit::require_env("ARMORICORE_TEST_DATABASE_URL") else {
        return;
    };
    let Some(s3) = testkit::require_env("ARMORICORE_TEST_S3_ENDPOINT") else {
        return;
    };
    let bucket = format!("node-{}", uuid::Uuid::new_v4().simple());
    support::media::world::create_bucket(&s3, &bucket).await;

    let dir = tempfile::tempdir().unwrap();
    let url = nats.url();
    let object_store_url = format!("s3://{bucket}");
    let env = [
        ("MESSAGE_BUS_URL", url.as_str()),
        ("DATABASE_URL", database_url.as_str()),
        ("OBJECT_STORE_URL", object_store_url.as_str()),
        ("S3_ENDPOINT", s3.as_str()),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", "us-east-1"),
    ];
    let config = config(dir.path(), &env);
    let running = RunningNode::start(config.clone(), Role::All).await.unwrap();
    let health = request(running.local_addr(), "GET", "/health", &[], "")
        .await
        .json();
    assert_eq!(health["status"], "ok", "{health}");
    assert_eq!(health["components"]["bus"]["kind"], "nats");
    assert_eq!(health["components"]["store"]["kind"], "postgres");
    assert!(
        health["components"]["object_store"]["kind"]
            .as_str()
            .unwrap()
            .starts_with("s3://"),
        "{health}"
    );

    let payload = r#"{"media_id":"m-9","user_id":"u-9","source":"s3://b/k","content_type":"video/mp4","file_size":9}"#;
    let id = uuid::Uuid::new_v4().to_string();
    for expected_duplicate in [false, true] {
        let out = Command::new(env!("CARGO_BIN_EXE_armoricore"))
            .args([
                "publish",
                "media.uploaded",
                payload,
                "--event-id",
                id.as_str(),
            ])
            .env_clear()
            .env("ARMORICORE_DATA_DIR", dir.path())
            .envs(env)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(answer["duplicate"], expected_duplicate);
    }

    let bus = bus::connect(Some(&url), node::bus_config(&config))
        .await
        .unwrap();
    let mut queue = bus
        .work_queue(WorkQueueSpec {
            durable: "distributed-test".into(),
            subjects: vec![EventType::MediaUploaded.subject("")],
            max_deliver: 3,
            backoff: vec![Duration::from_millis(200)],
            ack_wait: Duration::from_secs(5),
            max_ack_pending: 10,
        })
        .await
        .unwrap();
    let delivery = tokio::time::timeout(Duration::from_secs(10), queue.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(delivery.msg_id.as_deref(), Some(id.as_str()));
    delivery.ack().await.unwrap();
    let again = tokio::time::timeout(Duration::from_secs(1), queue.next()).await;
    assert!(again.is_err(), "the duplicate was delivered");
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_started_before_nats_waits_for_it() {
    let Some(mut nats) = testkit::NatsServer::start() else {
        return;
    };
    nats.kill();
    let dir = tempfile::tempdir().unwrap();
    let url = nats.url();
    let config = config(dir.path(), &[("MESSAGE_BUS_URL", url.as_str())]);
    let starting = tokio::spawn(RunningNode::start(config, Role::All));
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        !starting.is_finished(),
        "the node gave up while NATS was down"
    );
    nats.restart();
    let running = tokio::time::timeout(Duration::from_secs(20), starting)
        .await
        .expect("the node did not come up after NATS did")
        .unwrap()
        .unwrap();
    let health = request(running.local_addr(), "GET", "/health", &[], "")
        .await
        .json();
    assert_eq!(health["components"]["bus"]["status"], "ok", "{health}");
    running.stop().await;
}
