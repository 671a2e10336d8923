//! A tenant marks the clients that may introspect every access token of the tenant (resource
//! servers); other clients learn only about their own tokens.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct ResourceServers;

#[derive(DeriveIden)]
enum AuthClients {
    Table,
    ResourceServer,
}

#[async_trait::async_trait]
impl MigrationTrait for ResourceServers {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(AuthClients::Table)
                .add_column(boolean(AuthClients::ResourceServer).default(false))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(AuthClients::Table)
                .drop_column(AuthClients::ResourceServer)
                .to_owned(),
        )
        .await
    }
}
