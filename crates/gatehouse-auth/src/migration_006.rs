//! A tenant may require `If-Match` on every write to its resource API.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct TenantRequiresIfMatch;

#[derive(DeriveIden)]
enum AuthTenants {
    Table,
    RequireIfMatch,
}

#[async_trait::async_trait]
impl MigrationTrait for TenantRequiresIfMatch {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(AuthTenants::Table)
                .add_column(boolean(AuthTenants::RequireIfMatch).default(false))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(AuthTenants::Table)
                .drop_column(AuthTenants::RequireIfMatch)
                .to_owned(),
        )
        .await
    }
}
