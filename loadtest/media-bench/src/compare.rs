//! Owns the driver ([`compare`]): for each source, N runs of each contender, alternating
//! and swapping which goes first in every pair (so a drift in the machine's load hits
//! both alike), each measured by `measure` into a [`Record`]; then the settings check
//! (x264's SEI options of each rung, ours against ffmpeg's).
//!
//! Files, all under the work directory: `out/SOURCE/CONTENDER-RUN/` (outputs; only run 1
//! of each is kept, for the settings check), `logs/` (each run's stdout, stderr and GNU
//! time output), `results.jsonl` (one record a line, appended).

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};

use crate::ffmpeg::{self, AudioMode};
use crate::ladder_args::LadderArgs;
use crate::measure::{self, Spec};
use crate::ours::{MEDIA_ID, OursReport};
use crate::report::{FFMPEG, OURS, Record};
use crate::source::{self, SourceInfo};
use crate::x264_options;

/// Everything a comparison needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// `(label, file)` per source.
    pub sources: Vec<(String, PathBuf)>,
    /// Work directory (outputs, logs, results).
    pub work: PathBuf,
    /// Runs per contender per source.
    pub runs: usize,
    /// The ladder, as flags (handed unchanged to the `ours` child).
    pub ladder: LadderArgs,
    /// How ffmpeg carries the audio.
    pub audio: AudioMode,
    /// Source chunk size for `ours`.
    pub chunk: usize,
    /// GNU time.
    pub time_bin: PathBuf,
    /// The `media-bench` binary that runs `ours`.
    pub ours_bin: PathBuf,
    /// Per-run time limit.
    pub timeout: Duration,
}

/// What a comparison produced.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Every run.
    pub records: Vec<Record>,
    /// Per source: the commands of run 1 and the settings check.
    pub notes: String,
}

/// Runs the comparison; records are also appended to `WORK/results.jsonl` as they come.
pub fn compare(cfg: &Config) -> anyhow::Result<Outcome> {
    let ladder = cfg.ladder.ladder()?;
    let logs = cfg.work.join("logs");
    std::fs::create_dir_all(&logs).with_context(|| format!("creating {}", logs.display()))?;
    let results_path = cfg.work.join("results.jsonl");
    let mut results = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&results_path)
        .with_context(|| format!("opening {}", results_path.display()))?;
    let mut records = Vec::new();
    let mut notes = String::new();
    for (label, path) in &cfg.sources {
        let info = source::probe(path)?;
        let planned = ffmpeg::renditions(&ladder, &info);
        eprintln!(
            "[media-bench] {label}: {}x{} {:.2} fps {:.1} s, audio: {}; renditions {:?}",
            info.width,
            info.height,
            info.fps,
            info.duration,
            info.has_audio,
            planned.iter().map(|r| r.name.as_str()).collect::<Vec<_>>()
        );
        for run in 1..=cfg.runs {
            let order = if run % 2 == 1 {
                [OURS, FFMPEG]
            } else {
                [FFMPEG, OURS]
            };
            for contender in order {
                let out = cfg
                    .work
                    .join("out")
                    .join(label)
                    .join(format!("{contender}-{run}"));
                if out.exists() {
                    std::fs::remove_dir_all(&out)
                        .with_context(|| format!("clearing {}", out.display()))?;
                }
                let spec = spec(cfg, contender, path, &out, &info, &logs, label, run)?;
                if run == 1 {
                    notes.push_str(&format!(
                        "{label} {contender} command:\n    {}\n",
                        spec.command_line()
                    ));
                }
                let record = run_one(&spec, contender, label, run, &info)?;
                eprintln!(
                    "[media-bench] {label} {contender} #{run}: {:.1} s wall, speed {:.2}, CPU {:.1} s, RSS {} MiB, first segment {:?} s, load {:?}",
                    record.wall_s,
                    record.speed,
                    record.user_s + record.sys_s,
                    record.max_rss_kib / 1024,
                    record.first_segment_s,
                    record.load1_before
                );
                serde_json::to_writer(&mut results, &record).context("writing a record")?;
                writeln!(results).context("writing a record")?;
                records.push(record);
                if run > 1 {
                    // Only run 1's outputs are kept (settings check); the rest is ~1 GB.
                    let _ = std::fs::remove_dir_all(&out);
                }
            }
        }
        let root = cfg.work.join("out").join(label);
        notes.push_str(&settings_check(
            label,
            &root.join(format!("{OURS}-1")).join("media").join(MEDIA_ID),
            &root.join(format!("{FFMPEG}-1")),
            planned.iter().map(|r| r.name.as_str()),
        ));
    }
    Ok(Outcome { records, notes })
}

#[allow(clippy::too_many_arguments)] // one call site; a struct would only rename them
fn spec(
    cfg: &Config,
    contender: &str,
    source: &Path,
    out: &Path,
    info: &SourceInfo,
    logs: &Path,
    label: &str,
    run: usize,
) -> anyhow::Result<Spec> {
    let (program, args): (OsString, Vec<OsString>) = if contender == OURS {
        let mut args: Vec<OsString> = vec![
            "ours".into(),
            "--source".into(),
            source.into(),
            "--out".into(),
            out.into(),
            format!("--chunk={}", cfg.chunk).into(),
        ];
        args.extend(cfg.ladder.to_args().into_iter().map(OsString::from));
        (cfg.ours_bin.clone().into(), args)
    } else {
        let ladder = cfg.ladder.ladder()?;
        (
            "ffmpeg".into(),
            ffmpeg::args(source, out, &ladder, info, cfg.audio),
        )
    };
    Ok(Spec {
        program,
        args,
        watch: out.to_path_buf(),
        logs: logs.to_path_buf(),
        name: format!("{label}-{contender}-{run}"),
        time_bin: cfg.time_bin.clone(),
        timeout: cfg.timeout,
    })
}

fn run_one(
    spec: &Spec,
    contender: &str,
    label: &str,
    run: usize,
    info: &SourceInfo,
) -> anyhow::Result<Record> {
    let load1_before = measure::load_average();
    let m = measure::measure(spec)?;
    let load1_after = measure::load_average();
    let job_first_segment_s = if contender == OURS {
        let report: OursReport = serde_json::from_slice(&m.stdout)
            .with_context(|| format!("the JSON printed by {}", spec.name))?;
        report.first_segment_s
    } else {
        None
    };
    let (renditions, segments) = count_outputs(&spec.watch, 4);
    if renditions == 0 {
        bail!(
            "{} produced no video segments under {}",
            spec.name,
            spec.watch.display()
        );
    }
    Ok(Record {
        source: label.to_string(),
        contender: contender.to_string(),
        run,
        source_duration_s: info.duration,
        wall_s: m.wall_s,
        speed: if m.wall_s > 0.0 {
            info.duration / m.wall_s
        } else {
            0.0
        },
        user_s: m.user_s,
        sys_s: m.sys_s,
        max_rss_kib: m.max_rss_kib,
        first_segment_s: m.first_segment_s,
        job_first_segment_s,
        load1_before,
        load1_after,
        renditions,
        segments,
    })
}

/// `(video renditions, their segments)`: folders below `dir` holding `.ts` files, the
/// audio-only rendition excepted, counted the same way for both contenders.
pub fn count_outputs(dir: &Path, depth: u32) -> (usize, usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return (0, 0);
    };
    let (mut renditions, mut segments, mut here) = (0, 0, 0);
    for e in entries.flatten() {
        match e.file_type() {
            Ok(t) if t.is_dir() && depth > 0 => {
                let (r, s) = count_outputs(&e.path(), depth - 1);
                renditions += r;
                segments += s;
            }
            Ok(t) if t.is_file() && e.file_name().to_string_lossy().ends_with(".ts") => here += 1,
            _ => {}
        }
    }
    let audio_only = dir.file_name().is_some_and(|n| n == media::AUDIO_ONLY);
    if here > 0 && !audio_only {
        renditions += 1;
        segments += here;
    }
    (renditions, segments)
}

/// x264 options of each rendition's first segment, ours against ffmpeg's.
fn settings_check<'a>(
    label: &str,
    ours: &Path,
    theirs: &Path,
    names: impl Iterator<Item = &'a str>,
) -> String {
    let mut text = format!("{label} settings check (x264 SEI of seg00000.ts, ours vs ffmpeg):\n");
    for name in names {
        let read = |root: &Path| x264_options::read(&root.join(name).join("seg00000.ts"));
        let line = match (read(ours), read(theirs)) {
            (Ok(a), Ok(b)) => {
                let d = x264_options::differences(&a, &b);
                if d.is_empty() {
                    "identical".to_string()
                } else {
                    d.join(", ")
                }
            }
            (a, b) => format!(
                "could not compare: {}",
                [a.err(), b.err()]
                    .into_iter()
                    .flatten()
                    .map(|e| format!("{e:#}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        };
        text.push_str(&format!("    {name}: {line}\n"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_are_counted_per_video_rendition() {
        let dir = tempfile::tempdir().unwrap();
        let touch = |p: &str| {
            let p = dir.path().join(p);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, b"x").unwrap();
        };
        for p in [
            "media/bench/720p/seg00000.ts",
            "media/bench/720p/seg00001.ts",
            "media/bench/720p/index.m3u8",
            "media/bench/360p/seg00000.ts",
            "media/bench/360p/seg00001.ts.tmp",
            "media/bench/audio/seg00000.ts",
            "media/bench/poster.jpg",
        ] {
            touch(p);
        }
        assert_eq!(count_outputs(dir.path(), 4), (2, 3));
        assert_eq!(count_outputs(&dir.path().join("missing"), 4), (0, 0));
    }
}
