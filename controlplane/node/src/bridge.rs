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
    HttpResponseRecord, SocketRef, ToShard,
};
use dataplane::ControlLinks;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::gateway::Gateway;
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
        self.broadcast_except(topic, event, payload, None).await
    }

    /// As [`Shards::broadcast`], leaving out one socket (the sender of a relayed signal).
    pub async fn broadcast_except(
        &self,
        topic: &str,
        event: &str,
        payload: Bytes,
        except: Option<SocketRef>,
    ) {
        let record = BroadcastRecord {
            topic: Arc::from(topic),
            event: Arc::from(event),
            payload,
            except,
        };
        for shard in &self.0 {
            let _ = shard
                .send(ToShard::Broadcast(Box::new(record.clone())))
                .await;
        }
    }
}

/// Starts the bridge tasks of every shard; they end when the shards drop their rings.
pub fn start(
    links: Vec<ControlLinks>,
    services: Arc<Services>,
) -> (Vec<JoinHandle<()>>, Shards, Arc<Gateway>) {
    let (senders, queues): (Vec<_>, Vec<_>) = links
        .iter()
        .map(|_| mpsc::channel::<ToShard>(DOWNLINK_QUEUE))
        .unzip();
    let shards = Shards(senders);
    let gateway = Arc::new(Gateway::new(&services, &shards));
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
                gateway.clone(),
            ))
        })
        .collect();
    (tasks, shards, gateway)
}

async fn serve_shard(
    link: ControlLinks,
    answers: mpsc::Sender<ToShard>,
    mut queued: mpsc::Receiver<ToShard>,
    services: Arc<Services>,
    shards: Shards,
    gateway: Arc<Gateway>,
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
                    let gateway = gateway.clone();
                    tokio::spawn(async move {
                        let record = codecs::ring::PushReplyRecord {
                            request_id: push.request_id,
                            reply: gateway.push(&push, &services, &shards).await,
                        };
                        let _ = answers.send(ToShard::PushReply(Box::new(record))).await;
                    });
                }
                FromShard::AuthorizeJoin(request) => {
                    let answers = answers.clone();
                    let services = services.clone();
                    let gateway = gateway.clone();
                    tokio::spawn(async move {
                        gateway.join(&request, &services, &answers).await;
                    });
                }
                FromShard::Left(left) => {
                    let gateway = gateway.clone();
                    tokio::spawn(async move { gateway.left(&left).await });
                }
                FromShard::Started(shard) => {
                    // Handled in line: it must precede the new incarnation's joins.
                    gateway.shard_started(shard).await;
                }
                FromShard::Relay(broadcast) => {
                    let gateway = gateway.clone();
                    tokio::spawn(async move { gateway.relay(&broadcast).await });
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
