//! The bridge between the data-plane shards and the control plane.
//!
//! One reader task per shard drains the shard's uplink ring in batches; each HTTP request
//! is answered on its own task (so a slow `/health` check never holds up `/api/v1/events`),
//! and answers go back through a per-shard downlink task that owns the ring's sending end.
//! The reader never waits on the downlink, so a full inbox ring cannot deadlock the pair.

use std::sync::Arc;

use bytes::Bytes;
use codecs::ring::{
    AuthRequestRecord, AuthVerdictRecord, BroadcastRecord, FromShard, HttpRequestRecord,
    HttpResponseRecord, ToShard,
};
use dataplane::ControlLinks;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::http;
use crate::node::Services;

/// Records moved per wake-up at most.
const BATCH: usize = 256;

/// Answers queued for one shard before handlers wait (bounded; the downlink moves them
/// onto the shard's ring, which itself waits when full — nothing is dropped).
const DOWNLINK_QUEUE: usize = dataplane::RING_CAPACITY;

/// The control plane's way to every shard's inbox.
#[derive(Clone)]
pub struct Shards(Vec<mpsc::Sender<ToShard>>);

impl Shards {
    /// Delivers an event to every subscriber of `topic` on every shard: one record per
    /// shard, all sharing the one payload buffer.
    pub async fn broadcast(&self, topic: &str, event: &str, payload: Bytes) {
        let record = BroadcastRecord {
            topic: Arc::from(topic),
            event: Arc::from(event),
            payload,
        };
        for shard in &self.0 {
            let _ = shard
                .send(ToShard::Broadcast(Box::new(record.clone())))
                .await;
        }
    }
}

/// Starts the bridge tasks of every shard; they end when the shards drop their rings.
pub fn start(links: Vec<ControlLinks>, services: Arc<Services>) -> (Vec<JoinHandle<()>>, Shards) {
    let (senders, queues): (Vec<_>, Vec<_>) = links
        .iter()
        .map(|_| mpsc::channel::<ToShard>(DOWNLINK_QUEUE))
        .unzip();
    let shards = Shards(senders);
    let tasks = links
        .into_iter()
        .zip(queues)
        .zip(shards.0.clone())
        .map(|((link, queued), answers)| {
            tokio::spawn(serve_shard(
                link,
                answers,
                queued,
                services.clone(),
                shards.clone(),
            ))
        })
        .collect();
    (tasks, shards)
}

async fn serve_shard(
    link: ControlLinks,
    answers: mpsc::Sender<ToShard>,
    mut queued: mpsc::Receiver<ToShard>,
    services: Arc<Services>,
    shards: Shards,
) {
    let ControlLinks {
        shard,
        mut to_shard,
        mut from_shard,
    } = link;
    let downlink = tokio::spawn(async move {
        let mut batch = Vec::with_capacity(BATCH);
        while queued.recv_many(&mut batch, BATCH).await > 0 {
            if to_shard.send_batch(&mut batch).await.is_err() {
                break;
            }
        }
    });
    let mut batch = Vec::with_capacity(BATCH);
    while from_shard.recv_batch(&mut batch, BATCH).await > 0 {
        for record in batch.drain(..) {
            match record {
                FromShard::HttpRequest(request) => {
                    let answers = answers.clone();
                    let services = services.clone();
                    tokio::spawn(async move {
                        let response = answer(*request, &services).await;
                        let _ = answers
                            .send(ToShard::HttpResponse(Box::new(response)))
                            .await;
                    });
                }
                FromShard::Push(push) => {
                    let answers = answers.clone();
                    let services = services.clone();
                    let shards = shards.clone();
                    tokio::spawn(async move {
                        let record = codecs::ring::PushReplyRecord {
                            request_id: push.request_id,
                            reply: crate::chat::handle(&push, &services, &shards).await,
                        };
                        let _ = answers.send(ToShard::PushReply(Box::new(record))).await;
                    });
                }
                FromShard::AuthorizeJoin(request) => {
                    let answers = answers.clone();
                    let services = services.clone();
                    tokio::spawn(async move {
                        // A recovering room join holds the room's lock until its verdict is
                        // queued, so no broadcast of that room slips between (see `chat`).
                        let room = crate::chat::room_of(&request.topic);
                        let _room_lock = match &room {
                            Some(room) => Some(crate::chat::lock_room(room).await),
                            None => None,
                        };
                        let verdict = match &room {
                            Some(room) => crate::chat::recover(&request, room, &services).await,
                            None => authorize_join(&request.user, &request.topic, &services)
                                .await
                                .map(|()| codecs::ring::JoinAccepted::default()),
                        };
                        let record = codecs::ring::JoinVerdictRecord {
                            request_id: request.request_id,
                            verdict,
                        };
                        let _ = answers.send(ToShard::JoinVerdict(Box::new(record))).await;
                    });
                }
                FromShard::Authenticate(request) => {
                    let answers = answers.clone();
                    let services = services.clone();
                    tokio::spawn(async move {
                        let verdict = authenticate(&request, &services).await;
                        let record = AuthVerdictRecord {
                            request_id: request.request_id,
                            verdict,
                        };
                        let _ = answers.send(ToShard::AuthVerdict(Box::new(record))).await;
                    });
                }
            }
        }
    }
    drop(answers);
    downlink.abort();
    let _ = downlink.await;
    tracing::debug!(shard, "bridge closed");
}

async fn answer(record: HttpRequestRecord, services: &Services) -> HttpResponseRecord {
    let HttpRequestRecord {
        request_id,
        method,
        uri,
        headers,
        body,
        peer,
        ..
    } = record;
    let mut request = hyper::Request::new(body);
    *request.method_mut() = method;
    *request.uri_mut() = uri;
    *request.headers_mut() = headers;
    request.extensions_mut().insert(peer);
    let (parts, body): (_, Bytes) = http::route(request, services).await.into_parts();
    HttpResponseRecord {
        request_id,
        status: parts.status,
        headers: parts.headers,
        body,
    }
}

/// The verdict on a socket's token: signature, algorithm, expiry and revocation. A refusal
/// is written to the audit log.
async fn authenticate(request: &AuthRequestRecord, services: &Services) -> Result<String, String> {
    let verdict = async {
        let claims = services
            .tokens
            .verify(&request.token)
            .map_err(|e| e.to_string())?;
        if let Some(jti) = &claims.jti {
            match services.store.is_token_revoked(jti).await {
                Ok(false) => {}
                Ok(true) => return Err("token refused: revoked".to_string()),
                Err(e) => return Err(format!("cannot check revocation: {e}")),
            }
        }
        Ok(claims.sub)
    }
    .await;
    if let Err(reason) = &verdict {
        let detail = serde_json::json!({ "reason": reason, "shard": request.shard });
        if let Err(e) = services
            .store
            .append_audit_log(
                "anonymous",
                "socket.refused",
                &request.peer.to_string(),
                &detail,
            )
            .await
        {
            tracing::warn!(error = %e, "cannot write the audit log");
        }
    }
    verdict
}

/// Whether `user` may join `topic`: a `media:{id}` topic only by the asset's owner.
async fn authorize_join(user: &str, topic: &str, services: &Services) -> Result<(), String> {
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
