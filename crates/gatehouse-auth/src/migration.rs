//! The auth server's schema. Its migrations are recorded in their own table, so the services
//! can share one database and still migrate independently.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migrator;

/// A `NOT NULL` point in time, read back exactly as written (to the microsecond: `updated_at`
/// guards writes and makes ETags). PostgreSQL and SQLite: `timestamp with time zone`, as
/// `schema::timestamp_with_time_zone` has always made it. MySQL/MariaDB: `datetime(6)`, because
/// sea-query's `timestamp` there drops the microseconds, and a MySQL `timestamp` ends in 2038 and
/// may update itself on every write (`explicit_defaults_for_timestamp=OFF`); the platform writes
/// UTC, which `datetime` keeps as it is.
pub(crate) fn timestamp_utc(m: &SchemaManager, col: impl IntoIden) -> ColumnDef {
    timestamp_utc_column(m, col).not_null().take()
}

/// [`timestamp_utc`] that may be `NULL`.
pub(crate) fn timestamp_utc_null(m: &SchemaManager, col: impl IntoIden) -> ColumnDef {
    timestamp_utc_column(m, col).null().take()
}

/// Text that may be `NULL` and is bounded only by the request size (a client's JWK Set):
/// `text` on PostgreSQL and SQLite, `longtext` on MySQL/MariaDB, whose `text` ends at 64 KiB.
pub(crate) fn long_text_null(m: &SchemaManager, col: impl IntoIden) -> ColumnDef {
    let mut column = ColumnDef::new(col);
    match m.get_database_backend() {
        sea_orm::DatabaseBackend::MySql => column.custom(Alias::new("longtext")),
        _ => column.text(),
    };
    column.null().take()
}

/// Adds `columns` to `table`, one statement each (SQLite alters one column at a time).
pub(crate) async fn add_columns(
    m: &SchemaManager<'_>,
    table: &str,
    columns: Vec<ColumnDef>,
) -> Result<(), DbErr> {
    for mut column in columns {
        m.alter_table(
            Table::alter()
                .table(Alias::new(table))
                .add_column(&mut column)
                .to_owned(),
        )
        .await?;
    }
    Ok(())
}

/// Drops `columns` of `table`, one statement each.
pub(crate) async fn drop_columns(
    m: &SchemaManager<'_>,
    table: &str,
    columns: &[&str],
) -> Result<(), DbErr> {
    for column in columns {
        m.alter_table(
            Table::alter()
                .table(Alias::new(table))
                .drop_column(Alias::new(*column))
                .to_owned(),
        )
        .await?;
    }
    Ok(())
}

fn timestamp_utc_column(m: &SchemaManager, col: impl IntoIden) -> ColumnDef {
    let mut column = ColumnDef::new(col);
    match m.get_database_backend() {
        sea_orm::DatabaseBackend::MySql => column.custom(Alias::new("datetime(6)")),
        _ => column.timestamp_with_time_zone(),
    };
    column
}

impl MigratorTrait for Migrator {
    fn migration_table_name() -> DynIden {
        "seaql_migrations_auth".into_iden()
    }

    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(CreateAuthTables),
            Box::new(crate::migration_002::CreateAuthorizationTables),
            Box::new(crate::migration_003::KeyRotationAndClientMetadata),
            Box::new(crate::migration_004::TenantRateLimit),
            Box::new(crate::migration_005::OpaqueAccessTokens),
            Box::new(crate::migration_006::TenantRequiresIfMatch),
            Box::new(crate::migration_007::ExpiryIndexes),
            Box::new(crate::migration_008::BrowserBoundRequests),
            Box::new(crate::migration_009::RevocationFeed),
            Box::new(crate::migration_010::UserRolesAndDisabling),
            Box::new(crate::migration_011::TenantAndClientDisabling),
            Box::new(crate::migration_012::ResourceServers),
        ]
    }
}

#[derive(DeriveMigrationName)]
struct CreateAuthTables;

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
impl MigrationTrait for CreateAuthTables {
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
