//! `resources_idempotency_keys`: the first answer to each `Idempotency-Key`, per tenant and
//! client, so that a retried POST is answered the same and creates nothing.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::timestamp_utc;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden)]
enum ResourcesIdempotencyKeys {
    Table,
    TenantId,
    ClientId,
    Key,
    RequestHash,
    Location,
    Body,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ResourcesIdempotencyKeys::Table)
                .col(uuid(ResourcesIdempotencyKeys::TenantId))
                .col(string_len(ResourcesIdempotencyKeys::ClientId, 100))
                .col(string_len(ResourcesIdempotencyKeys::Key, 255))
                .col(string_len(ResourcesIdempotencyKeys::RequestHash, 64))
                .col(text_null(ResourcesIdempotencyKeys::Location))
                .col(text_null(ResourcesIdempotencyKeys::Body))
                .col(timestamp_utc(m, ResourcesIdempotencyKeys::ExpiresAt))
                .primary_key(
                    Index::create()
                        .col(ResourcesIdempotencyKeys::TenantId)
                        .col(ResourcesIdempotencyKeys::ClientId)
                        .col(ResourcesIdempotencyKeys::Key),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(
            Table::drop()
                .table(ResourcesIdempotencyKeys::Table)
                .to_owned(),
        )
        .await
    }
}
