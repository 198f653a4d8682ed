//! Test support: private nats-server processes (one per test, own port and store dir,
//! killed on drop) and the backends the contract tests run against.
//!
//! When nats-server is missing, NATS tests print `SKIPPED: <why>` to stderr and return,
//! unless `ARMORICORE_REQUIRE_SERVICES=1`, in which case they panic.

#![allow(dead_code)] // each test binary uses a different part
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

use std::sync::Arc;
use std::time::Duration;

use bus::memory::MemoryServer;
use bus::{Bus, BusConfig, BusMessage, Delivery, Subscription, WorkQueue, WorkQueueSpec};
use bytes::Bytes;
use futures::StreamExt;

pub use testkit::NatsServer;

/// Generates one test per backend for each contract function `async fn(Backend)` named
/// in the invoking file: `memory::<name>` and `nats::<name>`. Use with `#[macro_use] mod
/// support;`.
#[allow(unused_macros)] // not every test binary runs a contract
macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod memory {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(backend) = crate::support::Backend::memory().await {
                        super::$name(backend).await;
                    }
                }
            )*
        }
        mod nats {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(backend) = crate::support::Backend::nats().await {
                        super::$name(backend).await;
                    }
                }
            )*
        }
    };
}

/// Where the contract tests run: one in-process server or one private nats-server.
pub enum Backend {
    /// The in-process bus.
    Memory(MemoryServer),
    /// NATS JetStream.
    Nats(NatsServer),
}

/// The configuration the contract tests use under `prefix`.
pub fn test_config(prefix: &str) -> BusConfig {
    BusConfig {
        publish_timeout: Duration::from_secs(10),
        reconnect_max_delay: Duration::from_millis(500),
        ..BusConfig::with_prefix(prefix)
    }
}

impl Backend {
    /// The in-process backend.
    pub async fn memory() -> Option<Backend> {
        Some(Backend::Memory(MemoryServer::new()))
    }

    /// A NATS backend, or None when skipped.
    pub async fn nats() -> Option<Backend> {
        NatsServer::start().map(Backend::Nats)
    }

    /// A bus on this backend under `prefix`.
    pub async fn bus(&self, prefix: &str) -> Arc<dyn Bus> {
        match self {
            Backend::Memory(server) => server.connect(test_config(prefix)).expect("memory bus"),
            Backend::Nats(server) => bus::connect(Some(&server.url()), test_config(prefix))
                .await
                .expect("nats bus"),
        }
    }
}

/// The next delivery if one comes within `within`.
pub async fn next_within(queue: &mut Box<dyn WorkQueue>, within: Duration) -> Option<Delivery> {
    match tokio::time::timeout(within, queue.next()).await {
        Ok(result) => Some(result.expect("work queue failed")),
        Err(_) => None,
    }
}

/// The work subject most tests use.
pub const UPLOADED: &str = "media.uploaded";
/// How long a test waits for something that must come.
pub const WAIT: Duration = Duration::from_secs(10);

/// A spec with short timings for tests.
pub fn spec(durable: &str, subject: &str) -> WorkQueueSpec {
    WorkQueueSpec {
        max_deliver: 3,
        backoff: vec![Duration::from_millis(100)],
        ack_wait: Duration::from_secs(2),
        ..WorkQueueSpec::new(durable, [subject])
    }
}

/// Publishes a fresh message `id` (body `body of <id>`).
pub async fn publish(bus: &Arc<dyn Bus>, subject: &str, id: &str) {
    let body = Bytes::from(format!("body of {id}"));
    let ack = bus.publish(subject, id, body).await.expect("publish");
    assert!(!ack.duplicate, "{id} reported as duplicate");
}

/// The next message of `sub`, which must come.
pub async fn recv(sub: &mut Subscription) -> BusMessage {
    tokio::time::timeout(WAIT, sub.next())
        .await
        .expect("subscription timed out")
        .expect("subscription ended")
}

/// Fails if `sub` delivers anything within `within`.
pub async fn nothing_within(sub: &mut Subscription, within: Duration) {
    if let Ok(Some(m)) = tokio::time::timeout(within, sub.next()).await {
        panic!("unexpected message {m:?}");
    }
}

/// The next delivery, which must come.
pub async fn must_next(queue: &mut Box<dyn WorkQueue>) -> Delivery {
    next_within(queue, WAIT).await.expect("no delivery in time")
}

/// The msg id of a delivery.
pub fn id_of(d: &Delivery) -> &str {
    d.msg_id.as_deref().expect("msg_id")
}
