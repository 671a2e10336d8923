//! Rate limits per client, per tenant and at the token endpoint, with the IETF draft's fields.

use serde_json::Value;

use crate::helpers::{problem, spawn_app_with};

#[tokio::test]
async fn a_client_spends_its_budget_then_gets_429_with_retry_after() {
    let app = spawn_app_with(|config| config.gateway.rate_limits.client_per_minute = 3).await;
    let token = app.tenant_with_product_token("acme").await;
    for remaining in ["2", "1", "0"] {
        let response = app.get("/t/acme/api/v1/products", &token).await;
        assert_eq!(response.status(), 200);
        let headers = response.headers();
        assert_eq!(headers["x-ratelimit-limit"], "3");
        assert_eq!(headers["x-ratelimit-remaining"], remaining);
        let policy = headers["ratelimit-policy"].to_str().expect("ascii");
        assert!(
            policy.contains(r#""client";q=3;w=60"#) && policy.contains(r#""tenant";q="#),
            "{policy}"
        );
        let state = headers["ratelimit"].to_str().expect("ascii");
        assert!(
            state.starts_with(&format!(r#""client";r={remaining};t="#)),
            "{state}"
        );
    }
    let refused = app.get("/t/acme/api/v1/products", &token).await;
    assert_eq!(refused.status(), 429);
    let retry: u64 = refused.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!(
        (1..=20).contains(&retry),
        "one request's worth of a 60 s window of 3: {retry}"
    );
    assert_eq!(
        problem(refused).await["type"],
        "urn:gatehouse:problem:rate-limited"
    );
}

#[tokio::test]
async fn clients_have_their_own_budgets_within_their_tenants() {
    // The operator's admin calls spend from a client budget too: three of them here.
    let app = spawn_app_with(|config| {
        config.gateway.rate_limits.client_per_minute = 3;
        config.gateway.rate_limits.tenants.insert("acme".into(), 4);
    })
    .await;
    let first = app.tenant_with_product_token("acme").await;
    let client = app.register_client("acme", "products:read").await;
    let second = app.token(&client, &[]).await;
    for _ in 0..3 {
        assert_eq!(
            app.get("/t/acme/api/v1/products", &first).await.status(),
            200
        );
    }
    assert_eq!(
        app.get("/t/acme/api/v1/products", &first).await.status(),
        429,
        "the client's budget"
    );
    let other = app.get("/t/acme/api/v1/products", &second).await;
    assert_eq!(other.status(), 200, "another client");
    let policy = other.headers()["ratelimit-policy"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        policy.contains(r#""tenant";q=4;w=60"#),
        "the tenant's own budget: {policy}"
    );
    let tenant_spent = app.get("/t/acme/api/v1/products", &second).await;
    assert_eq!(tenant_spent.status(), 429, "the tenant's budget of 4");
    assert!(
        tenant_spent.headers()["ratelimit"]
            .to_str()
            .expect("ascii")
            .starts_with(r#""tenant";r=0"#)
    );
}

#[tokio::test]
async fn the_token_endpoint_is_limited_per_address_with_an_oauth_error() {
    let app =
        spawn_app_with(|config| config.gateway.rate_limits.token_endpoint_per_minute = 2).await;
    app.create_tenant("acme").await;
    let client = app.register_client("acme", "products:read").await;
    app.token(&client, &[]).await;
    app.token(&client, &[]).await;
    let refused = app
        .http
        .post(app.url("/t/acme/oauth2/token"))
        .basic_auth(&client.client_id, Some(&client.client_secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("answer");
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    let body: Value = refused.json().await.expect("json");
    assert_eq!(body["error"], "temporarily_unavailable");
}

#[tokio::test]
async fn the_operator_sets_a_tenants_limit_through_the_admin_api() {
    let app = crate::helpers::spawn_app().await;
    let token = app.tenant_with_product_token("acme").await;
    let operator = app.operator_token().await;
    let patch = |body: Value| {
        app.send(
            reqwest::Method::PATCH,
            "/admin/v1/tenants/acme",
            Some(&operator),
            Some(body),
        )
    };
    let set = patch(serde_json::json!({"rate_limit_per_minute": 2})).await;
    assert_eq!(set.status(), 200);
    assert_eq!(
        set.json::<Value>().await.expect("json")["rate_limit_per_minute"],
        2
    );
    assert_eq!(
        app.get("/t/acme/api/v1/products", &token).await.status(),
        200
    );
    assert_eq!(
        app.get("/t/acme/api/v1/products?page=2", &token)
            .await
            .status(),
        200
    );
    let refused = app.get("/t/acme/api/v1/products?page=3", &token).await;
    assert_eq!(refused.status(), 429);
    assert!(
        refused.headers()["ratelimit-policy"]
            .to_str()
            .expect("ascii")
            .contains(r#""tenant";q=2"#)
    );

    assert_eq!(
        patch(serde_json::json!({"rate_limit_per_minute": 0}))
            .await
            .status(),
        400
    );
    assert_eq!(
        patch(serde_json::json!({"rate_limit_per_minute": null}))
            .await
            .status(),
        200
    );
    let back = app.get("/t/acme/api/v1/products?page=4", &token).await;
    assert_eq!(back.status(), 200, "the configured budget again, at once");
    assert!(
        back.headers()["ratelimit-policy"]
            .to_str()
            .expect("ascii")
            .contains(r#""tenant";q=12000"#)
    );
}
