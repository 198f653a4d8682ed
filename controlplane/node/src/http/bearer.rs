//! The user a request's `Authorization: Bearer <JWT>` names, verified like a socket's token
//! (signature, pinned algorithm, expiry, revocation), for the routes that act for a user.

use codecs::ResourceId;
use hyper::header::AUTHORIZATION;
use hyper::{HeaderMap, Response, StatusCode};

use super::response::{Body, json_error};
use crate::node::Services;

/// The token's `sub`, or the answer to give: 401 without a valid, unrevoked token, 503
/// when revocation cannot be checked.
pub async fn user(headers: &HeaderMap, services: &Services) -> Result<ResourceId, Response<Body>> {
    let refuse = |why: &str| json_error(StatusCode::UNAUTHORIZED, why);
    let bearer = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| refuse("missing Authorization: Bearer <token>"))?;
    let claims = services
        .tokens
        .verify(bearer)
        .map_err(|e| refuse(&e.to_string()))?;
    if let Some(jti) = &claims.jti {
        match services.store.is_token_revoked(jti).await {
            Ok(false) => {}
            Ok(true) => return Err(refuse("token refused: revoked")),
            Err(e) => {
                return Err(json_error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    &format!("cannot check revocation: {e}"),
                ));
            }
        }
    }
    ResourceId::new(&claims.sub).map_err(|e| refuse(&format!("token refused: sub: {e}")))
}
