//! A tenant's OAuth clients: registering, finding, changing and deleting them.

mod metadata;
mod metadata_document;
mod registration;

pub use metadata::{
    ACCESS_TOKEN_FORMATS, CLIENT_NAME_MAX_CHARS, DEVICE_CODE_GRANT, ID_TOKEN_ALGS, NewClient,
    REDIRECT_URI_MAX_CHARS, REDIRECT_URIS_MAX, SCOPE_MAX_CHARS, SCOPE_PATTERN,
    SUPPORTED_AUTH_METHODS, SUPPORTED_GRANT_TYPES, is_scope_token,
};
pub(crate) use metadata_document::Fetcher;
pub use metadata_document::{DocumentError, DocumentFetch};
pub use registration::{INITIAL_TOKEN_MAX_SECONDS, INITIAL_TOKEN_MAX_USES, RegistrationError};

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use uuid::Uuid;

use super::{AuthService, SYSTEM_TENANT};
use crate::entity::{authorization_request, client, code, consent, refresh_token, tenant};
use crate::error::AuthError;
use crate::secrets::new_client_secret;

/// A change to a client (`None`: kept).
#[derive(Debug, Default)]
pub struct ClientUpdate {
    pub disabled: Option<bool>,
    pub resource_server: Option<bool>,
    pub require_pushed_authorization_requests: Option<bool>,
    pub dpop_bound_access_tokens: Option<bool>,
}

/// A client secret in clear: returned once at creation, never stored.
pub struct ClientSecret(pub String);

impl std::fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientSecret(..)")
    }
}

impl AuthService {
    /// Registers a client with a server-generated `client_id` and secret.
    pub async fn create_client(
        &self,
        tenant_slug: &str,
        new: NewClient,
    ) -> Result<(client::Model, Option<ClientSecret>), AuthError> {
        let tenant = self.get_tenant(tenant_slug).await?;
        // 128 random bits in hexadecimal: safe in URLs, forms, Basic credentials and command
        // lines (a base64url id may start with '-', which a CLI reads as a flag).
        let client_id = Uuid::new_v4().simple().to_string();
        self.insert_client(&tenant, client_id, new, None, None)
            .await
    }

    pub(super) async fn insert_client(
        &self,
        tenant: &tenant::Model,
        client_id: String,
        new: NewClient,
        secret: Option<&str>,
        registration_token_hash: Option<String>,
    ) -> Result<(client::Model, Option<ClientSecret>), AuthError> {
        new.validate(&tenant.slug)?;
        // Public clients and private_key_jwt clients have no secret; their hash stays empty
        // and never verifies.
        let needs_secret = !matches!(
            new.token_endpoint_auth_method.as_deref(),
            Some("none" | "private_key_jwt")
        );
        let secret = needs_secret.then(|| secret.map_or_else(new_client_secret, str::to_owned));
        let scope: Vec<&str> = new.scope.split(' ').filter(|t| !t.is_empty()).collect();
        let model = client::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(tenant.id),
            client_id: Set(client_id),
            client_name: Set(new.client_name.trim().to_owned()),
            secret_hash: Set(secret
                .as_deref()
                .map(|s| self.hasher.hash(s))
                .unwrap_or_default()),
            grant_types: Set(new.grant_types.join(" ")),
            redirect_uris: Set(new.redirect_uris.join(" ")),
            scope: Set(scope.join(" ")),
            token_endpoint_auth_method: Set(new
                .token_endpoint_auth_method
                .unwrap_or_else(|| "client_secret_basic".into())),
            created_at: Set(Utc::now()),
            id_token_signed_response_alg: Set(new.id_token_signed_response_alg),
            jwks: Set(new.jwks.map(|j| j.to_string())),
            access_token_format: Set(new.access_token_format),
            disabled: Set(false),
            resource_server: Set(new.resource_server),
            require_pushed_authorization_requests: Set(new.require_pushed_authorization_requests),
            dpop_bound_access_tokens: Set(new.dpop_bound_access_tokens),
            registration_token_hash: Set(registration_token_hash),
        }
        .insert(&self.db)
        .await?;
        tracing::info!(tenant = %tenant.slug, client_id = %model.client_id, "client created");
        Ok((model, secret.map(ClientSecret)))
    }

    pub async fn list_clients(&self, tenant_slug: &str) -> Result<Vec<client::Model>, AuthError> {
        let tenant = self.get_tenant(tenant_slug).await?;
        Ok(client::Entity::find()
            .filter(client::Column::TenantId.eq(tenant.id))
            .order_by_asc(client::Column::CreatedAt)
            .order_by_asc(client::Column::Id)
            .all(&self.db)
            .await?)
    }

    pub(crate) async fn find_client(
        &self,
        tenant_id: Uuid,
        client_id: &str,
    ) -> Result<Option<client::Model>, AuthError> {
        Ok(client::Entity::find()
            .filter(client::Column::TenantId.eq(tenant_id))
            .filter(client::Column::ClientId.eq(client_id))
            .one(&self.db)
            .await?)
    }

    pub async fn get_client(
        &self,
        tenant_slug: &str,
        client_id: &str,
    ) -> Result<client::Model, AuthError> {
        let tenant = self.get_tenant(tenant_slug).await?;
        self.find_client(tenant.id, client_id)
            .await?
            .ok_or_else(|| AuthError::NotFound(format!("no client '{client_id}' in this tenant")))
    }

    /// Disables or enables a client. Disabling ends its refresh tokens and revokes its access
    /// tokens everywhere; a disabled client authenticates like an unknown one.
    pub async fn update_client(
        &self,
        tenant_slug: &str,
        client_id: &str,
        update: ClientUpdate,
    ) -> Result<client::Model, AuthError> {
        use sea_orm::IntoActiveModel;
        let client = self.get_client(tenant_slug, client_id).await?;
        let disabled = update.disabled.unwrap_or(client.disabled);
        if disabled && tenant_slug == SYSTEM_TENANT && client.client_id == super::ADMIN_CLIENT_ID {
            return Err(AuthError::Conflict(
                "the operator's admin client cannot be disabled".into(),
            ));
        }
        let disabling = disabled && !client.disabled;
        let tx = self.db.begin().await?;
        let mut active = client.clone().into_active_model();
        active.disabled = Set(disabled);
        if let Some(resource_server) = update.resource_server {
            active.resource_server = Set(resource_server);
        }
        if let Some(required) = update.require_pushed_authorization_requests {
            active.require_pushed_authorization_requests = Set(required);
        }
        if let Some(required) = update.dpop_bound_access_tokens {
            active.dpop_bound_access_tokens = Set(required);
        }
        let updated = active.update(&tx).await?;
        if disabling {
            refresh_token::Entity::delete_many()
                .filter(refresh_token::Column::ClientId.eq(client.id))
                .exec(&tx)
                .await?;
            self.revoke_all(
                &tx,
                tenant_slug,
                gatehouse_proto::RevocationKind::Client,
                &client.client_id,
            )
            .await?;
        }
        self.commit_change(tx, tenant_slug).await?;
        tracing::info!(tenant = %tenant_slug, client_id = %client_id, disabled, "client changed");
        Ok(updated)
    }

    pub async fn delete_client(&self, tenant_slug: &str, client_id: &str) -> Result<(), AuthError> {
        let client = self.get_client(tenant_slug, client_id).await?;
        if tenant_slug == SYSTEM_TENANT && client.client_id == super::ADMIN_CLIENT_ID {
            return Err(AuthError::Conflict(
                "the operator's admin client cannot be deleted".into(),
            ));
        }
        // What the client was given goes with it: refresh tokens, consents, pending codes.
        let tx = self.db.begin().await?;
        refresh_token::Entity::delete_many()
            .filter(refresh_token::Column::ClientId.eq(client.id))
            .exec(&tx)
            .await?;
        consent::Entity::delete_many()
            .filter(consent::Column::ClientId.eq(client.id))
            .exec(&tx)
            .await?;
        code::Entity::delete_many()
            .filter(code::Column::ClientId.eq(client.id))
            .exec(&tx)
            .await?;
        authorization_request::Entity::delete_many()
            .filter(authorization_request::Column::ClientId.eq(client.id))
            .exec(&tx)
            .await?;
        client::Entity::delete_by_id(client.id).exec(&tx).await?;
        // And its access tokens, which every gateway refuses from the revocation feed.
        self.revoke_all(
            &tx,
            tenant_slug,
            gatehouse_proto::RevocationKind::Client,
            &client.client_id,
        )
        .await?;
        self.commit_change(tx, tenant_slug).await?;
        tracing::info!(tenant = %tenant_slug, client_id = %client_id, "client deleted");
        Ok(())
    }
}
