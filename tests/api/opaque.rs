//! Opaque access tokens: issued to clients that ask for them, and accepted by a gateway that
//! is configured to introspect them (RFC 7662, through the oauth2 crate).

use gatehouse::{Application, Role};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, test_config};

#[tokio::test]
async fn a_configured_gateway_introspects_opaque_tokens_and_honours_their_revocation() {
    let first = spawn_app().await;
    first.create_tenant("acme").await;
    // A resource server of the tenant: it may introspect every client's tokens.
    let introspector = first
        .register_client_with(
            "acme",
            serde_json::json!({"client_name": "Gateway", "resource_server": true}),
        )
        .await;
    let opaque = first
        .register_client_with("acme", json!({"client_name": "Legacy", "scope": "products:read", "access_token_format": "opaque"}))
        .await;
    let token = first.token(&opaque, &[]).await;
    assert!(
        token.starts_with("gho_") && token.split('.').count() == 1,
        "opaque: {token}"
    );
    assert_eq!(
        first.get("/t/acme/api/v1/products", &token).await.status(),
        401,
        "not configured: refused"
    );

    // The same platform, its gateway now configured to introspect acme's opaque tokens.
    let mut config = test_config(first.data_dir.path(), &first.database_url);
    config.admin_client_secret = Some(gatehouse::Secret::new(first.admin_secret.clone()));
    config.public_url = Some(first.base.clone());
    config.gateway.introspection.insert(
        "acme".into(),
        gatehouse::config::IntrospectionClient {
            client_id: introspector.client_id.clone(),
            client_secret: gatehouse::Secret::new(introspector.client_secret.clone()),
        },
    );
    let second = Application::build(config, Role::All)
        .await
        .expect("restart");
    let base = second.base_url().to_owned();
    tokio::spawn(second.run_until_stopped());
    let app = TestApp {
        base,
        http: reqwest::Client::new(),
        admin_secret: first.admin_secret.clone(),
        database_url: first.database_url.clone(),
        data_dir: tempfile::tempdir().expect("dir"),
    };

    // Tokens name the first instance's issuer, which the configured public_url keeps.
    let list = app.get("/t/acme/api/v1/products", &token).await;
    assert_eq!(list.status(), 200);
    let body: Value = list.json().await.expect("json");
    assert_eq!(body["total"], 0);
    let write = app
        .post(
            "/t/acme/api/v1/products",
            &token,
            json!({"name": "x", "sku": uuid::Uuid::new_v4().simple().to_string(), "price": {"amount": 1, "currency": "EUR"}}),
        )
        .await;
    assert_eq!(write.status(), 403, "its scope is products:read");
    assert_eq!(
        app.get("/t/acme/api/v1/products", "gho_not-a-token")
            .await
            .status(),
        401
    );
    app.create_tenant("globex").await;
    assert_eq!(
        app.get("/t/globex/api/v1/products", &token).await.status(),
        401,
        "another tenant"
    );

    app.revoke(&opaque, &token).await;
    assert_eq!(
        app.get("/t/acme/api/v1/products", &token).await.status(),
        401,
        "revoked"
    );
}
