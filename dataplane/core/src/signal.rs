//! A one-shot, single-threaded signal: many tasks of one shard wait, one fires.
//! Our own because it is small and needs no atomics (shard state is single-threaded).
//! Each waiter owns one slot, updated in place on every poll and freed when the waiter is
//! dropped, so a long-lived waiter polled many times costs one slot, not one per poll.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// Fired once; every waiter, present or future, then completes.
#[derive(Default)]
pub(crate) struct LocalSignal {
    fired: Cell<bool>,
    slots: RefCell<Slots>,
}

#[derive(Default)]
struct Slots {
    wakers: Vec<Option<Waker>>,
    free: Vec<usize>,
}

impl LocalSignal {
    /// Fires the signal and wakes every waiter.
    pub fn fire(&self) {
        self.fired.set(true);
        let wakers: Vec<Waker> = self
            .slots
            .borrow_mut()
            .wakers
            .iter_mut()
            .filter_map(Option::take)
            .collect();
        for waker in wakers {
            waker.wake();
        }
    }

    /// Completes once the signal has fired.
    pub fn wait(&self) -> Wait<'_> {
        Wait {
            signal: self,
            slot: None,
        }
    }
}

/// The future of [`LocalSignal::wait`].
pub(crate) struct Wait<'a> {
    signal: &'a LocalSignal,
    slot: Option<usize>,
}

impl Future for Wait<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.signal.fired.get() {
            return Poll::Ready(());
        }
        let mut slots = self.signal.slots.borrow_mut();
        let index = match self.slot {
            Some(index) => index,
            None => match slots.free.pop() {
                Some(index) => index,
                None => {
                    slots.wakers.push(None);
                    slots.wakers.len() - 1
                }
            },
        };
        match &mut slots.wakers[index] {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            slot => *slot = Some(cx.waker().clone()),
        }
        drop(slots);
        self.slot = Some(index);
        Poll::Pending
    }
}

impl Drop for Wait<'_> {
    fn drop(&mut self) {
        if let Some(index) = self.slot {
            let mut slots = self.signal.slots.borrow_mut();
            slots.wakers[index] = None;
            slots.free.push(index);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waiters_complete_after_fire_and_slots_are_reused() {
        let signal = LocalSignal::default();
        let waker = futures_util::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        {
            let mut a = Box::pin(signal.wait());
            for _ in 0..100 {
                assert!(a.as_mut().poll(&mut cx).is_pending());
            }
            assert_eq!(signal.slots.borrow().wakers.len(), 1);
        }
        let mut b = Box::pin(signal.wait());
        assert!(b.as_mut().poll(&mut cx).is_pending());
        assert_eq!(signal.slots.borrow().wakers.len(), 1, "slot reused");
        signal.fire();
        assert!(b.as_mut().poll(&mut cx).is_ready());
        assert!(Box::pin(signal.wait()).as_mut().poll(&mut cx).is_ready());
    }
}
