//! The resource service's schema. Its migrations are tracked in their own table,
//! `seaql_migrations_resources`, because several services share one database.

use sea_orm_migration::prelude::*;

mod m20260101_000001_create_products;

pub(crate) struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(m20260101_000001_create_products::Migration)]
    }

    fn migration_table_name() -> DynIden {
        "seaql_migrations_resources".into_iden()
    }
}
