//! `/health` and `/ready`: each part is asked for a real round trip, in parallel, each
//! bounded by [`CHECK_TIMEOUT`] so a hung dependency shows as unhealthy instead of hanging
//! the probe.

use std::time::Duration;

use hyper::{Response, StatusCode};
use serde_json::json;

use super::response::{Body, json};
use crate::node::Services;

/// How long one part may take to answer a health check.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

struct Check {
    ok: bool,
    kind: String,
    detail: String,
}

impl Check {
    fn to_json(&self) -> serde_json::Value {
        json!({
            "status": if self.ok { "ok" } else { "unavailable" },
            "kind": self.kind,
            "detail": self.detail,
        })
    }
}

async fn bounded<F>(kind: String, check: F) -> Check
where
    F: std::future::Future<Output = Result<String, String>>,
{
    match tokio::time::timeout(CHECK_TIMEOUT, check).await {
        Ok(Ok(detail)) => Check {
            ok: true,
            kind,
            detail,
        },
        Ok(Err(detail)) => Check {
            ok: false,
            kind,
            detail,
        },
        Err(_) => Check {
            ok: false,
            kind,
            detail: format!("no answer within {CHECK_TIMEOUT:?}"),
        },
    }
}

async fn checks(services: &Services) -> [Check; 3] {
    let bus = bounded(services.bus.kind().to_string(), async {
        let h = services.bus.health().await;
        if h.connected {
            Ok(h.detail)
        } else {
            Err(h.detail)
        }
    });
    let store = bounded(services.store.kind().to_string(), async {
        services
            .store
            .health()
            .await
            .map(|()| "answering".to_string())
            .map_err(|e| e.to_string())
    });
    let objects = bounded(services.objects.describe().to_string(), async {
        services
            .objects
            .health()
            .await
            .map(|()| "answering".to_string())
            .map_err(|e| e.to_string())
    });
    let (bus, store, objects) = tokio::join!(bus, store, objects);
    [bus, store, objects]
}

/// Liveness with details: 200 while serving; `status` is `ok` or `degraded`.
pub async fn health(services: &Services) -> Response<Body> {
    let [bus, store, objects] = checks(services).await;
    let ok = bus.ok && store.ok && objects.ok;
    json(
        StatusCode::OK,
        &json!({
            "status": if ok { "ok" } else { "degraded" },
            "version": env!("CARGO_PKG_VERSION"),
            "role": services.role.as_str(),
            "components": {
                "bus": bus.to_json(),
                "store": store.to_json(),
                "object_store": objects.to_json(),
            }
        }),
    )
}

/// Readiness: 200 when every part answers, 503 naming the ones that do not.
pub async fn ready(services: &Services) -> Response<Body> {
    let [bus, store, objects] = checks(services).await;
    let failing: Vec<&str> = [("bus", &bus), ("store", &store), ("object_store", &objects)]
        .into_iter()
        .filter(|(_, c)| !c.ok)
        .map(|(name, _)| name)
        .collect();
    if failing.is_empty() {
        json(StatusCode::OK, &json!({ "ready": true }))
    } else {
        json(
            StatusCode::SERVICE_UNAVAILABLE,
            &json!({ "ready": false, "failing": failing }),
        )
    }
}
