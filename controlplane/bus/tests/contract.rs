//! Proves the bus contract, written once and run against both implementations (the
//! in-process bus and NATS JetStream): fan-out and wildcards, competing consumers, ack,
//! nak and ack_wait redelivery, de-duplication, every dead-letter path, late durables,
//! and prefix isolation.

#![allow(clippy::unwrap_used)] // tests may unwrap

#[macro_use]
mod support;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bus::{BusError, BusMessage, WorkQueue, WorkQueueSpec};
use bytes::Bytes;
use support::{
    Backend, UPLOADED, id_of, must_next, next_within, nothing_within, publish, recv, spec,
};

contract!(
    fan_out_reaches_every_subscriber,
    wildcard_filters_select_subjects,
    subscribers_get_only_messages_published_after_subscribing,
    competing_consumers_share_the_work_and_no_message_is_delivered_twice,
    ack_removes_the_message,
    nak_redelivers_after_the_delay_with_the_next_attempt,
    ack_wait_expiry_redelivers,
    in_progress_postpones_redelivery,
    duplicate_msg_id_is_stored_and_delivered_once,
    term_sends_the_message_to_the_dead_letter_queue_with_its_reason,
    exhausting_max_deliver_dead_letters_the_message,
    a_worker_that_stops_acking_on_its_last_attempt_ends_in_the_dead_letter_queue,
    dead_letter_readers_see_only_their_durable,
    a_durable_created_after_publishing_gets_earlier_messages,
    a_spec_with_several_subjects_reads_them_all,
    buses_with_different_prefixes_do_not_see_each_other,
    publish_event_uses_the_event_type_subject_and_event_id,
    invalid_arguments_are_refused,
    nodes_connecting_at_once_all_succeed,
    every_event_type_can_be_published,
);

async fn fan_out_reaches_every_subscriber(backend: Backend) {
    let bus = backend.bus("").await;
    let mut a = bus.subscribe("chat.message").await.unwrap();
    let mut b = bus.subscribe("chat.message").await.unwrap();
    for id in ["m1", "m2", "m3"] {
        publish(&bus, "chat.message", id).await;
    }
    for sub in [&mut a, &mut b] {
        for id in ["m1", "m2", "m3"] {
            let m = recv(sub).await;
            assert_eq!(m.msg_id.as_deref(), Some(id));
            assert_eq!(m.subject, "chat.message");
            assert_eq!(m.payload, Bytes::from(format!("body of {id}")));
        }
    }
}

async fn wildcard_filters_select_subjects(backend: Backend) {
    let bus = backend.bus("").await;
    let mut media = bus.subscribe("media.*").await.unwrap();
    let mut ready = bus.subscribe("*.ready").await.unwrap();
    let mut all = bus.subscribe(">").await.unwrap();
    publish(&bus, "media.ready", "r").await;
    publish(&bus, "chat.message", "c").await;
    publish(&bus, "media.uploaded", "u").await;
    let ids = |v: Vec<BusMessage>| v.into_iter().filter_map(|m| m.msg_id).collect::<Vec<_>>();
    let mut got = Vec::new();
    for _ in 0..2 {
        got.push(recv(&mut media).await);
    }
    assert_eq!(ids(got), ["r", "u"]);
    assert_eq!(recv(&mut ready).await.msg_id.as_deref(), Some("r"));
    nothing_within(&mut ready, Duration::from_millis(300)).await;
    let mut got = Vec::new();
    for _ in 0..3 {
        got.push(recv(&mut all).await);
    }
    assert_eq!(ids(got), ["r", "c", "u"]);
}

async fn subscribers_get_only_messages_published_after_subscribing(backend: Backend) {
    let bus = backend.bus("").await;
    publish(&bus, "presence.update", "before").await;
    let mut sub = bus.subscribe("presence.update").await.unwrap();
    publish(&bus, "presence.update", "after").await;
    assert_eq!(recv(&mut sub).await.msg_id.as_deref(), Some("after"));
}

async fn competing_consumers_share_the_work_and_no_message_is_delivered_twice(backend: Backend) {
    let bus = backend.bus("").await;
    let a = bus.work_queue(spec("workers", UPLOADED)).await.unwrap();
    let b = bus.work_queue(spec("workers", UPLOADED)).await.unwrap();
    let total = 20;
    for i in 0..total {
        publish(&bus, UPLOADED, &format!("job-{i}")).await;
    }
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let worker = |mut q: Box<dyn WorkQueue>, seen: Arc<std::sync::Mutex<Vec<String>>>| async move {
        let mut mine = 0;
        while let Some(d) = next_within(&mut q, Duration::from_secs(2)).await {
            seen.lock().unwrap().push(id_of(&d).to_string());
            mine += 1;
            tokio::time::sleep(Duration::from_millis(20)).await; // the work
            d.ack().await.unwrap();
        }
        mine
    };
    let (na, nb) = tokio::join!(worker(a, seen.clone()), worker(b, seen.clone()));
    let seen = seen.lock().unwrap().clone();
    let unique: HashSet<_> = seen.iter().collect();
    assert_eq!(seen.len(), total, "every message exactly once: {seen:?}");
    assert_eq!(unique.len(), total);
    assert!(na > 0 && nb > 0, "work not shared: {na} / {nb}");
}

async fn ack_removes_the_message(backend: Backend) {
    let bus = backend.bus("").await;
    let mut q = bus.work_queue(spec("acker", UPLOADED)).await.unwrap();
    publish(&bus, UPLOADED, "once").await;
    let d = must_next(&mut q).await;
    assert_eq!((id_of(&d), d.attempt), ("once", 1));
    d.ack().await.unwrap();
    // Past ack_wait (2 s) nothing comes back.
    assert!(next_within(&mut q, Duration::from_secs(3)).await.is_none());
}

async fn nak_redelivers_after_the_delay_with_the_next_attempt(backend: Backend) {
    let bus = backend.bus("").await;
    let mut s = spec("naker", UPLOADED);
    s.max_deliver = 5;
    s.backoff = vec![Duration::from_millis(200), Duration::from_millis(600)];
    let mut q = bus.work_queue(s).await.unwrap();
    publish(&bus, UPLOADED, "retry-me").await;
    let d = must_next(&mut q).await;
    assert_eq!(d.attempt, 1);
    let t = Instant::now();
    d.nak(Some(Duration::from_millis(400))).await.unwrap();
    let d = must_next(&mut q).await;
    assert_eq!((id_of(&d), d.attempt), ("retry-me", 2));
    assert!(
        t.elapsed() >= Duration::from_millis(350),
        "explicit delay: {:?}",
        t.elapsed()
    );
    // nak(None) on attempt 2 waits backoff[1].
    let t = Instant::now();
    d.nak(None).await.unwrap();
    let d = must_next(&mut q).await;
    assert_eq!(d.attempt, 3);
    assert!(
        t.elapsed() >= Duration::from_millis(550),
        "backoff delay: {:?}",
        t.elapsed()
    );
    d.ack().await.unwrap();
}

async fn ack_wait_expiry_redelivers(backend: Backend) {
    let bus = backend.bus("").await;
    let mut s = spec("crashy", UPLOADED);
    s.ack_wait = Duration::from_secs(1);
    let mut q = bus.work_queue(s).await.unwrap();
    publish(&bus, UPLOADED, "lost-worker").await;
    let t = Instant::now();
    drop(must_next(&mut q).await); // the worker "crashes"
    let d = must_next(&mut q).await;
    assert_eq!((id_of(&d), d.attempt), ("lost-worker", 2));
    assert!(
        t.elapsed() >= Duration::from_millis(900),
        "{:?}",
        t.elapsed()
    );
    d.ack().await.unwrap();
}

async fn in_progress_postpones_redelivery(backend: Backend) {
    let bus = backend.bus("").await;
    let mut s = spec("slow", UPLOADED);
    s.ack_wait = Duration::from_secs(2);
    let mut q = bus.work_queue(s).await.unwrap();
    publish(&bus, UPLOADED, "long-job").await;
    let d = must_next(&mut q).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    d.in_progress().await.unwrap(); // new deadline: ~3.2 s
    assert!(
        next_within(&mut q, Duration::from_millis(1400))
            .await
            .is_none(),
        "redelivered despite progress"
    );
    let again = must_next(&mut q).await; // after the extended deadline
    assert_eq!(again.attempt, 2);
    again.ack().await.unwrap();
}

async fn duplicate_msg_id_is_stored_and_delivered_once(backend: Backend) {
    let bus = backend.bus("").await;
    let mut sub = bus.subscribe(UPLOADED).await.unwrap();
    let mut q = bus.work_queue(spec("dedupe", UPLOADED)).await.unwrap();
    let first = bus
        .publish(UPLOADED, "evt-1", Bytes::from_static(b"a"))
        .await
        .unwrap();
    let second = bus
        .publish(UPLOADED, "evt-1", Bytes::from_static(b"a"))
        .await
        .unwrap();
    assert!(!first.duplicate);
    assert!(second.duplicate);
    assert_eq!(second.sequence, first.sequence);
    publish(&bus, UPLOADED, "evt-2").await;
    let d = must_next(&mut q).await;
    assert_eq!(id_of(&d), "evt-1");
    d.ack().await.unwrap();
    let d = must_next(&mut q).await;
    assert_eq!(id_of(&d), "evt-2");
    d.ack().await.unwrap();
    assert_eq!(recv(&mut sub).await.msg_id.as_deref(), Some("evt-1"));
    assert_eq!(recv(&mut sub).await.msg_id.as_deref(), Some("evt-2"));
}

async fn term_sends_the_message_to_the_dead_letter_queue_with_its_reason(backend: Backend) {
    let bus = backend.bus("").await;
    let mut q = bus.work_queue(spec("termer", UPLOADED)).await.unwrap();
    publish(&bus, UPLOADED, "poison").await;
    let d = must_next(&mut q).await;
    let seq = d.stream_sequence;
    d.term("payload is not a media upload").await.unwrap();
    let mut dlq = bus.dead_letters("termer").await.unwrap();
    let letter = must_next(&mut dlq).await;
    let info = letter.dead_letter.clone().expect("dead letter info");
    assert_eq!(info.reason, "payload is not a media upload");
    assert_eq!(info.original_subject, UPLOADED);
    assert_eq!(info.original_sequence, seq);
    assert_eq!(info.deliveries, 1);
    assert_eq!(info.durable, "termer");
    assert_eq!(letter.subject, "dlq.media.uploaded");
    assert_eq!(letter.msg_id.as_deref(), Some("poison"));
    assert_eq!(letter.payload, Bytes::from_static(b"body of poison"));
    letter.ack().await.unwrap();
    // Terminated: never redelivered to the worker.
    assert!(next_within(&mut q, Duration::from_secs(3)).await.is_none());
}

async fn exhausting_max_deliver_dead_letters_the_message(backend: Backend) {
    let bus = backend.bus("").await;
    let mut s = spec("flaky", UPLOADED);
    s.max_deliver = 2;
    let mut q = bus.work_queue(s).await.unwrap();
    publish(&bus, UPLOADED, "always-fails").await;
    let d = must_next(&mut q).await;
    assert!(!d.is_last_attempt());
    d.nak(Some(Duration::from_millis(50))).await.unwrap();
    let d = must_next(&mut q).await;
    assert!(d.is_last_attempt());
    d.nak(None).await.unwrap();
    let mut dlq = bus.dead_letters("flaky").await.unwrap();
    let letter = must_next(&mut dlq).await;
    let info = letter.dead_letter.clone().unwrap();
    assert_eq!(info.deliveries, 2);
    assert!(
        info.reason.contains("nak on attempt 2 of 2"),
        "{}",
        info.reason
    );
    assert_eq!(letter.msg_id.as_deref(), Some("always-fails"));
    assert!(next_within(&mut q, Duration::from_secs(1)).await.is_none());
}

async fn a_worker_that_stops_acking_on_its_last_attempt_ends_in_the_dead_letter_queue(
    backend: Backend,
) {
    let bus = backend.bus("").await;
    let mut s = spec("stalls", UPLOADED);
    s.max_deliver = 2;
    s.ack_wait = Duration::from_secs(1);
    let mut q = bus.work_queue(s).await.unwrap();
    publish(&bus, UPLOADED, "stuck").await;
    drop(must_next(&mut q).await);
    let last = must_next(&mut q).await;
    assert!(last.is_last_attempt());
    drop(last); // the worker dies on its last attempt: nobody acks or naks
    // Another worker keeps waiting for work meanwhile (as a live durable does).
    let waiting = tokio::spawn(async move {
        let d = q.next().await;
        panic!("nothing should be redelivered after the last attempt, got {d:?}");
    });
    let mut dlq = bus.dead_letters("stalls").await.unwrap();
    let letter = must_next(&mut dlq).await;
    waiting.abort();
    let info = letter.dead_letter.clone().unwrap();
    assert_eq!(info.deliveries, 2);
    assert!(info.reason.contains("ack_wait expired"), "{}", info.reason);
    assert_eq!(letter.msg_id.as_deref(), Some("stuck"));
    assert_eq!(letter.payload, Bytes::from_static(b"body of stuck"));
}

async fn dead_letter_readers_see_only_their_durable(backend: Backend) {
    let bus = backend.bus("").await;
    let mut media = bus.work_queue(spec("media-w", UPLOADED)).await.unwrap();
    let mut notes = bus
        .work_queue(spec("notes-w", "notification.requested"))
        .await
        .unwrap();
    publish(&bus, UPLOADED, "bad-media").await;
    publish(&bus, "notification.requested", "bad-note").await;
    must_next(&mut media).await.term("media").await.unwrap();
    must_next(&mut notes).await.term("note").await.unwrap();
    let mut dlq = bus.dead_letters("notes-w").await.unwrap();
    let letter = must_next(&mut dlq).await;
    assert_eq!(letter.msg_id.as_deref(), Some("bad-note"));
    letter.ack().await.unwrap();
    assert!(
        next_within(&mut dlq, Duration::from_secs(1))
            .await
            .is_none()
    );
}

async fn a_durable_created_after_publishing_gets_earlier_messages(backend: Backend) {
    let bus = backend.bus("").await;
    for id in ["old-1", "old-2", "old-3"] {
        publish(&bus, UPLOADED, id).await;
    }
    let mut q = bus.work_queue(spec("late", UPLOADED)).await.unwrap();
    for id in ["old-1", "old-2", "old-3"] {
        let d = must_next(&mut q).await;
        assert_eq!(id_of(&d), id);
        d.ack().await.unwrap();
    }
}

async fn a_spec_with_several_subjects_reads_them_all(backend: Backend) {
    let bus = backend.bus("").await;
    let s = WorkQueueSpec::new("both", [UPLOADED, "notification.requested"]);
    let mut q = bus.work_queue(s).await.unwrap();
    publish(&bus, UPLOADED, "u").await;
    publish(&bus, "notification.requested", "n").await;
    publish(&bus, "chat.message", "not-mine").await;
    let mut got = HashSet::new();
    for _ in 0..2 {
        let d = must_next(&mut q).await;
        got.insert(id_of(&d).to_string());
        d.ack().await.unwrap();
    }
    assert_eq!(got, HashSet::from(["u".to_string(), "n".to_string()]));
    assert!(
        next_within(&mut q, Duration::from_millis(500))
            .await
            .is_none()
    );
}

async fn buses_with_different_prefixes_do_not_see_each_other(backend: Backend) {
    let a = backend.bus("a.").await;
    let b = backend.bus("b.").await;
    let mut sub_a = a.subscribe("a.>").await.unwrap();
    let mut sub_b = b.subscribe("b.>").await.unwrap();
    let mut q_a = a.work_queue(spec("w", "a.media.uploaded")).await.unwrap();
    let mut q_b = b.work_queue(spec("w", "b.media.uploaded")).await.unwrap();
    publish(&a, "a.media.uploaded", "for-a").await;
    publish(&b, "b.media.uploaded", "for-b").await;
    assert_eq!(recv(&mut sub_a).await.msg_id.as_deref(), Some("for-a"));
    assert_eq!(recv(&mut sub_b).await.msg_id.as_deref(), Some("for-b"));
    assert_eq!(id_of(&must_next(&mut q_a).await), "for-a");
    assert_eq!(id_of(&must_next(&mut q_b).await), "for-b");
    nothing_within(&mut sub_a, Duration::from_millis(300)).await;
    // Each bus refuses the other's subjects; the same msg_id is independent per prefix.
    let err = a
        .publish("b.media.uploaded", "x", Bytes::new())
        .await
        .unwrap_err();
    assert!(matches!(err, BusError::InvalidSubject { .. }), "{err}");
    assert!(b.subscribe("a.>").await.is_err());
    let ack = b
        .publish("b.media.uploaded", "for-a", Bytes::new())
        .await
        .unwrap();
    assert!(!ack.duplicate);
}

async fn publish_event_uses_the_event_type_subject_and_event_id(backend: Backend) {
    let bus = backend.bus("prod.").await;
    let mut sub = bus.subscribe("prod.media.progress").await.unwrap();
    let payload = codecs::Payload::MediaProgress(
        serde_json::from_value(serde_json::json!({
            "media_id": "m1", "user_id": "u1", "stage": "transcode", "percent": 40
        }))
        .unwrap(),
    );
    let event = codecs::Event::new("test", payload);
    let first = bus::publish_event(bus.as_ref(), &event).await.unwrap();
    let again = bus::publish_event(bus.as_ref(), &event).await.unwrap();
    assert!(!first.duplicate && again.duplicate);
    let m = recv(&mut sub).await;
    assert_eq!(m.subject, "prod.media.progress");
    assert_eq!(m.msg_id, Some(event.event_id.to_string()));
    assert_eq!(codecs::Event::decode(&m.payload).unwrap(), event);
}

async fn invalid_arguments_are_refused(backend: Backend) {
    let bus = backend.bus("").await;
    let body = Bytes::new;
    let kinds: HashMap<&str, BusError> = [
        (
            "unknown subject",
            bus.publish("media.done", "x", body()).await.unwrap_err(),
        ),
        (
            "empty msg_id",
            bus.publish(UPLOADED, "", body()).await.unwrap_err(),
        ),
        ("bad filter", bus.subscribe("media.>.x").await.unwrap_err()),
        (
            "foreign filter",
            bus.subscribe("other.>").await.unwrap_err(),
        ),
        (
            "overlapping spec",
            bus.work_queue(WorkQueueSpec::new("w", ["media.>", UPLOADED]))
                .await
                .err()
                .unwrap(),
        ),
        (
            "bad durable",
            bus.dead_letters("no.dots").await.err().unwrap(),
        ),
    ]
    .into_iter()
    .collect();
    assert!(matches!(
        kinds["unknown subject"],
        BusError::InvalidSubject { .. }
    ));
    assert!(matches!(kinds["empty msg_id"], BusError::InvalidMsgId(_)));
    assert!(matches!(
        kinds["bad filter"],
        BusError::InvalidSubject { .. }
    ));
    assert!(matches!(
        kinds["foreign filter"],
        BusError::InvalidSubject { .. }
    ));
    assert!(matches!(
        kinds["overlapping spec"],
        BusError::InvalidSpec(_)
    ));
    assert!(matches!(kinds["bad durable"], BusError::InvalidSpec(_)));
}

async fn nodes_connecting_at_once_all_succeed(backend: Backend) {
    let buses = futures::future::join_all((0..4).map(|_| backend.bus(""))).await;
    let mut q = buses[1].work_queue(spec("shared", UPLOADED)).await.unwrap();
    publish(&buses[3], UPLOADED, "from-node-3").await;
    assert_eq!(id_of(&must_next(&mut q).await), "from-node-3");
    // Connecting again later (an update of existing streams) succeeds too.
    let again = backend.bus("").await;
    let ack = again
        .publish(UPLOADED, "from-node-3", Bytes::new())
        .await
        .unwrap();
    assert!(ack.duplicate, "the nodes share one stream");
}

async fn every_event_type_can_be_published(backend: Backend) {
    let bus = backend.bus("x.").await;
    let mut q = bus.work_queue(spec("everything", ">")).await.unwrap();
    for t in codecs::EventType::ALL {
        publish(&bus, &t.subject("x."), t.as_str()).await;
    }
    for t in codecs::EventType::ALL {
        let d = must_next(&mut q).await;
        assert_eq!(
            (d.subject.as_str(), id_of(&d)),
            (t.subject("x.").as_str(), t.as_str())
        );
        d.ack().await.unwrap();
    }
}
