//! Proves the overflow policy "wait": `send` on a full ring parks instead of dropping or
//! spinning, is woken when the receiver frees a slot, and then completes; across threads,
//! a slow glommio consumer holds a tokio producer back without losing a record.

mod common;

use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use rings::{TrySendError, ring};

/// A waker that counts how often it was woken.
#[derive(Default)]
struct CountingWaker(AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn send_waits_while_full_and_resumes_when_a_slot_frees() {
    let (mut tx, mut rx) = ring::<u32>(2);
    tx.set_yields_before_park(0); // park on the first full poll, so wake-ups can be counted
    assert!(tx.try_send(0).is_ok());
    assert!(tx.try_send(1).is_ok());
    assert_eq!(tx.try_send(2), Err(TrySendError::Full(2)));

    let counter = Arc::new(CountingWaker::default());
    let waker = Waker::from(counter.clone());
    let mut cx = Context::from_waker(&waker);
    let send = {
        let mut fut = pin!(tx.send(2));
        assert!(fut.as_mut().poll(&mut cx).is_pending(), "full: send waits");
        assert!(
            fut.as_mut().poll(&mut cx).is_pending(),
            "still full: still waits"
        );
        assert_eq!(counter.0.load(Ordering::SeqCst), 0, "not woken while full");

        assert_eq!(rx.try_recv(), Ok(0));
        assert_eq!(
            counter.0.load(Ordering::SeqCst),
            1,
            "freeing a slot wakes the sender once"
        );
        fut.as_mut().poll(&mut cx)
    };
    assert!(matches!(send, Poll::Ready(Ok(()))), "resumes and completes");
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(rx.try_recv(), Ok(2));
    let stats = rx.stats();
    assert_eq!(stats.sender_parks, 2);
    assert_eq!(stats.sender_wakeups, 1);
}

#[test]
fn slow_glommio_consumer_holds_tokio_producer_back_without_loss() {
    const RECORDS: u32 = 2_000;
    let (mut tx, mut rx) = ring::<u32>(16);
    let shard = common::spawn_glommio("slow-consumer", move || async move {
        let mut got = Vec::new();
        let mut batch = Vec::new();
        loop {
            // A shard busy elsewhere: it comes back to the ring every 200 µs.
            glommio::timer::sleep(Duration::from_micros(200)).await;
            if rx.recv_batch(&mut batch, 8).await == 0 {
                break;
            }
            got.append(&mut batch);
        }
        got
    });
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("tokio runtime");
    let stats = rt.block_on(async move {
        for v in 0..RECORDS {
            tx.send(v).await.expect("consumer alive");
        }
        tx.stats()
    });
    let got = shard.join().expect("consumer");
    assert_eq!(got, (0..RECORDS).collect::<Vec<_>>());
    assert!(
        stats.sender_parks > 0,
        "the producer had to wait for space: {stats:?}"
    );
    assert_eq!(stats.records_sent, u64::from(RECORDS));
}
