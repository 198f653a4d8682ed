//! Owns what a ring shares between its two ends besides the records (closed flags, the two
//! doorbells, counters) and the read-only views of its counters: [`RingStats`], a
//! snapshot, and [`RingMetrics`], a handle that outlives neither end's usefulness and can be
//! read from any thread (for `/metrics`).

use std::sync::atomic::Ordering;

use crate::doorbell::{Padded, Side};
use crate::sync::{Arc, AtomicBool};

/// State shared by the two ends of one ring (the records live in the queue itself).
#[derive(Debug)]
pub(crate) struct Shared {
    /// Written by the sender: rings the data bell, counts records pushed.
    pub(crate) tx: Padded<Side>,
    /// Written by the receiver: rings the space bell, counts records popped.
    pub(crate) rx: Padded<Side>,
    /// Read-mostly: set once each, when an end drops.
    pub(crate) closed: Padded<Closing>,
    pub(crate) capacity: usize,
}

/// The two closed flags, each set once with a release store by the end that drops.
#[derive(Debug, Default)]
pub(crate) struct Closing {
    pub(crate) sender_gone: AtomicBool,
    pub(crate) receiver_gone: AtomicBool,
}

impl Shared {
    pub(crate) fn new(capacity: usize) -> Self {
        Shared {
            tx: Padded::default(),
            rx: Padded::default(),
            closed: Padded::default(),
            capacity,
        }
    }

    pub(crate) fn sender_gone(&self) -> bool {
        self.closed.sender_gone.load(Ordering::Acquire)
    }

    pub(crate) fn receiver_gone(&self) -> bool {
        self.closed.receiver_gone.load(Ordering::Acquire)
    }
}

/// A snapshot of one ring's counters. Each counter has one writer, so a snapshot taken
/// while the ring runs is a few records stale, never torn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RingStats {
    /// The ring's capacity in records.
    pub capacity: usize,
    /// Records the sender pushed.
    pub records_sent: u64,
    /// Records the receiver popped.
    pub records_received: u64,
    /// Wake-ups the sender issued to a parked receiver ("data available" doorbells).
    pub receiver_wakeups: u64,
    /// Wake-ups the receiver issued to a parked sender ("space available" doorbells).
    pub sender_wakeups: u64,
    /// Times the receiver parked because the ring was empty.
    pub receiver_parks: u64,
    /// Times the sender parked because the ring was full.
    pub sender_parks: u64,
}

impl RingStats {
    /// Records received per receiver wake-up: how well wake-ups are batched. `None` while
    /// no wake-up was issued (the receiver never had to sleep).
    pub fn records_per_wakeup(&self) -> Option<f64> {
        (self.receiver_wakeups > 0)
            .then(|| self.records_received as f64 / self.receiver_wakeups as f64)
    }
}

/// A cloneable, thread-safe read handle on a ring's counters.
#[derive(Debug, Clone)]
pub struct RingMetrics(pub(crate) Arc<Shared>);

impl RingMetrics {
    /// Reads the counters now.
    pub fn snapshot(&self) -> RingStats {
        let s = &self.0;
        RingStats {
            capacity: s.capacity,
            records_sent: s.tx.moved.get(),
            records_received: s.rx.moved.get(),
            receiver_wakeups: s.tx.wakes.get(),
            sender_wakeups: s.rx.wakes.get(),
            receiver_parks: s.rx.parks.get(),
            sender_parks: s.tx.parks.get(),
        }
    }
}
