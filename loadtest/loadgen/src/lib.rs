//! Load generation for Armoricore's sockets, and the tokio peer server it is measured against
//! (issue #4). Both binaries speak the Phoenix Channels V2 JSON subset the benchmarks use:
//! `phx_join`, `heartbeat`, and `new_message` pushes broadcast to a room.
//!
//! The generator (`loadgen`) runs as one parent process and several worker processes it
//! spawns itself (`loadgen worker`), each holding at most a few thousand sockets so that no
//! process comes near the 20,000 open-file cap. The parent drives the run (when to publish,
//! for how long) and the workers report what they received; nothing is shared between them
//! but the clock (`SystemTime`, one machine) and lines on their stdin/stdout.
//!
//! # Layout
//! - [`probe`]: the send timestamp carried in a message's `content`, and finding it in a
//!   received frame with one byte search (pure).
//! - [`latency`]: the latency histogram, its percentile summary and its transport between
//!   processes (pure).
//! - [`procfs`]: RSS and CPU time of a process tree, read from `/proc`.
//! - [`client`]: a WebSocket client connection (handshake by hand, fastwebsockets frames)
//!   and the Phoenix frames the generator sends.
//! - [`protocol`]: the lines the parent and its workers exchange.
//! - [`worker`]: a worker process: subscriber sockets, heartbeats, delivery counting.
//! - [`workers`]: the parent's side of its worker processes.
//! - [`publisher`]: the parent's publisher sockets, paced to an offered rate.
//! - [`scenario`]: the `idle` and `fanout` scenarios and their reports.
//! - [`report`]: the markdown comparison table made from saved reports.
//! - [`peer`]: the tokio + fastwebsockets peer server (one current-thread runtime per core).
//!
//! # Invariants
//! - Only loopback is ever targeted: [`client::Target::parse`] refuses any other host.
//! - Every loop is bounded in time: workers stop at the `stop` instant the parent sends, and
//!   exit when their stdin closes (the parent is gone); the parent waits for each answer
//!   with a timeout.
//! - The receive path does not parse JSON: a delivery is recognised and timed by
//!   [`probe::extract_timestamp`] alone.

pub mod client;
pub mod latency;
pub mod peer;
pub mod probe;
pub mod procfs;
pub mod protocol;
pub mod publisher;
pub mod report;
pub mod scenario;
pub mod worker;
pub mod workers;

/// Nanoseconds since the UNIX epoch now (all processes of a run share this clock).
pub fn now_ns() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}
