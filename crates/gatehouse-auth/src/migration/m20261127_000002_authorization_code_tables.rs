//! Tables of the authorization code flow: browser sessions, pending authorization requests,
//! codes, consents, refresh tokens, and the access tokens issued to users (so they can be revoked). Every secret (session cookie,
//! code, refresh token) is stored only as its SHA-256 hash.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use gatehouse_proto::columns::{timestamp_utc, timestamp_utc_null};

pub(crate) struct Migration;

// The name recorded in `seaql_migrations_auth` when this migration was the module
// `migration_002` (`DeriveMigrationName` takes the module's name): renaming it would run it again.
impl MigrationName for Migration {
    fn name(&self) -> &str {
        "migration_002"
    }
}

#[derive(DeriveIden)]
enum AuthSessions {
    Table,
    IdHash,
    TenantId,
    UserId,
    AuthTime,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum AuthRequests {
    Table,
    Id,
    TenantId,
    ClientId,
    RedirectUri,
    Scope,
    State,
    Nonce,
    CodeChallenge,
    CsrfHash,
    UserId,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum AuthCodes {
    Table,
    CodeHash,
    TenantId,
    ClientId,
    UserId,
    RedirectUri,
    Scope,
    Nonce,
    CodeChallenge,
    AuthTime,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum AuthConsents {
    Table,
    Id,
    TenantId,
    UserId,
    ClientId,
    Scope,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AuthRefreshTokens {
    Table,
    Id,
    TokenHash,
    FamilyId,
    TenantId,
    ClientId,
    UserId,
    Scope,
    CodeHash,
    AuthTime,
    IssuedAt,
    FamilyExpiresAt,
    IdleExpiresAt,
    RotatedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum AuthAccessTokens {
    Table,
    Jti,
    TenantId,
    CodeHash,
    ExpiresAt,
    RevokedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AuthSessions::Table)
                .col(string_len(AuthSessions::IdHash, 64).primary_key())
                .col(uuid(AuthSessions::TenantId))
                .col(uuid(AuthSessions::UserId))
                .col(timestamp_utc(m, AuthSessions::AuthTime))
                .col(timestamp_utc(m, AuthSessions::ExpiresAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AuthRequests::Table)
                .col(string_len(AuthRequests::Id, 64).primary_key())
                .col(uuid(AuthRequests::TenantId))
                .col(uuid(AuthRequests::ClientId))
                .col(text(AuthRequests::RedirectUri))
                .col(text(AuthRequests::Scope))
                .col(text_null(AuthRequests::State))
                .col(text_null(AuthRequests::Nonce))
                .col(string_len(AuthRequests::CodeChallenge, 128))
                .col(string_len(AuthRequests::CsrfHash, 64))
                .col(uuid_null(AuthRequests::UserId))
                .col(timestamp_utc(m, AuthRequests::ExpiresAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AuthCodes::Table)
                .col(string_len(AuthCodes::CodeHash, 64).primary_key())
                .col(uuid(AuthCodes::TenantId))
                .col(uuid(AuthCodes::ClientId))
                .col(uuid(AuthCodes::UserId))
                .col(text(AuthCodes::RedirectUri))
                .col(text(AuthCodes::Scope))
                .col(text_null(AuthCodes::Nonce))
                .col(string_len(AuthCodes::CodeChallenge, 128))
                .col(timestamp_utc(m, AuthCodes::AuthTime))
                .col(timestamp_utc(m, AuthCodes::ExpiresAt))
                .col(timestamp_utc_null(m, AuthCodes::UsedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AuthConsents::Table)
                .col(pk_uuid(AuthConsents::Id))
                .col(uuid(AuthConsents::TenantId))
                .col(uuid(AuthConsents::UserId))
                .col(uuid(AuthConsents::ClientId))
                .col(text(AuthConsents::Scope))
                .col(timestamp_utc(m, AuthConsents::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("auth_consents_user_client")
                .table(AuthConsents::Table)
                .col(AuthConsents::UserId)
                .col(AuthConsents::ClientId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AuthRefreshTokens::Table)
                .col(pk_uuid(AuthRefreshTokens::Id))
                .col(string_len_uniq(AuthRefreshTokens::TokenHash, 64))
                .col(uuid(AuthRefreshTokens::FamilyId))
                .col(uuid(AuthRefreshTokens::TenantId))
                .col(uuid(AuthRefreshTokens::ClientId))
                .col(uuid(AuthRefreshTokens::UserId))
                .col(text(AuthRefreshTokens::Scope))
                .col(string_len_null(AuthRefreshTokens::CodeHash, 64))
                .col(timestamp_utc(m, AuthRefreshTokens::AuthTime))
                .col(timestamp_utc(m, AuthRefreshTokens::IssuedAt))
                .col(timestamp_utc(m, AuthRefreshTokens::FamilyExpiresAt))
                .col(timestamp_utc(m, AuthRefreshTokens::IdleExpiresAt))
                .col(timestamp_utc_null(m, AuthRefreshTokens::RotatedAt))
                .col(timestamp_utc_null(m, AuthRefreshTokens::RevokedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("auth_refresh_tokens_family")
                .table(AuthRefreshTokens::Table)
                .col(AuthRefreshTokens::FamilyId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AuthAccessTokens::Table)
                .col(string_len(AuthAccessTokens::Jti, 64).primary_key())
                .col(uuid(AuthAccessTokens::TenantId))
                .col(string_len_null(AuthAccessTokens::CodeHash, 64))
                .col(timestamp_utc(m, AuthAccessTokens::ExpiresAt))
                .col(timestamp_utc_null(m, AuthAccessTokens::RevokedAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuthAccessTokens::Table.into_iden(),
            AuthRefreshTokens::Table.into_iden(),
            AuthConsents::Table.into_iden(),
            AuthCodes::Table.into_iden(),
            AuthRequests::Table.into_iden(),
            AuthSessions::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
