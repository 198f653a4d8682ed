//! Test support shared by the control-plane crates. Dev-dependency only.
//!
//! # Layout
//! - [`require_env`]: the skip-or-fail rule for tests that need an external service.
//! - [`NatsServer`]: a real `nats-server -js` on a free loopback port with its own store
//!   directory and a monitoring port, killed on drop; it can be killed and restarted on
//!   the same port and store.
//! - [`proxy::TcpProxy`]: a TCP relay in front of a server, which a test cuts and
//!   restores to take the server away and give it back with its data.
//! - [`hls`]: checks a stored HLS output (playlists, segments, thumbnails) with m3u8-rs
//!   and ffprobe.
//! - [`free_port`]: a loopback port nobody listens on.
//! - `gst_frames` (feature `gstreamer`): appsink collection, running a pipeline to its
//!   end, a raw frame's visible pixels.
//! - `process`: finding binaries and starting servers, shared by the helpers above.
//!
//! # Invariants
//! - With `ARMORICORE_REQUIRE_SERVICES=1` (set by `make test`), a missing service is a test
//!   failure, never a skip.

#[cfg(feature = "gstreamer")]
pub mod gst_frames;
pub mod hls;
mod process;
pub mod proxy;

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Whether missing services must fail tests instead of skipping them.
pub fn services_required() -> bool {
    std::env::var("ARMORICORE_REQUIRE_SERVICES").is_ok_and(|v| v == "1")
}

/// Handles a missing service: panics when services are required, else says it skips.
pub fn skip_or_fail(why: &str) {
    if services_required() {
        panic!("required service unavailable: {why} (ARMORICORE_REQUIRE_SERVICES=1)");
    }
    eprintln!("SKIPPED: {why}");
}

/// The value of `var`, or `None` after [`skip_or_fail`] when it is unset.
pub fn require_env(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Some(v),
        _ => {
            skip_or_fail(&format!("{var} is not set"));
            None
        }
    }
}

/// A loopback port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}

/// Waits until something accepts on `addr`.
pub fn wait_for_port(addr: SocketAddr, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    false
}

/// A real JetStream-enabled NATS server for one test: 127.0.0.1, a free port, a private
/// store directory (its log is `nats-server.log` there), killed on drop. Its HTTP
/// monitoring endpoint (`/jsz`, `/varz`) listens on a second port, [`NatsServer::monitor_url`].
pub struct NatsServer {
    binary: PathBuf,
    port: u16,
    monitor_port: u16,
    store: tempfile::TempDir,
    child: Option<Child>,
}

impl NatsServer {
    /// Starts a server, or returns `None` after [`skip_or_fail`] when `nats-server` is not
    /// installed (`NATS_SERVER_BIN` overrides the search of `PATH` and `/usr/sbin`).
    pub fn start() -> Option<NatsServer> {
        let binary = process::require_binary("NATS_SERVER_BIN", "nats-server")?;
        let store = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let mut server = NatsServer {
            binary,
            port: 0,
            monitor_port: 0,
            store,
            child: None,
        };
        if process::start_retrying(|| {
            server.port = free_port();
            server.monitor_port = free_port();
            server.spawn()
        }) {
            return Some(server);
        }
        panic!(
            "nats-server did not start after 5 attempts; see {}/nats-server.log",
            server.store.path().display()
        );
    }

    /// `nats://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:<monitoring port>`: the server's own view of streams and
    /// consumers (`/jsz?consumers=true`), for tests that must see what the bus holds.
    pub fn monitor_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.monitor_port)
    }

    /// Where JetStream keeps its files.
    pub fn store_dir(&self) -> &Path {
        self.store.path()
    }

    /// Kills the server with SIGKILL and waits for it to exit.
    pub fn kill(&mut self) {
        process::kill(&mut self.child);
    }

    /// Starts the server again on the same port and store directory.
    pub fn restart(&mut self) {
        self.kill();
        if !process::restart_retrying(|| self.spawn()) {
            panic!("nats-server did not restart on port {}", self.port);
        }
    }

    /// Spawns the process and waits until it accepts; false if it exited (port taken).
    fn spawn(&mut self) -> bool {
        let log = process::log_file(&self.store.path().join("nats-server.log"));
        let mut command = Command::new(&self.binary);
        command
            .args(["-js", "-a", "127.0.0.1", "-p"])
            .arg(self.port.to_string())
            .arg("-m")
            .arg(self.monitor_port.to_string())
            .arg("-sd")
            .arg(self.store.path())
            .stdout(Stdio::null())
            .stderr(log);
        self.child = process::spawn_listening(&mut command, self.port, Duration::from_secs(10));
        self.child.is_some()
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.kill();
    }
}
