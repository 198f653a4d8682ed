//! Proves two node processes on one nats-server and one PostgreSQL act as one gateway: a
//! room message on one reaches the room's sockets on the other (same offset, no echo back
//! to its own node), presence lists agree on both, typing and call signaling cross over,
//! and a node that dies (SIGKILL, no goodbye) has its presences removed from the other
//! within `PRESENCE_NODE_TIMEOUT_MS`.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod support;

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use armoricore::auth::TokenKeys;
use codecs::ResourceId;
use serde_json::json;
use support::socket::{
    Msg, PresenceView, Socket, connect_v2, join, next_event, presence_until, push, send,
};

const SECRET: &str = "multi-node-test-secret-0123456789abcdef";
const PRESENCE_TIMEOUT: Duration = Duration::from_millis(1500);

/// A node process; killed when dropped.
struct NodeProcess {
    child: Child,
    addr: SocketAddr,
    _dir: tempfile::TempDir,
}

impl NodeProcess {
    fn start(nats: &str, database: &str) -> NodeProcess {
        let dir = tempfile::tempdir().unwrap();
        let port = testkit::free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_armoricore"))
            .arg("node")
            .env_clear()
            .env("ARMORICORE_DATA_DIR", dir.path())
            .env("ARMORICORE_BIND", "127.0.0.1")
            .env("PORT", port.to_string())
            .env("MESSAGE_BUS_URL", nats)
            .env("DATABASE_URL", database)
            .env("JWT_SECRET", SECRET)
            .env("DATAPLANE_CORES", "1")
            .env("SHUTDOWN_GRACE_SECS", "1")
            .env(
                "PRESENCE_NODE_TIMEOUT_MS",
                PRESENCE_TIMEOUT.as_millis().to_string(),
            )
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        assert!(
            testkit::wait_for_port(addr, Duration::from_secs(30)),
            "node did not listen on {addr}"
        );
        NodeProcess {
            child,
            addr,
            _dir: dir,
        }
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

fn token(user: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let config = support::config(dir.path(), &[("JWT_SECRET", SECRET)]);
    TokenKeys::load(&config.jwt, dir.path())
        .unwrap()
        .mint(&ResourceId::new(user).unwrap(), Duration::from_secs(600))
        .unwrap()
}

async fn connect(node: &NodeProcess, user: &str) -> Socket {
    connect_v2(node.addr, &token(user)).await
}

async fn joined(node: &NodeProcess, user: &str, topic: &str, payload: serde_json::Value) -> Socket {
    let mut socket = connect(node, user).await;
    let mut others = Vec::new();
    let (status, response) = join(&mut socket, topic, payload, &mut others).await;
    assert_eq!(status, "ok", "{user} joining {topic}: {response}");
    socket
}

/// Joins presence and returns the view (state included).
async fn join_presence(node: &NodeProcess, user: &str, topic: &str) -> (Socket, PresenceView) {
    let mut socket = joined(node, user, topic, json!({})).await;
    let mut view = PresenceView::default();
    presence_until(&mut socket, &mut view, |v| !v.0.is_empty()).await;
    (socket, view)
}

/// Presence replication settles within a heartbeat or two.
async fn settle() {
    tokio::time::sleep(PRESENCE_TIMEOUT / 2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_share_rooms_presence_signaling_and_drop_a_dead_nodes_presences() {
    let Some(nats) = testkit::NatsServer::start() else {
        return;
    };
    let Some(database) = testkit::require_env("ARMORICORE_TEST_DATABASE_URL") else {
        return;
    };
    let mut a = NodeProcess::start(&nats.url(), &database);
    let mut b = NodeProcess::start(&nats.url(), &database);
    let run = uuid::Uuid::new_v4().simple().to_string();

    // Chat: a message stored on A reaches B's sockets with the same offset, and back.
    let room = format!("room:mn-{run}");
    let mut alice = joined(&a, "alice", &room, json!({})).await;
    let mut bob = joined(&b, "bob", &room, json!({})).await;
    let mut others: Vec<Msg> = Vec::new();
    let mut alice_msgs: Vec<Msg> = Vec::new();
    let (status, reply) = push(
        &mut alice,
        &room,
        "new_message",
        json!({"content": "from A"}),
        "m1",
        &mut alice_msgs,
    )
    .await;
    assert_eq!(status, "ok", "{reply}");
    assert_eq!(reply["offset"], 1);
    let at_b = next_event(&mut bob, &room, "new_message").await;
    assert_eq!(
        (at_b["content"].as_str(), at_b["offset"].as_u64()),
        (Some("from A"), Some(1))
    );
    let (_, reply) = push(
        &mut bob,
        &room,
        "new_message",
        json!({"content": "from B"}),
        "m2",
        &mut others,
    )
    .await;
    assert_eq!(reply["offset"], 2);
    // alice sees her own message once (from her node, not again from the bus), then bob's.
    let mut seen_by_alice: Vec<u64> = alice_msgs
        .iter()
        .filter(|m| m.topic == room && m.event == "new_message")
        .map(|m| m.payload["offset"].as_u64().unwrap())
        .collect();
    while seen_by_alice.len() < 2 {
        seen_by_alice.push(
            next_event(&mut alice, &room, "new_message").await["offset"]
                .as_u64()
                .unwrap(),
        );
    }
    assert_eq!(seen_by_alice, [1, 2]);

    // Typing on B reaches A.
    send(
        &mut bob,
        &json!(["1", "t", room, "typing_start", {}]).to_string(),
    )
    .await;
    let typing = next_event(&mut alice, &room, "user_typing").await;
    assert_eq!(
        (typing["user_id"].as_str(), typing["typing"].as_bool()),
        (Some("bob"), Some(true))
    );

    // Presence: the same list on both nodes, whichever node a socket is on.
    let presence = format!("presence:room:mn-{run}");
    let (mut alice_p, mut view_a) = join_presence(&a, "alice", &presence).await;
    settle().await;
    let (mut bob_p, mut view_b) = join_presence(&b, "bob", &presence).await;
    let (_alice_on_b, _) = join_presence(&b, "alice", &presence).await;
    let everyone = |v: &PresenceView| v.users() == ["alice", "bob"] && v.metas("alice") == 2;
    presence_until(&mut alice_p, &mut view_a, everyone).await;
    presence_until(&mut bob_p, &mut view_b, everyone).await;
    // A socket that joins later on A gets the full list in its state.
    let (_carol, view_c) = join_presence(&a, "carol", &presence).await;
    assert!(
        view_c.users().contains(&"bob") && view_c.metas("alice") == 2,
        "{view_c:?}"
    );

    // Call signaling across nodes.
    let call = format!("signaling:call:mn-{run}");
    let mut caller = joined(&a, "alice", &call, json!({"peer": "bob"})).await;
    let mut callee = joined(&b, "bob", &call, json!({})).await;
    let (status, _) = push(
        &mut caller,
        &call,
        "call_offer",
        json!({"sdp": "x"}),
        "o",
        &mut others,
    )
    .await;
    assert_eq!(status, "ok");
    assert_eq!(
        next_event(&mut callee, &call, "call_offer").await["from"],
        "alice"
    );

    // B dies without a word: A drops bob and alice's socket on B within the timeout.
    let killed = Instant::now();
    b.kill();
    presence_until(&mut alice_p, &mut view_a, |v| {
        v.users() == ["alice", "carol"] && v.metas("alice") == 1
    })
    .await;
    let took = killed.elapsed();
    assert!(
        took <= PRESENCE_TIMEOUT + Duration::from_secs(2),
        "dead node's presences removed after {took:?}"
    );
    eprintln!("dead node's presences removed after {took:?} (timeout {PRESENCE_TIMEOUT:?})");
    // A still works on its own.
    let mut alice_msgs = Vec::new();
    let (status, reply) = push(
        &mut alice,
        &room,
        "new_message",
        json!({"content": "still here"}),
        "m3",
        &mut alice_msgs,
    )
    .await;
    assert_eq!((status.as_str(), reply["offset"].as_u64()), ("ok", Some(3)));
    a.kill();
}
