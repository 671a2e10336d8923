mod connection;
mod target;

pub use target::{RedisTarget, TargetError};

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use redis::AsyncCommands;

use prometheus_client::metrics::counter::Counter;

use crate::gcra::{self, Quota, RateDecision};
use crate::{Cache, CacheError, Key};
use connection::{Connection, Topology};

/// The Redis backend, on one server, a Redis Cluster or a primary that Sentinel follows (see
/// [`RedisTarget`]). Operations time out quickly, so that a Redis that is down or failing over
/// costs a request little; callers then bypass the cache.
#[derive(Clone)]
pub struct RedisCache {
    topology: Arc<Topology>,
    script: redis::Script,
    /// Prepended to every key, so that several installations can share one Redis.
    namespace: String,
    /// Failed operations, for operators.
    errors: Counter,
}

fn unavailable(err: impl std::error::Error + Send + Sync + 'static) -> CacheError {
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

/// How many keys one `SCAN` step asks a node for.
const SCAN_COUNT: usize = 1000;

impl RedisCache {
    /// Connects lazily: a Redis that is down at start-up does not stop the platform. Keys are
    /// stored under `{namespace}:`. Must run inside a Tokio runtime (Sentinel is polled).
    pub fn new(url: &str, namespace: &str) -> Result<Self, CacheError> {
        let target = RedisTarget::parse(url).map_err(unavailable)?;
        Ok(Self {
            topology: Arc::new(Topology::new(&target).map_err(unavailable)?),
            script: redis::Script::new(gcra::REDIS_SCRIPT),
            namespace: format!("{namespace}:"),
            errors: Counter::default(),
        })
    }

    /// Counts a failed operation on its way out.
    fn failed(&self, err: redis::RedisError) -> CacheError {
        self.errors.inc();
        self.topology.failed();
        unavailable(err)
    }

    async fn connection(&self) -> Result<Connection, CacheError> {
        self.topology.connection().await.map_err(|e| self.failed(e))
    }

    fn key(&self, key: &Key) -> String {
        format!("{}{}", self.namespace, key.as_str())
    }

    /// Every key matching `pattern` on one server, or on the cluster node at `node`.
    async fn scan(
        &self,
        con: &mut Connection,
        node: Option<&(String, u16)>,
        pattern: &str,
    ) -> Result<Vec<String>, CacheError> {
        let mut keys = Vec::new();
        let mut cursor = "0".to_owned();
        loop {
            let mut cmd = redis::cmd("SCAN");
            cmd.arg(&cursor)
                .arg("MATCH")
                .arg(pattern)
                .arg("COUNT")
                .arg(SCAN_COUNT);
            let reply = con.query_on(node, cmd).await.map_err(|e| self.failed(e))?;
            let (next, mut found): (String, Vec<String>) =
                redis::from_redis_value(reply).map_err(|e| self.failed(e.into()))?;
            keys.append(&mut found);
            if next == "0" {
                return Ok(keys);
            }
            cursor = next;
        }
    }
}

#[async_trait]
impl Cache for RedisCache {
    fn errors(&self) -> Option<Counter> {
        Some(self.errors.clone())
    }

    #[tracing::instrument(name = "redis", skip_all, fields(db.system = "redis", db.operation = "GET"))]
    async fn get(&self, key: &Key) -> Result<Option<Bytes>, CacheError> {
        let mut con = self.connection().await?;
        let value: Option<Vec<u8>> = con.get(self.key(key)).await.map_err(|e| self.failed(e))?;
        Ok(value.map(Bytes::from))
    }

    #[tracing::instrument(name = "redis", skip_all, fields(db.system = "redis", db.operation = "SET"))]
    async fn set(&self, key: &Key, value: Bytes, ttl: Duration) -> Result<(), CacheError> {
        let mut con = self.connection().await?;
        con.pset_ex::<_, _, ()>(self.key(key), value.as_ref(), millis(ttl))
            .await
            .map_err(|e| self.failed(e))
    }

    #[tracing::instrument(name = "redis", skip_all, fields(db.system = "redis", db.operation = "DEL"))]
    async fn delete(&self, key: &Key) -> Result<(), CacheError> {
        let mut con = self.connection().await?;
        con.del::<_, ()>(self.key(key))
            .await
            .map_err(|e| self.failed(e))
    }

    #[tracing::instrument(name = "redis", skip_all, fields(db.system = "redis", db.operation = "SCAN+DEL"))]
    async fn delete_prefix(&self, prefix: &Key) -> Result<u64, CacheError> {
        let pattern = format!("{}*", glob_escape(&self.key(prefix)));
        let mut con = self.connection().await?;
        // A cluster's keys are spread over its primaries: each is scanned, and one that fails
        // (in the middle of a failover) does not keep the others' keys. The keys of one prefix
        // share a hash tag, so each DEL below stays on one slot.
        let (keys, unscanned) = match con.primaries().await.map_err(|e| self.failed(e))? {
            Some(primaries) => {
                let mut keys = Vec::new();
                let mut unscanned = None;
                for primary in &primaries {
                    match self.scan(&mut con, Some(primary), &pattern).await {
                        Ok(mut found) => keys.append(&mut found),
                        Err(err) => unscanned = Some(err),
                    }
                }
                (keys, unscanned)
            }
            None => (self.scan(&mut con, None, &pattern).await?, None),
        };
        let mut deleted = 0;
        for chunk in keys.chunks(500) {
            let n: u64 = con.del(chunk).await.map_err(|e| self.failed(e))?;
            deleted += n;
        }
        match unscanned {
            Some(err) => Err(err),
            None => Ok(deleted),
        }
    }

    #[tracing::instrument(name = "redis", skip_all, fields(db.system = "redis", db.operation = "INCR"))]
    async fn incr(&self, key: &Key, ttl: Duration) -> Result<u64, CacheError> {
        let mut con = self.connection().await?;
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
        let mut con = self.connection().await?;
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
        let mut con = self.connection().await?;
        redis::cmd("PING")
            .query_async::<String>(&mut con)
            .await
            .map(|_| ())
            .map_err(|e| self.failed(e))
    }
}
