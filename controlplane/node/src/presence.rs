//! Phoenix Presence on `presence:room:{id}` topics, the same on every node.
//!
//! Semantics (as Phoenix.Presence): each joined socket is one *meta* under its user's key,
//! with a unique `phx_ref`; a user with several sockets has several metas. A joining socket
//! gets `presence_state` (every key and its metas) right after its join reply, and every
//! subscriber gets `presence_diff` `{"joins": {key: {"metas": […]}}, "leaves": {…}}` when
//! metas come or go. A socket's meta goes when it leaves or disconnects. Metas carry
//! `phx_ref`, `online_at` (ms since the epoch) and `status` (the join's `status`, default
//! `online`).
//!
//! One lock orders every change with the verdicts it affects: a join's snapshot and the
//! queuing of its verdict happen under it, and so does the queuing of every diff, so on a
//! shard's FIFO downlink a joiner sees each meta exactly once — in its state or in a diff.
//!
//! Across nodes (our own protocol, not Phoenix.Tracker's CRDT): each node owns its sockets'
//! metas and is the only one to change them. It sends every change as a numbered `delta` on
//! the bus signal [`SIGNAL`], a `heartbeat` with its current number every third of
//! `PRESENCE_NODE_TIMEOUT_MS`, and its whole `state` when asked. A node that sees a number
//! it did not expect (a missed signal, a node it never heard of) asks for the state and
//! replaces what it held of that node. A node not heard from within the timeout has its
//! metas removed (as leaves); a node that stops says `down` so the others need not wait.
//! Signals are at most once; the numbering makes any loss visible and repaired.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use codecs::ring::{JoinAccepted, JoinRequestRecord, JoinVerdictRecord, LeftRecord, SocketRef};
use codecs::{Event, Payload, ResourceId};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

use crate::bridge::Shards;

/// The bus signal presence replication travels on.
pub const SIGNAL: &str = "presence";

/// Longest `status` a join may set.
const MAX_STATUS_LEN: usize = 64;

/// The topic prefix presence is kept for.
const TOPIC_PREFIX: &str = "presence:room:";

/// One meta of a key on a topic, and who owns it.
#[derive(Debug, Clone)]
struct Meta {
    /// The meta as clients see it (`phx_ref` included).
    fields: Map<String, Value>,
    owner: Owner,
}

impl Meta {
    fn phx_ref(&self) -> &str {
        self.fields
            .get("phx_ref")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Owner {
    /// A socket of this node.
    Local(SocketRef),
    /// A socket of another node.
    Remote(String),
}

/// What another node told us about itself.
#[derive(Debug)]
struct Peer {
    last_seen: Instant,
    /// The last change number applied; `None` until its state arrived.
    version: Option<u64>,
    /// When the last state request went out (to avoid asking on every heartbeat).
    asked: Option<Instant>,
}

#[derive(Debug, Default)]
struct State {
    /// topic → key → metas.
    topics: HashMap<String, BTreeMap<String, Vec<Meta>>>,
    /// Change number of this node's own metas.
    version: u64,
    next_ref: u64,
    peers: HashMap<String, Peer>,
}

/// Changes on one topic, as a `presence_diff` payload is made of.
#[derive(Debug, Default)]
struct TopicDiff {
    joins: BTreeMap<String, Vec<Map<String, Value>>>,
    leaves: BTreeMap<String, Vec<Map<String, Value>>>,
}

impl TopicDiff {
    fn payload(&self) -> Bytes {
        let group = |side: &BTreeMap<String, Vec<Map<String, Value>>>| {
            side.iter()
                .map(|(key, metas)| (key.clone(), json!({ "metas": metas })))
                .collect::<Map<String, Value>>()
        };
        let diff = json!({ "joins": group(&self.joins), "leaves": group(&self.leaves) });
        Bytes::from(diff.to_string())
    }
}

/// A meta on the wire between nodes.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct WireMeta {
    topic: String,
    key: String,
    meta: Map<String, Value>,
}

/// A meta's removal on the wire between nodes.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct WireLeave {
    topic: String,
    key: String,
    phx_ref: String,
}

/// What nodes tell each other on [`SIGNAL`].
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Wire {
    Heartbeat {
        node: String,
        version: u64,
    },
    Delta {
        node: String,
        version: u64,
        joins: Vec<WireMeta>,
        leaves: Vec<WireLeave>,
    },
    SyncRequest {
        node: String,
        to: String,
    },
    State {
        node: String,
        version: u64,
        metas: Vec<WireMeta>,
    },
    Down {
        node: String,
    },
}

/// This node's presence: its own sockets' metas and what other nodes reported.
pub struct Presence {
    node: String,
    bus: Arc<dyn bus::Bus>,
    shards: Shards,
    timeout: Duration,
    state: Mutex<State>,
}

/// The room a presence topic names, if it is one.
pub fn is_presence_topic(topic: &str) -> bool {
    topic
        .strip_prefix(TOPIC_PREFIX)
        .is_some_and(|id| ResourceId::new(id).is_ok())
}

impl Presence {
    /// Presence for node `node`, replicating over `bus` and delivering to `shards`.
    pub fn new(node: &str, bus: Arc<dyn bus::Bus>, shards: Shards, timeout: Duration) -> Self {
        Presence {
            node: node.to_string(),
            bus,
            shards,
            timeout,
            state: Mutex::new(State::default()),
        }
    }

    /// Whether replication is worth doing: only a shared bus has other nodes on it.
    fn replicated(&self) -> bool {
        self.bus.kind() != "memory"
    }

    /// Tracks a socket's join and queues its verdict (`presence_state` to replay) on
    /// `answers`, then the join's diff to every subscriber.
    pub async fn join(
        &self,
        request: &JoinRequestRecord,
        answers: &tokio::sync::mpsc::Sender<codecs::ring::ToShard>,
    ) {
        let socket = SocketRef {
            shard: request.shard,
            socket: request.socket,
        };
        let verdict = |verdict| JoinVerdictRecord {
            request_id: request.request_id,
            left_if_unapplied: Some(LeftRecord {
                socket,
                topic: request.topic.clone(),
            }),
            verdict,
        };
        let fields = match self.new_meta_fields(request) {
            Ok(fields) => fields,
            Err(reason) => {
                let record = verdict(Err(reason));
                let _ = answers
                    .send(codecs::ring::ToShard::JoinVerdict(Box::new(record)))
                    .await;
                return;
            }
        };
        let mut state = self.state.lock().await;
        let topic = state.topics.entry(request.topic.clone()).or_default();
        let already = topic
            .values()
            .flatten()
            .any(|m| m.owner == Owner::Local(socket));
        let mut added = None;
        if !already {
            let mut fields = fields;
            let phx_ref = format!("{}-{}", self.node, state_next_ref(&mut state.next_ref));
            fields.insert("phx_ref".into(), Value::String(phx_ref));
            let meta = Meta {
                fields,
                owner: Owner::Local(socket),
            };
            let topic = state.topics.entry(request.topic.clone()).or_default();
            topic
                .entry(request.user.clone())
                .or_default()
                .push(meta.clone());
            state.version += 1;
            added = Some(meta);
        }
        let snapshot = state_payload(state.topics.get(&request.topic));
        let accepted = JoinAccepted {
            response: Bytes::from_static(b"{}"),
            replay: vec![(Arc::from("presence_state"), snapshot)],
        };
        let _ = answers
            .send(codecs::ring::ToShard::JoinVerdict(Box::new(verdict(Ok(
                accepted,
            )))))
            .await;
        let Some(meta) = added else {
            return;
        };
        let mut diff = TopicDiff::default();
        diff.joins
            .entry(request.user.clone())
            .or_default()
            .push(meta.fields.clone());
        self.shards
            .broadcast(&request.topic, "presence_diff", diff.payload())
            .await;
        if self.replicated() {
            let delta = Wire::Delta {
                node: self.node.clone(),
                version: state.version,
                joins: vec![WireMeta {
                    topic: request.topic.clone(),
                    key: request.user.clone(),
                    meta: meta.fields.clone(),
                }],
                leaves: Vec::new(),
            };
            self.send(&delta).await;
        }
        drop(state);
        self.publish_update(&request.topic, &request.user, &meta.fields)
            .await;
    }

    /// The meta fields of a join, from its payload (`{"status": "…"}` optional).
    fn new_meta_fields(&self, request: &JoinRequestRecord) -> Result<Map<String, Value>, String> {
        if !is_presence_topic(&request.topic) {
            return Err("unauthorized".into());
        }
        let payload: Value = if request.payload.is_empty() {
            Value::Object(Map::new())
        } else {
            serde_json::from_slice(&request.payload)
                .map_err(|e| format!("invalid join payload: {e}"))?
        };
        let status = match payload.get("status") {
            None | Some(Value::Null) => "online".to_string(),
            Some(Value::String(s)) if !s.is_empty() && s.len() <= MAX_STATUS_LEN => s.clone(),
            Some(_) => {
                return Err(format!(
                    "status must be a string of 1 to {MAX_STATUS_LEN} bytes"
                ));
            }
        };
        let online_at = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
        let mut fields = Map::new();
        fields.insert("online_at".into(), json!(online_at as i64));
        fields.insert("status".into(), Value::String(status));
        Ok(fields)
    }

    /// Removes a socket's meta from a topic (it left or disconnected) and tells the topic.
    pub async fn leave(&self, left: &LeftRecord) {
        let mut state = self.state.lock().await;
        let topics = std::slice::from_ref(&left.topic);
        let (diffs, leaves) = remove_local(&mut state, topics, |s| s == left.socket);
        let gone_keys: Vec<String> = diffs
            .get(&left.topic)
            .map(|d| d.leaves.keys().cloned().collect())
            .unwrap_or_default();
        self.announce_local_leaves(&mut state, diffs, leaves).await;
        let still_here: HashSet<String> = state
            .topics
            .get(&left.topic)
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default();
        drop(state);
        for key in gone_keys.iter().filter(|k| !still_here.contains(*k)) {
            let mut offline = Map::new();
            offline.insert("status".into(), Value::String("offline".into()));
            self.publish_update(&left.topic, key, &offline).await;
        }
    }

    /// Removes every meta of a shard's sockets (the shard restarted: they are gone).
    pub async fn forget_shard(&self, shard: codecs::ring::ShardId) {
        let mut state = self.state.lock().await;
        let topics: Vec<String> = state.topics.keys().cloned().collect();
        let (diffs, leaves) = remove_local(&mut state, &topics, |s| s.shard == shard);
        if !leaves.is_empty() {
            tracing::warn!(
                shard,
                metas = leaves.len(),
                "shard restarted; its presences removed"
            );
        }
        self.announce_local_leaves(&mut state, diffs, leaves).await;
    }

    /// Tells this node's subscribers (`diffs`) and the other nodes (`leaves`, as one
    /// numbered delta) that local metas went; call with the state locked.
    async fn announce_local_leaves(
        &self,
        state: &mut State,
        diffs: BTreeMap<String, TopicDiff>,
        leaves: Vec<WireLeave>,
    ) {
        if leaves.is_empty() {
            return;
        }
        state.version += 1;
        self.deliver(diffs).await;
        if self.replicated() {
            let delta = Wire::Delta {
                node: self.node.clone(),
                version: state.version,
                joins: Vec::new(),
                leaves,
            };
            self.send(&delta).await;
        }
    }

    /// `presence.update` on the bus for systems that follow presence (best effort).
    async fn publish_update(&self, topic: &str, user: &str, fields: &Map<String, Value>) {
        let room = topic.strip_prefix(TOPIC_PREFIX).unwrap_or(topic);
        let (Ok(room_id), Ok(user_id)) = (ResourceId::new(room), ResourceId::new(user)) else {
            return;
        };
        let status = fields
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or("online")
            .to_string();
        let event = Event::new(
            "armoricore",
            Payload::PresenceUpdate(codecs::events::PresenceUpdate {
                user_id,
                room_id,
                status,
                timestamp: time::OffsetDateTime::now_utc(),
            }),
        );
        if let Err(e) = bus::publish_event(self.bus.as_ref(), &event).await {
            tracing::warn!(error = %e, "presence.update not published");
        }
    }

    async fn send(&self, wire: &Wire) {
        let payload = match serde_json::to_vec(wire) {
            Ok(json) => Bytes::from(json),
            Err(e) => {
                tracing::error!(error = %e, "cannot encode a presence signal");
                return;
            }
        };
        if let Err(e) = self.bus.signal(SIGNAL, payload).await {
            // Peers notice the gap in the numbering at the next heartbeat and ask for state.
            tracing::warn!(error = %e, "presence signal not sent");
        }
    }

    /// This node's own metas, for a state answer.
    fn own_metas(&self, state: &State) -> Vec<WireMeta> {
        state
            .topics
            .iter()
            .flat_map(|(topic, keys)| {
                keys.iter().flat_map(move |(key, metas)| {
                    metas
                        .iter()
                        .filter(|m| matches!(m.owner, Owner::Local(_)))
                        .map(move |m| WireMeta {
                            topic: topic.clone(),
                            key: key.clone(),
                            meta: m.fields.clone(),
                        })
                })
            })
            .collect()
    }

    /// Applies one signal from the bus.
    async fn on_signal(&self, wire: Wire) {
        let from = match &wire {
            Wire::Heartbeat { node, .. }
            | Wire::Delta { node, .. }
            | Wire::SyncRequest { node, .. }
            | Wire::State { node, .. }
            | Wire::Down { node } => node.clone(),
        };
        if from == self.node {
            return;
        }
        let mut state = self.state.lock().await;
        let now = Instant::now();
        let peer = state.peers.entry(from.clone()).or_insert(Peer {
            last_seen: now,
            version: None,
            asked: None,
        });
        peer.last_seen = now;
        match wire {
            Wire::SyncRequest { to, .. } => {
                if to == self.node {
                    let answer = Wire::State {
                        node: self.node.clone(),
                        version: state.version,
                        metas: self.own_metas(&state),
                    };
                    self.send(&answer).await;
                }
            }
            Wire::Heartbeat { version, .. } => {
                if peer.version != Some(version) {
                    self.ask_state(&mut state, &from).await;
                }
            }
            Wire::Delta {
                version,
                joins,
                leaves,
                ..
            } => match peer.version {
                Some(known) if version <= known => {} // old news
                Some(known) if version == known + 1 => {
                    peer.version = Some(version);
                    let diffs = apply_delta(&mut state, &from, joins, leaves);
                    self.deliver(diffs).await;
                }
                _ => self.ask_state(&mut state, &from).await,
            },
            Wire::State { version, metas, .. } => {
                peer.version = Some(version);
                peer.asked = None;
                let diffs = replace_node(&mut state, &from, metas);
                self.deliver(diffs).await;
            }
            Wire::Down { .. } => {
                state.peers.remove(&from);
                let diffs = replace_node(&mut state, &from, Vec::new());
                self.deliver(diffs).await;
            }
        }
    }

    async fn ask_state(&self, state: &mut State, node: &str) {
        let Some(peer) = state.peers.get_mut(node) else {
            return;
        };
        // One request per heartbeat interval at most: the answer may be on its way.
        if peer
            .asked
            .is_some_and(|at| at.elapsed() < self.heartbeat_every())
        {
            return;
        }
        peer.asked = Some(Instant::now());
        let request = Wire::SyncRequest {
            node: self.node.clone(),
            to: node.to_string(),
        };
        self.send(&request).await;
    }

    async fn deliver(&self, diffs: BTreeMap<String, TopicDiff>) {
        for (topic, diff) in diffs {
            self.shards
                .broadcast(&topic, "presence_diff", diff.payload())
                .await;
        }
    }

    fn heartbeat_every(&self) -> Duration {
        (self.timeout / 3).max(Duration::from_millis(100))
    }

    /// Sends heartbeats and removes the metas of nodes silent for longer than the timeout.
    async fn tick(&self) {
        let mut state = self.state.lock().await;
        let heartbeat = Wire::Heartbeat {
            node: self.node.clone(),
            version: state.version,
        };
        self.send(&heartbeat).await;
        let dead: Vec<String> = state
            .peers
            .iter()
            .filter(|(_, p)| p.last_seen.elapsed() > self.timeout)
            .map(|(node, _)| node.clone())
            .collect();
        for node in dead {
            tracing::warn!(%node, timeout = ?self.timeout, "node silent; removing its presences");
            state.peers.remove(&node);
            let diffs = replace_node(&mut state, &node, Vec::new());
            self.deliver(diffs).await;
        }
    }

    /// Starts replication (a no-op task on an in-process bus): listens to the other nodes
    /// and announces this one until the task is aborted.
    pub async fn start(self: &Arc<Self>) -> anyhow::Result<JoinHandle<()>> {
        if !self.replicated() {
            return Ok(tokio::spawn(async {}));
        }
        let mut signals = self.bus.signals(SIGNAL).await?;
        let listener = {
            let presence = self.clone();
            async move {
                while let Some(message) = signals.next().await {
                    match serde_json::from_slice::<Wire>(&message.payload) {
                        Ok(wire) => presence.on_signal(wire).await,
                        Err(e) => tracing::warn!(error = %e, "undecodable presence signal"),
                    }
                }
            }
        };
        let ticker = {
            let presence = self.clone();
            async move {
                let mut every = tokio::time::interval(presence.heartbeat_every());
                loop {
                    every.tick().await;
                    presence.tick().await;
                }
            }
        };
        Ok(tokio::spawn(async move {
            tokio::join!(listener, ticker);
        }))
    }

    /// Tells the other nodes this one is going, so they drop its metas now.
    pub async fn announce_down(&self) {
        if self.replicated() {
            let down = Wire::Down {
                node: self.node.clone(),
            };
            self.send(&down).await;
        }
    }
}

/// Removes, from `topics`, the metas of this node's sockets that `gone` selects; returns
/// the diffs per topic and the same removals as wire leaves for the other nodes.
fn remove_local(
    state: &mut State,
    topics: &[String],
    gone: impl Fn(SocketRef) -> bool,
) -> (BTreeMap<String, TopicDiff>, Vec<WireLeave>) {
    let mut diffs: BTreeMap<String, TopicDiff> = BTreeMap::new();
    let mut leaves = Vec::new();
    for topic in topics {
        let Some(keys) = state.topics.get_mut(topic) else {
            continue;
        };
        keys.retain(|key, metas| {
            metas.retain(|m| {
                let Owner::Local(socket) = m.owner else {
                    return true;
                };
                if !gone(socket) {
                    return true;
                }
                let diff = diffs.entry(topic.clone()).or_default();
                diff.leaves
                    .entry(key.clone())
                    .or_default()
                    .push(m.fields.clone());
                leaves.push(WireLeave {
                    topic: topic.clone(),
                    key: key.clone(),
                    phx_ref: m.phx_ref().to_string(),
                });
                false
            });
            !metas.is_empty()
        });
        if keys.is_empty() {
            state.topics.remove(topic);
        }
    }
    (diffs, leaves)
}

fn state_next_ref(next: &mut u64) -> u64 {
    *next += 1;
    *next
}

/// The `presence_state` payload of a topic.
fn state_payload(topic: Option<&BTreeMap<String, Vec<Meta>>>) -> Bytes {
    let state: Map<String, Value> = topic
        .into_iter()
        .flatten()
        .map(|(key, metas)| {
            let metas: Vec<&Map<String, Value>> = metas.iter().map(|m| &m.fields).collect();
            (key.clone(), json!({ "metas": metas }))
        })
        .collect();
    Bytes::from(Value::Object(state).to_string())
}

/// Applies a node's delta; returns the diffs per topic.
fn apply_delta(
    state: &mut State,
    node: &str,
    joins: Vec<WireMeta>,
    leaves: Vec<WireLeave>,
) -> BTreeMap<String, TopicDiff> {
    let mut diffs: BTreeMap<String, TopicDiff> = BTreeMap::new();
    for leave in leaves {
        let Some(topic) = state.topics.get_mut(&leave.topic) else {
            continue;
        };
        if let Some(metas) = topic.get_mut(&leave.key) {
            if let Some(at) = metas.iter().position(|m| {
                m.owner == Owner::Remote(node.to_string()) && m.phx_ref() == leave.phx_ref
            }) {
                let gone = metas.remove(at);
                diffs
                    .entry(leave.topic.clone())
                    .or_default()
                    .leaves
                    .entry(leave.key.clone())
                    .or_default()
                    .push(gone.fields);
            }
            if metas.is_empty() {
                topic.remove(&leave.key);
            }
        }
        if topic.is_empty() {
            state.topics.remove(&leave.topic);
        }
    }
    for join in joins {
        if !is_presence_topic(&join.topic) {
            continue;
        }
        let meta = Meta {
            fields: join.meta,
            owner: Owner::Remote(node.to_string()),
        };
        let metas = state
            .topics
            .entry(join.topic.clone())
            .or_default()
            .entry(join.key.clone())
            .or_default();
        if metas.iter().any(|m| m.phx_ref() == meta.phx_ref()) {
            continue;
        }
        diffs
            .entry(join.topic)
            .or_default()
            .joins
            .entry(join.key)
            .or_default()
            .push(meta.fields.clone());
        metas.push(meta);
    }
    diffs
}

/// Replaces everything held of `node` with `metas`; returns the diffs per topic.
fn replace_node(
    state: &mut State,
    node: &str,
    metas: Vec<WireMeta>,
) -> BTreeMap<String, TopicDiff> {
    let owner = Owner::Remote(node.to_string());
    let incoming: HashSet<(String, String, String)> = metas
        .iter()
        .map(|m| {
            let phx_ref = m.meta.get("phx_ref").and_then(Value::as_str);
            (
                m.topic.clone(),
                m.key.clone(),
                phx_ref.unwrap_or_default().to_string(),
            )
        })
        .collect();
    let mut leaves = Vec::new();
    for (topic, keys) in &state.topics {
        for (key, held) in keys {
            for meta in held.iter().filter(|m| m.owner == owner) {
                let id = (topic.clone(), key.clone(), meta.phx_ref().to_string());
                if !incoming.contains(&id) {
                    leaves.push(WireLeave {
                        topic: topic.clone(),
                        key: key.clone(),
                        phx_ref: id.2,
                    });
                }
            }
        }
    }
    let mut diffs = apply_delta(state, node, Vec::new(), leaves);
    for (topic, diff) in apply_delta(state, node, metas, Vec::new()) {
        diffs.entry(topic).or_default().joins.extend(diff.joins);
    }
    diffs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire_meta(topic: &str, key: &str, phx_ref: &str) -> WireMeta {
        let mut meta = Map::new();
        meta.insert("phx_ref".into(), json!(phx_ref));
        meta.insert("status".into(), json!("online"));
        WireMeta {
            topic: topic.into(),
            key: key.into(),
            meta,
        }
    }

    fn refs(state: &State, topic: &str, key: &str) -> Vec<String> {
        state
            .topics
            .get(topic)
            .and_then(|t| t.get(key))
            .map(|metas| metas.iter().map(|m| m.phx_ref().to_string()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn a_delta_adds_and_removes_a_nodes_metas_and_reports_each_once() {
        let mut state = State::default();
        let t = "presence:room:r1";
        let diffs = apply_delta(
            &mut state,
            "b",
            vec![wire_meta(t, "alice", "b-1"), wire_meta(t, "alice", "b-2")],
            vec![],
        );
        assert_eq!(refs(&state, t, "alice"), ["b-1", "b-2"]);
        assert_eq!(diffs[t].joins["alice"].len(), 2);
        // The same join again (a repeated delta) changes nothing.
        let diffs = apply_delta(&mut state, "b", vec![wire_meta(t, "alice", "b-1")], vec![]);
        assert!(diffs.is_empty());
        let leave = WireLeave {
            topic: t.into(),
            key: "alice".into(),
            phx_ref: "b-1".into(),
        };
        let diffs = apply_delta(&mut state, "b", vec![], vec![leave]);
        assert_eq!(refs(&state, t, "alice"), ["b-2"]);
        assert_eq!(diffs[t].leaves["alice"][0]["phx_ref"], "b-1");
    }

    #[test]
    fn a_node_cannot_remove_another_nodes_meta() {
        let mut state = State::default();
        let t = "presence:room:r1";
        apply_delta(&mut state, "b", vec![wire_meta(t, "alice", "x")], vec![]);
        let leave = WireLeave {
            topic: t.into(),
            key: "alice".into(),
            phx_ref: "x".into(),
        };
        assert!(apply_delta(&mut state, "c", vec![], vec![leave]).is_empty());
        assert_eq!(refs(&state, t, "alice"), ["x"]);
    }

    #[test]
    fn a_state_replaces_what_was_held_of_that_node_only() {
        let mut state = State::default();
        let t = "presence:room:r1";
        apply_delta(
            &mut state,
            "b",
            vec![wire_meta(t, "alice", "b-1"), wire_meta(t, "bob", "b-2")],
            vec![],
        );
        apply_delta(&mut state, "c", vec![wire_meta(t, "carol", "c-1")], vec![]);
        let diffs = replace_node(
            &mut state,
            "b",
            vec![wire_meta(t, "bob", "b-2"), wire_meta(t, "dan", "b-3")],
        );
        assert!(refs(&state, t, "alice").is_empty());
        assert_eq!(refs(&state, t, "bob"), ["b-2"]);
        assert_eq!(refs(&state, t, "dan"), ["b-3"]);
        assert_eq!(refs(&state, t, "carol"), ["c-1"]);
        let diff = &diffs[t];
        assert_eq!(diff.leaves.keys().collect::<Vec<_>>(), ["alice"]);
        assert_eq!(diff.joins.keys().collect::<Vec<_>>(), ["dan"]);
        // A dead node: everything of it goes, as leaves.
        let diffs = replace_node(&mut state, "b", vec![]);
        assert_eq!(diffs[t].leaves.len(), 2);
        assert_eq!(refs(&state, t, "carol"), ["c-1"]);
        assert!(!state.topics[t].contains_key("bob"));
    }

    #[test]
    fn state_and_diff_payloads_have_phoenix_shapes() {
        let mut state = State::default();
        let t = "presence:room:r1";
        apply_delta(
            &mut state,
            "b",
            vec![wire_meta(t, "alice", "b-1"), wire_meta(t, "alice", "b-2")],
            vec![],
        );
        let payload: Value = serde_json::from_slice(&state_payload(state.topics.get(t))).unwrap();
        assert_eq!(payload["alice"]["metas"][1]["phx_ref"], "b-2");
        let mut diff = TopicDiff::default();
        diff.leaves
            .entry("alice".into())
            .or_default()
            .push(wire_meta(t, "alice", "b-1").meta);
        let payload: Value = serde_json::from_slice(&diff.payload()).unwrap();
        assert_eq!(payload["joins"], json!({}));
        assert_eq!(payload["leaves"]["alice"]["metas"][0]["phx_ref"], "b-1");
    }

    #[test]
    fn only_presence_room_topics_are_presence_topics() {
        assert!(is_presence_topic("presence:room:lobby"));
        assert!(!is_presence_topic("presence:room:"));
        assert!(!is_presence_topic("presence:room:../x"));
        assert!(!is_presence_topic("room:lobby"));
    }
}
