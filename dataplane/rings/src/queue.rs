//! Owns the storage of a ring: a thin adapter over [`rtrb`]'s wait-free SPSC ring buffer
//! (Lamport ring, cache-padded head and tail, cached peer index), giving the sender and
//! the receiver the few operations they use, each publishing with one release store.
//!
//! Swapped for `queue_loom.rs` under `--cfg rings_loom`, which has the same surface and the same
//! acquire/release publication so the wake-up protocol can be model-checked.

/// Builds the two halves of a queue holding exactly `capacity` records (`capacity >= 1`).
pub(crate) fn queue<T>(capacity: usize) -> (Producer<T>, Consumer<T>) {
    let (p, c) = rtrb::RingBuffer::new(capacity);
    (Producer(p), Consumer(c))
}

/// The writing half.
#[derive(Debug)]
pub(crate) struct Producer<T>(rtrb::Producer<T>);

impl<T> Producer<T> {
    /// Appends `v`, or gives it back if the queue is full.
    pub(crate) fn push(&mut self, v: T) -> Result<(), T> {
        self.0.push(v).map_err(|rtrb::PushError::Full(v)| v)
    }

    /// Slots free for writing now (may only grow until the next push).
    pub(crate) fn free(&self) -> usize {
        self.0.slots()
    }

    /// Moves as many records as fit from the front of `items`, in order, publishing them
    /// with one release store. Returns how many moved; the rest stay in `items`.
    pub(crate) fn push_from_vec(&mut self, items: &mut Vec<T>) -> usize {
        let n = items.len().min(self.0.slots());
        if n == 0 {
            return 0;
        }
        match self.0.write_chunk_uninit(n) {
            // `drain(..n)` yields exactly `n` items and the chunk has exactly `n` slots, so
            // `fill_from_iter` consumes the drain to its end and nothing is dropped.
            Ok(chunk) => chunk.fill_from_iter(items.drain(..n)),
            Err(_) => 0,
        }
    }

    /// Moves records from `iter` while slots are free, publishing them with one release
    /// store. Items not taken stay in `iter` (no item is pulled that cannot be stored).
    pub(crate) fn push_from_iter<I: Iterator<Item = T>>(&mut self, iter: &mut I) -> usize {
        let n = self.0.slots();
        if n == 0 {
            return 0;
        }
        match self.0.write_chunk_uninit(n) {
            Ok(chunk) => chunk.fill_from_iter(iter),
            Err(_) => 0,
        }
    }
}

/// The reading half.
#[derive(Debug)]
pub(crate) struct Consumer<T>(rtrb::Consumer<T>);

impl<T> Consumer<T> {
    /// Removes the oldest record, if any.
    pub(crate) fn pop(&mut self) -> Option<T> {
        self.0.pop().ok()
    }

    /// Records readable now (may only grow until the next pop).
    pub(crate) fn len(&self) -> usize {
        self.0.slots()
    }

    /// Moves up to `max` of the oldest records to the end of `out`, in order, freeing their
    /// slots with one release store. Returns how many moved.
    pub(crate) fn pop_into(&mut self, out: &mut Vec<T>, max: usize) -> usize {
        let n = max.min(self.0.slots());
        if n == 0 {
            return 0;
        }
        match self.0.read_chunk(n) {
            Ok(chunk) => {
                out.reserve(n);
                out.extend(chunk);
                n
            }
            Err(_) => 0,
        }
    }
}
