//! The OAuth endpoints of a tenant's issuer: token, introspection, revocation, UserInfo, JWKS
//! and the two discovery documents. Errors here are RFC 6749 JSON, not problem documents.
//!
//! The operations are declared here, in one `#[OpenApi]` block that fixes the order of the
//! OpenAPI document; each concern's module answers them.

mod client_auth;
mod device;
mod discovery;
mod errors;
mod introspection;
mod par;
mod registration;
mod token;
mod userinfo;

use gatehouse_proto::ApiProblem;
use poem::Request;
use poem_openapi::param::Path;
use poem_openapi::payload::{Form, Json};
use poem_openapi::{OpenApi, Tags};

use crate::service::AuthService;
use device::{DeviceAuthorizationBody, DeviceAuthorizationRequest};
use discovery::{JwksFound, MetadataFound};
use errors::TokenResponse;
use introspection::{IntrospectionBody, TokenQuery};
use par::{PushedAuthorizationRequest, PushedResponse};
use registration::{ClientMetadata, RegistrationResponse};
use token::{TokenBody, TokenRequest};
use userinfo::UserinfoResponse;

#[derive(Tags)]
enum OAuthTag {
    /// Issuing tokens.
    Token,
    /// Keys and metadata that clients and resource servers discover.
    Discovery,
    /// Clients that register themselves (RFC 7591, RFC 7592).
    Registration,
}

pub struct OAuthApi {
    service: AuthService,
}

impl OAuthApi {
    pub fn new(service: AuthService) -> Self {
        Self { service }
    }
}

#[OpenApi]
impl OAuthApi {
    /// Token introspection (RFC 7662)
    ///
    /// For resource servers and confidential clients of the tenant: whether a token is active,
    /// and what it grants. Tokens of other tenants are inactive here.
    #[oai(
        path = "/t/:tenant/oauth2/introspect",
        method = "post",
        tag = "OAuthTag::Token"
    )]
    async fn introspect(
        &self,
        req: &Request,
        tenant: Path<String>,
        form: Form<TokenQuery>,
    ) -> TokenResponse<IntrospectionBody> {
        self.introspection_response(req, &tenant, form.0).await
    }

    /// Token revocation (RFC 7009)
    ///
    /// Revokes a refresh token (with its family) or an access token of the calling client. The
    /// gateway refuses a revoked access token from then on. Answers 200 also for tokens that
    /// were not valid.
    #[oai(
        path = "/t/:tenant/oauth2/revoke",
        method = "post",
        tag = "OAuthTag::Token"
    )]
    async fn revoke(
        &self,
        req: &Request,
        tenant: Path<String>,
        form: Form<TokenQuery>,
    ) -> TokenResponse<IntrospectionBody> {
        self.revocation_response(req, &tenant, form.0).await
    }

    /// Token endpoint
    ///
    /// Issues access tokens. Clients authenticate with HTTP Basic (`client_secret_basic`) or
    /// with `client_id` and `client_secret` in the form (`client_secret_post`), whichever they
    /// registered.
    #[oai(
        path = "/t/:tenant/oauth2/token",
        method = "post",
        tag = "OAuthTag::Token"
    )]
    async fn token(
        &self,
        req: &Request,
        tenant: Path<String>,
        form: Form<TokenRequest>,
    ) -> TokenResponse<TokenBody> {
        self.token_response(req, &tenant, form.0).await
    }

    /// Pushed authorization request (RFC 9126)
    ///
    /// The client posts its authorization request here first, authenticated as at the token
    /// endpoint, and sends the browser to the authorization endpoint with only `client_id` and
    /// the `request_uri` it gets back, which works once, within `expires_in` seconds. A tenant
    /// or a client may require it.
    #[oai(
        path = "/t/:tenant/oauth2/par",
        method = "post",
        tag = "OAuthTag::Token"
    )]
    async fn pushed_authorization_request(
        &self,
        req: &Request,
        tenant: Path<String>,
        form: Form<PushedAuthorizationRequest>,
    ) -> PushedResponse {
        self.push_response(req, &tenant, form.0).await
    }

    /// Device authorization (RFC 8628)
    ///
    /// A device without a browser (a TV, a CLI) gets a `user_code` for a person to enter at
    /// `verification_uri`, and a `device_code` with which it polls the token endpoint every
    /// `interval` seconds until the person approves or denies it.
    #[oai(
        path = "/t/:tenant/oauth2/device_authorization",
        method = "post",
        tag = "OAuthTag::Token"
    )]
    async fn device_authorization(
        &self,
        req: &Request,
        tenant: Path<String>,
        form: Form<DeviceAuthorizationRequest>,
    ) -> TokenResponse<DeviceAuthorizationBody> {
        self.device_authorization_response(req, &tenant, form.0)
            .await
    }

    /// Dynamic client registration (RFC 7591)
    ///
    /// A client registers itself, if the tenant's OAuth policy lets it: openly, or with an
    /// initial access token (`Authorization: Bearer …`) a tenant admin made. The grant types
    /// and scopes it gets are within that policy. The answer's `registration_access_token`
    /// manages the registration at its `registration_client_uri` (RFC 7592).
    #[oai(
        path = "/t/:tenant/oauth2/register",
        method = "post",
        tag = "OAuthTag::Registration"
    )]
    async fn register_client(
        &self,
        req: &Request,
        tenant: Path<String>,
        body: Json<ClientMetadata>,
    ) -> RegistrationResponse {
        self.register(req, &tenant, body.0).await
    }

    /// Read a registration (RFC 7592 §2.1)
    ///
    /// With the registration access token as a bearer token; the answer carries a new one.
    #[oai(
        path = "/t/:tenant/oauth2/register/:client_id",
        method = "get",
        tag = "OAuthTag::Registration"
    )]
    async fn read_client_registration(
        &self,
        req: &Request,
        tenant: Path<String>,
        client_id: Path<String>,
    ) -> RegistrationResponse {
        self.read_registration(req, &tenant, &client_id).await
    }

    /// Replace a registration's metadata (RFC 7592 §2.2)
    ///
    /// The whole metadata, within the tenant's policy; the authentication method stays. The
    /// answer carries a new registration access token.
    #[oai(
        path = "/t/:tenant/oauth2/register/:client_id",
        method = "put",
        tag = "OAuthTag::Registration"
    )]
    async fn update_client_registration(
        &self,
        req: &Request,
        tenant: Path<String>,
        client_id: Path<String>,
        body: Json<ClientMetadata>,
    ) -> RegistrationResponse {
        self.update_registration(req, &tenant, &client_id, body.0)
            .await
    }

    /// Delete a registration (RFC 7592 §2.3)
    ///
    /// The client goes, with every token it was given.
    #[oai(
        path = "/t/:tenant/oauth2/register/:client_id",
        method = "delete",
        tag = "OAuthTag::Registration"
    )]
    async fn delete_client_registration(
        &self,
        req: &Request,
        tenant: Path<String>,
        client_id: Path<String>,
    ) -> RegistrationResponse {
        self.delete_registration(req, &tenant, &client_id).await
    }

    /// OpenID Connect UserInfo
    ///
    /// The claims of the signed-in user, for an access token with the `openid` scope
    /// (`profile`: `preferred_username`; `email`: `email`).
    #[oai(
        path = "/t/:tenant/oauth2/userinfo",
        method = "get",
        method = "post",
        tag = "OAuthTag::Discovery"
    )]
    async fn userinfo(&self, req: &Request, tenant: Path<String>) -> UserinfoResponse {
        self.userinfo_response(req, &tenant).await
    }

    /// JSON Web Key Set
    ///
    /// The public keys that verify the tenant's tokens.
    #[oai(
        path = "/t/:tenant/jwks.json",
        method = "get",
        tag = "OAuthTag::Discovery"
    )]
    async fn jwks(&self, tenant: Path<String>) -> Result<JwksFound, ApiProblem> {
        self.published_jwks(&tenant).await
    }

    /// OpenID Connect discovery
    #[oai(
        path = "/t/:tenant/.well-known/openid-configuration",
        method = "get",
        tag = "OAuthTag::Discovery"
    )]
    async fn openid_configuration(
        &self,
        tenant: Path<String>,
    ) -> Result<MetadataFound, ApiProblem> {
        self.metadata(&tenant).await
    }

    /// OAuth 2.0 authorization server metadata (RFC 8414)
    #[oai(
        path = "/.well-known/oauth-authorization-server/t/:tenant",
        method = "get",
        tag = "OAuthTag::Discovery"
    )]
    async fn oauth_metadata(&self, tenant: Path<String>) -> Result<MetadataFound, ApiProblem> {
        self.metadata(&tenant).await
    }
}
