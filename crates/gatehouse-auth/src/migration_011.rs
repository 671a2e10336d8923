//! Tenants and clients may be disabled without being deleted.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::migration::{add_columns, drop_columns};

#[derive(DeriveMigrationName)]
pub struct TenantAndClientDisabling;

#[async_trait::async_trait]
impl MigrationTrait for TenantAndClientDisabling {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["auth_tenants", "auth_clients"] {
            add_columns(
                m,
                table,
                vec![boolean(Alias::new("disabled")).default(false).take()],
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["auth_clients", "auth_tenants"] {
            drop_columns(m, table, &["disabled"]).await?;
        }
        Ok(())
    }
}
