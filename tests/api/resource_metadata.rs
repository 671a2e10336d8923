//! OAuth 2.0 Protected Resource Metadata (RFC 9728), as an agent meets it: a 401 names the
//! metadata, the metadata names the authorization server, and that server's own metadata
//! confirms it is the issuer.

use serde_json::Value;

use crate::helpers::{API_SCOPES, TestApp, spawn_app, www_authenticate};

/// The `resource_metadata` URL of a 401 for `path` without a token.
async fn metadata_url_of_refusal(app: &TestApp, path: &str) -> String {
    let response = app.http.get(app.url(path)).send().await.expect("an answer");
    assert_eq!(response.status(), 401, "{path}");
    let challenge = www_authenticate(&response);
    assert!(challenge.starts_with("Bearer "), "{challenge}");
    let (_, rest) = challenge
        .split_once("resource_metadata=\"")
        .unwrap_or_else(|| panic!("{path}: no resource_metadata in {challenge}"));
    rest.split('"').next().expect("a quoted URL").to_owned()
}

async fn get_json(app: &TestApp, url: &str) -> (u16, Value) {
    let response = app.http.get(url).send().await.expect("an answer");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_refusal_names_the_apis_metadata_and_the_metadata_names_its_issuer() {
    let app = spawn_app().await;
    app.create_tenant("acme").await;

    let url = metadata_url_of_refusal(&app, "/t/acme/api/v1/products").await;
    assert_eq!(
        url,
        app.url("/.well-known/oauth-protected-resource/t/acme/api/v1")
    );
    let (status, metadata) = get_json(&app, &url).await;
    assert_eq!(status, 200, "{metadata}");
    assert_eq!(metadata["resource"], app.url("/t/acme/api/v1"));
    assert_eq!(
        metadata["authorization_servers"],
        serde_json::json!([app.url("/t/acme")])
    );
    assert_eq!(
        metadata["bearer_methods_supported"],
        serde_json::json!(["header"])
    );
    let scopes: Vec<&str> = metadata["scopes_supported"]
        .as_array()
        .expect("scopes")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(scopes, API_SCOPES);

    // The resource's own URL form serves the same document.
    let (status, same) = get_json(
        &app,
        &app.url("/t/acme/api/v1/.well-known/oauth-protected-resource"),
    )
    .await;
    assert_eq!((status, &same), (200, &metadata));

    // The authorization server it names says it is that issuer (RFC 9728 §3.3 asks clients
    // to check), and issues tokens the API takes.
    let issuer = metadata["authorization_servers"][0]
        .as_str()
        .expect("issuer");
    let (status, server) = get_json(
        &app,
        &app.url("/.well-known/oauth-authorization-server/t/acme"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(server["issuer"], issuer);

    // A token that is not valid is refused with the same pointer.
    let response = app
        .http
        .get(app.url("/t/acme/api/v1/products"))
        .bearer_auth("not-a-token")
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), 401);
    let challenge = www_authenticate(&response);
    assert!(
        challenge.contains(r#"error="invalid_token""#)
            && challenge.contains(&format!(r#"resource_metadata="{url}""#)),
        "{challenge}"
    );
}

#[tokio::test]
async fn each_admin_api_is_a_resource_of_its_own_and_unknown_ones_have_no_metadata() {
    let app = spawn_app().await;
    app.create_tenant("acme").await;

    for (path, resource, issuer, scope) in [
        (
            "/admin/v1/tenants",
            "/admin/v1",
            "/t/system",
            "platform:admin",
        ),
        (
            "/t/acme/admin/v1/clients",
            "/t/acme/admin/v1",
            "/t/acme",
            "tenant:admin",
        ),
    ] {
        let url = metadata_url_of_refusal(&app, path).await;
        assert_eq!(
            url,
            app.url(&format!("/.well-known/oauth-protected-resource{resource}"))
        );
        let (status, metadata) = get_json(&app, &url).await;
        assert_eq!(status, 200, "{metadata}");
        assert_eq!(metadata["resource"], app.url(resource));
        assert_eq!(metadata["authorization_servers"][0], app.url(issuer));
        assert_eq!(metadata["scopes_supported"], serde_json::json!([scope]));
    }

    for path in [
        "/.well-known/oauth-protected-resource/t/nobody/api/v1",
        "/.well-known/oauth-protected-resource/t/acme/api/v1/products",
        "/.well-known/oauth-protected-resource/t/acme/oauth2",
        "/.well-known/oauth-protected-resource",
    ] {
        let response = app.http.get(app.url(path)).send().await.expect("an answer");
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_split_gateway_serves_the_metadata_asking_the_auth_processes_for_the_tenant() {
    let deployment = crate::split_deployment::Deployment::start().await;
    let app = &deployment.app;
    app.create_tenant("acme").await;

    let url = metadata_url_of_refusal(app, "/t/acme/api/v1/products").await;
    let (status, metadata) = get_json(app, &url).await;
    assert_eq!(status, 200, "{metadata}");
    assert_eq!(metadata["authorization_servers"][0], app.url("/t/acme"));
    let (status, _) = get_json(
        app,
        &app.url("/.well-known/oauth-protected-resource/t/nobody/api/v1"),
    )
    .await;
    assert_eq!(status, 404, "a tenant no auth process knows");
}
