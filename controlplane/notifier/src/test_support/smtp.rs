//! A real SMTP server for tests: aiosmtpd (PyPI) with the spool handler committed at
//! `controlplane/notifier/tests/smtp_sink.py`, which writes each message it accepts to a
//! directory as `NNNNNN.eml` (renamed into place, so a reader never sees half a file).
//! Recipients starting with `tempfail-once` get one 451 first, `reject` a 550, so tests
//! can drive both SMTP error classes through a real server.
//!
//! It speaks plain SMTP, STARTTLS (required before `MAIL`, aiosmtpd's default when it has a
//! certificate) or TLS from the first byte ([`SmtpTls`]), with the server identity of a
//! [`Pki`], so the client trusts it only through the PKI's CA file.
//!
//! The Python comes from `ARMORICORE_TEST_SMTP_PYTHON`, else the venv
//! `deploy/bootstrap.sh test-deps` makes at `.services/smtp-venv`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::Pki;

/// How the server protects the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain text, no TLS offered.
    None,
    /// `STARTTLS` offered, and required before a message is accepted.
    StartTls,
    /// TLS from the first byte (`smtps`).
    Implicit,
}

/// The running server; killed on drop.
pub struct SmtpSink {
    child: Child,
    port: u16,
    tls: SmtpTls,
    spool: tempfile::TempDir,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The Python with aiosmtpd, if installed.
pub fn python() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("ARMORICORE_TEST_SMTP_PYTHON") {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.services/smtp-venv/bin/python");
    Some(venv).filter(|p| p.is_file())
}

impl SmtpSink {
    /// Starts a plain aiosmtpd on a free loopback port; `Err` says why it could not.
    pub fn start() -> Result<SmtpSink, String> {
        Self::start_with(SmtpTls::None, None)
    }

    /// Starts aiosmtpd with `tls`, presenting `pki`'s server certificate.
    pub fn start_tls(tls: SmtpTls, pki: &Pki) -> Result<SmtpSink, String> {
        Self::start_with(tls, Some(pki))
    }

    fn start_with(tls: SmtpTls, pki: Option<&Pki>) -> Result<SmtpSink, String> {
        let tls_args: Vec<std::ffi::OsString> = match (tls, pki) {
            (SmtpTls::None, _) => Vec::new(),
            (SmtpTls::StartTls, Some(pki)) => vec![
                "--tlscert".into(),
                pki.server_cert_file().into(),
                "--tlskey".into(),
                pki.server_key_file().into(),
            ],
            (SmtpTls::Implicit, Some(pki)) => vec![
                "--smtpscert".into(),
                pki.server_cert_file().into(),
                "--smtpskey".into(),
                pki.server_key_file().into(),
            ],
            (_, None) => return Err("TLS needs a certificate".into()),
        };
        let python = python().ok_or(
            "aiosmtpd is not installed (deploy/bootstrap.sh test-deps makes .services/smtp-venv)",
        )?;
        let spool = tempfile::tempdir().map_err(|e| e.to_string())?;
        let handler_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
        for _ in 0..5 {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map(|a| a.port())
                .map_err(|e| e.to_string())?;
            // Its log goes next to the spool (not inside: only *.eml files are messages).
            let log = std::fs::File::create(spool.path().with_extension("log"))
                .map_err(|e| format!("aiosmtpd log: {e}"))?;
            let mut child = Command::new(&python)
                .args(["-m", "aiosmtpd", "-n", "-l"])
                .arg(format!("127.0.0.1:{port}"))
                .args(&tls_args)
                .args(["-c", "smtp_sink.Spool"])
                .arg(spool.path())
                .env("PYTHONPATH", &handler_dir)
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .map_err(|e| format!("cannot start aiosmtpd: {e}"))?;
            let addr = SocketAddr::from(([127, 0, 0, 1], port));
            let deadline = Instant::now() + Duration::from_secs(15);
            while Instant::now() < deadline {
                if matches!(child.try_wait(), Ok(Some(_))) {
                    break;
                }
                if std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                    return Ok(SmtpSink {
                        child,
                        port,
                        tls,
                        spool,
                    });
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        let log = std::fs::read_to_string(spool.path().with_extension("log")).unwrap_or_default();
        Err(format!("aiosmtpd did not start: {}", log.trim()))
    }

    /// The `SMTP_URL` for this server: `smtp://127.0.0.1:<port>`, with `?tls=required`
    /// for STARTTLS, or `smtps://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        match self.tls {
            SmtpTls::None => format!("smtp://127.0.0.1:{}", self.port),
            SmtpTls::StartTls => format!("smtp://127.0.0.1:{}?tls=required", self.port),
            SmtpTls::Implicit => format!("smtps://127.0.0.1:{}", self.port),
        }
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The messages received so far, raw (RFC 5322 text), in arrival order.
    pub fn messages(&self) -> Vec<String> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.spool.path())
            .map(|dir| {
                dir.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect()
    }

    /// Waits up to `timeout` for at least `n` messages.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let messages = self.messages();
            if messages.len() >= n || Instant::now() > deadline {
                return messages;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
