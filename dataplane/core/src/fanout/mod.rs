//! Cross-shard fan-out: the per-shard topic registry and per-connection bounded outboxes.
//!
//! How a message travels (the shard runtime and the mesh wire these pieces together):
//! 1. A publish enters a shard — from a local client, or as a ring record from another shard
//!    or the control plane — carrying the topic and the payload by reference.
//! 2. That shard builds the WebSocket frame **once** ([`codecs::websocket::text_frame`]) and
//!    wraps it in a [`Frame`] (or wraps the frame the control plane already built).
//! 3. [`TopicRegistry::publish`] queues a clone of that one [`Frame`] (a non-atomic refcount
//!    increment) into the [`Outbox`] of each local subscriber; nothing is copied or
//!    allocated per subscriber.
//! 4. Each connection's writer task drains its outbox with [`Outbox::next_batch`] and writes
//!    the batch with one vectored write; on [`Batch::Closed`] it sends
//!    [`CloseReason::frame`] (bounded by a short timeout), drops the socket and calls
//!    [`TopicRegistry::unsubscribe_all`].
//!
//! Exactly once: a connection lives on one shard, a registry keeps one subscription per
//! (topic, connection), and every shard receives each publish once over its ring. Order per
//! publisher: rings are FIFO, a shard handles its inbox in order, an outbox appends.
//!
//! Refcounts: a [`Frame`] is an `Rc` around the `Bytes`, so the per-subscriber clone is a
//! plain increment; the `Bytes`' atomic refcount is touched once per shard per publish. The
//! frame may be built once per shard or once per node (the control plane encodes it and every
//! shard wraps the same `Bytes`): the `fanout` bench measures both, and the per-subscriber
//! `Bytes` clone this replaced (`bench/benches/fanout.rs`).
//!
//! Backpressure: an outbox is bounded in bytes and frames ([`OutboxLimits`]); crossing a
//! limit applies its [`OverflowPolicy`] in O(1) — by default the slow consumer is closed with
//! [`CloseReason::SlowConsumer`] (code 1008) and dropped from the registry on the same
//! publish, so it never slows the shard or the other subscribers.
//!
//! # Layout
//! - [`close`]: [`CloseReason`] (slow consumer, going away, peer gone) and its close frame.
//! - [`frame`]: [`Frame`], a shard-local shared frame (`Rc` around `Bytes`).
//! - [`outbox`]: [`Outbox`], limits, overflow policy, close reasons, the batch drain.
//! - [`registry`]: [`TopicRegistry`], [`ConnId`], [`Delivery`], subscribe/unsubscribe/publish.
//!
//! # Invariants
//! - Single-threaded: `Rc`/`RefCell`, no atomics or locks; neither type is `Send`.
//! - A push wakes the writer's `Waker` during the publish loop: wakers must only schedule
//!   (glommio's and every executor's do), never run a task inline.
//! - A push never waits and allocates nothing once an outbox's slot array is warm.
//! - A subscription whose outbox is closed receives nothing more and is removed on the next
//!   publish to its topic (or by `unsubscribe_all`).

pub mod close;
pub mod frame;
pub mod outbox;
pub mod registry;

pub use close::{CloseReason, LimitKind};
pub use frame::Frame;
pub use outbox::{Batch, INLINE_FRAMES, Outbox, OutboxError, OutboxLimits, OverflowPolicy};
pub use registry::{ConnId, Delivery, SubscribeError, Subscribed, TopicRegistry};
