//! Things that may be used once across every instance (DPoP proofs): counted in the shared
//! cache, and, while it cannot answer, in this process, so that a replay to the same instance
//! is still refused.

use std::time::Duration;

use crate::{Key, SharedCache};

/// Counts first uses of keys, in the shared cache with a local fallback.
#[derive(Clone)]
pub struct SeenOnce {
    cache: SharedCache,
    /// Keys counted while the shared cache failed, each kept for its own time.
    local: moka::sync::Cache<String, ()>,
    ttl: Duration,
}

impl SeenOnce {
    /// Remembers each key for `ttl`.
    pub fn new(cache: SharedCache, ttl: Duration) -> Self {
        Self {
            cache,
            local: moka::sync::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(ttl)
                .build(),
            ttl,
        }
    }

    /// Whether this is the first use of `key` here and everywhere the shared cache reaches.
    pub async fn first_use(&self, key: &Key) -> bool {
        match self.cache.incr(key, self.ttl).await {
            Ok(count) => count == 1 && !self.local.contains_key(key.as_str()),
            Err(err) => {
                tracing::warn!(error = %gatehouse_proto::ErrorChain(&err), "single use counted in this process only: the shared cache failed");
                let entry = self.local.entry(key.as_str().to_owned()).or_insert(());
                entry.is_fresh()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[tokio::test]
    async fn a_key_is_used_once_in_the_shared_cache_or_without_it() {
        let shared: SharedCache = Arc::new(crate::MemoryCache::new(1 << 20));
        let seen = SeenOnce::new(shared, Duration::from_secs(60));
        let key = Key::new("dpop", "acme", "jkt:j1");
        assert!(seen.first_use(&key).await);
        assert!(!seen.first_use(&key).await);
        // A cache that cannot answer: the process still counts.
        let down: SharedCache =
            Arc::new(crate::RedisCache::new("redis://127.0.0.1:1", "test").expect("a lazy client"));
        let seen = SeenOnce::new(down, Duration::from_secs(60));
        assert!(seen.first_use(&key).await);
        assert!(!seen.first_use(&key).await);
    }
}
