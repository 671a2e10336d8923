//! Stock keeping and orders: products get a SKU (unique per tenant) and a stock count;
//! customers and orders (with their lines) appear.
//!
//! Products made before this migration get the SKU `SKU-{id}` (the id's 32 hex digits) and a
//! stock of 0, so that nothing can be ordered until someone counts it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, FromQueryResult};

use super::timestamp_utc;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden)]
enum ResourcesProducts {
    Table,
    Id,
    TenantId,
    Sku,
    Stock,
    PriceAmount,
}

#[derive(DeriveIden)]
enum ResourcesCustomers {
    Table,
    Id,
    TenantId,
    Name,
    Email,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ResourcesOrders {
    Table,
    Id,
    TenantId,
    CustomerId,
    Status,
    Currency,
    TotalAmount,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ResourcesOrderLines {
    Table,
    OrderId,
    Position,
    TenantId,
    ProductId,
    ProductName,
    Sku,
    Quantity,
    UnitAmount,
    LineAmount,
}

#[derive(FromQueryResult)]
struct ProductId {
    id: uuid::Uuid,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use ResourcesProducts as P;
        // One column per statement: SQLite alters a table one column at a time.
        m.alter_table(
            Table::alter()
                .table(P::Table)
                .add_column(string_len(P::Sku, 64).default(""))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(P::Table)
                .add_column(big_integer(P::Stock).default(0))
                .to_owned(),
        )
        .await?;
        backfill_skus(m).await?;
        m.create_index(
            Index::create()
                .name("idx_resources_products_tenant_sku")
                .table(P::Table)
                .col(P::TenantId)
                .col(P::Sku)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_resources_products_tenant_price_id")
                .table(P::Table)
                .col(P::TenantId)
                .col(P::PriceAmount)
                .col(P::Id)
                .to_owned(),
        )
        .await?;

        use ResourcesCustomers as C;
        m.create_table(
            Table::create()
                .table(C::Table)
                .col(uuid(C::Id).primary_key())
                .col(uuid(C::TenantId))
                .col(text(C::Name))
                .col(string_len(C::Email, 254))
                .col(timestamp_utc(m, C::CreatedAt))
                .col(timestamp_utc(m, C::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_resources_customers_tenant_email")
                .table(C::Table)
                .col(C::TenantId)
                .col(C::Email)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_resources_customers_tenant_created_id")
                .table(C::Table)
                .col(C::TenantId)
                .col(C::CreatedAt)
                .col(C::Id)
                .to_owned(),
        )
        .await?;

        use ResourcesOrders as O;
        m.create_table(
            Table::create()
                .table(O::Table)
                .col(uuid(O::Id).primary_key())
                .col(uuid(O::TenantId))
                .col(uuid(O::CustomerId))
                .col(string_len(O::Status, 16))
                .col(string_len(O::Currency, 3))
                .col(big_integer(O::TotalAmount))
                .col(timestamp_utc(m, O::CreatedAt))
                .col(timestamp_utc(m, O::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_resources_orders_tenant_created_id")
                .table(O::Table)
                .col(O::TenantId)
                .col(O::CreatedAt)
                .col(O::Id)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_resources_orders_tenant_customer")
                .table(O::Table)
                .col(O::TenantId)
                .col(O::CustomerId)
                .to_owned(),
        )
        .await?;

        use ResourcesOrderLines as L;
        m.create_table(
            Table::create()
                .table(L::Table)
                .col(uuid(L::OrderId))
                .col(integer(L::Position))
                .col(uuid(L::TenantId))
                .col(uuid(L::ProductId))
                .col(text(L::ProductName))
                .col(string_len(L::Sku, 64))
                .col(big_integer(L::Quantity))
                .col(big_integer(L::UnitAmount))
                .col(big_integer(L::LineAmount))
                .primary_key(Index::create().col(L::OrderId).col(L::Position))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ResourcesOrderLines::Table.into_iden(),
            ResourcesOrders::Table.into_iden(),
            ResourcesCustomers::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        for index in [
            "idx_resources_products_tenant_sku",
            "idx_resources_products_tenant_price_id",
        ] {
            m.drop_index(
                Index::drop()
                    .name(index)
                    .table(ResourcesProducts::Table)
                    .to_owned(),
            )
            .await?;
        }
        for column in [ResourcesProducts::Sku, ResourcesProducts::Stock] {
            m.alter_table(
                Table::alter()
                    .table(ResourcesProducts::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}

/// Gives every existing product its own SKU before the uniqueness index is built.
async fn backfill_skus(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = m.get_connection();
    let backend = m.get_database_backend();
    let select = Query::select()
        .column(ResourcesProducts::Id)
        .from(ResourcesProducts::Table)
        .and_where(Expr::col(ResourcesProducts::Sku).eq(""))
        .to_owned();
    let rows = ProductId::find_by_statement(backend.build(&select))
        .all(db)
        .await?;
    for row in rows {
        let update = Query::update()
            .table(ResourcesProducts::Table)
            .value(ResourcesProducts::Sku, format!("SKU-{}", row.id.simple()))
            .and_where(Expr::col(ResourcesProducts::Id).eq(row.id))
            .to_owned();
        db.execute(&update).await?;
    }
    Ok(())
}
