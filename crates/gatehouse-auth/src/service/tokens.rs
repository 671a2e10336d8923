//! The token endpoint's grants: client credentials, authorization code (with PKCE) and
//! refresh token (rotated, with reuse detection).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use gatehouse_proto::AccessClaims;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::AuthService;
use crate::entity::{access_token, client, code, refresh_token, tenant};
use crate::error::AuthError;
use crate::keys;
use crate::secrets::{random_token, same, sha256_hex};

/// How a client presented itself at the token endpoint.
#[derive(Debug)]
pub struct ClientAuth {
    pub client_id: String,
    /// `None` for a public client (`none`) and for `private_key_jwt`.
    pub secret: Option<String>,
    /// With `private_key_jwt`: the signed client assertion (RFC 7523).
    pub assertion: Option<String>,
    /// `client_secret_basic`, `client_secret_post`, `private_key_jwt` or `none`.
    pub method: &'static str,
}

/// A token request's grant.
#[derive(Debug)]
pub enum Grant {
    ClientCredentials {
        scope: Option<String>,
    },
    AuthorizationCode {
        code: String,
        redirect_uri: Option<String>,
        code_verifier: Option<String>,
    },
    RefreshToken {
        refresh_token: String,
        scope: Option<String>,
    },
}

/// What the token endpoint returns.
#[derive(Debug)]
pub struct TokenSet {
    pub access_token: String,
    pub expires_in: u64,
    pub scope: String,
    pub refresh_token: Option<String>,
    /// OpenID Connect, with the `openid` scope.
    pub id_token: Option<String>,
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
    InvalidGrant(String),
    #[error("{0}")]
    UnauthorizedClient(String),
    #[error("{0}")]
    InvalidScope(String),
    #[error("unsupported grant type")]
    UnsupportedGrantType,
    #[error(transparent)]
    Internal(#[from] AuthError),
}

impl TokenError {
    /// The RFC 6749 `error` code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownTenant | Self::InvalidRequest(_) => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant(_) => "invalid_grant",
            Self::UnauthorizedClient(_) => "unauthorized_client",
            Self::InvalidScope(_) => "invalid_scope",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::Internal(_) => "server_error",
        }
    }
}

impl From<sea_orm::DbErr> for TokenError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Internal(err.into())
    }
}

/// Who an access token is for.
struct Subject<'a> {
    /// The user's id, or `None` for the client itself.
    user: Option<Uuid>,
    auth_time: Option<DateTime<Utc>>,
    /// The code the user's tokens descend from, so that a replayed code revokes them.
    code_hash: Option<&'a str>,
    /// OpenID Connect: the authorization request's nonce, for the ID token.
    nonce: Option<&'a str>,
}

fn split(s: &str) -> Vec<&str> {
    s.split(' ').filter(|t| !t.is_empty()).collect()
}

fn grants(client: &client::Model, grant: &str) -> bool {
    client.grant_types.split(' ').any(|g| g == grant)
}

/// `requested` narrowed to `allowed`; all of `allowed` when nothing is requested.
fn down_select(allowed: &str, requested: Option<&str>) -> Result<String, TokenError> {
    let allowed = split(allowed);
    match requested.map(str::trim) {
        None | Some("") => Ok(allowed.join(" ")),
        Some(requested) => {
            let mut granted: Vec<&str> = split(requested)
                .into_iter()
                .filter(|s| allowed.contains(s))
                .collect();
            granted.sort_unstable();
            granted.dedup();
            if granted.is_empty() {
                Err(TokenError::InvalidScope(
                    "none of the requested scopes is allowed".into(),
                ))
            } else {
                Ok(granted.join(" "))
            }
        }
    }
}

fn ttl(d: std::time::Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

impl AuthService {
    /// The token endpoint: authenticates the client, then runs the grant.
    pub async fn token(
        &self,
        tenant_slug: &str,
        auth: ClientAuth,
        grant: Grant,
    ) -> Result<TokenSet, TokenError> {
        let tenant = self
            .active_tenant(tenant_slug)
            .await?
            .ok_or(TokenError::UnknownTenant)?;
        let client = self.authenticate_client(&tenant, &auth).await?;
        match grant {
            Grant::ClientCredentials { scope } => {
                if !grants(&client, "client_credentials") {
                    return Err(TokenError::UnauthorizedClient(
                        "this client may not use the client_credentials grant".into(),
                    ));
                }
                let scope = down_select(&client.scope, scope.as_deref())?;
                let subject = Subject {
                    user: None,
                    auth_time: None,
                    code_hash: None,
                    nonce: None,
                };
                self.tokens(&tenant, &client, &subject, &scope, None).await
            }
            Grant::AuthorizationCode {
                code,
                redirect_uri,
                code_verifier,
            } => {
                self.exchange_code(&tenant, &client, &code, redirect_uri, code_verifier)
                    .await
            }
            Grant::RefreshToken {
                refresh_token,
                scope,
            } => {
                self.refresh(&tenant, &client, &refresh_token, scope.as_deref())
                    .await
            }
        }
    }

    /// Authenticates a client as it presented itself. Every failure looks the same to the
    /// caller; the method must be the one the client registered.
    pub(super) async fn authenticate_client(
        &self,
        tenant: &tenant::Model,
        auth: &ClientAuth,
    ) -> Result<client::Model, TokenError> {
        // A disabled client authenticates like an unknown one.
        let found = self
            .find_client(tenant.id, &auth.client_id)
            .await?
            .filter(|c| !c.disabled);
        let Some(client) = found else {
            // Spend the same work as for a known client, so timing does not reveal ids.
            let _ = self.hasher.verify(auth.secret.as_deref().unwrap_or(""), "");
            return Err(TokenError::InvalidClient);
        };
        let authenticated = client.token_endpoint_auth_method == auth.method
            && match (&auth.secret, &auth.assertion) {
                (Some(secret), None) => self.hasher.verify(secret, &client.secret_hash),
                (None, Some(assertion)) => {
                    self.verify_client_assertion(tenant, &client, assertion)
                        .await?
                }
                (None, None) => auth.method == "none",
                (Some(_), Some(_)) => false,
            };
        if !authenticated {
            tracing::info!(tenant = %tenant.slug, client_id = %auth.client_id, method = auth.method, "client authentication failed");
            return Err(TokenError::InvalidClient);
        }
        Ok(client)
    }

    /// The authorization code grant (RFC 6749 §4.1.3, RFC 7636 §4.6). A code works once: a
    /// second use fails and revokes what the first issued.
    async fn exchange_code(
        &self,
        tenant: &tenant::Model,
        client: &client::Model,
        code: &str,
        redirect_uri: Option<String>,
        code_verifier: Option<String>,
    ) -> Result<TokenSet, TokenError> {
        if !grants(client, "authorization_code") {
            return Err(TokenError::UnauthorizedClient(
                "this client may not use the authorization_code grant".into(),
            ));
        }
        let invalid = |why: &str| TokenError::InvalidGrant(why.to_owned());
        let code_hash = sha256_hex(code);
        let row = code::Entity::find_by_id(code_hash.clone())
            .filter(code::Column::TenantId.eq(tenant.id))
            .one(&self.db)
            .await?
            .ok_or_else(|| invalid("the code is not valid"))?;
        // Whoever presents the code must be its client, with its PKCE verifier and redirect
        // URI, before the code is spent: a stolen code alone cannot burn it (and with it what it
        // issued).
        if row.client_id != client.id {
            return Err(invalid("the code was issued to another client"));
        }
        let verifier = code_verifier
            .ok_or_else(|| TokenError::InvalidRequest("code_verifier is required".into()))?;
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        if !same(&challenge, &row.code_challenge) {
            return Err(invalid(
                "the code_verifier does not match the code_challenge",
            ));
        }
        if redirect_uri.as_deref() != Some(row.redirect_uri.as_str()) {
            return Err(invalid(
                "redirect_uri must be the one of the authorization request",
            ));
        }
        // Then claimed, atomically: of two exchanges only one wins; the other is a replay.
        let claimed = code::Entity::update_many()
            .col_expr(code::Column::UsedAt, Expr::value(Utc::now()))
            .filter(code::Column::CodeHash.eq(&code_hash))
            .filter(code::Column::UsedAt.is_null())
            .exec(&self.db)
            .await?
            .rows_affected
            == 1;
        if !claimed {
            self.revoke_code_descendants(tenant, &code_hash).await?;
            tracing::warn!(tenant = %tenant.slug, client_id = %client.client_id, "authorization code replayed; its tokens are revoked");
            return Err(invalid(
                "the code was already used; the tokens issued from it are revoked",
            ));
        }
        if row.expires_at <= Utc::now() {
            return Err(invalid("the code has expired"));
        }
        let subject = Subject {
            user: Some(row.user_id),
            auth_time: Some(row.auth_time),
            code_hash: Some(&code_hash),
            nonce: row.nonce.as_deref(),
        };
        let refresh =
            if grants(client, "refresh_token") && split(&row.scope).contains(&"offline_access") {
                Some(
                    self.new_refresh_family(tenant, client, &row, &code_hash)
                        .await?,
                )
            } else {
                None
            };
        self.tokens(tenant, client, &subject, &row.scope, refresh)
            .await
    }

    async fn new_refresh_family(
        &self,
        tenant: &tenant::Model,
        client: &client::Model,
        code: &code::Model,
        code_hash: &str,
    ) -> Result<String, TokenError> {
        let token = random_token(32);
        let now = Utc::now();
        let (idle, absolute) = self.refresh_lifetimes(tenant);
        let family_expires = now + absolute;
        refresh_token::ActiveModel {
            id: Set(Uuid::now_v7()),
            token_hash: Set(sha256_hex(&token)),
            family_id: Set(Uuid::now_v7()),
            tenant_id: Set(tenant.id),
            client_id: Set(client.id),
            user_id: Set(code.user_id),
            scope: Set(code.scope.clone()),
            code_hash: Set(Some(code_hash.to_owned())),
            auth_time: Set(code.auth_time),
            issued_at: Set(now),
            family_expires_at: Set(family_expires),
            idle_expires_at: Set((now + idle).min(family_expires)),
            rotated_at: Set(None),
            revoked_at: Set(None),
        }
        .insert(&self.db)
        .await?;
        Ok(token)
    }

    /// The refresh token grant (RFC 6749 §6) with rotation (RFC 9700 §4.14.2): each use
    /// returns a successor and retires the token. A retired token used again revokes its
    /// family, unless within the grace period, where it gets the same successor.
    async fn refresh(
        &self,
        tenant: &tenant::Model,
        client: &client::Model,
        presented: &str,
        requested_scope: Option<&str>,
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
        let scope = match requested_scope {
            Some(requested) if !requested.trim().is_empty() => {
                let held = split(&row.scope);
                if !split(requested).iter().all(|s| held.contains(s)) {
                    return Err(TokenError::InvalidScope(
                        "a refresh may only narrow the scopes the user granted".into(),
                    ));
                }
                down_select(&row.scope, Some(requested))?
            }
            _ => row.scope.clone(),
        };
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
                    token_hash: Set(sha256_hex(&successor)),
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
                }
                .insert(&tx)
                .await?;
            }
            // A concurrent refresh that lost the race returns the same successor: the winner
            // stores it.
            tx.commit().await?;
        }
        let subject = Subject {
            user: Some(row.user_id),
            auth_time: Some(row.auth_time),
            code_hash: row.code_hash.as_deref(),
            nonce: None,
        };
        self.tokens(tenant, client, &subject, &scope, Some(successor))
            .await
    }

    /// (idle, absolute) refresh token lifetimes: the tenant's, else the installation's.
    fn refresh_lifetimes(&self, tenant: &tenant::Model) -> (chrono::Duration, chrono::Duration) {
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
    pub(super) async fn revoke_family(
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

    /// Revokes every token descending from a code: refresh families and access tokens.
    async fn revoke_code_descendants(
        &self,
        tenant: &tenant::Model,
        code_hash: &str,
    ) -> Result<(), TokenError> {
        refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::RevokedAt, Expr::value(Utc::now()))
            .filter(refresh_token::Column::TenantId.eq(tenant.id))
            .filter(refresh_token::Column::CodeHash.eq(code_hash))
            .filter(refresh_token::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        self.revoke_access_tokens_of_code(tenant, code_hash).await
    }

    /// Signs an access token for `subject` and returns the token set.
    async fn tokens(
        &self,
        tenant: &tenant::Model,
        client: &client::Model,
        subject: &Subject<'_>,
        scope: &str,
        refresh_token: Option<String>,
    ) -> Result<TokenSet, TokenError> {
        // A user's token carries only what the user may hold, whatever the app asked for and
        // the consent said; a disabled or deleted user gets nothing.
        let held;
        let scope = match subject.user {
            Some(user_id) => {
                let user = crate::entity::user::Entity::find_by_id(user_id)
                    .one(&self.db)
                    .await?
                    .filter(|u| !u.disabled)
                    .ok_or_else(|| {
                        TokenError::InvalidGrant("the user is disabled or gone".into())
                    })?;
                let role = super::UserRole::parse(&user.role).unwrap_or_default();
                held = split(scope)
                    .into_iter()
                    .filter(|s| role.may_hold(s))
                    .collect::<Vec<_>>()
                    .join(" ");
                held.as_str()
            }
            None => scope,
        };
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
            aud: self.config.audience.clone(),
            exp: (now + lifetime).timestamp(),
            iat: now.timestamp(),
            nbf: now.timestamp(),
            jti: jti.clone(),
            client_id: client.client_id.clone(),
            scope: scope.to_owned(),
            tid: tenant.id.to_string(),
            auth_time: subject.auth_time.map(|t| t.timestamp()),
        };
        let token = match &opaque_token {
            Some(token) => token.clone(),
            None => {
                let key = self.signing_key(tenant, &tenant.signing_alg).await?;
                keys::sign(&claims, "at+jwt", &key.kid, &key.alg, &key.private_pem)
                    .map_err(AuthError::from)?
            }
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
        })
    }

    /// An OpenID Connect ID token (Core §2, §3.1.3.6) for the client, signed with the
    /// algorithm it registered (RS256 by default).
    #[allow(clippy::too_many_arguments)]
    async fn id_token(
        &self,
        tenant: &tenant::Model,
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
        Ok(
            keys::sign(&claims, "JWT", &key.kid, &key.alg, &key.private_pem)
                .map_err(AuthError::from)?,
        )
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
