//! Proves the fan-out contract on one shard: every subscriber gets each frame exactly once as
//! the same buffer (no copy), in publish order; subscriptions come and go; a slow consumer is
//! closed with its documented reason and removed while the others keep receiving; a parked
//! writer is woken by a push and drains a whole batch.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use bytes::Bytes;
use codecs::websocket::{close_code, text_frame};
use dataplane::fanout::{
    Batch, CloseReason, ConnId, Frame, LimitKind, Outbox, OutboxError, OutboxLimits,
    OverflowPolicy, SubscribeError, Subscribed, TopicRegistry,
};
use futures_lite::future::block_on;

fn outbox() -> Rc<Outbox> {
    Rc::new(Outbox::new(
        OutboxLimits::default(),
        OverflowPolicy::Disconnect,
    ))
}

fn frame(bytes: &'static [u8]) -> Frame {
    Frame::new(Bytes::from_static(bytes))
}

fn drain(outbox: &Outbox) -> Vec<Frame> {
    let mut out = Vec::new();
    match outbox.try_next_batch(&mut out) {
        Some(Batch::Frames(n)) => assert_eq!(n, out.len()),
        other => assert!(other.is_none(), "unexpected {other:?}"),
    }
    out
}

/// Registry with `n` subscribers of `topic`, conn ids 0..n.
fn registry_with(topic: &str, n: u64) -> (TopicRegistry, Vec<Rc<Outbox>>) {
    let mut reg = TopicRegistry::new();
    let boxes: Vec<_> = (0..n).map(|_| outbox()).collect();
    for (i, b) in boxes.iter().enumerate() {
        assert_eq!(
            reg.subscribe(topic, ConnId(i as u64), b),
            Ok(Subscribed::Added)
        );
    }
    (reg, boxes)
}

#[test]
fn every_subscriber_gets_the_same_buffer_exactly_once() {
    let (mut reg, boxes) = registry_with("room:1", 100);
    let encoded = text_frame(br#"[null,null,"room:1","new_message",{"body":"hi"}]"#);
    let frame = Frame::new(encoded.clone());
    let d = reg.publish("room:1", &frame);
    assert_eq!((d.delivered, d.dropped, d.disconnected), (100, 0, 0));
    for b in &boxes {
        let got = drain(b);
        assert_eq!(got.len(), 1, "exactly once");
        assert_eq!(
            got[0].as_ptr(),
            encoded.as_ptr(),
            "the encoder's buffer, not a copy"
        );
        assert!(Frame::ptr_eq(&got[0], &frame));
    }
}

#[test]
fn subscribing_twice_still_delivers_once() {
    let (mut reg, boxes) = registry_with("t", 1);
    assert_eq!(
        reg.subscribe("t", ConnId(0), &boxes[0]),
        Ok(Subscribed::AlreadySubscribed)
    );
    reg.publish("t", &frame(b"x"));
    assert_eq!(drain(&boxes[0]).len(), 1);
}

#[test]
fn publish_to_a_topic_without_subscribers_delivers_nothing() {
    let (mut reg, boxes) = registry_with("a", 3);
    let d = reg.publish("b", &frame(b"x"));
    assert_eq!(d.delivered, 0);
    assert!(boxes.iter().all(|b| b.queued_frames() == 0));
}

#[test]
fn frames_from_one_publisher_arrive_in_publish_order() {
    let (mut reg, boxes) = registry_with("t", 10);
    let frames: Vec<Frame> = (0..50u32)
        .map(|i| Frame::new(text_frame(i.to_string().as_bytes())))
        .collect();
    for (i, f) in frames.iter().enumerate() {
        reg.publish("t", f);
        if i == 20 {
            // A writer draining mid-stream must not reorder anything.
            drain(&boxes[3]);
        }
    }
    for (i, b) in boxes.iter().enumerate() {
        let got = drain(b);
        let expected = if i == 3 { &frames[21..] } else { &frames[..] };
        assert_eq!(got, expected);
    }
}

#[test]
fn unsubscribed_connection_receives_nothing_more() {
    let (mut reg, boxes) = registry_with("t", 3);
    assert!(reg.unsubscribe("t", ConnId(1)));
    assert!(!reg.unsubscribe("t", ConnId(1)));
    assert_eq!(reg.subscriber_count("t"), 2);
    reg.publish("t", &frame(b"x"));
    assert_eq!(drain(&boxes[0]).len(), 1);
    assert!(drain(&boxes[1]).is_empty());
    assert_eq!(drain(&boxes[2]).len(), 1);
    assert!(reg.unsubscribe("t", ConnId(0)));
    assert!(reg.unsubscribe("t", ConnId(2)));
    assert_eq!(reg.topic_count(), 0, "an empty topic is forgotten");
}

#[test]
fn unsubscribe_all_removes_every_topic_of_a_connection_only() {
    let mut reg = TopicRegistry::new();
    let (a, b) = (outbox(), outbox());
    for topic in ["room:1", "room:2", "user:7"] {
        reg.subscribe(topic, ConnId(1), &a).unwrap();
    }
    reg.subscribe("room:1", ConnId(2), &b).unwrap();
    let mut topics: Vec<_> = reg.topics_of(ConnId(1)).collect();
    topics.sort_unstable();
    assert_eq!(topics, ["room:1", "room:2", "user:7"]);

    assert_eq!(reg.unsubscribe_all(ConnId(1)), 3);
    assert_eq!(reg.unsubscribe_all(ConnId(1)), 0);
    assert_eq!(reg.topics_of(ConnId(1)).count(), 0);
    assert_eq!(reg.topic_count(), 1);
    assert_eq!(reg.subscriber_count("room:1"), 1);
    reg.publish("room:1", &frame(b"x"));
    assert!(drain(&a).is_empty());
    assert_eq!(drain(&b).len(), 1);
}

#[test]
fn removal_keeps_every_other_subscription_reachable() {
    // Swap-remove bookkeeping: remove from the middle, the ends, re-add, then check all.
    let (mut reg, boxes) = registry_with("t", 8);
    for conn in [3, 0, 7, 4] {
        assert!(reg.unsubscribe("t", ConnId(conn)));
    }
    reg.subscribe("t", ConnId(0), &boxes[0]).unwrap();
    for conn in [1, 2, 5, 6, 0] {
        assert!(reg.unsubscribe("t", ConnId(conn)), "conn {conn} lost");
    }
    assert_eq!(reg.subscriber_count("t"), 0);
}

#[test]
fn slow_consumer_over_the_byte_limit_is_closed_and_removed_while_others_receive() {
    let mut reg = TopicRegistry::new();
    let limits = OutboxLimits {
        max_bytes: 1000,
        max_frames: 1024,
    };
    let slow = Rc::new(Outbox::new(limits, OverflowPolicy::Disconnect));
    let fast = Rc::new(Outbox::new(limits, OverflowPolicy::Disconnect));
    reg.subscribe("t", ConnId(1), &slow).unwrap();
    reg.subscribe("t", ConnId(2), &fast).unwrap();
    let frame = Frame::new(Bytes::from(vec![0u8; 300]));

    for _ in 0..3 {
        assert_eq!(reg.publish("t", &frame).delivered, 2);
        assert_eq!(drain(&fast).len(), 1);
    }
    let d = reg.publish("t", &frame); // slow would hold 1200 > 1000
    assert_eq!((d.delivered, d.disconnected), (1, 1));
    assert_eq!(drain(&fast).len(), 1);

    let reason = slow.close_reason().expect("closed");
    assert_eq!(
        reason,
        CloseReason::SlowConsumer {
            limit: LimitKind::Bytes,
            max: 1000,
            queued_bytes: 900,
            queued_frames: 3
        }
    );
    assert_eq!(reason.code(), Some(close_code::POLICY_VIOLATION));
    assert_eq!(
        reason.to_string(),
        "slow consumer: 900 bytes in 3 frames queued, limit 1000 bytes"
    );
    assert_eq!(slow.queued_bytes(), 0, "its queue is freed at once");
    let close = reason.frame().expect("a close frame is sent");
    assert_eq!(
        &close[..4],
        &[0x88, 2 + reason.to_string().len() as u8, 0x03, 0xF0]
    );

    assert_eq!(reg.subscriber_count("t"), 1);
    assert_eq!(reg.topics_of(ConnId(1)).count(), 0);
    assert_eq!(reg.publish("t", &frame).delivered, 1);
    assert_eq!(drain(&fast).len(), 1);
}

#[test]
fn slow_consumer_over_the_frame_limit_is_closed_with_the_frame_reason() {
    let limits = OutboxLimits {
        max_bytes: 1 << 20,
        max_frames: 4,
    };
    let b = Outbox::new(limits, OverflowPolicy::Disconnect);
    for _ in 0..4 {
        b.push(frame(b"ab")).unwrap();
    }
    let err = b.push(frame(b"ab")).unwrap_err();
    let reason = CloseReason::SlowConsumer {
        limit: LimitKind::Frames,
        max: 4,
        queued_bytes: 8,
        queued_frames: 4,
    };
    assert_eq!(err, OutboxError::Overflowed(reason.clone()));
    assert_eq!(
        reason.to_string(),
        "slow consumer: 4 frames (8 bytes) queued, limit 4 frames"
    );
    assert_eq!(
        b.push(frame(b"ab")),
        Err(OutboxError::Closed(reason.clone()))
    );
    let mut out = Vec::new();
    assert_eq!(b.try_next_batch(&mut out), Some(Batch::Closed(reason)));
    assert!(
        out.is_empty(),
        "an overflowed outbox hands nothing more out"
    );
}

#[test]
fn batch_being_written_counts_until_the_writer_asks_for_more() {
    let limits = OutboxLimits {
        max_bytes: 10,
        max_frames: 100,
    };
    let b = Outbox::new(limits, OverflowPolicy::Disconnect);
    b.push(frame(b"123456")).unwrap();
    let mut out = Vec::new();
    assert_eq!(b.try_next_batch(&mut out), Some(Batch::Frames(1)));
    assert_eq!(b.queued_bytes(), 6, "in flight still counts");
    out.clear(); // written
    assert_eq!(b.try_next_batch(&mut out), None, "acknowledges the batch");
    assert_eq!(b.queued_bytes(), 0);
    b.push(frame(b"123456")).unwrap();
}

#[test]
fn drop_newest_keeps_the_connection_and_counts_the_loss() {
    let mut reg = TopicRegistry::new();
    let limits = OutboxLimits {
        max_bytes: 1 << 20,
        max_frames: 2,
    };
    let lossy = Rc::new(Outbox::new(limits, OverflowPolicy::DropNewest));
    reg.subscribe("typing", ConnId(1), &lossy).unwrap();
    let frames: Vec<_> = (0..4u8).map(|i| Frame::new(Bytes::from(vec![i]))).collect();
    let ds: Vec<_> = frames.iter().map(|f| reg.publish("typing", f)).collect();
    assert_eq!(ds[1].delivered, 1);
    assert_eq!(
        (ds[3].delivered, ds[3].dropped, ds[3].disconnected),
        (0, 1, 0)
    );
    assert!(!lossy.is_closed());
    assert_eq!(lossy.dropped_frames(), 2);
    assert_eq!(drain(&lossy), &frames[..2], "the oldest are kept");
    assert_eq!(reg.subscriber_count("typing"), 1);
}

#[test]
fn closed_outbox_cannot_subscribe_and_is_removed_on_next_publish() {
    let mut reg = TopicRegistry::new();
    let (a, b) = (outbox(), outbox());
    reg.subscribe("t", ConnId(1), &a).unwrap();
    reg.subscribe("t", ConnId(2), &b).unwrap();
    assert!(a.close(CloseReason::PeerGone));
    assert!(!a.close(CloseReason::GoingAway), "first reason wins");
    assert_eq!(
        reg.subscribe("u", ConnId(1), &a),
        Err(SubscribeError::OutboxClosed(CloseReason::PeerGone))
    );
    let d = reg.publish("t", &frame(b"x"));
    assert_eq!((d.delivered, d.disconnected), (1, 1));
    assert_eq!(reg.subscriber_count("t"), 1);
    assert_eq!(CloseReason::PeerGone.frame(), None, "nobody to send it to");
}

#[test]
fn publish_except_skips_the_sender() {
    let (mut reg, boxes) = registry_with("t", 3);
    let d = reg.publish_except("t", &frame(b"x"), &[ConnId(1)]);
    assert_eq!(d.delivered, 2);
    assert!(drain(&boxes[1]).is_empty());
    // Several left out (the sockets a recovering join already replayed the message to).
    for b in &boxes {
        drain(b);
    }
    let d = reg.publish_except("t", &frame(b"y"), &[ConnId(0), ConnId(2)]);
    assert_eq!(d.delivered, 1);
    assert_eq!(drain(&boxes[1]).len(), 1);
    assert!(drain(&boxes[0]).is_empty());
    assert!(drain(&boxes[2]).is_empty());
}

#[test]
fn graceful_close_hands_out_queued_frames_before_the_reason() {
    let b = outbox();
    b.push(frame(b"last words")).unwrap();
    b.close(CloseReason::GoingAway);
    let mut out = Vec::new();
    assert_eq!(block_on(b.next_batch(&mut out)), Batch::Frames(1));
    assert_eq!(
        block_on(b.next_batch(&mut out)),
        Batch::Closed(CloseReason::GoingAway)
    );
    assert_eq!(block_on(b.closed()), CloseReason::GoingAway);
}

/// Counts wake-ups so the test can tell a real wake from a spurious poll.
struct CountingWaker(AtomicUsize);
impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

#[test]
fn parked_writer_is_woken_by_a_push_and_receives_the_whole_batch() {
    let b = outbox();
    let counter = Arc::new(CountingWaker(AtomicUsize::new(0)));
    let waker = Waker::from(counter.clone());
    let mut cx = Context::from_waker(&waker);
    let mut out = Vec::new();

    let mut fut = Box::pin(b.next_batch(&mut out));
    assert!(fut.as_mut().poll(&mut cx).is_pending());
    b.push(frame(b"1")).unwrap();
    assert_eq!(
        counter.0.load(Ordering::Relaxed),
        1,
        "push wakes the writer"
    );
    b.push(frame(b"2")).unwrap();
    b.push(frame(b"3")).unwrap();
    assert_eq!(counter.0.load(Ordering::Relaxed), 1, "one wake per park");
    assert_eq!(fut.as_mut().poll(&mut cx), Poll::Ready(Batch::Frames(3)));
    drop(fut);
    let got: Vec<&[u8]> = out.iter().map(|f| &f[..]).collect();
    assert_eq!(got, [b"1", b"2", b"3"]);
}

#[test]
fn writer_task_on_a_local_executor_drains_batches_until_close() {
    // A writer and a publisher as two tasks on one thread, as on a shard.
    let b = outbox();
    let written = Rc::new(Cell::new(0usize));
    let batches = Rc::new(Cell::new(0usize));
    let writer = {
        let (b, written, batches) = (b.clone(), written.clone(), batches.clone());
        async move {
            let mut out = Vec::new();
            loop {
                match b.next_batch(&mut out).await {
                    Batch::Frames(n) => {
                        written.set(written.get() + n);
                        batches.set(batches.get() + 1);
                        out.clear();
                    }
                    Batch::Closed(reason) => return reason,
                }
            }
        }
    };
    let publisher = {
        let b = b.clone();
        async move {
            for round in 0..5 {
                for i in 0..10 {
                    b.push(Frame::new(Bytes::from(format!("{round}-{i}"))))
                        .unwrap();
                }
                futures_lite::future::yield_now().await;
            }
            b.close(CloseReason::GoingAway);
        }
    };
    let reason = block_on(async {
        let (reason, ()) = futures_lite::future::zip(writer, publisher).await;
        reason
    });
    assert_eq!(reason, CloseReason::GoingAway);
    assert_eq!(written.get(), 50);
    assert!(
        batches.get() <= 6,
        "drained in batches, got {}",
        batches.get()
    );
}

#[test]
fn publish_allocates_nothing_per_subscriber() {
    let (mut reg, boxes) = registry_with("t", 1000);
    let frame = frame(b"x");
    let drain_all = || boxes.iter().for_each(|b| drop(drain(b)));
    // One frame per outbox fits its inline slots: not even a warm-up is needed.
    let one = allocation_counter::measure(|| {
        reg.publish("t", &frame);
    });
    assert_eq!(one.count_total, 0);
    drain_all();
    drain_all(); // acknowledge the batch

    // A backlog past the inline slots allocates each spill once; after that, nothing.
    let burst = |reg: &mut TopicRegistry| {
        for _ in 0..10 {
            reg.publish("t", &frame);
        }
    };
    let cold = allocation_counter::measure(|| burst(&mut reg));
    assert!(
        cold.count_total >= 1000,
        "the counter sees the spills grow: {cold:?}"
    );
    drain_all();
    drain_all();
    let warm = allocation_counter::measure(|| burst(&mut reg));
    assert_eq!(warm.count_total, 0, "{warm:?}");
}

#[test]
fn frame_larger_than_the_byte_limit_goes_out_alone_into_an_empty_outbox() {
    let limits = OutboxLimits {
        max_bytes: 10,
        max_frames: 100,
    };
    let b = Outbox::new(limits, OverflowPolicy::Disconnect);
    b.push(Frame::new(Bytes::from(vec![1u8; 50]))).unwrap();
    assert_eq!(b.queued_bytes(), 10, "it holds the whole budget");
    let mut out = Vec::new();
    assert_eq!(b.try_next_batch(&mut out), Some(Batch::Frames(1)));
    assert_eq!(out[0].len(), 50);
    // While it is being written nothing else fits: a follower overflows as a slow consumer.
    assert!(matches!(
        b.push(frame(b"x")),
        Err(OutboxError::Overflowed(CloseReason::SlowConsumer {
            limit: LimitKind::Bytes,
            ..
        }))
    ));
}
