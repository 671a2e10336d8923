//! A pending authorization request is bound to the browser that opened it (the hash of its
//! `gh_browser` cookie), and remembers whether it asked for `prompt=consent`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use gatehouse_proto::columns::{add_columns, drop_columns};

pub(crate) struct Migration;

// The name recorded in `seaql_migrations_auth` when this migration was the module
// `migration_008` (`DeriveMigrationName` takes the module's name): renaming it would run it again.
impl MigrationName for Migration {
    fn name(&self) -> &str {
        "migration_008"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
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
