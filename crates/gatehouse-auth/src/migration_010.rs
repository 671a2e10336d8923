//! Users get a role in their tenant (`user` or `admin`), and may be disabled without being
//! deleted.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::migration::{add_columns, drop_columns};

#[derive(DeriveMigrationName)]
pub struct UserRolesAndDisabling;

#[async_trait::async_trait]
impl MigrationTrait for UserRolesAndDisabling {
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
