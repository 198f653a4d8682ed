//! The push benchmark: real sends through the notifier's FCM and APNs clients (TLS, HTTP/2,
//! OAuth access token, ES256 provider token, the worker's rate limiter) against the local
//! FCM and APNs servers of `notifier::test_support`.
//!
//! Two roles, meant to run as two processes (`loadtest/notifier/run.sh` does):
//! - `push_bench serve --out FILE`: starts both servers (sends counted, not kept), writes
//!   what a client needs (endpoints, CA file, service account, `.p8` key) to FILE as JSON,
//!   and serves until SIGINT/SIGTERM.
//! - `push_bench send --servers FILE …`: runs `--concurrency` senders for `--seconds`
//!   (after `--warmup`), each awaiting the limiter then one send, and prints one JSON line:
//!   sends/s, errors, p50/p99/max latency of a send; with `--rate`, the configured and the
//!   measured rate and the error between them.
//!
//! Why separate processes: on a 2-core machine one process would share one tokio
//! scheduler between the server and the client, and the figures would say more about task
//! interleaving than about either side; apart, each has its own threads, the kernel splits
//! the cores, and `perf` can tell which side the time goes to.
//!
//! Both roles use the C library's malloc, as the `armoricore` binary does.
//!
//! Latency is measured around `Fcm::send` / `Apns::send` (not the limiter wait), in a
//! closed loop: with N senders in flight it includes queueing behind the other N − 1.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark binary: failing loudly is the point

use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand, ValueEnum};
use hdrhistogram::Histogram;
use notifier::apns::Apns;
use notifier::fcm::Fcm;
use notifier::test_support::{ApnsServer, FcmServer, Pki};
use notifier::{ApnsConfig, FcmConfig, Limiter, Provider, PushMessage, RateLimit, RateLimits};
use serde::{Deserialize, Serialize};

#[derive(Parser)]
struct Cli {
    /// Tokio worker threads of this process.
    #[arg(long, default_value_t = 2, global = true)]
    threads: usize,
    #[command(subcommand)]
    role: Role,
}

#[derive(Subcommand)]
enum Role {
    /// Run the local FCM and APNs servers.
    Serve {
        /// Where to write the servers' description (JSON).
        #[arg(long)]
        out: PathBuf,
    },
    /// Send to servers started by `serve` (a later flag overrides an earlier one).
    #[command(args_override_self = true)]
    Send(SendArgs),
}

#[derive(clap::Args)]
struct SendArgs {
    /// The file `serve --out` wrote.
    #[arg(long)]
    servers: PathBuf,
    /// Which provider to send to.
    #[arg(long, value_enum, default_value_t = Target::Fcm)]
    provider: Target,
    /// Sends in flight at once.
    #[arg(long, default_value_t = 256)]
    concurrency: usize,
    /// Measured seconds.
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// Seconds sent before measuring (connections, tokens, bucket drained).
    #[arg(long, default_value_t = 1.0)]
    warmup: f64,
    /// Provider rate limit per second (off when absent).
    #[arg(long)]
    rate: Option<u32>,
    /// Burst of the rate limit.
    #[arg(long, default_value_t = 1)]
    burst: u32,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Target {
    Fcm,
    Apns,
}

/// What `serve` writes and `send` reads.
#[derive(Serialize, Deserialize)]
struct Servers {
    ca_file: PathBuf,
    fcm_account: PathBuf,
    fcm_endpoint: String,
    apns: ApnsFile,
}

#[derive(Serialize, Deserialize)]
struct ApnsFile {
    key_file: PathBuf,
    key_id: String,
    team_id: String,
    topic: String,
    endpoint: String,
}

fn main() {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cli.threads.max(1))
        .enable_all()
        .build()
        .expect("tokio runtime");
    match cli.role {
        Role::Serve { out } => runtime.block_on(serve(&out)),
        Role::Send(args) => runtime.block_on(send(args)),
    }
}

async fn serve(out: &Path) {
    let pki = Pki::generate().expect("PKI");
    let fcm = FcmServer::start(&pki).await;
    let apns = ApnsServer::start(&pki).await;
    fcm.keep_received(false);
    apns.keep_received(false);
    let config = apns.config();
    let servers = Servers {
        ca_file: pki.ca_file().to_path_buf(),
        fcm_account: fcm.service_account_file().to_path_buf(),
        fcm_endpoint: fcm.endpoint(),
        apns: ApnsFile {
            key_file: config.key_file,
            key_id: config.key_id,
            team_id: config.team_id,
            topic: config.topic,
            endpoint: config.endpoint,
        },
    };
    let tmp = out.with_extension("tmp");
    std::fs::write(&tmp, serde_json::to_vec(&servers).unwrap()).expect("write servers file");
    std::fs::rename(&tmp, out).expect("rename servers file");
    let mut term =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    eprintln!("served {} FCM and {} APNs sends", fcm.sends(), apns.sends());
}

/// One provider client, whichever it is.
enum Client {
    Fcm(Fcm),
    Apns(Apns),
}

impl Client {
    async fn send(
        &self,
        message: &PushMessage,
        token: &str,
    ) -> Result<String, notifier::SendError> {
        match self {
            Client::Fcm(c) => c.send(message, token).await,
            Client::Apns(c) => c.send(message, token).await,
        }
    }
}

async fn send(args: SendArgs) {
    let servers: Servers =
        serde_json::from_slice(&std::fs::read(&args.servers).expect("servers file"))
            .expect("servers JSON");
    let roots = [servers.ca_file.clone()];
    let timeout = Duration::from_secs(15);
    let (client, provider) = match args.provider {
        Target::Fcm => {
            let config = FcmConfig {
                service_account_file: servers.fcm_account.clone(),
                endpoint: servers.fcm_endpoint.clone(),
            };
            (
                Client::Fcm(Fcm::new(&config, &roots, timeout).unwrap()),
                Provider::Fcm,
            )
        }
        Target::Apns => {
            let a = &servers.apns;
            let config = ApnsConfig {
                key_file: a.key_file.clone(),
                key_id: a.key_id.clone(),
                team_id: a.team_id.clone(),
                topic: a.topic.clone(),
                endpoint: a.endpoint.clone(),
            };
            (
                Client::Apns(Apns::new(&config, &roots, timeout).unwrap()),
                Provider::Apns,
            )
        }
    };
    let limit = args.rate.map(|rate| RateLimit {
        per_second: NonZeroU32::new(rate).expect("--rate must be positive"),
        burst: NonZeroU32::new(args.burst).expect("--burst must be positive"),
    });
    let limits = RateLimits {
        fcm: limit,
        apns: limit,
        ..RateLimits::OFF
    };
    let shared = Arc::new(Shared {
        client,
        limiter: Limiter::new(&limits),
        provider,
        measuring: AtomicBool::new(false),
        stop: AtomicBool::new(false),
        sent: AtomicU64::new(0),
        errors: AtomicU64::new(0),
        last_error: std::sync::Mutex::new(None),
    });
    let tasks: Vec<_> = (0..args.concurrency.max(1))
        .map(|i| tokio::spawn(sender(shared.clone(), i)))
        .collect();
    tokio::time::sleep(Duration::from_secs_f64(args.warmup)).await;
    let sent_before = shared.sent.load(Ordering::Relaxed);
    shared.measuring.store(true, Ordering::Relaxed);
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs_f64(args.seconds)).await;
    let sent = shared.sent.load(Ordering::Relaxed) - sent_before;
    let elapsed = started.elapsed().as_secs_f64();
    shared.stop.store(true, Ordering::Relaxed);
    let mut latency = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).unwrap();
    for task in tasks {
        latency.add(task.await.unwrap()).unwrap();
    }
    let rate = sent as f64 / elapsed;
    let mut report = serde_json::json!({
        "provider": match args.provider { Target::Fcm => "fcm", Target::Apns => "apns" },
        "concurrency": args.concurrency,
        "seconds": elapsed,
        "sends": sent,
        "errors": shared.errors.load(Ordering::Relaxed),
        "sends_per_second": rate.round(),
        "latency_us": {
            "p50": latency.value_at_quantile(0.50),
            "p99": latency.value_at_quantile(0.99),
            "max": latency.max(),
        },
        "load_average": std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim(),
    });
    if let Some(configured) = args.rate {
        report["rate_limit"] = serde_json::json!({
            "configured_per_second": configured,
            "burst": args.burst,
            "error_percent": ((rate - f64::from(configured)) / f64::from(configured) * 100.0 * 100.0).round() / 100.0,
        });
    }
    if let Some(e) = shared.last_error.lock().unwrap().as_ref() {
        report["last_error"] = serde_json::Value::String(e.clone());
    }
    println!("{report}");
}

struct Shared {
    client: Client,
    limiter: Limiter,
    provider: Provider,
    measuring: AtomicBool,
    stop: AtomicBool,
    sent: AtomicU64,
    errors: AtomicU64,
    last_error: std::sync::Mutex<Option<String>>,
}

/// One sender: waits for the limiter, sends, records the send's latency while measuring.
async fn sender(shared: Arc<Shared>, index: usize) -> Histogram<u64> {
    let mut latency = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).unwrap();
    let message = PushMessage {
        notification_id: format!("bench-{index}"),
        title: "Benchmark".into(),
        body: "A push notification of ordinary size.".into(),
        data: serde_json::from_value(serde_json::json!({"room": "r-42", "kind": "bench"})).unwrap(),
    };
    // APNs wants 64 hex characters; FCM takes any string, the same one does.
    let token = format!("{:064x}", index + 1);
    while !shared.stop.load(Ordering::Relaxed) {
        shared.limiter.provider(shared.provider).await;
        let started = Instant::now();
        match shared.client.send(&message, &token).await {
            Ok(_) => {
                shared.sent.fetch_add(1, Ordering::Relaxed);
                if shared.measuring.load(Ordering::Relaxed) {
                    let us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
                    latency.saturating_record(us.max(1));
                }
            }
            Err(e) => {
                shared.errors.fetch_add(1, Ordering::Relaxed);
                *shared.last_error.lock().unwrap() = Some(e.to_string());
            }
        }
    }
    latency
}
