//! The revocation feed the gateways read: bulk revocations ("every token of this client, user
//! or tenant issued until now"), and an index to read revoked access tokens by time.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use gatehouse_proto::columns::timestamp_utc;

pub(crate) struct Migration;

// The name recorded in `seaql_migrations_auth` when this migration was the module
// `migration_009` (`DeriveMigrationName` takes the module's name): renaming it would run it again.
impl MigrationName for Migration {
    fn name(&self) -> &str {
        "migration_009"
    }
}

#[derive(DeriveIden)]
enum AuthRevocations {
    Table,
    Id,
    TenantSlug,
    Kind,
    Subject,
    IssuedBefore,
    ExpiresAt,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AuthRevocations::Table)
                .col(uuid(AuthRevocations::Id).primary_key())
                .col(string_len(AuthRevocations::TenantSlug, 63))
                .col(string_len(AuthRevocations::Kind, 16))
                .col(string_len(AuthRevocations::Subject, 255))
                .col(timestamp_utc(m, AuthRevocations::IssuedBefore))
                .col(timestamp_utc(m, AuthRevocations::ExpiresAt))
                .col(timestamp_utc(m, AuthRevocations::CreatedAt))
                .to_owned(),
        )
        .await?;
        for (name, table, column) in [
            (
                "idx_auth_revocations_created_at",
                "auth_revocations",
                "created_at",
            ),
            (
                "idx_auth_revocations_expires_at",
                "auth_revocations",
                "expires_at",
            ),
            (
                "idx_auth_access_tokens_revoked_at",
                "auth_access_tokens",
                "revoked_at",
            ),
        ] {
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
        m.drop_index(
            Index::drop()
                .name("idx_auth_access_tokens_revoked_at")
                .table(Alias::new("auth_access_tokens"))
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(AuthRevocations::Table).to_owned())
            .await
    }
}
