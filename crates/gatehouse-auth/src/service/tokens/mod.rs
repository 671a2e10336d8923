//! The token endpoint's grants: client credentials, authorization code (with PKCE), refresh
//! token (rotated, with reuse detection) and device code, and the tokens they issue.

mod client_auth;
mod code;
mod device;
mod exchange;
mod issue;
mod refresh;

use code::Presented;
pub use device::{display_user_code, normalize_user_code};
pub use exchange::{Exchange, TOKEN_EXCHANGE_GRANT};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::AuthService;
use crate::entity::client;
use crate::error::AuthError;

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
        resource: Option<String>,
    },
    AuthorizationCode {
        code: String,
        redirect_uri: Option<String>,
        code_verifier: Option<String>,
        resource: Option<String>,
    },
    RefreshToken {
        refresh_token: String,
        scope: Option<String>,
        resource: Option<String>,
    },
    /// RFC 8628 §3.4.
    DeviceCode { device_code: String },
    /// RFC 8693 §2.1.
    TokenExchange(Box<Exchange>),
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
    /// Token exchange (RFC 8693 §2.2.1): the type of the issued token.
    pub issued_token_type: Option<&'static str>,
    /// The access token is DPoP-bound (RFC 9449): its `token_type` is `DPoP`.
    pub dpop_bound: bool,
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
    /// RFC 8707 §2: a `resource` the server does not know, or the grant did not name.
    #[error("{0}")]
    InvalidTarget(String),
    /// RFC 8628 §3.5: the person has not answered yet.
    #[error("the user has not answered yet")]
    AuthorizationPending,
    /// RFC 8628 §3.5: polled too often; the interval grows by 5 seconds.
    #[error("polled too often: wait 5 seconds more between polls")]
    SlowDown,
    /// RFC 8628 §3.5: the device code expired.
    #[error("the device code has expired")]
    ExpiredToken,
    /// RFC 8628 §3.5: the person denied the device.
    #[error("the user denied the request")]
    AccessDenied,
    /// A pushed authorization request (RFC 9126) asked for a response type other than `code`.
    #[error("{0}")]
    UnsupportedResponseType(String),
    /// A DPoP proof (RFC 9449 §5) is missing where required, invalid, or lacks the nonce.
    #[error(transparent)]
    Dpop(#[from] gatehouse_proto::DpopError),
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
            Self::InvalidTarget(_) => "invalid_target",
            Self::UnsupportedResponseType(_) => "unsupported_response_type",
            Self::AuthorizationPending => "authorization_pending",
            Self::SlowDown => "slow_down",
            Self::ExpiredToken => "expired_token",
            Self::AccessDenied => "access_denied",
            Self::Dpop(err) => err.code(),
            Self::Internal(_) => "server_error",
        }
    }
}

impl TokenError {
    /// An authorization request's refusal (RFC 6749 §4.1.2.1 `code`), told in a JSON answer
    /// instead of a redirect: at the pushed authorization request endpoint.
    pub(crate) fn refused_authorization(code: &str, description: String) -> Self {
        match code {
            "unauthorized_client" => Self::UnauthorizedClient(description),
            "invalid_scope" => Self::InvalidScope(description),
            "invalid_target" => Self::InvalidTarget(description),
            "unsupported_response_type" => Self::UnsupportedResponseType(description),
            _ => Self::InvalidRequest(description),
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
    /// The one resource the token is aimed at (RFC 8707); every resource when `None`.
    resource: Option<&'a str>,
    /// RFC 8693 delegation: who acts for the user.
    act: Option<serde_json::Value>,
    /// The thumbprint of the DPoP key the token is bound to (RFC 9449 §6.1).
    jkt: Option<&'a str>,
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
    /// Whether `uri` names one of the tenant's resources (RFC 8707).
    pub(crate) fn is_resource_of(&self, tenant: &str, uri: &str) -> bool {
        uri.strip_prefix(&self.config.public_url)
            .is_some_and(|path| {
                gatehouse_proto::tenant_resources(tenant)
                    .iter()
                    .any(|p| p == path)
            })
    }

    /// The resource a token is aimed at (RFC 8707 §2.2): the one `requested`, which must be
    /// among those the authorization `granted` (any of the tenant's when it named none); else
    /// the grant's only one; else none, and the token is good on every resource.
    fn pick_resource(
        &self,
        tenant: &str,
        granted: Option<&str>,
        requested: Option<&str>,
    ) -> Result<Option<String>, TokenError> {
        let granted = granted.map(split).unwrap_or_default();
        match requested {
            Some(uri) if !self.is_resource_of(tenant, uri) => Err(TokenError::InvalidTarget(
                "resource is not a resource of this tenant".into(),
            )),
            Some(uri) if !granted.is_empty() && !granted.contains(&uri) => {
                Err(TokenError::InvalidTarget(
                    "resource is not among those the authorization request named".into(),
                ))
            }
            Some(uri) => Ok(Some(uri.to_owned())),
            None => match granted.as_slice() {
                [] => Ok(None),
                [only] => Ok(Some((*only).to_owned())),
                _ => Err(TokenError::InvalidTarget(
                    "the authorization named several resources: name one with resource".into(),
                )),
            },
        }
    }

    /// The token endpoint: authenticates the client, then runs the grant. With `jkt`, the
    /// thumbprint of the key of the request's checked DPoP proof, the tokens are bound to it.
    #[tracing::instrument(skip_all, fields(tenant = %tenant_slug, client_id = %auth.client_id))]
    pub async fn token(
        &self,
        tenant_slug: &str,
        auth: ClientAuth,
        grant: Grant,
        jkt: Option<&str>,
    ) -> Result<TokenSet, TokenError> {
        let tenant = self
            .active_tenant(tenant_slug)
            .await?
            .ok_or(TokenError::UnknownTenant)?;
        let client = self.authenticate_client(&tenant, &auth).await?;
        if client.dpop_bound_access_tokens && jkt.is_none() {
            return Err(gatehouse_proto::DpopError::Required.into());
        }
        match grant {
            Grant::ClientCredentials { scope, resource } => {
                if !grants(&client, "client_credentials") {
                    return Err(TokenError::UnauthorizedClient(
                        "this client may not use the client_credentials grant".into(),
                    ));
                }
                let scope = down_select(&client.scope, scope.as_deref())?;
                let resource = self.pick_resource(&tenant.slug, None, resource.as_deref())?;
                let subject = Subject {
                    user: None,
                    auth_time: None,
                    code_hash: None,
                    nonce: None,
                    resource: resource.as_deref(),
                    act: None,
                    jkt,
                };
                self.tokens(&tenant, &client, &subject, &scope, None).await
            }
            Grant::AuthorizationCode {
                code,
                redirect_uri,
                code_verifier,
                resource,
            } => {
                let presented = Presented {
                    redirect_uri,
                    code_verifier,
                    resource,
                    jkt,
                };
                self.exchange_code(&tenant, &client, &code, presented).await
            }
            Grant::RefreshToken {
                refresh_token,
                scope,
                resource,
            } => {
                let (scope, resource) = (scope.as_deref(), resource.as_deref());
                self.refresh(&tenant, &client, &refresh_token, (scope, resource), jkt)
                    .await
            }
            Grant::TokenExchange(exchange) => {
                self.exchange_token(&tenant, &client, *exchange, jkt).await
            }
            Grant::DeviceCode { device_code } => {
                self.exchange_device_code(&tenant, &client, &device_code, jkt)
                    .await
            }
        }
    }
}
