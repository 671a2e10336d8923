//! A tenant marks the clients that may introspect every access token of the tenant (resource
//! servers); other clients learn only about their own tokens.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::migration::{add_columns, drop_columns};

#[derive(DeriveMigrationName)]
pub struct ResourceServers;

#[async_trait::async_trait]
impl MigrationTrait for ResourceServers {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add_columns(
            m,
            "auth_clients",
            vec![boolean(Alias::new("resource_server")).default(false).take()],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_columns(m, "auth_clients", &["resource_server"]).await
    }
}
