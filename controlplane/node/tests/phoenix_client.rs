//! Proves the official `phoenix` JS client (npm `phoenix` with `ws`), unchanged, works
//! against a node: connect with a minted token, heartbeats, join, push and reply, a
//! broadcast from another socket, `user:{id}` authorisation, leave and rejoin.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod support;

use std::path::PathBuf;
use std::time::Duration;

use armoricore::cli::Role;
use armoricore::node::RunningNode;
use codecs::ResourceId;
use support::config;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_phoenix_client_connects_joins_pushes_and_leaves() {
    let client_dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../loadtest/phoenix-client");
    if !client_dir.join("node_modules/phoenix").is_dir() {
        testkit::skip_or_fail(
            "loadtest/phoenix-client has no node_modules (deploy/bootstrap.sh test-deps runs npm ci)",
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let node = RunningNode::start(config(dir.path(), &[]), Role::All)
        .await
        .unwrap();
    let mint = |user: &str| {
        node.services()
            .tokens
            .mint(&ResourceId::new(user).unwrap(), Duration::from_secs(600))
            .unwrap()
    };
    let output = tokio::process::Command::new("node")
        .arg("compat.mjs")
        .current_dir(&client_dir)
        .env(
            "ARMORICORE_URL",
            format!("ws://{}/socket", node.local_addr()),
        )
        .env("TOKEN_A", mint("a"))
        .env("TOKEN_B", mint("b"))
        .output();
    let output = tokio::time::timeout(Duration::from_secs(60), output)
        .await
        .unwrap()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(stdout.contains("all steps passed"), "{stdout}");
    node.stop().await;
}
