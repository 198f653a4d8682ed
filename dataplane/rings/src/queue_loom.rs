//! Owns the storage of a ring under `--cfg rings_loom`: a model of `rtrb`'s ring with loom
//! atomics for head and tail (published with release stores, read with acquire loads,
//! as `rtrb` does) and a loom mutex per slot so no `unsafe` is needed. A slot's mutex is
//! only ever taken by the end that owns that slot at that moment, so it adds no
//! synchronisation the real ring lacks on the paths the wake-up protocol depends on.

use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::sync::{Arc, Mutex};

struct Ring<T> {
    slots: Box<[Mutex<Option<T>>]>,
    head: AtomicUsize,
    tail: AtomicUsize,
}

impl<T> Ring<T> {
    fn slot(&self, pos: usize) -> loom::sync::MutexGuard<'_, Option<T>> {
        let slot = &self.slots[pos % self.slots.len()];
        match slot.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

/// Builds the two halves of a queue holding exactly `capacity` records (`capacity >= 1`).
pub(crate) fn queue<T>(capacity: usize) -> (Producer<T>, Consumer<T>) {
    let ring = Arc::new(Ring {
        slots: (0..capacity).map(|_| Mutex::new(None)).collect(),
        head: AtomicUsize::new(0),
        tail: AtomicUsize::new(0),
    });
    (
        Producer {
            ring: ring.clone(),
            tail: 0,
        },
        Consumer { ring, head: 0 },
    )
}

/// The writing half.
pub(crate) struct Producer<T> {
    ring: Arc<Ring<T>>,
    tail: usize,
}

impl<T> std::fmt::Debug for Producer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Producer")
            .field("tail", &self.tail)
            .finish()
    }
}

impl<T> Producer<T> {
    pub(crate) fn push(&mut self, v: T) -> Result<(), T> {
        if self.free() == 0 {
            return Err(v);
        }
        *self.ring.slot(self.tail) = Some(v);
        self.tail += 1;
        self.ring.tail.store(self.tail, Ordering::Release);
        Ok(())
    }

    pub(crate) fn free(&self) -> usize {
        let head = self.ring.head.load(Ordering::Acquire);
        self.ring.slots.len() - (self.tail - head)
    }

    pub(crate) fn push_from_vec(&mut self, items: &mut Vec<T>) -> usize {
        let n = items.len().min(self.free());
        for v in items.drain(..n) {
            *self.ring.slot(self.tail) = Some(v);
            self.tail += 1;
        }
        if n > 0 {
            self.ring.tail.store(self.tail, Ordering::Release);
        }
        n
    }

    pub(crate) fn push_from_iter<I: Iterator<Item = T>>(&mut self, iter: &mut I) -> usize {
        let free = self.free();
        let mut n = 0;
        while n < free {
            let Some(v) = iter.next() else { break };
            *self.ring.slot(self.tail) = Some(v);
            self.tail += 1;
            n += 1;
        }
        if n > 0 {
            self.ring.tail.store(self.tail, Ordering::Release);
        }
        n
    }
}

/// The reading half.
pub(crate) struct Consumer<T> {
    ring: Arc<Ring<T>>,
    head: usize,
}

impl<T> std::fmt::Debug for Consumer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Consumer")
            .field("head", &self.head)
            .finish()
    }
}

impl<T> Consumer<T> {
    pub(crate) fn pop(&mut self) -> Option<T> {
        if self.len() == 0 {
            return None;
        }
        let v = self.ring.slot(self.head).take();
        self.head += 1;
        self.ring.head.store(self.head, Ordering::Release);
        v
    }

    pub(crate) fn len(&self) -> usize {
        self.ring.tail.load(Ordering::Acquire) - self.head
    }

    pub(crate) fn pop_into(&mut self, out: &mut Vec<T>, max: usize) -> usize {
        let n = max.min(self.len());
        for _ in 0..n {
            if let Some(v) = self.ring.slot(self.head).take() {
                out.push(v);
            }
            self.head += 1;
        }
        if n > 0 {
            self.ring.head.store(self.head, Ordering::Release);
        }
        n
    }
}
