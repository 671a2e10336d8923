//! What the auth server shows of its records: one view of each, answered by the admin API and
//! printed by the command line (`--json` prints exactly what the API returns). Rows never leave
//! the crate; these do.

use chrono::{DateTime, Utc};
use poem_openapi::Object;
use poem_openapi::types::ToJSON;

use crate::entity::{client, initial_access_token, signing_key, tenant, user};
use crate::service::users::GrantedConsent;

/// A view as the JSON the admin API answers.
pub fn to_json(view: &impl ToJSON) -> serde_json::Value {
    view.to_json().unwrap_or_default()
}

/// A tenant.
#[derive(Debug, Object)]
pub struct Tenant {
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

impl Tenant {
    pub(crate) fn new(t: tenant::Model, issuer: String) -> Self {
        Self {
            issuer,
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

    pub fn slug(&self) -> &str {
        &self.slug
    }
}

#[derive(Debug, Object)]
pub struct TenantList {
    pub(crate) items: Vec<Tenant>,
}

/// A registered client. Its secret is never shown again after creation.
#[derive(Debug, Object)]
pub struct Client {
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
    /// Its authorization requests must be pushed first (RFC 9126 §6).
    require_pushed_authorization_requests: bool,
    /// Its access tokens must be DPoP-bound (RFC 9449 §5.2).
    dpop_bound_access_tokens: bool,
}

impl Client {
    pub fn client_id(&self) -> &str {
        &self.client_id
    }
}

impl From<client::Model> for Client {
    fn from(c: client::Model) -> Self {
        let list = |s: &str| s.split_whitespace().map(str::to_owned).collect();
        Self {
            grant_types: list(&c.grant_types),
            redirect_uris: list(&c.redirect_uris),
            client_id_issued_at: c.created_at.timestamp(),
            disabled: c.disabled,
            resource_server: c.resource_server,
            require_pushed_authorization_requests: c.require_pushed_authorization_requests,
            dpop_bound_access_tokens: c.dpop_bound_access_tokens,
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

/// A newly registered client with its secret: store the secret now, it is shown only once.
/// Public clients (`token_endpoint_auth_method` `none`) have no secret.
#[derive(Debug, Object)]
pub struct ClientCreated {
    #[oai(flatten)]
    pub(crate) client: Client,
    #[oai(skip_serializing_if_is_none)]
    pub(crate) client_secret: Option<String>,
    /// `0`: the secret does not expire (RFC 7591).
    #[oai(skip_serializing_if_is_none)]
    pub(crate) client_secret_expires_at: Option<i64>,
}

impl ClientCreated {
    pub fn client_id(&self) -> &str {
        self.client.client_id()
    }
}

#[derive(Debug, Object)]
pub struct ClientList {
    pub(crate) items: Vec<Client>,
}

/// An initial access token (RFC 7591 §3): lets its holder register clients at the tenant's
/// registration endpoint, when the tenant's policy asks for one. The token itself is shown
/// only when it is made.
#[derive(Debug, Object)]
pub struct InitialAccessToken {
    id: uuid::Uuid,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    /// Registrations it still allows; absent: unlimited until it expires.
    #[oai(skip_serializing_if_is_none)]
    remaining_uses: Option<i32>,
}

impl From<initial_access_token::Model> for InitialAccessToken {
    fn from(t: initial_access_token::Model) -> Self {
        Self {
            id: t.id,
            created_at: t.created_at,
            expires_at: t.expires_at,
            remaining_uses: t.remaining_uses,
        }
    }
}

/// A new initial access token: hand `token` to whoever may register clients; it is shown only
/// this once.
#[derive(Debug, Object)]
pub struct InitialAccessTokenCreated {
    #[oai(flatten)]
    pub(crate) details: InitialAccessToken,
    /// The bearer token for `Authorization: Bearer …` on the registration endpoint.
    pub(crate) token: String,
}

#[derive(Debug, Object)]
pub struct InitialAccessTokenList {
    pub(crate) items: Vec<InitialAccessToken>,
}

/// A user. The password is never returned.
#[derive(Debug, Object)]
pub struct User {
    id: uuid::Uuid,
    username: String,
    email: String,
    /// `user` or `admin`.
    role: String,
    disabled: bool,
    created_at: DateTime<Utc>,
}

impl User {
    pub fn id(&self) -> uuid::Uuid {
        self.id
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

#[derive(Debug, Object)]
pub struct UserList {
    pub(crate) items: Vec<User>,
}

/// What a user granted an app.
#[derive(Debug, Object)]
pub struct Consent {
    client_id: String,
    client_name: String,
    /// The granted scopes, space separated.
    scope: String,
    created_at: DateTime<Utc>,
}

impl From<GrantedConsent> for Consent {
    fn from(c: GrantedConsent) -> Self {
        Self {
            client_id: c.client_id,
            client_name: c.client_name,
            scope: c.scope,
            created_at: c.created_at,
        }
    }
}

#[derive(Debug, Object)]
pub struct ConsentList {
    pub(crate) items: Vec<Consent>,
}

/// A signing key; its private part never leaves the server.
#[derive(Debug, Object)]
pub struct SigningKey {
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

impl From<signing_key::Model> for SigningKey {
    fn from(k: signing_key::Model) -> Self {
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
pub struct KeyList {
    pub(crate) items: Vec<SigningKey>,
}
