//! Token exchange (RFC 8693): a service swaps a user's token for one aimed at another resource,
//! acting for the user (an `act` claim) or as the user, only as the tenant's policy allows.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Registered, TestApp, claims_of, spawn_app};

const GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN: &str = "urn:ietf:params:oauth:token-type:access_token";

async fn set_exchange_rules(app: &TestApp, rules: Value) -> u16 {
    let operator = app.operator_token().await;
    app.send(
        Method::PUT,
        "/t/acme/admin/v1/oauth-policy",
        Some(&operator),
        Some(json!({ "token_exchange": rules })),
    )
    .await
    .status()
    .as_u16()
}

/// A confidential service of acme that may use the exchange grant.
async fn service(app: &TestApp, scope: &str) -> Registered {
    app.register_client_with(
        "acme",
        json!({
            "client_name": "Orders service",
            "grant_types": ["client_credentials", GRANT],
            "scope": scope,
        }),
    )
    .await
}

async fn exchange(app: &TestApp, client: &Registered, form: &[(&str, &str)]) -> (u16, Value) {
    let mut all = vec![("grant_type", GRANT)];
    all.extend_from_slice(form);
    let response = app
        .http
        .post(app.url("/t/acme/oauth2/token"))
        .basic_auth(&client.client_id, Some(&client.client_secret))
        .form(&all)
        .send()
        .await
        .expect("answer");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON"))
}

#[tokio::test]
async fn a_service_acts_for_a_user_at_another_resource_as_far_as_the_policy_lets_it() {
    let app = spawn_app().await;
    let third_party = app
        .app_with(
            "acme",
            json!({"scope": "openid products:read products:write"}),
        )
        .await;
    use oauth2::TokenResponse;
    let user_token = app
        .user_tokens(&third_party, &["products:read", "products:write"])
        .await
        .access_token()
        .secret()
        .clone();
    let api = app.url("/t/acme/api/v1");
    let admin = app.url("/t/acme/admin/v1");
    let orders = service(&app, "products:read").await;
    let subject = [
        ("subject_token", user_token.as_str()),
        ("subject_token_type", ACCESS_TOKEN),
    ];
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut form: Vec<(&str, &str)> = subject.to_vec();
        form.extend_from_slice(extra);
        form
    };

    // No rule for the client: refused.
    let mut form = with(&[]);
    form.push(("resource", &api));
    let (status, body) = exchange(&app, &orders, &form).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unauthorized_client")),
        "{body}"
    );

    let rule = json!([{ "client_id": orders.client_id, "audiences": [api], "delegation": true }]);
    assert_eq!(set_exchange_rules(&app, rule).await, 200);
    let (status, body) = exchange(&app, &orders, &form).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["issued_token_type"], ACCESS_TOKEN);
    assert_eq!(body["token_type"], "Bearer");
    assert!(body.get("refresh_token").is_none());
    let exchanged = body["access_token"].as_str().expect("token");
    let claims = claims_of(exchanged);
    let user_claims = claims_of(&user_token);
    assert_eq!(claims["sub"], user_claims["sub"], "still the user's");
    assert_eq!(claims["aud"], api.as_str());
    assert_eq!(claims["client_id"], orders.client_id.as_str());
    assert_eq!(
        claims["act"],
        json!({"sub": orders.client_id}),
        "delegated to the service"
    );
    assert_eq!(claims["scope"], "products:read products:write");
    assert_eq!(
        app.get("/t/acme/api/v1/products", exchanged).await.status(),
        200
    );

    // Narrower scopes only; the policy's audiences only.
    let mut narrower = form.clone();
    narrower.push(("scope", "products:read"));
    let (status, body) = exchange(&app, &orders, &narrower).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        claims_of(body["access_token"].as_str().expect("token"))["scope"],
        "products:read"
    );
    let mut wider = form.clone();
    wider.push(("scope", "orders:write"));
    let (status, body) = exchange(&app, &orders, &wider).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_scope"))
    );
    let mut elsewhere = with(&[]);
    elsewhere.push(("audience", &admin));
    let (status, body) = exchange(&app, &orders, &elsewhere).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_target"))
    );

    // An actor token names the actor; nested when the subject was itself delegated.
    let actor = app.token(&orders, &["products:read"]).await;
    let mut delegated = with(&[("actor_token_type", ACCESS_TOKEN)]);
    delegated.push(("actor_token", &actor));
    delegated.push(("resource", &api));
    let (status, body) = exchange(&app, &orders, &delegated).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        claims_of(body["access_token"].as_str().expect("token"))["act"]["sub"],
        orders.client_id.as_str()
    );
    let mut again = vec![
        ("subject_token", exchanged),
        ("subject_token_type", ACCESS_TOKEN),
    ];
    again.push(("resource", &api));
    let (status, body) = exchange(&app, &orders, &again).await;
    assert_eq!(status, 200, "{body}");
    let chained = claims_of(body["access_token"].as_str().expect("token"));
    assert_eq!(
        chained["act"],
        json!({"sub": orders.client_id, "act": {"sub": orders.client_id}})
    );

    // Impersonation only where allowed: no act claim.
    let rule =
        json!([{ "client_id": orders.client_id, "audiences": [api], "impersonation": true }]);
    assert_eq!(set_exchange_rules(&app, rule).await, 200);
    let (status, body) = exchange(&app, &orders, &form).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        claims_of(body["access_token"].as_str().expect("token"))
            .get("act")
            .is_none()
    );
    let (status, body) = exchange(&app, &orders, &delegated).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unauthorized_client")),
        "no delegation"
    );

    // Bad subject tokens, types, and a revoked subject.
    for (token, kind, error) in [
        ("not-a-token", ACCESS_TOKEN, "invalid_grant"),
        (actor.as_str(), ACCESS_TOKEN, "invalid_grant"),
        (
            user_token.as_str(),
            "urn:ietf:params:oauth:token-type:id_token",
            "invalid_request",
        ),
    ] {
        let form = [
            ("subject_token", token),
            ("subject_token_type", kind),
            ("resource", &api),
        ];
        let (status, body) = exchange(&app, &orders, &form).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some(error)),
            "{token}: {body}"
        );
    }
    let (status, body) = exchange(&app, &orders, &[("resource", &api)]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );
    app.revoke(
        &Registered {
            tenant: "acme".into(),
            client_id: third_party.client_id.clone(),
            client_secret: third_party.client_secret.clone().expect("secret"),
        },
        &user_token,
    )
    .await;
    let (status, body) = exchange(&app, &orders, &form).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "revoked"
    );
}

#[tokio::test]
async fn a_policy_rule_must_allow_something_and_aim_at_the_tenants_resources() {
    let app = spawn_app().await;
    app.create_tenant("acme").await;
    app.create_tenant("globex").await;
    for rule in [
        json!([{ "client_id": "x", "audiences": [app.url("/t/acme/api/v1")] }]),
        json!([{ "client_id": "x", "audiences": [app.url("/t/globex/api/v1")], "delegation": true }]),
        json!([{ "client_id": "x", "audiences": ["https://elsewhere.example"], "delegation": true }]),
    ] {
        let status = set_exchange_rules(&app, rule.clone()).await;
        assert!([400, 422].contains(&status), "{rule}: {status}");
    }
}
