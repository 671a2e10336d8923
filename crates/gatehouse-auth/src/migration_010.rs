//! Users get a role in their tenant (`user` or `admin`), and may be disabled without being
//! deleted.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct UserRolesAndDisabling;

#[derive(DeriveIden)]
enum AuthUsers {
    Table,
    Role,
    Disabled,
}

#[async_trait::async_trait]
impl MigrationTrait for UserRolesAndDisabling {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(AuthUsers::Table)
                .add_column(string_len(AuthUsers::Role, 16).default("user"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(AuthUsers::Table)
                .add_column(boolean(AuthUsers::Disabled).default(false))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [AuthUsers::Role, AuthUsers::Disabled] {
            m.alter_table(
                Table::alter()
                    .table(AuthUsers::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
