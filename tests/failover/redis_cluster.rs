//! A Redis Cluster of three primaries and three replicas, built by the test from redis-server
//! processes with `redis-cli --cluster create`: the cache on it, and a primary killed under load.

use std::time::Duration;

use bytes::Bytes;
use gatehouse_cache::{Cache, Key, Quota, RedisCache};

use crate::helpers::spawn_app_with;
use crate::load::{Shop, cache_serves_again, during, generous_limits};
use crate::servers::{RedisNode, redis_cli, require, wait_until};

struct Cluster {
    nodes: Vec<RedisNode>,
    _dir: tempfile::TempDir,
}

impl Cluster {
    async fn start() -> Self {
        require("redis-cli", "redis-tools");
        let dir = tempfile::tempdir().expect("a folder for the cluster");
        let args: Vec<String> = [
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            "nodes.conf",
            // A primary that does not answer for a second is failed over.
            "--cluster-node-timeout",
            "1000",
            // A replica may take over however stale: for a cache, better than no primary.
            "--cluster-replica-validity-factor",
            "0",
        ]
        .map(str::to_owned)
        .to_vec();
        let mut nodes = Vec::new();
        for _ in 0..6 {
            nodes.push(RedisNode::start(dir.path(), &args).await);
        }
        let addresses: Vec<String> = nodes
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.port))
            .collect();
        let created = std::process::Command::new("redis-cli")
            .arg("--cluster")
            .arg("create")
            .args(&addresses)
            .args(["--cluster-replicas", "1", "--cluster-yes"])
            .output()
            .expect("redis-cli --cluster create runs");
        assert!(
            created.status.success(),
            "redis-cli --cluster create failed: {}",
            String::from_utf8_lossy(&created.stdout)
        );
        let cluster = Self { nodes, _dir: dir };
        cluster.wait_ok().await;
        cluster
    }

    fn url(&self) -> String {
        let seeds: Vec<String> = self.nodes[..3]
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.port))
            .collect();
        format!("redis-cluster://{}", seeds.join(","))
    }

    fn alive(&self) -> impl Iterator<Item = u16> + '_ {
        self.nodes
            .iter()
            .map(|n| n.port)
            .filter(|port| redis_cli(*port, &["PING"]) == "PONG")
    }

    /// The nodes that answer and are primaries.
    fn primaries(&self) -> Vec<u16> {
        self.alive()
            .filter(|port| redis_cli(*port, &["ROLE"]).starts_with("master"))
            .collect()
    }

    /// Until every node that answers sees the whole cluster served by three primaries, knows
    /// every replica, and (a replica) is in sync with its primary.
    async fn wait_ok(&self) {
        wait_until(
            "every Redis Cluster node says cluster_state:ok",
            Duration::from_secs(30),
            || {
                let alive: Vec<u16> = self.alive().collect();
                let replicas = alive.len() - 3;
                self.primaries().len() == 3
                    && alive.iter().all(|port| {
                        redis_cli(*port, &["CLUSTER", "INFO"]).contains("cluster_state:ok")
                            && redis_cli(*port, &["CLUSTER", "NODES"])
                                .lines()
                                .filter_map(|line| line.split_whitespace().nth(2))
                                .filter(|flags| flags.contains("slave") && !flags.contains("fail"))
                                .count()
                                == replicas
                            && !redis_cli(*port, &["INFO", "replication"])
                                .contains("master_link_status:down")
                    })
            },
        )
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cache_spreads_over_every_primary_and_its_purges_reach_them_all() {
    let cluster = Cluster::start().await;
    let cache = RedisCache::new(&cluster.url(), "test").expect("a cluster URL");
    let ttl = Duration::from_secs(60);
    let tenants: Vec<String> = (0..24).map(|n| format!("tenant-{n}")).collect();
    for tenant in &tenants {
        for rest in [
            "/api/v1/products\na",
            "/api/v1/products/1\nb",
            "/api/v1/orders\nc",
        ] {
            cache
                .set(
                    &Key::new("http", tenant, rest),
                    Bytes::from_static(b"x"),
                    ttl,
                )
                .await
                .expect("SET on the cluster");
        }
        let attempts = Key::new("signin", tenant, "addr:127.0.0.1");
        assert_eq!(cache.incr(&attempts, ttl).await.expect("INCR"), 1);
        assert_eq!(cache.incr(&attempts, ttl).await.expect("INCR"), 2);
        let quota = Quota {
            limit: 2,
            period: Duration::from_secs(60),
        };
        let budget = Key::new("rate", tenant, "client:c1");
        let mut allowed = Vec::new();
        for _ in 0..3 {
            allowed.push(
                cache
                    .rate(&budget, &quota, 1)
                    .await
                    .expect("the GCRA script")
                    .allowed,
            );
        }
        assert_eq!(
            allowed,
            [true, true, false],
            "{tenant}: a burst of two, then none"
        );
    }
    for port in cluster.primaries() {
        let keys: u64 = redis_cli(port, &["DBSIZE"]).parse().expect("DBSIZE");
        assert!(
            keys > 0,
            "the primary on {port} holds entries of some tenants"
        );
    }
    for tenant in &tenants {
        let purged = cache
            .delete_prefix(&Key::new("http", tenant, "/api/v1/products"))
            .await
            .expect("a purge over every primary");
        assert_eq!(
            purged, 2,
            "{tenant}: both product entries, wherever they were"
        );
        let kept = cache
            .get(&Key::new("http", tenant, "/api/v1/orders\nc"))
            .await
            .expect("GET");
        assert!(kept.is_some(), "{tenant}: other paths stay");
    }
    cache.ping().await.expect("PING");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_primary_killed_under_load_costs_no_error_and_the_cache_serves_again() {
    let mut cluster = Cluster::start().await;
    let url = cluster.url();
    let app = spawn_app_with(|config| {
        config.redis_url = Some(url);
        generous_limits(config);
    })
    .await;
    let shop = Shop::open(&app).await;
    cache_serves_again(&shop, Duration::from_secs(10)).await;

    let victim = cluster
        .nodes
        .iter()
        .position(|n| redis_cli(n.port, &["ROLE"]).starts_with("master"))
        .expect("a primary");
    let tally = during(&shop, 12, async {
        cluster.nodes[victim].kill();
        cluster.wait_ok().await;
    })
    .await;
    assert!(
        tally.failures.is_empty(),
        "every request succeeds while a primary fails over: {:#?}",
        tally.failures
    );
    cache_serves_again(&shop, Duration::from_secs(10)).await;
    let stored: u64 = cluster
        .primaries()
        .iter()
        .map(|port| {
            redis_cli(*port, &["DBSIZE"])
                .parse::<u64>()
                .expect("DBSIZE")
        })
        .sum();
    assert!(stored > 0, "the platform's entries are in the cluster");

    // The old primary comes back as a replica of the one that took over.
    cluster.nodes[victim].restart().await;
    let port = cluster.nodes[victim].port;
    wait_until(
        "the old primary rejoins as a replica",
        Duration::from_secs(20),
        || redis_cli(port, &["ROLE"]).starts_with("slave"),
    )
    .await;
    cluster.wait_ok().await;
    cache_serves_again(&shop, Duration::from_secs(10)).await;
}
