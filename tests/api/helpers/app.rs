//! Spawning a test platform: its configuration, a fresh database per test, the ports of
//! listeners started later, and the `gatehouse` binary for tests that run it.

use std::sync::OnceLock;

use gatehouse::{Application, Config, Role, Secret};
use sea_orm::{ConnectionTrait, Database, DatabaseBackend, DatabaseConnection};

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

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn db(&self) -> DatabaseConnection {
        Database::connect(&self.database_url)
            .await
            .expect("test database")
    }

    /// Makes every row of `table` expired a minute ago (its `expires_at`), as time would.
    pub async fn expire_all(&self, table: &str) {
        use sea_orm::ConnectionTrait;
        use sea_orm::sea_query::{Alias, Query};
        let db = self.db().await;
        let age = Query::update()
            .table(Alias::new(table))
            .value(
                Alias::new("expires_at"),
                chrono::Utc::now() - chrono::Duration::minutes(1),
            )
            .to_owned();
        db.execute_raw(db.get_database_backend().build(&age))
            .await
            .unwrap_or_else(|e| panic!("expire {table}: {e}"));
    }
}

/// Ports for listeners whose address must be known before they bind: below Linux's ephemeral
/// range (32768 and up by default), so that the outgoing connections of other tests, which take
/// their local ports from that range, cannot take one between its release and its bind.
const RESERVABLE_PORTS: std::ops::Range<u16> = 20_000..32_000;

/// A free loopback port, held until [`ReservedPort::release`]. For a listener whose address
/// must be known before it starts (a gateway's public URL, a child process's `--port`):
/// holding the port keeps the listeners a test starts meanwhile off it. Picked at random from
/// [`RESERVABLE_PORTS`], so that two tests seldom reach for the same port.
pub struct ReservedPort(std::net::TcpListener);

impl ReservedPort {
    pub fn new() -> Self {
        use rand::Rng;
        let mut rng = rand::thread_rng();
        for _ in 0..200 {
            let port = rng.gen_range(RESERVABLE_PORTS);
            if let Ok(listener) = std::net::TcpListener::bind(("127.0.0.1", port)) {
                return Self(listener);
            }
        }
        panic!("no free loopback port in {RESERVABLE_PORTS:?} after 200 tries")
    }

    pub fn port(&self) -> u16 {
        self.0.local_addr().expect("addr").port()
    }

    /// Frees the port for its listener, and returns it; bind it right away.
    pub fn release(self) -> u16 {
        self.port()
    }
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
