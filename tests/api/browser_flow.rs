//! The authorization code flow in a real browser: headless Chromium, driven over the W3C
//! WebDriver protocol by chromedriver, signs in, consents and lands on the app's loopback
//! redirect URI with a code, which the app exchanges for a token that the API accepts.

use oauth2::{PkceCodeVerifier, TokenResponse};
use serde_json::json;

use crate::helpers::{App, PASSWORD, TestApp, query, spawn_app};
use crate::webdriver::{WAIT, WebDriver};

/// The app's end of a loopback redirect (RFC 8252): answers every request with "ok" and
/// returns the target (`/callback?...`) of the first request for `/callback`.
async fn callback_listener() -> (u16, tokio::task::JoinHandle<String>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let port = listener.local_addr().expect("its address").port();
    let handle = tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.expect("a connection");
            let target = match tokio::time::timeout(WAIT, answer_ok(&stream)).await {
                Ok(Ok(target)) => target,
                _ => continue,
            };
            if target.starts_with("/callback") {
                return target;
            }
        }
    });
    (port, handle)
}

/// Reads a request's head, answers 200 "ok", and returns the request's target.
async fn answer_ok(stream: &tokio::net::TcpStream) -> std::io::Result<String> {
    let mut head = Vec::new();
    let mut buf = [0; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        stream.readable().await?;
        match stream.try_read(&mut buf) {
            Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => head.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
    let mut response: &[u8] =
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
    while !response.is_empty() {
        stream.writable().await?;
        match stream.try_write(response) {
            Ok(n) => response = &response[n..],
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
    let head = String::from_utf8_lossy(&head);
    let target = head.split(' ').nth(1).unwrap_or_default();
    Ok(target.to_owned())
}

/// A tenant `acme` with the user `ada` (if it has none yet) and an app whose redirect URI is
/// a loopback listener of this test (RFC 8252: its port may differ from the registered one),
/// with the listener's first `/callback` target.
pub async fn loopback_app(app: &TestApp) -> (App, tokio::task::JoinHandle<String>) {
    let registered = app
        .app_with(
            "acme",
            json!({"redirect_uris": ["http://127.0.0.1/callback"]}),
        )
        .await;
    let (port, callback) = callback_listener().await;
    let third_party = App {
        redirect: format!("http://127.0.0.1:{port}/callback"),
        ..registered
    };
    (third_party, callback)
}

/// Chromium follows the app's authorization URL for `scopes`, signs `ada` in, consents and
/// lands on the app's redirect URI; returns the code (with the app's state and the issuer
/// checked) and the PKCE verifier.
pub async fn chromium_signs_in(
    app: &TestApp,
    third_party: &App,
    callback: tokio::task::JoinHandle<String>,
    scopes: &[&str],
) -> (String, PkceCodeVerifier) {
    let (authorize, state, verifier) = app.authorization_url(third_party, scopes, &[]);

    let browser = WebDriver::start().await;
    browser.goto(authorize.as_str()).await;
    browser.type_into("#username", "ada").await;
    browser.type_into("#password", PASSWORD).await;
    browser.click("button[type=submit]").await;
    browser.click("button[value=approve]").await;
    let target = tokio::time::timeout(WAIT, callback)
        .await
        .expect("the browser reaches the redirect URI")
        .expect("the callback listener");
    let landed = browser.wait_for_url(&third_party.redirect).await;
    browser.quit().await;

    let origin = third_party
        .redirect
        .strip_suffix("/callback")
        .expect("a /callback redirect URI");
    assert_eq!(
        landed,
        format!("{origin}{target}"),
        "the browser shows the page the app answered"
    );
    let params = query(&landed);
    assert_eq!(params.get("state"), Some(state.secret()), "the app's state");
    assert_eq!(params.get("iss"), Some(&app.url("/t/acme")), "RFC 9207 iss");
    (params.get("code").expect("a code").clone(), verifier)
}

#[tokio::test]
async fn a_person_signs_in_and_consents_in_chromium_and_the_app_gets_its_code() {
    let app = spawn_app().await;
    let (third_party, callback) = loopback_app(&app).await;
    let (code, verifier) =
        chromium_signs_in(&app, &third_party, callback, &["products:read"]).await;
    let tokens = app.exchange(&third_party, code, verifier).await;
    assert_eq!(
        app.get("/t/acme/api/v1/products", tokens.access_token().secret())
            .await
            .status(),
        200
    );
}
