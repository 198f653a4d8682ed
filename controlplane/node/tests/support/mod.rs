//! Shared helpers of the node's integration tests: configuration for a node in a temp
//! dir, and a tiny HTTP client.
#![allow(clippy::unwrap_used)] // tests may unwrap
#![allow(dead_code)] // each test binary uses a different subset

pub mod media;

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

/// The address of an `http://host:port` URL (a test service's endpoint).
pub fn addr_of(url: &str) -> SocketAddr {
    url.trim_start_matches("http://")
        .parse()
        .unwrap_or_else(|e| panic!("not http://host:port ({e}): {url}"))
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

/// A WebSocket client speaking the Phoenix V2 JSON serializer, for socket tests.
pub mod socket {
    use std::collections::{BTreeMap, BTreeSet};
    use std::time::Duration;

    use futures::{SinkExt, StreamExt};
    use serde_json::Value;
    use tokio::net::TcpStream;
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

    /// A client socket.
    pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

    /// Connects to the node at `addr` with `token`, V2 serializer.
    pub async fn connect_v2(addr: std::net::SocketAddr, token: &str) -> Socket {
        let url = format!("ws://{addr}/socket/websocket?token={token}&vsn=2.0.0");
        tokio_tungstenite::connect_async(url).await.unwrap().0
    }

    /// The next text frame (10 s at most).
    pub async fn next_text(socket: &mut Socket) -> String {
        loop {
            let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
                .await
                .expect("no message within 10 s")
                .expect("socket closed")
                .unwrap();
            if let Message::Text(text) = message {
                return text.to_string();
            }
        }
    }

    /// Sends a text frame.
    pub async fn send(socket: &mut Socket, text: &str) {
        socket.send(Message::text(text)).await.unwrap();
    }

    /// A decoded V2 message: `[join_ref, ref, topic, event, payload]`.
    #[derive(Debug, Clone)]
    pub struct Msg {
        pub msg_ref: Option<String>,
        pub topic: String,
        pub event: String,
        pub payload: Value,
    }

    /// The next message (10 s at most).
    pub async fn next_msg(socket: &mut Socket) -> Msg {
        let text = next_text(socket).await;
        let v: Value = serde_json::from_str(&text).unwrap();
        Msg {
            msg_ref: v[1].as_str().map(str::to_string),
            topic: v[2].as_str().unwrap().to_string(),
            event: v[3].as_str().unwrap().to_string(),
            payload: v[4].clone(),
        }
    }

    /// The next message with `event` on `topic`, skipping others (10 s at most each).
    pub async fn next_event(socket: &mut Socket, topic: &str, event: &str) -> Value {
        loop {
            let m = next_msg(socket).await;
            if m.topic == topic && m.event == event {
                return m.payload;
            }
        }
    }

    /// Pushes `event` with `payload` and returns the reply's `(status, response)`, keeping
    /// whatever else arrives before it in `others`.
    pub async fn push(
        socket: &mut Socket,
        topic: &str,
        event: &str,
        payload: Value,
        msg_ref: &str,
        others: &mut Vec<Msg>,
    ) -> (String, Value) {
        let frame = serde_json::json!(["1", msg_ref, topic, event, payload]);
        send(socket, &frame.to_string()).await;
        loop {
            let m = next_msg(socket).await;
            if m.event == "phx_reply" && m.msg_ref.as_deref() == Some(msg_ref) {
                let status = m.payload["status"].as_str().unwrap().to_string();
                return (status, m.payload["response"].clone());
            }
            others.push(m);
        }
    }

    /// Joins `topic` with `payload`; the reply's `(status, response)`.
    pub async fn join(
        socket: &mut Socket,
        topic: &str,
        payload: Value,
        others: &mut Vec<Msg>,
    ) -> (String, Value) {
        push(socket, topic, "phx_join", payload, "join", others).await
    }

    /// A client's view of a topic's presence, kept as the phoenix JS client keeps it:
    /// `presence_state` replaces, `presence_diff` adds and removes metas by `phx_ref`.
    #[derive(Debug, Default, Clone, PartialEq)]
    pub struct PresenceView(pub BTreeMap<String, BTreeSet<String>>);

    impl PresenceView {
        /// Applies a `presence_state` or `presence_diff` message; others are ignored.
        pub fn apply(&mut self, m: &Msg) {
            let refs = |metas: &Value| -> BTreeSet<String> {
                metas["metas"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| m["phx_ref"].as_str().unwrap().to_string())
                    .collect()
            };
            match m.event.as_str() {
                "presence_state" => {
                    self.0 = m
                        .payload
                        .as_object()
                        .unwrap()
                        .iter()
                        .map(|(k, v)| (k.clone(), refs(v)))
                        .collect();
                }
                "presence_diff" => {
                    for (key, v) in m.payload["joins"].as_object().unwrap() {
                        self.0.entry(key.clone()).or_default().extend(refs(v));
                    }
                    for (key, v) in m.payload["leaves"].as_object().unwrap() {
                        if let Some(held) = self.0.get_mut(key) {
                            for r in refs(v) {
                                held.remove(&r);
                            }
                            if held.is_empty() {
                                self.0.remove(key);
                            }
                        }
                    }
                }
                _ => {}
            }
        }

        /// The users present.
        pub fn users(&self) -> Vec<&str> {
            self.0.keys().map(String::as_str).collect()
        }

        /// How many metas `user` has.
        pub fn metas(&self, user: &str) -> usize {
            self.0.get(user).map_or(0, BTreeSet::len)
        }
    }

    /// Reads presence messages into `view` until `done(view)` holds (10 s at most).
    pub async fn presence_until(
        socket: &mut Socket,
        view: &mut PresenceView,
        done: impl Fn(&PresenceView) -> bool,
    ) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while !done(view) {
            let m = tokio::time::timeout_at(deadline, next_msg(socket))
                .await
                .unwrap_or_else(|_| panic!("presence never reached the expected view: {view:?}"));
            view.apply(&m);
        }
    }
}
