//! The resource service's schema. Its migrations are tracked in their own table,
//! `seaql_migrations_resources`, because several services share one database.

use sea_orm_migration::prelude::*;

mod m20260101_000001_create_products;
mod m20261127_000002_create_idempotency_keys;
mod m20261127_000003_orders;
mod m20261202_000004_idempotency_expiry_index;

pub(crate) struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20260101_000001_create_products::Migration),
            Box::new(m20261127_000002_create_idempotency_keys::Migration),
            Box::new(m20261127_000003_orders::Migration),
            Box::new(m20261202_000004_idempotency_expiry_index::Migration),
        ]
    }

    fn migration_table_name() -> DynIden {
        "seaql_migrations_resources".into_iden()
    }
}

/// A `NOT NULL` point in time, read back to the microsecond: `timestamp with time zone` on
/// PostgreSQL and SQLite (as before), `datetime(6)` on MySQL/MariaDB, whose `timestamp` drops
/// the microseconds and ends in 2038. Use it for every time column.
pub(crate) fn timestamp_utc(m: &SchemaManager, col: impl IntoIden) -> ColumnDef {
    let mut column = ColumnDef::new(col);
    match m.get_database_backend() {
        sea_orm::DatabaseBackend::MySql => column.custom(Alias::new("datetime(6)")),
        _ => column.timestamp_with_time_zone(),
    };
    column.not_null().take()
}
