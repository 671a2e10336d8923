//! Opaque access tokens: a client may choose them instead of JWTs; their claims are kept with
//! the token's hash, for introspection.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub(crate) struct Migration;

// The name recorded in `seaql_migrations_auth` when this migration was the module
// `migration_005` (`DeriveMigrationName` takes the module's name): renaming it would run it again.
impl MigrationName for Migration {
    fn name(&self) -> &str {
        "migration_005"
    }
}

#[derive(DeriveIden)]
enum AuthAccessTokens {
    Table,
    Claims,
}

#[derive(DeriveIden)]
enum AuthClients {
    Table,
    AccessTokenFormat,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(AuthAccessTokens::Table)
                .add_column(text_null(AuthAccessTokens::Claims))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(AuthClients::Table)
                .add_column(string_len_null(AuthClients::AccessTokenFormat, 10))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(AuthAccessTokens::Table)
                .drop_column(AuthAccessTokens::Claims)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(AuthClients::Table)
                .drop_column(AuthClients::AccessTokenFormat)
                .to_owned(),
        )
        .await
    }
}
