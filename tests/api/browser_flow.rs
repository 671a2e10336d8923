//! The authorization code flow in a real browser: headless Chromium, driven over the W3C
//! WebDriver protocol by chromedriver, signs in, consents and lands on the app's loopback
//! redirect URI with a code, which the app exchanges for a token that the API accepts.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use oauth2::{CsrfToken, PkceCodeChallenge, PkceCodeVerifier, Scope, TokenResponse};
use reqwest::Method;
use serde_json::{Value, json};

use crate::code_flow::{App, PASSWORD, query};
use crate::helpers::{TestApp, spawn_app};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMIUM_FLAGS: [&str; 4] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
];
/// How long a lookup waits for its element, a page for its URL.
const WAIT: Duration = Duration::from_secs(10);
/// The W3C WebDriver key of an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A chromedriver process, killed when dropped.
struct ChromeDriver {
    child: Child,
    port: u16,
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One headless Chromium, driven through a chromedriver of its own.
pub struct WebDriver {
    http: reqwest::Client,
    /// `http://127.0.0.1:{port}/session/{id}`
    session: String,
    open: bool,
    driver: ChromeDriver,
    _profile: tempfile::TempDir,
}

impl WebDriver {
    pub async fn start() -> Self {
        for binary in [CHROMEDRIVER, CHROMIUM] {
            assert!(
                Path::new(binary).exists(),
                "{binary} is missing: run `apt-get install -y chromium chromium-driver` (.ci/run does)"
            );
        }
        let port = crate::helpers::ReservedPort::new().release();
        let mut driver = ChromeDriver {
            child: Command::new(CHROMEDRIVER)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("chromedriver starts"),
            port,
        };
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("an HTTP client");
        let base = format!("http://127.0.0.1:{port}");

        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = driver.child.try_wait().expect("chromedriver's status") {
                panic!("chromedriver exited before it was ready: {status}");
            }
            if let Ok(response) = http.get(format!("{base}/status")).send().await
                && let Ok(status) = response.json::<Value>().await
                && status["value"]["ready"] == true
            {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver is not ready");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }

        let profile = tempfile::tempdir().expect("a profile folder");
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|&f| f.to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
            "timeouts": {"implicit": WAIT.as_secs() * 1000},
        }}});
        let created = command(
            &http,
            Method::POST,
            &format!("{base}/session"),
            capabilities,
        )
        .await;
        let id = created["sessionId"].as_str().expect("a session id");
        Self {
            session: format!("{base}/session/{id}"),
            http,
            open: true,
            driver,
            _profile: profile,
        }
    }

    async fn command(&self, method: Method, path: &str, body: Value) -> Value {
        let url = format!("{}{path}", self.session);
        command(&self.http, method, &url, body).await
    }

    pub async fn goto(&self, url: &str) {
        self.command(Method::POST, "/url", json!({"url": url}))
            .await;
    }

    pub async fn current_url(&self) -> String {
        let url = self.command(Method::GET, "/url", Value::Null).await;
        url.as_str().expect("a URL").to_owned()
    }

    /// The element that `css` selects, once it is there.
    pub async fn find(&self, css: &str) -> String {
        let found = self
            .command(
                Method::POST,
                "/element",
                json!({"using": "css selector", "value": css}),
            )
            .await;
        found[ELEMENT].as_str().expect("an element").to_owned()
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        self.command(
            Method::POST,
            &format!("/element/{element}/value"),
            json!({"text": text}),
        )
        .await;
    }

    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        self.command(
            Method::POST,
            &format!("/element/{element}/click"),
            json!({}),
        )
        .await;
    }

    /// The page's URL, once it starts with `prefix`.
    pub async fn wait_for_url(&self, prefix: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let url = self.current_url().await;
            if url.starts_with(prefix) {
                return url;
            }
            assert!(Instant::now() < deadline, "still at {url}, not {prefix}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Ends the session, which closes Chromium.
    pub async fn quit(mut self) {
        self.command(Method::DELETE, "", Value::Null).await;
        self.open = false;
    }
}

impl Drop for WebDriver {
    /// After a failure: ends the session over a plain blocking connection, since Chromium
    /// outlives a killed chromedriver.
    fn drop(&mut self) {
        if !self.open {
            return;
        }
        let port = self.driver.port;
        let Some((_, id)) = self.session.rsplit_once('/') else {
            return;
        };
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            let _ = stream.set_read_timeout(Some(WAIT));
            let request = format!(
                "DELETE /session/{id} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            // chromedriver answers once Chromium is closed, and keeps the connection open.
            if stream.write_all(request.as_bytes()).is_ok() {
                let _ = stream.read(&mut [0; 1024]);
            }
        }
    }
}

/// Sends a WebDriver command and returns its `value`; a WebDriver error fails the test.
async fn command(http: &reqwest::Client, method: Method, url: &str, body: Value) -> Value {
    let mut request = http.request(method.clone(), url);
    if !body.is_null() {
        request = request.json(&body);
    }
    let response = request.send().await.expect("chromedriver answers");
    let status = response.status();
    let mut answer: Value = response.json().await.expect("a WebDriver answer");
    let value = answer["value"].take();
    assert!(
        status.is_success(),
        "{method} {url}: {} ({})",
        value["error"],
        value["message"]
    );
    value
}

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
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let client = app.oauth_client(third_party);
    let mut request = client
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(challenge);
    for scope in scopes {
        request = request.add_scope(Scope::new((*scope).to_owned()));
    }
    let (authorize, state) = request.url();

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
