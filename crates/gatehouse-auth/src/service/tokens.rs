use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use serde_json::{Value, json};

use super::AuthService;
use crate::entity::{client, signing_key, tenant};
use crate::error::AuthError;
use crate::keys;
use crate::secrets::random_token;

/// An issued access token (RFC 9068 JWT).
#[derive(Debug)]
pub struct AccessToken {
    pub token: String,
    pub expires_in: u64,
    pub scope: String,
}

/// Failures of the token endpoint, one per RFC 6749 §5.2 error code.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("no such tenant")]
    UnknownTenant,
    #[error("{0}")]
    InvalidRequest(String),
    #[error("client authentication failed")]
    InvalidClient,
    #[error("{0}")]
    UnauthorizedClient(String),
    #[error("{0}")]
    InvalidScope(String),
    #[error("unsupported grant type")]
    UnsupportedGrantType,
    #[error(transparent)]
    Internal(#[from] AuthError),
}

/// The claims of an access token, per RFC 9068 §2.2, plus `tid`, the tenant's id, which the
/// gateway passes on so that services can scope their rows without knowing tenants.
#[derive(Serialize)]
struct AccessClaims<'a> {
    iss: String,
    sub: &'a str,
    aud: &'a str,
    exp: i64,
    iat: i64,
    nbf: i64,
    jti: String,
    client_id: &'a str,
    scope: &'a str,
    tid: String,
}

impl AuthService {
    /// Authenticates a client by its secret, as `method` (`client_secret_basic` or
    /// `client_secret_post`) presented it. Every failure looks the same to the caller.
    pub(crate) async fn authenticate_client(
        &self,
        tenant: &tenant::Model,
        client_id: &str,
        secret: &str,
        method: &str,
    ) -> Result<client::Model, TokenError> {
        let found = self.find_client(tenant.id, client_id).await?;
        let Some(client) = found else {
            // Spend the same work as for a known client, so timing does not reveal ids.
            let _ = self.hasher.verify(secret, "");
            return Err(TokenError::InvalidClient);
        };
        let secret_ok = self.hasher.verify(secret, &client.secret_hash);
        if !secret_ok || client.token_endpoint_auth_method != method {
            tracing::info!(tenant = %tenant.slug, client_id, method, "client authentication failed");
            return Err(TokenError::InvalidClient);
        }
        Ok(client)
    }

    /// The `client_credentials` grant: authenticates the client and issues a token for the
    /// requested scopes it is allowed, or all it is allowed when none are requested.
    pub async fn client_credentials_token(
        &self,
        tenant_slug: &str,
        client_id: &str,
        secret: &str,
        method: &str,
        requested_scope: Option<&str>,
    ) -> Result<AccessToken, TokenError> {
        let tenant = self
            .find_tenant(tenant_slug)
            .await?
            .ok_or(TokenError::UnknownTenant)?;
        let client = self
            .authenticate_client(&tenant, client_id, secret, method)
            .await?;
        if !client
            .grant_types
            .split(' ')
            .any(|g| g == "client_credentials")
        {
            return Err(TokenError::UnauthorizedClient(
                "this client may not use the client_credentials grant".into(),
            ));
        }
        let allowed: Vec<&str> = client.scope.split(' ').filter(|s| !s.is_empty()).collect();
        let granted: Vec<&str> = match requested_scope.map(str::trim) {
            None | Some("") => allowed.clone(),
            Some(requested) => {
                let mut granted: Vec<&str> = requested
                    .split(' ')
                    .filter(|s| allowed.contains(s))
                    .collect();
                granted.dedup();
                if granted.is_empty() {
                    return Err(TokenError::InvalidScope(
                        "none of the requested scopes is allowed for this client".into(),
                    ));
                }
                granted
            }
        };
        let scope = granted.join(" ");
        let token = self.sign_access_token(&tenant, &client, &scope).await?;
        Ok(AccessToken {
            token,
            expires_in: self.config.access_token_ttl.as_secs(),
            scope,
        })
    }

    async fn sign_access_token(
        &self,
        tenant: &tenant::Model,
        client: &client::Model,
        scope: &str,
    ) -> Result<String, AuthError> {
        let key = signing_key::Entity::find()
            .filter(signing_key::Column::TenantId.eq(tenant.id))
            .order_by_desc(signing_key::Column::CreatedAt)
            .one(&self.db)
            .await?
            .ok_or_else(|| AuthError::NotFound("the tenant has no signing key".into()))?;
        let now = Utc::now().timestamp();
        let ttl = i64::try_from(self.config.access_token_ttl.as_secs()).unwrap_or(i64::MAX);
        let claims = AccessClaims {
            iss: self.config.issuer(&tenant.slug),
            sub: &client.client_id,
            aud: &self.config.audience,
            exp: now.saturating_add(ttl),
            iat: now,
            nbf: now,
            jti: random_token(16),
            client_id: &client.client_id,
            scope,
            tid: tenant.id.to_string(),
        };
        Ok(keys::sign(
            &claims,
            "at+jwt",
            &key.kid,
            &key.alg,
            &key.private_pem,
        )?)
    }

    /// The tenant's public keys as a JWK Set.
    pub async fn jwks(&self, tenant_slug: &str) -> Result<Value, AuthError> {
        let tenant = self.get_tenant(tenant_slug).await?;
        let keys = signing_key::Entity::find()
            .filter(signing_key::Column::TenantId.eq(tenant.id))
            .order_by_desc(signing_key::Column::CreatedAt)
            .all(&self.db)
            .await?;
        let keys: Vec<Value> = keys
            .iter()
            .filter_map(|k| serde_json::from_str(&k.public_jwk).ok())
            .collect();
        Ok(json!({ "keys": keys }))
    }
}
