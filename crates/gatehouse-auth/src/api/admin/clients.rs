//! A tenant's OAuth clients (`/t/{tenant}/admin/v1/clients`).

use gatehouse_proto::{ApiProblem, Text};
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::types::Example;
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::{AdminTag, Deleted};
use crate::admin::{Admin, Caller};
use crate::api::security::{TenantAdminAuth, TenantScope};
use crate::service::{ClientUpdate, NewClient};
use crate::views::{Client, ClientCreated, ClientList};

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
    /// `true`: the client's authorization requests must be pushed to the pushed
    /// authorization request endpoint first (RFC 9126 §6); `false` when absent.
    require_pushed_authorization_requests: Option<bool>,
    /// `true`: the client's token requests must carry a DPoP proof, and its access tokens are
    /// bound to the proof's key (RFC 9449 §5.2); `false` when absent.
    dpop_bound_access_tokens: Option<bool>,
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
            require_pushed_authorization_requests: None,
            dpop_bound_access_tokens: None,
        }
    }
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
    /// Whether the client's authorization requests must be pushed first (RFC 9126).
    require_pushed_authorization_requests: Option<bool>,
    /// Whether the client's token requests must carry a DPoP proof (RFC 9449 §5.2).
    dpop_bound_access_tokens: Option<bool>,
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

/// The admin API's client operations.
pub struct ClientsApi {
    admin: Admin,
}

impl ClientsApi {
    pub fn new(admin: Admin) -> Self {
        Self { admin }
    }
}

#[OpenApi]
impl ClientsApi {
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
            require_pushed_authorization_requests: body
                .require_pushed_authorization_requests
                .unwrap_or(false),
            dpop_bound_access_tokens: body.dpop_bound_access_tokens.unwrap_or(false),
        };
        let caller = if auth.is_operator() {
            Caller::Operator
        } else {
            Caller::TenantAdmin
        };
        let created = self.admin.create_client(&tenant, new, caller).await?;
        let location = format!("/t/{}/admin/v1/clients/{}", tenant.0, created.client_id());
        Ok(ClientRegistered::Created(Json(created), location))
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
        Ok(ClientsListed::Ok(Json(
            self.admin.list_clients(&tenant).await?,
        )))
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
        let client = self.admin.get_client(&tenant, &client_id).await?;
        Ok(ClientFound::Ok(Json(client)))
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
            require_pushed_authorization_requests: body.0.require_pushed_authorization_requests,
            dpop_bound_access_tokens: body.0.dpop_bound_access_tokens,
        };
        let client = self
            .admin
            .update_client(&tenant, &client_id, update)
            .await?;
        Ok(ClientFound::Ok(Json(client)))
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
        self.admin.delete_client(&tenant, &client_id).await?;
        Ok(Deleted::NoContent)
    }
}
