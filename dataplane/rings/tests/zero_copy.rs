//! Proves that payloads travel by reference: a `Bytes` read from the ring points at the very
//! buffer that was sent (same `as_ptr()`), within a thread and from tokio to a glommio shard.

mod common;

use bytes::Bytes;
use rings::ring;

/// A ring record: fixed fields by value, payload by reference.
struct Frame {
    topic: u32,
    payload: Bytes,
}

#[test]
fn bytes_payload_keeps_its_address_through_the_ring() {
    let (mut tx, mut rx) = ring::<Frame>(4);
    let payload = Bytes::from(vec![42u8; 1 << 20]);
    let sent_ptr = payload.as_ptr();
    assert!(
        tx.try_send(Frame {
            topic: 3,
            payload: payload.clone()
        })
        .is_ok()
    );
    let got = rx.try_recv().expect("record");
    assert_eq!(got.topic, 3);
    assert_eq!(got.payload.as_ptr(), sent_ptr);
    assert_eq!(got.payload.len(), 1 << 20);
}

#[test]
fn bytes_payload_keeps_its_address_from_tokio_to_glommio() {
    let (mut tx, mut rx) = ring::<Frame>(4);
    let payload = Bytes::from(vec![1u8; 4096]);
    let sent_ptr = payload.as_ptr() as usize;
    let shard = common::spawn_glommio("zero-copy", move || async move {
        let mut ptrs = Vec::new();
        while let Some(f) = rx.recv().await {
            ptrs.push((f.topic, f.payload.as_ptr() as usize));
        }
        ptrs
    });
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("tokio runtime");
    rt.block_on(async move {
        for topic in 0..100 {
            let f = Frame {
                topic,
                payload: payload.slice(..),
            };
            assert!(tx.send(f).await.is_ok());
        }
    });
    let ptrs = shard.join().expect("shard");
    assert_eq!(ptrs.len(), 100);
    for (i, (topic, ptr)) in ptrs.into_iter().enumerate() {
        assert_eq!(topic as usize, i);
        assert_eq!(ptr, sent_ptr, "same buffer, not a copy");
    }
}
