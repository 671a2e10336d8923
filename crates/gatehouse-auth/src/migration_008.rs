//! A pending authorization request is bound to the browser that opened it (the hash of its
//! `gh_browser` cookie), and remembers whether it asked for `prompt=consent`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct BrowserBoundRequests;

#[derive(DeriveIden)]
enum AuthRequests {
    Table,
    BrowserHash,
    ForceConsent,
}

#[async_trait::async_trait]
impl MigrationTrait for BrowserBoundRequests {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one at a time.
        m.alter_table(
            Table::alter()
                .table(AuthRequests::Table)
                .add_column(string_null(AuthRequests::BrowserHash))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(AuthRequests::Table)
                .add_column(boolean(AuthRequests::ForceConsent).default(false))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [AuthRequests::BrowserHash, AuthRequests::ForceConsent] {
            m.alter_table(
                Table::alter()
                    .table(AuthRequests::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
