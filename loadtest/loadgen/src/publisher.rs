//! Publisher sockets: joined to the room like subscribers, they push `new_message` with the
//! send time in the content, paced so that together they offer the step's rate.
//!
//! A step uses `ceil(rate / 20)` publishers (all of them beyond 20 × K msg/s), each at
//! `rate / used` with its ticks phase-shifted by its index, so the offered load is smooth
//! rather than K messages at once. A tick that could not be sent
//! on time is skipped (`MissedTickBehavior::Skip`), never made up in a burst: a burst would
//! trip the node's per-socket limit (50/s, burst 100), and the report counts what was
//! actually sent, so a publisher falling behind shows as a lower offered rate.
//!
//! Replies are matched to pushes by `ref` to time the server's acknowledgement (for the
//! node: store in SQLite + broadcast); publishers also receive every broadcast, which they
//! read and discard (they are not counted as subscribers).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::time::{Duration, Instant};

use anyhow::bail;

use crate::client::{self, Read, Target, WsWrite};
use crate::latency::{Latency, Summary};
use crate::{now_ns, probe};

/// Highest rate one publisher socket is driven at (the node allows 50/s per socket).
pub const MAX_RATE_PER_PUBLISHER: f64 = 40.0;

/// Rate per publisher up to which more publishers are not used (beyond it, all of them are,
/// up to [`MAX_RATE_PER_PUBLISHER`] each).
pub const PACE_PER_PUBLISHER: f64 = 20.0;

#[derive(Default)]
struct Acks {
    pending: RefCell<HashMap<u64, Instant>>,
    ok: Cell<u64>,
    errors: Cell<u64>,
    latency: RefCell<Latency>,
    closed: RefCell<Vec<String>>,
}

/// The publisher sockets of a run.
pub struct Publishers {
    writers: Vec<WsWrite>,
    acks: Rc<Acks>,
    topic: String,
    next_ref: u64,
}

/// What the publishers did during one window.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Published {
    /// Messages sent.
    pub sent: u64,
    /// `ok` replies received.
    pub acked: u64,
    /// `error` replies received.
    pub errors: u64,
    /// Push → reply latency.
    pub ack_latency: Summary,
    /// Publisher sockets the server closed, with the reason.
    pub closed: Vec<String>,
}

impl Publishers {
    /// Opens and joins `count` publisher sockets (call inside a `LocalSet`).
    pub async fn connect(target: &Target, topic: &str, count: usize) -> anyhow::Result<Self> {
        let acks = Rc::new(Acks::default());
        let mut writers = Vec::new();
        for _ in 0..count {
            let (mut read, mut write) = client::connect(target).await?;
            client::join(&mut read, &mut write, topic, Duration::from_secs(10)).await?;
            let acks = acks.clone();
            tokio::task::spawn_local(async move {
                loop {
                    match client::read(&mut read).await {
                        Read::Data(p) => {
                            if let Some((r, ok)) = client::reply_ref(&p) {
                                let sent = acks.pending.borrow_mut().remove(&r);
                                if let Some(sent) = sent {
                                    let cell = if ok { &acks.ok } else { &acks.errors };
                                    cell.set(cell.get() + 1);
                                    let us = sent.elapsed().as_micros() as u64;
                                    acks.latency.borrow_mut().record_us(us);
                                }
                            }
                        }
                        Read::Closed(why) => {
                            acks.closed.borrow_mut().push(why);
                            return;
                        }
                    }
                }
            });
            writers.push(write);
        }
        Ok(Self {
            writers,
            acks,
            topic: topic.to_string(),
            next_ref: 1_000,
        })
    }

    /// Publishes at `rate` messages/s in all from `start_ns` to `end_ns`.
    pub async fn publish(
        &mut self,
        rate: f64,
        start_ns: u64,
        end_ns: u64,
        content_bytes: usize,
    ) -> anyhow::Result<Published> {
        let total = self.writers.len();
        if total == 0 || rate <= 0.0 {
            bail!("nothing to publish with");
        }
        // As few publishers as the rate needs at PACE_PER_PUBLISHER each: at low rates one
        // socket sends every message at an even pace instead of 25 sockets each sending
        // once in a long while.
        let count = ((rate / PACE_PER_PUBLISHER).ceil() as usize).clamp(1, total);
        if rate / count as f64 > MAX_RATE_PER_PUBLISHER {
            bail!(
                "{rate} msg/s over {count} publishers exceeds {MAX_RATE_PER_PUBLISHER}/s each: add publishers"
            );
        }
        {
            self.acks.pending.borrow_mut().clear();
            self.acks.ok.set(0);
            self.acks.errors.set(0);
            self.acks.latency.borrow_mut().reset();
        }
        // A heartbeat to every publisher first: some may have been idle for several steps.
        for writer in &mut self.writers {
            self.next_ref += 1;
            client::send_text(writer, client::heartbeat_frame(self.next_ref).as_bytes()).await?;
        }
        let period = Duration::from_secs_f64(count as f64 / rate);
        let end =
            tokio::time::Instant::now() + Duration::from_nanos(end_ns.saturating_sub(now_ns()));
        let topic = self.topic.clone();
        let base_ref = self.next_ref;
        let mut tasks = Vec::new();
        for (i, writer) in self.writers.iter_mut().take(count).enumerate() {
            let acks = self.acks.clone();
            let topic = topic.clone();
            // Distinct ref ranges per publisher and per step.
            let mut msg_ref = base_ref + (i as u64) * 10_000_000;
            tasks.push(async move {
                let phase = period.mul_f64(i as f64 / count as f64);
                let first = start_ns.saturating_sub(now_ns());
                tokio::time::sleep(Duration::from_nanos(first) + phase).await;
                let mut tick = tokio::time::interval(period);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
                let mut sent = 0u64;
                loop {
                    tokio::select! {
                        _ = tick.tick() => {}
                        _ = tokio::time::sleep_until(end) => break,
                    }
                    let now = now_ns();
                    if now >= end_ns {
                        break;
                    }
                    msg_ref += 1;
                    let content = probe::content(now, content_bytes);
                    let frame = client::push_frame(1, msg_ref, &topic, &content);
                    acks.pending.borrow_mut().insert(msg_ref, Instant::now());
                    client::send_text(writer, frame.as_bytes()).await?;
                    sent += 1;
                }
                anyhow::Ok(sent)
            });
        }
        let results = futures::future::join_all(tasks).await;
        self.next_ref = base_ref + (total as u64) * 10_000_000;
        let mut sent = 0;
        for r in results {
            sent += r?;
        }
        // Give the last replies a moment.
        tokio::time::sleep(Duration::from_millis(500)).await;
        Ok(Published {
            sent,
            acked: self.acks.ok.get(),
            errors: self.acks.errors.get(),
            ack_latency: self.acks.latency.borrow().summary(),
            closed: self.acks.closed.borrow().clone(),
        })
    }
}
