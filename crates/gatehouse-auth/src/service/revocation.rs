//! Token introspection (RFC 7662) and revocation (RFC 7009), and how revocations reach the
//! gateway: each revoked access token's `jti` is announced in the cache the gateway reads,
//! for as long as the token would have lived.

use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, TimeZone, Utc};
use gatehouse_cache::Key;
use gatehouse_proto::AccessClaims;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set};

use super::AuthService;
use super::tokens::{ClientAuth, TokenError};
use crate::entity::{access_token, refresh_token, revocation, signing_key, tenant, user};
use crate::error::AuthError;
use crate::secrets::sha256_hex;

/// What introspection tells about an active token.
#[derive(Debug)]
pub struct Introspection {
    /// `access_token` or `refresh_token`.
    pub token_type: &'static str,
    pub scope: String,
    pub client_id: String,
    pub sub: String,
    pub username: Option<String>,
    pub iss: String,
    pub aud: Option<String>,
    pub exp: i64,
    pub iat: i64,
    pub jti: Option<String>,
    /// The tenant's id (an extension), which the gateway passes on to services.
    pub tid: Option<String>,
}

impl AuthService {
    /// An access token of this tenant that is still valid, with its claims: a JWT it signed,
    /// or an opaque token it issued.
    async fn verify_own_access_token(
        &self,
        tenant: &tenant::Model,
        token: &str,
    ) -> Result<Option<AccessClaims>, AuthError> {
        if token.starts_with("gho_") {
            let row = access_token::Entity::find_by_id(sha256_hex(token))
                .filter(access_token::Column::TenantId.eq(tenant.id))
                .one(&self.db)
                .await?;
            return Ok(row
                .filter(|r| r.expires_at > Utc::now())
                .and_then(|r| r.claims)
                .and_then(|c| serde_json::from_str(&c).ok()));
        }
        let Some(kid) = jsonwebtoken::decode_header(token).ok().and_then(|h| h.kid) else {
            return Ok(None);
        };
        let Some(key) = signing_key::Entity::find_by_id(kid)
            .filter(signing_key::Column::TenantId.eq(tenant.id))
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let alg = match key.alg.as_str() {
            "RS256" => Algorithm::RS256,
            _ => Algorithm::ES256,
        };
        let Some(decoding) = serde_json::from_str::<Jwk>(&key.public_jwk)
            .ok()
            .and_then(|jwk| DecodingKey::from_jwk(&jwk).ok())
        else {
            return Ok(None);
        };
        let mut validation = Validation::new(alg);
        validation.set_issuer(&[self.config.issuer(&tenant.slug)]);
        validation.set_audience(&[&self.config.audience]);
        validation.leeway = 0;
        Ok(
            jsonwebtoken::decode::<AccessClaims>(token, &decoding, &validation)
                .ok()
                .map(|t| t.claims),
        )
    }

    async fn is_revoked(&self, jti: &str) -> Result<bool, AuthError> {
        Ok(access_token::Entity::find_by_id(jti.to_owned())
            .one(&self.db)
            .await?
            .is_some_and(|row| row.revoked_at.is_some()))
    }

    /// RFC 7662. A client sees only tokens of its own tenant; anything else is inactive.
    pub async fn introspect(
        &self,
        tenant_slug: &str,
        auth: ClientAuth,
        token: &str,
    ) -> Result<Option<Introspection>, TokenError> {
        let tenant = self
            .active_tenant(tenant_slug)
            .await?
            .ok_or(TokenError::UnknownTenant)?;
        let client = self.authenticate_client(&tenant, &auth).await?;
        if client.token_endpoint_auth_method == "none" {
            return Err(TokenError::UnauthorizedClient(
                "public clients may not introspect tokens".into(),
            ));
        }
        if let Some(claims) = self.verify_own_access_token(&tenant, token).await? {
            // A client learns about its own tokens; a resource server about every one.
            let entitled = claims.client_id == client.client_id || client.resource_server;
            if !entitled || self.is_revoked(&claims.jti).await? {
                return Ok(None);
            }
            let username = self.username(&claims.sub).await?;
            return Ok(Some(Introspection {
                token_type: "access_token",
                scope: claims.scope,
                client_id: claims.client_id,
                sub: claims.sub,
                username,
                iss: self.config.issuer(&tenant.slug),
                aud: Some(claims.aud),
                exp: claims.exp,
                iat: claims.iat,
                jti: Some(claims.jti),
                tid: Some(claims.tid),
            }));
        }
        // A refresh token is its client's alone.
        let Some(row) = self
            .live_refresh_token(&tenant, token)
            .await?
            .filter(|r| r.client_id == client.id)
        else {
            return Ok(None);
        };
        let owner = crate::entity::client::Entity::find_by_id(row.client_id)
            .one(&self.db)
            .await?;
        Ok(Some(Introspection {
            token_type: "refresh_token",
            scope: row.scope,
            client_id: owner.map(|c| c.client_id).unwrap_or_default(),
            sub: row.user_id.to_string(),
            username: self.username(&row.user_id.to_string()).await?,
            iss: self.config.issuer(&tenant.slug),
            aud: None,
            exp: row.idle_expires_at.min(row.family_expires_at).timestamp(),
            iat: row.issued_at.timestamp(),
            jti: None,
            tid: Some(tenant.id.to_string()),
        }))
    }

    async fn username(&self, sub: &str) -> Result<Option<String>, AuthError> {
        let Ok(id) = uuid::Uuid::parse_str(sub) else {
            return Ok(None);
        };
        Ok(user::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .map(|u| u.username))
    }

    /// A refresh token of this tenant that could still be used.
    async fn live_refresh_token(
        &self,
        tenant: &tenant::Model,
        token: &str,
    ) -> Result<Option<refresh_token::Model>, AuthError> {
        let now = Utc::now();
        Ok(refresh_token::Entity::find()
            .filter(refresh_token::Column::TokenHash.eq(sha256_hex(token)))
            .filter(refresh_token::Column::TenantId.eq(tenant.id))
            .one(&self.db)
            .await?
            .filter(|r| {
                r.revoked_at.is_none()
                    && r.rotated_at.is_none()
                    && now < r.idle_expires_at
                    && now < r.family_expires_at
            }))
    }

    /// RFC 7009. A client may revoke only its own tokens; a refresh token takes its whole
    /// family and the access tokens of the same authorization with it. Unknown tokens are not
    /// an error.
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
                access_token::ActiveModel {
                    jti: Set(claims.jti.clone()),
                    tenant_id: Set(tenant.id),
                    code_hash: Set(None),
                    expires_at: Set(expires_at),
                    revoked_at: Set(Some(Utc::now())),
                    claims: Set(None),
                }
                .insert(&self.db)
                .await?;
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
    pub(super) async fn revoke_access_tokens(
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
        access_token::Entity::update_many()
            .col_expr(access_token::Column::RevokedAt, Expr::value(Utc::now()))
            .filter(access_token::Column::TenantId.eq(tenant.id))
            .filter(filter)
            .exec(&self.db)
            .await?;
        let revoked: Vec<(String, DateTime<Utc>)> =
            rows.into_iter().map(|r| (r.jti, r.expires_at)).collect();
        self.announce(tenant, &revoked).await;
        Ok(())
    }

    pub(super) async fn revoke_access_tokens_of_code(
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
                tracing::error!(error = %err, tenant = %tenant.slug, "could not announce a revoked token to the gateway");
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
    pub(super) async fn end_grants(
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
    pub(super) async fn revoke_all(
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

/// Why the UserInfo endpoint refused a token (RFC 6750 §3.1).
#[derive(Debug, thiserror::Error)]
pub enum UserinfoError {
    #[error("{0}")]
    InvalidToken(&'static str),
    #[error("the token lacks the openid scope")]
    InsufficientScope,
    #[error(transparent)]
    Internal(#[from] AuthError),
}

impl AuthService {
    /// OpenID Connect UserInfo (Core §5.3): the claims of the user an access token with the
    /// `openid` scope speaks for.
    pub async fn userinfo(
        &self,
        tenant_slug: &str,
        token: &str,
    ) -> Result<serde_json::Value, UserinfoError> {
        let tenant = self
            .active_tenant(tenant_slug)
            .await?
            .ok_or(UserinfoError::InvalidToken("no such tenant"))?;
        let claims = self
            .verify_own_access_token(&tenant, token)
            .await?
            .ok_or(UserinfoError::InvalidToken("the token is not valid here"))?;
        if self.is_revoked(&claims.jti).await? {
            return Err(UserinfoError::InvalidToken("the token has been revoked"));
        }
        if !claims.scope.split(' ').any(|s| s == "openid") {
            return Err(UserinfoError::InsufficientScope);
        }
        let user_id = uuid::Uuid::parse_str(&claims.sub)
            .map_err(|_| UserinfoError::InvalidToken("the token does not speak for a user"))?;
        let mut body = serde_json::json!({ "sub": claims.sub });
        self.user_claims(user_id, &claims.scope, &mut body).await?;
        Ok(body)
    }
}
