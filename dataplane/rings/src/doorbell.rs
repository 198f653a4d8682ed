//! Owns the wake-up protocol between the two ends of a ring: the [`Doorbell`] (an armed
//! flag beside a waker slot), the per-end [`Side`] record of counters, and cache-line
//! [`Padded`] storage so the two ends never write the same line on their fast paths.
//!
//! # The protocol (why no wake-up is lost, and why the fast path is cheap)
//! The waiting end *arms* the bell: it registers its waker, then sets `armed` with an
//! acquire-release swap, then re-checks its condition (data present / space free / peer
//! closed) before returning `Pending`. The notifying end first publishes its progress (the
//! ring's release store of its index, or the closed flag), then *rings*: an acquire-release
//! swap of `armed` to `false`, waking only if it read `true`.
//!
//! Both sides do a read-modify-write on the same `armed` flag, so the two swaps are totally
//! ordered. If the ring's swap comes second it reads `true` and wakes the registered waker.
//! If it comes first, the waiter's swap reads from it (directly or through the release
//! sequence of later swaps, all of which are read-modify-writes, including [`Doorbell::disarm`])
//! and so synchronises with it: the re-check then sees the published progress. Either way
//! the waiter is not left asleep. A plain load on the ringing side would need a
//! `SeqCst` fence on both sides instead (Dekker); the swap costs the same on x86 and is
//! something loom can check (`tests/loom_wake.rs`).
//!
//! When nobody waits, ringing is one uncontended swap on a line the notifier already owns:
//! no waker is touched, no syscall, no counter on the other end's line.
//!
//! Before arming at all, an end that finds nothing to do yields to its executor a few times
//! ([`Patience`]): while the other end is streaming, the next records (or free slots) are
//! usually there by the next poll, and neither side pays for a wake-up. Measured in
//! `docs/benchmarks/rings.md` (+20-30% cross-thread throughput at 16 yields).

use std::sync::atomic::{AtomicU64, Ordering};
use std::task::Waker;

use crate::sync::{AtomicBool, WakerSlot};

/// Aligns its content to 128 bytes (two x86 cache lines, as the adjacent-line prefetcher
/// pulls pairs) so data written by one end never shares a line with the other end's.
#[derive(Debug, Default)]
#[repr(align(128))]
pub(crate) struct Padded<T>(pub(crate) T);

impl<T> std::ops::Deref for Padded<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// An armed flag and the waker of the end that armed it.
#[derive(Debug, Default)]
pub(crate) struct Doorbell {
    armed: AtomicBool,
    waker: WakerSlot,
}

impl Doorbell {
    /// Waiting end: registers `waker` and arms the bell. The caller must re-check its
    /// condition afterwards and call [`Doorbell::disarm`] if it no longer needs to wait.
    pub(crate) fn arm(&self, waker: &Waker) {
        self.waker.register(waker);
        self.armed.swap(true, Ordering::AcqRel);
    }

    /// Waiting end: the re-check after [`Doorbell::arm`] succeeded. A swap, not a store, so
    /// the release sequence of a concurrent [`Doorbell::ring`] is not broken.
    pub(crate) fn disarm(&self) {
        self.armed.swap(false, Ordering::AcqRel);
    }

    /// Notifying end, after publishing progress: wakes the waiting end if it is armed.
    /// Returns whether a wake-up was issued.
    pub(crate) fn ring(&self) -> bool {
        if self.armed.swap(false, Ordering::AcqRel) {
            self.waker.wake();
            true
        } else {
            false
        }
    }

    /// Waiting end, on drop: releases its registered waker on its own thread.
    pub(crate) fn forget_waker(&self) {
        drop(self.waker.take());
    }
}

/// How many times in a row an end re-polls through its executor (waking its own task and
/// returning `Pending`) before it arms the doorbell and parks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Patience {
    pub(crate) limit: u32,
    used: u32,
}

impl Patience {
    pub(crate) fn new(limit: u32) -> Self {
        Patience { limit, used: 0 }
    }

    /// The end made progress: the next idle stretch starts afresh.
    pub(crate) fn reset(&mut self) {
        self.used = 0;
    }

    /// The end found nothing to do: `true` to yield once more, `false` to park now.
    ///
    /// The count starts over only on progress ([`Patience::reset`]), not on parking: a task
    /// that polls several ends (a shard loop) is re-polled whenever any of them wakes it,
    /// and an end that restarted its yields on every such poll would keep the others awake
    /// in turn, so an idle shard spun at 100% CPU and its sockets waited for the executor's
    /// preemption tick.
    pub(crate) fn yield_again(&mut self) -> bool {
        if self.used < self.limit {
            self.used += 1;
            true
        } else {
            false
        }
    }
}

/// A counter with a single writer: increments are a relaxed load and store, not an atomic
/// read-modify-write, and readers on other threads see a recent value.
#[derive(Debug, Default)]
pub(crate) struct Counter(AtomicU64);

impl Counter {
    /// Adds `n`. Only the owning end calls this.
    pub(crate) fn add(&self, n: u64) {
        self.0.store(
            self.0.load(Ordering::Relaxed).wrapping_add(n),
            Ordering::Relaxed,
        );
    }

    /// The current value.
    pub(crate) fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// What one end writes on its fast path: the bell it rings and its counters.
#[derive(Debug, Default)]
pub(crate) struct Side {
    /// Rung by this end; armed by the other end before it parks.
    pub(crate) bell: Doorbell,
    /// Records this end moved (pushed for the sender, popped for the receiver).
    pub(crate) moved: Counter,
    /// Wake-ups this end issued to the other end through `bell`.
    pub(crate) wakes: Counter,
    /// Times this end parked (returned `Pending`) waiting for the other end.
    pub(crate) parks: Counter,
}
