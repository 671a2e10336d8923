//! Redis Sentinel: one primary, one replica and three sentinels on loopback, the platform
//! following the primary the sentinels name, and the primary killed under load.

use std::time::Duration;

use crate::helpers::spawn_app_with;
use crate::load::{Shop, cache_serves_again, during, generous_limits};
use crate::servers::{RedisNode, redis_cli, wait_until};

const NAME: &str = "main";

struct Sentinels {
    primary: RedisNode,
    replica: RedisNode,
    sentinels: Vec<RedisNode>,
    _dir: tempfile::TempDir,
}

impl Sentinels {
    async fn start() -> Self {
        let dir = tempfile::tempdir().expect("a folder for the servers");
        let primary = RedisNode::start(dir.path(), &[]).await;
        let replica = RedisNode::start(
            dir.path(),
            &[
                "--replicaof".into(),
                "127.0.0.1".into(),
                primary.port.to_string(),
            ],
        )
        .await;
        let mut sentinels = Vec::new();
        for n in 0..3 {
            // Sentinel rewrites its configuration file: one each.
            let conf = dir.path().join(format!("sentinel-{n}.conf"));
            std::fs::write(
                &conf,
                format!(
                    "sentinel monitor {NAME} 127.0.0.1 {} 2\n\
                     sentinel down-after-milliseconds {NAME} 1000\n\
                     sentinel failover-timeout {NAME} 5000\n",
                    primary.port
                ),
            )
            .expect("sentinel.conf");
            sentinels.push(
                RedisNode::start(
                    dir.path(),
                    &[conf.display().to_string(), "--sentinel".into()],
                )
                .await,
            );
        }
        let servers = Self {
            primary,
            replica,
            sentinels,
            _dir: dir,
        };
        let replica = servers.replica.port;
        wait_until(
            "the replica is in sync and every sentinel knows it",
            Duration::from_secs(30),
            || {
                redis_cli(replica, &["INFO", "replication"]).contains("master_link_status:up")
                    && servers.sentinels.iter().all(|s| {
                        redis_cli(s.port, &["SENTINEL", "REPLICAS", NAME])
                            .contains(&replica.to_string())
                    })
            },
        )
        .await;
        servers
    }

    fn url(&self) -> String {
        let sentinels: Vec<String> = self
            .sentinels
            .iter()
            .map(|s| format!("127.0.0.1:{}", s.port))
            .collect();
        format!("redis-sentinel://{}/{NAME}", sentinels.join(","))
    }

    /// The port of the primary the first sentinel names.
    fn named_primary(&self) -> Option<u16> {
        redis_cli(
            self.sentinels[0].port,
            &["SENTINEL", "GET-MASTER-ADDR-BY-NAME", NAME],
        )
        .lines()
        .nth(1)?
        .parse()
        .ok()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_primary_killed_under_load_costs_no_error_and_the_new_primary_takes_the_cache() {
    let mut servers = Sentinels::start().await;
    let url = servers.url();
    let app = spawn_app_with(|config| {
        config.redis_url = Some(url);
        generous_limits(config);
    })
    .await;
    let shop = Shop::open(&app).await;
    cache_serves_again(&shop, Duration::from_secs(10)).await;
    assert_eq!(servers.named_primary(), Some(servers.primary.port));

    let replica = servers.replica.port;
    let tally = during(&shop, 14, async {
        servers.primary.kill();
        wait_until(
            "the sentinels promote the replica",
            Duration::from_secs(30),
            || servers.named_primary() == Some(replica),
        )
        .await;
    })
    .await;
    assert!(
        tally.failures.is_empty(),
        "every request succeeds while the primary fails over: {:#?}",
        tally.failures
    );

    // The cache is served again, from the promoted replica.
    redis_cli(replica, &["FLUSHALL"]);
    cache_serves_again(&shop, Duration::from_secs(10)).await;
    let keys: u64 = redis_cli(replica, &["DBSIZE"]).parse().expect("DBSIZE");
    assert!(keys > 0, "the entries are written to the new primary");
}
