//! The authorization server: tenants and their issuers, clients, users, signing keys, and the
//! OAuth endpoints that issue tokens.
//!
//! Invariants: secrets are generated here and stored only as hashes; every lookup of a client,
//! user or key is scoped by its tenant; this crate never validates access tokens for other
//! services (the gateway does) and never calls another service.

mod admin;
mod api;
mod config;
mod entity;
mod error;
mod keys;
mod metrics;
mod migration;
mod policy;
mod sealing;
mod secrets;
mod service;
pub mod views;

pub use admin::{Admin, Caller};
pub use config::AuthConfig;
pub use error::AuthError;
pub use keys::SigningAlg;
pub use metrics::AuthMetrics;
pub use policy::OAuthPolicy;
pub use sealing::Sealer;
pub use service::{
    ADMIN_CLIENT_ID, AuthService, Bootstrap, ClientUpdate, DocumentFetch, NewClient, NewTenant,
    NewUser, SYSTEM_TENANT, TenantUpdate, UserRole, UserUpdate,
};

use gatehouse_proto::{ProofKey, RequireGatewayProof};
use poem::endpoint::BoxEndpoint;
use poem::{EndpointExt, Route};
use poem_openapi::OpenApiService;
use sea_orm::DatabaseConnection;
use sea_orm_migration::MigratorTrait;

use api::admin::{AdminApi, admin_api};
use api::oauth::OAuthApi;

/// The auth server's short-lived rows, for the sweeper: (table, expiry column, seconds a row
/// is kept past its expiry). A code is kept a day, so that a late replay of it still revokes
/// what it gave; a refresh token lives as long as its family.
pub const EXPIRING_ROWS: [(&str, &str, u64); 9] = [
    ("auth_requests", "expires_at", 0),
    ("auth_pushed_requests", "expires_at", 0),
    ("auth_initial_access_tokens", "expires_at", 0),
    ("auth_device_codes", "expires_at", 0),
    ("auth_codes", "expires_at", 86_400),
    ("auth_sessions", "expires_at", 0),
    ("auth_access_tokens", "expires_at", 0),
    ("auth_refresh_tokens", "family_expires_at", 0),
    ("auth_revocations", "expires_at", 0),
];

/// Brings the auth server's tables up to date.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), AuthError> {
    Ok(migration::Migrator::up(db, None).await?)
}

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn admin_service(service: AuthService) -> OpenApiService<AdminApi, ()> {
    OpenApiService::new(
        admin_api(Admin::new(service)),
        "Gatehouse admin API",
        VERSION,
    )
    .description(
        "Manage tenants (operator, `platform:admin`) and a tenant's clients and users \
         (`tenant:admin`). Errors are RFC 9457 problem documents.",
    )
}

fn oauth_service(service: AuthService) -> OpenApiService<OAuthApi, ()> {
    OpenApiService::new(OAuthApi::new(service), "Gatehouse auth API", VERSION).description(
        "The OAuth 2 endpoints of each tenant's issuer `{base}/t/{tenant}`. Errors of the token \
         endpoint are RFC 6749 JSON.",
    )
}

/// The OpenAPI documents, generated from the typed endpoints: `(admin, auth)`. Needs no
/// database: the documents depend on the code alone.
pub fn openapi_json() -> (String, String) {
    let service = AuthService::detached();
    (
        admin_document(&admin_service(service.clone())),
        oauth_document(&oauth_service(service)),
    )
}

/// The OAuth document, its references made plain like the admin document's.
fn oauth_document(oauth: &OpenApiService<OAuthApi, ()>) -> String {
    gatehouse_proto::documented(oauth.spec(), &[])
}

/// The admin document with the rules the service checks itself written in.
fn admin_document(admin: &OpenApiService<AdminApi, ()>) -> String {
    gatehouse_proto::documented(admin.spec(), &api::admin::document_rules())
}

/// Answers an OpenAPI document.
fn document_endpoint(document: String) -> impl poem::Endpoint {
    poem::get(poem::endpoint::make_sync(move |_| {
        poem::Response::builder()
            .content_type("application/json; charset=utf-8")
            .body(document.clone())
    }))
}

/// Swagger UI showing `document` in place of the spec poem-openapi generated for `api`.
fn document_ui<T: poem_openapi::OpenApi>(
    api: &OpenApiService<T, ()>,
    document: &str,
) -> impl poem::Endpoint + use<T> {
    let page = api.swagger_ui_html().replace(&api.spec(), document);
    poem::get(poem::endpoint::make_sync(move |_| {
        poem::web::Html(page.clone())
    }))
}

/// Every route of the auth server, at the public paths the gateway forwards unchanged, for
/// requests that carry the gateway's proof under `proof` (others: 401).
pub fn endpoint(service: AuthService, proof: ProofKey) -> BoxEndpoint<'static> {
    let admin = admin_service(service.clone());
    let admin_document = admin_document(&admin);
    let oauth = oauth_service(service.clone());
    let oauth_document = oauth_document(&oauth);
    let service_for_pages = service.clone();
    // One service routes both APIs; the two documents above stay separate.
    let both = OpenApiService::new(
        (
            admin_api(Admin::new(service.clone())),
            OAuthApi::new(service),
        ),
        "Gatehouse auth server",
        VERSION,
    );
    Route::new()
        .at(
            "/t/:tenant/oauth2/authorize",
            poem::get(api::browser::authorize).data(service_for_pages.clone()),
        )
        .at(
            "/t/:tenant/oauth2/device",
            poem::get(api::browser::device).data(service_for_pages.clone()),
        )
        .at(
            "/t/:tenant/oauth2/login",
            poem::post(api::browser::login).data(service_for_pages.clone()),
        )
        .at(
            "/t/:tenant/oauth2/consent",
            poem::post(api::browser::consent).data(service_for_pages.clone()),
        )
        .at(
            gatehouse_proto::TENANT_POLICY_ROUTE,
            poem::get(api::browser::policy).data(service_for_pages.clone()),
        )
        .at(
            gatehouse_proto::REVOCATIONS_ROUTE,
            poem::get(api::browser::revocations).data(service_for_pages),
        )
        // The documents as generated, with their rules written in; Swagger UI shows the same.
        .at(
            "/openapi/admin.json",
            document_endpoint(admin_document.clone()),
        )
        .at(
            "/openapi/auth.json",
            document_endpoint(oauth_document.clone()),
        )
        .nest("/docs/admin", document_ui(&admin, &admin_document))
        .nest("/docs/auth", document_ui(&oauth, &oauth_document))
        .nest("/", both)
        .with(RequireGatewayProof(proof))
        .boxed()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_documented_rule_finds_its_place_in_the_admin_document() {
        let spec = super::admin_service(super::AuthService::detached()).spec();
        if let Err(missing) =
            gatehouse_proto::with_rules(&spec, &super::api::admin::document_rules())
        {
            panic!("{missing}");
        }
    }
}
