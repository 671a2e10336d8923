//! The authorization code flow with PKCE, as a third-party app runs it with the oauth2 crate,
//! and as a person answers the login and consent forms over HTTP.

use std::collections::HashMap;

use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, RefreshToken, Scope, TokenResponse, TokenUrl,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, oauth_http, spawn_app, spawn_app_with};

pub const REDIRECT: &str = "https://app.example/callback";
pub const PASSWORD: &str = "correct horse battery staple";

/// A third-party app registered in a tenant.
pub struct App {
    pub tenant: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    pub redirect: String,
}

/// A person's browser: keeps cookies, follows no redirects (the test reads them).
pub struct Browser {
    pub http: reqwest::Client,
}

impl Browser {
    pub fn new() -> Self {
        Self {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("browser"),
        }
    }
}

/// The value of the `name` field of the page's form.
pub fn field(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

pub fn query(location: &str) -> HashMap<String, String> {
    let url = url::Url::parse(location).expect("absolute redirect");
    url.query_pairs().into_owned().collect()
}

impl TestApp {
    /// A tenant with a user `ada` and an app allowed `scope`; `metadata` overrides the app's.
    pub async fn app_with(&self, tenant: &str, metadata: Value) -> App {
        if self
            .http
            .get(self.url(&format!("/t/{tenant}/jwks.json")))
            .send()
            .await
            .expect("jwks")
            .status()
            == 404
        {
            self.create_tenant(tenant).await;
            let operator = self.operator_token().await;
            let user = self
                .post(
                    &format!("/t/{tenant}/admin/v1/users"),
                    &operator,
                    json!({"username": "ada", "password": PASSWORD, "email": "ada@example.com"}),
                )
                .await;
            assert_eq!(user.status(), 201);
        }
        let mut body = json!({
            "client_name": "Photo Printer",
            "grant_types": ["authorization_code", "refresh_token"],
            "redirect_uris": [REDIRECT],
            "scope": "openid offline_access products:read",
        });
        if let (Some(base), Some(extra)) = (body.as_object_mut(), metadata.as_object()) {
            base.extend(extra.clone());
        }
        let operator = self.operator_token().await;
        let response = self
            .post(&format!("/t/{tenant}/admin/v1/clients"), &operator, body)
            .await;
        assert_eq!(response.status(), 201, "register the app");
        let client: Value = response.json().await.expect("json");
        App {
            tenant: tenant.to_owned(),
            client_id: client["client_id"].as_str().expect("client_id").to_owned(),
            client_secret: client["client_secret"].as_str().map(str::to_owned),
            redirect: client["redirect_uris"][0]
                .as_str()
                .expect("redirect")
                .to_owned(),
        }
    }

    pub fn oauth_client(
        &self,
        app: &App,
    ) -> oauth2::Client<
        oauth2::basic::BasicErrorResponse,
        oauth2::basic::BasicTokenResponse,
        oauth2::basic::BasicTokenIntrospectionResponse,
        oauth2::StandardRevocableToken,
        oauth2::basic::BasicRevocationErrorResponse,
        oauth2::EndpointSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointSet,
    > {
        let issuer = self.url(&format!("/t/{}", app.tenant));
        let mut client = BasicClient::new(ClientId::new(app.client_id.clone()))
            .set_auth_uri(AuthUrl::new(format!("{issuer}/oauth2/authorize")).expect("url"))
            .set_token_uri(TokenUrl::new(format!("{issuer}/oauth2/token")).expect("url"))
            .set_redirect_uri(RedirectUrl::new(app.redirect.clone()).expect("url"));
        if let Some(secret) = &app.client_secret {
            client = client.set_client_secret(ClientSecret::new(secret.clone()));
        }
        client
    }

    /// Exchanges a code with its PKCE verifier through the oauth2 crate.
    pub async fn exchange(
        &self,
        app: &App,
        code: String,
        verifier: PkceCodeVerifier,
    ) -> oauth2::basic::BasicTokenResponse {
        self.oauth_client(app)
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(verifier)
            .request_async(&oauth_http)
            .await
            .expect("the code is exchanged")
    }

    /// Runs the flow up to the redirect: the app's authorization URL, the login form, the
    /// consent form (approved). Returns the code and the PKCE verifier.
    pub async fn authorize(
        &self,
        app: &App,
        browser: &Browser,
        scopes: &[&str],
    ) -> (String, PkceCodeVerifier) {
        self.authorize_with(app, browser, scopes, &[]).await
    }

    /// `authorize` with extra parameters on the authorization request (`nonce`, say).
    pub async fn authorize_with(
        &self,
        app: &App,
        browser: &Browser,
        scopes: &[&str],
        extra: &[(&str, &str)],
    ) -> (String, PkceCodeVerifier) {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let client = self.oauth_client(app);
        let mut request = client
            .authorize_url(CsrfToken::new_random)
            .set_pkce_challenge(challenge);
        for (name, value) in extra {
            request = request.add_extra_param(*name, *value);
        }
        for scope in scopes {
            request = request.add_scope(Scope::new((*scope).to_owned()));
        }
        let (url, state) = request.url();
        let mut response = browser
            .http
            .get(url.as_str())
            .send()
            .await
            .expect("authorize");
        let mut page_url = url.to_string();
        if response.status() == StatusCode::OK {
            let html = response.text().await.expect("login page");
            assert!(html.contains("name=\"password\""), "the login page: {html}");
            page_url = self.url(&format!("/t/{}/oauth2/login", app.tenant));
            response = browser
                .http
                .post(&page_url)
                .form(&[
                    (
                        "request_id",
                        field(&html, "request_id").expect("request_id").as_str(),
                    ),
                    ("csrf", field(&html, "csrf").expect("csrf").as_str()),
                    ("username", "ada"),
                    ("password", PASSWORD),
                ])
                .send()
                .await
                .expect("login");
        }
        if response.status() == StatusCode::OK {
            let html = response.text().await.expect("consent page");
            assert!(
                html.contains("value=\"approve\""),
                "the consent page: {html}"
            );
            response = browser
                .http
                .post(self.url(&format!("/t/{}/oauth2/consent", app.tenant)))
                .form(&[
                    (
                        "request_id",
                        field(&html, "request_id").expect("request_id").as_str(),
                    ),
                    ("csrf", field(&html, "csrf").expect("csrf").as_str()),
                    ("decision", "approve"),
                ])
                .send()
                .await
                .expect("consent");
        }
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "redirected back from {page_url}"
        );
        let location = response.headers()["location"]
            .to_str()
            .expect("location")
            .to_owned();
        assert!(location.starts_with(&app.redirect), "{location}");
        let params = query(&location);
        assert_eq!(
            params.get("state"),
            Some(state.secret()),
            "state is carried through"
        );
        assert_eq!(
            params.get("iss"),
            Some(&self.url(&format!("/t/{}", app.tenant))),
            "RFC 9207 iss"
        );
        (params["code"].clone(), verifier)
    }
}

#[tokio::test]
async fn a_user_authorizes_an_app_which_calls_the_api_and_refreshes() {
    let app = spawn_app().await;
    let third_party = app.app_with("acme", json!({})).await;
    let browser = Browser::new();
    let (code, verifier) = app
        .authorize(&third_party, &browser, &["products:read", "offline_access"])
        .await;

    let tokens = app.exchange(&third_party, code, verifier).await;
    let access = tokens.access_token().secret().clone();
    let refresh = tokens
        .refresh_token()
        .expect("offline_access gives a refresh token")
        .clone();
    assert_eq!(
        app.get("/t/acme/api/v1/products", &access).await.status(),
        200
    );
    let claims: Value = {
        use base64::Engine;
        let payload = access.split('.').nth(1).expect("payload");
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(payload)
                .expect("b64"),
        )
        .expect("json")
    };
    assert_eq!(claims["client_id"], third_party.client_id.as_str());
    assert!(
        uuid::Uuid::parse_str(claims["sub"].as_str().expect("sub")).is_ok(),
        "sub is the user"
    );
    assert!(claims["auth_time"].is_i64());

    let refreshed = app
        .oauth_client(&third_party)
        .exchange_refresh_token(&refresh)
        .request_async(&oauth_http)
        .await
        .expect("refresh");
    let successor = refreshed.refresh_token().expect("rotated").clone();
    assert_ne!(
        successor.secret(),
        refresh.secret(),
        "refresh tokens rotate"
    );
    assert_eq!(
        app.get("/t/acme/api/v1/products", refreshed.access_token().secret())
            .await
            .status(),
        200
    );

    // The second authorization: signed in and consented already, so straight back with a code.
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let (url, _) = app
        .oauth_client(&third_party)
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("products:read".into()))
        .set_pkce_challenge(challenge)
        .url();
    let again = browser
        .http
        .get(url.as_str())
        .send()
        .await
        .expect("authorize");
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    assert!(query(again.headers()["location"].to_str().expect("ascii")).contains_key("code"));
}

#[tokio::test]
async fn a_public_client_uses_pkce_without_a_secret() {
    let app = spawn_app().await;
    let native = app
        .app_with(
            "acme",
            json!({"token_endpoint_auth_method": "none", "redirect_uris": ["http://127.0.0.1/callback"]}),
        )
        .await;
    assert!(
        native.client_secret.is_none(),
        "public clients get no secret"
    );
    // RFC 8252: a loopback redirect may use any port.
    let native = App {
        redirect: "http://127.0.0.1:49152/callback".into(),
        ..native
    };
    let (code, verifier) = app
        .authorize(&native, &Browser::new(), &["products:read"])
        .await;
    let tokens = app.exchange(&native, code, verifier).await;
    assert!(
        tokens.refresh_token().is_none(),
        "no offline_access, no refresh token"
    );
}

#[tokio::test]
async fn a_code_works_once_and_its_replay_revokes_what_it_gave() {
    let app = spawn_app().await;
    let third_party = app.app_with("acme", json!({})).await;
    let (code, verifier) = app
        .authorize(
            &third_party,
            &Browser::new(),
            &["products:read", "offline_access"],
        )
        .await;
    let verifier_copy = PkceCodeVerifier::new(verifier.secret().clone());
    let client = app.oauth_client(&third_party);
    let first = client
        .exchange_code(AuthorizationCode::new(code.clone()))
        .set_pkce_verifier(verifier)
        .request_async(&oauth_http)
        .await
        .expect("first use");
    let replay = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier_copy)
        .request_async(&oauth_http)
        .await
        .expect_err("second use");
    assert_eq!(error_code(replay), "invalid_grant");
    let refresh = client
        .exchange_refresh_token(first.refresh_token().expect("refresh"))
        .request_async(&oauth_http)
        .await
        .expect_err("revoked with the code");
    assert_eq!(error_code(refresh), "invalid_grant");
}

pub fn error_code(err: crate::helpers::TokenError) -> String {
    match err {
        oauth2::RequestTokenError::ServerResponse(r) => r.error().to_string(),
        other => panic!("expected an RFC 6749 error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_wrong_verifier_a_wrong_redirect_or_an_expired_code_is_invalid_grant() {
    let app = spawn_app_with(|config| config.auth.code_ttl_seconds = 1).await;
    let third_party = app
        .app_with(
            "acme",
            json!({"redirect_uris": [REDIRECT, "https://app.example/other"]}),
        )
        .await;
    let browser = Browser::new();
    let client = app.oauth_client(&third_party);

    let (code, _) = app
        .authorize(&third_party, &browser, &["products:read"])
        .await;
    let wrong = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(PkceCodeVerifier::new("x".repeat(64)))
        .request_async(&oauth_http)
        .await
        .expect_err("wrong verifier");
    assert_eq!(error_code(wrong), "invalid_grant");

    let (code, verifier) = app
        .authorize(&third_party, &browser, &["products:read"])
        .await;
    let other_redirect = client
        .clone()
        .set_redirect_uri(RedirectUrl::new("https://app.example/other".into()).expect("url"))
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(&oauth_http)
        .await
        .expect_err("another redirect URI than the request's");
    assert_eq!(error_code(other_redirect), "invalid_grant");

    let (code, verifier) = app
        .authorize(&third_party, &browser, &["products:read"])
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let expired = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(&oauth_http)
        .await
        .expect_err("expired");
    assert_eq!(error_code(expired), "invalid_grant");
}

#[tokio::test]
async fn pkce_s256_is_required_and_bad_requests_never_redirect_to_unregistered_places() {
    let app = spawn_app().await;
    let third_party = app.app_with("acme", json!({})).await;
    let browser = Browser::new();
    let base = app.url("/t/acme/oauth2/authorize");
    let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    let authorize = |extra: &str| {
        format!(
            "{base}?response_type=code&client_id={}&state=s1{extra}",
            third_party.client_id
        )
    };

    for (extra, expected) in [
        (format!("&redirect_uri={REDIRECT}"), "invalid_request"),
        (
            format!(
                "&redirect_uri={REDIRECT}&code_challenge={challenge}&code_challenge_method=plain"
            ),
            "invalid_request",
        ),
        (
            format!(
                "&redirect_uri={REDIRECT}&code_challenge={challenge}&code_challenge_method=S256&scope=admin:everything"
            ),
            "invalid_scope",
        ),
    ] {
        let response = browser
            .http
            .get(authorize(&extra))
            .send()
            .await
            .expect("answer");
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{extra}");
        let params = query(response.headers()["location"].to_str().expect("ascii"));
        assert_eq!(
            params.get("error").map(String::as_str),
            Some(expected),
            "{extra}"
        );
        assert_eq!(params.get("state").map(String::as_str), Some("s1"));
    }

    let unregistered = browser
        .http
        .get(authorize(&format!("&redirect_uri=https://evil.example/cb&code_challenge={challenge}&code_challenge_method=S256")))
        .send()
        .await
        .expect("answer");
    assert_eq!(unregistered.status(), StatusCode::BAD_REQUEST);
    assert!(
        unregistered.headers().get("location").is_none(),
        "never redirected"
    );

    let unknown_client = browser
        .http
        .get(format!(
            "{base}?response_type=code&client_id=nobody&redirect_uri={REDIRECT}"
        ))
        .send()
        .await
        .expect("answer");
    assert_eq!(unknown_client.status(), StatusCode::BAD_REQUEST);
    assert!(unknown_client.headers().get("location").is_none());
    assert!(
        unknown_client
            .text()
            .await
            .expect("html")
            .contains("not registered")
    );
}

#[tokio::test]
async fn a_client_of_one_tenant_is_unknown_at_another() {
    let app = spawn_app().await;
    let acme_app = app.app_with("acme", json!({})).await;
    app.app_with("globex", json!({})).await;
    let at_globex = App {
        tenant: "globex".into(),
        ..acme_app
    };
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let (url, _) = app
        .oauth_client(&at_globex)
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(challenge)
        .url();
    let response = Browser::new()
        .http
        .get(url.as_str())
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.headers().get("location").is_none());

    let token = app
        .oauth_client(&at_globex)
        .exchange_code(AuthorizationCode::new("a-code".into()))
        .set_pkce_verifier(PkceCodeVerifier::new("v".repeat(43)))
        .request_async(&oauth_http)
        .await
        .expect_err("unknown client");
    assert_eq!(error_code(token), "invalid_client");
}

#[tokio::test]
async fn the_user_may_deny_and_the_app_learns_it_with_its_state() {
    let app = spawn_app().await;
    let third_party = app.app_with("acme", json!({})).await;
    let browser = Browser::new();
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let (url, state) = app
        .oauth_client(&third_party)
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(challenge)
        .url();
    let login = browser
        .http
        .get(url.as_str())
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    let consent = browser
        .http
        .post(app.url("/t/acme/oauth2/login"))
        .form(&[
            (
                "request_id",
                field(&login, "request_id").expect("id").as_str(),
            ),
            ("csrf", field(&login, "csrf").expect("csrf").as_str()),
            ("username", "ada"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("login")
        .text()
        .await
        .expect("html");
    assert!(
        consent.contains("See your products"),
        "scopes in words: {consent}"
    );
    assert!(
        consent.contains("Photo Printer") && consent.contains("Tenant acme"),
        "the app's and tenant's names"
    );
    let denied = browser
        .http
        .post(app.url("/t/acme/oauth2/consent"))
        .form(&[
            (
                "request_id",
                field(&consent, "request_id").expect("id").as_str(),
            ),
            ("csrf", field(&consent, "csrf").expect("csrf").as_str()),
            ("decision", "deny"),
        ])
        .send()
        .await
        .expect("deny");
    assert_eq!(denied.status(), StatusCode::SEE_OTHER);
    let params = query(denied.headers()["location"].to_str().expect("ascii"));
    assert_eq!(
        params.get("error").map(String::as_str),
        Some("access_denied")
    );
    assert_eq!(params.get("state"), Some(state.secret()));
    assert!(!params.contains_key("code"));
}

#[tokio::test]
async fn forms_without_their_csrf_token_and_wrong_passwords_get_nowhere() {
    let app = spawn_app().await;
    let third_party = app.app_with("acme", json!({})).await;
    let browser = Browser::new();
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let (url, _) = app
        .oauth_client(&third_party)
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(challenge)
        .url();
    let page = browser.http.get(url.as_str()).send().await.expect("page");
    for (name, expected) in [
        ("content-security-policy", "frame-ancestors 'none'"),
        ("x-frame-options", "DENY"),
        ("cache-control", "no-store"),
        ("referrer-policy", "no-referrer"),
    ] {
        let value = page.headers()[name].to_str().expect("ascii").to_owned();
        assert!(value.contains(expected), "{name}: {value}");
    }
    let login = page.text().await.expect("html");
    let request_id = field(&login, "request_id").expect("id");

    let no_csrf = browser
        .http
        .post(app.url("/t/acme/oauth2/login"))
        .form(&[
            ("request_id", request_id.as_str()),
            ("username", "ada"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("answer");
    assert_eq!(no_csrf.status(), StatusCode::FORBIDDEN);
    assert!(
        no_csrf.headers().get("set-cookie").is_none(),
        "no session without the token"
    );

    let wrong = browser
        .http
        .post(app.url("/t/acme/oauth2/login"))
        .form(&[
            ("request_id", request_id.as_str()),
            ("csrf", field(&login, "csrf").expect("csrf").as_str()),
            ("username", "ada"),
            ("password", "not the password"),
        ])
        .send()
        .await
        .expect("answer");
    assert_eq!(wrong.status(), StatusCode::OK);
    assert!(wrong.headers().get("set-cookie").is_none());
    let again = wrong.text().await.expect("html");
    assert!(again.contains("Wrong username or password"));
    assert_ne!(
        field(&again, "csrf"),
        field(&login, "csrf"),
        "a new token for each form"
    );

    let right = browser
        .http
        .post(app.url("/t/acme/oauth2/login"))
        .form(&[
            ("request_id", request_id.as_str()),
            ("csrf", field(&again, "csrf").expect("csrf").as_str()),
            ("username", "ada"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("answer");
    let cookie = right.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .to_owned();
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/t/acme/oauth2"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
}

#[tokio::test]
async fn a_reused_refresh_token_revokes_its_family_after_the_grace_period() {
    let app = spawn_app_with(|config| config.auth.refresh_reuse_grace_seconds = 0).await;
    let third_party = app.app_with("acme", json!({})).await;
    let (code, verifier) = app
        .authorize(
            &third_party,
            &Browser::new(),
            &["products:read", "offline_access"],
        )
        .await;
    let client = app.oauth_client(&third_party);
    let tokens = app.exchange(&third_party, code, verifier).await;
    let first = tokens.refresh_token().expect("refresh").clone();
    let second = client
        .exchange_refresh_token(&first)
        .request_async(&oauth_http)
        .await
        .expect("rotate");
    let second_token = second.refresh_token().expect("successor").clone();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;

    let reuse = client
        .exchange_refresh_token(&first)
        .request_async(&oauth_http)
        .await
        .expect_err("reuse");
    assert_eq!(error_code(reuse), "invalid_grant");
    let successor = client
        .exchange_refresh_token(&second_token)
        .request_async(&oauth_http)
        .await
        .expect_err("family revoked");
    assert_eq!(error_code(successor), "invalid_grant");
}

#[tokio::test]
async fn concurrent_refreshes_of_one_token_both_succeed_with_the_same_successor() {
    let app = spawn_app().await;
    let third_party = app.app_with("acme", json!({})).await;
    let (code, verifier) = app
        .authorize(
            &third_party,
            &Browser::new(),
            &["products:read", "offline_access"],
        )
        .await;
    let client = app.oauth_client(&third_party);
    let tokens = app.exchange(&third_party, code, verifier).await;
    let refresh = tokens.refresh_token().expect("refresh").clone();

    let attempts: Vec<_> = (0..8)
        .map(|_| {
            let client = client.clone();
            let refresh = RefreshToken::new(refresh.secret().clone());
            tokio::spawn(async move {
                client
                    .exchange_refresh_token(&refresh)
                    .request_async(&oauth_http)
                    .await
            })
        })
        .collect();
    let mut successors = Vec::new();
    for attempt in attempts {
        let response = attempt
            .await
            .expect("task")
            .expect("every concurrent refresh succeeds");
        successors.push(
            response
                .refresh_token()
                .expect("successor")
                .secret()
                .clone(),
        );
    }
    successors.dedup();
    assert_eq!(successors.len(), 1, "one successor for all");
    let next = client
        .exchange_refresh_token(&RefreshToken::new(successors[0].clone()))
        .request_async(&oauth_http)
        .await
        .expect("the successor works");
    assert!(next.refresh_token().is_some());
}
