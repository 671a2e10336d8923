//! Resource indicators (RFC 8707): a client names the API it wants a token for, the token's
//! `aud` is that API, and the gateway takes it there and nowhere else.

use oauth2::basic::BasicClient;
use oauth2::{ClientId, ClientSecret, RefreshToken, TokenResponse, TokenUrl};
use serde_json::{Value, json};

use crate::helpers::{
    App, Browser, Registered, TestApp, claims_of, error_code, oauth_http, query, spawn_app,
    www_authenticate,
};

/// A client_credentials token of `client` for `resource` (none: the platform's audience).
async fn token_for(
    app: &TestApp,
    client: &Registered,
    resource: Option<&str>,
) -> Result<String, crate::helpers::TokenError> {
    let token_url = app.url(&format!("/t/{}/oauth2/token", client.tenant));
    let oauth = BasicClient::new(ClientId::new(client.client_id.clone()))
        .set_client_secret(ClientSecret::new(client.client_secret.clone()))
        .set_token_uri(TokenUrl::new(token_url).expect("url"));
    let mut request = oauth.exchange_client_credentials();
    if let Some(resource) = resource {
        request = request.add_extra_param("resource", resource);
    }
    let response = request.request_async(&oauth_http).await?;
    Ok(response.access_token().secret().clone())
}

#[tokio::test]
async fn a_token_for_one_resource_opens_that_resource_and_no_other() {
    let app = spawn_app().await;
    app.create_tenant("acme").await;
    app.create_tenant("globex").await;
    let client = app
        .register_client("acme", "products:read tenant:admin")
        .await;
    let api = app.url("/t/acme/api/v1");
    let admin = app.url("/t/acme/admin/v1");

    let api_token = token_for(&app, &client, Some(&api)).await.expect("token");
    assert_eq!(claims_of(&api_token)["aud"], api.as_str());
    assert_eq!(
        app.get("/t/acme/api/v1/products", &api_token)
            .await
            .status(),
        200
    );
    let refused = app.get("/t/acme/admin/v1/clients", &api_token).await;
    assert_eq!(refused.status(), 401);
    let challenge = www_authenticate(&refused);
    assert!(
        challenge.contains("invalid_token") && challenge.contains("another resource"),
        "{challenge}"
    );

    let admin_token = token_for(&app, &client, Some(&admin)).await.expect("token");
    assert_eq!(claims_of(&admin_token)["aud"], admin.as_str());
    assert_eq!(
        app.get("/t/acme/admin/v1/clients", &admin_token)
            .await
            .status(),
        200
    );
    assert_eq!(
        app.get("/t/acme/api/v1/products", &admin_token)
            .await
            .status(),
        401
    );

    // Without a resource, the token is the platform's, good on every resource of the tenant.
    let platform_token = token_for(&app, &client, None).await.expect("token");
    assert_eq!(claims_of(&platform_token)["aud"], app.url(""));
    for path in ["/t/acme/api/v1/products", "/t/acme/admin/v1/clients"] {
        assert_eq!(app.get(path, &platform_token).await.status(), 200, "{path}");
    }

    // Introspection tells a resource server whom the token is for.
    let introspected: Value = app
        .http
        .post(app.url("/t/acme/oauth2/introspect"))
        .basic_auth(&client.client_id, Some(&client.client_secret))
        .form(&[("token", api_token.as_str())])
        .send()
        .await
        .expect("introspect")
        .json()
        .await
        .expect("json");
    assert_eq!(introspected["active"], true, "{introspected}");
    assert_eq!(introspected["aud"], api.as_str());

    // A resource the tenant does not have is refused with invalid_target (RFC 8707 §2).
    for unknown in [
        "https://api.example.com/".to_owned(),
        app.url("/t/globex/api/v1"),
        app.url("/t/acme/api/v1/products"),
        app.url("/admin/v1"),
        "not a url".to_owned(),
    ] {
        let err = token_for(&app, &client, Some(&unknown))
            .await
            .expect_err("an unknown resource");
        assert_eq!(error_code(err), "invalid_target", "{unknown}");
    }
}

/// A code from ada's authorization of `app` for both `resources`.
async fn code_for_both(
    app: &TestApp,
    third_party: &App,
    resources: [&str; 2],
) -> (String, oauth2::PkceCodeVerifier) {
    let extra = resources.map(|r| ("resource", r));
    app.authorize_with(third_party, &Browser::new(), &["products:read"], &extra)
        .await
}

#[tokio::test]
async fn the_resources_an_authorization_names_bind_its_code_and_refresh_tokens() {
    let app = spawn_app().await;
    let third_party = app
        .app_with("acme", json!({"scope": "offline_access products:read"}))
        .await;
    let api = app.url("/t/acme/api/v1");
    let admin = app.url("/t/acme/admin/v1");

    // One resource: the code's tokens are for it, whether the token request names it or not.
    let (code, verifier) = app
        .authorize_with(
            &third_party,
            &Browser::new(),
            &["products:read", "offline_access"],
            &[("resource", &api)],
        )
        .await;
    let tokens = app.exchange(&third_party, code, verifier).await;
    assert_eq!(
        claims_of(tokens.access_token().secret())["aud"],
        api.as_str()
    );
    let refresh = tokens.refresh_token().expect("a refresh token").clone();
    let err = app
        .oauth_client(&third_party)
        .exchange_refresh_token(&refresh)
        .add_extra_param("resource", &admin)
        .request_async(&oauth_http)
        .await
        .expect_err("a resource the user did not authorize");
    assert_eq!(error_code(err), "invalid_target");
    let refreshed = app
        .oauth_client(&third_party)
        .exchange_refresh_token(&refresh)
        .request_async(&oauth_http)
        .await
        .expect("refresh");
    assert_eq!(
        claims_of(refreshed.access_token().secret())["aud"],
        api.as_str()
    );
    let successor: &RefreshToken = refreshed.refresh_token().expect("rotated");
    let again = app
        .oauth_client(&third_party)
        .exchange_refresh_token(successor)
        .add_extra_param("resource", &api)
        .request_async(&oauth_http)
        .await
        .expect("refresh naming the resource");
    assert_eq!(
        claims_of(again.access_token().secret())["aud"],
        api.as_str()
    );

    // Two resources: the token request must pick one of them.
    let (code, verifier) = code_for_both(&app, &third_party, [&api, &admin]).await;
    let err = app
        .oauth_client(&third_party)
        .exchange_code(oauth2::AuthorizationCode::new(code.clone()))
        .set_pkce_verifier(verifier)
        .request_async(&oauth_http)
        .await
        .expect_err("which resource?");
    assert_eq!(error_code(err), "invalid_target");
    let (code, verifier) = code_for_both(&app, &third_party, [&api, &admin]).await;
    let tokens = app
        .oauth_client(&third_party)
        .exchange_code(oauth2::AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .add_extra_param("resource", &admin)
        .request_async(&oauth_http)
        .await
        .expect("one of the two");
    assert_eq!(
        claims_of(tokens.access_token().secret())["aud"],
        admin.as_str()
    );

    // An unknown resource goes back to the app as invalid_target, before anyone signs in.
    let (url, _, _) = app.authorization_url(
        &third_party,
        &["products:read"],
        &[("resource", "https://elsewhere.example/api")],
    );
    let response = Browser::new()
        .http
        .get(url.as_str())
        .send()
        .await
        .expect("authorize");
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().expect("location");
    assert!(location.starts_with(&third_party.redirect), "{location}");
    assert_eq!(query(location)["error"], "invalid_target");
}

#[tokio::test]
async fn a_split_gateway_holds_resource_bound_tokens_to_their_resource_and_each_auth_process_applies_the_policy()
 {
    let deployment = crate::split_deployment::Deployment::start().await;
    let app = &deployment.app;
    app.create_tenant("acme").await;
    let client = app
        .register_client("acme", "products:read tenant:admin")
        .await;
    let api = app.url("/t/acme/api/v1");
    let token = token_for(app, &client, Some(&api)).await.expect("token");
    assert_eq!(
        app.get("/t/acme/api/v1/products", &token).await.status(),
        200
    );
    assert_eq!(
        app.get("/t/acme/admin/v1/clients", &token).await.status(),
        401
    );

    // A policy changed through one auth process is applied by both within the directory's
    // bound (one poll interval, one read).
    let operator = app.operator_token().await;
    let open = json!({"registration": {"mode": "open"}});
    let set = app
        .send(
            reqwest::Method::PUT,
            "/t/acme/admin/v1/oauth-policy",
            Some(&operator),
            Some(open),
        )
        .await;
    assert_eq!(set.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let agent = json!({"redirect_uris": ["https://app.example/callback"], "token_endpoint_auth_method": "none"});
    for attempt in 0..4 {
        let response = app
            .http
            .post(app.url("/t/acme/oauth2/register"))
            .json(&agent)
            .send()
            .await
            .expect("answer");
        assert_eq!(response.status(), 201, "registration {attempt}");
    }
}
