//! Rate limits with governor (GCRA): one bucket per provider (requests/s with a burst) and
//! one per user (notifications/minute). A limited send waits for its turn
//! (`until_ready`); nothing is dropped. The waiting delivery keeps its bus lease alive (see
//! `worker`), so a long wait is not mistaken for a crashed worker.
//!
//! # Memory
//! The per-user limiter keeps one cell per user seen; [`Limiter::prune`] (called every
//! minute by the worker) drops the users whose bucket is full again, so the map holds only
//! users active in the last minute.

use std::num::NonZeroU32;

use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::{RateLimit, RateLimits};
use crate::error::Provider;

/// The limiters of one worker process.
pub(crate) struct Limiter {
    fcm: Option<DefaultDirectRateLimiter>,
    apns: Option<DefaultDirectRateLimiter>,
    smtp: Option<DefaultDirectRateLimiter>,
    per_user: Option<DefaultKeyedRateLimiter<String>>,
}

fn direct(limit: Option<RateLimit>) -> Option<DefaultDirectRateLimiter> {
    limit.map(|l| RateLimiter::direct(Quota::per_second(l.per_second).allow_burst(l.burst)))
}

impl Limiter {
    pub(crate) fn new(limits: &RateLimits) -> Limiter {
        Limiter {
            fcm: direct(limits.fcm),
            apns: direct(limits.apns),
            smtp: direct(limits.smtp),
            per_user: limits
                .per_user_per_minute
                .map(|n: NonZeroU32| RateLimiter::keyed(Quota::per_minute(n).allow_burst(n))),
        }
    }

    /// Waits until `provider` may take one more request.
    pub(crate) async fn provider(&self, provider: Provider) {
        let limiter = match provider {
            Provider::Fcm => &self.fcm,
            Provider::Apns => &self.apns,
            Provider::Smtp => &self.smtp,
        };
        if let Some(limiter) = limiter {
            limiter.until_ready().await;
        }
    }

    /// Waits until `user` may get one more notification.
    pub(crate) async fn user(&self, user: &str) {
        if let Some(limiter) = &self.per_user {
            limiter.until_key_ready(&user.to_string()).await;
        }
    }

    /// Forgets users whose bucket has refilled.
    pub(crate) fn prune(&self) {
        if let Some(limiter) = &self.per_user {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    #[tokio::test]
    async fn a_limited_provider_waits_instead_of_dropping() {
        let limits = RateLimits {
            fcm: Some(RateLimit {
                per_second: NonZeroU32::new(20).unwrap(),
                burst: NonZeroU32::new(1).unwrap(),
            }),
            ..RateLimits::OFF
        };
        let limiter = Limiter::new(&limits);
        let started = Instant::now();
        for _ in 0..11 {
            limiter.provider(Provider::Fcm).await;
        }
        // 1 at once, then 10 more at 20/s: about 500 ms.
        let elapsed = started.elapsed();
        assert!(elapsed >= Duration::from_millis(450), "{elapsed:?}");
        assert!(elapsed < Duration::from_millis(900), "{elapsed:?}");
        // Unlimited providers do not wait.
        let started = Instant::now();
        for _ in 0..1000 {
            limiter.provider(Provider::Apns).await;
        }
        assert!(started.elapsed() < Duration::from_millis(100));
    }

    #[tokio::test]
    async fn users_are_limited_separately() {
        let limits = RateLimits {
            per_user_per_minute: NonZeroU32::new(2),
            ..RateLimits::OFF
        };
        let limiter = Limiter::new(&limits);
        limiter.user("a").await;
        limiter.user("a").await;
        limiter.user("b").await;
        let third = tokio::time::timeout(Duration::from_millis(200), limiter.user("a")).await;
        assert!(
            third.is_err(),
            "a third notification within the minute waits"
        );
        limiter.prune();
    }
}
