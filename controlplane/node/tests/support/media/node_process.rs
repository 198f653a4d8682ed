//! An `armoricore node` child process for tests that crash it (SIGKILL, no goodbye):
//! its own data dir, a free port, the environment it is given and nothing inherited but
//! what GStreamer needs to find its plugins; its log is kept for the failure report.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running node process; killed when dropped.
pub struct NodeProcess {
    child: Option<Child>,
    addr: SocketAddr,
    dir: tempfile::TempDir,
}

impl NodeProcess {
    /// Starts `armoricore node` with `env` and waits until it listens.
    pub fn start(env: &[(&str, &str)]) -> NodeProcess {
        let dir = tempfile::tempdir().unwrap();
        let port = testkit::free_port();
        let log = std::fs::File::create(dir.path().join("node.log")).unwrap();
        let inherited = std::env::vars().filter(|(k, _)| {
            matches!(k.as_str(), "PATH" | "HOME" | "LD_LIBRARY_PATH") || k.starts_with("GST_")
        });
        let child = Command::new(env!("CARGO_BIN_EXE_armoricore"))
            .arg("node")
            .env_clear()
            .envs(inherited)
            .env("ARMORICORE_DATA_DIR", dir.path().join("data"))
            .env("ARMORICORE_BIND", "127.0.0.1")
            .env("PORT", port.to_string())
            .env("DATAPLANE_CORES", "1")
            .env("SHUTDOWN_GRACE_SECS", "1")
            .env("RUST_LOG", "info")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut node = NodeProcess {
            child: Some(child),
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            dir,
        };
        if !testkit::wait_for_port(node.addr, Duration::from_secs(60)) {
            node.kill();
            panic!(
                "the node did not listen on {}; log:\n{}",
                node.addr,
                node.log()
            );
        }
        node
    }

    /// Where it serves HTTP.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("node.log")
    }

    /// SIGKILL: the process dies at once, mid-job, settling nothing.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
