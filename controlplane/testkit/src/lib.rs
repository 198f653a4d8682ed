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

fn find_binary(name: &str, extra_dirs: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(extra_dirs.iter().map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// A real JetStream-enabled NATS server for one test.
pub struct NatsServer {
    binary: PathBuf,
    port: u16,
    store: tempfile::TempDir,
    child: Option<Child>,
}

impl NatsServer {
    /// Starts a server, or returns `None` after [`skip_or_fail`] when `nats-server` is not
    /// installed.
    pub fn start() -> Option<NatsServer> {
        let Some(binary) = find_binary("nats-server", &["/usr/sbin", "/usr/local/bin"]) else {
            skip_or_fail("nats-server is not installed (deploy/bootstrap.sh test-deps)");
            return None;
        };
        let store = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let mut server = NatsServer {
            binary,
            port: free_port(),
            store,
            child: None,
        };
        server.restart();
        Some(server)
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

    /// Kills the server with SIGKILL (nothing flushed beyond what the server already wrote).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// (Re)starts the server on the same port and store directory and waits for it.
    pub fn restart(&mut self) {
        self.kill();
        let child = Command::new(&self.binary)
            .args(["-js", "-a", "127.0.0.1", "-p"])
            .arg(self.port.to_string())
            .arg("-sd")
            .arg(self.store.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.binary.display()));
        self.child = Some(child);
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        assert!(
            wait_for_port(addr, Duration::from_secs(10)),
            "nats-server did not open port {}",
            self.port
        );
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.kill();
    }
}
