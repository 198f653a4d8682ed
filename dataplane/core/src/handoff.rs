//! Hand-off of what a shard owns (its rings, its lifecycle inbox, its listener kill switch)
//! from one incarnation of the shard to the next, and to the supervisor.
//!
//! This is the one place the data plane uses a lock. It is never contended on a hot path:
//! a shard takes its hand-offs when it starts and holds them for its whole life; the next
//! incarnation (after a panic) or the supervisor takes them only once it has ended. A
//! panicking shard poisons the lock; the next taker recovers the value, which is consistent
//! because every ring operation completes or does not happen.
#![allow(clippy::disallowed_types)] // the documented exception to "no std::sync::Mutex"

use std::sync::{Mutex, MutexGuard};

/// A value handed from one shard incarnation to the next.
pub(crate) struct Handoff<T>(Mutex<T>);

/// Exclusive use of a hand-off, until dropped.
pub(crate) type Held<'a, T> = MutexGuard<'a, T>;

impl<T> Handoff<T> {
    /// Wraps `value`.
    pub fn new(value: T) -> Self {
        Handoff(Mutex::new(value))
    }

    /// Takes exclusive use, recovering the value a panicked holder left.
    pub fn take(&self) -> Held<'_, T> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
