//! Pure wire formats shared by the data plane and the control plane.
//!
//! Nothing in this crate does I/O, spawns, or depends on a runtime; it turns bytes into
//! typed values and back, and says precisely why when it cannot.
//!
//! # Layout
//! - [`events`]: the bus contract — [`events::EventType`] (the one place subject names come
//!   from), the [`events::Envelope`], every payload of the contract table, and
//!   [`events::Event`], the decoded pairing of an envelope with its typed payload.
//! - [`id`]: [`id::ResourceId`], the validated identifier used for users, media, rooms and
//!   notifications (safe inside object keys and channel topics).
//! - [`phoenix`]: Phoenix Channels messages in the V1 JSON, V2 JSON and V2 binary formats.
//! - [`ring`]: records crossing the control-plane ↔ shard rings (payloads by reference).
//! - [`error`]: [`error::DecodeError`], what went wrong decoding, naming the field.
//! - [`websocket`]: RFC 6455 server-frame encoding (text/binary/close) into caller-owned
//!   buffers, so a broadcast frame is built once and shared by every subscriber.
//!
//! # Invariants
//! - Subject names and channel event names are derived from [`events::EventType`] only, so
//!   a publisher and a subscriber cannot disagree on them.
//! - Decoding tolerates unknown fields and rejects a missing or ill-typed required field with
//!   an error that names its path (`payload.media_id`).
//! - Every identifier that may end up in an object key or a topic is a [`id::ResourceId`].

pub mod error;
pub mod events;
pub mod id;
pub mod phoenix;
pub mod ring;
pub mod websocket;

pub use error::DecodeError;
pub use events::{Completion, Envelope, Event, EventType, Payload};
pub use id::ResourceId;
