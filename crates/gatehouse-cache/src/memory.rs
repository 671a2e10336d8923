use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use bytes::Bytes;
use moka::Expiry;
use moka::future::Cache as Moka;
use moka::ops::compute::Op;

use crate::gcra::{self, Quota, RateDecision};
use crate::{Cache, CacheError, Key};

#[derive(Clone)]
struct Entry {
    value: Bytes,
    ttl: Duration,
}

struct PerEntryTtl;

impl Expiry<String, Entry> for PerEntryTtl {
    fn expire_after_create(&self, _key: &String, entry: &Entry, _now: Instant) -> Option<Duration> {
        Some(entry.ttl)
    }

    fn expire_after_update(
        &self,
        _key: &String,
        entry: &Entry,
        _now: Instant,
        _current: Option<Duration>,
    ) -> Option<Duration> {
        Some(entry.ttl)
    }
}

/// The in-process backend: a moka cache weighed in bytes, each entry with its own TTL.
#[derive(Clone)]
pub struct MemoryCache {
    inner: Moka<String, Entry>,
    /// Rate budgets: a key's theoretical arrival time, in shards of their own. A budget is
    /// read and written on every request, which a plain map under a lock does far more cheaply
    /// than the general cache.
    rates: std::sync::Arc<[Mutex<RateShard>]>,
}

/// The most keys a shard of rate budgets holds before it drops those that are whole again.
const RATE_SHARD_PRUNE_AT: usize = 4096;
const RATE_SHARDS: usize = 16;

#[derive(Default)]
struct RateShard {
    tats: std::collections::HashMap<String, u64>,
    /// Pruned when the map reaches this size; doubled while the live keys fill it.
    prune_at: usize,
}

fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

fn parse_u64(bytes: &Bytes) -> Option<u64> {
    std::str::from_utf8(bytes).ok()?.parse().ok()
}

impl MemoryCache {
    pub fn new(max_bytes: u64) -> Self {
        let inner = Moka::builder()
            .max_capacity(max_bytes)
            .weigher(|key: &String, entry: &Entry| {
                u32::try_from(key.len() + entry.value.len()).unwrap_or(u32::MAX)
            })
            .expire_after(PerEntryTtl)
            .build();
        let rates = (0..RATE_SHARDS)
            .map(|_| {
                Mutex::new(RateShard {
                    tats: std::collections::HashMap::new(),
                    prune_at: RATE_SHARD_PRUNE_AT,
                })
            })
            .collect();
        Self { inner, rates }
    }

    fn rate_shard(&self, key: &str) -> std::sync::MutexGuard<'_, RateShard> {
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        let hash = BuildHasherDefault::<DefaultHasher>::default().hash_one(key);
        let shard = &self.rates[usize::try_from(hash).unwrap_or(0) % RATE_SHARDS];
        // A panic while deciding leaves a map that is still whole.
        shard
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[async_trait]
impl Cache for MemoryCache {
    async fn get(&self, key: &Key) -> Result<Option<Bytes>, CacheError> {
        Ok(self.inner.get(key.as_str()).await.map(|e| e.value))
    }

    async fn set(&self, key: &Key, value: Bytes, ttl: Duration) -> Result<(), CacheError> {
        self.inner
            .insert(key.as_str().to_owned(), Entry { value, ttl })
            .await;
        Ok(())
    }

    async fn delete(&self, key: &Key) -> Result<(), CacheError> {
        self.inner.invalidate(key.as_str()).await;
        Ok(())
    }

    async fn delete_prefix(&self, prefix: &Key) -> Result<u64, CacheError> {
        let matching: Vec<String> = self
            .inner
            .iter()
            .filter(|(k, _)| k.starts_with(prefix.as_str()))
            .map(|(k, _)| k.as_ref().clone())
            .collect();
        for key in &matching {
            self.inner.invalidate(key).await;
        }
        Ok(matching.len() as u64)
    }

    async fn incr(&self, key: &Key, ttl: Duration) -> Result<u64, CacheError> {
        let result = self
            .inner
            .entry(key.as_str().to_owned())
            .and_compute_with(|current| {
                let count = current
                    .and_then(|e| parse_u64(&e.into_value().value))
                    .unwrap_or(0)
                    + 1;
                std::future::ready(Op::Put(Entry {
                    value: Bytes::from(count.to_string()),
                    ttl,
                }))
            })
            .await;
        Ok(result
            .into_entry()
            .and_then(|e| parse_u64(&e.into_value().value))
            .unwrap_or(1))
    }

    async fn rate(&self, key: &Key, quota: &Quota, cost: u32) -> Result<RateDecision, CacheError> {
        let now = now_us();
        let mut shard = self.rate_shard(key.as_str());
        let stored = shard.tats.get(key.as_str()).copied();
        let (decision, new_tat) = gcra::decide(quota, stored, now, cost);
        if let Some(tat) = new_tat {
            match shard.tats.get_mut(key.as_str()) {
                Some(slot) => *slot = tat,
                None => {
                    shard.tats.insert(key.as_str().to_owned(), tat);
                }
            }
        }
        if shard.tats.len() >= shard.prune_at {
            // A budget whose arrival time has passed is whole: dropping it changes nothing.
            shard.tats.retain(|_, tat| *tat > now);
            shard.prune_at = (shard.tats.len() * 2).max(RATE_SHARD_PRUNE_AT);
        }
        Ok(decision)
    }

    async fn ping(&self) -> Result<(), CacheError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quota(limit: u32) -> Quota {
        Quota {
            limit,
            period: Duration::from_secs(60),
        }
    }

    #[tokio::test]
    async fn a_budget_is_spent_then_refused_and_other_keys_keep_theirs() {
        let cache = MemoryCache::new(1 << 20);
        let spent = Key::new("rate", "acme", "client:a");
        for _ in 0..3 {
            assert!(
                cache
                    .rate(&spent, &quota(3), 1)
                    .await
                    .expect("rate")
                    .allowed
            );
        }
        let refused = cache.rate(&spent, &quota(3), 1).await.expect("rate");
        assert!(!refused.allowed);
        assert!(refused.retry_after > Duration::ZERO);
        let other = Key::new("rate", "acme", "client:b");
        assert_eq!(
            cache
                .rate(&other, &quota(3), 1)
                .await
                .expect("rate")
                .remaining,
            2
        );
    }

    #[tokio::test]
    async fn pruning_whole_budgets_keeps_the_spent_ones() {
        let cache = MemoryCache::new(1 << 20);
        let spent = Key::new("rate", "acme", "spent");
        assert!(
            cache
                .rate(&spent, &quota(1), 1)
                .await
                .expect("rate")
                .allowed
        );
        // Enough other keys to prune every shard many times over.
        for n in 0..RATE_SHARD_PRUNE_AT * RATE_SHARDS * 2 {
            let key = Key::new("rate", "acme", &format!("k{n}"));
            cache.rate(&key, &quota(1_000_000), 1).await.expect("rate");
        }
        assert!(
            !cache
                .rate(&spent, &quota(1), 1)
                .await
                .expect("rate")
                .allowed,
            "a spent budget survives pruning"
        );
        let held: usize = cache
            .rates
            .iter()
            .map(|shard| shard.lock().expect("shard").tats.len())
            .sum();
        assert!(held <= RATE_SHARD_PRUNE_AT * RATE_SHARDS * 2 + 1);
    }
}
