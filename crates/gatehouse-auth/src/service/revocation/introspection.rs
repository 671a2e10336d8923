//! Introspection (RFC 7662): what a valid token of the tenant grants, told only to its own
//! client or to a resource server.

use chrono::{TimeZone, Utc};
use gatehouse_proto::{AccessClaims, RevocationKind};
use jsonwebtoken::Validation;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};
use sha2::Digest;

use crate::entity::{access_token, refresh_token, revocation, tenant, user};
use crate::error::AuthError;
use crate::secrets::sha256_hex;
use crate::service::AuthService;
use crate::service::directory::TenantEntry;
use crate::service::tokens::{ClientAuth, TokenError};

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
    /// A DPoP-bound access token's key thumbprint (RFC 9449 §6.2).
    pub jkt: Option<String>,
}

impl AuthService {
    /// The claims of an access token of this tenant that is valid and not revoked. A token
    /// found live is remembered in the tenant's entry: revoking one records a change of the
    /// tenant, which forgets the entry here at once and in every other process within the
    /// directory's bound.
    pub(in crate::service) async fn live_access_token(
        &self,
        tenant: &TenantEntry,
        token: &str,
    ) -> Result<Option<AccessClaims>, AuthError> {
        let digest: [u8; 32] = sha2::Sha256::digest(token.as_bytes()).into();
        if let Some(claims) = tenant.live_claims(&digest, Utc::now().timestamp()) {
            return Ok(Some(claims));
        }
        let Some(claims) = self.verify_own_access_token(tenant, token).await? else {
            return Ok(None);
        };
        if self.is_revoked(tenant, &claims).await? {
            return Ok(None);
        }
        tenant.remember_live(digest, &claims);
        Ok(Some(claims))
    }

    /// An access token of this tenant that is still valid, with its claims: a JWT it signed,
    /// or an opaque token it issued. Whether it was revoked is not looked at.
    pub(super) async fn verify_own_access_token(
        &self,
        tenant: &TenantEntry,
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
        let Some(key) = self.published_key(tenant, &kid).await? else {
            return Ok(None);
        };
        let Some((decoding, alg)) = key.verifying() else {
            return Ok(None);
        };
        let mut validation = Validation::new(alg);
        validation.set_issuer(&[self.config.issuer(&tenant.slug)]);
        // The platform's audience, or one of the tenant's resources: checked below.
        validation.validate_aud = false;
        validation.leeway = 0;
        Ok(
            jsonwebtoken::decode::<AccessClaims>(token, decoding, &validation)
                .ok()
                .map(|t| t.claims)
                .filter(|c| {
                    c.aud == self.config.audience || self.is_resource_of(&tenant.slug, &c.aud)
                }),
        )
    }

    /// Whether the token was revoked on its own, or with every token of its client, its user
    /// or its tenant issued until some moment.
    async fn is_revoked(
        &self,
        tenant: &tenant::Model,
        claims: &AccessClaims,
    ) -> Result<bool, AuthError> {
        let single = access_token::Entity::find_by_id(claims.jti.clone())
            .one(&self.db)
            .await?
            .is_some_and(|row| row.revoked_at.is_some());
        if single {
            return Ok(true);
        }
        let issued_at = Utc
            .timestamp_opt(claims.iat, 0)
            .single()
            .unwrap_or_default();
        let covered = |kind: RevocationKind, subject: &str| {
            Condition::all()
                .add(revocation::Column::Kind.eq(kind.as_str()))
                .add(revocation::Column::Subject.eq(subject))
        };
        let rule = revocation::Entity::find()
            .filter(revocation::Column::TenantSlug.eq(tenant.slug.as_str()))
            .filter(revocation::Column::IssuedBefore.gte(issued_at))
            .filter(
                Condition::any()
                    .add(covered(RevocationKind::Client, &claims.client_id))
                    .add(covered(RevocationKind::User, &claims.sub))
                    .add(covered(RevocationKind::Tenant, "")),
            )
            .one(&self.db)
            .await?;
        Ok(rule.is_some())
    }

    /// RFC 7662. A client sees only tokens of its own tenant; anything else is inactive.
    #[tracing::instrument(skip_all, fields(tenant = %tenant_slug, client_id = %auth.client_id))]
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
        if let Some(claims) = self.live_access_token(&tenant, token).await? {
            // A client learns about its own tokens; a resource server about every one.
            let entitled = claims.client_id == client.client_id || client.resource_server;
            if !entitled {
                return Ok(None);
            }
            // A client's own token has no user to name.
            let username = if claims.sub == claims.client_id {
                None
            } else {
                self.username(&claims.sub).await?
            };
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
                jkt: claims.cnf.map(|c| c.jkt),
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
            jkt: None,
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
}
