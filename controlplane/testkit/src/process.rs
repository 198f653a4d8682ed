//! Owns what the service helpers share about child processes: finding an installed
//! binary, and starting a server and waiting until it accepts on its port.

use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// `$override_var` when it names a file, else the first `name` on `PATH`, `/usr/sbin` or
/// `/usr/local/bin`.
pub(crate) fn find_binary(override_var: &str, name: &str) -> Option<PathBuf> {
    if let Ok(p) = std::env::var(override_var) {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/usr/local/bin".into()])
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// [`find_binary`], or `None` after [`crate::skip_or_fail`] when it is not installed.
pub(crate) fn require_binary(override_var: &str, name: &str) -> Option<PathBuf> {
    let found = find_binary(override_var, name);
    if found.is_none() {
        crate::skip_or_fail(&format!(
            "{name} is not installed (deploy/bootstrap.sh test-deps)"
        ));
    }
    found
}

/// Spawns `command` and waits until something accepts on `port` of 127.0.0.1. `None` if
/// the process exited first (typically: the port was taken) or did not listen within
/// `timeout` (then it is killed).
pub(crate) fn spawn_listening(
    command: &mut Command,
    port: u16,
    timeout: Duration,
) -> Option<Child> {
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {:?}: {e}", command.get_program()));
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if matches!(child.try_wait(), Ok(Some(_))) {
            return None;
        }
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Some(child);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

/// Calls `spawn` (which picks fresh free ports) until it succeeds, 5 times at most: a
/// free port can be taken between our probe and the server's bind.
pub(crate) fn start_retrying(mut spawn: impl FnMut() -> bool) -> bool {
    (0..5).any(|_| spawn())
}

/// Calls `spawn` (on the same port) until it succeeds, for 5 s at most: the port of the
/// process just killed may take a moment to be free again.
pub(crate) fn restart_retrying(mut spawn: impl FnMut() -> bool) -> bool {
    for _ in 0..50 {
        if spawn() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

/// Kills `child` with SIGKILL and reaps it.
pub(crate) fn kill(child: &mut Option<Child>) {
    if let Some(mut c) = child.take() {
        let _ = c.kill();
        let _ = c.wait();
    }
}

/// Appends to `log` (created if missing), for a child's stderr.
pub(crate) fn log_file(log: &std::path::Path) -> std::fs::File {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap_or_else(|e| panic!("log file {}: {e}", log.display()))
}
