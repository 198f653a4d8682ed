//! The TLS client configuration of every provider connection: rustls with the ring provider
//! (the workspace's choice; no aws-lc-rs), trusting the platform's roots plus the
//! certificates of extra PEM files (`SSL_CERT_FILE`, so staging and tests can point the
//! worker at endpoints with a private CA).
//!
//! Why "plus" and not "instead": `SSL_CERT_FILE` traditionally replaces the default bundle;
//! here it adds to it, so setting it for one private endpoint cannot break FCM or APNs.

use std::path::PathBuf;
use std::sync::Arc;

use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::SetupError;

/// The roots: platform roots (unreadable ones are skipped with a warning) + `extra`.
pub(crate) fn root_store(extra: &[PathBuf]) -> Result<RootCertStore, SetupError> {
    let mut roots = RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    for err in &native.errors {
        tracing::warn!(error = %err, "cannot read some platform trust roots");
    }
    let (_, ignored) = roots.add_parsable_certificates(native.certs);
    if ignored > 0 {
        tracing::debug!(ignored, "platform trust roots rustls cannot use");
    }
    for cert in extra_certificates(extra)? {
        roots.add(cert).map_err(|e| SetupError::Invalid {
            what: "SSL_CERT_FILE",
            reason: format!("a certificate is not a usable trust root: {e}"),
        })?;
    }
    if roots.is_empty() {
        tracing::warn!("no trust roots at all: every TLS provider connection will fail");
    }
    Ok(roots)
}

/// The certificates of the extra PEM files; a file without any is an error.
pub(crate) fn extra_certificates(
    extra: &[PathBuf],
) -> Result<Vec<CertificateDer<'static>>, SetupError> {
    let mut out = Vec::new();
    for path in extra {
        let bad = |reason: String| SetupError::File {
            what: "extra trust roots",
            path: path.display().to_string(),
            reason,
        };
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(|e| bad(e.to_string()))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| bad(e.to_string()))?;
        if certs.is_empty() {
            return Err(bad("no PEM certificate in it".into()));
        }
        out.extend(certs);
    }
    Ok(out)
}

/// A client configuration (no ALPN yet: the connector sets it per client).
pub(crate) fn client_config(extra: &[PathBuf]) -> Result<rustls::ClientConfig, SetupError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| SetupError::Invalid {
            what: "TLS",
            reason: e.to_string(),
        })?
        .with_root_certificates(root_store(extra)?)
        .with_no_client_auth();
    Ok(config)
}
