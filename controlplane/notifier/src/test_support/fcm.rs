//! A local FCM HTTP v1 server with its OAuth 2.0 token endpoint, checking what Google
//! documents:
//! - `POST /token`: `application/x-www-form-urlencoded` with `grant_type` =
//!   `urn:ietf:params:oauth:grant-type:jwt-bearer` and an RS256 `assertion` whose signature
//!   verifies with the service account's public key, whose header `kid` is the account's
//!   `private_key_id`, and whose claims are `iss` = `client_email`, `scope` containing
//!   `firebase.messaging`, `aud` = `token_uri`, `exp - iat` ≤ 3600. Refusals are 400
//!   `{"error": "invalid_grant", "error_description": …}`. Success: `{access_token,
//!   expires_in: 3599, token_type: "Bearer"}`.
//! - `POST /v1/projects/{project}/messages:send`: 404 for another project; 401
//!   `UNAUTHENTICATED` without a bearer token this server issued; 400 `INVALID_ARGUMENT`
//!   unless the JSON body is `{"message": {…}}` with exactly one of `token`, `topic`,
//!   `condition`, string `notification.title`/`body` and string-only `data` values. Then
//!   the token's scripted [`Reply`], with Google's error body
//!   (`google.firebase.fcm.v1.FcmError` / `google.rpc.BadRequest` details).
//!   [`Reply::ExpiredCredentials`] revokes the access token used (so it stays refused) and
//!   answers 401 `UNAUTHENTICATED`.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Method, Request, Response};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};

use super::server::{self, Book, ScriptedServer, json, retry_after};
use super::{Pki, Reply};
use crate::FcmConfig;
use crate::fcm::{AssertionClaims, GRANT_TYPE};

/// The project of the generated service account.
pub const PROJECT: &str = "armoricore-test";

struct State {
    client_email: String,
    key_id: String,
    token_uri: String,
    decoding: DecodingKey,
    issued: Mutex<HashSet<String>>,
    token_requests: AtomicU64,
    book: Arc<Book>,
    counter: AtomicU64,
}

/// The running server; stopped on drop. The scripting and the log of received sends are
/// [`ScriptedServer`]'s.
pub struct FcmServer {
    server: ScriptedServer,
    state: Arc<State>,
    account_file: PathBuf,
}

impl std::ops::Deref for FcmServer {
    type Target = ScriptedServer;

    fn deref(&self) -> &ScriptedServer {
        &self.server
    }
}

impl FcmServer {
    /// Generates a service account (RSA 2048) in `pki`'s directory and starts serving.
    pub async fn start(pki: &Pki) -> FcmServer {
        let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048)
            .unwrap_or_else(|e| panic!("RSA key: {e}"));
        let private_pem = key
            .to_pkcs8_pem(LineEnding::LF)
            .unwrap_or_else(|e| panic!("RSA PEM: {e}"));
        let public_pem = key
            .to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap_or_else(|e| panic!("RSA public PEM: {e}"));
        let decoding = DecodingKey::from_rsa_pem(public_pem.as_bytes())
            .unwrap_or_else(|e| panic!("RSA decoding key: {e}"));
        let listener = server::bind()
            .await
            .unwrap_or_else(|e| panic!("FCM test server: {e}"));
        let port = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("FCM test server: {e}"))
            .port();
        let token_uri = format!("https://127.0.0.1:{port}/token");
        let client_email = format!("notifier@{PROJECT}.iam.gserviceaccount.com");
        let key_id = format!("{:x}", uuid::Uuid::new_v4().simple());
        let account = serde_json::json!({
            "type": "service_account",
            "project_id": PROJECT,
            "private_key_id": key_id,
            "private_key": private_pem.as_str(),
            "client_email": client_email,
            "client_id": "1234567890",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": token_uri,
        });
        let account_file = pki.dir().join(format!("fcm-{port}.json"));
        std::fs::write(&account_file, account.to_string())
            .unwrap_or_else(|e| panic!("write the service account: {e}"));
        let book = Arc::new(Book::default());
        let state = Arc::new(State {
            client_email,
            key_id,
            token_uri,
            decoding,
            issued: Mutex::default(),
            token_requests: AtomicU64::new(0),
            book: book.clone(),
            counter: AtomicU64::new(0),
        });
        let handler_state = state.clone();
        let server = ScriptedServer::spawn(listener, pki.server_config(), book, move |req| {
            let response = handle(&handler_state, req);
            async move { response }
        })
        .unwrap_or_else(|e| panic!("FCM test server: {e}"));
        FcmServer {
            server,
            state,
            account_file,
        }
    }

    /// The generated service-account file (its `token_uri` points here).
    pub fn service_account_file(&self) -> &std::path::Path {
        &self.account_file
    }

    /// The worker's configuration for this server.
    pub fn config(&self) -> FcmConfig {
        FcmConfig {
            service_account_file: self.account_file.clone(),
            endpoint: self.endpoint(),
        }
    }

    /// Access tokens issued.
    pub fn token_requests(&self) -> u64 {
        self.state.token_requests.load(Ordering::Relaxed)
    }
}

fn handle(state: &State, req: Request<Bytes>) -> Response<Full<Bytes>> {
    let path = req.uri().path().to_string();
    match (req.method(), path.as_str()) {
        (&Method::POST, "/token") => token(state, &req),
        (&Method::POST, p) if p.starts_with("/v1/projects/") && p.ends_with("/messages:send") => {
            if p != format!("/v1/projects/{PROJECT}/messages:send") {
                return google_error(404, "NOT_FOUND", "Requested entity was not found.", vec![]);
            }
            send(state, &req)
        }
        _ => google_error(404, "NOT_FOUND", "no such method", vec![]),
    }
}

fn token(state: &State, req: &Request<Bytes>) -> Response<Full<Bytes>> {
    let refuse = |why: &str| {
        json(
            400,
            &serde_json::json!({"error": "invalid_grant", "error_description": why}),
        )
    };
    let form_type = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !form_type.starts_with("application/x-www-form-urlencoded") {
        return refuse("content-type must be application/x-www-form-urlencoded");
    }
    let body = String::from_utf8_lossy(req.body()).into_owned();
    let field = |name: &str| {
        body.split('&')
            .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
            .map(percent_decode)
    };
    if field("grant_type").as_deref() != Some(GRANT_TYPE) {
        return refuse("grant_type must be urn:ietf:params:oauth:grant-type:jwt-bearer");
    }
    let Some(assertion) = field("assertion") else {
        return refuse("missing assertion");
    };
    let header = match jsonwebtoken::decode_header(&assertion) {
        Ok(h) => h,
        Err(e) => return refuse(&format!("bad assertion header: {e}")),
    };
    if header.alg != Algorithm::RS256 || header.kid.as_deref() != Some(state.key_id.as_str()) {
        return refuse("assertion must be RS256 with kid = private_key_id");
    }
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[&state.token_uri]);
    validation.set_issuer(&[&state.client_email]);
    validation.set_required_spec_claims(&["exp", "iat", "iss", "aud"]);
    let claims =
        match jsonwebtoken::decode::<AssertionClaims>(&assertion, &state.decoding, &validation) {
            Ok(data) => data.claims,
            Err(e) => return refuse(&format!("Invalid JWT Signature or claims: {e}")),
        };
    if !claims.scope.split(' ').any(|s| s == crate::fcm::SCOPE) {
        return refuse("scope must include firebase.messaging");
    }
    if claims.exp.saturating_sub(claims.iat) > 3600 {
        return refuse("assertion lifetime over one hour");
    }
    state.token_requests.fetch_add(1, Ordering::Relaxed);
    let access = format!("ya29.test-{}", uuid::Uuid::new_v4().simple());
    if let Ok(mut issued) = state.issued.lock() {
        issued.insert(access.clone());
    }
    json(
        200,
        &serde_json::json!({"access_token": access, "expires_in": 3599, "token_type": "Bearer"}),
    )
}

fn send(state: &State, req: &Request<Bytes>) -> Response<Full<Bytes>> {
    let bearer = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    let known = state.issued.lock().is_ok_and(|i| i.contains(bearer));
    if !known {
        return unauthenticated();
    }
    let content_type = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.starts_with("application/json") {
        return invalid("content-type must be application/json", "");
    }
    let Ok(body) = serde_json::from_slice::<serde_json::Value>(req.body()) else {
        return invalid("Invalid JSON payload received.", "");
    };
    let message = &body["message"];
    let targets = ["token", "topic", "condition"]
        .iter()
        .filter(|k| message.get(**k).is_some())
        .count();
    if !message.is_object() || targets != 1 {
        return invalid(
            "exactly one of token, topic, condition is required",
            "message",
        );
    }
    for field in ["title", "body"] {
        if let Some(v) = message["notification"].get(field)
            && !v.is_string()
        {
            return invalid(
                "notification fields must be strings",
                "message.notification",
            );
        }
    }
    if let Some(data) = message.get("data")
        && !data
            .as_object()
            .is_some_and(|d| d.values().all(|v| v.is_string()))
    {
        return invalid("data values must be strings", "message.data");
    }
    let token = message["token"].as_str().unwrap_or("").to_string();
    let reply = state.book.reply(&token, req.headers(), &body);
    let fcm_error = |code: &str| serde_json::json!({"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": code});
    match reply {
        Reply::Ok => {
            let n = state.counter.fetch_add(1, Ordering::Relaxed);
            json(
                200,
                &serde_json::json!({"name": format!("projects/{PROJECT}/messages/0:{n}")}),
            )
        }
        Reply::Unregistered => google_error(
            404,
            "NOT_FOUND",
            "Requested entity was not found.",
            vec![fcm_error("UNREGISTERED")],
        ),
        Reply::BadToken => invalid(
            "The registration token is not a valid FCM registration token",
            "message.token",
        ),
        Reply::TooMany { retry_after_secs } => retry_after(
            google_error(
                429,
                "RESOURCE_EXHAUSTED",
                "Quota exceeded.",
                vec![fcm_error("QUOTA_EXCEEDED")],
            ),
            retry_after_secs,
        ),
        Reply::Unavailable => google_error(
            503,
            "UNAVAILABLE",
            "The service is currently unavailable.",
            vec![fcm_error("UNAVAILABLE")],
        ),
        Reply::Permanent => invalid(
            "Invalid value at 'message.android.ttl'",
            "message.android.ttl",
        ),
        Reply::ExpiredCredentials => {
            if let Ok(mut issued) = state.issued.lock() {
                issued.remove(bearer);
            }
            unauthenticated()
        }
    }
}

fn unauthenticated() -> Response<Full<Bytes>> {
    google_error(
        401,
        "UNAUTHENTICATED",
        "Request had invalid authentication credentials. Expected OAuth 2 access token.",
        vec![],
    )
}

fn invalid(message: &str, field: &str) -> Response<Full<Bytes>> {
    let mut details = vec![serde_json::json!({
        "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
        "errorCode": "INVALID_ARGUMENT"
    })];
    if !field.is_empty() {
        details.push(serde_json::json!({
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": [{"field": field, "description": message}]
        }));
    }
    google_error(400, "INVALID_ARGUMENT", message, details)
}

fn google_error(
    code: u16,
    status: &str,
    message: &str,
    details: Vec<serde_json::Value>,
) -> Response<Full<Bytes>> {
    json(
        code,
        &serde_json::json!({"error": {"code": code, "message": message, "status": status, "details": details}}),
    )
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => out.push(b),
                    Err(_) => out.extend_from_slice(&bytes[i..i + 3]),
                }
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
