//! The operators' `/metrics`: a Prometheus parser reads it, and after a known burst of traffic
//! every counter has moved by exactly what was sent.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Browser, Form, scrape, spawn_platform};

#[tokio::test]
async fn counters_move_by_exactly_the_traffic_sent() {
    let (app, ops) =
        spawn_platform(|config| config.gateway.rate_limits.client_per_minute = 4).await;
    let token = app.tenant_with_product_token("acme").await;
    let item = app.create_product(&token, "Widget").await;
    let third_party = app.app_with("acme", json!({})).await;
    let reader = app.register_client("acme", "products:read").await;
    let before = scrape(ops).await;

    // Three reads of one product: a miss that is stored, then two hits.
    for _ in 0..3 {
        assert_eq!(app.get(&item, &token).await.status(), 200);
    }
    // Two tokens, and one request with a wrong secret.
    let reader_token = app.token(&reader, &["products:read"]).await;
    app.token(&reader, &["products:read"]).await;
    let refused = app
        .http
        .post(app.url("/t/acme/oauth2/token"))
        .basic_auth(&reader.client_id, Some("not the secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("answer");
    assert_eq!(refused.status(), 401);
    // The reader's budget is four a minute: the fifth list is refused.
    for expected in [200, 200, 200, 200, 429] {
        let listed = app
            .http
            .get(app.url("/t/acme/api/v1/products"))
            .bearer_auth(&reader_token)
            .header("cache-control", "no-cache")
            .send()
            .await
            .expect("answer");
        assert_eq!(listed.status().as_u16(), expected);
    }
    // A sign-in with a wrong password.
    let browser = Browser::new();
    let (url, _, _) = app.authorization_url(&third_party, &[], &[]);
    let page = browser.page(url.as_str()).await;
    let failed = browser
        .log_in(&app, "acme", &Form::of(&page), "wrong")
        .send()
        .await
        .expect("login");
    assert_eq!(failed.status(), StatusCode::OK, "the form again");

    let after = scrape(ops).await;
    let moved = |name: &str, labels: &[(&str, &str)]| {
        after.value(name, labels) - before.value(name, labels)
    };
    let requests = "gatehouse_gateway_http_requests_total";
    let item_reads = [
        ("route", "/t/:tenant/api/v1/:resource/*"),
        ("method", "GET"),
        ("status", "2xx"),
        ("tenant", "acme"),
    ];
    assert_eq!(moved(requests, &item_reads), 3.0);
    assert_eq!(
        moved(
            "gatehouse_gateway_http_request_duration_seconds",
            &item_reads
        ),
        3.0,
        "one latency observation per request"
    );
    let lists = |status| {
        [
            ("route", "/t/:tenant/api/v1/:resource"),
            ("method", "GET"),
            ("status", status),
            ("tenant", "acme"),
        ]
    };
    assert_eq!(moved(requests, &lists("2xx")), 4.0);
    assert_eq!(moved(requests, &lists("4xx")), 1.0);
    let token_requests = |status| {
        [
            ("route", "/t/:tenant/oauth2/token"),
            ("method", "POST"),
            ("status", status),
            ("tenant", "acme"),
        ]
    };
    assert_eq!(moved(requests, &token_requests("2xx")), 2.0);
    assert_eq!(moved(requests, &token_requests("4xx")), 1.0);

    let cache = "gatehouse_gateway_response_cache_events_total";
    assert_eq!(moved(cache, &[("event", "miss")]), 1.0);
    assert_eq!(moved(cache, &[("event", "store")]), 1.0);
    assert_eq!(moved(cache, &[("event", "hit")]), 2.0);
    assert_eq!(
        moved(cache, &[("event", "purge")]),
        0.0,
        "nothing was written"
    );
    assert_eq!(
        moved(
            "gatehouse_gateway_rate_limit_refusals_total",
            &[("budget", "client")]
        ),
        1.0
    );
    assert_eq!(
        moved(
            "gatehouse_auth_tokens_issued_total",
            &[("grant", "client_credentials")]
        ),
        2.0
    );
    assert_eq!(
        moved(
            "gatehouse_auth_token_requests_refused_total",
            &[("error", "invalid_client")]
        ),
        1.0
    );
    assert_eq!(moved("gatehouse_auth_sign_in_failures_total", &[]), 1.0);
    assert_eq!(after.value("gatehouse_db_pool_max_connections", &[]), 20.0);
    assert!(
        after.value("gatehouse_db_pool_connections", &[("state", "idle")])
            + after.value("gatehouse_db_pool_connections", &[("state", "in_use")])
            >= 1.0,
        "the pool is reported"
    );
}
