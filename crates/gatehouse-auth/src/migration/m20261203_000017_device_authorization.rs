//! The device authorization grant (RFC 8628): a device's pending authorization, found by its
//! device code (hashed) or by the short user code a person types in; and the pending browser
//! request that answers one.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use gatehouse_proto::columns::{add_columns, drop_columns, timestamp_utc, timestamp_utc_null};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden)]
enum AuthDeviceCodes {
    Table,
    /// SHA-256 of the device code.
    DeviceCodeHash,
    /// The code a person types: 8 letters, without the dash; only good for a person to approve
    /// with their own sign-in, and for 10 minutes.
    UserCode,
    TenantId,
    ClientId,
    Scope,
    Resources,
    /// `pending`, `approved`, `denied` or `spent`.
    Status,
    UserId,
    AuthTime,
    /// Seconds the device must wait between polls; grows with each `slow_down`.
    Interval,
    LastPolledAt,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AuthDeviceCodes::Table)
                .col(string_len(AuthDeviceCodes::DeviceCodeHash, 64).primary_key())
                .col(string_len_uniq(AuthDeviceCodes::UserCode, 16))
                .col(uuid(AuthDeviceCodes::TenantId))
                .col(uuid(AuthDeviceCodes::ClientId))
                .col(text(AuthDeviceCodes::Scope))
                .col(text_null(AuthDeviceCodes::Resources))
                .col(string_len(AuthDeviceCodes::Status, 16))
                .col(uuid_null(AuthDeviceCodes::UserId))
                .col(timestamp_utc_null(m, AuthDeviceCodes::AuthTime))
                .col(integer(AuthDeviceCodes::Interval))
                .col(timestamp_utc_null(m, AuthDeviceCodes::LastPolledAt))
                .col(timestamp_utc(m, AuthDeviceCodes::ExpiresAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_auth_device_codes_expires_at")
                .table(AuthDeviceCodes::Table)
                .col(AuthDeviceCodes::ExpiresAt)
                .to_owned(),
        )
        .await?;
        add_columns(
            m,
            "auth_requests",
            vec![string_len_null(Alias::new("device_code_hash"), 64)],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_columns(m, "auth_requests", &["device_code_hash"]).await?;
        m.drop_table(Table::drop().table(AuthDeviceCodes::Table).to_owned())
            .await
    }
}
