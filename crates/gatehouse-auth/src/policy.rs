//! A tenant's OAuth policy: the switches its tenant admin sets for the grants that agents,
//! devices and services use. Stored as one JSON document per tenant; what it does not name
//! takes the safe default.

use gatehouse_proto::{FieldError, PLATFORM_ADMIN, TENANT_ADMIN, Text};
use poem_openapi::{Enum, Object};
use serde::{Deserialize, Serialize};

use crate::entity::tenant;
use crate::error::AuthError;
use crate::service::clients::{SUPPORTED_GRANT_TYPES, is_scope_token};

/// A tenant's OAuth policy. Every field may be left out; it then takes its default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Object, Serialize, Deserialize)]
#[serde(default)]
pub struct OAuthPolicy {
    /// `true`: every authorization request of the tenant must first be pushed to its
    /// `pushed_authorization_request_endpoint` (RFC 9126 §5); one client alone can be required
    /// to with its own `require_pushed_authorization_requests`. `false` by default.
    #[oai(default)]
    pub require_pushed_authorization_requests: bool,
    /// Who may register clients at the tenant's `registration_endpoint` (RFC 7591), and what
    /// they may get.
    #[oai(default)]
    pub registration: RegistrationPolicy,
    /// Which clients may exchange a user's access token for another (RFC 8693), aimed at
    /// which resources. None by default.
    #[oai(default)]
    pub token_exchange: Vec<ExchangeRule>,
    /// `true`: a `client_id` may be an https URL whose JSON document describes the client
    /// (Client ID Metadata Documents); the server fetches it, and the client gets what
    /// `registration` allows registered clients. `false` by default.
    #[oai(default)]
    pub client_id_metadata_documents: bool,
}

/// What one client may do at the token endpoint with
/// `grant_type=urn:ietf:params:oauth:grant-type:token-exchange`.
#[derive(Debug, Clone, PartialEq, Eq, Object, Serialize, Deserialize)]
pub struct ExchangeRule {
    /// The exchanging client (a confidential client of the tenant).
    pub client_id: Text,
    /// The resources (their URLs, RFC 8707) the new tokens may be aimed at.
    pub audiences: Vec<Text>,
    /// `true`: the new token says who acts for the user (an `act` claim naming the actor
    /// token's subject, or the client itself).
    #[oai(default)]
    #[serde(default)]
    pub delegation: bool,
    /// `true`: without an actor token and when delegation is not allowed, the new token speaks
    /// for the user alone, with no `act` claim. Keep it for services trusted as the user.
    #[oai(default)]
    #[serde(default)]
    pub impersonation: bool,
}

/// Who may register a client by itself (RFC 7591).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Enum, Serialize, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum RegistrationMode {
    /// Nobody: clients are registered through the admin API (the default).
    #[default]
    Closed,
    /// Anyone, within the gateway's per-address limit: what MCP clients expect.
    Open,
    /// Whoever holds an initial access token the tenant admin made
    /// (`/t/{tenant}/admin/v1/registration-tokens`).
    InitialAccessToken,
}

/// What dynamic client registration allows in a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Object, Serialize, Deserialize)]
#[serde(default)]
pub struct RegistrationPolicy {
    /// `closed` (default), `open` or `initial_access_token`.
    #[oai(default)]
    pub mode: RegistrationMode,
    /// The scopes a registered client may be granted: what it asks for is narrowed to these,
    /// and it gets all of them when it asks for none. Never an admin scope. Default: `openid
    /// profile email offline_access` and the API's read scopes.
    #[oai(default = "default_scopes")]
    pub allowed_scopes: Vec<Text>,
    /// The grant types a registered client may use; asking for another is refused. Default:
    /// `authorization_code` and `refresh_token`.
    #[oai(default = "default_grant_types")]
    pub allowed_grant_types: Vec<Text>,
}

fn default_scopes() -> Vec<Text> {
    ["openid", "profile", "email", "offline_access"]
        .into_iter()
        .chain(
            gatehouse_proto::API_SCOPES
                .into_iter()
                .filter(|s| s.ends_with(":read")),
        )
        .map(Text::from)
        .collect()
}

fn default_grant_types() -> Vec<Text> {
    vec!["authorization_code".into(), "refresh_token".into()]
}

impl Default for RegistrationPolicy {
    fn default() -> Self {
        Self {
            mode: RegistrationMode::default(),
            allowed_scopes: default_scopes(),
            allowed_grant_types: default_grant_types(),
        }
    }
}

impl OAuthPolicy {
    /// The tenant's policy; the defaults when it has none.
    pub(crate) fn of(tenant: &tenant::Model) -> Self {
        tenant
            .oauth_policy
            .as_deref()
            .and_then(|json| serde_json::from_str(json).ok())
            .unwrap_or_default()
    }

    /// A policy that can be served: registered clients get no admin scope and only grants
    /// this server has; exchanges aim at the tenant's own resources.
    pub(crate) fn validate(&self, is_resource: impl Fn(&str) -> bool) -> Result<(), AuthError> {
        let mut errors = Vec::new();
        let registration = &self.registration;
        for Text(scope) in &registration.allowed_scopes {
            if !is_scope_token(scope) {
                errors.push(FieldError::new(
                    "registration.allowed_scopes",
                    format!("'{scope}' is not a scope (RFC 6749 §3.3)"),
                ));
            } else if scope == PLATFORM_ADMIN || scope == TENANT_ADMIN {
                errors.push(FieldError::new(
                    "registration.allowed_scopes",
                    format!("a client that registers itself may not hold {scope}"),
                ));
            }
        }
        for Text(grant) in &registration.allowed_grant_types {
            if !SUPPORTED_GRANT_TYPES.contains(&grant.as_str()) {
                errors.push(FieldError::new(
                    "registration.allowed_grant_types",
                    format!("'{grant}' is not a grant type this server supports"),
                ));
            }
        }
        for rule in &self.token_exchange {
            if !(rule.delegation || rule.impersonation) {
                errors.push(FieldError::new(
                    "token_exchange",
                    format!(
                        "the rule for {} allows neither delegation nor impersonation",
                        rule.client_id.0
                    ),
                ));
            }
            if let Some(Text(audience)) = rule.audiences.iter().find(|a| !is_resource(&a.0)) {
                errors.push(FieldError::new(
                    "token_exchange",
                    format!("'{audience}' is not a resource of this tenant"),
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(AuthError::Unprocessable(errors))
        }
    }
}
