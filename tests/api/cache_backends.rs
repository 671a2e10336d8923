//! The caching layer's behaviour, the same for both backends: in process, and a real
//! redis-server.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use gatehouse_cache::{Cache, Key, MemoryCache, Quota, RedisCache, SharedCache};

pub fn redis_url() -> String {
    std::env::var("GATEHOUSE_TEST_REDIS_URL").unwrap_or_else(|_| {
        panic!(
            "GATEHOUSE_TEST_REDIS_URL is not set: run the tests through \
             scripts/with-test-services.sh (make test does), or start redis-server and set it"
        )
    })
}

/// Both backends, each under a tenant name of its own so that tests never share keys.
fn backends() -> Vec<(&'static str, SharedCache, String)> {
    let tenant = format!("t{}", uuid::Uuid::new_v4().simple());
    vec![
        (
            "memory",
            Arc::new(MemoryCache::new(1 << 20)) as SharedCache,
            tenant.clone(),
        ),
        (
            "redis",
            Arc::new(RedisCache::new(&redis_url(), "test").expect("redis url")) as SharedCache,
            tenant,
        ),
    ]
}

#[tokio::test]
async fn entries_are_kept_for_their_ttl_and_deleted_on_demand() {
    for (name, cache, tenant) in backends() {
        let short = Key::new("test", &tenant, "short");
        let long = Key::new("test", &tenant, "long");
        cache
            .set(&short, Bytes::from_static(b"a"), Duration::from_millis(100))
            .await
            .expect(name);
        cache
            .set(&long, Bytes::from_static(b"b"), Duration::from_secs(60))
            .await
            .expect(name);
        assert_eq!(
            cache.get(&short).await.expect(name),
            Some(Bytes::from_static(b"a")),
            "{name}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
        assert_eq!(
            cache.get(&short).await.expect(name),
            None,
            "{name}: expired"
        );
        assert_eq!(
            cache.get(&long).await.expect(name),
            Some(Bytes::from_static(b"b")),
            "{name}"
        );
        cache.delete(&long).await.expect(name);
        assert_eq!(cache.get(&long).await.expect(name), None, "{name}: deleted");
        cache.ping().await.expect(name);
    }
}

#[tokio::test]
async fn a_prefix_purge_takes_only_what_starts_with_it_in_its_tenant() {
    for (name, cache, tenant) in backends() {
        let other = format!("{tenant}x");
        let ttl = Duration::from_secs(60);
        for (t, rest) in [
            (&tenant, "/api/v1/products"),
            (&tenant, "/api/v1/products/1"),
            (&tenant, "/api/v1/orders"),
            (&other, "/api/v1/products"),
        ] {
            cache
                .set(&Key::new("http", t, rest), Bytes::from_static(b"x"), ttl)
                .await
                .expect(name);
        }
        let purged = cache
            .delete_prefix(&Key::new("http", &tenant, "/api/v1/products"))
            .await
            .expect(name);
        assert_eq!(purged, 2, "{name}");
        assert!(
            cache
                .get(&Key::new("http", &tenant, "/api/v1/orders"))
                .await
                .expect(name)
                .is_some(),
            "{name}"
        );
        assert!(
            cache
                .get(&Key::new("http", &other, "/api/v1/products"))
                .await
                .expect(name)
                .is_some(),
            "{name}: another tenant's entry stays"
        );
        // Glob characters in a prefix are literal.
        assert_eq!(
            cache
                .delete_prefix(&Key::new("http", &tenant, "*"))
                .await
                .expect(name),
            0,
            "{name}"
        );
    }
}

#[tokio::test]
async fn counters_count_and_expire() {
    for (name, cache, tenant) in backends() {
        let key = Key::new("count", &tenant, "k");
        for expected in 1..=3 {
            assert_eq!(
                cache
                    .incr(&key, Duration::from_millis(200))
                    .await
                    .expect(name),
                expected,
                "{name}"
            );
        }
        tokio::time::sleep(Duration::from_millis(350)).await;
        assert_eq!(
            cache
                .incr(&key, Duration::from_millis(200))
                .await
                .expect(name),
            1,
            "{name}: restarted"
        );
    }
}

#[tokio::test]
async fn the_rate_limiter_allows_a_burst_then_refuses_then_recovers() {
    for (name, cache, tenant) in backends() {
        let key = Key::new("rate", &tenant, "client");
        let quota = Quota {
            limit: 3,
            period: Duration::from_millis(600),
        };
        for left in [2, 1, 0] {
            let decision = cache.rate(&key, &quota, 1).await.expect(name);
            assert!(decision.allowed, "{name}");
            assert_eq!(decision.remaining, left, "{name}");
        }
        let refused = cache.rate(&key, &quota, 1).await.expect(name);
        assert!(!refused.allowed, "{name}");
        assert!(
            refused.retry_after > Duration::ZERO
                && refused.retry_after <= Duration::from_millis(200),
            "{name}: {refused:?}"
        );
        tokio::time::sleep(refused.retry_after + Duration::from_millis(20)).await;
        assert!(
            cache.rate(&key, &quota, 1).await.expect(name).allowed,
            "{name}: one interval later"
        );
    }
}

#[tokio::test]
async fn concurrent_decisions_share_one_exact_budget() {
    for (name, cache, tenant) in backends() {
        let key = Key::new("rate", &tenant, "shared");
        let quota = Quota {
            limit: 10,
            period: Duration::from_secs(60),
        };
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let cache = cache.clone();
                let key = key.clone();
                tokio::spawn(async move { cache.rate(&key, &quota, 1).await })
            })
            .collect();
        let mut allowed = 0;
        for task in tasks {
            if task.await.expect("task").expect(name).allowed {
                allowed += 1;
            }
        }
        assert_eq!(allowed, 10, "{name}: exactly the budget");
    }
}

#[tokio::test]
async fn an_unreachable_redis_is_an_error_the_caller_can_bypass() {
    // Port 1 on loopback: nothing listens there.
    let cache =
        RedisCache::new("redis://127.0.0.1:1", "test").expect("a lazy client starts without Redis");
    let key = Key::new("test", "acme", "k");
    assert!(cache.get(&key).await.is_err());
    assert!(
        cache
            .set(&key, Bytes::from_static(b"x"), Duration::from_secs(1))
            .await
            .is_err()
    );
    assert!(cache.ping().await.is_err());
}
