//! Wiring of the notification worker (crate `notifier`) into the node: the resolved
//! configuration → [`notifier::NotifierConfig`], and starting it in the roles that run it
//! (`node` and `notification-worker`).
//!
//! A node without any provider configured still runs the worker: each notification then
//! fails with `notification.failed` naming the missing variable (and a dead letter an
//! operator can replay once it is set), rather than piling up unread on the bus.

use std::time::Duration;

use anyhow::{Context, bail};
use notifier::{
    ApnsConfig, FcmConfig, NotifierConfig, NotifierHandle, RateLimit, RateLimits, RetryPolicy,
    SmtpConfig,
};

use crate::cli::Role;
use crate::config::{Config, ProviderRate};
use crate::node::Services;

/// Whether `role` runs the worker.
pub fn runs_worker(role: Role) -> bool {
    matches!(role, Role::All | Role::NotificationWorker)
}

fn rate(r: Option<ProviderRate>) -> Option<RateLimit> {
    r.map(|r| RateLimit {
        per_second: r.per_second,
        burst: r.burst,
    })
}

/// The worker's settings from the node's.
pub fn notifier_config(config: &Config) -> anyhow::Result<NotifierConfig> {
    let p = &config.providers;
    let fcm = p.fcm_service_account_file.as_ref().map(|file| FcmConfig {
        service_account_file: file.clone(),
        endpoint: p
            .fcm_endpoint
            .clone()
            .unwrap_or_else(|| notifier::config::FCM_DEFAULT_ENDPOINT.to_string()),
    });
    let apns = match &p.apns_key_file {
        None => None,
        Some(file) => {
            let need = |value: &Option<String>, name: &str| match value {
                Some(v) => Ok(v.clone()),
                None => bail!("{name} must be set when APNS_KEY_FILE is"),
            };
            Some(ApnsConfig {
                key_file: file.clone(),
                key_id: need(&p.apns_key_id, "APNS_KEY_ID")?,
                team_id: need(&p.apns_team_id, "APNS_TEAM_ID")?,
                topic: need(&p.apns_topic, "APNS_TOPIC")?,
                endpoint: p
                    .apns_endpoint
                    .clone()
                    .unwrap_or_else(|| notifier::config::APNS_DEFAULT_ENDPOINT.to_string()),
            })
        }
    };
    let smtp = match (&p.smtp_url, &p.smtp_from) {
        (Some(url), Some(from)) => Some(SmtpConfig {
            url: url.clone(),
            from: from.clone(),
        }),
        (Some(_), None) => bail!("SMTP_FROM must be set when SMTP_URL is"),
        (None, _) => None,
    };
    let n = &config.notify;
    Ok(NotifierConfig {
        fcm,
        apns,
        smtp,
        extra_roots: p.extra_roots_file.iter().cloned().collect(),
        limits: RateLimits {
            fcm: rate(n.fcm_rate),
            apns: rate(n.apns_rate),
            smtp: rate(n.smtp_rate),
            per_user_per_minute: n.user_per_minute,
        },
        retry: RetryPolicy {
            attempts: n.retry_attempts,
            ..RetryPolicy::default()
        },
        concurrency: n.concurrency,
        source: "armoricore".to_string(),
        ..NotifierConfig::default()
    })
}

/// Starts the worker when `services.role` runs it.
pub async fn start(services: &Services) -> anyhow::Result<Option<NotifierHandle>> {
    if !runs_worker(services.role) {
        return Ok(None);
    }
    let config = notifier_config(&services.config)?;
    if config.fcm.is_none() && config.apns.is_none() && config.smtp.is_none() {
        tracing::warn!(
            "no notification provider is configured (FCM_*, APNS_*, SMTP_*): notifications will fail"
        );
    }
    let handle = notifier::start(config, services.bus.clone(), services.store.clone())
        .await
        .context("cannot start the notification worker")?;
    Ok(Some(handle))
}

/// Stops the worker, waiting up to `grace` for notifications in flight.
pub async fn stop(handle: Option<NotifierHandle>, grace: Duration) {
    if let Some(handle) = handle {
        handle.stop(grace).await;
    }
}
