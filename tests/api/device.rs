//! The device authorization grant (RFC 8628): a TV or CLI gets a user code, polls the token
//! endpoint, and a person approves or denies it on the verification page, in Chromium and over
//! HTTP, with the sign-in and consent pages (and their headers) of every other sign-in.

use serde_json::{Value, json};

use crate::helpers::{Browser, Form, TestApp, claims_of, spawn_app};
use crate::webdriver::WebDriver;

const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// A tenant with ada, and a public device client of it; the client's id.
async fn device_client(app: &TestApp, grant_types: &[&str]) -> String {
    app.app_with("acme", json!({})).await;
    let operator = app.operator_token().await;
    let response = app
        .post(
            "/t/acme/admin/v1/clients",
            &operator,
            json!({
                "client_name": "Living-room TV",
                "grant_types": grant_types,
                "token_endpoint_auth_method": "none",
                "scope": "products:read offline_access",
            }),
        )
        .await;
    assert_eq!(response.status(), 201);
    let client: Value = response.json().await.expect("json");
    client["client_id"].as_str().expect("client_id").to_owned()
}

/// A form post to one of the tenant's OAuth endpoints: the status and the JSON answer.
async fn post_form(app: &TestApp, endpoint: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let response = app
        .http
        .post(app.url(&format!("/t/acme/oauth2/{endpoint}")))
        .form(form)
        .send()
        .await
        .expect("an answer");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON"))
}

async fn poll(app: &TestApp, client_id: &str, device_code: &str) -> (u16, Value) {
    let form = [
        ("grant_type", DEVICE_GRANT),
        ("device_code", device_code),
        ("client_id", client_id),
    ];
    post_form(app, "token", &form).await
}

async fn start(app: &TestApp, client_id: &str) -> Value {
    let resource = app.url("/t/acme/api/v1");
    let form = [
        ("client_id", client_id),
        ("scope", "products:read offline_access"),
        ("resource", resource.as_str()),
    ];
    let (status, body) = post_form(app, "device_authorization", &form).await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test]
async fn a_device_polls_until_a_person_approves_it_in_chromium() {
    let app = spawn_app().await;
    let client_id = device_client(&app, &[DEVICE_GRANT, "refresh_token"]).await;
    let started = start(&app, &client_id).await;
    let user_code = started["user_code"].as_str().expect("user_code");
    assert!(
        user_code.len() == 9
            && user_code.chars().enumerate().all(|(i, c)| if i == 4 {
                c == '-'
            } else {
                c.is_ascii_uppercase()
            }),
        "{user_code}"
    );
    assert_eq!(
        started["verification_uri"],
        app.url("/t/acme/oauth2/device")
    );
    assert_eq!(
        (started["expires_in"].as_i64(), started["interval"].as_i64()),
        (Some(600), Some(5))
    );
    let device_code = started["device_code"].as_str().expect("device_code");

    let (status, body) = poll(&app, &client_id, device_code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("authorization_pending"))
    );
    let (status, body) = poll(&app, &client_id, device_code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("slow_down")),
        "polled at once"
    );

    // A person types the code, as they read it, on the verification page.
    let browser = WebDriver::start().await;
    browser
        .goto(started["verification_uri"].as_str().expect("uri"))
        .await;
    browser
        .type_into("#user_code", &user_code.to_lowercase().replace('-', " "))
        .await;
    browser.click("button[type=submit]").await;
    browser.type_into("#username", "ada").await;
    browser
        .type_into("#password", crate::helpers::PASSWORD)
        .await;
    browser.click("button[type=submit]").await;
    // The consent page shows the code, to compare with the device's.
    browser
        .find_xpath(&format!("//strong[text()='{user_code}']"))
        .await;
    browser.click("button[value=approve]").await;
    browser
        .wait_for(
            "document.querySelector('h1')?.textContent === 'Device connected'",
            "the done page",
        )
        .await;
    browser.quit().await;

    let (status, tokens) = poll(&app, &client_id, device_code).await;
    assert_eq!(status, 200, "{tokens}");
    let access = tokens["access_token"].as_str().expect("access_token");
    assert_eq!(claims_of(access)["aud"], app.url("/t/acme/api/v1"));
    assert!(
        tokens["refresh_token"].is_string(),
        "offline_access gives a refresh token"
    );
    assert_eq!(
        app.get("/t/acme/api/v1/products", access).await.status(),
        200
    );
    let (status, body) = poll(&app, &client_id, device_code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "once only"
    );
}

#[tokio::test]
async fn a_denied_an_expired_or_a_mistyped_code_gets_nothing() {
    let app = spawn_app().await;
    let client_id = device_client(&app, &[DEVICE_GRANT]).await;

    // Denied on the pages, over HTTP: the same pages and headers as any sign-in.
    let started = start(&app, &client_id).await;
    let browser = Browser::new();
    let page = browser
        .http
        .get(started["verification_uri_complete"].as_str().expect("uri"))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 200);
    let headers = page.headers().clone();
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["cache-control"], "no-store");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .expect("csp")
            .contains("frame-ancestors 'none'")
    );
    let html = page.text().await.expect("login page");
    let consent = browser.sign_in(&app, "acme", &Form::of(&html)).await;
    let html = consent.text().await.expect("consent page");
    assert!(
        html.contains(started["user_code"].as_str().expect("code")),
        "{html}"
    );
    let denied = browser
        .consent(&app, "acme", &Form::of(&html), "deny")
        .await;
    assert_eq!(denied.status(), 200);
    assert!(
        denied
            .text()
            .await
            .expect("page")
            .contains("Device refused")
    );
    let device_code = started["device_code"].as_str().expect("device_code");
    let (status, body) = poll(&app, &client_id, device_code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("access_denied"))
    );

    // A code nobody issued: the form again, with a message, and nothing else.
    let wrong = browser
        .http
        .get(app.url("/t/acme/oauth2/device?user_code=BCDF-GHJK"))
        .send()
        .await
        .expect("page");
    assert_eq!(wrong.status(), 400);
    assert!(wrong.text().await.expect("page").contains("not valid"));

    // Expired.
    let started = start(&app, &client_id).await;
    app.expire_all("auth_device_codes").await;
    let device_code = started["device_code"].as_str().expect("device_code");
    let (status, body) = poll(&app, &client_id, device_code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("expired_token"))
    );
    let late = browser
        .http
        .get(started["verification_uri_complete"].as_str().expect("uri"))
        .send()
        .await
        .expect("page");
    assert_eq!(
        late.status(),
        400,
        "an expired code is not accepted on the page"
    );

    // Another client's device code, and a made-up one.
    let (status, body) = poll(&app, "someone-else", device_code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let (status, body) = poll(&app, &client_id, "made-up").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn only_clients_registered_for_the_grant_may_start_it() {
    let app = spawn_app().await;
    let third_party = app.app_with("acme", json!({})).await;
    let form = [("client_id", third_party.client_id.as_str())];
    let response = app
        .http
        .post(app.url("/t/acme/oauth2/device_authorization"))
        .basic_auth(&third_party.client_id, third_party.client_secret.as_ref())
        .form(&form[..0])
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"], "unauthorized_client");

    let metadata: Value = app
        .http
        .get(app.url("/.well-known/oauth-authorization-server/t/acme"))
        .send()
        .await
        .expect("metadata")
        .json()
        .await
        .expect("json");
    assert_eq!(
        metadata["device_authorization_endpoint"],
        app.url("/t/acme/oauth2/device_authorization")
    );
    assert!(
        metadata["grant_types_supported"]
            .as_array()
            .expect("grants")
            .contains(&json!(DEVICE_GRANT))
    );
}
