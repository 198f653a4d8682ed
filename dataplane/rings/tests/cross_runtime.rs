//! Proves that the two ends work across runtimes in both directions the node uses: a tokio
//! task feeding a glommio shard and a glommio shard feeding a tokio task, each moving a
//! million records in sequence, with the parked end woken (glommio via its eventfd).

mod common;

use std::time::Instant;

use bytes::Bytes;
use rings::ring;

const RECORDS: u64 = 1_000_000;
const CAPACITY: usize = 1024;

/// A ring record as the bridge uses it: fixed fields plus a payload by reference.
struct Record {
    seq: u64,
    payload: Bytes,
}

#[test]
fn tokio_producer_feeds_glommio_consumer_in_sequence() {
    let (mut tx, mut rx) = ring::<Record>(CAPACITY);
    let payload = Bytes::from(vec![7u8; 256]);
    let expected_ptr = payload.as_ptr() as usize;

    let shard = common::spawn_glommio("shard-consumer", move || async move {
        let mut next = 0u64;
        let mut batch = Vec::with_capacity(256);
        loop {
            let n = rx.recv_batch(&mut batch, 256).await;
            if n == 0 {
                break;
            }
            for r in batch.drain(..) {
                assert_eq!(r.seq, next, "in sequence");
                assert_eq!(r.payload.as_ptr() as usize, expected_ptr, "by reference");
                next += 1;
            }
        }
        (next, rx.stats())
    });

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .expect("tokio runtime");
    let started = Instant::now();
    rt.block_on(async move {
        tokio::spawn(async move {
            for seq in 0..RECORDS {
                let r = Record {
                    seq,
                    payload: payload.clone(),
                };
                if tx.send(r).await.is_err() {
                    panic!("glommio consumer gone");
                }
            }
        })
        .await
        .expect("producer task");
    });
    let (received, stats) = shard.join().expect("glommio consumer");
    let elapsed = started.elapsed();
    assert_eq!(received, RECORDS);
    assert_eq!(stats.records_received, RECORDS);
    eprintln!(
        "tokio->glommio: {RECORDS} records in {elapsed:?}, {stats:?}, records/wakeup {:?}",
        stats.records_per_wakeup()
    );
}

#[test]
fn glommio_producer_feeds_tokio_consumer_in_sequence() {
    let (mut tx, mut rx) = ring::<Record>(CAPACITY);
    let payload = Bytes::from(vec![9u8; 256]);
    let expected_ptr = payload.as_ptr() as usize;

    let shard = common::spawn_glommio("shard-producer", move || async move {
        for seq in 0..RECORDS {
            let r = Record {
                seq,
                payload: payload.clone(),
            };
            if tx.send(r).await.is_err() {
                panic!("tokio consumer gone");
            }
        }
        tx.stats()
    });

    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("tokio runtime");
    let received = rt.block_on(async move {
        let mut next = 0u64;
        while let Some(r) = rx.recv().await {
            assert_eq!(r.seq, next, "in sequence");
            assert_eq!(r.payload.as_ptr() as usize, expected_ptr, "by reference");
            next += 1;
        }
        next
    });
    let stats = shard.join().expect("glommio producer");
    assert_eq!(received, RECORDS);
    assert_eq!(stats.records_sent, RECORDS);
    eprintln!("glommio->tokio: {stats:?}");
}
