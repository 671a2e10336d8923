//! The admin operations, as the admin API and the command line both perform them: the same
//! checks, and answers in the same views.

use gatehouse_proto::PLATFORM_ADMIN;

use crate::error::AuthError;
use crate::policy::OAuthPolicy;
use crate::service::{
    AuthService, ClientUpdate, NewClient, NewTenant, NewUser, TenantUpdate, UserUpdate,
};
use crate::views::{
    ClientCreated, ClientList, ConsentList, InitialAccessTokenCreated, InitialAccessTokenList,
    KeyList, Tenant, TenantList, User, UserList,
};

/// Who asks for an admin operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    /// The operator: a `platform:admin` token, or the command line on the database.
    Operator,
    /// A tenant's admin (`tenant:admin`), in its own tenant.
    TenantAdmin,
}

/// The admin operations on tenants, clients, users and keys, answered in views.
#[derive(Debug, Clone)]
pub struct Admin {
    service: AuthService,
}

impl Admin {
    pub fn new(service: AuthService) -> Self {
        Self { service }
    }

    fn tenant(&self, row: crate::entity::tenant::Model) -> Tenant {
        let issuer = self.service.config().issuer(&row.slug);
        Tenant::new(row, issuer)
    }

    /// Creates the tenant and its first signing keys.
    #[tracing::instrument(skip_all, fields(tenant = %new.slug))]
    pub async fn create_tenant(&self, new: NewTenant) -> Result<Tenant, AuthError> {
        Ok(self.tenant(self.service.create_tenant(new).await?))
    }

    #[tracing::instrument(skip_all)]
    pub async fn list_tenants(&self) -> Result<TenantList, AuthError> {
        let rows = self.service.list_tenants().await?;
        let items = rows.into_iter().map(|t| self.tenant(t)).collect();
        Ok(TenantList { items })
    }

    #[tracing::instrument(skip(self))]
    pub async fn get_tenant(&self, tenant: &str) -> Result<Tenant, AuthError> {
        Ok(self.tenant(self.service.get_tenant(tenant).await?))
    }

    #[tracing::instrument(skip(self, update))]
    pub async fn update_tenant(
        &self,
        tenant: &str,
        update: TenantUpdate,
    ) -> Result<Tenant, AuthError> {
        Ok(self.tenant(self.service.update_tenant(tenant, update).await?))
    }

    #[tracing::instrument(skip(self))]
    pub async fn oauth_policy(&self, tenant: &str) -> Result<OAuthPolicy, AuthError> {
        self.service.oauth_policy(tenant).await
    }

    #[tracing::instrument(skip(self, policy))]
    pub async fn set_oauth_policy(
        &self,
        tenant: &str,
        policy: OAuthPolicy,
    ) -> Result<OAuthPolicy, AuthError> {
        self.service.set_oauth_policy(tenant, policy).await
    }

    /// A new initial access token for dynamic client registration, shown once.
    #[tracing::instrument(skip(self))]
    pub async fn create_initial_access_token(
        &self,
        tenant: &str,
        expires_in: Option<i64>,
        max_uses: Option<i32>,
    ) -> Result<InitialAccessTokenCreated, AuthError> {
        let (row, token) = self
            .service
            .create_initial_access_token(tenant, expires_in, max_uses)
            .await?;
        Ok(InitialAccessTokenCreated {
            details: row.into(),
            token,
        })
    }

    #[tracing::instrument(skip(self))]
    pub async fn list_initial_access_tokens(
        &self,
        tenant: &str,
    ) -> Result<InitialAccessTokenList, AuthError> {
        let rows = self.service.list_initial_access_tokens(tenant).await?;
        let items = rows.into_iter().map(Into::into).collect();
        Ok(InitialAccessTokenList { items })
    }

    #[tracing::instrument(skip(self))]
    pub async fn delete_initial_access_token(
        &self,
        tenant: &str,
        id: uuid::Uuid,
    ) -> Result<(), AuthError> {
        self.service.delete_initial_access_token(tenant, id).await
    }

    /// Deletes the tenant with its clients, users and keys.
    #[tracing::instrument(skip(self))]
    pub async fn delete_tenant(&self, tenant: &str) -> Result<(), AuthError> {
        self.service.delete_tenant(tenant).await
    }

    /// Registers a client; its secret is in the answer, and nowhere else ever again.
    /// `platform:admin` is given by the operator alone: a tenant admin of `system` must not
    /// mint a client that outranks it.
    #[tracing::instrument(skip(self, new))]
    pub async fn create_client(
        &self,
        tenant: &str,
        new: NewClient,
        caller: Caller,
    ) -> Result<ClientCreated, AuthError> {
        if caller != Caller::Operator && new.scope.split(' ').any(|s| s == PLATFORM_ADMIN) {
            return Err(AuthError::Forbidden(format!(
                "only the operator (a '{PLATFORM_ADMIN}' token) may register a client with \
                 '{PLATFORM_ADMIN}'"
            )));
        }
        let (client, secret) = self.service.create_client(tenant, new).await?;
        Ok(ClientCreated {
            client: client.into(),
            client_secret_expires_at: secret.as_ref().map(|_| 0),
            client_secret: secret.map(|s| s.0),
        })
    }

    #[tracing::instrument(skip(self))]
    pub async fn list_clients(&self, tenant: &str) -> Result<ClientList, AuthError> {
        let rows = self.service.list_clients(tenant).await?;
        let items = rows.into_iter().map(Into::into).collect();
        Ok(ClientList { items })
    }

    #[tracing::instrument(skip(self))]
    pub async fn get_client(
        &self,
        tenant: &str,
        client_id: &str,
    ) -> Result<crate::views::Client, AuthError> {
        Ok(self.service.get_client(tenant, client_id).await?.into())
    }

    #[tracing::instrument(skip(self))]
    pub async fn update_client(
        &self,
        tenant: &str,
        client_id: &str,
        update: ClientUpdate,
    ) -> Result<crate::views::Client, AuthError> {
        let row = self
            .service
            .update_client(tenant, client_id, update)
            .await?;
        Ok(row.into())
    }

    #[tracing::instrument(skip(self))]
    pub async fn delete_client(&self, tenant: &str, client_id: &str) -> Result<(), AuthError> {
        self.service.delete_client(tenant, client_id).await
    }

    #[tracing::instrument(skip(self, new), fields(username = %new.username))]
    pub async fn create_user(&self, tenant: &str, new: NewUser) -> Result<User, AuthError> {
        Ok(self.service.create_user(tenant, new).await?.into())
    }

    #[tracing::instrument(skip(self))]
    pub async fn list_users(&self, tenant: &str) -> Result<UserList, AuthError> {
        let rows = self.service.list_users(tenant).await?;
        let items = rows.into_iter().map(Into::into).collect();
        Ok(UserList { items })
    }

    #[tracing::instrument(skip(self))]
    pub async fn get_user(&self, tenant: &str, user_id: &str) -> Result<User, AuthError> {
        Ok(self.service.get_user(tenant, user_id).await?.into())
    }

    #[tracing::instrument(skip(self))]
    pub async fn update_user(
        &self,
        tenant: &str,
        user_id: &str,
        update: UserUpdate,
    ) -> Result<User, AuthError> {
        Ok(self
            .service
            .update_user(tenant, user_id, update)
            .await?
            .into())
    }

    #[tracing::instrument(skip(self))]
    pub async fn delete_user(&self, tenant: &str, user_id: &str) -> Result<(), AuthError> {
        self.service.delete_user(tenant, user_id).await
    }

    #[tracing::instrument(skip(self))]
    pub async fn list_consents(
        &self,
        tenant: &str,
        user_id: &str,
    ) -> Result<ConsentList, AuthError> {
        let granted = self.service.list_consents(tenant, user_id).await?;
        let items = granted.into_iter().map(Into::into).collect();
        Ok(ConsentList { items })
    }

    /// The app must ask the user again; its refresh tokens for the user are revoked.
    #[tracing::instrument(skip(self))]
    pub async fn revoke_consent(
        &self,
        tenant: &str,
        user_id: &str,
        client_id: &str,
    ) -> Result<(), AuthError> {
        self.service
            .revoke_consent(tenant, user_id, client_id)
            .await
    }

    /// The tenant's keys, newest first, including those no longer published.
    #[tracing::instrument(skip(self))]
    pub async fn list_keys(&self, tenant: &str) -> Result<KeyList, AuthError> {
        let rows = self.service.list_keys(tenant).await?;
        let items = rows.into_iter().map(Into::into).collect();
        Ok(KeyList { items })
    }

    /// Starts new keys, published now and signing after the publish delay.
    #[tracing::instrument(skip(self))]
    pub async fn rotate_keys(&self, tenant: &str) -> Result<KeyList, AuthError> {
        let rows = self.service.rotate_keys(tenant).await?;
        let items = rows.into_iter().map(Into::into).collect();
        Ok(KeyList { items })
    }
}
