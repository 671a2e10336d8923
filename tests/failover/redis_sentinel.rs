//! Redis Sentinel: one primary, one replica and three sentinels on loopback, the platform
//! following the primary the sentinels name, and the primary killed under load.

use std::time::Duration;

use crate::helpers::{TestApp, spawn_app_with};
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

/// A token of `shop`'s client, revoked (RFC 7009) through the platform.
async fn revoked_token(shop: &Shop, app: &TestApp) -> String {
    let token = app.token(&shop.client, &["products:read"]).await;
    app.revoke(&shop.client, &token).await;
    token
}

/// The status of a product list read with `token`.
async fn read_with(shop: &Shop, token: &str) -> u16 {
    shop.http
        .get(format!("{}/t/acme/api/v1/products", shop.base))
        .bearer_auth(token)
        .send()
        .await
        .expect("an answer")
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_primary_killed_under_load_costs_no_error_and_the_new_primary_takes_the_cache() {
    let mut servers = Sentinels::start().await;
    let url = servers.url();
    let app = spawn_app_with(|config| {
        config.redis_url = Some(url);
        generous_limits(config);
        // One tenant on a small budget, to see rate limits enforced again afterwards.
        config
            .gateway
            .rate_limits
            .tenants
            .insert("tight".into(), 10);
    })
    .await;
    let shop = Shop::open(&app).await;
    cache_serves_again(&shop, Duration::from_secs(10)).await;
    assert_eq!(servers.named_primary(), Some(servers.primary.port));
    let revoked = revoked_token(&shop, &app).await;
    assert_eq!(read_with(&shop, &revoked).await, 401);

    let replica = servers.replica.port;
    let mut refused_during = 0;
    let tally = during(&shop, 14, async {
        servers.primary.kill();
        // While no primary answers, the revoked token stays refused: revocations do not
        // fail open with the cache.
        while servers.named_primary() != Some(replica) {
            assert_eq!(
                read_with(&shop, &revoked).await,
                401,
                "a revoked token, refused"
            );
            refused_during += 1;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    assert!(
        tally.failures.is_empty(),
        "every request succeeds while the primary fails over: {:#?}",
        tally.failures
    );
    assert!(
        refused_during > 0,
        "the revoked token was tried during the failover"
    );

    // The cache is served again, from the promoted replica.
    redis_cli(replica, &["FLUSHALL"]);
    cache_serves_again(&shop, Duration::from_secs(10)).await;
    let keys: u64 = redis_cli(replica, &["DBSIZE"]).parse().expect("DBSIZE");
    assert!(keys > 0, "the entries are written to the new primary");

    // And rate limits hold again: a budget of 10 a minute does not last 14 requests.
    let tight = app.tenant_with_product_token("tight").await;
    let mut statuses = Vec::new();
    for _ in 0..14 {
        let response = app.get("/t/tight/api/v1/products", &tight).await;
        statuses.push(response.status().as_u16());
    }
    assert!(
        statuses.contains(&429),
        "the budget is enforced again: {statuses:?}"
    );
}
