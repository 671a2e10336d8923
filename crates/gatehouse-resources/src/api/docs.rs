//! The documentation this service owns: its OpenAPI document, Swagger UI, and a tenant's
//! Swagger UI whose "Authorize" posts to that tenant's token endpoint.

use std::sync::Arc;

use gatehouse_proto::{Problem, ProblemType, is_valid_slug};
use poem::endpoint::make_sync;
use poem::web::Html;
use poem::{IntoResponse, Request, Response, Route, get};
use poem_openapi::{OpenApi, OpenApiService};

/// The token URL in the document, with the placeholder a tenant's Swagger UI fills in.
const TOKEN_URL_TEMPLATE: &str = "/t/{tenant}/oauth2/token";

pub(crate) fn routes<T: OpenApi + 'static>(route: Route, api: &OpenApiService<T, ()>) -> Route {
    let tenant_ui = Arc::new(api.swagger_ui_html());
    route
        .at("/openapi/resources.json", get(api.spec_endpoint()))
        .nest("/docs/resources", api.swagger_ui())
        .at(
            "/t/:tenant/docs",
            get(make_sync(move |req: Request| {
                tenant_swagger_ui(&tenant_ui, &req)
            })),
        )
}

fn tenant_swagger_ui(template: &str, req: &Request) -> Response {
    match req.raw_path_param("tenant") {
        Some(slug) if is_valid_slug(slug) => {
            Html(template.replace(TOKEN_URL_TEMPLATE, &format!("/t/{slug}/oauth2/token")))
                .into_response()
        }
        _ => Problem::new(ProblemType::NotFound, "no such tenant").into_response(),
    }
}
