//! `media-bench`: the command line of issue #5's benchmark — wiring only; the runner,
//! the ffmpeg command, the driver and the tables live in the `media_bench` library.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use media_bench::compare::{self, Config};
use media_bench::ffmpeg::{self, AudioMode};
use media_bench::ladder_args::LadderArgs;
use media_bench::{measure, ours, report, source};

// `ours` runs on the C library's malloc, as the node does; the `mimalloc` feature puts
// mimalloc in its place, to compare the allocators' share of peak RSS.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Our streaming GStreamer transcode against the single-process ffmpeg ladder.
#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    action: Action,
}

#[derive(Subcommand)]
enum Action {
    /// Transcode one file with our pipeline into a local object store; print JSON.
    Ours {
        /// Source file (read as a stream of chunks).
        #[arg(long)]
        source: PathBuf,
        /// Object store root (outputs under media/bench/).
        #[arg(long)]
        out: PathBuf,
        /// Chunk size in bytes.
        #[arg(long, default_value_t = source::DEFAULT_CHUNK)]
        chunk: usize,
        #[command(flatten)]
        ladder: LadderArgs,
    },
    /// Print the equivalent ffmpeg command for a source.
    FfmpegCommand {
        /// Source file.
        #[arg(long)]
        source: PathBuf,
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
        /// How ffmpeg carries the one AAC stream.
        #[arg(long, value_enum, default_value = "group")]
        audio: AudioMode,
        #[command(flatten)]
        ladder: LadderArgs,
    },
    /// Run both contenders N times each, alternating; print the Markdown table.
    Compare {
        /// Sources as LABEL=FILE (e.g. 1080p=/tmp/src1080.mp4), repeatable.
        #[arg(long = "source", required = true)]
        sources: Vec<String>,
        /// Work directory: outputs, logs, results.jsonl, summary.md.
        #[arg(long)]
        work: PathBuf,
        /// Runs per contender per source.
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// How ffmpeg carries the one AAC stream.
        #[arg(long, value_enum, default_value = "group")]
        audio: AudioMode,
        /// Source chunk size for ours, bytes.
        #[arg(long, default_value_t = source::DEFAULT_CHUNK)]
        chunk: usize,
        /// GNU time (measures CPU and peak RSS of each contender).
        #[arg(long, default_value = "/usr/bin/time")]
        time_bin: PathBuf,
        /// Per-run time limit, seconds.
        #[arg(long, default_value_t = 1800)]
        timeout: u64,
        #[command(flatten)]
        ladder: LadderArgs,
    },
    /// Print the Markdown table of a results.jsonl file.
    Table {
        /// results.jsonl from a compare run.
        results: PathBuf,
    },
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().action {
        Action::Ours {
            source,
            out,
            chunk,
            ladder,
        } => {
            let ladder = ladder.ladder()?;
            let runtime = tokio::runtime::Runtime::new().context("starting tokio")?;
            let report = runtime.block_on(ours::run(&source, &out, ladder, chunk))?;
            println!("{}", serde_json::to_string_pretty(&report)?);
        }
        Action::FfmpegCommand {
            source: src,
            out,
            audio,
            ladder,
        } => {
            let info = source::probe(&src)?;
            let args = ffmpeg::args(&src, &out, &ladder.ladder()?, &info, audio);
            println!("{}", measure::shell_line("ffmpeg".as_ref(), &args));
        }
        Action::Compare {
            sources,
            work,
            runs,
            audio,
            chunk,
            time_bin,
            timeout,
            ladder,
        } => {
            if runs == 0 {
                bail!("--runs must be at least 1");
            }
            if !time_bin.exists() {
                bail!("{} is missing (apt-get install time)", time_bin.display());
            }
            let sources = sources
                .iter()
                .map(|s| {
                    s.split_once('=')
                        .map(|(l, p)| (l.to_string(), PathBuf::from(p)))
                        .with_context(|| format!("--source {s:?}: expected LABEL=FILE"))
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let config = Config {
                sources,
                work: work.clone(),
                runs,
                ladder,
                audio,
                chunk,
                time_bin,
                ours_bin: std::env::current_exe().context("locating media-bench")?,
                timeout: Duration::from_secs(timeout),
            };
            let outcome = compare::compare(&config)?;
            let text = format!("{}\n{}", report::table(&outcome.records), outcome.notes);
            let summary = work.join("summary.md");
            std::fs::write(&summary, &text)
                .with_context(|| format!("writing {}", summary.display()))?;
            println!("{text}");
        }
        Action::Table { results } => {
            let text = std::fs::read_to_string(&results)
                .with_context(|| format!("reading {}", results.display()))?;
            let records = text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(serde_json::from_str)
                .collect::<Result<Vec<report::Record>, _>>()
                .context("a line of results.jsonl")?;
            println!("{}", report::table(&records));
        }
    }
    Ok(())
}
