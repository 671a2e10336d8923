//! The OAuth endpoints of a tenant's issuer: token, introspection, revocation, UserInfo, JWKS
//! and the two discovery documents. Errors here are RFC 6749 JSON, not problem documents.
//!
//! The operations are declared here, in one `#[OpenApi]` block that fixes the order of the
//! OpenAPI document; each concern's module answers them.

mod client_auth;
mod discovery;
mod errors;
mod introspection;
mod par;
mod token;
mod userinfo;

use gatehouse_proto::ApiProblem;
use poem::Request;
use poem_openapi::param::Path;
use poem_openapi::payload::Form;
use poem_openapi::{OpenApi, Tags};

use crate::service::AuthService;
use discovery::{JwksFound, MetadataFound};
use errors::TokenResponse;
use introspection::{IntrospectionBody, TokenQuery};
use par::{PushedAuthorizationRequest, PushedResponse};
use token::{TokenBody, TokenRequest};
use userinfo::UserinfoResponse;

#[derive(Tags)]
enum OAuthTag {
    /// Issuing tokens.
    Token,
    /// Keys and metadata that clients and resource servers discover.
    Discovery,
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
