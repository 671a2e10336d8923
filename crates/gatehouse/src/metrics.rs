//! The operators' `/metrics`: one registry per process (not a global one, so that platforms
//! started side by side, as the tests do, count apart), holding each component's metrics and
//! the database pool's, read when scraped.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use sea_orm::{DatabaseBackend, DatabaseConnection};

/// The content type of the OpenMetrics text exposition, which Prometheus reads.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabel {
    state: &'static str,
}

pub struct Metrics {
    registry: Registry,
    database: Option<(DatabaseConnection, Family<StateLabel, Gauge>, Gauge)>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            registry: Registry::with_prefix("gatehouse"),
            database: None,
        }
    }
}

impl Metrics {
    pub fn registry(&mut self) -> &mut Registry {
        &mut self.registry
    }

    /// Reports `db`'s connection pool: connections in use and idle, and its bound. (sqlx does
    /// not tell how many callers wait for a connection; in use at the bound means they may.)
    pub fn watch_database(&mut self, db: DatabaseConnection) {
        let connections = Family::<StateLabel, Gauge>::default();
        let max = Gauge::default();
        self.registry.register(
            "db_pool_connections",
            "The database pool's connections, in use or idle",
            connections.clone(),
        );
        self.registry.register(
            "db_pool_max_connections",
            "The most connections the database pool opens",
            max.clone(),
        );
        self.database = Some((db, connections, max));
    }

    /// The exposition, with the pool read now.
    pub fn encode(&self) -> String {
        if let Some((db, connections, max)) = &self.database {
            let (size, idle, bound) = pool_stats(db);
            let idle = i64::try_from(idle).unwrap_or(i64::MAX);
            connections
                .get_or_create(&StateLabel { state: "in_use" })
                .set(i64::from(size) - idle);
            connections
                .get_or_create(&StateLabel { state: "idle" })
                .set(idle);
            max.set(i64::from(bound));
        }
        let mut text = String::new();
        if prometheus_client::encoding::text::encode(&mut text, &self.registry).is_err() {
            text.clear();
        }
        text
    }
}

/// The pool's size, idle connections and bound.
fn pool_stats(db: &DatabaseConnection) -> (u32, usize, u32) {
    match db.get_database_backend() {
        DatabaseBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
        DatabaseBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
        DatabaseBackend::MySql => {
            let pool = db.get_mysql_connection_pool();
            (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
        _ => (0, 0, 0),
    }
}
