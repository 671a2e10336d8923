//! Users get a role in their tenant (`user` or `admin`), and may be disabled without being
//! deleted.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use gatehouse_proto::columns::{add_columns, drop_columns};

pub(crate) struct Migration;

// The name recorded in `seaql_migrations_auth` when this migration was the module
// `migration_010` (`DeriveMigrationName` takes the module's name): renaming it would run it again.
impl MigrationName for Migration {
    fn name(&self) -> &str {
        "migration_010"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add_columns(
            m,
            "auth_users",
            vec![
                string_len(Alias::new("role"), 16).default("user").take(),
                boolean(Alias::new("disabled")).default(false).take(),
            ],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_columns(m, "auth_users", &["role", "disabled"]).await
    }
}
