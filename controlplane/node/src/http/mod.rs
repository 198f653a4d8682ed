//! The HTTP routes on port 4000, answered by the control plane.
//!
//! The data-plane shards own the listener and the connections; each request reaches
//! [`route`] whole through the shard's ring (see `bridge`), and the answer goes back the
//! same way. Bodies are limited by the shards (1 MiB, 413 beyond).
//!
//! # Routes
//! - `GET /health`, `GET /api/health`: JSON state of bus, store and object storage; always
//!   200 while the process serves (it is a liveness answer), `status` says `ok` or `degraded`.
//! - `GET /ready`: 200 when every part answers, 503 otherwise (a readiness answer).
//! - `GET /metrics`: Prometheus text.
//! - `POST /api/v1/events`: event intake (see [`events`]).
//! - `POST|DELETE /api/v1/device-tokens`: a user's push tokens (see [`device_tokens`]).

mod device_tokens;
mod events;
mod health;
mod metrics;
mod response;

use std::time::Instant;

use bytes::Bytes;
use hyper::{Method, Request, Response, StatusCode};

use crate::node::Services;
pub use metrics::prometheus_handle;
pub use response::Body;
use response::json_error;

/// Answers one request.
pub async fn route(req: Request<Bytes>, services: &Services) -> Response<Body> {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let (label, response) = match (&method, path.as_str()) {
        (&Method::GET | &Method::HEAD, "/health" | "/api/health") => {
            ("health", health::health(services).await)
        }
        (&Method::GET | &Method::HEAD, "/ready") => ("ready", health::ready(services).await),
        (&Method::GET, "/metrics") => ("metrics", metrics::render()),
        (&Method::POST, "/api/v1/events") if services.role.serves_api() => {
            ("events", events::publish(req, services).await)
        }
        (&Method::POST, "/api/v1/device-tokens") if services.role.serves_api() => (
            "device_tokens",
            device_tokens::register(req, services).await,
        ),
        (&Method::DELETE, "/api/v1/device-tokens") if services.role.serves_api() => {
            ("device_tokens", device_tokens::remove(req, services).await)
        }
        (
            _,
            "/health"
            | "/api/health"
            | "/ready"
            | "/metrics"
            | "/api/v1/events"
            | "/api/v1/device-tokens",
        ) => (
            "method_not_allowed",
            json_error(
                StatusCode::METHOD_NOT_ALLOWED,
                "method not allowed on this path",
            ),
        ),
        _ => (
            "not_found",
            json_error(StatusCode::NOT_FOUND, &format!("no route for {path}")),
        ),
    };
    metrics::record_request(label, response.status(), started.elapsed());
    response
}
