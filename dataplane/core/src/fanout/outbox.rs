//! [`Outbox`]: one connection's bounded queue of outgoing WebSocket frames.
//!
//! The shard's publish path pushes reference-counted frames ([`Frame`], usually the very
//! buffer every other subscriber gets) and the connection's writer task drains them in
//! batches, one vectored write per batch. Both sides run on the same shard, so the state
//! sits in a `RefCell` and the parked writer is a plain `Option<Waker>`: no atomics, no locks.
//!
//! Why our own queue rather than a channel crate: the push side must be O(1), never block,
//! never allocate in steady state, and on overflow must *close* the connection with a reason
//! rather than hand the frame back; the drain side must take everything at once. A
//! single-threaded slot array plus a waker slot does exactly that in ~150 lines.
//!
//! # Capacity and overflow
//! - Capacity: [`OutboxLimits`] — at most `max_bytes` frame bytes **and** at most
//!   `max_frames` frames held for the connection, counting both what is queued and the last
//!   batch the writer took (a batch is released when the writer asks for the next one), so
//!   the limit bounds everything the connection pins in memory.
//! - Overflow: [`OverflowPolicy`] — `Disconnect` (default, the backpressure rule: a slow
//!   consumer is closed with [`CloseReason::SlowConsumer`], its queue is freed at once and its
//!   writer woken to send the close frame) or `DropNewest` (lossy streams such as typing
//!   indicators: the frame that does not fit is dropped and counted, the connection stays).
//! - A push never waits and never slows other subscribers: past the limit it returns an
//!   error in O(1) and the registry drops the subscription.
//!
//! # Allocation and layout
//! The first [`INLINE_FRAMES`] queued frames sit in slots inside the outbox, next to the
//! counters a push updates, so a push to a connection that keeps up touches no other memory;
//! more frames spill into a `Vec` whose capacity is kept across drains. Draining moves the
//! handles into the writer's own reusable `Vec`. After warm-up a push allocates nothing; the
//! spill grows (amortised) only while a connection falls behind, never past `max_frames`.
//! Measured while building it (5,000 outboxes, one frame each, the `fanout` bench's loop):
//! ~3.5 ns per push with a separate `Vec` buffer per outbox, ~2.5 ns with the inline slots.
//!
//! # Single consumer
//! One task (the connection's writer) calls [`Outbox::next_batch`] / [`Outbox::closed`]; the
//! waker slot holds the waker of the last poll. Any number of pushers may share the outbox.

use std::cell::{RefCell, RefMut};
use std::future::poll_fn;
use std::task::{Context, Poll, Waker};

use super::close::{CloseReason, LimitKind};
use super::frame::Frame;

/// Frame slots held inside the outbox itself (4 × 8 bytes): a push to a connection that keeps
/// up writes into the outbox's own cache lines, not into a separate buffer. More frames at
/// once spill into a `Vec` whose capacity is then kept.
pub const INLINE_FRAMES: usize = 4;

/// Bounds on what one connection may hold in its outbox. Both apply; the first one crossed
/// triggers the [`OverflowPolicy`]. They bound backlog, not message size: a frame larger
/// than `max_bytes` is still accepted into an empty outbox (and holds the whole byte budget
/// until written); the publisher limits message size. `max_frames = 0` refuses everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboxLimits {
    /// Frame bytes held (queued + the batch being written). Default 1 MiB: the worst-case
    /// memory a stalled connection pins (shared frames are counted in full, so the real cost
    /// is lower when the frames are broadcasts shared with other subscribers).
    pub max_bytes: usize,
    /// Frames held (queued + the batch being written). Default 1024: caps the queue's slot
    /// array at 8 KiB per connection and bounds one batch write to 1024 iovecs (`IOV_MAX`).
    pub max_frames: usize,
}

impl OutboxLimits {
    /// Default byte limit: 1 MiB.
    pub const DEFAULT_MAX_BYTES: usize = 1 << 20;
    /// Default frame limit: 1024 frames.
    pub const DEFAULT_MAX_FRAMES: usize = 1024;
}

impl Default for OutboxLimits {
    fn default() -> Self {
        OutboxLimits {
            max_bytes: Self::DEFAULT_MAX_BYTES,
            max_frames: Self::DEFAULT_MAX_FRAMES,
        }
    }
}

/// What a push does when the frame would cross a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OverflowPolicy {
    /// Close the connection as a slow consumer (WebSocket code 1008): the backpressure rule
    /// for every topic whose messages must not be lost silently.
    #[default]
    Disconnect,
    /// Drop the frame being pushed and keep the connection: for lossy streams (typing
    /// indicators, progress ticks) where the next message supersedes the last.
    DropNewest,
}

/// Why a push did not queue its frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutboxError {
    /// The outbox was already closed; the subscription should be dropped.
    #[error("outbox closed: {0}")]
    Closed(CloseReason),
    /// This push crossed a limit under [`OverflowPolicy::Disconnect`] and closed the outbox.
    #[error("outbox overflowed and closed: {0}")]
    Overflowed(CloseReason),
    /// This push crossed a limit under [`OverflowPolicy::DropNewest`]; the frame was dropped.
    #[error("outbox full ({0:?} limit): frame dropped")]
    Dropped(LimitKind),
}

impl OutboxError {
    /// Whether the connection is closed (as opposed to one frame dropped).
    pub fn is_closed(&self) -> bool {
        !matches!(self, OutboxError::Dropped(_))
    }
}

/// What [`Outbox::next_batch`] produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Batch {
    /// This many frames were appended to the caller's vector, oldest first.
    Frames(usize),
    /// The outbox is closed and holds nothing more: send [`CloseReason::frame`] and drop.
    Closed(CloseReason),
}

/// One connection's bounded outgoing queue. Share it as `Rc<Outbox>` between the topic
/// registry (pushers) and the connection's writer task (the one consumer).
#[derive(Debug)]
#[repr(C)] // `state` first: see `State`.
pub struct Outbox {
    state: RefCell<State>,
    limits: OutboxLimits,
    policy: OverflowPolicy,
}

/// Field order is fixed (`repr(C)`) so what a push touches — the counts, the inline slots
/// and the waker — shares the cache lines right after the `Rc` header.
#[derive(Debug)]
#[repr(C)]
struct State {
    /// Frames queued (inline first, then `spill`).
    len: usize,
    /// What may still be pushed: the limits minus what is held (queued + in flight). Both
    /// are zero once closed, so the hot path tests one condition.
    frames_left: usize,
    bytes_left: usize,
    inline: [Option<Frame>; INLINE_FRAMES],
    waker: Option<Waker>,
    /// Frames past the inline slots, in order; its capacity is kept across drains.
    spill: Vec<Frame>,
    /// The batch the writer took last: still counted until it asks for the next one.
    in_flight_frames: usize,
    in_flight_bytes: usize,
    closed: Option<CloseReason>,
    dropped: u64,
}

impl State {
    /// Marks the outbox closed; no push fits any more. Returns the waker to wake.
    fn close(&mut self, reason: CloseReason) -> Option<Waker> {
        self.closed = Some(reason);
        self.frames_left = 0;
        self.bytes_left = 0;
        self.waker.take()
    }

    /// Bytes of the queued frames (O(queued); for the cold paths).
    fn queued_bytes(&self) -> usize {
        self.inline
            .iter()
            .flatten()
            .chain(&self.spill)
            .map(|f| f.len())
            .sum()
    }
}

/// Outcome of the registry's hot-path push (no error value to build or move).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Offer {
    Queued,
    Dropped(LimitKind),
    /// This push closed the outbox.
    Overflowed,
    /// The outbox was already closed.
    Closed,
}

impl Outbox {
    /// An empty, open outbox. Allocates nothing beyond itself until more than
    /// [`INLINE_FRAMES`] frames wait at once.
    pub fn new(limits: OutboxLimits, policy: OverflowPolicy) -> Self {
        Outbox {
            state: RefCell::new(State {
                len: 0,
                frames_left: limits.max_frames,
                bytes_left: limits.max_bytes,
                inline: Default::default(),
                waker: None,
                spill: Vec::new(),
                in_flight_frames: 0,
                in_flight_bytes: 0,
                closed: None,
                dropped: 0,
            }),
            limits,
            policy,
        }
    }

    /// Queues `frame`, or applies the overflow policy if it would cross a limit. O(1), never
    /// waits, allocates only while the spill array grows towards `max_frames`.
    pub fn push(&self, frame: Frame) -> Result<(), OutboxError> {
        let reason = || self.close_reason().unwrap_or(CloseReason::PeerGone);
        let len = frame.len();
        match self.offer(frame, len) {
            Offer::Queued => Ok(()),
            Offer::Dropped(limit) => Err(OutboxError::Dropped(limit)),
            Offer::Overflowed => Err(OutboxError::Overflowed(reason())),
            Offer::Closed => Err(OutboxError::Closed(reason())),
        }
    }

    /// The publish loop's push: [`Outbox::push`] without building an error.
    #[inline]
    pub(super) fn offer(&self, frame: Frame, len: usize) -> Offer {
        debug_assert_eq!(len, frame.len());
        let mut st = self.state.borrow_mut();
        if st.frames_left == 0 || len > st.bytes_left {
            return self.overflow(st, frame);
        }
        st.frames_left -= 1;
        st.bytes_left -= len;
        Self::enqueue(st, frame)
    }

    /// Appends a frame whose budget is already taken, and wakes the writer.
    #[inline]
    fn enqueue(mut st: RefMut<'_, State>, frame: Frame) -> Offer {
        let slot = st.len;
        st.len += 1;
        match st.inline.get_mut(slot) {
            Some(free) => *free = Some(frame),
            None => st.spill.push(frame),
        }
        if let Some(waker) = st.waker.take() {
            drop(st);
            waker.wake();
        }
        Offer::Queued
    }

    #[cold]
    fn overflow(&self, mut st: RefMut<'_, State>, frame: Frame) -> Offer {
        if st.closed.is_some() {
            return Offer::Closed;
        }
        if st.frames_left > 0 && st.bytes_left == self.limits.max_bytes {
            // Nothing held: the frame alone is bigger than the byte budget. The budget bounds
            // backlog, not message size, so it goes out alone, holding the whole budget.
            st.frames_left -= 1;
            st.bytes_left = 0;
            return Self::enqueue(st, frame);
        }
        let held_frames = self.limits.max_frames - st.frames_left;
        let held_bytes = self.limits.max_bytes - st.bytes_left;
        let (limit, max) = if st.frames_left == 0 {
            (LimitKind::Frames, self.limits.max_frames)
        } else {
            debug_assert!(frame.len() > st.bytes_left);
            (LimitKind::Bytes, self.limits.max_bytes)
        };
        match self.policy {
            OverflowPolicy::DropNewest => {
                st.dropped += 1;
                Offer::Dropped(limit)
            }
            OverflowPolicy::Disconnect => {
                let waker = st.close(CloseReason::SlowConsumer {
                    limit,
                    max,
                    queued_bytes: held_bytes,
                    queued_frames: held_frames,
                });
                // The connection is done: free what it pinned now, not when it drops.
                st.inline = Default::default();
                st.spill = Vec::new();
                st.len = 0;
                drop(st);
                if let Some(waker) = waker {
                    waker.wake();
                }
                Offer::Overflowed
            }
        }
    }

    /// Closes the outbox gracefully: frames already queued are still handed to the writer,
    /// then [`Batch::Closed`]. Returns `false` (and keeps the first reason) if already closed.
    pub fn close(&self, reason: CloseReason) -> bool {
        let mut st = self.state.borrow_mut();
        if st.closed.is_some() {
            return false;
        }
        let waker = st.close(reason);
        drop(st);
        if let Some(waker) = waker {
            waker.wake();
        }
        true
    }

    /// Waits until frames are queued or the outbox is closed, then appends **every** queued
    /// frame to `out`, oldest first (one batch write). Calling it again acknowledges the
    /// previous batch: its frames and bytes stop counting against the limits.
    pub async fn next_batch(&self, out: &mut Vec<Frame>) -> Batch {
        poll_fn(|cx| self.poll_next_batch(cx, out)).await
    }

    /// Poll form of [`Outbox::next_batch`].
    pub fn poll_next_batch(&self, cx: &mut Context<'_>, out: &mut Vec<Frame>) -> Poll<Batch> {
        match self.try_next_batch(out) {
            Some(batch) => Poll::Ready(batch),
            None => {
                self.register(cx.waker());
                Poll::Pending
            }
        }
    }

    /// [`Outbox::next_batch`] without waiting: `None` when open and empty.
    pub fn try_next_batch(&self, out: &mut Vec<Frame>) -> Option<Batch> {
        let mut st = self.state.borrow_mut();
        let st = &mut *st;
        let open = st.closed.is_none();
        if open {
            st.frames_left += st.in_flight_frames;
            st.bytes_left += st.in_flight_bytes;
            st.in_flight_frames = 0;
            st.in_flight_bytes = 0;
        }
        let n = st.len;
        if n == 0 {
            return st.closed.clone().map(Batch::Closed);
        }
        out.reserve(n);
        out.extend(st.inline.iter_mut().take(n).filter_map(Option::take));
        // `append` moves the handles and keeps the spill's capacity for the next bursts.
        out.append(&mut st.spill);
        st.len = 0;
        if open {
            st.in_flight_frames = n;
            st.in_flight_bytes = self.limits.max_bytes - st.bytes_left;
        } else {
            st.in_flight_frames = 0;
            st.in_flight_bytes = 0;
        }
        Some(Batch::Frames(n))
    }

    /// Waits until the outbox is closed (for a writer blocked on a socket write to race
    /// against, so a slow consumer is dropped even while its write is stuck).
    pub async fn closed(&self) -> CloseReason {
        poll_fn(|cx| match self.close_reason() {
            Some(reason) => Poll::Ready(reason),
            None => {
                self.register(cx.waker());
                Poll::Pending
            }
        })
        .await
    }

    fn register(&self, waker: &Waker) {
        let mut st = self.state.borrow_mut();
        match &st.waker {
            Some(w) if w.will_wake(waker) => {}
            _ => st.waker = Some(waker.clone()),
        }
    }

    /// Why the outbox was closed, or `None` while open.
    pub fn close_reason(&self) -> Option<CloseReason> {
        self.state.borrow().closed.clone()
    }

    /// Whether the outbox is closed.
    pub fn is_closed(&self) -> bool {
        self.state.borrow().closed.is_some()
    }

    /// Frame bytes held: queued plus the batch the writer took last (while open), or still
    /// queued (once closed).
    pub fn queued_bytes(&self) -> usize {
        let st = self.state.borrow();
        match st.closed {
            None => self.limits.max_bytes - st.bytes_left,
            Some(_) => st.queued_bytes(),
        }
    }

    /// Frames held: queued plus the batch the writer took last (while open), or still queued
    /// (once closed).
    pub fn queued_frames(&self) -> usize {
        let st = self.state.borrow();
        match st.closed {
            None => st.len + st.in_flight_frames,
            Some(_) => st.len,
        }
    }

    /// Frames dropped under [`OverflowPolicy::DropNewest`] since creation.
    pub fn dropped_frames(&self) -> u64 {
        self.state.borrow().dropped
    }

    /// The limits this outbox enforces.
    pub fn limits(&self) -> OutboxLimits {
        self.limits
    }

    /// The overflow policy this outbox applies.
    pub fn policy(&self) -> OverflowPolicy {
        self.policy
    }
}
