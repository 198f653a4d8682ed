//! Test support shared by the control-plane crates. Dev-dependency only.
//!
//! # Layout
//! - [`require_env`]: the skip-or-fail rule for tests that need an external service.
//! - [`NatsServer`]: a real `nats-server -js` on a free loopback port with its own store
//!   directory, killed on drop; it can be killed and restarted on the same port and store.
//! - [`free_port`]: a loopback port nobody listens on.
//!
//! # Invariants
//! - With `ARMORICORE_REQUIRE_SERVICES=1` (set by `make test`), a missing service is a test
//!   failure, never a skip.

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

fn nats_binary() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("NATS_SERVER_BIN") {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/usr/local/bin".into()])
        .map(|dir| dir.join("nats-server"))
        .find(|p| p.is_file())
}

/// A real JetStream-enabled NATS server for one test: 127.0.0.1, a free port, a private
/// store directory (its log is `nats-server.log` there), killed on drop.
pub struct NatsServer {
    binary: PathBuf,
    port: u16,
    store: tempfile::TempDir,
    child: Option<Child>,
}

impl NatsServer {
    /// Starts a server, or returns `None` after [`skip_or_fail`] when `nats-server` is not
    /// installed (`NATS_SERVER_BIN` overrides the search of `PATH` and `/usr/sbin`).
    pub fn start() -> Option<NatsServer> {
        let Some(binary) = nats_binary() else {
            skip_or_fail("nats-server is not installed (deploy/bootstrap.sh test-deps)");
            return None;
        };
        let store = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let mut server = NatsServer {
            binary,
            port: 0,
            store,
            child: None,
        };
        // The free port can be taken between our probe and the server's bind: retry.
        for _ in 0..5 {
            server.port = free_port();
            if server.spawn() {
                return Some(server);
            }
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

    /// Where JetStream keeps its files.
    pub fn store_dir(&self) -> &Path {
        self.store.path()
    }

    /// Kills the server with SIGKILL and waits for it to exit.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port and store directory.
    pub fn restart(&mut self) {
        self.kill();
        for _ in 0..50 {
            if self.spawn() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("nats-server did not restart on port {}", self.port);
    }

    /// Spawns the process and waits until it accepts; false if it exited (port taken).
    fn spawn(&mut self) -> bool {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.store.path().join("nats-server.log"))
            .unwrap_or_else(|e| panic!("nats-server log file: {e}"));
        let child = Command::new(&self.binary)
            .args(["-js", "-a", "127.0.0.1", "-p"])
            .arg(self.port.to_string())
            .arg("-sd")
            .arg(self.store.path())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.binary.display()));
        self.child = Some(child);
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            let exited = self
                .child
                .as_mut()
                .is_some_and(|c| matches!(c.try_wait(), Ok(Some(_))));
            if exited {
                self.child = None;
                return false;
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.kill();
        false
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.kill();
    }
}
