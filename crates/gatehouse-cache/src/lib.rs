//! The caching layer: one interface, [`Cache`], over bytes with a time to live, plus the two
//! atomic operations that shared state needs (a counter and a GCRA rate decision).
//!
//! The in-process backend, [`MemoryCache`], is bounded by the bytes it holds and is the default;
//! [`RedisCache`] shares one cache between gateway instances. The cache never decides what may
//! be cached or under which key: callers build keys that name the tenant (see [`Key`]).

mod gcra;
mod memory;
mod redis_backend;
mod seen_once;

pub use gcra::{Quota, RateDecision};
pub use memory::MemoryCache;
pub use redis_backend::{RedisCache, RedisTarget, TargetError};
pub use seen_once::SeenOnce;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The backend could not be reached or failed; callers treat this as a miss.
    #[error("cache backend unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Keys are part of the wire contract: processes that share a Redis read each other's entries.
pub use gatehouse_proto::cache_key::Key;

#[async_trait]
pub trait Cache: Send + Sync + 'static {
    async fn get(&self, key: &Key) -> Result<Option<Bytes>, CacheError>;
    async fn set(&self, key: &Key, value: Bytes, ttl: Duration) -> Result<(), CacheError>;
    async fn delete(&self, key: &Key) -> Result<(), CacheError>;
    /// Deletes every entry whose key starts with `prefix`'s text; returns how many.
    async fn delete_prefix(&self, prefix: &Key) -> Result<u64, CacheError>;
    /// Adds one to a counter that expires `ttl` after its first increment; returns the count.
    async fn incr(&self, key: &Key, ttl: Duration) -> Result<u64, CacheError>;
    /// One atomic GCRA decision for `cost` requests under `quota`.
    async fn rate(&self, key: &Key, quota: &Quota, cost: u32) -> Result<RateDecision, CacheError>;
    /// Whether the backend answers (for readiness).
    async fn ping(&self) -> Result<(), CacheError>;
    /// The count of failed operations, for a backend that can fail (Redis).
    fn errors(&self) -> Option<prometheus_client::metrics::counter::Counter> {
        None
    }
}

pub type SharedCache = Arc<dyn Cache>;

/// The configured cache: Redis at `redis_url` (keys under `namespace:`), else in process,
/// bounded by `max_bytes`.
pub fn connect(
    redis_url: Option<&str>,
    namespace: &str,
    max_bytes: u64,
) -> Result<SharedCache, CacheError> {
    Ok(match redis_url {
        Some(url) => Arc::new(RedisCache::new(url, namespace)?),
        None => Arc::new(MemoryCache::new(max_bytes)),
    })
}
