//! `private_key_jwt` (RFC 7523): a client proves itself with a JWT signed by a key it
//! registered. The oauth2 crate has no support for it, so the form is posted directly.

use chrono::Utc;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::pkcs8::{EncodePrivateKey, LineEnding};
use serde_json::{Value, json};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::helpers::{TestApp, spawn_app};

struct ClientKey {
    kid: String,
    pem: String,
    jwk: Value,
}

fn client_key(kid: &str) -> ClientKey {
    let secret = p256::SecretKey::random(&mut rand::rngs::OsRng);
    let point = secret.public_key().to_encoded_point(false);
    ClientKey {
        kid: kid.to_owned(),
        pem: secret
            .to_pkcs8_pem(LineEnding::LF)
            .expect("pem")
            .to_string(),
        jwk: json!({
            "kty": "EC", "crv": "P-256", "kid": kid, "alg": "ES256", "use": "sig",
            "x": URL_SAFE_NO_PAD.encode(point.x().expect("x")),
            "y": URL_SAFE_NO_PAD.encode(point.y().expect("y")),
        }),
    }
}

fn assertion(key: &ClientKey, client_id: &str, audience: &str, lifetime: i64, jti: &str) -> String {
    let now = Utc::now().timestamp();
    let claims = json!({"iss": client_id, "sub": client_id, "aud": audience, "iat": now, "exp": now + lifetime, "jti": jti});
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(key.kid.clone());
    jsonwebtoken::encode(
        &header,
        &claims,
        &EncodingKey::from_ec_pem(key.pem.as_bytes()).expect("key"),
    )
    .expect("sign")
}

async fn token_with(app: &TestApp, assertion: &str) -> (u16, Value) {
    let response = app
        .http
        .post(app.url("/t/acme/oauth2/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", assertion),
        ])
        .send()
        .await
        .expect("answer");
    (
        response.status().as_u16(),
        response.json().await.expect("json"),
    )
}

#[tokio::test]
async fn a_client_authenticates_with_a_signed_assertion_once() {
    let app = spawn_app().await;
    app.create_tenant("acme").await;
    let key = client_key("k1");
    let operator = app.operator_token().await;
    let registered = app
        .post(
            "/t/acme/admin/v1/clients",
            &operator,
            json!({"client_name": "Signer", "scope": "products:read", "token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [key.jwk]}}),
        )
        .await;
    assert_eq!(registered.status(), 201);
    let registered: Value = registered.json().await.expect("json");
    assert!(
        registered.get("client_secret").is_none(),
        "no secret for private_key_jwt"
    );
    let client_id = registered["client_id"].as_str().expect("client_id");
    let token_endpoint = app.url("/t/acme/oauth2/token");

    let first = assertion(&key, client_id, &token_endpoint, 60, "jti-1");
    let (status, body) = token_with(&app, &first).await;
    assert_eq!(status, 200, "{body}");
    let access = body["access_token"].as_str().expect("token");
    assert_eq!(
        app.get("/t/acme/api/v1/products", access).await.status(),
        200
    );

    let (status, body) = token_with(&app, &first).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client")),
        "a replayed assertion"
    );

    let issuer_audience = assertion(&key, client_id, &app.url("/t/acme"), 60, "jti-2");
    assert_eq!(
        token_with(&app, &issuer_audience).await.0,
        200,
        "the issuer is an accepted audience"
    );

    let other_key = client_key("k1");
    let forged = assertion(&other_key, client_id, &token_endpoint, 60, "jti-3");
    assert_eq!(
        token_with(&app, &forged).await.0,
        401,
        "signed by an unregistered key"
    );
    let elsewhere = assertion(&key, client_id, "https://other.example/token", 60, "jti-4");
    assert_eq!(
        token_with(&app, &elsewhere).await.0,
        401,
        "for another audience"
    );
    let expired = assertion(&key, client_id, &token_endpoint, -120, "jti-5");
    assert_eq!(token_with(&app, &expired).await.0, 401, "expired");
    let long_lived = assertion(&key, client_id, &token_endpoint, 86_400, "jti-6");
    assert_eq!(
        token_with(&app, &long_lived).await.0,
        401,
        "too long-lived to be safe"
    );
}

#[tokio::test]
async fn private_key_jwt_clients_must_register_usable_public_keys() {
    let app = spawn_app().await;
    app.create_tenant("acme").await;
    let operator = app.operator_token().await;
    let key = client_key("k1");
    let mut private = key.jwk.clone();
    private["d"] = json!("AAAA");
    for jwks in [
        json!(null),
        json!({"keys": []}),
        json!({"keys": [{"kty": "EC"}]}),
        json!({"keys": [private]}),
    ] {
        let mut body =
            json!({"client_name": "Signer", "token_endpoint_auth_method": "private_key_jwt"});
        if !jwks.is_null() {
            body["jwks"] = jwks.clone();
        }
        let response = app.post("/t/acme/admin/v1/clients", &operator, body).await;
        // Well-formed JSON that is no usable key set: the schema cannot say so (422).
        assert_eq!(response.status(), 422, "{jwks}");
        let problem: Value = response.json().await.expect("json");
        assert_eq!(problem["errors"][0]["field"], "jwks", "{jwks}");
    }
}

#[tokio::test]
async fn a_large_key_set_is_kept_whole() {
    let app = spawn_app().await;
    app.create_tenant("acme").await;
    let operator = app.operator_token().await;
    // Ten keys with certificate chains: well over the 64 KiB of a MySQL TEXT column.
    let keys: Vec<ClientKey> = (0..10).map(|i| client_key(&format!("k{i}"))).collect();
    let chain: Vec<String> = (0..4)
        .map(|i| base64::engine::general_purpose::STANDARD.encode(vec![i as u8; 1800]))
        .collect();
    let jwks: Vec<Value> = keys
        .iter()
        .map(|key| {
            let mut jwk = key.jwk.clone();
            jwk["x5c"] = json!(chain);
            jwk
        })
        .collect();
    let jwks = json!({ "keys": jwks });
    assert!(jwks.to_string().len() > 70_000);
    let registered = app
        .post(
            "/t/acme/admin/v1/clients",
            &operator,
            json!({"client_name": "Signer", "scope": "products:read", "token_endpoint_auth_method": "private_key_jwt", "jwks": jwks}),
        )
        .await;
    assert_eq!(registered.status(), 201);
    let registered: Value = registered.json().await.expect("json");
    let client_id = registered["client_id"].as_str().expect("client_id");
    let last = assertion(
        &keys[9],
        client_id,
        &app.url("/t/acme/oauth2/token"),
        60,
        "j",
    );
    let (status, body) = token_with(&app, &last).await;
    assert_eq!(status, 200, "the last key of the set: {body}");
}
