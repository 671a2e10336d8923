//! Tenants and clients may be disabled without being deleted.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use gatehouse_proto::columns::{add_columns, drop_columns};

pub(crate) struct Migration;

// The name recorded in `seaql_migrations_auth` when this migration was the module
// `migration_011` (`DeriveMigrationName` takes the module's name): renaming it would run it again.
impl MigrationName for Migration {
    fn name(&self) -> &str {
        "migration_011"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["auth_tenants", "auth_clients"] {
            add_columns(
                m,
                table,
                vec![boolean(Alias::new("disabled")).default(false).take()],
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["auth_clients", "auth_tenants"] {
            drop_columns(m, table, &["disabled"]).await?;
        }
        Ok(())
    }
}
