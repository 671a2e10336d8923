//! The admin API: tenants (`/admin/v1/tenants`) and a tenant's clients, users and keys
//! (`/t/{tenant}/admin/v1/...`). Handlers check the caller's scope and hand the work to
//! [`Admin`], which the command line uses too.

mod clients;
mod keys;
mod policy;
mod rules;
mod tenants;
mod users;

use poem_openapi::{ApiResponse, Tags};

use crate::admin::Admin;

pub(crate) use rules::document_rules;

#[derive(Tags)]
enum AdminTag {
    /// Tenants: the organisations served by this platform (operator only).
    Tenants,
    /// OAuth clients registered in a tenant.
    Clients,
    /// A tenant's users, who sign in to authorize third-party apps.
    Users,
    /// A tenant's token signing keys and their rotation.
    Keys,
    /// A tenant's OAuth policy (pushed authorization requests, client registration, token
    /// exchange) and the initial access tokens of its client registration.
    Policy,
}

#[derive(ApiResponse)]
enum Deleted {
    /// Deleted.
    #[oai(status = 204)]
    NoContent,
}

/// The admin API's operations, by tag.
pub type AdminApi = (
    tenants::TenantsApi,
    clients::ClientsApi,
    users::UsersApi,
    keys::KeysApi,
    policy::PolicyApi,
    policy::RegistrationTokensApi,
);

pub fn admin_api(admin: Admin) -> AdminApi {
    (
        tenants::TenantsApi::new(admin.clone()),
        clients::ClientsApi::new(admin.clone()),
        users::UsersApi::new(admin.clone()),
        keys::KeysApi::new(admin.clone()),
        policy::PolicyApi::new(admin.clone()),
        policy::RegistrationTokensApi::new(admin),
    )
}
