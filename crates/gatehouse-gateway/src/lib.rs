//! The edge: every request enters here. The gateway routes `/t/{tenant}/...` to the service that
//! owns it, validates bearer tokens against the issuing tenant's keys, enforces the route's
//! scope, and tells the service who is calling through identity headers.
//!
//! Invariants: the gateway is the only component that parses access tokens; it never forwards
//! identity headers it did not set itself; it holds no business data.

mod client_address;
mod config;
mod cors;
mod error;
mod forward;
mod http_cache;
mod introspection;
mod metrics;
mod pool;
mod purge;
mod ratelimit;
mod request_id;
mod revocations;
mod route;
mod token;

pub use client_address::{ForwardedHeader, TrustedProxies};
pub use config::GatewayConfig;
pub use cors::CorsConfig;
pub use error::{GatewayError, ProblemResponse};
pub use forward::Upstream;
pub use introspection::{IntrospectionClient, IntrospectionConfig};
pub use metrics::{GatewayMetrics, UpstreamMetrics};
pub use pool::Balance;
pub use ratelimit::RateLimitConfig;
pub use request_id::{REQUEST_ID_HEADER, RequestId, continue_trace};
pub use revocations::RevocationUnknown;

use std::sync::Arc;

use gatehouse_cache::SharedCache;
use poem::http::StatusCode;
use poem::web::Redirect;
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response};

use route::{Access, Service};
use token::TokenValidator;

/// The gateway as one poem endpoint.
#[derive(Clone)]
pub struct Gateway {
    inner: Arc<Inner>,
}

struct Inner {
    config: GatewayConfig,
    auth: Upstream,
    resources: Upstream,
    tokens: TokenValidator,
    limiter: ratelimit::Limiter,
    responses: http_cache::ResponseCache,
    metrics: GatewayMetrics,
    revocations: Arc<revocations::Revocations>,
}

impl Gateway {
    pub fn new(
        config: GatewayConfig,
        auth: Upstream,
        resources: Upstream,
        cache: SharedCache,
        metrics: GatewayMetrics,
    ) -> Self {
        let revocations = Arc::new(revocations::Revocations::new(
            config.revocation_unknown,
            config.revocation_poll,
        ));
        revocations.spawn_sync(auth.clone(), config.revocation_poll);
        let tokens = TokenValidator::new(&config, auth.clone(), cache.clone(), revocations.clone());
        let limiter = ratelimit::Limiter::new(
            config.rate_limits.clone(),
            cache.clone(),
            auth.clone(),
            metrics.clone(),
        );
        let responses =
            http_cache::ResponseCache::new(cache, config.upstream_timeout, metrics.clone());
        Self {
            inner: Arc::new(Inner {
                config,
                auth,
                resources,
                tokens,
                limiter,
                responses,
                metrics,
                revocations,
            }),
        }
    }

    /// Reads the auth server's revocation feed now (before serving: until it has been read,
    /// the revocation state is unknown).
    pub async fn sync_revocations(&self) -> Result<(), GatewayError> {
        self.inner.revocations.sync(&self.inner.auth).await
    }

    /// The endpoint to serve: request ids outermost, then routing and forwarding.
    pub fn endpoint(self) -> impl Endpoint<Output = Response> + 'static {
        let gateway = self;
        poem::endpoint::make(move |req| {
            let gateway = gateway.clone();
            async move { Ok::<_, poem::Error>(gateway.handle(req).await) }
        })
        .with(request_id::RequestIdMiddleware)
    }

    async fn handle(&self, mut req: Request) -> Response {
        let started = std::time::Instant::now();
        let method = req.method().clone();
        let origin = req.headers().get(poem::http::header::ORIGIN).cloned();
        let target = match req.extensions_mut().remove::<route::Classified>() {
            Some(route::Classified(target)) => target.ok_or(GatewayError::NoRoute),
            None => route::classify(req.method(), req.uri().path()),
        };
        let tenant = target.as_ref().ok().and_then(|t| t.tenant.clone());
        let template = target.as_ref().map_or(route::UNMATCHED, |t| t.template);
        let span = tracing::Span::current();
        if let Some(tenant) = &tenant {
            span.record("tenant", tenant.as_str());
        }
        if let Some(preflight) = self.inner.config.cors.preflight(&req, tenant.as_deref()) {
            return preflight;
        }
        let forwarded = match target {
            Ok(target) => self.route_and_forward(req, target).await,
            Err(err) => Err(err),
        };
        let mut response = forwarded.unwrap_or_else(IntoResponse::into_response);
        // The services' own Server field (if any) says nothing worth telling.
        response.headers_mut().remove(poem::http::header::SERVER);
        self.inner
            .config
            .cors
            .decorate(origin.as_ref(), tenant.as_deref(), &mut response);
        span.record("status", response.status().as_u16());
        self.inner.metrics.request(
            template,
            &method,
            response.status(),
            tenant.as_deref(),
            started.elapsed(),
        );
        response
    }

    async fn route_and_forward(
        &self,
        mut req: Request,
        target: route::Target,
    ) -> Result<Response, GatewayError> {
        let upstream = match target.service {
            Service::Local if req.uri().path() == "/readyz" => {
                return Ok(self.readiness(&req).await);
            }
            Service::Local => return Ok(local(req.uri().path())),
            Service::Auth | Service::GatewayAdmin => &self.inner.auth,
            Service::Resources => &self.inner.resources,
        };
        forward::strip_identity(req.headers_mut());
        // The caller's address: the peer's, or what trusted proxies in front of the gateway
        // said; the services read only the one the gateway vouches for.
        let caller = req.remote_addr().as_socket_addr().map(|a| {
            self.inner
                .config
                .trusted_proxies
                .client_address(a.ip(), req.headers())
                .to_string()
        });
        for name in ["x-forwarded-for", "forwarded"] {
            req.headers_mut().remove(name);
        }
        if let Some(value) = caller.as_deref().and_then(|ip| ip.parse().ok()) {
            req.headers_mut()
                .insert(gatehouse_proto::headers::CLIENT_ADDRESS, value);
        }
        let (identity, verdict) = match (&target.access, target.tenant.as_deref()) {
            (Access::Token(rule), tenant) => {
                let identity = self
                    .inner
                    .tokens
                    .authorize(req.headers(), rule, tenant)
                    .await?;
                forward::set_identity(req.headers_mut(), &identity);
                (Some(identity), None)
            }
            (Access::Public, Some(tenant)) if target.per_address.is_some() => {
                let address = caller.as_deref().unwrap_or("unknown");
                let charge = ratelimit::Charge::Address {
                    tenant,
                    address,
                    budget: target.per_address.unwrap_or(route::AddressBudget::Token),
                };
                (None, Some(self.inner.limiter.spend(charge).await?))
            }
            (Access::Public, _) => (None, None),
        };
        let Some(identity) = identity else {
            let mut response = upstream
                .forward(
                    req,
                    self.inner.config.max_body_bytes,
                    self.inner.config.upstream_timeout,
                )
                .await?;
            if let Some(verdict) = verdict {
                verdict.apply(&mut response);
            }
            return Ok(response);
        };
        let charge = || ratelimit::Charge::Client {
            tenant: &identity.token_tenant,
            client_id: &identity.client_id,
        };
        let tenant = identity.tenant.clone();
        if target.service == Service::GatewayAdmin {
            self.inner.limiter.spend(charge()).await?;
            return purge::handle(&self.inner.responses, req, target.tenant.as_deref()).await;
        }
        let cacheable = target.service == Service::Resources;
        let lookup = cacheable
            .then(|| self.inner.responses.lookup(&req, &tenant, &identity))
            .flatten();
        let Some(lookup) = lookup else {
            let verdict = self.inner.limiter.spend(charge()).await?;
            if cacheable
                && !req.method().is_safe()
                && self.inner.limiter.policy(&tenant).await.require_if_match
            {
                req.headers_mut().insert(
                    gatehouse_proto::headers::REQUIRE_IF_MATCH,
                    poem::http::HeaderValue::from_static("true"),
                );
            }
            let method = req.method().clone();
            let path = req.uri().path().to_owned();
            let mut response = upstream
                .forward(
                    req,
                    self.inner.config.max_body_bytes,
                    self.inner.config.upstream_timeout,
                )
                .await?;
            // A successful write makes what the cache holds of its collection stale (§4.4).
            let written = !method.is_safe() && response.status().as_u16() < 400;
            if cacheable && written {
                self.inner.responses.invalidate(&tenant, &path).await;
            }
            // A changed tenant may have a new rate limit.
            if let Some(slug) = path.strip_prefix("/admin/v1/tenants/")
                && written
            {
                self.inner.limiter.forget_policy(slug).await;
            }
            verdict.apply(&mut response);
            return Ok(response);
        };
        let permit = match self.inner.responses.get(&lookup, &req).await {
            http_cache::Cached::Hit(mut response) => {
                if self.inner.config.count_cache_hits {
                    self.inner
                        .limiter
                        .spend(charge())
                        .await?
                        .apply(&mut response);
                }
                return Ok(response);
            }
            http_cache::Cached::Miss(permit) => permit,
        };
        let verdict = self.inner.limiter.spend(charge()).await?;
        let if_none_match = req
            .headers()
            .get(poem::http::header::IF_NONE_MATCH)
            .cloned();
        let response = upstream
            .forward(
                req,
                self.inner.config.max_body_bytes,
                self.inner.config.upstream_timeout,
            )
            .await?;
        let response = self.inner.responses.store(&lookup, response).await;
        drop(permit);
        let mut response = http_cache::not_modified(if_none_match.as_ref(), response);
        verdict.apply(&mut response);
        Ok(response)
    }
}

impl Gateway {
    /// `/readyz`: whether both services answer; with the operator's token (`platform:admin`),
    /// also the cache, the error count and each instance. The details name internal addresses,
    /// so nobody else sees them.
    async fn readiness(&self, req: &Request) -> Response {
        let operator = req
            .headers()
            .contains_key(poem::http::header::AUTHORIZATION)
            && self
                .inner
                .tokens
                .authorize(req.headers(), &route::Rule::PlatformAdmin, None)
                .await
                .is_ok();
        let (ready, checks) = self.readiness_report().await;
        let mut body = serde_json::json!({ "status": if ready { "ready" } else { "not ready" } });
        if operator {
            body["checks"] = checks;
        }
        Response::builder()
            .status(if ready {
                StatusCode::OK
            } else {
                StatusCode::SERVICE_UNAVAILABLE
            })
            .content_type("application/json")
            .body(body.to_string())
    }

    /// Whether both services answer, and the details for operators: the cache, its error
    /// count, each instance and whether it is in rotation.
    pub async fn readiness_report(&self) -> (bool, serde_json::Value) {
        let cache = self.inner.responses.ping().await;
        let auth = self.inner.auth.get("/t/system/jwks.json").await;
        let resources = self.inner.resources.get("/openapi/resources.json").await;
        let up = |ok: bool| if ok { "up" } else { "down" };
        let checks = serde_json::json!({
            "cache": up(cache),
            "auth": up(auth.as_ref().is_ok_and(|(s, _)| s.is_success())),
            "resources": up(resources.as_ref().is_ok_and(|(s, _)| s.is_success())),
            "cache_errors": self.inner.responses.errors.load(std::sync::atomic::Ordering::Relaxed),
            "instances": {
                "auth": instances(&self.inner.auth),
                "resources": instances(&self.inner.resources),
            },
        });
        let ready = checks["auth"] == "up" && checks["resources"] == "up";
        (ready, checks)
    }
}

fn instances(upstream: &Upstream) -> serde_json::Value {
    upstream
        .instances()
        .into_iter()
        .map(|(url, healthy)| serde_json::json!({ "url": url, "healthy": healthy }))
        .collect()
}

/// Bytes as lowercase hexadecimal (cache keys, token digests).
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn local(path: &str) -> Response {
    match path {
        "/healthz" => Response::builder()
            .status(StatusCode::OK)
            .content_type("application/json")
            .body(r#"{"status":"ok"}"#),
        _ => Redirect::see_other("/docs/resources").into_response(),
    }
}
