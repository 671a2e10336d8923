//! A tenant may require `If-Match` on every write to its resource API.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub(crate) struct Migration;

// The name recorded in `seaql_migrations_auth` when this migration was the module
// `migration_006` (`DeriveMigrationName` takes the module's name): renaming it would run it again.
impl MigrationName for Migration {
    fn name(&self) -> &str {
        "migration_006"
    }
}

#[derive(DeriveIden)]
enum AuthTenants {
    Table,
    RequireIfMatch,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(AuthTenants::Table)
                .add_column(boolean(AuthTenants::RequireIfMatch).default(false))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(AuthTenants::Table)
                .drop_column(AuthTenants::RequireIfMatch)
                .to_owned(),
        )
        .await
    }
}
