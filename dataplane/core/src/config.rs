//! Data-plane settings: plain values the binary fills from its resolved configuration.

use std::net::SocketAddr;
use std::time::Duration;

use crate::runtime::DEFAULT_IO_MEMORY;

/// How the data plane runs.
#[derive(Debug, Clone)]
pub struct DataPlaneConfig {
    /// Address every shard listens on (port 0: the first shard picks one, the others share it).
    pub bind: SocketAddr,
    /// Number of shards (one executor thread each).
    pub shards: usize,
    /// Pin shard `i` to CPU `i % cores`; off runs shards unpinned (tests on busy machines).
    pub pin: PinPolicy,
    /// Locked memory per io_uring ring (see `runtime`).
    pub io_memory: usize,
    /// HTTP limits on every shard.
    pub http: HttpLimits,
    /// How long `stop()` lets connections and requests in flight finish.
    pub shutdown_grace: Duration,
    /// Pause before a panicked shard is started again (doubles up to 5 s on repeated panics).
    pub restart_backoff: Duration,
}

/// Whether shards are pinned to cores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinPolicy {
    /// Shard `i` runs on CPU `i % cores` (production).
    PinToCores,
    /// Shards float (tests that run several nodes on one machine).
    Unpinned,
}

/// Limits and switches of the HTTP serving on the shards.
///
/// A request body is collected whole when it fits `max_body_bytes`; one that does not
/// (`Content-Length` above it, or a chunked body growing past it) is streamed to the
/// control plane, which answers 413 on routes that do not take streamed bodies.
#[derive(Debug, Clone, Copy)]
pub struct HttpLimits {
    /// Largest request body the shard collects whole before forwarding; larger ones stream.
    pub max_body_bytes: usize,
    /// Largest streamed request body (`POST /api/v1/media`). A `Content-Length` above it is
    /// answered 413 at once, without forwarding; a chunked body that grows past it is
    /// aborted on the control plane's side (nothing stored) and answered 413.
    pub max_streamed_body_bytes: u64,
    /// Bytes of one streamed body in flight on the rings, each direction: sent and not yet
    /// granted back by the receiver's consumer. A shard holds at most this (plus hyper's
    /// read buffer) per upload whatever the consumer's speed; a slow consumer stops the
    /// shard reading the socket, which back-pressures the client through TCP.
    pub stream_window: usize,
    /// How long a forwarded request waits for the control plane (504 after); for a
    /// streamed request, counted from the end of its body, and also how long a stream
    /// waits for credit or for the next part of an answer before it is cut.
    pub request_timeout: Duration,
    /// A read on an idle connection that takes longer than this closes it (slow-loris guard
    /// and keep-alive idle limit).
    pub read_timeout: Duration,
    /// Serve the echo WebSocket at `/ws/echo` (no token; for the Autobahn conformance run
    /// only, see `echo`). Off by default: the path is then forwarded like any other.
    pub echo_endpoint: bool,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            max_body_bytes: 1 << 20,
            max_streamed_body_bytes: 2 << 30,
            stream_window: 256 << 10,
            request_timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(60),
            echo_endpoint: false,
        }
    }
}

impl DataPlaneConfig {
    /// Defaults for `shards` shards listening on `bind`.
    pub fn new(bind: SocketAddr, shards: usize) -> Self {
        DataPlaneConfig {
            bind,
            shards,
            pin: PinPolicy::PinToCores,
            io_memory: DEFAULT_IO_MEMORY,
            http: HttpLimits::default(),
            shutdown_grace: Duration::from_secs(10),
            restart_backoff: Duration::from_millis(100),
        }
    }
}
