//! Owns the ring's error types: what a send or receive attempt reports instead of a
//! record, and why a capacity is refused. Values that could not be sent are handed back.

use std::fmt;

/// Why [`crate::RingSender::try_send`] did not take the record; the record is handed back.
#[derive(thiserror::Error, PartialEq, Eq)]
pub enum TrySendError<T> {
    /// Every slot is taken; the receiver has not caught up. Retry, wait with
    /// [`crate::RingSender::send`], or apply the caller's overflow policy.
    #[error("ring full")]
    Full(T),
    /// The receiver was dropped; nothing sent on this ring will ever be read.
    #[error("ring closed: the receiver was dropped")]
    Closed(T),
}

impl<T> TrySendError<T> {
    /// The record that was not sent.
    pub fn into_inner(self) -> T {
        match self {
            TrySendError::Full(v) | TrySendError::Closed(v) => v,
        }
    }
}

impl<T> fmt::Debug for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySendError::Full(_) => f.write_str("Full(..)"),
            TrySendError::Closed(_) => f.write_str("Closed(..)"),
        }
    }
}

/// The other end was dropped; carries back what could not be delivered.
#[derive(thiserror::Error, PartialEq, Eq)]
#[error("ring closed: the other end was dropped")]
pub struct Closed<T>(pub T);

impl<T> fmt::Debug for Closed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Closed(..)")
    }
}

/// Why [`crate::RingReceiver::try_recv`] returned no record.
#[derive(thiserror::Error, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryRecvError {
    /// Nothing to read now; the sender is still there.
    #[error("ring empty")]
    Empty,
    /// Nothing to read, ever: the sender was dropped and every record was read.
    #[error("ring closed: the sender was dropped and the ring is drained")]
    Closed,
}

/// Why [`crate::try_ring`] refused a capacity.
#[derive(thiserror::Error, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapacityError {
    /// A ring must hold at least one record, or a sender could never make progress.
    #[error("ring capacity must be at least 1")]
    Zero,
    /// Above [`crate::MAX_CAPACITY`] records.
    #[error("ring capacity {requested} exceeds the maximum of {max} records")]
    TooLarge {
        /// The capacity asked for.
        requested: usize,
        /// [`crate::MAX_CAPACITY`].
        max: usize,
    },
}
