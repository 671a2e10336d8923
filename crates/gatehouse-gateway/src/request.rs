//! The request path, one step after another: **authenticate** (the token → an identity, or a
//! public route's per-address charge), **cache** (a hit answers at once), **admit** (the
//! caller's rate limit), **forward** (the one call to the service) and **after a write** (the
//! collection's cached responses and a changed tenant's policy are forgotten).

use gatehouse_proto::Identity;
use poem::http::{HeaderValue, header};
use poem::{Request, Response};

use crate::http_cache::{Cached, Lookup};
use crate::ratelimit::{Charge, Verdict};
use crate::route::{Access, Service, Target};
use crate::{Gateway, GatewayError, Upstream, forward, purge};

/// What the steps learn of one request's caller.
struct Caller {
    /// Whom the token speaks for; `None` on a public route.
    identity: Option<Identity>,
    /// The rate limit's verdict, told to the caller in the response's headers.
    verdict: Option<Verdict>,
}

impl Caller {
    fn apply_verdict(&self, response: &mut Response) {
        if let Some(verdict) = &self.verdict {
            verdict.apply(response);
        }
    }
}

/// A cache miss this request will fill: where the response goes, the permit that keeps
/// concurrent misses of the key waiting, and the entity tag the caller already holds.
struct Fill {
    lookup: Lookup,
    permit: Option<tokio::sync::OwnedMutexGuard<()>>,
    if_none_match: Option<HeaderValue>,
}

impl Gateway {
    /// Answers a routed request: the gateway's own routes here, every other one through the
    /// steps of the request path.
    pub(crate) async fn route_and_forward(
        &self,
        mut req: Request,
        target: Target,
    ) -> Result<Response, GatewayError> {
        let upstream = match target.service {
            Service::Local => return Ok(self.local(&req).await),
            Service::Auth | Service::GatewayAdmin => &self.inner.auth,
            Service::Resources => &self.inner.resources,
        };
        let mut caller = self.authenticate(&mut req, &target).await?;
        if target.service == Service::GatewayAdmin {
            self.admit(&mut caller).await?;
            return purge::handle(&self.inner.responses, req, target.tenant.as_deref()).await;
        }
        let fill = match self.cached(&req, &target, &mut caller).await? {
            Some(Cached::Hit(response)) => return Ok(response),
            Some(Cached::Miss(fill)) => Some(fill),
            None => None,
        };
        // Only a request that goes on tells the service whom it is for.
        if let Some(identity) = &caller.identity {
            forward::set_identity(req.headers_mut(), identity);
        }
        self.admit(&mut caller).await?;
        self.require_if_match(&mut req, &target, &caller).await;
        // Only a write needs its path once the request has gone: reads keep no copy.
        let written_path = (!req.method().is_safe()).then(|| req.uri().path().to_owned());
        let mut response = self.forward(upstream, req, fill).await?;
        if let Some(path) = &written_path {
            self.after_write(path, &target, &caller, &response).await;
        }
        caller.apply_verdict(&mut response);
        Ok(response)
    }

    /// Strips identity headers the caller set, vouches for its address, and learns who it is:
    /// the token's identity (told to the service once the request is forwarded), or on a
    /// public route with a per-address budget, that budget's verdict.
    async fn authenticate(
        &self,
        req: &mut Request,
        target: &Target,
    ) -> Result<Caller, GatewayError> {
        forward::strip_identity(req.headers_mut());
        let address = self.client_address(req);
        match (&target.access, target.tenant.as_deref(), target.per_address) {
            (Access::Token(rule), tenant, _) => {
                let identity = self
                    .inner
                    .tokens
                    .authorize(req, rule, tenant, target.template)
                    .await?;
                crate::dpop::settle_for_services(req.headers_mut());
                Ok(Caller {
                    identity: Some(identity),
                    verdict: None,
                })
            }
            (Access::Public, Some(tenant), Some(budget)) => {
                let charge = Charge::Address {
                    tenant,
                    address: address.as_deref().unwrap_or("unknown"),
                    budget,
                };
                let verdict = self.inner.limiter.spend(charge).await?;
                Ok(Caller {
                    identity: None,
                    verdict: Some(verdict),
                })
            }
            (Access::Public, _, _) => Ok(Caller {
                identity: None,
                verdict: None,
            }),
        }
    }

    /// The caller's address: the peer's, or what trusted proxies in front of the gateway
    /// said. The services read only the one the gateway vouches for, so the proxies' own
    /// headers go.
    fn client_address(&self, req: &mut Request) -> Option<String> {
        let address = req.remote_addr().as_socket_addr().map(|a| {
            self.inner
                .config
                .trusted_proxies
                .client_address(a.ip(), req.headers())
                .to_string()
        });
        for name in ["x-forwarded-for", "forwarded"] {
            req.headers_mut().remove(name);
        }
        if let Some(value) = address.as_deref().and_then(|ip| ip.parse().ok()) {
            req.headers_mut()
                .insert(gatehouse_proto::headers::CLIENT_ADDRESS, value);
        }
        address
    }

    /// Spends the token's client budget (a public route's budget was spent when it was
    /// authenticated).
    async fn admit(&self, caller: &mut Caller) -> Result<(), GatewayError> {
        if let Some(identity) = &caller.identity {
            let charge = Charge::Client {
                tenant: &identity.token_tenant,
                client_id: &identity.client_id,
            };
            caller.verdict = Some(self.inner.limiter.spend(charge).await?);
        }
        Ok(())
    }

    /// Looks a read of the resource API up in the response cache: `None` when the request
    /// may not be served from it, else a hit (charged only with `count_cache_hits`), or the
    /// miss this request is to fill.
    async fn cached(
        &self,
        req: &Request,
        target: &Target,
        caller: &mut Caller,
    ) -> Result<Option<Cached<Fill>>, GatewayError> {
        let Some(identity) = caller.identity.as_ref() else {
            return Ok(None);
        };
        let lookup = (target.service == Service::Resources)
            .then(|| self.inner.responses.lookup(req, &identity.tenant, identity))
            .flatten();
        let Some(lookup) = lookup else {
            return Ok(None);
        };
        match self.inner.responses.get(&lookup, req).await {
            Cached::Hit(mut response) => {
                if self.inner.config.count_cache_hits {
                    self.admit(caller).await?;
                    caller.apply_verdict(&mut response);
                }
                Ok(Some(Cached::Hit(response)))
            }
            Cached::Miss(permit) => Ok(Some(Cached::Miss(Fill {
                lookup,
                permit,
                if_none_match: req.headers().get(header::IF_NONE_MATCH).cloned(),
            }))),
        }
    }

    /// Tells the resource service to refuse a write without `If-Match` when the tenant's
    /// policy requires one.
    async fn require_if_match(&self, req: &mut Request, target: &Target, caller: &Caller) {
        let Some(identity) = &caller.identity else {
            return;
        };
        if target.service == Service::Resources
            && !req.method().is_safe()
            && self
                .inner
                .limiter
                .policy(&identity.tenant)
                .await
                .require_if_match
        {
            req.headers_mut().insert(
                gatehouse_proto::headers::REQUIRE_IF_MATCH,
                HeaderValue::from_static("true"),
            );
        }
    }

    /// Forwards the request to its service; a response fetched for the cache is stored, and
    /// becomes a 304 when the caller holds its entity tag.
    async fn forward(
        &self,
        upstream: &Upstream,
        req: Request,
        fill: Option<Fill>,
    ) -> Result<Response, GatewayError> {
        let config = &self.inner.config;
        let response = upstream
            .forward(req, config.max_body_bytes, config.upstream_timeout)
            .await?;
        let Some(fill) = fill else {
            return Ok(response);
        };
        let response = self.inner.responses.store(&fill.lookup, response).await;
        drop(fill.permit);
        Ok(crate::http_cache::not_modified(
            fill.if_none_match.as_ref(),
            response,
        ))
    }

    /// After a successful write: what the cache holds of the tenant's API is stale (§4.4),
    /// and a changed tenant may have a new rate limit.
    async fn after_write(&self, path: &str, target: &Target, caller: &Caller, response: &Response) {
        let Some(identity) = &caller.identity else {
            return;
        };
        if response.status().as_u16() >= 400 {
            return;
        }
        if target.service == Service::Resources {
            self.inner
                .responses
                .invalidate(&identity.tenant, path)
                .await;
        }
        if let Some(slug) = path.strip_prefix("/admin/v1/tenants/") {
            self.inner.limiter.forget_policy(slug).await;
        }
    }
}
