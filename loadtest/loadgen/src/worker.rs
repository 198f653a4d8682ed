//! A worker process: opens its share of subscriber sockets, joins them to the room, keeps
//! them alive with heartbeats, and counts and times every delivery.
//!
//! One current-thread tokio runtime: the process is one of several and the machine has two
//! cores, so one thread per worker is what keeps the generator's own CPU use readable.
//! State is `Rc`/`Cell` (single thread). Per delivery the receive path does one clock read,
//! one byte search ([`crate::probe::extract_timestamp`]) and one histogram increment.
//!
//! Heartbeats: one task owns every write half and sends `heartbeat` to 1/30 of the sockets
//! each second, so each socket beats every 30 s (the node drops sockets silent for 60 s)
//! and the beats are spread evenly instead of arriving in bursts.
//!
//! Connects are bounded by `concurrency` handshakes in flight (connect + upgrade + join), so
//! a worker does not overrun the server's accept backlog.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::{Semaphore, mpsc};

use crate::client::{self, Read, Target, WsWrite};
use crate::latency::Latency;
use crate::protocol::{Go, Ready, StepResult};
use crate::{now_ns, probe, procfs};

/// What a worker is asked to do.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// The server.
    pub target: Target,
    /// Sockets to open.
    pub sockets: u64,
    /// Topic every socket joins.
    pub topic: String,
    /// Handshakes in flight at once.
    pub concurrency: usize,
    /// Seconds between two heartbeats of one socket.
    pub heartbeat_s: u64,
    /// How long a join may take.
    pub join_timeout: Duration,
}

#[derive(Default)]
struct Counters {
    window: Cell<(u64, u64)>,
    deliveries: Cell<u64>,
    in_window: Cell<u64>,
    late: Cell<u64>,
    latency: RefCell<Latency>,
    closes: RefCell<BTreeMap<String, u64>>,
    alive: Cell<u64>,
    joined: Cell<u64>,
    failed: Cell<u64>,
    first_error: RefCell<Option<String>>,
}

fn bump(cell: &Cell<u64>) {
    cell.set(cell.get() + 1);
}

/// Runs a worker until `EXIT` or the end of stdin.
pub fn run(config: WorkerConfig) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, drive(config))
}

async fn drive(config: WorkerConfig) -> anyhow::Result<()> {
    let counters = Rc::new(Counters::default());
    let started = Instant::now();
    let (writers_tx, writers_rx) = mpsc::unbounded_channel();
    tokio::task::spawn_local(heartbeats(writers_rx, config.heartbeat_s));
    let gate = Arc::new(Semaphore::new(config.concurrency.max(1)));
    for _ in 0..config.sockets {
        let permit = gate.clone().acquire_owned().await?;
        let (counters, target, topic, writers) = (
            counters.clone(),
            config.target.clone(),
            config.topic.clone(),
            writers_tx.clone(),
        );
        let join_timeout = config.join_timeout;
        tokio::task::spawn_local(async move {
            let joined = tokio::time::timeout(join_timeout * 2, async {
                let (mut read, mut write) = client::connect(&target).await?;
                client::join(&mut read, &mut write, &topic, join_timeout).await?;
                anyhow::Ok((read, write))
            })
            .await
            .unwrap_or_else(|_| Err(anyhow::anyhow!("connect + join timed out")));
            drop(permit);
            match joined {
                Ok((read, write)) => {
                    bump(&counters.joined);
                    bump(&counters.alive);
                    let _ = writers.send(write);
                    receive(read, &counters).await;
                }
                Err(e) => {
                    bump(&counters.failed);
                    counters
                        .first_error
                        .borrow_mut()
                        .get_or_insert_with(|| format!("{e:#}"));
                }
            }
        });
    }
    // Every socket has either joined or failed once all permits are back.
    let _all = gate.acquire_many(config.concurrency.max(1) as u32).await?;
    drop(_all);
    let ready = Ready {
        joined: counters.joined.get(),
        failed: counters.failed.get(),
        first_error: counters.first_error.borrow().clone(),
        connect_s: started.elapsed().as_secs_f64(),
    };
    println!("READY {}", serde_json::to_string(&ready)?);

    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    while let Some(line) = lines.next_line().await? {
        if line.trim() == "EXIT" {
            break;
        }
        let Some(go) = crate::protocol::parse_line::<Go>(&line, "GO") else {
            eprintln!("worker: ignoring line {line:?}");
            continue;
        };
        let result = window(&counters, go).await;
        println!("RESULT {}", serde_json::to_string(&result)?);
    }
    // Exiting closes every socket at once; there is nothing to flush.
    std::process::exit(0);
}

/// Counts one window and reports it.
async fn window(counters: &Counters, go: Go) -> StepResult {
    counters.deliveries.set(0);
    counters.in_window.set(0);
    counters.late.set(0);
    counters.latency.borrow_mut().reset();
    counters.closes.borrow_mut().clear();
    counters.window.set((go.start_ns, go.end_ns));
    let cpu_before = procfs::self_cpu_s();
    let now = now_ns();
    let alive_at_start = counters.alive.get();
    tokio::time::sleep(Duration::from_nanos(go.stop_ns.saturating_sub(now))).await;
    StepResult {
        alive_at_start,
        alive_at_end: counters.alive.get(),
        deliveries: counters.deliveries.get(),
        in_window: counters.in_window.get(),
        late: counters.late.get(),
        latency: counters.latency.borrow().to_pairs(),
        closes: counters.closes.borrow().clone(),
        cpu_s: procfs::self_cpu_s() - cpu_before,
    }
}

/// The receive loop of one subscriber.
async fn receive(mut read: client::WsRead, counters: &Counters) {
    loop {
        match client::read(&mut read).await {
            Read::Data(payload) => {
                let Some(sent) = probe::extract_timestamp(&payload) else {
                    continue; // a reply, not a delivery
                };
                let now = now_ns();
                counters
                    .latency
                    .borrow_mut()
                    .record_us(now.saturating_sub(sent) / 1000);
                bump(&counters.deliveries);
                let (start, end) = counters.window.get();
                if now >= start && now <= end {
                    bump(&counters.in_window);
                } else if now > end {
                    bump(&counters.late);
                }
            }
            Read::Closed(why) => {
                *counters.closes.borrow_mut().entry(why).or_default() += 1;
                counters.alive.set(counters.alive.get().saturating_sub(1));
                return;
            }
        }
    }
}

/// Sends each socket a heartbeat every `period_s`, spread evenly over the period.
async fn heartbeats(mut incoming: mpsc::UnboundedReceiver<WsWrite>, period_s: u64) {
    let mut writers: Vec<WsWrite> = Vec::new();
    let mut cursor = 0usize;
    let mut msg_ref = 0u64;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        while let Ok(w) = incoming.try_recv() {
            writers.push(w);
        }
        if writers.is_empty() {
            if incoming.is_closed() {
                return;
            }
            continue;
        }
        let per_tick = writers.len().div_ceil(period_s.max(1) as usize);
        let mut i = 0;
        while i < per_tick && !writers.is_empty() {
            cursor %= writers.len();
            msg_ref += 1;
            let frame = client::heartbeat_frame(msg_ref);
            let sent = tokio::time::timeout(
                Duration::from_secs(1),
                client::send_text(&mut writers[cursor], frame.as_bytes()),
            )
            .await;
            if matches!(sent, Ok(Ok(()))) {
                cursor += 1;
            } else {
                // Closed, or not writable for a second: that socket is done with.
                writers.swap_remove(cursor);
            }
            i += 1;
        }
    }
}
