//! A throw-away PKI: a CA and a server certificate for `localhost` and `127.0.0.1`, made at
//! run time with rcgen (ring). The CA's PEM file is what the client gets as its extra root
//! (`SSL_CERT_FILE` in production terms), so tests trust the servers the way a staging
//! deployment trusts a private CA. The server identity is also written as PEM files, for
//! servers that take files (aiosmtpd's STARTTLS and implicit TLS).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, SanType};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The generated CA and server identity, with files in a temp dir.
pub struct Pki {
    dir: tempfile::TempDir,
    ca_file: PathBuf,
    cert_file: PathBuf,
    key_file: PathBuf,
    chain: Vec<CertificateDer<'static>>,
    key: Vec<u8>,
}

impl Pki {
    /// Generates a CA and a server certificate signed by it.
    pub fn generate() -> Result<Pki, String> {
        let err = |e: rcgen::Error| e.to_string();
        let ca_key = KeyPair::generate().map_err(err)?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "armoricore test CA");
        let ca = ca_params.self_signed(&ca_key).map_err(err)?;
        let leaf_key = KeyPair::generate().map_err(err)?;
        let mut leaf_params = CertificateParams::new(vec!["localhost".to_string()]).map_err(err)?;
        leaf_params
            .subject_alt_names
            .push(SanType::IpAddress([127, 0, 0, 1].into()));
        leaf_params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        let leaf = leaf_params
            .signed_by(&leaf_key, &ca, &ca_key)
            .map_err(err)?;
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let ca_file = dir.path().join("test-ca.pem");
        std::fs::write(&ca_file, ca.pem()).map_err(|e| e.to_string())?;
        let cert_file = dir.path().join("server-chain.pem");
        std::fs::write(&cert_file, format!("{}{}", leaf.pem(), ca.pem()))
            .map_err(|e| e.to_string())?;
        let key_file = dir.path().join("server-key.pem");
        std::fs::write(&key_file, leaf_key.serialize_pem()).map_err(|e| e.to_string())?;
        Ok(Pki {
            dir,
            ca_file,
            cert_file,
            key_file,
            chain: vec![leaf.der().clone(), ca.der().clone()],
            key: leaf_key.serialize_der(),
        })
    }

    /// The CA certificate as a PEM file: the client's extra root.
    pub fn ca_file(&self) -> &Path {
        &self.ca_file
    }

    /// The server's certificate chain (leaf first) as a PEM file.
    pub fn server_cert_file(&self) -> &Path {
        &self.cert_file
    }

    /// The server's private key as a PKCS#8 PEM file.
    pub fn server_key_file(&self) -> &Path {
        &self.key_file
    }

    /// A directory that lives as long as this value (for generated key files).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// A rustls server configuration with this identity, offering only `h2`.
    pub fn server_config(&self) -> Arc<rustls::ServerConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key.clone()));
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .and_then(|b| {
                b.with_no_client_auth()
                    .with_single_cert(self.chain.clone(), key)
            })
            .unwrap_or_else(|e| panic!("test server TLS config: {e}"));
        config.alpn_protocols = vec![b"h2".to_vec()];
        Arc::new(config)
    }
}
