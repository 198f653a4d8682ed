//! The providers one worker process can use, and one send to one target through the right
//! one: the provider's rate limit is waited for before every call, retryable failures are
//! retried in process (`retry`), and the time it all took is measured.

use codecs::events::NotificationRequested;

use super::targets::Target;
use crate::apns::Apns;
use crate::error::{Failure, Provider, SendError, SetupError};
use crate::fcm::Fcm;
use crate::limits::Limiter;
use crate::retry::with_retries;
use crate::smtp::{Smtp, html_body};
use crate::{EmailMessage, NotifierConfig, PushMessage, RetryPolicy};

/// A push client, whichever provider it is.
enum Push<'a> {
    Fcm(&'a Fcm),
    Apns(&'a Apns),
}

impl Push<'_> {
    async fn send(&self, message: &PushMessage, token: &str) -> Result<String, SendError> {
        match self {
            Push::Fcm(fcm) => fcm.send(message, token).await,
            Push::Apns(apns) => apns.send(message, token).await,
        }
    }
}

/// The configured providers.
pub(super) struct Providers {
    fcm: Option<Fcm>,
    apns: Option<Apns>,
    smtp: Option<Smtp>,
}

impl Providers {
    /// Builds the configured providers (connections are opened on first use).
    pub(super) fn new(config: &NotifierConfig) -> Result<Providers, SetupError> {
        let timeout = config.request_timeout;
        let roots = &config.extra_roots;
        Ok(Providers {
            fcm: config
                .fcm
                .as_ref()
                .map(|c| Fcm::new(c, roots, timeout))
                .transpose()?,
            apns: config
                .apns
                .as_ref()
                .map(|c| Apns::new(c, roots, timeout))
                .transpose()?,
            smtp: config
                .smtp
                .as_ref()
                .map(|c| Smtp::new(c, roots, timeout))
                .transpose()?,
        })
    }

    /// Which providers are configured: (FCM, APNs, SMTP).
    pub(super) fn configured(&self) -> (bool, bool, bool) {
        (self.fcm.is_some(), self.apns.is_some(), self.smtp.is_some())
    }

    /// Sends `request` to `target` with retries; the outcome and the provider calls made.
    pub(super) async fn send(
        &self,
        target: &Target,
        request: &NotificationRequested,
        limiter: &Limiter,
        retry: &RetryPolicy,
    ) -> (Result<String, SendError>, u32) {
        let provider = target.provider;
        let missing = |variable: &str| {
            let reason = format!("{provider} is not configured ({variable})");
            (
                Err(SendError::local(provider, Failure::Permanent, reason)),
                0,
            )
        };
        let started = std::time::Instant::now();
        let push = || PushMessage {
            notification_id: request.notification_id.to_string(),
            title: request.title.clone(),
            body: request.body.clone(),
            data: request.data.clone(),
        };
        let token = target.address.as_str();
        let result = match provider {
            Provider::Fcm | Provider::Apns => {
                let (client, variable) = match provider {
                    Provider::Fcm => (self.fcm.as_ref().map(Push::Fcm), "FCM_SERVICE_ACCOUNT_FILE"),
                    _ => (self.apns.as_ref().map(Push::Apns), "APNS_KEY_FILE"),
                };
                let Some(client) = client else {
                    return missing(variable);
                };
                let push = push();
                with_retries(retry, || async {
                    limiter.provider(provider).await;
                    client.send(&push, token).await
                })
                .await
            }
            Provider::Smtp => {
                let Some(smtp) = &self.smtp else {
                    return missing("SMTP_URL");
                };
                let email = EmailMessage {
                    notification_id: request.notification_id.to_string(),
                    to: target.address.clone(),
                    subject: request.title.clone(),
                    text: request.body.clone(),
                    html: html_body(&request.title, &request.body),
                };
                with_retries(retry, || async {
                    limiter.provider(provider).await;
                    smtp.send(&email).await
                })
                .await
            }
        };
        metrics::histogram!("armoricore_notification_send_seconds", "provider" => provider.as_str())
            .record(started.elapsed().as_secs_f64());
        result
    }
}
