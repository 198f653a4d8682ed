//! Proves that records come out in order, none lost and none duplicated, for random
//! capacities and random batch sizes on both ends, with producer and consumer on different
//! threads, through every send and receive path (non-blocking, batched, async parking with
//! and without yielding first).

use std::thread;

use proptest::prelude::*;
use rings::{TryRecvError, TrySendError, ring};

#[derive(Debug, Clone, Copy)]
enum SendPath {
    /// `try_send` spinning (with yields) while full.
    TrySpin,
    /// `send().await` under a parking executor.
    Async,
    /// `try_send_batch` with the given batch sizes, spinning while full.
    Batch,
    /// `send_batch().await`.
    AsyncBatch,
    /// `try_send_iter`.
    Iter,
}

#[derive(Debug, Clone, Copy)]
enum RecvPath {
    TrySpin,
    Async,
    BatchSpin,
    AsyncBatch,
}

fn send_path() -> impl Strategy<Value = SendPath> {
    prop_oneof![
        Just(SendPath::TrySpin),
        Just(SendPath::Async),
        Just(SendPath::Batch),
        Just(SendPath::AsyncBatch),
        Just(SendPath::Iter),
    ]
}

fn recv_path() -> impl Strategy<Value = RecvPath> {
    prop_oneof![
        Just(RecvPath::TrySpin),
        Just(RecvPath::Async),
        Just(RecvPath::BatchSpin),
        Just(RecvPath::AsyncBatch),
    ]
}

fn produce(mut tx: rings::RingSender<u64>, n: u64, sizes: Vec<usize>, path: SendPath) {
    let mut next = 0u64;
    let mut round = 0usize;
    while next < n {
        let size = sizes[round % sizes.len()] as u64;
        round += 1;
        let end = (next + size).min(n);
        match path {
            SendPath::TrySpin => {
                for v in next..end {
                    let mut v = v;
                    loop {
                        match tx.try_send(v) {
                            Ok(()) => break,
                            Err(TrySendError::Full(back)) => {
                                v = back;
                                thread::yield_now();
                            }
                            Err(TrySendError::Closed(_)) => panic!("receiver gone early"),
                        }
                    }
                }
            }
            SendPath::Async => futures::executor::block_on(async {
                for v in next..end {
                    tx.send(v).await.expect("receiver alive");
                }
            }),
            SendPath::Batch => {
                let mut batch: Vec<u64> = (next..end).collect();
                while !batch.is_empty() {
                    if tx.try_send_batch(&mut batch) == 0 {
                        thread::yield_now();
                    }
                }
            }
            SendPath::AsyncBatch => futures::executor::block_on(async {
                let mut batch: Vec<u64> = (next..end).collect();
                tx.send_batch(&mut batch).await.expect("receiver alive");
                assert!(batch.is_empty());
            }),
            SendPath::Iter => {
                let mut it = next..end;
                while it.start < it.end {
                    if tx.try_send_iter(&mut it) == 0 {
                        thread::yield_now();
                    }
                }
            }
        }
        next = end;
    }
}

fn consume(mut rx: rings::RingReceiver<u64>, sizes: Vec<usize>, path: RecvPath) -> Vec<u64> {
    let mut got = Vec::new();
    let mut round = 0usize;
    loop {
        let max = sizes[round % sizes.len()];
        round += 1;
        let closed = match path {
            RecvPath::TrySpin => match rx.try_recv() {
                Ok(v) => {
                    got.push(v);
                    false
                }
                Err(TryRecvError::Empty) => {
                    thread::yield_now();
                    false
                }
                Err(TryRecvError::Closed) => true,
            },
            RecvPath::Async => match futures::executor::block_on(rx.recv()) {
                Some(v) => {
                    got.push(v);
                    false
                }
                None => true,
            },
            RecvPath::BatchSpin => match rx.try_recv_batch(&mut got, max) {
                Ok(n) => {
                    assert!(n <= max.max(1));
                    false
                }
                Err(TryRecvError::Empty) => {
                    thread::yield_now();
                    false
                }
                Err(TryRecvError::Closed) => true,
            },
            RecvPath::AsyncBatch => {
                let n = futures::executor::block_on(rx.recv_batch(&mut got, max));
                assert!(n <= max.max(1));
                n == 0
            }
        };
        if closed {
            return got;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn records_arrive_in_order_once_each(
        capacity in 1usize..=64,
        n in 0u64..3_000,
        send_sizes in prop::collection::vec(1usize..=40, 1..8),
        recv_sizes in prop::collection::vec(0usize..=40, 1..8),
        send in send_path(),
        recv in recv_path(),
        yields in prop_oneof![Just(0u32), Just(1), Just(rings::DEFAULT_YIELDS_BEFORE_PARK)],
    ) {
        let (mut tx, mut rx) = ring::<u64>(capacity);
        tx.set_yields_before_park(yields);
        rx.set_yields_before_park(yields);
        let producer = thread::spawn(move || produce(tx, n, send_sizes, send));
        let consumer = thread::spawn(move || consume(rx, recv_sizes, recv));
        producer.join().expect("producer thread");
        let got = consumer.join().expect("consumer thread");
        prop_assert_eq!(got.len() as u64, n, "no loss, no duplication");
        for (i, v) in got.iter().enumerate() {
            prop_assert_eq!(*v, i as u64, "in order");
        }
    }
}
