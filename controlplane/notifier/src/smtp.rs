//! E-mail through SMTP with lettre's async transport: pooled connections (reused across
//! messages, [`POOL_SIZE`] at most), TLS through rustls with ring, trusting the platform's
//! roots plus the extra PEM roots (`SSL_CERT_FILE`).
//!
//! There is no SMTP-only CA setting: a relay with a private CA is trusted the way a private
//! FCM or APNs endpoint is, by adding its CA to `SSL_CERT_FILE` (added to the platform
//! roots, never replacing them). A certificate outside those roots fails the send at once
//! with `invalid peer certificate: …` (retried like any connection failure), and
//! `tls=required` against a server without STARTTLS fails with `STARTTLS is not
//! supported`, never falling back to plain text (`tests/smtp.rs` proves both, and both TLS
//! modes, against aiosmtpd).
//!
//! The URL is lettre's form: `smtp://host:port` (plain, for a local relay),
//! `smtp://host:587?tls=required` (STARTTLS, refusing a server without it),
//! `smtp://…?tls=opportunistic`, `smtps://user:pass@host:465` (TLS from the first byte).
//!
//! Every message is `multipart/alternative` with a plain-text and an HTML part; its
//! `Message-ID` derives from the notification id, so a duplicate is recognisable downstream.
//!
//! # Errors
//! SMTP 4xx replies are transient (retried); 5xx are permanent; a connection, TLS or
//! timeout failure is retried like a 4xx (the server may be restarting); an address that
//! does not parse is permanent.

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::error::{Failure, Provider, SendError, SetupError};
use crate::{EmailMessage, SmtpConfig, tls};

/// Pooled SMTP connections at most.
pub const POOL_SIZE: u32 = 8;

/// An SMTP sender.
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Smtp {
    /// Builds the pooled transport (connections are opened on first use).
    pub fn new(
        config: &SmtpConfig,
        extra_roots: &[PathBuf],
        timeout: Duration,
    ) -> Result<Smtp, SetupError> {
        let from: Mailbox = config.from.parse().map_err(|e| SetupError::Invalid {
            what: "SMTP_FROM",
            reason: format!("not an e-mail address: {e}"),
        })?;
        let bad_url = |reason: String| SetupError::Invalid {
            what: "SMTP_URL",
            reason,
        };
        let url = url::Url::parse(&config.url).map_err(|e| bad_url(e.to_string()))?;
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(&config.url)
            .map_err(|e| bad_url(e.to_string()))?;
        let mode = url
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.into_owned());
        let extra = tls::extra_certificates(extra_roots)?;
        let wants_tls = url.scheme() == "smtps" || mode.is_some();
        if wants_tls && !extra.is_empty() {
            // from_url built TLS parameters with the default roots only; rebuild them with
            // the extra roots added, keeping the mode the URL asked for.
            let host = url
                .host_str()
                .ok_or_else(|| bad_url("no host".into()))?
                .to_string();
            let mut params = TlsParameters::builder(host);
            for cert in extra {
                let pem = pem_of(&cert);
                let cert = Certificate::from_pem(pem.as_bytes())
                    .map_err(|e| bad_url(format!("extra root: {e}")))?;
                params = params.add_root_certificate(cert);
            }
            let params = params.build().map_err(|e| bad_url(e.to_string()))?;
            builder = builder.tls(match (url.scheme(), mode.as_deref()) {
                ("smtps", _) => Tls::Wrapper(params),
                (_, Some("opportunistic")) => Tls::Opportunistic(params),
                _ => Tls::Required(params),
            });
        }
        let transport = builder
            .timeout(Some(timeout))
            .pool_config(PoolConfig::new().max_size(POOL_SIZE))
            .build();
        Ok(Smtp { transport, from })
    }

    /// Sends `message`; the server's reply to the end of data (it usually names the queue
    /// id) on success.
    pub async fn send(&self, message: &EmailMessage) -> Result<String, SendError> {
        let permanent =
            |reason: String| SendError::local(Provider::Smtp, Failure::Permanent, reason);
        let to: Mailbox = message
            .to
            .parse()
            .map_err(|e| permanent(format!("recipient `{}`: {e}", message.to)))?;
        let message_id = uuid::Uuid::new_v5(
            &uuid::Uuid::NAMESPACE_OID,
            format!("email/{}", message.notification_id).as_bytes(),
        );
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&message.subject)
            .message_id(Some(format!("<{message_id}@armoricore>")))
            .multipart(MultiPart::alternative_plain_html(
                message.text.clone(),
                message.html.clone(),
            ))
            .map_err(|e| permanent(format!("cannot build the message: {e}")))?;
        match self.transport.send(email).await {
            Ok(response) => {
                let text: Vec<&str> = response.message().collect();
                Ok(format!("{} {}", response.code(), text.join(" ")))
            }
            Err(e) => Err(classify(&e)),
        }
    }
}

fn classify(e: &lettre::transport::smtp::Error) -> SendError {
    let status = e.status().and_then(|c| c.to_string().parse::<u16>().ok());
    let failure = if e.is_permanent() {
        Failure::Permanent
    } else {
        // Transient replies (4xx), and failures without a reply (connection, TLS, timeout).
        Failure::Retryable { retry_after: None }
    };
    SendError {
        failure,
        provider: Provider::Smtp,
        status,
        reason: crate::error::cut(&crate::http::chain(e), crate::error::MAX_RESPONSE_TEXT),
        response: String::new(),
    }
}

/// The PEM text of a DER certificate (lettre takes PEM).
fn pem_of(cert: &rustls::pki_types::CertificateDer<'_>) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut b64 = String::new();
    for chunk in cert.as_ref().chunks(3) {
        let n = chunk.len();
        let v = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= n {
                b64.push(TABLE[((v >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                b64.push('=');
            }
        }
    }
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    pem
}

/// The HTML body of a notification: title and body, escaped.
pub fn html_body(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html><body><h1>{}</h1><p>{}</p></body></html>",
        escape(title),
        escape(body).replace('\n', "<br>")
    )
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            html_body("a<b", "x & \"y\"\nz"),
            "<!DOCTYPE html><html><body><h1>a&lt;b</h1><p>x &amp; &quot;y&quot;<br>z</p></body></html>"
        );
    }

    #[test]
    fn pem_encoding_matches_base64() {
        let der = rustls::pki_types::CertificateDer::from(b"hello!?".to_vec());
        assert!(
            pem_of(&der).contains("\naGVsbG8hPw==\n"),
            "{}",
            pem_of(&der)
        );
    }
}
