//! The two scenarios, run from the parent process.
//!
//! - **idle**: open N sockets across the workers, join them, hold them for a while with
//!   heartbeats only (longer than the node's 60 s idle timeout, so a socket that is not
//!   kept alive properly would be seen dying), and measure the server's RSS before the
//!   first socket and at the end of the hold: `(RSS after − RSS before) / sockets held`.
//! - **fanout**: N subscriber sockets across the workers plus K publisher sockets in the
//!   parent; then one or more steps, each publishing at a rate R for D seconds. Per step:
//!   offered deliveries/s (messages actually sent × subscribers open at the start / D),
//!   achieved deliveries/s (deliveries that *arrived* within the D seconds / D), latency
//!   percentiles over every delivery (including the ones that arrived in the grace period
//!   after the step), deliveries lost (expected − received by the end of the grace period)
//!   and late (arrived after the step ended), sockets the server closed and why, and the
//!   CPU seconds used by the server and by the generator itself (they share two cores).
//!
//! A sweep multiplies the rate by `factor` after each step that passes and stops at the
//! first that does not. A step passes when achieved ≥ `min_ratio` × offered **and**
//! p99 ≤ `max_p99_ms` (unless that is 0: throughput alone); the peak is the achieved rate
//! of the last step that passed.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::client::Target;
use crate::latency::{Latency, Summary};
use crate::protocol::{Go, StepResult};
use crate::publisher::{MAX_RATE_PER_PUBLISHER, Publishers};
use crate::workers::{Spawn, Workers};
use crate::{now_ns, procfs};

/// What every scenario needs.
#[derive(Debug, Clone)]
pub struct Common {
    /// Server label in reports (`armoricore`, `tokio-peer`, `node-peer`).
    pub server: String,
    /// `ws://…` URL.
    pub url: String,
    /// Token appended to the URL.
    pub token: Option<String>,
    /// Room topic.
    pub topic: String,
    /// Worker processes.
    pub procs: u64,
    /// Handshakes in flight per worker.
    pub concurrency: usize,
    /// The server's pid, to read its RSS and CPU time (its whole process tree).
    pub server_pid: Option<u32>,
}

impl Common {
    fn spawn(&self, sockets: u64) -> Spawn {
        Spawn {
            url: self.url.clone(),
            token: self.token.clone(),
            topic: self.topic.clone(),
            sockets,
            procs: self.procs,
            concurrency: self.concurrency,
        }
    }
}

/// `/proc/loadavg`'s first three fields.
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// The outcome of an idle run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IdleReport {
    /// Server label.
    pub server: String,
    /// Sockets asked for.
    pub sockets: u64,
    /// Sockets joined.
    pub joined: u64,
    /// Sockets that failed to connect or join, and the first reason.
    pub failed: u64,
    /// First failure.
    pub first_error: Option<String>,
    /// Seconds to connect and join all.
    pub connect_s: f64,
    /// How long they were held.
    pub hold_s: f64,
    /// Sockets still open at the end of the hold.
    pub held: u64,
    /// Sockets the server closed during the hold, by reason.
    pub closes: BTreeMap<String, u64>,
    /// Server RSS before any socket (KiB).
    pub rss_before_kib: u64,
    /// Server RSS once all joined (KiB).
    pub rss_joined_kib: u64,
    /// Server RSS at the end of the hold (KiB).
    pub rss_after_kib: u64,
    /// `(rss_after − rss_before) / held`, bytes.
    pub bytes_per_socket: f64,
    /// Server CPU seconds during the hold.
    pub server_cpu_s: f64,
    /// Load average at the start and at the end.
    pub loadavg: (String, String),
}

/// Runs the idle scenario.
pub async fn idle(common: &Common, sockets: u64, hold: Duration) -> anyhow::Result<IdleReport> {
    let load_start = loadavg();
    let rss = |pid: Option<u32>| pid.and_then(procfs::tree_rss_kib).unwrap_or(0);
    let rss_before = rss(common.server_pid);
    let mut workers = Workers::spawn(&common.spawn(sockets))?;
    let ready = workers.ready(Duration::from_secs(600)).await?;
    let joined: u64 = ready.iter().map(|r| r.joined).sum();
    let failed: u64 = ready.iter().map(|r| r.failed).sum();
    let connect_s = ready.iter().map(|r| r.connect_s).fold(0.0, f64::max);
    eprintln!("idle: {joined} joined, {failed} failed in {connect_s:.1} s; holding {hold:?}");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_joined = rss(common.server_pid);
    let cpu_before = common.server_pid.map_or(0.0, procfs::tree_cpu_s);
    let start = now_ns();
    let end = start + hold.as_nanos() as u64;
    let go = Go {
        start_ns: start,
        end_ns: end,
        stop_ns: end,
    };
    // Read the RSS just before the workers report (the sockets are still open then).
    let results = {
        let window = workers.window(go);
        let sample = async {
            tokio::time::sleep(hold.saturating_sub(Duration::from_secs(1))).await;
            rss(common.server_pid)
        };
        let (results, rss_after) = tokio::join!(window, sample);
        (results?, rss_after)
    };
    let (results, rss_after) = results;
    let server_cpu_s = common.server_pid.map_or(0.0, procfs::tree_cpu_s) - cpu_before;
    workers.exit().await;
    let held: u64 = results.iter().map(|r| r.alive_at_end).sum();
    let mut closes = BTreeMap::new();
    for r in &results {
        for (k, v) in &r.closes {
            *closes.entry(k.clone()).or_default() += v;
        }
    }
    let bytes_per_socket = if held > 0 {
        (rss_after.saturating_sub(rss_before) * 1024) as f64 / held as f64
    } else {
        0.0
    };
    Ok(IdleReport {
        server: common.server.clone(),
        sockets,
        joined,
        failed,
        first_error: ready.iter().find_map(|r| r.first_error.clone()),
        connect_s,
        hold_s: hold.as_secs_f64(),
        held,
        closes,
        rss_before_kib: rss_before,
        rss_joined_kib: rss_joined,
        rss_after_kib: rss_after,
        bytes_per_socket,
        server_cpu_s,
        loadavg: (load_start, loadavg()),
    })
}

/// Fan-out steps to run.
#[derive(Debug, Clone)]
pub enum Rates {
    /// These rates (msg/s), in order.
    Fixed(Vec<f64>),
    /// From `start`, × `factor` after each passing step, at most `max_steps` steps.
    Sweep {
        /// First rate (msg/s).
        start: f64,
        /// Multiplier.
        factor: f64,
        /// Most steps.
        max_steps: usize,
    },
}

/// A fan-out run.
#[derive(Debug, Clone)]
pub struct Fanout {
    /// Subscriber sockets.
    pub subscribers: u64,
    /// Publisher sockets.
    pub publishers: usize,
    /// The rates.
    pub rates: Rates,
    /// Publishing time per step.
    pub step: Duration,
    /// Time after a step during which late deliveries are still counted.
    pub grace: Duration,
    /// Message content size.
    pub content_bytes: usize,
    /// Pass: achieved ≥ this × offered…
    pub min_ratio: f64,
    /// …and p99 ≤ this (0: no latency rule).
    pub max_p99_ms: f64,
}

/// One step of a fan-out run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StepReport {
    /// Rate asked for (msg/s).
    pub rate: f64,
    /// Messages sent.
    pub sent: u64,
    /// Publish replies `ok` / `error`.
    pub acked: u64,
    /// Publish replies `error`.
    pub publish_errors: u64,
    /// Subscribers open at the start of the step.
    pub subscribers: u64,
    /// `sent × subscribers / step`.
    pub offered_per_s: f64,
    /// Deliveries arrived during the step / step.
    pub achieved_per_s: f64,
    /// Deliveries received by the end of the grace period.
    pub deliveries: u64,
    /// `sent × subscribers − deliveries` (never negative).
    pub lost: u64,
    /// Deliveries that arrived after the step ended.
    pub late: u64,
    /// Publish → receive latency.
    pub latency: Summary,
    /// Publish → reply latency at the publishers.
    pub ack_latency: Summary,
    /// Sockets the server closed during the step, by reason.
    pub closes: BTreeMap<String, u64>,
    /// Generator CPU seconds (workers + parent) during the step.
    pub generator_cpu_s: f64,
    /// Server CPU seconds during the step.
    pub server_cpu_s: f64,
    /// Wall seconds the CPU figures cover.
    pub wall_s: f64,
    /// Server RSS at the end of the step (KiB).
    pub server_rss_kib: u64,
    /// Whether the step passed.
    pub pass: bool,
    /// Load average at the end of the step.
    pub loadavg: String,
}

/// The outcome of a fan-out run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FanoutReport {
    /// Server label.
    pub server: String,
    /// Subscribers joined.
    pub subscribers: u64,
    /// Subscribers that failed to join.
    pub failed: u64,
    /// Publisher sockets.
    pub publishers: usize,
    /// Seconds to connect and join the subscribers.
    pub connect_s: f64,
    /// Step length (s).
    pub step_s: f64,
    /// Message content size.
    pub content_bytes: usize,
    /// The steps, in order.
    pub steps: Vec<StepReport>,
    /// Achieved deliveries/s of the last passing step.
    pub peak_per_s: Option<f64>,
    /// Message rate of that step.
    pub peak_rate: Option<f64>,
    /// Highest achieved deliveries/s of any step.
    pub max_achieved_per_s: f64,
    /// Pass rule.
    pub rule: String,
}

/// Runs a fan-out scenario (call inside a `LocalSet`).
pub async fn fanout(common: &Common, f: &Fanout) -> anyhow::Result<FanoutReport> {
    let mut workers = Workers::spawn(&common.spawn(f.subscribers))?;
    let ready = workers.ready(Duration::from_secs(600)).await?;
    let joined: u64 = ready.iter().map(|r| r.joined).sum();
    let failed: u64 = ready.iter().map(|r| r.failed).sum();
    let connect_s = ready.iter().map(|r| r.connect_s).fold(0.0, f64::max);
    eprintln!("fanout: {joined} subscribers joined, {failed} failed in {connect_s:.1} s");
    if let Some(e) = ready.iter().find_map(|r| r.first_error.clone()) {
        eprintln!("fanout: first failure: {e}");
    }
    let target = Target::parse(&common.url, common.token.as_deref())?;
    let mut publishers = Publishers::connect(&target, &common.topic, f.publishers).await?;
    let max_rate = f.publishers as f64 * MAX_RATE_PER_PUBLISHER;
    let mut report = FanoutReport {
        server: common.server.clone(),
        subscribers: joined,
        failed,
        publishers: f.publishers,
        connect_s,
        step_s: f.step.as_secs_f64(),
        content_bytes: f.content_bytes,
        rule: if f.max_p99_ms > 0.0 {
            format!(
                "pass: achieved >= {:.0}% of offered and p99 <= {} ms",
                f.min_ratio * 100.0,
                f.max_p99_ms
            )
        } else {
            format!("pass: achieved >= {:.0}% of offered", f.min_ratio * 100.0)
        },
        ..FanoutReport::default()
    };
    let mut rate = match &f.rates {
        Rates::Fixed(r) => r.first().copied().unwrap_or(1.0),
        Rates::Sweep { start, .. } => *start,
    };
    let mut i = 0;
    loop {
        if rate > max_rate {
            eprintln!(
                "fanout: {rate:.1} msg/s needs more than {} publishers",
                f.publishers
            );
            break;
        }
        let step = run_step(common, f, &mut workers, &mut publishers, rate).await?;
        eprintln!(
            "step {:>2}: {:>7.1} msg/s → offered {:>9.0}/s achieved {:>9.0}/s  p50 {:>7.2} p99 {:>8.2} max {:>8.1} ms  lost {} late {}  cpu gen {:.1}s srv {:.1}s / {:.1}s  {}",
            i,
            rate,
            step.offered_per_s,
            step.achieved_per_s,
            step.latency.p50_ms,
            step.latency.p99_ms,
            step.latency.max_ms,
            step.lost,
            step.late,
            step.generator_cpu_s,
            step.server_cpu_s,
            step.wall_s,
            if step.pass { "pass" } else { "FAIL" },
        );
        let pass = step.pass;
        report.max_achieved_per_s = report.max_achieved_per_s.max(step.achieved_per_s);
        if pass {
            report.peak_per_s = Some(step.achieved_per_s);
            report.peak_rate = Some(step.rate);
        }
        report.steps.push(step);
        i += 1;
        match &f.rates {
            Rates::Fixed(r) => match r.get(i) {
                Some(&next) => rate = next,
                None => break,
            },
            Rates::Sweep {
                factor, max_steps, ..
            } => {
                if !pass || i >= *max_steps {
                    break;
                }
                rate *= factor;
            }
        }
    }
    workers.exit().await;
    Ok(report)
}

async fn run_step(
    common: &Common,
    f: &Fanout,
    workers: &mut Workers,
    publishers: &mut Publishers,
    rate: f64,
) -> anyhow::Result<StepReport> {
    let wall = Instant::now();
    let server_cpu_before = common.server_pid.map_or(0.0, procfs::tree_cpu_s);
    let own_cpu_before = procfs::self_cpu_s();
    let start_ns = now_ns() + 1_000_000_000;
    let end_ns = start_ns + f.step.as_nanos() as u64;
    let go = Go {
        start_ns,
        end_ns,
        stop_ns: end_ns + f.grace.as_nanos() as u64,
    };
    let (results, published) = tokio::join!(
        workers.window(go),
        publishers.publish(rate, start_ns, end_ns, f.content_bytes)
    );
    let (results, published) = (results?, published?);
    let own_cpu = procfs::self_cpu_s() - own_cpu_before;
    let server_cpu_s = common.server_pid.map_or(0.0, procfs::tree_cpu_s) - server_cpu_before;
    Ok(summarise(
        f,
        rate,
        &results,
        &published,
        own_cpu,
        server_cpu_s,
        wall.elapsed().as_secs_f64(),
        common
            .server_pid
            .and_then(procfs::tree_rss_kib)
            .unwrap_or(0),
    ))
}

#[allow(clippy::too_many_arguments)]
fn summarise(
    f: &Fanout,
    rate: f64,
    results: &[StepResult],
    published: &crate::publisher::Published,
    own_cpu: f64,
    server_cpu_s: f64,
    wall_s: f64,
    server_rss_kib: u64,
) -> StepReport {
    let secs = f.step.as_secs_f64();
    let subscribers: u64 = results.iter().map(|r| r.alive_at_start).sum();
    let deliveries: u64 = results.iter().map(|r| r.deliveries).sum();
    let in_window: u64 = results.iter().map(|r| r.in_window).sum();
    let mut latency = Latency::new();
    let mut closes = BTreeMap::new();
    for r in results {
        latency.add_pairs(&r.latency);
        for (k, v) in &r.closes {
            *closes.entry(k.clone()).or_default() += v;
        }
    }
    for why in &published.closed {
        *closes.entry(format!("publisher: {why}")).or_default() += 1;
    }
    let expected = published.sent * subscribers;
    let offered_per_s = expected as f64 / secs;
    let achieved_per_s = in_window as f64 / secs;
    let latency = latency.summary();
    let pass = offered_per_s > 0.0
        && achieved_per_s >= f.min_ratio * offered_per_s
        && (f.max_p99_ms <= 0.0 || latency.p99_ms <= f.max_p99_ms);
    StepReport {
        rate,
        sent: published.sent,
        acked: published.acked,
        publish_errors: published.errors,
        subscribers,
        offered_per_s,
        achieved_per_s,
        deliveries,
        lost: expected.saturating_sub(deliveries),
        late: results.iter().map(|r| r.late).sum(),
        latency,
        ack_latency: published.ack_latency,
        closes,
        generator_cpu_s: own_cpu + results.iter().map(|r| r.cpu_s).sum::<f64>(),
        server_cpu_s,
        wall_s,
        server_rss_kib,
        pass,
        loadavg: loadavg(),
    }
}
