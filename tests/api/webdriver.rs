//! Headless Chromium driven over the W3C WebDriver protocol by a chromedriver of its own.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMIUM_FLAGS: [&str; 4] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
];
/// How long a lookup waits for its element, a page for its URL.
pub const WAIT: Duration = Duration::from_secs(10);
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
        self.find_by("css selector", css).await
    }

    /// The element that the XPath expression selects, once it is there.
    pub async fn find_xpath(&self, xpath: &str) -> String {
        self.find_by("xpath", xpath).await
    }

    async fn find_by(&self, using: &str, value: &str) -> String {
        let found = self
            .command(
                Method::POST,
                "/element",
                json!({"using": using, "value": value}),
            )
            .await;
        found[ELEMENT].as_str().expect("an element").to_owned()
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        self.type_into_element(&element, text).await;
    }

    pub async fn type_into_element(&self, element: &str, text: &str) {
        self.command(
            Method::POST,
            &format!("/element/{element}/value"),
            json!({"text": text}),
        )
        .await;
    }

    pub async fn clear_element(&self, element: &str) {
        self.command(
            Method::POST,
            &format!("/element/{element}/clear"),
            json!({}),
        )
        .await;
    }

    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        self.click_element(&element).await;
    }

    /// Clicks the element, once scrolled to the middle of its scrolling box (so that no
    /// sticky header or footer covers it).
    pub async fn click_element(&self, element: &str) {
        self.command(
            Method::POST,
            "/execute/sync",
            json!({
                "script": "arguments[0].scrollIntoView({block: 'center', inline: 'center'});",
                "args": [{ELEMENT: element}],
            }),
        )
        .await;
        self.command(
            Method::POST,
            &format!("/element/{element}/click"),
            json!({}),
        )
        .await;
    }

    /// An element's property (`value`, `textContent`, ...).
    pub async fn property(&self, element: &str, name: &str) -> Value {
        self.command(
            Method::GET,
            &format!("/element/{element}/property/{name}"),
            Value::Null,
        )
        .await
    }

    /// Runs `script` (a function body; `return` gives the result) in the page.
    pub async fn execute(&self, script: &str) -> Value {
        self.command(
            Method::POST,
            "/execute/sync",
            json!({"script": script, "args": []}),
        )
        .await
    }

    /// The value of the expression `js`, once it is truthy.
    pub async fn wait_for(&self, js: &str, what: &str) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let value = self.execute(&format!("return {js};")).await;
            if !(value.is_null() || value == false || value == "" || value == 0) {
                return value;
            }
            assert!(Instant::now() < deadline, "waited in vain for {what}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
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

    /// Resizes the window (headless Chromium's is small: 800 by 600).
    pub async fn set_window_size(&self, width: u32, height: u32) {
        self.command(
            Method::POST,
            "/window/rect",
            json!({"width": width, "height": height}),
        )
        .await;
    }

    /// The handle of the window the session is in.
    pub async fn window(&self) -> String {
        let handle = self.command(Method::GET, "/window", Value::Null).await;
        handle.as_str().expect("a window handle").to_owned()
    }

    /// The handles of the open windows.
    pub async fn windows(&self) -> Vec<String> {
        let handles = self
            .command(Method::GET, "/window/handles", Value::Null)
            .await;
        handles
            .as_array()
            .expect("window handles")
            .iter()
            .map(|h| h.as_str().expect("a window handle").to_owned())
            .collect()
    }

    /// The open windows, once `done` holds for them.
    pub async fn wait_for_windows(
        &self,
        what: &str,
        done: impl Fn(&[String]) -> bool,
    ) -> Vec<String> {
        let deadline = Instant::now() + WAIT;
        loop {
            let windows = self.windows().await;
            if done(&windows) {
                return windows;
            }
            assert!(Instant::now() < deadline, "waited in vain for {what}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn switch_to_window(&self, handle: &str) {
        self.command(Method::POST, "/window", json!({"handle": handle}))
            .await;
    }

    /// A PNG of the window, for looking into a failure.
    #[allow(dead_code)]
    pub async fn screenshot(&self, path: &str) {
        use base64::Engine;
        let png = self.command(Method::GET, "/screenshot", Value::Null).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().expect("base64"))
            .expect("a PNG");
        std::fs::write(path, png).expect("written");
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
