//! Bounded single-producer/single-consumer rings between the control plane (tokio) and the
//! data-plane shards (glommio), one per direction per shard.
//!
//! A record is moved, never copied or serialised: small fixed fields travel by value and
//! payloads travel as reference-counted buffers (`bytes::Bytes`), so the buffer a shard
//! writes to a socket is the very one the bus handed the control plane. Both ends work from
//! any executor: a parked end is woken through its task's [`std::task::Waker`], which for
//! glommio queues the task on its executor and writes that executor's eventfd, and for tokio
//! unparks its worker; no end ever polls on a timer.
//!
//! ```
//! # futures::executor::block_on(async {
//! let (mut tx, mut rx) = rings::ring::<u64>(1024);
//! tx.send(7).await.expect("receiver alive");
//! drop(tx);
//! let mut batch = Vec::new();
//! assert_eq!(rx.recv_batch(&mut batch, 256).await, 1);
//! assert_eq!(rx.recv_batch(&mut batch, 256).await, 0); // closed and drained
//! # });
//! ```
//!
//! # Layout
//! - [`ring`] / [`try_ring`]: build a ring of a given capacity (this file).
//! - [`sender`]: [`RingSender`], the producing end: `try_send`, `send`, batched pushes.
//! - [`receiver`]: [`RingReceiver`], the consuming end: `try_recv`, `recv`, `recv_batch`.
//! - `doorbell`: the wake-up protocol (armed flag + waker per direction) and why it loses no
//!   wake-up; cache-line padding; single-writer counters.
//! - `queue`: the record storage, an adapter over `rtrb` (`queue_loom.rs`, a loom model
//!   of it, replaces it under `--cfg rings_loom`).
//! - [`stats`]: [`RingStats`] / [`RingMetrics`], records moved vs wake-ups issued.
//! - [`error`]: [`TrySendError`], [`Closed`], [`TryRecvError`], [`CapacityError`].
//! - `sync`: std/atomic-waker primitives, or loom's under `--cfg rings_loom`.
//!
//! # Invariants
//! - Capacity is exactly what was asked (not rounded), between 1 and [`MAX_CAPACITY`]
//!   records, fixed for the ring's life. Overflow policy: the sender waits
//!   ([`RingSender::send`]) or gets the record back ([`TrySendError::Full`]); a record is
//!   never dropped, overwritten or duplicated by the ring.
//! - Records come out in the order they went in, each exactly once.
//! - Per publication (one record or one batch) the sender issues at most one wake-up, and
//!   only if the receiver is parked; likewise the receiver towards a sender parked on a full
//!   ring. A receiver that is awake costs the sender no wake-up at all.
//! - A parked end is always woken by the other end's next publication or by its drop: the
//!   doorbell protocol (see `doorbell`) is checked by loom in `tests/loom_wake.rs`.
//! - An async end that cannot proceed yields to its executor at most
//!   [`DEFAULT_YIELDS_BEFORE_PARK`] times in a row (configurable) before parking: bounded
//!   re-polling, never an unbounded spin, and never a blocked executor thread.
//! - Dropping the sender closes the ring for reading once drained ([`RingReceiver::recv`]
//!   returns `None`); dropping the receiver closes it for writing ([`TrySendError::Closed`])
//!   and drops the unread records at once. A send racing that drop may still be accepted
//!   and its record dropped with the ring, as with any channel whose receiver goes away.
//! - No `unsafe` here; the one unsafe-using dependency on the hot path is `rtrb`.
//!
//! # Decision: `rtrb` for storage + our own doorbells for wake-ups
//! Measured (`docs/benchmarks/rings.md`, 2-vCPU KVM guest, medians of 5 runs): raw `rtrb`
//! and raw `ringbuf` move 31 and 25 M records/s busy-polling, equal within this machine's
//! run-to-run noise. glommio's `shared_channel` is ruled out without a number: both of its
//! ends must live in glommio executors, so it cannot join tokio to a shard. iceoryx2 is for
//! a later cross-process split and would replace only `queue`. A hand-written ring would be
//! `rtrb`'s algorithm (Lamport ring, cache-padded indices, cached peer index) plus `unsafe`
//! of our own to prove, so it was not built. Taken: `rtrb` (its chunk APIs never drop a
//! record that did not fit) with loom-checked doorbells on top. Result: 29 M records/s with
//! one async `send` per record against 7.1 M/s for tokio's bounded mpsc (4.0x), 200 M/s with
//! 32-record batches (28x). The next lever if single sends must reach 5x: a plain load
//! instead of the producer's swap, paid for by a `membarrier` on the parking side (one
//! patched run: +40%), at the price of the loom proof.

#![forbid(unsafe_code)]

mod doorbell;
pub mod error;
#[cfg_attr(rings_loom, path = "queue_loom.rs")]
mod queue;
pub mod receiver;
pub mod sender;
pub mod stats;
mod sync;

pub use error::{CapacityError, Closed, TryRecvError, TrySendError};
pub use receiver::RingReceiver;
pub use sender::RingSender;
pub use stats::{RingMetrics, RingStats};

use stats::Shared;
use sync::Arc;

/// How many times in a row an async send or receive that cannot proceed yields to its
/// executor before it arms the doorbell and parks; see `set_yields_before_park` on either
/// end. While the other end is streaming, the records (or slots) are usually there by the
/// next poll, so no wake-up is paid for; an end that stays idle parks after 16 cheap polls.
pub const DEFAULT_YIELDS_BEFORE_PARK: u32 = 16;

/// The largest capacity a ring accepts, in records (2^20). A ring's slots are allocated up
/// front, so this bounds what a misconfigured capacity can cost (64 MiB of 64-byte records).
pub const MAX_CAPACITY: usize = 1 << 20;

/// Builds a ring holding up to `capacity` records and returns its two ends.
///
/// # Panics
/// If `capacity` is 0 or above [`MAX_CAPACITY`]; use [`try_ring`] for a capacity that comes
/// from configuration.
pub fn ring<T: Send>(capacity: usize) -> (RingSender<T>, RingReceiver<T>) {
    match try_ring(capacity) {
        Ok(ends) => ends,
        Err(e) => panic!("rings::ring({capacity}): {e}"),
    }
}

/// Builds a ring holding up to `capacity` records (exactly; no rounding).
///
/// # Errors
/// [`CapacityError`] if `capacity` is 0 or above [`MAX_CAPACITY`].
pub fn try_ring<T: Send>(
    capacity: usize,
) -> Result<(RingSender<T>, RingReceiver<T>), CapacityError> {
    if capacity == 0 {
        return Err(CapacityError::Zero);
    }
    if capacity > MAX_CAPACITY {
        return Err(CapacityError::TooLarge {
            requested: capacity,
            max: MAX_CAPACITY,
        });
    }
    let (producer, consumer) = queue::queue(capacity);
    let shared = Arc::new(Shared::new(capacity));
    Ok((
        RingSender::new(producer, shared.clone()),
        RingReceiver::new(consumer, shared),
    ))
}

#[cfg(all(test, not(rings_loom)))]
mod tests {
    use super::*;

    #[test]
    fn capacity_zero_is_refused() {
        assert_eq!(try_ring::<u8>(0).err(), Some(CapacityError::Zero));
    }

    #[test]
    fn capacity_above_max_is_refused() {
        assert!(matches!(
            try_ring::<u8>(MAX_CAPACITY + 1).err(),
            Some(CapacityError::TooLarge { .. })
        ));
    }

    #[test]
    fn capacity_is_exact_not_rounded() {
        let (mut tx, rx) = ring::<u32>(3);
        assert_eq!(tx.capacity(), 3);
        assert_eq!(rx.capacity(), 3);
        for i in 0..3 {
            assert!(tx.try_send(i).is_ok());
        }
        assert_eq!(tx.try_send(9), Err(TrySendError::Full(9)));
        assert_eq!(tx.free_slots(), 0);
        assert_eq!(rx.len(), 3);
    }

    #[test]
    fn try_recv_reports_empty_then_closed() {
        let (mut tx, mut rx) = ring::<u32>(2);
        assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
        assert!(tx.try_send(1).is_ok());
        drop(tx);
        assert!(rx.is_closed());
        assert_eq!(rx.try_recv(), Ok(1));
        assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    }

    #[test]
    fn batch_send_keeps_what_did_not_fit() {
        let (mut tx, mut rx) = ring::<u32>(4);
        let mut items: Vec<u32> = (0..10).collect();
        assert_eq!(tx.try_send_batch(&mut items), 4);
        assert_eq!(items, (4..10).collect::<Vec<_>>());
        let mut out = Vec::new();
        assert_eq!(rx.try_recv_batch(&mut out, 3), Ok(3));
        assert_eq!(tx.try_send_batch(&mut items), 3);
        assert_eq!(items, (7..10).collect::<Vec<_>>());
        assert_eq!(rx.try_recv_batch(&mut out, 100), Ok(4));
        assert_eq!(out, (0..7).collect::<Vec<_>>());
    }

    #[test]
    fn iter_send_pulls_only_what_fits() {
        let (mut tx, _rx) = ring::<u32>(2);
        let mut it = 0..5u32;
        assert_eq!(tx.try_send_iter(&mut it), 2);
        assert_eq!(it.next(), Some(2));
    }

    #[test]
    fn batch_receive_with_max_zero_takes_one() {
        let (mut tx, mut rx) = ring::<u32>(4);
        let mut items = vec![1, 2];
        tx.try_send_batch(&mut items);
        let mut out = Vec::new();
        assert_eq!(rx.try_recv_batch(&mut out, 0), Ok(1));
    }

    #[test]
    fn stats_count_records_without_wakeups_when_nobody_waits() {
        let (mut tx, mut rx) = ring::<u32>(8);
        let mut items: Vec<u32> = (0..5).collect();
        tx.try_send_batch(&mut items);
        let mut out = Vec::new();
        assert_eq!(rx.try_recv_batch(&mut out, 8), Ok(5));
        let s = tx.stats();
        assert_eq!((s.records_sent, s.records_received), (5, 5));
        assert_eq!((s.receiver_wakeups, s.sender_wakeups), (0, 0));
        assert_eq!(s.records_per_wakeup(), None);
    }

    #[test]
    fn receiver_drop_releases_unread_records_at_once() {
        let (mut tx, rx) = ring::<std::sync::Arc<()>>(4);
        let token = std::sync::Arc::new(());
        assert!(tx.try_send(token.clone()).is_ok());
        assert_eq!(std::sync::Arc::strong_count(&token), 2);
        drop(rx);
        assert_eq!(std::sync::Arc::strong_count(&token), 1);
        assert!(tx.is_closed());
    }
}
