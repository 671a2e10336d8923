//! Revocation (RFC 7009) of single tokens, and announcing revoked access tokens to the
//! gateway through the shared cache.

use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, TimeZone, Utc};
use gatehouse_cache::Key;
use gatehouse_proto::ErrorChain;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};

use crate::entity::{access_token, refresh_token, tenant};
use crate::error::AuthError;
use crate::secrets::sha256_hex;
use crate::service::AuthService;
use crate::service::tokens::{ClientAuth, TokenError};

impl AuthService {
    /// RFC 7009. A client may revoke only its own tokens; a refresh token takes its whole
    /// family and the access tokens of the same authorization with it. Unknown tokens are not
    /// an error.
    #[tracing::instrument(skip_all, fields(tenant = %tenant_slug, client_id = %auth.client_id))]
    pub async fn revoke(
        &self,
        tenant_slug: &str,
        auth: ClientAuth,
        token: &str,
    ) -> Result<(), TokenError> {
        let tenant = self
            .active_tenant(tenant_slug)
            .await?
            .ok_or(TokenError::UnknownTenant)?;
        let client = self.authenticate_client(&tenant, &auth).await?;
        if let Some(claims) = self.verify_own_access_token(&tenant, token).await? {
            if claims.client_id != client.client_id {
                return Ok(());
            }
            let expires_at = Utc
                .timestamp_opt(claims.exp, 0)
                .single()
                .unwrap_or_else(Utc::now);
            let existing = access_token::Entity::find_by_id(claims.jti.clone())
                .one(&self.db)
                .await?;
            if existing.is_none() {
                let tx = self.db.begin().await?;
                access_token::ActiveModel {
                    jti: Set(claims.jti.clone()),
                    tenant_id: Set(tenant.id),
                    code_hash: Set(None),
                    expires_at: Set(expires_at),
                    revoked_at: Set(Some(Utc::now())),
                    claims: Set(None),
                }
                .insert(&tx)
                .await?;
                // Introspection's memory of live tokens is the tenant's: it is forgotten.
                self.commit_change(tx, &tenant.slug).await?;
                self.announce(&tenant, &[(claims.jti, expires_at)]).await;
            } else {
                self.revoke_access_tokens(&tenant, access_token::Column::Jti.eq(claims.jti))
                    .await?;
            }
            return Ok(());
        }
        let row = refresh_token::Entity::find()
            .filter(refresh_token::Column::TokenHash.eq(sha256_hex(token)))
            .filter(refresh_token::Column::TenantId.eq(tenant.id))
            .one(&self.db)
            .await?;
        if let Some(row) = row.filter(|r| r.client_id == client.id) {
            self.revoke_family(&tenant, row.family_id).await?;
        }
        Ok(())
    }

    /// Marks the matching access tokens revoked and announces them to the gateway.
    pub(in crate::service) async fn revoke_access_tokens(
        &self,
        tenant: &tenant::Model,
        filter: sea_orm::sea_query::SimpleExpr,
    ) -> Result<(), AuthError> {
        let rows = access_token::Entity::find()
            .filter(access_token::Column::TenantId.eq(tenant.id))
            .filter(access_token::Column::RevokedAt.is_null())
            .filter(filter.clone())
            .all(&self.db)
            .await?;
        if rows.is_empty() {
            return Ok(());
        }
        let tx = self.db.begin().await?;
        access_token::Entity::update_many()
            .col_expr(access_token::Column::RevokedAt, Expr::value(Utc::now()))
            .filter(access_token::Column::TenantId.eq(tenant.id))
            .filter(filter)
            .exec(&tx)
            .await?;
        self.commit_change(tx, &tenant.slug).await?;
        let revoked: Vec<(String, DateTime<Utc>)> =
            rows.into_iter().map(|r| (r.jti, r.expires_at)).collect();
        self.announce(tenant, &revoked).await;
        Ok(())
    }

    pub(in crate::service) async fn revoke_access_tokens_of_code(
        &self,
        tenant: &tenant::Model,
        code_hash: &str,
    ) -> Result<(), TokenError> {
        self.revoke_access_tokens(tenant, access_token::Column::CodeHash.eq(code_hash))
            .await?;
        Ok(())
    }

    async fn announce(&self, tenant: &tenant::Model, revoked: &[(String, DateTime<Utc>)]) {
        let now = Utc::now();
        for (jti, expires_at) in revoked {
            let Ok(left) = (*expires_at - now).to_std() else {
                continue;
            };
            let key = Key::revoked(&tenant.slug, jti);
            let ttl = left + Duration::from_secs(60);
            if let Err(err) = self.cache.set(&key, Bytes::from_static(b"1"), ttl).await {
                tracing::error!(error = %ErrorChain(&err), tenant = %tenant.slug, "could not announce a revoked token to the gateway");
            }
        }
    }

    /// Announces every revoked, unexpired access token again: after a restart the in-process
    /// cache starts empty.
    pub async fn announce_revocations(&self) -> Result<(), AuthError> {
        let rows = access_token::Entity::find()
            .filter(access_token::Column::RevokedAt.is_not_null())
            .filter(access_token::Column::ExpiresAt.gt(Utc::now()))
            .all(&self.db)
            .await?;
        let tenants = tenant::Entity::find().all(&self.db).await?;
        for tenant in tenants {
            let revoked: Vec<(String, DateTime<Utc>)> = rows
                .iter()
                .filter(|r| r.tenant_id == tenant.id)
                .map(|r| (r.jti.clone(), r.expires_at))
                .collect();
            self.announce(&tenant, &revoked).await;
        }
        Ok(())
    }
}
