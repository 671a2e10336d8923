//! PostgreSQL restarted, and stopped for a few seconds, under load: the pool recovers by
//! itself, no request hangs past the pool's acquire timeout, and what fails is a 503 that a
//! client may retry (`Retry-After`), never a 500.

use std::time::Duration;

use serde_json::Value;

use crate::helpers::spawn_app_with;
use crate::load::{Kind, Shop, during, generous_limits};
use crate::servers::Postgres;

/// The most requests that may fail across one restart and one 4-second stop: those whose
/// connection the server closed under them. The rest wait for the pool and succeed.
const MAX_FAILED: usize = 40;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_restarted_under_load_costs_a_few_retryable_503s_and_the_pool_recovers() {
    let postgres = Postgres::start();
    let url = postgres.url();
    let app = spawn_app_with(|config| {
        config.database_url = Some(url);
        generous_limits(config);
    })
    .await;
    let shop = Shop::open(&app).await;

    let tally = during(&shop, 16, async {
        postgres.pg_ctl(&["restart"]);
        tokio::time::sleep(Duration::from_secs(3)).await;
        postgres.pg_ctl(&["stop"]);
        tokio::time::sleep(Duration::from_secs(4)).await;
        postgres.pg_ctl(&["start"]);
    })
    .await;

    for failure in &tally.failures {
        assert_eq!(failure.status, Some(503), "only 503s: {failure:#?}");
        assert!(
            failure
                .retry_after
                .as_deref()
                .is_some_and(|s| s.parse::<u32>().is_ok()),
            "with Retry-After: {failure:#?}"
        );
        let body: Value = serde_json::from_str(&failure.body).expect("a JSON body");
        if failure.kind == Kind::Token {
            assert_eq!(body["error"], "temporarily_unavailable", "{failure:#?}");
        } else {
            assert_eq!(
                failure.content_type, "application/problem+json",
                "{failure:#?}"
            );
            assert!(
                body["type"] == "urn:gatehouse:problem:unavailable"
                    || body["type"] == "urn:gatehouse:problem:revocation-unknown",
                "{failure:#?}"
            );
        }
    }
    assert!(
        tally.failures.len() <= MAX_FAILED,
        "at most {MAX_FAILED} requests fail: {:#?}",
        tally.failures
    );
    assert!(
        tally.slowest < Duration::from_secs(13),
        "no request waits past the pool's 10 s acquire timeout: {:?}",
        tally.slowest
    );
    for kind in [Kind::Token, Kind::UncachedRead, Kind::Write] {
        assert!(
            tally.of(kind, 200) + tally.of(kind, 201) > 0,
            "{kind:?} succeeded"
        );
    }

    // Afterwards every kind of request succeeds at once.
    let response = shop
        .list()
        .header("Cache-Control", "no-cache")
        .send()
        .await
        .expect("an answer");
    assert_eq!(
        response.status(),
        200,
        "an uncached read after the restarts"
    );
    let token = app.token(&shop.client, &["products:read"]).await;
    assert!(!token.is_empty());
}
