//! Records that cross the rings between the control plane and the data-plane shards.
//!
//! Wire format: in-process Rust values moved through single-producer/single-consumer rings,
//! never serialised. Payloads travel as [`Bytes`] (a refcounted buffer), so a body or a frame
//! crosses the ring by reference and is never copied. Large, rare variants are boxed so a
//! ring slot stays small (see the size assertions at the bottom).
//!
//! # Streamed HTTP bodies
//! Small requests and answers cross whole ([`FromShard::HttpRequest`],
//! [`ToShard::HttpResponse`]). A body that is not known to fit the shard's collect limit
//! (`Content-Length` above it, or a chunked body that grows past it) streams instead, and
//! so may an answer (object downloads):
//!
//! ```text
//! request:  shard ── HttpRequestHead{id, body: already read} ──▶ control plane
//!           shard ── RequestBody{id, Data(bytes)} … ──────────▶ (at most `window` bytes
//!           shard ◀── RequestCredit{id, Bytes(n)} ─────────────   sent and not granted)
//!           shard ── RequestBody{id, End | Abort(why)} ───────▶
//! answer:   shard ◀── HttpResponseHead{id, body: first bytes} ─ control plane
//!           shard ── ResponseCredit{id, Bytes(window)} ───────▶ (first grant, then one
//!           shard ◀── ResponseBody{id, Data(bytes)} … ─────────   per bytes written out)
//!           shard ◀── ResponseBody{id, End | Abort(why)} ──────
//!           shard ── ResponseCredit{id, Cancel} ──────────────▶ (client gone: stop reading)
//! ```
//!
//! The window is the shard's (`HttpLimits::stream_window`): a sender starts a request body
//! with that much credit and a streamed answer gets it as its first grant, so the control
//! plane needs no setting of its own. A receiver grants what its consumer took, at the
//! latest when it has nothing left to hand out, so a sender that ran out of credit always
//! gets more once its bytes are consumed. Every request stream ends with exactly one `End`
//! or `Abort` (the shard sends `Abort` when it stops reading early, e.g. after an answer
//! that came before the body was read); every streamed answer ends with `End`, `Abort`
//! or a `Cancel` from the shard. `Abort` of an answer makes the shard cut the connection,
//! so a client never takes a truncated body for a whole one.

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;

/// Index of a data-plane shard (one per core).
pub type ShardId = u16;

/// Control plane → shard.
#[derive(Debug)]
pub enum ToShard {
    /// The answer to an HTTP request the shard forwarded. Dropping it (ring full is never
    /// the case: the sender waits) would leave the client waiting until its timeout.
    HttpResponse(Box<HttpResponseRecord>),
    /// The verdict on a socket's token. Dropping it leaves the client waiting until the
    /// shard's request timeout (then 504).
    AuthVerdict(Box<AuthVerdictRecord>),
    /// The verdict on a join the shard cannot decide alone. Dropping it leaves the join
    /// unanswered until the client's own timeout.
    JoinVerdict(Box<JoinVerdictRecord>),
    /// The answer to a socket's push the control plane handled.
    PushReply(Box<PushReplyRecord>),
    /// Deliver an event to every local subscriber of a topic. The payload is shared by
    /// every shard (one buffer per node).
    Broadcast(Box<BroadcastRecord>),
    /// The head of an answer whose body follows in [`ToShard::ResponseBody`] records
    /// (`body` holds its first bytes, usually none). Dropping it is as for `HttpResponse`.
    HttpResponseHead(Box<HttpResponseRecord>),
    /// The next part of a streamed answer. Dropping it would truncate the answer; the
    /// shard then cuts the connection when its wait for the next part times out.
    ResponseBody(Box<BodyRecord>),
    /// Credit for a streamed request body: the control plane consumed that many bytes.
    /// Dropping it stalls the upload until the shard's request timeout (then 504).
    RequestCredit(Box<CreditRecord>),
}

/// Shard → control plane.
#[derive(Debug)]
pub enum FromShard {
    /// An HTTP request the control plane answers (`/health`, `/api/*`, …). If the control
    /// plane never answers, the shard replies 504 after its request timeout.
    HttpRequest(Box<HttpRequestRecord>),
    /// A WebSocket connect asking for the verdict on its token, before the upgrade.
    Authenticate(Box<AuthRequestRecord>),
    /// A join that needs the control plane's state to decide (`media:{id}` ownership).
    AuthorizeJoin(Box<JoinRequestRecord>),
    /// A socket's push that needs the control plane (a chat message to store and publish).
    Push(Box<PushRecord>),
    /// A socket left a topic whose membership the control plane tracks (`presence:*`,
    /// `signaling:*`), by `phx_leave` or by disconnecting.
    Left(Box<LeftRecord>),
    /// A broadcast that started on this shard (typing) and that other nodes' subscribers
    /// must see too; this node's shards already have it.
    Relay(Box<BroadcastRecord>),
    /// The shard (re)started: every socket it held before is gone, and its socket ids start
    /// over. Sent first, before anything of the new incarnation.
    Started(ShardId),
    /// The head of a request whose body streams in [`FromShard::RequestBody`] records
    /// (`body` holds what was read before the shard chose to stream, counted against the
    /// window). Dropping it is as for `HttpRequest`.
    HttpRequestHead(Box<HttpRequestRecord>),
    /// The next part of a streamed request body. Dropping it would corrupt the upload;
    /// the ring never drops (the sender waits).
    RequestBody(Box<BodyRecord>),
    /// Credit for a streamed answer (the shard wrote that many bytes to the client), or
    /// its cancellation (the client went away). Dropping a grant stalls the answer until
    /// the shard's timeout; dropping a cancel leaves the control plane reading an object
    /// nobody receives until its next send fails.
    ResponseCredit(Box<CreditRecord>),
}

/// A socket: which shard holds it and its id there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SocketRef {
    /// The shard holding the socket.
    pub shard: ShardId,
    /// The socket's id, unique on that shard for the shard's lifetime.
    pub socket: u64,
}

/// A socket's departure from a tracked topic.
#[derive(Debug)]
pub struct LeftRecord {
    /// The socket.
    pub socket: SocketRef,
    /// The topic it left.
    pub topic: String,
}

/// A push from a socket on a joined topic, for the control plane.
#[derive(Debug)]
pub struct PushRecord {
    /// The shard holding the socket.
    pub shard: ShardId,
    /// The pushing socket (relays leave it out).
    pub socket: u64,
    /// Unique per shard; echoed in the reply.
    pub request_id: u64,
    /// The socket's user.
    pub user: String,
    /// The channel topic.
    pub topic: String,
    /// The channel event (`new_message`).
    pub event: String,
    /// The push's payload, JSON text.
    pub payload: Bytes,
}

/// The control plane's answer to a [`PushRecord`].
#[derive(Debug)]
pub struct PushReplyRecord {
    /// The request this answers.
    pub request_id: u64,
    /// `ok` with the response JSON, or `error` with the response JSON
    /// (`{"reason": "…", …}`).
    pub reply: Result<Bytes, Bytes>,
}

/// A socket's join of a topic whose access depends on stored state.
#[derive(Debug)]
pub struct JoinRequestRecord {
    /// The shard holding the socket.
    pub shard: ShardId,
    /// The joining socket (presence tracks it until it leaves).
    pub socket: u64,
    /// Unique per shard; echoed in the verdict.
    pub request_id: u64,
    /// The socket's user.
    pub user: String,
    /// The topic asked for.
    pub topic: String,
    /// The join's payload, JSON text (`{"last_offset": K}` asks for what was missed).
    pub payload: Bytes,
}

/// An accepted join: the reply's response and the messages to replay, in order.
#[derive(Debug, Default)]
pub struct JoinAccepted {
    /// The `phx_reply` response JSON (`{}`, or `{"recovered": true|false}`).
    pub response: Bytes,
    /// `(event, payload JSON)` to send after the reply, before any live broadcast.
    pub replay: Vec<(Arc<str>, Bytes)>,
}

/// The control plane's verdict on a [`JoinRequestRecord`].
#[derive(Debug)]
pub struct JoinVerdictRecord {
    /// The request this answers.
    pub request_id: u64,
    /// The joining socket and topic, echoed so a shard that can no longer apply an accepted
    /// verdict (the socket went, the join timed out) can report the leave.
    pub left_if_unapplied: Option<LeftRecord>,
    /// Allowed (with what to send), or the reason for refusing (sent as `reason`).
    ///
    /// The shard applies an accepted verdict the moment it reads it from its inbox, so a
    /// broadcast queued after the verdict reaches the socket live and one queued before it
    /// does not (it is in `replay` instead): the control plane orders the two per room.
    pub verdict: Result<JoinAccepted, String>,
}

/// A socket's token, sent before the upgrade is answered.
#[derive(Debug)]
pub struct AuthRequestRecord {
    /// The shard holding the connection.
    pub shard: ShardId,
    /// Unique per shard; echoed in the verdict.
    pub request_id: u64,
    /// The bearer token from `token=` or `Sec-WebSocket-Protocol`.
    pub token: String,
    /// The client's address (for the audit log of refusals).
    pub peer: SocketAddr,
}

/// The control plane's verdict on an [`AuthRequestRecord`].
#[derive(Debug)]
pub struct AuthVerdictRecord {
    /// The request this answers.
    pub request_id: u64,
    /// The user id the token names, or why it was refused.
    pub verdict: Result<String, String>,
}

/// An event for every local subscriber of `topic`.
#[derive(Debug, Clone)]
pub struct BroadcastRecord {
    /// The channel topic (`room:1`, `media:m-1`, …).
    pub topic: Arc<str>,
    /// The channel event (`new_message`, `media_ready`, …).
    pub event: Arc<str>,
    /// The payload, JSON text.
    pub payload: Bytes,
    /// Sockets not to deliver to: the sender of a relayed signal, or sockets whose
    /// recovering join already replayed this message (usually none: no allocation).
    pub except: Vec<SocketRef>,
}

/// An HTTP request received by a shard: body collected (`HttpRequest`), or its head with
/// the bytes read so far (`HttpRequestHead`, the rest streams).
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
    /// The whole body (bounded by the shard's body limit), or for a head the bytes read
    /// before the shard chose to stream.
    pub body: Bytes,
    /// The client's address.
    pub peer: SocketAddr,
}

/// The control plane's answer to an [`HttpRequestRecord`]: whole (`HttpResponse`) or its
/// head with the first bytes (`HttpResponseHead`, the rest streams).
#[derive(Debug)]
pub struct HttpResponseRecord {
    /// The request this answers.
    pub request_id: u64,
    /// Status.
    pub status: http::StatusCode,
    /// Response headers.
    pub headers: http::HeaderMap,
    /// The whole body, or for a head the first bytes (usually none).
    pub body: Bytes,
}

/// A part of a streamed body, either direction.
#[derive(Debug)]
pub struct BodyRecord {
    /// The request the body belongs to.
    pub request_id: u64,
    /// Bytes, the end, or why the body stops short.
    pub part: BodyPart,
}

/// What a [`BodyRecord`] carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyPart {
    /// The next bytes (never empty), by reference.
    Data(Bytes),
    /// The body is complete.
    End,
    /// The body stops short and must not be taken for complete.
    Abort(BodyAbort),
}

/// Why a streamed body stopped short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyAbort {
    /// The request body passed the shard's cap on streamed bodies (it answers 413).
    TooLarge {
        /// The cap in bytes.
        limit: u64,
    },
    /// The shard stopped reading the request body because the answer came first.
    Answered,
    /// The sending side failed or went away: the client's connection broke mid-upload,
    /// the control plane granted no credit in time, or an object read failed.
    Failed(String),
}

/// Flow control of one streamed body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreditRecord {
    /// The request the body belongs to.
    pub request_id: u64,
    /// More room, or the end of the receiver's interest.
    pub credit: Credit,
}

/// What a [`CreditRecord`] grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credit {
    /// The sender may send this many more bytes.
    Bytes(u64),
    /// The receiver is gone (client disconnected): stop sending and reading the source.
    /// Sent by the shard, for answers only; a shard ignores it on a request body.
    Cancel,
}

// A ring slot holds one record; keep them within a cache line.
const _: () = assert!(std::mem::size_of::<ToShard>() <= 16);
const _: () = assert!(std::mem::size_of::<FromShard>() <= 16);
