//! Proves `JobOptions::thread_nice`: while a real transcode runs, every thread it starts
//! (GStreamer's streaming threads, named `element:pad`, and the x264 threads they start,
//! which inherit the name) runs at the job's nice value, and the test's own threads keep
//! theirs. Threads are read from `/proc/self/task` every few milliseconds during the job.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::*;
use media::JobOptions;

/// (name, nice) of every thread of this process.
fn threads() -> BTreeMap<u32, (String, i32)> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir("/proc/self/task").unwrap().flatten() {
        let Ok(tid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        // A thread may end between the listing and the read.
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let name = stat[open + 1..close].to_string();
        // Fields after the name start at field 3 (state); nice is field 19.
        let nice = stat[close + 2..]
            .split_whitespace()
            .nth(16)
            .and_then(|n| n.parse().ok())
            .unwrap();
        out.insert(tid, (name, nice));
    }
    out
}

/// Runs one job at `nice` and returns the threads that appeared while it ran and carry a
/// GStreamer streaming-thread name, with the nice value each was seen at (all samples).
async fn job_threads(id: &str, data: Vec<u8>, nice: i32) -> BTreeMap<u32, (String, BTreeSet<i32>)> {
    let before: BTreeSet<u32> = threads().into_keys().collect();
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let done = Arc::clone(&done);
        std::thread::spawn(move || {
            let mut seen: BTreeMap<u32, (String, BTreeSet<i32>)> = BTreeMap::new();
            while !done.load(Ordering::Acquire) {
                for (tid, (name, nice)) in threads() {
                    if before.contains(&tid) || !name.contains(':') {
                        continue;
                    }
                    let entry = seen
                        .entry(tid)
                        .or_insert_with(|| (name.clone(), BTreeSet::new()));
                    entry.0 = name;
                    entry.1.insert(nice);
                }
                std::thread::sleep(Duration::from_millis(2));
            }
            seen
        })
    };
    let (_dir, sink) = local_sink(id);
    let options = JobOptions {
        thread_nice: nice,
        ..JobOptions::default()
    };
    media::transcode(chunks(data), &options, sink)
        .await
        .unwrap_or_else(|e| panic!("{id}: {e}"));
    done.store(true, Ordering::Release);
    sampler.join().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_jobs_threads_run_at_its_nice_value_and_no_other_thread_does() {
    let own = threads();
    let data = av_720p_mp4();

    // 0 leaves the threads alone (this job runs first: lowering is never undone, and
    // GStreamer reuses its idle threads).
    let untouched = job_threads("nice-0", data.clone(), 0).await;
    assert!(
        untouched.values().any(|(_, n)| n.contains(&0)),
        "no streaming thread seen: {untouched:?}"
    );
    assert!(
        untouched.values().all(|(_, n)| n == &BTreeSet::from([0])),
        "{untouched:?}"
    );

    let lowered = job_threads("nice-7", data, 7).await;
    // The streaming threads of the pipeline and x264's (same name, more of them).
    assert!(lowered.len() >= 3, "too few threads seen: {lowered:?}");
    for (tid, (name, nices)) in &lowered {
        assert_eq!(
            nices,
            &BTreeSet::from([7]),
            "thread {tid} ({name}) ran at another priority"
        );
    }
    let encoders = lowered
        .values()
        .filter(|(name, _)| name.starts_with("queue"))
        .count();
    assert!(
        encoders >= 2,
        "x264's threads (named after the video queue's) were not seen: {lowered:?}"
    );

    // The test's own threads (this one, tokio's workers) keep their priority.
    let now = threads();
    for (tid, (name, nice)) in own {
        if let Some((_, after)) = now.get(&tid) {
            assert_eq!(*after, nice, "thread {tid} ({name}) changed priority");
        }
    }
}
