//! Column helpers shared by the services' migrations, so that the auth server and the resource
//! service lay out time and long-text columns the same way on every database. Only with the
//! `migration` feature: the gateway, which has no schema, does not build sea-orm-migration.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

/// A `NOT NULL` point in time, read back exactly as written (to the microsecond: `updated_at`
/// guards writes and makes ETags). PostgreSQL and SQLite: `timestamp with time zone`, as
/// `schema::timestamp_with_time_zone` has always made it. MySQL/MariaDB: `datetime(6)`, because
/// sea-query's `timestamp` there drops the microseconds, and a MySQL `timestamp` ends in 2038 and
/// may update itself on every write (`explicit_defaults_for_timestamp=OFF`); the platform writes
/// UTC, which `datetime` keeps as it is. Use it for every time column.
pub fn timestamp_utc(m: &SchemaManager, col: impl IntoIden) -> ColumnDef {
    timestamp_utc_column(m, col).not_null().take()
}

/// [`timestamp_utc`] that may be `NULL`.
pub fn timestamp_utc_null(m: &SchemaManager, col: impl IntoIden) -> ColumnDef {
    timestamp_utc_column(m, col).null().take()
}

/// Text that may be `NULL` and is bounded only by the request size (a client's JWK Set):
/// `text` on PostgreSQL and SQLite, `longtext` on MySQL/MariaDB, whose `text` ends at 64 KiB.
pub fn long_text_null(m: &SchemaManager, col: impl IntoIden) -> ColumnDef {
    let mut column = ColumnDef::new(col);
    match m.get_database_backend() {
        DatabaseBackend::MySql => column.custom(Alias::new("longtext")),
        _ => column.text(),
    };
    column.null().take()
}

/// Adds `columns` to `table`, one statement each (SQLite alters one column at a time).
pub async fn add_columns(
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
pub async fn drop_columns(
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
        DatabaseBackend::MySql => column.custom(Alias::new("datetime(6)")),
        _ => column.timestamp_with_time_zone(),
    };
    column
}
