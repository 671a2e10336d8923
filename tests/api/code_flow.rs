//! The authorization code flow with PKCE, as a third-party app runs it with the oauth2 crate,
//! and as a person answers the login and consent forms over HTTP.

use oauth2::{AuthorizationCode, PkceCodeVerifier, RedirectUrl, RefreshToken, TokenResponse};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{
    App, Browser, Form, PASSWORD, REDIRECT, claims_of, error_code, field, oauth_http, query,
    spawn_app, spawn_app_with,
};

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
    let claims = claims_of(&access);
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
    let (url, _, _) = app.authorization_url(&third_party, &["products:read"], &[]);
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
    let tokens = app.user_tokens(&native, &["products:read"]).await;
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
    let (url, _, _) = app.authorization_url(&at_globex, &[], &[]);
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
    let (url, state, _) = app.authorization_url(&third_party, &[], &[]);
    let login = browser.page(url.as_str()).await;
    let consent = browser
        .sign_in(&app, "acme", &Form::of(&login))
        .await
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
        .consent(&app, "acme", &Form::of(&consent), "deny")
        .await;
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
    let (url, _, _) = app.authorization_url(&third_party, &[], &[]);
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
        .log_in(&app, "acme", &Form::of(&login), "not the password")
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

    let again_form = Form {
        request_id: request_id.clone(),
        csrf: field(&again, "csrf").expect("csrf"),
    };
    let right = browser.sign_in(&app, "acme", &again_form).await;
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
