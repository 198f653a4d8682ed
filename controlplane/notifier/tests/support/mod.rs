//! Shared setup of the notifier's tests: a throw-away PKI, the local FCM and APNs
//! servers, a worker configuration pointing at them, bus helpers, a private PostgreSQL
//! schema, and a TCP gate in front of PostgreSQL that a test can close to make the real
//! store unreachable (and open again).
#![allow(dead_code, clippy::unwrap_used)] // each test binary uses a different subset; tests may unwrap

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bus::{Bus, BusMessage};
use codecs::{Event, EventType, Payload};
use futures::StreamExt;
use notifier::apns::Apns;
use notifier::fcm::Fcm;
use notifier::test_support::{ApnsServer, FcmServer, Pki, Reply};
use notifier::{NotifierConfig, QueueConfig, RetryPolicy};

/// An iOS token (64 hex characters) made from `seed`.
pub fn ios_token(seed: u8) -> String {
    format!("{seed:02x}").repeat(32)
}

/// The local providers.
pub struct Providers {
    pub pki: Pki,
    pub fcm: FcmServer,
    pub apns: ApnsServer,
}

impl Providers {
    pub async fn start() -> Providers {
        let pki = Pki::generate().unwrap();
        let fcm = FcmServer::start(&pki).await;
        let apns = ApnsServer::start(&pki).await;
        Providers { pki, fcm, apns }
    }

    /// An FCM client trusting these servers.
    pub fn fcm_client(&self) -> Fcm {
        Fcm::new(
            &self.fcm.config(),
            &[self.pki.ca_file().to_path_buf()],
            Duration::from_secs(5),
        )
        .unwrap()
    }

    /// An APNs client trusting these servers.
    pub fn apns_client(&self) -> Apns {
        Apns::new(
            &self.apns.config(),
            &[self.pki.ca_file().to_path_buf()],
            Duration::from_secs(5),
        )
        .unwrap()
    }

    /// A worker configuration for these servers: fast retries, fast redelivery.
    pub fn config(&self) -> NotifierConfig {
        NotifierConfig {
            fcm: Some(self.fcm.config()),
            apns: Some(self.apns.config()),
            extra_roots: vec![self.pki.ca_file().to_path_buf()],
            retry: RetryPolicy {
                attempts: 3,
                base_delay: Duration::from_millis(20),
                max_delay: Duration::from_millis(100),
                max_retry_after: Duration::from_secs(5),
            },
            queue: QueueConfig {
                durable: "notification-worker".into(),
                max_deliver: 3,
                backoff: vec![Duration::from_millis(300)],
                ack_wait: Duration::from_secs(10),
            },
            ..NotifierConfig::default()
        }
    }
}

/// Replies that outlast the in-process retries of [`Providers::config`] (3 calls), then
/// accept: the first delivery is nak'ed, the redelivery succeeds.
pub const FAILS_ONE_DELIVERY: [Reply; 4] = [
    Reply::Unavailable,
    Reply::Unavailable,
    Reply::Unavailable,
    Reply::Ok,
];

/// Publishes a push `notification.requested` for `user` naming `tokens` (platform, token).
pub async fn push_to(bus: &dyn Bus, notification: &str, user: &str, tokens: &[(&str, &str)]) {
    let tokens: Vec<_> = tokens
        .iter()
        .map(|(platform, token)| serde_json::json!({"platform": platform, "token": token}))
        .collect();
    request(
        bus,
        serde_json::json!({
            "notification_id": notification, "user_id": user, "channels": ["push"],
            "title": "Hi", "body": "there", "device_tokens": tokens
        }),
    )
    .await;
}

/// Publishes a `notification.requested` with `payload`.
pub async fn request(bus: &dyn Bus, payload: serde_json::Value) {
    let bytes = serde_json::to_vec(&serde_json::json!({
        "event_type": "notification.requested", "payload": payload,
    }))
    .unwrap();
    let event =
        Event::decode_with(&bytes, codecs::Completion::FillWith { source: "test" }).unwrap();
    bus::publish_event(bus, &event).await.unwrap();
}

/// The outcome events of notifications.
pub struct Outcomes(bus::Subscription);

impl Outcomes {
    pub async fn subscribe(bus: &dyn Bus) -> Outcomes {
        let filter = format!("{}notification.>", bus.subject_prefix());
        Outcomes(bus.subscribe(&filter).await.unwrap())
    }

    /// The next `notification.sent` or `notification.failed` (10 s at most).
    pub async fn next(&mut self) -> Event {
        loop {
            let message: BusMessage = tokio::time::timeout(Duration::from_secs(15), self.0.next())
                .await
                .expect("no outcome event within 15 s")
                .expect("subscription ended");
            let event = Event::decode(&message.payload).unwrap();
            if matches!(
                event.event_type,
                EventType::NotificationSent | EventType::NotificationFailed
            ) {
                return event;
            }
        }
    }

    /// Nothing more within `wait`.
    pub async fn none_within(&mut self, wait: Duration) {
        loop {
            match tokio::time::timeout(wait, self.0.next()).await {
                Err(_) => return,
                Ok(Some(m)) => {
                    let event = Event::decode(&m.payload).unwrap();
                    assert!(
                        event.event_type == EventType::NotificationRequested,
                        "unexpected {event:?}"
                    );
                }
                Ok(None) => return,
            }
        }
    }
}

/// The payload of a `notification.sent`.
pub fn sent(event: &Event) -> &codecs::events::NotificationSent {
    match &event.payload {
        Payload::NotificationSent(p) => p,
        other => panic!("expected notification.sent, got {other:?}"),
    }
}

/// The payload of a `notification.failed`.
pub fn failed(event: &Event) -> &codecs::events::NotificationFailed {
    match &event.payload {
        Payload::NotificationFailed(p) => p,
        other => panic!("expected notification.failed, got {other:?}"),
    }
}

/// A migrated SQLite store in `dir`.
pub async fn sqlite(dir: &std::path::Path) -> Arc<dyn store::Store> {
    let url = format!("sqlite://{}", dir.join("notifier.db").display());
    let store = store::open(Some(&url), dir).await.unwrap();
    store.migrate().await.unwrap();
    store
}

/// A user id.
pub fn id(text: &str) -> codecs::ResourceId {
    codecs::ResourceId::new(text).unwrap()
}

/// A schema of its own in the test database, so parallel runs never meet; dropped by
/// [`PgSchema::drop_schema`].
pub struct PgSchema {
    /// The database URL with `search_path` set to the schema.
    pub url: String,
    /// The schema's name.
    pub name: String,
    client: tokio_postgres::Client,
}

impl PgSchema {
    /// `None` (after skip-or-fail) when no test database is configured.
    pub async fn create() -> Option<PgSchema> {
        let base = testkit::require_env("ARMORICORE_TEST_DATABASE_URL")?;
        let name = format!("notifier_t_{}", uuid::Uuid::new_v4().simple());
        let (client, connection) = tokio_postgres::connect(&base, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        client
            .batch_execute(&format!("CREATE SCHEMA {name}"))
            .await
            .unwrap();
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-csearch_path%3D{name}");
        Some(PgSchema { url, name, client })
    }

    /// The PostgreSQL server's TCP address.
    pub fn server_addr(&self) -> SocketAddr {
        let config: tokio_postgres::Config = self.url.parse().unwrap();
        let host = match &config.get_hosts()[0] {
            tokio_postgres::config::Host::Tcp(host) => host.clone(),
            other => panic!("the test database must be reached over TCP, not {other:?}"),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), port))
            .unwrap()
            .next()
            .unwrap()
    }

    /// A migrated store reaching the server through `gate` (connections fail fast while
    /// the gate is closed).
    pub async fn store_through(&self, gate: &Gate) -> Arc<dyn store::Store> {
        let mut url = url::Url::parse(&self.url).unwrap();
        url.set_host(Some("127.0.0.1")).unwrap();
        url.set_port(Some(gate.port())).unwrap();
        let config: tokio_postgres::Config = url.as_str().parse().unwrap();
        let options = store::PostgresOptions {
            pool_size: 4,
            connect_timeout: Duration::from_secs(1),
            wait_timeout: Duration::from_secs(2),
        };
        let store: Arc<dyn store::Store> =
            Arc::new(store::PostgresStore::connect(config, &options).unwrap());
        store.migrate().await.unwrap();
        store
    }

    pub async fn drop_schema(self) {
        self.client
            .batch_execute(&format!("DROP SCHEMA {} CASCADE", self.name))
            .await
            .unwrap();
    }
}

/// A TCP relay on a loopback port to `target`. Closing it stops listening and cuts every
/// relayed connection, so whatever is behind it becomes really unreachable (connection
/// refused) until it is opened again on the same port.
pub struct Gate {
    port: u16,
    target: SocketAddr,
    task: Option<tokio::task::JoinHandle<()>>,
    relays: Arc<tokio::sync::Mutex<tokio::task::JoinSet<()>>>,
}

impl Gate {
    pub async fn open(target: SocketAddr) -> Gate {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut gate = Gate {
            port,
            target,
            task: None,
            relays: Arc::default(),
        };
        gate.serve(listener);
        gate
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops listening and cuts every relayed connection; returns once they are all shut.
    pub async fn close(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
        let mut relays = self.relays.lock().await;
        relays.abort_all();
        while relays.join_next().await.is_some() {}
    }

    /// Listens again on the same port.
    pub async fn reopen(&mut self) {
        self.close().await;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port))
            .await
            .unwrap();
        self.serve(listener);
    }

    fn serve(&mut self, listener: tokio::net::TcpListener) {
        let target = self.target;
        let relays = self.relays.clone();
        self.task = Some(tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    continue;
                };
                let mut relays = relays.lock().await;
                while relays.try_join_next().is_some() {}
                relays.spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        }));
    }
}
