//! OAuth 2.0 Protected Resource Metadata (RFC 9728): what each API behind the gateway is, which
//! authorization server issues its tokens, and which scopes it knows, for clients (AI agents
//! among them) that meet a 401 and must find out where to get a token.
//!
//! Three resources: a tenant's API (`/t/{tenant}/api/v1`), a tenant's admin API
//! (`/t/{tenant}/admin/v1`) and the platform's admin API (`/admin/v1`). Each document is served
//! at the well-known URL with the resource's path appended (RFC 9728 §3.1) and at the
//! resource's own URL with the well-known suffix; every 401 names the first in
//! `WWW-Authenticate` (§5.1).

use gatehouse_proto::{
    API_SCOPES, PLATFORM_ADMIN, PLATFORM_ADMIN_RESOURCE, Problem, ProblemType, SYSTEM_TENANT,
    TENANT_ADMIN, api_resource, is_valid_slug, tenant_admin_resource,
};
use poem::http::StatusCode;
use poem::{IntoResponse, Response};

use crate::Gateway;

/// The well-known path segment (RFC 9728 §3).
pub const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

/// One protected resource: its path under the public URL, its tenant, its scopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    path: String,
    name: &'static str,
    tenant: String,
    scopes: &'static [&'static str],
}

/// The three kinds of protected resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Api,
    TenantAdmin,
    PlatformAdmin,
}

impl Resource {
    fn new(kind: Kind, tenant: &str) -> Self {
        let (path, name, scopes): (String, _, &'static [&'static str]) = match kind {
            Kind::Api => (api_resource(tenant), "the API", &API_SCOPES),
            Kind::TenantAdmin => (
                tenant_admin_resource(tenant),
                "the admin API",
                &[TENANT_ADMIN],
            ),
            Kind::PlatformAdmin => (
                PLATFORM_ADMIN_RESOURCE.into(),
                "the platform's admin API",
                &[PLATFORM_ADMIN],
            ),
        };
        Self {
            path,
            name,
            tenant: tenant.to_owned(),
            scopes,
        }
    }

    /// The platform's admin API.
    fn platform_admin() -> Self {
        Self::new(Kind::PlatformAdmin, SYSTEM_TENANT)
    }

    /// The resource a request path belongs to, if it is one of the three.
    pub fn of_path(path: &str) -> Option<Self> {
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        match segments.as_slice() {
            ["admin", "v1", ..] => Some(Self::platform_admin()),
            ["t", tenant, "api", "v1", ..] if is_valid_slug(tenant) => {
                Some(Self::new(Kind::Api, tenant))
            }
            ["t", tenant, "admin", "v1", ..] if is_valid_slug(tenant) => {
                Some(Self::new(Kind::TenantAdmin, tenant))
            }
            _ => None,
        }
    }

    /// The resource of a request the router matched to `template` (see [`crate::route`]) for
    /// `tenant`: what [`Resource::of_path`] says of its path, without the path.
    pub fn of_route(template: &str, tenant: Option<&str>) -> Option<Self> {
        if template.starts_with("/admin/v1/") {
            return Some(Self::platform_admin());
        }
        let kind = match template.strip_prefix("/t/:tenant/")? {
            rest if rest.starts_with("api/v1/") => Kind::Api,
            rest if rest.starts_with("admin/v1/") => Kind::TenantAdmin,
            _ => return None,
        };
        Some(Self::new(kind, tenant?))
    }

    /// The resource whose metadata `path` asks for, in either form: exactly its path, not a
    /// path below it.
    pub fn of_metadata_path(path: &str) -> Option<Self> {
        let asked = path
            .strip_prefix(WELL_KNOWN)
            .or_else(|| path.strip_suffix(WELL_KNOWN))?;
        Self::of_path(asked).filter(|resource| resource.path == asked)
    }

    /// Whether `uri` is this resource's URL, as a token aimed at it names it in `aud` (RFC 8707).
    pub fn is_named_by(&self, public_url: &str, uri: &str) -> bool {
        uri.strip_prefix(public_url) == Some(self.path.as_str())
    }

    /// The URL of this resource's metadata, as a 401 names it.
    pub fn metadata_url(&self, public_url: &str) -> String {
        format!("{public_url}{WELL_KNOWN}{}", self.path)
    }
}

impl Gateway {
    /// The metadata document of the resource `path` asks for; 404 for a tenant that does not
    /// exist.
    pub(crate) async fn resource_metadata(&self, path: &str) -> Response {
        let Some(resource) = Resource::of_metadata_path(path) else {
            return Problem::new(ProblemType::NotFound, "no such protected resource")
                .into_response();
        };
        let public_url = &self.inner.config.public_url;
        let policy = gatehouse_proto::tenant_policy_path(&resource.tenant);
        match self.inner.auth.get(&policy).await {
            Ok((status, _)) if status.is_success() => {}
            Ok((StatusCode::NOT_FOUND, _)) => {
                return Problem::new(ProblemType::NotFound, "no such tenant").into_response();
            }
            Ok(_) | Err(_) => {
                return Problem::new(
                    ProblemType::BadGateway,
                    "the authorization service did not answer",
                )
                .into_response();
            }
        }
        let issuer = format!("{public_url}/t/{}", resource.tenant);
        let body = serde_json::json!({
            "resource": format!("{public_url}{}", resource.path),
            "authorization_servers": [issuer],
            "scopes_supported": resource.scopes,
            "bearer_methods_supported": ["header"],
            "dpop_signing_alg_values_supported": gatehouse_proto::DPOP_ALGORITHMS,
            "dpop_bound_access_tokens_required": false,
            "resource_name": format!("{} of tenant {}", resource.name, resource.tenant),
            "resource_documentation": format!("{public_url}/docs"),
        });
        Response::builder()
            .status(StatusCode::OK)
            .content_type("application/json")
            .header("cache-control", "public, max-age=300")
            .body(body.to_string())
    }
}

/// `challenge` (a `Bearer …` or `DPoP …` value) with the resource's metadata URL added (RFC 9728 §5.1).
pub fn with_resource_metadata(challenge: &str, metadata_url: &str) -> String {
    format!(r#"{challenge}, resource_metadata="{metadata_url}""#)
}

#[cfg(test)]
mod tests {
    use poem::http::Method;

    use super::*;

    #[test]
    fn each_api_is_its_own_resource_and_its_metadata_has_two_addresses() {
        let api = Resource::of_path("/t/acme/api/v1/products/7").expect("the API");
        assert_eq!(api.path, "/t/acme/api/v1");
        assert_eq!(api.scopes, &API_SCOPES);
        assert_eq!(
            api.metadata_url("https://gh.example"),
            "https://gh.example/.well-known/oauth-protected-resource/t/acme/api/v1"
        );
        for path in [
            "/.well-known/oauth-protected-resource/t/acme/api/v1",
            "/t/acme/api/v1/.well-known/oauth-protected-resource",
        ] {
            assert_eq!(
                Resource::of_metadata_path(path),
                Some(api.clone()),
                "{path}"
            );
        }
        let platform = Resource::of_path("/admin/v1/tenants").expect("the platform's");
        assert_eq!(
            (platform.tenant.as_str(), platform.scopes),
            ("system", &[PLATFORM_ADMIN][..])
        );
        let admin = Resource::of_path("/t/acme/admin/v1/clients").expect("the tenant's admin");
        assert_eq!(admin.scopes, &[TENANT_ADMIN]);
        for (method, path) in [
            (Method::GET, "/t/acme/api/v1/products/7"),
            (Method::GET, "/t/acme/api/v1/me"),
            (Method::POST, "/t/acme/admin/v1/clients"),
            (Method::POST, "/t/acme/admin/v1/cache/purge"),
            (Method::GET, "/admin/v1/tenants"),
            (Method::POST, "/admin/v1/cache/purge"),
            (Method::POST, "/t/acme/oauth2/token"),
        ] {
            let target = crate::route::classify(&method, path).expect("a route");
            assert_eq!(
                Resource::of_route(target.template, target.tenant.as_deref()),
                Resource::of_path(path),
                "{path}: the route names the path's resource"
            );
        }
        for path in [
            "/.well-known/oauth-protected-resource/t/acme/api/v1/products",
            "/.well-known/oauth-protected-resource/t/ACME/api/v1",
            "/.well-known/oauth-protected-resource",
            "/.well-known/oauth-protected-resource/t/acme/oauth2",
        ] {
            assert_eq!(Resource::of_metadata_path(path), None, "{path}");
        }
    }
}
