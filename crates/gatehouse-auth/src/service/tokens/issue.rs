//! Issuing: the access token (a signed JWT or an opaque token), its record, the OpenID Connect
//! ID token, the user's claims, and the JWK Set that verifies them.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use gatehouse_proto::AccessClaims;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{Subject, TokenError, TokenSet, split, ttl};
use crate::entity::{access_token, client};
use crate::error::AuthError;
use crate::secrets::{random_token, sha256_hex};
use crate::service::AuthService;
use crate::service::directory::TenantEntry;

impl AuthService {
    /// Signs an access token for `subject` and returns the token set.
    pub(super) async fn tokens(
        &self,
        tenant: &TenantEntry,
        client: &client::Model,
        subject: &Subject<'_>,
        scope: &str,
        refresh_token: Option<String>,
    ) -> Result<TokenSet, TokenError> {
        let held = match subject.user {
            Some(user_id) => self.scope_user_may_hold(user_id, scope).await?,
            None => scope.to_owned(),
        };
        let scope = held.as_str();
        let now = Utc::now();
        let lifetime = ttl(self.config.access_token_ttl);
        let opaque = client.access_token_format.as_deref() == Some("opaque");
        // An opaque token is random; its `jti` is its hash, under which its claims are kept.
        let opaque_token = opaque.then(|| format!("gho_{}", random_token(32)));
        let jti = opaque_token
            .as_deref()
            .map_or_else(|| random_token(16), sha256_hex);
        let user = subject.user.map(|u| u.to_string());
        let claims = AccessClaims {
            iss: self.config.issuer(&tenant.slug),
            sub: user.unwrap_or_else(|| client.client_id.clone()),
            aud: subject
                .resource
                .map_or_else(|| self.config.audience.clone(), str::to_owned),
            exp: (now + lifetime).timestamp(),
            iat: now.timestamp(),
            nbf: now.timestamp(),
            jti: jti.clone(),
            client_id: client.client_id.clone(),
            scope: scope.to_owned(),
            tid: tenant.id.to_string(),
            auth_time: subject.auth_time.map(|t| t.timestamp()),
            act: subject.act.clone(),
            cnf: subject.jkt.map(|jkt| gatehouse_proto::Confirmation {
                jkt: jkt.to_owned(),
            }),
        };
        let token = match &opaque_token {
            Some(token) => token.clone(),
            None => self.signing_key(tenant, &tenant.signing_alg).await?.sign(
                &self.config.sealer,
                &claims,
                "at+jwt",
            )?,
        };
        if subject.user.is_some() || opaque {
            // Users' tokens are recorded, so that a replayed code or a revoked family can
            // revoke them too, and opaque tokens, which only this record describes. Machine
            // JWTs are not, which keeps client_credentials cheap.
            access_token::ActiveModel {
                jti: Set(jti.clone()),
                tenant_id: Set(tenant.id),
                code_hash: Set(subject.code_hash.map(str::to_owned)),
                expires_at: Set(now + lifetime),
                revoked_at: Set(None),
                claims: Set(opaque
                    .then(|| serde_json::to_string(&claims).ok())
                    .flatten()),
            }
            .insert(&self.db)
            .await?;
        }
        let id_token = match subject.user {
            Some(user) if split(scope).contains(&"openid") => Some(
                self.id_token(tenant, client, user, subject, scope, &token, now)
                    .await?,
            ),
            _ => None,
        };
        Ok(TokenSet {
            access_token: token,
            expires_in: self.config.access_token_ttl.as_secs(),
            scope: scope.to_owned(),
            refresh_token,
            id_token,
            issued_token_type: None,
            dpop_bound: subject.jkt.is_some(),
        })
    }

    /// `scope` narrowed to what the user may hold, whatever the app asked for and the consent
    /// said; a disabled or deleted user gets nothing.
    async fn scope_user_may_hold(&self, user_id: Uuid, scope: &str) -> Result<String, TokenError> {
        let user = crate::entity::user::Entity::find_by_id(user_id)
            .one(&self.db)
            .await?
            .filter(|u| !u.disabled)
            .ok_or_else(|| TokenError::InvalidGrant("the user is disabled or gone".into()))?;
        let role = crate::service::UserRole::parse(&user.role).unwrap_or_default();
        Ok(split(scope)
            .into_iter()
            .filter(|s| role.may_hold(s))
            .collect::<Vec<_>>()
            .join(" "))
    }

    /// An OpenID Connect ID token (Core §2, §3.1.3.6) for the client, signed with the
    /// algorithm it registered (RS256 by default).
    #[allow(clippy::too_many_arguments)]
    async fn id_token(
        &self,
        tenant: &TenantEntry,
        client: &client::Model,
        user_id: Uuid,
        subject: &Subject<'_>,
        scope: &str,
        access_token: &str,
        now: DateTime<Utc>,
    ) -> Result<String, TokenError> {
        let alg = client
            .id_token_signed_response_alg
            .as_deref()
            .unwrap_or("RS256");
        let key = self.signing_key(tenant, alg).await?;
        let digest = Sha256::digest(access_token.as_bytes());
        let mut claims = json!({
            "iss": self.config.issuer(&tenant.slug),
            "sub": user_id.to_string(),
            "aud": client.client_id,
            "azp": client.client_id,
            "exp": (now + ttl(self.config.access_token_ttl)).timestamp(),
            "iat": now.timestamp(),
            "at_hash": URL_SAFE_NO_PAD.encode(&digest[..16]),
        });
        if let Some(auth_time) = subject.auth_time {
            claims["auth_time"] = json!(auth_time.timestamp());
        }
        if let Some(nonce) = subject.nonce {
            claims["nonce"] = json!(nonce);
        }
        self.user_claims(user_id, scope, &mut claims).await?;
        Ok(key.sign(&self.config.sealer, &claims, "JWT")?)
    }

    /// The claims of the `profile` and `email` scopes.
    pub(crate) async fn user_claims(
        &self,
        user_id: Uuid,
        scope: &str,
        claims: &mut Value,
    ) -> Result<(), AuthError> {
        let scopes = split(scope);
        if !(scopes.contains(&"profile") || scopes.contains(&"email")) {
            return Ok(());
        }
        let Some(user) = crate::entity::user::Entity::find_by_id(user_id)
            .one(&self.db)
            .await?
        else {
            return Ok(());
        };
        if scopes.contains(&"profile") {
            claims["preferred_username"] = json!(user.username);
        }
        if scopes.contains(&"email") {
            claims["email"] = json!(user.email);
            // Gatehouse does not verify email addresses.
            claims["email_verified"] = json!(false);
        }
        Ok(())
    }

    /// The tenant's public keys as a JWK Set: pending, active and retiring keys.
    pub async fn jwks(&self, tenant_slug: &str) -> Result<Value, AuthError> {
        let tenant = self.get_tenant(tenant_slug).await?;
        let keys: Vec<Value> = self
            .published_keys(&tenant)
            .await?
            .iter()
            .filter_map(|k| serde_json::from_str(&k.public_jwk).ok())
            .collect();
        Ok(json!({ "keys": keys }))
    }
}
