//! Pushed authorization requests (RFC 9126), the switches that require them (per client and,
//! in the tenant's OAuth policy, per tenant), and that policy: a JSON document.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use gatehouse_proto::columns::{add_columns, drop_columns, timestamp_utc, timestamp_utc_null};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden)]
enum AuthPushedRequests {
    Table,
    /// SHA-256 of the `request_uri`.
    RequestUriHash,
    TenantId,
    ClientId,
    /// The authorization request's parameters, as a JSON array of pairs.
    Params,
    ExpiresAt,
    UsedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AuthPushedRequests::Table)
                .col(string_len(AuthPushedRequests::RequestUriHash, 64).primary_key())
                .col(uuid(AuthPushedRequests::TenantId))
                .col(uuid(AuthPushedRequests::ClientId))
                .col(text(AuthPushedRequests::Params))
                .col(timestamp_utc(m, AuthPushedRequests::ExpiresAt))
                .col(timestamp_utc_null(m, AuthPushedRequests::UsedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_auth_pushed_requests_expires_at")
                .table(AuthPushedRequests::Table)
                .col(AuthPushedRequests::ExpiresAt)
                .to_owned(),
        )
        .await?;
        add_columns(
            m,
            "auth_clients",
            vec![
                boolean(Alias::new("require_pushed_authorization_requests"))
                    .default(false)
                    .take(),
            ],
        )
        .await?;
        add_columns(
            m,
            "auth_tenants",
            vec![text_null(Alias::new("oauth_policy"))],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_columns(m, "auth_tenants", &["oauth_policy"]).await?;
        drop_columns(
            m,
            "auth_clients",
            &["require_pushed_authorization_requests"],
        )
        .await?;
        m.drop_table(Table::drop().table(AuthPushedRequests::Table).to_owned())
            .await
    }
}
