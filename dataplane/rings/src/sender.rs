//! Owns the producing end of a ring: non-blocking and batched pushes, an async `send` that
//! parks on the "space available" doorbell while the ring is full, and closing on drop.

use std::future::poll_fn;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};

use crate::doorbell::Patience;
use crate::error::{Closed, TrySendError};
use crate::queue::Producer;
use crate::stats::{RingMetrics, RingStats, Shared};
use crate::sync::Arc;

/// The producing end of a ring. Exactly one exists per ring; it is `Send` (when `T` is),
/// so it can be created on one thread and moved to the task that uses it.
///
/// Overflow policy: **wait** ([`RingSender::send`]) or **hand back**
/// ([`RingSender::try_send`] returns the record in [`TrySendError::Full`]); a ring never
/// drops or overwrites a record.
#[derive(Debug)]
pub struct RingSender<T> {
    queue: Producer<T>,
    shared: Arc<Shared>,
    patience: Patience,
}

impl<T> RingSender<T> {
    pub(crate) fn new(queue: Producer<T>, shared: Arc<Shared>) -> Self {
        RingSender {
            queue,
            shared,
            patience: Patience::new(crate::DEFAULT_YIELDS_BEFORE_PARK),
        }
    }

    /// Pushes `v` if a slot is free, waking the receiver if it is parked.
    ///
    /// # Errors
    /// [`TrySendError::Full`] when every slot is taken, [`TrySendError::Closed`] once the
    /// receiver is dropped; both hand `v` back.
    pub fn try_send(&mut self, v: T) -> Result<(), TrySendError<T>> {
        if self.shared.receiver_gone() {
            return Err(TrySendError::Closed(v));
        }
        match self.queue.push(v) {
            Ok(()) => {
                self.published(1);
                Ok(())
            }
            Err(v) => Err(TrySendError::Full(v)),
        }
    }

    /// Pushes `v`, waiting while the ring is full.
    ///
    /// Cancel safety: dropping the future before it completes drops `v`.
    ///
    /// # Errors
    /// [`Closed`] with `v` if the receiver is dropped before `v` could be pushed.
    pub async fn send(&mut self, v: T) -> Result<(), Closed<T>> {
        let mut v = v;
        loop {
            match self.try_send(v) {
                Ok(()) => return Ok(()),
                Err(TrySendError::Closed(back)) => return Err(Closed(back)),
                Err(TrySendError::Full(back)) => {
                    v = back;
                    poll_fn(|cx| self.poll_space(cx)).await;
                }
            }
        }
    }

    /// Moves as many records as fit from the front of `items` (in order), with one release
    /// store and at most one wake-up for the whole batch. The records that did not fit stay
    /// in `items`. Returns how many moved: 0 when the ring is full or closed (see
    /// [`RingSender::is_closed`]).
    pub fn try_send_batch(&mut self, items: &mut Vec<T>) -> usize {
        if self.shared.receiver_gone() {
            return 0;
        }
        let n = self.queue.push_from_vec(items);
        if n > 0 {
            self.published(n);
        }
        n
    }

    /// Like [`RingSender::try_send_batch`], taking records from an iterator; records that do
    /// not fit are not pulled from `iter`. Do not pass an iterator that drops what it has not
    /// yielded (such as `Vec::drain`) unless losing those records is intended.
    pub fn try_send_iter<I: Iterator<Item = T>>(&mut self, iter: &mut I) -> usize {
        if self.shared.receiver_gone() {
            return 0;
        }
        let n = self.queue.push_from_iter(iter);
        if n > 0 {
            self.published(n);
        }
        n
    }

    /// Sends every record of `items` in order, batch by batch, waiting while the ring is
    /// full; one wake-up at most per batch. On return `items` is empty.
    ///
    /// Cancel safety: records not yet sent stay in `items`.
    ///
    /// # Errors
    /// [`Closed`] if the receiver is dropped; the unsent records stay in `items`.
    pub async fn send_batch(&mut self, items: &mut Vec<T>) -> Result<(), Closed<()>> {
        while !items.is_empty() {
            if self.try_send_batch(items) == 0 {
                if self.is_closed() {
                    return Err(Closed(()));
                }
                poll_fn(|cx| self.poll_space(cx)).await;
            }
        }
        Ok(())
    }

    /// Ready once at least one slot is free or the receiver is gone. Otherwise yields to
    /// the executor up to the patience limit, then registers the task's waker on the
    /// "space available" doorbell.
    pub fn poll_space(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if self.queue.free() > 0 || self.shared.receiver_gone() {
            self.patience.reset();
            return Poll::Ready(());
        }
        if self.patience.yield_again() {
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        let bell = &self.shared.rx.bell;
        bell.arm(cx.waker());
        if self.queue.free() > 0 || self.shared.receiver_gone() {
            bell.disarm();
            return Poll::Ready(());
        }
        self.shared.tx.parks.add(1);
        Poll::Pending
    }

    /// Sets how many times in a row a `send` that finds the ring full yields to its executor
    /// before parking (default [`crate::DEFAULT_YIELDS_BEFORE_PARK`]; 0 parks at once).
    pub fn set_yields_before_park(&mut self, yields: u32) {
        self.patience = Patience::new(yields);
    }

    /// Whether the receiver was dropped (then every send fails with `Closed`).
    pub fn is_closed(&self) -> bool {
        self.shared.receiver_gone()
    }

    /// Slots free for writing now; may grow at any time as the receiver reads.
    pub fn free_slots(&self) -> usize {
        self.queue.free()
    }

    /// The ring's capacity in records.
    pub fn capacity(&self) -> usize {
        self.shared.capacity
    }

    /// A snapshot of the ring's counters.
    pub fn stats(&self) -> RingStats {
        self.metrics().snapshot()
    }

    /// A handle to read the ring's counters from anywhere.
    pub fn metrics(&self) -> RingMetrics {
        RingMetrics(self.shared.clone())
    }

    /// After `n` records were published: count them and ring the data bell.
    fn published(&mut self, n: usize) {
        let tx = &self.shared.tx;
        tx.moved.add(n as u64);
        if tx.bell.ring() {
            tx.wakes.add(1);
        }
    }
}

impl<T> Drop for RingSender<T> {
    /// Marks the ring closed for the receiver (it still reads what is left, then sees the
    /// end) and wakes it if it is parked.
    fn drop(&mut self) {
        self.shared
            .closed
            .sender_gone
            .store(true, Ordering::Release);
        if self.shared.tx.bell.ring() {
            self.shared.tx.wakes.add(1);
        }
        self.shared.rx.bell.forget_waker();
    }
}
