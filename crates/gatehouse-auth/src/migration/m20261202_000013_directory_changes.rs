//! The change log of tenants, clients and signing keys, which every auth process reads to
//! forget what it keeps of them in memory.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use gatehouse_proto::columns::timestamp_utc;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden)]
enum AuthDirectoryChanges {
    Table,
    Id,
    TenantSlug,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AuthDirectoryChanges::Table)
                .col(pk_auto(AuthDirectoryChanges::Id))
                .col(string_len(AuthDirectoryChanges::TenantSlug, 63))
                .col(timestamp_utc(m, AuthDirectoryChanges::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_auth_directory_changes_created_at")
                .table(AuthDirectoryChanges::Table)
                .col(AuthDirectoryChanges::CreatedAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(AuthDirectoryChanges::Table).to_owned())
            .await
    }
}
