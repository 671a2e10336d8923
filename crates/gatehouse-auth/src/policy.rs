//! A tenant's OAuth policy: the switches its tenant admin sets for the grants that agents,
//! devices and services use. Stored as one JSON document per tenant; what it does not name
//! takes the safe default.

use poem_openapi::Object;
use serde::{Deserialize, Serialize};

use crate::entity::tenant;

/// A tenant's OAuth policy. Every field may be left out; it then takes its default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Object, Serialize, Deserialize)]
#[serde(default)]
pub struct OAuthPolicy {
    /// `true`: every authorization request of the tenant must first be pushed to its
    /// `pushed_authorization_request_endpoint` (RFC 9126 §5); one client alone can be required
    /// to with its own `require_pushed_authorization_requests`. `false` by default.
    #[oai(default)]
    pub require_pushed_authorization_requests: bool,
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
}
