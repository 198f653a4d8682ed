//! Proves the `armoricore` binary's commands: configuration errors name the variable,
//! `token` mints what the node accepts with a secret created once, `migrate` creates the
//! schema, and `publish` hands events to a running embedded node idempotently.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod support;

use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use armoricore::auth::TokenKeys;
use support::config;

fn armoricore(data_dir: &std::path::Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_armoricore"))
        .args(args)
        .env_clear()
        .env("ARMORICORE_DATA_DIR", data_dir)
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).to_string()
}

#[test]
fn a_bad_variable_stops_the_binary_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = armoricore(dir.path(), &[("PORT", "forty")], &["migrate"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("PORT=\"forty\""), "{}", stderr(&out));
    let out = armoricore(dir.path(), &[("DATABASE_URL", "mysql://x")], &["node"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("DATABASE_URL"), "{}", stderr(&out));
}

#[test]
fn token_mints_with_the_data_dir_secret_the_node_uses() {
    let dir = tempfile::tempdir().unwrap();
    let first = armoricore(dir.path(), &[], &["token", "--user", "alice"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let second = armoricore(
        dir.path(),
        &[],
        &["token", "--user", "alice", "--ttl", "60"],
    );
    let keys = TokenKeys::load(&config(dir.path(), &[]).jwt, dir.path()).unwrap();
    for out in [&first, &second] {
        let claims = keys.verify(&stdout(out)).unwrap();
        assert_eq!(claims.sub, "alice");
    }
    let bad = armoricore(dir.path(), &[], &["token", "--user", "../alice"]);
    assert!(!bad.status.success());
}

#[test]
fn migrate_creates_the_sqlite_schema_and_is_repeatable() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let out = armoricore(dir.path(), &[], &["migrate"]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).contains("up to date"), "{}", stdout(&out));
    }
    assert!(dir.path().join("armoricore.db").exists());
}

struct NodeProcess(Child);

impl Drop for NodeProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn publish_reaches_a_running_embedded_node_once_per_event_id() {
    let dir = tempfile::tempdir().unwrap();
    let port = testkit::free_port().to_string();
    let env = [("PORT", port.as_str()), ("ARMORICORE_BIND", "127.0.0.1")];
    let without_node = armoricore(dir.path(), &env, &["publish", "media.uploaded", "{}"]);
    assert!(!without_node.status.success());

    let child = Command::new(env!("CARGO_BIN_EXE_armoricore"))
        .arg("node")
        .env_clear()
        .env("ARMORICORE_DATA_DIR", dir.path())
        .envs(env)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _node = NodeProcess(child);
    let addr = format!("127.0.0.1:{port}").parse().unwrap();
    assert!(testkit::wait_for_port(addr, Duration::from_secs(20)));

    let payload = r#"{"media_id":"m-1","user_id":"u-1","source":"uploads/a.mp4","content_type":"video/mp4","file_size":10}"#;
    let id = uuid::Uuid::new_v4().to_string();
    let args = [
        "publish",
        "media.uploaded",
        payload,
        "--event-id",
        id.as_str(),
    ];
    let first = armoricore(dir.path(), &env, &args);
    assert!(first.status.success(), "{}", stderr(&first));
    let first: serde_json::Value = serde_json::from_str(&stdout(&first)).unwrap();
    assert_eq!(first["event_id"], id.as_str());
    assert_eq!(first["duplicate"], false);
    let second = armoricore(dir.path(), &env, &args);
    let second: serde_json::Value = serde_json::from_str(&stdout(&second)).unwrap();
    assert_eq!(second["duplicate"], true);

    let invalid = armoricore(
        dir.path(),
        &env,
        &["publish", "media.uploaded", r#"{"media_id":"m"}"#],
    );
    assert!(!invalid.status.success());
    assert!(
        stderr(&invalid).contains("payload.user_id"),
        "{}",
        stderr(&invalid)
    );
}
