//! Shared helpers of the node's integration tests: configuration for a node in a temp
//! dir, and a tiny HTTP client.
#![allow(clippy::unwrap_used)] // tests may unwrap
#![allow(dead_code)] // each test binary uses a different subset

use std::net::SocketAddr;

use armoricore::config::{Config, RawConfig};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// A configuration on port 0 in `data_dir`, with extra variables.
pub fn config(data_dir: &std::path::Path, extra: &[(&str, &str)]) -> Config {
    let data = data_dir.to_str().unwrap().to_string();
    let mut pairs = vec![
        ("ARMORICORE_DATA_DIR", data.as_str()),
        ("PORT", "0"),
        ("ARMORICORE_BIND", "127.0.0.1"),
        ("SHUTDOWN_GRACE_SECS", "2"),
    ];
    pairs.extend_from_slice(extra);
    Config::resolve(&RawConfig::from_pairs(pairs)).unwrap()
}

/// An HTTP answer: status and JSON (or text wrapped in a JSON string).
pub struct Answer {
    pub status: u16,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// Sends a request to the node at `addr`.
pub async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Answer {
    let mut builder = Request::builder()
        .method(method)
        .uri(format!("http://{addr}{path}"));
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    let request = builder.body(Full::new(body.into())).unwrap();
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let response = client.request(request).await.unwrap();
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// A valid `media.uploaded` payload for `media_id`.
pub fn media_uploaded(media_id: &str) -> serde_json::Value {
    serde_json::json!({
        "media_id": media_id, "user_id": "u-1", "source": "uploads/a.mp4",
        "content_type": "video/mp4", "file_size": 1234
    })
}
