//! The edge: every request enters here. The gateway routes `/t/{tenant}/...` to the service that
//! owns it, validates bearer tokens against the issuing tenant's keys, enforces the route's
//! scope, and tells the service who is calling through identity headers.
//!
//! Invariants: the gateway is the only component that parses access tokens; it never forwards
//! identity headers it did not set itself; it holds no business data.

mod config;
mod error;
mod forward;
mod ratelimit;
mod request_id;
mod route;
mod token;

pub use config::GatewayConfig;
pub use error::GatewayError;
pub use forward::Upstream;
pub use ratelimit::RateLimitConfig;
pub use request_id::{REQUEST_ID_HEADER, RequestId};

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
}

impl Gateway {
    pub fn new(
        config: GatewayConfig,
        auth: Upstream,
        resources: Upstream,
        cache: SharedCache,
    ) -> Self {
        let tokens = TokenValidator::new(&config, auth.clone(), cache.clone());
        let limiter = ratelimit::Limiter::new(config.rate_limits.clone(), cache);
        Self {
            inner: Arc::new(Inner {
                config,
                auth,
                resources,
                tokens,
                limiter,
            }),
        }
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

    async fn handle(&self, req: Request) -> Response {
        match self.route_and_forward(req).await {
            Ok(response) => response,
            Err(err) => err.into_response(),
        }
    }

    async fn route_and_forward(&self, mut req: Request) -> Result<Response, GatewayError> {
        let target = route::classify(req.method(), req.uri().path())?;
        let upstream = match target.service {
            Service::Local => return Ok(local(req.uri().path())),
            Service::Auth => &self.inner.auth,
            Service::Resources => &self.inner.resources,
        };
        forward::strip_identity(req.headers_mut());
        // The caller's address as the gateway saw it; one sent by the caller is not trusted.
        let peer = req
            .remote_addr()
            .as_socket_addr()
            .map(|a| a.ip().to_string());
        req.headers_mut().remove(forward::FORWARDED_FOR);
        if let Some(value) = peer.as_deref().and_then(|ip| ip.parse().ok()) {
            req.headers_mut().insert(forward::FORWARDED_FOR, value);
        }
        let verdict = match (&target.access, target.tenant.as_deref()) {
            (Access::Token(rule), tenant) => {
                let identity = self
                    .inner
                    .tokens
                    .authorize(req.headers(), rule, tenant)
                    .await?;
                forward::set_identity(req.headers_mut(), &identity);
                let charge = ratelimit::Charge::Client {
                    tenant: &identity.token_tenant,
                    client_id: &identity.client_id,
                };
                Some(self.inner.limiter.spend(charge).await?)
            }
            (Access::Public, Some(tenant)) if target.token_endpoint => {
                let address = peer.as_deref().unwrap_or("unknown");
                let charge = ratelimit::Charge::TokenEndpoint { tenant, address };
                Some(self.inner.limiter.spend(charge).await?)
            }
            (Access::Public, _) => None,
        };
        let mut response = upstream
            .forward(req, self.inner.config.max_body_bytes)
            .await?;
        if let Some(verdict) = verdict {
            verdict.apply(&mut response);
        }
        Ok(response)
    }
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
