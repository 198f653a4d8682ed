//! Proves the signal contract (ephemeral node-to-node fan-out), written once and run against
//! both implementations: every listener of a name gets every signal, in order and
//! promptly; listeners of other names and of other prefixes get nothing; nothing sent
//! before listening is seen; two nodes on one server see each other's signals; signals
//! never reach subscriptions, work queues or dead letters; bad names are refused.
//! NATS only: no stream on the server stores a signal, and a send while disconnected fails
//! fast while listeners carry on after the reconnection.

#![allow(clippy::unwrap_used)] // tests may unwrap

#[macro_use]
mod support;

use std::time::{Duration, Instant};

use bus::subject::StreamNames;
use bus::{BusError, BusMessage};
use bytes::Bytes;
use futures::StreamExt;
use support::{
    Backend, NatsServer, UPLOADED, id_of, must_next, next_within, nothing_within, publish, recv,
    spec, test_config,
};

contract!(
    every_listener_of_a_name_gets_every_signal_in_order,
    listeners_of_other_names_get_nothing,
    a_listener_gets_nothing_sent_before_it_listened,
    nodes_on_one_server_see_each_others_signals,
    buses_with_different_prefixes_do_not_share_signals,
    signals_never_reach_subscriptions_work_queues_or_dead_letters,
    invalid_signal_names_are_refused,
);

/// Signals per burst.
const BURST: usize = 100;
/// How long "nothing arrives" is watched.
const QUIET: Duration = Duration::from_millis(400);
/// Latest acceptable arrival of one signal: far above a loopback round trip on a loaded
/// machine, far below any batching delay.
const PROMPT: Duration = Duration::from_millis(500);

fn body(n: usize) -> Bytes {
    Bytes::from(format!("signal {n}"))
}

async fn every_listener_of_a_name_gets_every_signal_in_order(backend: Backend) {
    let bus = backend.bus("").await;
    let mut a = bus.signals("presence").await.unwrap();
    let mut b = bus.signals("presence").await.unwrap();
    for n in 0..BURST {
        bus.signal("presence", body(n)).await.unwrap();
    }
    for listener in [&mut a, &mut b] {
        for n in 0..BURST {
            let expected = BusMessage {
                subject: "signal.presence".into(),
                payload: body(n),
                msg_id: None,
            };
            assert_eq!(recv(listener).await, expected);
        }
    }
    nothing_within(&mut a, QUIET).await;
    let sent = Instant::now();
    bus.signal("presence", body(BURST)).await.unwrap();
    assert_eq!(recv(&mut b).await.payload, body(BURST));
    assert!(
        sent.elapsed() < PROMPT,
        "signal took {:?}: not flushed promptly",
        sent.elapsed()
    );
}

async fn listeners_of_other_names_get_nothing(backend: Backend) {
    let bus = backend.bus("").await;
    let mut chat = bus.signals("relay.chat").await.unwrap();
    let mut others = vec![
        bus.signals("relay").await.unwrap(),
        bus.signals("relay.chat.room1").await.unwrap(),
        bus.signals("presence").await.unwrap(),
    ];
    bus.signal("relay.chat", body(1)).await.unwrap();
    assert_eq!(recv(&mut chat).await.payload, body(1));
    for other in &mut others {
        nothing_within(other, QUIET).await;
    }
}

async fn a_listener_gets_nothing_sent_before_it_listened(backend: Backend) {
    let bus = backend.bus("").await;
    bus.signal("heartbeat", Bytes::from_static(b"before"))
        .await
        .unwrap();
    let mut late = bus.signals("heartbeat").await.unwrap();
    bus.signal("heartbeat", Bytes::from_static(b"after"))
        .await
        .unwrap();
    assert_eq!(recv(&mut late).await.payload, Bytes::from_static(b"after"));
    nothing_within(&mut late, QUIET).await;
}

async fn nodes_on_one_server_see_each_others_signals(backend: Backend) {
    // Two buses on one server: two connections on NATS, as two nodes would have.
    let node_a = backend.bus("").await;
    let node_b = backend.bus("").await;
    let mut on_a = node_a.signals("relay.chat").await.unwrap();
    let mut on_b = node_b.signals("relay.chat").await.unwrap();
    for n in 0..BURST {
        node_a.signal("relay.chat", body(n)).await.unwrap();
    }
    for listener in [&mut on_a, &mut on_b] {
        for n in 0..BURST {
            assert_eq!(recv(listener).await.payload, body(n), "signal {n}");
        }
    }
    let sent = Instant::now();
    node_b
        .signal("relay.chat", Bytes::from_static(b"from b"))
        .await
        .unwrap();
    assert_eq!(recv(&mut on_a).await.payload, Bytes::from_static(b"from b"));
    assert!(sent.elapsed() < PROMPT, "took {:?}", sent.elapsed());
    assert_eq!(recv(&mut on_b).await.payload, Bytes::from_static(b"from b"));
}

async fn buses_with_different_prefixes_do_not_share_signals(backend: Backend) {
    let a = backend.bus("a.").await;
    let b = backend.bus("b.").await;
    let mut on_a = a.signals("presence").await.unwrap();
    let mut on_b = b.signals("presence").await.unwrap();
    a.signal("presence", body(1)).await.unwrap();
    let got = recv(&mut on_a).await;
    assert_eq!(
        (got.subject.as_str(), got.payload),
        ("a.signal.presence", body(1))
    );
    nothing_within(&mut on_b, QUIET).await;
}

async fn signals_never_reach_subscriptions_work_queues_or_dead_letters(backend: Backend) {
    let bus = backend.bus("").await;
    let mut everything = bus.subscribe(">").await.unwrap();
    let mut work = bus.work_queue(spec("all-work", ">")).await.unwrap();
    let mut last = bus.signals("dlq.media.uploaded").await.unwrap();
    // Names that look like what the streams hold: every event type, and a dead letter.
    for t in codecs::EventType::ALL {
        bus.signal(t.as_str(), body(0)).await.unwrap();
    }
    bus.signal("dlq.media.uploaded", body(1)).await.unwrap();
    assert_eq!(recv(&mut last).await.payload, body(1), "signals were sent");
    nothing_within(&mut everything, QUIET).await;
    assert!(next_within(&mut work, QUIET).await.is_none());

    // The durable side works meanwhile, so the silence above means something.
    publish(&bus, UPLOADED, "real").await;
    assert_eq!(recv(&mut everything).await.msg_id.as_deref(), Some("real"));
    let delivery = must_next(&mut work).await;
    assert_eq!(id_of(&delivery), "real");
    delivery.term("to the dead letters").await.unwrap();
    let mut dead = bus.dead_letters("all-work").await.unwrap();
    let letter = must_next(&mut dead).await;
    assert_eq!(letter.msg_id.as_deref(), Some("real"));
    letter.ack().await.unwrap();
    assert!(next_within(&mut dead, QUIET).await.is_none());
    nothing_within(&mut everything, QUIET).await;
}

async fn invalid_signal_names_are_refused(backend: Backend) {
    let bus = backend.bus("").await;
    let long = "n".repeat(bus::subject::MAX_SIGNAL_NAME_LEN + 1);
    let cases = [
        ("", "empty"),
        ("presence.*", "wildcard"),
        ("relay.>", "wildcard"),
        (">", "wildcard"),
        ("pre*", "wildcard"),
        ("relay chat", "whitespace"),
        ("relay\tchat", "whitespace"),
        ("relay..chat", "empty token"),
        (".presence", "empty token"),
        ("presence.", "empty token"),
        (long.as_str(), "longer than"),
    ];
    for (name, why) in cases {
        let sent = bus.signal(name, Bytes::new()).await.unwrap_err();
        let listened = bus.signals(name).await.unwrap_err();
        for err in [sent, listened] {
            match &err {
                BusError::InvalidSignalName { name: got, reason } => {
                    assert_eq!(got, name);
                    assert!(reason.contains(why), "{name:?}: {reason}");
                }
                other => panic!("{name:?}: expected InvalidSignalName, got {other:?}"),
            }
        }
    }
    // A valid name with unusual but safe characters is accepted.
    let mut ok = bus.signals("relay.chat-room_1").await.unwrap();
    bus.signal("relay.chat-room_1", body(1)).await.unwrap();
    assert_eq!(recv(&mut ok).await.payload, body(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_stores_no_signal_in_any_stream() {
    let Some(server) = NatsServer::start() else {
        return;
    };
    let plain = bus::connect(Some(&server.url()), test_config(""))
        .await
        .unwrap();
    let prefixed = bus::connect(Some(&server.url()), test_config("p."))
        .await
        .unwrap();
    let mut last = prefixed.signals("done").await.unwrap();
    for bus in [&plain, &prefixed] {
        for t in codecs::EventType::ALL {
            bus.signal(t.as_str(), body(0)).await.unwrap();
        }
        bus.signal("dlq.media.uploaded", body(0)).await.unwrap();
    }
    prefixed.signal("done", body(1)).await.unwrap();
    recv(&mut last).await; // everything sent before it has been routed by the server

    let client = async_nats::connect(server.url()).await.unwrap();
    let js = async_nats::jetstream::new(client);
    let stored = |names: StreamNames| {
        let js = js.clone();
        async move {
            let mut counts = Vec::new();
            for name in [names.events, names.dead_letters, names.advisories] {
                let stream = js.get_stream(&name).await.unwrap();
                counts.push((name, stream.cached_info().state.messages));
            }
            counts
        }
    };
    for prefix in ["", "p."] {
        for (name, messages) in stored(StreamNames::for_prefix(prefix)).await {
            assert_eq!(messages, 0, "stream {name} stored a signal");
        }
    }
    // The check sees what is stored.
    publish(&plain, UPLOADED, "stored").await;
    let events = &stored(StreamNames::for_prefix("")).await[0];
    assert_eq!(events.1, 1, "{events:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_signal_while_disconnected_fails_fast_and_listeners_resume_after_reconnecting() {
    let Some(mut server) = NatsServer::start() else {
        return;
    };
    let node_a = bus::connect(Some(&server.url()), test_config(""))
        .await
        .unwrap();
    let mut on_a = node_a.signals("presence").await.unwrap();

    server.kill();
    let deadline = Instant::now() + support::WAIT;
    while node_a.health().await.connected {
        assert!(Instant::now() < deadline, "the bus never noticed the kill");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let sent = Instant::now();
    let err = node_a
        .signal("presence", Bytes::from_static(b"lost"))
        .await
        .unwrap_err();
    assert!(matches!(err, BusError::Unavailable(_)), "{err}");
    assert!(
        sent.elapsed() < Duration::from_secs(2),
        "{:?}",
        sent.elapsed()
    );

    server.restart();
    let node_b = bus::connect(Some(&server.url()), test_config(""))
        .await
        .unwrap();
    // node_a re-subscribes by itself once reconnected; until then node_b's signals reach no
    // one, so keep sending until one arrives.
    let resumed = async {
        loop {
            // Sends can fail while node_a is still reconnecting; only arrival matters.
            let _ = node_b
                .signal("presence", Bytes::from_static(b"after"))
                .await;
            if let Ok(Some(m)) = tokio::time::timeout(Duration::from_millis(200), on_a.next()).await
            {
                return m;
            }
        }
    };
    let got = tokio::time::timeout(support::WAIT, resumed)
        .await
        .expect("the listener never resumed after the reconnection");
    assert_eq!(
        got.payload,
        Bytes::from_static(b"after"),
        "the lost signal stayed lost"
    );
}
