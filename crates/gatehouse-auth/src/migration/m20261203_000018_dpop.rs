//! DPoP (RFC 9449): the client switch that requires it (`dpop_bound_access_tokens`, §5.2), the
//! key a public client's refresh token family is bound to (§5), and the key an authorization
//! request binds its code to (`dpop_jkt`, §10).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use gatehouse_proto::columns::{add_columns, drop_columns};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add_columns(
            m,
            "auth_clients",
            vec![
                boolean(Alias::new("dpop_bound_access_tokens"))
                    .default(false)
                    .take(),
            ],
        )
        .await?;
        add_columns(
            m,
            "auth_refresh_tokens",
            vec![string_len_null(Alias::new("dpop_jkt"), 64)],
        )
        .await?;
        for table in ["auth_requests", "auth_codes"] {
            add_columns(m, table, vec![string_len_null(Alias::new("dpop_jkt"), 64)]).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["auth_codes", "auth_requests", "auth_refresh_tokens"] {
            drop_columns(m, table, &["dpop_jkt"]).await?;
        }
        drop_columns(m, "auth_clients", &["dpop_bound_access_tokens"]).await
    }
}
