//! One cached credential shared by every concurrent send of a provider: the FCM OAuth access
//! token and the APNs provider token both go through [`TokenCache`].
//!
//! Why one type: both need the same four steps (read the cached value while it is fresh;
//! otherwise take the write lock, look again because another task may have refreshed it
//! meanwhile, then mint), and both must drop a value the provider called expired without
//! dropping a newer one a concurrent task already put in its place.
//!
//! # Behaviour
//! - A burst of sends finding the cache empty or stale costs one mint: the first task mints
//!   under the write lock, the others wait for it and take its result.
//! - A failed mint leaves the cache as it was (empty or stale) and fails only the callers
//!   that asked for it; the next call tries again.
//! - [`TokenCache::invalidate`] compares before dropping, so a stale answer that arrives
//!   after a refresh cannot throw the new value away (which would cost a second mint, and
//!   APNs refuses provider tokens renewed more often than every 20 minutes).
//! - Times are `tokio::time::Instant`, so tests can move the clock.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::RwLock;
use tokio::time::Instant;

/// A value and when to replace it.
struct Cached {
    value: Arc<str>,
    refresh_at: Instant,
}

/// A credential cache; see the module doc.
#[derive(Default)]
pub(crate) struct TokenCache {
    slot: RwLock<Option<Cached>>,
}

impl TokenCache {
    /// The cached value while it is fresh; else the value `mint` makes, which is then
    /// cached for the [`Duration`] `mint` returns with it.
    pub(crate) async fn get<E, F, Fut>(&self, mint: F) -> Result<Arc<str>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(String, Duration), E>>,
    {
        if let Some(value) = fresh(self.slot.read().await.as_ref()) {
            return Ok(value);
        }
        let mut slot = self.slot.write().await;
        if let Some(value) = fresh(slot.as_ref()) {
            return Ok(value);
        }
        let (value, keep_for) = mint().await?;
        let value: Arc<str> = value.into();
        *slot = Some(Cached {
            value: value.clone(),
            refresh_at: Instant::now() + keep_for,
        });
        Ok(value)
    }

    /// Drops the cached value if it is still `stale`.
    pub(crate) async fn invalidate(&self, stale: &str) {
        let mut slot = self.slot.write().await;
        if slot.as_ref().is_some_and(|c| &*c.value == stale) {
            *slot = None;
        }
    }
}

fn fresh(cached: Option<&Cached>) -> Option<Arc<str>> {
    cached
        .filter(|c| Instant::now() < c.refresh_at)
        .map(|c| c.value.clone())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    async fn mint(counter: &AtomicU32, keep_for: Duration) -> Result<(String, Duration), ()> {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        // Let concurrent callers pile up behind the write lock.
        tokio::time::sleep(Duration::from_millis(10)).await;
        Ok((format!("token-{n}"), keep_for))
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_mints_once_and_a_stale_value_is_replaced() {
        let cache = TokenCache::default();
        let minted = AtomicU32::new(0);
        let hour = Duration::from_secs(3600);
        let burst = (0..50).map(|_| cache.get(|| mint(&minted, hour)));
        let values = futures::future::join_all(burst).await;
        assert!(values.iter().all(|v| v.as_deref() == Ok("token-0")));
        assert_eq!(minted.load(Ordering::SeqCst), 1);
        tokio::time::advance(hour + Duration::from_secs(1)).await;
        let value = cache.get(|| mint(&minted, hour)).await.unwrap();
        assert_eq!(
            &*value, "token-1",
            "past its time the value is minted again"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn invalidate_drops_only_the_value_it_names() {
        let cache = TokenCache::default();
        let minted = AtomicU32::new(0);
        let hour = Duration::from_secs(3600);
        let first = cache.get(|| mint(&minted, hour)).await.unwrap();
        cache.invalidate(&first).await;
        let second = cache.get(|| mint(&minted, hour)).await.unwrap();
        assert_ne!(first, second, "an invalidated value is minted again");
        cache.invalidate(&first).await;
        let third = cache.get(|| mint(&minted, hour)).await.unwrap();
        assert_eq!(
            second, third,
            "a late invalidation of an older value is ignored"
        );
        assert_eq!(minted.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_mint_is_not_cached() {
        let cache = TokenCache::default();
        let failed: Result<Arc<str>, &str> = cache.get(|| async { Err("refused") }).await;
        assert_eq!(failed.unwrap_err(), "refused");
        let minted = AtomicU32::new(0);
        let value = cache
            .get(|| mint(&minted, Duration::from_secs(60)))
            .await
            .unwrap();
        assert_eq!(&*value, "token-0");
    }
}
