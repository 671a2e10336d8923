use std::time::{Duration, Instant};

use async_trait::async_trait;
use bytes::Bytes;
use moka::Expiry;
use moka::future::Cache as Moka;

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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn entries_expire_after_their_own_ttl() {
        let cache = MemoryCache::new(1 << 20);
        let short = Key::new("t", "acme", "short");
        let long = Key::new("t", "acme", "long");
        cache
            .set(&short, Bytes::from_static(b"a"), Duration::from_millis(50))
            .await
            .ok();
        cache
            .set(&long, Bytes::from_static(b"b"), Duration::from_secs(60))
            .await
            .ok();
        tokio::time::sleep(Duration::from_millis(120)).await;
        assert_eq!(cache.get(&short).await.ok().flatten(), None);
        assert_eq!(
            cache.get(&long).await.ok().flatten(),
            Some(Bytes::from_static(b"b"))
        );
    }

    #[tokio::test]
    async fn keys_of_two_tenants_never_collide() {
        let cache = MemoryCache::new(1 << 20);
        cache
            .set(
                &Key::new("jwks", "a", "x"),
                Bytes::from_static(b"a"),
                Duration::from_secs(60),
            )
            .await
            .ok();
        assert_eq!(
            cache.get(&Key::new("jwks", "b", "x")).await.ok().flatten(),
            None
        );
        cache.delete(&Key::new("jwks", "a", "x")).await.ok();
        assert_eq!(
            cache.get(&Key::new("jwks", "a", "x")).await.ok().flatten(),
            None
        );
    }
}
