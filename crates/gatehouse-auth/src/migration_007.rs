//! Indexes on the expiry of short-lived rows, which the sweeper deletes in batches.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct ExpiryIndexes;

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
impl MigrationTrait for ExpiryIndexes {
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
