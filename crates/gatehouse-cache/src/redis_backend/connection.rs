//! Connections to each kind of Redis deployment, behind one [`ConnectionLike`] so that the
//! cache's commands are written once.
//!
//! Every kind reconnects by itself and fails fast while it cannot: the cache is a fast path,
//! and a request that meets a Redis in the middle of a failover treats its answer as a miss.

use std::sync::{Arc, RwLock, Weak};
use std::time::{Duration, Instant};

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster::ClusterClient;
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::{RoutingInfo, SingleNodeRoutingInfo};
use redis::sentinel::{Sentinel, SentinelNodeConnectionInfo};
use redis::{Cmd, Pipeline, RedisError, RedisFuture, RedisResult, Value};

use super::target::RedisTarget;

/// How long one attempt may take: a cache that answers slower than this is no help.
const TIMEOUT: Duration = Duration::from_millis(500);
/// How often the sentinels are asked who the primary is, besides after every failure.
const SENTINEL_POLL: Duration = Duration::from_secs(1);
/// After a failed connection attempt to a cluster, requests fail at once for this long rather
/// than each waiting for a connection that is not coming.
const CLUSTER_RETRY_AFTER: Duration = Duration::from_millis(500);

fn manager_config() -> ConnectionManagerConfig {
    ConnectionManagerConfig::new()
        .set_connection_timeout(Some(TIMEOUT))
        .set_response_timeout(Some(TIMEOUT))
        .set_number_of_retries(1)
        .set_max_delay(TIMEOUT)
}

/// One live connection of any kind.
#[derive(Clone)]
pub(super) enum Connection {
    Server(ConnectionManager),
    Cluster(ClusterConnection),
}

impl ConnectionLike for Connection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Self::Server(c) => c.req_packed_command(cmd),
            Self::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Self::Server(c) => c.req_packed_commands(pipeline, offset, count),
            Self::Cluster(c) => c.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Self::Server(c) => c.get_db(),
            Self::Cluster(c) => c.get_db(),
        }
    }
}

impl Connection {
    /// The address of every primary of a cluster, from its own slot table; `None` for one
    /// server.
    pub(super) async fn primaries(&mut self) -> RedisResult<Option<Vec<(String, u16)>>> {
        let Self::Cluster(connection) = self else {
            return Ok(None);
        };
        let slots = connection
            .route_command(
                redis::cmd("CLUSTER").arg("SLOTS").clone(),
                RoutingInfo::SingleNode(SingleNodeRoutingInfo::Random),
            )
            .await?;
        let ranges: Vec<Vec<Value>> = redis::from_redis_value(slots)?;
        let mut primaries: Vec<(String, u16)> = Vec::new();
        for range in ranges {
            let Some(primary) = range.into_iter().nth(2) else {
                continue;
            };
            let node: Vec<Value> = redis::from_redis_value(primary)?;
            let mut fields = node.into_iter();
            let (Some(host), Some(port)) = (fields.next(), fields.next()) else {
                continue;
            };
            let address = (
                redis::from_redis_value::<String>(host)?,
                redis::from_redis_value::<u16>(port)?,
            );
            if !primaries.contains(&address) {
                primaries.push(address);
            }
        }
        Ok(Some(primaries))
    }

    /// `cmd` on the cluster node at `node`, or wherever it goes without one.
    pub(super) async fn query_on(
        &mut self,
        node: Option<&(String, u16)>,
        cmd: Cmd,
    ) -> RedisResult<Value> {
        match (self, node) {
            (Self::Cluster(connection), Some((host, port))) => {
                let node = SingleNodeRoutingInfo::ByAddress {
                    host: host.clone(),
                    port: *port,
                };
                connection
                    .route_command(cmd, RoutingInfo::SingleNode(node))
                    .await
            }
            (connection, _) => cmd.query_async(connection).await,
        }
    }
}

/// A Redis deployment and how to reach it now.
pub(super) enum Topology {
    Server(ConnectionManager),
    Cluster(Box<ClusterLink>),
    Sentinel(Arc<SentinelLink>),
}

impl Topology {
    /// Connects lazily: nothing here waits for Redis.
    pub(super) fn new(target: &RedisTarget) -> RedisResult<Self> {
        Ok(match target {
            RedisTarget::Server(url) => Self::Server(ConnectionManager::new_lazy_with_config(
                redis::Client::open(url.as_str())?,
                manager_config(),
            )?),
            RedisTarget::Cluster { nodes } => Self::Cluster(Box::new(ClusterLink {
                client: ClusterClient::builder(nodes.iter().map(String::as_str))
                    .connection_timeout(TIMEOUT)
                    .response_timeout(TIMEOUT)
                    .overall_response_timeout(Some(TIMEOUT * 2))
                    .retries(3)
                    .min_retry_wait(20)
                    .max_retry_wait(200)
                    .build()?,
                connection: tokio::sync::OnceCell::new(),
                failed_at: RwLock::new(None),
            })),
            RedisTarget::Sentinel {
                sentinels,
                primary,
                tls,
                db,
                username,
                password,
            } => {
                let mut redis = redis::RedisConnectionInfo::default().set_db(*db);
                if let Some(username) = username {
                    redis = redis.set_username(username);
                }
                if let Some(password) = password {
                    redis = redis.set_password(password);
                }
                let mut node =
                    SentinelNodeConnectionInfo::default().set_redis_connection_info(redis);
                if *tls {
                    node = node.set_tls_mode(redis::TlsMode::Secure);
                }
                Self::Sentinel(SentinelLink::start(
                    Sentinel::build(sentinels.iter().map(String::as_str).collect())?,
                    primary.clone(),
                    node,
                ))
            }
        })
    }

    pub(super) async fn connection(&self) -> RedisResult<Connection> {
        match self {
            Self::Server(manager) => Ok(Connection::Server(manager.clone())),
            Self::Cluster(link) => link.connection().await.map(Connection::Cluster),
            Self::Sentinel(link) => link.connection().map(Connection::Server),
        }
    }

    /// Called with every failed command: a sentinel-followed primary may have moved.
    pub(super) fn failed(&self) {
        if let Self::Sentinel(link) = self {
            link.wake.notify_one();
        }
    }
}

pub(super) struct ClusterLink {
    client: ClusterClient,
    /// Made on first use; the connection then follows the cluster's topology by itself.
    connection: tokio::sync::OnceCell<ClusterConnection>,
    failed_at: RwLock<Option<Instant>>,
}

impl ClusterLink {
    async fn connection(&self) -> RedisResult<ClusterConnection> {
        if let Some(connection) = self.connection.get() {
            return Ok(connection.clone());
        }
        let recently_failed = self
            .failed_at
            .read()
            .ok()
            .and_then(|at| *at)
            .is_some_and(|at| at.elapsed() < CLUSTER_RETRY_AFTER);
        if recently_failed {
            return Err(unreachable("the Redis Cluster did not answer"));
        }
        let made = self
            .connection
            .get_or_try_init(|| async {
                tokio::time::timeout(TIMEOUT * 4, self.client.get_async_connection())
                    .await
                    .map_err(|_| unreachable("the Redis Cluster did not answer in time"))?
            })
            .await;
        if made.is_err()
            && let Ok(mut at) = self.failed_at.write()
        {
            *at = Some(Instant::now());
        }
        made.cloned()
    }
}

fn unreachable(what: &'static str) -> RedisError {
    RedisError::from((redis::ErrorKind::Io, what))
}

/// The primary that Redis Sentinel names, followed as it moves: the sentinels are asked every
/// [`SENTINEL_POLL`] and after every failed command, and a new address gets a new connection.
pub(super) struct SentinelLink {
    current: RwLock<Option<(String, ConnectionManager)>>,
    wake: Arc<tokio::sync::Notify>,
}

impl SentinelLink {
    fn start(sentinel: Sentinel, primary: String, node: SentinelNodeConnectionInfo) -> Arc<Self> {
        let link = Arc::new(Self {
            current: RwLock::new(None),
            wake: Arc::new(tokio::sync::Notify::new()),
        });
        let weak = Arc::downgrade(&link);
        let wake = link.wake.clone();
        tokio::spawn(follow(weak, wake, sentinel, primary, node));
        link
    }

    fn connection(&self) -> RedisResult<ConnectionManager> {
        let current = self.current.read().map_err(|_| unreachable("poisoned"))?;
        match current.as_ref() {
            Some((_, manager)) => Ok(manager.clone()),
            None => Err(unreachable("no sentinel has named the Redis primary yet")),
        }
    }
}

/// Asks the sentinels for the primary until the link is dropped.
async fn follow(
    link: Weak<SentinelLink>,
    wake: Arc<tokio::sync::Notify>,
    mut sentinel: Sentinel,
    primary: String,
    node: SentinelNodeConnectionInfo,
) {
    loop {
        let asked = tokio::time::timeout(
            TIMEOUT * 4,
            sentinel.async_master_for(&primary, Some(&node)),
        )
        .await;
        let Some(link) = link.upgrade() else { return };
        match asked {
            Ok(Ok(client)) => {
                let address = client.get_connection_info().addr().to_string();
                let known = link
                    .current
                    .read()
                    .ok()
                    .and_then(|c| c.as_ref().map(|(a, _)| a == &address))
                    .unwrap_or(false);
                if !known {
                    match ConnectionManager::new_lazy_with_config(client, manager_config()) {
                        Ok(manager) => {
                            tracing::info!(%address, primary, "Redis Sentinel names the primary");
                            if let Ok(mut current) = link.current.write() {
                                *current = Some((address, manager));
                            }
                        }
                        Err(err) => tracing::warn!(error = %err, "connecting to the Redis primary"),
                    }
                }
            }
            Ok(Err(err)) => {
                tracing::warn!(error = %err, primary, "no sentinel named the Redis primary")
            }
            Err(_) => tracing::warn!(primary, "the sentinels did not answer in time"),
        }
        drop(link);
        // At most ten questions a second, however many commands fail.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let _ = tokio::time::timeout(SENTINEL_POLL, wake.notified()).await;
    }
}
