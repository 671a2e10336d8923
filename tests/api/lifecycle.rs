//! The life cycle an orchestrator sees: `gatehouse migrate` apart from `serve --no-migrate`,
//! the operators' listener, a drain on SIGTERM, a container's health check, and a start that
//! waits for its database.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use gatehouse::{Application, Migrations, Role, Secret};
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::Value;

use crate::helpers::{
    INTERNAL_KEY, ReservedPort, TestApp, fresh_database, gatehouse_binary, test_config, test_log,
};

/// A child process, killed when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// GETs `path` on a loopback port; status and JSON body.
async fn get_json(port: u16, path: &str) -> (u16, Value) {
    let response = reqwest::get(format!("http://127.0.0.1:{port}{path}"))
        .await
        .expect("an answer");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// `gatehouse migrate` on `database_url`, asserting it succeeded.
fn migrate(data_dir: &std::path::Path, database_url: &str) {
    let migrated = Command::new(gatehouse_binary())
        .arg("migrate")
        .env("GATEHOUSE_DATA_DIR", data_dir)
        .env("GATEHOUSE_DATABASE_URL", database_url)
        .output()
        .expect("the binary runs");
    assert!(
        migrated.status.success(),
        "{}",
        String::from_utf8_lossy(&migrated.stderr)
    );
}

#[tokio::test]
async fn sigterm_turns_readiness_false_and_lets_a_slow_request_finish_then_exits_0() {
    test_log();
    let data_dir = tempfile::tempdir().expect("dir");
    let database_url = fresh_database(data_dir.path()).await;
    let public = ReservedPort::new();
    let admin_secret = format!("lifecycle-admin-{}", uuid::Uuid::new_v4().simple());
    let mut config = test_config(data_dir.path(), &database_url);
    config.public_url = Some(format!("http://127.0.0.1:{}", public.port()));
    config.admin_client_secret = Some(Secret::new(admin_secret.clone()));
    config.internal_key = Some(Secret::new(INTERNAL_KEY));
    config.auth.listen = "127.0.0.1:0".into();
    let auth = Application::build(config.clone(), Role::Auth)
        .await
        .expect("auth");
    let auth_url = auth.base_url().to_owned();
    tokio::spawn(auth.run_until_stopped());
    let (slow_upstream, _) = crate::edge::recording_upstream_with(Duration::from_secs(2)).await;

    // The gateway in a process of its own, to be sent SIGTERM.
    let ops_port = ReservedPort::new().release();
    let port = public.release();
    let gateway = Process(
        Command::new(gatehouse_binary())
            .args(["serve", "gateway"])
            .env("GATEHOUSE_LISTEN", format!("127.0.0.1:{port}"))
            .env("GATEHOUSE_OPS__LISTEN", format!("127.0.0.1:{ops_port}"))
            .env("GATEHOUSE_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
            .env("GATEHOUSE_INTERNAL_KEY", INTERNAL_KEY)
            .env("GATEHOUSE_GATEWAY__AUTH_URL", &auth_url)
            .env("GATEHOUSE_GATEWAY__RESOURCES_URL", &slow_upstream)
            .env("GATEHOUSE_DATA_DIR", data_dir.path())
            .env("GATEHOUSE_LOG__FILTER", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("the gatehouse binary starts"),
    );
    let deadline = Instant::now() + Duration::from_secs(15);
    while reqwest::get(format!("http://127.0.0.1:{ops_port}/healthz"))
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "the gateway did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (status, ready) = get_json(ops_port, "/readyz").await;
    assert_eq!(status, 200, "{ready}");
    assert_eq!(
        ready["checks"]["auth"], "up",
        "details for operators: {ready}"
    );
    assert!(
        ready["checks"]["instances"]["resources"].is_array(),
        "{ready}"
    );

    let app = TestApp {
        base: format!("http://127.0.0.1:{port}"),
        http: reqwest::Client::new(),
        admin_secret,
        database_url,
        data_dir,
    };
    let token = app.tenant_with_product_token("acme").await;
    let slow = {
        let request = app
            .http
            .get(app.url("/t/acme/api/v1/products/slow"))
            .bearer_auth(&token);
        tokio::spawn(async move { request.send().await })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let pid = gateway.0.id().to_string();
    let sent = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(sent.success());

    let mut draining = false;
    for _ in 0..40 {
        let (status, body) = get_json(ops_port, "/readyz").await;
        if status == 503 && body["status"] == "draining" {
            draining = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(draining, "readiness turns false on SIGTERM");
    let answered = slow
        .await
        .expect("the request task")
        .expect("the request in flight is answered");
    assert_eq!(answered.status(), 200, "it finished");

    let mut gateway = gateway;
    let deadline = Instant::now() + Duration::from_secs(10);
    let code = loop {
        if let Some(status) = gateway.0.try_wait().expect("the gateway's status") {
            break status.code();
        }
        assert!(Instant::now() < deadline, "the gateway did not exit");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(code, Some(0), "a drained exit is a clean one");
}

#[tokio::test]
async fn migrate_runs_alone_and_serve_can_be_told_not_to() {
    test_log();
    let data_dir = tempfile::tempdir().expect("dir");
    let database_url = fresh_database(data_dir.path()).await;
    let mut config = test_config(data_dir.path(), &database_url);
    config.admin_client_secret = Some(Secret::new(format!(
        "lifecycle-admin-{}",
        uuid::Uuid::new_v4().simple()
    )));

    // Not migrated, and told not to: the start fails, saying why.
    let unmigrated = Application::build_with(config.clone(), Role::All, Migrations::Skip).await;
    assert!(unmigrated.is_err(), "no tables, no start");

    migrate(data_dir.path(), &database_url);
    let db = Database::connect(&database_url)
        .await
        .expect("the database");
    for table in ["seaql_migrations_auth", "seaql_migrations_resources"] {
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .expect("the migration table exists")
            .expect("a row");
        let n: i64 = row.try_get("", "n").expect("a count");
        assert!(n > 0, "{table} records its migrations");
    }
    drop(db);

    let app = Application::build_with(config, Role::All, Migrations::Skip)
        .await
        .expect("starts on the migrated database");
    let base = app.base_url().to_owned();
    tokio::spawn(app.run_until_stopped());
    let answer = reqwest::get(format!("{base}/t/system/jwks.json"))
        .await
        .expect("answer");
    assert_eq!(answer.status(), 200);
}

#[tokio::test]
async fn the_container_health_check_asks_the_ops_listener() {
    let data_dir = tempfile::tempdir().expect("dir");
    let database_url = fresh_database(data_dir.path()).await;
    let app = Application::build(test_config(data_dir.path(), &database_url), Role::All)
        .await
        .expect("the platform starts");
    let ops_port = app.ops_port();
    tokio::spawn(app.run_until_stopped());
    // Not std's Command: it would block this runtime, which serves the platform too.
    let check = |port: u16| async move {
        tokio::process::Command::new(gatehouse_binary())
            .arg("healthcheck")
            .env("GATEHOUSE_OPS__LISTEN", format!("0.0.0.0:{port}"))
            .output()
            .await
            .expect("the binary runs")
    };
    let healthy = check(ops_port).await;
    assert!(healthy.status.success(), "{:?}", healthy);
    let (status, body) = get_json(ops_port, "/healthz").await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ok")));
    let nobody = check(ReservedPort::new().release()).await;
    assert_eq!(nobody.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&nobody.stderr).contains("no answer"),
        "{}",
        String::from_utf8_lossy(&nobody.stderr)
    );
}

#[test]
fn start_up_waits_for_the_database_for_a_bounded_time_and_says_so() {
    let dir = tempfile::tempdir().expect("dir");
    let closed = ReservedPort::new().release();
    let started = Instant::now();
    let output = Command::new(gatehouse_binary())
        .args(["serve", "resources"])
        .env("GATEHOUSE_DATA_DIR", dir.path())
        .env(
            "GATEHOUSE_DATABASE_URL",
            format!("postgres://gatehouse@127.0.0.1:{closed}/gatehouse"),
        )
        .env("GATEHOUSE_INTERNAL_KEY", INTERNAL_KEY)
        .env("GATEHOUSE_RESOURCES__LISTEN", "127.0.0.1:0")
        .env("GATEHOUSE_OPS__LISTEN", "127.0.0.1:0")
        .env("GATEHOUSE_STARTUP_TIMEOUT_SECONDS", "2")
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("waiting for the database (key `database_url`)"),
        "says what it waits for: {stderr}"
    );
    assert!(
        stderr.contains("gave up after 2s: the database (key `database_url`) did not accept"),
        "{stderr}"
    );
    assert!(started.elapsed() >= Duration::from_secs(1), "it retried");
}

#[tokio::test]
async fn auth_servers_starting_together_on_a_new_database_all_start() {
    test_log();
    let data_dir = tempfile::tempdir().expect("dir");
    let database_url = fresh_database(data_dir.path()).await;
    migrate(data_dir.path(), &database_url);
    let admin_secret = format!("lifecycle-admin-{}", uuid::Uuid::new_v4().simple());
    let mut config = test_config(data_dir.path(), &database_url);
    config.admin_client_secret = Some(Secret::new(admin_secret.clone()));
    config.internal_key = Some(Secret::new(INTERNAL_KEY));
    config.auth.listen = "127.0.0.1:0".into();
    let start = || Application::build_with(config.clone(), Role::Auth, Migrations::Skip);
    // Each finds no installation, system tenant or operator's client, and creates them.
    let (a, b, c) = tokio::join!(start(), start(), start());
    for auth in [a, b, c] {
        let auth = auth.expect("every auth server starts");
        let ready = reqwest::get(format!("http://127.0.0.1:{}/readyz", auth.ops_port()));
        tokio::spawn(auth.run_until_stopped());
        assert_eq!(ready.await.expect("answer").status(), 200);
    }
}
