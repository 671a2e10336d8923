//! DPoP (RFC 9449): tokens bound to a key the client holds. The token endpoint binds them, the
//! gateway takes them only with a fresh proof of that key for the very request, and nonces and
//! replay hold across instances. The proofs are made here, by hand, so that each check can be
//! broken on purpose; `oauth_clients` drives the same with openid-client.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{Jwk, ThumbprintHash};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::pkcs8::{EncodePrivateKey, LineEnding};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{Browser, Registered, TestApp, claims_of, spawn_app};

/// A client's DPoP key pair.
pub struct DpopKey {
    encoding: EncodingKey,
    jwk: Value,
}

impl DpopKey {
    pub fn new() -> Self {
        let secret = p256::SecretKey::random(&mut rand::rngs::OsRng);
        let point = secret.public_key().to_encoded_point(false);
        let pem = secret.to_pkcs8_pem(LineEnding::LF).expect("pem");
        Self {
            encoding: EncodingKey::from_ec_pem(pem.as_bytes()).expect("key"),
            jwk: json!({
                "kty": "EC", "crv": "P-256",
                "x": URL_SAFE_NO_PAD.encode(point.x().expect("x")),
                "y": URL_SAFE_NO_PAD.encode(point.y().expect("y")),
            }),
        }
    }

    /// The RFC 7638 thumbprint a token bound to this key names in `cnf.jkt`.
    pub fn thumbprint(&self) -> String {
        let jwk: Jwk = serde_json::from_value(self.jwk.clone()).expect("jwk");
        jwk.thumbprint(ThumbprintHash::SHA256).expect("thumbprint")
    }

    /// A proof for `method` on `url`, for `token` (`ath`) if any, carrying `nonce` if any.
    pub fn proof(
        &self,
        method: &str,
        url: &str,
        token: Option<&str>,
        nonce: Option<&str>,
    ) -> String {
        let mut claims = json!({
            "jti": uuid::Uuid::new_v4().to_string(),
            "htm": method,
            "htu": url,
            "iat": chrono::Utc::now().timestamp(),
        });
        if let Some(token) = token {
            claims["ath"] = json!(URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes())));
        }
        if let Some(nonce) = nonce {
            claims["nonce"] = json!(nonce);
        }
        let mut header = Header::new(Algorithm::ES256);
        header.typ = Some("dpop+jwt".into());
        header.jwk = serde_json::from_value(self.jwk.clone()).ok();
        jsonwebtoken::encode(&header, &claims, &self.encoding).expect("sign")
    }
}

/// The answer's status, `DPoP-Nonce` header and JSON body.
async fn answer(response: reqwest::Response) -> (u16, Option<String>, Value) {
    let status = response.status().as_u16();
    let nonce = response
        .headers()
        .get("dpop-nonce")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response.json().await.unwrap_or(Value::Null);
    (status, nonce, body)
}

/// A client_credentials token request at `base` with `proof` as its DPoP header, if any.
async fn token_request(
    base: &str,
    client: &Registered,
    proof: Option<&str>,
) -> (u16, Option<String>, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{base}/t/{}/oauth2/token", client.tenant))
        .basic_auth(&client.client_id, Some(&client.client_secret))
        .form(&[("grant_type", "client_credentials")]);
    if let Some(proof) = proof {
        request = request.header("DPoP", proof);
    }
    answer(request.send().await.expect("token endpoint")).await
}

/// A DPoP-bound token for `client`: the first proof learns the nonce, the second carries it.
/// Returns the token and the nonce.
pub async fn bound_token(
    base: &str,
    public_url: &str,
    client: &Registered,
    key: &DpopKey,
) -> (String, String) {
    let url = format!("{public_url}/t/{}/oauth2/token", client.tenant);
    let (status, nonce, body) =
        token_request(base, client, Some(&key.proof("POST", &url, None, None))).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("use_dpop_nonce")),
        "{body}"
    );
    let nonce = nonce.expect("a DPoP-Nonce with use_dpop_nonce");
    let proof = key.proof("POST", &url, None, Some(&nonce));
    let (status, next_nonce, body) = token_request(base, client, Some(&proof)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "DPoP");
    assert!(next_nonce.is_some(), "a token answer tells the next nonce");
    let token = body["access_token"].as_str().expect("token").to_owned();
    (token, nonce)
}

/// A GET of `path` at `base` with `Authorization: {scheme} {token}` and a DPoP header if any.
async fn call(
    base: &str,
    path: &str,
    (scheme, token): (&str, &str),
    proof: Option<&str>,
) -> (u16, String, Option<String>) {
    let mut request = reqwest::Client::new()
        .get(format!("{base}{path}"))
        .header("authorization", format!("{scheme} {token}"))
        .header("cache-control", "no-cache");
    if let Some(proof) = proof {
        request = request.header("DPoP", proof);
    }
    let response = request.send().await.expect("answer");
    let challenges = response
        .headers()
        .get_all("www-authenticate")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(" | ");
    let nonce = response
        .headers()
        .get("dpop-nonce")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (response.status().as_u16(), challenges, nonce)
}

#[tokio::test]
async fn a_dpop_bound_token_opens_the_api_only_with_a_fresh_proof_of_its_key() {
    let app = spawn_app().await;
    app.create_tenant("acme").await;
    let client = app.register_client("acme", "products:read").await;
    let key = DpopKey::new();
    let base = app.url("");
    let (token, nonce) = bound_token(&base, &base, &client, &key).await;
    assert_eq!(claims_of(&token)["cnf"]["jkt"], key.thumbprint());

    // A proof works once, at the token endpoint as anywhere.
    let token_url = app.url("/t/acme/oauth2/token");
    let proof = key.proof("POST", &token_url, None, Some(&nonce));
    assert_eq!(token_request(&base, &client, Some(&proof)).await.0, 200);
    let (status, _, body) = token_request(&base, &client, Some(&proof)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_dpop_proof"))
    );
    // A proof for another URL, or that is no proof, gets no token.
    let elsewhere = key.proof("POST", &app.url("/t/acme/oauth2/par"), None, Some(&nonce));
    for bad in [elsewhere.as_str(), "not.a.proof"] {
        let (status, _, body) = token_request(&base, &client, Some(bad)).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_dpop_proof")),
            "{body}"
        );
    }

    let products = "/t/acme/api/v1/products";
    let url = app.url(products);
    let good = || key.proof("GET", &url, Some(&token), Some(&nonce));
    let proof = good();
    let (status, challenge, _) = call(&base, products, ("DPoP", &token), Some(&proof)).await;
    assert_eq!(status, 200, "{challenge}");

    // Each of these is refused with the DPoP challenge and its reason.
    let other_key = DpopKey::new();
    let refusals = [
        ("the same proof again", Some(proof.clone()), "used before"),
        ("no proof", None, "no DPoP header"),
        (
            "a proof of another key",
            Some(other_key.proof("GET", &url, Some(&token), Some(&nonce))),
            "key other than",
        ),
        (
            "a proof for another token",
            Some(key.proof("GET", &url, Some("another"), Some(&nonce))),
            "(ath)",
        ),
        (
            "a proof for another method",
            Some(key.proof("POST", &url, Some(&token), Some(&nonce))),
            "another method or URL",
        ),
        (
            "a proof for another URL",
            Some(key.proof(
                "GET",
                &app.url("/t/acme/api/v1/orders"),
                Some(&token),
                Some(&nonce),
            )),
            "another method or URL",
        ),
    ];
    for (what, proof, why) in refusals {
        let (status, challenge, _) =
            call(&base, products, ("DPoP", &token), proof.as_deref()).await;
        assert_eq!(status, 401, "{what}");
        assert!(
            challenge.starts_with("DPoP algs=\"ES256 RS256 EdDSA\", error=\"invalid_dpop_proof\"")
                && challenge.contains(why)
                && challenge.contains("resource_metadata="),
            "{what}: {challenge}"
        );
    }

    // Without the server's nonce: use_dpop_nonce, and the nonce to retry with.
    let unfresh = key.proof("GET", &url, Some(&token), None);
    let (status, challenge, given) = call(&base, products, ("DPoP", &token), Some(&unfresh)).await;
    assert_eq!(status, 401);
    assert!(
        challenge.contains("error=\"use_dpop_nonce\""),
        "{challenge}"
    );
    assert_eq!(given.as_deref(), Some(nonce.as_str()));

    // A bound token presented as a bearer token is refused: whoever stole it lacks the key.
    let (status, challenge, _) = call(&base, products, ("Bearer", &token), Some(&good())).await;
    assert_eq!(status, 401);
    assert!(challenge.contains("DPoP-bound token"), "{challenge}");
    // And a bearer token is not a DPoP one.
    let bearer = app
        .try_token(&client, &["products:read"], oauth2::AuthType::BasicAuth)
        .await
        .expect("a bearer token");
    let proof = key.proof("GET", &url, Some(&bearer), Some(&nonce));
    let (status, challenge, _) = call(&base, products, ("DPoP", &bearer), Some(&proof)).await;
    assert_eq!(status, 401);
    assert!(challenge.contains("not DPoP-bound"), "{challenge}");
    // A bearer token's refusal offers both schemes (RFC 9449 §7.1).
    let (_, challenge, _) = call(&base, products, ("Bearer", "nonsense"), None).await;
    assert!(
        challenge.starts_with("Bearer realm=\"gatehouse\", error=\"invalid_token\""),
        "{challenge}"
    );
    assert!(
        challenge.contains(" | DPoP algs=\"ES256 RS256 EdDSA\", resource_metadata="),
        "{challenge}"
    );

    // Introspection tells a resource server the token's key (RFC 9449 §6.2).
    let introspected: Value = app
        .http
        .post(app.url("/t/acme/oauth2/introspect"))
        .basic_auth(&client.client_id, Some(&client.client_secret))
        .form(&[("token", token.as_str())])
        .send()
        .await
        .expect("introspect")
        .json()
        .await
        .expect("json");
    assert_eq!(
        introspected["cnf"]["jkt"],
        key.thumbprint(),
        "{introspected}"
    );

    // The documents say DPoP is supported.
    let discovery = app
        .public_json("/t/acme/.well-known/openid-configuration")
        .await;
    assert_eq!(
        discovery["dpop_signing_alg_values_supported"],
        json!(["ES256", "RS256", "EdDSA"])
    );
    let metadata = app
        .public_json("/.well-known/oauth-protected-resource/t/acme/api/v1")
        .await;
    assert_eq!(
        metadata["dpop_signing_alg_values_supported"],
        json!(["ES256", "RS256", "EdDSA"])
    );
    assert_eq!(metadata["dpop_bound_access_tokens_required"], false);
}

#[tokio::test]
async fn a_client_required_to_use_dpop_gets_no_token_without_a_proof() {
    let app = spawn_app().await;
    app.create_tenant("acme").await;
    let client = app
        .register_client_with(
            "acme",
            json!({"client_name": "tv", "scope": "products:read", "dpop_bound_access_tokens": true}),
        )
        .await;
    let base = app.url("");
    let (status, nonce, body) = token_request(&base, &client, None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_dpop_proof")),
        "{body}"
    );
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| d.contains("must send a DPoP proof"))
    );
    assert_eq!(nonce, None, "a request without a proof is not told a nonce");
    let key = DpopKey::new();
    let (token, _) = bound_token(&base, &base, &client, &key).await;
    assert_eq!(claims_of(&token)["cnf"]["jkt"], key.thumbprint());

    // The switch is the client's metadata, in the admin API.
    let operator = app.operator_token().await;
    let path = format!("/t/acme/admin/v1/clients/{}", client.client_id);
    let shown: Value = app.get(&path, &operator).await.json().await.expect("json");
    assert_eq!(shown["dpop_bound_access_tokens"], true);
    let patched = app
        .send(
            reqwest::Method::PATCH,
            &path,
            Some(&operator),
            Some(json!({"dpop_bound_access_tokens": false})),
        )
        .await;
    assert_eq!(patched.status(), 200);
    let (status, _, body) = token_request(&base, &client, None).await;
    assert_eq!(
        (status, body["token_type"].as_str()),
        (200, Some("Bearer")),
        "{body}"
    );
}

#[tokio::test]
async fn a_public_clients_code_and_refresh_tokens_are_bound_to_its_dpop_key() {
    let app = spawn_app().await;
    let public = app
        .app_with("acme", json!({"token_endpoint_auth_method": "none"}))
        .await;
    // The authorization request binds the code to the key (RFC 9449 §10).
    let key = DpopKey::new();
    let (code, verifier) = app
        .authorize_with(
            &public,
            &Browser::new(),
            &["openid", "products:read", "offline_access"],
            &[("dpop_jkt", &key.thumbprint())],
        )
        .await;
    let token_url = app.url("/t/acme/oauth2/token");
    let post = |form: Vec<(&'static str, String)>, proof: Option<String>| {
        let mut request = app.http.post(&token_url).form(&form);
        if let Some(proof) = proof {
            request = request.header("DPoP", proof);
        }
        async move { answer(request.send().await.expect("token endpoint")).await }
    };
    let exchange = vec![
        ("grant_type", "authorization_code".into()),
        ("code", code),
        ("redirect_uri", public.redirect.clone()),
        ("code_verifier", verifier.secret().clone()),
        ("client_id", public.client_id.clone()),
    ];
    // The first try learns the nonce; the code is not spent by it.
    let (status, nonce, body) = post(
        exchange.clone(),
        Some(key.proof("POST", &token_url, None, None)),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("use_dpop_nonce")),
        "{body}"
    );
    let nonce = nonce.expect("a nonce");
    // Whoever intercepted the code cannot redeem it with their own key; nor is it spent so.
    let intercepted = DpopKey::new().proof("POST", &token_url, None, Some(&nonce));
    let (status, _, body) = post(exchange.clone(), Some(intercepted)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_dpop_proof")),
        "{body}"
    );
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| d.contains("dpop_jkt")),
        "{body}"
    );
    let (status, _, tokens) = post(
        exchange,
        Some(key.proof("POST", &token_url, None, Some(&nonce))),
    )
    .await;
    assert_eq!(
        (status, tokens["token_type"].as_str()),
        (200, Some("DPoP")),
        "{tokens}"
    );
    let refresh = tokens["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_owned();
    let refresh_form = |token: &str| {
        vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", token),
            ("client_id", public.client_id.as_str()),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.to_owned()))
        .collect::<Vec<_>>()
    };

    // Without a proof, or with another key's, the refresh token is worthless.
    let thief = DpopKey::new();
    let (status, _, body) = post(refresh_form(&refresh), None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_dpop_proof")),
        "{body}"
    );
    let stolen = thief.proof("POST", &token_url, None, Some(&nonce));
    let (status, _, body) = post(refresh_form(&refresh), Some(stolen)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_dpop_proof")),
        "{body}"
    );
    // With the key it was bound to, it refreshes, and the new access token is bound too.
    let own = key.proof("POST", &token_url, None, Some(&nonce));
    let (status, _, refreshed) = post(refresh_form(&refresh), Some(own)).await;
    assert_eq!(status, 200, "{refreshed}");
    let access = refreshed["access_token"].as_str().expect("access token");
    assert_eq!(claims_of(access)["cnf"]["jkt"], key.thumbprint());

    // UserInfo takes the bound token with a proof, and not without.
    let userinfo = app.url("/t/acme/oauth2/userinfo");
    let ask = |scheme: &str, proof: Option<String>| {
        let mut request = app
            .http
            .get(&userinfo)
            .header("authorization", format!("{scheme} {access}"));
        if let Some(proof) = proof {
            request = request.header("DPoP", proof);
        }
        async move { answer(request.send().await.expect("userinfo")).await }
    };
    let (status, _, claims) = ask(
        "DPoP",
        Some(key.proof("GET", &userinfo, Some(access), Some(&nonce))),
    )
    .await;
    assert_eq!(status, 200, "{claims}");
    assert!(claims["sub"].is_string());
    assert_eq!(ask("Bearer", None).await.0, 401);
    assert_eq!(
        ask(
            "DPoP",
            Some(thief.proof("GET", &userinfo, Some(access), Some(&nonce)))
        )
        .await
        .0,
        401
    );
    // The proof's error is told on the DPoP challenge only: it is no Bearer error.
    let refused = app
        .http
        .get(&userinfo)
        .header("authorization", format!("DPoP {access}"))
        .header(
            "DPoP",
            thief.proof("GET", &userinfo, Some(access), Some(&nonce)),
        )
        .send()
        .await
        .expect("userinfo");
    let challenge = crate::helpers::www_authenticate(&refused);
    assert!(
        challenge.starts_with(
            r#"Bearer realm="gatehouse", DPoP algs="ES256 RS256 EdDSA", error="invalid_dpop_proof""#
        ),
        "{challenge}"
    );

    // A service exchanges the bound token only with a proof of its own key, to which the new
    // token is bound: a sender-constrained token stays one.
    let exchange_grant = "urn:ietf:params:oauth:grant-type:token-exchange";
    let service = app
        .register_client_with(
            "acme",
            json!({"client_name": "Orders", "grant_types": [exchange_grant], "scope": "products:read"}),
        )
        .await;
    let api = app.url("/t/acme/api/v1");
    let operator = app.operator_token().await;
    let rule = json!({"token_exchange": [{"client_id": service.client_id, "audiences": [api], "delegation": true}]});
    let policy = app
        .send(
            reqwest::Method::PUT,
            "/t/acme/admin/v1/oauth-policy",
            Some(&operator),
            Some(rule),
        )
        .await;
    assert_eq!(policy.status(), 200);
    let service_key = DpopKey::new();
    let exchange_with = |proof: Option<String>| {
        let mut request = app
            .http
            .post(&token_url)
            .basic_auth(&service.client_id, Some(&service.client_secret))
            .form(&[
                ("grant_type", exchange_grant),
                ("subject_token", access),
                (
                    "subject_token_type",
                    "urn:ietf:params:oauth:token-type:access_token",
                ),
                ("resource", api.as_str()),
            ]);
        if let Some(proof) = proof {
            request = request.header("DPoP", proof);
        }
        async move { answer(request.send().await.expect("token endpoint")).await }
    };
    let (status, _, body) = exchange_with(None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_dpop_proof")),
        "{body}"
    );
    let proof = service_key.proof("POST", &token_url, None, Some(&nonce));
    let (status, _, exchanged) = exchange_with(Some(proof)).await;
    assert_eq!(
        (status, exchanged["token_type"].as_str()),
        (200, Some("DPoP")),
        "{exchanged}"
    );
    let exchanged = exchanged["access_token"].as_str().expect("token");
    assert_eq!(claims_of(exchanged)["cnf"]["jkt"], service_key.thumbprint());
}

/// Two gateways in front of two auth servers, on one Redis: a proof used through one is
/// refused through the other, and a nonce one instance gave is good at every other.
#[tokio::test]
async fn proofs_are_single_use_and_nonces_good_across_gateways_and_auth_servers() {
    let deployment = crate::split_deployment::Deployment::start().await;
    let other = deployment.another_gateway(|_| {}).await;
    let app: &TestApp = &deployment.app;
    app.create_tenant("acme").await;
    let client = app.register_client("acme", "products:read").await;
    let key = DpopKey::new();
    let public_url = app.url("");
    let (token, nonce) = bound_token(&public_url, &public_url, &client, &key).await;

    // A token request's proof, spent through the first gateway, is refused through the other
    // (whichever auth server each reaches).
    let token_url = app.url("/t/acme/oauth2/token");
    let proof = key.proof("POST", &token_url, None, Some(&nonce));
    assert_eq!(
        token_request(&public_url, &client, Some(&proof)).await.0,
        200
    );
    let (status, _, body) = token_request(&other, &client, Some(&proof)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_dpop_proof")),
        "{body}"
    );

    // The auth servers' nonce opens the API through the other gateway; its proof, once.
    let products = "/t/acme/api/v1/products";
    let proof = key.proof("GET", &app.url(products), Some(&token), Some(&nonce));
    assert_eq!(
        call(&other, products, ("DPoP", &token), Some(&proof))
            .await
            .0,
        200
    );
    let (status, challenge, _) = call(&public_url, products, ("DPoP", &token), Some(&proof)).await;
    assert_eq!(status, 401);
    assert!(challenge.contains("used before"), "{challenge}");
}
