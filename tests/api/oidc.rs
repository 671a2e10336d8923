//! OpenID Connect on top of the code flow: ID tokens, UserInfo, and signing keys that rotate.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, EndpointNotSet, EndpointSet,
    ExtraTokenFields, RedirectUrl, StandardRevocableToken, StandardTokenResponse, TokenResponse,
    TokenUrl,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{App, Browser, TestApp, oauth_http, spawn_app, spawn_app_with};

/// The token response of an OpenID provider: an OAuth 2 one with an `id_token`.
#[derive(Debug, Clone, Deserialize, Serialize)]
struct IdTokenFields {
    id_token: Option<String>,
}
impl ExtraTokenFields for IdTokenFields {}

type OidcClient = oauth2::Client<
    BasicErrorResponse,
    StandardTokenResponse<IdTokenFields, BasicTokenType>,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

fn oidc_client(app: &TestApp, third_party: &App) -> OidcClient {
    let issuer = app.url(&format!("/t/{}", third_party.tenant));
    let client: OidcClient = oauth2::Client::new(ClientId::new(third_party.client_id.clone()))
        .set_auth_uri(AuthUrl::new(format!("{issuer}/oauth2/authorize")).expect("url"))
        .set_token_uri(TokenUrl::new(format!("{issuer}/oauth2/token")).expect("url"))
        .set_redirect_uri(RedirectUrl::new(third_party.redirect.clone()).expect("url"));
    match &third_party.client_secret {
        Some(secret) => client.set_client_secret(ClientSecret::new(secret.clone())),
        None => client,
    }
}

async fn jwks(app: &TestApp, tenant: &str) -> JwkSet {
    app.http
        .get(app.url(&format!("/t/{tenant}/jwks.json")))
        .send()
        .await
        .expect("jwks")
        .json()
        .await
        .expect("json")
}

/// Verifies a JWT against the tenant's published keys and returns its header's alg and claims.
async fn verify(app: &TestApp, tenant: &str, token: &str, audience: &str) -> (Algorithm, Value) {
    let header = jsonwebtoken::decode_header(token).expect("header");
    let keys = jwks(app, tenant).await;
    let jwk = keys
        .find(header.kid.as_deref().expect("kid"))
        .expect("published key");
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[app.url(&format!("/t/{tenant}"))]);
    validation.set_audience(&[audience]);
    let data = jsonwebtoken::decode::<Value>(
        token,
        &DecodingKey::from_jwk(jwk).expect("key"),
        &validation,
    )
    .expect("verifies");
    (header.alg, data.claims)
}

async fn openid_tokens(
    app: &TestApp,
    third_party: &App,
    scopes: &[&str],
    nonce: &str,
) -> StandardTokenResponse<IdTokenFields, BasicTokenType> {
    let (code, verifier) = app
        .authorize_with(third_party, &Browser::new(), scopes, &[("nonce", nonce)])
        .await;
    oidc_client(app, third_party)
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(&oauth_http)
        .await
        .expect("tokens")
}

#[tokio::test]
async fn the_openid_scope_brings_an_rs256_id_token_with_nonce_auth_time_and_at_hash() {
    let app = spawn_app().await;
    let third_party = app
        .app_with(
            "acme",
            json!({"scope": "openid profile email products:read"}),
        )
        .await;
    let tokens = openid_tokens(
        &app,
        &third_party,
        &["openid", "profile", "email"],
        "n-0S6_WzA2Mj",
    )
    .await;
    let id_token = tokens.extra_fields().id_token.clone().expect("an ID token");
    let (alg, claims) = verify(&app, "acme", &id_token, &third_party.client_id).await;
    assert_eq!(
        alg,
        Algorithm::RS256,
        "RS256 unless the client asked otherwise"
    );
    assert_eq!(
        jsonwebtoken::decode_header(&id_token)
            .expect("header")
            .typ
            .as_deref(),
        Some("JWT")
    );
    assert_eq!(claims["nonce"], "n-0S6_WzA2Mj");
    assert!(claims["auth_time"].is_i64());
    assert_eq!(claims["preferred_username"], "ada");
    assert_eq!(claims["email"], "ada@example.com");
    let digest = Sha256::digest(tokens.access_token().secret().as_bytes());
    assert_eq!(claims["at_hash"], URL_SAFE_NO_PAD.encode(&digest[..16]));
    let (_, access) = verify(&app, "acme", tokens.access_token().secret(), &app.base).await;
    assert_eq!(claims["sub"], access["sub"], "the same user");

    let userinfo: Value = app
        .http
        .get(app.url("/t/acme/oauth2/userinfo"))
        .bearer_auth(tokens.access_token().secret())
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("json");
    assert_eq!(
        userinfo,
        json!({"sub": claims["sub"], "preferred_username": "ada", "email": "ada@example.com", "email_verified": false})
    );
}

#[tokio::test]
async fn userinfo_needs_a_valid_token_with_the_openid_scope() {
    let app = spawn_app().await;
    let third_party = app.app_with("acme", json!({})).await;
    let tokens = openid_tokens(&app, &third_party, &["products:read"], "n").await;
    assert!(
        tokens.extra_fields().id_token.is_none(),
        "no openid, no ID token"
    );
    let without_openid = app
        .http
        .post(app.url("/t/acme/oauth2/userinfo"))
        .bearer_auth(tokens.access_token().secret())
        .send()
        .await
        .expect("answer");
    assert_eq!(without_openid.status(), 403);
    assert!(
        without_openid.headers()["www-authenticate"]
            .to_str()
            .expect("ascii")
            .contains("insufficient_scope")
    );
    let garbage = app
        .http
        .get(app.url("/t/acme/oauth2/userinfo"))
        .bearer_auth("garbage")
        .send()
        .await
        .expect("answer");
    assert_eq!(garbage.status(), 401);
    assert!(
        garbage.headers()["www-authenticate"]
            .to_str()
            .expect("ascii")
            .contains("invalid_token")
    );
}

#[tokio::test]
async fn a_client_may_ask_for_es256_id_tokens() {
    let app = spawn_app().await;
    let third_party = app
        .app_with("acme", json!({"id_token_signed_response_alg": "ES256"}))
        .await;
    let tokens = openid_tokens(&app, &third_party, &["openid"], "n").await;
    let id_token = tokens.extra_fields().id_token.clone().expect("an ID token");
    let (alg, _) = verify(&app, "acme", &id_token, &third_party.client_id).await;
    assert_eq!(alg, Algorithm::ES256);
}

#[tokio::test]
async fn a_rotated_key_is_published_before_it_signs_and_the_old_one_keeps_verifying() {
    let app = spawn_app().await;
    app.create_tenant("acme").await;
    let client = app.register_client("acme", "products:read").await;
    let before = app.token(&client, &[]).await;
    let old_kid = jsonwebtoken::decode_header(&before)
        .expect("header")
        .kid
        .expect("kid");
    let operator = app.operator_token().await;

    let rotated = app
        .post("/t/acme/admin/v1/keys/rotate", &operator, json!({}))
        .await;
    assert_eq!(rotated.status(), 201);
    let rotated: Value = rotated.json().await.expect("json");
    let new_kids: Vec<String> = rotated["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|k| k["kid"].as_str().expect("kid").to_owned())
        .collect();
    assert!(
        rotated["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|k| k["status"] == "pending")
    );
    let published: Vec<String> = jwks(&app, "acme")
        .await
        .keys
        .iter()
        .filter_map(|k| k.common.key_id.clone())
        .collect();
    assert!(
        new_kids.iter().all(|k| published.contains(k)),
        "published at once"
    );
    assert!(published.contains(&old_kid));

    let after = app.token(&client, &[]).await;
    assert_eq!(
        jsonwebtoken::decode_header(&after).expect("header").kid,
        Some(old_kid),
        "still signed by the old key"
    );
    assert_eq!(
        app.get("/t/acme/api/v1/products", &before).await.status(),
        200
    );
}

#[tokio::test]
async fn after_activation_the_new_key_signs_and_tokens_of_both_keys_work() {
    let app = spawn_app_with(|config| config.auth.key_publish_seconds = 0).await;
    app.create_tenant("acme").await;
    let client = app.register_client("acme", "products:read").await;
    let before = app.token(&client, &[]).await;
    // The gateway has cached the JWKS with the old key only.
    assert_eq!(
        app.get("/t/acme/api/v1/products", &before).await.status(),
        200
    );
    let operator = app.operator_token().await;
    assert_eq!(
        app.post("/t/acme/admin/v1/keys/rotate", &operator, json!({}))
            .await
            .status(),
        201
    );

    let after = app.token(&client, &[]).await;
    let old = jsonwebtoken::decode_header(&before).expect("header").kid;
    assert_ne!(
        jsonwebtoken::decode_header(&after).expect("header").kid,
        old,
        "the new key signs"
    );
    assert_eq!(
        app.get("/t/acme/api/v1/products", &after).await.status(),
        200,
        "the gateway learns the new key"
    );
    assert_eq!(
        app.get("/t/acme/api/v1/products", &before).await.status(),
        200,
        "the old key still verifies"
    );

    let keys: Value = app
        .get("/t/acme/admin/v1/keys", &operator)
        .await
        .json()
        .await
        .expect("json");
    let statuses: Vec<&str> = keys["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|k| k["status"].as_str().expect("status"))
        .collect();
    // ES256 only: the RS256 key for ID tokens is made when one is first needed.
    assert_eq!(
        statuses.iter().filter(|s| **s == "active").count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == "retiring").count(),
        1,
        "{statuses:?}"
    );
}
