//! CORS per tenant: a browser app at an allowed origin may call a tenant's API and token
//! endpoint. Preflights are answered here, before any token check (they carry none).

use std::collections::HashMap;

use poem::http::{HeaderValue, Method, StatusCode, header};
use poem::{Request, Response};

#[derive(Debug, Clone, Default)]
pub struct CorsConfig {
    /// Origins allowed for every tenant (`https://app.example`), or `*`.
    pub allowed_origins: Vec<String>,
    /// Origins allowed for one tenant, by slug, in addition.
    pub tenants: HashMap<String, Vec<String>>,
}

const ALLOW_HEADERS: &str = "authorization, content-type, dpop, if-match, if-none-match, idempotency-key, traceparent, x-request-id";
const EXPOSE_HEADERS: &str = "dpop-nonce, etag, location, www-authenticate, retry-after, ratelimit, ratelimit-policy, x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset, x-request-id, x-cache";

impl CorsConfig {
    fn allows(&self, tenant: &str, origin: &str) -> bool {
        let listed = |list: &Vec<String>| list.iter().any(|o| o == "*" || o == origin);
        listed(&self.allowed_origins) || self.tenants.get(tenant).is_some_and(listed)
    }

    /// The answer to a preflight (`OPTIONS` with `Access-Control-Request-Method`), if `req` is
    /// one.
    pub fn preflight(&self, req: &Request, tenant: Option<&str>) -> Option<Response> {
        if req.method() != Method::OPTIONS
            || !req
                .headers()
                .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
        {
            return None;
        }
        let origin = req.headers().get(header::ORIGIN)?.to_str().ok()?;
        let allowed = tenant.is_some_and(|t| self.allows(t, origin));
        if !allowed {
            return Some(
                gatehouse_proto::Problem::new(
                    gatehouse_proto::ProblemType::Forbidden,
                    "this origin may not call this tenant's API from a browser",
                )
                .into_response_with_status(),
            );
        }
        let mut response = Response::builder()
            .status(StatusCode::NO_CONTENT)
            .header(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                "GET, HEAD, POST, PUT, PATCH, DELETE",
            )
            .header(header::ACCESS_CONTROL_ALLOW_HEADERS, ALLOW_HEADERS)
            .header(header::ACCESS_CONTROL_MAX_AGE, "600")
            .finish();
        allow(&mut response, origin);
        Some(response)
    }

    /// Adds the CORS fields to the response of an allowed cross-origin request.
    pub fn decorate(
        &self,
        origin: Option<&HeaderValue>,
        tenant: Option<&str>,
        response: &mut Response,
    ) {
        let (Some(origin), Some(tenant)) = (origin.and_then(|o| o.to_str().ok()), tenant) else {
            return;
        };
        if self.allows(tenant, origin) {
            allow(response, origin);
            if let Ok(value) = HeaderValue::from_str(EXPOSE_HEADERS) {
                response
                    .headers_mut()
                    .insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, value);
            }
        }
    }
}

fn allow(response: &mut Response, origin: &str) {
    if let Ok(value) = HeaderValue::from_str(origin) {
        response
            .headers_mut()
            .insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
    }
    response
        .headers_mut()
        .append(header::VARY, HeaderValue::from_static("origin"));
}
