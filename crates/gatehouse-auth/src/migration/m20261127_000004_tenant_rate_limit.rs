//! A tenant's own rate limit, set through the admin API and read by the gateway.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub(crate) struct Migration;

// The name recorded in `seaql_migrations_auth` when this migration was the module
// `migration_004` (`DeriveMigrationName` takes the module's name): renaming it would run it again.
impl MigrationName for Migration {
    fn name(&self) -> &str {
        "migration_004"
    }
}

#[derive(DeriveIden)]
enum AuthTenants {
    Table,
    RateLimitPerMinute,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(AuthTenants::Table)
                .add_column(big_integer_null(AuthTenants::RateLimitPerMinute))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(AuthTenants::Table)
                .drop_column(AuthTenants::RateLimitPerMinute)
                .to_owned(),
        )
        .await
    }
}
