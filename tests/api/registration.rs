//! Dynamic client registration (RFC 7591) and its management (RFC 7592), as a tenant's OAuth
//! policy allows it: closed, open, or with an initial access token; registered clients get
//! only the grants and scopes the policy allows, and each address has a budget.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{App, REDIRECT, TestApp, spawn_app, spawn_app_with};

/// Sets the tenant's registration policy as the operator.
async fn set_registration(app: &TestApp, tenant: &str, registration: Value) {
    let operator = app.operator_token().await;
    let response = app
        .send(
            Method::PUT,
            &format!("/t/{tenant}/admin/v1/oauth-policy"),
            Some(&operator),
            Some(json!({ "registration": registration })),
        )
        .await;
    assert_eq!(response.status(), 200, "the policy is set");
}

/// A request to the registration endpoint (or a registration's URI) with an optional bearer
/// token: the status and the JSON answer (`Null` when there is none).
async fn call(
    app: &TestApp,
    method: Method,
    url: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = app.http.request(method, url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("an answer");
    let status = response.status().as_u16();
    if status != 204 && status != 429 {
        assert_eq!(
            response.headers()["cache-control"],
            "no-store",
            "registration answers are not stored"
        );
    }
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn metadata(app: &TestApp, tenant: &str) -> Value {
    app.http
        .get(app.url(&format!(
            "/.well-known/oauth-authorization-server/t/{tenant}"
        )))
        .send()
        .await
        .expect("metadata")
        .json()
        .await
        .expect("json")
}

fn public_app() -> Value {
    json!({
        "client_name": "Agent",
        "redirect_uris": [REDIRECT],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
        "scope": "openid products:read products:write tenant:admin",
        "software_id": "ignored-but-accepted",
    })
}

#[tokio::test]
async fn an_open_tenant_registers_agents_within_its_policy_and_they_manage_themselves() {
    // More calls from one address than the default budget allows; the budget has its own test.
    let app =
        spawn_app_with(|config| config.gateway.rate_limits.registration_per_minute = 100).await;
    app.app_with("acme", json!({})).await; // the tenant and ada
    let endpoint = app.url("/t/acme/oauth2/register");

    // Closed by default: refused, and not advertised.
    let (status, body) = call(&app, Method::POST, &endpoint, None, Some(public_app())).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("access_denied"))
    );
    assert!(
        metadata(&app, "acme")
            .await
            .get("registration_endpoint")
            .is_none()
    );

    set_registration(&app, "acme", json!({"mode": "open"})).await;
    assert_eq!(
        metadata(&app, "acme").await["registration_endpoint"],
        endpoint
    );
    let (status, registered) = call(&app, Method::POST, &endpoint, None, Some(public_app())).await;
    assert_eq!(status, 201, "{registered}");
    // Scopes narrowed to the policy's: no write scope, no admin scope.
    assert_eq!(registered["scope"], "openid products:read");
    assert_eq!(registered["token_endpoint_auth_method"], "none");
    assert!(
        registered.get("client_secret").is_none(),
        "a public client has no secret"
    );
    assert_eq!(registered["response_types"], json!(["code"]));
    let client_id = registered["client_id"]
        .as_str()
        .expect("client_id")
        .to_owned();
    let uri = registered["registration_client_uri"]
        .as_str()
        .expect("uri")
        .to_owned();
    assert_eq!(uri, format!("{endpoint}/{client_id}"));
    let token = registered["registration_access_token"]
        .as_str()
        .expect("token")
        .to_owned();

    // The agent signs ada in and calls the API like any app.
    let agent = App {
        tenant: "acme".into(),
        client_id: client_id.clone(),
        client_secret: None,
        redirect: REDIRECT.into(),
    };
    let tokens = app.user_tokens(&agent, &["products:read"]).await;
    use oauth2::TokenResponse;
    let access = tokens.access_token().secret();
    assert_eq!(
        app.get("/t/acme/api/v1/products", access).await.status(),
        200
    );

    // The tenant admin sees it among the tenant's clients.
    let operator = app.operator_token().await;
    let listed = app
        .get(&format!("/t/acme/admin/v1/clients/{client_id}"), &operator)
        .await;
    assert_eq!(listed.status(), 200);

    // What the policy does not allow is refused, and nothing is registered.
    let refusals = [
        (
            json!({"grant_types": ["client_credentials"]}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": ["http://evil.example/cb"]}),
            "invalid_redirect_uri",
        ),
        (
            json!({"redirect_uris": "not a list"}),
            "invalid_client_metadata",
        ),
        (
            json!({"response_types": ["token"]}),
            "invalid_client_metadata",
        ),
        (json!({"scope": "tenant:admin"}), "invalid_client_metadata"),
        (
            json!({"token_endpoint_auth_method": "tls_client_auth"}),
            "invalid_client_metadata",
        ),
    ];
    for (change, error) in refusals {
        let mut body = public_app();
        body.as_object_mut()
            .expect("object")
            .extend(change.as_object().expect("object").clone());
        let (status, answer) = call(&app, Method::POST, &endpoint, None, Some(body)).await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (400, Some(error)),
            "{change}: {answer}"
        );
    }
    let clients: Value = app
        .get("/t/acme/admin/v1/clients", &operator)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        clients["items"].as_array().expect("items").len(),
        2,
        "ada's app and the agent"
    );

    // RFC 7592: read (a new token each time, the old one spent), change, delete.
    let (status, read) = call(&app, Method::GET, &uri, Some(&token), None).await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(read["client_id"], client_id.as_str());
    assert!(read.get("client_secret").is_none());
    let token2 = read["registration_access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    assert_ne!(token2, token);
    let (status, _) = call(&app, Method::GET, &uri, Some(&token), None).await;
    assert_eq!(status, 401, "the rotated token no longer works");
    let mut renamed = public_app();
    renamed["client_name"] = json!("Agent v2");
    renamed["client_id"] = json!(client_id);
    let (status, changed) = call(
        &app,
        Method::PUT,
        &uri,
        Some(&token2),
        Some(renamed.clone()),
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["client_name"], "Agent v2");
    let token3 = changed["registration_access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    renamed["token_endpoint_auth_method"] = json!("client_secret_basic");
    let (status, answer) = call(&app, Method::PUT, &uri, Some(&token3), Some(renamed)).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (400, Some("invalid_client_metadata"))
    );
    // Another client's URI with this token is refused like a client that does not exist.
    let other = format!("{endpoint}/{}", "0".repeat(32));
    let (status, answer) = call(&app, Method::GET, &other, Some(&token3), None).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (401, Some("invalid_token"))
    );
    let (status, _) = call(&app, Method::DELETE, &uri, Some(&token3), None).await;
    assert_eq!(status, 204);
    let (status, _) = call(&app, Method::GET, &uri, Some(&token3), None).await;
    assert_eq!(status, 401);
    assert_eq!(
        app.get(&format!("/t/acme/admin/v1/clients/{client_id}"), &operator)
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn with_an_initial_access_token_only_its_holder_registers_and_only_as_often_as_it_allows() {
    let app = spawn_app().await;
    app.create_tenant("acme").await;
    set_registration(
        &app,
        "acme",
        json!({
            "mode": "initial_access_token",
            "allowed_grant_types": ["client_credentials"],
            "allowed_scopes": ["products:read", "products:write"],
        }),
    )
    .await;
    let endpoint = app.url("/t/acme/oauth2/register");
    let service = json!({"client_name": "Sync", "grant_types": ["client_credentials"]});

    let (status, answer) = call(&app, Method::POST, &endpoint, None, Some(service.clone())).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (401, Some("invalid_token"))
    );
    let (status, _) = call(
        &app,
        Method::POST,
        &endpoint,
        Some("ghi_made_up"),
        Some(service.clone()),
    )
    .await;
    assert_eq!(status, 401);

    let operator = app.operator_token().await;
    let made = app
        .post(
            "/t/acme/admin/v1/registration-tokens",
            &operator,
            json!({"max_uses": 1, "expires_in": 3600}),
        )
        .await;
    assert_eq!(made.status(), 201);
    let made: Value = made.json().await.expect("json");
    let initial = made["token"].as_str().expect("token").to_owned();
    assert_eq!(made["remaining_uses"], 1);

    let (status, registered) = call(
        &app,
        Method::POST,
        &endpoint,
        Some(&initial),
        Some(service.clone()),
    )
    .await;
    assert_eq!(status, 201, "{registered}");
    assert_eq!(registered["scope"], "products:read products:write");
    let secret = registered["client_secret"]
        .as_str()
        .expect("a confidential client's secret");
    assert_eq!(registered["client_secret_expires_at"], 0);
    let client = crate::helpers::Registered {
        tenant: "acme".into(),
        client_id: registered["client_id"].as_str().expect("id").into(),
        client_secret: secret.into(),
    };
    let token = app.token(&client, &["products:write"]).await;
    assert_eq!(
        app.get("/t/acme/api/v1/products", &token).await.status(),
        403,
        "write only"
    );

    // Used up.
    let (status, _) = call(
        &app,
        Method::POST,
        &endpoint,
        Some(&initial),
        Some(service.clone()),
    )
    .await;
    assert_eq!(status, 401, "the token allowed one registration");
    let listed: Value = app
        .get("/t/acme/admin/v1/registration-tokens", &operator)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(listed["items"][0]["remaining_uses"], 0);
    assert!(
        listed["items"][0].get("token").is_none(),
        "the token is shown once"
    );

    // Withdrawn.
    let unlimited: Value = app
        .post("/t/acme/admin/v1/registration-tokens", &operator, json!({}))
        .await
        .json()
        .await
        .expect("json");
    let id = unlimited["id"].as_str().expect("id");
    let path = format!("/t/acme/admin/v1/registration-tokens/{id}");
    assert_eq!(
        app.send(Method::DELETE, &path, Some(&operator), None)
            .await
            .status(),
        204
    );
    let withdrawn = unlimited["token"].as_str().expect("token");
    let (status, _) = call(
        &app,
        Method::POST,
        &endpoint,
        Some(withdrawn),
        Some(service.clone()),
    )
    .await;
    assert_eq!(status, 401);

    // Bad requests for tokens, and a policy no server could serve.
    for body in [json!({"expires_in": 10}), json!({"max_uses": 0})] {
        let response = app
            .post(
                "/t/acme/admin/v1/registration-tokens",
                &operator,
                body.clone(),
            )
            .await;
        assert_eq!(response.status(), 400, "{body}");
    }
    for registration in [
        json!({"allowed_scopes": ["tenant:admin"]}),
        json!({"allowed_grant_types": ["password"]}),
    ] {
        let response = app
            .send(
                Method::PUT,
                "/t/acme/admin/v1/oauth-policy",
                Some(&operator),
                Some(json!({ "registration": registration })),
            )
            .await;
        assert!(
            [400, 422].contains(&response.status().as_u16()),
            "{registration}: {}",
            response.status()
        );
    }
}

#[tokio::test]
async fn each_address_has_a_registration_budget() {
    let app = spawn_app_with(|config| config.gateway.rate_limits.registration_per_minute = 2).await;
    app.create_tenant("acme").await;
    set_registration(&app, "acme", json!({"mode": "open"})).await;
    let endpoint = app.url("/t/acme/oauth2/register");
    for _ in 0..2 {
        let (status, _) = call(&app, Method::POST, &endpoint, None, Some(public_app())).await;
        assert_eq!(status, 201);
    }
    let response = app
        .http
        .post(&endpoint)
        .json(&public_app())
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
}
