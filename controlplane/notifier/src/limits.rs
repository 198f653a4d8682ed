//! Rate limits with governor (GCRA): one bucket per provider (requests/s with a burst) and
//! one per user (notifications/minute). A limited send waits for its turn
//! (`until_ready`); nothing is dropped. The waiting delivery keeps its bus lease alive (see
//! `worker`), so a long wait is not mistaken for a crashed worker.
//!
//! # Waiting in line
//! Sends waiting for a provider queue first on a fair (FIFO) lock and only the head of the
//! line waits on the bucket. Without it every waiter sleeps until the same instant, all
//! wake, one wins and the others sleep again: with hundreds of sends in flight that herd
//! cost more CPU than the sends and made the rate undershoot (measured: 5,000/s configured,
//! 3,300/s sent). In line, sends also go out in the order they asked.
//!
//! # Accuracy and the burst
//! GCRA charges a late wake-up to the sender: a head of line woken δ after its slot moves
//! the next slot δ later, unless the bucket has room (`burst` > 1) to absorb it. Timer
//! wake-ups are tens to hundreds of microseconds late, so at thousands of requests a second
//! a burst of 1 sends measurably less than the rate; a burst worth a few milliseconds of
//! the rate (the node's default burst equals the rate) keeps it within 1 %, and a limiter
//! configured with less logs a warning naming the burst that would ([`accurate_burst`]).
//! The figures are in docs/benchmarks/notifier.md.
//!
//! # Memory
//! The per-user limiter keeps one cell per user seen; [`Limiter::prune`] (called every
//! minute by the worker) drops the users whose bucket is full again, so the map holds only
//! users active in the last minute.

use std::num::NonZeroU32;

use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::sync::Mutex;

use crate::config::{RateLimit, RateLimits};
use crate::error::Provider;

/// The limiters of one worker process.
pub struct Limiter {
    fcm: Option<InLine>,
    apns: Option<InLine>,
    smtp: Option<InLine>,
    per_user: Option<DefaultKeyedRateLimiter<String>>,
}

/// A bucket and the line in front of it.
struct InLine {
    bucket: DefaultDirectRateLimiter,
    line: Mutex<()>,
}

/// The stretch of sending a bucket should be able to absorb: timer wake-ups are late by
/// up to a few hundred microseconds (more on a busy machine), and a bucket that holds less
/// than this loses that lateness on most sends.
const SLACK_NEEDED_MICROS: u64 = 5_000;

/// The smallest burst that keeps `per_second` accurate (see the module doc): 5 ms of the
/// rate, and never 1 (a bucket of one has no room at all, whatever the rate).
pub fn accurate_burst(per_second: NonZeroU32) -> u32 {
    let per_slack = u64::from(per_second.get()) * SLACK_NEEDED_MICROS;
    u32::try_from(per_slack.div_ceil(1_000_000))
        .unwrap_or(u32::MAX)
        .max(2)
}

fn direct(provider: Provider, limit: Option<RateLimit>) -> Option<InLine> {
    limit.map(|l| {
        let needed = accurate_burst(l.per_second);
        if l.burst.get() < needed {
            tracing::warn!(
                "{provider} rate limit {}/s with burst {}: the bucket cannot absorb late \
                 timer wake-ups, so fewer than {}/s will be sent; a burst of {needed} or more \
                 keeps the rate within 1 %",
                l.per_second,
                l.burst,
                l.per_second
            );
        }
        InLine {
            bucket: RateLimiter::direct(Quota::per_second(l.per_second).allow_burst(l.burst)),
            line: Mutex::new(()),
        }
    })
}

impl Limiter {
    /// The limiters `limits` asks for.
    pub fn new(limits: &RateLimits) -> Limiter {
        Limiter {
            fcm: direct(Provider::Fcm, limits.fcm),
            apns: direct(Provider::Apns, limits.apns),
            smtp: direct(Provider::Smtp, limits.smtp),
            per_user: limits
                .per_user_per_minute
                .map(|n: NonZeroU32| RateLimiter::keyed(Quota::per_minute(n).allow_burst(n))),
        }
    }

    /// Waits until `provider` may take one more request.
    pub async fn provider(&self, provider: Provider) {
        let limiter = match provider {
            Provider::Fcm => &self.fcm,
            Provider::Apns => &self.apns,
            Provider::Smtp => &self.smtp,
        };
        if let Some(limiter) = limiter {
            let _head = limiter.line.lock().await;
            limiter.bucket.until_ready().await;
        }
    }

    /// Waits until `user` may get one more notification.
    pub async fn user(&self, user: &str) {
        if let Some(limiter) = &self.per_user {
            limiter.until_key_ready(&user.to_string()).await;
        }
    }

    /// Forgets users whose bucket has refilled.
    pub fn prune(&self) {
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

    /// A limiter with FCM at `per_second` (burst 1), nothing else limited.
    fn fcm_at(per_second: u32) -> Limiter {
        Limiter::new(&RateLimits {
            fcm: Some(RateLimit {
                per_second: NonZeroU32::new(per_second).unwrap(),
                burst: NonZeroU32::new(1).unwrap(),
            }),
            ..RateLimits::OFF
        })
    }

    #[tokio::test]
    async fn a_limited_provider_waits_instead_of_dropping() {
        let limiter = fcm_at(20);
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
    async fn waiting_sends_go_out_in_the_order_they_asked() {
        let limiter = std::sync::Arc::new(fcm_at(100));
        let order = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut waiters = Vec::new();
        for i in 0..8 {
            let (limiter, order) = (limiter.clone(), order.clone());
            waiters.push(tokio::spawn(async move {
                limiter.provider(Provider::Fcm).await;
                order.lock().unwrap().push(i);
            }));
            // Let this one join the line before the next asks.
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        for w in waiters {
            w.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), (0..8).collect::<Vec<_>>());
    }

    #[test]
    fn the_accurate_burst_covers_five_milliseconds_of_the_rate_and_at_least_two() {
        let burst = |rate| accurate_burst(NonZeroU32::new(rate).unwrap());
        assert_eq!(burst(5000), 25);
        assert_eq!(burst(1000), 5);
        assert_eq!(burst(100), 2);
        assert_eq!(burst(1), 2);
        assert_eq!(burst(u32::MAX), 21_474_837);
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
