//! The Gatehouse resource service: a tenant's business data (its products, customers and
//! orders) behind typed CRUD endpoints, with its own OpenAPI document and Swagger UI.
//!
//! The service sits behind the gateway, which forwards the public request path unchanged
//! (`/t/{tenant}/api/v1/...`) after it has validated the bearer token, and which tells the
//! service who is calling through the identity headers of [`gatehouse_proto::headers`].
//!
//! Invariants:
//!
//! - **This crate never parses a token.** The caller is the [`gatehouse_proto::Identity`] the
//!   gateway vouched for, read only from a request that carries the gateway's proof; the tenant
//!   whose rows a request may touch is its `tenant_id`.
//! - **Every query is scoped by tenant.** Each row carries `tenant_id`, and the store only
//!   takes a tenant id that the API layer derives from the identity: a product, customer or
//!   order of another tenant is indistinguishable from one that does not exist (404).
//! - Every error is an RFC 9457 problem document (`application/problem+json`); database
//!   errors are logged and answered with a 500 that does not leak their cause.

mod api;
mod config;
mod error;
mod migration;
mod store;

pub use config::ResourcesConfig;
pub use error::ResourcesError;

use gatehouse_proto::{ProofKey, RequireGatewayProof};
use poem::EndpointExt;
use poem::endpoint::BoxEndpoint;
use sea_orm::DatabaseConnection;
use sea_orm_migration::MigratorTrait;

/// The resource service's short-lived rows, for the sweeper: (table, expiry column, seconds a
/// row is kept past its expiry).
pub const EXPIRING_ROWS: [(&str, &str, u64); 1] = [("resources_idempotency_keys", "expires_at", 0)];

/// Applies this service's migrations (tracked in `seaql_migrations_resources`, apart from the
/// other services that share the database).
pub async fn migrate(db: &DatabaseConnection) -> Result<(), ResourcesError> {
    migration::Migrator::up(db, None).await?;
    Ok(())
}

/// Applies only the first `steps` migrations: what a database of an earlier version holds,
/// for upgrade tests.
pub async fn migrate_partly(db: &DatabaseConnection, steps: u32) -> Result<(), ResourcesError> {
    migration::Migrator::up(db, Some(steps)).await?;
    Ok(())
}

/// The OpenAPI 3 document of the resource API, as pretty JSON.
pub fn openapi_json() -> String {
    document(&ResourcesConfig::default())
}

/// The document of a service with `config` (its page sizes), with the rules the handlers
/// check written in.
pub(crate) fn document(config: &ResourcesConfig) -> String {
    let spec = api::service(DatabaseConnection::default(), config.clone()).spec();
    gatehouse_proto::documented(spec, &api::document_rules(config))
}

/// The resource service: the API under its full public paths, its OpenAPI document at
/// `/openapi/resources.json`, Swagger UI at `/docs/resources`, and a tenant's Swagger UI at
/// `/t/{tenant}/docs`; for requests that carry the gateway's proof under `proof` (others: 401).
pub fn endpoint(
    db: DatabaseConnection,
    config: ResourcesConfig,
    proof: ProofKey,
) -> BoxEndpoint<'static> {
    api::endpoint(db, config)
        .with(RequireGatewayProof(proof))
        .boxed()
}

#[cfg(test)]
mod tests;
