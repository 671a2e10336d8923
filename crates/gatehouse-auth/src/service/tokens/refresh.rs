//! The refresh token grant with rotation: each use returns a successor and retires the
//! token; a retired token used again after the grace period revokes its whole family.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};
use uuid::Uuid;

use super::{Subject, TokenError, TokenSet, down_select, grants, split, ttl};
use crate::entity::{client, refresh_token, tenant};
use crate::secrets::sha256_hex;
use crate::service::AuthService;
use crate::service::directory::TenantEntry;

impl AuthService {
    /// The refresh token grant (RFC 6749 §6) with rotation (RFC 9700 §4.14.2): each use
    /// returns a successor and retires the token. A retired token used again revokes its
    /// family, unless within the grace period, where it gets the same successor.
    #[tracing::instrument(skip_all)]
    pub(super) async fn refresh(
        &self,
        tenant: &TenantEntry,
        client: &client::Model,
        presented: &str,
        (requested_scope, requested_resource): (Option<&str>, Option<&str>),
        jkt: Option<&str>,
    ) -> Result<TokenSet, TokenError> {
        if !grants(client, "refresh_token") {
            return Err(TokenError::UnauthorizedClient(
                "this client may not use the refresh_token grant".into(),
            ));
        }
        let invalid = |why: &str| TokenError::InvalidGrant(why.to_owned());
        let row = refresh_token::Entity::find()
            .filter(refresh_token::Column::TokenHash.eq(sha256_hex(presented)))
            .filter(refresh_token::Column::TenantId.eq(tenant.id))
            .one(&self.db)
            .await?
            .ok_or_else(|| invalid("the refresh token is not valid"))?;
        if row.client_id != client.id {
            return Err(invalid("the refresh token was issued to another client"));
        }
        if row.revoked_at.is_some() {
            return Err(invalid("the refresh token has been revoked"));
        }
        let now = Utc::now();
        if now >= row.family_expires_at || now >= row.idle_expires_at {
            return Err(invalid("the refresh token has expired"));
        }
        // A public client's family is bound to its DPoP key (RFC 9449 §5).
        if let Some(bound) = &row.dpop_jkt
            && jkt != Some(bound.as_str())
        {
            return Err(gatehouse_proto::DpopError::WrongKey.into());
        }
        let scope = narrowed_scope(&row.scope, requested_scope)?;
        let resource =
            self.pick_resource(&tenant.slug, row.resources.as_deref(), requested_resource)?;
        // The successor is derived from the token, so that a refresh inside the grace period
        // returns the very same one without the server keeping it in clear.
        let successor = self.hasher.derive("refresh-successor", presented);
        let grace = ttl(self.config.refresh_reuse_grace);
        if let Some(rotated_at) = row.rotated_at {
            if now - rotated_at > grace {
                self.revoke_family(tenant, row.family_id).await?;
                tracing::warn!(tenant = %tenant.slug, client_id = %client.client_id, "rotated refresh token reused; its family is revoked");
                return Err(invalid(
                    "the refresh token was already used; its whole family is revoked",
                ));
            }
        } else {
            self.rotate(tenant, &row, &successor, now).await?;
        }
        let subject = Subject {
            user: Some(row.user_id),
            auth_time: Some(row.auth_time),
            code_hash: row.code_hash.as_deref(),
            nonce: None,
            resource: resource.as_deref(),
            act: None,
            jkt,
        };
        self.tokens(tenant, client, &subject, &scope, Some(successor))
            .await
    }

    /// Retires `row` and stores its successor, unless a concurrent refresh did first: that
    /// one stored the same successor, so the loser returns it too.
    async fn rotate(
        &self,
        tenant: &TenantEntry,
        row: &refresh_token::Model,
        successor: &str,
        now: DateTime<Utc>,
    ) -> Result<(), TokenError> {
        let tx = self.db.begin().await?;
        let won = refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::RotatedAt, Expr::value(now))
            .filter(refresh_token::Column::Id.eq(row.id))
            .filter(refresh_token::Column::RotatedAt.is_null())
            .exec(&tx)
            .await?
            .rows_affected
            == 1;
        if won {
            refresh_token::ActiveModel {
                id: Set(Uuid::now_v7()),
                token_hash: Set(sha256_hex(successor)),
                family_id: Set(row.family_id),
                tenant_id: Set(row.tenant_id),
                client_id: Set(row.client_id),
                user_id: Set(row.user_id),
                scope: Set(row.scope.clone()),
                code_hash: Set(row.code_hash.clone()),
                auth_time: Set(row.auth_time),
                issued_at: Set(now),
                family_expires_at: Set(row.family_expires_at),
                idle_expires_at: Set(
                    (now + self.refresh_lifetimes(tenant).0).min(row.family_expires_at)
                ),
                rotated_at: Set(None),
                revoked_at: Set(None),
                resources: Set(row.resources.clone()),
                dpop_jkt: Set(row.dpop_jkt.clone()),
            }
            .insert(&tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// (idle, absolute) refresh token lifetimes: the tenant's, else the installation's.
    pub(super) fn refresh_lifetimes(
        &self,
        tenant: &TenantEntry,
    ) -> (chrono::Duration, chrono::Duration) {
        let pick = |own: Option<i64>, default: std::time::Duration| {
            own.map_or_else(|| ttl(default), chrono::Duration::seconds)
        };
        (
            pick(tenant.refresh_idle_seconds, self.config.refresh_idle_ttl),
            pick(
                tenant.refresh_absolute_seconds,
                self.config.refresh_absolute_ttl,
            ),
        )
    }

    /// Revokes a refresh token family and the access tokens of its authorization.
    pub(in crate::service) async fn revoke_family(
        &self,
        tenant: &tenant::Model,
        family_id: Uuid,
    ) -> Result<(), TokenError> {
        let member = refresh_token::Entity::find()
            .filter(refresh_token::Column::FamilyId.eq(family_id))
            .one(&self.db)
            .await?;
        refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::RevokedAt, Expr::value(Utc::now()))
            .filter(refresh_token::Column::FamilyId.eq(family_id))
            .filter(refresh_token::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        if let Some(code_hash) = member.and_then(|m| m.code_hash) {
            self.revoke_access_tokens_of_code(tenant, &code_hash)
                .await?;
        }
        Ok(())
    }
}

/// The scope of a refresh: the granted one, or a narrowing of it (RFC 6749 §6).
fn narrowed_scope(granted: &str, requested: Option<&str>) -> Result<String, TokenError> {
    match requested {
        Some(requested) if !requested.trim().is_empty() => {
            let held = split(granted);
            if !split(requested).iter().all(|s| held.contains(s)) {
                return Err(TokenError::InvalidScope(
                    "a refresh may only narrow the scopes the user granted".into(),
                ));
            }
            down_select(granted, Some(requested))
        }
        _ => Ok(granted.to_owned()),
    }
}
