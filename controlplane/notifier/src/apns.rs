//! APNs: `POST {endpoint}/3/device/{token}` over HTTP/2 with token-based authentication.
//!
//! # Provider token
//! An ES256 JWT with header `{alg: ES256, kid: key id}` and claims `{iss: team id, iat}`,
//! signed with the `.p8` key. Apple refuses tokens older than one hour
//! (`ExpiredProviderToken`) and refreshes more often than every 20 minutes
//! (`TooManyProviderTokenUpdates`), so one token is reused for [`TOKEN_LIFETIME`] (40 min)
//! and then replaced (a `TokenCache`, shared with FCM's access token; concurrent sends
//! share one token and one renewal).
//!
//! # Expired provider token
//! A 403 `ExpiredProviderToken` (the clock moved, or Apple cut the token short) drops the
//! token from the cache, a new one is minted (or taken from a concurrent send that already
//! minted it) and the same request is made once more. One retry per send only: a second
//! `ExpiredProviderToken` goes to the worker as retryable, so a clock far off cannot make a
//! minting loop (which Apple would answer with `TooManyProviderTokenUpdates`). The inner
//! retry is part of one attempt as the worker counts them.
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
//! - 403 `ExpiredProviderToken` → once more with a new provider token (above); a second one
//!   → retryable.
//! - 429 `TooManyRequests`, 500, 503 → retryable (`Retry-After` honoured if present).
//! - everything else (`BadTopic`, `DeviceTokenNotForTopic`, `PayloadTooLarge`, …) → permanent.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, StatusCode};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};

use crate::error::{Failure, Provider, SendError, SetupError};
use crate::http::{self, HttpClient, Protocols};
use crate::token_cache::TokenCache;
use crate::{ApnsConfig, PushMessage};

/// How long one provider token is used (Apple: between 20 and 60 minutes).
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(40 * 60);
/// How long APNs keeps trying an offline device.
pub const EXPIRATION: Duration = Duration::from_secs(24 * 3600);
/// Apple's payload limit for alert notifications.
pub const MAX_PAYLOAD: usize = 4096;
/// Apple's limit on `apns-collapse-id`.
pub const MAX_COLLAPSE_ID: usize = 64;
/// The reason APNs gives for a provider token it no longer accepts.
pub const EXPIRED_PROVIDER_TOKEN: &str = "ExpiredProviderToken";

/// The provider token's claims.
#[derive(Debug, Serialize, Deserialize)]
pub struct ProviderClaims {
    /// Team id.
    pub iss: String,
    /// Issued at (seconds).
    pub iat: u64,
}

/// An APNs sender.
pub struct Apns {
    client: HttpClient,
    endpoint: String,
    topic: String,
    key_id: String,
    team_id: String,
    key: EncodingKey,
    jwt: TokenCache,
    /// The latest and earliest `iat` minted (tokens are minted under the cache's write
    /// lock only, so these are not raced).
    latest_iat: AtomicU64,
    earliest_iat: AtomicU64,
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
            jwt: TokenCache::default(),
            latest_iat: AtomicU64::new(0),
            earliest_iat: AtomicU64::new(0),
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
        let apns_id = uuid::Uuid::new_v5(
            &uuid::Uuid::NAMESPACE_OID,
            format!("apns/{}/{token}", message.notification_id).as_bytes(),
        )
        .to_string();
        let uri: hyper::Uri = format!("{}/3/device/{token}", self.endpoint)
            .parse()
            .map_err(|e| permanent(format!("request URL: {e}")))?;
        let body = Bytes::from(body);
        let jwt = self.provider_token().await?;
        match self.post(&jwt, message, &uri, &apns_id, body.clone()).await {
            Err(e) if e.reason == EXPIRED_PROVIDER_TOKEN => {
                self.jwt.invalidate(&jwt).await;
                let fresh = self.provider_token().await?;
                tracing::debug!(
                    "APNs called the provider token expired; sending once more with a new one"
                );
                self.post(&fresh, message, &uri, &apns_id, body).await
            }
            other => other,
        }
    }

    /// One request to `/3/device/{token}`.
    async fn post(
        &self,
        jwt: &str,
        message: &PushMessage,
        uri: &hyper::Uri,
        apns_id: &str,
        body: Bytes,
    ) -> Result<String, SendError> {
        let expiration = crate::fcm::unix_now() + EXPIRATION.as_secs();
        let mut request = Request::post(uri.clone())
            .header("authorization", format!("bearer {jwt}"))
            .header("apns-topic", &self.topic)
            .header("apns-push-type", "alert")
            .header("apns-priority", "10")
            .header("apns-expiration", expiration)
            .header("apns-id", apns_id)
            .header("content-type", "application/json");
        if message.notification_id.len() <= MAX_COLLAPSE_ID {
            request = request.header("apns-collapse-id", &message.notification_id);
        }
        let request = request
            .body(Full::new(body))
            .map_err(|e| SendError::local(Provider::Apns, Failure::Permanent, e.to_string()))?;
        let reply = http::call(&self.client, request, self.timeout, Provider::Apns).await?;
        if reply.status == StatusCode::OK {
            return Ok(reply
                .headers
                .get("apns-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string());
        }
        Err(classify(&reply))
    }

    /// The `iat` of a new provider token: now, unless a token was already minted with an
    /// `iat` that recent — then one second before the earliest ever minted. ES256 signing
    /// here is deterministic (RFC 6979), so an `iat` used before would give a token APNs
    /// may have called expired already; an earlier one gives a different token still
    /// valid for most of the hour, where a later one could be refused as issued in the
    /// future. Only a token called expired within its first second takes that path.
    fn next_iat(&self) -> u64 {
        let now = crate::fcm::unix_now();
        let (latest, earliest) = (
            self.latest_iat.load(Ordering::Relaxed),
            self.earliest_iat.load(Ordering::Relaxed),
        );
        let iat = if now > latest {
            now
        } else {
            earliest.saturating_sub(1)
        };
        self.latest_iat.store(latest.max(iat), Ordering::Relaxed);
        if earliest == 0 || iat < earliest {
            self.earliest_iat.store(iat, Ordering::Relaxed);
        }
        iat
    }

    /// The current provider token, or a new one (kept for [`TOKEN_LIFETIME`]).
    async fn provider_token(&self) -> Result<Arc<str>, SendError> {
        self.jwt
            .get(|| async {
                let mut header = Header::new(Algorithm::ES256);
                header.kid = Some(self.key_id.clone());
                let claims = ProviderClaims {
                    iss: self.team_id.clone(),
                    iat: self.next_iat(),
                };
                let value = jsonwebtoken::encode(&header, &claims, &self.key).map_err(|e| {
                    SendError::local(
                        Provider::Apns,
                        Failure::Permanent,
                        format!("cannot sign the provider token: {e}"),
                    )
                })?;
                Ok((value, TOKEN_LIFETIME))
            })
            .await
    }
}

/// The JSON payload: `aps` with the alert, then the data keys (an `aps` key in data is
/// ignored: it would replace the alert). Serialised straight from the message, without an
/// intermediate JSON tree.
pub(crate) fn payload(message: &PushMessage) -> Vec<u8> {
    serde_json::to_vec(&Payload(message)).unwrap_or_default()
}

struct Payload<'a>(&'a PushMessage);

#[derive(Serialize)]
struct Aps<'a> {
    alert: Alert<'a>,
    sound: &'static str,
}

#[derive(Serialize)]
struct Alert<'a> {
    title: &'a str,
    body: &'a str,
}

impl Serialize for Payload<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let message = self.0;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry(
            "aps",
            &Aps {
                alert: Alert {
                    title: &message.title,
                    body: &message.body,
                },
                sound: "default",
            },
        )?;
        for (k, v) in message.data.iter().filter(|(k, _)| *k != "aps") {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
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
        (403, EXPIRED_PROVIDER_TOKEN) => Failure::Retryable { retry_after: None },
        _ if http::retryable_status(reply.status) => Failure::Retryable {
            retry_after: http::retry_after(&reply.headers),
        },
        _ => Failure::Permanent,
    };
    reply.send_error(Provider::Apns, failure, reason)
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
