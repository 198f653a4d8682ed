//! Proves the SMTP sender delivers to a real SMTP server (aiosmtpd) a multipart message
//! whose headers and plain and HTML bodies the server receives intact, and that the
//! server's 4xx is retryable and its 5xx permanent.
#![allow(clippy::unwrap_used)] // tests may unwrap

use std::time::Duration;

use notifier::smtp::{Smtp, html_body};
use notifier::test_support::SmtpSink;
use notifier::{EmailMessage, Failure, SmtpConfig};

fn sink() -> Option<SmtpSink> {
    match SmtpSink::start() {
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
