//! What the auth server counts for operators: tokens issued by grant, token requests refused by
//! their OAuth error, failed sign-ins. Labels take a handful of fixed values each.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct GrantLabel {
    grant: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ErrorLabel {
    error: &'static str,
}

#[derive(Clone, Default)]
pub struct AuthMetrics {
    issued: Family<GrantLabel, Counter>,
    refused: Family<ErrorLabel, Counter>,
    sign_in_failures: Counter,
}

impl std::fmt::Debug for AuthMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuthMetrics")
    }
}

/// A grant type as a label: the three the server knows, else `other`.
fn grant_label(grant: Option<&str>) -> &'static str {
    match grant {
        Some("client_credentials") => "client_credentials",
        Some("authorization_code") => "authorization_code",
        Some("refresh_token") => "refresh_token",
        _ => "other",
    }
}

impl AuthMetrics {
    /// Registers every metric under `registry` (which names their prefix).
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "tokens_issued",
            "Token responses issued, by grant type",
            self.issued.clone(),
        );
        registry.register(
            "token_requests_refused",
            "Token requests refused, by OAuth error code",
            self.refused.clone(),
        );
        registry.register(
            "sign_in_failures",
            "Sign-ins refused for a wrong username or password",
            self.sign_in_failures.clone(),
        );
    }

    pub(crate) fn token_issued(&self, grant: Option<&str>) {
        self.issued
            .get_or_create(&GrantLabel {
                grant: grant_label(grant),
            })
            .inc();
    }

    pub(crate) fn token_refused(&self, error: &'static str) {
        self.refused.get_or_create(&ErrorLabel { error }).inc();
    }

    pub(crate) fn sign_in_failed(&self) {
        self.sign_in_failures.inc();
    }
}
