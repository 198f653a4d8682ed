//! The `armoricore` control plane: configuration, wiring and the HTTP API.
//!
//! # Layout
//! - [`cli`]: subcommands and flags.
//! - [`commands`]: what each subcommand does.
//! - [`config`]: raw environment → resolved, validated [`config::Config`].
//! - [`secrets`]: redacted secrets and the ones the embedded node keeps in its data dir.
//! - [`auth`]: JWT keys, minting and verification.
//! - [`node`]: opens bus, store and object storage, runs migrations, starts the data plane
//!   and the bridge, stops cleanly.
//! - [`bridge`]: moves requests and answers between the shards' rings and [`http`].
//! - [`gateway`]: which module decides a join or answers a push, by topic family.
//! - [`chat`]: room messages: stored with offsets, broadcast, published as `chat.message`.
//! - [`presence`]: Phoenix Presence on `presence:room:*`, agreed across nodes.
//! - [`comments`]: rate-limited live comments.
//! - [`signaling`]: the call signaling relay between two parties.
//! - [`relay`]: broadcasts to and from other nodes' sockets.
//! - [`channels`]: delivers bus events to the `user:` and `media:` topics of the sockets.
//! - [`http`]: the HTTP routes on port 4000 (health, readiness, metrics, event intake),
//!   served by the data-plane shards and answered here.
//! - [`logging`]: human or JSON log lines.
//! - [`media_worker`]: starts the `media.uploaded` worker (crate `media`) in the roles
//!   that run it.
//! - [`notifications`]: starts the notification worker (crate `notifier`) in the roles
//!   that run it.
//!
//! # Invariants
//! - Only the resolved [`config::Config`] travels past start-up; a bad variable stops the
//!   process before anything is opened, with a message naming it.
//! - An event accepted by `POST /api/v1/events` or `armoricore publish` has been
//!   acknowledged by the bus before the caller hears success.
//! - Secrets never reach logs or error messages.

pub mod auth;
pub mod bridge;
pub mod channels;
pub mod chat;
pub mod cli;
pub mod commands;
pub mod comments;
pub mod config;
pub mod gateway;
pub mod http;
pub mod logging;
pub mod media_worker;
pub mod node;
pub mod notifications;
pub mod presence;
pub mod relay;
pub mod secrets;
pub mod signaling;
