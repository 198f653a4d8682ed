//! Proves a job writes nothing to the local filesystem besides the object store: the job
//! runs in a child process (this test binary again) whose `TMPDIR` and working directory
//! are empty directories made read-only, and both are still empty when it is done.
//!
//! Read-only does not stop root (the CI user here), so emptiness afterwards is the proof;
//! for other users the writes would also fail outright. A child process is needed because
//! the environment and working directory are process-wide.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

const CHILD: &str = "MEDIA_NO_TEMP_CHILD";

fn is_empty(dir: &Path) -> bool {
    std::fs::read_dir(dir).unwrap().next().is_none()
}

#[test]
fn a_job_writes_no_temp_files() {
    if let Some(base) = std::env::var_os(CHILD) {
        return child(PathBuf::from(base));
    }
    let base = tempfile::tempdir().unwrap();
    let (tmp, cwd, store) = (
        base.path().join("tmp"),
        base.path().join("cwd"),
        base.path().join("store"),
    );
    for d in [&tmp, &cwd, &store] {
        std::fs::create_dir(d).unwrap();
    }
    // The source is made here, outside the restricted process.
    std::fs::write(base.path().join("source.mp4"), common::av_720p_mp4()).unwrap();
    for d in [&tmp, &cwd] {
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o555)).unwrap();
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "a_job_writes_no_temp_files",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, base.path())
        .env("TMPDIR", &tmp)
        .env("TMP", &tmp)
        .env("TEMP", &tmp)
        .current_dir(&cwd)
        .output()
        .unwrap();
    let log =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    for d in [&tmp, &cwd] {
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    assert!(out.status.success(), "child failed:\n{log}");
    assert!(
        log.contains("CHILD-DONE"),
        "the child did not run the job:\n{log}"
    );
    assert!(
        is_empty(&tmp),
        "files appeared in TMPDIR: {:?}",
        std::fs::read_dir(&tmp).unwrap().collect::<Vec<_>>()
    );
    assert!(is_empty(&cwd), "files appeared in the working directory");
    assert!(common::stored(&store, "notemp", "master.m3u8").exists());
}

fn child(base: PathBuf) {
    let source = std::fs::read(base.join("source.mp4")).unwrap();
    let sink = common::sink_at(&base.join("store"), "notemp");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let report = rt
        .block_on(media::transcode(
            common::chunks(source),
            &media::JobOptions::default(),
            sink,
        ))
        .unwrap();
    assert_eq!(report.renditions.len(), 3);
    println!("CHILD-DONE");
}
