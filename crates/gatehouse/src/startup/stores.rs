//! The stores every role connects to: the database (with retries while it starts, and its
//! migrations) and the cache.

use std::time::Duration;

use anyhow::Context;
use futures_util::FutureExt;
use gatehouse_cache::SharedCache;
use sea_orm::sqlx::Executor;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, Statement,
};

use crate::config::Config;
use crate::metrics::Metrics;

/// Retries `attempt` until it succeeds or `timeout` has passed, saying each time what it waits
/// for; the last error when it never succeeded.
pub(super) async fn retry<
    T,
    E: std::fmt::Display,
    F: std::future::Future<Output = Result<T, E>>,
>(
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
pub(super) fn server_address(url: &str) -> Option<String> {
    let url = url::Url::parse(url).ok()?;
    let port = url.port().or(match url.scheme() {
        "postgres" | "postgresql" => Some(5432),
        "mysql" => Some(3306),
        _ => None,
    })?;
    Some(format!("{}:{port}", url.host_str()?))
}

pub(super) async fn connect_once(config: &Config) -> anyhow::Result<DatabaseConnection> {
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
pub(super) async fn check_mysql_database(db: &DatabaseConnection) -> anyhow::Result<()> {
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

/// What every process with a database does with it: reports its pool in `/metrics`, and
/// deletes `tables`' expired rows every `sweeper.interval_seconds`.
pub(super) fn look_after(
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

/// Redis when configured (shared by every instance), else in process. Start-up waits for
/// Redis up to `startup_timeout_seconds`; one that is still down then does not stop the
/// platform: the cache is bypassed until it is back.
pub(super) async fn cache(config: &Config) -> anyhow::Result<SharedCache> {
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
                error = %gatehouse_proto::ErrorChain(&err),
                "Redis did not answer: starting without it; until it is back nothing is \
                 cached, and rate limits and revocations are not enforced"
            );
        }
    }
    Ok(cache)
}
