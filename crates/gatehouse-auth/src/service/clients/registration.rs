//! Dynamic client registration (RFC 7591) and its management (RFC 7592): clients that register
//! themselves, within their tenant's policy, and then read, change or delete their own
//! registration with the registration access token they were given.

use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::{ClientSecret, NewClient};
use crate::entity::{client, initial_access_token, tenant};
use crate::error::AuthError;
use crate::policy::{OAuthPolicy, RegistrationMode, RegistrationPolicy};
use crate::secrets::{random_token, same, sha256_hex};
use crate::service::AuthService;

/// A client just registered, with what it is shown once.
pub struct Registered {
    pub client: client::Model,
    pub secret: Option<ClientSecret>,
    pub registration_access_token: String,
}

/// Why a registration, or an operation on one, is refused (RFC 7591 §3.2.2, RFC 7592 §2).
#[derive(Debug, thiserror::Error)]
pub enum RegistrationError {
    #[error("no such tenant")]
    UnknownTenant,
    /// The tenant does not let clients register themselves.
    #[error("this tenant does not allow clients to register themselves")]
    Closed,
    /// A missing, unknown, expired or spent initial access token, or a registration access
    /// token that is not the client's (or a client that does not exist: the same answer).
    #[error("{0}")]
    InvalidToken(String),
    #[error("{0}")]
    InvalidRedirectUri(String),
    #[error("{0}")]
    InvalidClientMetadata(String),
    #[error(transparent)]
    Internal(#[from] AuthError),
}

impl RegistrationError {
    /// The RFC 7591 error code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownTenant => "invalid_request",
            Self::Closed => "access_denied",
            Self::InvalidToken(_) => "invalid_token",
            Self::InvalidRedirectUri(_) => "invalid_redirect_uri",
            Self::InvalidClientMetadata(_) => "invalid_client_metadata",
            Self::Internal(_) => "server_error",
        }
    }
}

impl From<sea_orm::DbErr> for RegistrationError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Internal(err.into())
    }
}

/// The validation of a client's metadata, told as RFC 7591 errors.
pub(super) fn metadata_error(err: AuthError) -> RegistrationError {
    match err {
        AuthError::Invalid(fields) | AuthError::Unprocessable(fields) => {
            let told = fields
                .iter()
                .map(|f| format!("{}: {}", f.field, f.reason))
                .collect::<Vec<_>>()
                .join("; ");
            if fields.iter().all(|f| f.field == "redirect_uris") {
                RegistrationError::InvalidRedirectUri(told)
            } else {
                RegistrationError::InvalidClientMetadata(told)
            }
        }
        other => RegistrationError::Internal(other),
    }
}

/// `new` within the policy: grant types it allows (else refused), scopes narrowed to those it
/// allows (all of them when none are asked for); never more than a third party should hold.
pub(super) fn within_policy(
    policy: &RegistrationPolicy,
    mut new: NewClient,
) -> Result<NewClient, RegistrationError> {
    if let Some(grant) = new
        .grant_types
        .iter()
        .find(|g| !policy.allowed_grant_types.iter().any(|a| a.0 == **g))
    {
        return Err(RegistrationError::InvalidClientMetadata(format!(
            "grant_types: this tenant does not let registered clients use {grant}"
        )));
    }
    let asked: Vec<&str> = new.scope.split(' ').filter(|s| !s.is_empty()).collect();
    let granted: Vec<&str> = if asked.is_empty() {
        policy.allowed_scopes.iter().map(|s| s.0.as_str()).collect()
    } else {
        asked
            .into_iter()
            .filter(|s| policy.allowed_scopes.iter().any(|a| a.0 == *s))
            .collect()
    };
    if granted.is_empty() {
        return Err(RegistrationError::InvalidClientMetadata(
            "scope: none of the scopes asked for may be given to a registered client".into(),
        ));
    }
    new.scope = granted.join(" ");
    Ok(new)
}

impl AuthService {
    /// `POST {issuer}/oauth2/register` (RFC 7591 §3): registers `new` if the tenant's policy
    /// lets the caller (with `initial_token` when it asks for one).
    #[tracing::instrument(skip_all, fields(tenant = %tenant_slug))]
    pub async fn register_client(
        &self,
        tenant_slug: &str,
        initial_token: Option<&str>,
        new: NewClient,
    ) -> Result<Registered, RegistrationError> {
        let tenant = self
            .active_tenant(tenant_slug)
            .await?
            .ok_or(RegistrationError::UnknownTenant)?;
        let policy = OAuthPolicy::of(&tenant).registration;
        let initial = match policy.mode {
            RegistrationMode::Closed => return Err(RegistrationError::Closed),
            RegistrationMode::Open => None,
            RegistrationMode::InitialAccessToken => {
                Some(self.usable_initial_token(&tenant, initial_token).await?)
            }
        };
        let new = within_policy(&policy, new)?;
        new.validate(&tenant.slug).map_err(metadata_error)?;
        if let Some(token) = initial {
            self.spend_initial_token(token).await?;
        }
        let registration_access_token = random_token(32);
        let client_id = Uuid::new_v4().simple().to_string();
        let (client, secret) = self
            .insert_client(
                &tenant,
                client_id,
                new,
                None,
                Some(sha256_hex(&registration_access_token)),
            )
            .await?;
        tracing::info!(tenant = %tenant.slug, client_id = %client.client_id, "client registered itself");
        Ok(Registered {
            client,
            secret,
            registration_access_token,
        })
    }

    /// The registered client `client_id`, if `token` is its registration access token.
    pub async fn registered_client(
        &self,
        tenant_slug: &str,
        client_id: &str,
        token: Option<&str>,
    ) -> Result<client::Model, RegistrationError> {
        let refused = || {
            RegistrationError::InvalidToken("not this client's registration access token".into())
        };
        let token = token.ok_or_else(refused)?;
        let tenant = self
            .active_tenant(tenant_slug)
            .await?
            .ok_or(RegistrationError::UnknownTenant)?;
        let client = self
            .find_client(tenant.id, client_id)
            .await?
            .filter(|c| !c.disabled)
            .ok_or_else(refused)?;
        let hash = client
            .registration_token_hash
            .as_deref()
            .ok_or_else(refused)?;
        if !same(&sha256_hex(token), hash) {
            return Err(refused());
        }
        Ok(client)
    }

    /// `PUT` on a registration (RFC 7592 §2.2): the metadata of `client` (found with
    /// [`AuthService::registered_client`]) replaced by `new`, within the tenant's policy. The
    /// authentication method stays the one registered.
    pub async fn update_registered_client(
        &self,
        tenant_slug: &str,
        client: client::Model,
        new: NewClient,
    ) -> Result<client::Model, RegistrationError> {
        let method = new
            .token_endpoint_auth_method
            .as_deref()
            .unwrap_or(&client.token_endpoint_auth_method);
        if method != client.token_endpoint_auth_method {
            return Err(RegistrationError::InvalidClientMetadata(
                "token_endpoint_auth_method cannot change; register a new client".into(),
            ));
        }
        let tenant = self.get_tenant(tenant_slug).await?;
        let mut new = within_policy(&OAuthPolicy::of(&tenant).registration, new)?;
        new.token_endpoint_auth_method = Some(client.token_endpoint_auth_method.clone());
        new.validate(&tenant.slug).map_err(metadata_error)?;
        let mut active: client::ActiveModel = client.into();
        active.client_name = Set(new.client_name.trim().to_owned());
        active.grant_types = Set(new.grant_types.join(" "));
        active.redirect_uris = Set(new.redirect_uris.join(" "));
        active.scope = Set(new.scope);
        active.id_token_signed_response_alg = Set(new.id_token_signed_response_alg);
        active.jwks = Set(new.jwks.map(|j| j.to_string()));
        active.dpop_bound_access_tokens = Set(new.dpop_bound_access_tokens);
        let tx = sea_orm::TransactionTrait::begin(&self.db).await?;
        let updated = active.update(&tx).await?;
        self.commit_change(tx, tenant_slug).await?;
        Ok(updated)
    }

    /// `DELETE` on a registration (RFC 7592 §2.3): the client and all it was given.
    pub async fn delete_registered_client(
        &self,
        tenant_slug: &str,
        client_id: &str,
        token: Option<&str>,
    ) -> Result<(), RegistrationError> {
        self.registered_client(tenant_slug, client_id, token)
            .await?;
        Ok(self.delete_client(tenant_slug, client_id).await?)
    }

    /// The tenant's initial access token `token`, if it is still valid.
    async fn usable_initial_token(
        &self,
        tenant: &tenant::Model,
        token: Option<&str>,
    ) -> Result<Uuid, RegistrationError> {
        let refused = |why: &str| RegistrationError::InvalidToken(why.into());
        let token = token.ok_or_else(|| {
            refused("this tenant registers clients with an initial access token only")
        })?;
        initial_access_token::Entity::find()
            .filter(initial_access_token::Column::TenantId.eq(tenant.id))
            .filter(initial_access_token::Column::TokenHash.eq(sha256_hex(token)))
            .filter(initial_access_token::Column::ExpiresAt.gt(Utc::now()))
            .one(&self.db)
            .await?
            .filter(|t| t.remaining_uses.is_none_or(|n| n > 0))
            .map(|t| t.id)
            .ok_or_else(|| refused("the initial access token is unknown, expired or used up"))
    }

    /// Spends one use of an initial access token; of two registrations racing for its last
    /// use, one wins.
    async fn spend_initial_token(&self, id: Uuid) -> Result<(), RegistrationError> {
        let spent = initial_access_token::Entity::update_many()
            .col_expr(
                initial_access_token::Column::RemainingUses,
                Expr::col(initial_access_token::Column::RemainingUses).sub(1),
            )
            .filter(initial_access_token::Column::Id.eq(id))
            .filter(
                Condition::any()
                    .add(initial_access_token::Column::RemainingUses.is_null())
                    .add(initial_access_token::Column::RemainingUses.gt(0)),
            )
            .exec(&self.db)
            .await?
            .rows_affected
            == 1;
        if spent {
            Ok(())
        } else {
            Err(RegistrationError::InvalidToken(
                "the initial access token is used up".into(),
            ))
        }
    }
}

/// How long an initial access token lasts when not said: a day; at most 30 days.
pub const INITIAL_TOKEN_DEFAULT_SECONDS: i64 = 86_400;
pub const INITIAL_TOKEN_MAX_SECONDS: i64 = 30 * 86_400;
/// The most registrations one initial access token may allow.
pub const INITIAL_TOKEN_MAX_USES: i32 = 10_000;

impl AuthService {
    /// A new initial access token of the tenant (RFC 7591 §3), shown once: valid
    /// `expires_in` seconds, for `max_uses` registrations (unlimited when `None`).
    pub async fn create_initial_access_token(
        &self,
        tenant_slug: &str,
        expires_in: Option<i64>,
        max_uses: Option<i32>,
    ) -> Result<(initial_access_token::Model, String), AuthError> {
        let expires_in = expires_in.unwrap_or(INITIAL_TOKEN_DEFAULT_SECONDS);
        let mut errors = Vec::new();
        if !(60..=INITIAL_TOKEN_MAX_SECONDS).contains(&expires_in) {
            errors.push(gatehouse_proto::FieldError::new(
                "expires_in",
                format!("must be 60 to {INITIAL_TOKEN_MAX_SECONDS} seconds"),
            ));
        }
        if max_uses.is_some_and(|n| !(1..=INITIAL_TOKEN_MAX_USES).contains(&n)) {
            errors.push(gatehouse_proto::FieldError::new(
                "max_uses",
                format!("must be 1 to {INITIAL_TOKEN_MAX_USES}"),
            ));
        }
        if !errors.is_empty() {
            return Err(AuthError::Invalid(errors));
        }
        let tenant = self.get_tenant(tenant_slug).await?;
        let token = format!("ghi_{}", random_token(32));
        let now = Utc::now();
        let row = initial_access_token::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(tenant.id),
            token_hash: Set(sha256_hex(&token)),
            created_at: Set(now),
            expires_at: Set(now + chrono::Duration::seconds(expires_in)),
            remaining_uses: Set(max_uses),
        }
        .insert(&self.db)
        .await?;
        tracing::info!(tenant = %tenant.slug, id = %row.id, "initial access token created");
        Ok((row, token))
    }

    /// The tenant's initial access tokens that have not expired.
    pub async fn list_initial_access_tokens(
        &self,
        tenant_slug: &str,
    ) -> Result<Vec<initial_access_token::Model>, AuthError> {
        use sea_orm::QueryOrder;
        let tenant = self.get_tenant(tenant_slug).await?;
        Ok(initial_access_token::Entity::find()
            .filter(initial_access_token::Column::TenantId.eq(tenant.id))
            .filter(initial_access_token::Column::ExpiresAt.gt(Utc::now()))
            .order_by_asc(initial_access_token::Column::CreatedAt)
            .all(&self.db)
            .await?)
    }

    /// Withdraws an initial access token.
    pub async fn delete_initial_access_token(
        &self,
        tenant_slug: &str,
        id: Uuid,
    ) -> Result<(), AuthError> {
        let tenant = self.get_tenant(tenant_slug).await?;
        let deleted = initial_access_token::Entity::delete_many()
            .filter(initial_access_token::Column::TenantId.eq(tenant.id))
            .filter(initial_access_token::Column::Id.eq(id))
            .exec(&self.db)
            .await?
            .rows_affected;
        if deleted == 0 {
            return Err(AuthError::NotFound(format!(
                "no initial access token {id} in this tenant"
            )));
        }
        Ok(())
    }
}

impl AuthService {
    /// A new registration access token for `client`, which replaces its last one: answers
    /// about a registration carry a token (RFC 7592 §3), and only its hash is kept.
    pub async fn rotate_registration_token(
        &self,
        client: client::Model,
    ) -> Result<(client::Model, String), RegistrationError> {
        let token = random_token(32);
        let mut active: client::ActiveModel = client.into();
        active.registration_token_hash = Set(Some(sha256_hex(&token)));
        Ok((active.update(&self.db).await?, token))
    }
}
