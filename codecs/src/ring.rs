//! Records that cross the rings between the control plane and the data-plane shards.
//!
//! Wire format: in-process Rust values moved through single-producer/single-consumer rings,
//! never serialised. Payloads travel as [`Bytes`] (a refcounted buffer), so a body or a frame
//! crosses the ring by reference and is never copied. Large, rare variants are boxed so a
//! ring slot stays small (see the size assertions at the bottom).

use std::net::SocketAddr;

use bytes::Bytes;

/// Index of a data-plane shard (one per core).
pub type ShardId = u16;

/// Control plane → shard.
#[derive(Debug)]
pub enum ToShard {
    /// The answer to an HTTP request the shard forwarded. Dropping it (ring full is never
    /// the case: the sender waits) would leave the client waiting until its timeout.
    HttpResponse(Box<HttpResponseRecord>),
}

/// Shard → control plane.
#[derive(Debug)]
pub enum FromShard {
    /// An HTTP request the control plane answers (`/health`, `/api/*`, …). If the control
    /// plane never answers, the shard replies 504 after its request timeout.
    HttpRequest(Box<HttpRequestRecord>),
}

/// An HTTP request received by a shard, body collected.
#[derive(Debug)]
pub struct HttpRequestRecord {
    /// The shard that holds the connection and waits for the answer.
    pub shard: ShardId,
    /// Unique per shard; echoed in the response.
    pub request_id: u64,
    /// Method.
    pub method: http::Method,
    /// Path and query.
    pub uri: http::Uri,
    /// Request headers.
    pub headers: http::HeaderMap,
    /// The whole body (bounded by the shard's body limit).
    pub body: Bytes,
    /// The client's address.
    pub peer: SocketAddr,
}

/// The control plane's answer to an [`HttpRequestRecord`].
#[derive(Debug)]
pub struct HttpResponseRecord {
    /// The request this answers.
    pub request_id: u64,
    /// Status.
    pub status: http::StatusCode,
    /// Response headers.
    pub headers: http::HeaderMap,
    /// The whole body.
    pub body: Bytes,
}

// A ring slot holds one record; keep them within a cache line.
const _: () = assert!(std::mem::size_of::<ToShard>() <= 16);
const _: () = assert!(std::mem::size_of::<FromShard>() <= 16);
