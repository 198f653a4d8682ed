//! Owns the choice of synchronisation primitives: `std` + `atomic-waker` in normal builds,
//! `loom`'s model-checked twins under `--cfg rings_loom`, behind one set of names.
//!
//! Only the primitives that take part in the wake-up protocol are swapped; the statistics
//! counters stay `std` atomics in every build (they are observations, not synchronisation,
//! and modelling them would only multiply loom's state space).

#[cfg(not(rings_loom))]
pub(crate) use std::sync::Arc;
#[cfg(not(rings_loom))]
pub(crate) use std::sync::atomic::AtomicBool;

#[cfg(rings_loom)]
pub(crate) use loom::sync::Arc;
#[cfg(rings_loom)]
pub(crate) use loom::sync::atomic::AtomicBool;

use std::task::Waker;

/// A slot holding at most one waker, safe to register and wake from different threads.
#[derive(Debug, Default)]
pub(crate) struct WakerSlot {
    #[cfg(not(rings_loom))]
    inner: atomic_waker::AtomicWaker,
    #[cfg(rings_loom)]
    inner: loom::future::AtomicWaker,
}

impl WakerSlot {
    /// Stores `waker` (a clone of it, unless it would wake the same task as the stored one).
    pub(crate) fn register(&self, waker: &Waker) {
        #[cfg(not(rings_loom))]
        self.inner.register(waker);
        #[cfg(rings_loom)]
        self.inner.register_by_ref(waker);
    }

    /// Takes the stored waker out and wakes it; does nothing if none is stored.
    pub(crate) fn wake(&self) {
        self.inner.wake();
    }

    /// Takes the stored waker out without waking it.
    pub(crate) fn take(&self) -> Option<Waker> {
        #[cfg(not(rings_loom))]
        return self.inner.take();
        #[cfg(rings_loom)]
        return self.inner.take_waker();
    }
}
