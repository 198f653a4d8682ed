//! Proves that wake-ups are batched: a parked receiver costs one wake-up however many
//! records land before it runs, it drains them all in one go, and a slow consumer moves
//! many records per wake-up while an awake one costs the sender no wake-up at all; an idle
//! receiver yields a bounded number of times before it parks.

mod common;

use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use rings::ring;

#[derive(Default)]
struct CountingWaker(AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn many_sends_to_a_parked_receiver_issue_one_wakeup_and_one_drain() {
    let (mut tx, mut rx) = ring::<u32>(256);
    rx.set_yields_before_park(0); // park on the first empty poll
    let counter = Arc::new(CountingWaker::default());
    let waker = Waker::from(counter.clone());
    let mut cx = Context::from_waker(&waker);
    let mut out = Vec::new();
    {
        let mut fut = pin!(rx.recv_batch(&mut out, 1024));
        assert!(fut.as_mut().poll(&mut cx).is_pending(), "empty: parks");
        for v in 0..100 {
            assert!(tx.try_send(v).is_ok());
        }
        assert_eq!(
            counter.0.load(Ordering::SeqCst),
            1,
            "one wake-up for 100 sends"
        );
        assert_eq!(
            fut.as_mut().poll(&mut cx),
            Poll::Ready(100),
            "one drain takes all"
        );
    }
    assert_eq!(out, (0..100).collect::<Vec<_>>());
    let s = tx.stats();
    assert_eq!(s.receiver_wakeups, 1);
    assert_eq!(s.records_per_wakeup(), Some(100.0));
}

#[test]
fn awake_receiver_costs_the_sender_no_wakeup() {
    let (mut tx, mut rx) = ring::<u32>(16);
    for round in 0..10u32 {
        for v in 0..16 {
            assert!(tx.try_send(round * 16 + v).is_ok());
        }
        let mut out = Vec::new();
        assert_eq!(rx.try_recv_batch(&mut out, 16), Ok(16));
    }
    let s = rx.stats();
    assert_eq!(
        (s.records_received, s.receiver_wakeups, s.sender_wakeups),
        (160, 0, 0)
    );
}

#[test]
fn slow_consumer_moves_many_records_per_wakeup() {
    const RECORDS: u64 = 20_000;
    let (mut tx, mut rx) = ring::<u64>(1024);
    let shard = common::spawn_glommio("slow-batcher", move || async move {
        let mut batch = Vec::with_capacity(1024);
        let (mut next, mut drains) = (0u64, 0u64);
        loop {
            if rx.recv_batch(&mut batch, 1024).await == 0 {
                break;
            }
            drains += 1;
            for v in batch.drain(..) {
                assert_eq!(v, next);
                next += 1;
            }
            // Slow: the shard spends 100 µs on other work after each drain.
            glommio::timer::sleep(Duration::from_micros(100)).await;
        }
        (next, drains, rx.stats())
    });
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("tokio runtime");
    rt.block_on(async move {
        for v in 0..RECORDS {
            tx.send(v).await.expect("consumer alive");
        }
    });
    let (received, drains, stats) = shard.join().expect("consumer");
    assert_eq!(received, RECORDS);
    let per_drain = RECORDS as f64 / drains as f64;
    eprintln!("slow consumer: {drains} drains, {per_drain:.1} records/drain, {stats:?}");
    assert!(per_drain >= 10.0, "records per drain {per_drain}");
    // Each wake-up of the receiver is followed by one drain, so wake-ups <= drains; and
    // the producer, parked on a full ring, is woken at most once per drain.
    assert!(stats.receiver_wakeups <= drains, "{stats:?}");
    assert!(stats.sender_wakeups <= drains, "{stats:?}");
    let per_wakeup = stats.records_per_wakeup().unwrap_or(f64::INFINITY);
    assert!(
        per_wakeup >= 10.0,
        "records per receiver wake-up {per_wakeup}"
    );
}

#[test]
fn idle_receiver_yields_a_bounded_number_of_times_then_parks() {
    let (mut tx, mut rx) = ring::<u32>(8);
    rx.set_yields_before_park(3);
    let counter = Arc::new(CountingWaker::default());
    let waker = Waker::from(counter.clone());
    let mut cx = Context::from_waker(&waker);
    let mut fut = pin!(rx.recv());
    for expected_self_wakes in 1..=3 {
        assert!(fut.as_mut().poll(&mut cx).is_pending());
        assert_eq!(
            counter.0.load(Ordering::SeqCst),
            expected_self_wakes,
            "yielded"
        );
    }
    assert!(fut.as_mut().poll(&mut cx).is_pending());
    assert_eq!(counter.0.load(Ordering::SeqCst), 3, "parked: no self-wake");
    assert!(tx.try_send(5).is_ok());
    assert_eq!(counter.0.load(Ordering::SeqCst), 4, "woken by the send");
    assert_eq!(fut.as_mut().poll(&mut cx), Poll::Ready(Some(5)));
    let s = tx.stats();
    assert_eq!((s.receiver_parks, s.receiver_wakeups), (1, 1));
}
