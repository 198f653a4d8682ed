//! The HTTP listener on port 4000 and its routing.
//!
//! HTTP/1.1 on tokio with hyper 1. Each connection has a 10 s header-read timeout; a stop
//! request stops accepting, then lets connections finish for the grace period. The data
//! plane issue moves this listener onto the shards; the routes stay as they are.
//!
//! # Routes
//! - `GET /health`, `GET /api/health`: JSON state of bus, store and object storage; always
//!   200 while the process serves (it is a liveness answer), `status` says `ok` or `degraded`.
//! - `GET /ready`: 200 when every part answers, 503 otherwise (a readiness answer).
//! - `GET /metrics`: Prometheus text.
//! - `POST /api/v1/events`: event intake (see [`events`]).

mod events;
mod health;
mod metrics;
mod response;

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::node::Services;
pub use metrics::prometheus_handle;
use response::{Body, json_error};

/// How long a client may take to send its request headers.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Accepts connections until `stop` turns true, then drains within the grace period.
pub async fn serve(
    listener: TcpListener,
    services: Arc<Services>,
    mut stop: watch::Receiver<bool>,
) {
    let graceful = GracefulShutdown::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(pair) => pair,
                    Err(e) => {
                        // Out of file descriptors or similar: back off instead of spinning.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let services = services.clone();
                let service = service_fn(move |req| {
                    let services = services.clone();
                    async move { Ok::<_, Infallible>(route(req, &services).await) }
                });
                let conn = http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(HEADER_READ_TIMEOUT)
                    .serve_connection(TokioIo::new(stream), service);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    if let Err(e) = conn.await {
                        tracing::debug!(%peer, error = %e, "connection ended with an error");
                    }
                });
            }
            _ = stop.changed() => break,
        }
    }
    drop(listener);
    let grace = services.config.shutdown_grace;
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            ?grace,
            "connections still open after the grace period; closing them"
        );
    }
}

async fn route(req: Request<Incoming>, services: &Services) -> Response<Body> {
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
        (_, "/health" | "/api/health" | "/ready" | "/metrics" | "/api/v1/events") => (
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
