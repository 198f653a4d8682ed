//! The shard-to-shard mesh: one single-producer/single-consumer ring per ordered pair of
//! shards, so a publish that starts on one shard (a client's push) reaches the subscribers
//! of every other shard, in the order that shard published (each pair's ring is FIFO).
//!
//! A shard never waits on a peer's full ring (two shards waiting on each other would
//! deadlock): a record that does not fit waits in a per-peer backlog, moved at the next turn
//! of the shard loop or as soon as the peer frees space. The backlog is bounded only by how
//! far a peer falls behind, and peers drain their mesh rings on every turn of their loop.

use std::collections::VecDeque;
use std::future::poll_fn;
use std::sync::Arc;
use std::task::Poll;

use codecs::ring::BroadcastRecord;
use rings::{RingReceiver, RingSender, TrySendError};

/// Capacity of each shard-to-shard ring.
pub(crate) const MESH_CAPACITY: usize = 1024;

/// What travels between shards: a broadcast, shared by every peer.
pub(crate) type MeshRecord = Arc<BroadcastRecord>;

/// One shard's ends of the mesh.
pub(crate) struct MeshLinks {
    /// To every other shard.
    pub out: Vec<RingSender<MeshRecord>>,
    /// From every other shard.
    pub inbound: Vec<RingReceiver<MeshRecord>>,
}

/// Builds the full mesh of `shards` shards.
pub(crate) fn mesh(shards: usize) -> Vec<MeshLinks> {
    let mut links: Vec<MeshLinks> = (0..shards)
        .map(|_| MeshLinks {
            out: Vec::new(),
            inbound: Vec::new(),
        })
        .collect();
    for from in 0..shards {
        for to in 0..shards {
            if from != to {
                let (tx, rx) = rings::ring(MESH_CAPACITY);
                links[from].out.push(tx);
                links[to].inbound.push(rx);
            }
        }
    }
    links
}

/// The sending side with its per-peer backlogs.
pub(crate) struct MeshOut<'a> {
    peers: &'a mut [RingSender<MeshRecord>],
    backlog: Vec<VecDeque<MeshRecord>>,
}

impl<'a> MeshOut<'a> {
    pub fn new(peers: &'a mut [RingSender<MeshRecord>]) -> Self {
        let backlog = peers.iter().map(|_| VecDeque::new()).collect();
        MeshOut { peers, backlog }
    }

    /// Sends `record` to every peer, never waiting.
    pub fn publish(&mut self, record: &MeshRecord) {
        for (peer, backlog) in self.peers.iter_mut().zip(&mut self.backlog) {
            if backlog.is_empty() {
                match peer.try_send(record.clone()) {
                    Ok(()) | Err(TrySendError::Closed(_)) => continue,
                    Err(TrySendError::Full(record)) => backlog.push_back(record),
                }
            } else {
                backlog.push_back(record.clone());
            }
        }
    }

    /// Whether a record waits for space.
    pub fn has_backlog(&self) -> bool {
        self.backlog.iter().any(|b| !b.is_empty())
    }

    /// Completes when a peer with a backlog has space, after moving what fits.
    pub async fn flush(&mut self) {
        poll_fn(|cx| {
            let mut progressed = false;
            for (peer, backlog) in self.peers.iter_mut().zip(&mut self.backlog) {
                while let Some(record) = backlog.pop_front() {
                    match peer.try_send(record) {
                        Ok(()) => progressed = true,
                        Err(TrySendError::Closed(_)) => {
                            backlog.clear();
                            progressed = true;
                        }
                        Err(TrySendError::Full(record)) => {
                            backlog.push_front(record);
                            if peer.poll_space(cx).is_ready() {
                                progressed = true;
                            }
                            break;
                        }
                    }
                }
            }
            if progressed {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await
    }
}

/// Waits until any peer ring has records and moves up to `max` per ring into `out`.
/// Never completes once every peer is gone.
pub(crate) async fn recv_any(
    inbound: &mut [RingReceiver<MeshRecord>],
    out: &mut Vec<MeshRecord>,
    max: usize,
) {
    poll_fn(|cx| {
        for ring in inbound.iter_mut() {
            let _ = ring.poll_recv_batch(cx, out, max);
        }
        if out.is_empty() {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await
}
