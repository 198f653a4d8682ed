//! The side-by-side table of `docs/benchmarks.md`, made from the JSON reports a benchmark
//! run leaves in one directory: `idle-<server>.json`, `sweep-<server>.json` and
//! `half-<server>.json` for each server (see `loadtest/run-benchmarks.sh`).
//!
//! The targets it checks (issue #4): ≤ 4 KB of server RSS per idle socket with 15,000
//! sockets held; with 10,000 subscribers, peak deliveries/s ≥ 1.5× the tokio peer's and ≥ 3×
//! the Node peer's; p99 < 20 ms at half of our peak.

use std::fmt::Write;
use std::path::Path;

use crate::scenario::{FanoutReport, IdleReport};

/// The servers, in table order; the first is ours.
pub const SERVERS: [&str; 3] = ["armoricore", "tokio-peer", "node-peer"];

struct Column {
    idle: Option<IdleReport>,
    sweep: Option<FanoutReport>,
    half: Option<FanoutReport>,
}

fn load<T: for<'de> serde::Deserialize<'de>>(dir: &Path, name: &str) -> Option<T> {
    let text = std::fs::read_to_string(dir.join(name)).ok()?;
    serde_json::from_str(&text).ok()
}

fn cell(v: Option<String>) -> String {
    v.unwrap_or_else(|| "–".into())
}

/// The markdown table for the reports in `dir`.
pub fn table(dir: &Path) -> String {
    let cols: Vec<Column> = SERVERS
        .iter()
        .map(|s| Column {
            idle: load(dir, &format!("idle-{s}.json")),
            sweep: load(dir, &format!("sweep-{s}.json")),
            half: load(dir, &format!("half-{s}.json")),
        })
        .collect();
    let peak = |c: &Column| c.sweep.as_ref().and_then(|s| s.peak_per_s);
    let ours = peak(&cols[0]);
    let mut out = String::new();
    let _ = writeln!(out, "| | {} |", SERVERS.join(" | "));
    let _ = writeln!(out, "|---|{}", "---:|".repeat(SERVERS.len()));
    let mut row = |name: &str, f: &dyn Fn(&Column) -> Option<String>| {
        let cells: Vec<String> = cols.iter().map(|c| cell(f(c))).collect();
        let _ = writeln!(out, "| {name} | {} |", cells.join(" | "));
    };
    row("idle sockets held (asked)", &|c| {
        c.idle
            .as_ref()
            .map(|i| format!("{} ({})", i.held, i.sockets))
    });
    row("server RSS before → after (MiB)", &|c| {
        c.idle.as_ref().map(|i| {
            format!(
                "{:.1} → {:.1}",
                i.rss_before_kib as f64 / 1024.0,
                i.rss_after_kib as f64 / 1024.0
            )
        })
    });
    row("RSS delta per idle socket", &|c| {
        c.idle
            .as_ref()
            .map(|i| format!("{:.0} B", i.bytes_per_socket))
    });
    row("subscribers joined (fan-out)", &|c| {
        c.sweep.as_ref().map(|s| s.subscribers.to_string())
    });
    row("peak deliveries/s (msg/s × subscribers)", &|c| {
        c.sweep.as_ref().map(|s| match (s.peak_per_s, s.peak_rate) {
            (Some(p), Some(r)) => format!("{:.0} ({r:.1} msg/s)", p),
            _ => "no step passed".into(),
        })
    });
    row("highest achieved deliveries/s, any step", &|c| {
        c.sweep
            .as_ref()
            .map(|s| format!("{:.0}", s.max_achieved_per_s))
    });
    row("our peak ÷ this peak", &|c| {
        ours.zip(peak(c)).map(|(a, b)| format!("{:.2}×", a / b))
    });
    let half_step = |c: &Column| c.half.as_ref().and_then(|h| h.steps.first().cloned());
    row("half-peak run: msg/s, achieved deliveries/s", &|c| {
        half_step(c).map(|s| format!("{:.1}, {:.0}", s.rate, s.achieved_per_s))
    });
    row("half-peak latency p50 / p99 / max (ms)", &|c| {
        half_step(c).map(|s| {
            format!(
                "{:.2} / {:.2} / {:.1}",
                s.latency.p50_ms, s.latency.p99_ms, s.latency.max_ms
            )
        })
    });
    row("half-peak lost / late deliveries", &|c| {
        half_step(c).map(|s| format!("{} / {}", s.lost, s.late))
    });
    row("half-peak CPU s: server / generator (wall s)", &|c| {
        half_step(c).map(|s| {
            format!(
                "{:.1} / {:.1} ({:.1})",
                s.server_cpu_s, s.generator_cpu_s, s.wall_s
            )
        })
    });
    out.push('\n');
    out.push_str(&verdicts(&cols));
    out
}

fn verdicts(cols: &[Column]) -> String {
    let mut out = String::new();
    let mark = |ok: bool| if ok { "met" } else { "**not met**" };
    if let Some(i) = &cols[0].idle {
        let ok = i.held >= 15_000 && i.bytes_per_socket <= 4096.0;
        let _ = writeln!(
            out,
            "- 15,000 idle sockets at ≤ 4 KB each: {} ({} held, {:.0} B per socket)",
            mark(ok),
            i.held,
            i.bytes_per_socket
        );
    }
    let peak = |c: &Column| c.sweep.as_ref().and_then(|s| s.peak_per_s);
    if let Some(ours) = peak(&cols[0]) {
        for (col, name, need) in [(&cols[1], "tokio peer", 1.5), (&cols[2], "Node peer", 3.0)] {
            if let Some(theirs) = peak(col) {
                let r = ours / theirs;
                let _ = writeln!(
                    out,
                    "- ≥ {need}× the {name}'s deliveries/s: {} ({r:.2}×)",
                    mark(r >= need)
                );
            }
        }
    }
    if let Some(s) = cols[0].half.as_ref().and_then(|h| h.steps.first()) {
        let _ = writeln!(
            out,
            "- p99 < 20 ms at half of our peak: {} ({:.2} ms)",
            mark(s.latency.p99_ms < 20.0),
            s.latency.p99_ms
        );
    }
    out
}
