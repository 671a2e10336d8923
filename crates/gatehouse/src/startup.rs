//! Start-up: connect and migrate the database, bootstrap, bind, and serve. `main` and the test
//! harness both go through [`Application::build`].

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context;
use futures_util::FutureExt;
use gatehouse_auth::{AuthService, Bootstrap};
use gatehouse_cache::SharedCache;
use gatehouse_gateway::{
    Balance, ForwardedHeader, Gateway, GatewayMetrics, RevocationUnknown, Upstream,
};
use gatehouse_proto::ProofKey;
use poem::endpoint::BoxEndpoint;
use poem::http::StatusCode;
use poem::listener::{Acceptor, AcceptorExt, Listener, TcpListener};
use poem::{EndpointExt, IntoEndpoint, Response, Server};
use sea_orm::sqlx::Executor;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, Statement,
};
use tracing::Instrument;

use crate::config::{BalanceConfig, Config, ForwardedHeaderConfig};
use crate::metrics::Metrics;

/// Which part of the platform this process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Role {
    /// The gateway and both services in one process.
    All,
    /// The gateway alone, reaching the services at `gateway.auth_url` and `gateway.resources_url`.
    Gateway,
    /// The auth server alone, on `auth.listen`.
    Auth,
    /// The resource service alone, on `resources.listen`.
    Resources,
}

pub struct Application {
    port: u16,
    base_url: String,
    server: BoxEndpoint<'static, Response>,
    acceptor: poem::listener::BoxAcceptor,
    ops: Ops,
}

/// The operators' listener and what it reports.
struct Ops {
    port: u16,
    acceptor: poem::listener::BoxAcceptor,
    endpoint: BoxEndpoint<'static, Response>,
    /// Set on SIGTERM: readiness turns false while in-flight requests finish.
    draining: Arc<AtomicBool>,
    drain: Duration,
}

/// reqwest (the gateway's upstreams, the trace exporter) is built without a default TLS
/// provider: this chooses one for the process. Calling it again changes nothing.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Whether migrations run at start (`serve --no-migrate` leaves them to `gatehouse migrate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Migrations {
    Run,
    Skip,
}

/// Retries `attempt` until it succeeds or `timeout` has passed, saying each time what it waits
/// for; the last error when it never succeeded.
async fn retry<T, E: std::fmt::Display, F: std::future::Future<Output = Result<T, E>>>(
    what: &str,
    timeout: Duration,
    mut attempt: impl FnMut() -> F,
) -> Result<T, E> {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut pause = Duration::from_millis(250);
    loop {
        match attempt().await {
            Ok(value) => return Ok(value),
            Err(err) if tokio::time::Instant::now() + pause < deadline => {
                tracing::warn!(error = %err, "waiting for {what}; retrying in {pause:?}");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(5));
            }
            Err(err) => return Err(err),
        }
    }
}

/// Connects to the configured database, waiting up to `startup_timeout_seconds` for a
/// database server to accept connections.
pub async fn connect(config: &Config) -> anyhow::Result<DatabaseConnection> {
    let timeout = Duration::from_secs(config.startup_timeout_seconds);
    let url = config.database_url();
    // The pool itself would retry for its whole acquire timeout without a word: wait for the
    // server's port first, saying so, then connect (a wrong password fails at once).
    if let Some(address) = server_address(&url) {
        retry("the database (key `database_url`)", timeout, || {
            tokio::time::timeout(
                Duration::from_secs(2),
                tokio::net::TcpStream::connect(address.clone()),
            )
            .map(|answer| match answer {
                Ok(Ok(_)) => Ok(()),
                Ok(Err(err)) => Err(format!("{address}: {err}")),
                Err(_) => Err(format!("{address}: no answer")),
            })
        })
        .await
        .map_err(|err| {
            anyhow::anyhow!(
                "gave up after {}s: the database (key `database_url`) did not accept a \
                 connection: {err}",
                timeout.as_secs()
            )
        })?;
    }
    connect_once(config).await
}

/// `host:port` of a database server URL (none for SQLite).
fn server_address(url: &str) -> Option<String> {
    let url = url::Url::parse(url).ok()?;
    let port = url.port().or(match url.scheme() {
        "postgres" | "postgresql" => Some(5432),
        "mysql" => Some(3306),
        _ => None,
    })?;
    Some(format!("{}:{port}", url.host_str()?))
}

async fn connect_once(config: &Config) -> anyhow::Result<DatabaseConnection> {
    let url = config.database_url();
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("creating data_dir {}", config.data_dir.display()))?;
    }
    let mut options = ConnectOptions::new(url);
    options
        .sqlx_logging(false)
        .acquire_timeout(Duration::from_secs(10))
        .max_connections(20)
        .map_sqlx_mysql_pool_opts(|pool| {
            pool.after_connect(|conn, _| {
                Box::pin(async move {
                    // PostgreSQL's isolation level rather than REPEATABLE READ, whose gap locks
                    // make concurrent inserts (idempotency keys, say) deadlock.
                    conn.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
                        .await?;
                    Ok(())
                })
            })
        });
    let db = Database::connect(options)
        .await
        .context("connecting to the database (key `database_url`)")?;
    match db.get_database_backend() {
        DatabaseBackend::Sqlite => {
            // WAL lets readers proceed while one connection writes.
            db.execute_unprepared("PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000;")
                .await
                .context("configuring SQLite")?;
        }
        DatabaseBackend::MySql => check_mysql_database(&db).await?,
        _ => {}
    }
    Ok(db)
}

/// A MySQL/MariaDB database must default to utf8mb4 (any character, not `?`) and a binary
/// collation (text compares as written, as on PostgreSQL and SQLite: `Ada` is not `ada`), so
/// that the tables the migrations create get them.
async fn check_mysql_database(db: &DatabaseConnection) -> anyhow::Result<()> {
    let row = db
        .query_one_raw(Statement::from_string(
            DatabaseBackend::MySql,
            "SELECT DATABASE() AS name, @@character_set_database AS charset, \
             @@collation_database AS collation",
        ))
        .await
        .context("reading the database's character set")?
        .context("reading the database's character set")?;
    let name: Option<String> = row.try_get("", "name")?;
    let charset: String = row.try_get("", "charset")?;
    let collation: String = row.try_get("", "collation")?;
    let Some(name) = name else {
        anyhow::bail!("`database_url` names no database (mysql://user@host/database)");
    };
    if charset != "utf8mb4" || !collation.ends_with("_bin") {
        anyhow::bail!(
            "the MySQL database `{name}` defaults to {charset} ({collation}); Gatehouse needs \
             utf8mb4 with a binary collation, so that text keeps every character and compares \
             as written. Before the first start: ALTER DATABASE `{name}` CHARACTER SET utf8mb4 \
             COLLATE utf8mb4_bin"
        );
    }
    Ok(())
}

/// The key-encryption key: configured (`auth.key_encryption_key` or `…_file`), or, next to a
/// SQLite database only (a laptop's platform, whose data stays in `data_dir`), generated once
/// into `{data_dir}/key-encryption-key` (mode 0600). A shared database needs the same key in
/// every process that opens it, so there it must be configured.
fn key_encryption(config: &Config) -> anyhow::Result<gatehouse_auth::Sealer> {
    let previous: Vec<String> = config
        .auth
        .previous_key_encryption_keys
        .iter()
        .map(|s| s.expose().to_owned())
        .collect();
    let current = if let Some(key) = &config.auth.key_encryption_key {
        key.expose().to_owned()
    } else if let Some(path) = &config.auth.key_encryption_key_file {
        let key = std::fs::read_to_string(path)
            .with_context(|| format!("reading auth.key_encryption_key_file {}", path.display()))?;
        let key = key.trim().to_owned();
        anyhow::ensure!(
            key.len() >= 32,
            "configuration key `auth.key_encryption_key_file`: {} holds fewer than 32 characters",
            path.display()
        );
        key
    } else if config.database_url().starts_with("sqlite:") {
        let path = config.data_dir.join("key-encryption-key");
        match std::fs::read_to_string(&path) {
            Ok(key) => key.trim().to_owned(),
            Err(_) => {
                let mut bytes = [0u8; 48];
                rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
                let key: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                save_secret(&path, &key)?;
                tracing::info!(path = %path.display(), "generated the key-encryption key that seals signing keys; back it up with the database");
                key
            }
        }
    } else {
        anyhow::bail!(
            "configuration key `auth.key_encryption_key` is not set: the auth server seals the \
             tenants' private signing keys with it. Set GATEHOUSE_AUTH__KEY_ENCRYPTION_KEY (or \
             auth.key_encryption_key_file) to the same random value of at least 32 characters \
             in every process that runs the auth server, e.g. `openssl rand -base64 48`, and \
             keep a copy: without it the keys cannot be read"
        )
    };
    Ok(gatehouse_auth::Sealer::new(&current, &previous))
}

pub async fn auth_service(
    config: &Config,
    db: DatabaseConnection,
    public_url: &str,
    cache: SharedCache,
) -> anyhow::Result<AuthService> {
    let auth_config = gatehouse_auth::AuthConfig {
        public_url: public_url.to_owned(),
        audience: public_url.to_owned(),
        access_token_ttl: Duration::from_secs(config.auth.access_token_ttl_seconds),
        default_signing_alg: config.auth.default_signing_alg,
        code_ttl: Duration::from_secs(config.auth.code_ttl_seconds),
        session_ttl: Duration::from_secs(config.auth.session_ttl_seconds),
        refresh_absolute_ttl: Duration::from_secs(config.auth.refresh_absolute_ttl_seconds),
        refresh_idle_ttl: Duration::from_secs(config.auth.refresh_idle_ttl_seconds),
        refresh_reuse_grace: Duration::from_secs(config.auth.refresh_reuse_grace_seconds),
        key_publish_delay: Duration::from_secs(config.auth.key_publish_seconds),
        key_rotation_interval: Duration::from_secs(config.auth.key_rotation_days * 86_400),
        login_slowdown_after: config.auth.login_slowdown_after,
        login_max_failures: config.auth.login_max_failures,
        login_lockout: Duration::from_secs(config.auth.login_lockout_seconds),
        max_concurrent_password_checks: config.auth.max_concurrent_password_checks,
        sealer: key_encryption(config)?,
    };
    let service = AuthService::new(db, auth_config, cache).await?;
    service.announce_revocations().await?;
    Ok(service)
}

/// Rotates signing keys on schedule, checking every ten minutes.
fn spawn_key_rotation(config: &Config, service: AuthService) {
    if config.auth.key_rotation_days == 0 {
        return;
    }
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(600));
        loop {
            every.tick().await;
            match service.rotate_due_keys().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(tenants = n, "scheduled key rotation"),
                Err(err) => tracing::error!(error = %err, "scheduled key rotation failed"),
            }
        }
    });
}

/// What every process with a database does with it: reports its pool in `/metrics`, and
/// deletes `tables`' expired rows every `sweeper.interval_seconds`.
fn look_after(
    config: &Config,
    db: &DatabaseConnection,
    metrics: &mut Metrics,
    tables: &[crate::sweeper::Expiring],
) {
    metrics.watch_database(db.clone());
    crate::sweeper::spawn(
        db.clone(),
        tables.to_vec(),
        Duration::from_secs(config.sweeper.interval_seconds),
        config.sweeper.batch_size,
    );
}

/// The auth server of this process: its service, bootstrapped, rotating keys on schedule, its
/// metrics registered.
async fn run_auth(
    config: &Config,
    db: &DatabaseConnection,
    public_url: &str,
    cache: SharedCache,
    metrics: &mut Metrics,
) -> anyhow::Result<AuthService> {
    let service = auth_service(config, db.clone(), public_url, cache).await?;
    bootstrap(config, &service).await?;
    spawn_key_rotation(config, service.clone());
    service
        .metrics()
        .register(metrics.registry().sub_registry_with_prefix("auth"));
    Ok(service)
}

/// Creates the system tenant and the operator's client on the first start.
async fn bootstrap(config: &Config, service: &AuthService) -> anyhow::Result<()> {
    let secret = config.admin_client_secret.as_ref().map(|s| s.expose());
    let secret_file = config.data_dir.join("admin-client-secret");
    match service.bootstrap(secret).await? {
        Bootstrap::AlreadyDone => {}
        Bootstrap::SecretFromConfig => {
            // A secret saved by an earlier start is no longer the truth.
            let _ = std::fs::remove_file(&secret_file);
        }
        Bootstrap::SecretGenerated(secret) => {
            save_secret(&secret_file, &secret)?;
            // Printed once, to the console only: it never goes through the logger.
            println!(
                "\nGatehouse created the operator's client.\n  client_id:     admin (tenant \"system\")\n  client_secret: {secret}\nThe secret is shown only now; it is also in {} (readable by you alone).\n",
                secret_file.display()
            );
        }
    }
    Ok(())
}

fn save_secret(path: &Path, secret: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("saving the admin secret to {}", path.display()))?;
    writeln!(file, "{secret}")?;
    Ok(())
}

fn problem_errors(ep: impl poem::Endpoint + 'static) -> BoxEndpoint<'static, Response> {
    ep.map_to_response()
        .catch_all_error(gatehouse_proto::problem_for_error)
        .boxed()
}

/// A service's endpoint (with problem documents for poem's errors), each request in a span of
/// `service` that continues the gateway's trace (`traceparent`) and names the request id, so
/// that the service's logs and spans join the gateway's.
fn service(
    service: &'static str,
    ep: impl poem::Endpoint + 'static,
) -> BoxEndpoint<'static, Response> {
    let ep = Arc::new(problem_errors(ep));
    poem::endpoint::make(move |req: poem::Request| {
        let ep = ep.clone();
        async move {
            let request_id = req
                .headers()
                .get(gatehouse_gateway::REQUEST_ID_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let span = tracing::info_span!(
                "service",
                otel.name = format!("{service} {}", req.method()),
                otel.kind = "server",
                service,
                request_id,
                trace_id = tracing::field::Empty,
                status = tracing::field::Empty,
            );
            if let Some(traceparent) = gatehouse_gateway::continue_trace(&span, req.headers()) {
                span.record(
                    "trace_id",
                    traceparent.split('-').nth(1).unwrap_or_default(),
                );
            }
            let response = poem::Endpoint::get_response(&*ep, req)
                .instrument(span.clone())
                .await;
            span.record("status", response.status().as_u16());
            Ok::<_, poem::Error>(response)
        }
    })
    .boxed()
}

/// A service on its own listener: with `/healthz` for the gateway's health checks, which turns
/// 503 while the process drains, so that gateways send it nothing new.
fn standalone(
    ep: impl poem::Endpoint + 'static,
    draining: Arc<AtomicBool>,
) -> BoxEndpoint<'static, Response> {
    let healthz = poem::endpoint::make_sync(move |_| {
        if draining.load(Ordering::Relaxed) {
            json_status(StatusCode::SERVICE_UNAVAILABLE, r#"{"status":"draining"}"#)
        } else {
            json_status(StatusCode::OK, r#"{"status":"ok"}"#)
        }
    });
    problem_errors(poem::Route::new().at("/healthz", healthz).nest("/", ep))
}

fn json_status(status: StatusCode, body: &'static str) -> Response {
    Response::builder()
        .status(status)
        .content_type("application/json")
        .body(body)
}

/// Brings every service's tables up to date (`gatehouse migrate`, and `serve` unless told not).
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    gatehouse_auth::migrate(db)
        .await
        .context("migrating the auth schema")?;
    gatehouse_resources::migrate(db)
        .await
        .context("migrating the resources schema")?;
    Ok(())
}

/// What a role's readiness depends on, checked by the ops listener's `/readyz`.
#[derive(Clone)]
enum Readiness {
    Gateway(Gateway),
    Database(DatabaseConnection),
}

impl Readiness {
    async fn report(&self) -> (bool, serde_json::Value) {
        match self {
            Self::Gateway(gateway) => gateway.readiness_report().await,
            Self::Database(db) => {
                let up = db.ping().await.is_ok();
                let state = if up { "up" } else { "down" };
                (up, serde_json::json!({ "database": state }))
            }
        }
    }
}

/// The operators' endpoint: `/healthz` (alive), `/readyz` (ready, with details; 503 while
/// draining or when what the role needs is down).
fn ops_endpoint(
    readiness: Readiness,
    metrics: Arc<Metrics>,
    draining: Arc<AtomicBool>,
) -> BoxEndpoint<'static, Response> {
    let exposition = poem::endpoint::make_sync(move |_| {
        Response::builder()
            .content_type(crate::metrics::CONTENT_TYPE)
            .body(metrics.encode())
    });
    let healthz = poem::endpoint::make_sync(|_| json_status(StatusCode::OK, r#"{"status":"ok"}"#));
    let readyz = poem::endpoint::make(move |_| {
        let readiness = readiness.clone();
        let draining = draining.clone();
        async move {
            if draining.load(Ordering::Relaxed) {
                return json_status(StatusCode::SERVICE_UNAVAILABLE, r#"{"status":"draining"}"#);
            }
            let (ready, checks) = readiness.report().await;
            let body = serde_json::json!({
                "status": if ready { "ready" } else { "not ready" },
                "checks": checks,
            });
            Response::builder()
                .status(if ready {
                    StatusCode::OK
                } else {
                    StatusCode::SERVICE_UNAVAILABLE
                })
                .content_type("application/json")
                .body(body.to_string())
        }
    });
    problem_errors(
        poem::Route::new()
            .at("/healthz", healthz)
            .at("/readyz", readyz)
            .at("/metrics", exposition),
    )
}

async fn bind(listen: &str, key: &str) -> anyhow::Result<(poem::listener::BoxAcceptor, u16)> {
    let acceptor = TcpListener::bind(listen.to_owned())
        .into_acceptor()
        .await
        .with_context(|| format!("binding {listen} (key `{key}`)"))?;
    let port = acceptor
        .local_addr()
        .first()
        .and_then(|a| a.as_socket_addr().map(|s| s.port()))
        .context("the listener has no TCP address")?;
    Ok((acceptor.boxed(), port))
}

fn resources_config(config: &Config) -> gatehouse_resources::ResourcesConfig {
    gatehouse_resources::ResourcesConfig {
        max_per_page: config.resources.max_per_page,
        cache_max_age_seconds: config.resources.cache_max_age_seconds,
    }
}

impl Application {
    pub async fn build(config: Config, role: Role) -> anyhow::Result<Self> {
        Self::build_with(config, role, Migrations::Run).await
    }

    pub async fn build_with(
        config: Config,
        role: Role,
        migrations: Migrations,
    ) -> anyhow::Result<Self> {
        install_crypto_provider();
        let (listen, key) = match role {
            Role::All | Role::Gateway => (&config.listen, "listen"),
            Role::Auth => (&config.auth.listen, "auth.listen"),
            Role::Resources => (&config.resources.listen, "resources.listen"),
        };
        let proof = proof_key(&config, role)?;
        let mut metrics = Metrics::default();
        let gateway_metrics = GatewayMetrics::new(config.ops.metrics_max_tenants);
        let (acceptor, port) = bind(listen, key).await?;
        let (ops_acceptor, ops_port) = bind(&config.ops_listen(role), "ops.listen").await?;
        let draining = Arc::new(AtomicBool::new(false));
        let host = listen.rsplit_once(':').map_or("127.0.0.1", |(h, _)| h);
        let base_url = format!("http://{host}:{port}");
        // Unset, the public URL is the gateway's: the address bound here when this process is
        // the gateway, its configured `listen` otherwise.
        let public_url = config.public_url.clone().unwrap_or_else(|| match role {
            Role::All | Role::Gateway => base_url.clone(),
            Role::Auth | Role::Resources => format!("http://{}", config.listen),
        });

        let cache = cache(&config).await?;
        if let Some(errors) = cache.errors() {
            metrics.registry().register(
                "redis_errors",
                "Redis operations that failed (the request went on without the cache)",
                errors,
            );
        }
        let (server, readiness) = match role {
            Role::Auth => {
                let db = connect(&config).await?;
                if migrations == Migrations::Run {
                    gatehouse_auth::migrate(&db)
                        .await
                        .context("migrating the auth schema")?;
                }
                let service = run_auth(&config, &db, &public_url, cache, &mut metrics).await?;
                look_after(&config, &db, &mut metrics, &gatehouse_auth::EXPIRING_ROWS);
                (
                    standalone(
                        self::service("auth", gatehouse_auth::endpoint(service, proof)),
                        draining.clone(),
                    ),
                    Readiness::Database(db),
                )
            }
            Role::Resources => {
                let db = connect(&config).await?;
                if migrations == Migrations::Run {
                    gatehouse_resources::migrate(&db).await?;
                }
                look_after(
                    &config,
                    &db,
                    &mut metrics,
                    &gatehouse_resources::EXPIRING_ROWS,
                );
                (
                    standalone(
                        service(
                            "resources",
                            gatehouse_resources::endpoint(
                                db.clone(),
                                resources_config(&config),
                                proof,
                            ),
                        ),
                        draining.clone(),
                    ),
                    Readiness::Database(db),
                )
            }
            Role::Gateway => {
                let balance = match config.gateway.balance {
                    BalanceConfig::RoundRobin => Balance::RoundRobin,
                    BalanceConfig::LeastOutstanding => Balance::LeastOutstanding,
                };
                let interval = Duration::from_secs(config.gateway.health_check_seconds);
                let auth = Upstream::http(
                    &config.gateway.auth_url.list(),
                    balance,
                    interval,
                    proof.clone(),
                    gateway_metrics.upstream("auth"),
                )?;
                let resources = Upstream::http(
                    &config.gateway.resources_url.list(),
                    balance,
                    interval,
                    proof,
                    gateway_metrics.upstream("resources"),
                )?;
                gateway(
                    &config,
                    &public_url,
                    (auth, resources),
                    cache,
                    &gateway_metrics,
                    &mut metrics,
                )
                .await?
            }
            Role::All => {
                let db = connect(&config).await?;
                if migrations == Migrations::Run {
                    migrate(&db).await?;
                }
                // One cache for both: the auth server announces revoked tokens in it, the
                // gateway looks for them there.
                let service =
                    run_auth(&config, &db, &public_url, cache.clone(), &mut metrics).await?;
                let both: Vec<_> = gatehouse_auth::EXPIRING_ROWS
                    .iter()
                    .chain(&gatehouse_resources::EXPIRING_ROWS)
                    .copied()
                    .collect();
                look_after(&config, &db, &mut metrics, &both);
                let auth = Upstream::in_process(
                    self::service("auth", gatehouse_auth::endpoint(service, proof.clone())),
                    proof.clone(),
                );
                let resources = Upstream::in_process(
                    self::service(
                        "resources",
                        gatehouse_resources::endpoint(db, resources_config(&config), proof.clone()),
                    ),
                    proof,
                );
                gateway(
                    &config,
                    &public_url,
                    (auth, resources),
                    cache,
                    &gateway_metrics,
                    &mut metrics,
                )
                .await?
            }
        };
        tracing::info!(?role, address = %base_url, %public_url, ops_port, "gatehouse listening");
        Ok(Self {
            port,
            base_url,
            server,
            acceptor,
            ops: Ops {
                port: ops_port,
                acceptor: ops_acceptor,
                endpoint: ops_endpoint(readiness, Arc::new(metrics), draining.clone()),
                draining,
                drain: Duration::from_secs(config.ops.drain_seconds),
            },
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://{host}:{port}` of the bound listener.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The port of the operators' listener (`/healthz`, `/readyz`, `/metrics`).
    pub fn ops_port(&self) -> u16 {
        self.ops.port
    }

    /// Serves until SIGINT or SIGTERM; then readiness turns false, no new connection is
    /// accepted, and in-flight requests get `ops.drain_seconds` to finish. The ops listener
    /// answers until the end.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let Ops {
            acceptor,
            endpoint,
            draining,
            drain,
            ..
        } = self.ops;
        let (stop_ops, ops_stopped) = tokio::sync::oneshot::channel::<()>();
        let ops = tokio::spawn(
            Server::new_with_acceptor(acceptor).run_with_graceful_shutdown(
                endpoint,
                async move {
                    let _ = ops_stopped.await;
                },
                Some(Duration::from_secs(1)),
            ),
        );
        let signal = async move {
            shutdown_signal().await;
            draining.store(true, Ordering::Relaxed);
            tracing::info!(
                drain_seconds = drain.as_secs(),
                "draining: not ready, finishing in-flight requests"
            );
        };
        let served = Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(self.server, signal, Some(drain))
            .await;
        let _ = stop_ops.send(());
        let _ = ops.await;
        tracing::info!("stopped");
        served
    }
}

/// Redis when configured (shared by every instance), else in process. Start-up waits for
/// Redis up to `startup_timeout_seconds`; one that is still down then does not stop the
/// platform: the cache is bypassed until it is back.
async fn cache(config: &Config) -> anyhow::Result<SharedCache> {
    let cache: SharedCache = gatehouse_cache::connect(
        config.redis_url.as_deref(),
        &config.redis_namespace,
        config.gateway.cache_max_bytes,
    )
    .context("connecting to Redis (key `redis_url`)")?;
    if config.redis_url.is_some() {
        let timeout = Duration::from_secs(config.startup_timeout_seconds);
        if let Err(err) = retry("Redis (key `redis_url`)", timeout, || cache.ping()).await {
            tracing::error!(
                error = %err,
                "Redis did not answer: starting without it; until it is back nothing is \
                 cached, and rate limits and revocations are not enforced"
            );
        }
    }
    Ok(cache)
}

/// The key of the gateway's proofs: configured, or (one process, where nothing crosses a
/// network) made now. Split, every process must have the same one.
fn proof_key(config: &Config, role: Role) -> anyhow::Result<ProofKey> {
    match &config.internal_key {
        Some(key) => Ok(ProofKey::new(key.expose().as_bytes())),
        None if role == Role::All => {
            let mut key = [0u8; 32];
            rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut key);
            Ok(ProofKey::new(&key))
        }
        None => anyhow::bail!(
            "configuration key `internal_key` is not set: when the services run separately, the \
             gateway proves to the auth and resource services that a request came through it \
             with a key they share. Set GATEHOUSE_INTERNAL_KEY (or internal_key in the \
             GATEHOUSE_CONFIG file) to the same random value of at least {} characters in every \
             gateway, auth and resources process, e.g. `openssl rand -base64 48`",
            gatehouse_proto::PROOF_KEY_MIN_LEN
        ),
    }
}

/// The gateway in front of `auth` and `resources`, its metrics registered, the revocation feed
/// read once before it serves (a feed that cannot be read yet, the auth server still
/// starting, say, is read again on the gateway's interval): its endpoint and readiness.
async fn gateway(
    config: &Config,
    public_url: &str,
    (auth, resources): (Upstream, Upstream),
    cache: SharedCache,
    gateway_metrics: &GatewayMetrics,
    metrics: &mut Metrics,
) -> anyhow::Result<(BoxEndpoint<'static, Response>, Readiness)> {
    gateway_metrics.register(metrics.registry().sub_registry_with_prefix("gateway"));
    let gateway_config = gatehouse_gateway::GatewayConfig {
        public_url: public_url.to_owned(),
        audience: public_url.to_owned(),
        max_body_bytes: config.gateway.max_body_bytes,
        jwks_ttl: Duration::from_secs(config.gateway.jwks_cache_seconds),
        jwks_refetch_interval: Duration::from_secs(config.gateway.jwks_refetch_seconds),
        leeway: Duration::from_secs(config.gateway.clock_leeway_seconds),
        count_cache_hits: config.gateway.count_cache_hits,
        introspection: config
            .gateway
            .introspection
            .iter()
            .map(|(tenant, c)| {
                let client = gatehouse_gateway::IntrospectionClient {
                    client_id: c.client_id.clone(),
                    client_secret: c.client_secret.expose().to_owned(),
                };
                (tenant.clone(), client)
            })
            .collect(),
        cors: gatehouse_gateway::CorsConfig {
            allowed_origins: config.gateway.cors.allowed_origins.clone(),
            tenants: config.gateway.cors.tenants.clone(),
        },
        upstream_timeout: Duration::from_secs(config.gateway.upstream_timeout_seconds),
        rate_limits: gatehouse_gateway::RateLimitConfig {
            tenant_per_minute: config.gateway.rate_limits.tenant_per_minute,
            tenant_overrides: config.gateway.rate_limits.tenants.clone(),
            client_per_minute: config.gateway.rate_limits.client_per_minute,
            token_endpoint_per_minute: config.gateway.rate_limits.token_endpoint_per_minute,
            oauth_per_minute: config.gateway.rate_limits.oauth_per_minute,
        },
        revocation_poll: Duration::from_secs(config.gateway.revocation_poll_seconds),
        revocation_unknown: match config.gateway.revocation_unknown {
            crate::config::RevocationUnknownConfig::Deny => RevocationUnknown::Deny,
            crate::config::RevocationUnknownConfig::Allow => RevocationUnknown::Allow,
        },
        trusted_proxies: gatehouse_gateway::TrustedProxies {
            networks: config.trusted_proxy_networks()?,
            header: match config.gateway.forwarded_header {
                ForwardedHeaderConfig::XForwardedFor => ForwardedHeader::XForwardedFor,
                ForwardedHeaderConfig::Forwarded => ForwardedHeader::Forwarded,
            },
        },
    };
    let gateway = Gateway::new(
        gateway_config,
        auth,
        resources,
        cache,
        gateway_metrics.clone(),
    );
    if let Err(err) = gateway.sync_revocations().await {
        tracing::warn!(error = %err, "the revocation feed could not be read yet");
    }
    let endpoint = gateway.clone().endpoint().into_endpoint().boxed();
    Ok((endpoint, Readiness::Gateway(gateway)))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
