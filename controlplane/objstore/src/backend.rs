//! Owns turning an [`ObjectStoreConfig`] into a live `object_store` backend, and the
//! one-line description of it that appears in logs, errors and `/health`.
//!
//! Choices made here (the reasons are in this crate's README, "Decisions"):
//! - Local: `LocalFileSystem` rooted at the canonical directory, with fsync on (an object
//!   acknowledged to the bus must survive a crash) and empty-directory cleanup on delete.
//! - S3: path-style requests (required by most S3-compatible servers, and what AWS
//!   accepts too); `http://` allowed only when the endpoint says so; no whole-request
//!   timeout but a read-stall timeout, so streaming to a slow client is not cut off;
//!   rustls with ring as the process-wide TLS provider, installed here if none is.

use std::path::Path;
use std::sync::Arc;

use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::{BackoffConfig, ClientOptions, ObjectStore, RetryConfig};

use crate::config::{Backend, ObjectStoreConfig, S3Config, check_bucket};
use crate::error::ObjectStoreError;
use crate::key::ObjectKey;

/// A backend ready for use, with what [`Objects`](crate::Objects) needs to know about it.
pub(crate) struct Built {
    pub(crate) store: Arc<dyn ObjectStore>,
    pub(crate) prefix: Option<ObjectKey>,
    pub(crate) describe: Arc<str>,
    /// The local root, checked by the health probe (a missing directory lists as empty).
    pub(crate) local_root: Option<std::path::PathBuf>,
}

pub(crate) fn build(config: &ObjectStoreConfig) -> Result<Built, ObjectStoreError> {
    match &config.backend {
        Backend::Local { root } => local(root),
        Backend::S3(s3) => s3_store(s3),
    }
}

fn setup_error(
    store: String,
    what: &str,
    source: impl Into<crate::error::BoxError>,
) -> ObjectStoreError {
    ObjectStoreError::Setup {
        store,
        what: what.to_owned(),
        source: Some(source.into()),
    }
}

fn local(root: &Path) -> Result<Built, ObjectStoreError> {
    let shown = format!("local:{}", root.display());
    std::fs::create_dir_all(root)
        .map_err(|e| setup_error(shown.clone(), "cannot create the directory", e))?;
    let root = std::fs::canonicalize(root)
        .map_err(|e| setup_error(shown.clone(), "cannot resolve the directory", e))?;
    let store = LocalFileSystem::new_with_prefix(&root)
        .map_err(|e| setup_error(shown, "cannot open the directory", e))?
        .with_fsync(true)
        .with_automatic_cleanup(true);
    Ok(Built {
        store: Arc::new(store),
        prefix: None,
        describe: format!("local:{}", root.display()).into(),
        local_root: Some(root),
    })
}

fn s3_store(cfg: &S3Config) -> Result<Built, ObjectStoreError> {
    let describe = describe_s3(cfg);
    check_bucket(&cfg.bucket).map_err(|why| ObjectStoreError::Setup {
        store: describe.clone(),
        what: format!("bucket name: {why}"),
        source: None,
    })?;
    install_tls_provider();

    let allow_http = cfg
        .endpoint
        .as_deref()
        .is_some_and(|e| e.starts_with("http://"));
    let client = ClientOptions::new()
        .with_connect_timeout(cfg.connect_timeout)
        .with_timeout_disabled()
        .with_read_timeout(cfg.read_timeout)
        .with_allow_http(allow_http);
    let retry = RetryConfig {
        backoff: BackoffConfig::default(),
        max_retries: cfg.max_retries,
        retry_timeout: cfg.retry_timeout,
    };
    let mut builder = AmazonS3Builder::new()
        .with_bucket_name(&cfg.bucket)
        .with_region(&cfg.region)
        .with_virtual_hosted_style_request(false)
        .with_client_options(client)
        .with_retry(retry);
    if let Some(endpoint) = &cfg.endpoint {
        builder = builder.with_endpoint(endpoint);
    }
    if let Some(creds) = &cfg.credentials {
        builder = builder
            .with_access_key_id(&creds.access_key_id)
            .with_secret_access_key(&creds.secret_access_key);
        if let Some(token) = &creds.session_token {
            builder = builder.with_token(token);
        }
    }
    let store = builder
        .build()
        .map_err(|e| setup_error(describe.clone(), "invalid S3 settings", e))?;
    Ok(Built {
        store: Arc::new(store),
        prefix: cfg.prefix.clone(),
        describe: describe.into(),
        local_root: None,
    })
}

/// `s3://bucket[/prefix] (endpoint)` or `s3://bucket[/prefix] (aws region)`.
fn describe_s3(cfg: &S3Config) -> String {
    let prefix = cfg
        .prefix
        .as_ref()
        .map(|p| format!("/{p}"))
        .unwrap_or_default();
    match &cfg.endpoint {
        Some(endpoint) => format!("s3://{}{prefix} ({endpoint})", cfg.bucket),
        None => format!("s3://{}{prefix} (aws {})", cfg.bucket, cfg.region),
    }
}

/// reqwest is built with `rustls-no-provider` (to keep aws-lc-rs out of the build), so a
/// process-wide rustls provider must exist before the first client is made. If another
/// part of the process already installed one, that one is kept.
fn install_tls_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Err means someone else won the race to install one: equally fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}
