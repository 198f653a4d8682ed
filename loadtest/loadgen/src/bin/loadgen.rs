//! `loadgen`: the command line of the load generator — wiring only; the scenarios live in
//! `armoricore_loadgen::scenario`.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use armoricore_loadgen::client::Target;
use armoricore_loadgen::scenario::{self, Common, Fanout, Rates};
use armoricore_loadgen::worker::{self, WorkerConfig};
use armoricore_loadgen::{procfs, report};
use clap::{Args, Parser, Subcommand, ValueEnum};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// WebSocket load generator for Armoricore and its peers (Phoenix V2 JSON).
#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Open N sockets, join them, hold them with heartbeats; report how many held and the
    /// server's RSS delta per socket.
    Idle {
        #[command(flatten)]
        common: CommonArgs,
        /// Sockets to open.
        #[arg(long, default_value_t = 15_000)]
        sockets: u64,
        /// Seconds to hold them (over 60 s: the node's idle timeout).
        #[arg(long, default_value_t = 75)]
        hold: u64,
    },
    /// N subscribers + K publishers; publish at one or more rates, or sweep up to the peak.
    Fanout {
        #[command(flatten)]
        common: CommonArgs,
        /// Subscriber sockets.
        #[arg(long, default_value_t = 10_000)]
        subscribers: u64,
        /// Publisher sockets (each driven at ≤ 40 msg/s).
        #[arg(long, default_value_t = 25)]
        publishers: usize,
        /// Fixed rates in msg/s, comma-separated (instead of a sweep).
        #[arg(long, value_delimiter = ',')]
        rate: Vec<f64>,
        /// Sweep: first rate (msg/s).
        #[arg(long, default_value_t = 2.0)]
        start_rate: f64,
        /// Sweep: rate multiplier between steps.
        #[arg(long, default_value_t = 1.5)]
        factor: f64,
        /// Sweep: most steps.
        #[arg(long, default_value_t = 20)]
        max_steps: usize,
        /// Seconds of publishing per step.
        #[arg(long, default_value_t = 10)]
        duration: u64,
        /// Seconds after a step during which late deliveries still count.
        #[arg(long, default_value_t = 3)]
        grace: u64,
        /// Message content bytes (timestamp + padding).
        #[arg(long, default_value_t = 32)]
        content_bytes: usize,
        /// A step passes when achieved ≥ this × offered …
        #[arg(long, default_value_t = 0.95)]
        min_ratio: f64,
        /// … and p99 ≤ this many ms (0: no latency rule, throughput alone).
        #[arg(long, default_value_t = 100.0)]
        max_p99_ms: f64,
    },
    /// (internal) A worker process: subscriber sockets driven by its parent over stdin/stdout.
    Worker {
        /// Server URL.
        #[arg(long)]
        url: String,
        /// Token.
        #[arg(long)]
        token: Option<String>,
        /// Sockets.
        #[arg(long)]
        sockets: u64,
        /// Topic.
        #[arg(long)]
        topic: String,
        /// Handshakes in flight.
        #[arg(long, default_value_t = 128)]
        concurrency: usize,
    },
    /// Print the RSS (KiB) and CPU seconds of a process tree.
    Rss {
        /// Root pid.
        #[arg(long)]
        pid: u32,
    },
    /// Print the markdown comparison table from a directory of JSON reports.
    Report {
        /// The directory `run-benchmarks.sh` wrote.
        dir: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Server {
    Armoricore,
    TokioPeer,
    NodePeer,
}

#[derive(Args)]
struct CommonArgs {
    /// Which server (labels the report; only armoricore needs a token).
    #[arg(long, value_enum, default_value = "armoricore")]
    server: Server,
    /// Port on 127.0.0.1.
    #[arg(long, default_value_t = 4000)]
    port: u16,
    /// JWT for armoricore (`armoricore token --user bench`).
    #[arg(long, env = "LOADGEN_TOKEN")]
    token: Option<String>,
    /// Room topic.
    #[arg(long, default_value = "room:bench")]
    topic: String,
    /// Worker processes (at least enough for ≤ 9,000 sockets each).
    #[arg(long, default_value_t = 2)]
    procs: u64,
    /// Handshakes in flight per worker.
    #[arg(long, default_value_t = 128)]
    concurrency: usize,
    /// Server pid, for its RSS and CPU time (process tree).
    #[arg(long)]
    server_pid: Option<u32>,
    /// Write the report here as JSON.
    #[arg(long)]
    json: Option<PathBuf>,
}

impl CommonArgs {
    fn common(&self) -> anyhow::Result<Common> {
        let server = match self.server {
            Server::Armoricore => "armoricore",
            Server::TokioPeer => "tokio-peer",
            Server::NodePeer => "node-peer",
        };
        let token = match self.server {
            Server::Armoricore => Some(self.token.clone().context("armoricore needs --token")?),
            _ => self.token.clone(),
        };
        Ok(Common {
            server: server.into(),
            url: format!("ws://127.0.0.1:{}/socket/websocket?vsn=2.0.0", self.port),
            token,
            topic: self.topic.clone(),
            procs: self.procs,
            concurrency: self.concurrency,
            server_pid: self.server_pid,
        })
    }

    fn write(&self, value: &impl serde::Serialize) -> anyhow::Result<()> {
        let json = serde_json::to_string_pretty(value)?;
        match &self.json {
            Some(path) => std::fs::write(path, json).context("cannot write the report")?,
            None => println!("{json}"),
        }
        Ok(())
    }
}

fn local<F: std::future::Future<Output = anyhow::Result<()>>>(f: F) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    tokio::task::LocalSet::new().block_on(&runtime, f)
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Idle {
            common,
            sockets,
            hold,
        } => local(async move {
            let c = common.common()?;
            let r = scenario::idle(&c, sockets, Duration::from_secs(hold)).await?;
            eprintln!(
                "idle {}: {} held of {} ({} failed), RSS {} → {} KiB, {:.0} B/socket",
                r.server,
                r.held,
                r.sockets,
                r.failed,
                r.rss_before_kib,
                r.rss_after_kib,
                r.bytes_per_socket
            );
            common.write(&r)
        }),
        Command::Fanout {
            common,
            subscribers,
            publishers,
            rate,
            start_rate,
            factor,
            max_steps,
            duration,
            grace,
            content_bytes,
            min_ratio,
            max_p99_ms,
        } => local(async move {
            let c = common.common()?;
            let rates = if rate.is_empty() {
                Rates::Sweep {
                    start: start_rate,
                    factor,
                    max_steps,
                }
            } else {
                Rates::Fixed(rate)
            };
            let f = Fanout {
                subscribers,
                publishers,
                rates,
                step: Duration::from_secs(duration),
                grace: Duration::from_secs(grace),
                content_bytes: content_bytes.max(armoricore_loadgen::probe::MIN_CONTENT_BYTES),
                min_ratio,
                max_p99_ms,
            };
            let r = scenario::fanout(&c, &f).await?;
            match (r.peak_per_s, r.peak_rate) {
                (Some(p), Some(rate)) => {
                    eprintln!(
                        "fanout {}: peak {p:.0} deliveries/s at {rate:.2} msg/s",
                        r.server
                    )
                }
                _ => eprintln!("fanout {}: no step passed", r.server),
            }
            common.write(&r)
        }),
        Command::Worker {
            url,
            token,
            sockets,
            topic,
            concurrency,
        } => worker::run(WorkerConfig {
            target: Target::parse(&url, token.as_deref())?,
            sockets,
            topic,
            concurrency,
            heartbeat_s: 30,
            join_timeout: Duration::from_secs(30),
        }),
        Command::Rss { pid } => {
            let rss = procfs::tree_rss_kib(pid).context("no such process")?;
            println!("{rss} KiB {:.2} cpu_s", procfs::tree_cpu_s(pid));
            Ok(())
        }
        Command::Report { dir } => {
            print!("{}", report::table(&dir));
            Ok(())
        }
    }
}
