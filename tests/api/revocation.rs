//! Introspection (RFC 7662) and revocation (RFC 7009) through the oauth2 crate, and the
//! gateway refusing revoked access tokens before they expire.

use oauth2::basic::BasicClient;
use oauth2::{
    AccessToken, AuthorizationCode, ClientId, ClientSecret, IntrospectionUrl, RevocationUrl,
    StandardRevocableToken, TokenIntrospectionResponse, TokenResponse,
};
use serde_json::{Value, json};

use crate::helpers::{App, Browser, TestApp, error_code, oauth_http, spawn_app, www_authenticate};

fn introspector(
    app: &TestApp,
    client: &App,
) -> oauth2::Client<
    oauth2::basic::BasicErrorResponse,
    oauth2::basic::BasicTokenResponse,
    oauth2::basic::BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    oauth2::basic::BasicRevocationErrorResponse,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointSet,
    oauth2::EndpointSet,
    oauth2::EndpointNotSet,
> {
    let issuer = app.url(&format!("/t/{}", client.tenant));
    let mut oauth = BasicClient::new(ClientId::new(client.client_id.clone()))
        .set_introspection_url(
            IntrospectionUrl::new(format!("{issuer}/oauth2/introspect")).expect("url"),
        )
        .set_revocation_url(RevocationUrl::new(format!("{issuer}/oauth2/revoke")).expect("url"));
    if let Some(secret) = &client.client_secret {
        oauth = oauth.set_client_secret(ClientSecret::new(secret.clone()));
    }
    oauth
}

/// RFC 7009 revocation, form-posted: the oauth2 crate sends revocations over https only, and
/// the test platform speaks http.
async fn revoke(app: &TestApp, client: &App, token: &str) {
    let response = app
        .http
        .post(app.url(&format!("/t/{}/oauth2/revoke", client.tenant)))
        .basic_auth(&client.client_id, client.client_secret.as_deref())
        .form(&[("token", token)])
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 200, "RFC 7009 answers 200");
}

/// A user's tokens from the code flow: (access, refresh).
async fn user_tokens(app: &TestApp, third_party: &App) -> (String, oauth2::RefreshToken) {
    let tokens = app
        .user_tokens(third_party, &["products:read", "offline_access"])
        .await;
    (
        tokens.access_token().secret().clone(),
        tokens.refresh_token().expect("refresh").clone(),
    )
}

#[tokio::test]
async fn introspection_describes_active_tokens_of_its_own_tenant_only() {
    let app = spawn_app().await;
    let third_party = app.app_with("acme", json!({})).await;
    let (access, refresh) = user_tokens(&app, &third_party).await;
    let oauth = introspector(&app, &third_party);

    let about = oauth
        .introspect(&AccessToken::new(access.clone()))
        .request_async(&oauth_http)
        .await
        .expect("introspect");
    assert!(about.active());
    assert_eq!(
        about.client_id().map(|c| c.as_str()),
        Some(third_party.client_id.as_str())
    );
    assert_eq!(about.username(), Some("ada"));
    assert_eq!(about.scopes().map(|s| s.len()), Some(2));
    assert!(about.exp().is_some() && about.sub().is_some());

    let raw: Value = app
        .http
        .post(app.url("/t/acme/oauth2/introspect"))
        .basic_auth(&third_party.client_id, third_party.client_secret.as_deref())
        .form(&[("token", refresh.secret().as_str())])
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("json");
    assert_eq!(raw["active"], true);
    assert_eq!(raw["token_type"], "refresh_token");

    for token in ["garbage", &format!("{access}x")] {
        let about = oauth
            .introspect(&AccessToken::new(token.to_owned()))
            .request_async(&oauth_http)
            .await
            .expect("introspect");
        assert!(!about.active(), "{token}");
    }

    let globex_app = app.app_with("globex", json!({})).await;
    let from_globex = introspector(&app, &globex_app)
        .introspect(&AccessToken::new(access))
        .request_async(&oauth_http)
        .await
        .expect("introspect");
    assert!(
        !from_globex.active(),
        "another tenant's token is not active here"
    );
}

#[tokio::test]
async fn a_revoked_access_token_is_refused_by_the_gateway_before_it_expires() {
    let app = spawn_app().await;
    let third_party = app.app_with("acme", json!({})).await;
    let (access, _) = user_tokens(&app, &third_party).await;
    assert_eq!(
        app.get("/t/acme/api/v1/products", &access).await.status(),
        200
    );

    revoke(&app, &third_party, &access).await;
    let refused = app.get("/t/acme/api/v1/products", &access).await;
    assert_eq!(refused.status(), 401);
    assert!(www_authenticate(&refused).contains("revoked"));
    let about = introspector(&app, &third_party)
        .introspect(&AccessToken::new(access))
        .request_async(&oauth_http)
        .await
        .expect("introspect");
    assert!(!about.active());
}

#[tokio::test]
async fn revoking_a_refresh_token_ends_the_authorization() {
    let app = spawn_app().await;
    let third_party = app.app_with("acme", json!({})).await;
    let (access, refresh) = user_tokens(&app, &third_party).await;
    revoke(&app, &third_party, refresh.secret()).await;
    let again = app
        .oauth_client(&third_party)
        .exchange_refresh_token(&refresh)
        .request_async(&oauth_http)
        .await
        .expect_err("revoked");
    assert_eq!(error_code(again), "invalid_grant");
    assert_eq!(
        app.get("/t/acme/api/v1/products", &access).await.status(),
        401,
        "its access tokens go too"
    );
}

#[tokio::test]
async fn a_replayed_code_also_revokes_the_access_token_it_gave() {
    let app = spawn_app().await;
    let third_party = app.app_with("acme", json!({})).await;
    let (code, verifier) = app
        .authorize(&third_party, &Browser::new(), &["products:read"])
        .await;
    let copy = oauth2::PkceCodeVerifier::new(verifier.secret().clone());
    let client = app.oauth_client(&third_party);
    let first = client
        .exchange_code(AuthorizationCode::new(code.clone()))
        .set_pkce_verifier(verifier)
        .request_async(&oauth_http)
        .await
        .expect("first");
    let access = first.access_token().secret().clone();
    assert_eq!(
        app.get("/t/acme/api/v1/products", &access).await.status(),
        200
    );
    client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(copy)
        .request_async(&oauth_http)
        .await
        .expect_err("replay");
    assert_eq!(
        app.get("/t/acme/api/v1/products", &access).await.status(),
        401
    );
}

#[tokio::test]
async fn a_machine_token_can_be_revoked_by_its_client_only() {
    let app = spawn_app().await;
    app.create_tenant("acme").await;
    let machine = app.register_client("acme", "products:read").await;
    let other = app.register_client("acme", "products:read").await;
    let token = app.token(&machine, &[]).await;
    let as_app = |c: &crate::helpers::Registered| App {
        tenant: c.tenant.clone(),
        client_id: c.client_id.clone(),
        client_secret: Some(c.client_secret.clone()),
        redirect: String::new(),
    };
    // Another client's revocation is accepted (RFC 7009 answers 200) but changes nothing.
    revoke(&app, &as_app(&other), &token).await;
    assert_eq!(
        app.get("/t/acme/api/v1/products", &token).await.status(),
        200
    );
    revoke(&app, &as_app(&machine), &token).await;
    assert_eq!(
        app.get("/t/acme/api/v1/products", &token).await.status(),
        401
    );
}

#[tokio::test]
async fn public_clients_may_not_introspect_and_unauthenticated_calls_are_refused() {
    let app = spawn_app().await;
    let public = app
        .app_with("acme", json!({"token_endpoint_auth_method": "none"}))
        .await;
    let response = app
        .http
        .post(app.url("/t/acme/oauth2/introspect"))
        .form(&[("token", "x"), ("client_id", public.client_id.as_str())])
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"], "unauthorized_client");
    let anonymous = app
        .http
        .post(app.url("/t/acme/oauth2/introspect"))
        .form(&[("token", "x")])
        .send()
        .await
        .expect("answer");
    assert_eq!(anonymous.status(), 401);
}

/// Whether `api` (a resource server of acme) is told by `app`'s auth server that `token` is
/// active.
pub(crate) async fn active_for(
    app: &TestApp,
    api: &crate::helpers::Registered,
    token: &str,
) -> bool {
    let answer: Value = app
        .http
        .post(app.url("/t/acme/oauth2/introspect"))
        .basic_auth(&api.client_id, Some(&api.client_secret))
        .form(&[("token", token)])
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("json");
    answer["active"] == true
}

#[tokio::test]
async fn introspection_ends_the_tokens_of_a_deleted_client_and_of_a_disabled_user_at_once() {
    let app = spawn_app().await;
    let operator = app.operator_token().await;
    let third_party = app.app_with("acme", json!({})).await;
    let (user_access, _) = user_tokens(&app, &third_party).await;
    let machine = app.register_client("acme", "products:read").await;
    let machine_access = app.token(&machine, &["products:read"]).await;
    let api = app
        .register_client_with(
            "acme",
            json!({"client_name": "Reporting API", "resource_server": true}),
        )
        .await;
    // Asked twice: the second answer comes from the auth server's memory of live tokens.
    for _ in 0..2 {
        assert!(active_for(&app, &api, &user_access).await);
        assert!(active_for(&app, &api, &machine_access).await);
    }

    let deleted = app
        .send(
            reqwest::Method::DELETE,
            &format!("/t/acme/admin/v1/clients/{}", machine.client_id),
            Some(&operator),
            None,
        )
        .await;
    assert_eq!(deleted.status(), 204);
    assert!(
        !active_for(&app, &api, &machine_access).await,
        "a deleted client's token is inactive"
    );
    assert!(active_for(&app, &api, &user_access).await, "others stay");

    let users: Value = app
        .get("/t/acme/admin/v1/users", &operator)
        .await
        .json()
        .await
        .expect("json");
    let ada = users["items"][0]["id"].as_str().expect("id").to_owned();
    let disabled = app
        .send(
            reqwest::Method::PATCH,
            &format!("/t/acme/admin/v1/users/{ada}"),
            Some(&operator),
            Some(json!({"disabled": true})),
        )
        .await;
    assert_eq!(disabled.status(), 200);
    assert!(
        !active_for(&app, &api, &user_access).await,
        "a disabled user's token is inactive"
    );
}
