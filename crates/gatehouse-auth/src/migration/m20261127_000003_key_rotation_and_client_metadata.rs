//! Key rotation (when a key starts and stops signing, when it leaves the JWKS), OpenID Connect
//! and `private_key_jwt` client metadata, and per-tenant refresh token lifetimes.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use gatehouse_proto::columns::{long_text_null, timestamp_utc_null};

pub(crate) struct Migration;

// The name recorded in `seaql_migrations_auth` when this migration was the module
// `migration_003` (`DeriveMigrationName` takes the module's name): renaming it would run it again.
impl MigrationName for Migration {
    fn name(&self) -> &str {
        "migration_003"
    }
}

#[derive(DeriveIden)]
enum AuthSigningKeys {
    Table,
    ActivatesAt,
    RetiresAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum AuthClients {
    Table,
    IdTokenSignedResponseAlg,
    Jwks,
}

#[derive(DeriveIden)]
enum AuthTenants {
    Table,
    RefreshIdleSeconds,
    RefreshAbsoluteSeconds,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for column in [
            timestamp_utc_null(m, AuthSigningKeys::ActivatesAt),
            timestamp_utc_null(m, AuthSigningKeys::RetiresAt),
            timestamp_utc_null(m, AuthSigningKeys::ExpiresAt),
        ] {
            m.alter_table(
                Table::alter()
                    .table(AuthSigningKeys::Table)
                    .add_column(column)
                    .to_owned(),
            )
            .await?;
        }
        for column in [
            string_len_null(AuthClients::IdTokenSignedResponseAlg, 10),
            long_text_null(m, AuthClients::Jwks),
        ] {
            m.alter_table(
                Table::alter()
                    .table(AuthClients::Table)
                    .add_column(column)
                    .to_owned(),
            )
            .await?;
        }
        for column in [
            big_integer_null(AuthTenants::RefreshIdleSeconds),
            big_integer_null(AuthTenants::RefreshAbsoluteSeconds),
        ] {
            m.alter_table(
                Table::alter()
                    .table(AuthTenants::Table)
                    .add_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let drops = [
            (
                AuthSigningKeys::Table.into_iden(),
                AuthSigningKeys::ActivatesAt.into_iden(),
            ),
            (
                AuthSigningKeys::Table.into_iden(),
                AuthSigningKeys::RetiresAt.into_iden(),
            ),
            (
                AuthSigningKeys::Table.into_iden(),
                AuthSigningKeys::ExpiresAt.into_iden(),
            ),
            (
                AuthClients::Table.into_iden(),
                AuthClients::IdTokenSignedResponseAlg.into_iden(),
            ),
            (
                AuthClients::Table.into_iden(),
                AuthClients::Jwks.into_iden(),
            ),
            (
                AuthTenants::Table.into_iden(),
                AuthTenants::RefreshIdleSeconds.into_iden(),
            ),
            (
                AuthTenants::Table.into_iden(),
                AuthTenants::RefreshAbsoluteSeconds.into_iden(),
            ),
        ];
        for (table, column) in drops {
            m.alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
