//! The resource service's schema. Its migrations are tracked in their own table,
//! `seaql_migrations_resources`, because several services share one database.

use sea_orm_migration::prelude::*;

mod m20260101_000001_create_products;
mod m20261127_000002_create_idempotency_keys;
mod m20261127_000003_orders;

pub(crate) struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20260101_000001_create_products::Migration),
            Box::new(m20261127_000002_create_idempotency_keys::Migration),
            Box::new(m20261127_000003_orders::Migration),
        ]
    }

    fn migration_table_name() -> DynIden {
        "seaql_migrations_resources".into_iden()
    }
}

/// A UTC timestamp that keeps microseconds on every backend: MySQL's plain `timestamp` keeps
/// seconds only, and versions (`updated_at`) must survive a round trip exactly.
pub(crate) fn timestamp_utc<T: IntoIden>(m: &SchemaManager, column: T) -> ColumnDef {
    let mut def = ColumnDef::new(column);
    match m.get_database_backend() {
        sea_orm_migration::sea_orm::DatabaseBackend::MySql => {
            def.custom(Alias::new("timestamp(6)"))
        }
        _ => def.timestamp_with_time_zone(),
    };
    def.not_null();
    def
}
