//! FCM HTTP v1: `POST {endpoint}/v1/projects/{project_id}/messages:send` with an OAuth 2.0
//! access token obtained from the service account (RFC 7523 JWT bearer grant).
//!
//! # The token flow
//! The service-account JSON gives `client_email`, `private_key` (RSA, PKCS#8 PEM),
//! `private_key_id` and `token_uri`. An RS256 JWT `{iss: client_email, scope:
//! firebase.messaging, aud: token_uri, iat, exp: iat + 1 h}` with `kid: private_key_id` is
//! posted to `token_uri` as `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`; the
//! answer's `access_token` is cached (a `TokenCache`, shared with APNs's provider token)
//! until [`REFRESH_MARGIN`] before its `expires_in`. One task fetches while the others wait
//! for its result, so a burst of sends costs one token request.
//!
//! # Expired credentials
//! A 401 `UNAUTHENTICATED` means the access token is no longer accepted (revoked, or expired
//! before the cache thought): the token is dropped from the cache, a new one is fetched (or
//! taken from a concurrent send that already fetched it) and the same request is made once
//! more. Only one such retry per send, so a service account Google refuses for good cannot
//! make a loop of token requests; a second 401 goes to the worker as retryable. That inner
//! retry is part of one attempt as the worker counts them.
//!
//! # Errors (firebase.google.com/docs/reference/fcm/rest/v1/ErrorCode)
//! - `UNREGISTERED` (404) → token rejected. A 404 without that code (a wrong project in the
//!   URL) is permanent: deleting every token on a misconfiguration would be worse.
//! - `INVALID_ARGUMENT` (400) whose `google.rpc.BadRequest` names `message.token` → token
//!   rejected; any other 400 → permanent.
//! - 401 → once more with a new access token (above); a second 401 → retryable.
//! - 429 `QUOTA_EXCEEDED`, 500 `INTERNAL`, 503 `UNAVAILABLE` (any 5xx) → retryable, after
//!   `Retry-After` when given.
//! - everything else (403 `SENDER_ID_MISMATCH`, `THIRD_PARTY_AUTH_ERROR`, …) → permanent.
//!
//! The request body and how it is written are in `message`.

mod message;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, StatusCode};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};

use crate::error::{Failure, Provider, SendError, SetupError};
use crate::http::{self, HttpClient, Protocols};
use crate::token_cache::TokenCache;
use crate::{FcmConfig, PushMessage};
use message::SendBody;

/// The OAuth scope FCM sends need.
pub const SCOPE: &str = "https://www.googleapis.com/auth/firebase.messaging";
/// The JWT bearer grant type (RFC 7523).
pub const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// An access token is replaced this long before it expires.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(300);
/// Lifetime asked of the assertion (Google's maximum).
const ASSERTION_TTL_SECS: u64 = 3600;

/// The fields of a service-account JSON file this client uses.
#[derive(Clone, Deserialize)]
pub struct ServiceAccount {
    /// Must be `service_account`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The Firebase project.
    pub project_id: String,
    /// Id of the key (`kid` of the assertion).
    pub private_key_id: String,
    /// PKCS#8 PEM RSA key.
    pub private_key: String,
    /// The account (`iss` of the assertion).
    pub client_email: String,
    /// Where access tokens come from (`aud` of the assertion).
    pub token_uri: String,
}

impl std::fmt::Debug for ServiceAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceAccount")
            .field("project_id", &self.project_id)
            .field("client_email", &self.client_email)
            .field("token_uri", &self.token_uri)
            .finish_non_exhaustive()
    }
}

/// The assertion's claims.
#[derive(Debug, Serialize, Deserialize)]
pub struct AssertionClaims {
    /// The service account's e-mail.
    pub iss: String,
    /// Space-separated scopes.
    pub scope: String,
    /// The token URI.
    pub aud: String,
    /// Issued at (seconds).
    pub iat: u64,
    /// Expiry (seconds).
    pub exp: u64,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    expires_in: u64,
}

/// An FCM HTTP v1 sender.
pub struct Fcm {
    client: HttpClient,
    send_url: hyper::Uri,
    account: ServiceAccount,
    key: EncodingKey,
    token: TokenCache,
    timeout: Duration,
}

impl Fcm {
    /// Reads the service account and builds the client.
    pub fn new(
        config: &FcmConfig,
        extra_roots: &[std::path::PathBuf],
        timeout: Duration,
    ) -> Result<Fcm, SetupError> {
        let path = config.service_account_file.display().to_string();
        let bad = |reason: String| SetupError::File {
            what: "FCM service account",
            path: path.clone(),
            reason,
        };
        let text = std::fs::read(&config.service_account_file).map_err(|e| bad(e.to_string()))?;
        let account: ServiceAccount = serde_json::from_slice(&text)
            .map_err(|e| bad(format!("not a service-account JSON: {e}")))?;
        if account.kind != "service_account" {
            return Err(bad(format!(
                "`type` is `{}`, expected `service_account`",
                account.kind
            )));
        }
        if !(account.token_uri.starts_with("https://") || account.token_uri.starts_with("http://"))
        {
            return Err(bad("`token_uri` is not an http(s) URL".into()));
        }
        let key = EncodingKey::from_rsa_pem(account.private_key.as_bytes())
            .map_err(|e| bad(format!("`private_key` is not an RSA PEM key: {e}")))?;
        let send_url = format!(
            "{}/v1/projects/{}/messages:send",
            config.endpoint.trim_end_matches('/'),
            account.project_id
        );
        let send_url = send_url
            .parse::<hyper::Uri>()
            .map_err(|e| SetupError::Invalid {
                what: "FCM_ENDPOINT",
                reason: format!("`{send_url}` is not a URL: {e}"),
            })?;
        Ok(Fcm {
            client: http::client(extra_roots, Protocols::Any)?,
            send_url,
            account,
            key,
            token: TokenCache::default(),
            timeout,
        })
    }

    /// The project messages go to.
    pub fn project_id(&self) -> &str {
        &self.account.project_id
    }

    /// Sends `message` to `token`; the message name FCM returns on success. A 401 drops
    /// the cached access token and the send is made once more with a new one.
    pub async fn send(&self, message: &PushMessage, token: &str) -> Result<String, SendError> {
        let body = Bytes::from(
            serde_json::to_vec(&SendBody::new(message, token))
                .map_err(|e| SendError::local(Provider::Fcm, Failure::Permanent, e.to_string()))?,
        );
        let access = self.access_token().await?;
        match self.post(&access, body.clone()).await {
            Err(e) if e.status == Some(StatusCode::UNAUTHORIZED.as_u16()) => {
                self.token.invalidate(&access).await;
                let fresh = self.access_token().await?;
                tracing::debug!(reason = %e.reason, "FCM refused the access token; sending once more with a new one");
                self.post(&fresh, body).await
            }
            other => other,
        }
    }

    /// One `messages:send` call.
    async fn post(&self, access: &str, body: Bytes) -> Result<String, SendError> {
        let request = Request::post(self.send_url.clone())
            .header("authorization", format!("Bearer {access}"))
            .header("content-type", "application/json; charset=utf-8")
            .body(Full::new(body))
            .map_err(|e| SendError::local(Provider::Fcm, Failure::Permanent, e.to_string()))?;
        let reply = http::call(&self.client, request, self.timeout, Provider::Fcm).await?;
        if reply.status.is_success() {
            #[derive(Deserialize)]
            struct Sent {
                name: String,
            }
            return Ok(serde_json::from_slice::<Sent>(&reply.body)
                .map(|s| s.name)
                .unwrap_or_default());
        }
        Err(classify(&reply))
    }

    /// The cached access token, or a new one (kept until [`REFRESH_MARGIN`] before it
    /// expires).
    async fn access_token(&self) -> Result<Arc<str>, SendError> {
        self.token
            .get(|| async {
                let (value, lifetime) = self.fetch_token().await?;
                Ok((value, lifetime.saturating_sub(REFRESH_MARGIN)))
            })
            .await
    }

    /// Exchanges a fresh assertion for an access token.
    async fn fetch_token(&self) -> Result<(String, Duration), SendError> {
        let fail = |failure, reason: String| SendError::local(Provider::Fcm, failure, reason);
        let now = unix_now();
        let claims = AssertionClaims {
            iss: self.account.client_email.clone(),
            scope: SCOPE.to_string(),
            aud: self.account.token_uri.clone(),
            iat: now,
            exp: now + ASSERTION_TTL_SECS,
        };
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.account.private_key_id.clone());
        let assertion = jsonwebtoken::encode(&header, &claims, &self.key).map_err(|e| {
            fail(
                Failure::Permanent,
                format!("cannot sign the assertion: {e}"),
            )
        })?;
        let form = format!(
            "grant_type={}&assertion={assertion}",
            form_encode(GRANT_TYPE)
        );
        let request = Request::post(&self.account.token_uri)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Full::new(Bytes::from(form)))
            .map_err(|e| fail(Failure::Permanent, format!("token_uri: {e}")))?;
        let reply = http::call(&self.client, request, self.timeout, Provider::Fcm).await?;
        if !reply.status.is_success() {
            let failure = if http::retryable_status(reply.status) {
                Failure::Retryable {
                    retry_after: http::retry_after(&reply.headers),
                }
            } else {
                Failure::Permanent
            };
            return Err(SendError {
                failure,
                provider: Provider::Fcm,
                status: Some(reply.status.as_u16()),
                reason: "the OAuth token endpoint refused the service account".into(),
                response: reply.text(),
            });
        }
        let answer: TokenAnswer = serde_json::from_slice(&reply.body).map_err(|e| {
            fail(
                Failure::Retryable { retry_after: None },
                format!("unreadable OAuth token answer: {e}"),
            )
        })?;
        Ok((answer.access_token, Duration::from_secs(answer.expires_in)))
    }
}

/// The class of an FCM error answer.
pub(crate) fn classify(reply: &http::Reply) -> SendError {
    let v: serde_json::Value = serde_json::from_slice(&reply.body).unwrap_or_default();
    let error = &v["error"];
    let details = error["details"].as_array().cloned().unwrap_or_default();
    let error_code = details
        .iter()
        .find_map(|d| d["errorCode"].as_str())
        .or_else(|| error["status"].as_str())
        .unwrap_or("")
        .to_string();
    let names_token = details.iter().any(|d| {
        d["fieldViolations"].as_array().is_some_and(|violations| {
            violations
                .iter()
                .any(|f| f["field"].as_str() == Some("message.token"))
        })
    });
    let failure = match (reply.status, error_code.as_str()) {
        (StatusCode::NOT_FOUND, "UNREGISTERED") => Failure::TokenRejected,
        (StatusCode::BAD_REQUEST, "INVALID_ARGUMENT") if names_token => Failure::TokenRejected,
        (StatusCode::UNAUTHORIZED, _) => Failure::Retryable { retry_after: None },
        (status, _) if http::retryable_status(status) => Failure::Retryable {
            retry_after: http::retry_after(&reply.headers),
        },
        _ => Failure::Permanent,
    };
    reply.send_error(Provider::Fcm, failure, error_code)
}

/// `application/x-www-form-urlencoded` encoding of a value (RFC 3986 unreserved kept).
pub(crate) fn form_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub(crate) fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap
mod tests {
    use super::*;

    fn reply(status: u16, body: serde_json::Value) -> http::Reply {
        http::Reply {
            status: StatusCode::from_u16(status).unwrap(),
            headers: hyper::HeaderMap::new(),
            body: Bytes::from(body.to_string()),
        }
    }

    fn fcm_error(code: u16, status: &str, details: serde_json::Value) -> serde_json::Value {
        serde_json::json!({"error": {"code": code, "message": "m", "status": status, "details": details}})
    }

    #[test]
    fn documented_error_codes_map_to_their_class() {
        let unregistered = fcm_error(
            404,
            "NOT_FOUND",
            serde_json::json!([{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "UNREGISTERED"}]),
        );
        assert_eq!(
            classify(&reply(404, unregistered)).failure,
            Failure::TokenRejected
        );
        let bad_token = fcm_error(
            400,
            "INVALID_ARGUMENT",
            serde_json::json!([
                {"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "INVALID_ARGUMENT"},
                {"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [{"field": "message.token", "description": "Invalid registration token"}]}
            ]),
        );
        assert_eq!(
            classify(&reply(400, bad_token)).failure,
            Failure::TokenRejected
        );
        let bad_data = fcm_error(
            400,
            "INVALID_ARGUMENT",
            serde_json::json!([{"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [{"field": "message.data[0].value"}]}]),
        );
        assert_eq!(classify(&reply(400, bad_data)).failure, Failure::Permanent);
        let wrong_project = fcm_error(404, "NOT_FOUND", serde_json::json!([]));
        assert_eq!(
            classify(&reply(404, wrong_project)).failure,
            Failure::Permanent
        );
        for status in [429, 500, 503] {
            let e = classify(&reply(status, serde_json::json!({})));
            assert!(e.is_retryable(), "{status}");
        }
        assert!(classify(&reply(401, serde_json::json!({}))).is_retryable());
        assert_eq!(
            classify(&reply(
                403,
                fcm_error(
                    403,
                    "PERMISSION_DENIED",
                    serde_json::json!([{"errorCode": "SENDER_ID_MISMATCH"}])
                )
            ))
            .failure,
            Failure::Permanent
        );
    }

    #[test]
    fn forms_are_encoded() {
        assert_eq!(
            form_encode(GRANT_TYPE),
            "urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"
        );
    }
}
