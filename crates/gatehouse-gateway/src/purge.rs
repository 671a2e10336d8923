//! `POST /admin/v1/cache/purge` (operator) and `POST /t/{tenant}/admin/v1/cache/purge` (tenant
//! admin): drop cached responses of a tenant, of one path, or under a path prefix. With Redis
//! the purge reaches every gateway instance sharing it.

use gatehouse_proto::{FieldError, Problem};
use poem::{IntoResponse, Request, Response};
use serde::Deserialize;

use crate::http_cache::ResponseCache;
use crate::{GatewayError, ProblemResponse};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PurgeRequest {
    /// Required from the operator; implied by the path for a tenant admin.
    tenant: Option<String>,
    /// One resource path, e.g. `/t/acme/api/v1/products/0193…`.
    path: Option<String>,
    /// Every path that starts with this, e.g. `/t/acme/api/v1/products`.
    prefix: Option<String>,
}

fn invalid(field: &str, reason: &str) -> GatewayError {
    GatewayError::Problem(ProblemResponse(Problem::invalid_fields(vec![FieldError {
        field: field.into(),
        reason: reason.into(),
    }])))
}

/// Validates a purge request (the caller's own tenant, one path or a prefix under it) and
/// purges what it names.
#[tracing::instrument(skip_all, fields(tenant = path_tenant))]
pub async fn handle(
    cache: &ResponseCache,
    mut req: Request,
    path_tenant: Option<&str>,
) -> Result<Response, GatewayError> {
    if req.method() != poem::http::Method::POST {
        return Err(GatewayError::MethodNotAllowed);
    }
    let body = req
        .take_body()
        .into_bytes_limit(16 * 1024)
        .await
        .map_err(|e| GatewayError::BadBody(e.into()))?;
    let body: PurgeRequest = if body.is_empty() {
        PurgeRequest {
            tenant: None,
            path: None,
            prefix: None,
        }
    } else {
        serde_json::from_slice(&body).map_err(|e| GatewayError::BadBody(e.into()))?
    };
    let tenant = match (path_tenant, body.tenant.as_deref()) {
        (Some(own), None) => own.to_owned(),
        (Some(own), Some(named)) if own == named => own.to_owned(),
        (Some(_), Some(_)) => {
            return Err(invalid(
                "tenant",
                "a tenant admin purges its own tenant only",
            ));
        }
        (None, Some(named)) if gatehouse_proto::is_valid_slug(named) => named.to_owned(),
        (None, _) => {
            return Err(invalid(
                "tenant",
                "name the tenant whose responses to purge",
            ));
        }
    };
    let root = format!("/t/{tenant}/");
    let prefix = match (body.path, body.prefix) {
        (Some(_), Some(_)) => return Err(invalid("path", "give a path or a prefix, not both")),
        (Some(path), None) | (None, Some(path)) if !path.starts_with(&root) => {
            return Err(invalid("path", &format!("must start with {root}")));
        }
        // An exact path is the key's path followed by the key's separator.
        (Some(path), None) => format!("{path}\n"),
        (None, Some(prefix)) => prefix,
        (None, None) => String::new(),
    };
    let purged = cache
        .purge(&tenant, &prefix)
        .await
        .map_err(|e| GatewayError::upstream("cache purge failed", e))?;
    tracing::info!(%tenant, purged, "cache purged");
    Ok(poem::web::Json(serde_json::json!({ "purged": purged })).into_response())
}
