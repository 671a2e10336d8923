use sea_orm_migration::prelude::*;

use super::timestamp_utc;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden)]
enum ResourcesProducts {
    Table,
    Id,
    TenantId,
    Name,
    Description,
    PriceAmount,
    PriceCurrency,
    CreatedAt,
    UpdatedAt,
}

const TENANT_ORDER_INDEX: &str = "idx_resources_products_tenant_created_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ResourcesProducts as P;
        manager
            .create_table(
                Table::create()
                    .table(P::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(P::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(P::TenantId).uuid().not_null())
                    .col(ColumnDef::new(P::Name).text().not_null())
                    .col(ColumnDef::new(P::Description).text().not_null())
                    .col(ColumnDef::new(P::PriceAmount).big_integer().not_null())
                    .col(ColumnDef::new(P::PriceCurrency).text().not_null())
                    .col(timestamp_utc(manager, P::CreatedAt))
                    .col(timestamp_utc(manager, P::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(TENANT_ORDER_INDEX)
                    .table(P::Table)
                    .col(P::TenantId)
                    .col(P::CreatedAt)
                    .col(P::Id)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ResourcesProducts::Table).to_owned())
            .await
    }
}
