//! The revocation feed: what the auth server has revoked, which every gateway reads on a short
//! interval, so that a revocation holds even when the shared cache lost it.

use serde::{Deserialize, Serialize};

/// The auth server's route of the feed; `?since={unix milliseconds}`.
pub const REVOCATIONS_ROUTE: &str = "/internal/v1/revocations";

/// The feed's path for changes since `since_ms` (unix milliseconds of the auth server's clock).
pub fn revocations_path(since_ms: i64) -> String {
    format!("{REVOCATIONS_ROUTE}?since={since_ms}")
}

/// Revocations made since a point in time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationFeed {
    /// The auth server's clock when it answered (unix milliseconds): the next `since`, less an
    /// overlap for transactions that commit late.
    pub now_ms: i64,
    /// Single access tokens, by `jti`, each with its expiry (unix seconds).
    pub tokens: Vec<RevokedToken>,
    /// Everything of a client, user or tenant issued until a moment.
    pub rules: Vec<RevocationRule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokedToken {
    pub jti: String,
    pub expires_at: i64,
}

/// What a bulk revocation covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RevocationKind {
    /// The tokens issued to a client (`subject`: its `client_id`).
    Client,
    /// The tokens that speak for a user (`subject`: the user's id, a token's `sub`).
    User,
    /// Every token of the tenant (`subject` is empty).
    Tenant,
}

impl RevocationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Client => "client",
            Self::User => "user",
            Self::Tenant => "tenant",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "client" => Some(Self::Client),
            "user" => Some(Self::User),
            "tenant" => Some(Self::Tenant),
            _ => None,
        }
    }
}

/// Every access token of `kind` `subject` in tenant `tenant`, issued (`iat`) at or before
/// `issued_before` (unix seconds), is revoked; the rule is dropped after `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationRule {
    pub tenant: String,
    pub kind: RevocationKind,
    pub subject: String,
    pub issued_before: i64,
    pub expires_at: i64,
}
