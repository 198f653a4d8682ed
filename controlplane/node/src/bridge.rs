//! The bridge between the data-plane shards and the control plane.
//!
//! One reader task per shard drains the shard's uplink ring in batches; each HTTP request
//! is answered on its own task (so a slow `/health` check never holds up `/api/v1/events`),
//! and answers go back through a per-shard downlink task that owns the ring's sending end.
//! The reader never waits on the downlink, so a full inbox ring cannot deadlock the pair.

use std::sync::Arc;

use bytes::Bytes;
use codecs::ring::{FromShard, HttpRequestRecord, HttpResponseRecord, ToShard};
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

/// Starts the bridge tasks of every shard; they end when the shards drop their rings.
pub fn start(links: Vec<ControlLinks>, services: Arc<Services>) -> Vec<JoinHandle<()>> {
    links
        .into_iter()
        .map(|link| tokio::spawn(serve_shard(link, services.clone())))
        .collect()
}

async fn serve_shard(link: ControlLinks, services: Arc<Services>) {
    let ControlLinks {
        shard,
        mut to_shard,
        mut from_shard,
    } = link;
    let (answers, mut queued) = mpsc::channel::<ToShard>(DOWNLINK_QUEUE);
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
            }
        }
    }
    drop(answers);
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
