//! Armoricore's data plane: thread-per-core shards that move bytes.
//!
//! Who depends on it: the `armoricore` binary, which starts it with [`DataPlane::start`]
//! and talks to it only through the ring ends of [`links`]; no control-plane crate
//! imports it, and it imports none of them (they meet in `codecs::ring` records).
//!
//! # Layout
//! - [`config`]: plain settings ([`DataPlaneConfig`]).
//! - [`runtime`]: the only module that knows glommio (executors, sockets, timers).
//! - `shard`: one shard's loop — inbox, uplink, lifecycle — and its listener.
//! - `http`: HTTP/1.1 on the shards, requests forwarded to the control plane.
//! - [`fanout`]: per-shard topic registry and per-connection bounded outboxes.
//! - `handoff`: what a shard owns, handed from one incarnation to the next (the one lock).
//! - `ws`: WebSocket sockets: upgrade after the token verdict, Phoenix transport, outbox writer.
//! - [`echo`]: the `/ws/echo` endpoint for the Autobahn conformance run (off by default).
//! - `mesh`: the shard-to-shard rings that carry publishes started on a shard.
//! - `signal`: a single-threaded one-shot signal for a shard's tasks.
//!
//! # Invariants
//! - A shard's state is owned by that shard (`Rc`/`RefCell`, never `Arc<Mutex<_>>`); shards
//!   meet the control plane only through their two rings.
//! - Every shard listens on the same port with `SO_REUSEPORT`; the kernel spreads
//!   connections.
//! - A shard that panics is logged and started again by its supervisor with the same rings;
//!   the node keeps running. [`DataPlane::stop`] returns only when every shard has stopped.

pub mod config;
pub mod echo;
pub mod fanout;
mod handoff;
mod http;
mod mesh;
pub mod runtime;
mod shard;
mod signal;
mod ws;
mod wsread;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use codecs::ring::{FromShard, ShardId, ToShard};
use rings::{RingReceiver, RingSender};

pub use config::{DataPlaneConfig, HttpLimits, PinPolicy};
pub use shard::ShardLinks;

use handoff::Handoff;
use shard::{Lifecycle, ShardShared};

/// Capacity of each control-plane ↔ shard ring. When a ring is full the sender waits
/// (nothing is dropped); 4096 records absorb a burst of fan-out or requests per shard.
pub const RING_CAPACITY: usize = 4096;

/// The control-plane ends of one shard's rings.
pub struct ControlLinks {
    /// The shard this pair talks to.
    pub shard: ShardId,
    /// Control plane → shard.
    pub to_shard: RingSender<ToShard>,
    /// Shard → control plane.
    pub from_shard: RingReceiver<FromShard>,
}

/// Creates the two rings of each of `shards` shards: the shard ends and the control ends.
pub fn links(shards: usize, capacity: usize) -> (Vec<ShardLinks>, Vec<ControlLinks>) {
    (0..shards)
        .map(|i| {
            let (to_shard, inbox) = rings::ring(capacity);
            let (uplink, from_shard) = rings::ring(capacity);
            (
                ShardLinks { inbox, uplink },
                ControlLinks {
                    shard: i as ShardId,
                    to_shard,
                    from_shard,
                },
            )
        })
        .unzip()
}

/// Why the data plane could not start.
#[derive(Debug, thiserror::Error)]
pub enum DataPlaneError {
    /// `links` has a different length than `config.shards`, or zero shards were asked for.
    #[error("data plane needs one ShardLinks per shard (shards = {shards}, links = {links})")]
    Links {
        /// Shards configured.
        shards: usize,
        /// Links given.
        links: usize,
    },
    /// A shard could not start (its executor or its listener).
    #[error("shard {shard} could not start: {reason}")]
    Shard {
        /// Which shard.
        shard: ShardId,
        /// What failed.
        reason: String,
    },
}

struct Supervisor {
    shard: ShardId,
    lifecycle: Handoff<RingSender<Lifecycle>>,
    thread: JoinHandle<()>,
}

/// The running data plane.
pub struct DataPlane {
    local_addr: SocketAddr,
    supervisors: Vec<Supervisor>,
    restarts: Arc<AtomicU64>,
}

impl DataPlane {
    /// Starts one shard per entry of `links`, each listening on `config.bind`. Returns once
    /// every shard is listening.
    pub fn start(
        config: DataPlaneConfig,
        links: Vec<ShardLinks>,
    ) -> Result<DataPlane, DataPlaneError> {
        if links.len() != config.shards || links.is_empty() {
            return Err(DataPlaneError::Links {
                shards: config.shards,
                links: links.len(),
            });
        }
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let restarts = Arc::new(AtomicU64::new(0));
        let mut bind = config.bind;
        let mut supervisors = Vec::with_capacity(links.len());
        let meshes = mesh::mesh(links.len());
        for (index, (shard_links, mesh_links)) in links.into_iter().zip(meshes).enumerate() {
            let id = index as ShardId;
            let (lifecycle_tx, lifecycle_rx) = rings::ring(4);
            let shared = Arc::new(ShardShared {
                id,
                config: config.clone(),
                links: Handoff::new(shard_links),
                lifecycle: Handoff::new(lifecycle_rx),
                listener_kill: Handoff::new(None),
                mesh: Handoff::new(mesh_links),
            });
            let cpu = match config.pin {
                PinPolicy::PinToCores => Some(index % cores),
                PinPolicy::Unpinned => None,
            };
            let (bound_tx, bound_rx) = std::sync::mpsc::channel();
            let thread =
                spawn_supervisor(shared, cpu, bind, bound_tx, restarts.clone()).map_err(|e| {
                    DataPlaneError::Shard {
                        shard: id,
                        reason: e.to_string(),
                    }
                })?;
            let supervisor = Supervisor {
                shard: id,
                lifecycle: Handoff::new(lifecycle_tx),
                thread,
            };
            let outcome = bound_rx
                .recv()
                .unwrap_or_else(|_| Err("shard exited before listening".to_string()));
            match outcome {
                Ok(addr) => bind = addr,
                Err(reason) => {
                    supervisors.push(supervisor);
                    let plane = DataPlane {
                        local_addr: bind,
                        supervisors,
                        restarts,
                    };
                    plane.stop();
                    return Err(DataPlaneError::Shard { shard: id, reason });
                }
            }
            supervisors.push(supervisor);
        }
        tracing::info!(shards = supervisors.len(), %bind, "data plane listening");
        Ok(DataPlane {
            local_addr: bind,
            supervisors,
            restarts,
        })
    }

    /// The address every shard listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Number of shards.
    pub fn shards(&self) -> usize {
        self.supervisors.len()
    }

    /// How many times a shard was started again after a panic.
    pub fn restarts(&self) -> u64 {
        self.restarts.load(Ordering::Relaxed)
    }

    /// Makes shard `shard` panic, to exercise the supervisor (tests and fault drills).
    pub fn inject_panic(&self, shard: ShardId) {
        if let Some(s) = self.supervisors.iter().find(|s| s.shard == shard) {
            let mut lifecycle = s.lifecycle.take();
            let _ = lifecycle.try_send(Lifecycle::Panic);
        }
    }

    /// Stops every shard: no new connections, requests in flight finish (up to the grace
    /// period), then returns once every shard thread has ended. Blocks the calling thread.
    pub fn stop(self) {
        for s in &self.supervisors {
            let mut lifecycle = s.lifecycle.take();
            let _ = lifecycle.try_send(Lifecycle::Stop);
        }
        for s in self.supervisors {
            drop(s.lifecycle);
            if s.thread.join().is_err() {
                tracing::error!(shard = s.shard, "shard supervisor panicked");
            }
        }
        tracing::info!("data plane stopped");
    }
}

/// Runs a shard, starting it again after each panic, until it stops on request.
fn spawn_supervisor(
    shared: Arc<ShardShared>,
    cpu: Option<usize>,
    bind: SocketAddr,
    bound_tx: std::sync::mpsc::Sender<Result<SocketAddr, String>>,
    restarts: Arc<AtomicU64>,
) -> std::io::Result<JoinHandle<()>> {
    let name = format!("shard-{}", shared.id);
    #[allow(clippy::disallowed_methods)] // the supervisor is the one place threads start
    std::thread::Builder::new()
        .name(format!("{name}-supervisor"))
        .spawn(move || {
            let mut backoff = shared.config.restart_backoff;
            let mut first = Some(bound_tx);
            let mut bind = bind;
            loop {
                let (addr_tx, addr_rx) = std::sync::mpsc::channel();
                let shard = shared.clone();
                let started = runtime::spawn_executor(&name, cpu, shared.config.io_memory, move || {
                    shard::run(shard, bind, move |addr| {
                        let _ = addr_tx.send(addr.map_err(|e| e.to_string()));
                    })
                });
                let handle = match started {
                    Ok(handle) => handle,
                    Err(e) => {
                        if let Some(tx) = first.take() {
                            let _ = tx.send(Err(e.to_string()));
                        }
                        return;
                    }
                };
                match addr_rx.recv() {
                    Ok(Ok(addr)) => {
                        bind = addr;
                        if let Some(tx) = first.take() {
                            let _ = tx.send(Ok(addr));
                        }
                    }
                    Ok(Err(reason)) => {
                        if let Some(tx) = first.take() {
                            let _ = tx.send(Err(reason));
                            let _ = handle.join();
                            return;
                        }
                        tracing::error!(shard = shared.id, %reason, "restarted shard cannot listen");
                    }
                    Err(_) => {}
                }
                match handle.join() {
                    Ok(()) => return,
                    Err(panic) => {
                        if let Some(kill) = shared.listener_kill.take().take() {
                            kill.shutdown();
                        }
                        restarts.fetch_add(1, Ordering::Relaxed);
                        tracing::error!(shard = shared.id, %panic, ?backoff, "shard panicked; starting it again");
                        std::thread::sleep(backoff);
                        backoff = (backoff * 2).min(Duration::from_secs(5));
                    }
                }
            }
        })
}
