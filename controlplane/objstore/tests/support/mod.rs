//! Test support: the backends the contract suite runs against (a temp directory; a fresh
//! bucket on a real S3 server), the skip-or-require rule for external services, a
//! deterministic data generator, and a view of unfinished uploads.

#![allow(dead_code)] // each test binary uses a different part of this module

use std::hash::Hasher;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use bytes::Bytes;
use futures::{Stream, StreamExt};
use objstore::{ObjectKey, ObjectStoreConfig, Objects, S3Config, S3Credentials};

/// Address of the S3-compatible test server, e.g. `http://127.0.0.1:5000` (moto).
pub const S3_ENDPOINT_VAR: &str = "ARMORICORE_TEST_S3_ENDPOINT";
/// When `1`, a missing service fails the test instead of skipping it.
pub const REQUIRE_VAR: &str = "ARMORICORE_REQUIRE_SERVICES";

/// The value of `var`, or `None` after printing `SKIPPED: ...` to stderr. Panics instead
/// of skipping when `ARMORICORE_REQUIRE_SERVICES=1`, so CI can never skip silently.
pub fn service_addr(var: &str, what: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Some(v),
        _ => {
            let why = format!("{var} is not set, so there is no {what} to test against");
            if std::env::var(REQUIRE_VAR).as_deref() == Ok("1") {
                panic!("{REQUIRE_VAR}=1 but {why}");
            }
            eprintln!("SKIPPED: {why}");
            None
        }
    }
}

/// Which backend a [`TestStore`] uses, and what is needed to look behind it.
pub enum Kind {
    /// A temp directory (removed when the store is dropped).
    Local(tempfile::TempDir),
    /// A bucket on the S3 test server.
    S3 { endpoint: String, bucket: String },
}

/// An [`Objects`] on a fresh, empty backend.
pub struct TestStore {
    pub objects: Objects,
    pub kind: Kind,
}

/// A store on a new temp directory.
pub fn local() -> TestStore {
    let dir = tempfile::tempdir().unwrap();
    let objects = Objects::open(&ObjectStoreConfig::local(dir.path().join("objects"))).unwrap();
    TestStore {
        objects,
        kind: Kind::Local(dir),
    }
}

/// A store on a new bucket of the S3 test server, or `None` (skipped) without one.
pub async fn s3() -> Option<TestStore> {
    s3_with_prefix(None).await
}

/// Like [`s3`], with every key under `prefix`.
pub async fn s3_with_prefix(prefix: Option<&str>) -> Option<TestStore> {
    let endpoint = service_addr(S3_ENDPOINT_VAR, "S3 server")?;
    let bucket = fresh_bucket_name();
    create_bucket(&endpoint, &bucket).await;
    let mut cfg = s3_config(&endpoint, &bucket);
    cfg.prefix = prefix.map(|p| ObjectKey::new(p).unwrap());
    let objects = Objects::open(&ObjectStoreConfig::s3(cfg)).unwrap();
    Some(TestStore {
        objects,
        kind: Kind::S3 { endpoint, bucket },
    })
}

/// S3 settings for `bucket` on `endpoint` with moto's accept-anything credentials.
pub fn s3_config(endpoint: &str, bucket: &str) -> S3Config {
    let mut cfg = S3Config::new(bucket);
    cfg.endpoint = Some(endpoint.to_owned());
    cfg.credentials = Some(S3Credentials {
        access_key_id: "testing".into(),
        secret_access_key: "testing".into(),
        session_token: None,
    });
    cfg
}

/// A bucket name no other test (in this or another process) uses.
pub fn fresh_bucket_name() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "objstore-test-{}-{nanos}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

fn http() -> reqwest::Client {
    // reqwest is built without a bundled TLS provider; plain http needs none, but the
    // client builder still wants a process default.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// `PUT /bucket`: moto does not check signatures, so no signing is needed.
pub async fn create_bucket(endpoint: &str, bucket: &str) {
    let resp = http()
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("S3 test server at {endpoint} unreachable: {e}"));
    assert!(
        resp.status().is_success(),
        "create bucket: {}",
        resp.status()
    );
}

impl TestStore {
    /// Multipart uploads started but neither completed nor aborted (S3), or local
    /// staging files (`<key>#<n>`) still on disk.
    pub async fn unfinished_uploads(&self) -> usize {
        match &self.kind {
            Kind::S3 { endpoint, bucket } => {
                let body = http()
                    .get(format!("{endpoint}/{bucket}?uploads"))
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap();
                body.matches("<UploadId>").count()
            }
            Kind::Local(dir) => count_staging_files(dir.path().join("objects")),
        }
    }

    /// Waits up to 10 s for [`Self::unfinished_uploads`] to reach zero (aborts spawned by a
    /// drop run in the background); returns what is left.
    pub async fn settle_unfinished_uploads(&self) -> usize {
        let mut left = self.unfinished_uploads().await;
        for _ in 0..100 {
            if left == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            left = self.unfinished_uploads().await;
        }
        left
    }

    /// The local root directory, for the local backend.
    pub fn local_root(&self) -> Option<PathBuf> {
        match &self.kind {
            Kind::Local(dir) => Some(dir.path().join("objects")),
            Kind::S3 { .. } => None,
        }
    }
}

fn count_staging_files(dir: PathBuf) -> usize {
    let mut count = 0;
    let mut stack = vec![dir];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if entry.file_name().to_string_lossy().contains('#') {
                count += 1;
            }
        }
    }
    count
}

pub fn key(s: &str) -> ObjectKey {
    ObjectKey::new(s).unwrap()
}

/// Deterministic pseudo-random bytes: `len` bytes from `seed`, cut into chunks of
/// `chunk` bytes (an odd size exercises part boundaries). Byte `i` depends only on
/// `seed` and `i`, so any chunking yields the same bytes.
pub fn pattern(
    seed: u64,
    len: usize,
    chunk: usize,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> {
    let len = len as u64;
    let mut pos = 0_u64;
    futures::stream::iter(std::iter::from_fn(move || {
        if pos == len {
            return None;
        }
        let end = len.min(pos + chunk as u64);
        let mut buf = Vec::with_capacity((end - pos) as usize);
        while pos < end {
            let word = splitmix64(seed ^ (pos / 8).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let off = (pos % 8) as usize;
            let take = (8 - off).min((end - pos) as usize);
            buf.extend_from_slice(&word.to_le_bytes()[off..off + take]);
            pos += take as u64;
        }
        Some(Ok(Bytes::from(buf)))
    }))
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Length and SipHash of everything a stream yields (independent of chunk boundaries).
pub async fn digest<E: std::fmt::Debug>(
    stream: impl Stream<Item = Result<Bytes, E>>,
) -> (u64, u64) {
    let mut hasher = std::hash::DefaultHasher::new();
    let mut len = 0_u64;
    let mut stream = std::pin::pin!(stream);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.unwrap();
        len += chunk.len() as u64;
        hasher.write(&chunk);
    }
    (len, hasher.finish())
}

/// The whole of `pattern(seed, len, _)`, in memory (for small objects and ranges).
pub async fn pattern_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    let mut s = std::pin::pin!(pattern(seed, len, 1 << 20));
    while let Some(chunk) = s.next().await {
        out.extend_from_slice(&chunk.unwrap());
    }
    out
}
