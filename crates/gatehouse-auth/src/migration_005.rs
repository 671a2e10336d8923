//! Opaque access tokens: a client may choose them instead of JWTs; their claims are kept with
//! the token's hash, for introspection.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct OpaqueAccessTokens;

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
impl MigrationTrait for OpaqueAccessTokens {
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
