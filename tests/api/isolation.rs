//! Tenant boundaries and forged tokens, tested from the outside.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::Method;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::helpers::{TestApp, claims_of, spawn_app, www_authenticate};

/// Signs `claims` with the tenant's real (ES256) signing key, as only the auth server should.
async fn sign_with_tenant_key(app: &TestApp, tenant: &str, claims: &Value) -> String {
    sign_as(app, tenant, claims, "at+jwt").await
}

async fn sign_as(app: &TestApp, tenant: &str, claims: &Value, typ: &str) -> String {
    let db = app.db().await;
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!(
                "SELECT kid, private_pem FROM auth_signing_keys WHERE alg = 'ES256' AND \
                 tenant_id = (SELECT id FROM auth_tenants WHERE slug = '{tenant}')"
            ),
        ))
        .await
        .expect("query")
        .expect("the tenant has a key");
    let kid: String = row.try_get("", "kid").expect("kid");
    let sealed: String = row.try_get("", "private_pem").expect("pem");
    // Stored sealed under the test platforms' key-encryption key.
    let pem = gatehouse_auth::Sealer::new(crate::helpers::KEY_ENCRYPTION_KEY, &[])
        .open(&sealed, &kid)
        .expect("the key opens");
    let mut header = Header::new(Algorithm::ES256);
    header.typ = Some(typ.into());
    header.kid = Some(kid);
    let key = EncodingKey::from_ec_pem(pem.as_bytes()).expect("key");
    jsonwebtoken::encode(&header, claims, &key).expect("sign")
}

async fn product_status(app: &TestApp, tenant: &str, token: &str) -> u16 {
    app.get(&format!("/t/{tenant}/api/v1/products"), token)
        .await
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_token_of_one_tenant_is_refused_at_another() {
    let app = spawn_app().await;
    let acme = app.tenant_with_product_token("acme").await;
    let globex = app.tenant_with_product_token("globex").await;

    let location = app.create_product(&acme, "Secret plan").await;
    let id = location.rsplit('/').next().expect("id");

    let refused = app.get("/t/globex/api/v1/products", &acme).await;
    assert_eq!(refused.status(), 401);
    assert!(www_authenticate(&refused).contains(r#"error="invalid_token""#));

    // Globex's own token cannot reach Acme's product by its id, nor see it in lists.
    let other = app
        .get(&format!("/t/globex/api/v1/products/{id}"), &globex)
        .await;
    assert_eq!(other.status(), 404);
    let delete = app
        .send(
            Method::DELETE,
            &format!("/t/globex/api/v1/products/{id}"),
            Some(&globex),
            None,
        )
        .await;
    assert_eq!(delete.status(), 404);
    let list: Value = app
        .get("/t/globex/api/v1/products", &globex)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["total"], 0);
    assert_eq!(
        app.get(&location, &acme).await.status(),
        200,
        "Acme's product is intact"
    );
}

#[tokio::test]
async fn identity_headers_sent_by_a_caller_are_ignored() {
    let app = spawn_app().await;
    let acme = app.tenant_with_product_token("acme").await;
    let globex_tenant = app.create_tenant("globex").await;
    let globex_client = app
        .register_client("globex", "products:read products:write")
        .await;
    let globex = app.token(&globex_client, &[]).await;
    app.post(
        "/t/globex/api/v1/products",
        &globex,
        json!({"name": "Globex only", "sku": uuid::Uuid::new_v4().simple().to_string(), "price": {"amount": 1, "currency": "USD"}}),
    )
    .await;

    // An Acme caller claims to be Globex through the headers the gateway uses internally.
    let response = app
        .http
        .get(app.url("/t/acme/api/v1/products"))
        .bearer_auth(&acme)
        .header(
            "x-gatehouse-tenant-id",
            globex_tenant["id"].as_str().expect("id"),
        )
        .header("x-gatehouse-tenant", "globex")
        .header("x-gatehouse-scope", "products:read products:write")
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 200);
    let list: Value = response.json().await.expect("json");
    assert_eq!(
        list["total"], 0,
        "Acme sees its own (empty) list, not Globex's"
    );

    // Without a token, forged identity headers alone get nowhere.
    let response = app
        .http
        .get(app.url("/t/globex/api/v1/products"))
        .header(
            "x-gatehouse-tenant-id",
            globex_tenant["id"].as_str().expect("id"),
        )
        .header("x-gatehouse-tenant", "globex")
        .header("x-gatehouse-token-tenant", "globex")
        .header("x-gatehouse-subject", "x")
        .header("x-gatehouse-client-id", "x")
        .header("x-gatehouse-scope", "products:read")
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn expired_and_not_yet_valid_tokens_are_refused() {
    let app = spawn_app().await;
    let token = app.tenant_with_product_token("acme").await;
    let now = chrono::Utc::now().timestamp();

    let mut claims = claims_of(&token);
    assert_eq!(
        product_status(
            &app,
            "acme",
            &sign_with_tenant_key(&app, "acme", &claims).await
        )
        .await,
        200
    );

    claims["iat"] = json!(now - 7200);
    claims["nbf"] = json!(now - 7200);
    claims["exp"] = json!(now - 3600);
    let expired = sign_with_tenant_key(&app, "acme", &claims).await;
    let response = app.get("/t/acme/api/v1/products", &expired).await;
    assert_eq!(response.status(), 401);
    assert!(www_authenticate(&response).contains("expired"));

    let mut claims = claims_of(&token);
    claims["nbf"] = json!(now + 3600);
    let early = sign_with_tenant_key(&app, "acme", &claims).await;
    assert_eq!(product_status(&app, "acme", &early).await, 401);
}

#[tokio::test]
async fn tampered_tokens_are_refused() {
    let app = spawn_app().await;
    app.create_tenant("acme").await;
    let client = app
        .register_client("acme", "products:read products:write")
        .await;
    let token = app.token(&client, &["products:read"]).await;
    let parts: Vec<&str> = token.split('.').collect();

    // The scope raised in the payload, the signature kept.
    let mut claims = claims_of(&token);
    claims["scope"] = json!("products:read products:write");
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).expect("json"));
    let raised = format!("{}.{payload}.{}", parts[0], parts[2]);
    assert_eq!(product_status(&app, "acme", &raised).await, 401);

    // The signature of another token.
    let other = app.token(&client, &["products:write"]).await;
    let spliced = format!(
        "{}.{}.{}",
        parts[0],
        parts[1],
        other.split('.').nth(2).expect("sig")
    );
    assert_eq!(product_status(&app, "acme", &spliced).await, 401);

    // alg=none, and HS256 keyed with something public.
    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"at+jwt"}"#);
    let unsigned = format!("{none_header}.{}.", parts[1]);
    assert_eq!(product_status(&app, "acme", &unsigned).await, 401);
    let mut header = Header::new(Algorithm::HS256);
    header.typ = Some("at+jwt".into());
    header.kid = jsonwebtoken::decode_header(&token).expect("header").kid;
    let hs = jsonwebtoken::encode(
        &header,
        &claims_of(&token),
        &EncodingKey::from_secret(b"public"),
    )
    .expect("sign");
    assert_eq!(product_status(&app, "acme", &hs).await, 401);
}

#[tokio::test]
async fn a_token_for_another_audience_or_issuer_or_type_is_refused() {
    let app = spawn_app().await;
    let token = app.tenant_with_product_token("acme").await;

    let mut claims = claims_of(&token);
    claims["aud"] = json!("https://elsewhere.example");
    let other_audience = sign_with_tenant_key(&app, "acme", &claims).await;
    assert_eq!(product_status(&app, "acme", &other_audience).await, 401);

    let mut claims = claims_of(&token);
    claims["iss"] = json!("https://evil.example/t/acme");
    let other_issuer = sign_with_tenant_key(&app, "acme", &claims).await;
    assert_eq!(product_status(&app, "acme", &other_issuer).await, 401);

    // An ID-token-shaped JWT (typ JWT) signed by the right key is not an access token.
    let id_token_like = sign_as(&app, "acme", &claims_of(&token), "JWT").await;
    assert_eq!(product_status(&app, "acme", &id_token_like).await, 401);
}
