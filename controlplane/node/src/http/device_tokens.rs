//! `POST /api/v1/device-tokens` and `DELETE /api/v1/device-tokens`: a signed-in user
//! registers or removes a push token of one of their devices.
//!
//! Auth: `Authorization: Bearer <JWT>` (see [`super::bearer`]); the token's `sub` is the
//! owner. Body (JSON, the shape of
//! `notification.requested`'s `device_tokens` items): `{"platform": "ios"|"android"|"web",
//! "token": "…"}` to register, `{"token": "…"}` to remove.
//! Answers: 200 with the stored row (register) or `{"deleted": true}` (remove); 400 with
//! the field at fault; 401 without a valid, unrevoked token; 404 when removing a token the
//! user does not have; 503 when the store is unavailable.

use bytes::Bytes;
use codecs::events::DeviceToken;
use hyper::{Request, Response, StatusCode};
use serde::Deserialize;

use super::bearer::user;
use super::response::{Body, json, json_error};
use crate::node::Services;

/// The JSON body, or the message of the 400 to answer (naming the field at fault).
fn body<T: serde::de::DeserializeOwned>(req: &Request<Bytes>) -> Result<T, String> {
    let mut de = serde_json::Deserializer::from_slice(req.body());
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        if path == "." {
            format!("invalid body: {}", e.inner())
        } else {
            format!("invalid body at `{path}`: {}", e.inner())
        }
    })
}

fn store_error(e: &store::StoreError) -> Response<Body> {
    match e {
        store::StoreError::Invalid(why) => json_error(StatusCode::BAD_REQUEST, why),
        other => json_error(
            StatusCode::SERVICE_UNAVAILABLE,
            &format!("the store failed: {other}"),
        ),
    }
}

/// `POST`: registers (or refreshes) a token.
pub async fn register(req: Request<Bytes>, services: &Services) -> Response<Body> {
    let user = match user(req.headers(), services).await {
        Ok(user) => user,
        Err(answer) => return answer,
    };
    let token: DeviceToken = match body(&req) {
        Ok(token) => token,
        Err(message) => return json_error(StatusCode::BAD_REQUEST, &message),
    };
    if token.token.trim().is_empty() {
        return json_error(StatusCode::BAD_REQUEST, "invalid body at `token`: empty");
    }
    match services.store.upsert_device_token(&user, &token).await {
        Ok(row) => json(
            StatusCode::OK,
            &serde_json::json!({
                "id": row.id,
                "user_id": row.user_id,
                "platform": row.platform,
                "token": row.token,
            }),
        ),
        Err(e) => store_error(&e),
    }
}

#[derive(Deserialize)]
struct Removal {
    token: String,
}

/// `DELETE`: removes one of the user's tokens.
pub async fn remove(req: Request<Bytes>, services: &Services) -> Response<Body> {
    let user = match user(req.headers(), services).await {
        Ok(user) => user,
        Err(answer) => return answer,
    };
    let removal: Removal = match body(&req) {
        Ok(removal) => removal,
        Err(message) => return json_error(StatusCode::BAD_REQUEST, &message),
    };
    match services
        .store
        .delete_device_token(&user, &removal.token)
        .await
    {
        Ok(true) => json(StatusCode::OK, &serde_json::json!({ "deleted": true })),
        Ok(false) => json_error(StatusCode::NOT_FOUND, "no such device token for this user"),
        Err(e) => store_error(&e),
    }
}
