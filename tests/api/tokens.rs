use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation};
use oauth2::AuthType;
use serde_json::{Value, json};

use crate::helpers::{Registered, TokenError, claims_of, spawn_app};

fn oauth_error(err: TokenError) -> String {
    match err {
        oauth2::RequestTokenError::ServerResponse(response) => response.error().to_string(),
        other => panic!("expected an RFC 6749 error response, got {other:?}"),
    }
}

#[tokio::test]
async fn client_credentials_issue_an_rfc_9068_access_token_that_verifies_against_the_jwks() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let client = app
        .register_client("acme", "products:read products:write")
        .await;
    let token = app.token(&client, &["products:read"]).await;

    let header = jsonwebtoken::decode_header(&token).expect("header");
    assert_eq!(header.typ.as_deref(), Some("at+jwt"));
    assert_eq!(header.alg, jsonwebtoken::Algorithm::ES256);
    let jwks: JwkSet = app
        .http
        .get(app.url("/t/acme/jwks.json"))
        .send()
        .await
        .expect("jwks")
        .json()
        .await
        .expect("json");
    let jwk = jwks
        .find(header.kid.as_deref().expect("kid"))
        .expect("the kid is published");
    let issuer = format!("{}/t/acme", app.base);
    let mut validation = Validation::new(jsonwebtoken::Algorithm::ES256);
    validation.set_issuer(&[&issuer]);
    validation.set_audience(&[&app.base]);
    let claims = jsonwebtoken::decode::<Value>(
        &token,
        &DecodingKey::from_jwk(jwk).expect("key"),
        &validation,
    )
    .expect("the token verifies")
    .claims;
    assert_eq!(claims["iss"], issuer);
    assert_eq!(claims["sub"], client.client_id.as_str());
    assert_eq!(claims["client_id"], client.client_id.as_str());
    assert_eq!(claims["scope"], "products:read");
    assert_eq!(claims["tid"], tenant["id"]);
    assert!(claims["jti"].as_str().is_some_and(|j| j.len() >= 16));
    let lifetime = claims["exp"].as_i64().expect("exp") - claims["iat"].as_i64().expect("iat");
    assert_eq!(lifetime, 900);
}

#[tokio::test]
async fn the_token_response_is_not_cachable_and_names_the_granted_scope() {
    let app = spawn_app().await;
    app.create_tenant("acme").await;
    let client = app.register_client("acme", "products:read").await;
    let response = app
        .http
        .post(app.url("/t/acme/oauth2/token"))
        .basic_auth(&client.client_id, Some(&client.client_secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(
        body["scope"], "products:read",
        "all allowed scopes when none requested"
    );
    assert_eq!(body["expires_in"], 900);
}

#[tokio::test]
async fn client_secret_post_works_for_clients_registered_for_it_only() {
    let app = spawn_app().await;
    app.create_tenant("acme").await;
    let post_client = app
        .register_client_with(
            "acme",
            json!({"client_name": "poster", "scope": "products:read", "token_endpoint_auth_method": "client_secret_post"}),
        )
        .await;
    let token = app
        .try_token(&post_client, &["products:read"], AuthType::RequestBody)
        .await
        .expect("client_secret_post");
    assert_eq!(
        app.get("/t/acme/api/v1/products", &token).await.status(),
        200
    );
    let err = app
        .try_token(&post_client, &[], AuthType::BasicAuth)
        .await
        .expect_err("registered for client_secret_post");
    assert_eq!(oauth_error(err), "invalid_client");

    let basic_client = app.register_client("acme", "products:read").await;
    let err = app
        .try_token(&basic_client, &[], AuthType::RequestBody)
        .await
        .expect_err("registered for client_secret_basic");
    assert_eq!(oauth_error(err), "invalid_client");
}

#[tokio::test]
async fn a_wrong_secret_or_unknown_client_is_invalid_client_with_a_401() {
    let app = spawn_app().await;
    app.create_tenant("acme").await;
    let client = app.register_client("acme", "products:read").await;
    let wrong = Registered {
        client_secret: "wrong".into(),
        ..client.clone()
    };
    assert_eq!(
        oauth_error(
            app.try_token(&wrong, &[], AuthType::BasicAuth)
                .await
                .expect_err("wrong")
        ),
        "invalid_client"
    );
    let unknown = Registered {
        client_id: "nobody".into(),
        ..client.clone()
    };
    assert_eq!(
        oauth_error(
            app.try_token(&unknown, &[], AuthType::BasicAuth)
                .await
                .expect_err("unknown")
        ),
        "invalid_client"
    );

    let response = app
        .http
        .post(app.url("/t/acme/oauth2/token"))
        .basic_auth(&client.client_id, Some("wrong"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 401);
    assert!(
        response.headers()["www-authenticate"]
            .to_str()
            .expect("ascii")
            .starts_with("Basic")
    );
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"], "invalid_client");
}

#[tokio::test]
async fn scopes_are_down_selected_to_what_the_client_may_have() {
    let app = spawn_app().await;
    app.create_tenant("acme").await;
    let client = app.register_client("acme", "products:read").await;
    let token = app
        .token(&client, &["products:read", "products:write"])
        .await;
    assert_eq!(claims_of(&token)["scope"], "products:read");

    let err = app
        .try_token(&client, &["products:write"], AuthType::BasicAuth)
        .await
        .expect_err("none allowed");
    assert_eq!(oauth_error(err), "invalid_scope");
}

#[tokio::test]
async fn malformed_token_requests_get_rfc_6749_errors() {
    let app = spawn_app().await;
    app.create_tenant("acme").await;
    let client = app.register_client("acme", "products:read").await;
    let post = |form: Vec<(&'static str, &'static str)>| {
        app.http
            .post(app.url("/t/acme/oauth2/token"))
            .basic_auth(&client.client_id, Some(&client.client_secret))
            .form(&form)
            .send()
    };
    let cases = [
        (vec![("grant_type", "password")], "unsupported_grant_type"),
        (vec![("scope", "products:read")], "invalid_request"),
    ];
    for (form, expected) in cases {
        let response = post(form).await.expect("answer");
        assert_eq!(response.status(), 400);
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["error"], expected);
    }
    let json_body = app
        .http
        .post(app.url("/t/acme/oauth2/token"))
        .basic_auth(&client.client_id, Some(&client.client_secret))
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .expect("answer");
    assert_eq!(json_body.status(), 400);
    let body: Value = json_body.json().await.expect("json");
    assert_eq!(body["error"], "invalid_request");

    let unknown_tenant = app
        .http
        .post(app.url("/t/nowhere/oauth2/token"))
        .basic_auth(&client.client_id, Some(&client.client_secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("answer");
    assert_eq!(unknown_tenant.status(), 404);
    let body: Value = unknown_tenant.json().await.expect("json");
    assert_eq!(body["error"], "invalid_request");
}

#[tokio::test]
async fn both_discovery_documents_describe_the_tenant_issuer() {
    let app = spawn_app().await;
    app.create_tenant("acme").await;
    let issuer = format!("{}/t/acme", app.base);
    for path in [
        "/t/acme/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server/t/acme",
    ] {
        let doc: Value = app
            .http
            .get(app.url(path))
            .send()
            .await
            .expect("answer")
            .json()
            .await
            .expect("json");
        assert_eq!(doc["issuer"], issuer, "{path}");
        assert_eq!(doc["token_endpoint"], format!("{issuer}/oauth2/token"));
        assert_eq!(doc["jwks_uri"], format!("{issuer}/jwks.json"));
        assert_eq!(
            doc["authorization_endpoint"],
            format!("{issuer}/oauth2/authorize")
        );
        assert_eq!(
            doc["grant_types_supported"],
            json!([
                "authorization_code",
                "refresh_token",
                "client_credentials",
                "urn:ietf:params:oauth:grant-type:device_code",
                "urn:ietf:params:oauth:grant-type:token-exchange"
            ])
        );
        assert_eq!(
            doc["token_endpoint_auth_methods_supported"],
            json!([
                "client_secret_basic",
                "client_secret_post",
                "private_key_jwt",
                "none"
            ])
        );
        assert_eq!(doc["response_types_supported"], json!(["code"]));
        assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));
        assert_eq!(
            doc["userinfo_endpoint"],
            format!("{issuer}/oauth2/userinfo")
        );
        assert_eq!(
            doc["revocation_endpoint"],
            format!("{issuer}/oauth2/revoke")
        );
        assert_eq!(
            doc["introspection_endpoint"],
            format!("{issuer}/oauth2/introspect")
        );
        assert_eq!(
            doc["id_token_signing_alg_values_supported"],
            json!(["ES256", "RS256"]),
            "RS256, as OpenID Connect requires, besides the tenant's own"
        );
    }
    let missing = app
        .http
        .get(app.url("/t/nowhere/.well-known/openid-configuration"))
        .send()
        .await
        .expect("answer");
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn an_rs256_tenant_signs_with_rsa_and_its_tokens_work() {
    let app = spawn_app().await;
    let operator = app.operator_token().await;
    let created = app
        .post(
            "/admin/v1/tenants",
            &operator,
            json!({"slug": "legacy", "display_name": "Legacy", "signing_alg": "RS256"}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let client = app.register_client("legacy", "products:read").await;
    let token = app.token(&client, &[]).await;
    assert_eq!(
        jsonwebtoken::decode_header(&token).expect("header").alg,
        jsonwebtoken::Algorithm::RS256
    );
    let jwks: Value = app
        .http
        .get(app.url("/t/legacy/jwks.json"))
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("json");
    assert_eq!(jwks["keys"][0]["kty"], "RSA");
    assert!(
        jwks["keys"][0].get("d").is_none(),
        "no private parts are published"
    );
    assert_eq!(
        app.get("/t/legacy/api/v1/products", &token).await.status(),
        200
    );
}
