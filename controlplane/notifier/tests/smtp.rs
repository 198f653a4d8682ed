//! Proves the SMTP sender delivers to a real SMTP server (aiosmtpd) a multipart message
//! whose headers and plain and HTML bodies the server receives intact; that the server's
//! 4xx is retryable and its 5xx permanent; that STARTTLS and implicit TLS work against a
//! server whose certificate is trusted only through the extra roots (`SSL_CERT_FILE`); and
//! that an untrusted certificate, or a server without STARTTLS when it is required, fails
//! at once with an error saying so, delivering nothing.
#![allow(clippy::unwrap_used)] // tests may unwrap

use std::time::Duration;

use notifier::smtp::{Smtp, html_body};
use notifier::test_support::{Pki, SmtpSink, SmtpTls};
use notifier::{EmailMessage, Failure, SmtpConfig};

fn sink() -> Option<SmtpSink> {
    started(SmtpSink::start())
}

fn tls_sink(tls: SmtpTls, pki: &Pki) -> Option<SmtpSink> {
    started(SmtpSink::start_tls(tls, pki))
}

fn started(sink: Result<SmtpSink, String>) -> Option<SmtpSink> {
    match sink {
        Ok(sink) => Some(sink),
        Err(why) => {
            testkit::skip_or_fail(&why);
            None
        }
    }
}

fn email(to: &str) -> EmailMessage {
    EmailMessage {
        notification_id: "n-mail".into(),
        to: to.into(),
        subject: "Your upload is ready".into(),
        text: "It plays now.".into(),
        html: html_body("Your upload is ready", "It plays <now>."),
    }
}

#[tokio::test]
async fn an_email_arrives_with_its_headers_and_both_bodies() {
    let Some(sink) = sink() else { return };
    let config = SmtpConfig {
        url: sink.url(),
        from: "Armoricore <noreply@armoricore.test>".into(),
    };
    let smtp = Smtp::new(&config, &[], Duration::from_secs(10)).unwrap();
    let reply = smtp.send(&email("alice@example.test")).await.unwrap();
    assert!(reply.starts_with("250"), "{reply}");
    let messages = sink.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(messages.len(), 1);
    let m = &messages[0];
    assert!(m.contains("X-Envelope-To: alice@example.test"), "{m}");
    assert!(m.contains("X-Session-TLS: none"), "{m}");
    assert!(
        m.contains("From: Armoricore <noreply@armoricore.test>"),
        "{m}"
    );
    assert!(m.contains("To: alice@example.test"), "{m}");
    assert!(m.contains("Subject: Your upload is ready"), "{m}");
    assert!(m.contains("Message-ID: <"), "{m}");
    assert!(m.contains("multipart/alternative"), "{m}");
    assert!(m.contains("Content-Type: text/plain; charset=utf-8"), "{m}");
    assert!(m.contains("It plays now."), "{m}");
    assert!(m.contains("Content-Type: text/html; charset=utf-8"), "{m}");
    // The HTML part is quoted-printable: undo its soft line breaks before reading it.
    let unfolded = m.replace("=\r\n", "").replace("=\n", "");
    assert!(unfolded.contains("It plays &lt;now&gt;."), "{m}");
}

#[tokio::test]
async fn a_4xx_is_retryable_and_a_5xx_permanent() {
    let Some(sink) = sink() else { return };
    let config = SmtpConfig {
        url: sink.url(),
        from: "noreply@armoricore.test".into(),
    };
    let smtp = Smtp::new(&config, &[], Duration::from_secs(10)).unwrap();
    let e = smtp
        .send(&email("tempfail-once@example.test"))
        .await
        .unwrap_err();
    assert_eq!(e.failure, Failure::Retryable { retry_after: None }, "{e}");
    assert_eq!(e.status, Some(451));
    smtp.send(&email("tempfail-once@example.test"))
        .await
        .unwrap();
    let e = smtp.send(&email("reject@example.test")).await.unwrap_err();
    assert_eq!(
        (e.failure, e.status),
        (Failure::Permanent, Some(550)),
        "{e}"
    );
}

const FROM: &str = "noreply@armoricore.test";

/// A sender for `sink` trusting `roots` besides the platform's.
fn smtp_for(sink: &SmtpSink, roots: &[std::path::PathBuf]) -> Smtp {
    let config = SmtpConfig {
        url: sink.url(),
        from: FROM.into(),
    };
    Smtp::new(&config, roots, Duration::from_secs(10)).unwrap()
}

async fn delivers_over(tls: SmtpTls) {
    let pki = Pki::generate().unwrap();
    let Some(sink) = tls_sink(tls, &pki) else {
        return;
    };
    let smtp = smtp_for(&sink, &[pki.ca_file().to_path_buf()]);
    let reply = smtp.send(&email("bob@example.test")).await.unwrap();
    assert!(reply.starts_with("250"), "{reply}");
    let messages = sink.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(messages.len(), 1, "{tls:?}");
    let m = &messages[0];
    assert!(m.contains("X-Session-TLS: TLSv1."), "{tls:?}: {m}");
    assert!(m.contains("Subject: Your upload is ready"), "{m}");
    // The pooled connection is reused for a second message.
    smtp.send(&email("carol@example.test")).await.unwrap();
    assert_eq!(sink.wait_for(2, Duration::from_secs(10)).await.len(), 2);
}

#[tokio::test]
async fn starttls_delivers_to_a_server_trusted_through_the_extra_roots() {
    delivers_over(SmtpTls::StartTls).await;
}

#[tokio::test]
async fn implicit_tls_delivers_to_a_server_trusted_through_the_extra_roots() {
    delivers_over(SmtpTls::Implicit).await;
}

#[tokio::test]
async fn a_certificate_outside_the_trusted_roots_is_refused_at_once() {
    let pki = Pki::generate().unwrap();
    let other = Pki::generate().unwrap();
    for tls in [SmtpTls::StartTls, SmtpTls::Implicit] {
        let Some(sink) = tls_sink(tls, &pki) else {
            return;
        };
        // Trusting the platform roots only, and trusting another private CA.
        for roots in [vec![], vec![other.ca_file().to_path_buf()]] {
            let smtp = smtp_for(&sink, &roots);
            let sent = tokio::time::timeout(
                Duration::from_secs(8),
                smtp.send(&email("dave@example.test")),
            )
            .await
            .unwrap_or_else(|_| panic!("{tls:?}: no answer within 8 s: the send hangs"));
            let e = sent.unwrap_err();
            assert!(
                e.reason.contains("certificate") || e.reason.contains("UnknownIssuer"),
                "{tls:?}, roots {roots:?}: {e}"
            );
            assert!(
                e.is_retryable(),
                "a TLS failure is a connection failure: {e}"
            );
        }
        assert!(sink.messages().is_empty(), "{tls:?}: nothing is delivered");
    }
}

#[tokio::test]
async fn required_starttls_refuses_a_server_without_it() {
    let Some(sink) = sink() else { return };
    let config = SmtpConfig {
        url: format!("{}?tls=required", sink.url()),
        from: FROM.into(),
    };
    let smtp = Smtp::new(&config, &[], Duration::from_secs(10)).unwrap();
    let sent = tokio::time::timeout(
        Duration::from_secs(8),
        smtp.send(&email("erin@example.test")),
    )
    .await
    .expect("no answer within 8 s: the send hangs");
    let e = sent.unwrap_err();
    assert!(e.reason.to_lowercase().contains("tls"), "{e}");
    assert!(sink.messages().is_empty(), "nothing goes out in plain text");
}
