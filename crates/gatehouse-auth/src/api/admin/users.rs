//! A tenant's users and what they consented to (`/t/{tenant}/admin/v1/users`).

use gatehouse_proto::{ApiProblem, Text};
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::types::Example;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};

use super::{AdminTag, Deleted};
use crate::admin::Admin;
use crate::api::security::{TenantAdminAuth, TenantScope};
use crate::service::{NewUser, UserRole, UserUpdate};
use crate::views::{ConsentList, User, UserList};

/// A user's role in its tenant. `user`: its tokens carry any scope an app was registered
/// with but `tenant:admin`; `admin`: also `tenant:admin`. No user's token carries
/// `platform:admin`.
#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "lowercase")]
enum Role {
    User,
    Admin,
}

impl From<Role> for UserRole {
    fn from(role: Role) -> Self {
        match role {
            Role::User => UserRole::User,
            Role::Admin => UserRole::Admin,
        }
    }
}

/// A new user.
#[derive(Object)]
#[oai(example)]
struct UserCreate {
    /// Letters, digits, `.`, `-`, `_` or `@`; at most 64; unique in the tenant.
    username: Text,
    /// 8 to 1024 characters; stored only as an argon2id hash.
    #[oai(write_only)]
    password: Text,
    email: Text,
    /// `user` when absent.
    role: Option<Role>,
}

/// Changes to a user (absent: kept).
#[derive(Debug, Object)]
struct UserPatch {
    role: Option<Role>,
    /// `true`: the user cannot sign in or refresh, and its tokens are refused everywhere;
    /// `false` enables it again (its earlier tokens stay revoked).
    disabled: Option<bool>,
}

impl Example for UserCreate {
    fn example() -> Self {
        UserCreate {
            username: "ada".into(),
            password: "correct horse battery staple".into(),
            email: "ada@example.com".into(),
            role: Some(Role::User),
        }
    }
}

#[derive(ApiResponse)]
enum UserCreated {
    #[oai(status = 201)]
    Created(Json<User>, #[oai(header = "Location")] String),
}

#[derive(ApiResponse)]
enum UserFound {
    #[oai(status = 200)]
    Ok(Json<User>),
}

#[derive(ApiResponse)]
enum UsersListed {
    #[oai(status = 200)]
    Ok(Json<UserList>),
}

#[derive(ApiResponse)]
enum ConsentsListed {
    #[oai(status = 200)]
    Ok(Json<ConsentList>),
}

/// The admin API's user operations.
pub struct UsersApi {
    admin: Admin,
}

impl UsersApi {
    pub fn new(admin: Admin) -> Self {
        Self { admin }
    }
}

#[OpenApi]
impl UsersApi {
    /// Create a user
    #[oai(
        path = "/t/:tenant/admin/v1/users",
        method = "post",
        tag = "AdminTag::Users"
    )]
    async fn create_user(
        &self,
        #[oai(scope = "TenantScope::TenantAdmin")] auth: TenantAdminAuth,
        tenant: Path<String>,
        body: Json<UserCreate>,
    ) -> Result<UserCreated, ApiProblem> {
        auth.require(&tenant)?;
        let body = body.0;
        let user = self
            .admin
            .create_user(
                &tenant,
                NewUser {
                    username: body.username.0,
                    password: body.password.0,
                    email: body.email.0,
                    role: body.role.map(Into::into).unwrap_or_default(),
                },
            )
            .await?;
        let location = format!("/t/{}/admin/v1/users/{}", tenant.0, user.id());
        Ok(UserCreated::Created(Json(user), location))
    }

    /// Change a user
    ///
    /// Its role, or whether it is disabled. Disabling ends its sessions and refresh tokens,
    /// and every gateway refuses its access tokens within `gateway.revocation_poll_seconds`.
    #[oai(
        path = "/t/:tenant/admin/v1/users/:user_id",
        method = "patch",
        tag = "AdminTag::Users"
    )]
    async fn update_user(
        &self,
        #[oai(scope = "TenantScope::TenantAdmin")] auth: TenantAdminAuth,
        tenant: Path<String>,
        user_id: Path<String>,
        body: Json<UserPatch>,
    ) -> Result<UserFound, ApiProblem> {
        auth.require(&tenant)?;
        let update = UserUpdate {
            role: body.0.role.map(Into::into),
            disabled: body.0.disabled,
        };
        let user = self.admin.update_user(&tenant, &user_id, update).await?;
        Ok(UserFound::Ok(Json(user)))
    }

    /// List users
    #[oai(
        path = "/t/:tenant/admin/v1/users",
        method = "get",
        tag = "AdminTag::Users"
    )]
    async fn list_users(
        &self,
        #[oai(scope = "TenantScope::TenantAdmin")] auth: TenantAdminAuth,
        tenant: Path<String>,
    ) -> Result<UsersListed, ApiProblem> {
        auth.require(&tenant)?;
        Ok(UsersListed::Ok(Json(self.admin.list_users(&tenant).await?)))
    }

    /// Get a user
    #[oai(
        path = "/t/:tenant/admin/v1/users/:user_id",
        method = "get",
        tag = "AdminTag::Users"
    )]
    async fn get_user(
        &self,
        #[oai(scope = "TenantScope::TenantAdmin")] auth: TenantAdminAuth,
        tenant: Path<String>,
        user_id: Path<String>,
    ) -> Result<UserFound, ApiProblem> {
        auth.require(&tenant)?;
        let user = self.admin.get_user(&tenant, &user_id).await?;
        Ok(UserFound::Ok(Json(user)))
    }

    /// List a user's consents
    #[oai(
        path = "/t/:tenant/admin/v1/users/:user_id/consents",
        method = "get",
        tag = "AdminTag::Users"
    )]
    async fn list_consents(
        &self,
        #[oai(scope = "TenantScope::TenantAdmin")] auth: TenantAdminAuth,
        tenant: Path<String>,
        user_id: Path<String>,
    ) -> Result<ConsentsListed, ApiProblem> {
        auth.require(&tenant)?;
        let consents = self.admin.list_consents(&tenant, &user_id).await?;
        Ok(ConsentsListed::Ok(Json(consents)))
    }

    /// Revoke a consent
    ///
    /// The app must ask the user again; its refresh tokens for the user, and their access
    /// tokens, are revoked.
    #[oai(
        path = "/t/:tenant/admin/v1/users/:user_id/consents/:client_id",
        method = "delete",
        tag = "AdminTag::Users"
    )]
    async fn revoke_consent(
        &self,
        #[oai(scope = "TenantScope::TenantAdmin")] auth: TenantAdminAuth,
        tenant: Path<String>,
        user_id: Path<String>,
        client_id: Path<String>,
    ) -> Result<Deleted, ApiProblem> {
        auth.require(&tenant)?;
        self.admin
            .revoke_consent(&tenant, &user_id, &client_id)
            .await?;
        Ok(Deleted::NoContent)
    }

    /// Delete a user
    #[oai(
        path = "/t/:tenant/admin/v1/users/:user_id",
        method = "delete",
        tag = "AdminTag::Users"
    )]
    async fn delete_user(
        &self,
        #[oai(scope = "TenantScope::TenantAdmin")] auth: TenantAdminAuth,
        tenant: Path<String>,
        user_id: Path<String>,
    ) -> Result<Deleted, ApiProblem> {
        auth.require(&tenant)?;
        self.admin.delete_user(&tenant, &user_id).await?;
        Ok(Deleted::NoContent)
    }
}
