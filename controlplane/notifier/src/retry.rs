//! In-process retries of one send with backon: exponential backoff from
//! `RetryPolicy::base_delay` doubling up to `max_delay`, with jitter, at most
//! `RetryPolicy::attempts` calls. A provider's `Retry-After` replaces the computed delay
//! (never shortening it); one longer than `max_retry_after` ends the in-process retries
//! so the worker can hand the wait to the bus instead of holding the delivery in memory.

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};

use backon::{ExponentialBuilder, Retryable};

use crate::config::RetryPolicy;
use crate::error::SendError;

/// Runs `op` until it succeeds, fails for good, or the policy is spent; returns the last
/// result and how many calls were made.
pub(crate) async fn with_retries<T, F, Fut>(
    policy: &RetryPolicy,
    op: F,
) -> (Result<T, SendError>, u32)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, SendError>>,
{
    let calls = AtomicU32::new(0);
    let mut op = op;
    let counted = || {
        calls.fetch_add(1, Ordering::Relaxed);
        op()
    };
    let backoff = ExponentialBuilder::default()
        .with_min_delay(policy.base_delay)
        .with_max_delay(policy.max_delay)
        .with_factor(2.0)
        .with_jitter()
        .with_max_times(policy.attempts.saturating_sub(1) as usize);
    let max_retry_after = policy.max_retry_after;
    let result = counted
        .retry(backoff)
        .sleep(tokio::time::sleep)
        .when(|e: &SendError| {
            e.is_retryable() && e.retry_after().is_none_or(|after| after <= max_retry_after)
        })
        .adjust(|e: &SendError, delay| {
            // Only where backon would retry anyway (Some): Retry-After never adds attempts.
            delay.map(|d| e.retry_after().unwrap_or(d))
        })
        .notify(|e: &SendError, delay| {
            tracing::debug!(error = %e, ?delay, "send failed; retrying");
        })
        .await;
    (result, calls.load(Ordering::Relaxed))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap
mod tests {
    use std::time::{Duration, Instant};

    use super::*;
    use crate::error::{Failure, Provider};

    fn policy() -> RetryPolicy {
        RetryPolicy {
            attempts: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
            max_retry_after: Duration::from_secs(2),
        }
    }

    fn error(failure: Failure) -> SendError {
        SendError::local(Provider::Fcm, failure, "x")
    }

    #[tokio::test]
    async fn retryable_errors_are_retried_up_to_the_attempts() {
        let (result, calls) = with_retries(&policy(), || async {
            Err::<(), _>(error(Failure::Retryable { retry_after: None }))
        })
        .await;
        assert!(result.is_err());
        assert_eq!(calls, 3);
        let (result, calls) = with_retries(&policy(), || async {
            Err::<(), _>(error(Failure::Permanent))
        })
        .await;
        assert!(result.is_err());
        assert_eq!(calls, 1, "permanent errors are not retried");
    }

    #[tokio::test]
    async fn retry_after_is_honoured_and_a_long_one_stops_in_process_retries() {
        let n = AtomicU32::new(0);
        let started = Instant::now();
        let (result, calls) = with_retries(&policy(), || async {
            if n.fetch_add(1, Ordering::Relaxed) == 0 {
                Err(error(Failure::Retryable {
                    retry_after: Some(Duration::from_millis(300)),
                }))
            } else {
                Ok(7)
            }
        })
        .await;
        assert_eq!(result.unwrap(), 7);
        assert_eq!(calls, 2);
        assert!(started.elapsed() >= Duration::from_millis(300));

        let (result, calls) = with_retries(&policy(), || async {
            Err::<(), _>(error(Failure::Retryable {
                retry_after: Some(Duration::from_secs(3600)),
            }))
        })
        .await;
        assert_eq!(calls, 1);
        assert_eq!(
            result.unwrap_err().retry_after(),
            Some(Duration::from_secs(3600))
        );
    }
}
