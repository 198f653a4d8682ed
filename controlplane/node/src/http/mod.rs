//! The HTTP routes on port 4000, answered by the control plane.
//!
//! The data-plane shards own the listener and the connections; each request reaches
//! [`route`] through the shard's ring (see `bridge`), and the answer goes back the same
//! way. A body that fits the shard's collect limit (1 MiB) arrives whole; a larger one
//! streams ([`body::RequestBody::Streamed`]) and only `POST /api/v1/media` takes it, the
//! other routes answer 413. An answer is whole, or streamed ([`Body::Stream`], object
//! downloads).
//!
//! # Routes
//! - `GET /health`, `GET /api/health`: JSON state of bus, store and object storage; always
//!   200 while the process serves (it is a liveness answer), `status` says `ok` or `degraded`.
//! - `GET /ready`: 200 when every part answers, 503 otherwise (a readiness answer).
//! - `GET /metrics`: Prometheus text.
//! - `POST /api/v1/events`: event intake (see [`events`]).
//! - `POST|DELETE /api/v1/device-tokens`: a user's push tokens (see [`device_tokens`]).
//! - `POST /api/v1/media`: streaming upload of a media source (see [`uploads`]).
//! - `GET|HEAD|OPTIONS /media/...`: processed media from object storage (see [`media`]).
//!
//! # Layout
//! One module per route family, plus [`body`] (streamed bodies on the rings), [`bearer`]
//! (the JWT of user routes) and [`response`] (body type, JSON answers).

pub mod bearer;
pub mod body;
mod device_tokens;
mod events;
mod health;
pub mod media;
mod metrics;
mod response;
mod uploads;

use std::time::Instant;

use bytes::Bytes;
use hyper::{Method, Request, Response, StatusCode};

use crate::node::Services;
pub use body::RequestBody;
pub use metrics::prometheus_handle;
use response::json_error;
pub use response::{Body, BoxError, ByteStream};

/// Answers one request.
pub async fn route(req: Request<RequestBody>, services: &Services) -> Response<Body> {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let api = services.role.serves_api();
    let (label, response) = match (&method, path.as_str()) {
        (&Method::POST, "/api/v1/media") if api => {
            ("media_upload", uploads::upload(req, services).await)
        }
        (_, p) if p.starts_with(media::URL_PREFIX) && api => (
            "media",
            media::serve(&method, &path, req.headers(), services).await,
        ),
        _ => match whole(req) {
            Some(req) => route_whole(req, services).await,
            None => (
                "too_large",
                json_error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "body larger than the 1 MiB this route takes",
                ),
            ),
        },
    };
    metrics::record_request(label, response.status(), started.elapsed());
    response
}

/// The request with its whole body; `None` for a streamed one.
fn whole(req: Request<RequestBody>) -> Option<Request<Bytes>> {
    let (parts, body) = req.into_parts();
    match body {
        RequestBody::Full(bytes) => Some(Request::from_parts(parts, bytes)),
        RequestBody::Streamed(_) => None,
    }
}

/// The routes that take whole bodies.
async fn route_whole(req: Request<Bytes>, services: &Services) -> (&'static str, Response<Body>) {
    let api = services.role.serves_api();
    match (req.method(), req.uri().path()) {
        (&Method::GET | &Method::HEAD, "/health" | "/api/health") => {
            ("health", health::health(services).await)
        }
        (&Method::GET | &Method::HEAD, "/ready") => ("ready", health::ready(services).await),
        (&Method::GET, "/metrics") => ("metrics", metrics::render()),
        (&Method::POST, "/api/v1/events") if api => {
            ("events", events::publish(req, services).await)
        }
        (&Method::POST, "/api/v1/device-tokens") if api => (
            "device_tokens",
            device_tokens::register(req, services).await,
        ),
        (&Method::DELETE, "/api/v1/device-tokens") if api => {
            ("device_tokens", device_tokens::remove(req, services).await)
        }
        (
            _,
            "/health"
            | "/api/health"
            | "/ready"
            | "/metrics"
            | "/api/v1/events"
            | "/api/v1/device-tokens"
            | "/api/v1/media",
        ) => (
            "method_not_allowed",
            json_error(
                StatusCode::METHOD_NOT_ALLOWED,
                "method not allowed on this path",
            ),
        ),
        (_, path) => (
            "not_found",
            json_error(StatusCode::NOT_FOUND, &format!("no route for {path}")),
        ),
    }
}
