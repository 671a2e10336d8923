//! Indexes on the expiry of short-lived rows, which the sweeper deletes in batches.

use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

// The name recorded in `seaql_migrations_auth` when this migration was the module
// `migration_007` (`DeriveMigrationName` takes the module's name): renaming it would run it again.
impl MigrationName for Migration {
    fn name(&self) -> &str {
        "migration_007"
    }
}

/// (index, table, column)
const INDEXES: [(&str, &str, &str); 5] = [
    (
        "idx_auth_requests_expires_at",
        "auth_requests",
        "expires_at",
    ),
    ("idx_auth_codes_expires_at", "auth_codes", "expires_at"),
    (
        "idx_auth_sessions_expires_at",
        "auth_sessions",
        "expires_at",
    ),
    (
        "idx_auth_access_tokens_expires_at",
        "auth_access_tokens",
        "expires_at",
    ),
    (
        "idx_auth_refresh_tokens_family_expires_at",
        "auth_refresh_tokens",
        "family_expires_at",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, column) in INDEXES {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(Alias::new(table))
                    .col(Alias::new(column))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _) in INDEXES {
            m.drop_index(Index::drop().name(name).table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
