//! The split deployment as it runs in production: two auth servers and two resource services,
//! each a `gatehouse serve auth|resources` process of its own, behind a gateway, on one
//! database and one redis-server. People sign in through it, the services trust nobody but
//! the gateway, and an instance may die and come back.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use gatehouse::{Application, Config, Role, Secret};
use oauth2::TokenResponse;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::browser_flow::{chromium_signs_in, loopback_app};
use crate::helpers::{
    App, Browser, Form, INTERNAL_KEY, ReservedPort, TestApp, fresh_database, gatehouse_binary,
    oauth_http, problem, query, scrape, test_config, test_log,
};

/// What a service logs when it refuses a request without the gateway's proof.
const REFUSAL: &str = "refused a request that did not come through the gateway";

/// A `gatehouse serve auth|resources|gateway` process, which a test may kill and start again.
pub struct ServiceProcess {
    pub base: String,
    role: &'static str,
    port: u16,
    env: Vec<(String, String)>,
    /// The process's log (warnings and errors).
    log: PathBuf,
    child: Option<Child>,
}

impl ServiceProcess {
    /// Starts `role` ("auth", "resources" or "gateway") on `port` with `config`'s database,
    /// cache, public URL, internal key, telemetry and (a gateway) services, and waits until it
    /// answers `/healthz`.
    pub fn start(role: &'static str, config: &Config, port: u16) -> Self {
        let listen = match role {
            "auth" => "GATEHOUSE_AUTH__LISTEN",
            "gateway" => "GATEHOUSE_LISTEN",
            _ => "GATEHOUSE_RESOURCES__LISTEN",
        };
        let mut env = vec![
            ("GATEHOUSE_DATA_DIR", config.data_dir.display().to_string()),
            ("GATEHOUSE_DATABASE_URL", config.database_url()),
            (listen, format!("127.0.0.1:{port}")),
            ("GATEHOUSE_LOG__FILTER", "warn".to_owned()),
            ("GATEHOUSE_OPS__LISTEN", "127.0.0.1:0".to_owned()),
            ("GATEHOUSE_LOG__FORMAT", "json".to_owned()),
            ("GATEHOUSE_REDIS_NAMESPACE", config.redis_namespace.clone()),
        ];
        let optional = [
            ("GATEHOUSE_INTERNAL_KEY", config.internal_key.as_ref()),
            (
                "GATEHOUSE_ADMIN_CLIENT_SECRET",
                config.admin_client_secret.as_ref(),
            ),
            (
                "GATEHOUSE_AUTH__KEY_ENCRYPTION_KEY",
                config.auth.key_encryption_key.as_ref(),
            ),
        ];
        for (name, value) in optional {
            if let Some(value) = value {
                env.push((name, value.expose().to_owned()));
            }
        }
        for (name, value) in [
            ("GATEHOUSE_PUBLIC_URL", &config.public_url),
            ("GATEHOUSE_REDIS_URL", &config.redis_url),
            (
                "GATEHOUSE_TELEMETRY__OTLP_ENDPOINT",
                &config.telemetry.otlp_endpoint,
            ),
        ] {
            if let Some(value) = value {
                env.push((name, value.clone()));
            }
        }
        if role == "gateway" {
            let list = |urls: &gatehouse::config::Urls| format!("{:?}", urls.list());
            env.push((
                "GATEHOUSE_GATEWAY__AUTH_URL",
                list(&config.gateway.auth_url),
            ));
            env.push((
                "GATEHOUSE_GATEWAY__RESOURCES_URL",
                list(&config.gateway.resources_url),
            ));
        }
        // Spans are sent every tenth of a second, not every five.
        env.push(("OTEL_BSP_SCHEDULE_DELAY", "100".to_owned()));
        let mut process = Self {
            base: format!("http://127.0.0.1:{port}"),
            role,
            port,
            env: env.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            log: config.data_dir.join(format!("{role}-{port}.log")),
            child: None,
        };
        process.restart();
        process
    }

    /// Starts the process (again) on its port, appending to its log.
    pub fn restart(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("a log file");
        let mut child = Command::new(gatehouse_binary())
            .args(["serve", self.role])
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("the gatehouse binary starts");
        // Ready once /healthz answers: the port opens before the migrations have run.
        let healthy = |port: u16| {
            let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
            stream.write_all(b"GET /healthz HTTP/1.0\r\n\r\n").ok()?;
            let mut answer = String::new();
            stream.read_to_string(&mut answer).ok()?;
            answer.lines().next()?.contains(" 200 ").then_some(())
        };
        for _ in 0..600 {
            if healthy(self.port).is_some() {
                self.child = Some(child);
                return;
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "`gatehouse serve {}` exited ({status}): {}",
                    self.role,
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        let _ = child.kill();
        panic!(
            "`gatehouse serve {}` did not become healthy: {}",
            self.role,
            self.log()
        );
    }

    /// SIGKILL: the process dies with its connections.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// What the process has logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for ServiceProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Two instances of each service, each a process, behind one gateway in this process.
pub struct Deployment {
    pub app: TestApp,
    /// The gateway's operators' listener.
    pub gateway_ops: u16,
    pub auth: Vec<ServiceProcess>,
    pub resources: Vec<ServiceProcess>,
    config: Config,
}

impl Deployment {
    pub async fn start() -> Self {
        test_log();
        let data_dir = tempfile::tempdir().expect("dir");
        let database_url = fresh_database(data_dir.path()).await;
        let reserved = ReservedPort::new();
        let admin_secret = format!("deploy-admin-secret-{}", uuid::Uuid::new_v4().simple());
        let mut config = test_config(data_dir.path(), &database_url);
        config.public_url = Some(format!("http://127.0.0.1:{}", reserved.port()));
        config.admin_client_secret = Some(Secret::new(admin_secret.clone()));
        config.internal_key = Some(Secret::new(INTERNAL_KEY));
        config.redis_url = Some(crate::cache_backends::redis_url());
        config.redis_namespace = format!("deploy{}", uuid::Uuid::new_v4().simple());
        config.gateway.health_check_seconds = 1;
        // One after the other: the first migrates the database and creates the operator.
        let auth: Vec<ServiceProcess> = (0..2)
            .map(|_| ServiceProcess::start("auth", &config, ReservedPort::new().release()))
            .collect();
        let resources: Vec<ServiceProcess> = (0..2)
            .map(|_| ServiceProcess::start("resources", &config, ReservedPort::new().release()))
            .collect();
        let urls = |processes: &[ServiceProcess]| {
            gatehouse::config::Urls::Many(processes.iter().map(|p| p.base.clone()).collect())
        };
        config.gateway.auth_url = urls(&auth);
        config.gateway.resources_url = urls(&resources);
        config.listen = format!("127.0.0.1:{}", reserved.release());
        let (base, gateway_ops) = start_gateway(config.clone()).await;
        Self {
            gateway_ops,
            app: TestApp {
                base,
                http: reqwest::Client::new(),
                admin_secret,
                database_url,
                data_dir,
            },
            auth,
            resources,
            config,
        }
    }

    /// Another gateway in front of the same services, configured by `adjust`.
    pub async fn another_gateway(&self, adjust: impl FnOnce(&mut Config)) -> String {
        let mut config = self.config.clone();
        config.listen = "127.0.0.1:0".into();
        adjust(&mut config);
        start_gateway(config).await.0
    }

    /// Each instance's URL and health, as the gateway reports them to the operator.
    pub async fn instances(&self, operator: &str) -> Value {
        let ready: Value = self
            .app
            .http
            .get(self.app.url("/readyz"))
            .bearer_auth(operator)
            .send()
            .await
            .expect("readyz")
            .json()
            .await
            .expect("json");
        ready["checks"]["instances"].clone()
    }
}

/// A gateway in this process: its URL and its operators' port.
async fn start_gateway(config: Config) -> (String, u16) {
    let gateway = Application::build(config, Role::Gateway)
        .await
        .expect("the gateway starts");
    let base = gateway.base_url().to_owned();
    let ops = gateway.ops_port();
    tokio::spawn(gateway.run_until_stopped());
    (base, ops)
}

#[tokio::test]
async fn a_person_signs_in_through_the_split_gateway_in_chromium_and_the_app_refreshes() {
    let deployment = Deployment::start().await;
    let app = &deployment.app;
    let (third_party, callback) = loopback_app(app).await;
    // Chromium reaches the app: the auth server's 303s passed the gateway to the browser.
    let (code, verifier) = chromium_signs_in(
        app,
        &third_party,
        callback,
        &["products:read", "offline_access"],
    )
    .await;

    let tokens = app.exchange(&third_party, code, verifier).await;
    assert_eq!(
        app.get("/t/acme/api/v1/products", tokens.access_token().secret())
            .await
            .status(),
        200
    );
    let refreshed = app
        .oauth_client(&third_party)
        .exchange_refresh_token(tokens.refresh_token().expect("offline_access"))
        .request_async(&oauth_http)
        .await
        .expect("the refresh token works through the split gateway");
    assert_eq!(
        app.get("/t/acme/api/v1/products", refreshed.access_token().secret())
            .await
            .status(),
        200
    );
}

/// Signs `ada` in with a cookie-keeping client that follows no redirect, calling `midway`
/// once the login page is shown; returns the redirect's `Location`.
async fn sign_in(app: &TestApp, third_party: &App, midway: impl FnOnce()) -> String {
    let browser = Browser::new();
    let (url, _, _) = app.authorization_url(third_party, &["products:read"], &[]);
    let page = browser
        .http
        .get(url.as_str())
        .send()
        .await
        .expect("authorize");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("the login page");
    midway();
    let signed_in = browser.sign_in(app, "acme", &Form::of(&html)).await;
    assert!(
        signed_in.headers()["set-cookie"]
            .to_str()
            .expect("ascii")
            .starts_with("gh_session="),
        "the session cookie passes the gateway"
    );
    // The consent page, unless the user consented before.
    let redirected = if signed_in.status() == StatusCode::OK {
        let html = signed_in.text().await.expect("the consent page");
        browser
            .consent(app, "acme", &Form::of(&html), "approve")
            .await
    } else {
        signed_in
    };
    assert_eq!(
        redirected.status(),
        StatusCode::SEE_OTHER,
        "the redirect is handed to the browser"
    );
    redirected.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned()
}

#[tokio::test]
async fn instances_killed_mid_flow_fail_no_sign_in_and_no_api_call_and_come_back() {
    let mut deployment = Deployment::start().await;
    let app = &deployment.app;
    // The redirect URI answers on loopback: the gateway must not fetch it on anyone's behalf.
    let (third_party, callback) = loopback_app(app).await;
    let machine = app
        .register_client("acme", "products:read products:write")
        .await;
    let token = app
        .token(&machine, &["products:read", "products:write"])
        .await;
    let product = app.create_product(&token, "Widget").await;
    let operator = app.operator_token().await;

    let (auth, resources) = (&mut deployment.auth, &mut deployment.resources);
    let location = sign_in(app, &third_party, || {
        auth[0].kill();
        resources[0].kill();
    })
    .await;
    assert!(location.starts_with(&third_party.redirect), "{location}");
    assert!(query(&location).contains_key("code"));
    assert!(!callback.is_finished(), "the gateway followed no redirect");
    for i in 0..10 {
        let read = app
            .http
            .get(app.url(&product))
            .bearer_auth(&token)
            .header("cache-control", "no-cache")
            .send()
            .await
            .expect("answer");
        assert_eq!(read.status(), 200, "read {i}");
        let sku = uuid::Uuid::new_v4().simple().to_string();
        let written = app
            .post(
                "/t/acme/api/v1/products",
                &token,
                json!({"name": "Gadget", "sku": sku, "price": {"amount": 5, "currency": "EUR"}}),
            )
            .await;
        assert_eq!(written.status(), 201, "write {i}");
    }
    let next = sign_in(app, &third_party, || {}).await;
    assert!(query(&next).contains_key("code"), "the next sign-in works");
    let instances = deployment.instances(&operator).await;
    assert_eq!(instances["auth"][0]["healthy"], false, "{instances}");
    assert_eq!(instances["auth"][1]["healthy"], true, "{instances}");
    assert_eq!(instances["resources"][0]["healthy"], false, "{instances}");
    let metrics = scrape(deployment.gateway_ops).await;
    let healthy = |service, process: &ServiceProcess| {
        metrics.value(
            "gatehouse_gateway_upstream_instance_healthy",
            &[("service", service), ("instance", process.base.as_str())],
        )
    };
    assert_eq!(healthy("auth", &deployment.auth[0]), 0.0, "ejected");
    assert_eq!(healthy("auth", &deployment.auth[1]), 1.0);
    assert_eq!(healthy("resources", &deployment.resources[0]), 0.0);

    // Back on their addresses: the health checks re-admit them, and they serve.
    deployment.auth[0].restart();
    deployment.resources[0].restart();
    deployment.auth[1].kill();
    deployment.resources[1].kill();
    let mut readmitted = false;
    for _ in 0..50 {
        let instances = deployment.instances(&operator).await;
        if instances["auth"][0]["healthy"] == true && instances["resources"][0]["healthy"] == true {
            readmitted = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(readmitted, "re-admitted after an active health check");
    let app = &deployment.app;
    let again = sign_in(app, &third_party, || {}).await;
    assert!(
        query(&again).contains_key("code"),
        "served by the revived instance"
    );
    assert_eq!(app.get(&product, &token).await.status(), 200);

    // Readiness names instances to the operator only.
    let public: Value = app
        .http
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("readyz")
        .json()
        .await
        .expect("json");
    assert_eq!(public, json!({"status": "ready"}), "no internal addresses");
}

#[tokio::test]
async fn forged_identity_headers_straight_to_a_service_get_401_and_change_nothing() {
    let deployment = Deployment::start().await;
    let app = &deployment.app;
    let token = app.tenant_with_product_token("acme").await;
    let operator = app.operator_token().await;
    let tenants_before: Value = app
        .get("/admin/v1/tenants", &operator)
        .await
        .json()
        .await
        .expect("json");
    let acme_id = tenants_before["items"]
        .as_array()
        .and_then(|items| items.iter().find(|t| t["slug"] == "acme"))
        .map(|t| t["id"].as_str().expect("id").to_owned())
        .expect("acme is listed");

    let forged = |request: reqwest::RequestBuilder, tenant: &str, tenant_id: &str, scope: &str| {
        request
            .bearer_auth("x")
            .header("x-gatehouse-tenant", tenant)
            .header("x-gatehouse-tenant-id", tenant_id)
            .header("x-gatehouse-token-tenant", tenant)
            .header("x-gatehouse-subject", "admin")
            .header("x-gatehouse-client-id", "admin")
            .header("x-gatehouse-scope", scope)
    };
    let http = reqwest::Client::new();
    for auth in &deployment.auth {
        let created = forged(
            http.post(format!("{}/admin/v1/tenants", auth.base)),
            "system",
            "system",
            "platform:admin",
        )
        .json(&json!({"slug": "forged", "display_name": "Forged"}))
        .send()
        .await
        .expect("answer");
        assert_eq!(created.status(), 401);
        let body = problem(created).await;
        assert_eq!(body["type"], "urn:gatehouse:problem:unauthorized");
        // A proof made up, or made with another key, is no better than none.
        let guessed = forged(
            http.post(format!("{}/admin/v1/tenants", auth.base)),
            "system",
            "system",
            "platform:admin",
        )
        .header(
            "x-gatehouse-proof",
            format!("t={},s=AAAA", chrono::Utc::now().timestamp()),
        )
        .json(&json!({"slug": "guessed", "display_name": "Guessed"}))
        .send()
        .await
        .expect("answer");
        assert_eq!(guessed.status(), 401);
        let policy = http
            .get(format!("{}/internal/v1/tenants/acme/policy", auth.base))
            .send()
            .await
            .expect("answer");
        assert_eq!(
            policy.status(),
            401,
            "the internal API answers only the gateway"
        );
        assert_eq!(
            http.get(format!("{}/healthz", auth.base))
                .send()
                .await
                .expect("answer")
                .status(),
            200,
            "health checks need no proof"
        );
        assert_eq!(
            auth.log().matches(REFUSAL).count(),
            3,
            "one line each: {}",
            auth.log()
        );
    }
    for resources in &deployment.resources {
        let written = forged(
            http.post(format!("{}/t/acme/api/v1/products", resources.base)),
            "acme",
            &acme_id,
            "products:write",
        )
        .json(&json!({"name": "Forged", "sku": "FORGED-1", "price": {"amount": 1, "currency": "EUR"}}))
        .send()
        .await
        .expect("answer");
        assert_eq!(written.status(), 401);
        assert_eq!(
            problem(written).await["type"],
            "urn:gatehouse:problem:unauthorized"
        );
        assert_eq!(
            resources.log().matches(REFUSAL).count(),
            1,
            "{}",
            resources.log()
        );
    }

    let tenants_after: Value = app
        .get("/admin/v1/tenants", &operator)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(tenants_after, tenants_before, "no tenant was created");
    let products: Value = app
        .get("/t/acme/api/v1/products", &token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(products["total"], 0, "no product was created");
}

#[tokio::test]
async fn forwarded_addresses_count_only_from_trusted_proxies() {
    let deployment = Deployment::start().await;
    let app = &deployment.app;
    let limited = |config: &mut Config| config.gateway.rate_limits.token_endpoint_per_minute = 2;
    let untrusting = deployment.another_gateway(limited).await;
    let behind_a_proxy = deployment
        .another_gateway(|config| {
            limited(config);
            config.gateway.trusted_proxies = vec!["127.0.0.0/8".into()];
        })
        .await;
    app.create_tenant("acme").await;
    let client = app.register_client("acme", "products:read").await;
    let token_request = |gateway: &str, forwarded_for: &str| {
        app.http
            .post(format!("{gateway}/t/acme/oauth2/token"))
            .basic_auth(&client.client_id, Some(&client.client_secret))
            .header("x-forwarded-for", forwarded_for)
            .form(&[("grant_type", "client_credentials")])
            .send()
    };
    let status = |r: reqwest::Response| r.status().as_u16();

    // An untrusted peer's header is ignored: three callers' names, one budget (the peer's).
    for (i, claimed) in ["203.0.113.1", "203.0.113.2"].into_iter().enumerate() {
        assert_eq!(
            status(token_request(&untrusting, claimed).await.expect("answer")),
            200,
            "{i}"
        );
    }
    assert_eq!(
        status(
            token_request(&untrusting, "203.0.113.3")
                .await
                .expect("answer")
        ),
        429
    );

    // From a trusted proxy, the rightmost address it did not add is the caller: a budget each.
    for _ in 0..2 {
        assert_eq!(
            status(
                token_request(&behind_a_proxy, "198.51.100.1")
                    .await
                    .expect("answer")
            ),
            200
        );
    }
    assert_eq!(
        status(
            token_request(&behind_a_proxy, "198.51.100.1")
                .await
                .expect("answer")
        ),
        429,
        "the caller's own budget is spent"
    );
    assert_eq!(
        status(
            token_request(&behind_a_proxy, "198.51.100.9, 198.51.100.1")
                .await
                .expect("answer")
        ),
        429,
        "a caller cannot choose its address by prepending one"
    );
    assert_eq!(
        status(
            token_request(&behind_a_proxy, "198.51.100.2")
                .await
                .expect("answer")
        ),
        200,
        "another caller has a budget of its own"
    );
}

#[test]
fn a_service_without_the_internal_key_refuses_to_start_and_says_how_to_set_it() {
    let dir = tempfile::tempdir().expect("dir");
    for role in ["auth", "resources", "gateway"] {
        let output = Command::new(gatehouse_binary())
            .args(["serve", role])
            .env("GATEHOUSE_DATA_DIR", dir.path())
            .env("GATEHOUSE_LISTEN", "127.0.0.1:0")
            .env("GATEHOUSE_AUTH__LISTEN", "127.0.0.1:0")
            .env("GATEHOUSE_RESOURCES__LISTEN", "127.0.0.1:0")
            .env_remove("GATEHOUSE_INTERNAL_KEY")
            .output()
            .expect("the binary runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{role}: {stderr}");
        assert!(stderr.contains("`internal_key`"), "{role}: {stderr}");
        assert!(
            stderr.contains("GATEHOUSE_INTERNAL_KEY"),
            "{role}: {stderr}"
        );
    }
}
