//! What a tenant admin controls around the code flow: consents, refresh lifetimes; and the
//! sign-in throttle that protects users' passwords.

use oauth2::TokenResponse;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    Browser, Form, PASSWORD, error_code, field, oauth_http, spawn_app, spawn_app_with,
};

#[tokio::test]
async fn repeated_failed_sign_ins_lock_the_account_for_a_while() {
    let app = spawn_app_with(|config| {
        config.auth.login_slowdown_after = 3;
        config.auth.login_max_failures = 3;
    })
    .await;
    let third_party = app.app_with("acme", json!({})).await;
    let browser = Browser::new();
    let (url, _, _) = app.authorization_url(&third_party, &[], &[]);
    let mut page = browser.page(url.as_str()).await;
    let request_id = field(&page, "request_id").expect("id");
    let attempt = |csrf: String, password: &'static str| {
        let form = Form {
            request_id: request_id.clone(),
            csrf,
        };
        browser.log_in(&app, "acme", &form, password).send()
    };
    for _ in 0..3 {
        let response = attempt(field(&page, "csrf").expect("csrf"), "wrong password")
            .await
            .expect("answer");
        assert_eq!(response.status(), StatusCode::OK);
        page = response.text().await.expect("html");
    }
    let locked = attempt(field(&page, "csrf").expect("csrf"), PASSWORD)
        .await
        .expect("answer");
    assert_eq!(
        locked.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "refused even with the right password"
    );
    assert!(locked.headers().get("set-cookie").is_none());
    assert!(
        locked
            .text()
            .await
            .expect("html")
            .contains("Too many failed sign-ins")
    );
}

#[tokio::test]
async fn a_revoked_consent_ends_the_apps_access_and_is_asked_again() {
    let app = spawn_app().await;
    let third_party = app.app_with("acme", json!({})).await;
    let browser = Browser::new();
    let (code, verifier) = app
        .authorize(&third_party, &browser, &["products:read", "offline_access"])
        .await;
    let tokens = app.exchange(&third_party, code, verifier).await;
    let operator = app.operator_token().await;
    let users: Value = app
        .get("/t/acme/admin/v1/users", &operator)
        .await
        .json()
        .await
        .expect("json");
    let user_id = users["items"][0]["id"].as_str().expect("id").to_owned();
    let consents: Value = app
        .get(
            &format!("/t/acme/admin/v1/users/{user_id}/consents"),
            &operator,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        consents["items"][0]["client_id"],
        third_party.client_id.as_str()
    );
    assert_eq!(
        consents["items"][0]["scope"],
        "offline_access products:read"
    );

    let path = format!(
        "/t/acme/admin/v1/users/{user_id}/consents/{}",
        third_party.client_id
    );
    assert_eq!(
        app.send(reqwest::Method::DELETE, &path, Some(&operator), None)
            .await
            .status(),
        204
    );
    assert_eq!(
        app.send(reqwest::Method::DELETE, &path, Some(&operator), None)
            .await
            .status(),
        404
    );

    let refresh = app
        .oauth_client(&third_party)
        .exchange_refresh_token(tokens.refresh_token().expect("refresh"))
        .request_async(&oauth_http)
        .await
        .expect_err("revoked with the consent");
    assert_eq!(error_code(refresh), "invalid_grant");
    assert_eq!(
        app.get("/t/acme/api/v1/products", tokens.access_token().secret())
            .await
            .status(),
        401
    );

    // Still signed in, but asked for consent again.
    let (url, _, _) = app.authorization_url(&third_party, &[], &[]);
    let again = browser.http.get(url.as_str()).send().await.expect("answer");
    assert_eq!(again.status(), StatusCode::OK);
    assert!(
        again
            .text()
            .await
            .expect("html")
            .contains("value=\"approve\"")
    );
}

#[tokio::test]
async fn refresh_lifetimes_are_set_per_tenant() {
    let app = spawn_app().await;
    let third_party = app.app_with("acme", json!({})).await;
    let operator = app.operator_token().await;
    let patch = |body: Value| {
        app.send(
            reqwest::Method::PATCH,
            "/admin/v1/tenants/acme",
            Some(&operator),
            Some(body),
        )
    };

    let bad = patch(json!({"refresh_idle_seconds": 7200, "refresh_absolute_seconds": 3600})).await;
    assert_eq!(
        bad.status(),
        422,
        "each lifetime is valid; together they are not"
    );
    let problem: Value = bad.json().await.expect("json");
    assert_eq!(problem["errors"][0]["field"], "refresh_idle_seconds");
    let ok = patch(json!({"refresh_idle_seconds": 600, "refresh_absolute_seconds": 3600})).await;
    assert_eq!(ok.status(), 200);
    let tenant: Value = ok.json().await.expect("json");
    assert_eq!(
        (
            tenant["refresh_idle_seconds"].as_i64(),
            tenant["refresh_absolute_seconds"].as_i64()
        ),
        (Some(600), Some(3600))
    );

    let tokens = app
        .user_tokens(&third_party, &["products:read", "offline_access"])
        .await;
    let about: Value = app
        .http
        .post(app.url("/t/acme/oauth2/introspect"))
        .basic_auth(&third_party.client_id, third_party.client_secret.as_deref())
        .form(&[(
            "token",
            tokens.refresh_token().expect("refresh").secret().as_str(),
        )])
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("json");
    let lifetime = about["exp"].as_i64().expect("exp") - about["iat"].as_i64().expect("iat");
    assert!(
        (595..=605).contains(&lifetime),
        "the tenant's idle lifetime: {lifetime}"
    );

    let reset =
        patch(json!({"refresh_idle_seconds": null, "refresh_absolute_seconds": null})).await;
    let tenant: Value = reset.json().await.expect("json");
    assert!(tenant.get("refresh_idle_seconds").is_none());
}
