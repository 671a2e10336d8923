//! The revocation feed the gateways read, and the bulk revocations in it: every token of a
//! client, user or tenant issued until now.

use chrono::{TimeZone, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set};

use crate::entity::{access_token, refresh_token, revocation};
use crate::error::AuthError;
use crate::service::AuthService;

/// The most entries of each kind one answer of the feed carries; the next read continues.
const FEED_LIMIT: u64 = 10_000;

impl AuthService {
    /// What was revoked since `since_ms` (unix milliseconds): single access tokens still
    /// unexpired, and bulk rules still in force.
    pub async fn revocations_since(
        &self,
        since_ms: i64,
    ) -> Result<gatehouse_proto::RevocationFeed, AuthError> {
        use sea_orm::QueryOrder;
        let now = Utc::now();
        let since = Utc
            .timestamp_millis_opt(since_ms.max(0))
            .single()
            .unwrap_or_default();
        let tokens = access_token::Entity::find()
            .filter(access_token::Column::RevokedAt.gte(since))
            .filter(access_token::Column::ExpiresAt.gt(now))
            .order_by_asc(access_token::Column::RevokedAt)
            .limit(FEED_LIMIT)
            .all(&self.db)
            .await?;
        let rules = revocation::Entity::find()
            .filter(revocation::Column::CreatedAt.gte(since))
            .filter(revocation::Column::ExpiresAt.gt(now))
            .order_by_asc(revocation::Column::CreatedAt)
            .limit(FEED_LIMIT)
            .all(&self.db)
            .await?;
        // A full page ends where it stopped, so that the next read continues from there.
        let mut now_ms = now.timestamp_millis();
        let full = |n: usize| n as u64 >= FEED_LIMIT;
        if full(tokens.len())
            && let Some(last) = tokens.last().and_then(|t| t.revoked_at)
        {
            now_ms = now_ms.min(last.timestamp_millis());
        }
        if full(rules.len())
            && let Some(last) = rules.last()
        {
            now_ms = now_ms.min(last.created_at.timestamp_millis());
        }
        Ok(gatehouse_proto::RevocationFeed {
            now_ms,
            tokens: tokens
                .into_iter()
                .map(|t| gatehouse_proto::RevokedToken {
                    jti: t.jti,
                    expires_at: t.expires_at.timestamp(),
                })
                .collect(),
            rules: rules
                .into_iter()
                .filter_map(|r| {
                    Some(gatehouse_proto::RevocationRule {
                        kind: gatehouse_proto::RevocationKind::parse(&r.kind)?,
                        tenant: r.tenant_slug,
                        subject: r.subject,
                        issued_before: r.issued_before.timestamp(),
                        expires_at: r.expires_at.timestamp(),
                    })
                })
                .collect(),
        })
    }

    /// Ends the refresh tokens and browser sessions that match (a disabled tenant's).
    pub(in crate::service) async fn end_grants(
        &self,
        db: &impl sea_orm::ConnectionTrait,
        refresh_tokens: sea_orm::sea_query::SimpleExpr,
        sessions: sea_orm::sea_query::SimpleExpr,
    ) -> Result<(), AuthError> {
        refresh_token::Entity::delete_many()
            .filter(refresh_tokens)
            .exec(db)
            .await?;
        crate::entity::session::Entity::delete_many()
            .filter(sessions)
            .exec(db)
            .await?;
        Ok(())
    }

    /// Revokes every access token of `kind` `subject` in the tenant issued until now (a
    /// deleted or disabled client, user or tenant), in `db` (the caller's transaction).
    pub(in crate::service) async fn revoke_all(
        &self,
        db: &impl sea_orm::ConnectionTrait,
        tenant_slug: &str,
        kind: gatehouse_proto::RevocationKind,
        subject: &str,
    ) -> Result<(), AuthError> {
        let now = Utc::now();
        // Tokens live at most this long (and the configured lifetime may have been longer).
        let longest = chrono::Duration::seconds(86_400)
            .max(chrono::Duration::from_std(self.config.access_token_ttl).unwrap_or_default());
        revocation::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            tenant_slug: Set(tenant_slug.to_owned()),
            kind: Set(kind.as_str().to_owned()),
            subject: Set(subject.to_owned()),
            issued_before: Set(now),
            expires_at: Set(now + longest + chrono::Duration::seconds(60)),
            created_at: Set(now),
        }
        .insert(db)
        .await?;
        Ok(())
    }
}
