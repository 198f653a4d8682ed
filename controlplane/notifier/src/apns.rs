//! APNs: `POST {endpoint}/3/device/{token}` over HTTP/2 with token-based authentication.
//!
//! # Provider token
//! An ES256 JWT with header `{alg: ES256, kid: key id}` and claims `{iss: team id, iat}`,
//! signed with the `.p8` key. Apple refuses tokens older than one hour
//! (`ExpiredProviderToken`) and refreshes more often than every 20 minutes
//! (`TooManyProviderTokenUpdates`), so one token is reused for [`TOKEN_LIFETIME`] (40 min)
//! and then replaced; an `ExpiredProviderToken` answer drops it at once.
//!
//! # Request
//! Headers `authorization: bearer <jwt>`, `apns-topic` (bundle id), `apns-push-type: alert`,
//! `apns-priority: 10`, `apns-expiration` (now + [`EXPIRATION`]), `apns-collapse-id` (the
//! notification id when it fits Apple's 64 bytes, so a resend replaces rather than stacks),
//! `apns-id` (a UUID derived from notification and token, to find it in Apple's logs).
//! Body `{"aps": {"alert": {"title", "body"}, "sound": "default"}, …data}`, at most 4096
//! bytes.
//!
//! # Errors (developer.apple.com, "Handling notification responses from APNs")
//! - 410 (`Unregistered`, `ExpiredToken`) and 400 `BadDeviceToken` → token rejected.
//! - 403 `ExpiredProviderToken` → retryable after dropping the provider token.
//! - 429 `TooManyRequests`, 500, 503 → retryable (`Retry-After` honoured if present).
//! - everything else (`BadTopic`, `DeviceTokenNotForTopic`, `PayloadTooLarge`, …) → permanent.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, StatusCode};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};
use tokio::sync::RwLock;

use crate::error::{Failure, Provider, SendError, SetupError};
use crate::http::{self, HttpClient, Protocols};
use crate::{ApnsConfig, PushMessage};

/// How long one provider token is used (Apple: between 20 and 60 minutes).
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(40 * 60);
/// How long APNs keeps trying an offline device.
pub const EXPIRATION: Duration = Duration::from_secs(24 * 3600);
/// Apple's payload limit for alert notifications.
pub const MAX_PAYLOAD: usize = 4096;
/// Apple's limit on `apns-collapse-id`.
pub const MAX_COLLAPSE_ID: usize = 64;

/// The provider token's claims.
#[derive(Debug, Serialize, Deserialize)]
pub struct ProviderClaims {
    /// Team id.
    pub iss: String,
    /// Issued at (seconds).
    pub iat: u64,
}

struct CachedJwt {
    value: Arc<str>,
    refresh_at: Instant,
}

/// An APNs sender.
pub struct Apns {
    client: HttpClient,
    endpoint: String,
    topic: String,
    key_id: String,
    team_id: String,
    key: EncodingKey,
    jwt: RwLock<Option<CachedJwt>>,
    timeout: Duration,
}

impl Apns {
    /// Reads the key and builds the HTTP/2 client.
    pub fn new(
        config: &ApnsConfig,
        extra_roots: &[PathBuf],
        timeout: Duration,
    ) -> Result<Apns, SetupError> {
        let path = config.key_file.display().to_string();
        let pem = std::fs::read(&config.key_file).map_err(|e| SetupError::File {
            what: "APNs key",
            path: path.clone(),
            reason: e.to_string(),
        })?;
        let key = EncodingKey::from_ec_pem(&pem).map_err(|e| SetupError::File {
            what: "APNs key",
            path,
            reason: format!("not a PKCS#8 P-256 PEM key: {e}"),
        })?;
        for (what, value) in [
            ("APNS_KEY_ID", &config.key_id),
            ("APNS_TEAM_ID", &config.team_id),
            ("APNS_TOPIC", &config.topic),
        ] {
            if value.trim().is_empty() {
                return Err(SetupError::Invalid {
                    what,
                    reason: "must be set when APNS_KEY_FILE is".into(),
                });
            }
        }
        Ok(Apns {
            client: http::client(extra_roots, Protocols::Http2Only)?,
            endpoint: config.endpoint.trim_end_matches('/').to_string(),
            topic: config.topic.clone(),
            key_id: config.key_id.clone(),
            team_id: config.team_id.clone(),
            key,
            jwt: RwLock::new(None),
            timeout,
        })
    }

    /// Sends `message` to `token`; the `apns-id` on success.
    pub async fn send(&self, message: &PushMessage, token: &str) -> Result<String, SendError> {
        let permanent =
            |reason: String| SendError::local(Provider::Apns, Failure::Permanent, reason);
        // A token is hex; anything else cannot be a path segment and would be
        // BadDeviceToken anyway.
        if token.is_empty() || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(SendError::local(
                Provider::Apns,
                Failure::TokenRejected,
                "BadDeviceToken (not a hexadecimal token)",
            ));
        }
        let body = payload(message);
        if body.len() > MAX_PAYLOAD {
            return Err(permanent(format!(
                "PayloadTooLarge: {} bytes, more than APNs's {MAX_PAYLOAD}",
                body.len()
            )));
        }
        let jwt = self.provider_token().await?;
        let apns_id = uuid::Uuid::new_v5(
            &uuid::Uuid::NAMESPACE_OID,
            format!("apns/{}/{token}", message.notification_id).as_bytes(),
        );
        let expiration = crate::fcm::unix_now() + EXPIRATION.as_secs();
        let mut request = Request::post(format!("{}/3/device/{token}", self.endpoint))
            .header("authorization", format!("bearer {jwt}"))
            .header("apns-topic", &self.topic)
            .header("apns-push-type", "alert")
            .header("apns-priority", "10")
            .header("apns-expiration", expiration.to_string())
            .header("apns-id", apns_id.to_string())
            .header("content-type", "application/json");
        if message.notification_id.len() <= MAX_COLLAPSE_ID {
            request = request.header("apns-collapse-id", &message.notification_id);
        }
        let request = request
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| permanent(e.to_string()))?;
        let reply = http::call(&self.client, request, self.timeout, Provider::Apns).await?;
        if reply.status == StatusCode::OK {
            return Ok(reply
                .headers
                .get("apns-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string());
        }
        let error = classify(&reply);
        if error.reason == "ExpiredProviderToken" {
            let mut slot = self.jwt.write().await;
            if slot.as_ref().is_some_and(|c| *c.value == *jwt) {
                *slot = None;
            }
        }
        Err(error)
    }

    /// The current provider token, or a new one.
    async fn provider_token(&self) -> Result<Arc<str>, SendError> {
        {
            if let Some(cached) = self.jwt.read().await.as_ref()
                && Instant::now() < cached.refresh_at
            {
                return Ok(cached.value.clone());
            }
            let mut slot = self.jwt.write().await;
            if let Some(cached) = slot.as_ref()
                && Instant::now() < cached.refresh_at
            {
                return Ok(cached.value.clone());
            }
            let mut header = Header::new(Algorithm::ES256);
            header.kid = Some(self.key_id.clone());
            let claims = ProviderClaims {
                iss: self.team_id.clone(),
                iat: crate::fcm::unix_now(),
            };
            let value: Arc<str> = jsonwebtoken::encode(&header, &claims, &self.key)
                .map_err(|e| {
                    SendError::local(
                        Provider::Apns,
                        Failure::Permanent,
                        format!("cannot sign the provider token: {e}"),
                    )
                })?
                .into();
            *slot = Some(CachedJwt {
                value: value.clone(),
                refresh_at: Instant::now() + TOKEN_LIFETIME,
            });
            Ok(value)
        }
    }
}

/// The JSON payload: `aps` with the alert, then the data keys (an `aps` key in data is
/// ignored: it would replace the alert).
pub(crate) fn payload(message: &PushMessage) -> Vec<u8> {
    let mut root = serde_json::Map::new();
    root.insert(
        "aps".into(),
        serde_json::json!({
            "alert": { "title": message.title, "body": message.body },
            "sound": "default",
        }),
    );
    for (k, v) in &message.data {
        if k != "aps" {
            root.insert(k.clone(), v.clone());
        }
    }
    serde_json::to_vec(&root).unwrap_or_default()
}

/// The class of an APNs error answer.
pub(crate) fn classify(reply: &http::Reply) -> SendError {
    #[derive(Deserialize)]
    struct Answer {
        reason: String,
    }
    let reason = serde_json::from_slice::<Answer>(&reply.body)
        .map(|a| a.reason)
        .unwrap_or_default();
    let failure = match (reply.status.as_u16(), reason.as_str()) {
        (410, _) | (400, "BadDeviceToken") => Failure::TokenRejected,
        (403, "ExpiredProviderToken") => Failure::Retryable { retry_after: None },
        _ if http::retryable_status(reply.status) => Failure::Retryable {
            retry_after: http::retry_after(&reply.headers),
        },
        _ => Failure::Permanent,
    };
    SendError {
        failure,
        provider: Provider::Apns,
        status: Some(reply.status.as_u16()),
        reason: if reason.is_empty() {
            reply
                .status
                .canonical_reason()
                .unwrap_or("error")
                .to_string()
        } else {
            reason
        },
        response: reply.text(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap
mod tests {
    use super::*;

    fn reply(status: u16, reason: &str) -> http::Reply {
        http::Reply {
            status: StatusCode::from_u16(status).unwrap(),
            headers: hyper::HeaderMap::new(),
            body: Bytes::from(serde_json::json!({ "reason": reason }).to_string()),
        }
    }

    #[test]
    fn documented_reasons_map_to_their_class() {
        assert_eq!(
            classify(&reply(410, "Unregistered")).failure,
            Failure::TokenRejected
        );
        assert_eq!(
            classify(&reply(400, "BadDeviceToken")).failure,
            Failure::TokenRejected
        );
        assert_eq!(
            classify(&reply(400, "BadTopic")).failure,
            Failure::Permanent
        );
        assert_eq!(
            classify(&reply(403, "InvalidProviderToken")).failure,
            Failure::Permanent
        );
        assert!(classify(&reply(403, "ExpiredProviderToken")).is_retryable());
        for (status, reason) in [
            (429, "TooManyRequests"),
            (500, "InternalServerError"),
            (503, "ServiceUnavailable"),
        ] {
            assert!(classify(&reply(status, reason)).is_retryable(), "{status}");
        }
    }

    #[test]
    fn the_payload_carries_the_alert_and_the_data_but_not_a_second_aps() {
        let data = serde_json::from_value(serde_json::json!({"room": "r1", "aps": 1})).unwrap();
        let message = PushMessage {
            notification_id: "n".into(),
            title: "T".into(),
            body: "B".into(),
            data,
        };
        let v: serde_json::Value = serde_json::from_slice(&payload(&message)).unwrap();
        assert_eq!(v["aps"]["alert"]["title"], "T");
        assert_eq!(v["aps"]["alert"]["body"], "B");
        assert_eq!(v["room"], "r1");
    }
}
