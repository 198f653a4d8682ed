//! A local APNs server checking what Apple documents ("Sending notification requests to
//! APNs", "Handling notification responses from APNs"), in Apple's order:
//! - HTTP/2 only; `POST /3/device/{token}` (else 405 `MethodNotAllowed` / 404 `BadPath`).
//! - `authorization: bearer <jwt>`: missing → 403 `MissingProviderToken`; not ES256 with
//!   `kid` = key id, `iss` = team id and a valid signature → 403 `InvalidProviderToken`;
//!   `iat` older than one hour, or a token this server called expired before → 403
//!   `ExpiredProviderToken`. A token's signature is checked once and the verdict kept (as
//!   Apple does: it validates a provider token once per connection, not per request), so
//!   the server stays cheap enough for the benchmark.
//! - `apns-topic` missing → 400 `MissingTopic`, not ours → 400 `TopicDisallowed`;
//!   `apns-push-type` not a documented type → 400 `InvalidPushType`; `apns-priority` not
//!   1, 5 or 10 → 400 `BadPriority`; `apns-expiration` not a number → 400
//!   `BadExpirationDate`; `apns-collapse-id` over 64 bytes → 400 `BadCollapseId`; `apns-id`
//!   not a UUID → 400 `BadMessageId`.
//! - body over 4096 bytes → 413 `PayloadTooLarge`; not a JSON object with an `aps`
//!   dictionary → 400 `PayloadEmpty`; a token that is not 64 hex characters → 400
//!   `BadDeviceToken`.
//! - Then the token's scripted [`Reply`]. Success is 200 with the `apns-id` header;
//!   [`Reply::ExpiredCredentials`] marks the provider token used as expired (so it stays
//!   refused) and answers 403 `ExpiredProviderToken`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Method, Request, Response, Version};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};

use super::server::{self, Book, ScriptedServer, json, retry_after};
use super::{Pki, Reply};
use crate::ApnsConfig;
use crate::apns::{EXPIRED_PROVIDER_TOKEN, ProviderClaims};

/// Team id of the generated key.
pub const TEAM_ID: &str = "TEAM123456";
/// Key id of the generated key.
pub const KEY_ID: &str = "KEY1234567";
/// The topic (bundle id) the server accepts.
pub const TOPIC: &str = "io.armoricore.test";

/// What the server decided about one provider token.
#[derive(Debug, Clone, Copy)]
enum Verdict {
    /// Signed by our key, with this `iat`.
    Valid { iat: u64 },
    /// Bad signature, algorithm, key id or issuer.
    Invalid,
    /// Called expired by a scripted reply.
    Expired,
}

struct State {
    decoding: DecodingKey,
    book: Arc<Book>,
    tokens: Mutex<HashMap<String, Verdict>>,
}

/// The running server; stopped on drop. The scripting and the log of received sends are
/// [`ScriptedServer`]'s.
pub struct ApnsServer {
    server: ScriptedServer,
    key_file: PathBuf,
}

impl std::ops::Deref for ApnsServer {
    type Target = ScriptedServer;

    fn deref(&self) -> &ScriptedServer {
        &self.server
    }
}

impl ApnsServer {
    /// Generates a P-256 signing key (the `.p8`) in `pki`'s directory and starts serving.
    pub async fn start(pki: &Pki) -> ApnsServer {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
            .unwrap_or_else(|e| panic!("P-256 key: {e}"));
        let decoding = DecodingKey::from_ec_pem(key.public_key_pem().as_bytes())
            .unwrap_or_else(|e| panic!("EC decoding key: {e}"));
        let book = Arc::new(Book::default());
        let state = Arc::new(State {
            decoding,
            book: book.clone(),
            tokens: Mutex::default(),
        });
        let listener = server::bind()
            .await
            .unwrap_or_else(|e| panic!("APNs test server: {e}"));
        let server = ScriptedServer::spawn(listener, pki.server_config(), book, move |req| {
            let response = handle(&state, req);
            async move { response }
        })
        .unwrap_or_else(|e| panic!("APNs test server: {e}"));
        let key_file = pki
            .dir()
            .join(format!("AuthKey_{KEY_ID}-{}.p8", server.port()));
        std::fs::write(&key_file, key.serialize_pem())
            .unwrap_or_else(|e| panic!("write the APNs key: {e}"));
        ApnsServer { server, key_file }
    }

    /// The generated `.p8` key file.
    pub fn key_file(&self) -> &std::path::Path {
        &self.key_file
    }

    /// The worker's configuration for this server.
    pub fn config(&self) -> ApnsConfig {
        ApnsConfig {
            key_file: self.key_file.clone(),
            key_id: KEY_ID.to_string(),
            team_id: TEAM_ID.to_string(),
            topic: TOPIC.to_string(),
            endpoint: self.endpoint(),
        }
    }
}

/// What `jwt` is worth, checked once per distinct token.
fn verdict(state: &State, jwt: &str) -> Verdict {
    if let Some(v) = state.tokens.lock().ok().and_then(|t| t.get(jwt).copied()) {
        return v;
    }
    let kid_ok = jsonwebtoken::decode_header(jwt)
        .is_ok_and(|h| h.alg == Algorithm::ES256 && h.kid.as_deref() == Some(KEY_ID));
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_issuer(&[TEAM_ID]);
    validation.set_required_spec_claims(&["iss"]);
    validation.validate_exp = false;
    let v = match jsonwebtoken::decode::<ProviderClaims>(jwt, &state.decoding, &validation) {
        Ok(data) if kid_ok => Verdict::Valid {
            iat: data.claims.iat,
        },
        _ => Verdict::Invalid,
    };
    if let Ok(mut tokens) = state.tokens.lock() {
        tokens.insert(jwt.to_string(), v);
    }
    v
}

fn expire(state: &State, jwt: &str) {
    if let Ok(mut tokens) = state.tokens.lock() {
        tokens.insert(jwt.to_string(), Verdict::Expired);
    }
}

fn reason(status: u16, reason: &str) -> Response<Full<Bytes>> {
    json(status, &serde_json::json!({ "reason": reason }))
}

fn handle(state: &State, req: Request<Bytes>) -> Response<Full<Bytes>> {
    if req.version() != Version::HTTP_2 {
        return reason(400, "BadPath");
    }
    let Some(token) = req.uri().path().strip_prefix("/3/device/") else {
        return reason(404, "BadPath");
    };
    if req.method() != Method::POST {
        return reason(405, "MethodNotAllowed");
    }
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    let Some(jwt) = header("authorization").and_then(|v| v.strip_prefix("bearer ")) else {
        return reason(403, "MissingProviderToken");
    };
    let now = crate::fcm::unix_now();
    match verdict(state, jwt) {
        Verdict::Invalid => return reason(403, "InvalidProviderToken"),
        Verdict::Expired => return reason(403, EXPIRED_PROVIDER_TOKEN),
        Verdict::Valid { iat } if iat + 3600 < now || iat > now + 60 => {
            return reason(403, EXPIRED_PROVIDER_TOKEN);
        }
        Verdict::Valid { .. } => {}
    }
    match header("apns-topic") {
        None => return reason(400, "MissingTopic"),
        Some(t) if t != TOPIC => return reason(400, "TopicDisallowed"),
        Some(_) => {}
    }
    const PUSH_TYPES: &[&str] = &[
        "alert",
        "background",
        "location",
        "voip",
        "complication",
        "fileprovider",
        "mdm",
        "liveactivity",
        "pushtotalk",
    ];
    if !header("apns-push-type").is_some_and(|t| PUSH_TYPES.contains(&t)) {
        return reason(400, "InvalidPushType");
    }
    if header("apns-priority").is_some_and(|p| !matches!(p, "1" | "5" | "10")) {
        return reason(400, "BadPriority");
    }
    if header("apns-expiration").is_some_and(|e| e.parse::<u64>().is_err()) {
        return reason(400, "BadExpirationDate");
    }
    if header("apns-collapse-id").is_some_and(|c| c.len() > 64) {
        return reason(400, "BadCollapseId");
    }
    if header("apns-id").is_some_and(|id| uuid::Uuid::parse_str(id).is_err()) {
        return reason(400, "BadMessageId");
    }
    if req.body().len() > 4096 {
        return reason(413, "PayloadTooLarge");
    }
    let body: serde_json::Value = serde_json::from_slice(req.body()).unwrap_or_default();
    if !body["aps"].is_object() {
        return reason(400, "PayloadEmpty");
    }
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return reason(400, "BadDeviceToken");
    }
    let reply = state.book.reply(token, req.headers(), &body);
    match reply {
        Reply::Ok => {
            let id = header("apns-id")
                .map(str::to_string)
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
            let mut response = Response::new(Full::new(Bytes::new()));
            if let Ok(value) = hyper::header::HeaderValue::from_str(&id) {
                response.headers_mut().insert("apns-id", value);
            }
            response
        }
        Reply::Unregistered => json(
            410,
            &serde_json::json!({"reason": "Unregistered", "timestamp": now * 1000}),
        ),
        Reply::BadToken => reason(400, "BadDeviceToken"),
        Reply::TooMany { retry_after_secs } => {
            retry_after(reason(429, "TooManyRequests"), retry_after_secs)
        }
        Reply::Unavailable => reason(503, "ServiceUnavailable"),
        Reply::Permanent => reason(400, "DeviceTokenNotForTopic"),
        Reply::ExpiredCredentials => {
            expire(state, jwt);
            reason(403, EXPIRED_PROVIDER_TOKEN)
        }
    }
}
