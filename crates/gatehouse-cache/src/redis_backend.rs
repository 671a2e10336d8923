use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use redis::AsyncCommands;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use prometheus_client::metrics::counter::Counter;

use crate::gcra::{self, Quota, RateDecision};
use crate::{Cache, CacheError, Key};

/// The Redis backend: one connection manager, which reconnects by itself. Operations time out
/// quickly, so that a Redis that is down costs a request little; callers then bypass the cache.
#[derive(Clone)]
pub struct RedisCache {
    connection: ConnectionManager,
    script: redis::Script,
    /// Prepended to every key, so that several installations can share one Redis.
    namespace: String,
    /// Failed operations, for operators.
    errors: Counter,
}

fn unavailable(err: redis::RedisError) -> CacheError {
    CacheError::Unavailable(Box::new(err))
}

fn millis(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

/// Glob characters in a key prefix, escaped for `SCAN MATCH`.
fn glob_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl RedisCache {
    /// Connects lazily: a Redis that is down at start-up does not stop the platform. Keys are
    /// stored under `{namespace}:`.
    pub fn new(url: &str, namespace: &str) -> Result<Self, CacheError> {
        let client = redis::Client::open(url).map_err(unavailable)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_millis(500)))
            .set_response_timeout(Some(Duration::from_millis(500)))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let connection =
            ConnectionManager::new_lazy_with_config(client, config).map_err(unavailable)?;
        Ok(Self {
            connection,
            script: redis::Script::new(gcra::REDIS_SCRIPT),
            namespace: format!("{namespace}:"),
            errors: Counter::default(),
        })
    }

    /// Counts a failed operation on its way out.
    fn failed(&self, err: redis::RedisError) -> CacheError {
        self.errors.inc();
        unavailable(err)
    }

    fn key(&self, key: &Key) -> String {
        format!("{}{}", self.namespace, key.as_str())
    }
}

#[async_trait]
impl Cache for RedisCache {
    fn errors(&self) -> Option<Counter> {
        Some(self.errors.clone())
    }

    #[tracing::instrument(name = "redis", skip_all, fields(db.system = "redis", db.operation = "GET"))]
    async fn get(&self, key: &Key) -> Result<Option<Bytes>, CacheError> {
        let mut con = self.connection.clone();
        let value: Option<Vec<u8>> = con.get(self.key(key)).await.map_err(|e| self.failed(e))?;
        Ok(value.map(Bytes::from))
    }

    #[tracing::instrument(name = "redis", skip_all, fields(db.system = "redis", db.operation = "SET"))]
    async fn set(&self, key: &Key, value: Bytes, ttl: Duration) -> Result<(), CacheError> {
        let mut con = self.connection.clone();
        con.pset_ex::<_, _, ()>(self.key(key), value.as_ref(), millis(ttl))
            .await
            .map_err(|e| self.failed(e))
    }

    #[tracing::instrument(name = "redis", skip_all, fields(db.system = "redis", db.operation = "DEL"))]
    async fn delete(&self, key: &Key) -> Result<(), CacheError> {
        let mut con = self.connection.clone();
        con.del::<_, ()>(self.key(key))
            .await
            .map_err(|e| self.failed(e))
    }

    #[tracing::instrument(name = "redis", skip_all, fields(db.system = "redis", db.operation = "SCAN+DEL"))]
    async fn delete_prefix(&self, prefix: &Key) -> Result<u64, CacheError> {
        let mut con = self.connection.clone();
        let pattern = format!("{}*", glob_escape(&self.key(prefix)));
        let mut keys: Vec<String> = Vec::new();
        {
            let mut iter = con
                .scan_match::<_, String>(&pattern)
                .await
                .map_err(|e| self.failed(e))?;
            while let Some(key) = futures_util::StreamExt::next(&mut iter).await {
                keys.push(key.map_err(|e| self.failed(e))?);
            }
        }
        let mut deleted = 0;
        for chunk in keys.chunks(500) {
            let n: u64 = con.del(chunk).await.map_err(|e| self.failed(e))?;
            deleted += n;
        }
        Ok(deleted)
    }

    #[tracing::instrument(name = "redis", skip_all, fields(db.system = "redis", db.operation = "INCR"))]
    async fn incr(&self, key: &Key, ttl: Duration) -> Result<u64, CacheError> {
        let mut con = self.connection.clone();
        let key = self.key(key);
        let (count, _): (u64, bool) = redis::pipe()
            .atomic()
            .incr(&key, 1)
            .pexpire(&key, i64::try_from(millis(ttl)).unwrap_or(i64::MAX))
            .query_async(&mut con)
            .await
            .map_err(|e| self.failed(e))?;
        Ok(count)
    }

    #[tracing::instrument(name = "redis", skip_all, fields(db.system = "redis", db.operation = "EVALSHA"))]
    async fn rate(&self, key: &Key, quota: &Quota, cost: u32) -> Result<RateDecision, CacheError> {
        let mut con = self.connection.clone();
        let interval = quota.emission_interval_us();
        let tolerance = quota.tolerance_us();
        let (allowed, ahead, wait): (i64, i64, i64) = self
            .script
            .key(self.key(key))
            .arg(interval)
            .arg(tolerance)
            .arg(cost)
            .invoke_async(&mut con)
            .await
            .map_err(|e| self.failed(e))?;
        let ahead = u64::try_from(ahead).unwrap_or(0);
        let remaining = u32::try_from(tolerance.saturating_sub(ahead) / interval).unwrap_or(0);
        Ok(RateDecision {
            allowed: allowed == 1,
            limit: quota.limit,
            remaining,
            reset_after: Duration::from_micros(ahead),
            retry_after: Duration::from_micros(u64::try_from(wait).unwrap_or(0)),
        })
    }

    #[tracing::instrument(name = "redis", skip_all, fields(db.system = "redis", db.operation = "PING"))]
    async fn ping(&self) -> Result<(), CacheError> {
        let mut con = self.connection.clone();
        redis::cmd("PING")
            .query_async::<String>(&mut con)
            .await
            .map(|_| ())
            .map_err(|e| self.failed(e))
    }
}
