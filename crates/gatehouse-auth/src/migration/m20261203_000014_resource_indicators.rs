//! Resource indicators (RFC 8707): the resources an authorization request named travel with
//! it to its code and to the refresh token family the code starts.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use gatehouse_proto::columns::{add_columns, drop_columns};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

const TABLES: [&str; 3] = ["auth_requests", "auth_codes", "auth_refresh_tokens"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            add_columns(m, table, vec![text_null(Alias::new("resources"))]).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            drop_columns(m, table, &["resources"]).await?;
        }
        Ok(())
    }
}
