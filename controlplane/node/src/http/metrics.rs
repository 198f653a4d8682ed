//! Prometheus metrics: the process-wide recorder and the HTTP request counters.
//!
//! The recorder is installed once per process (tests start several nodes in one process,
//! and they share it).

use std::sync::OnceLock;
use std::time::Duration;

use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Response, StatusCode};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use super::response::{Body, json_error};

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process's Prometheus handle, installing the recorder on first use. `None` when
/// another recorder was installed first.
pub fn prometheus_handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok().map(|()| handle)
        })
        .as_ref()
}

/// `GET /metrics`.
pub fn render() -> Response<Body> {
    match prometheus_handle() {
        Some(handle) => {
            let mut response = Response::new(Body::from(handle.render()));
            response.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4"),
            );
            response
        }
        None => json_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "metrics recorder unavailable",
        ),
    }
}

/// Counts one request and its latency.
pub fn record_request(route: &'static str, status: StatusCode, elapsed: Duration) {
    prometheus_handle();
    let status = status.as_u16().to_string();
    metrics::counter!("armoricore_http_requests_total", "route" => route, "status" => status)
        .increment(1);
    metrics::histogram!("armoricore_http_request_duration_seconds", "route" => route)
        .record(elapsed.as_secs_f64());
}
