//! Opaque access tokens, where configured: the gateway asks the tenant's introspection
//! endpoint (RFC 7662) through the oauth2 crate, as the tenant's own confidential client.

use std::collections::HashMap;

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenResponse, BasicTokenType,
};
use oauth2::{
    AccessToken, ClientId, ClientSecret, EndpointNotSet, EndpointSet, ExtraTokenFields,
    IntrospectionUrl, StandardRevocableToken, StandardTokenIntrospectionResponse,
    TokenIntrospectionResponse,
};
use poem::Request;
use serde::{Deserialize, Serialize};

use crate::{GatewayError, Upstream};

/// The credentials of a tenant's client that may introspect its tokens.
#[derive(Debug, Clone)]
pub struct IntrospectionClient {
    pub client_id: String,
    pub client_secret: String,
}

/// Tenant slug → the client that introspects its opaque tokens.
pub type IntrospectionConfig = HashMap<String, IntrospectionClient>;

/// Gatehouse's extension: the tenant's id, which services scope rows by; and a DPoP-bound
/// token's key (RFC 9449 §6.2).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct TenantField {
    tid: Option<String>,
    cnf: Option<gatehouse_proto::Confirmation>,
}
impl ExtraTokenFields for TenantField {}

type Response = StandardTokenIntrospectionResponse<TenantField, BasicTokenType>;

type Introspector = oauth2::Client<
    BasicErrorResponse,
    BasicTokenResponse,
    Response,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
>;

/// What an active opaque token grants.
pub struct Active {
    pub exp: u64,
    pub iat: i64,
    pub sub: String,
    pub client_id: String,
    pub scope: String,
    pub tid: String,
    /// The audiences it names (RFC 7662 `aud`).
    pub aud: Vec<String>,
    /// The thumbprint of the DPoP key it is bound to.
    pub jkt: Option<String>,
}

/// Introspects `token` at the tenant's endpoint, reached through `auth` (in process or over
/// HTTP); `None` when it is not an active access token of that tenant.
#[tracing::instrument(skip_all, fields(%tenant))]
pub async fn introspect(
    auth: &Upstream,
    public_url: &str,
    tenant: &str,
    client: &IntrospectionClient,
    token: &str,
) -> Result<Option<Active>, GatewayError> {
    let url = IntrospectionUrl::new(format!("{public_url}/t/{tenant}/oauth2/introspect"))
        .map_err(|e| GatewayError::upstream("the introspection URL is not valid", e))?;
    let introspector: Introspector = oauth2::Client::new(ClientId::new(client.client_id.clone()))
        .set_client_secret(ClientSecret::new(client.client_secret.clone()))
        .set_introspection_url(url);
    let http = |request: oauth2::HttpRequest| {
        let auth = auth.clone();
        async move { send(&auth, request).await }
    };
    let token = AccessToken::new(token.to_owned());
    let response = introspector
        .introspect(&token)
        .request_async(&http)
        .await
        .map_err(|e| GatewayError::upstream("introspection failed", e))?;
    if !response.active() {
        return Ok(None);
    }
    // Only access tokens open the API; a refresh token is active too, but not for this.
    if let Some(BasicTokenType::Extension(kind)) = response.token_type()
        && kind != "access_token"
    {
        return Ok(None);
    }
    let (Some(exp), Some(sub), Some(client_id), Some(tid)) = (
        response.exp(),
        response.sub(),
        response.client_id(),
        response.extra_fields().tid.clone(),
    ) else {
        return Ok(None);
    };
    let scope = response
        .scopes()
        .map(|s| s.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    Ok(Some(Active {
        exp: u64::try_from(exp.timestamp()).unwrap_or(0),
        iat: response.iat().map_or(0, |t| t.timestamp()),
        sub: sub.to_owned(),
        client_id: client_id.as_str().to_owned(),
        scope,
        tid,
        aud: response.aud().cloned().unwrap_or_default(),
        jkt: response.extra_fields().cnf.as_ref().map(|c| c.jkt.clone()),
    }))
}

/// oauth2's HTTP client, over the gateway's own upstream to the auth server.
async fn send(
    auth: &Upstream,
    request: oauth2::HttpRequest,
) -> Result<oauth2::HttpResponse, GatewayError> {
    let (parts, body) = request.into_parts();
    let path = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let mut req = Request::builder()
        .method(parts.method)
        .uri_str(&path)
        .body(body);
    *req.headers_mut() = parts.headers;
    let response = auth
        .forward(req, 64 * 1024, std::time::Duration::from_secs(10))
        .await?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .into_vec()
        .await
        .map_err(|e| GatewayError::upstream("the introspection answer could not be read", e))?;
    let mut out = oauth2::HttpResponse::new(body);
    *out.status_mut() = status;
    *out.headers_mut() = headers;
    Ok(out)
}
