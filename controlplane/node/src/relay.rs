//! Broadcasts that start on one node and must reach the sockets of the others: typing,
//! comments and call signaling (chat messages travel as `chat.message` events instead, and
//! presence has its own protocol in [`crate::presence`]).
//!
//! Carried on the bus signal [`SIGNAL`] (at most once, not stored: like the socket frames
//! they become, a relayed broadcast lost while a node is unreachable is not replayed). The
//! origin node has already delivered to its own shards, so a node skips what it sent.

use std::sync::Arc;

use bytes::Bytes;
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::task::JoinHandle;

use crate::bridge::Shards;

/// The bus signal relayed broadcasts travel on.
pub const SIGNAL: &str = "relay";

#[derive(Debug, Serialize, Deserialize)]
struct Wire {
    node: String,
    topic: String,
    event: String,
    /// The payload, JSON text.
    payload: String,
}

/// This node's end of the relay.
pub struct Relay {
    node: String,
    bus: Arc<dyn bus::Bus>,
    shards: Shards,
}

impl Relay {
    /// The relay of node `node`.
    pub fn new(node: &str, bus: Arc<dyn bus::Bus>, shards: Shards) -> Self {
        Relay {
            node: node.to_string(),
            bus,
            shards,
        }
    }

    /// Whether there can be other nodes (only on a shared bus).
    fn replicated(&self) -> bool {
        self.bus.kind() != "memory"
    }

    /// Sends a broadcast this node has delivered to its own shards to every other node.
    pub async fn to_other_nodes(&self, topic: &str, event: &str, payload: &Bytes) {
        if !self.replicated() {
            return;
        }
        let wire = Wire {
            node: self.node.clone(),
            topic: topic.to_string(),
            event: event.to_string(),
            payload: String::from_utf8_lossy(payload).into_owned(),
        };
        let json = match serde_json::to_vec(&wire) {
            Ok(json) => Bytes::from(json),
            Err(e) => {
                tracing::error!(error = %e, "cannot encode a relayed broadcast");
                return;
            }
        };
        if let Err(e) = self.bus.signal(SIGNAL, json).await {
            tracing::warn!(error = %e, topic, event, "broadcast not relayed to other nodes");
        }
    }

    /// Delivers other nodes' broadcasts to this node's shards until aborted.
    pub async fn start(self: &Arc<Self>) -> anyhow::Result<JoinHandle<()>> {
        if !self.replicated() {
            return Ok(tokio::spawn(async {}));
        }
        let mut signals = self.bus.signals(SIGNAL).await?;
        let relay = self.clone();
        Ok(tokio::spawn(async move {
            while let Some(message) = signals.next().await {
                let wire: Wire = match serde_json::from_slice(&message.payload) {
                    Ok(wire) => wire,
                    Err(e) => {
                        tracing::warn!(error = %e, "undecodable relayed broadcast");
                        continue;
                    }
                };
                if wire.node == relay.node {
                    continue;
                }
                relay
                    .shards
                    .broadcast(&wire.topic, &wire.event, Bytes::from(wire.payload))
                    .await;
            }
        }))
    }
}
