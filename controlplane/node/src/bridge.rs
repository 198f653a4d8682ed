//! The bridge between the data-plane shards and the control plane.
//!
//! One reader task per shard drains the shard's uplink ring in batches; each HTTP request
//! is answered on its own task (so a slow `/health` check never holds up `/api/v1/events`),
//! and answers go back through a per-shard downlink task that owns the ring's sending end.
//! The reader never waits on the downlink, so a full inbox ring cannot deadlock the pair.
//!
//! Streamed bodies (see `codecs::ring` and `http::body`): the reader routes the parts of a
//! streamed request to its body stream through an unbounded channel — bounded in bytes by
//! the shard's window, and never a wait for the reader — and the credit records of a
//! streamed answer to the task sending it. When a shard restarts, its streams end: request
//! bodies fail, answers stop reading their source.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use codecs::ring::{
    AuthRequestRecord, AuthVerdictRecord, BodyPart, BroadcastRecord, FromShard, HttpRequestRecord,
    HttpResponseRecord, SocketRef, ToShard,
};
use dataplane::ControlLinks;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::gateway::Gateway;
use crate::http::body::{AnswerStreams, request_stream, send_answer};
use crate::http::{self, Body, RequestBody};
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
        self.broadcast_except(topic, event, payload, Vec::new())
            .await
    }

    /// As [`Shards::broadcast`], leaving out some sockets (the sender of a relayed signal,
    /// sockets that had the message replayed).
    pub async fn broadcast_except(
        &self,
        topic: &str,
        event: &str,
        payload: Bytes,
        except: Vec<SocketRef>,
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
    // Streamed request bodies of this shard, by request id (this task alone touches it).
    let mut uploads: HashMap<u64, mpsc::UnboundedSender<BodyPart>> = HashMap::new();
    let downloads = Arc::new(AnswerStreams::default());
    let mut batch = Vec::with_capacity(BATCH);
    while from_shard.recv_batch(&mut batch, BATCH).await > 0 {
        for record in batch.drain(..) {
            match record {
                FromShard::HttpRequest(request) => {
                    let body = RequestBody::Full(request.body.clone());
                    let (answers, services) = (answers.clone(), services.clone());
                    let downloads = downloads.clone();
                    tokio::spawn(async move {
                        answer(*request, body, &services, &answers, &downloads).await;
                    });
                }
                FromShard::HttpRequestHead(request) => {
                    let (parts, stream) = request_stream(request.request_id, answers.clone());
                    if !request.body.is_empty() {
                        let _ = parts.send(BodyPart::Data(request.body.clone()));
                    }
                    uploads.insert(request.request_id, parts);
                    let body = RequestBody::Streamed(stream);
                    let (answers, services) = (answers.clone(), services.clone());
                    let downloads = downloads.clone();
                    tokio::spawn(async move {
                        answer(*request, body, &services, &answers, &downloads).await;
                    });
                }
                FromShard::RequestBody(part) => {
                    let id = part.request_id;
                    let last = !matches!(part.part, BodyPart::Data(_));
                    // A closed stream: its consumer is done with it (answered early).
                    let delivered = uploads
                        .get(&id)
                        .is_some_and(|tx| tx.send(part.part).is_ok());
                    if last || !delivered {
                        uploads.remove(&id);
                    }
                }
                FromShard::ResponseCredit(credit) => downloads.credit(&credit),
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
                    // The previous incarnation's connections are gone, and its request
                    // ids will be reused.
                    uploads.clear();
                    downloads.cancel_all();
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

/// Answers one request and sends the answer to the shard: whole, or a head then the
/// streamed body under the shard's credit.
async fn answer(
    record: HttpRequestRecord,
    body: RequestBody,
    services: &Services,
    answers: &mpsc::Sender<ToShard>,
    downloads: &Arc<AnswerStreams>,
) {
    let HttpRequestRecord {
        request_id,
        method,
        uri,
        headers,
        peer,
        ..
    } = record;
    let mut request = hyper::Request::new(body);
    *request.method_mut() = method;
    *request.uri_mut() = uri;
    *request.headers_mut() = headers;
    request.extensions_mut().insert(peer);
    let (parts, body) = http::route(request, services).await.into_parts();
    let mut head = HttpResponseRecord {
        request_id,
        status: parts.status,
        headers: parts.headers,
        body: Bytes::new(),
    };
    match body {
        Body::Full(bytes) => {
            head.body = bytes;
            let _ = answers.send(ToShard::HttpResponse(Box::new(head))).await;
        }
        Body::Stream(stream) => {
            // Registered before the head leaves: the shard's first grant follows it.
            let (_registration, credits) = downloads.register(request_id);
            if answers
                .send(ToShard::HttpResponseHead(Box::new(head)))
                .await
                .is_ok()
            {
                send_answer(request_id, stream, credits, answers).await;
            }
        }
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
