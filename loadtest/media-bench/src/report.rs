//! Owns the results: one [`Record`] per run (written as JSON lines by the driver), and
//! the Markdown table that puts the contenders side by side per source, median and
//! spread (min–max) of each figure, plus the ratio of the medians, and the speed ratio of
//! each pair of runs: run *i* of ours and run *i* of ffmpeg follow each other, so they
//! share the machine's state of the moment (another tenant, the host's clock), which
//! the medians of a noisy machine do not cancel.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::{Deserialize, Serialize};

/// Contender names as they appear in records and tables.
pub const OURS: &str = "ours";
/// The peer.
pub const FFMPEG: &str = "ffmpeg";

/// One run of one contender on one source.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Record {
    /// Source label (`1080p`, `720p`).
    pub source: String,
    /// [`OURS`] or [`FFMPEG`].
    pub contender: String,
    /// Run number of this contender on this source, from 1.
    pub run: usize,
    /// Container duration of the source, seconds.
    pub source_duration_s: f64,
    /// Spawn to exit, seconds.
    pub wall_s: f64,
    /// Source seconds per wall second.
    pub speed: f64,
    /// User CPU seconds.
    pub user_s: f64,
    /// System CPU seconds.
    pub sys_s: f64,
    /// Peak RSS, KiB.
    pub max_rss_kib: u64,
    /// Spawn to the first complete segment on disk, seconds.
    pub first_segment_s: Option<f64>,
    /// Ours only: the first segment committed, from the job's start (our sink's view).
    pub job_first_segment_s: Option<f64>,
    /// 1-minute load average just before the run.
    pub load1_before: Option<f64>,
    /// 1-minute load average just after the run.
    pub load1_after: Option<f64>,
    /// Video renditions produced.
    pub renditions: usize,
    /// Segments produced, all renditions.
    pub segments: usize,
}

/// Median and spread of a set of figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stat {
    /// Median (mean of the two middle values for an even count).
    pub median: f64,
    /// Smallest.
    pub min: f64,
    /// Largest.
    pub max: f64,
}

/// `None` for no values.
pub fn stat(values: &[f64]) -> Option<Stat> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    Some(Stat {
        median,
        min: v[0],
        max: v[n - 1],
    })
}

type Figure = (&'static str, fn(&Record) -> Option<f64>, usize);

const FIGURES: [Figure; 7] = [
    ("speed (source s / wall s)", |r| Some(r.speed), 2),
    ("wall s", |r| Some(r.wall_s), 1),
    ("CPU s (user + sys)", |r| Some(r.user_s + r.sys_s), 1),
    ("peak RSS MiB", |r| Some(r.max_rss_kib as f64 / 1024.0), 0),
    ("first segment s, from spawn", |r| r.first_segment_s, 2),
    (
        "first segment s, from job start (sink)",
        |r| r.job_first_segment_s,
        2,
    ),
    ("load average (1 min) before run", |r| r.load1_before, 2),
];

fn cell(s: Option<Stat>, digits: usize) -> String {
    match s {
        Some(s) => format!("{:.d$} ({:.d$}–{:.d$})", s.median, s.min, s.max, d = digits),
        None => "–".into(),
    }
}

/// The Markdown comparison: one table per source, in the order sources first appear.
pub fn table(records: &[Record]) -> String {
    let mut sources: Vec<&str> = Vec::new();
    for r in records {
        if !sources.contains(&r.source.as_str()) {
            sources.push(&r.source);
        }
    }
    let mut out = String::new();
    for source in sources {
        let of = |c: &str| -> Vec<&Record> {
            records
                .iter()
                .filter(|r| r.source == source && r.contender == c)
                .collect()
        };
        let (ours, peer) = (of(OURS), of(FFMPEG));
        let shape = |rs: &[&Record]| -> BTreeMap<(usize, usize), usize> {
            let mut m = BTreeMap::new();
            for r in rs {
                *m.entry((r.renditions, r.segments)).or_insert(0) += 1;
            }
            m
        };
        let _ = writeln!(
            out,
            "### {source} source ({} runs of ours, {} of ffmpeg, alternating)\n",
            ours.len(),
            peer.len()
        );
        let _ = writeln!(
            out,
            "| figure | ours: median (min–max) | ffmpeg: median (min–max) | ours / ffmpeg |"
        );
        let _ = writeln!(out, "|---|---|---|---|");
        for (name, get, digits) in FIGURES {
            let pick = |rs: &[&Record]| stat(&rs.iter().filter_map(|r| get(r)).collect::<Vec<_>>());
            let (a, b) = (pick(&ours), pick(&peer));
            let ratio = match (a, b) {
                (Some(a), Some(b)) if b.median != 0.0 => format!("{:.2}", a.median / b.median),
                _ => "–".into(),
            };
            let _ = writeln!(
                out,
                "| {name} | {} | {} | {ratio} |",
                cell(a, digits),
                cell(b, digits)
            );
        }
        if let Some(line) = paired_speed(&ours, &peer) {
            let _ = writeln!(out, "\n{line}");
        }
        let _ = writeln!(
            out,
            "\n(video renditions, segments) → runs: ours {:?}, ffmpeg {:?}\n",
            shape(&ours),
            shape(&peer)
        );
    }
    out
}

/// The speed ratio (ours / ffmpeg) of each pair of runs with the same run number, their
/// median, and how many pairs ours won; `None` when no run has a partner.
fn paired_speed(ours: &[&Record], peer: &[&Record]) -> Option<String> {
    let mut ratios: Vec<(usize, f64)> = ours
        .iter()
        .filter_map(|o| {
            let p = peer.iter().find(|p| p.run == o.run)?;
            (p.speed > 0.0).then(|| (o.run, o.speed / p.speed))
        })
        .collect();
    ratios.sort_by_key(|(run, _)| *run);
    let values: Vec<f64> = ratios.iter().map(|(_, r)| *r).collect();
    let s = stat(&values)?;
    let won = values.iter().filter(|r| **r > 1.0).count();
    let each: Vec<String> = values.iter().map(|r| format!("{r:.3}")).collect();
    Some(format!(
        "Speed ours / ffmpeg, pair by pair (run i of each, back to back): {}; median {:.3}, \
         ours faster in {won} of {} pairs.",
        each.join(", "),
        s.median,
        values.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_has(table: &str, line: &str) {
        assert!(table.contains(line), "{line:?} is not in:\n{table}");
    }

    fn rec(contender: &str, run: usize, wall: f64, rss_mib: u64) -> Record {
        Record {
            source: "1080p".into(),
            contender: contender.into(),
            run,
            source_duration_s: 60.0,
            wall_s: wall,
            speed: 60.0 / wall,
            user_s: wall * 1.5,
            sys_s: 1.0,
            max_rss_kib: rss_mib * 1024,
            first_segment_s: Some(5.0),
            job_first_segment_s: (contender == OURS).then_some(4.5),
            load1_before: Some(1.0),
            load1_after: Some(2.0),
            renditions: 4,
            segments: 60,
        }
    }

    #[test]
    fn medians_and_spreads() {
        assert_eq!(stat(&[]), None);
        assert_eq!(
            stat(&[3.0, 1.0, 2.0]),
            Some(Stat {
                median: 2.0,
                min: 1.0,
                max: 3.0
            })
        );
        assert_eq!(stat(&[4.0, 1.0, 2.0, 10.0]).map(|s| s.median), Some(3.0));
        assert_eq!(stat(&[f64::NAN, 1.0]).map(|s| s.median), Some(1.0));
    }

    #[test]
    fn the_table_puts_the_contenders_side_by_side() {
        let records = vec![
            rec(OURS, 1, 60.0, 300),
            rec(FFMPEG, 1, 30.0, 600),
            rec(OURS, 2, 40.0, 310),
            rec(FFMPEG, 2, 30.0, 620),
            rec(OURS, 3, 50.0, 320),
            rec(FFMPEG, 3, 30.0, 610),
        ];
        let t = table(&records);
        assert_has(&t, "### 1080p source (3 runs of ours, 3 of ffmpeg");
        assert_has(
            &t,
            "| wall s | 50.0 (40.0–60.0) | 30.0 (30.0–30.0) | 1.67 |",
        );
        assert_has(
            &t,
            "| peak RSS MiB | 310 (300–320) | 610 (600–620) | 0.51 |",
        );
        assert_has(
            &t,
            "| first segment s, from job start (sink) | 4.50 (4.50–4.50) | – | – |",
        );
        assert_has(&t, "ours {(4, 60): 3}, ffmpeg {(4, 60): 3}");
        assert_has(
            &t,
            "pair by pair (run i of each, back to back): 0.500, 0.750, 0.600; median 0.600, ours faster in 0 of 3 pairs.",
        );
    }

    #[test]
    fn pairs_match_run_numbers_and_count_wins() {
        // Out of order, and run 3 of ours has no partner.
        let t = table(&[
            rec(FFMPEG, 2, 30.0, 600),
            rec(OURS, 1, 25.0, 300),
            rec(OURS, 2, 31.0, 300),
            rec(FFMPEG, 1, 30.0, 600),
            rec(OURS, 3, 20.0, 300),
        ]);
        assert_has(
            &t,
            ": 1.200, 0.968; median 1.084, ours faster in 1 of 2 pairs.",
        );
        assert!(!table(&[rec(OURS, 1, 25.0, 300)]).contains("pair by pair"));
    }
}
