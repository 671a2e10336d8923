//! The documentation this service owns: the resource API's OpenAPI document
//! (`/openapi/resources.json`), Swagger UI for it (`/docs/resources`), and a tenant's Swagger UI
//! (`/t/{tenant}/docs`), whose document is the tenant's own and whose *Authorize* signs in at
//! the tenant: client credentials, or the authorization code flow with PKCE, which ends on
//! `/t/{tenant}/docs/oauth2-redirect.html`.
//!
//! Every page is built from [`crate::openapi_json`], computed once here. Swagger UI's script and
//! stylesheet (those poem-openapi bundles) are served once, under `/docs/resources/`, so that
//! the pages run no script but theirs and one inline script of ours, under a strict CSP.

use std::sync::Arc;

use base64::Engine;
use gatehouse_proto::{FieldError, Problem, ProblemType, is_valid_slug};
use poem::endpoint::make_sync;
use poem::http::header;
use poem::{IntoResponse, Request, Response, Route, get};
use poem_openapi::{OpenApi, OpenApiService};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Where Swagger UI's own files are served; the gateway routes `/docs/resources/...` here.
const ASSETS: &str = "/docs/resources";

/// Starts Swagger UI from the page's configuration (a JSON data block, never script text), so
/// that this script is the same on every page and its hash can be the only inline script the
/// CSP allows. `redirectPath` is set on a tenant's page: Swagger UI then uses PKCE with the
/// authorization code grant, and the popup ends on the tenant's redirect page.
const START_SCRIPT: &str = r##""use strict";
(function () {
  var config = JSON.parse(document.getElementById("gatehouse-docs").textContent);
  var options = {
    dom_id: "#ui",
    spec: config.document,
    deepLinking: true,
    validatorUrl: null
  };
  if (config.redirectPath) {
    options.oauth2RedirectUrl = new URL(config.redirectPath, window.location.href).href;
  }
  var ui = SwaggerUIBundle(options);
  if (config.redirectPath) {
    ui.initOAuth({
      clientId: config.clientId || "",
      usePkceWithAuthorizationCodeGrant: true
    });
  }
  window.ui = ui;
})();
"##;

/// The redirect page's script. Swagger UI opens the authorization request in a popup and
/// leaves, on its own window, `swaggerUIRedirectOauth2`: the pending authorization (`auth`),
/// the `state` it sent, the `redirectUrl`, `callback` (which exchanges `auth.code` at the token
/// endpoint) and `errCb` (which shows an error in the Authorize dialog). This page hands the
/// code, or the error, to the window that opened it, and closes. An answer whose `state` is
/// not the one sent is refused (Swagger UI's own page only warns).
const REDIRECT_SCRIPT: &str = r#""use strict";
(function () {
  var oauth2 = null;
  try {
    oauth2 = window.opener && window.opener.swaggerUIRedirectOauth2;
  } catch (e) {
    oauth2 = null;
  }
  if (!oauth2) {
    document.getElementById("status").textContent =
      "This page completes a sign-in started from the API documentation, and there is none " +
      "waiting. You can close it.";
    return;
  }
  delete window.opener.swaggerUIRedirectOauth2;
  var params = new URLSearchParams(window.location.search);
  var refuse = function (message) {
    oauth2.errCb({ authId: oauth2.auth.name, source: "auth", level: "error", message: message });
  };
  if (!oauth2.state || params.get("state") !== oauth2.state) {
    refuse("[Authorization refused]: the answer does not carry the state this page sent. Try again.");
  } else if (params.get("code")) {
    oauth2.auth.code = params.get("code");
    oauth2.callback({ auth: oauth2.auth, redirectUrl: oauth2.redirectUrl });
  } else {
    refuse("[" + (params.get("error") || "no_code") + "]: " +
      (params.get("error_description") || "the authorization server sent no code."));
  }
  window.close();
})();
"#;

/// The longest `client_id` a docs page fills in.
const MAX_CLIENT_ID_CHARS: usize = 255;

/// One of Swagger UI's files, with a tag of its content for its URL.
struct Asset {
    body: String,
    content_type: &'static str,
    version: String,
}

impl Asset {
    fn new(body: &str, content_type: &'static str) -> Self {
        let digest = Sha256::digest(body.as_bytes());
        let version = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        Self {
            body: body.to_owned(),
            content_type,
            version,
        }
    }

    fn response(&self) -> Response {
        Response::builder()
            .content_type(self.content_type)
            // The pages name each file with a tag of its content.
            .header(header::CACHE_CONTROL, "public, max-age=86400")
            .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
            .body(self.body.clone())
    }
}

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
            tracing::error!(error = %e, "resources: the OpenAPI document is not JSON");
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

/// The document as a tenant's page shows it: each path with the tenant's slug in place of
/// `{tenant}` and without the `tenant` parameter, and the OAuth URLs of the tenant.
fn for_tenant(document: &Value, slug: &str) -> Value {
    let mut document = document.clone();
    if let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) {
        *paths = std::mem::take(paths)
            .into_iter()
            .map(|(path, mut item)| {
                if let Some(item) = item.as_object_mut() {
                    // The path item's own parameters, and each operation's.
                    drop_tenant_parameter(item);
                    for operation in item.values_mut().filter_map(Value::as_object_mut) {
                        drop_tenant_parameter(operation);
                    }
                }
                (fill_in_tenant(&path, slug), item)
            })
            .collect();
    }
    let flows = document
        .pointer_mut("/components/securitySchemes")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|schemes| schemes.values_mut())
        .filter_map(|scheme| scheme.get_mut("flows").and_then(Value::as_object_mut))
        .flat_map(|flows| flows.values_mut().filter_map(Value::as_object_mut));
    for flow in flows {
        for key in ["authorizationUrl", "tokenUrl", "refreshUrl"] {
            if let Some(Value::String(url)) = flow.get_mut(key) {
                *url = fill_in_tenant(url, slug);
            }
        }
    }
    with_note(
        document,
        &format!(
            "**Tenant `{slug}`.** This page's paths and sign-in are the tenant's. *Authorize* \
             with a client of the tenant: a machine client's id and secret (client \
             credentials), or the id of the tenant's public client for these docs \
             (authorization code with PKCE: you sign in as a user of the tenant)."
        ),
    )
}

/// What the generic page says first.
const GENERIC_NOTE: &str = "To try the API, open a tenant's page, `/t/{tenant}/docs`: its paths \
    and *Authorize* are the tenant's.";

/// The document with `note` as the first paragraph of its description.
fn with_note(mut document: Value, note: &str) -> Value {
    if let Some(Value::String(description)) = document.pointer_mut("/info/description") {
        *description = format!("{note}\n\n{description}");
    }
    document
}

/// `path` with each segment `{tenant}` replaced by `slug`.
fn fill_in_tenant(path: &str, slug: &str) -> String {
    path.split('/')
        .map(|segment| if segment == "{tenant}" { slug } else { segment })
        .collect::<Vec<_>>()
        .join("/")
}

/// Removes the path parameter `tenant` from an operation's (or path item's) `parameters`.
fn drop_tenant_parameter(holder: &mut serde_json::Map<String, Value>) {
    let Some(parameters) = holder.get_mut("parameters").and_then(Value::as_array_mut) else {
        return;
    };
    parameters.retain(|p| !(p["in"] == "path" && p["name"] == "tenant"));
    if parameters.is_empty() {
        holder.remove("parameters");
    }
}

/// JSON for a `<script type="application/json">` block: `<`, `>` and `&` (which JSON has only
/// inside strings) escaped, so no text can end the block or start markup.
fn script_data(value: &Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The CSP source that allows one inline script.
fn script_hash(script: &str) -> String {
    let digest = Sha256::digest(script.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// Swagger UI's stylesheet and script, out of poem-openapi's page.
fn swagger_ui_assets(html: &str) -> Option<(&str, &str)> {
    let between = |open: &str, close: &str| {
        let start = html.find(open)? + open.len();
        let end = html[start..].find(close)? + start;
        Some(&html[start..end])
    };
    let style = between("<style charset=\"UTF-8\">", "</style>")?;
    let script = between("<script charset=\"UTF-8\">", "</script>")?;
    (style.len() > 1000 && script.contains("SwaggerUIBundle")).then_some((style, script))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swagger_ui_is_found_in_poem_openapis_page() {
        let api = super::super::service(
            sea_orm::DatabaseConnection::default(),
            crate::ResourcesConfig::default(),
        );
        let html = api.swagger_ui_html();
        let (style, script) = swagger_ui_assets(&html).expect("Swagger UI's files");
        assert!(style.contains(".swagger-ui"));
        assert!(script.starts_with("/*!") || script.contains("webpackUniversalModuleDefinition"));
    }

    #[test]
    fn a_tenants_document_is_the_tenants() {
        let document: Value = serde_json::from_str(&crate::openapi_json()).expect("json");
        let acme = for_tenant(&document, "acme");
        let paths = acme["paths"].as_object().expect("paths");
        assert_eq!(
            paths.len(),
            document["paths"].as_object().expect("paths").len()
        );
        for (path, item) in paths {
            assert!(path.starts_with("/t/acme/api/v1/"), "{path}");
            assert!(!path.contains("{tenant}"), "{path}");
            for operation in item.as_object().expect("path item").values() {
                let names: Vec<&Value> = operation["parameters"]
                    .as_array()
                    .map(|p| p.iter().map(|p| &p["name"]).collect())
                    .unwrap_or_default();
                assert!(!names.contains(&&json!("tenant")), "{path}");
            }
        }
        assert!(
            paths["/t/acme/api/v1/products/{id}"]["get"]["parameters"]
                .as_array()
                .expect("parameters")
                .iter()
                .any(|p| p["name"] == "id"),
            "other parameters stay"
        );
        let flows = &acme["components"]["securitySchemes"]["ResourcesAuth"]["flows"];
        assert_eq!(
            flows["clientCredentials"]["tokenUrl"],
            "/t/acme/oauth2/token"
        );
        assert_eq!(
            flows["authorizationCode"]["authorizationUrl"],
            "/t/acme/oauth2/authorize"
        );
        assert_eq!(
            flows["authorizationCode"]["tokenUrl"],
            "/t/acme/oauth2/token"
        );
    }

    #[test]
    fn client_id_is_checked_and_script_data_cannot_end_its_block() {
        assert_eq!(client_id(""), Ok(None));
        assert_eq!(client_id("x=1&client_id="), Ok(None));
        assert_eq!(client_id("client_id=a%20b"), Ok(Some("a b".into())));
        assert!(client_id("client_id=a&client_id=b").is_err());
        assert!(client_id("client_id=a%0Ab").is_err());
        assert!(client_id(&format!("client_id={}", "a".repeat(256))).is_err());
        let data = script_data(&json!({"clientId": "</script><b>&"}));
        assert!(!data.contains('<') && !data.contains('>') && !data.contains('&'));
        let back: Value = serde_json::from_str(&data).expect("json");
        assert_eq!(back["clientId"], "</script><b>&");
    }
}
