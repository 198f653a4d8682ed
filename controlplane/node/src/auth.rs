//! JWT keys: loading them as configured, minting tokens, verifying them.
//!
//! The algorithm is pinned by configuration (`JWT_ALGORITHM`), never read from a token, so a
//! token claiming `alg: none` or another family is refused. `exp` and `nbf` are enforced with
//! no leeway beyond 30 s of clock skew; `iss` and `aud` when configured. Revocation (`jti` in
//! `revoked_tokens`) is the caller's check, since it needs the store.

use std::path::Path;
use std::time::Duration;

use codecs::ResourceId;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::OffsetDateTime;

use crate::config::{JwtConfig, JwtKeySource};
use crate::secrets::{self, DataDirSecret};

/// Clock skew tolerated on `exp` and `nbf`.
const LEEWAY_SECS: u64 = 30;

/// Why keys could not be loaded or a token not minted or accepted.
#[derive(Debug, Error)]
pub enum AuthError {
    /// A key file could not be read or parsed.
    #[error("JWT key {path}: {reason}")]
    Key {
        /// The file at fault.
        path: String,
        /// What was wrong.
        reason: String,
    },
    /// Minting needs a private key that is not configured.
    #[error("minting {0} tokens needs JWT_PRIVATE_KEY_FILE (the node only holds the public key)")]
    NoPrivateKey(String),
    /// The token was refused.
    #[error("token refused: {0}")]
    Refused(String),
}

/// The claims Armoricore mints and reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    /// Expiry, seconds since the epoch.
    pub exp: u64,
    /// Issued at.
    pub iat: u64,
    /// Not before.
    #[serde(default)]
    pub nbf: Option<u64>,
    /// Token id, used for revocation.
    #[serde(default)]
    pub jti: Option<String>,
    /// Issuer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// Audience.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
}

/// The keys of the configured algorithm.
pub struct TokenKeys {
    algorithm: Algorithm,
    decoding: DecodingKey,
    encoding: Option<EncodingKey>,
    issuer: Option<String>,
    audience: Option<String>,
}

impl TokenKeys {
    /// Loads the keys `config` names; the data-dir secret is created on first use.
    pub fn load(config: &JwtConfig, data_dir: &Path) -> Result<TokenKeys, AuthError> {
        let (algorithm, decoding, encoding) =
            match &config.keys {
                JwtKeySource::Secret(secret) => {
                    let bytes = secret.expose().as_bytes();
                    (
                        Algorithm::HS256,
                        DecodingKey::from_secret(bytes),
                        Some(EncodingKey::from_secret(bytes)),
                    )
                }
                JwtKeySource::DataDirSecret => {
                    let path = DataDirSecret::JwtSecret.path(data_dir);
                    let secret = secrets::load_or_create(data_dir, DataDirSecret::JwtSecret)
                        .map_err(|e| AuthError::Key {
                            path: path.display().to_string(),
                            reason: e.to_string(),
                        })?;
                    let bytes = secret.expose().as_bytes();
                    (
                        Algorithm::HS256,
                        DecodingKey::from_secret(bytes),
                        Some(EncodingKey::from_secret(bytes)),
                    )
                }
                JwtKeySource::PublicKey {
                    algorithm,
                    public_key_file,
                    private_key_file,
                } => {
                    let rsa = algorithm == "RS256";
                    let read = |path: &Path| {
                        std::fs::read(path).map_err(|e| AuthError::Key {
                            path: path.display().to_string(),
                            reason: e.to_string(),
                        })
                    };
                    let bad = |path: &Path, e: jsonwebtoken::errors::Error| AuthError::Key {
                        path: path.display().to_string(),
                        reason: e.to_string(),
                    };
                    let pem = read(public_key_file)?;
                    let decoding = if rsa {
                        DecodingKey::from_rsa_pem(&pem)
                    } else {
                        DecodingKey::from_ec_pem(&pem)
                    }
                    .map_err(|e| bad(public_key_file, e))?;
                    let encoding = match private_key_file {
                        Some(path) => {
                            let pem = read(path)?;
                            Some(
                                if rsa {
                                    EncodingKey::from_rsa_pem(&pem)
                                } else {
                                    EncodingKey::from_ec_pem(&pem)
                                }
                                .map_err(|e| bad(path, e))?,
                            )
                        }
                        None => None,
                    };
                    let algorithm = if rsa {
                        Algorithm::RS256
                    } else {
                        Algorithm::ES256
                    };
                    (algorithm, decoding, encoding)
                }
            };
        Ok(TokenKeys {
            algorithm,
            decoding,
            encoding,
            issuer: config.issuer.clone(),
            audience: config.audience.clone(),
        })
    }

    /// Mints a token for `user` valid for `ttl`, with a fresh `jti`.
    pub fn mint(&self, user: &ResourceId, ttl: Duration) -> Result<String, AuthError> {
        let encoding = self
            .encoding
            .as_ref()
            .ok_or_else(|| AuthError::NoPrivateKey(format!("{:?}", self.algorithm)))?;
        let now = OffsetDateTime::now_utc().unix_timestamp().max(0) as u64;
        let claims = Claims {
            sub: user.to_string(),
            exp: now.saturating_add(ttl.as_secs()),
            iat: now,
            nbf: Some(now),
            jti: Some(uuid::Uuid::new_v4().to_string()),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
        };
        jsonwebtoken::encode(&Header::new(self.algorithm), &claims, encoding)
            .map_err(|e| AuthError::Refused(e.to_string()))
    }

    /// Verifies signature, algorithm, `exp`, `nbf`, and `iss`/`aud` when configured.
    pub fn verify(&self, token: &str) -> Result<Claims, AuthError> {
        let mut validation = Validation::new(self.algorithm);
        validation.leeway = LEEWAY_SECS;
        validation.validate_nbf = true;
        let mut required = vec!["exp", "sub"];
        if self.issuer.is_some() {
            required.push("iss");
        }
        if self.audience.is_some() {
            required.push("aud");
        }
        validation.set_required_spec_claims(&required);
        match &self.issuer {
            Some(iss) => validation.set_issuer(&[iss]),
            None => validation.iss = None,
        }
        match &self.audience {
            Some(aud) => validation.set_audience(&[aud]),
            None => validation.validate_aud = false,
        }
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|e| AuthError::Refused(e.to_string()))?;
        ResourceId::new(&data.claims.sub).map_err(|e| AuthError::Refused(format!("sub: {e}")))?;
        Ok(data.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::Secret;

    fn keys(secret: &str, iss: Option<&str>) -> TokenKeys {
        let config = JwtConfig {
            keys: JwtKeySource::Secret(Secret::new(secret)),
            issuer: iss.map(str::to_string),
            audience: None,
        };
        TokenKeys::load(&config, Path::new("/nonexistent")).unwrap()
    }

    #[test]
    fn minted_tokens_verify_with_the_same_keys_only() {
        let a = keys("a-secret-of-at-least-thirty-two-bytes!", None);
        let b = keys("another-secret-of-at-least-32-bytes!!", None);
        let user = ResourceId::new("u-1").unwrap();
        let token = a.mint(&user, Duration::from_secs(60)).unwrap();
        let claims = a.verify(&token).unwrap();
        assert_eq!(claims.sub, "u-1");
        assert!(claims.jti.is_some());
        assert!(b.verify(&token).is_err());
    }

    #[test]
    fn expired_tokens_and_alg_none_are_refused() {
        let a = keys("a-secret-of-at-least-thirty-two-bytes!", None);
        let user = ResourceId::new("u-1").unwrap();
        let now = OffsetDateTime::now_utc().unix_timestamp() as u64;
        let expired = Claims {
            sub: "u-1".into(),
            exp: now - 3600,
            iat: now - 7200,
            nbf: None,
            jti: None,
            iss: None,
            aud: None,
        };
        let token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &expired,
            &EncodingKey::from_secret(b"a-secret-of-at-least-thirty-two-bytes!"),
        )
        .unwrap();
        assert!(a.verify(&token).is_err());
        // An unsigned token with alg none: header {"alg":"none"}.
        let good = a.mint(&user, Duration::from_secs(60)).unwrap();
        let payload = good.split('.').nth(1).unwrap();
        let none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");
        assert!(a.verify(&none).is_err());
    }

    #[test]
    fn issuer_is_enforced_when_configured() {
        let plain = keys("a-secret-of-at-least-thirty-two-bytes!", None);
        let strict = keys("a-secret-of-at-least-thirty-two-bytes!", Some("armoricore"));
        let user = ResourceId::new("u-1").unwrap();
        let without_iss = plain.mint(&user, Duration::from_secs(60)).unwrap();
        assert!(strict.verify(&without_iss).is_err());
        let with_iss = strict.mint(&user, Duration::from_secs(60)).unwrap();
        assert!(strict.verify(&with_iss).is_ok());
    }
}
