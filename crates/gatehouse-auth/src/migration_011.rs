//! Tenants and clients may be disabled without being deleted.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct TenantAndClientDisabling;

#[derive(DeriveIden)]
enum AuthTenants {
    Table,
    Disabled,
}

#[derive(DeriveIden)]
enum AuthClients {
    Table,
    Disabled,
}

#[async_trait::async_trait]
impl MigrationTrait for TenantAndClientDisabling {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(AuthTenants::Table)
                .add_column(boolean(AuthTenants::Disabled).default(false))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(AuthClients::Table)
                .add_column(boolean(AuthClients::Disabled).default(false))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(AuthClients::Table)
                .drop_column(AuthClients::Disabled)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(AuthTenants::Table)
                .drop_column(AuthTenants::Disabled)
                .to_owned(),
        )
        .await
    }
}
