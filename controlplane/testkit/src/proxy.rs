//! Owns [`TcpProxy`]: a loopback TCP relay in front of a real server, which a test cuts
//! (the server becomes unreachable) and restores (reachable again, with everything it
//! stored), as a network outage looks to a client.
//!
//! Why not kill the server: a killed moto comes back empty, and whatever the test puts
//! back into it races with the client's own retries (a retry that lands between the
//! restart and the re-upload sees a missing object, a different failure). Cutting the
//! link keeps the server and its data, and restoring it is one step.
//!
//! Plain threads, one pair per relayed connection: a test relays a few hundred
//! connections at most, and the relay must not depend on the test's async runtime.

use std::collections::HashMap;
use std::io::ErrorKind;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

/// How often the accept loop looks at its stop flag while no one connects.
const ACCEPT_POLL: Duration = Duration::from_millis(5);

/// A relay from `127.0.0.1:<port>` to an upstream address; stops on drop.
pub struct TcpProxy {
    port: u16,
    upstream: SocketAddr,
    links: Arc<Links>,
    accepting: Option<Acceptor>,
}

/// The relayed connections, so a cut can break them.
#[derive(Default)]
struct Links {
    next_id: AtomicU64,
    open: Mutex<HashMap<u64, [TcpStream; 2]>>,
}

/// The accept loop's thread and its stop flag.
struct Acceptor {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl TcpProxy {
    /// Starts relaying a free loopback port to `upstream`.
    pub fn start(upstream: SocketAddr) -> TcpProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
        let port = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("local_addr: {e}"))
            .port();
        let links = Arc::new(Links::default());
        let accepting = Some(Acceptor::spawn(listener, upstream, links.clone()));
        TcpProxy {
            port,
            upstream,
            links,
            accepting,
        }
    }

    /// `http://127.0.0.1:<port>`, for an HTTP upstream.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Cuts the link: new connections are refused (nothing listens on the port) and the
    /// relayed ones are shut down in both directions.
    pub fn cut(&mut self) {
        if let Some(acceptor) = self.accepting.take() {
            acceptor.stop();
        }
        let open = std::mem::take(&mut *self.links.lock());
        for [client, server] in open.values() {
            // Either may be closed already; a cut only needs both to be.
            let _ = client.shutdown(Shutdown::Both);
            let _ = server.shutdown(Shutdown::Both);
        }
    }

    /// Restores the link on the same port.
    pub fn restore(&mut self) {
        if self.accepting.is_some() {
            return;
        }
        // std sets SO_REUSEADDR, so the port is free again at once; a retry covers a
        // client that grabbed it as an ephemeral port in between (rare, but loud).
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        let listener = (0..50)
            .find_map(|_| {
                TcpListener::bind(addr)
                    .inspect_err(|_| std::thread::sleep(Duration::from_millis(20)))
                    .ok()
            })
            .unwrap_or_else(|| panic!("port {} could not be bound again", self.port));
        self.accepting = Some(Acceptor::spawn(listener, self.upstream, self.links.clone()));
    }
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        self.cut();
    }
}

impl Links {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, [TcpStream; 2]>> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Acceptor {
    fn spawn(listener: TcpListener, upstream: SocketAddr, links: Arc<Links>) -> Acceptor {
        listener
            .set_nonblocking(true)
            .unwrap_or_else(|e| panic!("set_nonblocking: {e}"));
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let thread = std::thread::spawn(move || {
            while !stopped.load(Ordering::Acquire) {
                match listener.accept() {
                    Ok((client, _)) => relay(client, upstream, &links),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => std::thread::sleep(ACCEPT_POLL),
                    Err(e) if e.kind() == ErrorKind::Interrupted => {}
                    Err(e) => panic!("accept: {e}"),
                }
            }
            // The listener drops here: from now on the port refuses.
        });
        Acceptor { stop, thread }
    }

    /// Stops accepting and waits until the port is closed.
    fn stop(self) {
        self.stop.store(true, Ordering::Release);
        let _ = self.thread.join();
    }
}

/// Connects `client` to `upstream` and copies both ways, each on its own thread. An
/// upstream that refuses is passed on as a closed connection.
fn relay(client: TcpStream, upstream: SocketAddr, links: &Arc<Links>) {
    let _ = client.set_nonblocking(false);
    let Ok(server) = TcpStream::connect(upstream) else {
        return;
    };
    let (Ok(client_in), Ok(server_in), Ok(client_kept), Ok(server_kept)) = (
        client.try_clone(),
        server.try_clone(),
        client.try_clone(),
        server.try_clone(),
    ) else {
        return;
    };
    let id = links.next_id.fetch_add(1, Ordering::Relaxed);
    links.lock().insert(id, [client_kept, server_kept]);
    let done = Arc::new(AtomicBool::new(false));
    for (from, to) in [(client_in, server), (server_in, client)] {
        let (links, done) = (links.clone(), done.clone());
        std::thread::spawn(move || {
            copy(from, to);
            // The second direction to finish forgets the connection.
            if done.swap(true, Ordering::AcqRel) {
                links.lock().remove(&id);
            }
        });
    }
}

/// Copies until `from` ends or fails, then passes the end on to `to`.
fn copy(mut from: TcpStream, mut to: TcpStream) {
    // An error ends the copy like an end of stream: either way `to` is told.
    let _ = std::io::copy(&mut from, &mut to);
    let _ = to.shutdown(Shutdown::Write);
    let _ = from.shutdown(Shutdown::Read);
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};

    use super::*;

    /// An upstream that answers every connection by echoing what it reads.
    fn echo_server() -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                std::thread::spawn(move || {
                    if let Ok(back) = stream.try_clone() {
                        copy(stream, back);
                    }
                });
            }
        });
        addr
    }

    fn round_trip(port: u16, text: &[u8]) -> std::io::Result<Vec<u8>> {
        let mut stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        stream.write_all(text)?;
        let mut got = vec![0; text.len()];
        stream.read_exact(&mut got)?;
        Ok(got)
    }

    #[test]
    fn a_cut_refuses_new_connections_breaks_open_ones_and_a_restore_relays_again() {
        let mut proxy = TcpProxy::start(echo_server());
        let port = proxy.port();
        assert_eq!(proxy.url(), format!("http://127.0.0.1:{port}"));
        assert_eq!(round_trip(port, b"before").unwrap_or_default(), b"before");

        let mut open = TcpStream::connect(("127.0.0.1", port)).unwrap_or_else(|e| panic!("{e}"));
        open.set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap_or_else(|e| panic!("{e}"));
        open.write_all(b"x").unwrap_or_else(|e| panic!("{e}"));
        let mut one = [0; 1];
        open.read_exact(&mut one).unwrap_or_else(|e| panic!("{e}"));

        proxy.cut();
        let refused = TcpStream::connect(("127.0.0.1", port)).map(|_| ());
        assert_eq!(
            refused.map_err(|e| e.kind()),
            Err(ErrorKind::ConnectionRefused)
        );
        let mut rest = Vec::new();
        let ended = open.read_to_end(&mut rest);
        assert!(
            matches!(ended, Ok(0)) || ended.is_err(),
            "an open connection survived the cut: {ended:?} {rest:?}"
        );

        proxy.restore();
        assert_eq!(round_trip(port, b"after").unwrap_or_default(), b"after");
    }
}
