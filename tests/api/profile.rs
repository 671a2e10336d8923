//! `/api/v1/me`, and the resource API's list conventions: RFC 8288 links, unknown parameters.

use serde_json::{Value, json};

use crate::helpers::{problem, problem_fields, spawn_app};

#[tokio::test]
async fn me_says_who_the_token_speaks_for_with_no_scope_needed() {
    let app = spawn_app().await;
    let third_party = app.app_with("acme", json!({})).await;
    let client = app.register_client("acme", "orders:read").await;
    let token = app.token(&client, &[]).await;
    let me = app.get("/t/acme/api/v1/me", &token).await;
    assert_eq!(me.status(), 200);
    let me: Value = me.json().await.expect("json");
    assert_eq!(
        me,
        json!({"tenant": "acme", "subject": client.client_id, "subject_type": "client", "client_id": client.client_id, "scopes": ["orders:read"]})
    );

    let tokens = app.user_tokens(&third_party, &["products:read"]).await;
    let user: Value = app
        .get(
            "/t/acme/api/v1/me",
            oauth2::TokenResponse::access_token(&tokens).secret(),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(user["subject_type"], "user");
    assert_eq!(user["client_id"], third_party.client_id.as_str());
    assert!(uuid::Uuid::parse_str(user["subject"].as_str().expect("subject")).is_ok());

    app.create_tenant("globex").await;
    assert_eq!(app.get("/t/globex/api/v1/me", &token).await.status(), 401);
}

#[tokio::test]
async fn lists_link_their_pages_and_refuse_unknown_parameters() {
    let app = spawn_app().await;
    let token = app.tenant_with_product_token("acme").await;
    for i in 0..5 {
        app.post(
            "/t/acme/api/v1/products",
            &token,
            json!({"name": format!("P{i}"), "sku": format!("P{i}"), "price": {"amount": 1, "currency": "EUR"}}),
        )
        .await;
    }
    let page = app
        .get("/t/acme/api/v1/products?page=2&per_page=2", &token)
        .await;
    let link = page.headers()["link"].to_str().expect("ascii").to_owned();
    for (target, rel) in [(1, "first"), (1, "prev"), (3, "next"), (3, "last")] {
        let expected = format!("</t/acme/api/v1/products?page={target}&per_page=2>; rel=\"{rel}\"");
        assert!(link.contains(&expected), "{expected} in {link}");
    }
    let first = app.get("/t/acme/api/v1/products?per_page=2", &token).await;
    let link = first.headers()["link"].to_str().expect("ascii").to_owned();
    assert!(!link.contains("rel=\"prev\""), "{link}");

    let unknown = app
        .get(
            "/t/acme/api/v1/products?size=2&sort=name&colour=red",
            &token,
        )
        .await;
    assert_eq!(unknown.status(), 400);
    let body = problem(unknown).await;
    let fields = problem_fields(&body);
    assert_eq!(
        fields,
        ["size", "colour"],
        "every unknown parameter, by name"
    );
}
