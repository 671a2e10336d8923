//! Which service owns a path, and what a caller must present to reach it.

use gatehouse_proto::is_valid_slug;
use poem::http::Method;

use crate::GatewayError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// Answered by the gateway itself (`/healthz`, `/docs`).
    Local,
    /// The gateway's own admin operations (cache purge), after the token check.
    GatewayAdmin,
    Auth,
    Resources,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// Any valid token of the path's tenant (`/api/v1/me`).
    Authenticated,
    /// A token of the path's tenant with this scope.
    Scope(String),
    /// A token of the path's tenant with `tenant:admin`, or the operator's `platform:admin`.
    TenantAdmin,
    /// A token of the `system` tenant with `platform:admin`.
    PlatformAdmin,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    Public,
    Token(Rule),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub service: Service,
    pub access: Access,
    /// The tenant in the path, if any.
    pub tenant: Option<String>,
    /// The per-address budget a public OAuth endpoint spends, if any.
    pub per_address: Option<AddressBudget>,
    /// The route's template, for metrics: a fixed string, never a value from the path.
    pub template: &'static str,
}

/// The route of the platform's admin API (its metadata and cache purge aside).
pub const PLATFORM_ADMIN_TEMPLATE: &str = "/admin/v1/*";

/// The budget per caller address of a public OAuth endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressBudget {
    /// The token endpoint (`rate_limits.token_endpoint_per_minute`).
    Token,
    /// Introspection, revocation and UserInfo (`rate_limits.oauth_per_minute`), which answer
    /// in RFC 6749 form.
    OAuthApi,
    /// The sign-in pages: authorize, login, consent (`rate_limits.oauth_per_minute`).
    SignIn,
    /// Dynamic client registration and its management (`rate_limits.registration_per_minute`).
    Registration,
}

/// A request's route, as the request-id middleware classified it (`None`: no route).
#[derive(Debug, Clone)]
pub struct Classified(pub Option<Target>);

/// The route template of a request that matched no route.
pub const UNMATCHED: &str = "unmatched";

fn target(
    template: &'static str,
    service: Service,
    access: Access,
    tenant: Option<&str>,
) -> Target {
    Target {
        service,
        access,
        tenant: tenant.map(str::to_owned),
        per_address: None,
        template,
    }
}

fn is_resource_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// Reading methods need `<resource>:read`; everything else `<resource>:write`.
fn scope_for(method: &Method, resource: &str) -> String {
    let action = if method == Method::GET || method == Method::HEAD {
        "read"
    } else {
        "write"
    };
    format!("{resource}:{action}")
}

pub fn classify(method: &Method, path: &str) -> Result<Target, GatewayError> {
    use Service::{Auth, Local, Resources};
    let segments: Vec<&str> = path.strip_prefix('/').unwrap_or(path).split('/').collect();
    let public = Access::Public;
    let found = match segments.as_slice() {
        ["healthz"] => target("/healthz", Local, public, None),
        ["readyz"] => target("/readyz", Local, public, None),
        ["docs"] | ["docs", ""] => target("/docs", Local, public, None),
        ["openapi", "admin.json" | "auth.json"] => target("/openapi/:document", Auth, public, None),
        ["docs", "admin" | "auth", ..] => target("/docs/:document", Auth, public, None),
        ["openapi", "resources.json"] => target("/openapi/:document", Resources, public, None),
        ["docs", "resources", ..] => target("/docs/:document", Resources, public, None),
        [".well-known", "oauth-protected-resource", resource @ ..] => {
            let tenant = match resource {
                ["t", tenant, ..] if is_valid_slug(tenant) => Some(*tenant),
                _ => None,
            };
            target(
                "/.well-known/oauth-protected-resource/*",
                Local,
                public,
                tenant,
            )
        }
        [".well-known", "oauth-authorization-server", "t", tenant] if is_valid_slug(tenant) => {
            target(
                "/.well-known/oauth-authorization-server/t/:tenant",
                Auth,
                public,
                Some(tenant),
            )
        }
        ["admin", "v1", ".well-known", "oauth-protected-resource"] => target(
            "/admin/v1/.well-known/oauth-protected-resource",
            Local,
            public,
            None,
        ),
        ["admin", "v1", "cache", "purge"] => target(
            "/admin/v1/cache/purge",
            Service::GatewayAdmin,
            Access::Token(Rule::PlatformAdmin),
            None,
        ),
        ["admin", "v1", ..] => target(
            PLATFORM_ADMIN_TEMPLATE,
            Auth,
            Access::Token(Rule::PlatformAdmin),
            None,
        ),
        ["t", tenant, rest @ ..] if is_valid_slug(tenant) => match rest {
            [
                "api" | "admin",
                "v1",
                ".well-known",
                "oauth-protected-resource",
            ] => target(
                "/t/:tenant/:api/v1/.well-known/oauth-protected-resource",
                Local,
                public,
                Some(tenant),
            ),
            ["api", "v1", "me"] => target(
                "/t/:tenant/api/v1/me",
                Resources,
                Access::Token(Rule::Authenticated),
                Some(tenant),
            ),
            ["api", "v1", resource, more @ ..] if is_resource_name(resource) => target(
                if more.is_empty() {
                    "/t/:tenant/api/v1/:resource"
                } else {
                    "/t/:tenant/api/v1/:resource/*"
                },
                Resources,
                Access::Token(Rule::Scope(scope_for(method, resource))),
                Some(tenant),
            ),
            ["admin", "v1", "cache", "purge"] => target(
                "/t/:tenant/admin/v1/cache/purge",
                Service::GatewayAdmin,
                Access::Token(Rule::TenantAdmin),
                Some(tenant),
            ),
            ["admin", "v1", ..] => target(
                "/t/:tenant/admin/v1/*",
                Auth,
                Access::Token(Rule::TenantAdmin),
                Some(tenant),
            ),
            ["oauth2", endpoint] => {
                let (template, budget) = match *endpoint {
                    "token" => ("/t/:tenant/oauth2/token", Some(AddressBudget::Token)),
                    "par" => ("/t/:tenant/oauth2/par", Some(AddressBudget::Token)),
                    "register" => (
                        "/t/:tenant/oauth2/register",
                        Some(AddressBudget::Registration),
                    ),
                    "authorize" => ("/t/:tenant/oauth2/authorize", Some(AddressBudget::SignIn)),
                    "login" => ("/t/:tenant/oauth2/login", Some(AddressBudget::SignIn)),
                    "device" => ("/t/:tenant/oauth2/device", Some(AddressBudget::SignIn)),
                    "device_authorization" => (
                        "/t/:tenant/oauth2/device_authorization",
                        Some(AddressBudget::Token),
                    ),
                    "consent" => ("/t/:tenant/oauth2/consent", Some(AddressBudget::SignIn)),
                    "introspect" => (
                        "/t/:tenant/oauth2/introspect",
                        Some(AddressBudget::OAuthApi),
                    ),
                    "revoke" => ("/t/:tenant/oauth2/revoke", Some(AddressBudget::OAuthApi)),
                    "userinfo" => ("/t/:tenant/oauth2/userinfo", Some(AddressBudget::OAuthApi)),
                    _ => ("/t/:tenant/oauth2/*", None),
                };
                Target {
                    per_address: budget,
                    ..target(template, Auth, public, Some(tenant))
                }
            }
            ["oauth2", "register", _] => Target {
                per_address: Some(AddressBudget::Registration),
                ..target("/t/:tenant/oauth2/register", Auth, public, Some(tenant))
            },
            ["oauth2", ..] => target("/t/:tenant/oauth2/*", Auth, public, Some(tenant)),
            ["jwks.json"] => target("/t/:tenant/jwks.json", Auth, public, Some(tenant)),
            [".well-known", ..] => target("/t/:tenant/.well-known/*", Auth, public, Some(tenant)),
            ["docs", ..] => target("/t/:tenant/docs", Resources, public, Some(tenant)),
            _ => return Err(GatewayError::NoRoute),
        },
        _ => return Err(GatewayError::NoRoute),
    };
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(method: Method, path: &str) -> Option<(Service, Access)> {
        classify(&method, path).ok().map(|t| (t.service, t.access))
    }

    #[test]
    fn resource_routes_need_the_resource_scope_for_the_method() {
        let read = Access::Token(Rule::Scope("products:read".into()));
        let write = Access::Token(Rule::Scope("products:write".into()));
        assert_eq!(
            access(Method::GET, "/t/acme/api/v1/products"),
            Some((Service::Resources, read.clone()))
        );
        assert_eq!(
            access(Method::HEAD, "/t/acme/api/v1/products/1"),
            Some((Service::Resources, read))
        );
        for m in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            assert_eq!(
                access(m, "/t/acme/api/v1/products/1"),
                Some((Service::Resources, write.clone()))
            );
        }
    }

    #[test]
    fn admin_and_oauth_routes_go_to_the_auth_server() {
        assert_eq!(
            access(Method::POST, "/admin/v1/tenants"),
            Some((Service::Auth, Access::Token(Rule::PlatformAdmin)))
        );
        assert_eq!(
            access(Method::GET, "/t/acme/admin/v1/clients"),
            Some((Service::Auth, Access::Token(Rule::TenantAdmin)))
        );
        for path in [
            "/t/acme/oauth2/token",
            "/t/acme/jwks.json",
            "/t/acme/.well-known/openid-configuration",
            "/.well-known/oauth-authorization-server/t/acme",
        ] {
            assert_eq!(
                access(Method::GET, path),
                Some((Service::Auth, Access::Public)),
                "{path}"
            );
        }
    }

    #[test]
    fn unknown_or_malformed_paths_have_no_route() {
        for path in [
            "/",
            "/t/Acme/api/v1/products",
            "/t/acme",
            "/t/acme/api/v1",
            "/t/acme/api/v1/Pro%20ducts",
            "/docs/adminx",
            "/openapi/other.json",
        ] {
            assert_eq!(access(Method::GET, path), None, "{path}");
        }
    }
}
