//! Model-checks the doorbell protocol with loom: in every interleaving (and every value the
//! memory model lets a load return), a parked end is woken by the other end's publication or
//! drop, and records still arrive in order exactly once.
//!
//! Run: `LOOM_MAX_PREEMPTIONS=4 RUSTFLAGS="--cfg rings_loom" cargo test -p rings --test
//! loom_wake --release` (about a minute; unbounded preemption does not finish in minutes).
//! The bound is high enough to matter: with 3 it already finds each of these deliberate
//! bugs as a deadlock (a parked end never woken): ringing with a plain load instead of a
//! swap, disarming with a plain store instead of a swap, and parking without the re-check
//! after arming.

#![cfg(rings_loom)]

use loom::future::block_on;
use loom::thread;
use rings::{RingReceiver, RingSender};

/// A ring whose ends park on the first idle poll (`yields`: 0), or after `yields` yields.
fn ring(capacity: usize, yields: u32) -> (RingSender<u32>, RingReceiver<u32>) {
    let (mut tx, mut rx) = rings::ring::<u32>(capacity);
    tx.set_yields_before_park(yields);
    rx.set_yields_before_park(yields);
    (tx, rx)
}

#[test]
fn parked_receiver_is_woken_by_each_send_and_by_the_close() {
    loom::model(|| {
        let (mut tx, mut rx) = ring(2, 0);
        let producer = thread::spawn(move || {
            assert!(block_on(tx.send(1)).is_ok());
            assert!(block_on(tx.send(2)).is_ok());
        });
        assert_eq!(block_on(rx.recv()), Some(1));
        assert_eq!(block_on(rx.recv()), Some(2));
        assert_eq!(block_on(rx.recv()), None);
        producer.join().expect("producer");
    });
}

#[test]
fn parked_sender_is_woken_when_a_slot_frees() {
    loom::model(|| {
        let (mut tx, mut rx) = ring(1, 0);
        let producer = thread::spawn(move || {
            assert!(block_on(tx.send(1)).is_ok());
            // The ring holds one record: this send parks until the receiver pops.
            assert!(block_on(tx.send(2)).is_ok());
        });
        let mut got = Vec::new();
        while let Some(v) = block_on(rx.recv()) {
            got.push(v);
        }
        assert_eq!(got, vec![1, 2]);
        producer.join().expect("producer");
    });
}

#[test]
fn parked_sender_is_woken_with_closed_when_the_receiver_drops() {
    loom::model(|| {
        let (mut tx, rx) = ring(1, 0);
        assert!(tx.try_send(0).is_ok());
        let consumer = thread::spawn(move || drop(rx));
        // The point is that `send` returns at all. Which way is a race: the receiver's drop
        // frees the slot of the record it discards, so a send that checked "closed" just
        // before may still land (and be dropped with the ring), like a send that beats the
        // drop on any channel.
        match block_on(tx.send(1)) {
            Ok(()) | Err(rings::Closed(1)) => {}
            Err(rings::Closed(v)) => panic!("handed back the wrong record {v}"),
        }
        assert!(tx.is_closed());
        consumer.join().expect("consumer");
    });
}

#[test]
fn batch_receive_sees_every_record_of_a_batch_send() {
    loom::model(|| {
        let (mut tx, mut rx) = ring(2, 0);
        let producer = thread::spawn(move || {
            let mut items = vec![1, 2, 3];
            assert!(block_on(tx.send_batch(&mut items)).is_ok());
        });
        let mut got = Vec::new();
        while block_on(rx.recv_batch(&mut got, 8)) > 0 {}
        assert_eq!(got, vec![1, 2, 3]);
        producer.join().expect("producer");
    });
}

#[test]
fn yielding_before_parking_still_never_loses_a_wakeup() {
    loom::model(|| {
        let (mut tx, mut rx) = ring(1, 1);
        let producer = thread::spawn(move || {
            assert!(block_on(tx.send(1)).is_ok());
            assert!(block_on(tx.send(2)).is_ok());
        });
        assert_eq!(block_on(rx.recv()), Some(1));
        assert_eq!(block_on(rx.recv()), Some(2));
        assert_eq!(block_on(rx.recv()), None);
        producer.join().expect("producer");
    });
}
