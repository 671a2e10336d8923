use std::sync::OnceLock;

use gatehouse::{Application, Config, Role, Secret};
use oauth2::basic::BasicClient;
use oauth2::{AuthType, ClientId, ClientSecret, Scope, TokenResponse, TokenUrl};
use reqwest::header::CONTENT_TYPE;
use sea_orm::{ConnectionTrait, Database, DatabaseBackend, DatabaseConnection};
use serde_json::{Value, json};

pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub admin_secret: String,
    pub database_url: String,
    pub data_dir: tempfile::TempDir,
}

pub fn test_log() {
    static INIT: OnceLock<()> = OnceLock::new();
    INIT.get_or_init(|| {
        if std::env::var_os("TEST_LOG").is_some()
            && let Ok(config) = Config::defaults()
        {
            let _ = gatehouse::telemetry::init(&config, None);
        }
    });
}

/// A fresh database URL: a new SQLite file in `dir`, or a new database on the PostgreSQL or
/// MySQL/MariaDB server named by GATEHOUSE_TEST_DATABASE_URL.
pub async fn fresh_database(dir: &std::path::Path) -> String {
    match std::env::var("GATEHOUSE_TEST_DATABASE_URL") {
        Ok(server) => {
            let admin = Database::connect(&server).await.unwrap_or_else(|e| {
                panic!(
                    "GATEHOUSE_TEST_DATABASE_URL={server} is set but unreachable ({e}); \
                     run the tests under `scripts/with-test-services.sh [--mariadb]`, which \
                     starts a PostgreSQL or MariaDB server, or unset it for SQLite"
                )
            });
            let name = format!("gh_test_{}", uuid::Uuid::new_v4().simple());
            let create = match admin.get_database_backend() {
                // What the platform asks of a MySQL database: full UTF-8, compared as written.
                DatabaseBackend::MySql => {
                    format!("CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
                }
                _ => format!("CREATE DATABASE {name}"),
            };
            admin
                .execute_unprepared(&create)
                .await
                .expect("create a test database");
            let (prefix, _) = server
                .split('?')
                .next()
                .and_then(|s| s.rsplit_once('/'))
                .expect("GATEHOUSE_TEST_DATABASE_URL names a database");
            format!("{prefix}/{name}")
        }
        Err(_) => format!("sqlite://{}?mode=rwc", dir.join("gatehouse.db").display()),
    }
}

/// The key with which a split test platform's gateway proves its requests to the services.
pub const INTERNAL_KEY: &str = "the internal key of the split test platforms";

/// The key-encryption key of the test platforms (their databases may be shared by processes).
pub const KEY_ENCRYPTION_KEY: &str = "the key-encryption key of the test platforms";

/// The configuration every test platform starts from: port 0, a temporary data folder.
pub fn test_config(data_dir: &std::path::Path, database_url: &str) -> Config {
    let mut config = Config::defaults().expect("default configuration");
    config.listen = "127.0.0.1:0".into();
    config.ops.listen = Some("127.0.0.1:0".into());
    config.auth.key_encryption_key = Some(Secret::new(KEY_ENCRYPTION_KEY));
    config.data_dir = data_dir.to_path_buf();
    config.database_url = Some(database_url.to_owned());
    config
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the whole platform through the same path as `gatehouse serve`.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    spawn_platform(adjust).await.0
}

/// `spawn_app_with`, and the port of the platform's operators' listener.
pub async fn spawn_platform(adjust: impl FnOnce(&mut Config)) -> (TestApp, u16) {
    test_log();
    let data_dir = tempfile::tempdir().expect("temp dir");
    let database_url = fresh_database(data_dir.path()).await;
    let admin_secret = format!("test-admin-secret-{}", uuid::Uuid::new_v4().simple());
    let mut config = test_config(data_dir.path(), &database_url);
    config.admin_client_secret = Some(Secret::new(admin_secret.clone()));
    adjust(&mut config);
    let app = Application::build(config, Role::All)
        .await
        .expect("the platform starts");
    let base = app.base_url().to_owned();
    let ops_port = app.ops_port();
    tokio::spawn(app.run_until_stopped());
    let app = TestApp {
        base,
        http: reqwest::Client::new(),
        admin_secret,
        database_url,
        data_dir,
    };
    (app, ops_port)
}

/// The operators' `/metrics` on `ops_port`, parsed by a Prometheus parser.
pub async fn scrape(ops_port: u16) -> Metrics {
    let response = reqwest::get(format!("http://127.0.0.1:{ops_port}/metrics"))
        .await
        .expect("/metrics answers");
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("application/openmetrics-text"),
        "the exposition format"
    );
    let text = response.text().await.expect("text");
    let lines = text.lines().map(|l| Ok(l.to_owned()));
    Metrics(prometheus_parse::Scrape::parse(lines).expect("a Prometheus exposition"))
}

pub struct Metrics(pub prometheus_parse::Scrape);

impl Metrics {
    /// The value of the sample `name` whose labels include `labels`, 0 when there is none (a
    /// series appears with its first event).
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        let matching: Vec<f64> = self
            .0
            .samples
            .iter()
            .filter(|s| s.metric == name)
            .filter(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
            .map(|s| match &s.value {
                prometheus_parse::Value::Counter(v)
                | prometheus_parse::Value::Gauge(v)
                | prometheus_parse::Value::Untyped(v) => *v,
                prometheus_parse::Value::Histogram(buckets) => buckets
                    .iter()
                    .find(|b| b.less_than.is_infinite())
                    .map_or(0.0, |b| b.count),
                prometheus_parse::Value::Summary(_) => f64::NAN,
            })
            .collect();
        assert!(matching.len() <= 1, "{name} {labels:?} names one series");
        matching.first().copied().unwrap_or(0.0)
    }
}

impl Drop for TestApp {
    /// Drops the test's PostgreSQL or MySQL database; SQLite's goes with the temporary folder.
    fn drop(&mut self) {
        let Ok(server) = std::env::var("GATEHOUSE_TEST_DATABASE_URL") else {
            return;
        };
        let Some(name) = self
            .database_url
            .rsplit('/')
            .next()
            .filter(|n| n.starts_with("gh_test_"))
            .map(str::to_owned)
        else {
            return;
        };
        // Drop runs on the test's runtime, which must not block: use a thread of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let db = Database::connect(&server).await.ok()?;
                let drop = match db.get_database_backend() {
                    DatabaseBackend::Postgres => {
                        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                    }
                    _ => format!("DROP DATABASE IF EXISTS {name}"),
                };
                db.execute_unprepared(&drop).await.ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(_))) {
            eprintln!("could not drop the test database {}", self.database_url);
        }
    }
}

/// oauth2's HTTP client interface, over reqwest.
pub async fn oauth_http(
    request: oauth2::HttpRequest,
) -> Result<oauth2::HttpResponse, reqwest::Error> {
    let (parts, body) = request.into_parts();
    let response = reqwest::Client::new()
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await?;
    let status = response.status();
    let headers = response.headers().clone();
    let mut out = oauth2::HttpResponse::new(response.bytes().await?.to_vec());
    *out.status_mut() = status;
    *out.headers_mut() = headers;
    Ok(out)
}

pub type TokenError = oauth2::RequestTokenError<
    reqwest::Error,
    oauth2::StandardErrorResponse<oauth2::basic::BasicErrorResponseType>,
>;

/// A registered client, as the admin API returned it.
#[derive(Debug, Clone)]
pub struct Registered {
    pub tenant: String,
    pub client_id: String,
    pub client_secret: String,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn db(&self) -> DatabaseConnection {
        Database::connect(&self.database_url)
            .await
            .expect("test database")
    }

    /// Gets a token the way a third-party app does: with the oauth2 crate.
    pub async fn try_token(
        &self,
        client: &Registered,
        scopes: &[&str],
        auth_type: AuthType,
    ) -> Result<String, TokenError> {
        let token_url = TokenUrl::new(self.url(&format!("/t/{}/oauth2/token", client.tenant)))
            .expect("token url");
        let oauth = BasicClient::new(ClientId::new(client.client_id.clone()))
            .set_client_secret(ClientSecret::new(client.client_secret.clone()))
            .set_auth_type(auth_type)
            .set_token_uri(token_url);
        let mut request = oauth.exchange_client_credentials();
        for scope in scopes {
            request = request.add_scope(Scope::new((*scope).to_owned()));
        }
        let response = request.request_async(&oauth_http).await?;
        Ok(response.access_token().secret().clone())
    }

    pub async fn token(&self, client: &Registered, scopes: &[&str]) -> String {
        self.try_token(client, scopes, AuthType::BasicAuth)
            .await
            .expect("a token")
    }

    pub fn operator(&self) -> Registered {
        Registered {
            tenant: "system".into(),
            client_id: "admin".into(),
            client_secret: self.admin_secret.clone(),
        }
    }

    pub async fn operator_token(&self) -> String {
        self.token(&self.operator(), &["platform:admin"]).await
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut request = self.http.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("the platform answers")
    }

    pub async fn get(&self, path: &str, token: &str) -> reqwest::Response {
        self.send(reqwest::Method::GET, path, Some(token), None)
            .await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> reqwest::Response {
        self.send(reqwest::Method::POST, path, Some(token), Some(body))
            .await
    }

    /// Creates a tenant as the operator.
    pub async fn create_tenant(&self, slug: &str) -> Value {
        let token = self.operator_token().await;
        let response = self
            .post(
                "/admin/v1/tenants",
                &token,
                json!({"slug": slug, "display_name": format!("Tenant {slug}")}),
            )
            .await;
        assert_eq!(response.status(), 201, "create tenant {slug}");
        response.json().await.expect("tenant json")
    }

    /// Registers a client in `tenant` as the operator, with `scope` and extra metadata.
    pub async fn register_client_with(&self, tenant: &str, metadata: Value) -> Registered {
        let token = self.operator_token().await;
        let response = self
            .post(&format!("/t/{tenant}/admin/v1/clients"), &token, metadata)
            .await;
        assert_eq!(response.status(), 201, "register client in {tenant}");
        let body: Value = response.json().await.expect("client json");
        Registered {
            tenant: tenant.to_owned(),
            client_id: body["client_id"].as_str().expect("client_id").to_owned(),
            client_secret: body["client_secret"]
                .as_str()
                .expect("client_secret")
                .to_owned(),
        }
    }

    pub async fn register_client(&self, tenant: &str, scope: &str) -> Registered {
        self.register_client_with(
            tenant,
            json!({"client_name": "test client", "scope": scope}),
        )
        .await
    }

    /// Creates a product of acme named `name` (any SKU) and returns its URL, asserting the 201.
    pub async fn create_product(&self, token: &str, name: &str) -> String {
        let response = self
            .post(
                "/t/acme/api/v1/products",
                token,
                json!({"name": name, "sku": uuid::Uuid::new_v4().simple().to_string(),
                       "price": {"amount": 1, "currency": "EUR"}}),
            )
            .await;
        assert_eq!(response.status(), 201);
        response.headers()["location"]
            .to_str()
            .expect("location")
            .to_owned()
    }

    /// A tenant with a client allowed every scope of the resource API, and a token for all.
    pub async fn tenant_with_shop_token(&self, slug: &str) -> String {
        self.create_tenant(slug).await;
        let scopes = [
            "products:read",
            "products:write",
            "customers:read",
            "customers:write",
            "orders:read",
            "orders:write",
        ];
        let client = self.register_client(slug, &scopes.join(" ")).await;
        self.token(&client, &scopes).await
    }

    /// A tenant with a client allowed `products:read products:write`, and a token for both.
    pub async fn tenant_with_product_token(&self, slug: &str) -> String {
        self.create_tenant(slug).await;
        let client = self
            .register_client(slug, "products:read products:write")
            .await;
        self.token(&client, &["products:read", "products:write"])
            .await
    }
}

pub async fn problem(response: reqwest::Response) -> Value {
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    response.json().await.expect("problem json")
}

/// A free loopback port, held until [`ReservedPort::release`]. For a listener whose address
/// must be known before it starts (a gateway's public URL, a child process's `--port`):
/// holding the port keeps the listeners a test starts meanwhile on port 0 off it.
pub struct ReservedPort(std::net::TcpListener);

impl ReservedPort {
    pub fn new() -> Self {
        Self(std::net::TcpListener::bind("127.0.0.1:0").expect("a free loopback port"))
    }

    pub fn port(&self) -> u16 {
        self.0.local_addr().expect("addr").port()
    }

    /// Frees the port for its listener, and returns it; bind it right away.
    pub fn release(self) -> u16 {
        self.port()
    }
}

/// The `field` of each entry of a problem's `errors`, in order.
pub fn problem_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().expect("field").to_owned())
        .collect()
}

pub fn www_authenticate(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The `gatehouse` binary next to this test binary (`make test` builds it first).
pub fn gatehouse_binary() -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let binary = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|dir| dir.join("gatehouse"))
        .expect("target directory");
    assert!(
        binary.exists(),
        "{} is missing: build it with `cargo build -p gatehouse` (make test does)",
        binary.display()
    );
    binary
}
