//! Proves the close semantics: a receiver reads everything sent before the sender dropped
//! and then sees the end (`None`, 0, `Closed`), a sender sees `Closed` with its record handed
//! back once the receiver dropped, and an end parked at the moment the other drops is woken.

mod common;

use std::thread;
use std::time::Duration;

use rings::{Closed, TryRecvError, TrySendError, ring};

#[test]
fn recv_returns_none_after_sender_drops_once_drained() {
    let (mut tx, mut rx) = ring::<u32>(8);
    for v in 0..5 {
        assert!(tx.try_send(v).is_ok());
    }
    drop(tx);
    futures::executor::block_on(async {
        for v in 0..5 {
            assert_eq!(rx.recv().await, Some(v), "what was sent is still read");
        }
        assert_eq!(rx.recv().await, None);
        assert_eq!(rx.recv().await, None, "and stays closed");
    });
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
}

#[test]
fn recv_batch_returns_zero_when_closed_and_drained() {
    let (mut tx, mut rx) = ring::<u32>(8);
    assert!(tx.try_send(1).is_ok());
    drop(tx);
    let mut out = Vec::new();
    futures::executor::block_on(async {
        assert_eq!(rx.recv_batch(&mut out, 16).await, 1);
        assert_eq!(rx.recv_batch(&mut out, 16).await, 0);
    });
    assert_eq!(out, vec![1]);
}

#[test]
fn try_send_returns_closed_after_receiver_drops() {
    let (mut tx, rx) = ring::<String>(8);
    assert!(!tx.is_closed());
    drop(rx);
    assert!(tx.is_closed());
    match tx.try_send("late".to_owned()) {
        Err(TrySendError::Closed(v)) => assert_eq!(v, "late", "record handed back"),
        other => panic!("expected Closed, got {other:?}"),
    }
    let mut batch = vec!["a".to_owned()];
    assert_eq!(tx.try_send_batch(&mut batch), 0);
    assert_eq!(batch.len(), 1, "batch kept");
    let res = futures::executor::block_on(tx.send("later".to_owned()));
    assert_eq!(res, Err(Closed("later".to_owned())));
}

#[test]
fn parked_glommio_receiver_is_woken_with_none_when_sender_drops() {
    let (tx, mut rx) = ring::<u32>(4);
    let shard = common::spawn_glommio("parked-receiver", move || async move {
        let got = rx.recv().await;
        (got, rx.stats().receiver_parks)
    });
    thread::sleep(Duration::from_millis(50));
    drop(tx);
    let (got, parks) = shard.join().expect("receiver");
    assert_eq!(got, None);
    assert!(parks >= 1, "the receiver really was parked");
}

#[test]
fn parked_sender_is_woken_with_closed_when_receiver_drops() {
    let (mut tx, rx) = ring::<u32>(1);
    assert!(tx.try_send(0).is_ok());
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("tokio runtime");
    let dropper = thread::spawn(move || {
        thread::sleep(Duration::from_millis(50));
        drop(rx);
    });
    let res = rt.block_on(tx.send(1));
    assert_eq!(res, Err(Closed(1)), "woken, with the record handed back");
    assert!(tx.stats().sender_parks >= 1);
    dropper.join().expect("dropper");
}
