//! Owns one measured run of one contender ([`measure`]): the command is started under
//! GNU `/usr/bin/time`, which reports the child's `wait4` accounting (user and system CPU
//! seconds, peak RSS) when it exits; meanwhile this process polls the output directory
//! every [`POLL`] for the first complete `.ts` file, and stops polling once it is seen so
//! the watcher costs the machine almost nothing for the rest of the run.
//!
//! Both contenders are measured by this one function, so the figures compare: wall time
//! and first segment count from the spawn (process start-up included for both), CPU and
//! RSS cover the contender's process alone (not the driver, not `time`).

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// How often the output directory is scanned until the first segment appears (≤ 10 ms,
/// as the issue asks).
pub const POLL: Duration = Duration::from_millis(5);

/// How often the exit and the timeout are checked once the first segment is seen.
const EXIT_POLL: Duration = Duration::from_millis(50);

/// GNU time's output format: elapsed, user, system seconds, peak RSS in KiB.
const TIME_FORMAT: &str = "%e %U %S %M";

/// What to run and where its files go.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The program (`ffmpeg`, or this binary for `ours`).
    pub program: OsString,
    /// Its arguments.
    pub args: Vec<OsString>,
    /// The directory its segments appear in (scanned recursively, created if missing).
    pub watch: PathBuf,
    /// Where `NAME.stdout`, `NAME.stderr` and `NAME.time` are written.
    pub logs: PathBuf,
    /// File stem of the logs.
    pub name: String,
    /// GNU time.
    pub time_bin: PathBuf,
    /// Past this, the run's process group is killed and the run fails.
    pub timeout: Duration,
}

impl Spec {
    /// The contender's command line, shell-quoted, for reports.
    pub fn command_line(&self) -> String {
        shell_line(&self.program, &self.args)
    }
}

/// `program args…` as one shell-quoted line.
pub fn shell_line(program: &OsStr, args: &[OsString]) -> String {
    std::iter::once(program)
        .chain(args.iter().map(OsString::as_os_str))
        .map(|a| {
            let s = a.to_string_lossy();
            if !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./:%+=,".contains(c))
            {
                s.into_owned()
            } else {
                format!("'{}'", s.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The figures of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    /// Fork to exit as GNU time measured it, seconds (10 ms resolution; our own exit
    /// check polls more coarsely once the first segment is seen).
    pub wall_s: f64,
    /// User CPU seconds of the contender.
    pub user_s: f64,
    /// System CPU seconds of the contender.
    pub sys_s: f64,
    /// Peak resident set size of the contender, KiB.
    pub max_rss_kib: u64,
    /// Spawn to the first complete `.ts` in the output directory, seconds.
    pub first_segment_s: Option<f64>,
    /// The contender's stdout.
    pub stdout: Vec<u8>,
}

/// Runs `spec` to completion; fails if it exits unsuccessfully.
pub fn measure(spec: &Spec) -> anyhow::Result<Measurement> {
    std::fs::create_dir_all(&spec.watch)
        .with_context(|| format!("creating {}", spec.watch.display()))?;
    let log = |ext: &str| spec.logs.join(format!("{}.{ext}", spec.name));
    let (out_path, err_path, time_path) = (log("stdout"), log("stderr"), log("time"));
    let stdout =
        File::create(&out_path).with_context(|| format!("creating {}", out_path.display()))?;
    let stderr =
        File::create(&err_path).with_context(|| format!("creating {}", err_path.display()))?;

    let start = Instant::now();
    let mut child = Command::new(&spec.time_bin)
        .arg("-f")
        .arg(TIME_FORMAT)
        .arg("-o")
        .arg(&time_path)
        .arg("--")
        .arg(&spec.program)
        .args(&spec.args)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        // Its own process group, so a run past its timeout is killed whole (time and
        // the contender under it).
        .process_group(0)
        .spawn()
        .with_context(|| format!("starting {} (GNU time)", spec.time_bin.display()))?;
    let mut first_segment = None;
    let status = loop {
        if let Some(status) = child.try_wait().context("waiting for the contender")? {
            break status;
        }
        if start.elapsed() > spec.timeout {
            kill_group(child.id());
            let _ = child.wait();
            bail!(
                "{} ran past its {:?} timeout and was killed",
                spec.name,
                spec.timeout
            );
        }
        if first_segment.is_none() && has_segment(&spec.watch, 4) {
            first_segment = Some(start.elapsed().as_secs_f64());
        }
        // Fine polling only until the first segment; then just the timeout matters.
        std::thread::sleep(if first_segment.is_none() {
            POLL
        } else {
            EXIT_POLL
        });
    };
    let exited = start.elapsed().as_secs_f64();
    if first_segment.is_none() && has_segment(&spec.watch, 4) {
        // Finished between two scans: the exit time is the best bound we have.
        first_segment = Some(exited);
    }
    if !status.success() {
        let err = std::fs::read_to_string(&err_path).unwrap_or_default();
        let tail: Vec<&str> = err.lines().rev().take(15).collect();
        bail!(
            "{} failed ({status}); last lines of {}:\n{}",
            spec.name,
            err_path.display(),
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        );
    }
    let time_text = std::fs::read_to_string(&time_path)
        .with_context(|| format!("reading {}", time_path.display()))?;
    let (wall_s, user_s, sys_s, max_rss_kib) = parse_time(&time_text).with_context(|| {
        format!(
            "GNU time's output in {}: {time_text:?}",
            time_path.display()
        )
    })?;
    Ok(Measurement {
        wall_s,
        user_s,
        sys_s,
        max_rss_kib,
        first_segment_s: first_segment,
        stdout: std::fs::read(&out_path)
            .with_context(|| format!("reading {}", out_path.display()))?,
    })
}

/// SIGKILL to the process group `pgid` (the run's `time` and everything under it).
fn kill_group(pgid: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pgid}")])
        .status();
}

/// Whether a complete segment (a file named `*.ts`) is anywhere below `dir`.
pub fn has_segment(dir: &Path, depth: u32) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| match e.file_type() {
        Ok(t) if t.is_file() => e.file_name().to_string_lossy().ends_with(".ts"),
        Ok(t) if t.is_dir() && depth > 0 => has_segment(&e.path(), depth - 1),
        _ => false,
    })
}

/// `(elapsed, user, system, max RSS KiB)` from the last line of GNU time's
/// `-f "%e %U %S %M"` output (an unsuccessful command adds a line before it).
pub fn parse_time(text: &str) -> Option<(f64, f64, f64, u64)> {
    let line = text.lines().rev().find(|l| !l.trim().is_empty())?;
    let f: Vec<&str> = line.split_whitespace().collect();
    match f.as_slice() {
        [e, u, s, m] => Some((
            e.parse().ok()?,
            u.parse().ok()?,
            s.parse().ok()?,
            m.parse().ok()?,
        )),
        _ => None,
    }
}

/// Runs a helper tool (ffprobe, ffmpeg) to completion and returns its stdout; fails
/// with its stderr when it fails.
pub fn tool_output(cmd: &mut Command) -> anyhow::Result<Vec<u8>> {
    let name = cmd.get_program().to_string_lossy().into_owned();
    let out = cmd
        .output()
        .with_context(|| format!("running {name} (deploy/bootstrap.sh test-deps installs it)"))?;
    if !out.status.success() {
        bail!(
            "{name} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(out.stdout)
}

/// The 1-minute load average, from `/proc/loadavg`.
pub fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_output_is_read_from_its_last_line() {
        assert_eq!(
            parse_time("12.31 20.05 1.20 345678\n"),
            Some((12.31, 20.05, 1.2, 345_678))
        );
        assert_eq!(
            parse_time("Command exited with non-zero status 1\n0.01 0.00 0.00 2048\n"),
            Some((0.01, 0.0, 0.0, 2048))
        );
        assert_eq!(parse_time("garbage"), None);
        assert_eq!(parse_time(""), None);
    }

    #[test]
    fn command_lines_are_quoted_only_where_needed() {
        let args: Vec<OsString> = ["-i", "/a b/c.mp4", "v:0,name:x y", "it's", ""]
            .map(OsString::from)
            .into();
        assert_eq!(
            shell_line("ffmpeg".as_ref(), &args),
            r"ffmpeg -i '/a b/c.mp4' 'v:0,name:x y' 'it'\''s' ''"
        );
    }

    #[test]
    fn only_complete_segments_count() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("media/bench/720p");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(deep.join("seg00000.ts.tmp"), b"x").unwrap();
        std::fs::write(deep.join("seg00000.ts#1"), b"x").unwrap();
        std::fs::create_dir_all(deep.join("dir.ts")).unwrap();
        assert!(!has_segment(dir.path(), 4));
        std::fs::rename(deep.join("seg00000.ts.tmp"), deep.join("seg00000.ts")).unwrap();
        assert!(has_segment(dir.path(), 4));
        assert!(!has_segment(dir.path(), 1), "depth bounds the scan");
    }

    #[test]
    fn a_run_is_accounted_and_its_segment_seen() {
        let time_bin = PathBuf::from("/usr/bin/time");
        if !time_bin.exists() {
            panic!("GNU time is needed: apt-get install time");
        }
        let dir = tempfile::tempdir().unwrap();
        let watch = dir.path().join("out");
        let script = format!(
            "sleep 0.2; mkdir -p {w}/a; echo x > {w}/a/s.ts.tmp; mv {w}/a/s.ts.tmp {w}/a/s.ts; sleep 0.3; echo done",
            w = watch.display()
        );
        let spec = Spec {
            program: "sh".into(),
            args: vec!["-c".into(), script.into()],
            watch,
            logs: dir.path().to_path_buf(),
            name: "t".into(),
            time_bin,
            timeout: Duration::from_secs(60),
        };
        let m = measure(&spec).unwrap();
        let first = m.first_segment_s.unwrap();
        assert!(first >= 0.2 && first < m.wall_s, "{m:?}");
        assert!(m.wall_s >= 0.5, "{m:?}");
        assert!(m.max_rss_kib > 0, "{m:?}");
        assert_eq!(m.stdout, b"done\n");

        let failing = Spec {
            args: vec!["-c".into(), "echo oops >&2; exit 3".into()],
            ..spec
        };
        let e = measure(&failing).unwrap_err().to_string();
        assert!(e.contains("oops"), "{e}");

        let stuck = Spec {
            args: vec!["-c".into(), "sleep 30".into()],
            timeout: Duration::from_millis(300),
            ..failing
        };
        let e = measure(&stuck).unwrap_err().to_string();
        assert!(e.contains("timeout"), "{e}");
    }
}
