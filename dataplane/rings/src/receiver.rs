//! Owns the consuming end of a ring: non-blocking and batched pops, async receives that
//! park on the "data available" doorbell and drain everything available per wake-up, and
//! closing (and releasing unread records) on drop.

use std::future::poll_fn;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};

use crate::doorbell::Patience;
use crate::error::TryRecvError;
use crate::queue::Consumer;
use crate::stats::{RingMetrics, RingStats, Shared};
use crate::sync::Arc;

/// The consuming end of a ring. Exactly one exists per ring; it is `Send` (when `T` is).
#[derive(Debug)]
pub struct RingReceiver<T> {
    queue: Consumer<T>,
    shared: Arc<Shared>,
    patience: Patience,
}

impl<T> RingReceiver<T> {
    pub(crate) fn new(queue: Consumer<T>, shared: Arc<Shared>) -> Self {
        RingReceiver {
            queue,
            shared,
            patience: Patience::new(crate::DEFAULT_YIELDS_BEFORE_PARK),
        }
    }

    /// Pops the oldest record, waking the sender if it is parked on a full ring.
    ///
    /// # Errors
    /// [`TryRecvError::Empty`] when nothing is there yet; [`TryRecvError::Closed`] when the
    /// sender is gone and every record it sent has been read.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        if let Some(v) = self.queue.pop() {
            self.freed(1);
            return Ok(v);
        }
        if !self.shared.sender_gone() {
            return Err(TryRecvError::Empty);
        }
        // The sender published its last records before its release store of `sender_gone`,
        // which we acquired: look once more.
        match self.queue.pop() {
            Some(v) => {
                self.freed(1);
                Ok(v)
            }
            None => Err(TryRecvError::Closed),
        }
    }

    /// Moves up to `max` (at least 1) available records to the end of `out`, in order,
    /// freeing their slots with one release store and waking the sender at most once.
    ///
    /// # Errors
    /// As [`RingReceiver::try_recv`].
    pub fn try_recv_batch(&mut self, out: &mut Vec<T>, max: usize) -> Result<usize, TryRecvError> {
        let max = max.max(1);
        let n = self.queue.pop_into(out, max);
        if n > 0 {
            self.freed(n);
            return Ok(n);
        }
        if !self.shared.sender_gone() {
            return Err(TryRecvError::Empty);
        }
        match self.queue.pop_into(out, max) {
            0 => Err(TryRecvError::Closed),
            n => {
                self.freed(n);
                Ok(n)
            }
        }
    }

    /// Receives the oldest record, waiting while the ring is empty. `None` once the sender
    /// is dropped and every record it sent has been read.
    ///
    /// Cancel safety: safe; no record is taken unless the future completes.
    pub async fn recv(&mut self) -> Option<T> {
        poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// Waits until at least one record is available, then moves up to `max` (at least 1)
    /// to the end of `out`: the whole backlog per wake-up. Returns how many moved; 0 means
    /// closed (the sender is gone and the ring is drained).
    ///
    /// Cancel safety: safe; no record is taken unless the future completes.
    pub async fn recv_batch(&mut self, out: &mut Vec<T>, max: usize) -> usize {
        poll_fn(|cx| self.poll_recv_batch(cx, out, max)).await
    }

    /// Poll form of [`RingReceiver::recv`].
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.poll_with(cx, |me| me.try_recv())
    }

    /// Poll form of [`RingReceiver::recv_batch`].
    pub fn poll_recv_batch(
        &mut self,
        cx: &mut Context<'_>,
        out: &mut Vec<T>,
        max: usize,
    ) -> Poll<usize> {
        self.poll_with(cx, |me| me.try_recv_batch(out, max))
            .map(|n| n.unwrap_or(0))
    }

    /// Try; if empty, yield to the executor up to the patience limit, then arm the data
    /// bell and try again before parking (see `doorbell`).
    fn poll_with<R>(
        &mut self,
        cx: &mut Context<'_>,
        mut attempt: impl FnMut(&mut Self) -> Result<R, TryRecvError>,
    ) -> Poll<Option<R>> {
        match attempt(self) {
            Ok(v) => {
                self.patience.reset();
                return Poll::Ready(Some(v));
            }
            Err(TryRecvError::Closed) => return Poll::Ready(None),
            Err(TryRecvError::Empty) => {}
        }
        if self.patience.yield_again() {
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.shared.tx.bell.arm(cx.waker());
        match attempt(self) {
            Ok(v) => {
                self.shared.tx.bell.disarm();
                Poll::Ready(Some(v))
            }
            Err(TryRecvError::Closed) => {
                self.shared.tx.bell.disarm();
                Poll::Ready(None)
            }
            Err(TryRecvError::Empty) => {
                self.shared.rx.parks.add(1);
                Poll::Pending
            }
        }
    }

    /// Sets how many times in a row an async receive that finds the ring empty yields to
    /// its executor before parking (default [`crate::DEFAULT_YIELDS_BEFORE_PARK`]; 0 parks
    /// at once). Each yield is one trip through the executor's run queue.
    pub fn set_yields_before_park(&mut self, yields: u32) {
        self.patience = Patience::new(yields);
    }

    /// Records readable now; may grow at any time as the sender writes.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether no record is readable now.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the sender was dropped. Records it sent before may still be readable.
    pub fn is_closed(&self) -> bool {
        self.shared.sender_gone()
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

    /// After `n` slots were freed: count them and ring the space bell.
    fn freed(&mut self, n: usize) {
        let rx = &self.shared.rx;
        rx.moved.add(n as u64);
        if rx.bell.ring() {
            rx.wakes.add(1);
        }
    }
}

impl<T> Drop for RingReceiver<T> {
    /// Marks the ring closed for the sender and wakes it if parked, then drops the unread
    /// records now (releasing the payload buffers they reference) rather than when the
    /// sender is dropped too.
    fn drop(&mut self) {
        self.shared
            .closed
            .receiver_gone
            .store(true, Ordering::Release);
        if self.shared.rx.bell.ring() {
            self.shared.rx.wakes.add(1);
        }
        self.shared.tx.bell.forget_waker();
        while self.queue.pop().is_some() {}
    }
}
