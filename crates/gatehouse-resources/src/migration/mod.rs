//! The resource service's schema. Its migrations are tracked in their own table,
//! `seaql_migrations_resources`, because several services share one database.

use sea_orm_migration::prelude::*;

// The migrations' `super::timestamp_utc`: one definition for both services' schemas.
pub(crate) use gatehouse_proto::columns::timestamp_utc;

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
