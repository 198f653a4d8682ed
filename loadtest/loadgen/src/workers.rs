//! The parent's side of its worker processes: spawning them (`loadgen worker …`, this same
//! executable), waiting for them to be ready, starting windows and collecting results.
//!
//! Sockets are split evenly; [`MAX_SOCKETS_PER_WORKER`] bounds a worker's share so that its
//! descriptors (sockets + a few) stay far below the 20,000 open-file cap. Every wait has a
//! timeout; on any error the children are killed when [`Workers`] is dropped
//! (`kill_on_drop`).

use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, bail};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

use crate::protocol::{Go, Ready, StepResult, parse_line};

/// Most sockets one worker process holds.
pub const MAX_SOCKETS_PER_WORKER: u64 = 9_000;

/// How to start the workers.
#[derive(Debug, Clone)]
pub struct Spawn {
    /// `ws://…` URL of the server.
    pub url: String,
    /// Token appended to the URL, if any.
    pub token: Option<String>,
    /// Topic to join.
    pub topic: String,
    /// Subscriber sockets in all.
    pub sockets: u64,
    /// Worker processes (raised if a share would exceed [`MAX_SOCKETS_PER_WORKER`]).
    pub procs: u64,
    /// Handshakes in flight per worker.
    pub concurrency: usize,
}

struct Worker {
    child: Child,
    stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
}

/// Running workers.
pub struct Workers {
    workers: Vec<Worker>,
}

impl Workers {
    /// Starts the workers (they begin connecting at once).
    pub fn spawn(spec: &Spawn) -> anyhow::Result<Self> {
        let procs = spec
            .procs
            .max(spec.sockets.div_ceil(MAX_SOCKETS_PER_WORKER))
            .max(1);
        let exe = std::env::current_exe().context("cannot find this executable")?;
        let mut workers = Vec::new();
        for i in 0..procs {
            let share = spec.sockets / procs + u64::from(i < spec.sockets % procs);
            let mut cmd = Command::new(&exe);
            cmd.arg("worker")
                .args(["--url", &spec.url])
                .args(["--sockets", &share.to_string()])
                .args(["--topic", &spec.topic])
                .args(["--concurrency", &spec.concurrency.to_string()])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .kill_on_drop(true);
            if let Some(token) = &spec.token {
                cmd.args(["--token", token]);
            }
            let mut child = cmd.spawn().context("cannot start a worker")?;
            let stdin = child.stdin.take().context("worker stdin")?;
            let stdout = child.stdout.take().context("worker stdout")?;
            workers.push(Worker {
                child,
                stdin,
                lines: BufReader::new(stdout).lines(),
            });
        }
        Ok(Self { workers })
    }

    /// Process ids of the workers.
    pub fn pids(&self) -> Vec<u32> {
        self.workers.iter().filter_map(|w| w.child.id()).collect()
    }

    /// Waits until every worker has joined (or failed) all its sockets.
    pub async fn ready(&mut self, timeout: Duration) -> anyhow::Result<Vec<Ready>> {
        let mut out = Vec::new();
        for w in &mut self.workers {
            out.push(next(&mut w.lines, "READY", timeout).await?);
        }
        Ok(out)
    }

    /// Starts a window in every worker and waits for their results.
    pub async fn window(&mut self, go: Go) -> anyhow::Result<Vec<StepResult>> {
        let line = format!("GO {}\n", serde_json::to_string(&go)?);
        for w in &mut self.workers {
            w.stdin.write_all(line.as_bytes()).await?;
            w.stdin.flush().await?;
        }
        let wait = Duration::from_nanos(go.stop_ns.saturating_sub(crate::now_ns()))
            + Duration::from_secs(30);
        let mut out = Vec::new();
        for w in &mut self.workers {
            out.push(next(&mut w.lines, "RESULT", wait).await?);
        }
        Ok(out)
    }

    /// Tells the workers to exit and waits for them (bounded).
    pub async fn exit(mut self) {
        for w in &mut self.workers {
            let _ = w.stdin.write_all(b"EXIT\n").await;
            let _ = w.stdin.flush().await;
        }
        for w in &mut self.workers {
            if tokio::time::timeout(Duration::from_secs(10), w.child.wait())
                .await
                .is_err()
            {
                let _ = w.child.start_kill();
            }
        }
    }
}

async fn next<T: for<'de> serde::Deserialize<'de>>(
    lines: &mut Lines<BufReader<ChildStdout>>,
    key: &str,
    timeout: Duration,
) -> anyhow::Result<T> {
    let read = async {
        while let Some(line) = lines.next_line().await? {
            if let Some(v) = parse_line(&line, key) {
                return Ok(v);
            }
            eprintln!("worker said: {line}");
        }
        bail!("a worker exited before {key}")
    };
    tokio::time::timeout(timeout, read)
        .await
        .with_context(|| format!("no {key} from a worker within {timeout:?}"))?
}
