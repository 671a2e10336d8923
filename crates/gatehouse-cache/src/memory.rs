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
        Self { inner }
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
        let decision: Mutex<Option<RateDecision>> = Mutex::new(None);
        self.inner
            .entry(key.as_str().to_owned())
            .and_compute_with(|current| {
                let stored = current.and_then(|e| parse_u64(&e.into_value().value));
                let (outcome, new_tat) = gcra::decide(quota, stored, now, cost);
                if let Ok(mut slot) = decision.lock() {
                    *slot = Some(outcome);
                }
                std::future::ready(match new_tat {
                    Some(tat) => Op::Put(Entry {
                        value: Bytes::from(tat.to_string()),
                        ttl: Duration::from_micros(tat.saturating_sub(now))
                            + Duration::from_millis(1),
                    }),
                    None => Op::Nop,
                })
            })
            .await;
        decision
            .into_inner()
            .ok()
            .flatten()
            .ok_or_else(|| CacheError::Unavailable("rate decision lost".into()))
    }

    async fn ping(&self) -> Result<(), CacheError> {
        Ok(())
    }
}
