//! The first tables: tenants, clients, users, signing keys and the installation's own
//! secrets.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use gatehouse_proto::columns::timestamp_utc;

pub(crate) struct Migration;

// The name recorded in `seaql_migrations_auth` when this migration was the module
// `migration` (`DeriveMigrationName` takes the module's name): renaming it would run it again.
impl MigrationName for Migration {
    fn name(&self) -> &str {
        "migration"
    }
}

#[derive(DeriveIden)]
enum AuthTenants {
    Table,
    Id,
    Slug,
    DisplayName,
    SigningAlg,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AuthClients {
    Table,
    Id,
    TenantId,
    ClientId,
    ClientName,
    SecretHash,
    GrantTypes,
    RedirectUris,
    Scope,
    TokenEndpointAuthMethod,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AuthUsers {
    Table,
    Id,
    TenantId,
    Username,
    Email,
    PasswordHash,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AuthSigningKeys {
    Table,
    Kid,
    TenantId,
    Alg,
    PrivatePem,
    PublicJwk,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AuthInstallation {
    Table,
    Id,
    ClientSecretKey,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AuthTenants::Table)
                .col(pk_uuid(AuthTenants::Id))
                .col(string_len_uniq(AuthTenants::Slug, 63))
                .col(string_len(AuthTenants::DisplayName, 200))
                .col(string_len(AuthTenants::SigningAlg, 10))
                .col(timestamp_utc(m, AuthTenants::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AuthClients::Table)
                .col(pk_uuid(AuthClients::Id))
                .col(uuid(AuthClients::TenantId))
                .col(string_len(AuthClients::ClientId, 100))
                .col(string_len(AuthClients::ClientName, 200))
                .col(string_len(AuthClients::SecretHash, 128))
                .col(text(AuthClients::GrantTypes))
                .col(text(AuthClients::RedirectUris))
                .col(text(AuthClients::Scope))
                .col(string_len(AuthClients::TokenEndpointAuthMethod, 40))
                .col(timestamp_utc(m, AuthClients::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(AuthClients::Table, AuthClients::TenantId)
                        .to(AuthTenants::Table, AuthTenants::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("auth_clients_tenant_client_id")
                .table(AuthClients::Table)
                .col(AuthClients::TenantId)
                .col(AuthClients::ClientId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AuthUsers::Table)
                .col(pk_uuid(AuthUsers::Id))
                .col(uuid(AuthUsers::TenantId))
                .col(string_len(AuthUsers::Username, 64))
                .col(string_len(AuthUsers::Email, 254))
                .col(text(AuthUsers::PasswordHash))
                .col(timestamp_utc(m, AuthUsers::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(AuthUsers::Table, AuthUsers::TenantId)
                        .to(AuthTenants::Table, AuthTenants::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("auth_users_tenant_username")
                .table(AuthUsers::Table)
                .col(AuthUsers::TenantId)
                .col(AuthUsers::Username)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AuthSigningKeys::Table)
                .col(string_len(AuthSigningKeys::Kid, 64).primary_key())
                .col(uuid(AuthSigningKeys::TenantId))
                .col(string_len(AuthSigningKeys::Alg, 10))
                .col(text(AuthSigningKeys::PrivatePem))
                .col(text(AuthSigningKeys::PublicJwk))
                .col(timestamp_utc(m, AuthSigningKeys::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(AuthSigningKeys::Table, AuthSigningKeys::TenantId)
                        .to(AuthTenants::Table, AuthTenants::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("auth_signing_keys_tenant")
                .table(AuthSigningKeys::Table)
                .col(AuthSigningKeys::TenantId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AuthInstallation::Table)
                .col(integer(AuthInstallation::Id).primary_key())
                .col(text(AuthInstallation::ClientSecretKey))
                .col(timestamp_utc(m, AuthInstallation::CreatedAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuthInstallation::Table.into_iden(),
            AuthSigningKeys::Table.into_iden(),
            AuthUsers::Table.into_iden(),
            AuthClients::Table.into_iden(),
            AuthTenants::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
