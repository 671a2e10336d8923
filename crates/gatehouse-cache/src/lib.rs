//! The caching layer: one interface, [`Cache`], over bytes with a time to live.
//!
//! The in-process backend, [`MemoryCache`], is bounded by the bytes it holds and is the default;
//! a Redis backend shares one cache between gateway instances. The cache never decides what may
//! be cached or under which key: callers build keys that include the tenant (see [`Key`]).

mod memory;

pub use memory::MemoryCache;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The backend could not be reached or failed; callers treat this as a miss.
    #[error("cache backend unavailable: {0}")]
    Unavailable(String),
}

/// A cache key, namespaced so that one tenant's entries can never be read under another's key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key(String);

impl Key {
    /// `namespace` names the user of the cache (`jwks`, `http`, …); `tenant` is the tenant id
    /// or slug the entry belongs to; `rest` identifies the entry within it.
    pub fn new(namespace: &str, tenant: &str, rest: &str) -> Self {
        Self(format!("gh:{namespace}:{tenant}:{rest}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[async_trait]
pub trait Cache: Send + Sync + 'static {
    async fn get(&self, key: &Key) -> Result<Option<Bytes>, CacheError>;
    async fn set(&self, key: &Key, value: Bytes, ttl: Duration) -> Result<(), CacheError>;
    async fn delete(&self, key: &Key) -> Result<(), CacheError>;
}

pub type SharedCache = Arc<dyn Cache>;
