//! Rate limits: a GCRA budget per tenant and per client (and, at the token endpoint, per
//! address), kept in the cache so that gateway instances sharing Redis share one budget.
//! Responses carry the IETF draft's `RateLimit-Policy` / `RateLimit` fields and the common
//! `X-RateLimit-*` ones; a refusal is a 429 with `Retry-After`.

use std::collections::HashMap;
use std::time::Duration;

use gatehouse_cache::{Key, Quota, RateDecision, SharedCache};
use gatehouse_proto::TenantPolicy;
use poem::Response;
use poem::http::HeaderValue;

use crate::GatewayError;

#[derive(Debug, Clone)]
pub struct RateLimitConfig {
    /// Requests per minute of a whole tenant, unless `tenant_overrides` names it.
    pub tenant_per_minute: u32,
    pub tenant_overrides: HashMap<String, u32>,
    /// Requests per minute of one client (one `client_id`) in a tenant.
    pub client_per_minute: u32,
    /// Token requests per minute from one address, per tenant.
    pub token_endpoint_per_minute: u32,
    /// Requests per minute from one address, per tenant, to the sign-in pages, introspection,
    /// revocation and UserInfo.
    pub oauth_per_minute: u32,
    /// Client registrations (and their management) per minute from one address, per tenant.
    pub registration_per_minute: u32,
}

/// Who a request is charged to.
pub enum Charge<'a> {
    /// A client's call with a validated token: its own budget and its tenant's.
    Client { tenant: &'a str, client_id: &'a str },
    /// A request to a public OAuth endpoint from an address.
    Address {
        tenant: &'a str,
        address: &'a str,
        budget: crate::route::AddressBudget,
    },
}

/// The decisions taken for a request, for its response headers.
#[derive(Debug, Default)]
pub struct Verdict {
    policies: Vec<(&'static str, RateDecision)>,
}

const WINDOW_SECONDS: u64 = 60;

fn ceil_seconds(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

impl Verdict {
    /// The policy closest to refusing, which the single-valued headers describe.
    fn tightest(&self) -> Option<&(&'static str, RateDecision)> {
        self.policies.iter().min_by_key(|(_, d)| d.remaining)
    }

    pub fn apply(&self, response: &mut Response) {
        let Some((name, tightest)) = self.tightest() else {
            return;
        };
        let policy = self
            .policies
            .iter()
            .map(|(name, d)| format!("\"{name}\";q={};w={WINDOW_SECONDS}", d.limit))
            .collect::<Vec<_>>()
            .join(", ");
        let reset = ceil_seconds(tightest.reset_after);
        let headers = response.headers_mut();
        let mut set = |name: &'static str, value: String| {
            if let Ok(value) = HeaderValue::from_str(&value) {
                // Every name here is lowercase ASCII: no parsing per response.
                headers.insert(poem::http::HeaderName::from_static(name), value);
            }
        };
        set("ratelimit-policy", policy);
        set(
            "ratelimit",
            format!("\"{name}\";r={};t={reset}", tightest.remaining),
        );
        set("x-ratelimit-limit", tightest.limit.to_string());
        set("x-ratelimit-remaining", tightest.remaining.to_string());
        set("x-ratelimit-reset", reset.to_string());
        if !tightest.allowed {
            set(
                "retry-after",
                ceil_seconds(tightest.retry_after).max(1).to_string(),
            );
        }
    }
}

pub struct Limiter {
    config: RateLimitConfig,
    cache: SharedCache,
    /// Where a tenant's own limit (set through the admin API) is read.
    auth: crate::Upstream,
    metrics: crate::GatewayMetrics,
}

/// How long a tenant's limit read from the auth server is reused.
const POLICY_TTL: Duration = Duration::from_secs(30);

fn per_minute(limit: u32) -> Quota {
    Quota {
        limit: limit.max(1),
        period: Duration::from_secs(WINDOW_SECONDS),
    }
}

impl Limiter {
    pub fn new(
        config: RateLimitConfig,
        cache: SharedCache,
        auth: crate::Upstream,
        metrics: crate::GatewayMetrics,
    ) -> Self {
        Self {
            config,
            cache,
            auth,
            metrics,
        }
    }

    /// The tenant's budget: its own (admin API), else the configuration's for it, else the
    /// default.
    async fn tenant_limit(&self, tenant: &str) -> u32 {
        let configured = self
            .config
            .tenant_overrides
            .get(tenant)
            .copied()
            .unwrap_or(self.config.tenant_per_minute);
        self.policy(tenant)
            .await
            .rate_limit_per_minute
            .unwrap_or(configured)
    }

    /// The tenant's settings, from the authorization service, cached for a while; the
    /// defaults when they cannot be read.
    pub async fn policy(&self, tenant: &str) -> TenantPolicy {
        let key = Key::tenant_policy(tenant);
        let cached = self.cache.get(&key).await.ok().flatten();
        let body = match cached {
            Some(body) => body,
            None => match self
                .auth
                .get(&gatehouse_proto::tenant_policy_path(tenant))
                .await
            {
                Ok((status, body)) if status.is_success() => {
                    let _ = self.cache.set(&key, body.clone(), POLICY_TTL).await;
                    body
                }
                _ => return TenantPolicy::default(),
            },
        };
        serde_json::from_slice(&body).unwrap_or_default()
    }

    /// Forgets a tenant's policy, after it was changed through this gateway.
    pub async fn forget_policy(&self, tenant: &str) {
        let _ = self.cache.delete(&Key::tenant_policy(tenant)).await;
    }

    /// Spends one request of each budget the charge names. A cache that fails does not fail
    /// the request: it is let through, and the failure logged.
    pub async fn spend(&self, charge: Charge<'_>) -> Result<Verdict, GatewayError> {
        let budgets: Vec<(&'static str, Key, Quota)> = match charge {
            Charge::Client { tenant, client_id } => {
                let tenant_limit = self.tenant_limit(tenant).await;
                vec![
                    (
                        "client",
                        Key::new("rate", tenant, &format!("client:{client_id}")),
                        per_minute(self.config.client_per_minute),
                    ),
                    (
                        "tenant",
                        Key::new("rate", tenant, "tenant"),
                        per_minute(tenant_limit),
                    ),
                ]
            }
            Charge::Address {
                tenant,
                address,
                budget,
            } => {
                use crate::route::AddressBudget;
                let (name, limit) = match budget {
                    AddressBudget::Token => ("token", self.config.token_endpoint_per_minute),
                    AddressBudget::OAuthApi => ("oauth", self.config.oauth_per_minute),
                    AddressBudget::SignIn => ("sign-in", self.config.oauth_per_minute),
                    AddressBudget::Registration => {
                        ("registration", self.config.registration_per_minute)
                    }
                };
                let bucket = match budget {
                    AddressBudget::Token => "token",
                    AddressBudget::Registration => "registration",
                    AddressBudget::OAuthApi | AddressBudget::SignIn => "oauth",
                };
                vec![(
                    name,
                    Key::new("rate", tenant, &format!("{bucket}:{address}")),
                    per_minute(limit),
                )]
            }
        };
        let mut verdict = Verdict::default();
        for (name, key, quota) in budgets {
            match self.cache.rate(&key, &quota, 1).await {
                Ok(decision) => {
                    verdict.policies.push((name, decision));
                    if !decision.allowed {
                        self.metrics.rate_limited(name);
                        tracing::Span::current().record("rate_limit", format!("refused: {name}"));
                        // The token endpoint and the OAuth APIs answer in RFC 6749 form.
                        return Err(if name == "token" || name == "oauth" {
                            GatewayError::TokenRateLimited(verdict)
                        } else {
                            GatewayError::RateLimited(verdict)
                        });
                    }
                }
                Err(err) => {
                    tracing::warn!(error = %gatehouse_proto::ErrorChain(&err), "rate limit not checked: cache unavailable");
                }
            }
        }
        tracing::Span::current().record("rate_limit", "allowed");
        Ok(verdict)
    }
}
