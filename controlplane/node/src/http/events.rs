//! `POST /api/v1/events`: how systems without NATS feed the node.
//!
//! Needs the API key in `x-api-key` (compared in constant time). The body is a whole
//! envelope or `{event_type, payload}` (missing `event_id`, `timestamp` and `source` are
//! filled in), at most the shard's collect limit (1 MiB; larger bodies get 413). The
//! payload is checked against its event type; the event is published and only a bus
//! acknowledgement yields `202` with `{event_id, event_type, sequence, duplicate}`.
//! Errors: 400 (bad JSON, unknown type, bad field — the message names it), 401 (no or wrong
//! key), 413 (too large), 503 (bus down).

use bytes::Bytes;
use codecs::Completion;
use hyper::{Request, Response, StatusCode};
use subtle::ConstantTimeEq;

use super::response::{Body, json, json_error};
use crate::node::Services;

/// Handles one submission.
pub async fn publish(req: Request<Bytes>, services: &Services) -> Response<Body> {
    let presented = req
        .headers()
        .get("x-api-key")
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    let expected = services.api_key.expose().as_bytes();
    if presented.is_empty() || !bool::from(presented.ct_eq(expected)) {
        return json_error(StatusCode::UNAUTHORIZED, "missing or wrong x-api-key");
    }
    let body = req.into_body();
    let event = match codecs::Event::decode_with(&body, Completion::FillWith { source: "api" }) {
        Ok(event) => event,
        Err(e) => return json_error(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    match bus::publish_event(services.bus.as_ref(), &event).await {
        Ok(ack) => {
            metrics::counter!("armoricore_events_published_total",
                "event_type" => event.event_type.as_str(), "via" => "http")
            .increment(1);
            json(
                StatusCode::ACCEPTED,
                &serde_json::json!({
                    "event_id": event.event_id,
                    "event_type": event.event_type,
                    "sequence": ack.sequence,
                    "duplicate": ack.duplicate,
                }),
            )
        }
        Err(e) => {
            tracing::warn!(error = %e, event_id = %event.event_id, "publish failed");
            json_error(
                StatusCode::SERVICE_UNAVAILABLE,
                &format!("the bus did not acknowledge the event: {e}"),
            )
        }
    }
}
