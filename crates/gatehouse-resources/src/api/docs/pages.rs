//! The routes and the pages: the generic page, a tenant's page and its OAuth redirect page.

use std::sync::Arc;

use gatehouse_proto::{FieldError, Problem, ProblemType, is_valid_slug};
use poem::endpoint::make_sync;
use poem::http::header;
use poem::{IntoResponse, Request, Response, Route, get};
use poem_openapi::{OpenApi, OpenApiService};
use serde_json::{Value, json};

use super::assets::{ASSETS, Asset, swagger_ui_assets};
use super::scripts::{REDIRECT_SCRIPT, START_SCRIPT, script_data, script_hash};
use super::tenant_document::{GENERIC_NOTE, for_tenant, with_note};

/// The longest `client_id` a docs page fills in.
const MAX_CLIENT_ID_CHARS: usize = 255;

struct Docs {
    /// The document as served at `/openapi/resources.json`.
    json: String,
    /// The same, parsed, for the tenants' pages.
    document: Value,
    script: Asset,
    style: Asset,
    /// The generic page (`/docs/resources`).
    page: String,
    page_csp: String,
    redirect_csp: String,
}

pub(crate) fn routes<T: OpenApi + 'static>(
    route: Route,
    api: &OpenApiService<T, ()>,
    document: String,
) -> Route {
    let docs = Arc::new(Docs::new(document, &api.swagger_ui_html()));
    let (page, script, style, json) = (docs.clone(), docs.clone(), docs.clone(), docs.clone());
    let (tenant_page, redirect) = (docs.clone(), docs);
    route
        .at(
            "/openapi/resources.json",
            get(make_sync(move |_| {
                Response::builder()
                    .content_type("application/json")
                    .body(json.json.clone())
            })),
        )
        .nest(
            ASSETS,
            Route::new()
                .at("/", get(make_sync(move |_| page.generic_page())))
                .at(
                    "/swagger-ui-bundle.js",
                    get(make_sync(move |_| script.script.response())),
                )
                .at(
                    "/swagger-ui.css",
                    get(make_sync(move |_| style.style.response())),
                ),
        )
        .at(
            "/t/:tenant/docs",
            get(make_sync(move |req: Request| tenant_page.tenant_page(&req))),
        )
        .at(
            "/t/:tenant/docs/oauth2-redirect.html",
            get(make_sync(move |req: Request| redirect.redirect_page(&req))),
        )
}

impl Docs {
    /// `swagger_ui_html` is poem-openapi's page, which carries Swagger UI's stylesheet and
    /// script inline.
    fn new(json: String, swagger_ui_html: &str) -> Self {
        let document = serde_json::from_str(&json).unwrap_or_else(|e| {
            tracing::error!(
                error = %gatehouse_proto::ErrorChain(&e),
                "resources: the OpenAPI document is not JSON"
            );
            Value::Null
        });
        let (style, script) = swagger_ui_assets(swagger_ui_html).unwrap_or_else(|| {
            tracing::error!("resources: Swagger UI's files are not where poem-openapi kept them");
            ("", "")
        });
        let (script, style) = (
            Asset::new(script, "text/javascript; charset=utf-8"),
            Asset::new(style, "text/css; charset=utf-8"),
        );
        let page_csp = format!(
            "default-src 'none'; script-src 'self' {}; style-src 'self' 'unsafe-inline'; \
             img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; \
             form-action 'none'",
            script_hash(START_SCRIPT)
        );
        let redirect_csp = format!(
            "default-src 'none'; script-src {}; frame-ancestors 'none'; base-uri 'none'; \
             form-action 'none'",
            script_hash(REDIRECT_SCRIPT)
        );
        let mut docs = Self {
            json,
            document,
            script,
            style,
            page: String::new(),
            page_csp,
            redirect_csp,
        };
        docs.page = docs.render(
            "Gatehouse resource API",
            &json!({"document": with_note(docs.document.clone(), GENERIC_NOTE)}),
        );
        docs
    }

    fn generic_page(&self) -> Response {
        self.html(self.page.clone(), &self.page_csp)
    }

    /// A tenant's page: its own document, *Authorize* at its endpoints, the authorization code
    /// flow with PKCE ending on its redirect page, and `?client_id=` filled in.
    fn tenant_page(&self, req: &Request) -> Response {
        let Some(slug) = tenant(req) else {
            return no_such_tenant();
        };
        let client_id = match client_id(req.uri().query().unwrap_or_default()) {
            Ok(client_id) => client_id,
            Err(reason) => {
                return Problem::invalid_fields(vec![FieldError::new("client_id", reason)])
                    .into_response();
            }
        };
        let config = json!({
            "document": for_tenant(&self.document, slug),
            "redirectPath": format!("/t/{slug}/docs/oauth2-redirect.html"),
            "clientId": client_id,
        });
        let page = self.render(&format!("Gatehouse resource API: {slug}"), &config);
        self.html(page, &self.page_csp)
    }

    fn redirect_page(&self, req: &Request) -> Response {
        if tenant(req).is_none() {
            return no_such_tenant();
        }
        let page = format!(
            "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <title>Signing in</title>\n</head>\n<body>\n\
             <p id=\"status\">Completing the sign-in…</p>\n\
             <script>{REDIRECT_SCRIPT}</script>\n</body>\n</html>\n"
        );
        let mut response = self.html(page, &self.redirect_csp);
        // The URL carries a code: keep it out of caches.
        if let Ok(value) = "no-store".parse() {
            response.headers_mut().insert(header::CACHE_CONTROL, value);
        }
        response
    }

    /// A page running Swagger UI on `config` (`title` is HTML-safe: a fixed text and a slug).
    fn render(&self, title: &str, config: &Value) -> String {
        format!(
            "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{title}</title>\n\
             <link rel=\"stylesheet\" href=\"{ASSETS}/swagger-ui.css?v={style}\">\n\
             </head>\n<body>\n<div id=\"ui\"></div>\n\
             <script id=\"gatehouse-docs\" type=\"application/json\">{config}</script>\n\
             <script src=\"{ASSETS}/swagger-ui-bundle.js?v={script}\"></script>\n\
             <script>{START_SCRIPT}</script>\n</body>\n</html>\n",
            style = self.style.version,
            script = self.script.version,
            config = script_data(config),
        )
    }

    fn html(&self, page: String, csp: &str) -> Response {
        let mut response = Response::builder()
            .content_type("text/html; charset=utf-8")
            .header(header::CACHE_CONTROL, "no-cache")
            .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
            .header(header::X_FRAME_OPTIONS, "DENY")
            .header(header::REFERRER_POLICY, "no-referrer")
            .body(page);
        if let Ok(value) = csp.parse() {
            response
                .headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, value);
        }
        response
    }
}

/// The path's tenant, if it is a valid slug.
fn tenant(req: &Request) -> Option<&str> {
    req.raw_path_param("tenant").filter(|s| is_valid_slug(s))
}

fn no_such_tenant() -> Response {
    Problem::new(ProblemType::NotFound, "no such tenant").into_response()
}

/// The `client_id` the page's query names, if any; other parameters are left alone.
fn client_id(query: &str) -> Result<Option<String>, &'static str> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query).map_err(|_| "the query is not form-encoded")?;
    let mut found = pairs.into_iter().filter(|(name, _)| name == "client_id");
    let Some((_, value)) = found.next() else {
        return Ok(None);
    };
    if found.next().is_some() {
        return Err("must be given once");
    }
    if value.is_empty() {
        return Ok(None);
    }
    if value.chars().count() > MAX_CLIENT_ID_CHARS || value.chars().any(char::is_control) {
        return Err("must be at most 255 characters, none of them a control character");
    }
    Ok(Some(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_id_is_checked() {
        assert_eq!(client_id(""), Ok(None));
        assert_eq!(client_id("x=1&client_id="), Ok(None));
        assert_eq!(client_id("client_id=a%20b"), Ok(Some("a b".into())));
        assert!(client_id("client_id=a&client_id=b").is_err());
        assert!(client_id("client_id=a%0Ab").is_err());
        assert!(client_id(&format!("client_id={}", "a".repeat(256))).is_err());
    }
}
