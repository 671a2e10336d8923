//! Dynamic client registration (RFC 7591, RFC 7592): the initial access tokens a tenant admin
//! hands out, and each registered client's registration access token (its SHA-256).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use gatehouse_proto::columns::{add_columns, drop_columns, timestamp_utc};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden)]
enum AuthInitialAccessTokens {
    Table,
    Id,
    TenantId,
    /// SHA-256 of the token.
    TokenHash,
    CreatedAt,
    ExpiresAt,
    /// Registrations it still allows; unlimited when null.
    RemainingUses,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AuthInitialAccessTokens::Table)
                .col(uuid(AuthInitialAccessTokens::Id).primary_key())
                .col(uuid(AuthInitialAccessTokens::TenantId))
                .col(string_len_uniq(AuthInitialAccessTokens::TokenHash, 64))
                .col(timestamp_utc(m, AuthInitialAccessTokens::CreatedAt))
                .col(timestamp_utc(m, AuthInitialAccessTokens::ExpiresAt))
                .col(integer_null(AuthInitialAccessTokens::RemainingUses))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_auth_initial_access_tokens_expires_at")
                .table(AuthInitialAccessTokens::Table)
                .col(AuthInitialAccessTokens::ExpiresAt)
                .to_owned(),
        )
        .await?;
        add_columns(
            m,
            "auth_clients",
            vec![string_len_null(Alias::new("registration_token_hash"), 64)],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_columns(m, "auth_clients", &["registration_token_hash"]).await?;
        m.drop_table(
            Table::drop()
                .table(AuthInitialAccessTokens::Table)
                .to_owned(),
        )
        .await
    }
}
