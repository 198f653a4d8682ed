//! Call signaling on `signaling:call:{id}`: the relay of `call_offer`, `call_answer`,
//! `ice_candidate`, `call_end` and `call_reject` between a call's two parties.
//!
//! The parties are fixed by the first join, which names the other one:
//! `{"peer": "<user id>"}` (the joiner is the caller). The call is kept in the store
//! (`calls`), so every node agrees on who may join. Later joins need no payload; only the
//! two parties may join, and nobody once the call has ended. A joiner whose `peer` differs
//! from the stored call is refused, so a call id cannot be taken over.
//!
//! A party's push reaches the call's other sockets (the other party's, and the sender's
//! other sockets, say a second tab) on every shard and node, never the sending socket,
//! with `from` set to the sender: the payload is otherwise passed through (a JSON object
//! up to [`MAX_SIGNAL_BYTES`]; SDP and ICE are the clients' business). `call_end` and
//! `call_reject` also end the call.

use bytes::Bytes;
use codecs::ResourceId;
use codecs::ring::{JoinAccepted, JoinRequestRecord, PushRecord, SocketRef};
use serde_json::Value;

use crate::bridge::Shards;
use crate::node::Services;
use crate::relay::Relay;

/// Largest signaling payload, in bytes (an SDP offer with many candidates fits).
pub const MAX_SIGNAL_BYTES: usize = 64 << 10;

/// The events relayed between the parties.
pub const EVENTS: [&str; 5] = [
    "call_offer",
    "call_answer",
    "ice_candidate",
    "call_end",
    "call_reject",
];

/// The call a topic names.
pub fn call_of(topic: &str) -> Option<ResourceId> {
    topic
        .strip_prefix("signaling:call:")
        .and_then(|id| ResourceId::new(id).ok())
}

/// The verdict on a join of a call topic.
pub async fn authorize(
    join: &JoinRequestRecord,
    services: &Services,
) -> Result<JoinAccepted, String> {
    let call = call_of(&join.topic).ok_or("unauthorized")?;
    let user = ResourceId::new(&join.user).map_err(|_| "unauthorized")?;
    let payload: Value = if join.payload.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&join.payload).map_err(|e| format!("invalid join payload: {e}"))?
    };
    let peer = match payload.get("peer") {
        None | Some(Value::Null) => None,
        Some(Value::String(peer)) => {
            Some(ResourceId::new(peer).map_err(|e| format!("invalid peer: {e}"))?)
        }
        Some(_) => return Err("peer must be a user id".into()),
    };
    let unavailable = |e: store::StoreError| {
        tracing::warn!(error = %e, "cannot read call parties");
        "unavailable".to_string()
    };
    let stored = match peer {
        Some(peer) if peer == user => return Err("peer must be another user".into()),
        Some(peer) => {
            let stored = services
                .store
                .open_call(&call, &user, &peer)
                .await
                .map_err(unavailable)?;
            let same_pair = (stored.caller == user && stored.callee == peer)
                || (stored.caller == peer && stored.callee == user);
            if !same_pair {
                return Err("unauthorized".into());
            }
            stored
        }
        None => services
            .store
            .get_call(&call)
            .await
            .map_err(unavailable)?
            .ok_or("unknown call: the first join names the peer ({\"peer\": user id})")?,
    };
    if stored.caller != user && stored.callee != user {
        return Err("unauthorized".into());
    }
    if stored.ended_at.is_some() {
        return Err("call ended".into());
    }
    let response = serde_json::json!({
        "call_id": stored.call_id, "caller": stored.caller, "callee": stored.callee,
    });
    Ok(JoinAccepted {
        response: Bytes::from(response.to_string()),
        replay: Vec::new(),
    })
}

/// Relays a party's push to the call's other sockets; `Ok` is the reply's response.
pub async fn relay(
    push: &PushRecord,
    services: &Services,
    shards: &Shards,
    relay: &Relay,
) -> Result<Bytes, String> {
    let call = call_of(&push.topic).ok_or("not a call topic")?;
    if !EVENTS.contains(&push.event.as_str()) {
        return Err(format!("unsupported event {}", push.event));
    }
    if push.payload.len() > MAX_SIGNAL_BYTES {
        return Err(format!("payload larger than {MAX_SIGNAL_BYTES} bytes"));
    }
    let mut payload: serde_json::Map<String, Value> = serde_json::from_slice(&push.payload)
        .map_err(|e| format!("payload must be a JSON object: {e}"))?;
    payload.insert("from".into(), Value::String(push.user.clone()));
    payload.insert("call_id".into(), Value::String(call.to_string()));
    if matches!(push.event.as_str(), "call_end" | "call_reject")
        && let Err(e) = services.store.end_call(&call).await
    {
        tracing::warn!(error = %e, %call, "cannot record the end of a call");
        return Err("unavailable".into());
    }
    let payload = Bytes::from(Value::Object(payload).to_string());
    let sender = SocketRef {
        shard: push.shard,
        socket: push.socket,
    };
    shards
        .broadcast_except(&push.topic, &push.event, payload.clone(), vec![sender])
        .await;
    relay
        .to_other_nodes(&push.topic, &push.event, &payload)
        .await;
    Ok(Bytes::from_static(b"{}"))
}
