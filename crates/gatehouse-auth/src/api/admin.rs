//! The admin API: tenants (`/admin/v1/tenants`) and a tenant's clients and users
//! (`/t/{tenant}/admin/v1/...`).

use chrono::{DateTime, Utc};
use gatehouse_proto::{
    ApiProblem, NOT_BLANK_PATTERN, Rule, SLUG_MAX_LEN, SLUG_PATTERN, Text, email_rule,
};
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::types::{Example, MaybeUndefined};
use poem_openapi::{ApiResponse, Enum, Object, OpenApi, Tags};
use serde_json::json;

use super::security::{PlatformAuth, PlatformScope, TenantAdminAuth, TenantScope};
use crate::entity::{client, tenant, user};
use crate::keys::SigningAlg;
use crate::service::{
    AuthService, ClientUpdate, NewClient, NewTenant, NewUser, TenantUpdate, UserRole, UserUpdate,
};

#[derive(Tags)]
enum AdminTag {
    /// Tenants: the organisations served by this platform (operator only).
    Tenants,
    /// OAuth clients registered in a tenant.
    Clients,
    /// A tenant's users, who sign in to authorize third-party apps.
    Users,
    /// A tenant's token signing keys and their rotation.
    Keys,
}

/// A user's role in its tenant. `user`: its tokens carry any scope an app was registered
/// with but `tenant:admin`; `admin`: also `tenant:admin`. No user's token carries
/// `platform:admin`.
#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "lowercase")]
enum Role {
    User,
    Admin,
}

impl From<Role> for UserRole {
    fn from(role: Role) -> Self {
        match role {
            Role::User => UserRole::User,
            Role::Admin => UserRole::Admin,
        }
    }
}

#[derive(Debug, Clone, Copy, Enum)]
enum Alg {
    ES256,
    RS256,
}

impl From<Alg> for SigningAlg {
    fn from(alg: Alg) -> Self {
        match alg {
            Alg::ES256 => SigningAlg::ES256,
            Alg::RS256 => SigningAlg::RS256,
        }
    }
}

/// A new tenant.
#[derive(Debug, Object)]
#[oai(example)]
struct TenantCreate {
    /// Lowercase letters, digits and `-`, at most 63; the tenant's path is `/t/{slug}`.
    slug: Text,
    /// The name shown to the tenant's users.
    display_name: Text,
    /// Algorithm of the tenant's signing keys; the installation's default when absent.
    signing_alg: Option<Alg>,
}

impl Example for TenantCreate {
    fn example() -> Self {
        TenantCreate {
            slug: "acme".into(),
            display_name: "Acme Corporation".into(),
            signing_alg: None,
        }
    }
}

/// A tenant.
#[derive(Debug, Object)]
struct Tenant {
    id: uuid::Uuid,
    slug: String,
    display_name: String,
    /// The tenant's OAuth issuer; discovery is at `{issuer}/.well-known/openid-configuration`.
    issuer: String,
    signing_alg: String,
    /// The tenant's refresh token idle lifetime in seconds; the installation's when absent.
    #[oai(skip_serializing_if_is_none)]
    refresh_idle_seconds: Option<i64>,
    /// The tenant's refresh token absolute lifetime in seconds; the installation's when absent.
    #[oai(skip_serializing_if_is_none)]
    refresh_absolute_seconds: Option<i64>,
    /// Requests per minute the gateway allows the whole tenant; the configured when absent.
    #[oai(skip_serializing_if_is_none)]
    rate_limit_per_minute: Option<i64>,
    /// Whether writes to the tenant's resource API must carry `If-Match` (428 without).
    require_if_match: bool,
    /// A disabled tenant issues nothing, and its tokens are refused everywhere.
    disabled: bool,
    created_at: DateTime<Utc>,
}

/// Changes to a tenant (JSON Merge Patch: absent keeps, `null` resets to the default).
#[derive(Debug, Object)]
struct TenantPatch {
    display_name: Option<Text>,
    /// 60 seconds to 5 years.
    refresh_idle_seconds: MaybeUndefined<i64>,
    /// 60 seconds to 5 years; at least the idle lifetime.
    refresh_absolute_seconds: MaybeUndefined<i64>,
    /// Requests per minute the gateway allows the whole tenant; `null`: the configured one.
    rate_limit_per_minute: MaybeUndefined<i64>,
    /// `true`: writes to the tenant's resource API must carry `If-Match`, so that no client
    /// overwrites a change it has not seen (428 without).
    require_if_match: Option<bool>,
    /// `true`: the tenant issues nothing (its sign-in, token and introspection endpoints
    /// answer as for an unknown tenant), and every gateway refuses its tokens; `false` enables
    /// it again (earlier tokens stay revoked). The `system` tenant stays enabled.
    disabled: Option<bool>,
}

/// Changes to a client (absent: kept).
#[derive(Debug, Object)]
struct ClientPatch {
    /// `true`: the client authenticates like an unknown one, its refresh tokens end, and every
    /// gateway refuses its access tokens; `false` enables it again (earlier tokens stay
    /// revoked).
    disabled: Option<bool>,
    /// Whether the client may introspect every access token of the tenant.
    resource_server: Option<bool>,
}

/// What a user granted an app.
#[derive(Debug, Object)]
struct Consent {
    client_id: String,
    client_name: String,
    /// The granted scopes, space separated.
    scope: String,
    created_at: DateTime<Utc>,
}

#[derive(Debug, Object)]
struct ConsentList {
    items: Vec<Consent>,
}

#[derive(ApiResponse)]
enum ConsentsListed {
    #[oai(status = 200)]
    Ok(Json<ConsentList>),
}

#[derive(Debug, Object)]
struct TenantList {
    items: Vec<Tenant>,
}

/// A new client, in RFC 7591 metadata names.
#[derive(Debug, Object)]
#[oai(example)]
struct ClientCreate {
    /// A name for people: shown on consent pages and in logs.
    client_name: Text,
    /// Grant types the client may use; `["client_credentials"]` when absent.
    grant_types: Option<Vec<Text>>,
    /// Registered redirect URIs (for grants that redirect).
    redirect_uris: Option<Vec<Text>>,
    /// Space-separated scopes the client may be granted.
    scope: Option<Text>,
    /// `client_secret_basic` (default), `client_secret_post`, `private_key_jwt` (with
    /// `jwks`), or `none` for a public client (a browser or native app, which cannot keep a
    /// secret).
    token_endpoint_auth_method: Option<Text>,
    /// OpenID Connect: `RS256` (default) or `ES256`.
    id_token_signed_response_alg: Option<Text>,
    /// For `private_key_jwt`: the client's public keys, a JWK Set (`{"keys": [...]}`), each
    /// with a `kid` and an `alg`.
    jwks: Option<serde_json::Value>,
    /// `jwt` (RFC 9068, the default) or `opaque` (resource servers introspect it).
    access_token_format: Option<Text>,
    /// `true`: the client may introspect every access token of the tenant (an API that checks
    /// tokens itself, or a gateway configured for opaque tokens); other clients learn only
    /// about their own tokens. `false` when absent.
    resource_server: Option<bool>,
}

impl Example for ClientCreate {
    fn example() -> Self {
        ClientCreate {
            client_name: "Inventory sync".into(),
            grant_types: Some(vec!["client_credentials".into()]),
            redirect_uris: None,
            scope: Some("products:read products:write".into()),
            token_endpoint_auth_method: Some("client_secret_basic".into()),
            id_token_signed_response_alg: None,
            jwks: None,
            access_token_format: None,
            resource_server: None,
        }
    }
}

/// A registered client. Its secret is never shown again after creation.
#[derive(Debug, Object)]
struct Client {
    client_id: String,
    client_name: String,
    grant_types: Vec<String>,
    redirect_uris: Vec<String>,
    scope: String,
    token_endpoint_auth_method: String,
    id_token_signed_response_alg: String,
    #[oai(skip_serializing_if_is_none)]
    jwks: Option<serde_json::Value>,
    access_token_format: String,
    /// Seconds since the epoch (RFC 7591).
    client_id_issued_at: i64,
    disabled: bool,
    resource_server: bool,
}

/// A newly registered client with its secret: store the secret now, it is shown only once.
/// Public clients (`token_endpoint_auth_method` `none`) have no secret.
#[derive(Debug, Object)]
struct ClientCreated {
    #[oai(flatten)]
    client: Client,
    #[oai(skip_serializing_if_is_none)]
    client_secret: Option<String>,
    /// `0`: the secret does not expire (RFC 7591).
    #[oai(skip_serializing_if_is_none)]
    client_secret_expires_at: Option<i64>,
}

#[derive(Debug, Object)]
struct ClientList {
    items: Vec<Client>,
}

/// A new user.
#[derive(Object)]
#[oai(example)]
struct UserCreate {
    /// Letters, digits, `.`, `-`, `_` or `@`; at most 64; unique in the tenant.
    username: Text,
    /// 8 to 1024 characters; stored only as an argon2id hash.
    #[oai(write_only)]
    password: Text,
    email: Text,
    /// `user` when absent.
    role: Option<Role>,
}

/// Changes to a user (absent: kept).
#[derive(Debug, Object)]
struct UserPatch {
    role: Option<Role>,
    /// `true`: the user cannot sign in or refresh, and its tokens are refused everywhere;
    /// `false` enables it again (its earlier tokens stay revoked).
    disabled: Option<bool>,
}

impl Example for UserCreate {
    fn example() -> Self {
        UserCreate {
            username: "ada".into(),
            password: "correct horse battery staple".into(),
            email: "ada@example.com".into(),
            role: Some(Role::User),
        }
    }
}

/// A user. The password is never returned.
#[derive(Debug, Object)]
struct User {
    id: uuid::Uuid,
    username: String,
    email: String,
    /// `user` or `admin`.
    role: String,
    disabled: bool,
    created_at: DateTime<Utc>,
}

#[derive(Debug, Object)]
struct UserList {
    items: Vec<User>,
}

#[derive(ApiResponse)]
enum TenantCreated {
    /// The tenant was created with its first signing key.
    #[oai(status = 201)]
    Created(Json<Tenant>, #[oai(header = "Location")] String),
}

#[derive(ApiResponse)]
enum TenantFound {
    #[oai(status = 200)]
    Ok(Json<Tenant>),
}

#[derive(ApiResponse)]
enum TenantsListed {
    #[oai(status = 200)]
    Ok(Json<TenantList>),
}

#[derive(ApiResponse)]
enum ClientRegistered {
    /// The client was registered; `client_secret` is shown only this once.
    #[oai(status = 201)]
    Created(Json<ClientCreated>, #[oai(header = "Location")] String),
}

#[derive(ApiResponse)]
enum ClientFound {
    #[oai(status = 200)]
    Ok(Json<Client>),
}

#[derive(ApiResponse)]
enum ClientsListed {
    #[oai(status = 200)]
    Ok(Json<ClientList>),
}

#[derive(ApiResponse)]
enum UserCreated {
    #[oai(status = 201)]
    Created(Json<User>, #[oai(header = "Location")] String),
}

#[derive(ApiResponse)]
enum UserFound {
    #[oai(status = 200)]
    Ok(Json<User>),
}

#[derive(ApiResponse)]
enum UsersListed {
    #[oai(status = 200)]
    Ok(Json<UserList>),
}

/// A signing key; its private part never leaves the server.
#[derive(Debug, Object)]
struct SigningKey {
    kid: String,
    alg: String,
    /// `pending` (published, not signing yet), `active` (signing), `retiring` (published
    /// until the tokens it signed expire) or `expired`.
    status: String,
    created_at: DateTime<Utc>,
    #[oai(skip_serializing_if_is_none)]
    activates_at: Option<DateTime<Utc>>,
    #[oai(skip_serializing_if_is_none)]
    retires_at: Option<DateTime<Utc>>,
    #[oai(skip_serializing_if_is_none)]
    expires_at: Option<DateTime<Utc>>,
}

impl From<crate::entity::signing_key::Model> for SigningKey {
    fn from(k: crate::entity::signing_key::Model) -> Self {
        let now = Utc::now();
        let status = if k.expires_at.is_some_and(|t| t <= now) {
            "expired"
        } else if k.retires_at.is_some_and(|t| t <= now) {
            "retiring"
        } else if k.activates_at.is_some_and(|t| t > now) {
            "pending"
        } else {
            "active"
        };
        Self {
            kid: k.kid,
            alg: k.alg,
            status: status.to_owned(),
            created_at: k.created_at,
            activates_at: k.activates_at,
            retires_at: k.retires_at,
            expires_at: k.expires_at,
        }
    }
}

#[derive(Debug, Object)]
struct KeyList {
    items: Vec<SigningKey>,
}

#[derive(ApiResponse)]
enum KeysListed {
    #[oai(status = 200)]
    Ok(Json<KeyList>),
}

#[derive(ApiResponse)]
enum KeysRotated {
    /// The new keys: published now, signing from `activates_at`.
    #[oai(status = 201)]
    Created(Json<KeyList>),
}

#[derive(ApiResponse)]
enum Deleted {
    /// Deleted.
    #[oai(status = 204)]
    NoContent,
}

pub struct AdminApi {
    service: AuthService,
}

impl AdminApi {
    pub fn new(service: AuthService) -> Self {
        Self { service }
    }

    fn tenant(&self, t: tenant::Model) -> Tenant {
        Tenant {
            issuer: self.service.config().issuer(&t.slug),
            id: t.id,
            slug: t.slug,
            display_name: t.display_name,
            signing_alg: t.signing_alg,
            refresh_idle_seconds: t.refresh_idle_seconds,
            refresh_absolute_seconds: t.refresh_absolute_seconds,
            rate_limit_per_minute: t.rate_limit_per_minute,
            require_if_match: t.require_if_match,
            disabled: t.disabled,
            created_at: t.created_at,
        }
    }
}

fn split_list(s: &str) -> Vec<String> {
    s.split(' ')
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

impl From<client::Model> for Client {
    fn from(c: client::Model) -> Self {
        Self {
            grant_types: split_list(&c.grant_types),
            redirect_uris: split_list(&c.redirect_uris),
            client_id_issued_at: c.created_at.timestamp(),
            disabled: c.disabled,
            resource_server: c.resource_server,
            client_id: c.client_id,
            client_name: c.client_name,
            scope: c.scope,
            token_endpoint_auth_method: c.token_endpoint_auth_method,
            id_token_signed_response_alg: c
                .id_token_signed_response_alg
                .unwrap_or_else(|| "RS256".into()),
            jwks: c.jwks.and_then(|j| serde_json::from_str(&j).ok()),
            access_token_format: c.access_token_format.unwrap_or_else(|| "jwt".into()),
        }
    }
}

impl From<user::Model> for User {
    fn from(u: user::Model) -> Self {
        Self {
            id: u.id,
            username: u.username,
            email: u.email,
            role: u.role,
            disabled: u.disabled,
            created_at: u.created_at,
        }
    }
}

#[OpenApi]
impl AdminApi {
    /// Create a tenant
    ///
    /// Creates the tenant and its first signing key; its issuer is `{base}/t/{slug}`.
    #[oai(path = "/admin/v1/tenants", method = "post", tag = "AdminTag::Tenants")]
    async fn create_tenant(
        &self,
        #[oai(scope = "PlatformScope::PlatformAdmin")] auth: PlatformAuth,
        body: Json<TenantCreate>,
    ) -> Result<TenantCreated, ApiProblem> {
        auth.require()?;
        let body = body.0;
        let tenant = self
            .service
            .create_tenant(NewTenant {
                slug: body.slug.0,
                display_name: body.display_name.0,
                signing_alg: body.signing_alg.map(Into::into),
            })
            .await?;
        let location = format!("/admin/v1/tenants/{}", tenant.slug);
        Ok(TenantCreated::Created(Json(self.tenant(tenant)), location))
    }

    /// List tenants
    #[oai(path = "/admin/v1/tenants", method = "get", tag = "AdminTag::Tenants")]
    async fn list_tenants(
        &self,
        #[oai(scope = "PlatformScope::PlatformAdmin")] auth: PlatformAuth,
    ) -> Result<TenantsListed, ApiProblem> {
        auth.require()?;
        let items = self.service.list_tenants().await?;
        let items = items.into_iter().map(|t| self.tenant(t)).collect();
        Ok(TenantsListed::Ok(Json(TenantList { items })))
    }

    /// Get a tenant
    #[oai(
        path = "/admin/v1/tenants/:slug",
        method = "get",
        tag = "AdminTag::Tenants"
    )]
    async fn get_tenant(
        &self,
        #[oai(scope = "PlatformScope::PlatformAdmin")] auth: PlatformAuth,
        slug: Path<String>,
    ) -> Result<TenantFound, ApiProblem> {
        auth.require()?;
        let tenant = self.service.get_tenant(&slug).await?;
        Ok(TenantFound::Ok(Json(self.tenant(tenant))))
    }

    /// Change a tenant
    ///
    /// Its display name and its refresh token lifetimes.
    #[oai(
        path = "/admin/v1/tenants/:slug",
        method = "patch",
        tag = "AdminTag::Tenants"
    )]
    async fn update_tenant(
        &self,
        #[oai(scope = "PlatformScope::PlatformAdmin")] auth: PlatformAuth,
        slug: Path<String>,
        body: Json<TenantPatch>,
    ) -> Result<TenantFound, ApiProblem> {
        auth.require()?;
        let patch = body.0;
        let field = |v: MaybeUndefined<i64>| match v {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(v) => Some(Some(v)),
        };
        let tenant = self
            .service
            .update_tenant(
                &slug,
                TenantUpdate {
                    display_name: patch.display_name.map(|t| t.0),
                    refresh_idle_seconds: field(patch.refresh_idle_seconds),
                    refresh_absolute_seconds: field(patch.refresh_absolute_seconds),
                    rate_limit_per_minute: field(patch.rate_limit_per_minute),
                    require_if_match: patch.require_if_match,
                    disabled: patch.disabled,
                },
            )
            .await?;
        Ok(TenantFound::Ok(Json(self.tenant(tenant))))
    }

    /// Delete a tenant
    ///
    /// Deletes the tenant with its clients, users and keys. The `system` tenant cannot be
    /// deleted.
    #[oai(
        path = "/admin/v1/tenants/:slug",
        method = "delete",
        tag = "AdminTag::Tenants"
    )]
    async fn delete_tenant(
        &self,
        #[oai(scope = "PlatformScope::PlatformAdmin")] auth: PlatformAuth,
        slug: Path<String>,
    ) -> Result<Deleted, ApiProblem> {
        auth.require()?;
        self.service.delete_tenant(&slug).await?;
        Ok(Deleted::NoContent)
    }

    /// Register a client
    ///
    /// The server generates `client_id` and a 256-bit `client_secret`, returned only in this
    /// response and stored only as a keyed hash.
    #[oai(
        path = "/t/:tenant/admin/v1/clients",
        method = "post",
        tag = "AdminTag::Clients"
    )]
    async fn create_client(
        &self,
        #[oai(scope = "TenantScope::TenantAdmin")] auth: TenantAdminAuth,
        tenant: Path<String>,
        body: Json<ClientCreate>,
    ) -> Result<ClientRegistered, ApiProblem> {
        auth.require(&tenant)?;
        let body = body.0;
        let texts = |list: Vec<Text>| list.into_iter().map(|t| t.0).collect();
        let new = NewClient {
            client_name: body.client_name.0,
            grant_types: body
                .grant_types
                .map_or_else(|| vec!["client_credentials".into()], texts),
            redirect_uris: body.redirect_uris.map(texts).unwrap_or_default(),
            scope: body.scope.map(|s| s.0).unwrap_or_default(),
            token_endpoint_auth_method: body.token_endpoint_auth_method.map(|m| m.0),
            id_token_signed_response_alg: body.id_token_signed_response_alg.map(|a| a.0),
            jwks: body.jwks,
            access_token_format: body.access_token_format.map(|f| f.0),
            resource_server: body.resource_server.unwrap_or(false),
        };
        // platform:admin is given only by the operator: a tenant admin of `system` must not
        // mint a client that outranks it.
        if new
            .scope
            .split(' ')
            .any(|s| s == gatehouse_proto::PLATFORM_ADMIN)
            && !auth.is_operator()
        {
            return Err(crate::AuthError::Forbidden(format!(
                "only the operator (a '{}' token) may register a client with '{}'",
                gatehouse_proto::PLATFORM_ADMIN,
                gatehouse_proto::PLATFORM_ADMIN
            ))
            .into());
        }
        let (client, secret) = self.service.create_client(&tenant, new).await?;
        let location = format!("/t/{}/admin/v1/clients/{}", tenant.0, client.client_id);
        Ok(ClientRegistered::Created(
            Json(ClientCreated {
                client: client.into(),
                client_secret_expires_at: secret.as_ref().map(|_| 0),
                client_secret: secret.map(|s| s.0),
            }),
            location,
        ))
    }

    /// List clients
    #[oai(
        path = "/t/:tenant/admin/v1/clients",
        method = "get",
        tag = "AdminTag::Clients"
    )]
    async fn list_clients(
        &self,
        #[oai(scope = "TenantScope::TenantAdmin")] auth: TenantAdminAuth,
        tenant: Path<String>,
    ) -> Result<ClientsListed, ApiProblem> {
        auth.require(&tenant)?;
        let items = self.service.list_clients(&tenant).await?;
        let items = items.into_iter().map(Into::into).collect();
        Ok(ClientsListed::Ok(Json(ClientList { items })))
    }

    /// Get a client
    #[oai(
        path = "/t/:tenant/admin/v1/clients/:client_id",
        method = "get",
        tag = "AdminTag::Clients"
    )]
    async fn get_client(
        &self,
        #[oai(scope = "TenantScope::TenantAdmin")] auth: TenantAdminAuth,
        tenant: Path<String>,
        client_id: Path<String>,
    ) -> Result<ClientFound, ApiProblem> {
        auth.require(&tenant)?;
        let client = self.service.get_client(&tenant, &client_id).await?;
        Ok(ClientFound::Ok(Json(client.into())))
    }

    /// Change a client
    ///
    /// Disable or enable it, or mark it a resource server. Disabling ends its refresh tokens, and every gateway refuses its
    /// access tokens within `gateway.revocation_poll_seconds`.
    #[oai(
        path = "/t/:tenant/admin/v1/clients/:client_id",
        method = "patch",
        tag = "AdminTag::Clients"
    )]
    async fn update_client(
        &self,
        #[oai(scope = "TenantScope::TenantAdmin")] auth: TenantAdminAuth,
        tenant: Path<String>,
        client_id: Path<String>,
        body: Json<ClientPatch>,
    ) -> Result<ClientFound, ApiProblem> {
        auth.require(&tenant)?;
        let update = ClientUpdate {
            disabled: body.0.disabled,
            resource_server: body.0.resource_server,
        };
        let client = self
            .service
            .update_client(&tenant, &client_id, update)
            .await?;
        Ok(ClientFound::Ok(Json(client.into())))
    }

    /// Delete a client
    ///
    /// Its refresh tokens and consents go with it, and every gateway refuses its access
    /// tokens within `gateway.revocation_poll_seconds`.
    #[oai(
        path = "/t/:tenant/admin/v1/clients/:client_id",
        method = "delete",
        tag = "AdminTag::Clients"
    )]
    async fn delete_client(
        &self,
        #[oai(scope = "TenantScope::TenantAdmin")] auth: TenantAdminAuth,
        tenant: Path<String>,
        client_id: Path<String>,
    ) -> Result<Deleted, ApiProblem> {
        auth.require(&tenant)?;
        self.service.delete_client(&tenant, &client_id).await?;
        Ok(Deleted::NoContent)
    }

    /// Create a user
    #[oai(
        path = "/t/:tenant/admin/v1/users",
        method = "post",
        tag = "AdminTag::Users"
    )]
    async fn create_user(
        &self,
        #[oai(scope = "TenantScope::TenantAdmin")] auth: TenantAdminAuth,
        tenant: Path<String>,
        body: Json<UserCreate>,
    ) -> Result<UserCreated, ApiProblem> {
        auth.require(&tenant)?;
        let body = body.0;
        let user = self
            .service
            .create_user(
                &tenant,
                NewUser {
                    username: body.username.0,
                    password: body.password.0,
                    email: body.email.0,
                    role: body.role.map(Into::into).unwrap_or_default(),
                },
            )
            .await?;
        let location = format!("/t/{}/admin/v1/users/{}", tenant.0, user.id);
        Ok(UserCreated::Created(Json(user.into()), location))
    }

    /// Change a user
    ///
    /// Its role, or whether it is disabled. Disabling ends its sessions and refresh tokens,
    /// and every gateway refuses its access tokens within `gateway.revocation_poll_seconds`.
    #[oai(
        path = "/t/:tenant/admin/v1/users/:user_id",
        method = "patch",
        tag = "AdminTag::Users"
    )]
    async fn update_user(
        &self,
        #[oai(scope = "TenantScope::TenantAdmin")] auth: TenantAdminAuth,
        tenant: Path<String>,
        user_id: Path<String>,
        body: Json<UserPatch>,
    ) -> Result<UserFound, ApiProblem> {
        auth.require(&tenant)?;
        let update = UserUpdate {
            role: body.0.role.map(Into::into),
            disabled: body.0.disabled,
        };
        let user = self.service.update_user(&tenant, &user_id, update).await?;
        Ok(UserFound::Ok(Json(user.into())))
    }

    /// List users
    #[oai(
        path = "/t/:tenant/admin/v1/users",
        method = "get",
        tag = "AdminTag::Users"
    )]
    async fn list_users(
        &self,
        #[oai(scope = "TenantScope::TenantAdmin")] auth: TenantAdminAuth,
        tenant: Path<String>,
    ) -> Result<UsersListed, ApiProblem> {
        auth.require(&tenant)?;
        let items = self.service.list_users(&tenant).await?;
        let items = items.into_iter().map(Into::into).collect();
        Ok(UsersListed::Ok(Json(UserList { items })))
    }

    /// Get a user
    #[oai(
        path = "/t/:tenant/admin/v1/users/:user_id",
        method = "get",
        tag = "AdminTag::Users"
    )]
    async fn get_user(
        &self,
        #[oai(scope = "TenantScope::TenantAdmin")] auth: TenantAdminAuth,
        tenant: Path<String>,
        user_id: Path<String>,
    ) -> Result<UserFound, ApiProblem> {
        auth.require(&tenant)?;
        let user = self.service.get_user(&tenant, &user_id).await?;
        Ok(UserFound::Ok(Json(user.into())))
    }

    /// List a user's consents
    #[oai(
        path = "/t/:tenant/admin/v1/users/:user_id/consents",
        method = "get",
        tag = "AdminTag::Users"
    )]
    async fn list_consents(
        &self,
        #[oai(scope = "TenantScope::TenantAdmin")] auth: TenantAdminAuth,
        tenant: Path<String>,
        user_id: Path<String>,
    ) -> Result<ConsentsListed, ApiProblem> {
        auth.require(&tenant)?;
        let items = self.service.list_consents(&tenant, &user_id).await?;
        let items = items
            .into_iter()
            .map(|c| Consent {
                client_id: c.client_id,
                client_name: c.client_name,
                scope: c.scope,
                created_at: c.created_at,
            })
            .collect();
        Ok(ConsentsListed::Ok(Json(ConsentList { items })))
    }

    /// Revoke a consent
    ///
    /// The app must ask the user again; its refresh tokens for the user, and their access
    /// tokens, are revoked.
    #[oai(
        path = "/t/:tenant/admin/v1/users/:user_id/consents/:client_id",
        method = "delete",
        tag = "AdminTag::Users"
    )]
    async fn revoke_consent(
        &self,
        #[oai(scope = "TenantScope::TenantAdmin")] auth: TenantAdminAuth,
        tenant: Path<String>,
        user_id: Path<String>,
        client_id: Path<String>,
    ) -> Result<Deleted, ApiProblem> {
        auth.require(&tenant)?;
        self.service
            .revoke_consent(&tenant, &user_id, &client_id)
            .await?;
        Ok(Deleted::NoContent)
    }

    /// List signing keys
    #[oai(
        path = "/t/:tenant/admin/v1/keys",
        method = "get",
        tag = "AdminTag::Keys"
    )]
    async fn list_keys(
        &self,
        #[oai(scope = "TenantScope::TenantAdmin")] auth: TenantAdminAuth,
        tenant: Path<String>,
    ) -> Result<KeysListed, ApiProblem> {
        auth.require(&tenant)?;
        let items = self.service.list_keys(&tenant).await?;
        let items = items.into_iter().map(Into::into).collect();
        Ok(KeysListed::Ok(Json(KeyList { items })))
    }

    /// Rotate signing keys
    ///
    /// Starts new keys: they are published in the JWKS at once and sign after the publish
    /// delay; the current keys stay published until the tokens they signed have expired.
    #[oai(
        path = "/t/:tenant/admin/v1/keys/rotate",
        method = "post",
        tag = "AdminTag::Keys"
    )]
    async fn rotate_keys(
        &self,
        #[oai(scope = "TenantScope::TenantAdmin")] auth: TenantAdminAuth,
        tenant: Path<String>,
    ) -> Result<KeysRotated, ApiProblem> {
        auth.require(&tenant)?;
        let items = self.service.rotate_keys(&tenant).await?;
        let items = items.into_iter().map(Into::into).collect();
        Ok(KeysRotated::Created(Json(KeyList { items })))
    }

    /// Delete a user
    #[oai(
        path = "/t/:tenant/admin/v1/users/:user_id",
        method = "delete",
        tag = "AdminTag::Users"
    )]
    async fn delete_user(
        &self,
        #[oai(scope = "TenantScope::TenantAdmin")] auth: TenantAdminAuth,
        tenant: Path<String>,
        user_id: Path<String>,
    ) -> Result<Deleted, ApiProblem> {
        auth.require(&tenant)?;
        self.service.delete_user(&tenant, &user_id).await?;
        Ok(Deleted::NoContent)
    }
}
/// What the OpenAPI document says of the fields the service checks itself (see
/// `gatehouse_proto::with_rules`): what a field must be alone; rules between fields and the
/// platform's policy are 422s that no schema states.
pub(crate) fn document_rules() -> Vec<Rule> {
    use crate::service::clients::{
        ACCESS_TOKEN_FORMATS, CLIENT_NAME_MAX_CHARS, ID_TOKEN_ALGS, REDIRECT_URI_MAX_CHARS,
        REDIRECT_URIS_MAX, SCOPE_MAX_CHARS, SCOPE_PATTERN, SUPPORTED_AUTH_METHODS,
        SUPPORTED_GRANT_TYPES,
    };
    use crate::service::tenants::{DISPLAY_NAME_MAX_CHARS, RATE_LIMIT_PER_MINUTE, REFRESH_SECONDS};
    use crate::service::users::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS, USERNAME_PATTERN};

    let name = |max: usize| json!({"minLength": 1, "maxLength": max, "pattern": NOT_BLANK_PATTERN});
    let refresh = json!({
        "minimum": REFRESH_SECONDS.start(),
        "maximum": REFRESH_SECONDS.end(),
        "nullable": true,
    });
    // Optional fields take `null` for "absent" (the default, or no change).
    let nullable = [
        "TenantCreate.signing_alg",
        "TenantPatch.display_name",
        "TenantPatch.require_if_match",
        "TenantPatch.disabled",
        "ClientCreate.grant_types",
        "ClientCreate.redirect_uris",
        "ClientCreate.scope",
        "ClientCreate.token_endpoint_auth_method",
        "ClientCreate.id_token_signed_response_alg",
        "ClientCreate.jwks",
        "ClientCreate.access_token_format",
        "ClientCreate.resource_server",
        "ClientPatch.disabled",
        "ClientPatch.resource_server",
        "UserCreate.role",
        "UserPatch.role",
        "UserPatch.disabled",
    ]
    .map(|field| Rule::field(field, json!({"nullable": true})));
    nullable
        .into_iter()
        .chain([
            Rule::field(
                "TenantCreate.slug",
                json!({"pattern": SLUG_PATTERN, "maxLength": SLUG_MAX_LEN}),
            ),
            Rule::field("TenantCreate.display_name", name(DISPLAY_NAME_MAX_CHARS)),
            Rule::field("TenantPatch.display_name", name(DISPLAY_NAME_MAX_CHARS)),
            Rule::field("TenantPatch.refresh_idle_seconds", refresh.clone()),
            Rule::field("TenantPatch.refresh_absolute_seconds", refresh),
            Rule::field(
                "TenantPatch.rate_limit_per_minute",
                json!({
                    "minimum": RATE_LIMIT_PER_MINUTE.start(),
                    "maximum": RATE_LIMIT_PER_MINUTE.end(),
                    "nullable": true,
                }),
            ),
            Rule::field("ClientCreate.client_name", name(CLIENT_NAME_MAX_CHARS)),
            Rule::field("ClientCreate.grant_types", json!({"minItems": 1})),
            Rule::field(
                "ClientCreate.grant_types[]",
                json!({"enum": SUPPORTED_GRANT_TYPES}),
            ),
            Rule::field(
                "ClientCreate.redirect_uris",
                json!({"maxItems": REDIRECT_URIS_MAX}),
            ),
            Rule::field(
                "ClientCreate.redirect_uris[]",
                json!({"maxLength": REDIRECT_URI_MAX_CHARS}),
            ),
            Rule::field(
                "ClientCreate.scope",
                json!({"maxLength": SCOPE_MAX_CHARS, "pattern": SCOPE_PATTERN}),
            ),
            Rule::field(
                "ClientCreate.token_endpoint_auth_method",
                json!({"enum": SUPPORTED_AUTH_METHODS}),
            ),
            Rule::field(
                "ClientCreate.id_token_signed_response_alg",
                json!({"enum": ID_TOKEN_ALGS}),
            ),
            Rule::field(
                "ClientCreate.access_token_format",
                json!({"enum": ACCESS_TOKEN_FORMATS}),
            ),
            Rule::field("UserCreate.username", json!({"pattern": USERNAME_PATTERN})),
            Rule::field(
                "UserCreate.password",
                json!({"minLength": PASSWORD_MIN_CHARS, "maxLength": PASSWORD_MAX_CHARS}),
            ),
            Rule::field("UserCreate.email", email_rule()),
        ])
        .collect()
}
