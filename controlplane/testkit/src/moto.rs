//! Owns [`MotoServer`]: a private moto S3 server for one test, for tests that take the
//! object store away (kill it) and give it back (restart it on the same port).
//!
//! The shared server of `make test` (`ARMORICORE_TEST_S3_ENDPOINT`) must never be killed,
//! so a test that needs a failing store starts its own. moto keeps everything in memory:
//! after [`MotoServer::restart`] the server is empty and the test re-creates its bucket and
//! objects, which is what a store restored from nothing looks like to a client.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::{free_port, process};

/// How long moto (a Python program) may take to start on a loaded machine.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A running `moto_server` on 127.0.0.1 and a free port; killed on drop. Its output goes
/// to `moto.log` in a private directory ([`MotoServer::log_path`]).
pub struct MotoServer {
    binary: PathBuf,
    port: u16,
    logs: tempfile::TempDir,
    child: Option<Child>,
}

impl MotoServer {
    /// Starts a server, or returns `None` after [`crate::skip_or_fail`] when
    /// `moto_server` is not installed (`deploy/bootstrap.sh test-deps`;
    /// `MOTO_SERVER_BIN` overrides the search).
    pub fn start() -> Option<MotoServer> {
        let binary = process::require_binary("MOTO_SERVER_BIN", "moto_server")?;
        let logs = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let mut server = MotoServer {
            binary,
            port: 0,
            logs,
            child: None,
        };
        if process::start_retrying(|| {
            server.port = free_port();
            server.spawn()
        }) {
            return Some(server);
        }
        panic!(
            "moto_server did not start after 5 attempts; see {}",
            server.log_path().display()
        );
    }

    /// `http://127.0.0.1:<port>`, the value for `S3_ENDPOINT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Where its output goes.
    pub fn log_path(&self) -> PathBuf {
        self.logs.path().join("moto.log")
    }

    /// Kills the server with SIGKILL: from now on connections to its port are refused.
    pub fn kill(&mut self) {
        process::kill(&mut self.child);
    }

    /// Starts the server again on the same port, empty.
    pub fn restart(&mut self) {
        self.kill();
        if !process::restart_retrying(|| self.spawn()) {
            panic!("moto_server did not restart on port {}", self.port);
        }
    }

    fn spawn(&mut self) -> bool {
        let log = process::log_file(&self.log_path());
        let stdout = log
            .try_clone()
            .unwrap_or_else(|e| panic!("moto log file: {e}"));
        let mut command = Command::new(&self.binary);
        command
            .args(["-H", "127.0.0.1", "-p"])
            .arg(self.port.to_string())
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(log);
        self.child = process::spawn_listening(&mut command, self.port, START_TIMEOUT);
        self.child.is_some()
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        self.kill();
    }
}

#[cfg(test)]
mod tests {
    use std::net::{SocketAddr, TcpStream};

    use super::*;

    fn accepts(port: u16) -> bool {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok()
    }

    #[test]
    fn a_killed_server_refuses_and_a_restarted_one_serves_on_the_same_port() {
        let Some(mut moto) = MotoServer::start() else {
            return;
        };
        let port = moto.port();
        assert_eq!(moto.url(), format!("http://127.0.0.1:{port}"));
        assert!(accepts(port));
        moto.kill();
        assert!(!accepts(port), "still accepting after the kill");
        moto.restart();
        assert_eq!(moto.port(), port);
        assert!(accepts(port));
    }
}
