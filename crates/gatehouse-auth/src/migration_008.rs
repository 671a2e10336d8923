//! A pending authorization request is bound to the browser that opened it (the hash of its
//! `gh_browser` cookie), and remembers whether it asked for `prompt=consent`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::migration::{add_columns, drop_columns};

#[derive(DeriveMigrationName)]
pub struct BrowserBoundRequests;

#[async_trait::async_trait]
impl MigrationTrait for BrowserBoundRequests {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add_columns(
            m,
            "auth_requests",
            vec![
                string_null(Alias::new("browser_hash")),
                boolean(Alias::new("force_consent")).default(false).take(),
            ],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_columns(m, "auth_requests", &["browser_hash", "force_consent"]).await
    }
}
