//! The gateway's own routes: `/healthz`, `/readyz`, the protected resource metadata (RFC 9728),
//! and `/docs` sending browsers on to the resource API's documentation.

use poem::http::StatusCode;
use poem::web::Redirect;
use poem::{IntoResponse, Request, Response};

use crate::{Gateway, Upstream, route};

impl Gateway {
    /// Answers a route the gateway serves itself.
    pub(crate) async fn local(&self, req: &Request) -> Response {
        match req.uri().path() {
            "/readyz" => self.readiness(req).await,
            path if path.contains(crate::resource_metadata::WELL_KNOWN) => {
                self.resource_metadata(path).await
            }
            path => healthz_or_docs(path),
        }
    }

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
                .authorize(
                    req,
                    &route::Rule::PlatformAdmin,
                    None,
                    route::PLATFORM_ADMIN_TEMPLATE,
                )
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

fn healthz_or_docs(path: &str) -> Response {
    match path {
        "/healthz" => Response::builder()
            .status(StatusCode::OK)
            .content_type("application/json")
            .body(r#"{"status":"ok"}"#),
        _ => Redirect::see_other("/docs/resources").into_response(),
    }
}
