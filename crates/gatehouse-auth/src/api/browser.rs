//! The browser side of the authorization code flow: `{issuer}/oauth2/authorize` and the forms
//! it leads to. These are pages for people, not part of the OpenAPI documents.

use gatehouse_proto::ErrorChain;
use poem::web::{Data, Form, Path, Query};
use poem::{IntoResponse, Request, Response, handler};
use serde::Deserialize;

use super::pages::{self, BROWSER_COOKIE, DEVICE_COOKIE, SESSION_COOKIE};
use crate::error::AuthError;
use crate::service::AuthService;
use crate::service::authorize::{FormProof, NewSession, Outcome};

/// The value of the request's cookie `name`.
fn cookie<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers()
        .get_all(poem::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(found, _)| *found == name)
        .map(|(_, value)| value)
}

fn session_cookie(req: &Request) -> Option<&str> {
    cookie(req, SESSION_COOKIE)
}

/// The browser's binding cookie, if it has a sane one.
fn browser_cookie(req: &Request) -> Option<&str> {
    cookie(req, BROWSER_COOKIE).filter(|v| (32..=64).contains(&v.len()))
}

/// What a posted form proves: its fields, and the browser's cookies.
fn form_proof<'a>(req: &'a Request, request_id: &'a str, csrf: &'a str) -> FormProof<'a> {
    FormProof {
        request_id,
        csrf,
        browser: browser_cookie(req),
        device: cookie(req, DEVICE_COOKIE),
    }
}

fn respond(
    service: &AuthService,
    tenant: &str,
    result: Result<(Outcome, Option<NewSession>), AuthError>,
) -> Response {
    match result {
        Ok((outcome, session)) => {
            pages::respond(outcome, tenant, session, service.config().secure_cookies())
        }
        Err(err) => {
            tracing::error!(error = %ErrorChain(&err), "authorization step failed");
            pages::internal_error()
        }
    }
}

#[handler]
pub async fn authorize(
    req: &Request,
    Path(tenant): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
    Data(service): Data<&AuthService>,
) -> Response {
    let cookie = session_cookie(req);
    // The request is bound to this browser: its cookie, or a new one set with the answer.
    let known = browser_cookie(req);
    let browser = known.map_or_else(|| crate::secrets::random_token(32), str::to_owned);
    let result = service
        .authorize(&tenant, &params, cookie, &browser)
        .await
        .map(|o| (o, None));
    with_browser_cookie(
        service,
        &tenant,
        respond(service, &tenant, result),
        known,
        &browser,
    )
}

#[derive(Deserialize)]
pub struct DeviceQuery {
    user_code: Option<String>,
}

/// `GET {issuer}/oauth2/device`: the device verification page (RFC 8628 §3.3).
#[handler]
pub async fn device(
    req: &Request,
    Path(tenant): Path<String>,
    Query(query): Query<DeviceQuery>,
    Data(service): Data<&AuthService>,
) -> Response {
    let cookie = session_cookie(req);
    let known = browser_cookie(req);
    let browser = known.map_or_else(|| crate::secrets::random_token(32), str::to_owned);
    let result = service
        .verify_device(&tenant, query.user_code.as_deref(), cookie, &browser)
        .await
        .map(|o| (o, None));
    with_browser_cookie(
        service,
        &tenant,
        respond(service, &tenant, result),
        known,
        &browser,
    )
}

/// Sets the browser's binding cookie on `response` unless it had one.
fn with_browser_cookie(
    service: &AuthService,
    tenant: &str,
    mut response: Response,
    known: Option<&str>,
    browser: &str,
) -> Response {
    if known.is_none() {
        let secure = service.config().secure_cookies();
        if let Ok(value) = pages::browser_cookie(tenant, browser, secure).parse() {
            response
                .headers_mut()
                .append(poem::http::header::SET_COOKIE, value);
        }
    }
    response
}

/// The login form. Missing fields are empty strings, which fail the CSRF check, so a form
/// without its token is refused like one with a wrong token.
#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    request_id: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

#[handler]
pub async fn login(
    req: &Request,
    Path(tenant): Path<String>,
    Form(form): Form<LoginForm>,
    Data(service): Data<&AuthService>,
) -> Response {
    // The caller's address as the gateway determined it (behind trusted proxies, theirs).
    let address = gatehouse_proto::client_address(req).map(str::to_owned);
    let result = service
        .login(
            &tenant,
            form_proof(req, &form.request_id, &form.csrf),
            &form.username,
            &form.password,
            address.as_deref(),
        )
        .await;
    respond(service, &tenant, result)
}

#[derive(Deserialize)]
pub struct ConsentForm {
    #[serde(default)]
    request_id: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    decision: String,
}

#[handler]
pub async fn consent(
    req: &Request,
    Path(tenant): Path<String>,
    Form(form): Form<ConsentForm>,
    Data(service): Data<&AuthService>,
) -> Response {
    let result = service
        .consent(
            &tenant,
            form_proof(req, &form.request_id, &form.csrf),
            form.decision == "approve",
            session_cookie(req),
        )
        .await
        .map(|o| (o, None));
    respond(service, &tenant, result)
}

#[derive(Deserialize)]
pub struct FeedQuery {
    #[serde(default)]
    since: i64,
}

/// For the gateways (never routed from outside): what was revoked since `since` (unix
/// milliseconds).
#[handler]
pub async fn revocations(
    Query(query): Query<FeedQuery>,
    Data(service): Data<&AuthService>,
) -> Response {
    match service.revocations_since(query.since).await {
        Ok(feed) => poem::web::Json(feed).into_response(),
        Err(err) => gatehouse_proto::Problem::from(err).into_response(),
    }
}

/// For the gateway (never routed from outside): the tenant's settings that the gateway
/// enforces. 404 for an unknown tenant.
#[handler]
pub async fn policy(Path(tenant): Path<String>, Data(service): Data<&AuthService>) -> Response {
    match service.find_tenant(&tenant).await {
        Ok(Some(tenant)) => poem::web::Json(gatehouse_proto::TenantPolicy {
            rate_limit_per_minute: tenant
                .rate_limit_per_minute
                .and_then(|n| u32::try_from(n).ok()),
            require_if_match: tenant.require_if_match,
        })
        .into_response(),
        Ok(None) => poem::http::StatusCode::NOT_FOUND.into_response(),
        Err(err) => gatehouse_proto::Problem::from(err).into_response(),
    }
}
