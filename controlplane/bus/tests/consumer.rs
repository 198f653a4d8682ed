//! Proves the shared worker loop (`bus::consumer`) on both buses: it never holds more than
//! its concurrency and handles every delivery, `keep_alive` keeps long work from being
//! redelivered, and `stop` waits for the deliveries in hand.

#![allow(clippy::unwrap_used)] // tests may unwrap

#[macro_use]
mod support;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bus::consumer::{Consumer, keep_alive};
use support::{Backend, UPLOADED, WAIT, id_of, publish, spec};

contract!(
    the_consumer_holds_at_most_its_concurrency_and_handles_every_delivery,
    keep_alive_holds_a_delivery_past_its_ack_wait,
    stop_waits_for_the_deliveries_in_hand,
);

/// Waits until `done` holds `n` ids (or fails after [`WAIT`]).
async fn until_handled(done: &Mutex<HashSet<String>>, n: usize) {
    tokio::time::timeout(WAIT, async {
        while done.lock().unwrap().len() < n {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{} of {n} handled", done.lock().unwrap().len()));
}

async fn the_consumer_holds_at_most_its_concurrency_and_handles_every_delivery(backend: Backend) {
    let bus = backend.bus("").await;
    let queue = bus.work_queue(spec("bounded", UPLOADED)).await.unwrap();
    let in_hand = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(Mutex::new(HashSet::new()));
    let consumer = Consumer::start("test", queue, 2, {
        let (in_hand, most, done) = (in_hand.clone(), most.clone(), done.clone());
        move |delivery| {
            let (in_hand, most, done) = (in_hand.clone(), most.clone(), done.clone());
            async move {
                let now = in_hand.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(100)).await;
                in_hand.fetch_sub(1, Ordering::SeqCst);
                done.lock().unwrap().insert(id_of(&delivery).to_string());
                delivery.ack().await.unwrap();
            }
        }
    });
    for i in 0..6 {
        publish(&bus, UPLOADED, &format!("job-{i}")).await;
    }
    until_handled(&done, 6).await;
    assert_eq!(most.load(Ordering::SeqCst), 2, "deliveries in hand at once");
    assert!(consumer.stop(WAIT).await);
}

async fn keep_alive_holds_a_delivery_past_its_ack_wait(backend: Backend) {
    let bus = backend.bus("").await;
    let mut s = spec("kept", UPLOADED);
    s.ack_wait = Duration::from_millis(600);
    let queue = bus.work_queue(s).await.unwrap();
    let attempts = Arc::new(Mutex::new(Vec::new()));
    let consumer = Consumer::start("test", queue, 4, {
        let attempts = attempts.clone();
        move |delivery| {
            let attempts = attempts.clone();
            async move {
                attempts.lock().unwrap().push(delivery.attempt);
                // Two and a half times the ack_wait: redelivered but for the keep-alive.
                let work = tokio::time::sleep(Duration::from_millis(1500));
                keep_alive(&delivery, Duration::from_millis(600), work).await;
                delivery.ack().await.unwrap();
            }
        }
    });
    publish(&bus, UPLOADED, "long").await;
    // The work, then as long again for a redelivery that must not come.
    tokio::time::sleep(Duration::from_millis(3000)).await;
    assert_eq!(*attempts.lock().unwrap(), [1]);
    assert!(consumer.stop(WAIT).await);
}

async fn stop_waits_for_the_deliveries_in_hand(backend: Backend) {
    let bus = backend.bus("").await;
    let queue = bus.work_queue(spec("stopping", UPLOADED)).await.unwrap();
    let started = Arc::new(AtomicBool::new(false));
    let finished = Arc::new(AtomicBool::new(false));
    let consumer = Consumer::start("test", queue, 1, {
        let (started, finished) = (started.clone(), finished.clone());
        move |delivery| {
            let (started, finished) = (started.clone(), finished.clone());
            async move {
                started.store(true, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(500)).await;
                delivery.ack().await.unwrap();
                finished.store(true, Ordering::SeqCst);
            }
        }
    });
    publish(&bus, UPLOADED, "in-hand").await;
    tokio::time::timeout(WAIT, async {
        while !started.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap();
    assert!(
        consumer.stop(WAIT).await,
        "stop returned before the work ended"
    );
    assert!(finished.load(Ordering::SeqCst));
}
