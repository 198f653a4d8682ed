//! The realtime gateway's control-plane side: which module decides a join or answers a
//! push, by topic family, and the node-wide parts they share (presence, the relay to other
//! nodes, the comment limiter).
//!
//! | topic | join decided by | pushes handled here |
//! |---|---|---|
//! | `room:{id}`, `chat:room:{id}` | [`chat::recover`] (when it asks for recovery) | `new_message` |
//! | `presence:room:{id}` | [`Presence::join`] | — |
//! | `signaling:call:{id}` | [`signaling::authorize`] | the call events |
//! | `comments:stream:{id}` | the shard (open to all) | `new_comment` |
//! | `media:{id}` | ownership in the store | — |

use std::sync::Arc;

use bytes::Bytes;
use codecs::ring::{
    BroadcastRecord, JoinAccepted, JoinRequestRecord, JoinVerdictRecord, LeftRecord, PushRecord,
    ToShard,
};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::bridge::Shards;
use crate::comments::{self, CommentLimiter};
use crate::node::Services;
use crate::presence::{self, Presence};
use crate::relay::Relay;
use crate::{chat, signaling};

/// An error response `{"reason": …}`.
pub fn refusal(reason: &str) -> Bytes {
    Bytes::from(serde_json::json!({ "reason": reason }).to_string())
}

/// The node-wide realtime state.
pub struct Gateway {
    /// Presence on `presence:room:*`.
    pub presence: Arc<Presence>,
    /// Broadcasts to and from other nodes.
    pub relay: Arc<Relay>,
    /// Per-user comment rate limits.
    pub comments: CommentLimiter,
}

impl Gateway {
    /// The gateway of `services`' node, delivering through `shards`.
    pub fn new(services: &Services, shards: &Shards) -> Gateway {
        let node = &services.node_id;
        Gateway {
            presence: Arc::new(Presence::new(
                node,
                services.bus.clone(),
                shards.clone(),
                services.config.presence_node_timeout,
            )),
            relay: Arc::new(Relay::new(node, services.bus.clone(), shards.clone())),
            comments: CommentLimiter::default(),
        }
    }

    /// Starts listening to the other nodes (presence and relayed broadcasts).
    pub async fn start(&self) -> anyhow::Result<Vec<JoinHandle<()>>> {
        Ok(vec![
            self.presence.start().await?,
            self.relay.start().await?,
        ])
    }

    /// Decides a join the shard asked about and queues the verdict on `answers`.
    pub async fn join(
        &self,
        request: &JoinRequestRecord,
        services: &Services,
        answers: &mpsc::Sender<ToShard>,
    ) {
        if presence::is_presence_topic(&request.topic) {
            // Presence queues its own verdict, under its lock (see `presence`).
            return self.presence.join(request, answers).await;
        }
        // A recovering room join holds the room's lock until its verdict is queued, so no
        // broadcast of that room slips between (see `chat`).
        let room = chat::room_of(&request.topic);
        let _room_lock = match &room {
            Some(room) => Some(chat::lock_room(room).await),
            None => None,
        };
        let verdict = match &room {
            Some(room) => chat::recover(request, room, services).await,
            None if request.topic.starts_with("signaling:") => {
                signaling::authorize(request, services).await
            }
            None => authorize_media_join(&request.user, &request.topic, services)
                .await
                .map(|()| JoinAccepted::default()),
        };
        let record = JoinVerdictRecord {
            request_id: request.request_id,
            left_if_unapplied: None,
            verdict,
        };
        let _ = answers.send(ToShard::JoinVerdict(Box::new(record))).await;
    }

    /// Answers a push the shard handed over: `Ok` response or `Err` error response.
    pub async fn push(
        &self,
        push: &PushRecord,
        services: &Services,
        shards: &Shards,
    ) -> Result<Bytes, Bytes> {
        if push.topic.starts_with("comments:stream:") && push.event == "new_comment" {
            return comments::new_comment(push, &self.comments, shards, &self.relay).await;
        }
        if push.topic.starts_with("signaling:call:") {
            return signaling::relay(push, services, shards, &self.relay)
                .await
                .map_err(|reason| refusal(&reason));
        }
        chat::handle(push, services, shards)
            .await
            .map_err(|reason| refusal(&reason))
    }

    /// A socket left a tracked topic.
    pub async fn left(&self, left: &LeftRecord) {
        if presence::is_presence_topic(&left.topic) {
            self.presence.leave(left).await;
        }
    }

    /// A shard (re)started: forget what was tracked of its earlier sockets.
    pub async fn shard_started(&self, shard: codecs::ring::ShardId) {
        self.presence.forget_shard(shard).await;
    }

    /// A broadcast a shard delivered on this node (typing), for the other nodes.
    pub async fn relay(&self, broadcast: &BroadcastRecord) {
        self.relay
            .to_other_nodes(&broadcast.topic, &broadcast.event, &broadcast.payload)
            .await;
    }
}

/// Whether `user` may join `topic`: a `media:{id}` topic only by the asset's owner.
async fn authorize_media_join(user: &str, topic: &str, services: &Services) -> Result<(), String> {
    let Some(media) = topic.strip_prefix("media:") else {
        return Err("unauthorized".to_string());
    };
    let id = codecs::ResourceId::new(media).map_err(|_| "unauthorized".to_string())?;
    match services.store.get_media_asset(&id).await {
        Ok(Some(asset)) if asset.user_id.as_str() == user => Ok(()),
        Ok(_) => Err("unauthorized".to_string()),
        Err(e) => {
            tracing::warn!(error = %e, "cannot check media ownership");
            Err("unavailable".to_string())
        }
    }
}
