//! The edge: every request enters here. The gateway routes `/t/{tenant}/...` to the service that
//! owns it, validates bearer tokens against the issuing tenant's keys, enforces the route's
//! scope, and tells the service who is calling through identity headers.
//!
//! Invariants: the gateway is the only component that parses access tokens; it never forwards
//! identity headers it did not set itself; it holds no business data.

mod client_address;
mod config;
mod cors;
mod dpop;
mod error;
mod forward;
mod http_cache;
mod introspection;
mod local;
mod metrics;
mod pool;
mod purge;
mod ratelimit;
mod request;
mod request_id;
mod resource_metadata;
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
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response};

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
        if response.status() == poem::http::StatusCode::UNAUTHORIZED {
            self.name_resource_metadata(template, tenant.as_deref(), &mut response);
        }
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
}

impl Gateway {
    /// Adds the protected resource's metadata URL to a 401's Bearer and DPoP challenges
    /// (RFC 9728 §5.1), so that a client can find the authorization server from the refusal
    /// alone.
    fn name_resource_metadata(
        &self,
        template: &str,
        tenant: Option<&str>,
        response: &mut Response,
    ) {
        let header = poem::http::header::WWW_AUTHENTICATE;
        let Some(resource) = resource_metadata::Resource::of_route(template, tenant) else {
            return;
        };
        let url = resource.metadata_url(&self.inner.config.public_url);
        let challenges: Vec<poem::http::HeaderValue> = response
            .headers()
            .get_all(&header)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter(|v| v.starts_with("Bearer") || v.starts_with("DPoP"))
            .filter_map(|v| {
                resource_metadata::with_resource_metadata(v, &url)
                    .parse()
                    .ok()
            })
            .collect();
        if challenges.is_empty() {
            return;
        }
        response.headers_mut().remove(&header);
        for challenge in challenges {
            response.headers_mut().append(&header, challenge);
        }
    }
}

/// Bytes as lowercase hexadecimal (cache keys, token digests).
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}
