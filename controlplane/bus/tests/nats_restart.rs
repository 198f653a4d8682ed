//! Proves that nothing acknowledged is lost and nothing is stored twice when nats-server
//! is SIGKILLed under a steady publish load, kept down 10 s and restarted on the same port
//! and store dir; and that a waiting work-queue consumer and a live subscription carry on
//! across the restart by themselves.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod support;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bus::{Bus, BusConfig, WorkQueueSpec};
use bytes::Bytes;
use futures::StreamExt;
use support::{NatsServer, next_within};

const SUBJECT: &str = "media.uploaded";

/// Publishes `<name>-<n>` continuously until `stop`; returns the ids that got Ok and the
/// number of publishes that failed.
async fn publisher(
    bus: Arc<dyn Bus>,
    name: &'static str,
    stop: Arc<AtomicBool>,
) -> (Vec<String>, usize) {
    let mut acked = Vec::new();
    let mut failed = 0;
    let mut n = 0u64;
    while !stop.load(Ordering::Relaxed) {
        let id = format!("{name}-{n}");
        n += 1;
        match bus.publish(SUBJECT, &id, Bytes::from(id.clone())).await {
            Ok(_) => acked.push(id),
            Err(e) => {
                eprintln!("publish {id} failed: {e}");
                failed += 1;
            }
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    (acked, failed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_publishes_survive_a_server_kill_and_none_is_stored_twice() {
    let Some(mut server) = NatsServer::start() else {
        return;
    };
    let config = BusConfig {
        publish_timeout: Duration::from_secs(30),
        reconnect_max_delay: Duration::from_millis(500),
        ..BusConfig::default()
    };
    let bus = bus::connect(Some(&server.url()), config).await.unwrap();

    // A worker and a subscriber that live through the restart.
    let mut worker_queue = bus
        .work_queue(WorkQueueSpec::new("live-worker", [SUBJECT]))
        .await
        .unwrap();
    let worker_seen = Arc::new(Mutex::new(Vec::<(String, u32)>::new()));
    let worker = {
        let seen = worker_seen.clone();
        tokio::spawn(async move {
            loop {
                let d = worker_queue.next().await.expect("worker next");
                seen.lock()
                    .unwrap()
                    .push((d.msg_id.clone().unwrap_or_default(), d.attempt));
                // An ack lost in the kill means a redelivery, which is allowed.
                let _ = d.ack().await;
            }
        })
    };
    let mut subscription = bus.subscribe(SUBJECT).await.unwrap();
    let subscribed = Arc::new(Mutex::new(Vec::<String>::new()));
    let subscriber = {
        let seen = subscribed.clone();
        tokio::spawn(async move {
            while let Some(m) = subscription.next().await {
                seen.lock().unwrap().push(m.msg_id.unwrap_or_default());
            }
        })
    };

    let stop = Arc::new(AtomicBool::new(false));
    let publishers: Vec<_> = ["p1", "p2"]
        .into_iter()
        .map(|name| tokio::spawn(publisher(bus.clone(), name, stop.clone())))
        .collect();

    tokio::time::sleep(Duration::from_secs(2)).await;
    server.kill();
    let before_restart = subscribed.lock().unwrap().len();
    tokio::time::sleep(Duration::from_secs(10)).await;
    server.restart();
    tokio::time::sleep(Duration::from_secs(4)).await;
    stop.store(true, Ordering::Relaxed);

    let mut acked = Vec::new();
    let mut failed = 0;
    for p in publishers {
        let (ids, f) = p.await.unwrap();
        acked.extend(ids);
        failed += f;
    }
    assert!(acked.len() > 50, "too little load: {}", acked.len());
    assert_eq!(
        failed, 0,
        "publish gave up although the outage was shorter than publish_timeout"
    );

    // A fresh durable reads everything the stream holds.
    let mut audit = bus
        .work_queue(WorkQueueSpec::new("audit", [SUBJECT]))
        .await
        .unwrap();
    let mut counts: HashMap<String, u32> = HashMap::new();
    while let Some(d) = next_within(&mut audit, Duration::from_secs(3)).await {
        *counts
            .entry(d.msg_id.clone().unwrap_or_default())
            .or_default() += 1;
        d.ack().await.unwrap();
    }
    let lost: Vec<_> = acked
        .iter()
        .filter(|id| !counts.contains_key(*id))
        .collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged messages lost: {lost:?}",
        lost.len()
    );
    let twice: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "stored twice: {twice:?}");

    // The consumer waiting through the restart got everything too. It may see a message
    // again (even as attempt 1: a SIGKILLed server can lose the consumer's last delivery
    // state), which at-least-once allows.
    tokio::time::sleep(Duration::from_secs(2)).await;
    worker.abort();
    let worker_seen = worker_seen.lock().unwrap().clone();
    let worker_ids: HashSet<_> = worker_seen.iter().map(|(id, _)| id.clone()).collect();
    let missed: Vec<_> = acked
        .iter()
        .filter(|id| !worker_ids.contains(*id))
        .collect();
    assert!(missed.is_empty(), "live worker missed {missed:?}");
    let redelivered = worker_seen.len() - worker_ids.len();

    // The subscription resumed after the restart without replaying or repeating.
    subscriber.abort();
    let subscribed = subscribed.lock().unwrap().clone();
    let unique: HashSet<_> = subscribed.iter().collect();
    assert_eq!(
        unique.len(),
        subscribed.len(),
        "subscription delivered a message twice"
    );
    assert!(
        subscribed.len() > before_restart,
        "subscription stopped at the restart"
    );
    eprintln!(
        "published {} acked ({} stored), live worker saw {} deliveries ({redelivered} again), \
         subscription saw {}",
        acked.len(),
        counts.len(),
        worker_seen.len(),
        subscribed.len()
    );
}
